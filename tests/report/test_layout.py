"""The report's layout checked by machine, on the demo's report in both languages: no text
runs into other text (PDF word boxes, and element boxes in headless Chromium at the widths
the report is read at), no table cell overflows, no table row breaks across pages, no table
is left with one row on a page, no page is half empty, and no English word of the catalog is
left on the Spanish page. The checks are shown to fail on pages made to break."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ixpready.pipeline.demo import DemoOutcome
from report.browser import Chromium
from report.layout import (
    Box,
    PdfPage,
    filled,
    overflowing_cells,
    overlapping,
    pdf_pages,
    row_placements,
    screen_boxes,
    untranslated,
)

WIDTHS = (1280, 1024, 768, 390)  # desktop, laptop, tablet, phone (CSS pixels)
PRINT_WIDTH = 688  # A4 less the report's 14 mm side margins, in CSS pixels


def _data(demo: DemoOutcome) -> str:
    """Returns the strings the report shows as received (names, descriptions, files)."""
    analysis = demo.analysis
    parts = [*analysis.as_names.values(), *analysis.inputs, *analysis.home_ixps]
    parts += [p.description for p in analysis.probes]
    parts += [f"{s.kind} {s.source}" for s in analysis.snapshots]
    parts += [c.name for c in demo.model.candidates]
    parts += [(demo.report.out_dir / "content.csv").read_text("utf-8")]
    return " ".join(parts)


def _networks(demo: DemoOutcome) -> int:
    """Returns how many networks the report's "Ready to peer?" scorecard lists."""
    return len(json.loads((demo.report.out_dir / "readiness.json").read_bytes())["networks"])


@pytest.mark.parametrize("lang", ["es", "en"])
def test_no_word_of_the_pdf_runs_into_another(demo: DemoOutcome, lang: str) -> None:
    pages = pdf_pages(demo.report.out_dir / f"report.{lang}.pdf")
    words = [w for page in pages for w in page.words]
    assert len(words) > 2000
    assert overlapping(words) == []


@pytest.mark.parametrize("lang", ["es", "en"])
def test_no_pdf_page_is_half_empty(demo: DemoOutcome, lang: str) -> None:
    pages = pdf_pages(demo.report.out_dir / f"report.{lang}.pdf")
    assert len(pages) > 5
    emptiest = min(pages[:-1], key=filled)
    assert filled(emptiest) >= 0.5, f"page {emptiest.number} is {filled(emptiest):.0%} full"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_no_table_breaks_mid_row_or_after_its_first_row(demo: DemoOutcome, lang: str) -> None:
    page = (demo.report.out_dir / f"report.{lang}.html").read_text("utf-8")
    placements = row_placements(page)
    assert len(placements) >= 8
    for table in placements:
        assert all(len(pages) == 1 for pages in table.rows), (table.table, table.rows)
        if table.table == "annex-table":
            continue  # one path per row, each a self-contained record: a row may start a page
        first_page = table.rows[0][0]
        on_first = sum(1 for pages in table.rows if pages[0] == first_page)
        assert on_first >= 2 or len(table.rows) == 1, (table.table, table.rows)
    whatif = next(t for t in placements if t.table == "whatif")
    assert len({pages for pages in whatif.rows}) == 1  # the what-if table stays together
    ready = next(t for t in placements if t.table == "ready")  # a network's row, then its steps
    assert len(ready.rows) == 2 * _networks(demo)
    assert all(ready.rows[i] == ready.rows[i + 1] for i in range(0, len(ready.rows), 2))


def test_the_spanish_page_leaves_no_english_word_of_the_catalog(demo: DemoOutcome) -> None:
    page = (demo.report.out_dir / "report.es.html").read_text("utf-8")
    assert untranslated(page, _data(demo)) == set()


def test_no_text_overlaps_on_screen_at_the_report_widths(
    chromium: Chromium, demo: DemoOutcome
) -> None:
    for lang in ("es", "en"):
        uri = (demo.report.out_dir / f"report.{lang}.html").as_uri()
        for width in WIDTHS:
            page = chromium.open(uri, width=width)
            boxes = screen_boxes(page)
            assert len(boxes) > 500
            clashes = [(a.text, b.text) for a, b in overlapping(boxes, tolerance=1.0)]
            assert clashes == [], (lang, width, clashes[:5])
            assert overflowing_cells(page) == [], (lang, width)


def test_the_readiness_table_needs_no_sideways_scrolling_on_a_phone(
    chromium: Chromium, demo: DemoOutcome
) -> None:
    for lang in ("es", "en"):
        page = chromium.open((demo.report.out_dir / f"report.{lang}.html").as_uri(), width=390)
        widths = page.evaluate(
            "(() => { const w = document.querySelector('#readiness div.wide');"
            " return [w.scrollWidth, w.clientWidth]; })()"
        )
        assert widths[0] <= widths[1], (lang, widths)
        labels = page.evaluate(
            "Array.from(document.querySelectorAll('table.ready tbody tr:first-child td'))"
            ".map(c => getComputedStyle(c, '::before').content)"
        )
        assert labels.count("none") == _networks(demo)  # only the network's name
        assert '"Ficha PeeringDB: "' in labels or '"PeeringDB: "' in labels


def test_the_checks_catch_broken_layouts(chromium: Chromium, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><body><p style="margin:0">Measurement</p>'
        '<p style="margin:-1.2em 0 0 40px">Probe</p>'
        '<table style="table-layout:fixed;width:120px"><tr><td style="width:40px">'
        "Medición_muy_larga</td><td>x</td></tr></table></body></html>"
    )
    page = chromium.open(bad.as_uri(), width=400)
    clashes = {frozenset((a.text, b.text)) for a, b in overlapping(screen_boxes(page))}
    assert clashes == {frozenset(("Measurement", "Probe")), frozenset(("Medición_muy_larga", "x"))}
    assert overflowing_cells(page) == ["Medición_muy_larga"]
    # a table whose first row is alone on a page, and a row too tall for one page
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(3))
    tall = "<tr><td>" + "<br>".join("línea" for _ in range(120)) + "</td></tr>"
    split = row_placements(
        "<html><head><style>@page { size: 100mm 100mm; margin: 0 }</style></head><body>"
        f'<div style="height:90mm"></div><table>{rows}{tall}</table></body></html>'
    )
    assert any(len(pages) > 1 for pages in split[0].rows)
    assert split[0].rows[0][0] < split[0].rows[1][0]
    # a Spanish page with English words of the catalog on it
    assert untranslated("<body><p>Resumen: paths that leave</p></body>", "") == {"that", "leave"}
    assert filled(PdfPage(1, 842.0, (Box(1, 40.0, 60.0, 90.0, 380.0, "fin"),))) < 0.5
