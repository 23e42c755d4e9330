"""Each verdict on small hand-built paths whose answer is worked out here."""

from __future__ import annotations

from pathlib import Path

from ixpready.analysis.verdicts import AnalysisResult, PathVerdict, Scope, Verdict
from ixpready.enrichment.geo import distance_km

from .world import GUA, atlas, run

HOME = "192.168.1.1"
RDNS = {
    "186.151.0.1": "xe-0-0-1.gua1.claro.net.gt",
    "186.151.0.9": "ae2.gua-core2.claro.net.gt",
    "190.56.0.1": "be10.gua-bb1.tigo.com.gt",
    "4.68.0.5": "ae-1-3.edge5.Miami2.Level3.net",
    "4.68.0.9": "ae-2-7.bar1.Miami2.Level3.net",
    "2803:1000::1": "xe-1.gua1.claro.net.gt",
    "2803:2000::1": "be1.gua2.tigo.com.gt",
}


def only(result: AnalysisResult) -> PathVerdict:
    assert len(result.paths) == 1, [p.reason for p in (*result.paths, *result.other_paths)]
    return result.paths[0]


def local_hops(middle: list[tuple[str | None, float | None]]) -> list:
    return [(HOME, 0.4), ("186.151.0.1", 2.0), *middle, ("190.56.0.1", 3.0), ("190.56.20.20", 3.4)]


def test_path_through_home_routers_only_is_local(tmp_path: Path) -> None:
    path = only(
        run(tmp_path, [atlas(1001, "190.56.20.20", local_hops([("186.151.0.9", 2.5)]))], RDNS)
    )
    assert path.verdict is Verdict.LOCAL, path.reason
    assert path.scope is Scope.DOMESTIC
    assert (path.src_asn, path.dst_asn) == (14754, 23243)
    assert path.as_path == (14754, 23243)
    assert path.foreign_countries == ()
    assert path.rtt_ms == 3.4
    assert any("gua" in e.fact for e in path.evidence)
    assert 0.5 <= path.confidence <= 1.0


def test_one_silent_hop_with_a_tiny_rtt_rise_stays_local(tmp_path: Path) -> None:
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", local_hops([(None, None)]))], RDNS))
    assert path.verdict is Verdict.LOCAL, path.reason
    assert any(e.kind == "path" and "silent" in e.fact for e in path.evidence)


def test_a_silent_gap_with_room_for_a_detour_is_inconclusive(tmp_path: Path) -> None:
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        (None, None),
        ("190.56.0.1", 24.0),
        ("190.56.20.20", 24.5),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is Verdict.INCONCLUSIVE
    assert "cannot be excluded" in path.reason


def test_four_silent_hops_the_rtt_leaves_no_room_for_a_detour_are_local(tmp_path: Path) -> None:
    # Access 2.0 - 0.3 = 1.7 ms; hop 7 answers 1.3 ms later: 260 km of fibre in all, and
    # Guatemala City -> San Salvador -> back is 2 x 174 km (less 2 x 5 km for the probe's
    # published coordinates): 1.7 ms. However many silent hops, no detour abroad fits.
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        *[(None, None)] * 4,
        ("190.56.0.1", 3.0),
        ("190.56.20.20", 3.4),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is Verdict.LOCAL, path.reason
    facts = [e.fact for e in path.evidence if e.kind == "path"]
    assert len(facts) == 1 and "San Salvador, SV" in facts[0], facts
    assert "needs at least 1.7 ms, the RTT allows 1.3 ms" in facts[0]
    assert path.confidence == round(0.8 * 0.9**4, 3)  # ends placed by rDNS + registry (0.8)


def test_detour_through_miami_is_tromboned_with_its_latency_cost(tmp_path: Path) -> None:
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        ("4.68.0.5", 38.0),
        ("4.68.0.9", 38.6),
        ("190.56.0.1", 75.0),
        ("190.56.20.20", 75.5),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is Verdict.TROMBONED
    assert path.foreign_countries == ("US",)
    assert path.foreign_cities == ("Miami, US",)
    assert path.carried_by == (3356,)
    assert path.as_path == (14754, 3356, 23243)
    floor = distance_km(*GUA, 14.60, -90.53) / 100
    assert path.floor_rtt_ms is not None and abs(path.floor_rtt_ms - floor) < 0.01
    assert path.extra_rtt_ms is not None and abs(path.extra_rtt_ms - (75.5 - floor)) < 0.01


def test_crossing_a_foreign_ixp_fabric_is_tromboned_even_for_a_remote_member(
    tmp_path: Path,
) -> None:
    # 198.32.124.20 is AS14754's (registered in GT) interface on Equinix Miami: weak as a
    # router location, but the frame crossed the Miami fabric, which the RTT allows.
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        ("198.32.124.20", 36.0),
        ("190.56.0.1", 70.0),
        ("190.56.20.20", 70.2),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is Verdict.TROMBONED, path.reason
    assert path.ixps == ("Equinix Miami",)
    assert path.ixp_countries == ("US",)
    assert "US" in path.foreign_countries


def test_an_ixp_lan_hop_the_rtt_rules_out_does_not_count_as_abroad(tmp_path: Path) -> None:
    # Equinix Miami's LAN answering in 2 ms from Guatemala City is physically impossible.
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        ("198.32.124.20", 2.2),
        ("190.56.0.1", 2.6),
        ("190.56.20.20", 3.0),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is not Verdict.TROMBONED
    assert path.foreign_countries == ()


def test_foreign_hop_proved_by_rtt_and_contradicted_by_rdns(tmp_path: Path) -> None:
    # 4.68.7.7 says "gua" in its name, but a probe in Miami got its reply in 0.8 ms.
    rdns = {**RDNS, "4.68.7.7": "xe-9.gua3.level3.net"}
    from_gua = atlas(
        1001,
        "190.56.20.20",
        [
            (HOME, 0.4),
            ("186.151.0.1", 2.0),
            ("4.68.7.7", 40.0),
            ("190.56.0.1", 80.0),
            ("190.56.20.20", 80.3),
        ],
    )
    from_mia = atlas(1003, "8.8.8.8", [("4.68.7.7", 0.8), ("8.8.8.8", 1.5)], msm=9002)
    result = run(tmp_path, [from_gua, from_mia], rdns)
    path = only(result)
    assert path.verdict is Verdict.TROMBONED, path.reason
    assert path.foreign_countries == ("US",)
    ruled_out = [e.fact for e in path.evidence if e.fact.startswith("ruled out")]
    assert any("gua3" in fact and "probe 1003" in fact for fact in ruled_out), ruled_out


def test_home_ixp_with_home_members_is_local_via_ixp(tmp_path: Path) -> None:
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        ("45.234.16.2", 2.3),
        ("190.56.0.1", 2.8),
        ("190.56.20.20", 3.1),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is Verdict.LOCAL_VIA_IXP, path.reason
    assert path.ixps == ("IXP-GT (test)",)
    assert path.as_path == (14754, 23243)


def test_home_ixp_does_not_prove_local_when_a_remote_member_carries_it_abroad(
    tmp_path: Path,
) -> None:
    # AS3356 (registered in the US) answers on the Guatemalan LAN, then the path is in Miami.
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        ("45.234.16.9", 35.0),
        ("4.68.0.9", 35.5),
        ("190.56.0.1", 70.0),
        ("190.56.20.20", 70.4),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is Verdict.TROMBONED
    assert path.ixps == ("IXP-GT (test)",)
    assert path.foreign_cities == ("Miami, US",)


def test_probe_whose_rtts_contradict_its_declared_place_is_inconclusive(tmp_path: Path) -> None:
    hops = [("4.68.0.5", 0.9), ("4.68.0.9", 1.1), ("190.56.0.1", 40.0), ("190.56.20.20", 40.3)]
    result = run(tmp_path, [atlas(1004, "190.56.20.20", hops)], RDNS)
    path = only(result)
    assert path.verdict is Verdict.INCONCLUSIVE
    assert "not where declared" in path.reason
    check = {p.prb_id: p for p in result.probes}[1004]
    assert check.status == "contradicted"


def test_destination_not_reached_is_inconclusive(tmp_path: Path) -> None:
    hops: list = [(HOME, 0.4), ("186.151.0.1", 2.0), (None, None), (None, None)]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is Verdict.INCONCLUSIVE
    assert path.reason.startswith("destination not reached")


def test_ipv6_path_is_judged_like_ipv4(tmp_path: Path) -> None:
    hops = [("2803:1000::1", 1.5), ("2803:2000::1", 2.0), ("2803:2000::20", 2.4)]
    path = only(run(tmp_path, [atlas(1006, "2803:2000::20", hops)], RDNS))
    assert path.af == 6
    assert path.verdict is Verdict.LOCAL, path.reason
    assert path.dst_asn == 23243


def test_destination_abroad_is_reported_separately(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        [
            atlas(
                1001,
                "8.8.8.8",
                [(HOME, 0.4), ("186.151.0.1", 2.0), ("4.68.0.5", 38.0), ("8.8.8.8", 40.0)],
            )
        ],
        RDNS,
    )
    assert result.paths == ()
    (other,) = result.other_paths
    assert other.scope is Scope.OUTBOUND
    assert result.summary.domestic_paths == 0 and result.summary.other_paths == 1


def test_an_unlocated_hop_never_counts_as_domestic(tmp_path: Path) -> None:
    # 186.151.0.77 has only its registry country: bracketed by home hops with a flat RTT
    # it is tolerated, but the evidence names it; with a jump it makes the path inconclusive.
    flat = atlas(
        1001,
        "190.56.20.20",
        [
            (HOME, 0.4),
            ("186.151.0.1", 2.0),
            ("186.151.0.77", 2.3),
            ("190.56.0.1", 3.0),
            ("190.56.20.20", 6.0),
        ],
    )
    jump = atlas(
        1002,
        "186.151.10.10",
        [
            (HOME, 0.4),
            ("190.56.0.1", 2.0),
            ("186.151.0.77", 30.0),
            ("186.151.0.1", 31.0),
            ("186.151.10.10", 31.5),
        ],
        msm=9003,
    )
    result = run(tmp_path, [flat, jump], RDNS)
    by_probe = {p.trace.prb_id: p for p in result.paths}
    assert by_probe[1001].verdict is Verdict.LOCAL
    assert any("registry country only" in e.fact for e in by_probe[1001].evidence)
    assert by_probe[1002].verdict is Verdict.INCONCLUSIVE
    assert "registry country only" in by_probe[1002].reason


def test_summary_counts_every_path_once(tmp_path: Path) -> None:
    results = [
        atlas(1001, "190.56.20.20", local_hops([]), ts=1),
        atlas(
            1001,
            "190.56.20.20",
            [(HOME, 0.4), ("186.151.0.1", 2.0), ("4.68.0.5", 38.0), ("190.56.20.20", 75.0)],
            ts=2,
        ),
        atlas(1001, "190.56.20.20", [(HOME, 0.4), (None, None)], ts=3),
        atlas(1001, "8.8.8.8", [(HOME, 0.4), ("8.8.8.8", 40.0)], ts=4),
    ]
    s = run(tmp_path, results, RDNS).summary
    assert (s.local, s.local_via_ixp, s.tromboned, s.inconclusive) == (1, 0, 1, 1)
    assert s.domestic_paths == 3 and s.other_paths == 1


def test_an_inconclusive_path_says_which_foreign_hubs_its_rtt_leaves_possible() -> None:
    from ixpready.analysis.tromboning import reach_note
    from ixpready.enrichment.geo import gazetteer

    near = reach_note(GUA, 4.6, "GT", gazetteer())
    assert "rules out every foreign hub but San Salvador, SV" in near
    assert "Miami" not in near and "Mexico City" not in near
    assert (
        reach_note(GUA, 1.0, "GT", gazetteer())
        == "the 1.0 ms RTT rules out every foreign interconnection hub"
    )
    assert "foreign hubs within reach" in reach_note(GUA, 40.0, "GT", gazetteer())


def test_access_link_delay_of_both_probes_is_not_counted_as_distance(tmp_path: Path) -> None:
    # Both probes sit behind ~5 ms DSL lines (their first ISP router answers in 5.2 and 5.0 ms
    # in their own traces). 10.5 ms end to end leaves 0.9 ms of travel: within 95 km of
    # Guatemala City, nearer than any place abroad (La Hachadura, SV, 97 km).
    there = atlas(
        1001, "190.56.20.20", [(HOME, 0.4), ("186.151.0.40", 5.2), ("190.56.20.20", 10.5)], ts=1
    )
    back = atlas(
        1002, "186.151.10.10", [(HOME, 0.4), ("190.56.0.40", 5.0), ("186.151.10.10", 10.6)], ts=2
    )
    by_probe = {p.trace.prb_id: p for p in run(tmp_path, [there, back]).paths}
    assert by_probe[1001].verdict is Verdict.LOCAL, by_probe[1001].reason
    assert any("access links" in e.fact for e in by_probe[1001].evidence)
    # the same trace alone: the destination's access delay is unknown, nothing is discounted
    alone = only(run(tmp_path / "alone", [there]))
    assert alone.verdict is Verdict.INCONCLUSIVE


def test_access_delay_is_read_from_the_probes_own_first_isp_hop() -> None:
    from ixpready.analysis.tromboning import ACCESS_SLACK_MS, access_delay_ms
    from ixpready.measurements.parse import trace_from_atlas

    traces = [
        trace_from_atlas(atlas(1001, "190.56.20.20", [(HOME, 0.4), ("186.151.0.40", 7.0)], ts=1)),
        trace_from_atlas(atlas(1001, "190.56.20.20", [(HOME, 0.4), ("186.151.0.40", 5.2)], ts=2)),
        trace_from_atlas(atlas(1003, "8.8.8.8", [("4.68.0.5", 0.2)], ts=3)),  # no home gateway
    ]
    assert access_delay_ms(traces) == {1001: 5.2 - ACCESS_SLACK_MS, 1003: 0.0}
