"""The report as HTML (one self-contained page per language) and as PDF from that same HTML.

Templates autoescape with `StrictUndefined`; charts arrive as SVG `Markup` built by
`charts`/`worldmap`, which escape every name themselves. Nothing here writes files:
`pipeline.report` does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ixpready.analysis.content import ContentSummary
from ixpready.analysis.dns import DnsSummary
from ixpready.analysis.verdicts import AnalysisResult, PathVerdict, ProbeCheck, Verdict
from ixpready.model.readiness import ReadinessReport
from ixpready.report import charts, worldmap
from ixpready.report.content import content_view
from ixpready.report.facts import Counted, Facts, Round, TrendMark, facts_of
from ixpready.report.i18n import Translator, check_language
from ixpready.report.model_view import ModelView
from ixpready.report.readiness_view import readiness_view
from ixpready.report.sanitize import shown_on_page

ANNEX_MAX_PATHS = 150
MODEL_MAX_CANDIDATES = 15
PRINT_MAX_PATHS = 20  # the PDF lists this many; the page and the exports hold them all
PRINT_MAX_EVIDENCE = 3  # facts per path in the PDF
DNS_MAX = 20
PROBE_STATUSES = frozenset({"confirmed", "unverified", "contradicted", "unknown"})
ATLAS_MEASUREMENT_URL = "https://atlas.ripe.net/measurements/{msm_id}/"


def html_name(lang: str) -> str:
    """Returns the file name of the report page in `lang` ("report.es.html")."""
    return f"report.{lang}.html"


def pdf_name(lang: str) -> str:
    """Returns the file name of the PDF in `lang` ("report.es.pdf")."""
    return f"report.{lang}.pdf"


@dataclass(frozen=True, slots=True)
class Export:
    """A file written beside the report, named for the page's downloads list."""

    name: str
    label_key: str


@dataclass(frozen=True, slots=True)
class PathRow:
    """One row of the annex table of tromboned paths (plain values; escaped in the template)."""

    msm_id: int
    msm_url: str | None  # its RIPE Atlas page; None for an operator's own probe
    prb_id: int
    source: str
    destination: str
    abroad: str
    extra: str
    evidence: tuple[str, ...]
    source_title: str = ""  # the whole name when `source` is cut, else ""
    destination_title: str = ""


@dataclass(frozen=True, slots=True)
class ProbeRow:
    """One row of the annex table of probes."""

    prb_id: int
    country: str
    network: str
    status: str
    description: str
    network_title: str = ""  # the whole name when `network` is cut, else ""


@dataclass(frozen=True, slots=True)
class Language:
    """A language of the report set: code, own name, page file, and whether it is this page."""

    code: str
    name: str
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class PdfRenderWarning:
    """A warning WeasyPrint logged while laying out the PDF (it logs rather than raises)."""

    message: str


def _finalize(value: object) -> object:
    """Drops control and bidi characters from every plain value a template prints (then
    escaped) and shortens words too long to lay out (`sanitize.shown_on_page`)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return shown_on_page(value)
    return value


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ixpready.report", "templates"),
        finalize=_finalize,
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


_ENV = _environment()


LABEL_MAX = 60  # characters of a network name in a table cell; the whole name is its tooltip


def _cut(asn: int | None, names: Mapping[int, str], t: Translator) -> tuple[str, str]:
    """Returns a network's name as a cell shows it and its tooltip ("" when not cut)."""
    whole = charts.network_name(asn, names, t)
    shown = charts.network_label(asn, names, t, LABEL_MAX)
    return shown, "" if shown == whole else whole


def atlas_url(msm_id: int, origin: str) -> str | None:
    """Returns the RIPE Atlas page of a measurement, or None when its results came from an
    operator's own probe (their ids are ixpready's, not RIPE Atlas's)."""
    return ATLAS_MEASUREMENT_URL.format(msm_id=msm_id) if origin == "atlas" else None


def _path_row(path: PathVerdict, names: Mapping[int, str], t: Translator) -> PathRow:
    abroad = "; ".join(t.place(c) for c in path.foreign_cities) or ", ".join(
        t.country(c) for c in path.foreign_countries
    )
    evidence = tuple(
        (f"#{e.hop} " if e.hop is not None else "") + f"[{e.kind}] {e.fact}" for e in path.evidence
    )
    source, source_title = _cut(path.src_asn, names, t)
    destination, destination_title = _cut(path.dst_asn, names, t)
    return PathRow(
        msm_id=path.trace.msm_id,
        msm_url=atlas_url(path.trace.msm_id, path.origin),
        prb_id=path.trace.prb_id,
        source=source,
        destination=destination,
        abroad=abroad,
        extra="" if path.extra_rtt_ms is None else t.ms(path.extra_rtt_ms),
        evidence=evidence,
        source_title=source_title,
        destination_title=destination_title,
    )


def _probe_row(probe: ProbeCheck, names: Mapping[int, str], t: Translator) -> ProbeRow:
    status_key = f"probe_status_{probe.status}"
    network, network_title = _cut(probe.asn, names, t)
    return ProbeRow(
        prb_id=probe.prb_id,
        country=t.country(probe.country),
        network=network,
        status=t(status_key) if probe.status in PROBE_STATUSES else probe.status,
        description=probe.description,
        network_title=network_title,
    )


@dataclass(frozen=True, slots=True)
class MeasurementRow:
    """One measurement of the provenance list: its RIPE Atlas page (None for results of an
    operator's own probe), paths and probes."""

    msm_id: int
    url: str | None
    paths: int
    probes: int


def _measurements(analysis: AnalysisResult) -> list[MeasurementRow]:
    paths: dict[int, int] = {}
    probes: dict[int, set[int]] = {}
    origins: dict[int, set[str]] = {}
    for path in (*analysis.paths, *analysis.other_paths):
        msm_id = path.trace.msm_id
        paths[msm_id] = paths.get(msm_id, 0) + 1
        probes.setdefault(msm_id, set()).add(path.trace.prb_id)
        origins.setdefault(msm_id, set()).add(path.origin)
    return [
        MeasurementRow(
            msm_id,
            atlas_url(msm_id, "atlas") if origins[msm_id] == {"atlas"} else None,
            paths[msm_id],
            len(probes[msm_id]),
        )
        for msm_id in sorted(paths)
    ]


def _founding_picks(model: ModelView | None, t: Translator) -> list[str]:
    """Returns, for the founders ranked low on their own, "AS.. Name (rank r of n, pick p)"."""
    if model is None:
        return []
    return [
        t("model_founding_pick", name=f"AS{f.asn} {f.name}".strip(), rank=f.rank or "?",
          total=len(model.candidates), order=f.order)
        for f in model.complements
    ]  # fmt: skip


def _top_places(facts: Facts, t: Translator) -> str:
    ranked: tuple[Counted, ...] = facts.cities or facts.countries
    names = [t.place(c.label) if facts.cities else t.country(c.label) for c in ranked[:2]]
    return " / ".join(names) if names else "?"


def render_html(
    analysis: AnalysisResult,
    *,
    lang: str,
    model: ModelView | None = None,
    languages: tuple[str, ...] = ("es", "en"),
    exports: tuple[Export, ...] = (),
    earlier: tuple[AnalysisResult, ...] = (),
    rounds: tuple[Round, ...] = (),
    marks: tuple[TrendMark, ...] = (),
    dns: DnsSummary | None = None,
    content: ContentSummary | None = None,
    readiness: ReadinessReport | None = None,
    now: datetime | None = None,
) -> str:
    """Returns the self-contained HTML page of the report in `lang`.

    `languages` names the pages of the set (for the language switch), `exports` the files
    beside it; the trend comes from `rounds` when given, else from `earlier` analyses of
    previous rounds (see `facts_of`), with `marks` drawn on it; `dns` adds the DNS section
    (instances first, at most DNS_MAX rows); `content` adds where popular content is served
    from (see `report.content`); `readiness` adds the "Ready to peer?" scorecard. Raises
    UsageError on an unknown language.
    """
    from ixpready import __version__

    t = Translator(check_language(lang))
    facts = facts_of(analysis, earlier, rounds)
    names = analysis.as_names
    tromboned = sorted(
        (p for p in analysis.paths if p.verdict is Verdict.TROMBONED),
        key=lambda p: (-(p.extra_rtt_ms or 0.0), p.trace),
    )
    probes = analysis.probes
    statuses = [p.status for p in probes]
    inconclusive = facts.count(Verdict.INCONCLUSIVE)
    considered, sources, destinations = charts.matrix_axes(facts)
    no_row = [a for a in considered if a not in sources]
    no_column = [a for a in considered if a not in destinations]
    context = {
        "t": t,
        "lang": lang,
        "analysis": analysis,
        "facts": facts,
        "country_name": t.country(analysis.country),
        "generated": t.date(now or datetime.now(tz=UTC)),
        "analysis_date": t.date(analysis.generated_at),
        "languages": [
            Language(code, Translator(code)("lang_name"), html_name(code), code == lang)
            for code in languages
        ],
        "other_languages": [code for code in languages if code != lang],
        "share_bar": charts.share_bar(facts, t),
        "map": worldmap.detour_map(facts, t),
        "matrix": charts.pair_matrix(facts, names, t) if facts.pairs else None,
        "matrix_total": len(facts.networks),
        "matrix_no_row": [charts.network_name(a, names, t) for a in no_row],
        "matrix_no_column": [charts.network_name(a, names, t) for a in no_column],
        "matrix_shown": min(len(facts.networks), charts.MATRIX_MAX),
        "flows": charts.detour_flows(facts, names, t),
        "flows_shown": min(len(facts.flows), charts.FLOWS_MAX),
        "flows_paths": sum(f.paths for f in facts.flows[: charts.FLOWS_MAX]),
        "flows_total": sum(f.paths for f in facts.flows),
        "latency": charts.latency(facts, t),
        "trend": charts.trend(facts, t, marks),
        "trend_max": charts.TREND_MAX,
        "dns": dns if dns is not None and dns.findings else None,
        "dns_max": DNS_MAX,
        "content": (
            content_view(content, t, analysis.country)
            if content is not None and content.names
            else None
        ),
        "top_places": _top_places(facts, t),
        "country_rows": [(t.country(c.label), c.paths) for c in facts.countries[:8]],
        "city_rows": [(t.place(c.label), c.paths) for c in facts.cities[:8]],
        "carrier_rows": [
            (charts.network_label(int(c.label), names, t, 60), c.paths) for c in facts.carriers[:8]
        ],
        "inconclusive": inconclusive,
        "measurements": _measurements(analysis),
        "probe_counts": {
            "n": len(probes),
            "confirmed": statuses.count("confirmed"),
            "contradicted": statuses.count("contradicted"),
            "other": len(probes) - statuses.count("confirmed") - statuses.count("contradicted"),
        },
        "path_rows": [_path_row(p, names, t) for p in tromboned[:ANNEX_MAX_PATHS]],
        "paths_total": len(tromboned),
        "probe_rows": [_probe_row(p, names, t) for p in probes],
        "model": model,
        "readiness": (
            readiness_view(readiness, t) if readiness is not None and readiness.networks else None
        ),
        "founding_picks": _founding_picks(model, t),
        "model_max": MODEL_MAX_CANDIDATES,
        "print_max": PRINT_MAX_PATHS,
        "print_evidence": PRINT_MAX_EVIDENCE,
        "exports": exports,
        "version": __version__,
        "verdicts": [str(v) for v in Verdict],
    }
    return _ENV.get_template("report.html").render(context)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_log() -> Iterator[_Collect]:
    """Collects what WeasyPrint logs (unsupported CSS, failed fetches) instead of printing it."""
    collector = _Collect()
    loggers = [logging.getLogger(name) for name in ("weasyprint", "weasyprint.progress")]
    saved = [(lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(collector)
        lg.propagate = False
    try:
        yield collector
    finally:
        for lg, (propagate, level) in zip(loggers, saved, strict=True):
            lg.removeHandler(collector)
            lg.propagate = propagate
            lg.setLevel(level)


def render_pdf(html: str) -> tuple[bytes, tuple[PdfRenderWarning, ...]]:
    """Returns the PDF of a report page and the warnings WeasyPrint logged laying it out.

    The page is self-contained, so WeasyPrint is given no base URL and fetches nothing:
    any attempt is refused and comes back as a warning.
    """
    import weasyprint  # type: ignore[import-untyped]  # ships no type information

    class Offline(weasyprint.urls.URLFetcher):  # type: ignore[misc]  # untyped base
        """Refuses every fetch: WeasyPrint then logs a warning and leaves the resource out."""

        def fetch(self, url: str, headers: object = None) -> object:
            raise ValueError(f"the report must be self-contained; refused to fetch {url}")

    with _weasyprint_log() as log:
        document = weasyprint.HTML(string=html, url_fetcher=Offline())
        pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # write_pdf() without a target returns the bytes
        raise TypeError(f"WeasyPrint returned {type(pdf).__name__}, not the PDF bytes")
    return pdf, tuple(PdfRenderWarning(m) for m in log.messages)


__all__ = [
    "Export",
    "PdfRenderWarning",
    "html_name",
    "pdf_name",
    "render_html",
    "render_pdf",
]
