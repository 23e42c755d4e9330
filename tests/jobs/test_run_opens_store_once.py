"""One job runner: `ixpready run` takes the lock and opens its store once, and every step
(discover, reuse, refdata, plan, measure, fetch, rdns, locate, import, analyze, model, report,
prune) works in that one open store; so do `export`, `upload` (its ledger) and `doctor`.
Counted on the real SQLite store (a spy around the real `Store.open`), against the recorded
RIPE Atlas and registry answers of tests/jobs/online.py and a real PostgreSQL server."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.errors import ExitCode
from ixpready.measurements.store import Store
from jobs import online
from jobs.conftest import write_config
from sources.replay import ReplayServer

GT = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Counter[Path]:
    """Counts the real store's openings, by file."""
    counts: Counter[Path] = Counter()
    real = Store.open

    def counting(path: Path) -> Store:
        counts[Path(path)] += 1
        return real(path)

    monkeypatch.setattr(Store, "open", staticmethod(counting))
    return counts


def test_a_run_opens_its_store_once_and_every_step_works_in_it(
    recorded: Path,
    atlas_replay: ReplayServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    opened: Counter[Path],
) -> None:
    online.record_discovery_and_refdata(recorded, atlas_replay)
    online.record_measurements(recorded, atlas_replay)
    spool = tmp_path / "spool"
    spool.mkdir()
    extra = f'results = ["{spool}"]\n[retention]\nquarantine_days = 90\nraw_results_rounds = 3\n'
    config = write_config(tmp_path / "config.toml", online.config_text(tmp_path, atlas_replay, extra))
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", online.KEY)
    monkeypatch.setenv("IXPREADY_LOCATE_ENABLED", "true")  # reads the store's results too
    assert main(["--config", str(config), "run"]) == ExitCode.OK, capsys.readouterr().err
    out = capsys.readouterr().out
    for step in ("discover", "refdata", "plan", "measure", "fetch", "locate", "import",
                 "analyze", "model", "report", "prune"):  # fmt: skip
        assert f"  {step}: " in out, step
    store = load_settings(config, {}).store_path
    assert opened == Counter({store: 1})  # the run's steps all used the runner's store

    opened.clear()
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    assert "discover: skipped: inventory is recent" in capsys.readouterr().out
    assert opened == Counter({store: 1})
    with Store.open(store) as reopened:  # what the steps wrote in it is there, run recorded
        assert reopened.count_results() == 113
        last = reopened.last_run()
    assert last is not None and last.finished_at is not None

    opened.clear()
    out_dir = tmp_path / "export"
    assert main(["--config", str(config), "export", "--out", str(out_dir), "--raw"]) == ExitCode.OK
    assert "results.jsonl (113 rows)" in capsys.readouterr().out
    assert opened == Counter({store: 1})  # rounds, their analyses and raw results: one store

    opened.clear()
    assert main(["--config", str(config), "doctor"]) == ExitCode.OK, capsys.readouterr().out
    assert f"[  ok] store: {store} (schema " in capsys.readouterr().out
    assert opened == Counter({store: 1})

    opened.clear()  # a command on its own (no lock): its wiring opens the store once too
    assert main(["--config", str(config), "trend"]) == ExitCode.OK, capsys.readouterr().err
    assert opened == Counter({store: 1})


def test_doctor_and_a_prune_without_policy_never_create_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: Counter[Path]
) -> None:
    config = write_config(tmp_path / "config.toml", f'data_dir = "{tmp_path / "data"}"\n')
    main(["--config", str(config), "doctor"])
    assert "ixpready.sqlite not created yet" in capsys.readouterr().out
    assert main(["--config", str(config), "prune"]) == ExitCode.OK
    assert not opened and not (tmp_path / "data" / "ixpready.sqlite").exists()


def test_an_upload_keeps_its_ledger_in_one_open_store(
    recorded: Path, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    opened: Counter[Path],
) -> None:  # fmt: skip
    spool = tmp_path / "spool"
    spool.mkdir()
    lines = (recorded / GT).read_text().splitlines(keepends=True)
    (spool / "trace-1.jsonl").write_text("".join(lines[:13]))  # two files: two ledger entries
    (spool / "trace-2.jsonl").write_text("".join(lines[13:]))
    config = write_config(
        tmp_path / "config.toml",
        f'data_dir = "{tmp_path / "data"}"\n[store]\nurl = "{database}"\n'
        f'[upload]\nspool_dir = "{spool}"\n',
    )
    assert main(["--config", str(config), "upload"]) == ExitCode.OK, capsys.readouterr().err
    assert "2 files sent now, 0 before" in capsys.readouterr().out
    store = load_settings(config, {}).store_path
    assert opened == Counter({store: 1})
    opened.clear()
    assert main(["--config", str(config), "upload"]) == ExitCode.OK
    assert "0 files sent now, 2 before" in capsys.readouterr().out  # the ledger remembered
    assert opened == Counter({store: 1})


def test_standalone_commands_open_the_store_themselves_once(
    recorded: Path,
    atlas_replay: ReplayServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    opened: Counter[Path],
) -> None:
    online.record_discovery_and_refdata(recorded, atlas_replay)
    config = write_config(tmp_path / "config.toml", online.config_text(tmp_path, atlas_replay))
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", online.KEY)
    assert main(["--config", str(config), "discover"]) == ExitCode.OK, capsys.readouterr().err
    store = load_settings(config, {}).store_path
    assert opened == Counter({store: 1})  # no runner: the command's wiring opens it, once
    opened.clear()
    exported = tmp_path / "results.jsonl"
    assert main(["--config", str(config), "fetch", "--export", str(exported)]) == ExitCode.OK
    assert "0 results written to" in capsys.readouterr().out and exported.is_file()
    assert opened == Counter({store: 1})  # fetching and exporting in the same open store
    with Store.open(store) as reopened:
        assert reopened.latest_inventory("AT") is not None
        assert reopened.last_run() is None  # not a run
