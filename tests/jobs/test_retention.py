"""Retention (`[retention]`, `ixpready prune`): old rounds' raw results go, their trend stays;
on the SQLite store and on a real PostgreSQL server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ixpready.cli import main
from ixpready.config import Settings, load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode, StoreError
from ixpready.measurements.records import Malformed, TraceKey
from ixpready.measurements.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    ResultStore,
    RoundSummary,
    Store,
    StoredResult,
)
from ixpready.measurements.store_pg import MIGRATIONS as PG_MIGRATIONS
from ixpready.measurements.store_pg import PgStore
from ixpready.pipeline import run as job
from ixpready.pipeline.runner import job_lock
from jobs.conftest import offline_config, write_config
from jobs.postgres import Postgres

GT = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
OLDEST, OLDER, NEWEST = "2015-10-20T00", "2026-11-01T00", "2026-11-01T06"
SRC = Path(__file__).resolve().parents[2] / "src"
RETENTION = "[retention]\nraw_results_rounds = 1\nquarantine_days = 90\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_text(request: pytest.FixtureRequest) -> Iterator[str]:
    """The config's [store] section: nothing (SQLite) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield ""
        return
    postgres: Postgres = request.getfixturevalue("postgres")
    name = "t_" + uuid.uuid4().hex[:12]
    postgres.admin(f"CREATE DATABASE {name}", database="postgres")
    yield f'[store]\nurl = "{postgres.url(database=name)}"\n'
    postgres.admin(f"DROP DATABASE {name} WITH (FORCE)", database="postgres")


def _open(settings: Settings) -> AbstractContextManager[ResultStore]:
    if settings.store.url:
        return PgStore.open(settings.store.url.reveal())
    return Store.open(settings.store_path)


def _config(tmp_path: Path, scenario: ScenarioFiles, recorded: Path, extra: str) -> Path:
    """Three rounds: a 2015 one (26 results) and the scenario's two (99 and 80)."""
    config = offline_config(tmp_path, scenario, extra)
    text = config.read_text().replace("results = [", f'results = ["{recorded / GT}", ')
    config.write_text(text)
    return config


def _with(config: Path, extra: str) -> None:
    config.write_text(config.read_text() + extra)


def _trend(config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["--config", str(config), "trend", "--format", "json"]) == ExitCode.OK
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def _state(settings: Settings) -> tuple[dict[str, int], tuple[RoundSummary, ...], int]:
    with _open(settings) as store:
        return store.round_counts(), store.round_summaries(), len(store.quarantined())


def test_prune_drops_old_rounds_results_and_keeps_the_trend(
    scenario: ScenarioFiles, recorded: Path, store_text: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    config = _config(tmp_path, scenario, recorded, store_text)
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL  # no retention yet
    settings = load_settings(config, {})
    before = _trend(config, capsys)
    assert [r["results"] for r in before["rounds"]] == [26, 99, 80]
    assert _state(settings) == ({OLDEST: 26, OLDER: 99, NEWEST: 80}, (), 1)

    _with(config, RETENTION)
    capsys.readouterr()
    assert main(["--config", str(config), "prune", "--dry-run"]) == ExitCode.OK
    dry = capsys.readouterr().out.splitlines()
    assert dry[:2] == [
        f"would delete 26 raw results of round {OLDEST}",
        f"would delete 99 raw results of round {OLDER}",
    ]
    cutoff = datetime.now(tz=UTC) - timedelta(days=90)
    assert dry[2].startswith(f"would delete 0 quarantined records stored before {cutoff:%Y-%m-%d}")
    assert dry[3] == "Would delete 125 raw results of 2 rounds and 0 quarantined records"
    assert dry[4] == f"raw results kept: {NEWEST}"
    assert _state(settings) == ({OLDEST: 26, OLDER: 99, NEWEST: 80}, (), 1)  # nothing went

    assert main(["--config", str(config), "prune"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "Deleted 125 raw results of 2 rounds and 0 quarantined records" in out
    counts, summaries, quarantined = _state(settings)
    assert counts == {NEWEST: 80} and quarantined == 1  # quarantined today: kept 90 days
    assert [(s.round_id, s.results) for s in summaries] == [(OLDEST, 26), (OLDER, 99)]
    assert _trend(config, capsys) == before  # every round, the same numbers

    assert main(["--config", str(config), "prune"]) == ExitCode.OK  # again: nothing more
    assert "Deleted 0 raw results of 0 rounds" in capsys.readouterr().out
    assert main(["--config", str(config), "run"]) == ExitCode.OK  # files read again
    out = capsys.readouterr().out
    assert "import: 80 new results" not in out and "import: 0 new results" in out
    assert "prune: deleted 0 raw results of 0 rounds and 0 quarantined records" in out
    assert _state(settings) == (counts, summaries, 1)
    assert _trend(config, capsys) == before

    exported = tmp_path / "export"  # export still has every round (the analyses stay)
    assert main(["--config", str(config), "export", "--out", str(exported)]) == ExitCode.OK
    rows = [json.loads(line) for line in (exported / "rounds.jsonl").read_text().splitlines()]
    assert rows == before["rounds"]


def test_old_quarantined_records_go_after_their_days(
    scenario: ScenarioFiles, recorded: Path, store_text: str, tmp_path: Path
) -> None:
    config = _config(tmp_path, scenario, recorded, store_text + RETENTION)
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL  # prunes at its end
    settings = load_settings(config, {})
    assert _state(settings)[0] == {NEWEST: 80}
    later = datetime.now(tz=UTC) + timedelta(days=91)
    dry = job.prune(settings, dry_run=True, now=later)
    assert (dry.quarantined, dry.results, _state(settings)[2]) == (1, 0, 1)
    done = job.prune(settings, now=later)
    assert (done.quarantined, _state(settings)[2]) == (1, 0)
    assert job.prune(settings, now=later).quarantined == 0


def test_the_report_history_keeps_pruned_rounds_from_their_summaries(
    scenario: ScenarioFiles, recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, scenario, recorded, RETENTION)
    config.write_text(config.read_text().replace("report = false", "report = true"))
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    before = _trend(config, capsys)
    settings = load_settings(config, {})
    for old in (OLDEST, OLDER):  # a host without the pruned rounds' analyses
        (settings.rounds_dir / old / "analysis.json").unlink()
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    assert _trend(config, capsys) == before
    page = (settings.rounds_dir / NEWEST / "report" / "report.en.html").read_text()
    assert all(label in page for label in (OLDEST, OLDER, NEWEST))  # one bar per round


def test_without_retention_nothing_is_ever_deleted(
    scenario: ScenarioFiles, recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, scenario, recorded, "")
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    assert "prune:" not in capsys.readouterr().out
    assert main(["--config", str(config), "prune"]) == ExitCode.OK
    assert "nothing to delete: no [retention]" in capsys.readouterr().out
    settings = load_settings(config, {})
    far = datetime.now(tz=UTC) + timedelta(days=10_000)
    assert job.prune(settings, now=far).results == 0
    assert _state(settings) == ({OLDEST: 26, OLDER: 99, NEWEST: 80}, (), 1)


def test_ids_rounds_and_running_rounds_stay(
    scenario: ScenarioFiles, recorded: Path, tmp_path: Path
) -> None:
    config = _config(tmp_path, scenario, recorded, "")
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        store.save_plan("GT-2015", "{}")
        store.start_round(OLDEST, 1445299200, "GT-2015")  # its plan still running
        store.start_round(OLDER, 1761955200, "GT-old")
        store.complete_round(OLDER, 1761990000)
        store.mark_submitting("GT-old", 0, "ixpready GT-old item 0")
        store.record_created("GT-old", 0, 5004)
        store.save_window(5004, 1445302800, [])
        ids_before = store.measurements()
    _with(config, RETENTION)
    settings = load_settings(config, {})
    summary = job.prune(settings)
    assert [r.round_id for r in summary.rounds] == [OLDER]
    assert summary.kept_rounds == (OLDEST, NEWEST)
    with Store.open(settings.store_path) as store:
        assert store.round_counts() == {OLDEST: 26, NEWEST: 80}
        assert store.measurements() == ids_before and store.fetched_until(5004) == 1445302800
        assert [r.round_id for r in store.rounds()] == [OLDEST, OLDER]
        assert store.plan("GT-2015") == "{}"
        store.complete_round(OLDEST, 1445310000)  # once finished, it goes too
    assert [r.round_id for r in job.prune(settings).rounds] == [OLDEST]


def test_prune_waits_for_no_run(
    scenario: ScenarioFiles, recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, scenario, recorded, RETENTION)
    settings = load_settings(config, {})
    with job_lock(settings.lock_path):
        assert main(["--config", str(config), "prune"]) == ExitCode.USAGE
    assert "another ixpready run holds the lock" in capsys.readouterr().err


def _results(recorded: Path) -> list[StoredResult]:
    lines = (recorded / GT).read_text().splitlines()
    return [StoredResult(TraceKey(r["msm_id"], r["prb_id"], r["timestamp"]), line)
            for line, r in ((line, json.loads(line)) for line in lines)]  # fmt: skip


def _summary(round_id: str, results: int) -> RoundSummary:
    return RoundSummary(round_id, results, 10, 6, 2, 3, 1, 12.5, None, 1)


def test_a_prune_is_one_transaction(recorded: Path, store_text: str, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", f'data_dir = "{tmp_path / "data"}"\n{store_text}')
    settings = load_settings(config, {})
    results = _results(recorded)
    with _open(settings) as store:
        store.add_results(results[:10], "A")
        store.add_results(results[10:], "B")
        store.quarantine([])
        # B holds 16 results, not 15: the second delete fails, the first is undone with it
        with pytest.raises(StoreError, match="round B: holds 16 results, not the 15"):
            store.prune([_summary("A", 10), _summary("B", 15)], {"A": 10, "B": 15}, 10**10)
        assert store.round_counts() == {"A": 10, "B": 16} and store.round_summaries() == ()
        with pytest.raises(StoreError, match="round B: no summary kept"):
            store.prune([_summary("A", 10)], {"A": 10, "B": 16})
        assert store.round_counts() == {"A": 10, "B": 16} and store.round_summaries() == ()
        assert store.prune([_summary("A", 10)], {"A": 10}) == (10, 0)
        assert store.prune([_summary("A", 99)], {}) == (0, 0)  # the first summary stays
        assert store.round_summaries() == (_summary("A", 10),)
        assert store.count_results() == 16


KILLED_MIDWAY = """
import sys, time
from ixpready.measurements.store import RoundSummary, Store
from ixpready.measurements.store_pg import PgStore


class Slowly(dict):  # the rounds to drop, handed out one at a time; stuck after the first
    def items(self):
        for pair in super().items():
            yield pair
            print("deleted", pair[0], flush=True)
            time.sleep(120)


where = sys.argv[1]
store = PgStore.open(where) if where.startswith("postgresql") else Store.open(Path(where))
summaries = [RoundSummary(r, n, 10, 6, 2, 3, 1, 12.5, None, 1) for r, n in (("A", 10), ("B", 16))]
store.prune(summaries, Slowly(A=10, B=16), 10**10)
"""


def test_a_prune_killed_midway_deletes_nothing(
    recorded: Path, store_text: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "c.toml", f'data_dir = "{tmp_path / "data"}"\n{store_text}')
    settings = load_settings(config, {})
    results = _results(recorded)
    with _open(settings) as store:
        store.add_results(results[:10], "A")
        store.add_results(results[10:], "B")
        store.quarantine([Malformed("f:1", "not JSON", "{")])
    where = settings.store.url.reveal() if settings.store.url else str(settings.store_path)
    child = subprocess.Popen(
        [sys.executable, "-c", "from pathlib import Path\n" + KILLED_MIDWAY, where],
        env={**os.environ, "PYTHONPATH": str(SRC)}, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdout.readline() == "deleted A\n"
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    child.stdout.close()
    with _open(settings) as store:  # A's deleted results came back with the rollback
        assert store.round_counts() == {"A": 10, "B": 16} and store.round_summaries() == ()
        assert len(store.quarantined()) == 1
        done = store.prune([_summary("A", 10), _summary("B", 16)], {"A": 10, "B": 16}, 10**10)
        assert done == (26, 1) and store.count_results() == 0
        assert [s.round_id for s in store.round_summaries()] == ["A", "B"]


def test_a_schema_3_sqlite_store_is_migrated_to_keep_summaries(
    recorded: Path, tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite"
    results = _results(recorded)
    db = sqlite3.connect(path)
    for migration in MIGRATIONS[:3]:
        db.executescript(migration)
    db.execute("PRAGMA user_version = 3")
    db.executemany(
        "INSERT INTO results VALUES (?, ?, ?, ?, 0, ?)",
        [(r.key.msm_id, r.key.prb_id, r.key.timestamp, r.raw, "A") for r in results],
    )
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 5
        assert store.round_counts() == {"A": 26} and store.round_summaries() == ()
        assert {r.key: r.raw for r in store.results()} == {r.key: r.raw for r in results}
        assert store.prune([_summary("A", 26)], {"A": 26}) == (26, 0)
        assert store.round_summaries() == (_summary("A", 26),)


def test_a_schema_3_shared_store_is_migrated_to_keep_summaries(
    recorded: Path, postgres: Postgres
) -> None:
    name = "t_" + uuid.uuid4().hex[:12]
    postgres.admin(f"CREATE DATABASE {name}", database="postgres")
    database = postgres.url(database=name)
    results = _results(recorded)
    try:
        with psycopg.connect(database, autocommit=True) as connection:  # as schema 3 left it
            connection.execute("CREATE TABLE ixpready_schema (version INTEGER NOT NULL)")
            connection.execute("INSERT INTO ixpready_schema VALUES (3)")
            for migration in PG_MIGRATIONS[:3]:
                for statement in migration.split(";"):
                    if statement.strip():
                        connection.execute(statement.encode())
            for r in results:
                connection.execute(
                    "INSERT INTO results (msm_id, prb_id, timestamp, raw, stored_at, round_id)"
                    " VALUES (%s, %s, %s, %s, 0, 'A')",
                    (r.key.msm_id, r.key.prb_id, r.key.timestamp, r.raw),
                )
        with PgStore.open(database) as shared:
            assert shared.schema_version == SCHEMA_VERSION == 5
            assert shared.round_counts() == {"A": 26} and shared.round_summaries() == ()
            assert shared.prune([_summary("A", 26)], {"A": 26}) == (26, 0)
            assert shared.round_summaries() == (_summary("A", 26),)
    finally:
        postgres.admin(f"DROP DATABASE {name} WITH (FORCE)", database="postgres")
