"""Retention: dropping the raw results of old rounds, and old quarantined records, while the
trend and the report history keep every round.

`[retention] raw_results_rounds = N` keeps the raw results of the newest N rounds; an older
round's results are deleted only together with its summary (what the trend needs: results,
domestic paths by verdict, median RTTs), in the same transaction, so a round is never left
without one or the other. `quarantine_days = D` deletes quarantined records stored more than
D days ago. Unset (the default), nothing is deleted. Measurement ids and states, fetch marks,
rounds, plans, runs and the analysis files are never deleted: nothing is created, fetched or
analysed again because of a prune. A round whose plan is still running keeps its results.

Applied by `ixpready prune [--dry-run]` and at the end of `ixpready run`, both under the run
lock (see `pipeline.run`); this module assumes the caller holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ixpready.config import RetentionSettings, StoreSettings
from ixpready.measurements.store import ResultStore, RoundSummary, Store
from ixpready.pipeline.trend import RoundAnalysis, results_store


@dataclass(frozen=True, slots=True)
class PrunedRound:
    """A round whose raw results go: how many, and whether they came back after the round
    was pruned before (a file imported again, a re-sent upload: the summary stands)."""

    round_id: str
    results: int
    again: bool


@dataclass(frozen=True, slots=True)
class PruneSummary:
    """What a prune deleted (or, dry, would delete) and what it kept."""

    configured: bool
    dry_run: bool
    rounds: tuple[PrunedRound, ...]
    kept_rounds: tuple[str, ...]  # rounds whose raw results stay (newest, or still running)
    quarantined: int
    quarantine_cutoff: datetime | None

    @property
    def results(self) -> int:
        """Returns how many raw results went (or would go)."""
        return sum(r.results for r in self.rounds)

    def as_line(self) -> str:
        """Returns one line for the run's summary."""
        if not self.configured:
            return "skipped: no [retention] configured"
        verb = "would delete" if self.dry_run else "deleted"
        return (f"{verb} {self.results} raw results of {len(self.rounds)} rounds and "
                f"{self.quarantined} quarantined records")  # fmt: skip

    def as_text(self) -> str:
        """Returns what went (would go) and what stayed, for the terminal."""
        if not self.configured:
            return (
                "nothing to delete: no [retention] in the config "
                "(raw_results_rounds, quarantine_days); everything is kept"
            )
        verb = "would delete" if self.dry_run else "deleted"
        lines = [f"{verb} {r.results} raw results of round {r.round_id}"
                 + (" (came back after an earlier prune)" if r.again else "")
                 for r in self.rounds]  # fmt: skip
        if self.quarantine_cutoff is not None:
            lines.append(
                f"{verb} {self.quarantined} quarantined records stored before "
                f"{self.quarantine_cutoff:%Y-%m-%d %H:%M} UTC"
            )
        lines.append(self.as_line()[0].upper() + self.as_line()[1:])
        if self.kept_rounds:
            lines.append(f"raw results kept: {', '.join(self.kept_rounds)}")
        lines.append("every round stays in the trend (summaries kept); ids and plans stay")
        return "\n".join(lines)


def configured(settings: RetentionSettings) -> bool:
    """Returns True when a retention policy is set in `[retention]` (else nothing is ever
    deleted)."""
    return settings.raw_results_rounds is not None or settings.quarantine_days is not None


def _running_rounds(store: ResultStore, local: Store | None) -> set[str]:
    records = list(store.rounds())
    if local is not None and local is not store:  # the host's own rounds
        records += local.rounds()
    return {r.round_id for r in records if r.plan_id is not None and r.completed_at is None}


def _summary(analysed: RoundAnalysis, pruned_at: int) -> RoundSummary:
    point = analysed.point
    return RoundSummary(
        round_id=point.round_id,
        results=point.results,
        domestic_paths=point.domestic_paths,
        local_paths=point.local,
        local_via_ixp=point.local_via_ixp,
        tromboned=point.tromboned,
        inconclusive=point.inconclusive,
        median_rtt_ms=point.median_rtt_ms,
        median_tromboned_rtt_ms=point.median_tromboned_rtt_ms,
        pruned_at=pruned_at,
    )


def prune_store(
    local: Store | None,
    *,
    settings: RetentionSettings,
    shared: StoreSettings,
    now: datetime,
    analyse: Callable[[], tuple[RoundAnalysis, ...]],
    dry_run: bool = False,
) -> PruneSummary:
    """Applies the retention policy to the results store (the caller holds the run lock);
    returns what went, or with `dry_run` what would go (then nothing is deleted). `local`:
    the store the runner opened (the results' store unless `shared.url` is set). Rounds are
    analysed first (`analyse`: `analysed_rounds`, or the rounds the caller analysed), so a
    round's summary is that of all its results. Running it again deletes nothing more.

    Raises StoreError (nothing deleted) when a round changed while it was pruned, and the
    errors of `analysed_rounds` (RefdataError, StoreError).
    """
    if not configured(settings):
        return PruneSummary(False, dry_run, (), (), 0, None)
    keep_rounds = settings.raw_results_rounds
    days = settings.quarantine_days
    cutoff = None if days is None else now - timedelta(days=days)
    rounds = analyse() if keep_rounds is not None else ()
    analysed = {r.round_id: r for r in rounds}
    pruned_at = int(now.timestamp())
    with results_store(shared, local) as store:
        summaries: list[RoundSummary] = []
        going: list[PrunedRound] = []
        staying: list[str] = []
        if keep_rounds is not None:
            before = {s.round_id for s in store.round_summaries()}
            counts = store.round_counts()
            running = _running_rounds(store, local)
            newest = set(sorted({*counts, *before})[-keep_rounds:])
            for round_id, count in counts.items():
                fresh = analysed.get(round_id)
                if round_id in before:
                    going.append(PrunedRound(round_id, count, True))
                elif (round_id in newest or round_id in running or fresh is None
                      or fresh.results != count):  # fmt: skip
                    staying.append(round_id)
                else:
                    summaries.append(_summary(fresh, pruned_at))
                    going.append(PrunedRound(round_id, count, False))
        quarantined = 0
        if cutoff is not None:
            quarantined = store.count_quarantined(int(cutoff.timestamp()))
        if not dry_run and (going or quarantined):
            _, quarantined = store.prune(
                summaries,
                {r.round_id: r.results for r in going},
                None if cutoff is None else int(cutoff.timestamp()),
            )
    return PruneSummary(True, dry_run, tuple(going), tuple(staying), quarantined, cutoff)
