"""`ixpready doctor` on set-ups a new user meets: nothing downloaded yet (blocking, with the
command that fixes it), recorded reference data (coverage counted, a stale date and an
unrecognised file warned), a damaged store (blocking), and a key that is never shown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.errors import ExitCode

SECRET = "k3y-that-must-never-show-0123456789"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("IXPREADY_DATA_DIR", str(folder))
    return folder


def _refdata(recorded: Path, folder: Path, day: str) -> None:
    folder.mkdir(parents=True)
    shutil.copy(recorded / "routing/pyasn-ipasn-20140513-excerpt.dat", folder)
    (folder / "delegated-test-extended-20151020").write_text(
        "2|lacnic|20151020|2|19700101|20151020|-0500\n"
        "lacnic|GT|asn|14754|1|20000101|allocated|t\n"
        "lacnic|GT|asn|64512|1|20000101|allocated|t\n"
    )
    (folder / "README.txt").write_text("where these came from\n")
    (folder / "snapshot.json").write_text(json.dumps({"date": day}))


def test_a_fresh_machine_is_told_to_download_reference_data(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", SECRET)
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == ExitCode.CONFIG
    assert f"[fail] reference data: nothing in {data_dir / 'refdata'}" in out
    assert "-> ixpready refdata update" in out
    assert "[  ok] RIPE Atlas key: set (not shown)" in out
    assert SECRET not in out
    assert "not created yet" in out and not (data_dir / "ixpready.sqlite").exists()
    assert "[  ok] compiled kernels: compiled (_kernels." in out  # the install built them
    assert out.rstrip().endswith("1 blocking, 0 to look at")


def test_recorded_reference_data_is_counted_and_its_age_and_odd_files_warned(
    recorded: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refdata(recorded, data_dir / "refdata", "2014-05-13")
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == ExitCode.OK, out
    assert "[warn] reference data age: snapshot of 2014-05-13 (" in out
    assert "routed prefixes; 1 of 2 GT networks announce a prefix in it" in out
    assert "[warn] reference data files: ignored (name not recognised): README.txt" in out
    assert "[warn] RIPE Atlas key: not set" in out


def test_a_damaged_store_blocks(
    recorded: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refdata(recorded, data_dir / "refdata", "2014-05-13")
    (data_dir / "ixpready.sqlite").write_bytes(b"this is not a database" * 100)
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == ExitCode.CONFIG
    assert "[fail] store: " in out and "damaged" in out
    assert "-> " in out.split("[fail] store", 1)[1]
