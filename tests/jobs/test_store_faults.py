"""Fault injection on the store: a damaged, empty or full store, commands racing on a new
one, runs killed with SIGKILL. Each ends in one clear line and the right exit code; nothing
is written to a damaged store, nothing is asked of RIPE Atlas, nothing is lost or doubled,
and the key is nowhere on disk."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode, UnavailableError
from ixpready.measurements.records import TraceKey
from ixpready.measurements.store import RunOutcome, Store, StoredResult
from ixpready.measurements.store_schema import MIGRATIONS
from ixpready.pipeline.run import run as run_job
from ixpready.sources.registries import CountryResources, RegistryClient
from jobs import online
from jobs.conftest import offline_config, write_config
from jobs.test_run_killed import Child
from sources.replay import ReplayServer

SRC = Path(__file__).resolve().parents[2] / "src"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _damage_one_leaf(store: Path) -> None:
    """Overwrites one leaf page of the results table (SQLite's dbstat names it)."""
    with sqlite3.connect(store) as db:
        size = int(db.execute("PRAGMA page_size").fetchone()[0])
        (number,) = db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'results' AND pagetype = 'leaf'"
            " ORDER BY path LIMIT 1 OFFSET 2"
        ).fetchone()
    data = bytearray(store.read_bytes())
    data[(number - 1) * size : number * size] = b"\xde\xad" * (size // 2)
    store.write_bytes(bytes(data))


def _no_key_on_disk(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert online.KEY.encode() not in path.read_bytes(), path


@pytest.fixture
def online_store(
    recorded: Path, atlas_replay: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path, Path]:
    """(config, store, plan file) of an online setup whose store holds real results."""
    text = online.config_text(tmp_path, atlas_replay, "[retention]\nraw_results_rounds = 12\n")
    config = write_config(tmp_path / "config.toml", text)
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", online.KEY)
    probes = json.loads((recorded / online.PROBES).read_text())["data"]["probes"]
    probe_file = tmp_path / "probes.json"
    probe_file.write_text(json.dumps({"results": probes}))
    plan_file = tmp_path / "plan.json"
    assert main(["--config", str(config), "plan", "--probes", str(probe_file), "-o",
                 str(plan_file)]) == ExitCode.OK  # fmt: skip
    store = load_settings(config, {}).store_path
    results = online.recorded_results(recorded)
    with Store.open(store) as opened:
        opened.add_results(
            StoredResult(TraceKey(r["msm_id"], r["prb_id"], r["timestamp"]), json.dumps(r))
            for rows in results.values()
            for r in rows
        )
    return config, store, plan_file


@pytest.mark.parametrize(
    "command",
    [
        ["fetch", "--msm", "5004"],
        ["measure", "PLAN"],
        ["discover"],
        ["run"],
        ["prune"],
        ["plan", "-o", "PLAN2"],
    ],
    ids=lambda c: c[0],
)
def test_a_damaged_store_stops_every_command_untouched(
    online_store: tuple[Path, Path, Path], atlas_replay: ReplayServer,
    capsys: pytest.CaptureFixture[str], command: list[str],
) -> None:  # fmt: skip
    config, store, plan_file = online_store
    _damage_one_leaf(store)
    before = _digest(store)
    capsys.readouterr()
    argv = [str(plan_file) if w == "PLAN" else str(plan_file) + "2" if w == "PLAN2" else w
            for w in command]  # fmt: skip
    assert main(["--config", str(config), *argv]) == ExitCode.CONFIG
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and err[0].startswith(f"ixpready: error: {store}: the store is damaged")
    assert err[1].startswith("ixpready: hint: move the file aside")
    assert _digest(store) == before  # not one byte written
    assert [s for s in atlas_replay.seen if s.method == "POST"] == []  # no credit spent
    assert atlas_replay.seen == []  # nothing asked at all
    _no_key_on_disk(store.parent)


def test_an_empty_store_file_is_refused_not_taken_as_new(
    online_store: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, store, plan_file = online_store
    store.write_bytes(b"")
    capsys.readouterr()
    assert main(["--config", str(config), "measure", str(plan_file)]) == ExitCode.CONFIG
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"ixpready: error: {store}: the store file is empty (0 bytes): it is not a store, "
        "and starting afresh in it would forget every measurement id"
    )
    assert store.stat().st_size == 0


_OPENER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ixpready.measurements.records import TraceKey
    from ixpready.measurements.store import Store, StoredResult
    start, path, me = float(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    time.sleep(max(0.0, start - time.time()))
    with Store.open(path) as store:
        store.add_results([StoredResult(TraceKey(1, me, 0), "{}")])
    """
)


@pytest.mark.parametrize("old_version", [None, 1], ids=["new store", "store at schema 1"])
def test_commands_starting_together_never_see_a_damaged_store(
    tmp_path: Path, old_version: int | None
) -> None:
    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    for attempt in range(2):
        path = tmp_path / f"race-{attempt}.sqlite"
        if old_version is not None:  # every process migrates it at once
            with sqlite3.connect(path) as db:
                db.executescript(MIGRATIONS[0].format(epoch="INTEGER", real="REAL",
                    row_id="INTEGER PRIMARY KEY", table_options=" WITHOUT ROWID",
                    quarantine_key="UNIQUE (place, reason, raw)"))  # fmt: skip
                db.execute("PRAGMA user_version = 1")
        start = time.time() + 1.5  # past every child's start-up
        children = [
            subprocess.Popen(
                [sys.executable, "-c", _OPENER, str(start), str(path), str(n)],
                env=environment,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(6)
        ]
        errors = [child.communicate(timeout=120)[1] for child in children]
        assert [child.returncode for child in children] == [0] * 6, errors
        with Store.open(path) as store:
            assert store.count_results() == 6
            store.verify()
        assert not list(tmp_path.glob(".*.new*"))  # no draft left behind


def test_a_killed_run_is_marked_killed_by_the_next(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(tmp_path, scenario)
    child = Child(config, key=None)
    assert child.wait_for("run: analyze")
    child.kill()
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        killed = store.last_run()
    assert killed is not None and killed.outcome is RunOutcome.RUNNING
    assert main(["--config", str(config), "schedule", "show"]) == ExitCode.OK
    assert "and never finished: killed or the machine stopped" in capsys.readouterr().out
    assert main(["--config", str(config), "run"]) == ExitCode.OK  # quarantined before: 0 new
    with sqlite3.connect(settings.store_path) as db:
        outcomes = db.execute("SELECT pid, outcome FROM runs ORDER BY id").fetchall()
    assert outcomes == [(child.process.pid, "killed"), (os.getpid(), "ok")]
    with Store.open(settings.store_path) as store:
        assert store.count_results() == 179  # the killed run's work kept, nothing twice


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs mounted for the test (and removed after it)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_stops_the_run_with_one_line_and_loses_nothing(
    scenario: ScenarioFiles, small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(small_disk, scenario)
    filler = small_disk / "filler"
    with filler.open("wb") as out:  # leave about 150 kB: too little for the run
        out.write(b"\0" * (6 * 1024 * 1024 - 150 * 1024))
    code = main(["--config", str(config), "run"])
    err = capsys.readouterr().err.splitlines()
    assert code == ExitCode.CONFIG, err
    assert len(err) == 2 and "the disk holding the store is full" in err[0], err
    store = load_settings(config, {}).store_path
    if store.exists():
        with Store.open(store) as opened:
            opened.verify()  # sound: the step that failed was rolled back
    filler.unlink()
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    with Store.open(store) as opened:
        assert opened.count_results() == 179  # every result, once
        assert opened.round_counts() == {"2026-11-01T00": 99, "2026-11-01T06": 80}


class _LeakyRegistry(RegistryClient):
    """A registry client whose first answer fails with the key in its text: what a bug deep
    in a library could do."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def country_resources(self, country: str) -> CountryResources:
        raise self.error


@pytest.mark.parametrize("kind", ["bug", "error"])
def test_no_secret_reaches_the_store_the_log_or_schedule_show(
    atlas_replay: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture, kind: str,
) -> None:  # fmt: skip
    config = write_config(tmp_path / "config.toml", online.config_text(tmp_path, atlas_replay))
    settings = load_settings(config, {"IXPREADY_ATLAS_KEY": online.KEY})
    text = f"the header was Authorization: Key {online.KEY}"
    error = RuntimeError(text) if kind == "bug" else UnavailableError(text)
    with pytest.raises(type(error)):
        run_job(settings, registry=_LeakyRegistry(error))
    with sqlite3.connect(settings.store_path) as db:
        ((outcome, message),) = db.execute("SELECT outcome, message FROM runs").fetchall()
    assert outcome == "failed" and online.KEY not in message
    assert message == ("RuntimeError (a bug; its traceback went to the terminal or log)"
                       if kind == "bug" else "the header was Authorization: Key ****")  # fmt: skip
    assert main(["--config", str(config), "schedule", "show"]) == ExitCode.OK
    shown = capsys.readouterr()
    assert online.KEY not in shown.out + shown.err + caplog.text
    _no_key_on_disk(tmp_path / "data")
