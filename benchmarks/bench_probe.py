"""Benchmark: ixpready-probe's engine vs scapy's own traceroute(), in the same run (as root).

    sudo .venv/bin/python benchmarks/bench_probe.py [--targets 50] [--json FILE]

Builds the namespace lab (probes/src/ixpready_probe/lab.py: 50 targets behind two shared
routers), then traces the 50 targets three ways, each in the prober's namespace:

- `scapy per target`: scapy.layers.inet.traceroute(target, l4=ICMP()) once per target;
- `scapy one call`: one traceroute() call for all 50 targets (every packet at once);
- `engine`: `ixpready-probe trace` with all 50 targets (with default limits, also with
  `--verify-joins`, every inherited join confirmed by the shared router's own reply);

first with the routers' default ICMP rate limits (the figure: correct paths per second),
then with the limits lifted (the figure: raw throughput; the engine is told the routers
no longer limit, `--router-pps 100000 --pps 20000`). A path is correct when every hop shows
exactly the expected address (for the engine: all three packets of every hop). Two
clocks: the wall clock of each whole process (interpreter start and scapy import included,
about 0.4 s) and the tracing alone (scapy: around its traceroute() calls; engine: while its
sockets are open). Ratios are engine / scapy in the same run, so they hold across machines. Every step has a time limit;
nothing leaves the namespaces, which are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ixpready_probe.lab import Lab

STEP_LIMIT_S = 240

SCAPY_SCRIPT = r"""
import json, sys, time, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.layers.inet import ICMP, traceroute
mode, targets = sys.argv[1], sys.argv[2:]
paths = {}
start = time.monotonic()
def keep(result):
    for dst, hops in result.get_trace().items():
        paths.setdefault(dst, {}).update({str(ttl): ip for ttl, (ip, _final) in hops.items()})
if mode == "per-target":
    for target in targets:
        answered, _ = traceroute(target, l4=ICMP(), maxttl=5, timeout=1, verbose=0)
        keep(answered)
else:
    answered, _ = traceroute(targets, l4=ICMP(), maxttl=5, timeout=2, verbose=0)
    keep(answered)
print(json.dumps({"tracing": time.monotonic() - start, "paths": paths}))
"""


@dataclass(frozen=True)
class Row:
    """One way of tracing, under one rate-limit setting."""

    limits: str
    method: str
    targets: int
    correct: int
    seconds: float  # wall clock of the whole process: interpreter, scapy import, tracing
    tracing_s: float  # the tracing alone (scapy: around its calls; engine: sockets open)

    @property
    def correct_per_s(self) -> float:
        return self.correct / self.seconds if self.seconds > 0 else 0.0

    @property
    def correct_per_tracing_s(self) -> float:
        return self.correct / self.tracing_s if self.tracing_s > 0 else 0.0


def _scapy(lab: Lab, mode: str, targets: list[str]) -> tuple[float, float, int]:
    started = time.monotonic()  # wall clock of the whole process, as for the engine
    done = subprocess.run(
        [*lab.exec_prefix(), sys.executable, "-c", SCAPY_SCRIPT, mode, *targets],
        capture_output=True, text=True, timeout=STEP_LIMIT_S, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scapy traceroute() failed: {done.stderr.strip()[-2000:]}")
    report = json.loads(done.stdout)
    correct = 0
    for target in targets:
        hops = report["paths"].get(target, {})
        expected = lab.expected_shared(4, target)
        correct += all(hops.get(str(ttl)) == address for ttl, address in enumerate(expected, 1))
    return time.monotonic() - started, float(report["tracing"]), correct


def _engine(
    lab: Lab, targets: list[str], lifted: bool, folder: Path, *, verify: bool = False
) -> tuple[float, float, int]:
    out = folder / f"engine-{'lifted' if lifted else 'default'}-{verify}.jsonl"
    extra = ["--router-pps", "100000", "--router-burst", "100000", "--pps", "20000"] if lifted else []
    if verify:
        extra.append("--verify-joins")
    started = time.monotonic()
    done = subprocess.run(
        [*lab.exec_prefix(), sys.executable, "-m", "ixpready_probe", "trace", *targets,
         "--timeout", "1", "--deadline", str(STEP_LIMIT_S - 20), *extra, "--out", str(out)],
        capture_output=True, text=True, timeout=STEP_LIMIT_S, check=True,
    )
    seconds = time.monotonic() - started
    tracing = re.search(r"\(tracing ([0-9.]+) s\)", done.stdout)
    assert tracing is not None, done.stdout
    correct = 0
    for line in out.read_text().splitlines():
        result = json.loads(line)
        hops = [tuple(p.get("from") for p in hop["result"]) for hop in result["result"]]
        expected = [(a,) * 3 for a in lab.expected_shared(4, result["dst_addr"])]
        correct += hops == expected
    return seconds, float(tracing.group(1)), correct


def _startup(lab: Lab) -> float:
    """Returns the seconds a probe process needs to start (interpreter + scapy import)."""
    started = time.monotonic()
    subprocess.run([*lab.exec_prefix(), sys.executable, "-c", "import scapy.all"],
                   check=True, timeout=60)
    return time.monotonic() - started


def run(count: int) -> list[Row]:
    """Returns the benchmark rows, default limits first, then lifted."""
    rows: list[Row] = []
    with Lab(tag=f"ixpb{os.getpid()}") as lab, tempfile.TemporaryDirectory() as folder:
        targets = lab.targets(4)[:count]
        _startup(lab)  # warm the page cache so no method pays for the first import
        for lifted in (False, True):
            if lifted:
                lab.lift_rate_limits()
            limits = "lifted" if lifted else "default"
            for mode in ("per-target", "one-call"):
                time.sleep(7)  # let every router's rate limiter refill between methods
                seconds, tracing, correct = _scapy(lab, mode, targets)
                rows.append(Row(limits, f"scapy traceroute() {mode}", count, correct, seconds,
                                tracing))
            time.sleep(7)
            seconds, tracing, correct = _engine(lab, targets, lifted, Path(folder))
            rows.append(Row(limits, "ixpready-probe engine", count, correct, seconds, tracing))
            if not lifted:  # every join confirmed by the shared router itself, paced
                time.sleep(7)
                seconds, tracing, correct = _engine(lab, targets, lifted, Path(folder),
                                                    verify=True)
                rows.append(Row(limits, "ixpready-probe --verify-joins", count, correct, seconds,
                                tracing))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=50, help="how many targets (<= 50)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_probe: run as root (it builds network namespaces)", file=sys.stderr)
        return 2
    rows = run(min(50, args.targets))
    print(f"{'limits':8} {'method':32} {'correct':>9} {'wall s':>7} {'correct/s':>10} "
          f"{'tracing s':>10} {'correct/tracing s':>18}")
    for row in rows:
        print(f"{row.limits:8} {row.method:32} {row.correct:>4}/{row.targets:<4} "
              f"{row.seconds:7.2f} {row.correct_per_s:10.2f} {row.tracing_s:10.3f} "
              f"{row.correct_per_tracing_s:18.1f}")
    for limits in ("default", "lifted"):
        engine = next(r for r in rows if r.limits == limits and r.method.startswith("ixpready"))
        for row in rows:
            if row.limits == limits and row.method.startswith("scapy") and row.correct_per_s > 0:
                print(f"{limits}: engine / {row.method}: "
                      f"{engine.correct_per_s / row.correct_per_s:.2f}x correct paths per second "
                      f"(wall clock), {engine.correct_per_tracing_s / row.correct_per_tracing_s:.2f}x"
                      " (tracing alone)")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
