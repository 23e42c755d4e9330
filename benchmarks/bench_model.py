"""Benchmark of the IXP model on a synthetic Internet-sized graph (issue 4).

Generates, seeded and in-process, about 75,000 ASes and 500,000 links (a tier-1 clique,
transit networks, stubs with preferential attachment, and peerings, as in CAIDA's data),
with a 200-AS country inside: 10 domestic transit networks and 190 stubs, a third of which
buy transit only abroad. Measured paths: every domestic AS to every other (39,800 pairs),
routed by the model without an IXP and judged tromboned when the route leaves the country.

Timed: the whole model (`run_model_on`: graph build, dependence, candidate ranking, a
founding set of k=20 with its benefit curve, the what-ifs). Baseline, in the same process:
networkx shortest-path lengths from each of the 200 domestic ASes to every AS, on the
model's own networkx graph, with the cyclic garbage collector paused as the model pauses it.
Peak memory is the process's peak RSS after each phase.

    python benchmarks/bench_model.py [--seed N] [--ases N] [--links N]

The last line is `ratio_vs_networkx=<baseline seconds / model seconds>`.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
from datetime import UTC, datetime

import networkx as nx

from ixpready.analysis.verdicts import AnalysisResult, PathVerdict, Scope, Summary, Verdict
from ixpready.measurements.records import TraceKey
from ixpready.model.build import ModelInputs, run_model_on
from ixpready.model.graph import AsRelationship, build_graph
from ixpready.model.results import Relationship
from ixpready.model.routing import PolicyRouter

HOME = "GT"
P2C, PEER = Relationship.PROVIDER_CUSTOMER, Relationship.PEER


def peak_rss_mb() -> float:
    """Returns the process's peak resident memory so far, in MB (Linux: ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_internet(
    seed: int, ases: int, links: int
) -> tuple[list[AsRelationship], dict[int, str], list[int]]:
    """Returns relationships, countries and the 200 domestic ASNs of a generated Internet."""
    rng = random.Random(seed)
    tier1 = list(range(1, 16))
    transit = list(range(100, 100 + ases // 25))
    stubs = list(range(100_000, 100_000 + ases - len(tier1) - len(transit) - 200))
    domestic_transit = list(range(64_600, 64_610))
    domestic_stubs = list(range(64_700, 64_890))
    rels: list[AsRelationship] = []
    seen: set[tuple[int, int]] = set()

    def add(a: int, b: int, rel: Relationship) -> bool:
        key = (a, b) if a < b else (b, a)
        if a == b or key in seen:
            return False
        seen.add(key)
        rels.append(AsRelationship(a, b, rel))
        return True

    for a in tier1:
        for b in tier1:
            if a < b:
                add(a, b, PEER)
    bag: list[int] = list(tier1) * 50  # preferential attachment: degree-weighted picks
    for i, t in enumerate(transit):
        for _ in range(rng.randint(1, 3)):
            provider = rng.choice(bag) if i < 50 or rng.random() < 0.5 else rng.choice(transit[:i])
            if add(provider, t, P2C):
                bag.append(provider)
        bag.append(t)
    transit_bag = [t for t in bag if t >= 100]
    for s in stubs:
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 4))):
            provider = rng.choice(transit_bag)
            if add(provider, s, P2C):
                transit_bag.append(provider)
    for t in domestic_transit:
        for _ in range(rng.randint(2, 3)):
            add(rng.choice(transit[:300]), t, P2C)  # big foreign carriers ("in Miami")
    for i, s in enumerate(domestic_stubs):
        if i % 3 == 0:  # only foreign upstreams
            for _ in range(rng.randint(1, 2)):
                add(rng.choice(transit[:300]), s, P2C)
        else:
            for _ in range(rng.randint(1, 2)):
                add(rng.choice(domestic_transit), s, P2C)
            if rng.random() < 0.5:
                add(rng.choice(transit[:300]), s, P2C)
    for _ in range(15):
        add(rng.choice(domestic_transit), rng.choice(domestic_transit), PEER)
    everyone = tier1 + transit + stubs
    peer_pool = transit + transit + stubs[: len(stubs) // 3]
    while len(rels) < links:
        a = rng.choice(peer_pool)
        b = rng.choice(peer_pool if rng.random() < 0.7 else everyone)
        add(a, b, PEER)
    countries = {a: "US" for a in tier1 + transit} | {a: "BR" for a in stubs}
    domestic = domestic_transit + domestic_stubs
    countries |= {a: HOME for a in domestic}
    return rels, countries, domestic


def measured_analysis(
    rels: list[AsRelationship], countries: dict[int, str], domestic: list[int], seed: int
) -> AnalysisResult:
    """Returns an analysis of every domestic pair, routed without an IXP."""
    rng = random.Random(seed + 1)
    graph = build_graph((), home=HOME, relationships=rels, countries=countries)
    router = PolicyRouter(graph, domestic)
    pairs = [(s, d) for s in domestic for d in domestic if s != d]
    routes = router.routes(pairs)
    paths: list[PathVerdict] = []
    for number, (src, dst) in enumerate(pairs):
        route = routes[(src, dst)]
        if not route.path:
            continue
        abroad = not route.local
        carried = tuple(a for a in route.path if a not in graph.domestic)[:1]
        floor = rng.uniform(1.0, 4.0)
        rtt = floor + (rng.uniform(60.0, 120.0) if abroad else rng.uniform(2.0, 10.0))
        paths.append(
            PathVerdict(
                trace=TraceKey(5001, number, 1_700_000_000), scope=Scope.DOMESTIC,
                verdict=Verdict.TROMBONED if abroad else Verdict.LOCAL, reason="synthetic",
                af=4, dst_addr=None, src_asn=src, dst_asn=dst, src_country=HOME,
                dst_country=HOME, as_path=route.path,
                foreign_countries=("US",) if abroad else (),
                foreign_cities=("Miami, US",) if abroad else (), ixps=(), ixp_countries=(),
                carried_by=carried, rtt_ms=rtt, floor_rtt_ms=floor,
                extra_rtt_ms=rtt - floor if abroad else None, confidence=0.9, evidence=(),
            )
        )  # fmt: skip
    paths_t = tuple(paths)
    return AnalysisResult(
        country=HOME,
        generated_at=datetime(2026, 11, 1, tzinfo=UTC),
        summary=Summary.of(
            paths_t, (), results_read=len(paths_t), quarantined=0, skipped=0, duplicates=0
        ),
        paths=paths_t,
        other_paths=(),
        probes=(),
        snapshots=(),
        simulated=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark and prints its figures; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--ases", type=int, default=75_000)
    parser.add_argument("--links", type=int, default=500_000)
    parser.add_argument("--k", type=int, default=20)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    rels, countries, domestic = synthetic_internet(args.seed, args.ases, args.links)
    analysis = measured_analysis(rels, countries, domestic, args.seed)
    generated_s = time.perf_counter() - started
    print(f"generated: {len(countries)} ASes, {len(rels)} links, {len(domestic)} domestic, "
          f"{len(analysis.paths)} measured paths "
          f"({analysis.summary.tromboned} tromboned) in {generated_s:.1f} s")  # fmt: skip
    print(f"peak RSS after generation: {peak_rss_mb():.0f} MB")

    inputs = ModelInputs(relationships=tuple(rels), countries=countries)
    started = time.perf_counter()
    result = run_model_on(analysis, inputs, k=args.k)
    model_s = time.perf_counter() - started
    model_rss = peak_rss_mb()
    founding = next(s for s in result.scenarios if s.name == "founding_set")
    everyone = next(s for s in result.scenarios if s.name == "everyone")
    print(f"model (graph + dependence + ranking + founding set k={args.k} + curve + "
          f"what-ifs): {model_s:.1f} s, peak RSS {model_rss:.0f} MB")  # fmt: skip
    print(f"  graph: {result.graph_nodes} nodes, {result.graph_links} links; "
          f"{len(result.candidates)} candidates; picks: "
          f"{' '.join(str(p.asn) for p in result.founding_set.picks)}")  # fmt: skip
    print(f"  founding set keeps {founding.pairs_local_after}/{founding.pairs} pairs local "
          f"(status quo {founding.pairs_local_before}); everyone: "
          f"{everyone.pairs_local_after}")  # fmt: skip

    graph = build_graph((), home=HOME, relationships=rels, countries=countries).graph
    assert isinstance(graph, nx.Graph)
    gc.disable()  # the model pauses the cyclic collector too: same treatment for both
    started = time.perf_counter()
    reached = 0
    for source in domestic:
        reached += len(nx.single_source_shortest_path_length(graph, source))
    baseline_s = time.perf_counter() - started
    gc.enable()
    print(f"baseline (networkx shortest-path lengths from {len(domestic)} ASes, "
          f"{reached} lengths): {baseline_s:.1f} s, peak RSS {peak_rss_mb():.0f} MB")  # fmt: skip
    print(f"ratio_vs_networkx={baseline_s / model_s:.2f}")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
