"""Who depends on which foreign networks, who should join the IXP, and in what order.

Dependence is read off the measured paths, never off whole-graph centrality: a path counts
with its pair's weight shared among the pair's paths, a network's share is the weighted
fraction of its paths a carrier (a foreign network on the path, or one that took it abroad),
city or IXP was on. At country level `hegemony` is the mean of those shares over the
source networks with the top and bottom 10 % trimmed (as AS hegemony, Fontugne et al.
2018, trims viewpoints), so one heavily measured network cannot dominate it.

The founding set maximises a weighted coverage, which is monotone and submodular, so the
greedy order is within 1 - 1/e of the best and its gains never increase: each tromboned
pair that a full IXP would make local has two ends worth half its weight; a member covers
its own end and those of the domestic networks below it through in-country transit.
"""

from __future__ import annotations

import heapq
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from ixpready.analysis.verdicts import PathVerdict
from ixpready.model.graph import InterconnectionGraph, clean_as_path
from ixpready.model.results import (
    Candidate,
    Dependence,
    Explanation,
    Pick,
    Share,
    WhatIf,
)
from ixpready.model.whatif import MeasuredPair

TRIM = 0.1


def pair_weights(
    pairs: Iterable[MeasuredPair], user_share: Mapping[int, float] | None
) -> dict[tuple[int, int], float]:
    """Returns each pair's weight: 1, or the product of its two networks' user shares."""
    out: dict[tuple[int, int], float] = {}
    for pair in pairs:
        key = (pair.src_asn, pair.dst_asn)
        if user_share is None:
            out[key] = 1.0
        else:
            out[key] = user_share.get(pair.src_asn, 0.0) * user_share.get(pair.dst_asn, 0.0)
    return out


def carriers_of(path: PathVerdict, graph: InterconnectionGraph) -> tuple[int, ...]:
    """Returns the networks a path depended on: those that took it abroad, then foreign ones."""
    out: dict[int, None] = dict.fromkeys(path.carried_by)
    for asn in clean_as_path(path.as_path):
        if asn not in graph.domestic:
            out.setdefault(asn, None)
    return tuple(out)


def _shares(
    tally: Mapping[str, tuple[float, int]],
    total: float,
    kind: str,
    describe: Mapping[str, tuple[str, str | None]],
) -> tuple[Share, ...]:
    rows = [
        Share(kind, key, *describe.get(key, (key, None)), paths=count, weight=weight,
              share=weight / total if total else 0.0)
        for key, (weight, count) in tally.items()
    ]  # fmt: skip
    return tuple(sorted(rows, key=lambda s: (-s.weight, s.key)))


def _add(tally: dict[str, tuple[float, int]], key: str, weight: float) -> None:
    old = tally.get(key, (0.0, 0))
    tally[key] = (old[0] + weight, old[1] + 1)


def trimmed_mean(values: Sequence[float], trim: float = TRIM) -> float:
    """Returns the mean after dropping `trim` of the values at each end (none under 10)."""
    ordered = sorted(values)
    cut = int(len(ordered) * trim) if len(ordered) >= 10 else 0
    kept = ordered[cut : len(ordered) - cut] if cut else ordered
    return statistics.fmean(kept) if kept else 0.0


def dependence(
    paths: Sequence[PathVerdict],
    graph: InterconnectionGraph,
    weights: Mapping[tuple[int, int], float],
    pair_paths: Mapping[tuple[int, int], int],
) -> tuple[tuple[Share, ...], tuple[Dependence, ...]]:
    """Returns the country's dependence on foreign networks/cities/IXPs and each network's.

    A network's own rows count the paths where it is either end.
    """
    per_net: dict[int, list[tuple[PathVerdict, float]]] = {}
    per_src: dict[int, list[tuple[PathVerdict, float]]] = {}
    country_tally: dict[str, dict[str, tuple[float, int]]] = {"as": {}, "city": {}, "ixp": {}}
    describe: dict[str, tuple[str, str | None]] = {}
    total = 0.0
    for path in paths:
        if path.src_asn is None or path.dst_asn is None:
            continue
        key = (path.src_asn, path.dst_asn)
        weight = weights.get(key, 0.0) / max(1, pair_paths.get(key, 1))
        total += weight
        for end in {path.src_asn, path.dst_asn}:
            per_net.setdefault(end, []).append((path, weight))
        per_src.setdefault(path.src_asn, []).append((path, weight))
        for asn in carriers_of(path, graph):
            _add(country_tally["as"], str(asn), weight)
            describe[str(asn)] = (graph.name(asn), graph.country(asn))
        for city in dict.fromkeys(path.foreign_cities):
            _add(country_tally["city"], city, weight)
            describe[city] = (city, city.rsplit(", ", 1)[-1] if ", " in city else None)
        for ixp, where in dict.fromkeys(zip(path.ixps, path.ixp_countries, strict=False)):
            if where != graph.home:
                _add(country_tally["ixp"], ixp, weight)
                describe[ixp] = (ixp, where)
    per_source_shares: dict[int, dict[str, float]] = {}
    for src, items in per_src.items():
        own_total = sum(w for _, w in items)
        shares: dict[str, float] = {}
        for path, weight in items:
            for asn in carriers_of(path, graph):
                shares[str(asn)] = shares.get(str(asn), 0.0) + weight
        per_source_shares[src] = {k: v / own_total if own_total else 0.0 for k, v in shares.items()}
    country: list[Share] = []
    for kind in ("as", "city", "ixp"):
        for share in _shares(country_tally[kind], total, kind, describe):
            if kind == "as":
                values = [s.get(share.key, 0.0) for s in per_source_shares.values()]
                share = Share(share.kind, share.key, share.name, share.country, share.paths,
                              share.weight, share.share, trimmed_mean(values))  # fmt: skip
            country.append(share)
    networks: list[Dependence] = []
    for asn in sorted(n for n in per_net if n in graph.domestic):
        tallies: dict[str, dict[str, tuple[float, int]]] = {"as": {}, "city": {}, "ixp": {}}
        own_total = 0.0
        tromboned = 0
        for path, weight in per_net[asn]:
            own_total += weight
            tromboned += path.verdict == "tromboned"
            for carrier in carriers_of(path, graph):
                _add(tallies["as"], str(carrier), weight)
            for city in dict.fromkeys(path.foreign_cities):
                _add(tallies["city"], city, weight)
            for ixp, where in dict.fromkeys(zip(path.ixps, path.ixp_countries, strict=False)):
                if where != graph.home:
                    _add(tallies["ixp"], ixp, weight)
        networks.append(
            Dependence(
                asn=asn,
                name=graph.name(asn),
                paths=len(per_net[asn]),
                tromboned_paths=tromboned,
                carriers=_shares(tallies["as"], own_total, "as", describe),
                cities=_shares(tallies["city"], own_total, "city", describe),
                ixps=_shares(tallies["ixp"], own_total, "ixp", describe),
            )
        )
    return tuple(country), tuple(networks)


def _label(asn: int | None, name: str) -> str:
    return f"AS{asn}" if not name or name == f"AS{asn}" else f"AS{asn} ({name})"


def _explain(
    asn: int,
    graph: InterconnectionGraph,
    paths: int,
    tromboned: int,
    kept: int,
    median_saved: float | None,
    ixps: tuple[str, ...],
    dep: Dependence | None,
) -> Explanation:
    name = graph.name(asn)
    home = graph.home
    others = [s for s in dep.carriers if int(s.key) != asn] if dep else []
    top = others[0] if others else None
    top_asn = int(top.key) if top else None
    top_name = top.name if top else ""
    via = f"; {_label(top_asn, top_name)} was on {top.share:.0%} of them" if top else ""
    who = _label(asn, name)
    saved = f"; median {median_saved:.0f} ms saved" if median_saved is not None else ""
    if ixps and tromboned:
        key = "member_still_abroad"
        text = (
            f"{who} is already at {', '.join(ixps)}, yet {tromboned} of its "
            f"{paths} domestic paths still left {home}{via}."
        )
    elif ixps:
        key = "member_local"
        text = (
            f"{who} is already at {', '.join(ixps)}; all its conclusive domestic paths "
            f"stayed in {home}."
        )
    elif kept:
        key = "join"
        text = (
            f"Joining would keep {kept} of its {paths} domestic paths in {home}{saved}"
            f"{via if tromboned else ''}."
        )
    else:
        key = "nothing_to_gain"
        text = (
            f"{who}: none of its {paths} domestic paths would become local by "
            f"joining ({tromboned} left {home})."
        )
    return Explanation(
        key=key,
        asn=asn,
        name=name,
        country=home,
        paths=paths,
        tromboned_paths=tromboned,
        kept_local_paths=kept,
        median_saved_ms=median_saved,
        ixps=ixps,
        top_carrier_asn=top_asn,
        top_carrier_name=top_name,
        top_carrier_share=top.share if top else None,
        text_en=text,
    )


def rank_candidates(
    graph: InterconnectionGraph,
    pairs: Sequence[MeasuredPair],
    everyone: WhatIf,
    weights: Mapping[tuple[int, int], float],
    presence: Mapping[int, tuple[str, ...]],
    dependence_rows: Sequence[Dependence],
) -> tuple[Candidate, ...]:
    """Returns the domestic networks that end measured pairs, best candidate first.

    The benefit of a network is the weighted tromboned pairs it ends that become local
    when every domestic network is at the IXP (`everyone`), then the latency saved.
    """
    outcome = {(o.src_asn, o.dst_asn): o for o in everyone.outcomes}
    deps = {d.asn: d for d in dependence_rows}
    rows: list[tuple[tuple[float, float, int, int], Candidate]] = []
    by_end: dict[int, list[MeasuredPair]] = {}
    for pair in pairs:
        for end in (pair.src_asn, pair.dst_asn):
            if end in graph.domestic:
                by_end.setdefault(end, []).append(pair)
    for asn, mine in sorted(by_end.items()):
        tromboned = [p for p in mine if p.status == "tromboned"]
        kept = [p for p in tromboned if outcome[(p.src_asn, p.dst_asn)].local_after]
        saved = [s for p in kept if (s := outcome[(p.src_asn, p.dst_asn)].saved_ms) is not None]
        ixps = presence.get(asn, ())
        paths = sum(p.paths for p in mine)
        tromboned_paths = sum(p.tromboned_paths for p in tromboned)
        kept_paths = sum(p.tromboned_paths for p in kept)
        median_saved = statistics.median(saved) if saved else None
        weight_kept = float(sum(weights.get((p.src_asn, p.dst_asn), 0.0) for p in kept))
        explanation = _explain(
            asn, graph, paths, tromboned_paths, kept_paths, median_saved, ixps, deps.get(asn)
        )
        candidate = Candidate(
            rank=0,
            asn=asn,
            name=graph.name(asn),
            pairs=len(mine),
            tromboned_pairs=len(tromboned),
            kept_local_pairs=len(kept),
            weight_kept_local=weight_kept,
            paths=paths,
            tromboned_paths=tromboned_paths,
            kept_local_paths=kept_paths,
            median_saved_ms=median_saved,
            total_saved_ms=float(sum(saved)),
            present_at=ixps,
            still_abroad_pairs=len(tromboned) if ixps else 0,
            explanation=explanation,
        )
        rows.append(((-weight_kept, -sum(saved), -len(tromboned), asn), candidate))
    rows.sort(key=lambda row: row[0])
    return tuple(replace(c, rank=rank) for rank, (_, c) in enumerate(rows, start=1))


def end_weights(
    pairs: Iterable[MeasuredPair],
    everyone: WhatIf,
    weights: Mapping[tuple[int, int], float],
) -> dict[int, float]:
    """Returns each network's weighted pair-ends: half the weight of every tromboned pair
    it ends that a full IXP would make local."""
    helpable = {(o.src_asn, o.dst_asn) for o in everyone.outcomes if o.local_after}
    out: dict[int, float] = {}
    for pair in pairs:
        key = (pair.src_asn, pair.dst_asn)
        if pair.status == "tromboned" and key in helpable:
            half = weights.get(key, 0.0) / 2
            for end in key:
                out[end] = out.get(end, 0.0) + half
    return out


def greedy_cover(
    covers: Mapping[int, frozenset[int]],
    value: Mapping[int, float],
    k: int,
    already: Iterable[int] = (),
) -> list[tuple[int, float]]:
    """Returns up to k (candidate, marginal gain) picks maximising the covered value.

    Lazy greedy (CELF): exact greedy order, ties to the lower ASN; stops early when no
    candidate adds anything. `already` (present members) is covered before the first pick.
    """
    covered: set[int] = set()
    for asn in already:
        covered |= covers.get(asn, frozenset())

    def gain(asn: int) -> float:
        return float(sum(value.get(e, 0.0) for e in covers[asn] - covered))

    heap = [(-gain(a), a, 0) for a in sorted(covers)]
    heapq.heapify(heap)
    picks: list[tuple[int, float]] = []
    while heap and len(picks) < k:
        negative, asn, stamp = heapq.heappop(heap)
        if stamp != len(picks):
            heapq.heappush(heap, (-gain(asn), asn, len(picks)))
            continue
        if -negative <= 0:
            break
        picks.append((asn, -negative))
        covered |= covers[asn]
    return picks


def founding_picks(
    graph: InterconnectionGraph,
    value: Mapping[int, float],
    k: int,
    already: Iterable[int],
) -> tuple[tuple[Pick, ...], float]:
    """Returns the greedy founding picks and the coverage with every candidate present."""
    present = [a for a in already if graph.has(a)]
    covers = {
        asn: frozenset(graph.domestic_cone(asn) & value.keys())
        for asn in sorted(graph.domestic)
        if asn not in present
    }
    covered: set[int] = set()
    for asn in present:
        covered |= graph.domestic_cone(asn) & value.keys()
    start = float(sum(value[e] for e in covered))
    picks: list[Pick] = []
    objective = start
    for order, (asn, gained) in enumerate(greedy_cover(covers, value, k, present), start=1):
        objective += gained
        picks.append(Pick(order, asn, graph.name(asn), gained, objective))
    return tuple(picks), float(sum(value.values()))
