"""Paths whose foreign hops are named only in their carriers' real conventions (issue 11):
the reader places them, and the RTTs settle codes several places share."""

from __future__ import annotations

from pathlib import Path

from ixpready.analysis.verdicts import Verdict

from .world import atlas, run

HOME = "192.168.1.1"
DOMESTIC = {"186.151.0.1": "xe-0-0-1.gua1.claro.net.gt", "190.56.0.1": "be10.gua-bb1.tigo.com.gt"}


def _detour(first: float, second: float) -> list[tuple[str | None, float | None]]:
    return [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        ("4.68.0.5", first),
        ("4.68.0.9", second),
        ("190.56.0.1", 75.0),
        ("190.56.20.20", 75.5),
    ]


def test_a_detour_named_in_ntts_clli_convention_is_tromboned(tmp_path: Path) -> None:
    # "miamfl" is NTT's CLLI code for Miami: no city code the old hand list knew
    names = {
        **DOMESTIC,
        "4.68.0.5": "ae-4.r21.miamfl02.us.bb.gin.ntt.net",
        "4.68.0.9": "xe-0-0-26-2.a01.miamfl02.us.bb.gin.ntt.net",
    }
    result = run(tmp_path, [atlas(1001, "190.56.20.20", _detour(38.0, 38.6))], names)
    (path,) = result.paths
    assert path.verdict is Verdict.TROMBONED, path.reason
    assert path.foreign_cities == ("Miami, US",)
    assert any("miamfl" in e.fact and "carrier:NTT" in e.fact for e in path.evidence), path.evidence


def test_a_detour_named_in_telxius_and_arelion_conventions_is_tromboned(tmp_path: Path) -> None:
    names = {
        **DOMESTIC,
        "4.68.0.5": "Xe-7-1-0-0-grtmiabr7.red.telefonica-wholesale.net",
        "4.68.0.9": "mai-b1-link.telia.net",
    }
    (path,) = run(tmp_path, [atlas(1001, "190.56.20.20", _detour(38.0, 38.6))], names).paths
    assert path.verdict is Verdict.TROMBONED, path.reason
    assert path.foreign_cities == ("Miami, US",)


def test_a_shared_code_the_rtts_rule_out_is_read_as_its_alternative(tmp_path: Path) -> None:
    # "sjo" as a bare code is San José, Costa Rica first; 38 ms from Guatemala City reaches
    # both. A reply in 1.5 ms from a probe in Miami rules Costa Rica out: San Jose, US is
    # out of reach too, so the claim is refuted, never counted for Costa Rica.
    names = {**DOMESTIC, "4.68.0.5": "xe-1.sjo1.example.net"}
    traces = [
        atlas(1001, "190.56.20.20", _detour(38.0, 38.6)),
        atlas(1003, "8.8.8.8", [("4.68.0.5", 1.5), ("8.8.8.8", 2.0)], msm=9002),
    ]
    (path,) = run(tmp_path, traces, names).paths
    assert "CR" not in path.foreign_countries
