"""Peak memory and time of `ixpready analyze` as results grow (issue 14, part 1).

Writes the benchmark mesh of `bench_analyze.py` (the simulated Guatemala scenario at
scale, with the full-size synthetic prefix table), then a replicated mesh per size: the
mesh's results again and again, each copy's timestamps moved on by a day so no result is
a duplicate of another (its routes repeat, as a periodic mesh's do). Each size is analysed
by `ixpready analyze --format json` in a fresh Python process, which reports its own peak
resident memory (`resource.getrusage`, ru_maxrss) and wall time.

    python benchmarks/bench_memory.py [--sizes 16000,480000] [--workers 1] [--in-memory]

`--in-memory` measures the in-memory path (`analyze_files`, as before streaming) instead.
Prints one line per size, then `memory_growth_mb=<peak at the largest - peak at the
smallest>`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyze import FULL, QUICK, generate

CHILD = """
import resource, sys, time, json
from pathlib import Path
started = time.perf_counter()
mesh, refdata, probes, rdns, out, workers, memory = sys.argv[1:8]
if memory == "1":
    from ixpready.analysis.export import to_json
    from ixpready.pipeline.analyze import analyze_files
    run = analyze_files([Path(mesh)], country="GT", refdata=Path(refdata), probes=Path(probes),
                        rdns=Path(rdns), quarantine=None)
    Path(out).write_bytes(to_json(run.result))
    domestic = run.result.summary.domestic_paths
else:
    from ixpready.pipeline.streaming import analyze_files_to
    with open(out, "wb") as handle:
        run = analyze_files_to(handle, "json", [Path(mesh)], country="GT", refdata=Path(refdata),
                               probes=Path(probes), rdns=Path(rdns), workers=int(workers))
    domestic = run.head.summary.domestic_paths
own = resource.getrusage(resource.RUSAGE_SELF)
workers_used = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + workers_used.ru_utime + workers_used.ru_stime
print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": own.ru_maxrss / 1024,
                  "worker_peak_mb": workers_used.ru_maxrss / 1024, "domestic": domestic,
                  "cpu_s": cpu}))
"""


def replicate(mesh: Path, out: Path, results: int) -> int:
    """Writes `results` results: the mesh's, copy after copy, each copy a day later."""
    lines = [line for line in mesh.read_bytes().splitlines() if line.strip()]
    written = 0
    with out.open("wb") as handle:
        copy = 0
        while written < results:
            for line in lines:
                if written >= results:
                    break
                record = orjson.loads(line)
                shift = copy * 86_400
                for key in ("timestamp", "endtime", "stored_timestamp"):
                    if isinstance(record.get(key), int):
                        record[key] += shift
                handle.write(orjson.dumps(record) + b"\n")
                written += 1
            copy += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="16000,480000", help="results per run, commas")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--in-memory", action="store_true", help="measure analyze_files")
    parser.add_argument("--quick", action="store_true", help="the small prefix table")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="ixpready-bench-memory-") as tmp:
        root = Path(tmp)
        data = generate(root / "mesh", QUICK if args.quick else FULL, args.seed)
        peaks = []
        for size in sizes:
            mesh = root / f"mesh-{size}.jsonl"
            count = replicate(data.mesh, mesh, size)
            started = time.perf_counter()
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(mesh), str(data.refdata), str(data.probes),
                 str(data.rdns), str(root / "analysis.json"), str(args.workers),
                 "1" if args.in_memory else "0"],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            report = json.loads(child.stdout.strip().splitlines()[-1])
            mesh.unlink()
            peaks.append(report["peak_mb"])
            print(
                f"{count:,} results ({'in memory' if args.in_memory else 'streaming'}, "
                f"{args.workers} worker(s)): {report['seconds']:.1f} s, CPU "
                f"{report['cpu_s']:.1f} s (with the workers), load average "
                f"{os.getloadavg()[0]:.1f}, peak RSS "
                f"{report['peak_mb']:.0f} MB (largest worker {report['worker_peak_mb']:.0f} MB)"
                f", {report['domestic']:,} domestic paths; wall {time.perf_counter() - started:.1f} s",
                flush=True,
            )
    print(f"memory_growth_mb={peaks[-1] - peaks[0]:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
