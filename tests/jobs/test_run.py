"""`ixpready run`: the whole job, online against the replay server and offline on files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode, LockedError
from ixpready.measurements.store import RunOutcome, Store
from ixpready.pipeline.analyze import analyze_files
from ixpready.pipeline.runner import job_lock, lock_holder
from jobs import online
from jobs.conftest import offline_config, write_config
from sources.replay import ReplayServer


def test_offline_run_files_results_by_round_and_a_rerun_adds_nothing(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(tmp_path, scenario)
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL  # one damaged line
    out = capsys.readouterr().out
    assert "offline (no RIPE Atlas key" in out
    assert "import: 179 new results from 2 files, 1 quarantined" in out
    assert "analyze: 2 rounds, 2 analysed now" in out
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        # the scenario's two rounds start at 00:00 and 06:00 UTC on 2026-11-01
        assert store.round_counts() == {"2026-11-01T00": 99, "2026-11-01T06": 80}
        assert [m.where for m in store.quarantined()] == ["probe-mesh.jsonl:4"]  # MALFORMED_LINE
        last = store.last_run()
    assert last is not None and last.outcome is RunOutcome.PARTIAL
    assert last.exit_code == ExitCode.PARTIAL and last.finished_at is not None
    # per-round verdicts add up to the analysis of all files at once
    whole = analyze_files(
        list(scenario.results),
        country="GT",
        refdata=scenario.refdata,
        probes=scenario.probes,
        rdns=scenario.rdns,
    ).result
    per_round = [
        json.loads((settings.rounds_dir / r / "analysis.json").read_text())
        for r in ("2026-11-01T00", "2026-11-01T06")
    ]
    assert sum(a["summary"]["domestic_paths"] for a in per_round) == len(whole.paths) > 100
    assert sum(len(a["paths"]) + len(a["other_paths"]) for a in per_round) == 179

    before = {p: p.stat().st_mtime_ns for p in settings.rounds_dir.rglob("analysis.json")}
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "import: 0 new results from 2 files, 0 quarantined" in out
    assert "analyze: 2 rounds, 0 analysed now" in out  # kept: nothing changed
    assert {p: p.stat().st_mtime_ns for p in before} == before
    with Store.open(settings.store_path) as store:
        assert store.count_results() == 179 and len(store.quarantined()) == 1


def test_a_lost_analysis_is_rebuilt(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(tmp_path, scenario)
    main(["--config", str(config), "run"])
    settings = load_settings(config, {})
    first = settings.rounds_dir / "2026-11-01T00" / "analysis.json"
    kept = json.loads(first.read_text())["paths"]
    first.write_text('{"format": "ixpready-analysis/1", "paths": [')  # cut short
    capsys.readouterr()
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    assert "analyze: 2 rounds, 1 analysed now" in capsys.readouterr().out
    assert json.loads(first.read_text())["paths"] == kept


def test_online_run_measures_once_and_reruns_add_nothing(
    recorded: Path,
    atlas_replay: ReplayServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    online.record_discovery_and_refdata(recorded, atlas_replay)
    results = online.record_measurements(recorded, atlas_replay)
    config = write_config(tmp_path / "config.toml", online.config_text(tmp_path, atlas_replay))
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", online.KEY)
    assert main(["--config", str(config), "run"]) == ExitCode.OK, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "discover: 584 probes, 681 networks" in out
    assert "refdata: snapshot of" in out and "downloaded" in out
    assert ": 5 created, 0 before" in out
    posts = [
        json.loads(s.body)["definitions"][0]["description"]
        for s in atlas_replay.seen
        if s.method == "POST"
    ]
    assert len(posts) == len(set(posts)) == online.ITEMS
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        ids = sorted(r.msm_id for r in store.measurements() if r.msm_id is not None)
        assert ids == sorted(online.IDS)
        stored = {r.key: r.raw for r in store.results()}
        (only_round,) = store.rounds()
        assert only_round.completed_at is not None
        assert store.round_counts() == {only_round.round_id: 113}
    assert len(stored) == sum(len(v) for v in results.values()) == 113
    assert (settings.rounds_dir / only_round.round_id / "report" / "report.en.pdf").is_file()
    assert (settings.rounds_dir / only_round.round_id / "model.json").is_file()

    seen = len(atlas_replay.seen)
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "discover: skipped: inventory is recent" in out
    assert "refdata: skipped: snapshot is 0 days old" in out
    assert (
        "  measure:" not in out and "  fetch:" not in out
    )  # the round is complete: nothing asked of RIPE Atlas
    assert len(atlas_replay.seen) == seen
    for path in (tmp_path / "data").rglob("*"):  # the key is nowhere on disk
        if path.is_file():
            assert online.KEY.encode() not in path.read_bytes(), path


HOLDER = """
import fcntl, os, sys, time
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(descriptor, fcntl.LOCK_EX)
os.pwrite(descriptor, f"{os.getpid()}\\n".encode(), 0)
print("held", flush=True)
sys.stdin.readline()  # until the test says so
open(sys.argv[2], "w").close()  # the marker, written before the lock is let go
os.close(descriptor)
"""


def test_a_job_that_may_wait_takes_the_lock_once_the_run_holding_it_ends(tmp_path: Path) -> None:
    # `upload` (upload.lock_wait_s) waits for a run holding the lock instead of failing: a
    # real second process holds the flock until told to let go.
    lock, marker = tmp_path / "run.lock", tmp_path / "released"
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock), str(marker)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as holder:  # fmt: skip
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            with pytest.raises(LockedError, match=r"holds the lock \(pid \d+\)$"), job_lock(lock):
                pass  # no wait: refused at once
            with pytest.raises(LockedError, match=r"\(waited 1.5 s\)$"), job_lock(lock, 1.5):
                pass  # waited, still held
            assert holder.stdin is not None
            holder.stdin.write("go\n")
            holder.stdin.flush()
            with job_lock(lock, wait_s=120):  # waits for the holder to end, then holds it
                assert marker.exists()
                assert lock_holder(lock) == os.getpid()
        finally:
            holder.kill()
    assert lock_holder(lock) is None


def test_a_second_run_refuses_while_the_first_holds_the_lock(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(tmp_path, scenario)
    settings = load_settings(config, {})
    with job_lock(settings.lock_path):
        assert lock_holder(settings.lock_path) is not None
        out = str(tmp_path / "export")  # the runner's other jobs wait their turn too
        assert main(["--config", str(config), "export", "--out", out]) == ExitCode.USAGE
        assert "another ixpready run holds the lock" in capsys.readouterr().err
        assert main(["--config", str(config), "doctor"]) != ExitCode.USAGE  # it only reads
        capsys.readouterr()
        assert main(["--config", str(config), "run"]) == ExitCode.USAGE
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(
        f"ixpready: error: {settings.lock_path}: another ixpready run holds the lock (pid "
    )
    assert err[1].startswith("ixpready: hint: wait for it to finish")
    assert lock_holder(settings.lock_path) is None
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL  # free again


def test_a_stuck_api_cannot_hold_the_run_past_its_budget(
    recorded: Path,
    atlas_replay: ReplayServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    atlas_replay.add("GET", online.RESOURCES_PATH, {"data": {}}, behaviour="hang")
    config = write_config(
        tmp_path / "config.toml",
        online.config_text(tmp_path, atlas_replay, "time_budget_s = 2\n").replace(
            "timeout_s = 5", "timeout_s = 30"
        ),
    )
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", online.KEY)
    began = time.monotonic()
    assert main(["--config", str(config), "run"]) == ExitCode.UNAVAILABLE
    assert time.monotonic() - began < 10
    err = capsys.readouterr().err
    assert err.startswith("ixpready: error: ") and "country-resource-list" in err  # the stuck one
    db = sqlite3.connect(tmp_path / "data" / "ixpready.sqlite")
    outcome = db.execute("SELECT outcome, exit_code FROM runs").fetchall()
    db.close()
    assert outcome == [("failed", ExitCode.UNAVAILABLE)]


def test_run_results_take_files_folders_and_patterns(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results_dir = scenario.results[0].parent
    config = offline_config(tmp_path, scenario)
    text = config.read_text()
    start = text.index("results = [")
    end = text.index("]", start) + 1
    config.write_text(text[:start] + f'results = ["{results_dir}"]' + text[end:])
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    assert "import: 179 new results from 2 files, 1 quarantined" in capsys.readouterr().out
    config.write_text(text[:start] + f'results = ["{results_dir}/*-mesh.json*"]' + text[end:])
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    assert "import: 0 new results from 2 files, 0 quarantined" in capsys.readouterr().out
    config.write_text(text[:start] + f'results = ["{results_dir}/gone.jsonl"]' + text[end:])
    assert main(["--config", str(config), "run"]) == ExitCode.CONFIG
    assert f"{results_dir}/gone.jsonl: no such results file (run.results)" in (
        capsys.readouterr().err
    )
