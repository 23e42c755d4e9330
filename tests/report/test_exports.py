"""Exports: CSV cells never start a formula, JSON keeps the contract, terminals get no escapes."""

from __future__ import annotations

import csv
import io

import orjson
import pytest

from ixpready.analysis.export import analysis_from_json
from ixpready.pipeline.report import ReportFiles
from ixpready.report.exports import PROBE_COLUMNS, csv_cell, probes_csv, verdicts_csv
from ixpready.report.terminal import terminal_safe
from report.sample import FORMULA, SCRIPT, sample_analysis

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "' =1"), ("  =1", "'  =1"), ("\r\n-2", "' -2"), ("\x00=1", "'=1"),
        ("\u202e=1", "'=1"), ("a\rb", "ab"), ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("Miami, US", "Miami, US"), ("a=b", "a=b"), (-3.5, -3.5), (7, 7), (None, ""),
    ],
)  # fmt: skip
def test_csv_cell_defuses_formulas_and_keeps_numbers(value: object, shown: object) -> None:
    assert csv_cell(value) == shown


def _inert(cell: str) -> bool:
    """A cell no spreadsheet runs: no formula start, unless it is a plain number (-90.5)."""
    if not cell.startswith(FORMULA_STARTS):
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_hostile_names_reach_the_verdicts_csv_as_inert_text() -> None:
    rows = _cells(verdicts_csv(sample_analysis(hostile=True)))
    header, body = rows[0], rows[1:]
    assert header[-1] == "evidence" and len(body) == 14  # 13 domestic + 1 outbound
    evidence = [row[-1] for row in body]
    assert any(SCRIPT in cell for cell in evidence)
    assert any(FORMULA in cell for cell in evidence)
    src_names = {row[header.index("src_name")] for row in body}
    assert {f"Cable {SCRIPT}", "'" + FORMULA} <= src_names  # AS names, the formula defused
    for row in rows:
        for cell in row:
            assert _inert(cell), cell


def test_hostile_probe_descriptions_reach_the_probes_csv_as_inert_text() -> None:
    rows = _cells(probes_csv(sample_analysis(hostile=True)))
    assert rows[0] == list(PROBE_COLUMNS) and len(rows) == 5
    descriptions = [row[-1] for row in rows[1:]]
    assert descriptions[:2] == [SCRIPT, "'" + FORMULA]
    assert rows[2][3] == "'" + FORMULA  # probe 1001's network name
    for row in rows:
        for cell in row:
            assert _inert(cell), cell


def test_the_written_exports_are_neutral_and_the_json_reloads(report_set: ReportFiles) -> None:
    names = {p.name for p in report_set.exports}
    assert names == {"verdicts.csv", "verdicts.json", "probes.csv", "content.csv"}
    for name in ("verdicts.csv", "probes.csv", "content.csv"):
        text = (report_set.out_dir / name).read_text("utf-8")
        assert all(_inert(c) for row in _cells(text) for c in row)
    again = analysis_from_json((report_set.out_dir / "verdicts.json").read_bytes())
    assert len(again.paths) == 13 and again.as_names[64497] == FORMULA  # stored as received
    assert orjson.loads((report_set.out_dir / "verdicts.json").read_bytes())["format"] == (
        "ixpready-analysis/1"
    )


def test_terminal_output_drops_control_characters(tmp_path: object) -> None:
    assert terminal_safe("a\x1b[31mred\x07\x9b2J\rb\tc\nd") == "a[31mred2Jb\tc\nd"
    from pathlib import Path

    files = ReportFiles(out_dir=Path("x"), html=(Path("x/\x1b]0;owned\x07r.html"),), pdf=(),
                        exports=(), warnings=("bad\x1b[2J",))  # fmt: skip
    shown = files.as_text()
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown.splitlines() == ["wrote x/]0;ownedr.html", "warning: bad[2J"]
