"""Locating addresses from claims and speed-of-light discs; annotating recorded traceroutes."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address
from pathlib import Path

import pytest

from ixpready.enrichment.annotate import (
    UNLOCATED,
    WEIGHTS,
    Annotator,
    Claim,
    Lookups,
    Strength,
    Vantage,
    locate,
    observe,
    parse_rdns,
    static_claims,
    vantage_of,
)
from ixpready.enrichment.geo import Gazetteer, gazetteer, rdns_city
from ixpready.measurements.parse import read_results
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import Probe, Trace
from ixpready.refdata.snapshots import load_snapshot

GT_HN_SV = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
EDGE = "atlas-traceroute/sagan-traceroute-edge-cases.json"
WORLD = "atlas-traceroute/msm5004-froot-2015-10-20-world-sample.jsonl"
LACNIC = "atlas-probes/lacnic-simon-ripeatlasprobe-fixture-latam.json"
F_ROOT = ip_address("192.5.5.241")
COGENT_MIAMI = "be2130.ccr41.mia01.atlas.cogentco.com"
TELGUA = ip_address("186.151.64.1")  # inside AS14754's 186.151.64.0/20, registered in GT


@pytest.fixture(scope="module")
def places() -> Gazetteer:
    return gazetteer()


def _at(places: Gazetteer, code: str, prb_id: int) -> Vantage:
    city = places.cities[code]
    return vantage_of(
        Probe(id=prb_id, country=city.country, latitude=city.latitude, longitude=city.longitude)
    )


def _traces(recorded: Path, name: str) -> list[Trace]:
    return [o for o in read_results(recorded / name) if isinstance(o, Trace)]


def _miami_claim() -> Claim:
    found = rdns_city(COGENT_MIAMI)
    assert found is not None
    city, token = found
    return Claim("rdns", city.country, city, WEIGHTS["rdns"], f"{COGENT_MIAMI} ({token})")


REGISTRY_GT = Claim("registry", "GT", None, WEIGHTS["registry"], "registered in GT")


# ---------------------------------------------------------------------------------------------
# locate: claims against physics


def test_a_miami_rdns_claim_seen_at_3_ms_from_guatemala_city_is_refuted(
    places: Gazetteer,
) -> None:
    guatemala = _at(places, "gua", 12804)
    with_rdns = locate((_miami_claim(), REGISTRY_GT), ((guatemala, 3.0),), "GT", places)
    rdns = with_rdns.claims[0]
    assert rdns.kind == "rdns" and rdns.country == "US"
    assert rdns.refuted is not None
    assert "3.0 ms" in rdns.refuted and "Miami, US" in rdns.refuted
    assert with_rdns.country == "GT"
    assert not with_rdns.is_outside("GT")
    # 3 ms (305 km) also reaches Santa Ana and San Salvador: physics alone cannot say GT,
    # so the location rests on the registry and stays weak
    assert with_rdns.strength == Strength.WEAK
    without = locate((REGISTRY_GT,), ((guatemala, 3.0),), "GT", places)
    assert with_rdns.confidence < without.confidence


def test_at_0_8_ms_from_guatemala_city_physics_proves_gt(places: Gazetteer) -> None:
    guatemala = _at(places, "gua", 12804)
    # 0.8 ms: within 85 km (80 + 5 km of probe blur), nearer than La Hachadura, SV (97 km)
    contradicted = locate((_miami_claim(), REGISTRY_GT), ((guatemala, 0.8),), "GT", places)
    assert contradicted.country == "GT"
    assert contradicted.strength == Strength.STRONG
    assert contradicted.is_inside("GT")
    assert contradicted.claims[0].refuted is not None
    physics = [c for c in contradicted.claims if c.kind == "rtt_bound"]
    assert [(c.country, c.weight, c.refuted) for c in physics] == [("GT", 1.0, None)]
    plain = locate((REGISTRY_GT,), ((guatemala, 0.8),), "GT", places)
    assert plain.country == "GT" and plain.strength == Strength.STRONG
    assert plain.confidence == 1.0
    assert contradicted.confidence < plain.confidence
    assert contradicted.confidence == pytest.approx(1.2 / 1.8, abs=0.001)


def test_a_miami_vantage_at_1_ms_excludes_guatemala(places: Gazetteer) -> None:
    miami = _at(places, "mia", 1)
    location = locate((REGISTRY_GT,), ((miami, 1.0),), "GT", places)
    assert "GT" in location.excluded
    assert location.is_outside("GT")
    assert not location.is_inside("GT")
    assert location.country == "US"
    assert location.claims[0].refuted is not None  # the registry's GT is out of reach
    confirmed = locate((_miami_claim(),), ((miami, 1.0),), "GT", places)
    assert confirmed.claims[0].refuted is None
    assert (confirmed.country, confirmed.strength) == ("US", Strength.STRONG)
    assert confirmed.city is not None and confirmed.city.code == "mia"


def test_a_registry_only_claim_is_weak_and_not_located(places: Gazetteer) -> None:
    location = locate((REGISTRY_GT,), (), "GT", places)
    assert (location.country, location.strength) == ("GT", Strength.WEAK)
    assert not location.is_located
    assert not location.is_inside("GT")
    assert not location.is_outside("GT")


def test_no_claims_and_no_discs_locate_nothing(places: Gazetteer) -> None:
    location = locate((), (), "GT", places)
    assert (location.country, location.strength, location.confidence) == (
        None,
        Strength.NONE,
        0.0,
    )


def test_a_slow_reply_proves_nothing(places: Gazetteer) -> None:
    # 12804's 80.9 ms to F-root reaches half the hemisphere: the claims decide
    location = locate((_miami_claim(),), ((_at(places, "gua", 12804), 80.901),), "GT", places)
    assert location.claims[0].refuted is None
    assert location.excluded == ()
    assert (location.country, location.strength) == ("US", Strength.MEDIUM)


# ---------------------------------------------------------------------------------------------
# static claims from recorded reference data


def test_static_claims_for_a_telgua_address(full_folder: Path) -> None:
    lookups = Lookups.build(load_snapshot(full_folder), {TELGUA: COGENT_MIAMI})
    special, origin, ixp, name, registry, claims = static_claims(TELGUA, lookups)
    assert special is None and ixp is None
    assert origin is not None and (origin.prefix, origin.asn) == ("186.151.64.0/20", 14754)
    assert name == COGENT_MIAMI
    assert registry == "GT"
    assert [(c.kind, c.country, c.weight) for c in claims] == [
        ("rdns", "US", 0.6),
        ("registry", "GT", 0.2),
    ]


def test_an_ixp_lan_address_2016(full_folder: Path) -> None:
    lookups = Lookups.build(load_snapshot(full_folder))
    _special, origin, ixp, _name, registry, claims = static_claims(
        ip_address("206.223.119.2"), lookups
    )
    assert ixp is not None and ixp.lan.name == "Equinix Chicago"
    assert origin is None and registry is None
    (claim,) = claims
    assert (claim.kind, claim.country, claim.weight) == ("ixp_lan", "US", 0.6)
    assert claim.city is not None and claim.city.code == "chi"
    assert "Equinix Chicago" in claim.fact and "206.223.119.0/24" in claim.fact


def test_an_ixp_member_registered_elsewhere_weighs_0_3(full_beta_folder: Path) -> None:
    lookups = Lookups.build(load_snapshot(full_beta_folder))
    # Swisscom (AS3303, RIPE NCC record: CH) on Equinix Chicago's LAN
    *_rest, claims = static_claims(ip_address("208.115.136.82"), lookups)
    (claim,) = claims
    assert (claim.kind, claim.country, claim.weight) == ("ixp_lan", "US", 0.3)
    assert WEIGHTS["ixp_lan_remote"] == 0.3
    assert "member AS3303" in claim.fact and "registered in CH" in claim.fact
    # Microsoft on Equinix New York: no registry record for AS8075 here, so not remote
    *_rest, claims = static_claims(ip_address("198.32.118.91"), lookups)
    (claim,) = claims
    assert (claim.country, claim.weight) == ("US", 0.6)
    assert "member AS8075" in claim.fact and "remotely" not in claim.fact


def test_special_addresses_get_no_claims_even_on_a_private_ixp_lan(full_folder: Path) -> None:
    lookups = Lookups.build(load_snapshot(full_folder))
    # MOZIX lists 192.168.10.0/24 in PeeringDB; a home router there is not at MOZIX
    assert lookups.ixps.lan_of(ip_address("192.168.10.1")) is not None
    special, origin, ixp, name, registry, claims = static_claims(
        ip_address("192.168.10.1"), lookups
    )
    assert special == "private (RFC 1918)"
    assert (origin, ixp, name, registry, claims) == (None, None, None, None, ())


def test_parse_rdns_drops_bad_keys() -> None:
    names = parse_rdns({"186.151.64.1": COGENT_MIAMI, "not-an-ip": "x", "2001:db8::1": 7})
    assert names == {TELGUA: COGENT_MIAMI, ip_address("2001:db8::1"): "7"}
    assert parse_rdns(["186.151.64.1"]) == {}


def test_vantage_of_each_kind_of_probe(places: Gazetteer) -> None:
    exact = vantage_of(Probe(id=3183, country="DE", latitude=51.3385, longitude=12.3715))
    assert (exact.latitude, exact.longitude, exact.uncertainty_km) == (51.3385, 12.3715, 5.0)
    by_country = vantage_of(Probe(id=12804, country="GT"))
    gt = places.countries["GT"]
    assert (by_country.latitude, by_country.longitude) == (gt.latitude, gt.longitude)
    assert by_country.uncertainty_km == gt.radius_km
    nowhere = vantage_of(Probe(id=1182))
    assert (nowhere.latitude, nowhere.longitude) == (None, None)


# ---------------------------------------------------------------------------------------------
# observe


def test_observe_keeps_the_smallest_rtt_per_probe(recorded: Path) -> None:
    seen = observe(_traces(recorded, GT_HN_SV))
    assert seen[F_ROOT][12804] == pytest.approx(80.901)  # the faster of its two results
    assert seen[F_ROOT][19570] == pytest.approx(107.808)
    assert seen[ip_address("63.245.70.37")] == {
        12804: pytest.approx(45.766),
        19570: pytest.approx(28.096),
        19417: pytest.approx(56.708),
    }
    assert seen[ip_address("198.32.176.3")] == {18250: pytest.approx(179.39)}
    assert all(24182 not in per_probe for per_probe in seen.values())  # it never sent


def test_observe_ignores_late_replies(recorded: Path) -> None:
    (every_reply_late,) = [t for t in _traces(recorded, EDGE) if t.key.msm_id == 5017]
    assert observe([every_reply_late]) == {}
    world = observe(_traces(recorded, WORLD))
    # probe 11608's replies from AMS-IX 80.249.208.111 and from F-root were all late
    assert 11608 not in world.get(ip_address("80.249.208.111"), {})
    assert 11608 not in world.get(F_ROOT, {})


def test_observe_ignores_duplicate_replies(recorded: Path) -> None:
    (trace,) = [t for t in _traces(recorded, WORLD) if t.key.prb_id == 78]
    router = ip_address("10.209.64.1")
    assert observe([trace])[router] == {78: pytest.approx(11.521)}
    # the same trace with its fastest reply marked as a duplicate
    hop = trace.hops[1]
    fastest = min(
        (i for i, r in enumerate(hop.replies) if r.rtt_ms is not None and not r.duplicate),
        key=lambda i: hop.replies[i].rtt_ms or 0.0,
    )
    replies = list(hop.replies)
    replies[fastest] = replace(replies[fastest], duplicate=True)
    hops = list(trace.hops)
    hops[1] = replace(hop, replies=tuple(replies))
    altered = replace(trace, hops=tuple(hops))
    assert observe([altered])[router] == {78: pytest.approx(13.309)}


# ---------------------------------------------------------------------------------------------
# Annotator on the recorded Central-American traceroutes


@pytest.fixture
def annotator(recorded: Path, full_folder: Path) -> Annotator:
    traces = _traces(recorded, GT_HN_SV)
    probes = load_probes(recorded / LACNIC)
    vantages = {t.key.prb_id: vantage_of(probes[t.key.prb_id]) for t in traces}
    lookups = Lookups.build(load_snapshot(full_folder))
    return Annotator(lookups, "SV", vantages, observe(traces))


def test_annotator_computes_each_address_once(recorded: Path, annotator: Annotator) -> None:
    traces = _traces(recorded, GT_HN_SV)
    first = annotator.info(F_ROOT)
    assert annotator.info(F_ROOT) is first
    annotated = [annotator.annotate(t) for t in traces]
    by_address: dict[object, object] = {}
    for view in annotated:
        for hop in view.hops:
            if hop.address is None:
                assert hop.info is None
                continue
            assert by_address.setdefault(hop.address, hop.info) is hop.info
            assert annotator.info(hop.address) is hop.info
        if view.trace.destination is not None:
            assert view.destination is annotator.info(view.trace.destination)
    assert by_address[F_ROOT] is first
    assert annotator.static(F_ROOT) is annotator.static(F_ROOT)


def test_annotated_sv_trace_through_equinix_chicago(recorded: Path, annotator: Annotator) -> None:
    (trace, _second) = [t for t in _traces(recorded, GT_HN_SV) if t.key.prb_id == 15381]
    view = annotator.annotate(trace)
    assert view.vantage is not None and view.vantage.country == "SV"
    chicago = [h for h in view.hops if h.address == ip_address("206.223.119.2")]
    assert len(chicago) == 1
    hop = chicago[0]
    assert hop.number == 8
    assert hop.min_rtt_ms == pytest.approx(132.273)
    assert hop.info is not None
    assert hop.info.asn is None  # a LAN address is not originated by its holder
    assert hop.info.location.country == "US"
    assert hop.info.location.strength == Strength.MEDIUM
    assert hop.info.location.is_outside("SV")
    assert hop.info.location.city is not None and hop.info.location.city.code == "chi"


def test_annotated_private_and_silent_hops(recorded: Path, annotator: Annotator) -> None:
    (trace, _second) = [t for t in _traces(recorded, GT_HN_SV) if t.key.prb_id == 20455]
    view = annotator.annotate(trace)
    assert [h.number for h in view.hops] == [1, 2, 3, 4, 5, 6, 7, 255]
    assert view.hops[0].address is None and view.hops[0].min_rtt_ms is None
    private = view.hops[1]
    assert private.address == ip_address("10.65.4.9")
    assert private.info is not None
    assert private.info.special == "private (RFC 1918)"
    assert private.info.location is UNLOCATED
    assert view.destination is not None and view.destination.address == F_ROOT


def test_untrusted_or_unplaced_vantages_give_no_disc(places: Gazetteer, full_folder: Path) -> None:
    trusted = _at(places, "gua", 12804)
    untrusted = replace(_at(places, "sal", 15381), trusted=False)
    unplaced = vantage_of(Probe(id=1182))
    lookups = Lookups.build(load_snapshot(full_folder))
    annotator = Annotator(
        lookups,
        "GT",
        {12804: trusted, 15381: untrusted, 1182: unplaced},
        {TELGUA: {12804: 0.8, 15381: 0.5, 1182: 0.2, 9999: 0.1}},
    )
    assert annotator.discs(TELGUA) == ((trusted, 0.8),)
    location = annotator.info(TELGUA).location
    assert (location.country, location.strength) == ("GT", Strength.STRONG)


# ---------------------------------------------------------------------------------------------
# Physics on recorded data: European probes with GeoJSON coordinates (msm 1033154)


@pytest.fixture
def europe(recorded: Path, full_folder: Path) -> Annotator:
    traces = _traces(recorded, "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json")
    probes = load_probes(recorded / "atlas-probes/ripe-atlas-monitor-msm1033154-probes.json")
    vantages = {prb_id: vantage_of(probe) for prb_id, probe in probes.items()}
    return Annotator(Lookups.build(load_snapshot(full_folder)), "NL", vantages, observe(traces))


def test_vix_seen_from_three_austrian_probes_is_in_austria(europe: Annotator) -> None:
    vix = ip_address("193.203.0.105")
    # hop 4 of probe 2178 (Vienna) at 3.254 ms, hop 4 of 11125 (Linz) at 4.052 ms,
    # hop 8 of 4844 (Innsbruck) at 10.954 ms
    discs = {vantage.probe.id: rtt for vantage, rtt in europe.discs(vix)}
    assert discs == {
        2178: pytest.approx(3.254),
        11125: pytest.approx(4.052),
        4844: pytest.approx(10.954),
    }
    info = europe.info(vix)
    assert info.ixp is not None and info.ixp.lan.name == "VIX"
    location = info.location
    assert location.country == "AT"
    assert location.strength >= Strength.MEDIUM
    # 3.254 ms from Vienna is within 330 km: the Netherlands (~950 km) is ruled out
    assert "NL" in location.excluded
    assert location.is_outside("NL")
    assert all(c.refuted is None for c in location.claims)


def test_a_probe_placed_in_the_wrong_country_contradicts_physics(europe: Annotator) -> None:
    # probe 4484 ("dosch probe") declares ET with coordinates in Addis Ababa, yet reaches
    # Amsterdam (91.198.174.225, its hop 8) in 24.654 ms: ~5,900 km, more than light covers
    # in that time. Trusted, it drags the Amsterdam address out of the Netherlands; the
    # pipeline's probe checks are what must mark such a vantage untrusted.
    vantage = europe.vantages[4484]
    assert vantage.country == "ET"
    assert (vantage.latitude, vantage.longitude) == (9.0195, 38.7615)
    target = ip_address("91.198.174.225")
    assert dict((v.probe.id, rtt) for v, rtt in europe.discs(target))[4484] == pytest.approx(24.654)
    assert "NL" in europe.info(target).location.excluded
    untrusted = dict(europe.vantages)
    untrusted[4484] = replace(vantage, trusted=False)
    checked = Annotator(europe.lookups, "NL", untrusted, europe.observations)
    location = checked.info(target).location
    assert "NL" not in location.excluded
    assert location.country == "NL"  # probe 3161 (NL) saw it in 2.399 ms
    assert all(v.probe.id != 4484 for v, _rtt in checked.discs(target))


def test_netnod_seen_from_stockholm_at_3_ms(europe: Annotator) -> None:
    netnod = ip_address("195.69.119.143")  # hop 5 of probe 2866, 3.331 ms at best
    location = europe.info(netnod).location
    assert location.country == "SE"
    assert location.strength >= Strength.MEDIUM
    assert "NL" in location.excluded
    assert location.city is not None and location.city.code == "sto"
    assert location.is_outside("NL")
