"""`ixpready run` killed with SIGKILL at random points, then run again: nothing twice.

A real `python -m ixpready run` against the replay server, killed (seeded random delays)
after it announces measure, fetch, analyze and report; then runs to the end, then once more.
Every plan item is asked of RIPE Atlas at most once, every measurement id and every result
is stored exactly once, and the outputs are rebuilt whole.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ixpready.analysis.export import load_analysis
from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode
from ixpready.measurements.store import MeasurementState, RunOutcome, Store
from ixpready.model.export import load_model
from ixpready.pipeline.runner import lock_holder
from jobs import online
from jobs.conftest import offline_config, write_config
from sources.replay import ReplayServer

SRC = Path(__file__).resolve().parents[2] / "src"


class Child:
    """A `python -m ixpready -v run` subprocess whose stderr lines are collected."""

    def __init__(self, config: Path, key: str | None = online.KEY) -> None:
        self.lines: list[str] = []
        environment = {**os.environ, "PYTHONPATH": str(SRC)}
        # reverse DNS is asked of loopback only, where nothing answers
        environment["IXPREADY_RDNS_SERVERS"] = "127.0.0.1:9"
        environment["IXPREADY_RDNS_TIMEOUT_S"] = "0.2"
        if key is not None:
            environment["IXPREADY_ATLAS_KEY"] = key
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ixpready", "-v", "--config", str(config), "run"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, marker: str, timeout_s: float = 120) -> bool:
        """Returns True once stderr shows `marker`, False if the child ended first."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(marker in line for line in self.lines):
                return True
            if self.process.poll() is not None:
                self.reader.join(timeout=5)
                return any(marker in line for line in self.lines)
            time.sleep(0.01)
        raise AssertionError(f"no {marker!r} within {timeout_s} s: {self.lines[-5:]}")

    def finish(self, timeout_s: float = 300) -> int:
        """Returns the exit code once the child has ended (a signal: minus its number)."""
        code = self.process.wait(timeout=timeout_s)
        self.reader.join(timeout=5)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code

    def kill(self) -> int:
        self.process.send_signal(signal.SIGKILL)
        return self.finish(30)


def test_runs_killed_at_random_points_resume_without_loss_or_duplicates(
    recorded: Path, atlas_replay: ReplayServer, tmp_path: Path
) -> None:
    online.record_discovery_and_refdata(recorded, atlas_replay)
    results = online.record_measurements(recorded, atlas_replay)
    config = write_config(tmp_path / "config.toml", online.config_text(tmp_path, atlas_replay))
    rng = random.Random(20261128)
    # (stage announced, most seconds to wait after it before the kill)
    kills = [
        ("run: measure", 0.05),
        ("run: measure", 0.3),
        ("run: fetch", 0.1),
        ("run: fetch", 0.5),
        ("run: analyze", 1.0),
        ("run: report", 3.0),
    ]
    killed = 0
    for stage, most in kills:
        child = Child(config)
        if child.wait_for(stage) and child.process.poll() is None:
            time.sleep(rng.uniform(0, most))
            if child.kill() == -signal.SIGKILL:
                killed += 1
        else:
            child.finish()
    assert killed >= 4  # most kills landed while the run was still going

    settings = load_settings(config, {})
    assert lock_holder(settings.lock_path) is None  # the kernel freed every killed lock
    final = Child(config)
    assert final.finish() in (0, 7), final.lines[-5:]

    posts = [
        json.loads(s.body)["definitions"][0]["description"]
        for s in atlas_replay.seen
        if s.method == "POST"
    ]
    assert len(posts) == len(set(posts))  # no plan item was asked for twice
    with Store.open(settings.store_path) as store:
        rows = store.measurements()
        ids = [r.msm_id for r in rows if r.msm_id is not None]
        unknown = [r for r in rows if r.state is MeasurementState.SUBMITTING]
        stored = list(store.results())
        (only_round,) = store.rounds()
        assert store.round_counts() == {only_round.round_id: len(stored)}
        last = store.last_run()
    assert len(ids) == len(set(ids))  # every measurement id once
    # a kill between marking an item "asking" and storing its answer leaves it unknown: it is
    # never asked again (it may exist); every id stored came from a POST the server saw
    assert len(ids) <= len(posts) <= len(ids) + len(unknown) <= online.ITEMS
    assert set(ids) <= set(list(online.IDS)[: len(posts)])
    assert last is not None and last.outcome is (RunOutcome.PARTIAL if unknown else RunOutcome.OK)
    expected = {(r["msm_id"], r["prb_id"], r["timestamp"]): r for msm in ids for r in results[msm]}
    assert len(stored) == len({r.key for r in stored}) == len(expected)  # every result once
    assert {
        (r.key.msm_id, r.key.prb_id, r.key.timestamp): json.loads(r.raw) for r in stored
    } == expected

    folder = settings.rounds_dir / only_round.round_id
    analysis = load_analysis(folder / "analysis.json")
    assert len(analysis.paths) + len(analysis.other_paths) == len(stored)
    assert load_model(folder / "model.json").country == "AT"
    for name in ("report.en.pdf", "report.es.pdf"):
        assert (folder / "report" / name).read_bytes().startswith(b"%PDF-")
    for name in ("report.en.html", "report.es.html"):
        assert (folder / "report" / name).read_text().rstrip().endswith("</html>")
    assert not list(settings.data_dir.rglob("*.tmp"))  # no half-written file left behind

    # once more: nothing new is asked, stored or created
    seen, count = len(atlas_replay.seen), len(stored)
    again = Child(config)
    assert again.finish() in (0, 7)
    assert not any(s.method == "POST" for s in atlas_replay.seen[seen:])
    with Store.open(settings.store_path) as store:
        assert store.count_results() == count


def test_two_concurrent_runs_one_refuses(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(tmp_path, scenario)
    config.write_text(config.read_text().replace("report = false", "report = true"))
    first = Child(config, key=None)  # offline
    assert first.wait_for("run: analyze")  # holding the lock, busy for seconds (report)
    second = main(["--config", str(config), "run"])
    err = capsys.readouterr().err
    code = first.finish()
    assert second == ExitCode.USAGE
    assert f"another ixpready run holds the lock (pid {first.process.pid})" in err
    assert code == ExitCode.PARTIAL  # the first went on undisturbed (one damaged line)
    with Store.open(load_settings(config, {}).store_path) as store:
        last = store.last_run()
        assert store.count_results() == 179
    assert last is not None and last.pid == first.process.pid  # the refused run left no trace
