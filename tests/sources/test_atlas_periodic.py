"""Periodic plans from the command line: credits until the stop time, creation with `interval`
and `stop_time` through the real cousteau, no second creation on resume, incremental fetch.

Real recorded data: Austria's RIPEstat probe list (2025-06-11) and the 87 results of RIPE Atlas
measurement 1033154 (2013-10-15..17), which the replay hands out as the new measurement's id.
Hand-made (no such answer was recorded): the API's description of that measurement as a
periodic one (`is_oneoff` false, `interval` 900, status Ongoing), in the v2 field names.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.errors import ExitCode
from ixpready.pipeline import commands as jobs
from sources.replay import ReplayServer

PROBES = "atlas-probes/ripestat-atlas-probes-at-2025-06-11.json"
RESULTS = "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json"
MSM = 1033154
START, LAST = 1381825000, 1382002400  # the measurement's start; the last result's second


def _probe_file(recorded: Path, tmp_path: Path) -> Path:
    probes = json.loads((recorded / PROBES).read_text())["data"]["probes"]
    path = tmp_path / "probes.json"
    path.write_text(json.dumps({"results": probes}))
    return path


def _periodic_info(stop: int) -> dict[str, Any]:
    return {
        "id": MSM,
        "type": "traceroute",
        "af": 4,
        "is_oneoff": False,
        "interval": 900,
        "status": {"id": 2, "name": "Ongoing", "when": None},
        "credits_per_result": 30,
        "participant_count": 3,
        "start_time": START,
        "stop_time": stop,
    }


def test_a_periodic_plan_is_created_once_with_its_stop_time_and_fetched_by_window(
    recorded: Path,
    atlas_replay: ReplayServer,
    configured: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    until = (datetime.now(tz=UTC) + timedelta(days=3)).date()
    stop = datetime.combine(until, datetime.min.time(), tzinfo=UTC)
    plan_file = tmp_path / "plan.json"
    args = ["--config", str(configured), "plan", "--probes", str(_probe_file(recorded, tmp_path))]
    code = main([*args, "--budget", "20000", "--periodic", "6h", "--until", str(until),
                 "-o", str(plan_file)])  # fmt: skip
    assert code == ExitCode.OK, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"periodic: every 21600 s until {until} 00:00 UTC" in out
    document = json.loads(plan_file.read_text())
    measurement = document["measurement"]
    assert (measurement["is_oneoff"], measurement["interval_s"]) == (False, 21600)
    assert measurement["stop"] == f"{until}T00:00:00Z"
    assert measurement["credits_per_result"] == 30
    created = datetime.strptime(document["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    per_probe = -(-int((stop - created).total_seconds()) // 21600)  # results until the stop
    slots = sum(len(m["probes"]) for m in document["measurements"])
    assert document["estimate"]["credits"] == slots * per_probe * 30 <= 20_000
    assert document["estimate"]["results_per_day"] == slots * 4

    # the user keeps one measurement of three probes
    document["measurements"] = [dict(document["measurements"][0], probes=[6325, 6334, 6360])]
    plan_file.write_text(json.dumps(document))
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [MSM]}, status=201)
    atlas_replay.add("GET", f"/api/v2/measurements/{MSM}/", _periodic_info(int(stop.timestamp())))
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert f"created 1 measurements now ({MSM}), 0 before" in out
    assert f"periodic: every 21600 s, stopping at {until}T00:00:00Z" in out
    assert "charges 30 credits per result (as estimated: 30)" in out
    sent = json.loads(next(s.body for s in atlas_replay.seen if s.method == "POST"))
    assert sent["is_oneoff"] is False
    assert sent["stop_time"] == int(stop.timestamp())
    assert "start_time" not in sent  # as soon as possible
    assert sent["definitions"][0]["interval"] == 21600
    assert sent["definitions"][0]["type"] == "traceroute"
    assert sent["probes"] == [{"type": "probes", "value": "6325,6334,6360", "requested": 3}]

    # resume: nothing is created twice
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.OK
    assert "created 0 measurements now (none), 1 before" in capsys.readouterr().out
    assert sum(s.method == "POST" for s in atlas_replay.seen) == 1

    # fetch while it runs: [start, now] by day windows; later only from the mark less an hour
    results = json.loads((recorded / RESULTS).read_text())
    settings = load_settings(configured, os.environ)
    first_now, second_now = START + 85_000, LAST
    expected = [
        (START, first_now),  # first fetch: one window (shorter than a day)
        (first_now - 3600, first_now - 3600 + 86_400),  # second: the mark less an hour, by day
        (first_now - 3600 + 86_401, second_now),
    ]
    for begin, end in expected:
        inside = [r for r in results if begin <= r["timestamp"] <= end]
        atlas_replay.add(
            "GET", f"/api/v2/measurements/{MSM}/results?start={begin}&stop={end}", inside
        )
    one, _ = jobs.fetch(settings, now=datetime.fromtimestamp(first_now, tz=UTC))
    early = sum(START <= r["timestamp"] <= first_now for r in results)
    assert one.new == ((MSM, early),) and 0 < early < len(results)
    two, _ = jobs.fetch(settings, now=datetime.fromtimestamp(second_now, tz=UTC))
    assert two.new == ((MSM, len(results) - early),)  # the hour fetched again adds nothing
    assert two.stored == len(results) == 87
    asked = [p for p in atlas_replay.paths_seen if "/results?" in p]
    assert asked == [f"/api/v2/measurements/{MSM}/results?start={b}&stop={e}" for b, e in expected]


def test_a_periodic_plan_without_a_stop_time_is_refused_from_the_command_line(
    recorded: Path, configured: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config", str(configured), "plan", "--probes", str(_probe_file(recorded, tmp_path))]
    assert main([*args, "--periodic", "1h"]) == ExitCode.USAGE
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "ixpready: error: the settings (plan.is_oneoff): a periodic plan needs a stop time: "
        "without one it spends credits for ever"
    )
    assert err[1].startswith("ixpready: hint: give both: ixpready plan --periodic 1h --until")
    assert main([*args, "--until", "2027-01-31"]) == ExitCode.USAGE
    assert "--until is the stop time of a periodic plan" in capsys.readouterr().err
    assert main([*args, "--periodic", "30s", "--until", "2027-01-31"]) == ExitCode.CONFIG
    assert "key 'plan.interval_s' is '30s', expected seconds (at least 60)" in (
        capsys.readouterr().err
    )
    assert not list(tmp_path.glob("plan-*.json"))


def test_a_periodic_plan_whose_stop_time_passed_is_not_created(
    recorded: Path,
    atlas_replay: ReplayServer,
    configured: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan_file = tmp_path / "plan.json"
    until = (datetime.now(tz=UTC) + timedelta(days=2)).date()
    args = ["--config", str(configured), "plan", "--probes", str(_probe_file(recorded, tmp_path))]
    assert main([*args, "--budget", "5000", "--periodic", "1d", "--until", str(until),
                 "-o", str(plan_file)]) == ExitCode.OK  # fmt: skip
    document = json.loads(plan_file.read_text())
    document["created"] = "2020-01-01T00:00:00Z"
    document["measurement"]["stop"] = "2020-02-01T00:00:00Z"  # edited into the past
    plan_file.write_text(json.dumps(document))
    capsys.readouterr()
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.USAGE
    assert "the stop time 2020-02-01T00:00:00Z is not at least one interval" in (
        capsys.readouterr().err
    )
    assert atlas_replay.seen == []
