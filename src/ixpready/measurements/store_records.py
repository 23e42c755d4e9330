"""What the stores hold, as records, and what every store does (`ResultStore`).

The SQLite store (`store.Store`) and the shared PostgreSQL store (`store_pg.PgStore`) return
these records; `store` lists them again, where the pipeline imports them from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ixpready.measurements.records import Malformed, TraceKey


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


@dataclass(frozen=True, slots=True)
class RoundSummary:
    """What the trend needs of a round whose raw results retention dropped: its counts of
    results and domestic paths by verdict (`local_paths` includes local via an IXP), the
    median RTTs (ms) and when its results were dropped (epoch seconds)."""

    round_id: str
    results: int
    domestic_paths: int
    local_paths: int
    local_via_ixp: int
    tromboned: int
    inconclusive: int
    median_rtt_ms: float | None
    median_tromboned_rtt_ms: float | None
    pruned_at: int


@dataclass(frozen=True, slots=True)
class StoredName:
    """The reverse-DNS name of an address as a server sent it (DNS presentation form, no
    final dot; None: the address has no name), when it was asked (epoch seconds) and for how
    long the answer holds (its TTL, seconds)."""

    address: str
    name: str | None
    resolved_at: int
    ttl_s: int

    @property
    def expires_at(self) -> int:
        """Returns when the answer stops holding (epoch seconds)."""
        return self.resolved_at + self.ttl_s


class RunOutcome(StrEnum):
    """How an `ixpready run` ended. RUNNING: not ended (still going, or killed)."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    KILLED = "killed"  # found "running" by the next run: its process had ended unrecorded


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
    results, quarantine, rounds, runs, inventories, reverse-DNS names."""

    def add_results(self, results: Iterable[StoredResult], round_id: str | None = None) -> int: ...
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
    def round_summaries(self) -> tuple[RoundSummary, ...]: ...
    def save_names(self, names: Iterable[StoredName]) -> int: ...
    def names(self) -> dict[str, StoredName]: ...
    def count_quarantined(self, before: int) -> int: ...
    def prune(
        self,
        summaries: Iterable[RoundSummary],
        drop: Mapping[str, int],
        quarantined_before: int | None = None,
    ) -> tuple[int, int]: ...
    def close(self) -> None: ...
