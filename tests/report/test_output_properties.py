"""Property-based tests of every output (hypothesis; profiles in tests/conftest.py): any
string in any free-text field (AS and router names, probe descriptions, evidence, reasons,
cities, model explanations) gives no control or bidirectional character and no formula out,
in the CSVs, the HTML page, the analysis table and the model's table."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from ixpready.cli.model import render_table
from ixpready.pipeline.text import analysis_as_csv, analysis_as_table
from ixpready.report.exports import candidates_csv, probes_csv, verdicts_csv
from ixpready.report.model_view import model_view_of
from ixpready.report.render import render_html
from report.hostile import poison
from report.sample import sample_analysis, sample_model
from report.test_sanitize import FORBIDDEN, FORMULA_STARTS

ANALYSIS = sample_analysis(hostile=True)
MODEL = sample_model(hostile=True)

# Any text, with the characters that matter drawn often.
TRICKS = "=+-@\t\r\n\x00\x1b\x07\x7f\x85\x9b\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
         "\u2066\u2067\u2068\u2069\u2028\u2029\ufeff\uff1d \"',;<>&"
HOSTILE = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(TRICKS)), max_size=40)


def _inert(cell: str) -> bool:
    if not cell.startswith(FORMULA_STARTS):
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return True


@given(HOSTILE, st.booleans())
def test_any_string_in_any_field_reaches_the_csvs_inert(text: str, replace: bool) -> None:
    mutate = (lambda _old: text) if replace else (lambda old: text + old)
    analysis = poison(ANALYSIS, mutate)
    model = model_view_of(poison(MODEL, mutate))
    for name, document in (("verdicts.csv", verdicts_csv(analysis)),
                           ("probes.csv", probes_csv(analysis)),
                           ("candidates.csv", candidates_csv(model)),
                           ("analyze --format csv", analysis_as_csv(analysis))):  # fmt: skip
        assert FORBIDDEN.search(document) is None, name
        rows = list(csv.reader(io.StringIO(document, newline="")))
        assert len(document.splitlines()) == len(rows)  # no cell starts a row of its own
        for row in rows:
            assert len(row) == len(rows[0]), name
            for cell in row:
                assert _inert(cell), (name, cell)


@settings(max_examples=15)  # a page per example: fewer
@given(HOSTILE)
def test_any_string_in_any_field_reaches_pages_and_terminals_clean(text: str) -> None:
    analysis = poison(ANALYSIS, lambda old: text + old)
    model = poison(MODEL, lambda old: text + old)
    for name, document in (("report.en.html", render_html(analysis, lang="en",
                                                          model=model_view_of(model))),
                           ("analyze table", analysis_as_table(analysis)),
                           ("model table", render_table(model))):  # fmt: skip
        found = FORBIDDEN.search(document)
        assert found is None, (name, hex(ord(found.group())))
