"""Small hand-built topologies whose answers are worked out here, step by step."""

from __future__ import annotations

import pytest

from ixpready.analysis.verdicts import Verdict
from ixpready.model.build import ModelInputs, run_model_on
from ixpready.model.export import model_from_json, to_json
from ixpready.model.graph import AsRelationship, InterconnectionGraph, build_graph
from ixpready.model.ranking import trimmed_mean
from ixpready.model.results import Relationship, RouteKind, StayReason
from ixpready.model.routing import PolicyRouter, is_valley_free
from ixpready.model.whatif import measured_pairs, simulate

from .world import HOME, analysis, miami, path

P2C, PEER = Relationship.PROVIDER_CUSTOMER, Relationship.PEER
COGENT, LUMEN = 174, 3356
UNO, DOS, TRES, CUATRO = 64501, 64502, 64503, 64504


def chain_graph() -> InterconnectionGraph:
    # COGENT (US) sells transit to DOS (GT), which sells it to UNO and TRES (GT);
    # CUATRO (GT) buys transit from COGENT only.
    rels = [
        AsRelationship(COGENT, DOS, P2C),
        AsRelationship(DOS, UNO, P2C),
        AsRelationship(DOS, TRES, P2C),
        AsRelationship(COGENT, CUATRO, P2C),
    ]
    countries = {COGENT: "US", DOS: HOME, UNO: HOME, TRES: HOME, CUATRO: HOME}
    return build_graph((), home=HOME, relationships=rels, countries=countries)


def test_provider_customer_chain_routes_down_through_the_shared_provider() -> None:
    graph = chain_graph()
    router = PolicyRouter(graph, [UNO, TRES, CUATRO])
    # UNO -> TRES: UNO has no customer or peer route, so it takes its provider's; DOS
    # reaches TRES as a customer: UNO, DOS, TRES, all domestic -> local.
    route = router.route(router.table(TRES), UNO, TRES)
    assert route.path == (UNO, DOS, TRES)
    assert route.kind is RouteKind.PROVIDER
    assert route.local
    # UNO -> CUATRO: up to DOS, up to COGENT, down to CUATRO: leaves the country.
    route = router.route(router.table(CUATRO), UNO, CUATRO)
    assert route.path == (UNO, DOS, COGENT, CUATRO)
    assert not route.local
    # DOS -> UNO is a customer route; COGENT -> UNO climbs nothing, two hops down.
    assert router.route(router.table(UNO), DOS, UNO).kind is RouteKind.CUSTOMER
    assert router.route(router.table(UNO), COGENT, UNO).path == (COGENT, DOS, UNO)


def test_an_ixp_brings_a_member_and_the_customers_of_members_home() -> None:
    graph = chain_graph()
    # DOS and CUATRO meet at the IXP: DOS learns CUATRO's own route there (a peer route
    # beats COGENT's provider route) and passes it down to its customer UNO.
    router = PolicyRouter(graph, [UNO, DOS], members=[DOS, CUATRO])
    route = router.route(router.table(CUATRO), UNO, CUATRO)
    assert route.path == (UNO, DOS, CUATRO)
    assert route.local
    assert is_valley_free(route.path, graph, router.members)
    # The other way: CUATRO hears DOS's customer routes (UNO) over the IXP.
    back = PolicyRouter(graph, [CUATRO], members=[DOS, CUATRO])
    route = back.route(back.table(UNO), CUATRO, UNO)
    assert (route.path, route.kind, route.local) == ((CUATRO, DOS, UNO), RouteKind.IXP, True)


def test_two_isps_buying_transit_in_miami_are_kept_home_only_when_both_join() -> None:
    result = run_model_on(
        analysis(miami(UNO, DOS, rtt_ms=90.0), miami(DOS, UNO, rtt_ms=100.0)),
        ModelInputs(),
        k=2,
    )
    # No registry data: COGENT is the best-connected network on both paths, so both links
    # are inferred as COGENT selling transit; the two pairs go through Miami today.
    assert {(link.a, link.b) for link in result.links} == {(COGENT, UNO), (COGENT, DOS)}
    link = next(link for link in result.links if link.b == UNO)
    # both paths crossed it, both tromboned, both carried abroad by COGENT through Miami
    assert (link.paths, link.tromboned_paths, link.location) == (2, 2, "abroad")
    assert (link.cities, link.countries, link.sources) == (
        ("Miami, US",), ("US",), ("inferred", "observed"),
    )  # fmt: skip
    assert link.min_path_rtt_ms == 90.0
    assert len(link.sample_paths) == 2 and link.sample_paths[0].startswith("msm 1001, probe ")
    status_quo, founding, everyone = result.scenarios
    assert status_quo.pairs_local_after == 0
    assert status_quo.agreement == 1.0
    # Each pair has two ends worth 1/2; UNO and DOS each end both pairs: gain 1 each.
    picks = result.founding_set.picks
    assert [(p.asn, p.marginal_gain) for p in picks] == [(UNO, 1.0), (DOS, 1.0)]
    # One member alone keeps nothing home; both keep both pairs home.
    assert [point.pairs_local for point in result.founding_set.curve] == [0, 0, 2]
    assert founding.pairs_local_after == 2
    outcome = {(o.src_asn, o.dst_asn): o for o in founding.outcomes}
    assert outcome[(UNO, DOS)].route_after == (UNO, DOS)
    assert outcome[(UNO, DOS)].kind_after is RouteKind.IXP
    # No local RTT was measured between them: the floor (2 ms) is the expectation.
    assert outcome[(UNO, DOS)].latency_basis == "floor"
    assert outcome[(UNO, DOS)].saved_ms == pytest.approx(88.0)
    assert outcome[(DOS, UNO)].saved_ms == pytest.approx(98.0)
    assert founding.median_saved_ms == pytest.approx(93.0)
    assert everyone.pairs_local_after == 2
    top = result.candidates[0]
    assert top.explanation.key == "join"
    assert top.explanation.text_en == (
        "Joining would keep 2 of its 2 domestic paths in GT; median 93 ms saved; "
        "AS174 was on 100% of them."
    )


def test_a_network_with_only_foreign_upstreams_that_will_not_peer_stays_abroad() -> None:
    paths = (
        miami(UNO, DOS),
        miami(DOS, UNO),
        path((UNO, COGENT, LUMEN, CUATRO), Verdict.TROMBONED, carried_by=(COGENT, LUMEN),
             cities=("Miami, US",), rtt_ms=120.0, floor_rtt_ms=3.0),
        path((UNO, DOS), Verdict.LOCAL, rtt_ms=6.0),
    )  # fmt: skip
    rels = (
        AsRelationship(COGENT, UNO, P2C),
        AsRelationship(COGENT, DOS, P2C),
        AsRelationship(LUMEN, CUATRO, P2C),
        AsRelationship(COGENT, LUMEN, PEER),
    )
    inputs = ModelInputs(
        relationships=rels, countries={COGENT: "US", LUMEN: "US"}, members=(UNO, DOS)
    )
    result = run_model_on(analysis(*paths, names={LUMEN: "Lumen"}), inputs, k=0)
    members_file = next(s for s in result.scenarios if s.name == "members_file")
    outcome = {(o.src_asn, o.dst_asn): o for o in members_file.outcomes}
    # UNO -> DOS measured both ways (1 tromboned, 1 local: status tromboned, ties go to
    # tromboned); at the IXP it is local and the local RTT measured (6 ms) is expected.
    kept = outcome[(UNO, DOS)]
    assert kept.local_after and kept.latency_basis == "measured_local"
    assert kept.expected_rtt_ms == 6.0
    assert kept.saved_ms == pytest.approx(84.0)
    # UNO -> CUATRO: CUATRO is not at the IXP and buys transit only from LUMEN (US).
    stays = outcome[(UNO, CUATRO)]
    assert not stays.local_after
    assert stays.route_after == (UNO, COGENT, LUMEN, CUATRO)
    assert stays.reason is StayReason.DESTINATION_NOT_AT_IXP
    assert "buys transit only abroad (AS3356 (Lumen))" in stays.reason_text
    cuatro = next(n for n in result.networks if n.asn == CUATRO)
    assert cuatro.foreign_upstreams_only and cuatro.providers == (LUMEN,)
    # A founding set of 0 changes nothing; the curve has the status quo only.
    assert result.founding_set.picks == ()
    assert len(result.founding_set.curve) == 1


def test_a_customer_route_abroad_is_preferred_over_the_ixp_and_explained() -> None:
    # DOS sells transit to UNO but they interconnect in Miami (measured: DOS carried it).
    paths = (
        path((DOS, UNO), Verdict.TROMBONED, carried_by=(DOS,), cities=("Miami, US",),
             rtt_ms=80.0, floor_rtt_ms=2.0),
        path((UNO, DOS), Verdict.TROMBONED, carried_by=(DOS,), cities=("Miami, US",),
             rtt_ms=80.0, floor_rtt_ms=2.0),
    )  # fmt: skip
    inputs = ModelInputs(relationships=(AsRelationship(DOS, UNO, P2C),))
    result = run_model_on(analysis(*paths), inputs, k=2)
    link = next(link for link in result.links if {link.a, link.b} == {UNO, DOS})
    assert link.location == "abroad" and link.cities == ("Miami, US",)
    everyone = result.scenarios[-1]
    outcome = {(o.src_asn, o.dst_asn): o for o in everyone.outcomes}
    assert outcome[(DOS, UNO)].reason is StayReason.POLICY
    assert outcome[(DOS, UNO)].kind_after is RouteKind.CUSTOMER
    assert "over a link measured abroad" in outcome[(DOS, UNO)].reason_text
    # Nothing to gain for either: the greedy picks nobody.
    assert result.founding_set.picks == ()
    assert {c.explanation.key for c in result.candidates} == {"nothing_to_gain"}


def test_measured_pairs_fold_paths_and_keep_local_rtts_of_either_direction() -> None:
    pairs = measured_pairs(
        (
            miami(UNO, DOS, rtt_ms=90.0),
            miami(UNO, DOS, rtt_ms=70.0),
            path((DOS, UNO), Verdict.LOCAL, rtt_ms=9.0),
            path((UNO, TRES), Verdict.INCONCLUSIVE),
        )
    )
    by_key = {(p.src_asn, p.dst_asn): p for p in pairs}
    assert by_key[(UNO, DOS)].status == "tromboned"
    assert by_key[(UNO, DOS)].rtt_ms == 80.0
    assert by_key[(UNO, DOS)].local_rtt_ms == 9.0
    assert by_key[(DOS, UNO)].status == "local"
    assert by_key[(UNO, TRES)].status == "inconclusive"


def test_status_quo_members_from_peeringdb_are_shown_with_the_pairs_still_abroad() -> None:
    from ixpready.refdata.members import IxpMembers

    inputs = ModelInputs(ixps=(IxpMembers(1, "IXP-GT", HOME, "Guatemala", (UNO,)),))
    result = run_model_on(analysis(miami(UNO, DOS), miami(DOS, UNO)), inputs, k=1)
    uno = next(c for c in result.candidates if c.asn == UNO)
    assert uno.present_at == ("IXP-GT",)
    assert uno.still_abroad_pairs == 2
    assert uno.explanation.key == "member_still_abroad"
    # UNO already covers its ends (1.0); DOS adds the other two halves.
    assert result.founding_set.already_present == (UNO,)
    assert [(p.asn, p.marginal_gain) for p in result.founding_set.picks] == [(DOS, 1.0)]
    assert [p.pairs_local for p in result.founding_set.curve] == [0, 2]
    graph = build_graph((miami(UNO, DOS),), home=HOME)
    routes = simulate(graph, measured_pairs([miami(UNO, DOS)]), [UNO])
    assert routes[(UNO, DOS)].path == (UNO, COGENT, DOS)
    assert not routes[(UNO, DOS)].local


def test_a_member_whose_route_grows_longer_does_not_push_its_customers_abroad() -> None:
    # DEST buys from P0 (GT), P0 from BIG (US). Y buys from X; DEST buys from Y too.
    # P buys from P0; N buys from P and from BIG. X is at the IXP; then P joins.
    dest, p0, y, x, n, p, big = 64510, 64511, 64512, 64513, 64515, 100, 3356
    rels = [
        AsRelationship(p0, dest, P2C),
        AsRelationship(big, p0, P2C),
        AsRelationship(x, y, P2C),
        AsRelationship(y, dest, P2C),
        AsRelationship(p0, p, P2C),
        AsRelationship(p, n, P2C),
        AsRelationship(big, n, P2C),
    ]
    countries = {a: HOME for a in (dest, p0, y, x, n, p)} | {big: "US"}
    graph = build_graph((), home=HOME, relationships=rels, countries=countries)
    before = PolicyRouter(graph, [n, p], members=[x])
    # N: via P (P, P0, DEST: 3 hops, local) or via BIG (BIG, P0, DEST: 3 hops, abroad).
    assert before.route(before.table(dest), n, dest).path == (n, p, p0, dest)
    after = PolicyRouter(graph, [n, p], members=[x, p])
    # P now prefers the IXP (a peer route) over P0 (a provider route) though it is longer:
    assert after.route(after.table(dest), p, dest).path == (p, x, y, dest)
    # N's route through P grows to 4 hops, BIG still offers 3; shortest-first would send
    # N abroad, the in-country preference keeps it home.
    route = after.route(after.table(dest), n, dest)
    assert route.path == (n, p, x, y, dest)
    assert route.local


def test_dependence_shares_and_hegemony_worked_by_hand() -> None:
    paths = (
        miami(UNO, DOS),  # COGENT
        miami(DOS, UNO),  # COGENT
        miami(UNO, TRES, carrier=LUMEN),  # LUMEN
        miami(UNO, TRES, carrier=LUMEN),  # same pair again: the pair counts once
    )
    result = run_model_on(analysis(*paths, names={COGENT: "Cogent"}), ModelInputs(), k=1)
    carriers = {s.key: s for s in result.country_dependence if s.kind == "as"}
    # three pairs of weight 1: COGENT on two of them, LUMEN on one (two half-weight paths)
    assert carriers[str(COGENT)].share == pytest.approx(2 / 3)
    assert carriers[str(COGENT)].paths == 2
    assert carriers[str(LUMEN)].share == pytest.approx(1 / 3)
    assert carriers[str(LUMEN)].paths == 2
    # per source: UNO 1/2 COGENT, 1/2 LUMEN; DOS all COGENT. Mean over the two sources.
    assert carriers[str(COGENT)].hegemony == pytest.approx(0.75)
    assert carriers[str(LUMEN)].hegemony == pytest.approx(0.25)
    city = next(s for s in result.country_dependence if s.kind == "city")
    assert (city.key, city.country) == ("Miami, US", "US")
    assert city.share == pytest.approx(1.0)
    uno = next(d for d in result.dependence if d.asn == UNO)
    # UNO ends 4 paths: DOS pair (1 path each way, weight 1 each), TRES pair (2 x 1/2)
    assert uno.paths == 4
    assert {s.key: s.share for s in uno.carriers} == {
        str(COGENT): pytest.approx(2 / 3),
        str(LUMEN): pytest.approx(1 / 3),
    }


def test_hegemony_trims_a_tenth_at_each_end_from_ten_sources() -> None:
    assert trimmed_mean([float(v) for v in range(10)] + [100.0]) == pytest.approx(5.0)
    assert trimmed_mean([0.0, 1.0, 100.0]) == pytest.approx(101 / 3)  # too few to trim
    assert trimmed_mean([]) == 0.0


def test_an_analysis_without_domestic_paths_models_to_an_empty_result() -> None:
    result = run_model_on(analysis(), ModelInputs(), k=3)
    assert result.candidates == () and result.founding_set.picks == ()
    assert [s.pairs for s in result.scenarios] == [0, 0, 0]
    assert result.scenarios[0].agreement is None
    assert model_from_json(to_json(result)) == result
    assert isinstance(result.founding_set.curve[0].objective, float)
