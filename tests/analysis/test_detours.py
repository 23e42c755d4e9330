"""Local proven by the whole path (issue #12): hand-checked cases and the traps.

Distances used below (great circle, `ixpready.enrichment.geo.distance_km`): the test world's
probe 1001 stands in Guatemala City (14.63, -90.51), probe 1002 at (14.60, -90.53), 4 km
away; San Salvador (the nearest interconnection hub abroad) is 174 km from Guatemala City,
Miami 1,640 km, La Hachadura (the nearest town abroad) 97 km. Probe 1001's access delay is its
RTT to its first ISP router (2.0 ms) less 0.3 ms: 1.7 ms. A path of r ms RTT travels r x 200 km
in all; each probe's published coordinates may be 5 km off.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ixpready.analysis.detours import detour_floor, interconnection_places
from ixpready.analysis.verdicts import Verdict
from ixpready.enrichment.geo import distance_km, gazetteer
from ixpready.refdata.snapshots import Facility, IxRecord, RegistrySnapshot, load_snapshot

from .test_tromboning import HOME, RDNS, only
from .world import GUA, MIA, atlas, run

SAN_SALVADOR = (13.69, -89.22)


def test_the_distances_this_file_relies_on() -> None:
    assert distance_km(*GUA, *SAN_SALVADOR) == pytest.approx(174, abs=1)
    assert distance_km(*GUA, *MIA) == pytest.approx(1640, abs=1)
    assert distance_km(*GUA, 14.60, -90.53) == pytest.approx(4, abs=0.5)


def test_registry_only_hops_are_local_when_the_destination_rtt_rules_out_every_crossing(
    tmp_path: Path,
) -> None:
    # 3.2 - 1.7 = 1.5 ms: 300 km in all. Through San Salvador: 174 out, 174 + 4 back to the
    # destination and 4 home, less 5 km twice for probe 1001 and 5 for 1002: 338 km, 1.69 ms.
    # The nearest town abroad (97 km) is within 150 km, so the old proof could not say.
    hops = [(HOME, 0.4), ("186.151.0.77", 2.0), (None, None), ("190.56.0.66", 2.9)]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", [*hops, ("190.56.20.20", 3.2)])]))
    assert path.verdict is Verdict.LOCAL, path.reason
    assert path.reason.startswith("stayed in GT: the RTT rules out every place abroad")
    assert "nearest: San Salvador, SV (interconnection hub), 0.2 ms short" in path.reason
    assert path.confidence == 0.9
    # 0.3 ms more (60 km) and San Salvador fits: nothing proves the path stayed.
    slower = only(run(tmp_path, [atlas(1001, "190.56.20.20", [*hops, ("190.56.20.20", 3.5)])]))
    assert slower.verdict is Verdict.INCONCLUSIVE
    assert "San Salvador, SV" in slower.reason and "cannot be excluded" in slower.reason


def test_a_slow_reply_before_a_fast_hop_is_not_distance(tmp_path: Path) -> None:
    # Hop 3 answers in 40 ms (its ICMP is slow), hop 4 after it in 2.6: the packet to hop 4
    # went through hop 3, so 2.6 - 1.7 = 0.9 ms bounds hop 3's stretch too.
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        ("186.151.0.77", 40.0),
        ("190.56.0.1", 2.6),
        ("190.56.20.20", 9.0),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is Verdict.LOCAL, path.reason
    (fact,) = [e.fact for e in path.evidence if e.kind == "path"]
    assert "hop 3 186.151.0.77 (registry country only)" in fact
    assert "the RTT allows 0.9 ms" in fact


def test_a_slow_reply_before_a_detour_does_not_hide_it(tmp_path: Path) -> None:
    # In one trace hop 2 (in Guatemala City by name) answers slowly, 40 ms; the path then
    # goes to Miami and back through a registry-only hop: hop 4 answers in 38 ms. The RTT
    # "fell" across hop 3, yet 38 - 1.7 ms leaves room for Miami (2 x 1,640 km = 33 ms).
    # The probe's other trace gives its access delay (hop 2 in 2.0 ms).
    detour = [
        (HOME, 0.4),
        ("186.151.0.1", 40.0),
        ("186.151.0.77", 37.0),
        ("190.56.0.1", 38.0),
        ("190.56.20.20", 38.4),
    ]
    local = [(HOME, 0.4), ("186.151.0.1", 2.0), ("190.56.0.1", 2.4), ("190.56.20.20", 2.8)]
    result = run(
        tmp_path,
        [atlas(1001, "190.56.20.20", detour), atlas(1001, "190.56.20.20", local, ts=2)],
        RDNS,
    )
    verdicts = {p.trace.timestamp: p for p in result.paths}
    assert verdicts[2].verdict is Verdict.LOCAL, verdicts[2].reason
    assert verdicts[1_790_000_000].verdict is Verdict.INCONCLUSIVE
    assert "hop 3 186.151.0.77" in verdicts[1_790_000_000].reason


def test_a_first_isp_router_answering_slowly_is_not_access_delay() -> None:
    from ixpready.analysis.tromboning import ACCESS_SLACK_MS, access_delay_ms
    from ixpready.measurements.parse import trace_from_atlas

    slow = [(HOME, 0.4), ("186.151.0.1", 40.0), ("190.56.0.1", 3.0), ("190.56.20.20", 3.3)]
    traces = [trace_from_atlas(atlas(1001, "190.56.20.20", slow))]
    assert access_delay_ms(traces) == {1001: 3.0 - ACCESS_SLACK_MS}


def test_trap_a_remote_member_answering_from_miami_on_the_home_ixp_lan(tmp_path: Path) -> None:
    # AS3356 (registered in the US) answers on IXP-GT's LAN from its router in Miami; then
    # the path comes back to Tigo. No hop is named abroad: the IXP LAN does not prove local.
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        ("45.234.16.9", 35.0),
        ("190.56.0.1", 69.0),
        ("190.56.20.20", 69.4),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict not in (Verdict.LOCAL, Verdict.LOCAL_VIA_IXP), path.reason
    assert path.ixps == ("IXP-GT (test)",)


def test_trap_a_probe_declared_at_home_that_sits_in_miami(tmp_path: Path) -> None:
    # Probe 1004 is declared in Guatemala City; it sits in Miami. Its first ISP router (no
    # name) answers in 0.9 ms, Guatemala after 1,640 km in 33.8 ms: 33.8 - 0.6 ms of access
    # is 6,640 km in all, room for Miami. Nothing names Miami, so nothing contradicts the
    # probe; the physics alone keeps the path from being called local.
    hops = [
        (HOME, 0.2),
        ("4.68.0.77", 0.9),
        ("186.151.0.77", 33.5),
        ("190.56.0.66", 33.6),
        ("190.56.20.20", 33.8),
    ]
    result = run(tmp_path, [atlas(1004, "190.56.20.20", hops)])
    path = only(result)
    assert path.verdict is Verdict.INCONCLUSIVE, path.reason
    assert {p.prb_id: p.status for p in result.probes}[1004] != "contradicted"


def test_trap_a_private_interconnect_in_miami_numbered_from_home_prefixes(tmp_path: Path) -> None:
    # Claro and Tigo meet in Miami over a private interconnect numbered from their own
    # Guatemalan prefixes (registry country GT, no names): weak evidence, never "at home".
    hops = [
        (HOME, 0.4),
        ("186.151.0.1", 2.0),
        ("186.151.0.77", 35.1),
        ("190.56.0.66", 35.3),
        ("190.56.0.1", 68.0),
        ("190.56.20.20", 68.3),
    ]
    path = only(run(tmp_path, [atlas(1001, "190.56.20.20", hops)], RDNS))
    assert path.verdict is Verdict.INCONCLUSIVE, path.reason
    assert "cannot be excluded" in path.reason


def test_trap_a_destination_in_a_home_network_that_stands_abroad(tmp_path: Path) -> None:
    # 190.56.99.1 is Tigo's (registered in GT) but hosted in Miami: one hop after Tigo's
    # router in Guatemala City it answers in 35 ms. It is no probe and nothing places it, so
    # it may stand abroad: the RTT must rule out every place abroad, and Miami fits.
    hops = [(HOME, 0.4), ("186.151.0.1", 2.0), ("190.56.0.1", 2.4), ("190.56.99.1", 35.0)]
    path = only(run(tmp_path, [atlas(1001, "190.56.99.1", hops)], RDNS))
    assert path.verdict is Verdict.INCONCLUSIVE, path.reason
    assert "hop 4 190.56.99.1" in path.reason and "cannot be excluded" in path.reason
    # Answering in 2.2 ms (0.5 ms, 100 km after access) it cannot be at any town abroad.
    near = [*hops[:3], ("190.56.99.1", 2.2)]
    assert only(run(tmp_path, [atlas(1001, "190.56.99.1", near)], RDNS)).verdict is Verdict.LOCAL


def test_a_facility_abroad_nearer_than_any_hub_counts_as_a_crossing() -> None:
    places = gazetteer()
    snapshot = RegistrySnapshot(
        facilities=(
            Facility(1, "Border carrier hotel (test)", "Ahuachapán", "SV", 13.92, -89.85),
            Facility(2, "A facility at home", "Guatemala City", "GT", 14.6, -90.5),
            Facility(3, "Unplaced", "Nowhere", "MX", None, None),
            Facility(4, "By its city (test)", "Tapachula", "MX", None, None),
        ),
        ixs={7: IxRecord(7, "SV-IX (test)", "San Salvador", "SV")},
    )
    crossings = interconnection_places(snapshot, places, "GT")
    labels = [c.label for c in crossings]
    assert "Border carrier hotel (test) (facility), Ahuachapán, SV" in labels
    assert "By its city (test) (facility), Tapachula, MX" in labels  # the gazetteer's point
    assert not any("at home" in label or "Unplaced" in label for label in labels)
    assert "San Salvador, SV (interconnection hub)" in labels  # the exchange shares its point
    assert all(c.country != "GT" for c in crossings)
    # Ahuachapán is 106 km from Guatemala City: a 1.5 ms RTT (300 km in all) rules out San
    # Salvador (2 x 174 km = 1.74 ms) but not the facility (2 x 106 km = 1.06 ms).
    ahuachapan = distance_km(*GUA, 13.92, -89.85)
    assert ahuachapan == pytest.approx(106, abs=1)
    floor = detour_floor(GUA, GUA, GUA, 1.5, crossings)
    assert floor is not None and not floor.ruled_out
    assert floor.crossing.label.startswith("Border carrier hotel")
    assert floor.margin_ms == pytest.approx(2 * ahuachapan / 200 - 1.5)
    hubs_only = interconnection_places(None, places, "GT")
    floor = detour_floor(GUA, GUA, GUA, 1.5, hubs_only)
    assert floor is not None and floor.ruled_out and floor.crossing.label.startswith("San Salv")
    assert floor.margin_ms == pytest.approx(2 * distance_km(*GUA, *SAN_SALVADOR) / 200 - 1.5)


def test_uncertain_points_never_shorten_a_leg_below_the_straight_line() -> None:
    crossings = interconnection_places(None, gazetteer(), "GT")
    exact = detour_floor(GUA, GUA, GUA, 0.0, crossings)
    blurred = detour_floor(GUA, GUA, GUA, 0.0, crossings, (0.0, 25.0, 25.0))
    assert exact is not None and blurred is not None
    assert blurred.detour_km == exact.detour_km  # a, b = s: the straight line decides
    probe_off = detour_floor(GUA, GUA, GUA, 0.0, crossings, (5.0, 0.0, 0.0))
    assert probe_off is not None and probe_off.detour_km == pytest.approx(exact.detour_km - 10)


def test_exchanges_abroad_from_real_peeringdb_answers(recorded: Path, tmp_path: Path) -> None:
    # ../shared/fixtures/peeringdb: the beta API's `ix` pages of 2026-04-16 (500 exchanges,
    # none in GT; CRIX San Jose CR, IXP-HN Tegucigalpa HN, InteRed Panama, IXP.MX Ciudad de
    # México MX among them) and the 2016-10-19 dump (557 exchanges).
    folder = tmp_path / "refdata"
    (folder / "peeringdb").mkdir(parents=True)
    for page in (1, 2):
        shutil.copy(
            recorded / f"peeringdb/pdb-beta-api-2026-04-16-ix-page{page}.json",
            folder / "peeringdb" / f"ix-page{page}.json",
        )
    snapshot = load_snapshot(folder)
    assert len(snapshot.ixs) == 500
    places = gazetteer()
    crossings = interconnection_places(snapshot, places, "GT")
    labels = {c.label for c in crossings}
    hubs = interconnection_places(None, places, "GT")
    assert set(hubs) <= set(crossings)  # exchanges in a hub city share the hub's point
    assert {"TampaIX (exchange), Tampa, US", "JXIX (exchange), Jacksonville, US"} <= labels
    assert not any("IXP-HN" in label or "CRIX" in label for label in labels)
    # for Honduras, IXP-HN is at home and Tegucigalpa is no crossing
    honduras = interconnection_places(snapshot, places, "HN")
    assert all(c.country != "HN" for c in honduras)
    assert "San Salvador, SV (interconnection hub)" in {c.label for c in honduras}
    (folder / "peeringdb" / "ix-page1.json").unlink()
    (folder / "peeringdb" / "ix-page2.json").unlink()
    shutil.copy(recorded / "peeringdb/pdb-2016-10-19-ix.json", folder / "peeringdb" / "ix.json")
    old = interconnection_places(load_snapshot(folder), places, "GT")
    assert set(hubs) <= set(old) and all(c.country != "GT" for c in old)
