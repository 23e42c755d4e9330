"""Every string bound for an output passes here: terminal text, CSV cells, HTML/SVG/PDF text
and the model's tables. The one home of output sanitising.

Router names, probe descriptions, AS names and API strings come from the network. They may
carry control characters (escape sequences that drive a terminal, a bell, a bare CR that a
spreadsheet reads as a new row) and Unicode bidirectional controls (U+202E makes
`moc.elgoog` read `google.com`, and reorders a table row). Both are dropped here, for every
output alike. What stays the job of each output: HTML escaping (the templates autoescape,
`svg` escapes), and defusing spreadsheet formulas (`csv_cell`, here too).
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, the C1 range (8-bit CSI...), the bidirectional
# marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A-E, U+2066-9) and the
# Unicode line and paragraph separators (U+2028/9, which some readers take as a new line).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_BREAKS = re.compile("[\t\n]")
# A spreadsheet runs a cell as a formula when it starts with one of these, also after
# leading spaces (OWASP "CSV injection"); tabs and line breaks are gone by then.
_FORMULA_START = re.compile(r"^\s*[=+\-@\uff1d\uff0b\uff0d\uff20]")
# A page lays out a word it must break anywhere (a 10 kB router name) in time quadratic in
# its length (WeasyPrint: 452 s instead of 3 s for a report): longer words are shortened.
WORD_MAX = 80
_LONG_WORD = re.compile(rf"\S{{{WORD_MAX + 1},}}")


def clean(value: object) -> str:
    """Returns `str(value)` without control or bidirectional characters (tab and newline kept),
    so it can neither drive a terminal nor reorder what is around it."""
    return UNSAFE.sub("", str(value))


def one_line(value: object) -> str:
    """Returns `clean(value)` on one line: tabs and line breaks become a space."""
    return _BREAKS.sub(" ", clean(value))


def csv_cell(value: object) -> object:
    """Returns a CSV cell a spreadsheet shows as text, on one row: numbers pass unchanged,
    None becomes an empty cell, text goes through `one_line` and gets a leading `'` when it
    would start a formula (`=`, `+`, `-`, `@`, after spaces too)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    cell = one_line(value)
    if _FORMULA_START.match(cell):
        return "'" + cell
    return cell


def _elide(match: re.Match[str]) -> str:
    word = match.group()
    return word[: WORD_MAX - 24] + "\u2026" + word[-20:]


def shown_on_page(value: object) -> str:
    """Returns `clean(value)` with every word longer than WORD_MAX characters shortened to its
    start, `…` and its end (the exports beside the report keep the whole value)."""
    return _LONG_WORD.sub(_elide, clean(value))
