"""Policy routing on the interconnection graph, with or without a national IXP.

The usual model (Gao and Rexford 2001): a network prefers a route learned from a customer
over one from a peer over one from a provider, and exports customer routes (and its own)
to everyone but peer and provider routes only to its customers, so every route is
valley-free: up through providers, at most one peering, down through customers.

Within one class a network prefers a route that stays in the country (every network on it
domestic, no link measured only abroad), then the shortest, then the lowest next-hop ASN.
The national IXP adds a peering between every two members that have no transit
relationship; members announce there only their own and their customers' routes that stay
in the country. With these two rules adding a member never turns a local route into one
that leaves the country (a property the tests check), which plain shortest-path
tie-breaking does not guarantee.

Only what the measured pairs need is routed: for a destination, customer routes are
found by climbing its provider cone, and the other routes only in the "world" above the
sources (their provider cones), never over all pairs of the graph.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from ixpready.model.graph import InterconnectionGraph
from ixpready.model.results import RouteKind

_OWN, _CUSTOMER, _PEER, _IXP, _PROVIDER = 0, 1, 2, 3, 4
_KINDS = {
    _OWN: RouteKind.OWN,
    _CUSTOMER: RouteKind.CUSTOMER,
    _PEER: RouteKind.PEER,
    _IXP: RouteKind.IXP,
    _PROVIDER: RouteKind.PROVIDER,
}

# A route at one network: (kind, local, length in AS hops, next hop)
_State = tuple[int, bool, int, int]


@dataclass(frozen=True, slots=True)
class AsRoute:
    """The AS-level route one network uses toward a destination in the model: the AS path, its
    class, locality. (Not `measurements.records.Route`, a trace's responding addresses.)"""

    path: tuple[int, ...]  # source first, destination last; () when there is none
    kind: RouteKind
    local: bool


NO_ROUTE = AsRoute((), RouteKind.NONE, False)


class PolicyRouter:
    """Routes from a fixed set of sources toward any destination, for one IXP membership."""

    def __init__(
        self, graph: InterconnectionGraph, sources: Iterable[int], members: Iterable[int] = ()
    ) -> None:
        self.graph = graph
        self.members = frozenset(m for m in members if graph.has(m))
        focus = {n for n in sources if graph.has(n)} | graph.domestic | self.members
        self.world = frozenset(graph.up_closure(focus))
        self._down: dict[int, tuple[int, ...]] = {}
        self._peers: dict[int, tuple[int, ...]] = {}

    def _down_of(self, node: int) -> tuple[int, ...]:
        found = self._down.get(node)
        if found is None:
            found = tuple(sorted(self.graph.customers_of(node) & self.world))
            self._down[node] = found
        return found

    def _peers_of(self, node: int) -> tuple[int, ...]:
        found = self._peers.get(node)
        if found is None:
            found = tuple(sorted(self.graph.peers_of(node) & self.world))
            self._peers[node] = found
        return found

    def table(self, dst: int) -> dict[int, _State]:
        """Returns every routed network's route state toward `dst` (internal form)."""
        g = self.graph
        if not g.has(dst):
            return {}
        domestic = g.domestic
        abroad = g.abroad_links
        providers = g.providers
        none: frozenset[int] = frozenset()
        world = self.world
        state: dict[int, _State] = {dst: (_OWN, dst in domestic, 0, dst)}

        def away(a: int, b: int) -> bool:
            return bool(abroad) and ((a, b) if a < b else (b, a)) in abroad

        # 1. customer routes that stay in the country: climb in-country links only
        if dst in domestic:
            frontier = [dst]
            length = 0
            while frontier:
                found: dict[int, int] = {}
                for node in sorted(frontier):
                    for provider in providers.get(node, none):
                        if (
                            provider in state
                            or provider in found
                            or provider not in domestic
                            or away(node, provider)
                        ):
                            continue
                        found[provider] = node
                length += 1
                for provider, node in found.items():
                    state[provider] = (_CUSTOMER, True, length, node)
                frontier = list(found)
        # 2. every other customer route: shortest extension of the neighbours' choices
        heap = [
            (length + 1, node, provider)
            for node, (_, _, length, _) in state.items()
            for provider in providers.get(node, none)
            if provider not in state
        ]
        heapq.heapify(heap)
        while heap:
            length, via, node = heapq.heappop(heap)
            if node in state:
                continue
            state[node] = (_CUSTOMER, False, length, via)
            for provider in providers.get(node, none):
                if provider not in state:
                    heapq.heappush(heap, (length + 1, node, provider))
        # 3. peer routes (registered peerings, then the national IXP) for the world
        best: dict[int, tuple[bool, int, int, int]] = {}  # (not local, length, via, kind)
        for node, (_, local, length, _) in state.items():
            for peer in self._peers_of(node):
                if peer in state:
                    continue
                stays = local and peer in domestic and not away(node, peer)
                candidate = (not stays, length + 1, node, _PEER)
                if peer not in best or candidate < best[peer]:
                    best[peer] = candidate
        if self.members:
            offers = sorted((state[m][2], m) for m in self.members if m in state and state[m][1])
            for member in self.members:
                if member in state:
                    continue
                for length, offer in offers:
                    if (
                        offer == member
                        or offer in g.providers_of(member)
                        or offer in g.customers_of(member)
                    ):
                        continue
                    candidate = (member not in domestic, length + 1, offer, _IXP)
                    if member not in best or candidate < best[member]:
                        best[member] = candidate
                    break
        for node, (not_local, length, via, kind) in best.items():
            state[node] = (kind, not not_local, length, via)
        # 4. provider routes, down from every network that has a route, inside the world
        down_of = self._down_of
        down = [
            (not (local and customer in domestic and not away(node, customer)),
             length + 1, node, customer)
            for node, (_, local, length, _) in state.items()
            if node in world
            for customer in down_of(node)
            if customer not in state
        ]  # fmt: skip
        heapq.heapify(down)
        while down:
            not_local, length, via, node = heapq.heappop(down)
            if node in state:
                continue
            state[node] = (_PROVIDER, not not_local, length, via)
            local = not not_local and node in domestic
            for customer in down_of(node):
                if customer not in state:
                    stays = local and customer in domestic and not away(node, customer)
                    heapq.heappush(down, (not stays, length + 1, node, customer))
        return state

    @staticmethod
    def route(table: dict[int, _State], src: int, dst: int) -> AsRoute:
        """Returns the route `src` uses in a `table(dst)`, NO_ROUTE when it has none."""
        found = table.get(src)
        if found is None:
            return NO_ROUTE
        kind, local, length, _ = found
        path = [src]
        node = src
        while node != dst and len(path) <= length + 1:
            node = table[node][3]
            path.append(node)
        return AsRoute(tuple(path), _KINDS[kind], local)

    def routes(self, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], AsRoute]:
        """Returns the route of every (source, destination) pair, one table per destination."""
        out: dict[tuple[int, int], AsRoute] = {}
        for dst, sources in _by_destination(pairs).items():
            table = self.table(dst)
            for src in sources:
                out[(src, dst)] = self.route(table, src, dst)
        return out

    def local_pairs(self, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
        """Returns the pairs whose route stays in the country (no paths built: faster)."""
        out: set[tuple[int, int]] = set()
        for dst, sources in _by_destination(pairs).items():
            table = self.table(dst)
            for src in sources:
                found = table.get(src)
                if found is not None and found[1]:
                    out.add((src, dst))
        return out


def _by_destination(pairs: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    by_dst: dict[int, list[int]] = {}
    for src, dst in pairs:
        by_dst.setdefault(dst, []).append(src)
    return dict(sorted(by_dst.items()))


def link_kind(graph: InterconnectionGraph, a: int, b: int, members: frozenset[int]) -> str:
    """Returns how a route crosses a->b: "up" (to a provider), "down", "peer" or "none"."""
    if b in graph.providers_of(a):
        return "up"
    if b in graph.customers_of(a):
        return "down"
    if b in graph.peers_of(a) or (a in members and b in members):
        return "peer"
    return "none"


def is_valley_free(
    path: tuple[int, ...], graph: InterconnectionGraph, members: frozenset[int]
) -> bool:
    """Returns True when the path climbs, crosses at most one peering, then only descends."""
    phase = 0  # 0 climbing, 1 after the peering or the first descent
    for a, b in itertools.pairwise(path):
        kind = link_kind(graph, a, b, members)
        if kind == "none":
            return False
        if kind == "up":
            if phase != 0:
                return False
        elif kind == "peer":
            if phase != 0:
                return False
            phase = 1
        else:
            phase = 1
    return len(set(path)) == len(path)
