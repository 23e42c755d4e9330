"""`ixpready export`: rounds, judged paths and results as JSON lines and Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode
from ixpready.measurements.store import Store
from ixpready.pipeline import export as exporting
from jobs.conftest import offline_config

ROUNDS = ["2026-11-01T00", "2026-11-01T06"]


@pytest.fixture
def measured(scenario: ScenarioFiles, tmp_path: Path) -> Path:
    config = offline_config(tmp_path, scenario)
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    return config


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_json_lines_hold_every_round_path_and_result(
    measured: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    capsys.readouterr()
    assert main(["--config", str(measured), "export", "--out", str(out), "--raw"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {out / 'rounds.jsonl'} (2 rows)",
        f"wrote {out / 'paths.jsonl'} (179 rows)",
        f"wrote {out / 'results.jsonl'} (179 rows)",
    ]
    rounds = _lines(out / "rounds.jsonl")
    assert [r["round"] for r in rounds] == ROUNDS
    assert [r["results"] for r in rounds] == [99, 80]
    paths = _lines(out / "paths.jsonl")
    assert {p["round"] for p in paths} == set(ROUNDS)
    domestic = [p for p in paths if p["scope"] == "domestic"]
    assert len(domestic) == sum(int(str(r["domestic_paths"])) for r in rounds)
    assert sum(p["verdict"] == "tromboned" for p in domestic) == sum(
        int(str(r["tromboned"])) for r in rounds
    )
    assert "evidence" not in paths[0]
    results = _lines(out / "results.jsonl")
    settings = load_settings(measured, {})
    with Store.open(settings.store_path) as store:
        stored = {(r.key.msm_id, r.key.prb_id, r.key.timestamp): json.loads(r.raw)
                  for r in store.results()}  # fmt: skip
    assert {(r["msm_id"], r["prb_id"], r["timestamp"]): r["result"] for r in results} == stored
    assert {(p["msm_id"], p["prb_id"], p["timestamp"]) for p in paths} == set(stored)


def test_parquet_tables_match_the_json_lines(measured: Path, tmp_path: Path) -> None:
    json_out, parquet_out = tmp_path / "j", tmp_path / "p"
    assert main(["--config", str(measured), "export", "--out", str(json_out), "--raw"]) == 0
    assert main(["--config", str(measured), "export", "--out", str(parquet_out), "--raw",
                 "--parquet"]) == 0  # fmt: skip
    for name in ("rounds", "paths"):
        table = pq.read_table(parquet_out / f"{name}.parquet").to_pylist()
        assert table == _lines(json_out / f"{name}.jsonl")
    paths = pq.read_table(parquet_out / "paths.parquet")
    assert str(paths.schema.field("carried_by").type) == "list<element: int64>"
    assert str(paths.schema.field("rtt_ms").type) == "double"
    results = pq.read_table(parquet_out / "results.parquet").to_pylist()
    assert [json.loads(r["result"]) for r in results] == [
        r["result"] for r in _lines(json_out / "results.jsonl")
    ]


def test_tables_are_written_a_row_group_at_a_time(
    measured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The raw results come from a store cursor and go to the file as they come: a Parquet
    # table is many row groups, never one table built whole, and holds what JSON lines hold.
    monkeypatch.setattr(exporting, "ROW_GROUP", 7)
    json_out, parquet_out = tmp_path / "j", tmp_path / "p"
    assert main(["--config", str(measured), "export", "--out", str(json_out), "--raw"]) == 0
    assert main(["--config", str(measured), "export", "--out", str(parquet_out), "--raw",
                 "--parquet"]) == 0  # fmt: skip
    results = pq.ParquetFile(parquet_out / "results.parquet")
    assert results.metadata.num_rows == 179
    assert results.metadata.num_row_groups == 26  # 179 rows, 7 per group
    assert {results.metadata.row_group(i).num_rows for i in range(25)} == {7}
    assert [json.loads(r["result"]) for r in results.read().to_pylist()] == [
        r["result"] for r in _lines(json_out / "results.jsonl")
    ]
    paths = pq.ParquetFile(parquet_out / "paths.parquet")
    assert paths.metadata.num_row_groups == 26
    assert paths.read().to_pylist() == _lines(json_out / "paths.jsonl")
    assert not list(tmp_path.rglob(".*.tmp"))  # each file renamed into place


def test_one_round_and_an_unknown_round(
    measured: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "one"
    assert main(["--config", str(measured), "export", "--out", str(out), "--round",
                 ROUNDS[1]]) == 0  # fmt: skip
    assert [r["round"] for r in _lines(out / "rounds.jsonl")] == [ROUNDS[1]]
    assert len(_lines(out / "paths.jsonl")) == 80
    capsys.readouterr()
    assert main(["--config", str(measured), "export", "--out", str(out), "--round",
                 "2026-11-02T00"]) == ExitCode.USAGE  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "ixpready: error: round 2026-11-02T00 is not in the store",
        f"ixpready: hint: rounds held: {', '.join(ROUNDS)} (see `ixpready trend`)",
    ]


def test_an_empty_table_keeps_its_columns(tmp_path: Path) -> None:
    rows = exporting._write_parquet(tmp_path / "r.parquet", iter([]), ("round", "msm_id"))
    table = pq.read_table(tmp_path / "r.parquet")
    assert rows == 0 and table.num_rows == 0
    assert [(f.name, str(f.type)) for f in table.schema] == [("round", "string"), ("msm_id", "int64")]
    assert exporting._write_json_lines(tmp_path / "r.jsonl", iter([])) == 0
    assert (tmp_path / "r.jsonl").read_bytes() == b""
