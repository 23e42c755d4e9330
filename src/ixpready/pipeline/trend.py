"""Measurement rounds and the trend across them: local, tromboned, inconclusive, latency.

A round is the measurements of one period (`rounds.period`: month, week, day or N hours,
UTC). `ixpready run` files the results of a round's own measurements under that round; any
other result (imported files, probe uploads, a store from before rounds) joins the round of
the period its traceroute started in. Round ids sort by time: `2026-11`, `2026-W48`,
`2026-11-28`, `2026-11-28T06`.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import orjson

from ixpready.analysis.export import load_analysis
from ixpready.analysis.verdicts import AnalysisResult, PathVerdict, Verdict
from ixpready.config import Event, RoundsSettings, RunSettings, StoreSettings
from ixpready.errors import ConfigError, InputError, StoreError
from ixpready.measurements.probes import load_probes, probes_from_document
from ixpready.measurements.records import IPAddress, Malformed, Probe
from ixpready.measurements.store import ResultStore, RoundSummary, Store
from ixpready.model.readiness import ReadinessRound, progress_lines
from ixpready.pipeline.analyze import load_rdns
from ixpready.pipeline.rdns import (
    NOTHING,
    GatherSummary,
    gather,
    merged,
    stored_names,
)
from ixpready.pipeline.readiness import readiness_history, refdata_as_of
from ixpready.pipeline.streaming import (
    CHUNK_RESULTS,
    all_hop_addresses,
    analyze_stream,
    round_source,
)
from ixpready.refdata.snapshots import RegistrySnapshot, load_snapshot
from ixpready.report.i18n import Translator
from ixpready.report.terminal import terminal_safe
from ixpready.sources.rdns import PtrResolver

TREND_FORMAT = "ixpready-trend/1"


def round_of(moment: datetime, period: str) -> str:
    """Returns the id of the round `moment` falls in, for a `rounds.period` value.

    Raises ConfigError for an unknown period.
    """
    moment = moment.astimezone(UTC)
    if period == "month":
        return f"{moment:%Y-%m}"
    if period == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "day":
        return f"{moment:%Y-%m-%d}"
    if period.endswith("h") and period[:-1].isdigit() and 24 % int(period[:-1]) == 0:
        hours = int(period[:-1])
        return f"{moment:%Y-%m-%d}T{moment.hour - moment.hour % hours:02d}"
    raise ConfigError(f"rounds.period {period!r} is not a period", hint="month, week, day or 6h")


def round_start(round_id: str) -> datetime:
    """Returns when a round (an id made by `round_of`) begins, UTC."""
    if "-W" in round_id:
        year, week = round_id.split("-W")
        return datetime.fromisocalendar(int(year), int(week), 1).replace(tzinfo=UTC)
    if "T" in round_id:
        day, hour = round_id.split("T")
        return datetime.fromisoformat(day).replace(hour=int(hour), tzinfo=UTC)
    if round_id.count("-") == 1:
        return datetime.fromisoformat(round_id + "-01").replace(tzinfo=UTC)
    return datetime.fromisoformat(round_id).replace(tzinfo=UTC)


@contextmanager
def results_store(settings: StoreSettings, local: Store | None) -> Iterator[ResultStore]:
    """Yields the store holding the results: the shared PostgreSQL store when `store.url` is
    set, else `local`, the SQLite store the job runner opened and checked (None only on a host
    whose results live in the shared store). Raises StoreError / UnavailableError / AuthError
    on opening."""
    if settings.url:
        from ixpready.measurements.store_pg import PgStore  # psycopg only when configured

        with PgStore.open(settings.url.reveal()) as shared:
            yield shared
    elif local is not None:
        yield local  # checked by the runner when it opened it
    else:
        raise StoreError("no store: neither store.url nor a local store was given")


def assign_rounds(store: ResultStore, period: str) -> int:
    """Files every result still in no round under the round of its start time; returns how
    many were filed. Results of a round's own measurements are filed by `ixpready run`."""
    keys = store.unassigned()
    if not keys:
        return 0
    return store.set_rounds((key, round_of(key.started, period)) for key in keys)


# ---------------------------------------------------------------------------------------------
# The trend


# A round point's counts of domestic paths, as its JSON forms name them.
POINT_COUNTS = ("domestic_paths", "local", "local_via_ixp", "tromboned", "inconclusive")


@dataclass(frozen=True, slots=True)
class RoundPoint:
    """One round's domestic paths: counts, shares (0..1) and the median destination RTT."""

    round_id: str
    starts: datetime
    results: int
    domestic_paths: int
    local: int  # local and local via an IXP
    local_via_ixp: int
    tromboned: int
    inconclusive: int
    median_rtt_ms: float | None  # of domestic paths whose destination answered
    median_tromboned_rtt_ms: float | None

    def counts(self) -> dict[str, int]:
        """Returns the round's path counts by name (`POINT_COUNTS`), in that order."""
        return {name: getattr(self, name) for name in POINT_COUNTS}

    @property
    def local_share(self) -> float:
        """Returns the share of domestic paths kept local (0 when there are none)."""
        return self.local / self.domestic_paths if self.domestic_paths else 0.0

    @property
    def tromboned_share(self) -> float:
        """Returns the share of domestic paths that left the country."""
        return self.tromboned / self.domestic_paths if self.domestic_paths else 0.0

    @property
    def inconclusive_share(self) -> float:
        """Returns the share of domestic paths without a verdict either way."""
        return self.inconclusive / self.domestic_paths if self.domestic_paths else 0.0


@dataclass(frozen=True, slots=True)
class Trend:
    """Rounds in time order and the configured events, for `ixpready trend` and the report."""

    country: str
    period: str
    rounds: tuple[RoundPoint, ...]
    events: tuple[Event, ...]
    readiness: tuple[ReadinessRound, ...] = ()  # networks meeting each readiness point

    def events_before(self, point: RoundPoint) -> tuple[Event, ...]:
        """Returns the events dated after the previous round began and up to this round's end
        (the events to mark just before this round)."""
        index = self.rounds.index(point)
        previous = self.rounds[index - 1].starts.date() if index else date.min
        return tuple(e for e in self.events if previous < e.day <= point.starts.date())

    def as_text(self) -> str:
        """Returns the trend as a table for the terminal, events on their own lines."""
        lines = [
            f"{'round':<14} {'results':>8} {'domestic':>8} {'local':>7} {'tromboned':>9} "
            f"{'inconcl.':>8} {'median RTT':>10}"
        ]
        shown: set[Event] = set()
        for point in self.rounds:
            for event in self.events_before(point):
                lines.append(f"-- {event.day.isoformat()} {terminal_safe(event.label)}")
                shown.add(event)
            rtt = "-" if point.median_rtt_ms is None else f"{point.median_rtt_ms:.1f} ms"
            lines.append(
                f"{point.round_id:<14} {point.results:>8} {point.domestic_paths:>8} "
                f"{point.local_share:>6.0%} {point.tromboned_share:>9.0%} "
                f"{point.inconclusive_share:>8.0%} {rtt:>10}"
            )
        for event in self.events:
            if event not in shown:
                lines.append(f"-- {event.day.isoformat()} {terminal_safe(event.label)}")
        if not self.rounds:
            lines.append("(no rounds yet: run `ixpready run`)")
        if self.readiness:
            t = Translator("en")
            lines.append(f"{t('ready_trend_title')} ({', '.join(r.round_id for r in self.readiness)}):")
            lines += [
                "  " + t("ready_trend_line", point=t(f"ready_short_{point}"), counts=counts)
                for point, counts in progress_lines(self.readiness)
            ]
        return "\n".join(lines)

    def to_json(self) -> bytes:
        """Returns the trend as JSON (format `ixpready-trend/1`)."""
        return orjson.dumps(
            {
                "format": TREND_FORMAT,
                "country": self.country,
                "period": self.period,
                "rounds": [
                    {
                        "round": p.round_id,
                        "starts": p.starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "results": p.results,
                        **p.counts(),
                        "local_share": round(p.local_share, 4),
                        "tromboned_share": round(p.tromboned_share, 4),
                        "inconclusive_share": round(p.inconclusive_share, 4),
                        "median_rtt_ms": p.median_rtt_ms,
                        "median_tromboned_rtt_ms": p.median_tromboned_rtt_ms,
                    }
                    for p in self.rounds
                ],
                "events": [{"date": e.day.isoformat(), "label": e.label} for e in self.events],
                "readiness": [
                    {"round": r.round_id, "networks": r.networks, **dict(r.met)}
                    for r in self.readiness
                ],
            },
            option=orjson.OPT_INDENT_2,
        )


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


class PointTally:
    """Counts a round's domestic paths as they pass, for its trend point: verdicts by kind
    and the destination RTTs (a double each), nothing else of a path kept."""

    def __init__(self) -> None:
        self.verdicts: Counter[Verdict] = Counter()
        self.rtts = array("d")
        self.tromboned_rtts = array("d")

    def add(self, path: PathVerdict) -> None:
        """Counts one domestic path."""
        self.verdicts[path.verdict] += 1
        if path.rtt_ms is not None:
            self.rtts.append(path.rtt_ms)
            if path.verdict is Verdict.TROMBONED:
                self.tromboned_rtts.append(path.rtt_ms)

    def point(self, round_id: str, results: int) -> RoundPoint:
        """Returns the trend point of the paths counted, for a round of `results` results."""
        local_via_ixp = self.verdicts[Verdict.LOCAL_VIA_IXP]
        return RoundPoint(
            round_id=round_id,
            starts=round_start(round_id),
            results=results,
            domestic_paths=self.verdicts.total(),
            local=self.verdicts[Verdict.LOCAL] + local_via_ixp,
            local_via_ixp=local_via_ixp,
            tromboned=self.verdicts[Verdict.TROMBONED],
            inconclusive=self.verdicts[Verdict.INCONCLUSIVE],
            median_rtt_ms=_median(self.rtts),
            median_tromboned_rtt_ms=_median(self.tromboned_rtts),
        )


def round_point(round_id: str, results: int, analysis: AnalysisResult) -> RoundPoint:
    """Returns a round's point of the trend from its analysis."""
    tally = PointTally()
    for path in analysis.paths:
        tally.add(path)
    return tally.point(round_id, results)


def summary_point(summary: RoundSummary) -> RoundPoint:
    """Returns a round's point of the trend from the summary kept when its results were
    dropped (`retention`): the point its analysis gave then."""
    return RoundPoint(
        round_id=summary.round_id,
        starts=round_start(summary.round_id),
        results=summary.results,
        domestic_paths=summary.domestic_paths,
        local=summary.local_paths,
        local_via_ixp=summary.local_via_ixp,
        tromboned=summary.tromboned,
        inconclusive=summary.inconclusive,
        median_rtt_ms=summary.median_rtt_ms,
        median_tromboned_rtt_ms=summary.median_tromboned_rtt_ms,
    )


def trend_of(
    analysed_points: tuple[RoundPoint, ...],
    kept: tuple[RoundSummary, ...] = (),
    *,
    country: str,
    period: str,
    events: tuple[Event, ...] = (),
) -> Trend:
    """Returns the trend of analysed rounds given by their points (`round_point`,
    `RoundAnalysis.point`) and of rounds whose results were dropped (their kept summaries,
    which win over an analysis), for `country` and `rounds.period`, marked with `events`."""
    summarised = {s.round_id: summary_point(s) for s in kept}
    analysed = {p.round_id: p for p in analysed_points if p.round_id not in summarised}
    points = tuple(p for _, p in sorted({**analysed, **summarised}.items()))
    return Trend(country, period, points, events)


def period_length(period: str) -> timedelta:
    """Returns the nominal length of a period (a month counts 31 days)."""
    lengths = {"month": timedelta(days=31), "week": timedelta(weeks=1), "day": timedelta(days=1)}
    return lengths.get(period) or timedelta(hours=int(period[:-1]))


# ---------------------------------------------------------------------------------------------
# Analysing rounds (each analysis is kept in <data_dir>/rounds/<round>/ and reused while the
# round's results and the reference data are unchanged)

ANALYSIS_FILE = "analysis.json"
STATE_FILE = "analysis-state.json"
POINT_FILE = "point.json"  # the round's trend point and analysis time, kept beside its analysis
POINT_FORMAT = "ixpready-round-point/1"


@dataclass(frozen=True)
class RoundAnalysis:
    """A round's analysis as kept in its file, and whether it was made just now.

    The round's trend point and the time of its analysis are at hand; its verdicts are read
    from the file when asked (`analysis`), one round at a time and not kept: a year of
    region-scale rounds (millions of verdicts each) never sits in memory at once.
    """

    round_id: str
    results: int
    point: RoundPoint
    generated_at: datetime
    analysis_file: Path
    fresh: bool
    quarantined: tuple[Malformed, ...]
    names: GatherSummary = NOTHING  # the reverse DNS asked for its hops (`ixpready run`)

    @classmethod
    def of(
        cls,
        analysis: AnalysisResult,
        round_id: str,
        results: int,
        analysis_file: Path,
        *,
        fresh: bool = False,
        quarantined: tuple[Malformed, ...] = (),
        names: GatherSummary = NOTHING,
    ) -> RoundAnalysis:
        """Returns the round of an analysis read or made now (kept in `analysis_file`)."""
        point = round_point(round_id, results, analysis)
        return cls(round_id, results, point, analysis.generated_at, analysis_file, fresh,
                   quarantined, names)  # fmt: skip

    @property
    def analysis(self) -> AnalysisResult:
        """The round's whole analysis, read from its file now (each call reads it again).

        Raises InputError when the file is gone or damaged."""
        return load_analysis(self.analysis_file)


def write_atomically(path: Path, data: bytes) -> Path:
    """Writes a file whole (temporary name, fsync, rename): a kill leaves old or new, never
    half. Returns the path."""
    return write_atomically_with(path, lambda handle: handle.write(data))


def write_atomically_with(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Writes a file whole as `write_atomically` does, `write` writing it a part at a time
    into the open temporary file. Returns the path."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:  # a full disk above all: the old file, if any, stays whole
        temporary.unlink(missing_ok=True)
        raise InputError(
            f"{path}: cannot write it ({exc.strerror}); the previous version is kept",
            hint="free space on that disk (or fix its permissions) and run the command "
            "again: work already stored is kept",
        ) from None
    return path


def _probes(
    store: ResultStore, local: Store | None, country: str, probes_file: Path | None
) -> tuple[dict[int, Probe], str]:
    found, source = _declared_probes(store, local, country, probes_file)
    if local is not None:  # the probes `ixpready locate` pinged from
        from ixpready.pipeline.locate import locate_probes

        pingers = {p: x for p, x in locate_probes(local).items() if p not in found}
        if pingers:
            found = {**found, **pingers}
            source += f" + {len(pingers)} locate probes"
    return found, source


def _declared_probes(
    store: ResultStore, local: Store | None, country: str, probes_file: Path | None
) -> tuple[dict[int, Probe], str]:
    if probes_file is not None:
        return load_probes(probes_file), str(probes_file)
    inventory = store.latest_inventory(country)
    if inventory is None and local is not None and local is not store:
        inventory = local.latest_inventory(country)  # discover's inventory of this host
    if inventory is None:
        return {}, "none"
    return (
        probes_from_document(json.loads(inventory.document)["probes"]),
        f"inventory {inventory.id}",
    )


def _rdns(rdns_file: Path | None) -> dict[IPAddress, str]:
    if rdns_file is None:
        return {}
    return load_rdns(rdns_file)


def _state(results: int, snapshot: RegistrySnapshot, probes_from: str) -> str:
    used = sorted(f"{s.kind}:{s.source}:{s.date}" for s in snapshot.sources)
    return json.dumps({"results": results, "snapshot": used, "probes": probes_from})


def _state_matches(folder: Path, state: str) -> bool:
    try:
        return (folder / STATE_FILE).read_text(encoding="utf-8") == state
    except (OSError, UnicodeDecodeError):
        return False


def _identity(path: Path) -> list[int]:
    """Returns what tells one analysis file from another (size, modification time, inode:
    every atomic write makes a new file). Raises OSError when it is gone."""
    found = path.stat()
    return [found.st_size, found.st_mtime_ns, found.st_ino]


def _write_point(
    folder: Path, point: RoundPoint, generated_at: datetime, state: str | None, identity: list[int]
) -> None:
    """Keeps a round's point beside its analysis (`identity`: of the analysis file it was
    counted from, taken before it was read; `state`: the inputs' state it was made under)."""
    document = {
        "format": POINT_FORMAT, "round": point.round_id, "state": state,
        "analysis": identity, "generated_at": generated_at.isoformat(),
        "results": point.results, **point.counts(),
        "median_rtt_ms": point.median_rtt_ms,
        "median_tromboned_rtt_ms": point.median_tromboned_rtt_ms,
    }  # fmt: skip
    write_atomically(folder / POINT_FILE, orjson.dumps(document, option=orjson.OPT_INDENT_2))


def _median_of(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a median")
    return float(value)


def _kept_point(
    folder: Path, round_id: str, results: int, state: str | None
) -> tuple[RoundPoint, datetime] | None:
    """Returns a round's kept point and the time of its analysis when its point file was
    counted from the analysis file there now, under `state` (None: any, a pruned round's);
    None when the point file is missing, old, damaged or stale."""
    try:
        document = orjson.loads((folder / POINT_FILE).read_bytes())
        if (
            document["format"] != POINT_FORMAT
            or document["round"] != round_id
            or (state is not None and document["state"] != state)
            or document["analysis"] != _identity(folder / ANALYSIS_FILE)
        ):
            return None
        counts = {name: document[name] for name in POINT_COUNTS}
        if not all(type(n) is int and n >= 0 for n in counts.values()):
            return None
        generated_at = datetime.fromisoformat(document["generated_at"])
        point = RoundPoint(
            round_id=round_id, starts=round_start(round_id), results=results, **counts,
            median_rtt_ms=_median_of(document["median_rtt_ms"]),
            median_tromboned_rtt_ms=_median_of(document["median_tromboned_rtt_ms"]),
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None  # orjson.JSONDecodeError is a ValueError
    return point, generated_at


def _kept_round(
    folder: Path, round_id: str, results: int, state: str | None
) -> RoundAnalysis | None:
    """Returns a round whose analysis is kept in `folder`: from its point file when that
    still holds, else from the analysis read once (its point file then written again);
    None when the analysis file is gone or damaged."""
    path = folder / ANALYSIS_FILE
    kept = _kept_point(folder, round_id, results, state)
    if kept is not None:
        return RoundAnalysis(round_id, results, kept[0], kept[1], path, fresh=False,
                             quarantined=())  # fmt: skip
    try:
        identity = _identity(path)  # before reading: a file replaced meanwhile never matches
        analysis = load_analysis(path)
    except (OSError, InputError):
        return None
    made = RoundAnalysis.of(analysis, round_id, results, path)
    _write_point(folder, made.point, made.generated_at, state, identity)
    return made


@dataclass(frozen=True)
class FreshRound:
    """What `analyse_round` made: the round's trend point (counted from the domestic paths
    as they were written, `results` the results read), the time of its analysis, the records
    quarantined and the reverse DNS asked."""

    point: RoundPoint
    generated_at: datetime
    quarantined: tuple[Malformed, ...]
    names: GatherSummary


def analyse_round(
    store: ResultStore,
    round_id: str,
    home: str,
    snapshot: RegistrySnapshot,
    probes: dict[int, Probe],
    rdns: dict[IPAddress, str],
    resolver: PtrResolver | None,
    *,
    store_name: str,
    path: Path,
    chunk_results: int = CHUNK_RESULTS,
) -> FreshRound:
    """Analyses one round of the store and writes its analysis file (atomically); returns
    its trend point, the time of its analysis, the records quarantined and the reverse DNS
    asked. `store_name` names the store in the analysis's inputs; `path` is the analysis file.

    The round's results are read from the store as they come, a chunk at a time, by the
    streaming passes (`analyze_stream`: one to gather, one to judge and spool the verdicts,
    with a pass before them for the hop addresses when a `resolver` asks their names): the
    results are never all in memory, the verdicts once. The trend point is counted from the
    domestic paths as they are written: the file is not read back. The file is byte for byte
    the in-memory analysis's.
    """
    source = round_source(store, round_id)
    asked = NOTHING
    if resolver is not None:
        asked = gather(store, all_hop_addresses((), None, source), resolver)
    names = merged(stored_names(store), rdns)
    tally = PointTally()
    with tempfile.TemporaryDirectory(prefix="ixpready-spool-") as spool:
        streamed, first = analyze_stream(
            (), Path(spool), home=home, snapshot=snapshot, probes=probes,
            rdns=names, inputs=(f"{store_name} round {round_id}",),
            chunk_results=chunk_results, source=source,
        )  # fmt: skip
        write_atomically_with(path, lambda out: streamed.write("json", out, seen=tally.add))
    head = streamed.head
    # as the file gives it back (`load_analysis`): the text written, read
    generated_at = datetime.fromisoformat(head.generated_at.isoformat())
    point = tally.point(round_id, head.summary.results_read)
    return FreshRound(point, generated_at, first.quarantined, asked)


def analysed_rounds(
    local: Store | None,
    *,
    country: str,
    shared: StoreSettings,
    run: RunSettings,
    rounds: RoundsSettings,
    refdata_dir: Path,
    rounds_dir: Path,
    snapshot: RegistrySnapshot | None = None,
    resolver: PtrResolver | None = None,
) -> tuple[RoundAnalysis, ...]:
    """Returns every round's analysis, oldest round first, analysing the rounds whose results
    or reference data changed since their analysis was written (atomically). A round whose
    raw results retention dropped is never analysed again: its kept analysis file is
    returned as it is (the round is left out on a host without that file). The store's
    reverse-DNS names are evidence; with a `resolver`, the names of a round's hop addresses
    are asked (and kept) before it is analysed, until a round finds no server answering.
    `local`: the store the job runner opened (the results' store unless `shared.url` is set;
    None on a host whose results live in the shared store); `run`: the probes and names files;
    `rounds`: the period; each round's files go in `rounds_dir`/<round>.

    A kept round's point and the time of its analysis come from its `point.json`, written
    after its analysis file and valid while it names that very file (and, for a round still
    held, the inputs' state): no kept analysis file is read. A round without a valid point
    file (a data folder from before them, a kill between the two writes) has its analysis
    read once and its point file written again.

    Raises RefdataError when the reference data cannot be read, StoreError for a damaged store.
    """
    snapshot = snapshot or load_snapshot(refdata_dir)
    rdns = _rdns(run.rdns_file)
    source = (local.path if local is not None else Path("store")).name
    outcome: list[RoundAnalysis] = []
    with results_store(shared, local) as store:
        assign_rounds(store, rounds.period)
        probes, probes_from = _probes(store, local, country, run.probes_file)
        pruned = {s.round_id: s.results for s in store.round_summaries()}
        for round_id, count in pruned.items():
            gone = _kept_round(rounds_dir / round_id, round_id, count, None)
            if gone is not None:
                outcome.append(gone)
        for round_id, count in store.round_counts().items():
            if round_id in pruned:  # results that came back after the round was pruned
                continue
            folder = rounds_dir / round_id
            state = _state(count, snapshot, probes_from)
            if _state_matches(folder, state):
                kept = _kept_round(folder, round_id, count, state)
                if kept is not None:
                    outcome.append(kept)
                    continue
            path = folder / ANALYSIS_FILE
            made = analyse_round(
                store, round_id, country, snapshot, probes, rdns, resolver, store_name=source,
                path=path,
            )  # fmt: skip
            if made.names.unreachable:
                resolver = None  # offline: the other rounds do not wait for it again
            if made.quarantined:
                store.quarantine(made.quarantined)
            identity = _identity(path)  # written by analyse_round; the state tells it whole
            write_atomically(folder / STATE_FILE, state.encode())
            point = replace(made.point, results=count)
            _write_point(folder, point, made.generated_at, state, identity)  # after the two
            outcome.append(RoundAnalysis(round_id, count, point, made.generated_at, path,
                                         fresh=True, quarantined=made.quarantined,
                                         names=made.names))  # fmt: skip
    return tuple(sorted(outcome, key=lambda r: r.round_id))


def trend(
    local: Store | None,
    *,
    country: str,
    shared: StoreSettings,
    run: RunSettings,
    rounds: RoundsSettings,
    refdata_dir: Path,
    rounds_dir: Path,
    events: tuple[Event, ...] = (),
) -> Trend:
    """Returns the trend over every round in the store (analysing rounds as needed, see
    `analysed_rounds` for the arguments), rounds whose raw results were dropped included
    (from their kept summaries), marked with `events`.

    Raises RefdataError / StoreError as `analysed_rounds`.
    """
    analysed = analysed_rounds(local, country=country, shared=shared, run=run, rounds=rounds,
                               refdata_dir=refdata_dir, rounds_dir=rounds_dir)  # fmt: skip
    with results_store(shared, local) as store:
        kept = store.round_summaries()
    result = trend_of(tuple(r.point for r in analysed), kept,
                      country=country, period=rounds.period, events=events)  # fmt: skip
    readiness = round_readiness(analysed, period=rounds.period, refdata_dir=refdata_dir,
                                rounds_dir=rounds_dir)  # fmt: skip
    return replace(result, readiness=readiness)


READINESS_FILE = "readiness-counts.json"  # per round: its readiness counts, kept with it


def _counts_key(refdata: Path, generated_at: datetime) -> str:
    marker = refdata / "snapshot.json"
    stamp = marker.stat().st_mtime_ns if marker.is_file() else 0
    return f"{refdata}|{stamp}|{generated_at.isoformat()}"


def _kept_counts(path: Path) -> tuple[str, ReadinessRound] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        kept = ReadinessRound(
            str(document["round"]), int(document["networks"]),
            tuple((str(p), int(n)) for p, n in document["met"]),
        )  # fmt: skip
        return str(document["key"]), kept
    except (OSError, ValueError, KeyError, TypeError):
        return None


def round_readiness(
    rounds: Sequence[RoundAnalysis], *, period: str, refdata_dir: Path, rounds_dir: Path,
    known: Mapping[str, AnalysisResult] | None = None,
) -> tuple[ReadinessRound, ...]:  # fmt: skip
    """Returns the readiness counts of each round, with the reference data of its time.

    Each round's counts are kept beside its analysis (`readiness-counts.json`) and reused
    while the analysis and the reference folder are unchanged; a round whose analysis is gone
    (retention, another host) keeps the counts it had. `known`: analyses the caller has
    read already, by round (the newest, for `ixpready run`), not read again.
    """
    known = known or {}
    length = period_length(period)
    out: dict[str, ReadinessRound] = {}
    for r in rounds:
        day = (round_start(r.round_id) + length - timedelta(seconds=1)).date()
        folder = refdata_as_of(refdata_dir, day)
        key = _counts_key(folder, r.generated_at)
        path = rounds_dir / r.round_id / READINESS_FILE
        kept = _kept_counts(path)
        if kept is not None and kept[0] == key:
            out[r.round_id] = kept[1]
            continue
        held = known.get(r.round_id)
        analysis = r.analysis if held is None else held  # r.analysis reads the file
        (counts,) = readiness_history(folder, [(r.round_id, day, analysis)])
        document = {"round": counts.round_id, "networks": counts.networks,
                    "met": [list(m) for m in counts.met], "key": key}  # fmt: skip
        write_atomically(path, json.dumps(document).encode())
        out[r.round_id] = counts
    if rounds_dir.is_dir():
        for folder in sorted(rounds_dir.iterdir()):
            if folder.name not in out and (kept := _kept_counts(folder / READINESS_FILE)):
                out[folder.name] = kept[1]
    return tuple(counts for _, counts in sorted(out.items()))
