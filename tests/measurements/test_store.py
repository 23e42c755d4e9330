"""The store: results kept verbatim once, states recorded, damage reported with a recovery."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ixpready.errors import ExitCode, StoreError
from ixpready.measurements.records import Malformed, TraceKey
from ixpready.measurements.store import (
    SCHEMA_VERSION,
    MeasurementState,
    Store,
    StoredResult,
)

GT_TRACES = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"


def _recorded_results(recorded: Path) -> list[StoredResult]:
    lines = (recorded / GT_TRACES).read_text().splitlines()
    stored = []
    for line in lines:
        record = json.loads(line)
        key = TraceKey(record["msm_id"], record["prb_id"], record["timestamp"])
        stored.append(StoredResult(key, line))
    return stored


def test_results_are_kept_verbatim_once(recorded: Path, tmp_path: Path) -> None:
    results = _recorded_results(recorded)
    with Store.open(tmp_path / "s.sqlite") as store:
        assert store.add_results(results[:20]) == 20
        assert store.add_results(results) == 6  # the first 20 again change nothing
        assert store.add_results(results) == 0
        assert store.count_results() == 26 == store.count_results(5004)
        back = {r.key: r.raw for r in store.results(5004)}
    assert back == {r.key: r.raw for r in results}  # byte for byte
    assert TraceKey(5004, 12804, min(r.key.timestamp for r in results if r.key.prb_id == 12804)) in back


def test_a_window_moves_the_fetch_mark_with_its_results(recorded: Path, tmp_path: Path) -> None:
    results = _recorded_results(recorded)
    bad = Malformed("atlas msm 5004, result 3", "field 'prb_id' is missing", '{"msm_id": 5004}')
    with Store.open(tmp_path / "s.sqlite") as store:
        assert store.fetched_until(5004) is None
        assert store.save_window(5004, 1445301000, results[:13], [bad]) == 13
        assert store.save_window(5004, 1445300000, results, [bad]) == 13  # mark never goes back
        assert store.fetched_until(5004) == 1445301000
        assert store.quarantined() == (bad,)


def test_a_failed_window_leaves_neither_results_nor_mark(recorded: Path, tmp_path: Path) -> None:
    results = _recorded_results(recorded)

    def exploding() -> object:
        yield results[0]
        raise RuntimeError("connection lost while reading")

    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(RuntimeError):
            store.save_window(5004, 1445301000, exploding())  # type: ignore[arg-type]
        assert store.count_results() == 0
        assert store.fetched_until(5004) is None


def test_a_measurement_is_recorded_before_and_after_creation(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store.open(path) as store:
        store.mark_submitting("p1", 1, "ixpready p1 item 1")
        store.mark_submitting("p1", 2, "ixpready p1 item 2")
        store.record_created("p1", 1, 80001234)
        store.mark_submitting("p1", 1, "again")  # never undoes a known id
        store.forget_submission("p1", 1)  # nor does forgetting
        store.record_cost(80001234, 60.0, "Ongoing")
    with Store.open(path) as store:  # survives reopening
        rows = store.measurements("p1")
    assert [(r.item, r.msm_id, r.state) for r in rows] == [
        (1, 80001234, MeasurementState.CREATED),
        (2, None, MeasurementState.SUBMITTING),
    ]
    assert rows[0].credits_per_result == 60.0


def test_inventories_plans_and_analyses_round_trip(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        store.save_inventory("GT", 100, '{"probes": 1}')
        newest = store.save_inventory("GT", 200, '{"probes": 2}')
        store.save_plan("p1", '{"items": []}')
        store.record_analysis("2026-11-28", "/data/refdata", 26)
        inventory = store.latest_inventory("GT")
        assert inventory is not None and inventory.id == newest
        assert inventory.document == '{"probes": 2}'
        assert store.latest_inventory("HN") is None
        assert store.plan("p1") == '{"items": []}'
        assert store.plan("p2") is None
        assert [a.snapshot for a in store.analyses()] == ["2026-11-28"]


def test_a_new_store_is_wal_at_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "s.sqlite"
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_a_file_that_is_not_a_store_names_the_recovery(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not SQLite at all, just some text " * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert str(caught.value).startswith(f"{path}: the store is damaged or not an ixpready store")
    assert caught.value.hint and f"mv {path} {path}.damaged" in caught.value.hint
    assert caught.value.exit_code == ExitCode.CONFIG


def test_a_store_from_a_newer_ixpready_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(StoreError, match="newer than this ixpready"):
        Store.open(path)
