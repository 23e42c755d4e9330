"""The shared store on PostgreSQL: the SQLite store's schema, for a server collecting many
probes' results (`store.url = "postgresql://..."`).

The same tables and keys as `measurements.store` (results keyed by msm_id, prb_id, timestamp;
rounds; runs; quarantine; inventories; plans; fetch marks; analyses; uploads), with
PostgreSQL types. The schema version lives in `ixpready_schema`; `MIGRATIONS[n]` brings
version n to n + 1 under an advisory lock, so many first connections migrate once. Inserting
a result again changes nothing (`ON CONFLICT DO NOTHING`): concurrent uploads of the same
results store each once. Connection and server errors are translated here: unreachable ->
UnavailableError, credentials refused -> AuthError, a schema from a newer ixpready ->
StoreError. The URL's password never appears in a message.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from ixpready.errors import AuthError, StoreError, UnavailableError
from ixpready.measurements.records import Malformed, TraceKey
from ixpready.measurements.store import (
    Inventory,
    RoundRecord,
    RunOutcome,
    RunRecord,
    StoredResult,
)

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE measurements (
        plan_id TEXT NOT NULL, item INTEGER NOT NULL, description TEXT NOT NULL,
        msm_id BIGINT UNIQUE, state TEXT NOT NULL, credits_per_result DOUBLE PRECISION,
        updated_at BIGINT NOT NULL, PRIMARY KEY (plan_id, item)
    );
    CREATE TABLE results (
        msm_id BIGINT NOT NULL, prb_id BIGINT NOT NULL, timestamp BIGINT NOT NULL,
        raw TEXT NOT NULL, stored_at BIGINT NOT NULL, PRIMARY KEY (msm_id, prb_id, timestamp)
    );
    CREATE TABLE fetches (msm_id BIGINT PRIMARY KEY, fetched_until BIGINT NOT NULL);
    CREATE TABLE quarantine (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, place TEXT NOT NULL,
        reason TEXT NOT NULL, raw TEXT NOT NULL, stored_at BIGINT NOT NULL,
        digest TEXT NOT NULL UNIQUE
    );
    CREATE TABLE inventories (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, country TEXT NOT NULL,
        taken_at BIGINT NOT NULL, document TEXT NOT NULL
    );
    CREATE TABLE plans (plan_id TEXT PRIMARY KEY, created_at BIGINT NOT NULL,
                        document TEXT NOT NULL);
    CREATE TABLE analyses (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_at BIGINT NOT NULL,
        snapshot TEXT NOT NULL, refdata_dir TEXT NOT NULL, results INTEGER NOT NULL
    )
    """,
    """
    ALTER TABLE results ADD COLUMN round_id TEXT;
    CREATE INDEX results_by_round ON results (round_id);
    CREATE TABLE rounds (
        round_id TEXT PRIMARY KEY, started_at BIGINT NOT NULL, plan_id TEXT,
        completed_at BIGINT
    );
    CREATE TABLE runs (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, started_at BIGINT NOT NULL,
        finished_at BIGINT, pid INTEGER NOT NULL, outcome TEXT NOT NULL, exit_code INTEGER,
        message TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE uploads (
        file TEXT NOT NULL, digest TEXT NOT NULL, results INTEGER NOT NULL,
        uploaded_at BIGINT NOT NULL, PRIMARY KEY (file, digest)
    )
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
_MIGRATION_LOCK = 0x1A7EAD1  # pg_advisory_xact_lock key: one migrating session at a time


def describe(url: str) -> str:
    """Returns `user@host:port/dbname` of a PostgreSQL URL, without its password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unreadable URL)"
    return (f"postgresql://{parts.get('user') or ''}@{parts.get('host') or 'localhost'}:"
            f"{parts.get('port') or 5432}/{parts.get('dbname') or ''}")  # fmt: skip


def _translate(exc: psycopg.Error, where: str) -> Exception:
    state = getattr(exc, "sqlstate", None) or ""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "certificate verify failed" in text or "SSL error" in text:
        return AuthError(
            f"{where}: the shared store's TLS certificate was not accepted ({text})",
            hint="check sslrootcert in store.url (the CA that signed the server's certificate) "
            "and that the host name matches it (sslmode=verify-full)",
        )
    refused = ("authentication failed", "no pg_hba.conf entry", "permission denied")
    if state.startswith("28") or state == "42501" or any(r in text for r in refused):
        return AuthError(
            f"{where}: the shared store refused the credentials or the action ({text})",
            hint="check the user and its password (~/.pgpass or PGPASSWORD), sslmode in "
            "store.url, and the role's grants (see docs/jobs.md, 'Shared store')",
        )
    connection_lost = state == "" or state.startswith(("08", "53", "57P"))
    if isinstance(exc, psycopg.OperationalError) and connection_lost:
        return UnavailableError(
            f"{where}: cannot reach the shared store ({text})",
            hint="check the server, the network and store.url; run the command again later: "
            "nothing is lost",
        )
    return StoreError(f"{where}: the shared store failed ({text})")


class PgStore:
    """An open shared store; `PgStore.open(url)` as a context manager. One connection."""

    def __init__(self, url: str, connection: psycopg.Connection[Any]) -> None:
        self.where = describe(url)
        self._db = connection

    @classmethod
    def open(cls, url: str, *, connect_timeout_s: int = 10) -> PgStore:
        """Returns the store at `url`, its schema created or migrated as needed.

        Raises UnavailableError (unreachable), AuthError (credentials refused), StoreError
        (schema newer than this ixpready, or a failing server).
        """
        where = describe(url)
        try:
            connection = psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout_s)
        except psycopg.Error as exc:
            raise _translate(exc, where) from None
        store = cls(url, connection)
        try:
            store._migrate()
        except BaseException:
            connection.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> PgStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor[Any]]:
        try:
            with self._db.transaction(), self._db.cursor() as cursor:
                yield cursor
        except psycopg.Error as exc:
            raise _translate(exc, self.where) from None

    def _stream(self, query: str, arguments: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Yields the rows of a query through a server-side cursor (a few thousand in memory
        at a time). Do not use the store for anything else until the rows are consumed."""
        try:
            with self._db.transaction(), self._db.cursor(name="ixpready_rows") as cursor:
                cursor.itersize = 2000
                cursor.execute(query.encode(), arguments)
                yield from cursor
        except psycopg.Error as exc:
            raise _translate(exc, self.where) from None

    def _rows(self, query: str, arguments: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._transaction() as cursor:
            cursor.execute(query.encode(), arguments)
            return list(cursor.fetchall())

    def _version(self, cursor: psycopg.Cursor[Any]) -> int | None:
        cursor.execute("SELECT to_regclass('ixpready_schema') IS NOT NULL")
        exists = cursor.fetchone()
        if not exists or not exists[0]:
            return None
        cursor.execute("SELECT version FROM ixpready_schema")
        row = cursor.fetchone()
        return 0 if row is None else int(row[0])

    def _migrate(self) -> None:
        """Brings the schema to SCHEMA_VERSION. A database already there needs only SELECT on
        ixpready_schema (a probe host's role can create nothing)."""
        with self._transaction() as cursor:
            version = self._version(cursor)
            if version == SCHEMA_VERSION:
                return
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            version = self._version(cursor)  # another session may have migrated meanwhile
            if version is None:
                cursor.execute("CREATE TABLE ixpready_schema (version INTEGER NOT NULL)")
                cursor.execute("INSERT INTO ixpready_schema (version) VALUES (0)")
                version = 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.where}: store schema {version} is newer than this ixpready "
                    f"understands ({SCHEMA_VERSION})",
                    hint="upgrade ixpready on this host",
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        cursor.execute(statement.encode())
                cursor.execute("UPDATE ixpready_schema SET version = %s", (number + 1,))

    @property
    def schema_version(self) -> int:
        """Returns the schema version of the database."""
        return int(self._rows("SELECT version FROM ixpready_schema")[0][0])

    # -- results --------------------------------------------------------------------------

    def add_results(self, results: Iterable[StoredResult], round_id: str | None = None) -> int:
        """Stores results not yet stored; returns how many were new (concurrent-safe). One
        transaction, sent in a pipeline (not one round trip per result)."""
        now = int(time.time())
        with self._transaction() as cursor:
            cursor.executemany(
                "INSERT INTO results (msm_id, prb_id, timestamp, raw, stored_at, round_id)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(r.key.msm_id, r.key.prb_id, r.key.timestamp, r.raw, now, round_id)
                 for r in results],
            )  # fmt: skip
            return max(cursor.rowcount, 0)

    def results(self, msm_id: int | None = None) -> Iterator[StoredResult]:
        """Yields stored results (of one measurement if given) in key order."""
        query = "SELECT msm_id, prb_id, timestamp, raw FROM results"
        arguments: tuple[int, ...] = ()
        if msm_id is not None:
            query += " WHERE msm_id = %s"
            arguments = (msm_id,)
        for row in self._stream(query + " ORDER BY msm_id, prb_id, timestamp", arguments):
            yield StoredResult(TraceKey(row[0], row[1], row[2]), row[3])

    def count_results(self, msm_id: int | None = None) -> int:
        """Returns how many results are stored (of one measurement if given)."""
        if msm_id is None:
            return int(self._rows("SELECT COUNT(*) FROM results")[0][0])
        return int(self._rows("SELECT COUNT(*) FROM results WHERE msm_id = %s", (msm_id,))[0][0])

    # -- quarantine -----------------------------------------------------------------------

    def quarantine(self, records: Iterable[Malformed]) -> int:
        """Stores unreadable records (once each); returns how many were new. PostgreSQL text
        cannot hold NUL: a NUL in a damaged record is kept as the four characters `\\x00`."""
        now = int(time.time())
        rows = []
        for m in records:
            fields = [text.replace("\x00", "\\x00") for text in (m.where, m.reason, m.raw)]
            digest = hashlib.sha256("\x00".join(fields).encode()).hexdigest()
            rows.append((*fields, now, digest))
        if not rows:
            return 0
        with self._transaction() as cursor:
            cursor.executemany(
                "INSERT INTO quarantine (place, reason, raw, stored_at, digest)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                rows,
            )
            return max(cursor.rowcount, 0)

    def quarantined(self) -> tuple[Malformed, ...]:
        """Returns every quarantined record, oldest first."""
        rows = self._rows("SELECT place, reason, raw FROM quarantine ORDER BY id")
        return tuple(Malformed(row[0], row[1], row[2]) for row in rows)

    # -- rounds ---------------------------------------------------------------------------

    def start_round(
        self, round_id: str, started_at: int, plan_id: str | None = None
    ) -> RoundRecord:
        """Records a round once (a plan is attached to a round that has none); returns it."""
        with self._transaction() as cursor:
            cursor.execute(
                "INSERT INTO rounds (round_id, started_at, plan_id) VALUES (%s, %s, %s)"
                " ON CONFLICT (round_id) DO UPDATE SET plan_id = excluded.plan_id"
                " WHERE rounds.plan_id IS NULL",
                (round_id, started_at, plan_id),
            )
        found = self.round(round_id)
        assert found is not None
        return found

    def complete_round(self, round_id: str, completed_at: int) -> None:
        """Records that the round's measurements have finished and were fetched."""
        self._rows(
            "UPDATE rounds SET completed_at = %s WHERE round_id = %s AND completed_at IS NULL"
            " RETURNING round_id",
            (completed_at, round_id),
        )

    def round(self, round_id: str) -> RoundRecord | None:
        """Returns one round, or None."""
        rows = self._rows(
            "SELECT round_id, started_at, plan_id, completed_at FROM rounds WHERE round_id = %s",
            (round_id,),
        )
        return RoundRecord(*rows[0]) if rows else None

    def rounds(self) -> tuple[RoundRecord, ...]:
        """Returns every round in round order."""
        rows = self._rows(
            "SELECT round_id, started_at, plan_id, completed_at FROM rounds ORDER BY round_id"
        )
        return tuple(RoundRecord(*row) for row in rows)

    def assign_round(self, round_id: str, msm_ids: Iterable[int]) -> int:
        """Puts the results of these measurements not yet in a round into `round_id`."""
        moved = 0
        with self._transaction() as cursor:
            for msm_id in msm_ids:
                cursor.execute(
                    "UPDATE results SET round_id = %s WHERE msm_id = %s AND round_id IS NULL",
                    (round_id, msm_id),
                )
                moved += cursor.rowcount
        return moved

    def unassigned(self) -> tuple[TraceKey, ...]:
        """Returns the keys of results in no round yet."""
        rows = self._rows(
            "SELECT msm_id, prb_id, timestamp FROM results WHERE round_id IS NULL"
            " ORDER BY msm_id, prb_id, timestamp"
        )
        return tuple(TraceKey(*row) for row in rows)

    def set_rounds(self, assignments: Iterable[tuple[TraceKey, str]]) -> int:
        """Puts each result still in no round into the round given; returns how many moved."""
        rows = [(r, k.msm_id, k.prb_id, k.timestamp) for k, r in assignments]
        if not rows:
            return 0
        with self._transaction() as cursor:
            cursor.executemany(
                "UPDATE results SET round_id = %s WHERE msm_id = %s AND prb_id = %s"
                " AND timestamp = %s AND round_id IS NULL",
                rows,
            )
            return max(cursor.rowcount, 0)

    def round_counts(self) -> dict[str, int]:
        """Returns how many results each round holds."""
        rows = self._rows(
            "SELECT round_id, COUNT(*) FROM results WHERE round_id IS NOT NULL"
            " GROUP BY round_id ORDER BY round_id"
        )
        return {str(r): int(n) for r, n in rows}

    def round_results(self, round_id: str) -> Iterator[StoredResult]:
        """Yields the results of one round in key order."""
        rows = self._stream(
            "SELECT msm_id, prb_id, timestamp, raw FROM results WHERE round_id = %s"
            " ORDER BY msm_id, prb_id, timestamp",
            (round_id,),
        )
        for row in rows:
            yield StoredResult(TraceKey(row[0], row[1], row[2]), row[3])

    # -- runs, inventories ----------------------------------------------------------------

    def begin_run(self, started_at: int, pid: int) -> int:
        """Records a run as started; returns its id."""
        rows = self._rows(
            "INSERT INTO runs (started_at, pid, outcome, message) VALUES (%s, %s, %s, '')"
            " RETURNING id",
            (started_at, pid, RunOutcome.RUNNING.value),
        )
        return int(rows[0][0])

    def end_run(
        self, run_id: int, finished_at: int, outcome: RunOutcome, exit_code: int, message: str
    ) -> None:
        """Records how a run ended."""
        self._rows(
            "UPDATE runs SET finished_at = %s, outcome = %s, exit_code = %s, message = %s"
            " WHERE id = %s RETURNING id",
            (finished_at, outcome.value, exit_code, message, run_id),
        )

    def last_run(self) -> RunRecord | None:
        """Returns the newest run, or None."""
        rows = self._rows(
            "SELECT id, started_at, finished_at, pid, outcome, exit_code, message FROM runs"
            " ORDER BY id DESC LIMIT 1"
        )
        if not rows:
            return None
        row = rows[0]
        return RunRecord(row[0], row[1], row[2], row[3], RunOutcome(row[4]), row[5], row[6])

    def latest_inventory(self, country: str) -> Inventory | None:
        """Returns the newest inventory of a country, or None."""
        rows = self._rows(
            "SELECT id, country, taken_at, document FROM inventories WHERE country = %s"
            " ORDER BY taken_at DESC, id DESC LIMIT 1",
            (country,),
        )
        return Inventory(*rows[0]) if rows else None

    def save_inventory(self, country: str, taken_at: int, document: str) -> int:
        """Stores a dated inventory (JSON text); returns its id."""
        rows = self._rows(
            "INSERT INTO inventories (country, taken_at, document) VALUES (%s, %s, %s)"
            " RETURNING id",
            (country, taken_at, document),
        )
        return int(rows[0][0])
