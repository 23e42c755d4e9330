"""For the kernel tests that wrap the analysis's kernel calls (tests of `_kernels_judge.c`
and `_kernels_walk.c`): what they count (`Calls`) and the demo they analyse (`analysed_demo`)."""

from __future__ import annotations

from pathlib import Path

from ixpready.demo.scenario import write_scenario
from ixpready.pipeline.analyze import AnalysisRun, analyze_files


def analysed_demo(folder: Path) -> AnalysisRun:
    """Returns the analysis of a small demo scenario written in `folder` (over 700 paths)."""
    files = write_scenario(folder, seed=5, lanes=4, probes_per_network=2)
    run = analyze_files(
        list(files.results), country="GT", refdata=files.refdata, probes=files.probes,
        rdns=files.rdns, simulated=True,
    )  # fmt: skip
    assert len(run.result.paths) > 700
    return run


class Calls:
    """Counts, per kernel, the calls it answered and declined (and, for the walk kernels, the
    answers that held discs)."""

    def __init__(self) -> None:
        self.answered: dict[str, int] = {}
        self.with_discs = 0
        self.declined: dict[str, int] = {}

    def count(self, name: str, answered: bool) -> None:
        into = self.answered if answered else self.declined
        into[name] = into.get(name, 0) + 1
