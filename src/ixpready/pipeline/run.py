"""`ixpready run`: the whole job, safe to start from cron or a systemd timer.

Online (a RIPE Atlas key is configured): discover the country if the inventory is older than
`run.discover_max_age_days` (with `reuse.enabled`, also the public traceroutes that already
cover it, as `discover --reuse` does), refresh the reference data if older than
`run.refdata_max_age_days`, plan this period's round within `plan.budget_credits` (once per
round: the plan is kept in the store), create its measurements (each at most once), fetch
their results (the reused public measurements' first, as `fetch` does), then analyse every
round, model and report the newest (with the round's DNS results, if any). Offline (no key):
import the files of `run.results` and analyse what the store holds.

One instance at a time: an flock on `run.lock_file` (released by the kernel when the process
dies, even by SIGKILL); a second start raises LockedError. Under the lock the store is opened
and checked once (`runner.run_job`) and every step gets that open store and the settings
section(s) it reads (`export`, `upload`, `prune` and `doctor` are wired here the same way; a
command run on its own is wired in `pipeline/commands.py`). Every step records its work in the
store as it goes and every output is written whole (temporary file, then rename), so a run
killed at any point resumes where it stopped and a repeated run adds nothing. The job's
time budget (`run.time_budget_s`, or `time_budget_s` when set) caps every request.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ixpready.analysis.verdicts import AnalysisResult
from ixpready.config import Deadline, Settings
from ixpready.errors import ExitCode, InputError, IxpreadyError, StoreError, UsageError
from ixpready.measurements.parse import parse_lines
from ixpready.measurements.records import DnsResult, TraceKey
from ixpready.measurements.store import (
    MeasurementState,
    ResultStore,
    RunOutcome,
    Salvaged,
    Store,
)
from ixpready.measurements.store import salvage as salvage_rows
from ixpready.model.readiness import ReadinessReport
from ixpready.model.results import ModelResult
from ixpready.pipeline import atlas as jobs
from ixpready.pipeline import doctor as checkup
from ixpready.pipeline import export as exporting
from ixpready.pipeline import locate as locating
from ixpready.pipeline import rdns, refdata, retention
from ixpready.pipeline import upload as sending
from ixpready.pipeline.commands import names_of, rounds_of
from ixpready.pipeline.model import run_model, to_json
from ixpready.pipeline.plan import load_plan
from ixpready.pipeline.readiness import readiness_of
from ixpready.pipeline.report import report_round, write_report
from ixpready.pipeline.runner import job_lock, local_store, open_job_store, run_job
from ixpready.pipeline.trend import (
    RoundAnalysis,
    results_store,
    round_of,
    round_readiness,
    trend_of,
    write_atomically,
)
from ixpready.pipeline.upload import read_records, spool_files
from ixpready.progress import Progress
from ixpready.refdata.snapshots import RegistrySnapshot, load_snapshot
from ixpready.report.facts import TrendMark
from ixpready.report.sanitize import one_line
from ixpready.sources.atlas import AtlasSource
from ixpready.sources.registries import RegistryClient

log = logging.getLogger(__name__)
PLAN_FILE = "plan.json"
MODEL_FILE = "model.json"
REPORT_DIR = "report"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a run and what it did ("skipped: ..." when it had nothing to do)."""

    name: str
    note: str


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did: the round, its steps, the outputs and whether anything is pending."""

    round_id: str
    online: bool
    steps: tuple[Step, ...]
    results_stored: int
    rounds_analysed: int
    analysis_file: Path | None
    model_file: Path | None
    report_dir: Path | None
    unknown_items: tuple[int, ...]  # asked for, no answer came: check before creating again
    quarantined: int

    @property
    def partial(self) -> bool:
        """Returns True when the run finished with something left for a person to check."""
        return bool(self.unknown_items or self.quarantined)

    def as_text(self) -> str:
        """Returns the summary for the terminal; each step's note on one sanitised line
        (notes may quote the network: names, API messages)."""
        mode = "online" if self.online else "offline (no RIPE Atlas key: store and files only)"
        lines = [f"round {self.round_id}, {mode}"]
        lines += [f"  {step.name}: {one_line(step.note)}" for step in self.steps]
        lines.append(f"{self.results_stored} results stored, {self.rounds_analysed} rounds")
        for label, path in (("analysis", self.analysis_file), ("model", self.model_file),
                            ("report", self.report_dir)):  # fmt: skip
            if path is not None:
                lines.append(f"{label}: {one_line(path)}")
        return "\n".join(lines)


Stage = Callable[[str], None]


def _no_stage(name: str) -> None:
    return None


def _announce(on_stage: Stage, name: str) -> None:
    log.info("run: %s", name)
    on_stage(name)


# ---------------------------------------------------------------------------------------------
# Offline import


def import_results(
    store: ResultStore, path: Path, skip: Callable[[TraceKey], bool] | None = None
) -> tuple[int, int]:
    """Stores the results of a file (JSON lines, a JSON array or an API page), each raw record
    verbatim, but those `skip` names (results of rounds retention pruned); returns (new
    results, records quarantined). Raises InputError for a missing file.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the results file ({exc.strerror})") from None
    good, bad = read_records(path, data)
    if skip is not None:
        good = [r for r in good if not skip(r.key)]
    return store.add_results(good), store.quarantine(bad)


def result_files(patterns: tuple[Path, ...]) -> tuple[Path, ...]:
    """Returns the files `run.results` names: a file as is, a folder's finished `*.jsonl` and
    `*.json` files, a glob pattern's matches (sorted; hidden `.name.part` files left out).

    Raises InputError for a plain path that does not exist.
    """
    found: list[Path] = []
    for pattern in patterns:
        if pattern.is_dir():
            found += spool_files(pattern)
        elif any(ch in str(pattern) for ch in "*?["):
            anchor = Path(pattern.anchor or ".")
            relative = str(pattern.relative_to(anchor)) if pattern.anchor else str(pattern)
            found += sorted(p for p in anchor.glob(relative)
                            if p.is_file() and not p.name.startswith("."))  # fmt: skip
        elif pattern.is_file():
            found.append(pattern)
        else:
            raise InputError(f"{pattern}: no such results file (run.results)")
    return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------------------------------------
# Online steps


def _inventory_is_stale(settings: Settings, store: Store, now: datetime) -> bool:
    inventory = store.latest_inventory(settings.country)
    if inventory is None:
        return True
    age = now - datetime.fromtimestamp(inventory.taken_at, tz=UTC)
    return age > timedelta(days=settings.run.discover_max_age_days)


def _plan_path(settings: Settings, round_id: str) -> Path:
    return settings.rounds_dir / round_id / PLAN_FILE


def _ensure_plan(settings: Settings, store: Store, round_id: str, now: datetime) -> Path:
    """Returns the round's plan file: made once per round, restored from the store if lost."""
    record = store.round(round_id)
    if record is not None and record.plan_id is not None:
        return _ensure_plan_file(settings, store, record.round_id, record.plan_id)
    path = _plan_path(settings, round_id)
    made = jobs.plan(store, path.with_name(".plan-draft.json"), country=settings.country,
                     settings=settings.plan, now=now)  # fmt: skip
    document = made.path.read_text(encoding="utf-8")
    store.save_plan(made.plan.plan_id, document)  # before the round names it
    write_atomically(path, document.encode("utf-8"))
    store.start_round(round_id, int(now.timestamp()), made.plan.plan_id)
    made.path.unlink()
    return path


def _online(
    settings: Settings, store: Store, now: datetime, atlas: AtlasSource,
    registry: RegistryClient, deadline: Deadline, on_stage: Stage,
) -> tuple[list[Step], tuple[int, ...]]:  # fmt: skip
    steps: list[Step] = []
    names = names_of(settings, store, deadline)  # the new hops' names: within the run's budget
    round_id = round_of(now, settings.rounds.period)
    stale = _inventory_is_stale(settings, store, now)
    _announce(on_stage, "discover")
    reuse = settings.reuse.enabled
    if stale:
        found = jobs.discover(store, country=settings.country, data_dir=settings.data_dir,
                              refdata_dir=settings.refdata_path, atlas=atlas, registry=registry,
                              now=now, reuse=reuse)  # fmt: skip
        note = f"{found.probes} probes, {found.networks} networks"
        if found.reuse is not None:
            note += f", {_reusable(found.reuse)}"
        steps.append(Step("discover", note))
    else:
        steps.append(Step("discover", "skipped: inventory is recent"))
        looked = store.plan(jobs.PUBLIC_PREFIX + settings.country) is not None
        if reuse and not looked:  # reuse enabled since the last discovery: look once now
            found_now = jobs.find_reusable(store, country=settings.country, atlas=atlas, now=now)
            steps.append(Step("reuse", _reusable(found_now)))
    _announce(on_stage, "refdata")
    status = refdata.show(settings.refdata_path, today=now.date())
    if status.age_days is None or status.age_days > settings.run.refdata_max_age_days:
        status = refdata.update(settings.refdata_path, country=settings.country,
                                registries=settings.registries, registry=registry,
                                rirs=settings.run.rirs, today=now.date())  # fmt: skip
        steps.append(Step("refdata", f"snapshot of {status.date} downloaded"))
    else:
        steps.append(Step("refdata", f"skipped: snapshot is {status.age_days} days old"))
    _announce(on_stage, "plan")
    plan_path = _ensure_plan(settings, store, round_id, now)
    open_rounds = [r for r in store.rounds() if r.plan_id and r.completed_at is None]
    public = _public_ids(settings, store) if reuse else []
    steps.append(Step("plan", str(plan_path)))
    unknown: list[int] = []
    reused = public  # the first fetch takes them (first: they cost no credits)
    for record in open_rounds:
        path = _ensure_plan_file(settings, store, record.round_id, record.plan_id or "")
        _announce(on_stage, "measure")
        measured = jobs.measure(store, path, atlas=atlas)
        unknown += measured.unknown
        steps.append(Step("measure", f"round {record.round_id}: {len(measured.created)} "
                                     f"created, {measured.already} before"))  # fmt: skip
        _announce(on_stage, "fetch")
        rows = store.measurements(record.plan_id)
        ids = [row.msm_id for row in rows if row.msm_id is not None]
        wanted = [*reused, *ids]
        fetched = (jobs.fetch(store, country=settings.country, atlas=atlas, reuse=settings.reuse,
                              names=names, msm_ids=wanted, now=now)
                   if wanted else None)  # fmt: skip
        store.assign_round(record.round_id, ids)
        rows = store.measurements(record.plan_id)
        items = len(load_plan(path).items)
        if len(rows) == items and all(r.state is MeasurementState.STOPPED for r in rows):
            store.complete_round(record.round_id, int(now.timestamp()))
        added = 0 if fetched is None else sum(n for m, n in fetched.new if m not in reused)
        note = f"round {record.round_id}: {added} new results"
        if reused and fetched is not None:
            note += f"; {_reused_note(fetched, reused)}"
        steps.append(Step("fetch", note))
        if fetched is not None and (fetched.names.addresses or fetched.names_note):
            steps.append(Step("rdns", fetched.names_note or fetched.names.as_line()))
        _share(settings, store, record.round_id, reused)
        reused = []
    if reused:  # no round open: the reused public measurements alone
        _announce(on_stage, "fetch")
        fetched = jobs.fetch(store, country=settings.country, atlas=atlas, reuse=settings.reuse,
                             names=names, msm_ids=reused, now=now)  # fmt: skip
        steps.append(Step("fetch", _reused_note(fetched, reused)))
        _share(settings, store, None, reused)
    if settings.locate.enabled:  # spends credits: only when asked for, within its own cap
        _announce(on_stage, "locate")
        located = locating.locate(store, country=settings.country,
                                  refdata_dir=settings.refdata_path, settings=settings.locate,
                                  atlas=atlas, reuse=settings.reuse, names=names, now=now,
                                  probes_file=settings.run.probes_file,
                                  rdns_file=settings.run.rdns_file)  # fmt: skip
        note = (f"{len(located.planned)} pings planned ({located.credits} credits), "
                f"{len(located.created)} created, {located.fetched} new results")  # fmt: skip
        if located.unknown:
            note += f"; items {', '.join(map(str, located.unknown))} got no answer (check them)"
        steps.append(Step("locate", note))
    return steps, tuple(unknown)


def _reusable(found: jobs.ReuseSummary) -> str:
    return f"{len(found.measurements)} public traceroutes to reuse ({found.new} new)"


def _public_ids(settings: Settings, store: Store) -> list[int]:
    """Returns the ids of the country's reused public measurements (`discover --reuse`)."""
    rows = store.measurements(jobs.PUBLIC_PREFIX + settings.country)
    return [row.msm_id for row in rows if row.msm_id is not None]


def _reused_note(fetched: jobs.FetchSummary, reused: list[int]) -> str:
    added = sum(n for m, n in fetched.new if m in reused)
    return f"{added} new results of {len(reused)} reused public measurements (0 credits)"


def _share(settings: Settings, local: Store, round_id: str | None, reused: list[int]) -> None:
    """Gives the shared store the round's results (once each) and the reused public
    measurements' results (in no round: they go to the round of their time, as imports do)."""
    if not settings.store.url:
        return
    with results_store(settings.store, local) as shared:
        if round_id is not None:
            shared.add_results(local.round_results(round_id), round_id)
        for msm_id in reused:
            shared.add_results(local.results(msm_id))


def _ensure_plan_file(settings: Settings, store: Store, round_id: str, plan_id: str) -> Path:
    path = _plan_path(settings, round_id)
    document = store.plan(plan_id)
    if document is None:
        raise UsageError(f"round {round_id}: plan {plan_id} is not in the store")
    if not path.is_file() or path.read_text(encoding="utf-8") != document:
        write_atomically(path, document.encode("utf-8"))
    return path


# ---------------------------------------------------------------------------------------------
# The job


def round_dns(settings: Settings, round_id: str, job_store: Store) -> tuple[DnsResult, ...]:
    """Returns the DNS results the store holds in a round (imported from `run.results`, such
    as a probe spool's `ixpready-probe dns` results, uploaded or fetched), in key order."""
    found: dict[TraceKey, DnsResult] = {}
    with results_store(settings.store, job_store) as store:
        raws = (r.raw for r in store.round_results(round_id))
        for outcome in parse_lines(raws, f"store round {round_id}"):
            if isinstance(outcome, DnsResult):
                found.setdefault(outcome.key, outcome)
    return tuple(found.values())


def _outputs(
    settings: Settings,
    store: Store,
    rounds: tuple[RoundAnalysis, ...],
    snapshot: RegistrySnapshot,
    on_stage: Stage,
) -> tuple[Path | None, Path | None, list[Step]]:
    """Models and reports the newest round; returns (model file, report folder, steps)."""
    steps: list[Step] = []
    if not rounds:
        return None, None, steps
    newest = rounds[-1]
    folder = newest.analysis_file.parent
    for leftover in (*folder.glob(".*.tmp"), *(folder / REPORT_DIR).glob(".*.tmp")):
        leftover.unlink()  # half-written by a run that was killed; rewritten below
    if not (settings.run.model or settings.run.report):
        return None, None, steps
    newest_analysis = newest.analysis  # read once from its file (older rounds: their points)
    model = None
    model_file = None
    if settings.run.model:
        _announce(on_stage, "model")
        model = run_model(newest_analysis, refdata=settings.refdata_path, members_file=None,
                          k=10, weights_file=None)  # fmt: skip
        model_file = write_atomically(folder / MODEL_FILE, to_json(model))
        steps.append(Step("model", f"{len(model.candidates)} candidate members"))
    report_dir = None
    if settings.run.report:
        _announce(on_stage, "report")
        dns = round_dns(settings, newest.round_id, store)
        with results_store(settings.store, store) as results:
            kept = results.round_summaries()
        points = trend_of(tuple(r.point for r in rounds), kept,
                          country=settings.country, period=settings.rounds.period,
                          events=settings.events)  # fmt: skip
        files = write_report(
            newest_analysis,
            model=model,
            out_dir=folder / REPORT_DIR,
            rounds=tuple(report_round(p.round_id, p.starts, local=p.local - p.local_via_ixp,
                                      local_via_ixp=p.local_via_ixp, tromboned=p.tromboned,
                                      inconclusive=p.inconclusive)
                         for p in points.rounds),
            marks=tuple(TrendMark(e.day, e.label) for e in settings.events),
            dns=dns,
            refdata=snapshot,
            readiness=_readiness(settings, rounds, newest_analysis, model),
        )  # fmt: skip
        report_dir = files.out_dir
        note = f"{len(files.all)} files"
        if dns:
            note += f", {len(dns)} DNS results"
        steps.append(Step("report", note))
    return model_file, report_dir, steps


def _readiness(
    settings: Settings,
    rounds: Sequence[RoundAnalysis],
    newest: AnalysisResult,
    model: ModelResult | None,
) -> ReadinessReport:
    """Returns the newest round's readiness scorecard (`newest`: its analysis) with every
    round's counts (its trend)."""
    report = readiness_of(newest, refdata=settings.refdata_path, model=model)
    history = round_readiness(rounds, period=settings.rounds.period,
                              refdata_dir=settings.refdata_path, rounds_dir=settings.rounds_dir,
                              known={rounds[-1].round_id: newest})  # fmt: skip
    return replace(report, history=history)


def _job(
    settings: Settings, store: Store, now: datetime, atlas: AtlasSource | None,
    registry: RegistryClient | None, on_stage: Stage,
) -> RunSummary:  # fmt: skip
    deadline = Deadline.after(settings.time_budget_s or settings.run.time_budget_s)
    online = bool(settings.atlas.key) or atlas is not None
    steps: list[Step] = []
    unknown: tuple[int, ...] = ()
    quarantined = 0
    if online:
        atlas = atlas or jobs.atlas_source(settings.atlas, deadline)
        registry = registry or jobs.registry_client(settings.registries, settings.atlas, deadline)
        online_steps, unknown = _online(settings, store, now, atlas, registry, deadline, on_stage)
        steps += online_steps
    if settings.run.results:
        _announce(on_stage, "import")
        added = 0
        files = result_files(settings.run.results)
        with results_store(settings.store, store) as results:
            gone = {s.round_id for s in results.round_summaries()}
            period = settings.rounds.period

            def in_pruned_round(key: TraceKey) -> bool:
                return round_of(key.started, period) in gone

            for path in files:
                new, bad = import_results(results, path, in_pruned_round if gone else None)
                added += new
                quarantined += bad
        steps.append(Step("import", f"{added} new results from {len(files)} files, "
                                    f"{quarantined} quarantined"))  # fmt: skip
    _announce(on_stage, "analyze")
    snapshot = load_snapshot(settings.refdata_path)
    resolver, why_not = rdns.gathering(settings.rdns, deadline)
    rounds = rounds_of(settings, store, snapshot=snapshot, resolver=resolver)
    asked = rdns.combined(r.names for r in rounds)
    if asked.addresses or why_not:
        steps.append(Step("rdns", why_not or asked.as_line()))
    fresh = sum(r.fresh for r in rounds)
    quarantined += sum(len(r.quarantined) for r in rounds)
    steps.append(Step("analyze", f"{len(rounds)} rounds, {fresh} analysed now"))
    model_file, report_dir, output_steps = _outputs(settings, store, rounds, snapshot, on_stage)
    steps += output_steps
    if retention.configured(settings.retention):
        _announce(on_stage, "prune")
        pruned = retention.prune_store(store, settings=settings.retention, shared=settings.store,
                                       now=now, analyse=lambda: rounds)  # fmt: skip
        steps.append(Step("prune", pruned.as_line()))
    with results_store(settings.store, store) as shared:
        stored = shared.count_results()
    return RunSummary(
        round_id=rounds[-1].round_id if rounds else round_of(now, settings.rounds.period),
        online=online,
        steps=tuple(steps),
        results_stored=stored,
        rounds_analysed=len(rounds),
        analysis_file=rounds[-1].analysis_file if rounds else None,
        model_file=model_file,
        report_dir=report_dir,
        unknown_items=unknown,
        quarantined=quarantined,
    )


def run(
    settings: Settings,
    *,
    now: datetime | None = None,
    atlas: AtlasSource | None = None,
    registry: RegistryClient | None = None,
    on_stage: Stage = _no_stage,
) -> RunSummary:
    """Runs the whole job once under the job lock and records its outcome in the store.

    Raises LockedError when another run holds the lock, and the steps' errors (QuotaError,
    AtlasAuthError, UnavailableError when the time budget is spent, RefdataError, ...) after
    recording them; everything done before the error is kept and resumed by the next run.
    """
    moment = (now or datetime.now(tz=UTC)).replace(microsecond=0)
    with run_job(settings) as store:
        # checked when opened: a damaged store stops the job before anything is written to it
        store.mark_killed(int(moment.timestamp()))  # we hold the lock: none is alive
        run_id = store.begin_run(int(moment.timestamp()), os.getpid())
        try:
            summary = _job(settings, store, moment, atlas, registry, on_stage)
        except IxpreadyError as exc:
            message = _without_secrets(settings, str(exc))
            _end(store, run_id, RunOutcome.FAILED, int(exc.exit_code), message)
            raise
        except BaseException as exc:  # a bug: its text may quote anything, a key included
            message = f"{type(exc).__name__} (a bug; its traceback went to the terminal or log)"
            _end(store, run_id, RunOutcome.FAILED, int(ExitCode.BUG), message)
            raise
        outcome = RunOutcome.PARTIAL if summary.partial else RunOutcome.OK
        code = ExitCode.PARTIAL if summary.partial else ExitCode.OK
        _end(store, run_id, outcome, int(code), f"round {summary.round_id}")
    return summary


def prune(
    settings: Settings, *, dry_run: bool = False, now: datetime | None = None
) -> retention.PruneSummary:
    """Applies the retention policy (`[retention]`) under the job lock, so never during a
    run; returns what went (with `dry_run`: what would go, and nothing is deleted). One
    transaction: a prune killed at any point deletes nothing.

    Raises LockedError when a run holds the lock, StoreError for a damaged store or a round
    that changed while it was pruned, and the errors of `analysed_rounds`.
    """
    moment = (now or datetime.now(tz=UTC)).replace(microsecond=0)
    with job_lock(settings.lock_path):
        if not retention.configured(settings.retention) and not settings.store_path.exists():
            return retention.prune_store(None, settings=settings.retention,
                                         shared=settings.store, now=moment, analyse=tuple,
                                         dry_run=dry_run)  # fmt: skip
        with local_store(settings) as store:  # checked when opened: damaged stops prune first
            return retention.prune_store(store, settings=settings.retention, shared=settings.store,
                                         now=moment,
                                         analyse=lambda: rounds_of(settings, store),
                                         dry_run=dry_run)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The other jobs the runner starts: each gets its sections and the one open store


def export(
    settings: Settings, out_dir: Path, *, rounds: Sequence[str] = (), raw: bool = False,
    parquet: bool = False,
) -> exporting.ExportSummary:  # fmt: skip
    """`ixpready export` under the job lock, in the store opened once (see `export.export`).

    Raises LockedError when a run holds the lock, and the errors of `export.export`.
    """
    with job_lock(settings.lock_path), local_store(settings) as store:
        return exporting.export(store, out_dir, shared=settings.store,
                                analysed=rounds_of(settings, store), rounds=rounds, raw=raw,
                                parquet=parquet)  # fmt: skip


def upload(settings: Settings, *, on_progress: Progress | None = None) -> sending.UploadSummary:
    """`ixpready upload` under the job lock, its ledger the store opened once (see
    `upload.upload`). Raises ConfigError without store.url and InputError without a spool
    folder before the lock is taken or the store opened; LockedError when a run still holds
    the lock after `upload.lock_wait_s` (a timer firing during a run waits for it, then
    sends)."""
    url = sending.shared_url(settings.store)
    files = sending.spool_files(sending.spool_dir(settings.upload, settings.data_dir))
    with run_job(settings, settings.upload.lock_wait_s) as ledger:
        return sending.upload(ledger, url, files, on_progress=on_progress)


def doctor(settings: Settings, *, today: date | None = None) -> checkup.DoctorReport:
    """`ixpready doctor`: opens the local store once, when there is one, as the runner does
    but without the lock (doctor only reads, and must answer while a run holds the lock); a
    damaged store is a finding, not an error. Never creates the store."""
    with ExitStack() as stack:
        found: Store | StoreError | None = None
        if not settings.store.url and settings.store_path.exists():
            try:
                found = stack.enter_context(open_job_store(settings))
            except StoreError as exc:
                found = exc
        return checkup.check_setup(
            country=settings.country, refdata_dir=settings.refdata_path, run=settings.run,
            atlas=settings.atlas, store_settings=settings.store, store_path=settings.store_path,
            store=found, today=today,
        )  # fmt: skip


def _without_secrets(settings: Settings, text: str) -> str:
    """Returns `text` with every configured secret's value replaced by ****."""
    for secret in (settings.atlas.key, settings.store.url):
        if secret:
            text = text.replace(secret.reveal(), "****")
    return text


def _end(store: Store, run_id: int, outcome: RunOutcome, code: int, message: str) -> None:
    store.end_run(run_id, int(datetime.now(tz=UTC).timestamp()), outcome, code, message)


def salvage(damaged: Path, into: Path) -> Salvaged:
    """Copies every readable row of a damaged store into a new store; returns the counts.

    Raises StoreError when `into` exists or `damaged` cannot be opened (see `store.salvage`).
    """
    return salvage_rows(damaged, into)
