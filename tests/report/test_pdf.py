"""The PDFs, read back with poppler: pages, text in each language, rendered pictures."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ixpready.pipeline.report import ReportFiles
from ixpready.report.render import render_html, render_pdf
from report.sample import SCRIPT, sample_analysis


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_one_pdf_per_language_with_its_words(report_set: ReportFiles) -> None:
    es, en = report_set.pdf
    assert (es.name, en.name) == ("report.es.pdf", "report.en.pdf")
    for pdf, words in ((es, ("Resumen ejecutivo", "Metodología", "Sale del país")),
                       (en, ("Executive summary", "Methodology", "Leaves the country"))):  # fmt: skip
        info = _run("pdfinfo", str(pdf))
        pages = int(
            next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        )
        assert 4 <= pages <= 30
        assert "A4" in info
        text = _run("pdftotext", "-layout", str(pdf), "-")
        for word in words:
            assert word in text, (pdf.name, word)
        assert SCRIPT[:16] in text  # the hostile name is printed as text (it may wrap)


def test_the_pdf_draws_the_charts_and_numbers(report_set: ReportFiles, tmp_path: Path) -> None:
    en = report_set.pdf[1]
    text = _run("pdftotext", str(en), "-")
    assert "46.2%" in text and "+76.2" in text
    assert "Miami, United States" in text  # map label and tables
    assert "AS64499 Móvil Sur" in text  # matrix and flow labels are real text
    _run("pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(en), str(tmp_path / "page"))
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2 and all(p.stat().st_size > 5_000 for p in pages)


def test_the_pdfs_were_laid_out_without_warnings(report_set: ReportFiles) -> None:
    assert report_set.warnings == ()


def test_a_page_that_asks_for_a_file_gets_a_warning_not_a_fetch() -> None:
    pdf, warnings = render_pdf('<html><body><img src="http://192.0.2.1/x.png">hi</body></html>')
    assert pdf.startswith(b"%PDF")
    assert any("192.0.2.1" in w.message for w in warnings)


def test_the_printed_annex_is_cut_short_and_says_where_the_rest_is() -> None:
    analysis = sample_analysis(days=5)  # 30 tromboned paths
    pdf, warnings = render_pdf(render_html(analysis, lang="en"))
    assert warnings == ()
    text = " ".join(_pdftotext(pdf).split())
    assert "The printed version shows the first 20 of 30 paths" in text
    html = render_html(analysis, lang="en")
    assert html.count('class="screen-only"') == 10  # all 30 rows stay on the page


def _pdftotext(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode("utf-8")
