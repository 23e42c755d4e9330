"""Properties of the routing model and the founding-set greedy, on generated topologies."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ixpready.analysis.verdicts import Verdict
from ixpready.model.graph import AsRelationship, InterconnectionGraph, build_graph
from ixpready.model.ranking import founding_picks, greedy_cover
from ixpready.model.results import Relationship
from ixpready.model.routing import AsRoute, PolicyRouter, is_valley_free, link_kind

from .world import HOME, path

BASE = 64500


@dataclass(frozen=True)
class Topology:
    graph: InterconnectionGraph
    members: frozenset[int]
    extra: int


@st.composite
def topologies(draw: st.DrawFn) -> Topology:
    """Returns a random tiered topology: transit only flows from a higher tier down."""
    n = draw(st.integers(min_value=2, max_value=12))
    nodes = [BASE + i for i in range(n)]
    tier = {a: draw(st.integers(min_value=0, max_value=3)) for a in nodes}
    home = {a: draw(st.booleans()) for a in nodes}
    rels: list[AsRelationship] = []
    seen: set[frozenset[int]] = set()
    for a, b, peer in draw(
        st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes), st.booleans()),
                 max_size=3 * n)
    ):  # fmt: skip
        if a == b or frozenset((a, b)) in seen:
            continue
        if tier[a] == tier[b]:
            if peer:
                rels.append(AsRelationship(a, b, Relationship.PEER))
                seen.add(frozenset((a, b)))
        else:
            provider, customer = (a, b) if tier[a] < tier[b] else (b, a)
            rels.append(AsRelationship(provider, customer, Relationship.PROVIDER_CUSTOMER))
            seen.add(frozenset((a, b)))
    country = {a: HOME if home[a] else "US" for a in nodes}
    abroad = draw(st.lists(st.sampled_from(sorted(seen, key=sorted)), max_size=2)) if seen else []
    paths = []
    for link in abroad:
        a, b = sorted(link)
        paths.append(
            path((a, b), Verdict.TROMBONED, carried_by=(a,), src_country=country[a],
                 dst_country=country[b])
        )  # fmt: skip
    graph = build_graph(paths, home=HOME, relationships=rels, countries=country)
    members = frozenset(draw(st.lists(st.sampled_from(nodes), max_size=n)))
    return Topology(graph, members, draw(st.sampled_from(nodes)))


def _all_routes(topology: Topology, members: frozenset[int]) -> dict[tuple[int, int], AsRoute]:
    graph = topology.graph
    nodes = sorted(graph.graph.nodes)
    router = PolicyRouter(graph, nodes, members)
    return router.routes([(s, d) for s, d in itertools.permutations(nodes, 2)])


@settings(max_examples=400, deadline=None)
@given(topologies())
def test_adding_a_member_never_makes_a_local_pair_leave(topology: Topology) -> None:
    before = _all_routes(topology, topology.members)
    after = _all_routes(topology, topology.members | {topology.extra})
    for pair, route in before.items():
        if route.local:
            assert after[pair].local, (pair, route, after[pair])
    count = sum(r.local for r in before.values())
    assert sum(r.local for r in after.values()) >= count


@settings(max_examples=400, deadline=None)
@given(topologies())
def test_every_simulated_route_is_valley_free_and_local_means_domestic(
    topology: Topology,
) -> None:
    graph = topology.graph
    for (src, dst), route in _all_routes(topology, topology.members).items():
        hops = route.path
        if not hops:
            continue
        assert hops[0] == src and hops[-1] == dst
        assert is_valley_free(hops, graph, topology.members), hops
        # a peering of two members crosses the IXP, at home, even if they also meet abroad
        at_ixp = {
            (a, b)
            for a, b in itertools.pairwise(hops)
            if {a, b} <= topology.members and link_kind(graph, a, b, topology.members) == "peer"
        }
        stays = all(a in graph.domestic for a in hops) and not any(
            graph.link_abroad(a, b) and (a, b) not in at_ixp for a, b in itertools.pairwise(hops)
        )
        assert route.local == stays, hops


def _plain_greedy(
    covers: dict[int, frozenset[int]], value: dict[int, float], k: int
) -> list[tuple[int, float]]:
    covered: set[int] = set()
    picks: list[tuple[int, float]] = []
    left = dict(covers)
    for _ in range(k):
        gains = {a: sum(value[e] for e in c - covered) for a, c in left.items()}
        if not gains:
            break
        best = min(gains, key=lambda a: (-gains[a], a))
        if gains[best] <= 0:
            break
        picks.append((best, gains[best]))
        covered |= left.pop(best)
    return picks


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=40),
        st.frozensets(st.integers(min_value=0, max_value=30), max_size=10),
        max_size=15,
    ),
    st.lists(st.integers(min_value=0, max_value=8), min_size=31, max_size=31),
    st.integers(min_value=0, max_value=15),
)
def test_greedy_gains_never_increase_and_match_the_plain_greedy(
    covers: dict[int, frozenset[int]], values: list[int], k: int
) -> None:
    value = {e: values[e] / 2 for e in range(31)}
    picks = greedy_cover(covers, value, k)
    gains = [g for _, g in picks]
    assert all(a >= b for a, b in itertools.pairwise(gains))
    assert all(g > 0 for g in gains)
    assert picks == _plain_greedy(covers, value, k)


@settings(max_examples=200, deadline=None)
@given(topologies(), st.lists(st.integers(min_value=1, max_value=6), min_size=12, max_size=12))
def test_founding_picks_on_generated_graphs_have_non_increasing_gains(
    topology: Topology, halves: list[int]
) -> None:
    graph = topology.graph
    value = {asn: halves[asn - BASE] / 2 for asn in graph.domestic}
    picks, total = founding_picks(graph, value, k=12, already=())
    gains = [p.marginal_gain for p in picks]
    assert all(a >= b > 0 for a, b in itertools.pairwise(gains))
    assert [p.order for p in picks] == list(range(1, len(picks) + 1))
    # with every domestic network picked, everything is covered
    if len(picks) < 12:
        assert picks[-1].objective == pytest.approx(total) if picks else total == 0


def test_the_valley_free_check_rejects_valleys_and_second_peerings() -> None:
    a, b, c, d = BASE, BASE + 1, BASE + 2, BASE + 3
    p2c, peer = Relationship.PROVIDER_CUSTOMER, Relationship.PEER
    rels = [AsRelationship(a, b, p2c), AsRelationship(c, b, p2c), AsRelationship(c, d, peer),
            AsRelationship(a, c, peer)]  # fmt: skip
    graph = build_graph((), home=HOME, relationships=rels)
    none: frozenset[int] = frozenset()
    assert is_valley_free((b, a), graph, none)  # up
    assert is_valley_free((b, a, c, b), graph, none) is False  # loops back to b
    assert is_valley_free((a, b, c), graph, none) is False  # down then up: a valley
    assert is_valley_free((a, c, d), graph, none) is False  # two peerings
    assert is_valley_free((b, c, d), graph, none)  # up, then one peering
    assert is_valley_free((b, d), graph, none) is False  # no link at all
    assert is_valley_free((b, d), graph, frozenset({b, d}))  # unless both are IXP members
