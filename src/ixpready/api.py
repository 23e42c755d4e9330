"""The library API: what `import ixpready` offers a notebook or a script (docs/api.md).

Five steps, each one call into the same pipeline functions the CLI runs (`ixpready analyze`,
`model`, `report`), so a notebook and the command line reach the same verdicts:

    refdata = ixpready.load_refdata("refdata/")                  # RegistrySnapshot
    results = ixpready.read_results(["mesh.jsonl"])              # ReadOutcome
    analysis = ixpready.analyze(results, country="GT", refdata=refdata)   # AnalysisResult
    model = ixpready.run_model(analysis, refdata="refdata/")     # ModelResult
    files = ixpready.write_report(analysis, model=model, out_dir="report/")  # ReportFiles

Paths may be `str` or `pathlib.Path`. Every function raises an `IxpreadyError` subclass on
purpose (missing file, unusable reference data, bad argument), never prints, never exits;
records that cannot be read are quarantined in the `ReadOutcome`, not raised.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeAlias

from ixpready.analysis.core import ReadOutcome, analyze_traces
from ixpready.analysis.export import load_analysis as _load_analysis
from ixpready.analysis.export import to_json as _analysis_json
from ixpready.analysis.verdicts import AnalysisResult, Evidence, PathVerdict, Verdict
from ixpready.demo.scenario import ScenarioFiles, write_scenario
from ixpready.errors import UsageError
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import DnsResult, IPAddress, Probe, Trace
from ixpready.model.export import load_model as _load_model
from ixpready.model.export import to_json as _model_json
from ixpready.model.results import ModelResult
from ixpready.pipeline import model as _model
from ixpready.pipeline import report as _report
from ixpready.pipeline.analyze import load_rdns, read_traces
from ixpready.progress import Progress
from ixpready.refdata.snapshots import RegistrySnapshot, load_snapshot
from ixpready.report.i18n import LANGUAGES

__all__ = [
    "AnalysisResult",
    "DnsResult",
    "Evidence",
    "ModelResult",
    "PathLike",
    "PathVerdict",
    "Probe",
    "Progress",
    "ReadOutcome",
    "RegistrySnapshot",
    "ReportFiles",
    "ScenarioFiles",
    "Trace",
    "Verdict",
    "analyze",
    "load_analysis",
    "load_model",
    "load_refdata",
    "read_dns",
    "read_probes",
    "read_rdns",
    "read_results",
    "run_model",
    "save_analysis",
    "save_model",
    "write_demo_scenario",
    "write_report",
]

PathLike: TypeAlias = str | os.PathLike[str]
"""A file or folder name: `str` or `pathlib.Path`."""

ReportFiles = _report.ReportFiles


def _path(value: PathLike) -> Path:
    return Path(os.fspath(value))


def _paths(values: PathLike | Iterable[PathLike]) -> list[Path]:
    if isinstance(values, str | os.PathLike):
        return [_path(values)]
    return [_path(value) for value in values]


def load_refdata(folder: PathLike) -> RegistrySnapshot:
    """Returns the reference data (prefix-to-AS tables, IXP LANs, AS names and
    relationships, RIR statistics, ...) in a folder, as `ixpready analyze --refdata` reads it.

    Raises RefdataError when the folder is missing, holds no recognised file, or a file is
    damaged (naming file and line).
    """
    return load_snapshot(_path(folder))


def read_results(
    paths: PathLike | Iterable[PathLike],
    *,
    store: PathLike | None = None,
    on_progress: Progress | None = None,
) -> ReadOutcome:
    """Returns the traceroutes (and pings) in RIPE Atlas-format result files, each
    measurement/probe/time once; malformed records are in `.quarantined`, never raised.

    `store` adds every result of an ixpready store (SQLite file). `on_progress(done, total)`
    counts files read. Raises InputError when a file or the store cannot be opened,
    StoreError for a damaged store.
    """
    return read_traces(
        _paths(paths), on_progress, store=None if store is None else _path(store)
    )


def read_probes(path: PathLike) -> dict[int, Probe]:
    """Returns probes by id from probe metadata (the RIPE Atlas probes API's JSON), for
    `analyze(probes=...)`. Raises InputError when the file is missing or not a probe list."""
    return load_probes(_path(path))


def read_rdns(path: PathLike) -> dict[IPAddress, str]:
    """Returns reverse-DNS names by address from a JSON object `{address: name}`, for
    `analyze(rdns=...)`. Raises InputError when the file is missing or not such an object."""
    return load_rdns(_path(path))


def read_dns(paths: PathLike | Iterable[PathLike]) -> tuple[DnsResult, ...]:
    """Returns the DNS results in RIPE Atlas-format result files (other results and damaged
    records left out), for `write_report(dns=...)`. Raises InputError when a file cannot be
    read."""
    return _report.read_dns(tuple(_paths(paths)))


def analyze(
    results: ReadOutcome | Iterable[Trace],
    *,
    country: str,
    refdata: RegistrySnapshot,
    probes: Mapping[int, Probe] | None = None,
    rdns: Mapping[IPAddress, str] | None = None,
    inputs: Iterable[str] = (),
    simulated: bool = False,
    on_progress: Progress | None = None,
) -> AnalysisResult:
    """Returns the verdict on every path of `results` seen from `country` (ISO 3166
    alpha-2), domestic pairs first, with the probe checks and the summary counts.

    `results` is what `read_results` read (its traces and pings; what it could not use is
    counted in the summary), or any iterable of `Trace` objects made otherwise (each
    measurement/probe/time once).

    `probes` (see `read_probes`) places RIPE Atlas probes and names their networks; `rdns`
    (see `read_rdns`) adds router names as location hints; `inputs` names what was read (the
    report lists them); `simulated` marks the analysis (and its model and report) as made
    from simulated data, e.g. `write_demo_scenario`'s. `on_progress(done, total)` counts
    traces judged. The same sans-I/O core as `ixpready analyze` (`analysis.core.analyze_traces`). Raises UsageError for a country that
    is not two letters.
    """
    if len(country) != 2 or not country.isalpha():
        raise UsageError(
            f"country {country!r} is not an ISO 3166 alpha-2 code", hint="e.g. country='GT'"
        )
    read = results if isinstance(results, ReadOutcome) else ReadOutcome(tuple(results), (), 0, 0, 0)
    return analyze_traces(
        read.traces,
        home=country,
        snapshot=refdata,
        probes=probes,
        rdns=rdns,
        pings=read.pings,
        counts=read.counts,
        inputs=tuple(inputs),
        simulated=simulated,
        on_progress=on_progress,
    )


def run_model(
    analysis: AnalysisResult,
    *,
    refdata: PathLike | None = None,
    members_file: PathLike | None = None,
    weights_file: PathLike | None = None,
    k: int = 10,
) -> ModelResult:
    """Returns the national-IXP model of an analysis: networks ranked as candidate members,
    a founding set of `k`, and what-if scenarios (as `ixpready model`).

    `refdata` (a folder, as for `load_refdata`) gives AS relationships, IXP members and
    countries; `members_file` a member list for a what-if (ASNs); `weights_file` per-AS user
    estimates (APNIC CSV). Raises UsageError when `k` is negative, RefdataError/InputError
    when a given file cannot be used.
    """
    if k < 0:
        raise UsageError(f"k must be 0 or more, not {k}")
    return _model.run_model(
        analysis,
        refdata=None if refdata is None else _path(refdata),
        members_file=None if members_file is None else _path(members_file),
        k=k,
        weights_file=None if weights_file is None else _path(weights_file),
    )


def write_report(
    analysis: AnalysisResult,
    *,
    out_dir: PathLike,
    model: ModelResult | None = None,
    languages: Sequence[str] = LANGUAGES,
    earlier: Iterable[AnalysisResult] = (),
    dns: Iterable[DnsResult] = (),
    refdata: RegistrySnapshot | None = None,
) -> ReportFiles:
    """Writes the report into `out_dir` (created if missing): `report.<lang>.html` and
    `.pdf` per language ("es", "en"), `verdicts.csv`/`.json`, `probes.csv`, with a model
    `candidates.csv`/`.json`; returns the files written (as `ixpready report`).

    `earlier` analyses draw the trend; `dns` results (see `read_dns`) add the DNS and content
    sections, their addresses mapped with `refdata`. Raises UsageError for an unknown
    language, InputError when `out_dir` cannot be written.
    """
    return _report.write_report(
        analysis,
        model=model,
        out_dir=_path(out_dir),
        languages=tuple(languages),
        earlier=tuple(earlier),
        dns=tuple(dns),
        refdata=refdata,
    )


def load_analysis(path: PathLike) -> AnalysisResult:
    """Returns the analysis in a JSON file written by `ixpready analyze --format json` or
    `save_analysis`. Raises InputError when the file is missing or not an analysis."""
    return _load_analysis(_path(path))


def save_analysis(analysis: AnalysisResult, path: PathLike) -> Path:
    """Writes the analysis as JSON (the documented contract, read by `ixpready model` and
    `ixpready report`) and returns the file's path. Raises OSError when it cannot be written."""
    target = _path(path)
    target.write_bytes(_analysis_json(analysis))
    return target


def load_model(path: PathLike) -> ModelResult:
    """Returns the model in a JSON file written by `ixpready model --format json` or
    `save_model`. Raises InputError when the file is missing or not a model."""
    return _load_model(_path(path))


def save_model(model: ModelResult, path: PathLike) -> Path:
    """Writes the model as JSON (read by `ixpready report --model`) and returns the file's
    path. Raises OSError when it cannot be written."""
    target = _path(path)
    target.write_bytes(_model_json(model))
    return target


def write_demo_scenario(folder: PathLike, *, seed: int = 2026) -> ScenarioFiles:
    """Writes the SIMULATED Guatemala scenario of `ixpready demo` into `folder` (results in
    RIPE Atlas format, probes, reverse DNS, DNS results, reference data) and returns where
    each file is. The same seed writes the same bytes. Raises OSError when it cannot write.
    """
    return write_scenario(_path(folder), seed=seed)
