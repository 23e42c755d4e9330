"""`ixpready run` reuses before spending (`reuse.enabled`) and reports DNS results.

Online against the replay server: recorded real data as in online.py. HAND-MADE (no such
answers were recorded): the listing of the public traceroute probe 924 takes part in, that
measurement's description, and its results, which are three recorded results of msm 5004 with
their measurement id, probe id and time rewritten (the v2 API's field names and forms kept).

Offline: the DNS results come from the real probe (`python -m ixpready_probe dns`) asking the
real authoritative DNS server of the tests (NSD, tests/authdns.py), each result's time moved into the scenario's second round.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.authdns import INSTANCE, Nsd

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode
from ixpready.measurements.store import Store
from ixpready.pipeline import atlas as jobs
from ixpready.pipeline.run import run
from jobs import online
from jobs.conftest import offline_config, write_config
from sources.replay import ReplayServer

NOW = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
PUBLIC = 53151215  # made up: someone's ongoing traceroute from probe 924 (AS8447)
TARGET = "84.115.223.112"  # probe 938's address (AS8412): the plan's first target
STARTED = int((NOW - timedelta(days=2)).timestamp())


def _public_measurement() -> dict[str, Any]:
    return {
        "af": 4, "id": PUBLIC, "type": "traceroute", "is_public": True, "is_oneoff": False,
        "description": f"Traceroute to {TARGET}", "target": TARGET, "target_ip": TARGET,
        "target_asn": 8412, "interval": 900, "credits_per_result": 30,
        "status": {"id": 2, "name": "Ongoing", "when": None},
        "start_time": STARTED, "stop_time": None, "participant_count": 1,
    }  # fmt: skip


def _public_results(recorded: Path) -> list[dict[str, Any]]:
    lines = (recorded / online.MSM5004).read_text().splitlines()[:3]
    results = [json.loads(line) for line in lines]
    for index, result in enumerate(results):
        moment = int((NOW - timedelta(hours=3 + index)).timestamp())
        result.update(msm_id=PUBLIC, prb_id=924, timestamp=moment, endtime=moment)
    return results


def _asns(recorded: Path) -> dict[int, int | None]:
    probes = json.loads((recorded / online.PROBES).read_text())["data"]["probes"]
    return {p["id"]: p["asn_v4"] for p in probes}


def test_an_online_run_reuses_a_public_measurement_before_spending(
    recorded: Path,
    atlas_replay: ReplayServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    online.record_discovery_and_refdata(recorded, atlas_replay, {924: [_public_measurement()]})
    online.record_measurements(recorded, atlas_replay)
    atlas_replay.add("GET", f"/api/v2/measurements/{PUBLIC}/", _public_measurement())
    public = _public_results(recorded)
    now = int(NOW.timestamp())
    first = [f"/api/v2/measurements/{PUBLIC}/results?start={begin}&stop={end}&probe_ids=924"
             for begin, end in online._windows(STARTED, now)]  # fmt: skip
    for path in first:
        atlas_replay.add("GET", path, public if path == first[-1] else [])
    again = f"/api/v2/measurements/{PUBLIC}/results?start={now - 3600}&stop={now}&probe_ids=924"
    atlas_replay.add("GET", again, [])
    config = write_config(tmp_path / "config.toml", online.config_text(tmp_path, atlas_replay))
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", online.KEY)
    settings = load_settings(config, os.environ)

    summary = run(settings, now=NOW)
    notes = {step.name: step.note for step in summary.steps}
    assert notes["discover"].endswith(", 1 public traceroutes to reuse (1 new)")
    assert notes["fetch"].endswith("; 3 new results of 1 reused public measurements (0 credits)")
    results = [p for p in atlas_replay.paths_seen if "/results?" in p]
    assert results[: len(first)] == first  # the reused measurement first
    asns = _asns(recorded)
    bodies = [json.loads(s.body) for s in atlas_replay.seen if s.method == "POST"]
    created = {
        body["definitions"][0]["target"]: [int(p) for p in body["probes"][0]["value"].split(",")]
        for body in bodies
    }
    # the plan still measures to probe 938's address, but from no probe of AS8447: the pair
    # (AS8447, AS8412) is the public measurement's (without reuse, probe 924 is asked)
    assert created[TARGET] and all(asns[p] != 8447 for p in created[TARGET])
    with Store.open(settings.store_path) as store:
        assert store.count_results(PUBLIC) == 3
        rows = store.measurements(jobs.PUBLIC_PREFIX + "AT")
        assert [(r.item, r.msm_id) for r in rows] == [(PUBLIC, PUBLIC)]  # recorded, not created
        counts = store.round_counts()
    assert counts == {summary.round_id: 113 + 3}  # its results are in the round of their time

    # the round is complete: the next run only takes the public measurement's new results
    seen = len(atlas_replay.seen)
    summary = run(settings, now=NOW)
    notes = {step.name: step.note for step in summary.steps}
    assert notes["discover"] == "skipped: inventory is recent" and "reuse" not in notes
    assert notes["fetch"] == "0 new results of 1 reused public measurements (0 credits)"
    assert "measure" not in notes
    assert [p for p in atlas_replay.paths_seen[seen:] if "/results?" in p] == [again]
    assert not any(s.method == "POST" for s in atlas_replay.seen[seen:])


def test_an_offline_run_reports_the_dns_results_of_its_files(
    scenario: ScenarioFiles,
    nsd: Nsd,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    probe_out = tmp_path / "probe-dns.jsonl"
    code = main(["probe", "dns", "--probe-command", f"{sys.executable} -m ixpready_probe",
                 "--check", "chaos", "--check", "resolve",
                 "--server", "127.0.0.1", "--port", str(nsd.port),
                 "--out", str(probe_out), "www.example.test"])  # fmt: skip
    assert code == ExitCode.OK, capsys.readouterr().err
    in_round = int(datetime(2026, 11, 1, 7, 0, tzinfo=UTC).timestamp())  # round 2026-11-01T06
    spool = tmp_path / "spool"
    spool.mkdir()
    written = probe_out.read_text().splitlines()
    assert len(written) == 4  # hostname.bind and id.server (CHAOS), A and AAAA of the name
    with (spool / "dns.jsonl").open("w", encoding="utf-8") as spooled:
        for number, line in enumerate(written):
            record = json.loads(line)
            record["timestamp"] = in_round + number
            spooled.write(json.dumps(record) + "\n")
    config = offline_config(tmp_path, scenario)
    text = config.read_text().replace("report = false", "report = true")
    text = text.replace("results = [", f'results = ["{spool}", ', 1)
    config.write_text(text)
    capsys.readouterr()
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL  # the damaged line
    out = capsys.readouterr().out
    assert "import: 183 new results from 3 files, 1 quarantined" in out
    assert "report: " in out and ", 4 DNS results" in out
    settings = load_settings(config, {})
    report = settings.rounds_dir / "2026-11-01T06" / "report"
    html = (report / "report.en.html").read_text("utf-8")
    assert '<section id="dns">' in html and INSTANCE in html  # the instance that answered
    assert '<section id="content">' in html and "www.example.test" in html
    assert "192.0.2.10" in html
    assert (report / "content.csv").is_file()


def test_reuse_can_be_turned_off_and_is_looked_for_once_when_turned_on(
    recorded: Path,
    atlas_replay: ReplayServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    online.record_discovery_and_refdata(recorded, atlas_replay)
    online.record_measurements(recorded, atlas_replay)
    text = online.config_text(tmp_path, atlas_replay)
    config = write_config(tmp_path / "config.toml", text + "[reuse]\nenabled = false\n")
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", online.KEY)
    assert main(["--config", str(config), "run"]) == ExitCode.OK, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "discover: 584 probes, 681 networks\n" in out and "to reuse" not in out
    listings = [p for p in atlas_replay.paths_seen if p.startswith("/api/v2/measurements/?")]
    assert listings == []

    config.write_text(text)  # the default: enabled; the inventory is recent, so looked for now
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "discover: skipped: inventory is recent\n  reuse: 0 public traceroutes to reuse" in out
    listings = [p for p in atlas_replay.paths_seen if p.startswith("/api/v2/measurements/?")]
    assert online.listing_path(current_probes=924) in listings
    seen = len(atlas_replay.seen)
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    assert "  reuse:" not in capsys.readouterr().out  # once: then with each discover
    assert len(atlas_replay.seen) == seen
