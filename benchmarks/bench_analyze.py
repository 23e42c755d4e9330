"""Benchmark of the analyze pipeline (issue 2, item 8): read + enrich + verdict, one core.

Generates in a temporary folder, seeded and in-process:
- a country mesh: the simulated Guatemala scenario of `ixpready demo` at scale (91 RIPE Atlas
  probes in 8 Guatemalan networks, 31 of them mesh targets, 5 rounds, core routers spread
  over 8 ECMP lanes): 12,805 traceroute results, written as JSON lines;
- a full-size prefix table: ~950,000 IPv4 and ~200,000 IPv6 synthetic CAIDA pfx2as lines
  (real-table prefix-length mix, Zipf-like origins, a few multi-origin and AS-set lines),
  next to the scenario's own reference data (PeeringDB, RIR files, its prefixes).

Timed in one thread as CPU time of this process (`time.process_time`: steadier than wall
time on a shared machine, and what "one core" means): ixpready's real pipeline,
`read_traces` (file -> Trace records) then `analyze_traces` (every hop enriched, every path
judged). Two per-run setup steps, done once whatever the number of results, are timed and
printed apart, not inside the results/s figure: reading the reference files
(`load_snapshot`) and building the lookups from them (`Lookups.build`: the radix trees of
the prefix table, RIR blocks and IXP LANs), which `analyze_traces` is handed ready-made.
A line also gives the rate of one whole run with the lookups build counted in.
Baseline, in the same process on the same results: `ripe.atlas.sagan`'s `Result.get(line)`
per result, parsing only.

Needs the `bench` extra for sagan: `pip install -e '.[bench]'` (`.[test]` includes it).

    python benchmarks/bench_analyze.py [--quick] [--seed N] [--repeat N] [--rounds N] [--probes N]
                                        [--workers N] [--profile]

One run measures two meshes: the periodic one (its routes repeat round after round) and one
whose routes do not repeat (`--rounds 1 --probes 40`). The `workers=` line times the
streaming analysis (`ixpready analyze --format json`: two passes, JSON written) in wall time
on the periodic mesh with N processes against one. The last two lines are
`ratio_vs_sagan_unique=` and `ratio_vs_sagan=` (ixpready results/s / sagan results/s, one core).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from ipaddress import IPv6Address
from pathlib import Path

import orjson
from ripe.atlas.sagan import Result

from ixpready.analysis.core import analyze_traces
from ixpready.demo.scenario import SNAPSHOT_DATE, write_scenario
from ixpready.enrichment.annotate import Lookups
from ixpready.measurements.probes import load_probes
from ixpready.pipeline.analyze import load_rdns, read_traces
from ixpready.pipeline.streaming import analyze_stream, default_workers
from ixpready.refdata.snapshots import load_snapshot

# Prefix-length mix of a 2026-size RouteViews table (shares of lines).
V4_LENGTHS = {24: 0.585, 23: 0.095, 22: 0.125, 21: 0.05, 20: 0.045, 19: 0.03, 18: 0.015,
              17: 0.01, 16: 0.025, 15: 0.006, 14: 0.005, 13: 0.003, 12: 0.003, 11: 0.002,
              10: 0.001}  # fmt: skip
V6_LENGTHS = {48: 0.46, 32: 0.15, 44: 0.08, 40: 0.06, 36: 0.04, 29: 0.03, 46: 0.03, 47: 0.03,
              42: 0.025, 33: 0.02, 34: 0.02, 45: 0.02, 38: 0.02, 64: 0.015}  # fmt: skip
# First octets the scenario announces or that are special-purpose: kept out of the synthetic
# table so it never shadows the scenario's own (more specific or not) prefixes.
V4_EXCLUDED = {0, 4, 10, 38, 45, 63, 66, 72, 94, 100, 127, 154, 168, 169, 172, 181, 186, 190,
               192, 195, 198, 200, 206} | set(range(224, 256))  # fmt: skip
V6_ROOTS = (0x2400, 0x2600, 0x2A00, 0x2C00)  # /12s of APNIC, ARIN, RIPE NCC, AFRINIC space


@dataclass(frozen=True)
class Sizes:
    """How big a run is."""

    probes_per_network: int
    rounds: int
    v4_prefixes: int
    v6_prefixes: int


FULL = Sizes(probes_per_network=10, rounds=5, v4_prefixes=950_000, v6_prefixes=200_000)
QUICK = Sizes(probes_per_network=3, rounds=2, v4_prefixes=95_000, v6_prefixes=20_000)


def _origins(rng: random.Random, count: int) -> list[str]:
    """Returns `count` origin fields: Zipf-like over ~75,000 ASNs, 0.6 % multi-origin."""
    asns = [*range(1, 64_496), *range(131_072, 142_000)]
    rng.shuffle(asns)
    asns = asns[:75_000]
    fields = []
    for _ in range(count):
        first = asns[min(int(rng.paretovariate(0.6)) - 1, len(asns) - 1)]
        roll = rng.random()
        if roll < 0.006:
            fields.append(f"{first}_{rng.choice(asns)}")
        elif roll < 0.0065:
            fields.append(f"{first},{rng.choice(asns)}")
        else:
            fields.append(str(first))
    return fields


def write_prefix_table(path: Path, sizes: Sizes, seed: int) -> tuple[int, int]:
    """Writes a synthetic pfx2as file (sorted, unique prefixes); returns (IPv4, IPv6) lines."""
    rng = random.Random(seed)
    octets = [o for o in range(1, 224) if o not in V4_EXCLUDED]
    lengths, weights = zip(*V4_LENGTHS.items(), strict=True)
    v4: set[tuple[int, int]] = set()
    while len(v4) < sizes.v4_prefixes:
        length = rng.choices(lengths, weights)[0]
        if length < 8:
            continue
        value = (rng.choice(octets) << 24) | rng.getrandbits(24)
        v4.add((value >> (32 - length) << (32 - length), length))
    lengths6, weights6 = zip(*V6_LENGTHS.items(), strict=True)
    v6: set[tuple[int, int]] = set()
    while len(v6) < sizes.v6_prefixes:
        length = rng.choices(lengths6, weights6)[0]
        value = (rng.choice(V6_ROOTS) << 112) | rng.getrandbits(116) << 0
        value = (value >> (128 - length)) << (128 - length)
        v6.add((value, length))
    origins = _origins(rng, len(v4) + len(v6))
    with path.open("w", encoding="ascii") as out:
        for (value, length), origin in zip(sorted(v4), origins, strict=False):
            dotted = f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"
            out.write(f"{dotted}\t{length}\t{origin}\n")
        for (value, length), origin in zip(sorted(v6), origins[len(v4) :], strict=True):
            out.write(f"{IPv6Address(value)}\t{length}\t{origin}\n")
    return len(v4), len(v6)


@dataclass(frozen=True)
class Mesh:
    """The generated inputs: where they are and the results' JSON texts (for sagan)."""

    mesh: Path
    refdata: Path
    probes: Path
    rdns: Path
    texts: tuple[str, ...]
    probe_count: int
    prefixes: tuple[int, int]


def generate(root: Path, sizes: Sizes, seed: int) -> Mesh:
    """Writes the scaled scenario, its results as JSON lines, and the full prefix table."""
    files = write_scenario(
        root, seed=seed, probes_per_network=sizes.probes_per_network, rounds=sizes.rounds,
        lanes=8,
    )  # fmt: skip
    lines = [orjson.dumps(r) for r in orjson.loads(files.results[0].read_bytes())]
    mesh = root / "mesh.jsonl"
    mesh.write_bytes(b"\n".join(lines) + b"\n")
    stamp = SNAPSHOT_DATE.replace("-", "")
    counts = write_prefix_table(files.refdata / f"pfx2as-synthetic-{stamp}.txt", sizes, seed)
    return Mesh(
        mesh, files.refdata, files.probes, files.rdns, tuple(line.decode() for line in lines),
        len(load_probes(files.probes)), counts,
    )  # fmt: skip


def _cpu() -> float:
    """Returns the CPU seconds of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(sizes: Sizes, args: argparse.Namespace, label: str, workers: int = 0) -> float:
    """Generates a mesh of `sizes`, times ixpready and sagan on it (and, with `workers`,
    the streaming analysis on that many processes against one); returns the ratio."""
    with tempfile.TemporaryDirectory(prefix="ixpready-bench-") as tmp:
        started = time.perf_counter()
        data = generate(Path(tmp), sizes, args.seed)
        count = len(data.texts)
        print(
            f"[{label}] generated in {time.perf_counter() - started:.1f} s: {count:,} RIPE Atlas "
            f"traceroute results ({data.mesh.stat().st_size / 1e6:.1f} MB JSON lines) from "
            f"{data.probe_count} probes in {sizes.rounds} rounds; prefix table "
            f"{data.prefixes[0]:,} IPv4 + {data.prefixes[1]:,} IPv6 synthetic pfx2as lines plus "
            f"the scenario's own"
        )
        started = time.process_time()
        snapshot = load_snapshot(data.refdata)
        probes = load_probes(data.probes)
        rdns = load_rdns(data.rdns)
        loaded = time.process_time() - started
        started = time.process_time()
        lookups = Lookups.build(snapshot, rdns)
        built = time.process_time() - started
        print(
            f"per-run setup, timed apart (not in the results/s below): reference files read in "
            f"{loaded:.2f} s; lookups built in {built:.2f} s ({len(lookups.prefixes):,} routed "
            f"prefixes)"
        )

        def ours() -> tuple[float, float, int]:
            started = time.process_time()
            read = read_traces([data.mesh])
            read_s = time.process_time() - started
            result = analyze_traces(
                read.traces, home="GT", snapshot=snapshot, probes=probes, rdns=rdns,
                pings=read.pings, counts=read.counts, lookups=lookups,
            )  # fmt: skip
            judged = len(result.paths) + len(result.other_paths)
            if judged != count:
                raise SystemExit(f"error: {judged} verdicts for {count} results")
            return read_s, time.process_time() - started, result.summary.domestic_paths

        def sagan() -> float:
            started = time.process_time()
            for text in data.texts:
                Result.get(text)
            return time.process_time() - started

        runs, sagan_runs = [], []
        for _ in range(max(args.repeat, 1)):
            runs.append(ours())
            sagan_runs.append(sagan())
        read_s, ours_s, domestic = min(runs, key=lambda run: run[1])
        sagan_s = min(sagan_runs)
        print(
            f"ixpready read+enrich+verdict: {count:,} results in {ours_s:.2f} s = "
            f"{count / ours_s:,.0f} results/s (read {read_s:.2f} s, enrich+verdict "
            f"{ours_s - read_s:.2f} s; {domestic:,} domestic paths)"
        )
        print(
            f"ixpready with the lookups build counted in (one run, files read apart): "
            f"{count / (ours_s + built):,.0f} results/s"
        )
        print(
            f"ripe.atlas.sagan Result.get (parse only): {count:,} results in {sagan_s:.2f} s = "
            f"{count / sagan_s:,.0f} results/s"
        )
        if workers:
            walls, cpus = {}, {}
            for n in sorted({1, workers}):
                spool = Path(tmp) / f"spool-{n}"
                spool.mkdir()
                started, cpu = time.perf_counter(), _cpu()
                streamed, _ = analyze_stream(
                    [data.mesh], spool, home="GT", snapshot=snapshot, lookups=lookups,
                    probes=probes, workers=n,
                )  # fmt: skip
                with (Path(tmp) / f"analysis-{n}.json").open("wb") as out:
                    streamed.write("json", out)
                walls[n], cpus[n] = time.perf_counter() - started, _cpu() - cpu
            print(
                f"workers={workers}: streaming analyze (two passes, JSON written) of {count:,} "
                f"results in {walls[workers]:.2f} s wall = {count / walls[workers]:,.0f} results/s"
                f"; 1 worker {walls[1]:.2f} s = {count / walls[1]:,.0f} results/s; speed-up "
                f"{walls[1] / walls[workers]:.2f}; CPU (this process and its workers) "
                f"{cpus[workers]:.2f} s against {cpus[1]:.2f} s (load average "
                f"{os.getloadavg()[0]:.1f})"
            )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(ours)
            report = io.StringIO()
            pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(25)
            print(report.getvalue())
    return sagan_s / ours_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (~1,000 results)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes of each (best kept)")
    parser.add_argument(
        "--rounds", type=int, help="measurement rounds of the mesh (default 5; 2 with --quick)"
    )
    parser.add_argument(
        "--probes", type=int, help="extra probes per network, 0-40 (default 10; 3 with --quick)"
    )
    parser.add_argument(
        "--workers", type=int, default=default_workers(),
        help="processes of the streaming line (default: the cores available)",
    )  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.rounds is not None:
        sizes = replace(sizes, rounds=max(1, args.rounds))
    if args.probes is not None:
        sizes = replace(sizes, probes_per_network=max(0, args.probes))
    unique = replace(sizes, rounds=1, probes_per_network=8 if args.quick else 40)
    print(
        f"ixpready bench_analyze: {'quick' if args.quick else 'full'} run, one thread, CPU time, "
        f"best of {args.repeat}; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    ratio = measure(sizes, args, "periodic mesh", workers=max(1, args.workers))
    ratio_unique = measure(
        unique, args, f"unique routes: --rounds 1 --probes {unique.probes_per_network}"
    )
    print(f"ratio_vs_sagan_unique={ratio_unique:.2f}")
    print(f"ratio_vs_sagan={ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
