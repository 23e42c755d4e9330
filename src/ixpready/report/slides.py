"""The chapter-meeting deck: six 16:9 slides (headline figure, map, who reaches whom, what a
national IXP would change, trend, method), each with speaker notes, as one self-contained
HTML page per language that prints to PDF (one slide a page).

Every figure comes from the report's own `facts_of`, charts and model view: the deck adds
layout and words, never a computation of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup

from ixpready.analysis.verdicts import AnalysisResult, Verdict
from ixpready.report import charts, worldmap
from ixpready.report.facts import Round, TrendMark, facts_of
from ixpready.report.i18n import Translator, check_language
from ixpready.report.model_view import ModelView
from ixpready.report.render import _ENV, Language, _founding_picks, _top_places

SLIDES = ("headline", "map", "matrix", "ixp", "trend", "method")


def slides_name(lang: str) -> str:
    """Returns the file name of the deck in `lang` ("slides.es.html")."""
    return f"slides.{lang}.html"


def slides_pdf_name(lang: str) -> str:
    """Returns the file name of the deck's PDF in `lang` ("slides.es.pdf")."""
    return f"slides.{lang}.pdf"


@dataclass(frozen=True, slots=True)
class IxpSlide:
    """What the IXP slide shows: the founding set's pairs kept local, before and after."""

    before: int
    after: int
    pairs: int
    founders: tuple[str, ...]


def _ixp(model: ModelView | None) -> IxpSlide | None:
    if model is None:
        return None
    founding = next((s for s in model.scenarios if s.name == "founding_set"), None)
    if founding is None:
        return None
    return IxpSlide(founding.pairs_local_before, founding.pairs_local_after, founding.pairs,
                    model.founding_members)  # fmt: skip


def _dates(analysis: AnalysisResult) -> str:
    days = sorted({s.date for s in analysis.snapshots if s.date})
    return " – ".join(dict.fromkeys((days[0], days[-1]))) if days else "?"


def render_slides(
    analysis: AnalysisResult,
    *,
    lang: str,
    model: ModelView | None = None,
    languages: tuple[str, ...] = ("es", "en"),
    earlier: tuple[AnalysisResult, ...] = (),
    rounds: tuple[Round, ...] = (),
    marks: tuple[TrendMark, ...] = (),
    now: datetime | None = None,
) -> str:
    """Returns the deck in `lang` as one self-contained HTML page (16:9 pages in print).
    Raises UsageError on an unknown language."""
    from ixpready import __version__

    t = Translator(check_language(lang))
    facts = facts_of(analysis, earlier, rounds)
    names: Mapping[int, str] = analysis.as_names
    tromboned = facts.count(Verdict.TROMBONED)
    local = facts.count(Verdict.LOCAL) + facts.count(Verdict.LOCAL_VIA_IXP)
    title = t("doc_title", country=t.country(analysis.country))
    context = {
        "t": t,
        "lang": lang,
        "analysis": analysis,
        "facts": facts,
        "title": title,
        "country_name": t.country(analysis.country),
        "generated": t.date(now or datetime.now(tz=UTC)),
        "languages": [
            Language(code, Translator(code)("lang_name"), slides_name(code), code == lang)
            for code in languages
        ],
        "tromboned": tromboned,
        "local": local,
        "inconclusive": facts.count(Verdict.INCONCLUSIVE),
        "share_bar": charts.share_bar(facts, t),
        "map": worldmap.detour_map(facts, t),
        "matrix": charts.pair_matrix(facts, names, t) if facts.pairs else None,
        "trend": charts.trend(facts, t, marks),
        "top_places": _top_places(facts, t),
        "ixp": _ixp(model),
        "founding_picks": _founding_picks(model, t),
        "probes": len(analysis.probes),
        "networks": len(facts.networks),
        "dates": _dates(analysis),
        "count": len(SLIDES),
        "version": __version__,
        "empty": Markup(""),
    }
    return _ENV.get_template("slides.html").render(context)


__all__ = ["SLIDES", "render_slides", "slides_name", "slides_pdf_name"]
