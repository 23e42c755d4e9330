"""Time `ixpready trend` over kept rounds (issue 14): each round's point kept beside its
analysis (`rounds/<round>/point.json`) against reading every round's analysis file for it (as
before point files: the baseline, the same rounds in the same process).

Runs the job offline on the simulated Guatemala scenario (two six-hour rounds), then makes each
round's analysis file region-sized: its paths again and again (each copy's timestamps a day on)
until a round holds `--paths` paths, written as the contract lays it out (the round's state
unchanged, so the analysis is kept). Each pass times `trend` (`pipeline.commands.trend`: the
rounds, their points, the kept readiness counts); the baseline pass first deletes the point
files, so every analysis is read whole, as every `trend`, `export`, `prune` and `run` did.
Also times one whole read of a round's file: what a freshly analysed round no longer spends
reading its file back for its point.

    python benchmarks/bench_rounds.py [--paths 100000] [--passes 3]

Prints one line per way, then `ratio_read_vs_points=<baseline / with points>`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from msgspec import structs

from ixpready.analysis.export import load_analysis, to_json
from ixpready.analysis.verdicts import PathVerdict
from ixpready.config import load_settings
from ixpready.demo.scenario import write_scenario
from ixpready.pipeline import commands
from ixpready.pipeline import run as job
from ixpready.pipeline import trend as trends


def _config(folder: Path) -> Path:
    scenario = write_scenario(folder / "scenario")
    results = ", ".join(f'"{p}"' for p in scenario.results)
    config = folder / "config.toml"
    config.write_text(
        f'country = "GT"\ndata_dir = "{folder / "data"}"\n'
        f'[refdata]\ndir = "{scenario.refdata}"\n'
        f'[run]\nresults = [{results}]\nprobes_file = "{scenario.probes}"\n'
        f'rdns_file = "{scenario.rdns}"\nmodel = false\nreport = false\n'
        f'[rounds]\nperiod = "6h"\n[rdns]\ngather = false\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    return config


def _enlarge(analysis_file: Path, paths: int) -> int:
    """Makes a round's analysis file hold about `paths` paths; returns its size in bytes."""
    analysis = load_analysis(analysis_file)
    held = len(analysis.paths) + len(analysis.other_paths)
    copies = max(1, -(-paths // max(held, 1)))

    def again(copy: int, found: tuple[PathVerdict, ...]) -> list[PathVerdict]:
        return [
            structs.replace(p, trace=replace(p.trace, timestamp=p.trace.timestamp + copy * 86_400))
            for p in found
        ]

    bigger = replace(
        analysis,
        paths=tuple(p for c in range(copies) for p in again(c, analysis.paths)),
        other_paths=tuple(p for c in range(copies) for p in again(c, analysis.other_paths)),
    )
    trends.write_atomically(analysis_file, to_json(bigger))
    (analysis_file.parent / trends.POINT_FILE).unlink(missing_ok=True)
    return analysis_file.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=100_000, help="paths per round")
    parser.add_argument("--passes", type=int, default=3, help="best of this many")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ixpready-bench-rounds-") as folder:
        settings = load_settings(_config(Path(folder)), {})
        job.run(settings)
        rounds_dir = settings.rounds_dir
        files = sorted(rounds_dir.glob(f"*/{trends.ANALYSIS_FILE}"))
        sizes = [_enlarge(f, args.paths) for f in files]
        print(f"rounds={len(files)} paths_per_round~{args.paths} "
              f"analysis_mb={sum(sizes) / 1e6:.0f}")  # fmt: skip
        expected = commands.trend(settings)  # the points written again, the readiness kept

        def timed(without_points: bool) -> float:
            best = float("inf")
            for _ in range(args.passes):
                if without_points:
                    for f in files:
                        (f.parent / trends.POINT_FILE).unlink()
                started = time.perf_counter()
                got = commands.trend(settings)
                best = min(best, time.perf_counter() - started)
                assert got == expected, "the trend changed"
            return best

        baseline = timed(True)
        points = timed(False)
        started = time.perf_counter()
        load_analysis(files[-1])
        read_back = time.perf_counter() - started
        print(f"read_every_analysis_s={baseline:.3f}")
        print(f"with_points_s={points:.3f}")
        print(f"fresh_round_read_back_saved_s={read_back:.3f} (one round, {sizes[-1] / 1e6:.0f} MB)")
        print(f"ratio_read_vs_points={baseline / points:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
