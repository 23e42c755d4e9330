"""A fetch killed with SIGKILL halfway, run again, ends with every result exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ixpready.cli import main
from ixpready.errors import ExitCode
from sources.replay import ReplayServer

RESULTS = "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json"
MSM = 1033154
START, STOP = 1381825000, 1382002400
DAY = 86400


def _windows(start: int, stop: int) -> list[tuple[int, int]]:
    windows, begin = [], start
    while begin <= stop:
        end = min(begin + DAY, stop)
        windows.append((begin, end))
        if end >= stop:
            break
        begin = end + 1
    return windows


def _serve(
    replay: ReplayServer,
    results: list[dict[str, Any]],
    begin: int,
    end: int,
    behaviour: str = "normal",
) -> int:
    inside = [r for r in results if begin <= r["timestamp"] <= end]
    replay.add(
        "GET",
        f"/api/v2/measurements/{MSM}/results?start={begin}&stop={end}",
        inside,
        behaviour=behaviour,
    )
    return len(inside)


def _stored(store: Path) -> int:
    if not store.exists():
        return 0
    db = sqlite3.connect(store, timeout=5)
    try:
        return int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
    except sqlite3.OperationalError:  # tables not made yet
        return 0
    finally:
        db.close()


def test_a_killed_fetch_resumes_without_loss_or_duplicates(
    recorded: Path, atlas_replay: ReplayServer, tmp_path: Path
) -> None:
    results = json.loads((recorded / RESULTS).read_text())
    config = tmp_path / "config.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\n'
        f'[atlas]\nserver = "{atlas_replay.host_port}"\nca_file = "{atlas_replay.ca_file}"\n'
        "timeout_s = 30\nretries = 1\n"
    )
    config.chmod(0o600)
    atlas_replay.add(
        "GET",
        f"/api/v2/measurements/{MSM}/",
        {
            "id": MSM,
            "status": {"name": "Stopped"},
            "credits_per_result": 60,
            "start_time": START,
            "stop_time": STOP,
        },
    )
    first, second, third = _windows(START, STOP)
    in_first = _serve(atlas_replay, results, *first)
    _serve(atlas_replay, results, *second, behaviour="hang")
    assert 0 < in_first < len(results)

    store = tmp_path / "data" / "ixpready.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-m", "ixpready", "--config", str(config), "fetch", "--msm", str(MSM)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
             "IXPREADY_RDNS_SERVERS": "127.0.0.1:9"},  # reverse DNS: loopback only
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while _stored(store) < in_first and time.monotonic() < deadline:
        time.sleep(0.05)
    while (
        not any(
            s.path.startswith(f"/api/v2/measurements/{MSM}/results?start={second[0]}")
            for s in atlas_replay.seen
        )
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert _stored(store) == in_first  # the first window, whole; nothing of the second

    # the rerun starts an hour before the mark, for late results
    for begin, end in _windows(first[1] - 3600, STOP):
        _serve(atlas_replay, results, begin, end)
    assert main(["--config", str(config), "fetch", "--msm", str(MSM)]) == ExitCode.OK
    db = sqlite3.connect(store)
    keys = db.execute("SELECT msm_id, prb_id, timestamp, raw FROM results").fetchall()
    db.close()
    assert len(keys) == len(results) == 87
    assert {json.dumps(json.loads(k[3]), sort_keys=True) for k in keys} == {
        json.dumps(r, sort_keys=True) for r in results
    }
    assert third[1] == STOP
