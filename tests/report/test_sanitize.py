"""One sanitiser for every output (issue 13): terminal, CSV, HTML and the model's tables.

Hostile text goes into every free-text field; what comes out has no control character, no
bidirectional control, no CSV row split and no cell a spreadsheet runs as a formula.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from ixpready.cli.model import render_table
from ixpready.pipeline.text import analysis_as_csv, analysis_as_table, clean
from ixpready.report.exports import csv_cell, paths_csv, probes_csv, verdicts_csv
from ixpready.report.model_view import model_view_of
from ixpready.report.render import render_html
from ixpready.report.sanitize import UNSAFE, one_line
from ixpready.report.svg import printable
from ixpready.report.terminal import terminal_safe
from report.hostile import PAYLOAD, poison, prefixed
from report.sample import sample_analysis, sample_model

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Nothing an output may carry: C0 but tab/newline, DEL, C1, bidi controls, U+2028/9.
FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}\u2028\u2029]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@pytest.mark.parametrize("sanitise", [clean, terminal_safe, printable, one_line])
def test_every_output_uses_the_same_strict_sanitiser(sanitise: object) -> None:
    assert callable(sanitise)
    shown = sanitise("evil\u202egnp.exe\x1b[31m\x07\x9b2J\r" + BIDI + "\u2028ok")
    assert FORBIDDEN.search(shown) is None
    assert shown.replace(" ", "") == "evilgnp.exe[31m2Jok"
    every = "".join(chr(c) for c in range(0x3000))
    assert FORBIDDEN.search(sanitise(every)) is None
    assert sanitise("Miami, US\tá ñ 東京") in ("Miami, US\tá ñ 東京", "Miami, US á ñ 東京")


def test_the_sanitiser_drops_exactly_the_unsafe_set() -> None:
    for code in range(0x3000):
        char = chr(code)
        assert (UNSAFE.fullmatch(char) is not None) == (FORBIDDEN.fullmatch(char) is not None), hex(
            code
        )


def _rows_and_lines(text: str) -> tuple[list[list[str]], list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""))), text.splitlines()


def _inert(cell: str) -> bool:
    if not cell.startswith(FORMULA_STARTS):
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_a_bare_cr_in_a_probe_description_never_starts_a_row() -> None:
    analysis = poison(sample_analysis(hostile=True), lambda text: text + "\r=1+1\u2028@x")
    for text in (probes_csv(analysis), verdicts_csv(analysis), paths_csv(analysis.paths),
                 analysis_as_csv(analysis)):  # fmt: skip
        rows, lines = _rows_and_lines(text)
        # One physical line per row, for every reader: csv, a line-based one, a spreadsheet.
        assert len(lines) == len(rows) > 1
        assert all(len(row) == len(rows[0]) for row in rows)
        for line in lines:
            assert not line.startswith(FORMULA_STARTS), line
        for row in rows:
            for cell in row:
                assert _inert(cell) and FORBIDDEN.search(cell) is None, cell


def test_bidi_overrides_never_reach_html_csv_or_terminal_output() -> None:
    analysis = poison(sample_analysis(hostile=True), prefixed(PAYLOAD))
    model = poison(sample_model(hostile=True), prefixed(PAYLOAD))
    assert "\u202e" in analysis.as_names[64496] and "\u202e" in model.candidates[0].name
    outputs = {
        "verdicts.csv": verdicts_csv(analysis),
        "probes.csv": probes_csv(analysis),
        "analyze --format csv": analysis_as_csv(analysis),
        "analyze table": analysis_as_table(analysis),
        "model table": render_table(model),
    }
    for lang in ("es", "en"):
        outputs[f"report.{lang}.html"] = render_html(
            analysis, lang=lang, model=model_view_of(model)
        )
    for name, text in outputs.items():
        found = FORBIDDEN.search(text)
        assert found is None, (name, hex(ord(found.group())), text[found.start() - 40 : found.end()])
    assert "cmd|" in outputs["model table"] and "calc" in outputs["report.en.html"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("\r=1", "'=1"), ("\t\t+1", "'  +1"), ("\u202e-1", "'-1"), (" \n@x", "'  @x"),
     ("a\rb", "ab"), ("\u2028=1", "'=1"), (12, 12), (-0.5, -0.5)],
)  # fmt: skip
def test_csv_cells_defuse_formulas_after_cr_and_tab_tricks(value: object, shown: object) -> None:
    assert csv_cell(value) == shown
