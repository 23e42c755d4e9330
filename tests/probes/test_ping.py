"""Real pings with the probe across the namespace lab (tests/probes/conftest.py).

Targets one and four hops away answer (in well under a second: the lab is one machine); an
address no host holds does not, and is written as three `*`. Every result is read back with ripe.atlas.sagan and ixpready's own reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ixpready_probe.lab import Lab
from ripe.atlas.sagan import PingResult as SaganPing
from ripe.atlas.sagan import Result
from tests.probes.helpers import lines, run_probe

from ixpready.measurements.parse import read_results
from ixpready.measurements.records import PingResult

IDENTITY = ["--name", "gt-lab-ping", "--asn", "64500", "--country", "GT",
            "--latitude", "14.6349", "--longitude=-90.5069"]  # fmt: skip


def _ping(lab: Lab, tmp_path: Path, *args: str) -> tuple[Path, list[dict[str, Any]]]:
    out = tmp_path / "ping.jsonl"
    done = run_probe(["ping", *args, *IDENTITY, "--timeout", "0.5", "--out", str(out)],
                     prefix=lab.exec_prefix(), timeout_s=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "pinged" in done.stdout
    return out, lines(out)


def test_ping_near_and_far_targets_over_ipv4(lab: Lab, tmp_path: Path) -> None:
    near, far, silent = lab.r1[0], lab.deep[0], "10.91.0.99"  # .99: no host answers there
    path, results = _ping(lab, tmp_path, near, far, silent)
    by_target = {r["dst_addr"]: r for r in results}
    assert set(by_target) == {near, far, silent}
    assert by_target[near]["rcvd"] == 3 and by_target[far]["rcvd"] == 3
    for answered in (by_target[near], by_target[far]):
        rtts = [packet["rtt"] for packet in answered["result"]]
        assert all(0 < rtt < 500 for rtt in rtts)
        assert answered["min"] == min(rtts) and answered["max"] == max(rtts)
    assert by_target[silent]["rcvd"] == 0 and by_target[silent]["min"] == -1
    assert by_target[silent]["result"] == [{"x": "*"}] * 3
    assert all(r["type"] == "ping" and r["fw"] == 9001 and r["sent"] == 3 for r in results)
    assert len({r["prb_id"] for r in results}) == 1

    for line in path.read_text().splitlines():
        parsed = Result.get(line)
        assert isinstance(parsed, SaganPing) and not parsed.is_malformed
    pings = {str(p.destination): p for p in read_results(path) if isinstance(p, PingResult)}
    assert set(pings) == {near, far, silent}
    assert pings[far].min_rtt_ms == by_target[far]["min"]
    assert pings[silent].min_rtt_ms is None
    assert pings[near].vantage is not None and pings[near].vantage.country == "GT"
    assert pings[near].vantage.latitude == pytest.approx(14.6349)


def test_ping_over_ipv6(lab: Lab, tmp_path: Path) -> None:
    _path, results = _ping(lab, tmp_path, "-6", lab.r2[1])
    (result,) = results
    assert result["af"] == 6 and result["rcvd"] == 3 and result["min"] > 0


def test_an_unresolvable_name_is_a_result_with_an_error(lab: Lab, tmp_path: Path) -> None:
    path, results = _ping(lab, tmp_path, lab.r1[0], "no-such-name.invalid")
    failed = [r for r in results if r["dst_name"] == "no-such-name.invalid"]
    assert failed and failed[0]["sent"] == 0 and "error" in failed[0]["result"][0]
    assert sum(isinstance(p, PingResult) for p in read_results(path)) == 2


def test_without_a_route_it_exits_6(lab: Lab, tmp_path: Path) -> None:
    done = run_probe(["ping", "10.91.0.1", *IDENTITY, "--out", str(tmp_path / "x.jsonl")],
                     prefix=lab.exec_prefix("N"), timeout_s=60)  # fmt: skip
    assert done.returncode == 6, done.stderr
    assert "no route" in done.stderr
