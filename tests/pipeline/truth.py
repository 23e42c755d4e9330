"""Scores the demo's verdicts against the scenario's hidden truth, which only tests know.

Run as a script to print the figures README states ("How verdicts are decided"):

    .venv/bin/python tests/pipeline/truth.py [--seed 2026]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ixpready.analysis.verdicts import AnalysisResult, PathVerdict
from ixpready.demo.scenario import PLACES, ScenarioTruth, scenario_truth, write_scenario
from ixpready.pipeline.analyze import analyze_files

MISPLACED = 7100007  # declared in Guatemala City, really in Miami
LOCAL = ("local", "local_via_ixp")
LEVELS = ((0.9, 1.0), (0.7, 0.9), (0.5, 0.7), (0.0, 0.5))  # confidence bands, [low, high)


def judged(seed: int, folder: Path) -> tuple[AnalysisResult, ScenarioTruth]:
    """Returns the analysis of the demo scenario written to `folder`, and its truth."""
    files = write_scenario(folder, seed=seed)
    run = analyze_files(
        list(files.results), country="GT", refdata=files.refdata, probes=files.probes,
        rdns=files.rdns,
    )  # fmt: skip
    return run.result, scenario_truth(seed)


def abroad(truth: ScenarioTruth, path: PathVerdict) -> set[str]:
    """Returns the countries other than GT the path really crossed (its probe's own place
    included: a misplaced probe's path starts abroad)."""
    key = (path.trace.msm_id, path.trace.prb_id, path.trace.timestamp)
    trace = next(t for t in truth.traces if (t.msm_id, t.prb_id, t.timestamp) == key)
    places = {PLACES[h.place].country for h in trace.hops}
    places.add(PLACES[truth.probe_places[path.trace.prb_id]].country)
    return places - {"GT"}


def right(verdict: str, left: bool) -> bool | None:
    """Returns whether a verdict agrees with the truth; None for inconclusive (no claim)."""
    if verdict == "inconclusive":
        return None
    return (verdict == "tromboned") == left


@dataclass(frozen=True)
class Figures:
    """The demo's verdicts against its truth."""

    stayed: int
    stayed_local: int
    left: int
    left_local: int
    left_tromboned: int
    left_misplaced: int  # paths of the misplaced probe (all left: it sits in Miami)
    domestic: int
    inconclusive: int  # the misplaced probe's paths aside
    misplaced_paths: int
    # (verdict, band low, band high) -> (right, judged)
    by_confidence: dict[tuple[str, float, float], tuple[int, int]]


def figures(result: AnalysisResult, truth: ScenarioTruth) -> Figures:
    """Returns the figures of `result` against `truth`."""
    counts: Counter[str] = Counter()
    bands: dict[tuple[str, float, float], list[int]] = {}
    for path in result.paths:
        left = bool(abroad(truth, path))
        misplaced = path.trace.prb_id == MISPLACED
        counts["left" if left else "stayed"] += 1
        if path.verdict in LOCAL:
            counts["left_local" if left else "stayed_local"] += 1
        if left and path.verdict == "tromboned":
            counts["left_tromboned"] += 1
        if left and misplaced:
            counts["left_misplaced"] += 1
        if misplaced:
            counts["misplaced"] += 1
        elif path.verdict == "inconclusive":
            counts["inconclusive"] += 1
        verdict_right = right(path.verdict, left)
        if verdict_right is None:
            continue
        kind = str(path.verdict)
        for low, high in LEVELS:
            if low <= path.confidence < high or (high == 1.0 and path.confidence == 1.0):
                tally = bands.setdefault((kind, low, high), [0, 0])
                tally[0] += verdict_right
                tally[1] += 1
                break
    return Figures(
        stayed=counts["stayed"], stayed_local=counts["stayed_local"], left=counts["left"],
        left_local=counts["left_local"], left_tromboned=counts["left_tromboned"],
        left_misplaced=counts["left_misplaced"], domestic=len(result.paths),
        inconclusive=counts["inconclusive"], misplaced_paths=counts["misplaced"],
        by_confidence={k: (v[0], v[1]) for k, v in sorted(bands.items())},
    )  # fmt: skip


def table(found: Figures) -> str:
    """Returns the figures and the confidence table as Markdown."""
    lines = [
        f"- paths that stayed called local: {found.stayed_local} of {found.stayed}",
        f"- paths that left called local: {found.left_local} of {found.left}",
        f"- paths that left called tromboned: {found.left_tromboned} of {found.left} "
        f"({found.left_tromboned} of {found.left - found.left_misplaced} without the "
        f"misplaced probe's {found.left_misplaced})",
        f"- inconclusive: {found.inconclusive} of {found.domestic - found.misplaced_paths} "
        f"domestic paths (the misplaced probe's {found.misplaced_paths} aside)",
        "",
        "| verdict | confidence | right / judged |",
        "|---|---|---|",
    ]
    for (kind, low, high), (ok, seen) in found.by_confidence.items():
        band = f"{low:.1f}-1.0" if high == 1.0 else f"{low:.1f}-{high:.1f}"
        lines.append(f"| {kind} | {band} | {ok} / {seen} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(table(figures(*judged(args.seed, Path(folder)))))


if __name__ == "__main__":
    main()
