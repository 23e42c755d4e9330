"""What a national IXP would change: measured domestic pairs routed with and without it.

`measured_pairs` folds the analysed paths into one `MeasuredPair` per (source AS,
destination AS). `what_if` compares the policy routes of those pairs under two IXP
memberships (usually the status quo and a scenario) and explains every pair that still
leaves the country. Expected latency of a pair made local: the smallest RTT measured on a
local path between the same two networks (either direction); else the pair's physical
floor (straight fibre between the ends), flagged as such.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ixpready.analysis.verdicts import PathVerdict, Verdict
from ixpready.model.graph import LOCAL_VERDICTS, InterconnectionGraph
from ixpready.model.results import PairOutcome, RouteKind, StayReason, WhatIf
from ixpready.model.routing import AsRoute, PolicyRouter


@dataclass(frozen=True, slots=True)
class MeasuredPair:
    """All measured paths from one domestic network to another, folded together.

    `status` is "tromboned" when at least half of the conclusive paths were, "local" when
    the rest were local, "inconclusive" when none was conclusive. `rtt_ms` is the median
    RTT of the tromboned paths (of the local ones for a local pair).
    """

    src_asn: int
    dst_asn: int
    paths: int
    tromboned_paths: int
    local_paths: int
    status: str
    rtt_ms: float | None
    local_rtt_ms: float | None  # smallest RTT of a local path between the two networks
    floor_rtt_ms: float | None
    extra_rtt_ms: float | None
    carriers: tuple[int, ...]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def measured_pairs(paths: Iterable[PathVerdict]) -> tuple[MeasuredPair, ...]:
    """Returns one MeasuredPair per (src_asn, dst_asn), sorted; paths without ASNs skipped."""
    grouped: dict[tuple[int, int], list[PathVerdict]] = {}
    for path in paths:
        if path.src_asn is None or path.dst_asn is None or path.src_asn == path.dst_asn:
            continue
        grouped.setdefault((path.src_asn, path.dst_asn), []).append(path)
    local_rtt: dict[frozenset[int], float] = {}
    for (src, dst), group in grouped.items():
        for path in group:
            if path.verdict in LOCAL_VERDICTS and path.rtt_ms is not None:
                key = frozenset((src, dst))
                local_rtt[key] = min(local_rtt.get(key, path.rtt_ms), path.rtt_ms)
    out: list[MeasuredPair] = []
    for (src, dst), group in sorted(grouped.items()):
        tromboned = [p for p in group if p.verdict is Verdict.TROMBONED]
        local = [p for p in group if p.verdict in LOCAL_VERDICTS]
        if not tromboned and not local:
            status = "inconclusive"
        elif len(tromboned) >= len(local):
            status = "tromboned"
        else:
            status = "local"
        chosen = tromboned if status == "tromboned" else local
        floors = [p.floor_rtt_ms for p in group if p.floor_rtt_ms is not None]
        carriers: dict[int, None] = {}
        for path in tromboned:
            for asn in path.carried_by:
                carriers.setdefault(asn, None)
        out.append(
            MeasuredPair(
                src_asn=src,
                dst_asn=dst,
                paths=len(group),
                tromboned_paths=len(tromboned),
                local_paths=len(local),
                status=status,
                rtt_ms=_median([p.rtt_ms for p in chosen if p.rtt_ms is not None]),
                local_rtt_ms=local_rtt.get(frozenset((src, dst))),
                floor_rtt_ms=min(floors) if floors else None,
                extra_rtt_ms=_median(
                    [p.extra_rtt_ms for p in tromboned if p.extra_rtt_ms is not None]
                ),
                carriers=tuple(carriers),
            )
        )
    return tuple(out)


def simulate(
    graph: InterconnectionGraph, pairs: Iterable[MeasuredPair], members: Iterable[int]
) -> dict[tuple[int, int], AsRoute]:
    """Returns the policy route of every pair with the given IXP members."""
    pair_list = [(p.src_asn, p.dst_asn) for p in pairs]
    router = PolicyRouter(graph, {s for s, _ in pair_list}, members)
    return router.routes(pair_list)


def local_pairs(
    graph: InterconnectionGraph, pairs: Iterable[MeasuredPair], members: Iterable[int]
) -> set[tuple[int, int]]:
    """Returns the pairs whose policy route stays in the country with the given members."""
    pair_list = [(p.src_asn, p.dst_asn) for p in pairs]
    router = PolicyRouter(graph, {s for s, _ in pair_list}, members)
    return router.local_pairs(pair_list)


def reached(graph: InterconnectionGraph, members: Iterable[int]) -> set[int]:
    """Returns the networks at the IXP or below a member through in-country transit."""
    out: set[int] = set()
    for member in members:
        if graph.has(member):
            out |= graph.domestic_cone(member)
    return out


def expected_latency(pair: MeasuredPair) -> tuple[float | None, str]:
    """Returns the expected RTT of a pair routed locally (ms) and its basis."""
    if pair.local_rtt_ms is not None:
        return pair.local_rtt_ms, "measured_local"
    if pair.floor_rtt_ms is not None:
        return pair.floor_rtt_ms, "floor"
    return None, "none"


def _who(graph: InterconnectionGraph, asn: int) -> str:
    name = graph.name(asn)
    return f"AS{asn}" if name == f"AS{asn}" else f"AS{asn} ({name})"


def _upstreams_text(graph: InterconnectionGraph, asn: int) -> str:
    providers = sorted(graph.providers_of(asn))
    if providers and all(p not in graph.domestic for p in providers):
        listed = ", ".join(_who(graph, p) for p in providers[:3])
        return f"; it buys transit only abroad ({listed})"
    return ""


def explain_stay(
    graph: InterconnectionGraph,
    pair: MeasuredPair,
    route: AsRoute,
    at_ixp: set[int],
) -> tuple[StayReason, str]:
    """Returns why a pair's route is local or still leaves the country, in words."""
    src, dst = pair.src_asn, pair.dst_asn
    if route.local:
        how = "over the IXP" if route.kind is RouteKind.IXP else f"by a {route.kind} route"
        return StayReason.LOCAL, f"stays in the country {how}"
    for end in (src, dst):
        if not graph.has(end):
            return StayReason.UNKNOWN_NETWORK, f"{_who(graph, end)} is not in the graph"
    if not route.path:
        return StayReason.NO_ROUTE, "no policy-compliant route between the two networks"
    for end, reason in (
        (src, StayReason.SOURCE_NOT_AT_IXP),
        (dst, StayReason.DESTINATION_NOT_AT_IXP),
    ):
        if end not in at_ixp:
            return reason, (
                f"{_who(graph, end)} is not at the IXP, nor is any domestic network it buys "
                f"transit from{_upstreams_text(graph, end)}"
            )
    leaving = [a for a in route.path if a not in graph.domestic]
    via = f" through {_who(graph, leaving[0])}" if leaving else " over a link measured abroad"
    return StayReason.POLICY, (
        f"both ends reach the IXP, but {_who(graph, src)} prefers its {route.kind} route"
        f"{via}, which leaves the country"
    )


def what_if(
    graph: InterconnectionGraph,
    pairs: tuple[MeasuredPair, ...],
    weights: Mapping[tuple[int, int], float],
    *,
    name: str,
    members: Iterable[int],
    before: Mapping[tuple[int, int], AsRoute],
    after: Mapping[tuple[int, int], AsRoute] | None = None,
) -> WhatIf:
    """Returns the scenario `name`: the pairs' routes with `members` at the IXP vs `before`.

    `after` may be given when already simulated (`simulate(graph, pairs, members)`).
    """
    member_set = frozenset(members)
    routes = after if after is not None else simulate(graph, pairs, member_set)
    at_ixp = reached(graph, member_set)
    outcomes: list[PairOutcome] = []
    agree = conclusive = 0
    saved_values: list[float] = []
    for pair in pairs:
        key = (pair.src_asn, pair.dst_asn)
        old = before.get(key, AsRoute((), RouteKind.NONE, False))
        new = routes.get(key, AsRoute((), RouteKind.NONE, False))
        reason, text = explain_stay(graph, pair, new, at_ixp)
        if pair.status != "inconclusive":
            conclusive += 1
            agree += old.local == (pair.status == "local")
        expected, basis = expected_latency(pair) if new.local else (None, "none")
        saved: float | None = None
        if new.local and pair.status == "tromboned" and expected is not None and pair.rtt_ms:
            saved = max(0.0, pair.rtt_ms - expected)
            saved_values.append(saved)
        outcomes.append(
            PairOutcome(
                src_asn=pair.src_asn,
                dst_asn=pair.dst_asn,
                weight=weights.get(key, 0.0),
                paths=pair.paths,
                measured=pair.status,
                local_before=old.local,
                local_after=new.local,
                route_before=old.path,
                route_after=new.path,
                kind_after=new.kind,
                reason=reason,
                reason_text=text,
                measured_rtt_ms=pair.rtt_ms,
                expected_rtt_ms=expected,
                latency_basis=basis,
                saved_ms=saved,
            )
        )
    return WhatIf(
        name=name,
        members=tuple(sorted(member_set)),
        pairs=len(outcomes),
        pairs_local_before=sum(o.local_before for o in outcomes),
        pairs_local_after=sum(o.local_after for o in outcomes),
        weight_local_before=float(sum(o.weight for o in outcomes if o.local_before)),
        weight_local_after=float(sum(o.weight for o in outcomes if o.local_after)),
        measured_tromboned_made_local=sum(
            o.local_after for o in outcomes if o.measured == "tromboned"
        ),
        median_saved_ms=_median(saved_values),
        agreement=agree / conclusive if conclusive else None,
        outcomes=tuple(outcomes),
    )
