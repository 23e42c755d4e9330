"""Probes checked by their own RTTs: against located hints, and against each other."""

from __future__ import annotations

from pathlib import Path

from ixpready.analysis.verdicts import Verdict

from .world import atlas, run


def test_a_probe_whose_discs_cannot_meet_two_others_is_contradicted(tmp_path: Path) -> None:
    # No reverse DNS at all: 1005 (declared in Guatemala City) got 4.68.0.5 in 0.9 ms, while
    # probes in Miami (1003) and Fort Lauderdale (1008) got it in 0.8 and 0.6 ms. The three
    # discs cannot share a point, and only 1005 disagrees with two others.
    results = [
        atlas(1005, "186.151.10.10", [("4.68.0.5", 0.9), ("186.151.10.10", 40.0)], ts=1),
        atlas(1003, "8.8.8.8", [("4.68.0.5", 0.8), ("8.8.8.8", 2.0)], ts=2),
        atlas(1008, "8.8.8.8", [("4.68.0.5", 0.6), ("8.8.8.8", 2.0)], ts=3),
    ]
    result = run(tmp_path, results)
    checks = {p.prb_id: p for p in result.probes}
    assert checks[1005].status == "contradicted"
    assert "probe 1003" in checks[1005].detail and "probe 1008" in checks[1005].detail
    assert checks[1003].status != "contradicted" and checks[1008].status != "contradicted"
    (path,) = result.paths
    assert path.verdict is Verdict.INCONCLUSIVE and "not where declared" in path.reason


def test_one_disagreement_alone_condemns_nobody(tmp_path: Path) -> None:
    results = [
        atlas(1005, "186.151.10.10", [("4.68.0.5", 0.9), ("186.151.10.10", 40.0)], ts=1),
        atlas(1003, "8.8.8.8", [("4.68.0.5", 0.8), ("8.8.8.8", 2.0)], ts=2),
    ]
    checks = {p.prb_id: p for p in run(tmp_path, results).probes}
    assert checks[1005].status != "contradicted" and checks[1003].status != "contradicted"


def test_probes_that_agree_are_not_flagged(tmp_path: Path) -> None:
    results = [
        atlas(1001, "190.56.20.20", [("186.151.0.1", 0.7), ("190.56.20.20", 3.0)], ts=1),
        atlas(1002, "186.151.10.10", [("186.151.0.1", 0.9), ("186.151.10.10", 3.0)], ts=2),
        atlas(1005, "186.151.10.10", [("186.151.0.1", 0.8), ("186.151.10.10", 3.0)], ts=3),
    ]
    checks = {p.prb_id: p for p in run(tmp_path, results).probes}
    assert {c.status for c in checks.values()} <= {"confirmed", "unverified"}
