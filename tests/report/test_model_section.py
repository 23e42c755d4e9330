"""The model in the report: candidates and what-if in plain words, exports beside them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest

from ixpready.analysis.export import to_json as analysis_json
from ixpready.cli import main
from ixpready.model.export import to_json as model_json
from ixpready.pipeline.report import write_report
from ixpready.report.model_view import model_view_of
from ixpready.report.render import render_html
from report.sample import CABLE, FORMULA, SCRIPT, sample_analysis, sample_model


def test_the_view_keeps_ranks_cases_and_scenarios() -> None:
    view = model_view_of(sample_model())
    assert [c.asn for c in view.candidates][:2] == [CABLE, 64499]
    assert [c.case for c in view.candidates] == [
        "join", "join", "member_still_abroad", "member_local",
    ]  # fmt: skip
    assert [s.name for s in view.scenarios] == ["status_quo", "founding_set", "everyone"]
    assert view.founding_members == ("AS64496 Cable Norte", "AS64499 Móvil Sur")


def test_candidates_and_what_if_are_told_in_each_language() -> None:
    view = model_view_of(sample_model())
    es = render_html(sample_analysis(), lang="es", model=view)
    en = render_html(sample_analysis(), lang="en", model=view)
    assert "Cable Norte aún no está en un IXP nacional: si se une, 3 de sus 4 rutas" in es
    assert "Cable Norte is not yet at a national IXP: if it joins, 3 of its 4 paths" in en
    assert "Con el grupo fundador" in es and "With the founding members" in en
    assert "41,7\u00a0% → 83,3\u00a0%" in es  # 5/12 -> 10/12 pairs local
    assert "41.7% → 83.3%" in en
    assert "(English text)" not in es + en  # the model's own sentences are not shown
    assert "does not include the national-IXP model" not in en


def test_hostile_candidate_names_are_escaped_and_neutralised(tmp_path: Path) -> None:
    files = write_report(sample_analysis(hostile=True), model=sample_model(hostile=True),
                         out_dir=tmp_path, languages=("en",))  # fmt: skip
    assert {p.name for p in files.exports} == {
        "verdicts.csv", "verdicts.json", "probes.csv", "candidates.csv", "candidates.json",
    }  # fmt: skip
    html = files.html[0].read_text("utf-8")
    assert "<script" not in html and "Cable &lt;script&gt;alert(1)&lt;/script&gt;.example" in html
    rows = list(csv.reader(io.StringIO((tmp_path / "candidates.csv").read_text("utf-8"))))
    assert rows[0][:3] == ["rank", "asn", "name"]
    assert rows[2][2] == "'" + FORMULA
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    document = orjson.loads((tmp_path / "candidates.json").read_bytes())
    assert document["format"] == "ixpready-candidates/1"
    assert document["candidates"][0]["name"] == f"Cable {SCRIPT}"  # JSON keeps it as received
    assert document["scenarios"][1]["tromboned_made_local"] == 5


def test_the_cli_reads_a_model_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    analysis = tmp_path / "analysis.json"
    analysis.write_bytes(analysis_json(sample_analysis()))
    model = tmp_path / "model.json"
    model.write_bytes(model_json(sample_model()))
    out = tmp_path / "out"
    code = main(["report", str(analysis), "--model", str(model), "--lang", "es", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert (out / "candidates.csv").is_file()
    assert "Grupo fundador propuesto: AS64496 Cable Norte, AS64499 Móvil Sur." in (
        out / "report.es.html"
    ).read_text("utf-8")
    assert main(["report", str(analysis), "--model", str(tmp_path / "none.json")]) == 3
    assert "none.json: no such model file" in capsys.readouterr().err
