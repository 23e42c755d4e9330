"""`ixpready report` in-process: files written, languages, errors as one line and a code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ixpready.analysis.export import to_json
from ixpready.cli import main
from report.sample import sample_analysis


@pytest.fixture
def analysis_file(tmp_path: Path) -> Path:
    path = tmp_path / "analysis.json"
    path.write_bytes(to_json(sample_analysis(hostile=True)))
    return path


def test_report_writes_the_chosen_language_and_the_exports(
    analysis_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["report", str(analysis_file), "--lang", "en", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "probes.csv", "report.en.html", "report.en.pdf", "verdicts.csv", "verdicts.json",
    ]  # fmt: skip
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"wrote {out / 'report.en.html'}"
    assert len(printed) == 5


def test_several_analyses_draw_the_trend(tmp_path: Path) -> None:
    paths = []
    for index in range(3):
        path = tmp_path / f"round{index}.json"
        path.write_bytes(to_json(sample_analysis(round_index=index)))
        paths.append(str(path))
    out = tmp_path / "out"
    assert main(["report", *paths, "--lang", "es", "--out", str(out)]) == 0
    html = (out / "report.es.html").read_text("utf-8")
    assert '<section id="trend"' in html and "03-04" in html


def test_the_default_folder_is_under_reports(
    analysis_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", str(analysis_file), "--lang", "es"]) == 0
    assert (tmp_path / "reports" / "gt-20260302T1830Z" / "report.es.html").is_file()


def test_a_missing_analysis_is_one_line_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path / "nope.json")]) == 3
    err = capsys.readouterr().err
    assert "nope.json: no such analysis file" in err and "Traceback" not in err


def test_an_unknown_language_is_a_usage_error(
    analysis_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(analysis_file), "--lang", "fr"]) == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err
