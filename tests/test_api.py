"""The library API (`import ixpready`, docs/api.md): the example notebook runs, and reaches
the same verdicts and model as the command line on the same files."""

from __future__ import annotations

import inspect
import json
import re
import runpy
import sys
from pathlib import Path
from typing import Any

import pytest

import ixpready
from ixpready import api
from ixpready.cli import main
from ixpready.errors import InputError, RefdataError, UsageError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs" / "example_api.py"
API_DOC = REPO / "docs" / "api.md"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Runs docs/example_api.py as `python docs/example_api.py FOLDER` would; returns its
    variables (its own asserts have passed)."""
    folder = tmp_path_factory.mktemp("example")
    argv = sys.argv
    sys.argv = [str(EXAMPLE), str(folder)]
    try:
        return runpy.run_path(str(EXAMPLE), run_name="__main__")
    finally:
        sys.argv = argv


def test_the_example_writes_a_simulated_report_in_both_languages(example: dict[str, Any]) -> None:
    folder: Path = example["folder"]
    analysis = example["analysis"]
    assert analysis.simulated and analysis.country == "GT"
    assert analysis.inputs == ("atlas-mesh.json", "probe-mesh.jsonl")
    for name in ("report.es.html", "report.en.html", "report.es.pdf", "report.en.pdf",
                 "verdicts.csv", "candidates.csv", "content.csv"):  # fmt: skip
        assert (folder / "report" / name).stat().st_size > 0, name
    en = (folder / "report" / "report.en.html").read_text("utf-8")
    assert "SIMULATED" in en.upper()
    assert "atlas-mesh.json" in en  # the inputs the notebook named
    rows = (folder / "report" / "verdicts.csv").read_text("utf-8").splitlines()
    assert sum(",tromboned," in row for row in rows) == analysis.summary.tromboned > 0


def test_the_api_reaches_the_cli_verdicts_on_the_same_files(
    example: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = example["files"]
    out = tmp_path / "cli-analysis.json"
    code = main([
        "analyze", *map(str, files.results), "--country", "gt",
        "--refdata", str(files.refdata), "--probes", str(files.probes),
        "--rdns", str(files.rdns), "--quarantine", str(tmp_path / "q.jsonl"),
        "--format", "json", "--out", str(out),
    ])  # fmt: skip
    capsys.readouterr()
    assert code == 7  # partial: the scenario's cut line was quarantined
    cli = ixpready.load_analysis(out)
    mine = example["analysis"]
    assert cli.paths == mine.paths and cli.other_paths == mine.other_paths
    assert cli.probes == mine.probes and cli.summary == mine.summary
    assert len(mine.paths) > 100


def test_traces_made_otherwise_are_analysed_alike(example: dict[str, Any]) -> None:
    # Any iterable of Trace objects (here a generator over what was read): the same verdicts;
    # the summary counts only what it was given (no quarantined line, no pings).
    results, mine = example["results"], example["analysis"]
    assert results.quarantined and not results.pings
    again = ixpready.analyze(
        (trace for trace in results.traces), country="GT", refdata=example["refdata"],
        probes=example["probes"], rdns=example["rdns"], simulated=True,
    )  # fmt: skip
    assert again.paths == mine.paths and again.other_paths == mine.other_paths
    assert again.probes == mine.probes
    assert again.summary.results_read == len(results.traces) < mine.summary.results_read
    assert again.summary.quarantined == 0 < mine.summary.quarantined


def test_the_cli_model_of_the_saved_analysis_is_the_api_model(
    example: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder: Path = example["folder"]
    out = tmp_path / "model.json"
    code = main([
        "model", str(folder / "analysis.json"), "--refdata", str(example["files"].refdata),
        "--k", "5", "--format", "json", "--out", str(out),
    ])  # fmt: skip
    capsys.readouterr()
    assert code == 0
    cli = ixpready.load_model(out)
    mine = example["model"]
    assert cli.candidates == mine.candidates and cli.founding_set == mine.founding_set
    saved = json.loads((folder / "model.json").read_text())
    assert [c["asn"] for c in saved["candidates"]] == [c.asn for c in mine.candidates]


def test_every_public_name_resolves_is_documented_and_typed() -> None:
    names = set(ixpready.__all__)
    assert set(api.__all__) <= names
    assert names - set(api.__all__) == {"ExitCode", "IxpreadyError", "__version__"}
    documented = set(re.findall(r"`(?:ixpready\.)?([A-Za-z_]+)", API_DOC.read_text("utf-8")))
    assert set(api.__all__) - documented == set()
    for name in api.__all__:
        value = getattr(ixpready, name)
        assert value is getattr(api, name), name
        if inspect.isfunction(value):
            assert (value.__doc__ or "").split(" ", 1)[0] in ("Returns", "Writes"), name
            hints = inspect.get_annotations(value)
            parameters = inspect.signature(value).parameters
            assert "return" in hints and all(p in hints for p in parameters), name
    with pytest.raises(AttributeError, match="no attribute 'analyse'"):
        _ = ixpready.analyse  # type: ignore[attr-defined]


def test_bad_arguments_are_clear_errors(example: dict[str, Any], tmp_path: Path) -> None:
    empty = ixpready.read_results([])
    assert empty.traces == () and empty.quarantined == ()
    with pytest.raises(RefdataError):
        ixpready.load_refdata(tmp_path / "missing")
    with pytest.raises(InputError, match="no such results file"):
        ixpready.read_results(str(tmp_path / "missing.jsonl"))  # one name, not its letters
    snapshot = example["refdata"]
    with pytest.raises(UsageError, match="alpha-2"):
        ixpready.analyze(empty, country="Guatemala", refdata=snapshot)
    with pytest.raises(UsageError, match="k must be 0 or more"):
        ixpready.run_model(ixpready.analyze(empty, country="gt", refdata=snapshot), k=-1)
