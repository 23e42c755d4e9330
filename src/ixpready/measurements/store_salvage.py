"""Reading every readable row of a damaged SQLite store (`store.salvage` writes them into a
new store). Each table is read in key order up to the first damaged page, then backwards
from the end up to it: only rows on damaged pages are lost.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ixpready.measurements.store_schema import TABLES


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


def copy_readable(source: sqlite3.Connection, target: sqlite3.Connection) -> Salvaged:
    """Copies every readable row of every table from `source` (damaged) into `target` (a store
    at the current schema, in a transaction the caller holds); returns the counts."""
    counts: list[tuple[str, int]] = []
    unreadable: list[str] = []
    for table, key in TABLES.items():
        columns, forward = _scan(source, table, key, descending=False)
        back_columns, backward = _scan(source, table, key, descending=True)
        columns = columns or back_columns
        if not columns:
            unreadable.append(table)
            continue
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        before = target.total_changes
        target.executemany(
            f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})",
            [*forward, *backward],
        )
        counts.append((table, target.total_changes - before))
    return Salvaged(tuple(counts), tuple(unreadable))


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
