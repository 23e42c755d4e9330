"""Pings as location evidence (RIPE IPmap's single-radius method), hand-checked.

A path from Guatemala City to another Guatemalan network through an unnamed transit router
(no reverse DNS, registered in the US: registry-only, so unlocated) is inconclusive. Once a
probe in Miami gets a 0.8 ms ping reply from that router (within 85 km: Miami, and no other
country is that near), the path is tromboned through Miami. A slow ping only bounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ixpready.analysis.core import analyze_traces, gather_outcomes
from ixpready.analysis.verdicts import AnalysisResult, PathVerdict, Verdict
from ixpready.measurements.parse import parse_lines, trace_from_atlas
from ixpready.refdata.snapshots import load_snapshot

from .world import PROBES, atlas, write_refdata

TRANSIT = "4.68.0.77"  # Lumen (AS3356, registered in the US), no reverse-DNS name
RDNS = {"186.151.0.1": "xe-0-0-1.gua1.claro.net.gt", "190.56.0.1": "be10.gua-bb1.tigo.com.gt"}
DETOUR = [
    ("192.168.1.1", 0.4),
    ("186.151.0.1", 2.0),
    (TRANSIT, 24.0),
    ("190.56.0.1", 47.0),
    ("190.56.20.20", 48.0),
]


def ping(prb: int, dst: str, rtts: list[float], *, msm: int = 7001) -> dict[str, Any]:
    """Returns a RIPE Atlas ping result (firmware 5080 layout) of probe `prb` to `dst`."""
    source = PROBES[prb].address_v4
    return {
        "type": "ping", "msm_id": msm, "prb_id": prb, "timestamp": 1_790_000_100, "af": 4,
        "dst_addr": dst, "dst_name": dst, "from": str(source), "src_addr": str(source),
        "proto": "ICMP", "fw": 5080, "size": 48, "ttl": 60, "step": None, "lts": 12,
        "sent": 3, "rcvd": len(rtts), "dup": 0,
        "min": min(rtts) if rtts else -1, "max": max(rtts) if rtts else -1,
        "avg": sum(rtts) / len(rtts) if rtts else -1,
        "result": [{"rtt": r} for r in rtts] + [{"x": "*"}] * (3 - len(rtts)),
    }  # fmt: skip


def analyse(tmp: Path, results: list[dict[str, Any]]) -> AnalysisResult:
    import json
    from ipaddress import ip_address

    read = gather_outcomes(parse_lines([json.dumps(r) for r in results], "test"))
    snapshot = load_snapshot(write_refdata(tmp / "refdata"))
    names = {ip_address(a): n for a, n in RDNS.items()}
    return analyze_traces(
        read.traces, home="GT", snapshot=snapshot, probes=dict(PROBES), rdns=names,
        pings=read.pings, counts=read.counts,
    )  # fmt: skip


def the_path(result: AnalysisResult) -> PathVerdict:
    assert len(result.paths) == 1
    return result.paths[0]


def test_without_pings_the_unnamed_transit_router_keeps_the_path_inconclusive(
    tmp_path: Path,
) -> None:
    path = the_path(analyse(tmp_path, [atlas(1001, "190.56.20.20", DETOUR)]))
    assert path.verdict is Verdict.INCONCLUSIVE, path.reason
    assert TRANSIT in path.reason


def test_a_fast_ping_from_a_probe_in_miami_makes_it_tromboned(tmp_path: Path) -> None:
    result = analyse(
        tmp_path, [atlas(1001, "190.56.20.20", DETOUR), ping(1003, TRANSIT, [0.8, 0.9, 1.3])]
    )
    path = the_path(result)
    assert path.verdict is Verdict.TROMBONED, path.reason
    assert path.foreign_countries == ("US",)
    assert path.foreign_cities == ("Miami, US",) or path.foreign_cities[0].startswith("Miami")
    assert path.carried_by == (3356,)
    facts = [e.fact for e in path.evidence if e.address == TRANSIT]
    # 0.8 ms -> 80 km of fibre, plus the 5 km RIPE Atlas blurs probe coordinates by
    assert any("ping from probe 1003 in Miami" in f and "0.8 ms, within 85 km" in f for f in facts)
    assert result.summary.results_read == 2 and result.summary.skipped == 1  # the ping is read


def test_a_slow_ping_only_bounds(tmp_path: Path) -> None:
    # 15 ms from Miami: within 1,505 km, a disc over several countries; it places nothing,
    # and the path stays inconclusive.
    result = analyse(
        tmp_path, [atlas(1001, "190.56.20.20", DETOUR), ping(1003, TRANSIT, [15.0, 15.2, 16.0])]
    )
    path = the_path(result)
    assert path.verdict is Verdict.INCONCLUSIVE, path.reason
    assert not any("ping from probe" in e.fact for e in path.evidence)


def test_a_ping_that_got_no_reply_says_nothing(tmp_path: Path) -> None:
    result = analyse(tmp_path, [atlas(1001, "190.56.20.20", DETOUR), ping(1003, TRANSIT, [])])
    assert the_path(result).verdict is Verdict.INCONCLUSIVE


def test_a_fast_ping_from_home_places_the_router_at_home(tmp_path: Path) -> None:
    # The same router answering a Guatemala City probe's ping in 0.6 ms is in Guatemala: it
    # cannot be abroad, and its slow traceroute reply was never distance.
    result = analyse(
        tmp_path, [atlas(1001, "190.56.20.20", DETOUR), ping(1002, TRANSIT, [0.6, 0.7, 0.7])]
    )
    path = the_path(result)
    assert path.verdict is not Verdict.TROMBONED, path.reason
    assert path.foreign_countries == ()


def test_two_probes_that_cannot_both_be_right_place_nothing(tmp_path: Path) -> None:
    # A "Miami" probe answering 0.8 ms and a Guatemala City probe 0.6 ms: one of them is not
    # where declared. Neither placement may stand, so the path is not called tromboned.
    result = analyse(
        tmp_path,
        [
            atlas(1001, "190.56.20.20", DETOUR),
            ping(1003, TRANSIT, [0.8]),
            ping(1002, TRANSIT, [0.6], msm=7002),
        ],
    )
    assert the_path(result).verdict is not Verdict.TROMBONED


def test_the_ping_reader_keeps_each_result_once(tmp_path: Path) -> None:
    import json

    lines = [json.dumps(ping(1003, TRANSIT, [0.8]))] * 2
    read = gather_outcomes(parse_lines(lines, "twice"))
    assert len(read.pings) == 1 and read.other_results == 2
    assert trace_from_atlas(atlas(1001, "190.56.20.20", DETOUR)).key.prb_id == 1001
