"""`ixpready demo`: write the simulated Guatemala scenario, then run the real pipeline on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ixpready.analysis.export import to_csv, to_json
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.pipeline.analyze import analyze_files
from ixpready.pipeline.demo_scenario import write_scenario


@dataclass(frozen=True)
class DemoOutcome:
    """The demo's analysis and what it wrote, as lines for the terminal."""

    analysis: AnalysisResult
    notes: tuple[str, ...]


def run_demo(out_dir: Path, *, seed: int = 2026) -> DemoOutcome:
    """Returns the analysis of a freshly written simulated scenario in `out_dir`."""
    files = write_scenario(out_dir, seed=seed)
    run = analyze_files(
        list(files.results), country="GT", refdata=files.refdata, probes=files.probes,
        rdns=files.rdns, quarantine=out_dir / "quarantine.jsonl", simulated=True,
    )  # fmt: skip
    analysis_path = out_dir / "analysis.json"
    analysis_path.write_bytes(to_json(run.result))
    (out_dir / "verdicts.csv").write_text(to_csv(run.result.paths), encoding="utf-8")
    notes = [
        "SIMULATED scenario: not a measurement of Guatemala (see SCENARIO.md).",
        f"analysis: {analysis_path}",
        f"quarantined records: {len(run.quarantined)} (in {out_dir / 'quarantine.jsonl'})",
    ]
    return DemoOutcome(run.result, tuple(notes))
