"""The whole model in one call: graph, dependence, candidates, founding set, what-ifs.

`run_model_on(analysis, inputs, k=...)` returns a `ModelResult`; the pipeline reads the
reference files into `ModelInputs`. The scenarios compared:

- `status_quo`: the home country's IXPs known to PeeringDB (or nobody), against no IXP;
- `founding_set`: those members plus the k greedy picks, against the status quo;
- `members_file`: those members plus the given list, against the status quo;
- `everyone`: every domestic network at the IXP, the ceiling a national IXP could reach.

All domestic IXPs are treated as one peering fabric.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ixpready.analysis.verdicts import AnalysisResult
from ixpready.gcpause import collector_paused
from ixpready.model.graph import AsRelationship, InterconnectionGraph, build_graph
from ixpready.model.ranking import (
    dependence,
    end_weights,
    founding_picks,
    pair_weights,
    rank_candidates,
)
from ixpready.model.results import (
    CurvePoint,
    FoundingSet,
    ModelResult,
    NetworkInfo,
    WhatIf,
)
from ixpready.model.whatif import MeasuredPair, local_pairs, measured_pairs, simulate, what_if
from ixpready.refdata.members import IxpMembers


@dataclass(frozen=True)
class ModelInputs:
    """Reference data for the model, already read: all optional."""

    relationships: tuple[AsRelationship, ...] = ()
    ixps: tuple[IxpMembers, ...] = ()
    countries: Mapping[int, str] = field(default_factory=dict)
    members: tuple[int, ...] | None = None
    user_shares: Mapping[int, float] | None = None
    notes: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()


def _presence(home: str, ixps: tuple[IxpMembers, ...]) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    for ixp in ixps:
        if (ixp.country or "").upper() == home.upper():
            for asn in ixp.asns:
                out.setdefault(asn, []).append(ixp.name)
    return {asn: tuple(names) for asn, names in out.items()}


def _networks(
    graph: InterconnectionGraph,
    asns: set[int],
    presence: Mapping[int, tuple[str, ...]],
) -> tuple[NetworkInfo, ...]:
    out = []
    for asn in sorted(a for a in asns if graph.has(a)):
        providers = tuple(sorted(graph.providers_of(asn)))
        out.append(
            NetworkInfo(
                asn=asn,
                name=graph.name(asn),
                country=graph.country(asn),
                domestic=asn in graph.domestic,
                providers=providers,
                foreign_upstreams_only=bool(providers)
                and all(p not in graph.domestic for p in providers),
                home_ixps=presence.get(asn, ()),
            )
        )
    return tuple(out)


def _curve(
    graph: InterconnectionGraph,
    pairs: tuple[MeasuredPair, ...],
    weights: Mapping[tuple[int, int], float],
    present: list[int],
    picks: list[int],
    objectives: list[float],
    status_quo: WhatIf,
) -> tuple[CurvePoint, ...]:
    points = [
        CurvePoint(0, objectives[0], status_quo.pairs_local_after, status_quo.weight_local_after)
    ]
    for k in range(1, len(picks) + 1):
        local = local_pairs(graph, pairs, [*present, *picks[:k]])
        points.append(
            CurvePoint(
                k, objectives[k], len(local), float(sum(weights.get(key, 0.0) for key in local))
            )
        )
    return tuple(points)


def run_model_on(
    analysis: AnalysisResult,
    inputs: ModelInputs,
    *,
    k: int = 10,
    now: datetime | None = None,
) -> ModelResult:
    """Returns the IXP model of an analysis: who depends on whom, who should join, and
    what a national IXP with the founding set (and with `inputs.members`) would change."""
    with collector_paused():
        return _run(analysis, inputs, k=k, now=now)


def _run(
    analysis: AnalysisResult, inputs: ModelInputs, *, k: int, now: datetime | None
) -> ModelResult:
    home = analysis.country
    notes = list(inputs.notes)
    graph = build_graph(
        (*analysis.paths, *analysis.other_paths),
        home=home,
        relationships=inputs.relationships,
        countries=inputs.countries,
        names=analysis.as_names,
    )
    if not inputs.relationships:
        notes.append("no CAIDA relationships given: every link type is inferred from the paths")
    presence = _presence(home, inputs.ixps)
    present = sorted(a for a in presence if graph.has(a))
    pairs = measured_pairs(analysis.paths)
    weights = pair_weights(pairs, inputs.user_shares)
    if inputs.user_shares is not None:
        missing = sorted(
            {a for p in pairs for a in (p.src_asn, p.dst_asn)} - set(inputs.user_shares)
        )
        if missing:
            shown = ", ".join(f"AS{a}" for a in missing[:10])
            notes.append(f"no user estimate for {len(missing)} networks ({shown}): weight 0")
    pair_paths = {(p.src_asn, p.dst_asn): p.paths for p in pairs}

    no_ixp = simulate(graph, pairs, ())
    now_routes = simulate(graph, pairs, present) if present else no_ixp
    status_quo = what_if(
        graph, pairs, weights, name="status_quo", members=present, before=no_ixp, after=now_routes
    )
    everyone = what_if(
        graph,
        pairs,
        weights,
        name="everyone",
        members=sorted(graph.domestic | set(present)),
        before=now_routes,
    )
    country_dep, network_dep = dependence(analysis.paths, graph, weights, pair_paths)
    candidates = rank_candidates(graph, pairs, everyone, weights, presence, network_dep)
    value = end_weights(pairs, everyone, weights)
    picks, objective_max = founding_picks(graph, value, k, present)
    objectives = [_covered(graph, value, present), *[p.objective for p in picks]]
    chosen = [p.asn for p in picks]
    curve = _curve(graph, pairs, weights, present, chosen, objectives, status_quo)
    founding = what_if(
        graph, pairs, weights, name="founding_set", members=[*present, *chosen], before=now_routes
    )
    scenarios = [status_quo, founding]
    if inputs.members is not None:
        unknown = [a for a in inputs.members if not graph.has(a)]
        if unknown:
            notes.append(
                "members not in the graph (no measured path or registered link): "
                + ", ".join(f"AS{a}" for a in unknown[:10])
            )
        scenarios.append(
            what_if(
                graph,
                pairs,
                weights,
                name="members_file",
                members=[*present, *inputs.members],
                before=now_routes,
            )
        )
    scenarios.append(everyone)
    carriers = {int(s.key) for s in country_dep if s.kind == "as"}
    listed = set(graph.domestic) | carriers | set(present)
    links = graph.links(around=graph.domestic)
    return ModelResult(
        country=home,
        generated_at=now or datetime.now(UTC),
        analysis_generated_at=analysis.generated_at,
        simulated=analysis.simulated,
        weighting="pairs" if inputs.user_shares is None else "users",
        networks=_networks(graph, listed, presence),
        links=links,
        country_dependence=country_dep,
        dependence=network_dep,
        candidates=candidates,
        founding_set=FoundingSet(
            k=k,
            already_present=tuple(present),
            picks=picks,
            curve=curve,
            objective_max=objective_max,
        ),
        scenarios=tuple(scenarios),
        graph_nodes=graph.graph.number_of_nodes(),
        graph_links=graph.graph.number_of_edges(),
        notes=tuple(notes),
        inputs=inputs.inputs,
    )


def _covered(graph: InterconnectionGraph, value: Mapping[int, float], present: list[int]) -> float:
    covered: set[int] = set()
    for asn in present:
        covered |= graph.domestic_cone(asn)
    return float(sum(value.get(e, 0.0) for e in covered))
