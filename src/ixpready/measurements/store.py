"""The store: one SQLite file (WAL) holding everything a measurement campaign must not lose.

Measurement ids and states (recorded the moment they are known), every raw result verbatim
keyed by (msm_id, prb_id, timestamp) (inserting one again changes nothing) with its
measurement round, quarantined records, dated inventories, plans, how far each measurement
was fetched, which reference-data snapshot each analysis used, the rounds, the outcome of
every `ixpready run` and which spool files `ixpready upload` sent. No key or secret is ever
written here.

The schema version is SQLite's `user_version`; `MIGRATIONS[n]` brings version n to n + 1.
The schema is `store_schema`'s, in SQLite's words; the queries this store shares with the
PostgreSQL one are `store_base`'s; its records are `store_records`' (listed here again). A file that is not a store, is damaged (`verify` reads every page before a job writes), or
was written by a newer ixpready raises StoreError with the recovery; `salvage` copies every
readable row into a new store (see docs/jobs.md, "Damaged store").
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ixpready.errors import IxpreadyError, StoreError, UnavailableError
from ixpready.measurements.records import Malformed
from ixpready.measurements.store_base import Row, SqlStore, Transaction, epoch_now
from ixpready.measurements.store_records import (
    AnalysisRecord,
    Inventory,
    MeasurementRow,
    MeasurementState,
    ResultStore,
    RoundRecord,
    RoundSummary,
    RunOutcome,
    RunRecord,
    StoredResult,
)
from ixpready.measurements.store_salvage import Salvaged, copy_readable
from ixpready.measurements.store_schema import (
    SCHEMA_VERSION,
    Dialect,
    migrations,
    newer_schema,
    statements,
)

__all__ = [
    "MIGRATIONS",
    "RECOVERY",
    "SCHEMA_VERSION",
    "AnalysisRecord",
    "Inventory",
    "MeasurementRow",
    "MeasurementState",
    "ResultStore",
    "RoundRecord",
    "RoundSummary",
    "RunOutcome",
    "RunRecord",
    "Salvaged",
    "Store",
    "StoredResult",
    "salvage",
]

SQLITE = Dialect(
    epoch="INTEGER",
    real="REAL",
    row_id="INTEGER PRIMARY KEY",
    table_options=" WITHOUT ROWID",
    quarantine_key="UNIQUE (place, reason, raw)",
)
MIGRATIONS = migrations(SQLITE)
RECOVERY = (
    "move the file aside (mv {path} {path}.damaged, with its -wal and -shm files) and run "
    "`ixpready salvage {path}.damaged`: every readable row goes into a new store at {path}; "
    "then run again: result files and uploads are read again, and `ixpready fetch --msm ID` "
    "fetches results of measurements listed at https://atlas.ripe.net/measurements/mine "
    "(see docs/jobs.md, 'Damaged store')"
)
_QUARANTINE = "INSERT OR IGNORE INTO quarantine (place, reason, raw, stored_at) VALUES (?, ?, ?, ?)"


class Store(SqlStore):
    """An open store; use `Store.open(path)` as a context manager. Not shared across threads."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._checked = False

    @classmethod
    def open(cls, path: Path) -> Store:
        """Returns the store at `path`, created or migrated to SCHEMA_VERSION as needed.

        A new store is made whole under another name and linked into place, so a second
        command starting at the same moment finds either no file or a complete store. An
        existing file is checked (every page: `verify`) before anything is written to it,
        once per process unless another process changed it since. Raises StoreError when the
        file is not a store, is empty, is damaged, or is newer than this code; UnavailableError
        when another command keeps it locked.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the store folder ({exc.strerror})") from None
        if not path.exists():
            _create(path)
        elif _empty(path):
            raise StoreError(
                f"{path}: the store file is empty (0 bytes): it is not a store, and starting "
                "afresh in it would forget every measurement id",
                hint=f"restore it from a backup; to start a new store, remove it (rm {path})",
            )
        store = cls(path, _connect(path))
        try:
            if _identity(path) not in _CHECKED:
                store.verify()  # before the first write: a damaged file is never written to
            else:
                store._checked = True  # as this process left it (checked, or written by it)
            with store._guard():
                _write_ahead(store._db)
                store._db.execute("PRAGMA synchronous=NORMAL")
                store._migrate()
        except BaseException:
            store._db.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()
        if self._checked:  # this process's own writes do not call for another check
            _CHECKED.add(_identity(self.path))

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise _translate(self.path, exc) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise newer_schema(
                str(self.path), version, "upgrade ixpready, or use another store file (store.file)"
            )
        while version < SCHEMA_VERSION:
            with self._transaction() as db:  # BEGIN IMMEDIATE: one migrating writer at a time
                now = int(db.execute("PRAGMA user_version").fetchone()[0])
                if now == version:  # else another process migrated meanwhile: read again
                    for statement in statements(MIGRATIONS[version]):
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {version + 1}")
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])

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
        self._checked = True

    @property
    def schema_version(self) -> int:
        """Returns the schema version of the open file."""
        with self._guard():
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- the engine: SQLite ---------------------------------------------------------------

    def _rows(self, query: str, arguments: Sequence[Any] = ()) -> list[Row]:
        with self._guard():
            return self._db.execute(query, arguments).fetchall()

    def _stream(self, query: str, arguments: Sequence[Any] = ()) -> Iterator[Row]:
        with self._guard():
            yield from self._db.execute(query, arguments)

    def _write(self, query: str, arguments: Sequence[Any] = ()) -> int:
        return self._write_many(query, (arguments,))

    def _write_many(self, query: str, rows: Iterable[Sequence[Any]]) -> int:
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(query, rows)
            return db.total_changes - before

    def _insert(self, query: str, arguments: Sequence[Any]) -> int:
        with self._transaction() as db:
            return int(db.execute(query, arguments).lastrowid or 0)

    @contextmanager
    def _atomic(self) -> Iterator[Transaction]:
        with self._transaction() as db:
            yield _SqliteTransaction(db)

    @staticmethod
    def _ignoring(insert: str) -> str:
        return insert.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)

    # -- measurements ---------------------------------------------------------------------

    def measurement(self, plan_id: str, item: int) -> MeasurementRow | None:
        """Returns what is known of one plan item, or None when nothing was done yet."""
        rows = self._rows(_MEASUREMENTS + " WHERE plan_id = ? AND item = ?", (plan_id, item))
        return _measurement(rows[0]) if rows else None

    def measurements(self, plan_id: str | None = None) -> tuple[MeasurementRow, ...]:
        """Returns every recorded measurement (of one plan if given), by plan and item."""
        query = _MEASUREMENTS
        arguments: tuple[str, ...] = ()
        if plan_id is not None:
            query += " WHERE plan_id = ?"
            arguments = (plan_id,)
        rows = self._rows(query + " ORDER BY plan_id, item", arguments)
        return tuple(_measurement(row) for row in rows)

    def mark_submitting(self, plan_id: str, item: int, description: str) -> None:
        """Records that creation of one plan item is being asked for (before the request)."""
        self._write(
            "INSERT INTO measurements (plan_id, item, description, msm_id, state, updated_at)"
            " VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT (plan_id, item) DO UPDATE SET"
            " state = excluded.state, updated_at = excluded.updated_at"
            " WHERE measurements.msm_id IS NULL",
            (plan_id, item, description, MeasurementState.SUBMITTING, epoch_now()),
        )

    def record_created(self, plan_id: str, item: int, msm_id: int) -> None:
        """Records the id the API gave a plan item: from now on it is never created again."""
        self._write(
            "UPDATE measurements SET msm_id = ?, state = ?, updated_at = ?"
            " WHERE plan_id = ? AND item = ?",
            (msm_id, MeasurementState.CREATED, epoch_now(), plan_id, item),
        )

    def forget_submission(self, plan_id: str, item: int) -> None:
        """Drops a submission the API refused (so it was not created): it may be tried again."""
        self._write(
            "DELETE FROM measurements WHERE plan_id = ? AND item = ? AND msm_id IS NULL",
            (plan_id, item),
        )

    def record_cost(self, msm_id: int, credits_per_result: float | None, state: str) -> None:
        """Records the cost per result read back from the API, and its state."""
        stored = (
            MeasurementState.STOPPED if state.lower() in _FINISHED else MeasurementState.CREATED
        )
        self._write(
            "UPDATE measurements SET credits_per_result = ?, state = ?, updated_at = ?"
            " WHERE msm_id = ?",
            (credits_per_result, stored, epoch_now(), msm_id),
        )

    # -- fetches, uploads -----------------------------------------------------------------

    def fetched_until(self, msm_id: int) -> int | None:
        """Returns the epoch second up to which results of `msm_id` were fetched, if any."""
        rows = self._rows("SELECT fetched_until FROM fetches WHERE msm_id = ?", (msm_id,))
        return int(rows[0][0]) if rows else None

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
        now = epoch_now()
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO results (msm_id, prb_id, timestamp, raw, stored_at)"
                " VALUES (?, ?, ?, ?, ?)",
                ((r.key.msm_id, r.key.prb_id, r.key.timestamp, r.raw, now) for r in results),
            )
            added = db.total_changes - before
            db.executemany(_QUARANTINE, ((m.where, m.reason, m.raw, now) for m in malformed))
            db.execute(
                "INSERT INTO fetches (msm_id, fetched_until) VALUES (?, ?) ON CONFLICT (msm_id)"
                " DO UPDATE SET fetched_until = max(fetched_until, excluded.fetched_until)",
                (msm_id, until),
            )
            return added

    def uploaded(self, file: str, digest: str) -> bool:
        """Returns True when this spool file, with exactly this content, was sent whole."""
        return bool(
            self._rows("SELECT 1 FROM uploads WHERE file = ? AND digest = ?", (file, digest))
        )

    def record_upload(self, file: str, digest: str, results: int, uploaded_at: int) -> None:
        """Records that a spool file was sent whole (after the server committed it)."""
        self._write(
            "INSERT OR IGNORE INTO uploads (file, digest, results, uploaded_at)"
            " VALUES (?, ?, ?, ?)",
            (file, digest, results, uploaded_at),
        )

    # -- quarantine, plans, analyses ------------------------------------------------------

    def quarantine(self, records: Iterable[Malformed]) -> int:
        """Stores unreadable records (where, reason, raw); returns how many were new."""
        now = epoch_now()
        return self._write_many(_QUARANTINE, ((m.where, m.reason, m.raw, now) for m in records))

    def save_plan(self, plan_id: str, document: str) -> None:
        """Stores (or replaces) a plan document as the user last ran it."""
        self._write(
            "INSERT INTO plans (plan_id, created_at, document) VALUES (?, ?, ?)"
            " ON CONFLICT (plan_id) DO UPDATE SET document = excluded.document",
            (plan_id, epoch_now(), document),
        )

    def plan(self, plan_id: str) -> str | None:
        """Returns a stored plan document, or None."""
        rows = self._rows("SELECT document FROM plans WHERE plan_id = ?", (plan_id,))
        return str(rows[0][0]) if rows else None

    def record_analysis(self, snapshot: str, refdata_dir: str, results: int) -> None:
        """Records which reference snapshot an analysis used."""
        self._write(
            "INSERT INTO analyses (run_at, snapshot, refdata_dir, results) VALUES (?, ?, ?, ?)",
            (epoch_now(), snapshot, refdata_dir, results),
        )

    def analyses(self) -> tuple[AnalysisRecord, ...]:
        """Returns every recorded analysis, oldest first."""
        rows = self._rows("SELECT run_at, snapshot, refdata_dir, results FROM analyses ORDER BY id")
        return tuple(AnalysisRecord(*row) for row in rows)


_CHECKED: set[tuple[str, int, int, int]] = set()  # files this process checked (or wrote)
BUSY_TIMEOUT_S = 30


def _identity(path: Path) -> tuple[str, int, int, int]:
    """Returns what tells a store file apart from itself changed by another process."""
    try:
        info = path.stat()
    except OSError:
        return (str(path), -1, -1, -1)
    return (str(path.resolve()), info.st_ino, info.st_size, info.st_mtime_ns)


def _empty(path: Path) -> bool:
    """Returns True for a 0-byte store file with nothing in a write-ahead log beside it."""
    wal = path.with_name(path.name + "-wal")
    try:
        return path.stat().st_size == 0 and (not wal.exists() or wal.stat().st_size == 0)
    except OSError:
        return False


def _write_ahead(db: sqlite3.Connection) -> None:
    """Puts the store in WAL mode (a file made by an older ixpready or by hand may not be).
    Switching needs the file to itself, and SQLite does not wait for that: retried here."""
    waited = 0.0
    while True:
        try:
            if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or waited >= BUSY_TIMEOUT_S:
                raise
            time.sleep(0.05)
            waited += 0.05


def _connect(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the store ({exc})") from None


def _create(path: Path) -> None:
    """Makes a new store at `path`: built whole under a private name, then linked into place
    (a link never replaces a file: a store another command made meanwhile is kept)."""
    draft = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        draft.unlink(missing_ok=True)  # a leftover of a process with this pid, long dead
        db = _connect(draft)
        try:
            new = Store(draft, db)
            with new._guard():  # a rollback journal while building: each step in the file
                db.execute("PRAGMA journal_mode=DELETE")
                new._migrate()
                db.execute("PRAGMA journal_mode=WAL")  # from now on (a header flag only)
                new.verify()  # whole (a full disk may have cut it short): only then linked
        finally:
            db.close()
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another command made it first: theirs is the store
        except OSError:  # a filesystem without hard links
            if not path.exists():
                draft.replace(path)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the store ({exc.strerror})") from None
    finally:
        for leftover in (draft, *(draft.with_name(draft.name + e) for e in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def _translate(path: Path, exc: sqlite3.DatabaseError) -> IxpreadyError:
    """Returns the error for a failed SQLite call: a busy store, a full disk and a read-only
    file are named as such; anything else means the file is damaged or not a store."""
    text = " ".join(str(exc).split())
    if isinstance(exc, sqlite3.OperationalError):
        if "locked" in text or "busy" in text:
            return UnavailableError(
                f"{path}: the store is busy: another command kept it locked for "
                f"{BUSY_TIMEOUT_S} s ({text})",
                hint="run the command again once the other one has finished; nothing was lost",
            )
        if "full" in text or "disk I/O" in text:
            fact = "is full" if "full" in text else "is full or failing"
            return StoreError(
                f"{path}: the disk holding the store {fact} ({text}); the step that was "
                "writing was rolled back",
                hint="free space on that disk and run the command again: everything stored "
                "before is kept",
            )
        if "readonly" in text or "unable to open" in text or "permission" in text.lower():
            return StoreError(f"{path}: cannot write the store ({text})",
                              hint="check the file's owner and permissions")  # fmt: skip
    return StoreError(
        f"{path}: the store is damaged or not an ixpready store ({text})",
        hint=RECOVERY.format(path=path),
    )


class _SqliteTransaction:
    """Statements in the open transaction of `Store._atomic` (BEGIN IMMEDIATE: no other
    writer until it ends)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def rows(self, query: str, arguments: Sequence[Any] = ()) -> list[Row]:
        return self._db.execute(query, arguments).fetchall()

    def write(self, query: str, arguments: Sequence[Any] = ()) -> int:
        return max(self._db.execute(query, arguments).rowcount, 0)


_MEASUREMENTS = (
    "SELECT plan_id, item, description, msm_id, state, credits_per_result FROM measurements"
)
_FINISHED = {"stopped", "forced to stop", "no suitable probes", "failed", "archived"}


def _measurement(row: Row) -> MeasurementRow:
    plan_id, item, description, msm_id, state, cost = row
    return MeasurementRow(
        plan_id=str(plan_id),
        item=int(str(item)),
        description=str(description),
        msm_id=None if msm_id is None else int(str(msm_id)),
        state=MeasurementState(str(state)),
        credits_per_result=None if cost is None else float(str(cost)),
    )


def salvage(damaged: Path, into: Path) -> Salvaged:
    """Copies every readable row of a damaged store into a new store at `into` (created at
    SCHEMA_VERSION); returns the counts. The file is read page by page (`store_salvage`):
    only rows on damaged or missing pages are lost.

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
    try:
        with Store.open(into) as target, target._transaction() as db:
            return copy_readable(damaged, source, db)
    finally:
        source.close()
