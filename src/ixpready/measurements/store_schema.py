"""The store's schema, once for both engines: its tables, and the migrations as data.

`MIGRATIONS[n]` brings schema version n to n + 1. Each is written once, with a slot where the
engines differ (a column type, how a row id is made, how quarantined records are kept
unique); `migrations(dialect)` fills the slots with the words of one engine: `store` (SQLite)
and `store_pg` (PostgreSQL) each give theirs. Where each keeps its version number, and how it
migrates (SQLite's `user_version`, PostgreSQL's `ixpready_schema` under an advisory lock),
stays with the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass

from ixpready.errors import StoreError


@dataclass(frozen=True, slots=True)
class Dialect:
    """The words one engine's schema needs where the engines differ."""

    epoch: str  # epoch seconds and Atlas ids (which outgrow 32 bits)
    real: str  # a float
    row_id: str  # a generated integer primary key
    table_options: str  # after a keyed table's closing parenthesis (SQLite: WITHOUT ROWID)
    quarantine_key: str  # how a quarantined record is stored once, the table's last line


MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE measurements (
        plan_id TEXT NOT NULL,
        item INTEGER NOT NULL,
        description TEXT NOT NULL,
        msm_id {epoch} UNIQUE,
        state TEXT NOT NULL,
        credits_per_result {real},
        updated_at {epoch} NOT NULL,
        PRIMARY KEY (plan_id, item)
    );
    CREATE TABLE results (
        msm_id {epoch} NOT NULL,
        prb_id {epoch} NOT NULL,
        timestamp {epoch} NOT NULL,
        raw TEXT NOT NULL,
        stored_at {epoch} NOT NULL,
        PRIMARY KEY (msm_id, prb_id, timestamp)
    ){table_options};
    CREATE TABLE fetches (
        msm_id {epoch} PRIMARY KEY,
        fetched_until {epoch} NOT NULL
    );
    CREATE TABLE quarantine (
        id {row_id},
        place TEXT NOT NULL,
        reason TEXT NOT NULL,
        raw TEXT NOT NULL,
        stored_at {epoch} NOT NULL,
        {quarantine_key}
    );
    CREATE TABLE inventories (
        id {row_id},
        country TEXT NOT NULL,
        taken_at {epoch} NOT NULL,
        document TEXT NOT NULL
    );
    CREATE TABLE plans (
        plan_id TEXT PRIMARY KEY,
        created_at {epoch} NOT NULL,
        document TEXT NOT NULL
    );
    CREATE TABLE analyses (
        id {row_id},
        run_at {epoch} NOT NULL,
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
        started_at {epoch} NOT NULL,
        plan_id TEXT,
        completed_at {epoch}
    );
    CREATE TABLE runs (
        id {row_id},
        started_at {epoch} NOT NULL,
        finished_at {epoch},
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
        uploaded_at {epoch} NOT NULL,
        PRIMARY KEY (file, digest)
    );
    """,
    # 4: retention: what the trend needs of a round whose raw results were dropped
    """
    CREATE TABLE round_summaries (
        round_id TEXT PRIMARY KEY,
        results INTEGER NOT NULL,
        domestic_paths INTEGER NOT NULL,
        local_paths INTEGER NOT NULL,
        local_via_ixp INTEGER NOT NULL,
        tromboned INTEGER NOT NULL,
        inconclusive INTEGER NOT NULL,
        median_rtt_ms {real},
        median_tromboned_rtt_ms {real},
        pruned_at {epoch} NOT NULL
    );
    """,
    # 5: reverse-DNS names of hop addresses as received (NULL: no name), asked when, TTL
    """
    CREATE TABLE rdns_names (
        address TEXT PRIMARY KEY,
        name TEXT,
        resolved_at {epoch} NOT NULL,
        ttl_s INTEGER NOT NULL
    ){table_options};
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

TABLES = {  # every table and its key, in the order the migrations create them
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
    "round_summaries": ("round_id",),
    "rdns_names": ("address",),
}


def migrations(dialect: Dialect) -> tuple[str, ...]:
    """Returns MIGRATIONS in the words of one engine (SQL scripts, `;` between statements)."""
    words = asdict(dialect)
    return tuple(migration.format(**words) for migration in MIGRATIONS)


def statements(migration: str) -> Iterator[str]:
    """Yields the statements of one migration script, one at a time, in order."""
    for statement in migration.split(";"):
        if statement.strip():
            yield statement


def newer_schema(where: str, version: int, hint: str) -> StoreError:
    """Returns the error for a store whose schema a newer ixpready wrote."""
    return StoreError(
        f"{where}: store schema {version} is newer than this ixpready "
        f"understands ({SCHEMA_VERSION})",
        hint=hint,
    )
