"""The first steps off the demo path (issue 16): missing reference data, oddly named
reference files, an analysis with nothing domestic, empty inputs, folders, unwritable
--out, made-up countries and usage errors each end in one clear line and the README's exit
code; the summary is printed last."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.errors import ExitCode

GT_HN_SV = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
PROBES = "atlas-probes/lacnic-simon-ripeatlasprobe-fixture-latam.json"


@pytest.fixture
def pyasn_refdata(recorded: Path, tmp_path: Path) -> Path:
    """Returns a folder holding the recorded pyasn files under pyasn's own names, a file no
    rule knows, and the RIR lines for the probes' networks."""
    folder = tmp_path / "refdata"
    folder.mkdir()
    shutil.copy(recorded / "routing/pyasn-ipasn-20140513-excerpt.dat", folder)
    shutil.copy(recorded / "routing/pyasn-asnames-central-america.json", folder)
    (folder / "notes.txt").write_text("downloaded by hand\n")
    (folder / "delegated-test-extended-20151020").write_text(
        "2|arin|20151020|3|19700101|20151020|-0500\n"
        "arin|US|ipv4|192.5.5.0|256|19880101|assigned|isc\n"
        "lacnic|GT|asn|14754|1|20000101|allocated|t\n"
    )
    return folder


def _analyze(*args: str) -> int:
    return main(["analyze", *args])


def test_without_refdata_the_message_says_where_it_comes_from(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("IXPREADY_DATA_DIR", str(tmp_path / "data"))
    code = _analyze(str(recorded / GT_HN_SV), "--country", "GT")
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert "ixpready: error: no reference data given (--refdata DIR)" in err
    assert "ixpready refdata update" in err and str(tmp_path / "data" / "refdata") in err
    assert "the following arguments are required" not in err


def test_pyasn_named_files_are_read_and_unknown_ones_reported(
    recorded: Path, pyasn_refdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a.json"
    code = _analyze(str(recorded / GT_HN_SV), "--country", "GT", "--refdata",
                    str(pyasn_refdata), "--probes", str(recorded / PROBES), "--format", "json",
                    "--out", str(out), "--quarantine", str(tmp_path / "q.jsonl"))  # fmt: skip
    err = capsys.readouterr().err
    assert code == ExitCode.OK, err
    sources = {s["source"] for s in json.loads(out.read_text())["snapshots"]}
    assert {"pyasn-ipasn-20140513-excerpt.dat", "pyasn-asnames-central-america.json"} <= sources
    assert "ignored (name not recognised): notes.txt" in err


def test_nothing_domestic_is_warned_with_a_breakdown_by_cause(
    recorded: Path, pyasn_refdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # F-root traceroutes: every path ends abroad (outbound) or starts abroad (foreign)
    code = _analyze(str(recorded / GT_HN_SV), "--country", "GT", "--refdata",
                    str(pyasn_refdata), "--probes", str(recorded / PROBES),
                    "--quarantine", str(tmp_path / "q.jsonl"))  # fmt: skip
    captured = capsys.readouterr()
    assert code == ExitCode.OK
    assert "ixpready: warning: no domestic path between two GT networks (" in captured.err
    assert "destination registered abroad (outbound): " in captured.err
    # the summary says the same, and comes last
    assert "Other paths (no domestic verdict), by why: " in captured.out
    assert captured.out.rstrip().splitlines()[-1].startswith("Other paths")


def test_no_end_mapping_to_a_network_points_at_the_reference_data(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    useless = tmp_path / "useless"
    useless.mkdir()
    (useless / "delegated-test-extended-20151020").write_text(
        "2|lacnic|20151020|1|19700101|20151020|-0500\nlacnic|GT|asn|64512|1|20000101|allocated|t\n"
    )
    code = _analyze(str(recorded / GT_HN_SV), "--country", "GT", "--refdata", str(useless),
                    "--quarantine", str(tmp_path / "q.jsonl"))  # fmt: skip
    err = capsys.readouterr().err
    assert code == ExitCode.OK
    assert "destination address maps to no network (AS) in the reference data: 26" in err
    assert f"the reference data in {useless} mapped no path end to a network" in err
    assert "ixpready refdata update" in err


def test_an_empty_results_file_is_an_input_error_and_warned_beside_others(
    recorded: Path, pyasn_refdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code = _analyze(str(empty), "--country", "GT", "--refdata", str(pyasn_refdata))
    err = capsys.readouterr().err
    assert code == ExitCode.CONFIG
    assert f"ixpready: error: no results to analyse: {empty} is empty" in err
    code = _analyze(str(empty), str(recorded / GT_HN_SV), "--country", "GT", "--refdata",
                    str(pyasn_refdata), "--quarantine", str(tmp_path / "q.jsonl"))  # fmt: skip
    assert code == ExitCode.OK
    assert f"ixpready: warning: {empty}: empty file, no results in it" in capsys.readouterr().err


def test_a_folder_of_results_is_read_and_an_empty_folder_said(
    recorded: Path, pyasn_refdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "spool"
    folder.mkdir()
    shutil.copy(recorded / GT_HN_SV, folder / "a.jsonl")
    out = tmp_path / "a.json"
    code = _analyze(str(folder), "--country", "GT", "--refdata", str(pyasn_refdata),
                    "--format", "json", "--out", str(out),
                    "--quarantine", str(tmp_path / "q.jsonl"))  # fmt: skip
    assert code == ExitCode.OK, capsys.readouterr().err
    assert json.loads(out.read_text())["summary"]["other_paths"] == 26
    bare = tmp_path / "bare"
    bare.mkdir()
    assert _analyze(str(bare), "--country", "GT", "--refdata", str(pyasn_refdata)) == 3
    err = capsys.readouterr().err
    assert f"ixpready: error: {bare}: a folder without result files" in err
    assert "no such results file" not in err


@pytest.mark.parametrize("target", ["/proc/ixpready-x.json", "/nonexistent/dir/x.json"])
def test_an_unwritable_out_is_one_line_and_creates_nothing(
    recorded: Path, pyasn_refdata: Path, tmp_path: Path, target: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    code = _analyze(str(recorded / GT_HN_SV), "--country", "GT", "--refdata",
                    str(pyasn_refdata), "--out", target,
                    "--quarantine", str(tmp_path / "q.jsonl"))  # fmt: skip
    err = capsys.readouterr().err
    assert code == ExitCode.CONFIG
    assert err.count("ixpready: error: --out ") == 1 and "Traceback" not in err
    assert not Path("/nonexistent").exists()


def test_a_made_up_country_and_no_results_are_usage_errors(
    pyasn_refdata: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _analyze("x.jsonl", "--country", "XX", "--refdata", str(pyasn_refdata)) == 2
    assert "'XX' is not an ISO 3166 alpha-2 country code" in capsys.readouterr().err
    assert _analyze("x.jsonl", "--country", "gt", "--refdata", str(pyasn_refdata)) == 3  # real
    capsys.readouterr()
    assert _analyze("--country", "GT", "--refdata", str(pyasn_refdata)) == ExitCode.USAGE
    assert "ixpready: error: no results file given" in capsys.readouterr().err
