"""What both stores do, written once: the queries of results, rounds, runs, quarantine and
inventories, and how their rows become records.

`SqlStore` is the base of the SQLite store (`store.Store`) and the shared PostgreSQL store
(`store_pg.PgStore`). Its queries are written with `?` for each argument and a plain
`INSERT INTO`; an engine runs them through six primitives (`_rows`, `_stream`, `_write`,
`_write_many`, `_insert`, and `_atomic` for several statements in one transaction), and says
how an insert skips rows already stored (`_ignoring`): the engine puts in its own
placeholders, transactions, locking and error translation.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Protocol, Self

from ixpready.errors import StoreError
from ixpready.measurements.records import Malformed, TraceKey
from ixpready.measurements.store_records import (
    Inventory,
    RoundRecord,
    RoundSummary,
    RunOutcome,
    RunRecord,
    StoredName,
    StoredResult,
)

Row = tuple[Any, ...]


class Transaction(Protocol):
    """Statements run in one open transaction (queries written with `?`)."""

    def rows(self, query: str, arguments: Sequence[Any] = ()) -> list[Row]:
        """Returns every row of a query."""
        ...

    def write(self, query: str, arguments: Sequence[Any] = ()) -> int:
        """Runs one statement; returns how many rows it changed."""
        ...


def epoch_now() -> int:
    """Returns the current time in whole epoch seconds (the stores' clock)."""
    return int(time.time())


class SqlStore(ABC):
    """The queries both stores share; a subclass gives the engine. Use as a context manager."""

    # -- the engine -----------------------------------------------------------------------

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _rows(self, query: str, arguments: Sequence[Any] = ()) -> list[Row]:
        """Returns every row of a query."""

    @abstractmethod
    def _stream(self, query: str, arguments: Sequence[Any] = ()) -> Iterator[Row]:
        """Yields the rows of a query without holding them all in memory."""

    @abstractmethod
    def _write(self, query: str, arguments: Sequence[Any] = ()) -> int:
        """Runs one statement in a transaction of its own; returns how many rows it changed."""

    @abstractmethod
    def _write_many(self, query: str, rows: Iterable[Sequence[Any]]) -> int:
        """Runs one statement per row, all in one transaction; returns how many rows changed."""

    @abstractmethod
    def _insert(self, query: str, arguments: Sequence[Any]) -> int:
        """Inserts one row into a table keyed by a generated `id`; returns that id."""

    @abstractmethod
    def _atomic(self) -> AbstractContextManager[Transaction]:
        """Returns one transaction: what runs through it commits together when the block ends,
        or not at all (an exception rolls it back; a killed process leaves it uncommitted)."""

    @staticmethod
    @abstractmethod
    def _ignoring(insert: str) -> str:
        """Returns the `INSERT INTO` statement made to skip rows whose key is already stored."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- results --------------------------------------------------------------------------

    def add_results(self, results: Iterable[StoredResult], round_id: str | None = None) -> int:
        """Stores results not yet stored (in round `round_id` if given); returns how many were
        new (a re-insert is a no-op and keeps the round first given; concurrent-safe)."""
        now = epoch_now()
        return self._write_many(
            self._ignoring(
                "INSERT INTO results (msm_id, prb_id, timestamp, raw, stored_at, round_id)"
                " VALUES (?, ?, ?, ?, ?, ?)"
            ),
            ((r.key.msm_id, r.key.prb_id, r.key.timestamp, r.raw, now, round_id) for r in results),
        )

    def results(self, msm_id: int | None = None) -> Iterator[StoredResult]:
        """Yields stored results (of one measurement if given) in key order."""
        query = "SELECT msm_id, prb_id, timestamp, raw FROM results"
        arguments: tuple[int, ...] = ()
        if msm_id is not None:
            query += " WHERE msm_id = ?"
            arguments = (msm_id,)
        for row in self._stream(query + " ORDER BY msm_id, prb_id, timestamp", arguments):
            yield _result(row)

    def count_results(self, msm_id: int | None = None) -> int:
        """Returns how many results are stored (of one measurement if given)."""
        if msm_id is None:
            return int(self._rows("SELECT COUNT(*) FROM results")[0][0])
        return int(self._rows("SELECT COUNT(*) FROM results WHERE msm_id = ?", (msm_id,))[0][0])

    def quarantined(self) -> tuple[Malformed, ...]:
        """Returns every quarantined record, oldest first."""
        rows = self._rows("SELECT place, reason, raw FROM quarantine ORDER BY id")
        return tuple(Malformed(row[0], row[1], row[2]) for row in rows)

    # -- rounds ---------------------------------------------------------------------------

    def start_round(
        self, round_id: str, started_at: int, plan_id: str | None = None
    ) -> RoundRecord:
        """Records a round (once: an existing round keeps its start) and returns it; a plan
        given for a round that has none is attached."""
        self._write(
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
        self._write(
            "UPDATE rounds SET completed_at = ? WHERE round_id = ? AND completed_at IS NULL",
            (completed_at, round_id),
        )

    def round(self, round_id: str) -> RoundRecord | None:
        """Returns one round, or None."""
        rows = self._rows(
            "SELECT round_id, started_at, plan_id, completed_at FROM rounds WHERE round_id = ?",
            (round_id,),
        )
        return RoundRecord(*rows[0]) if rows else None

    def rounds(self) -> tuple[RoundRecord, ...]:
        """Returns every round, in round order (ids sort by time)."""
        rows = self._rows(
            "SELECT round_id, started_at, plan_id, completed_at FROM rounds ORDER BY round_id"
        )
        return tuple(RoundRecord(*row) for row in rows)

    def assign_round(self, round_id: str, msm_ids: Iterable[int]) -> int:
        """Puts the results of these measurements not yet in a round into `round_id`;
        returns how many moved."""
        return self._write_many(
            "UPDATE results SET round_id = ? WHERE msm_id = ? AND round_id IS NULL",
            ((round_id, msm_id) for msm_id in msm_ids),
        )

    def unassigned(self) -> tuple[TraceKey, ...]:
        """Returns the keys of results in no round yet (imported, uploaded, migrated)."""
        rows = self._rows(
            "SELECT msm_id, prb_id, timestamp FROM results WHERE round_id IS NULL"
            " ORDER BY msm_id, prb_id, timestamp"
        )
        return tuple(TraceKey(*row) for row in rows)

    def set_rounds(self, assignments: Iterable[tuple[TraceKey, str]]) -> int:
        """Puts each result still in no round into the round given; returns how many moved."""
        return self._write_many(
            "UPDATE results SET round_id = ? WHERE msm_id = ? AND prb_id = ?"
            " AND timestamp = ? AND round_id IS NULL",
            ((r, k.msm_id, k.prb_id, k.timestamp) for k, r in assignments),
        )

    def round_counts(self) -> dict[str, int]:
        """Returns how many results each round holds (assigned results only)."""
        rows = self._rows(
            "SELECT round_id, COUNT(*) FROM results WHERE round_id IS NOT NULL"
            " GROUP BY round_id ORDER BY round_id"
        )
        return {str(r): int(n) for r, n in rows}

    def round_results(self, round_id: str) -> Iterator[StoredResult]:
        """Yields the results of one round in key order."""
        rows = self._stream(
            "SELECT msm_id, prb_id, timestamp, raw FROM results WHERE round_id = ?"
            " ORDER BY msm_id, prb_id, timestamp",
            (round_id,),
        )
        for row in rows:
            yield _result(row)

    # -- runs -----------------------------------------------------------------------------

    def begin_run(self, started_at: int, pid: int) -> int:
        """Records a run as started (outcome "running" until `end_run`); returns its id."""
        return self._insert(
            "INSERT INTO runs (started_at, pid, outcome, message) VALUES (?, ?, ?, '')",
            (started_at, pid, str(RunOutcome.RUNNING)),
        )

    def end_run(
        self, run_id: int, finished_at: int, outcome: RunOutcome, exit_code: int, message: str
    ) -> None:
        """Records how a run ended."""
        self._write(
            "UPDATE runs SET finished_at = ?, outcome = ?, exit_code = ?, message = ? WHERE id = ?",
            (finished_at, str(outcome), exit_code, message, run_id),
        )

    def mark_killed(self, finished_at: int) -> int:
        """Records every run still "running" as killed (call it holding the job lock: none of
        them can be alive); returns how many there were."""
        return self._write(
            "UPDATE runs SET finished_at = ?, outcome = ?, message = ? WHERE outcome = ?",
            (finished_at, str(RunOutcome.KILLED),
             "ended without recording how (killed, or the machine stopped); the next run "
             "resumed its work", str(RunOutcome.RUNNING)),
        )  # fmt: skip

    def last_run(self) -> RunRecord | None:
        """Returns the newest run, or None when `ixpready run` never ran on this store."""
        rows = self._rows(
            "SELECT id, started_at, finished_at, pid, outcome, exit_code, message FROM runs"
            " ORDER BY id DESC LIMIT 1"
        )
        if not rows:
            return None
        row = rows[0]
        return RunRecord(row[0], row[1], row[2], row[3], RunOutcome(row[4]), row[5], row[6])

    # -- inventories ----------------------------------------------------------------------

    def save_inventory(self, country: str, taken_at: int, document: str) -> int:
        """Stores a dated inventory (JSON text); returns its id."""
        return self._insert(
            "INSERT INTO inventories (country, taken_at, document) VALUES (?, ?, ?)",
            (country, taken_at, document),
        )

    def latest_inventory(self, country: str) -> Inventory | None:
        """Returns the newest inventory of a country, or None."""
        rows = self._rows(
            "SELECT id, country, taken_at, document FROM inventories WHERE country = ?"
            " ORDER BY taken_at DESC, id DESC LIMIT 1",
            (country,),
        )
        return Inventory(*rows[0]) if rows else None

    # -- reverse DNS ----------------------------------------------------------------------

    def save_names(self, names: Iterable[StoredName]) -> int:
        """Stores reverse-DNS answers, each replacing the address's older one; returns how
        many rows were written (one transaction)."""
        return self._write_many(
            "INSERT INTO rdns_names (address, name, resolved_at, ttl_s) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (address) DO UPDATE SET name = excluded.name,"
            " resolved_at = excluded.resolved_at, ttl_s = excluded.ttl_s"
            " WHERE excluded.resolved_at >= rdns_names.resolved_at",
            ((n.address, n.name, n.resolved_at, n.ttl_s) for n in names),
        )

    def names(self) -> dict[str, StoredName]:
        """Returns the newest reverse-DNS answer of every address asked, expired ones too."""
        rows = self._rows("SELECT address, name, resolved_at, ttl_s FROM rdns_names")
        return {
            str(r[0]): StoredName(str(r[0]), None if r[1] is None else str(r[1]), int(r[2]),
                                  int(r[3]))
            for r in rows
        }  # fmt: skip

    # -- retention ------------------------------------------------------------------------

    def round_summaries(self) -> tuple[RoundSummary, ...]:
        """Returns the kept summaries of rounds whose raw results were dropped, by round."""
        rows = self._rows(
            "SELECT round_id, results, domestic_paths, local_paths, local_via_ixp, tromboned,"
            " inconclusive, median_rtt_ms, median_tromboned_rtt_ms, pruned_at"
            " FROM round_summaries ORDER BY round_id"
        )
        return tuple(
            RoundSummary(
                round_id=str(r[0]),
                results=int(r[1]),
                domestic_paths=int(r[2]),
                local_paths=int(r[3]),
                local_via_ixp=int(r[4]),
                tromboned=int(r[5]),
                inconclusive=int(r[6]),
                median_rtt_ms=_real(r[7]),
                median_tromboned_rtt_ms=_real(r[8]),
                pruned_at=int(r[9]),
            )
            for r in rows
        )

    def count_quarantined(self, before: int) -> int:
        """Returns how many quarantined records were stored before `before` (epoch seconds)."""
        return int(
            self._rows("SELECT COUNT(*) FROM quarantine WHERE stored_at < ?", (before,))[0][0]
        )

    def prune(
        self,
        summaries: Iterable[RoundSummary],
        drop: Mapping[str, int],
        quarantined_before: int | None = None,
    ) -> tuple[int, int]:
        """Keeps these round summaries (a round's first summary stays), then deletes the raw
        results of each round in `drop` (round id -> how many it holds) and, if given, the
        quarantined records stored before `quarantined_before`; all in one transaction.
        Measurements, fetch marks, rounds and plans are never touched. Returns (results,
        quarantined records) deleted.

        Raises StoreError, deleting nothing, when a round in `drop` has no kept summary or
        does not hold exactly the results given (it changed since it was summarised).
        """
        insert = self._ignoring(
            "INSERT INTO round_summaries (round_id, results, domestic_paths, local_paths,"
            " local_via_ixp, tromboned, inconclusive, median_rtt_ms, median_tromboned_rtt_ms,"
            " pruned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        with self._atomic() as transaction:
            for s in summaries:
                transaction.write(
                    insert,
                    (s.round_id, s.results, s.domestic_paths, s.local_paths, s.local_via_ixp,
                     s.tromboned, s.inconclusive, s.median_rtt_ms, s.median_tromboned_rtt_ms,
                     s.pruned_at),
                )  # fmt: skip
            deleted = 0
            for round_id, expected in drop.items():
                kept = transaction.rows(
                    "SELECT COUNT(*) FROM round_summaries WHERE round_id = ?", (round_id,)
                )
                if int(kept[0][0]) != 1:
                    raise StoreError(f"round {round_id}: no summary kept; its results stay")
                gone = transaction.write("DELETE FROM results WHERE round_id = ?", (round_id,))
                if gone != expected:
                    raise StoreError(
                        f"round {round_id}: holds {gone} results, not the {expected} summarised;"
                        " nothing was deleted",
                        hint="results arrived while pruning: run `ixpready prune` again",
                    )
                deleted += gone
            quarantined = 0
            if quarantined_before is not None:
                quarantined = transaction.write(
                    "DELETE FROM quarantine WHERE stored_at < ?", (quarantined_before,)
                )
        return deleted, quarantined


def _real(value: object) -> float | None:
    return None if value is None else float(str(value))


def _result(row: Row) -> StoredResult:
    return StoredResult(TraceKey(row[0], row[1], row[2]), row[3])
