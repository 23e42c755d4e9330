"""`ixpready report --slides`: a 16:9 deck of six slides with speaker notes, per language,
self-contained like the report, drawn from the report's own figures."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from ixpready.analysis.export import to_json
from ixpready.cli import main
from ixpready.pipeline.demo import DemoOutcome
from ixpready.report.model_view import model_view_of
from ixpready.report.render import render_pdf
from ixpready.report.slides import render_slides
from report.browser import Chromium
from report.layout import overlapping, pdf_pages, untranslated
from report.sample import SCRIPT, sample_analysis

HEADINGS = {
    "es": ["Mapa de los desvíos", "Quién llega a quién", "Quién debería unirse a un IXP nacional",
           "Evolución entre rondas de medición", "Metodología, límites y procedencia de los datos"],
    "en": ["Map of the detours", "Who reaches whom", "Who should join a national IXP",
           "Trend across measurement rounds", "Methodology, limitations and data provenance"],
}  # fmt: skip


@dataclass(frozen=True)
class Deck:
    html: dict[str, Path]
    pdf: dict[str, Path]


@pytest.fixture(scope="module")
def deck(demo: DemoOutcome, tmp_path_factory: pytest.TempPathFactory) -> Deck:
    folder = tmp_path_factory.mktemp("slides")
    view = model_view_of(demo.model)
    html, pdf = {}, {}
    for lang in ("es", "en"):
        page = render_slides(demo.analysis, lang=lang, model=view)
        html[lang] = folder / f"slides.{lang}.html"
        html[lang].write_text(page, "utf-8")
        data, warnings = render_pdf(page)
        assert warnings == ()
        pdf[lang] = folder / f"slides.{lang}.pdf"
        pdf[lang].write_bytes(data)
    return Deck(html, pdf)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_six_16_by_9_pages_one_slide_each_nothing_overlapping(deck: Deck, lang: str) -> None:
    info = subprocess.run(["pdfinfo", str(deck.pdf[lang])], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "Pages:           6" in info
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())  # type: ignore[union-attr]
    assert abs(width / height - 16 / 9) < 0.01
    pages = pdf_pages(deck.pdf[lang])
    assert overlapping([w for p in pages for w in p.words]) == []
    texts = [" ".join(w.text for w in p.words) for p in pages]
    for number, heading in enumerate(HEADINGS[lang], start=2):
        assert heading in texts[number - 1], (number, heading)
        assert f"{number} / 6" in texts[number - 1]
    notes = "Notas para quien presenta" if lang == "es" else "Speaker notes"
    assert all(notes not in text for text in texts)  # notes are for the speaker, not the PDF


def test_the_deck_shows_the_report_s_figures_and_notes(deck: Deck, demo: DemoOutcome) -> None:
    es = deck.html["es"].read_text("utf-8")
    en = deck.html["en"].read_text("utf-8")
    report = (demo.report.out_dir / "report.es.html").read_text("utf-8")
    share = re.search(r'<div class="card tromboned"><span class="big">([^<]+)<', report)
    assert share is not None and f'<p class="big">{share[1]}</p>' in es
    founding = next(s for s in demo.model.scenarios if s.name == "founding_set")
    assert f"<p class=\"big\">{founding.pairs_local_after} / {founding.pairs}</p>" in en
    assert f"(today {founding.pairs_local_before})" in en
    assert en.count('<aside class="notes"') == es.count('<aside class="notes"') == 6
    assert "The figure counts network pairs" in en and "(rank 8 of 8 on its own, pick no. 1)" in en


def test_the_spanish_deck_leaves_no_english_word(deck: Deck, demo: DemoOutcome) -> None:
    data = " ".join([*demo.analysis.as_names.values(), *(s.source for s in
                                                            demo.analysis.snapshots)])  # fmt: skip
    assert untranslated(deck.html["es"].read_text("utf-8"), data) == set()


def test_the_deck_is_self_contained_offline(chromium: Chromium, deck: Deck) -> None:
    for lang in ("es", "en"):
        uri = deck.html[lang].as_uri()
        page = chromium.open(uri, width=1280)
        assert page.log.requests == [uri] and page.log.errors == []
        assert page.evaluate("document.scripts.length") == 0
        assert "default-src 'none'" in page.evaluate(
            "document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
        assert page.evaluate("document.querySelectorAll('section.slide').length") == 6
        ratio = page.evaluate("(() => { const r = document.querySelector('section.slide')"
                              ".getBoundingClientRect(); return r.width / r.height; })()")  # fmt: skip
        assert abs(ratio - 16 / 9) < 0.01


def test_report_slides_writes_the_decks_and_escapes_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    analysis = tmp_path / "analysis.json"
    analysis.write_bytes(to_json(sample_analysis(hostile=True)))
    out = tmp_path / "out"
    assert main(["report", str(analysis), "--slides", "--lang", "en", "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"slides.en.html", "slides.en.pdf"} <= names and "slides.es.html" not in names
    deck = (out / "slides.en.html").read_text("utf-8")
    assert "<script>" not in deck and "does not include the national-IXP model" in deck
    assert SCRIPT not in deck  # names only appear escaped (in the matrix)
    assert "warning" not in capsys.readouterr().out
    bare = tmp_path / "bare"
    assert main(["report", str(analysis), "--lang", "en", "--out", str(bare)]) == 0
    assert not any(p.name.startswith("slides") for p in bare.iterdir())
