"""The store's rounds and runs (schema 2), migrated from a schema-1 file without loss."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ixpready.config import load_settings
from ixpready.errors import ConfigError
from ixpready.measurements.records import TraceKey
from ixpready.measurements.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    RunOutcome,
    Store,
    StoredResult,
)
from ixpready.pipeline.trend import assign_rounds, round_of, round_start
from jobs.conftest import write_config

GT_TRACES = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"


def _results(recorded: Path) -> list[StoredResult]:
    lines = (recorded / GT_TRACES).read_text().splitlines()
    return [
        StoredResult(TraceKey(r["msm_id"], r["prb_id"], r["timestamp"]), line)
        for line, r in ((line, json.loads(line)) for line in lines)
    ]


def test_a_schema_1_store_is_migrated_and_its_results_filed_by_time(
    recorded: Path, tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite"
    results = _results(recorded)
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.executemany(
        "INSERT INTO results VALUES (?, ?, ?, ?, 0)",
        [(r.key.msm_id, r.key.prb_id, r.key.timestamp, r.raw) for r in results],
    )
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 5
        assert store.names() == {}  # migration 5: the reverse-DNS table, empty
        assert store.count_results() == 26 and len(store.unassigned()) == 26
        assert {r.key: r.raw for r in store.results()} == {r.key: r.raw for r in results}
        assert assign_rounds(store, "day") == 26
        # msm 5004 ran on 2015-10-20 between 00:00 and 01:00 UTC
        assert store.round_counts() == {"2015-10-20": 26}
        assert assign_rounds(store, "day") == 0
        assert store.last_run() is None and store.rounds() == ()


def test_rounds_keep_their_first_plan_and_results_their_first_round(
    recorded: Path, tmp_path: Path
) -> None:
    results = _results(recorded)
    with Store.open(tmp_path / "s.sqlite") as store:
        store.start_round("2026-11", 100)
        assert store.start_round("2026-11", 200, "GT-1").plan_id == "GT-1"  # attached once
        assert store.start_round("2026-11", 300, "GT-2").plan_id == "GT-1"
        assert store.round("2026-11") is not None and store.round("2026-11").started_at == 100  # type: ignore[union-attr]
        assert store.add_results(results[:10], round_id="2026-10") == 10
        assert store.assign_round("2026-11", [5004]) == 0  # filed results stay where they are
        assert store.add_results(results) == 16
        assert store.assign_round("2026-11", [5004]) == 16
        assert store.round_counts() == {"2026-10": 10, "2026-11": 16}
        assert len(list(store.round_results("2026-11"))) == 16
        store.complete_round("2026-11", 400)
        store.complete_round("2026-11", 500)
        assert [(r.round_id, r.completed_at) for r in store.rounds()] == [("2026-11", 400)]


def test_runs_are_recorded_running_then_ended(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        first = store.begin_run(1000, 42)
        assert store.last_run() is not None and store.last_run().outcome is RunOutcome.RUNNING  # type: ignore[union-attr]
        store.end_run(first, 1060, RunOutcome.PARTIAL, 7, "round 2026-11")
        last = store.last_run()
    assert last is not None
    assert (
        last.started_at,
        last.finished_at,
        last.pid,
        last.outcome,
        last.exit_code,
        last.message,
    ) == (1000, 1060, 42, RunOutcome.PARTIAL, 7, "round 2026-11")


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("month", "2026-11"),
        ("week", "2026-W48"),
        ("day", "2026-11-28"),
        ("6h", "2026-11-28T18"),
        ("1h", "2026-11-28T21"),
    ],
)
def test_round_ids_sort_by_time_and_name_their_start(period: str, expected: str) -> None:
    moment = datetime(2026, 11, 28, 21, 30, tzinfo=UTC)
    assert round_of(moment, period) == expected
    start = round_start(expected)
    assert start <= moment and round_of(start, period) == expected


def test_round_and_event_settings_are_checked(tmp_path: Path) -> None:
    good = write_config(
        tmp_path / "good.toml",
        '[rounds]\nperiod = "week"\n'
        '[[events]]\ndate = 2027-03-01\nlabel = "IXP opened"\n'
        '[[events]]\ndate = "2026-12-01"\nlabel = "first members"\n',
    )
    settings = load_settings(good, {})
    assert settings.rounds.period == "week"
    assert [(e.day.isoformat(), e.label) for e in settings.events] == [
        ("2026-12-01", "first members"),
        ("2027-03-01", "IXP opened"),
    ]
    bad = write_config(tmp_path / "bad.toml", '[[events]]\ndate = "March"\nlabel = "x"\n')
    with pytest.raises(ConfigError, match=r"key 'events' is .* expected an array of tables"):
        load_settings(bad, {})
    with pytest.raises(ConfigError, match=r"key 'rounds\.period' is 'fortnight', expected one of"):
        load_settings(
            None, {"IXPREADY_ROUNDS_PERIOD": "fortnight", "XDG_CONFIG_HOME": str(tmp_path)}
        )
