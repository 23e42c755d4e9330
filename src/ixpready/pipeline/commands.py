"""The wiring of the commands that run on their own (`ixpready discover`, `plan`, `measure`,
`fetch`, `locate`, `refdata update`): each opens the store once (`runner.store_of`), builds
its sources within the command's time budget (`time_budget_s`), and hands the job the
settings section(s) it reads and that open store. `ixpready run` wires the same jobs to the
store its runner opened (`pipeline/run.py`). They take no lock: as before, only `run`,
`export`, `upload` and `prune` do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

from ixpready.config import Deadline, Settings
from ixpready.errors import UsageError
from ixpready.measurements.store import Store
from ixpready.pipeline import atlas as jobs
from ixpready.pipeline import locate as locating
from ixpready.pipeline import refdata
from ixpready.pipeline import trend as trends
from ixpready.pipeline.runner import local_store, store_of
from ixpready.pipeline.trend import RoundAnalysis, Trend, analysed_rounds, results_store
from ixpready.progress import Progress
from ixpready.refdata.snapshots import RegistrySnapshot
from ixpready.refdata.update import RefdataStatus
from ixpready.sources.rdns import PtrResolver


def _no_progress(done: int, total: int) -> None:
    return None


def names_of(settings: Settings, store: Store, deadline: Deadline) -> jobs.NameGathering:
    """Returns how a fetch in `store` asks and keeps hop names: `[rdns]`, within `deadline`,
    kept where analyses read them (the shared store when `store.url` is set)."""
    opener = partial(results_store, settings.store, store)
    return jobs.NameGathering(settings.rdns, deadline, opener)


def rounds_of(
    settings: Settings, local: Store | None, *, snapshot: RegistrySnapshot | None = None,
    resolver: PtrResolver | None = None,
) -> tuple[RoundAnalysis, ...]:  # fmt: skip
    """Returns every round's analysis (`trend.analysed_rounds`) with the sections it reads,
    in the job's open store `local`."""
    return analysed_rounds(
        local, country=settings.country, shared=settings.store, run=settings.run,
        rounds=settings.rounds, refdata_dir=settings.refdata_path, rounds_dir=settings.rounds_dir,
        snapshot=snapshot, resolver=resolver,
    )  # fmt: skip


def trend(settings: Settings) -> Trend:
    """`ixpready trend`: see `trend.trend`, in the local store opened once (not created on a
    host whose results live in the shared store)."""
    with local_store(settings) as local:
        return trends.trend(
            local, country=settings.country, shared=settings.store, run=settings.run,
            rounds=settings.rounds, refdata_dir=settings.refdata_path,
            rounds_dir=settings.rounds_dir, events=settings.events,
        )  # fmt: skip


def discover(settings: Settings, *, reuse: bool = False) -> jobs.DiscoverSummary:
    """`ixpready discover`: see `atlas.discover` (the store is opened, and so checked, before
    anything is asked)."""
    deadline = Deadline.after(settings.time_budget_s)
    with store_of(settings, None) as store:
        return jobs.discover(
            store, country=settings.country, data_dir=settings.data_dir,
            refdata_dir=settings.refdata_path, atlas=jobs.atlas_source(settings.atlas, deadline),
            registry=jobs.registry_client(settings.registries, settings.atlas, deadline),
            reuse=reuse,
        )  # fmt: skip


def plan(
    settings: Settings, output: Path, *, probes_file: Path | None = None, af: int = 4
) -> jobs.PlanResult:
    """`ixpready plan`: see `atlas.plan` (`[plan]`)."""
    with store_of(settings, None) as store:
        return jobs.plan(store, output, country=settings.country, settings=settings.plan,
                         probes_file=probes_file, af=af)  # fmt: skip


def measure(
    settings: Settings, plan_path: Path, *, dry_run: bool = False, forget_unknown: bool = False,
    now: datetime | None = None, on_progress: Progress = _no_progress,
) -> jobs.MeasureSummary:  # fmt: skip
    """`ixpready measure`: see `atlas.measure`."""
    atlas = jobs.atlas_source(settings.atlas, Deadline.after(settings.time_budget_s))
    with store_of(settings, None) as store:
        return jobs.measure(store, plan_path, atlas=atlas, dry_run=dry_run,
                            forget_unknown=forget_unknown, now=now,
                            on_progress=on_progress)  # fmt: skip


def fetch(
    settings: Settings, *, msm_ids: Iterable[int] = (), window: timedelta = timedelta(days=1),
    domestic_only: bool = False, export_to: Path | None = None, now: datetime | None = None,
    on_progress: Progress = _no_progress,
) -> tuple[jobs.FetchSummary, int | None]:  # fmt: skip
    """`ixpready fetch [--export FILE]`: see `atlas.fetch` and `atlas.export_results`, in one
    open store; returns the summary and how many results were exported (None: not asked)."""
    wanted: Sequence[int] = tuple(msm_ids)
    deadline = Deadline.after(settings.time_budget_s)
    with store_of(settings, None) as store:
        summary = jobs.fetch(
            store, country=settings.country, atlas=jobs.atlas_source(settings.atlas, deadline),
            reuse=settings.reuse, names=names_of(settings, store, deadline), msm_ids=wanted,
            now=now, window=window, domestic_only=domestic_only, on_progress=on_progress,
        )  # fmt: skip
        written = None if export_to is None else jobs.export_results(store, export_to, wanted)
    return summary, written


def locate(
    settings: Settings, *, dry_run: bool = False, forget_unknown: bool = False,
    probes_file: Path | None = None, rdns_file: Path | None = None,
    on_progress: Progress = _no_progress,
) -> locating.LocateSummary:  # fmt: skip
    """`ixpready locate`: see `locate.locate` (`[locate]`). Raises UsageError when there is
    no store yet (nothing to place)."""
    if not settings.store_path.is_file():
        raise UsageError(f"{settings.store_path}: no store yet",
                         hint="measure and fetch first (or `ixpready run`)")  # fmt: skip
    deadline = Deadline.after(settings.time_budget_s)
    with store_of(settings, None) as store:
        return locating.locate(
            store, country=settings.country, refdata_dir=settings.refdata_path,
            settings=settings.locate, atlas=jobs.atlas_source(settings.atlas, deadline),
            reuse=settings.reuse, names=names_of(settings, store, deadline), dry_run=dry_run,
            forget_unknown=forget_unknown, probes_file=probes_file, rdns_file=rdns_file,
            on_progress=on_progress,
        )  # fmt: skip


def refdata_update(
    settings: Settings, *, rirs: Sequence[str] = refdata.ALL_RIRS,
    today: date | None = None, on_progress: Progress | None = None,
    on_source: Callable[[str], None] | None = None,
) -> RefdataStatus:  # fmt: skip
    """`ixpready refdata update`: see `refdata.update` (`[registries]`; no store)."""
    registry = jobs.registry_client(settings.registries, settings.atlas,
                                    Deadline.after(settings.time_budget_s))  # fmt: skip
    return refdata.update(settings.refdata_path, country=settings.country,
                          registries=settings.registries, registry=registry, rirs=rirs,
                          today=today, on_progress=on_progress, on_source=on_source)  # fmt: skip
