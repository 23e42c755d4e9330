"""The store: one SQLite file (WAL) holding everything a measurement campaign must not lose.

Measurement ids and states (recorded the moment they are known), every raw result verbatim
keyed by (msm_id, prb_id, timestamp) (inserting one again changes nothing) with its
measurement round, quarantined records, dated inventories, plans, how far each measurement
was fetched, which reference-data snapshot each analysis used, the rounds, the outcome of
every `ixpready run` and which spool files `ixpready upload` sent. No key or secret is ever
written here.

The schema version is SQLite's `user_version`; `MIGRATIONS[n]` brings version n to n + 1.
A file that is not a store, is damaged (`verify` reads every page before a job writes), or
was written by a newer ixpready raises StoreError with the recovery; `salvage` copies every
readable row into a new store (see docs/jobs.md, "Damaged store").
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Protocol

from ixpready.errors import StoreError
from ixpready.measurements.records import Malformed, TraceKey

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE measurements (
        plan_id TEXT NOT NULL,
        item INTEGER NOT NULL,
        description TEXT NOT NULL,
        msm_id INTEGER UNIQUE,
        state TEXT NOT NULL,
        credits_per_result REAL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (plan_id, item)
    );
    CREATE TABLE results (
        msm_id INTEGER NOT NULL,
        prb_id INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        raw TEXT NOT NULL,
        stored_at INTEGER NOT NULL,
        PRIMARY KEY (msm_id, prb_id, timestamp)
    ) WITHOUT ROWID;
    CREATE TABLE fetches (
        msm_id INTEGER PRIMARY KEY,
        fetched_until INTEGER NOT NULL
    );
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        place TEXT NOT NULL,
        reason TEXT NOT NULL,
        raw TEXT NOT NULL,
        stored_at INTEGER NOT NULL,
        UNIQUE (place, reason, raw)
    );
    CREATE TABLE inventories (
        id INTEGER PRIMARY KEY,
        country TEXT NOT NULL,
        taken_at INTEGER NOT NULL,
        document TEXT NOT NULL
    );
    CREATE TABLE plans (
        plan_id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        document TEXT NOT NULL
    );
    CREATE TABLE analyses (
        id INTEGER PRIMARY KEY,
        run_at INTEGER NOT NULL,
        snapshot TEXT NOT NULL,
        refdata_dir TEXT NOT NULL,
        results INTEGER NOT NULL
    );
    """,
    # 2: measurement rounds (results keep theirs; NULL until assigned) and the runs' outcomes
    """
    ALTER TABLE results ADD COLUMN round_id TEXT;
    CREATE INDEX results_by_round ON results (round_id);
    CREATE TABLE rounds (
        round_id TEXT PRIMARY KEY,
        started_at INTEGER NOT NULL,
        plan_id TEXT,
        completed_at INTEGER
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        pid INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        exit_code INTEGER,
        message TEXT NOT NULL
    );
    """,
    # 3: which spool files `ixpready upload` has sent whole (by name and content digest)
    """
    CREATE TABLE uploads (
        file TEXT NOT NULL,
        digest TEXT NOT NULL,
        results INTEGER NOT NULL,
        uploaded_at INTEGER NOT NULL,
        PRIMARY KEY (file, digest)
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
RECOVERY = (
    "move the file aside (mv {path} {path}.damaged, with its -wal and -shm files) and run "
    "`ixpready salvage {path}.damaged`: every readable row goes into a new store at {path}; "
    "then run again: result files and uploads are read again, and `ixpready fetch --msm ID` "
    "fetches results of measurements listed at https://atlas.ripe.net/measurements/mine "
    "(see docs/jobs.md, 'Damaged store')"
)


class MeasurementState(StrEnum):
    """Where a planned measurement stands. SUBMITTING: asked for, answer unknown."""

    SUBMITTING = "submitting"
    CREATED = "created"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class MeasurementRow:
    """One planned measurement as the store knows it."""

    plan_id: str
    item: int
    description: str
    msm_id: int | None
    state: MeasurementState
    credits_per_result: float | None


@dataclass(frozen=True, slots=True)
class StoredResult:
    """One raw result (JSON text, as received) and its key."""

    key: TraceKey
    raw: str


@dataclass(frozen=True, slots=True)
class Inventory:
    """A dated inventory document (JSON text) of one country."""

    id: int
    country: str
    taken_at: int
    document: str


@dataclass(frozen=True, slots=True)
class AnalysisRecord:
    """Which reference snapshot (date) and folder an analysis used, over how many results."""

    run_at: int
    snapshot: str
    refdata_dir: str
    results: int


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """A measurement round: when it started, its plan (None: results imported, no plan),
    and when every measurement of its plan had finished (None: still open)."""

    round_id: str
    started_at: int
    plan_id: str | None
    completed_at: int | None


class RunOutcome(StrEnum):
    """How an `ixpready run` ended. RUNNING: not ended (still going, or killed)."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One `ixpready run` as recorded in the store (epoch seconds, the process id)."""

    id: int
    started_at: int
    finished_at: int | None
    pid: int
    outcome: RunOutcome
    exit_code: int | None
    message: str


class ResultStore(Protocol):
    """What the SQLite store and the shared PostgreSQL store (`store_pg.PgStore`) both do:
    results, quarantine, rounds, runs, inventories."""

    def add_results(
        self, results: Iterable[StoredResult], round_id: str | None = None
    ) -> int: ...
    def results(self, msm_id: int | None = None) -> Iterator[StoredResult]: ...
    def count_results(self, msm_id: int | None = None) -> int: ...
    def quarantine(self, records: Iterable[Malformed]) -> int: ...
    def quarantined(self) -> tuple[Malformed, ...]: ...
    def start_round(
        self, round_id: str, started_at: int, plan_id: str | None = None
    ) -> RoundRecord: ...
    def complete_round(self, round_id: str, completed_at: int) -> None: ...
    def round(self, round_id: str) -> RoundRecord | None: ...
    def rounds(self) -> tuple[RoundRecord, ...]: ...
    def assign_round(self, round_id: str, msm_ids: Iterable[int]) -> int: ...
    def unassigned(self) -> tuple[TraceKey, ...]: ...
    def set_rounds(self, assignments: Iterable[tuple[TraceKey, str]]) -> int: ...
    def round_counts(self) -> dict[str, int]: ...
    def round_results(self, round_id: str) -> Iterator[StoredResult]: ...
    def latest_inventory(self, country: str) -> Inventory | None: ...
    def close(self) -> None: ...


class Store:
    """An open store; use `Store.open(path)` as a context manager. Not shared across threads."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    @classmethod
    def open(cls, path: Path) -> Store:
        """Returns the store at `path`, created or migrated to SCHEMA_VERSION as needed.

        Raises StoreError when the file is not a store, is damaged, or is newer than this code.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the store folder ({exc.strerror})") from None
        try:
            db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the store ({exc})") from None
        store = cls(path, db)
        try:
            with store._guard():
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                store._migrate()
        except StoreError:
            db.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: the store is damaged or not an ixpready store ({exc})",
                hint=RECOVERY.format(path=self.path),
            ) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema {version} is newer than this ixpready "
                f"understands ({SCHEMA_VERSION})",
                hint="upgrade ixpready, or use another store file (store.file)",
            )
        for number in range(version, SCHEMA_VERSION):
            with self._transaction() as db:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    def verify(self) -> None:
        """Reads every page (SQLite's quick_check) before anything is written.

        Raises StoreError with the recovery when the file is damaged; a damaged file is
        never written to, so nothing more is lost.
        """
        with self._guard():
            problems = [str(row[0]) for row in self._db.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            first = " ".join(problems[0].split())  # one line, whatever SQLite wrote
            raise StoreError(
                f"{self.path}: the store is damaged ({first[:200]})",
                hint=RECOVERY.format(path=self.path),
            )

    @property
    def schema_version(self) -> int:
        """Returns the schema version of the open file."""
        with self._guard():
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- measurements ---------------------------------------------------------------------

    def measurement(self, plan_id: str, item: int) -> MeasurementRow | None:
        """Returns what is known of one plan item, or None when nothing was done yet."""
        with self._guard():
            row = self._db.execute(
                "SELECT plan_id, item, description, msm_id, state, credits_per_result "
                "FROM measurements WHERE plan_id = ? AND item = ?",
                (plan_id, item),
            ).fetchone()
        return None if row is None else _measurement(row)

    def measurements(self, plan_id: str | None = None) -> tuple[MeasurementRow, ...]:
        """Returns every recorded measurement (of one plan if given), by plan and item."""
        query = (
            "SELECT plan_id, item, description, msm_id, state, credits_per_result "
            "FROM measurements"
        )
        arguments: tuple[str, ...] = ()
        if plan_id is not None:
            query += " WHERE plan_id = ?"
            arguments = (plan_id,)
        with self._guard():
            rows = self._db.execute(query + " ORDER BY plan_id, item", arguments).fetchall()
        return tuple(_measurement(row) for row in rows)

    def mark_submitting(self, plan_id: str, item: int, description: str) -> None:
        """Records that creation of one plan item is being asked for (before the request)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO measurements (plan_id, item, description, msm_id, state, updated_at)"
                " VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT (plan_id, item) DO UPDATE SET"
                " state = excluded.state, updated_at = excluded.updated_at"
                " WHERE measurements.msm_id IS NULL",
                (plan_id, item, description, MeasurementState.SUBMITTING, _now()),
            )

    def record_created(self, plan_id: str, item: int, msm_id: int) -> None:
        """Records the id the API gave a plan item: from now on it is never created again."""
        with self._transaction() as db:
            db.execute(
                "UPDATE measurements SET msm_id = ?, state = ?, updated_at = ?"
                " WHERE plan_id = ? AND item = ?",
                (msm_id, MeasurementState.CREATED, _now(), plan_id, item),
            )

    def forget_submission(self, plan_id: str, item: int) -> None:
        """Drops a submission the API refused (so it was not created): it may be tried again."""
        with self._transaction() as db:
            db.execute(
                "DELETE FROM measurements WHERE plan_id = ? AND item = ? AND msm_id IS NULL",
                (plan_id, item),
            )

    def record_cost(self, msm_id: int, credits_per_result: float | None, state: str) -> None:
        """Records the cost per result read back from the API, and its state."""
        stored = MeasurementState.STOPPED if state.lower() in _FINISHED else MeasurementState.CREATED
        with self._transaction() as db:
            db.execute(
                "UPDATE measurements SET credits_per_result = ?, state = ?, updated_at = ?"
                " WHERE msm_id = ?",
                (credits_per_result, stored, _now(), msm_id),
            )

    # -- results --------------------------------------------------------------------------

    def add_results(self, results: Iterable[StoredResult], round_id: str | None = None) -> int:
        """Stores results not yet stored (in round `round_id` if given); returns how many were
        new (a re-insert is a no-op and keeps the round first given)."""
        now = _now()
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO results (msm_id, prb_id, timestamp, raw, stored_at,"
                " round_id) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (r.key.msm_id, r.key.prb_id, r.key.timestamp, r.raw, now, round_id)
                    for r in results
                ),
            )
            return db.total_changes - before

    def results(self, msm_id: int | None = None) -> Iterator[StoredResult]:
        """Yields stored results (of one measurement if given) in key order."""
        query = "SELECT msm_id, prb_id, timestamp, raw FROM results"
        arguments: tuple[int, ...] = ()
        if msm_id is not None:
            query += " WHERE msm_id = ?"
            arguments = (msm_id,)
        with self._guard():
            rows = self._db.execute(query + " ORDER BY msm_id, prb_id, timestamp", arguments)
            for row in rows:
                yield StoredResult(TraceKey(row[0], row[1], row[2]), row[3])

    def count_results(self, msm_id: int | None = None) -> int:
        """Returns how many results are stored (of one measurement if given)."""
        with self._guard():
            if msm_id is None:
                row = self._db.execute("SELECT COUNT(*) FROM results").fetchone()
            else:
                row = self._db.execute(
                    "SELECT COUNT(*) FROM results WHERE msm_id = ?", (msm_id,)
                ).fetchone()
        return int(row[0])

    # -- rounds ---------------------------------------------------------------------------

    def start_round(
        self, round_id: str, started_at: int, plan_id: str | None = None
    ) -> RoundRecord:
        """Records a round (once: an existing round keeps its start) and returns it; a plan
        given for a round that has none is attached."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO rounds (round_id, started_at, plan_id) VALUES (?, ?, ?)"
                " ON CONFLICT (round_id) DO UPDATE SET plan_id = excluded.plan_id"
                " WHERE rounds.plan_id IS NULL",
                (round_id, started_at, plan_id),
            )
        found = self.round(round_id)
        assert found is not None
        return found

    def complete_round(self, round_id: str, completed_at: int) -> None:
        """Records that every measurement of the round has finished and was fetched."""
        with self._transaction() as db:
            db.execute(
                "UPDATE rounds SET completed_at = ? WHERE round_id = ? AND completed_at IS NULL",
                (completed_at, round_id),
            )

    def round(self, round_id: str) -> RoundRecord | None:
        """Returns one round, or None."""
        with self._guard():
            row = self._db.execute(
                "SELECT round_id, started_at, plan_id, completed_at FROM rounds WHERE round_id = ?",
                (round_id,),
            ).fetchone()
        return None if row is None else RoundRecord(*row)

    def rounds(self) -> tuple[RoundRecord, ...]:
        """Returns every round, in round order (ids sort by time)."""
        with self._guard():
            rows = self._db.execute(
                "SELECT round_id, started_at, plan_id, completed_at FROM rounds ORDER BY round_id"
            ).fetchall()
        return tuple(RoundRecord(*row) for row in rows)

    def assign_round(self, round_id: str, msm_ids: Iterable[int]) -> int:
        """Puts the results of these measurements not yet in a round into `round_id`;
        returns how many moved."""
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "UPDATE results SET round_id = ? WHERE msm_id = ? AND round_id IS NULL",
                ((round_id, msm_id) for msm_id in msm_ids),
            )
            return db.total_changes - before

    def unassigned(self) -> tuple[TraceKey, ...]:
        """Returns the keys of results in no round yet (imported, uploaded, migrated)."""
        with self._guard():
            rows = self._db.execute(
                "SELECT msm_id, prb_id, timestamp FROM results WHERE round_id IS NULL"
                " ORDER BY msm_id, prb_id, timestamp"
            ).fetchall()
        return tuple(TraceKey(*row) for row in rows)

    def set_rounds(self, assignments: Iterable[tuple[TraceKey, str]]) -> int:
        """Puts each result still in no round into the round given; returns how many moved."""
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "UPDATE results SET round_id = ? WHERE msm_id = ? AND prb_id = ?"
                " AND timestamp = ? AND round_id IS NULL",
                ((r, k.msm_id, k.prb_id, k.timestamp) for k, r in assignments),
            )
            return db.total_changes - before

    def round_counts(self) -> dict[str, int]:
        """Returns how many results each round holds (assigned results only)."""
        with self._guard():
            rows = self._db.execute(
                "SELECT round_id, COUNT(*) FROM results WHERE round_id IS NOT NULL"
                " GROUP BY round_id ORDER BY round_id"
            ).fetchall()
        return {str(r): int(n) for r, n in rows}

    def round_results(self, round_id: str) -> Iterator[StoredResult]:
        """Yields the results of one round in key order."""
        with self._guard():
            rows = self._db.execute(
                "SELECT msm_id, prb_id, timestamp, raw FROM results WHERE round_id = ?"
                " ORDER BY msm_id, prb_id, timestamp",
                (round_id,),
            )
            for row in rows:
                yield StoredResult(TraceKey(row[0], row[1], row[2]), row[3])

    # -- runs -----------------------------------------------------------------------------

    def begin_run(self, started_at: int, pid: int) -> int:
        """Records a run as started (outcome "running" until `end_run`); returns its id."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (started_at, pid, outcome, message) VALUES (?, ?, ?, '')",
                (started_at, pid, RunOutcome.RUNNING),
            )
            return int(cursor.lastrowid or 0)

    def end_run(
        self, run_id: int, finished_at: int, outcome: RunOutcome, exit_code: int, message: str
    ) -> None:
        """Records how a run ended."""
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, exit_code = ?, message = ?"
                " WHERE id = ?",
                (finished_at, outcome, exit_code, message, run_id),
            )

    def last_run(self) -> RunRecord | None:
        """Returns the newest run, or None when `ixpready run` never ran on this store."""
        with self._guard():
            row = self._db.execute(
                "SELECT id, started_at, finished_at, pid, outcome, exit_code, message FROM runs"
                " ORDER BY id DESC LIMIT 1"
            ).fetchone()
        if row is None:
            return None
        return RunRecord(row[0], row[1], row[2], row[3], RunOutcome(row[4]), row[5], row[6])

    # -- uploads --------------------------------------------------------------------------

    def uploaded(self, file: str, digest: str) -> bool:
        """Returns True when this spool file, with exactly this content, was sent whole."""
        with self._guard():
            row = self._db.execute(
                "SELECT 1 FROM uploads WHERE file = ? AND digest = ?", (file, digest)
            ).fetchone()
        return row is not None

    def record_upload(self, file: str, digest: str, results: int, uploaded_at: int) -> None:
        """Records that a spool file was sent whole (after the server committed it)."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO uploads (file, digest, results, uploaded_at)"
                " VALUES (?, ?, ?, ?)",
                (file, digest, results, uploaded_at),
            )

    def fetched_until(self, msm_id: int) -> int | None:
        """Returns the epoch second up to which results of `msm_id` were fetched, if any."""
        with self._guard():
            row = self._db.execute(
                "SELECT fetched_until FROM fetches WHERE msm_id = ?", (msm_id,)
            ).fetchone()
        return None if row is None else int(row[0])

    def save_window(
        self,
        msm_id: int,
        until: int,
        results: Iterable[StoredResult],
        malformed: Iterable[Malformed] = (),
    ) -> int:
        """Stores one fetched window and moves `fetched_until` in the same transaction.

        Returns how many results were new. A crash before the commit leaves neither.
        """
        now = _now()
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO results (msm_id, prb_id, timestamp, raw, stored_at)"
                " VALUES (?, ?, ?, ?, ?)",
                ((r.key.msm_id, r.key.prb_id, r.key.timestamp, r.raw, now) for r in results),
            )
            added = db.total_changes - before
            db.executemany(
                "INSERT OR IGNORE INTO quarantine (place, reason, raw, stored_at)"
                " VALUES (?, ?, ?, ?)",
                ((m.where, m.reason, m.raw, now) for m in malformed),
            )
            db.execute(
                "INSERT INTO fetches (msm_id, fetched_until) VALUES (?, ?) ON CONFLICT (msm_id)"
                " DO UPDATE SET fetched_until = max(fetched_until, excluded.fetched_until)",
                (msm_id, until),
            )
            return added

    # -- quarantine -----------------------------------------------------------------------

    def quarantine(self, records: Iterable[Malformed]) -> int:
        """Stores unreadable records (where, reason, raw); returns how many were new."""
        now = _now()
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO quarantine (place, reason, raw, stored_at)"
                " VALUES (?, ?, ?, ?)",
                ((m.where, m.reason, m.raw, now) for m in records),
            )
            return db.total_changes - before

    def quarantined(self) -> tuple[Malformed, ...]:
        """Returns every quarantined record, oldest first."""
        with self._guard():
            rows = self._db.execute(
                "SELECT place, reason, raw FROM quarantine ORDER BY id"
            ).fetchall()
        return tuple(Malformed(row[0], row[1], row[2]) for row in rows)

    # -- inventories, plans, analyses ----------------------------------------------------

    def save_inventory(self, country: str, taken_at: int, document: str) -> int:
        """Stores a dated inventory (JSON text); returns its id."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO inventories (country, taken_at, document) VALUES (?, ?, ?)",
                (country, taken_at, document),
            )
            return int(cursor.lastrowid or 0)

    def latest_inventory(self, country: str) -> Inventory | None:
        """Returns the newest inventory of a country, or None."""
        with self._guard():
            row = self._db.execute(
                "SELECT id, country, taken_at, document FROM inventories WHERE country = ?"
                " ORDER BY taken_at DESC, id DESC LIMIT 1",
                (country,),
            ).fetchone()
        return None if row is None else Inventory(row[0], row[1], row[2], row[3])

    def save_plan(self, plan_id: str, document: str) -> None:
        """Stores (or replaces) a plan document as the user last ran it."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO plans (plan_id, created_at, document) VALUES (?, ?, ?)"
                " ON CONFLICT (plan_id) DO UPDATE SET document = excluded.document",
                (plan_id, _now(), document),
            )

    def plan(self, plan_id: str) -> str | None:
        """Returns a stored plan document, or None."""
        with self._guard():
            row = self._db.execute(
                "SELECT document FROM plans WHERE plan_id = ?", (plan_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def record_analysis(self, snapshot: str, refdata_dir: str, results: int) -> None:
        """Records which reference snapshot an analysis used."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO analyses (run_at, snapshot, refdata_dir, results) VALUES (?, ?, ?, ?)",
                (_now(), snapshot, refdata_dir, results),
            )

    def analyses(self) -> tuple[AnalysisRecord, ...]:
        """Returns every recorded analysis, oldest first."""
        with self._guard():
            rows = self._db.execute(
                "SELECT run_at, snapshot, refdata_dir, results FROM analyses ORDER BY id"
            ).fetchall()
        return tuple(AnalysisRecord(*row) for row in rows)


_FINISHED = {"stopped", "forced to stop", "no suitable probes", "failed", "archived"}


def _measurement(row: tuple[object, ...]) -> MeasurementRow:
    plan_id, item, description, msm_id, state, cost = row
    return MeasurementRow(
        plan_id=str(plan_id),
        item=int(str(item)),
        description=str(description),
        msm_id=None if msm_id is None else int(str(msm_id)),
        state=MeasurementState(str(state)),
        credits_per_result=None if cost is None else float(str(cost)),
    )


def _now() -> int:
    return int(time.time())


# ---------------------------------------------------------------------------------------------
# Salvage

_SALVAGE_ORDER = {  # every table and the key it is read in, forwards then backwards
    "measurements": ("plan_id", "item"),
    "results": ("msm_id", "prb_id", "timestamp"),
    "fetches": ("msm_id",),
    "quarantine": ("id",),
    "inventories": ("id",),
    "plans": ("plan_id",),
    "analyses": ("id",),
    "rounds": ("round_id",),
    "runs": ("id",),
    "uploads": ("file", "digest"),
}


@dataclass(frozen=True, slots=True)
class Salvaged:
    """Rows read back from a damaged store, per table, and the tables that could not be read."""

    rows: tuple[tuple[str, int], ...]
    unreadable: tuple[str, ...]

    def as_text(self) -> str:
        """Returns the counts for the terminal."""
        lines = [f"{table}: {count} rows salvaged" for table, count in self.rows]
        lines += [f"{table}: unreadable" for table in self.unreadable]
        return "\n".join(lines)


def _scan(db: sqlite3.Connection, table: str, key: tuple[str, ...], descending: bool) -> tuple[
    list[str], list[tuple[object, ...]]
]:  # fmt: skip
    order = ", ".join(f"{k} DESC" if descending else k for k in key)
    rows: list[tuple[object, ...]] = []
    columns: list[str] = []
    try:
        cursor = db.execute(f"SELECT * FROM {table} ORDER BY {order}")
        columns = [d[0] for d in cursor.description]
        for row in cursor:
            rows.append(tuple(row))
    except sqlite3.DatabaseError:
        pass  # stop at the damage; the other direction reads the rows beyond it
    return columns, rows


def salvage(damaged: Path, into: Path) -> Salvaged:
    """Copies every readable row of a damaged store into a new store at `into` (created at
    SCHEMA_VERSION); returns the counts. Each table is read in key order up to the first
    damaged page, then backwards from the end up to it: only rows on damaged pages are lost.

    Raises StoreError when `into` already exists or `damaged` cannot be opened at all.
    """
    if into.exists():
        raise StoreError(
            f"{into}: already exists; salvage writes a new store",
            hint=f"move it aside first (mv {into} {into}.damaged)",
        )
    try:
        source = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{damaged}: cannot open the damaged store ({exc})") from None
    counts: list[tuple[str, int]] = []
    unreadable: list[str] = []
    try:
        with Store.open(into) as target, target._transaction() as db:
            for table, key in _SALVAGE_ORDER.items():
                columns, forward = _scan(source, table, key, descending=False)
                back_columns, backward = _scan(source, table, key, descending=True)
                columns = columns or back_columns
                if not columns:
                    unreadable.append(table)
                    continue
                names = ", ".join(columns)
                marks = ", ".join("?" for _ in columns)
                before = db.total_changes
                db.executemany(
                    f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})",
                    [*forward, *backward],
                )
                counts.append((table, db.total_changes - before))
    finally:
        source.close()
    return Salvaged(tuple(counts), tuple(unreadable))
