"""`salvage` reads a damaged store page by page: every row on an intact page comes back,
exactly as stored, and nothing else (recorded RIPE Atlas results of msm 5004 and 1033154)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from ixpready.measurements.records import TraceKey
from ixpready.measurements.store import RunOutcome, Store, StoredResult, salvage

FILES = (
    "atlas-traceroute/msm5004-froot-2015-10-20-latin-america.jsonl",
    "atlas-traceroute/msm5004-froot-2015-10-20-world-sample.jsonl",
)
EXTRA = "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json"


def _results(recorded: Path) -> list[StoredResult]:
    items = [
        json.loads(line) for name in FILES for line in (recorded / name).read_text().splitlines()
    ]
    items += json.loads((recorded / EXTRA).read_text())
    found = {}
    for item in items:
        key = TraceKey(item["msm_id"], item["prb_id"], item["timestamp"])
        found[key] = StoredResult(key, json.dumps(item, separators=(",", ":")))
    return list(found.values())


@pytest.fixture
def store(recorded: Path, tmp_path: Path) -> tuple[Path, dict[TraceKey, str]]:
    """A store of 600-odd real results (with a plan, a run and a quarantined record)."""
    path = tmp_path / "ixpready.sqlite"
    results = _results(recorded)
    with Store.open(path) as opened:
        opened.add_results(results)
        opened.save_plan("p1", '{"plan": 1}')
        opened.end_run(opened.begin_run(1, 2), 3, RunOutcome.OK, 0, "ok")
    return path, {r.key: r.raw for r in results}


def _salvaged(damaged: Path, into: Path) -> dict[TraceKey, str]:
    salvage(damaged, into)
    with Store.open(into) as fresh:
        return {r.key: r.raw for r in fresh.results()}


def _leaves(path: Path) -> list[tuple[int, int]]:
    """Returns (page number, rows) of the results table's leaf pages, in key order."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT pageno, ncell FROM dbstat WHERE name = 'results' AND pagetype = 'leaf'"
            " ORDER BY path"
        ).fetchall()
    return [(int(p), int(n)) for p, n in rows]


def _page_size(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA page_size").fetchone()[0])


def test_two_damaged_leaf_pages_lose_only_their_own_rows(
    store: tuple[Path, dict[TraceKey, str]], tmp_path: Path
) -> None:
    path, original = store
    leaves = _leaves(path)
    assert len(leaves) > 20 and len(original) > 600
    hit = [leaves[len(leaves) // 3], leaves[2 * len(leaves) // 3]]  # two pages far apart
    lost = sum(rows for _, rows in hit)
    size = _page_size(path)
    data = bytearray(path.read_bytes())
    for number, _ in hit:
        data[(number - 1) * size : number * size] = b"\xde\xad\xbe\xef" * (size // 4)
    path.write_bytes(bytes(data))

    back = _salvaged(path, tmp_path / "new.sqlite")
    assert len(back) == len(original) - lost  # every row on an intact page, no other
    assert all(original[key] == raw for key, raw in back.items())  # exactly as stored
    with Store.open(tmp_path / "new.sqlite") as fresh:
        assert fresh.plan("p1") == '{"plan": 1}'
        last = fresh.last_run()
        assert last is not None and last.message == "ok"


def test_a_store_cut_short_gives_at_least_what_sqlite_still_reads(
    store: tuple[Path, dict[TraceKey, str]], tmp_path: Path
) -> None:
    path, original = store
    whole = path.read_bytes()
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(whole[: int(len(whole) * 0.41)])  # 1.2 of 2.9 MB, as in issue 13
    padded = tmp_path / "padded.sqlite"  # SQLite reads a cut file only once padded
    padded.write_bytes(whole[: int(len(whole) * 0.41)].ljust(len(whole), b"\0"))
    sqlite_reads: set[tuple[int, int, int]] = set()
    with sqlite3.connect(padded) as db:
        for order in ("", " DESC"):
            try:
                query = (
                    "SELECT msm_id, prb_id, timestamp FROM results"
                    " ORDER BY msm_id{0}, prb_id{0}, timestamp{0}"
                )
                for row in db.execute(query.format(order)):
                    sqlite_reads.add(tuple(row))
            except sqlite3.DatabaseError:
                pass

    back = _salvaged(cut, tmp_path / "new.sqlite")
    assert {(k.msm_id, k.prb_id, k.timestamp) for k in back} >= sqlite_reads
    # SQLite's scans read none (the results tree's upper pages lie beyond the cut); the pages
    # left give the rows whose leaf and overflow pages all lie before it (171 of 695 here)
    assert len(back) > len(sqlite_reads) and len(back) > len(original) // 5
    assert all(original[key] == raw for key, raw in back.items())


def test_rows_committed_only_in_the_write_ahead_log_are_salvaged(
    store: tuple[Path, dict[TraceKey, str]], tmp_path: Path
) -> None:
    path, original = store
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute(
        "INSERT INTO results (msm_id, prb_id, timestamp, raw, stored_at) VALUES (1, 2, 3, '{}', 4)"
    )
    damaged = tmp_path / "damaged.sqlite"
    shutil.copy(path, damaged)  # as `mv` would, while the writer still holds its log
    shutil.copy(path.with_name(path.name + "-wal"), damaged.with_name(damaged.name + "-wal"))
    writer.close()
    size = _page_size(damaged)
    number, rows = _leaves(path)[5]
    data = bytearray(damaged.read_bytes())
    data[(number - 1) * size : number * size] = b"\0\xff" * (size // 2)
    damaged.write_bytes(bytes(data))

    back = _salvaged(damaged, tmp_path / "new.sqlite")
    assert back[TraceKey(1, 2, 3)] == "{}"
    assert len(back) == len(original) + 1 - rows
