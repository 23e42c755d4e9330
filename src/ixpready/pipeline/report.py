"""The `report` job: an analysis (and optionally a model) -> HTML + PDF per language + exports.

Writes into `out_dir`: `report.<lang>.html` and `report.<lang>.pdf` for each language,
`verdicts.csv`, `verdicts.json`, `probes.csv`, with a model `candidates.csv` and
`candidates.json`, and with DNS answers for content names `content.csv`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ixpready.analysis.content import AddressOwners, ContentSummary, content_findings
from ixpready.analysis.dns import dns_findings
from ixpready.analysis.export import load_analysis
from ixpready.analysis.verdicts import AnalysisResult, Verdict
from ixpready.errors import InputError, UsageError
from ixpready.measurements.parse import read_results
from ixpready.measurements.records import DnsResult
from ixpready.model.export import load_model
from ixpready.model.readiness import ReadinessReport
from ixpready.model.results import ModelResult
from ixpready.pipeline.readiness import readiness_of
from ixpready.refdata.snapshots import RegistrySnapshot, load_snapshot
from ixpready.report import exports
from ixpready.report.content import content_csv
from ixpready.report.facts import Round, TrendMark
from ixpready.report.i18n import LANGUAGES, check_language
from ixpready.report.model_view import model_view_of
from ixpready.report.readiness_view import readiness_csv, readiness_json
from ixpready.report.render import Export, html_name, pdf_name, render_html, render_pdf
from ixpready.report.slides import render_slides, slides_name, slides_pdf_name
from ixpready.report.terminal import terminal_safe

DEFAULT_REPORTS_DIR = Path("reports")


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """The files one report run wrote, and the warnings laying out the PDFs produced."""

    out_dir: Path
    html: tuple[Path, ...]
    pdf: tuple[Path, ...]
    exports: tuple[Path, ...]
    warnings: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[Path, ...]:
        """Returns every file written, pages first."""
        return (*self.html, *self.pdf, *self.exports)

    def as_text(self) -> str:
        """Returns one line per file written (and per warning), safe to print to a terminal."""
        lines = [f"wrote {terminal_safe(path)}" for path in self.all]
        lines += [f"warning: {terminal_safe(w)}" for w in self.warnings]
        return "\n".join(lines)


def default_out_dir(analysis: AnalysisResult, base: Path = DEFAULT_REPORTS_DIR) -> Path:
    """Returns reports/<country>-<analysis time>, e.g. reports/gt-20260302T1830Z."""
    stamp = analysis.generated_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    country = "".join(ch for ch in analysis.country.lower() if ch.isalnum()) or "xx"
    return base / f"{country}-{stamp}"


def _write(path: Path, data: bytes) -> Path:
    """Writes a file whole (temporary name, then rename) and returns its path."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path


def report_round(
    label: str,
    started: datetime,
    *,
    local: int,
    local_via_ixp: int,
    tromboned: int,
    inconclusive: int,
) -> Round:
    """Returns a trend round for the report from a round's counts (`local` excludes
    `local_via_ixp`)."""
    counts = (
        (Verdict.LOCAL, local),
        (Verdict.LOCAL_VIA_IXP, local_via_ixp),
        (Verdict.TROMBONED, tromboned),
        (Verdict.INCONCLUSIVE, inconclusive),
    )
    return Round(label, started, counts)


def write_report(
    analysis: AnalysisResult,
    *,
    model: ModelResult | None,
    out_dir: Path,
    languages: tuple[str, ...] = LANGUAGES,
    earlier: tuple[AnalysisResult, ...] = (),
    rounds: tuple[Round, ...] = (),
    marks: tuple[TrendMark, ...] = (),
    dns: tuple[DnsResult, ...] = (),
    refdata: RegistrySnapshot | None = None,
    readiness: ReadinessReport | None = None,
    now: datetime | None = None,
    slides: bool = False,
) -> ReportFiles:
    """Writes the report set into `out_dir` (created if missing) and returns what it wrote.

    The trend chart shows `rounds` when given (e.g. the store's rounds, see `report_round`),
    else one round per analysis of `earlier` + this one, else one per day measured; `marks`
    (dated events) are drawn on it. `dns` results add the DNS section (which instance of a
    server answered, and where) and, for content names asked (IN A/AAAA), where that content
    is served from (`content.csv` too): `refdata` maps each answer address to its origin AS,
    AS name and registry country; the analysis's traceroutes to those addresses say whether
    the paths stay in the country. `readiness` adds the "Ready to peer?" scorecard (and
    `readiness.csv` / `readiness.json`). With `slides`, the 16:9 deck (`slides.<lang>.html`
    and `.pdf`, see `report.slides`) is written too. Raises UsageError for an unknown or
    missing language,
    InputError when `out_dir` cannot be written.
    """
    if not languages:
        raise UsageError("no report language given", hint=f"choose from: {', '.join(LANGUAGES)}")
    languages = tuple(dict.fromkeys(check_language(lang) for lang in languages))
    view = model_view_of(model) if model is not None else None
    dns_summary = dns_findings(dns) if dns else None
    content = content_of(analysis, dns, refdata) if dns else None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written_exports = [
            _write(out_dir / "verdicts.csv", exports.verdicts_csv(analysis).encode("utf-8")),
            _write(out_dir / "verdicts.json", exports.verdicts_json(analysis)),
            _write(out_dir / "probes.csv", exports.probes_csv(analysis).encode("utf-8")),
        ]
        listed = [
            Export("verdicts.csv", "export_verdicts_csv"),
            Export("verdicts.json", "export_verdicts_json"),
            Export("probes.csv", "export_probes_csv"),
        ]
        if view is not None:
            written_exports += [
                _write(out_dir / "candidates.csv", exports.candidates_csv(view).encode("utf-8")),
                _write(out_dir / "candidates.json", exports.candidates_json(view)),
            ]
            listed += [
                Export("candidates.csv", "export_candidates_csv"),
                Export("candidates.json", "export_candidates_json"),
            ]
        if content is not None and content.names:
            written_exports.append(
                _write(out_dir / "content.csv", content_csv(content).encode("utf-8"))
            )
            listed.append(Export("content.csv", "export_content_csv"))
        if readiness is not None and readiness.networks:
            written_exports += [
                _write(out_dir / "readiness.csv", readiness_csv(readiness).encode("utf-8")),
                _write(out_dir / "readiness.json", readiness_json(readiness)),
            ]
            listed += [
                Export("readiness.csv", "export_readiness_csv"),
                Export("readiness.json", "export_readiness_json"),
            ]
        html_files: list[Path] = []
        pdf_files: list[Path] = []
        warnings: list[str] = []
        for lang in languages:
            page = render_html(
                analysis, lang=lang, model=view, languages=languages,
                exports=tuple(listed), earlier=earlier, rounds=rounds, marks=marks,
                dns=dns_summary, content=content, readiness=readiness, now=now,
            )  # fmt: skip
            html_files.append(_write(out_dir / html_name(lang), page.encode("utf-8")))
            pdf, pdf_warnings = render_pdf(page)
            pdf_files.append(_write(out_dir / pdf_name(lang), pdf))
            warnings += [f"{pdf_name(lang)}: {w.message}" for w in pdf_warnings]
            if slides:
                deck = render_slides(
                    analysis, lang=lang, model=view, languages=languages, earlier=earlier,
                    rounds=rounds, marks=marks, now=now,
                )  # fmt: skip
                html_files.append(_write(out_dir / slides_name(lang), deck.encode("utf-8")))
                deck_pdf, deck_warnings = render_pdf(deck)
                pdf_files.append(_write(out_dir / slides_pdf_name(lang), deck_pdf))
                warnings += [f"{slides_pdf_name(lang)}: {w.message}" for w in deck_warnings]
    except OSError as exc:
        raise InputError(
            f"{out_dir}: cannot write the report ({exc.strerror or exc})",
            hint="choose a writable folder with --out",
        ) from None
    return ReportFiles(
        out_dir=out_dir,
        html=tuple(html_files),
        pdf=tuple(pdf_files),
        exports=tuple(written_exports),
        warnings=tuple(warnings),
    )


def content_of(
    analysis: AnalysisResult, dns: tuple[DnsResult, ...], refdata: RegistrySnapshot | None
) -> ContentSummary:
    """Returns the content names in `dns`, their addresses mapped with `refdata` (when given)
    and matched with the analysis's paths (domestic and others) to those addresses."""
    return content_findings(
        dns,
        home=analysis.country,
        paths=(*analysis.paths, *analysis.other_paths),
        owners=None if refdata is None else AddressOwners.from_snapshot(refdata),
    )


def read_dns(paths: tuple[Path, ...]) -> tuple[DnsResult, ...]:
    """Returns the DNS results in RIPE Atlas-format result files (other results, damaged
    records: left out). Raises InputError when a file cannot be opened."""
    found: list[DnsResult] = []
    for path in paths:
        try:
            outcomes = list(read_results(path))
        except OSError as exc:
            raise InputError(f"{path}: cannot read DNS results ({exc.strerror or exc})") from None
        found += [o for o in outcomes if isinstance(o, DnsResult)]
    return tuple(found)


def report_from_files(
    analysis_paths: tuple[Path, ...],
    *,
    model_path: Path | None,
    out_dir: Path | None,
    languages: tuple[str, ...],
    dns_paths: tuple[Path, ...] = (),
    refdata_path: Path | None = None,
    slides: bool = False,
) -> ReportFiles:
    """Reads analyses (the newest is reported, the others give the trend), a model, DNS
    results and a reference-data folder, and writes the report. Raises InputError when a
    file is missing or unreadable, RefdataError when the reference folder is unusable.
    """
    if not analysis_paths:
        raise UsageError("no analysis file given")
    analyses = sorted((load_analysis(p) for p in analysis_paths), key=lambda a: a.generated_at)
    current, earlier = analyses[-1], tuple(analyses[:-1])
    model = load_model(model_path) if model_path is not None else None
    readiness = (
        None if refdata_path is None
        else readiness_of(current, refdata=refdata_path, model=model)
    )  # fmt: skip
    return write_report(
        current,
        model=model,
        out_dir=out_dir or default_out_dir(current),
        languages=languages,
        earlier=earlier,
        dns=read_dns(dns_paths),
        refdata=None if refdata_path is None else load_snapshot(refdata_path),
        readiness=readiness,
        slides=slides,
    )
