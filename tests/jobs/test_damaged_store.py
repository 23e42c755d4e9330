"""A damaged SQLite store stops the run with the recovery, is never rewritten, and the
documented recovery (docs/jobs.md) brings every result back."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode, StoreError
from ixpready.measurements.store import Store, salvage
from jobs.conftest import offline_config


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_store_is_named_kept_and_recovered_as_documented(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(tmp_path, scenario)
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    store = load_settings(config, {}).store_path
    assert not store.with_name(store.name + "-wal").exists()  # checkpointed on close
    data = bytearray(store.read_bytes())
    middle = len(data) // 2
    data[middle - 8192 : middle + 8192] = b"\xde\xad" * 8192  # pages of the results table
    store.write_bytes(bytes(data))
    before = _digest(store)
    capsys.readouterr()

    assert main(["--config", str(config), "run"]) == ExitCode.CONFIG
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"ixpready: error: {store}: the store is damaged (")
    assert err[1] == (f"ixpready: hint: move the file aside (mv {store} {store}.damaged, with "
                      "its -wal and -shm files) and run `ixpready salvage "
                      f"{store}.damaged`: every readable row goes into a new store at {store}; "
                      "then run again: result files and uploads are read again, and `ixpready "
                      "fetch --msm ID` fetches results of measurements listed at "
                      "https://atlas.ripe.net/measurements/mine (see docs/jobs.md, "
                      "'Damaged store')")  # fmt: skip
    assert _digest(store) == before  # never rewritten, never replaced
    assert main(["--config", str(config), "trend"]) == ExitCode.CONFIG  # every command stops

    # the documented recovery: move aside, salvage, run again
    damaged = store.with_name(store.name + ".damaged")
    store.rename(damaged)
    assert main(["--config", str(config), "salvage", str(damaged)]) == ExitCode.OK
    out = capsys.readouterr().out.splitlines()
    salvaged = dict(line.split(": ", 1) for line in out[:-1])
    kept = int(salvaged["results"].split()[0])
    assert 100 < kept < 179  # only the rows on the damaged pages are lost
    assert (
        salvaged["runs"] == "1 rows salvaged"
    )  # the refused run wrote nothing and salvaged["rounds"] == "0 rows salvaged"
    assert salvaged["quarantine"] == "1 rows salvaged"
    with Store.open(store) as fresh:
        assert fresh.count_results() == kept
        fresh.verify()  # sound
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    with Store.open(store) as rebuilt:
        assert rebuilt.count_results() == 179  # the rest re-imported from the result files
        assert rebuilt.round_counts() == {"2026-11-01T00": 99, "2026-11-01T06": 80}


def test_salvage_never_overwrites_a_store(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.sqlite"):
        pass
    with Store.open(tmp_path / "b.sqlite"):
        pass
    before = _digest(tmp_path / "b.sqlite")
    with pytest.raises(StoreError, match="already exists; salvage writes a new store"):
        salvage(tmp_path / "a.sqlite", tmp_path / "b.sqlite")
    assert _digest(tmp_path / "b.sqlite") == before
