"""`ixpready demo`: write the simulated Guatemala scenario, then run the real pipeline on it:
analyze, model, report — the same code the real job runs, on data written in the exact RIPE
Atlas formats."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ixpready.analysis.export import to_json
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.demo.scenario import write_scenario
from ixpready.model.export import to_json as model_to_json
from ixpready.model.results import ModelResult
from ixpready.pipeline.analyze import analyze_files
from ixpready.pipeline.model import model_notes, run_model
from ixpready.pipeline.readiness import readiness_json, readiness_of
from ixpready.pipeline.report import ReportFiles, read_dns, write_report
from ixpready.refdata.snapshots import load_snapshot
from ixpready.report.exports import paths_csv

FOUNDING_SET_SIZE = 5


@dataclass(frozen=True)
class DemoOutcome:
    """The demo's analysis, model and report, and lines for the terminal."""

    analysis: AnalysisResult
    model: ModelResult
    report: ReportFiles
    notes: tuple[str, ...]


def run_demo(out_dir: Path, *, seed: int = 2026, report: bool = True) -> DemoOutcome:
    """Returns what the pipeline concluded on a freshly written simulated scenario in `out_dir`.

    Writes the scenario, `analysis.json`, `verdicts.csv`, `model.json` and the report (HTML per
    language, PDF, exports) under `out_dir/report` (skipped with `report=False`); the report
    shows the scenario's DNS results (root and .gt instances, where content is served),
    mapped with its reference data.
    """
    files = write_scenario(out_dir, seed=seed)
    run = analyze_files(
        list(files.results), country="GT", refdata=files.refdata, probes=files.probes,
        rdns=files.rdns, quarantine=out_dir / "quarantine.jsonl", simulated=True,
    )  # fmt: skip
    analysis_path = out_dir / "analysis.json"
    analysis_path.write_bytes(to_json(run.result))
    (out_dir / "verdicts.csv").write_text(paths_csv(run.result.paths), encoding="utf-8")
    model = run_model(
        run.result, refdata=files.refdata, members_file=None, k=FOUNDING_SET_SIZE, weights_file=None
    )
    model_path = out_dir / "model.json"
    model_path.write_bytes(model_to_json(model))
    readiness = readiness_of(run.result, refdata=files.refdata, model=model)
    (out_dir / "readiness.json").write_bytes(readiness_json(readiness))
    written = None
    if report:
        written = write_report(
            run.result,
            model=model,
            out_dir=out_dir / "report",
            dns=read_dns((files.dns,)),
            refdata=load_snapshot(files.refdata),
            readiness=readiness,
        )
    notes = [
        "SIMULATED scenario: not a measurement of Guatemala (see SCENARIO.md).",
        *model_notes(model),
        f"analysis: {analysis_path}",
        f"model: {model_path}",
        f"readiness: {out_dir / 'readiness.json'} (`ixpready readiness` shows the table)",
        f"quarantined records: {len(run.quarantined)} (in {out_dir / 'quarantine.jsonl'})",
    ]
    if written is not None:
        notes.append(
            f"report ({len(written.all)} files): "
            + ", ".join(str(p) for p in written.html + written.pdf)
        )
    return DemoOutcome(run.result, model, written or ReportFiles(out_dir, (), (), ()), tuple(notes))
