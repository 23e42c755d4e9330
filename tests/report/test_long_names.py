"""10 kB router names must not make `report` slow (issue 13: 452 s instead of 3 s).

The PDF layout of a word it must break anywhere is quadratic in the word's length, so the
page shows long words shortened (the exports keep them whole). Checked by scaling: names 8x
longer cost about the same, never by a wall-clock limit.
"""

from __future__ import annotations

import re
import time

from ixpready.report.exports import verdicts_csv
from ixpready.report.model_view import model_view_of
from ixpready.report.render import render_html, render_pdf
from ixpready.report.sanitize import WORD_MAX, shown_on_page
from report.hostile import poison
from report.sample import sample_analysis, sample_model

ROUTER = "ae-1-3.edge5.Miami2.Level3.net."


def _name(length: int) -> str:
    return (ROUTER * (length // len(ROUTER) + 1))[:length]


def _page(length: int) -> str:
    name = _name(length)
    analysis = poison(sample_analysis(), lambda text: text + " " + name)
    model = poison(sample_model(), lambda text: text + " " + name)
    return render_html(analysis, lang="en", model=model_view_of(model))


def _pdf_cpu_s(html: str) -> float:
    start = time.process_time()
    pdf, _warnings = render_pdf(html)
    assert pdf.startswith(b"%PDF")
    return time.process_time() - start


def test_long_words_are_shortened_on_the_page_only() -> None:
    name = _name(10_000)
    shown = shown_on_page(f"hop 5: {name} names Miami, US")
    assert shown == f"hop 5: {name[:WORD_MAX - 24]}\u2026{name[-20:]} names Miami, US"
    assert max(len(word) for word in shown.split()) <= WORD_MAX
    analysis = poison(sample_analysis(), lambda text: text + " " + name)
    assert name in verdicts_csv(analysis)  # the export keeps the whole value


def _laid_out(html: str) -> str:
    """Returns the page less what is never laid out: tooltips (title attributes, SVG titles)
    carry whole names on purpose."""
    return re.sub(r'<title>[^<]*</title>| title="[^"]*"', "", html)


def test_router_names_8x_longer_do_not_make_the_pdf_slower() -> None:
    short, long = _page(150), _page(1200)
    assert len(_laid_out(long)) < 1.01 * len(_laid_out(short))  # shortened alike on the page
    _pdf_cpu_s(short)  # warm-up: fonts, styles
    ratio = _pdf_cpu_s(long) / _pdf_cpu_s(short)
    assert ratio < 2.5, ratio  # quadratic layout: far beyond (minutes for 1200 characters)

