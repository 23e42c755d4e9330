"""The interconnection graph: networks as nodes, observed and registered links as edges.

`build_graph` returns an `InterconnectionGraph`: a networkx graph (node attributes
`country`, `name`, `domestic`; edge attributes `relationship`, `provider`, `sources` and,
for links seen in measured paths, the evidence: `paths`, `tromboned_paths`, `location`,
`countries`, `cities`, `ixps`, `min_path_rtt_ms`) plus the provider/customer/peer
adjacency the routing model walks. No I/O.

Relationships come from CAIDA AS-relationship data where it has the link; a link seen only
in measured paths is inferred the way Gao (2001) does it: on each path the best-connected
network (foreign networks above domestic ones, then by degree) is the top, links climb to
it and descend after it; a link voted both ways is a peering. A link between a domestic
and a foreign network with no vote defaults to the foreign one selling transit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from ixpready.analysis.verdicts import PathVerdict, Verdict
from ixpready.model.results import LinkInfo, LinkLocation

# read with the reference data (refdata.snapshots); named here too for the model's users
from ixpready.refdata.snapshots import AsRelationship as AsRelationship
from ixpready.refdata.snapshots import Relationship

LOCAL_VERDICTS = frozenset({Verdict.LOCAL, Verdict.LOCAL_VIA_IXP})
_CAIDA = ("caida",)
SAMPLES = 3  # measured paths named per link as evidence


@dataclass(slots=True)
class _Evidence:
    paths: int = 0
    tromboned: int = 0
    seen_local: bool = False
    seen_carried_abroad: bool = False
    countries: dict[str, None] = field(default_factory=dict)
    cities: dict[str, None] = field(default_factory=dict)
    ixps: dict[str, None] = field(default_factory=dict)
    min_rtt_ms: float | None = None
    samples: list[str] = field(default_factory=list)


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def clean_as_path(as_path: Iterable[int]) -> tuple[int, ...]:
    """Returns the AS path without prepending repeats (consecutive duplicates)."""
    out: list[int] = []
    for asn in as_path:
        if not out or out[-1] != asn:
            out.append(asn)
    return tuple(out)


class InterconnectionGraph:
    """Networks and links, with the adjacency by relationship the routing model uses.

    `providers[x]` are the networks `x` buys transit from, `customers[x]` those it sells to,
    `peers[x]` those it peers with. `abroad_links` holds links (low ASN first) measured only
    outside the country. Build it with `build_graph` (or `from_relationships`).
    """

    def __init__(self, home: str, graph: nx.Graph, evidence: Mapping[tuple[int, int], _Evidence]):
        self.home = home
        self.graph = graph
        self._evidence = dict(evidence)
        providers: dict[int, set[int]] = {}
        customers: dict[int, set[int]] = {}
        peers: dict[int, set[int]] = {}
        for a, b, data in graph.edges(data=True):
            if data["relationship"] == Relationship.PEER:
                peers.setdefault(a, set()).add(b)
                peers.setdefault(b, set()).add(a)
            else:
                provider = data["provider"]
                customer = b if provider == a else a
                providers.setdefault(customer, set()).add(provider)
                customers.setdefault(provider, set()).add(customer)
        empty: frozenset[int] = frozenset()
        self.providers = {k: frozenset(v) for k, v in providers.items()}
        self.customers = {k: frozenset(v) for k, v in customers.items()}
        self.peers = {k: frozenset(v) for k, v in peers.items()}
        self._empty = empty
        self.domestic = frozenset(n for n, d in graph.nodes(data=True) if d.get("domestic"))
        self.abroad_links = frozenset(
            k for k, e in self._evidence.items() if _location(e) is LinkLocation.ABROAD
        )

    def providers_of(self, asn: int) -> frozenset[int]:
        """Returns the networks `asn` buys transit from."""
        return self.providers.get(asn, self._empty)

    def customers_of(self, asn: int) -> frozenset[int]:
        """Returns the networks `asn` sells transit to."""
        return self.customers.get(asn, self._empty)

    def peers_of(self, asn: int) -> frozenset[int]:
        """Returns the networks `asn` peers with (registered or measured)."""
        return self.peers.get(asn, self._empty)

    def has(self, asn: int) -> bool:
        """Returns True when the network is in the graph."""
        return bool(self.graph.has_node(asn))

    def country(self, asn: int) -> str | None:
        """Returns the network's country (ISO alpha-2), None when unknown."""
        if not self.graph.has_node(asn):
            return None
        value = self.graph.nodes[asn].get("country")
        return None if value is None else str(value)

    def name(self, asn: int) -> str:
        """Returns the network's name, or "AS<n>" when none is known."""
        if self.graph.has_node(asn):
            value = self.graph.nodes[asn].get("name")
            if value:
                return str(value)
        return f"AS{asn}"

    def link_abroad(self, a: int, b: int) -> bool:
        """Returns True when the link was measured only outside the country."""
        return _key(a, b) in self.abroad_links

    def up_closure(self, start: Iterable[int]) -> set[int]:
        """Returns `start` and every network above it through provider links."""
        seen = set(start)
        stack = list(seen)
        while stack:
            node = stack.pop()
            for provider in self.providers.get(node, self._empty):
                if provider not in seen:
                    seen.add(provider)
                    stack.append(provider)
        return seen

    def domestic_cone(self, asn: int) -> set[int]:
        """Returns `asn` and the domestic networks below it through in-country p2c links."""
        seen = {asn}
        stack = [asn]
        while stack:
            node = stack.pop()
            for customer in self.customers.get(node, self._empty):
                if (
                    customer not in seen
                    and customer in self.domestic
                    and not self.link_abroad(node, customer)
                ):
                    seen.add(customer)
                    stack.append(customer)
        return seen

    def links(self, around: Iterable[int] = ()) -> tuple[LinkInfo, ...]:
        """Returns the measured links and every link of the `around` networks, with their
        evidence, sorted by ASNs (for p2c the provider is `a`)."""
        keys = set(self._evidence)
        for node in around:
            if self.graph.has_node(node):
                keys.update(_key(node, other) for other in self.graph.adj[node])
        out: list[LinkInfo] = []
        for key in keys:
            data = self.graph.edges[key]
            rel = Relationship(data["relationship"])
            first, second = key
            if rel is Relationship.PROVIDER_CUSTOMER:
                first = data["provider"]
                second = key[1] if first == key[0] else key[0]
            sources = tuple(data["sources"])
            out.append(_link_info(first, second, rel, sources, self._evidence.get(key)))
        return tuple(sorted(out, key=lambda link: (link.a, link.b)))


def _location(evidence: _Evidence) -> LinkLocation:
    if evidence.seen_local:
        return LinkLocation.HOME
    if evidence.seen_carried_abroad:
        return LinkLocation.ABROAD
    return LinkLocation.UNKNOWN


def _link_info(
    a: int, b: int, rel: Relationship, sources: tuple[str, ...], evidence: _Evidence | None
) -> LinkInfo:
    if evidence is None:
        return LinkInfo(a, b, rel, sources, 0, 0, LinkLocation.UNKNOWN, (), (), (), None, ())
    return LinkInfo(
        a=a,
        b=b,
        relationship=rel,
        sources=sources,
        paths=evidence.paths,
        tromboned_paths=evidence.tromboned,
        location=_location(evidence),
        countries=tuple(evidence.countries),
        cities=tuple(evidence.cities),
        ixps=tuple(evidence.ixps),
        min_path_rtt_ms=evidence.min_rtt_ms,
        sample_paths=tuple(evidence.samples),
    )


def _observe(paths: Iterable[PathVerdict], home: str) -> dict[tuple[int, int], _Evidence]:
    facts: dict[tuple[int, int], _Evidence] = {}
    for path in paths:
        hops = clean_as_path(path.as_path)
        carried = set(path.carried_by)
        for a, b in itertools.pairwise(hops):
            evidence = facts.setdefault(_key(a, b), _Evidence())
            evidence.paths += 1
            if len(evidence.samples) < SAMPLES:
                evidence.samples.append(str(path.trace))
            if path.rtt_ms is not None and (
                evidence.min_rtt_ms is None or path.rtt_ms < evidence.min_rtt_ms
            ):
                evidence.min_rtt_ms = path.rtt_ms
            if path.verdict in LOCAL_VERDICTS:
                evidence.seen_local = True
                evidence.countries.setdefault(home, None)
                for ixp in path.ixps:
                    evidence.ixps.setdefault(ixp, None)
            elif path.verdict is Verdict.TROMBONED:
                evidence.tromboned += 1
                if a in carried or b in carried:
                    evidence.seen_carried_abroad = True
                    for country in path.foreign_countries:
                        evidence.countries.setdefault(country, None)
                    for city in path.foreign_cities:
                        evidence.cities.setdefault(city, None)
                    for ixp in path.ixps:
                        evidence.ixps.setdefault(ixp, None)
    return facts


def _infer(
    paths: Iterable[tuple[int, ...]],
    unknown: set[tuple[int, int]],
    degree: Mapping[int, int],
    domestic: frozenset[int],
) -> dict[tuple[int, int], AsRelationship]:
    """Returns relationships for the `unknown` links from Gao-style votes on the paths."""
    votes: dict[tuple[int, int], set[int]] = {}  # link -> providers voted for
    for hops in paths:
        if len(hops) < 2:
            continue
        top = max(
            range(len(hops)),
            key=lambda i: (hops[i] not in domestic, degree.get(hops[i], 0), -hops[i]),
        )
        for i, (a, b) in enumerate(itertools.pairwise(hops)):
            key = _key(a, b)
            if key in unknown:
                votes.setdefault(key, set()).add(b if i < top else a)
    out: dict[tuple[int, int], AsRelationship] = {}
    for key in unknown:
        a, b = key
        voted = votes.get(key, set())
        if len(voted) == 1:
            provider = next(iter(voted))
            out[key] = AsRelationship(
                provider, b if provider == a else a, Relationship.PROVIDER_CUSTOMER
            )
        elif len(voted) > 1:
            out[key] = AsRelationship(a, b, Relationship.PEER)
        elif (a in domestic) != (b in domestic):
            provider = b if a in domestic else a
            out[key] = AsRelationship(
                provider, a if provider == b else b, Relationship.PROVIDER_CUSTOMER
            )
        else:
            out[key] = AsRelationship(a, b, Relationship.PEER)
    return out


def build_graph(
    paths: Iterable[PathVerdict],
    *,
    home: str,
    relationships: Iterable[AsRelationship] = (),
    countries: Mapping[int, str] | None = None,
    names: Mapping[int, str] | None = None,
) -> InterconnectionGraph:
    """Returns the interconnection graph of the measured paths, merged with registry links.

    `countries` (ASN -> ISO code, e.g. from RIR delegated files) is overridden by the
    countries the analysis gave the ends of each path; a network is domestic when its
    country is `home`.
    """
    path_list = list(paths)
    country: dict[int, str] = dict(countries or {})
    for path in path_list:
        if path.src_asn is not None and path.src_country:
            country[path.src_asn] = path.src_country
        if path.dst_asn is not None and path.dst_country:
            country[path.dst_asn] = path.dst_country
    graph = nx.Graph()
    p2c, peer = Relationship.PROVIDER_CUSTOMER, Relationship.PEER
    graph.add_edges_from(
        (rel.a, rel.b, {"relationship": p2c, "provider": rel.a, "sources": _CAIDA})
        if rel.relationship is p2c
        else (rel.a, rel.b, {"relationship": peer, "provider": None, "sources": _CAIDA})
        for rel in relationships
        if rel.a != rel.b
    )
    evidence = _observe(path_list, home)
    cleaned = [clean_as_path(p.as_path) for p in path_list]
    for hops in cleaned:
        graph.add_nodes_from(hops)
    for path in path_list:
        for end in (path.src_asn, path.dst_asn):
            if end is not None:
                graph.add_node(end)
    for a, b in evidence:
        if graph.has_edge(a, b):
            graph.edges[a, b]["sources"] = ("caida", "observed")
    named = names or {}
    for node, attributes in graph.nodes(data=True):
        where = country.get(node)
        attributes.update(country=where, domestic=where == home, name=named.get(node, ""))
    domestic = frozenset(n for n in graph.nodes if country.get(n) == home)
    unknown = {k for k in evidence if not graph.has_edge(*k)}
    for a, b in unknown:
        graph.add_edge(a, b)
    degree = dict(graph.degree())
    for key, rel in _infer(cleaned, unknown, degree, domestic).items():
        provider = rel.a if rel.relationship is Relationship.PROVIDER_CUSTOMER else None
        graph.edges[key].update(
            relationship=rel.relationship, provider=provider, sources=("inferred", "observed")
        )
    for key, facts in evidence.items():
        location = _location(facts)
        graph.edges[key].update(
            paths=facts.paths,
            tromboned_paths=facts.tromboned,
            location=str(location),
            countries=tuple(facts.countries),
            cities=tuple(facts.cities),
            ixps=tuple(facts.ixps),
            min_path_rtt_ms=facts.min_rtt_ms,
        )
    return InterconnectionGraph(home, graph, evidence)
