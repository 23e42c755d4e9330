"""The shared store on PostgreSQL: the SQLite store's schema, for a server collecting many
probes' results (`store.url = "postgresql://..."`).

The same tables, keys and queries as `measurements.store` (written once in `store_schema` and
`store_base`: results keyed by msm_id, prb_id, timestamp; rounds; runs; quarantine;
inventories; plans; fetch marks; analyses; uploads), with PostgreSQL types. The schema
version lives in `ixpready_schema`; `MIGRATIONS[n]` brings version n to n + 1 under an
advisory lock, so many first connections migrate once. Inserting a result again changes
nothing (`ON CONFLICT DO NOTHING`): concurrent uploads of the same results store each once.
Connection and server errors are translated here: unreachable -> UnavailableError,
credentials refused -> AuthError, a schema from a newer ixpready -> StoreError. The URL's
password never appears in a message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from ixpready.errors import AuthError, StoreError, UnavailableError
from ixpready.measurements.records import Malformed
from ixpready.measurements.store_base import Row, SqlStore, Transaction, epoch_now
from ixpready.measurements.store_schema import (
    SCHEMA_VERSION,
    Dialect,
    migrations,
    newer_schema,
    statements,
)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "PgStore", "describe"]

POSTGRESQL = Dialect(
    epoch="BIGINT",
    real="DOUBLE PRECISION",
    row_id="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    table_options="",
    quarantine_key="digest TEXT NOT NULL UNIQUE",  # a unique index on the text could overflow
)
MIGRATIONS = migrations(POSTGRESQL)
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


class PgStore(SqlStore):
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

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor[Any]]:
        try:
            with self._db.transaction(), self._db.cursor() as cursor:
                yield cursor
        except psycopg.Error as exc:
            raise _translate(exc, self.where) from None

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
                raise newer_schema(self.where, version, "upgrade ixpready on this host")
            for number in range(version, SCHEMA_VERSION):
                for statement in statements(MIGRATIONS[number]):
                    cursor.execute(statement.encode())
                cursor.execute("UPDATE ixpready_schema SET version = %s", (number + 1,))

    @property
    def schema_version(self) -> int:
        """Returns the schema version of the database."""
        return int(self._rows("SELECT version FROM ixpready_schema")[0][0])

    # -- the engine: PostgreSQL (queries come with `?` for each argument) --------------------

    def _rows(self, query: str, arguments: Sequence[Any] = ()) -> list[Row]:
        with self._transaction() as cursor:
            cursor.execute(_placeholders(query), arguments)
            return list(cursor.fetchall())

    def _stream(self, query: str, arguments: Sequence[Any] = ()) -> Iterator[Row]:
        """Yields the rows of a query through a server-side cursor (a few thousand in memory
        at a time). Do not use the store for anything else until the rows are consumed."""
        try:
            with self._db.transaction(), self._db.cursor(name="ixpready_rows") as cursor:
                cursor.itersize = 2000
                cursor.execute(_placeholders(query), arguments)
                yield from cursor
        except psycopg.Error as exc:
            raise _translate(exc, self.where) from None

    def _write(self, query: str, arguments: Sequence[Any] = ()) -> int:
        with self._transaction() as cursor:
            cursor.execute(_placeholders(query), arguments)
            return max(cursor.rowcount, 0)

    def _write_many(self, query: str, rows: Iterable[Sequence[Any]]) -> int:
        """One transaction, sent in a pipeline (not one round trip per row)."""
        listed = list(rows)
        if not listed:
            return 0
        with self._transaction() as cursor:
            cursor.executemany(_placeholders(query), listed)
            return max(cursor.rowcount, 0)

    def _insert(self, query: str, arguments: Sequence[Any]) -> int:
        return int(self._rows(query + " RETURNING id", arguments)[0][0])

    @contextmanager
    def _atomic(self) -> Iterator[Transaction]:
        with self._transaction() as cursor:
            yield _PgTransaction(cursor)

    @staticmethod
    def _ignoring(insert: str) -> str:
        return insert + " ON CONFLICT DO NOTHING"

    # -- quarantine -----------------------------------------------------------------------

    def quarantine(self, records: Iterable[Malformed]) -> int:
        """Stores unreadable records (once each); returns how many were new. PostgreSQL text
        cannot hold NUL: a NUL in a damaged record is kept as the four characters `\\x00`."""
        now = epoch_now()
        rows = []
        for m in records:
            fields = [text.replace("\x00", "\\x00") for text in (m.where, m.reason, m.raw)]
            digest = hashlib.sha256("\x00".join(fields).encode()).hexdigest()
            rows.append((*fields, now, digest))
        return self._write_many(
            "INSERT INTO quarantine (place, reason, raw, stored_at, digest)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            rows,
        )


class _PgTransaction:
    """Statements in the open transaction of `PgStore._atomic`."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def rows(self, query: str, arguments: Sequence[Any] = ()) -> list[Row]:
        self._cursor.execute(_placeholders(query), arguments)
        return list(self._cursor.fetchall())

    def write(self, query: str, arguments: Sequence[Any] = ()) -> int:
        self._cursor.execute(_placeholders(query), arguments)
        return max(self._cursor.rowcount, 0)


def _placeholders(query: str) -> bytes:
    """Returns a query written with `?` in psycopg's form (`%s`); no query has `?` or `%` in
    a literal. Bytes, as psycopg takes a query built at run time."""
    return query.replace("?", "%s").encode()
