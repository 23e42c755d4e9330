"""`analyze --format parquet`: the path verdicts as a typed table, written a row group at a
time, the same bytes streamed or from memory, with one worker or two; read back with
pyarrow, its rows are the JSON contract's paths and its domestic rows the CSV's."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from tests.pipeline.stream_cases import Case, cases

from ixpready.analysis.export import CSV_COLUMNS, path_to_dict, to_json
from ixpready.analysis.parquet import METADATA_KEY, PARQUET_COLUMNS, write_parquet
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.cli import main
from ixpready.errors import ExitCode
from ixpready.pipeline.analyze import analyze_files
from ixpready.pipeline.streaming import analyze_files_to
from ixpready.report.exports import paths_csv, write_csv

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def two_cases(recorded: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    found = cases(recorded, tmp_path_factory.mktemp("cases"))
    return [found[0], found[-1]]  # the demo; every recorded fixture at once


def _in_memory(case: Case, quarantine: Path) -> AnalysisResult:
    run = analyze_files(
        list(case.results), country=case.country, refdata=case.refdata, probes=case.probes,
        rdns=case.rdns, quarantine=quarantine,
    )  # fmt: skip
    return replace(run.result, generated_at=WHEN)


def _streamed(case: Case, form: str, quarantine: Path, workers: int) -> bytes:
    out = io.BytesIO()
    analyze_files_to(
        out, form, list(case.results), country=case.country, refdata=case.refdata,
        probes=case.probes, rdns=case.rdns, quarantine=quarantine, workers=workers,
        generated_at=WHEN,
    )  # fmt: skip
    return out.getvalue()


def _csv_of(rows: list[dict[str, object]]) -> str:
    """Returns the CSV `analyze --format csv` would write for these Parquet rows."""
    cells = (
        [" ".join(map(str, v)) if isinstance(v, list) else v for v in (r[c] for c in CSV_COLUMNS)]
        for r in rows
    )
    return write_csv(CSV_COLUMNS, cells)


def test_parquet_is_the_same_streamed_or_in_memory_and_holds_the_contract(
    two_cases: list[Case], tmp_path: Path
) -> None:
    for case in two_cases:
        result = _in_memory(case, tmp_path / "q-old.jsonl")
        memory = io.BytesIO()
        rows = write_parquet(result, result.paths, result.other_paths, memory)
        assert rows == len(result.paths) + len(result.other_paths) > 100, case.name
        for workers in (1, 2):
            streamed = _streamed(case, "parquet", tmp_path / "q.jsonl", workers)
            assert streamed == memory.getvalue(), (case.name, workers)

        table = pq.read_table(io.BytesIO(memory.getvalue()))
        assert table.column_names == list(PARQUET_COLUMNS)
        read = table.to_pylist()
        assert read == [path_to_dict(p) for p in (*result.paths, *result.other_paths)], case.name
        domestic = [r for r in read if r["scope"] == "domestic"]
        assert len(domestic) == len(result.paths), case.name
        assert domestic or case.name != "demo"  # the recorded fixtures: other paths only
        csv = _streamed(case, "csv", tmp_path / "q.jsonl", 1).decode()
        assert _csv_of(domestic) == csv == paths_csv(result.paths), case.name
        assert read[-1]["scope"] != "domestic", case.name  # the other paths follow

        head = orjson.loads(table.schema.metadata[METADATA_KEY])
        document = orjson.loads(_streamed(case, "json", tmp_path / "q.jsonl", 1))
        assert head == {**document, "paths": [], "other_paths": []}, case.name
        assert orjson.loads(to_json(result)) == document, case.name


def test_row_groups_are_flushed_as_they_fill(two_cases: list[Case], tmp_path: Path) -> None:
    result = _in_memory(two_cases[0], tmp_path / "q.jsonl")
    whole, grouped = io.BytesIO(), io.BytesIO()
    rows = write_parquet(result, result.paths, result.other_paths, whole)
    write_parquet(result, iter(result.paths), iter(result.other_paths), grouped, row_group_rows=7)
    file = pq.ParquetFile(io.BytesIO(grouped.getvalue()))
    assert file.metadata.num_row_groups == math.ceil(rows / 7) > 20
    assert [file.metadata.row_group(i).num_rows for i in range(2)] == [7, 7]
    assert file.read().equals(pq.read_table(io.BytesIO(whole.getvalue())))
    empty = io.BytesIO()
    assert write_parquet(replace(result, paths=(), other_paths=()), (), (), empty) == 0
    assert pq.read_table(io.BytesIO(empty.getvalue())).column_names == list(PARQUET_COLUMNS)


def test_the_cli_writes_parquet_whole_under_its_name(two_cases: list[Case], tmp_path: Path) -> None:
    demo = two_cases[0]
    out = tmp_path / "paths.parquet"
    code = main(
        [
            "analyze", *map(str, demo.results), "--country", "GT", "--refdata", str(demo.refdata),
            "--probes", str(demo.probes), "--rdns", str(demo.rdns), "--format", "parquet",
            "--out", str(out), "--workers", "2", "--quarantine", str(tmp_path / "q.jsonl"),
        ]
    )  # fmt: skip
    assert code == ExitCode.PARTIAL  # the demo holds one malformed record
    assert not list(tmp_path.glob(".*.partial"))
    table = pq.read_table(out)
    summary = orjson.loads(table.schema.metadata[METADATA_KEY])["summary"]
    assert table.num_rows == summary["domestic_paths"] + summary["other_paths"] > 100
    assert table.schema.field("msm_id").type == "int64"


def test_parquet_is_never_written_to_a_terminal(two_cases: list[Case], tmp_path: Path) -> None:
    demo = two_cases[0]
    leader, follower = os.openpty()  # a real terminal for the command's stdout
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ixpready", "analyze", *map(str, demo.results),
             "--country", "GT", "--refdata", str(demo.refdata), "--format", "parquet",
             "--quarantine", str(tmp_path / "q.jsonl")],
            stdout=follower, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == ExitCode.USAGE
    assert "not written to a terminal" in done.stderr and "--out" in done.stderr
