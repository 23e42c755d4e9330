"""The analyze job: read results, enrich every hop, judge every path, write the analysis.

`analyze_files` is what `ixpready analyze` and `ixpready demo` call; `analyze_traces` is
the in-memory core (used by the benchmark). Nothing here opens a socket: `--resolve` asks
the reverse DNS through the resolver it is given (`sources.rdns`, see `pipeline.rdns`).
"""

from __future__ import annotations

import functools
import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import ParamSpec, TypeVar

import orjson

from ixpready.analysis.detours import Crossing, interconnection_places
from ixpready.analysis.probecheck import check_probes
from ixpready.analysis.tromboning import (
    Ends,
    JudgeMemo,
    JudgeSettings,
    access_delay_ms,
    judge,
    judge_route,
    restate_many,
)
from ixpready.analysis.verdicts import (
    AnalysisResult,
    PathVerdict,
    ProbeCheck,
    SnapshotInfo,
    Summary,
)
from ixpready.enrichment.annotate import (
    AnnotatedTrace,
    Annotator,
    Lookups,
    Vantage,
    learned_conventions,
    observe,
    parse_rdns,
    vantage_of,
)
from ixpready.enrichment.geo import Gazetteer
from ixpready.errors import InputError, UsageError
from ixpready.measurements.parse import Outcome, parse_lines, read_results
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import (
    AddressTable,
    IPAddress,
    Malformed,
    PingResult,
    Probe,
    Skipped,
    Trace,
)
from ixpready.measurements.store import Store
from ixpready.pipeline.rdns import (
    GatherSummary,
    gather,
    hop_addresses,
    merged,
    resolve_in_memory,
    stored_names,
)
from ixpready.pipeline.upload import spool_files
from ixpready.progress import Progress
from ixpready.refdata.snapshots import RegistrySnapshot, load_snapshot
from ixpready.sources.rdns import PtrResolver

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _collector_paused(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Runs `function` with Python's cyclic garbage collector paused, then restores it.

    Reading and judging build hundreds of thousands of small records (a Reply per packet)
    that form no reference cycles and live until the analysis is written: they are freed by
    reference counting all the same, while the collector, run every few hundred allocations,
    would walk the ever larger heap again and again for nothing (half the CPU time of a
    12,805-result analysis). The collector runs as usual once the function returns.
    """

    @functools.wraps(function)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@dataclass(frozen=True)
class ReadOutcome:
    """Traces read from files (deduplicated by key), and what could not be used."""

    traces: tuple[Trace, ...]
    quarantined: tuple[Malformed, ...]
    skipped: int
    duplicates: int
    other_results: int  # pings and DNS results, read but not judged
    pings: tuple[PingResult, ...] = ()  # the pings among them (each key once): locate evidence


def _sources(
    paths: Sequence[Path], store: Path | None, table: AddressTable
) -> Iterator[Iterable[Outcome]]:
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such results file")
        yield read_results(path, table)
    if store is not None:
        if not store.is_file():
            raise InputError(f"{store}: no such store", hint="fetch results first: ixpready fetch")
        with Store.open(store) as opened:
            raw = [(f"store msm {r.key.msm_id}", r.raw) for r in opened.results()]
        yield (o for origin, text in raw for o in parse_lines([text], origin, table))


@_collector_paused
def read_traces(
    paths: Sequence[Path], on_progress: Progress | None = None, *, store: Path | None = None
) -> ReadOutcome:
    """Returns every traceroute in the files (and the store, if given), each key once; bad
    records are quarantined.

    Raises InputError when a file cannot be opened; StoreError for a damaged store.
    """
    total = len(paths) + (store is not None)
    table = AddressTable()  # one per read: equal routes of every file are one object

    def outcomes() -> Iterator[Outcome]:
        for done, source in enumerate(_sources(paths, store, table), start=1):
            yield from source
            if on_progress is not None:
                on_progress(done, total)

    return gather_outcomes(outcomes())


def gather_outcomes(outcomes: Iterable[Outcome]) -> ReadOutcome:
    """Returns the traceroutes among reader outcomes, each key once (the first kept, the
    others counted as duplicates), with the malformed records and the others counted."""
    # Keyed by the key's fields as a plain tuple (TraceKey's own hash is a Python call).
    traces: dict[tuple[int, int, int], Trace] = {}
    pings: dict[tuple[int, int, int], PingResult] = {}
    bad: list[Malformed] = []
    skipped = duplicates = other = 0
    for outcome in outcomes:
        if isinstance(outcome, Trace):
            key = outcome.key
            fields = (key.msm_id, key.prb_id, key.timestamp)
            if fields in traces:
                duplicates += 1
            else:
                traces[fields] = outcome
        elif isinstance(outcome, Malformed):
            bad.append(outcome)
        elif isinstance(outcome, Skipped):
            skipped += 1
        else:
            other += 1
            if isinstance(outcome, PingResult):
                key = outcome.key
                pings.setdefault((key.msm_id, key.prb_id, key.timestamp), outcome)
    return ReadOutcome(
        tuple(traces.values()), tuple(bad), skipped, duplicates, other, tuple(pings.values())
    )


def ping_observations(
    pings: Iterable[PingResult],
) -> dict[IPAddress, dict[int, float]]:
    """Returns, per pinged address, the smallest RTT (ms) each probe got from it; pings that
    got no reply (or have no destination address) give nothing."""
    seen: dict[IPAddress, dict[int, float]] = {}
    for ping in pings:
        rtt = ping.min_rtt_ms
        if ping.destination is None or rtt is None or rtt < 0:
            continue
        per_probe = seen.setdefault(ping.destination, {})
        prb = ping.key.prb_id
        if rtt < per_probe.get(prb, float("inf")):
            per_probe[prb] = rtt
    return seen


def write_quarantine(records: Iterable[Malformed], path: Path) -> int:
    """Appends records not already in the quarantine file (JSON lines); returns how many.

    Re-running on the same input adds nothing: records are keyed by place and content.
    """
    seen: set[str] = set()
    if path.is_file():
        for line in path.read_bytes().splitlines():
            try:
                seen.add(str(orjson.loads(line).get("id")))
            except (orjson.JSONDecodeError, AttributeError):
                continue
    added = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        for record in records:
            ident = hashlib.sha256(f"{record.where}\0{record.raw}".encode()).hexdigest()[:16]
            if ident in seen:
                continue
            seen.add(ident)
            handle.write(
                orjson.dumps(
                    {"id": ident, "where": record.where, "reason": record.reason, "raw": record.raw}
                )
                + b"\n"
            )
            added += 1
    return added


def _ends(
    trace: Trace,
    probe: Probe | None,
    dst_probe: Probe | None,
    annotated: AnnotatedTrace,
    annotator: Annotator,
    access: dict[int, float],
    checks: dict[int, ProbeCheck] | None = None,
) -> Ends:
    """Returns what is known of the two ends of a trace's path. A destination probe whose
    own RTTs contradict its declared place gives no point (see `checks`). `dst_probe`: the
    probe whose own address the trace's destination is, if any."""
    src_asn = None if probe is None else probe.asn(trace.af)
    src_country = None if probe is None else probe.country
    if trace.public_source is not None and (src_asn is None or src_country is None):
        info = annotator.info(trace.public_source)
        src_asn = src_asn if src_asn is not None else info.asn
        src_country = src_country or info.registry_country
    dst = annotated.destination
    dst_point = None
    dst_check = None if dst_probe is None or checks is None else checks.get(dst_probe.id)
    if (
        dst_probe is not None
        and dst_probe.latitude is not None
        and dst_probe.longitude is not None
        and (dst_check is None or dst_check.status != "contradicted")
    ):
        dst_point = (dst_probe.latitude, dst_probe.longitude)
    return Ends(
        src_asn=src_asn,
        src_country=src_country,
        dst_asn=(dst_probe.asn(trace.af) if dst_probe else None)
        or (None if dst is None else dst.asn),
        dst_country=(dst_probe.country if dst_probe else None)
        or (None if dst is None else dst.registry_country),
        dst_point=dst_point,
        src_access_ms=access.get(trace.key.prb_id, 0.0),
        dst_access_ms=0.0 if dst_probe is None else access.get(dst_probe.id, 0.0),
    )


def _probe_for(trace: Trace, probes: dict[int, Probe]) -> Probe | None:
    probe = probes.get(trace.key.prb_id)
    if probe is None:
        return trace.vantage
    return probe


def alike_groups(traces: Sequence[Trace]) -> list[list[int]]:
    """Returns the positions of traces alike, each group in the order of its first trace.

    Traces alike (see `judge_route`: one route object, probe, address family, destination,
    public source, probe description, origin, error or not) are judged once when the
    verdict depends on what they share alone. Each group is also one probe and route, as
    `observe` and `access_delay_ms` take them.
    """
    return list(alike_keyed(traces).values())


def alike_keyed(traces: Sequence[Trace]) -> dict[tuple[object, ...], list[int]]:
    """Returns `alike_groups` under what the traces of each group share (`_alike_key`)."""
    alike: dict[tuple[object, ...], list[int]] = {}
    for position, trace in enumerate(traces):
        key = _alike_key(trace)
        members = alike.get(key)
        if members is None:
            alike[key] = [position]
        else:
            members.append(position)
    return alike


def _alike_key(trace: Trace) -> tuple[object, ...]:
    """Returns what traces alike share (see `alike_groups`): the route by its serial number,
    the destination and public source by their reader's numbers (`Trace.address_keys`)."""
    destination, public_source = trace.address_keys()
    return (
        trace.route().serial, trace.key.prb_id, trace.af, destination, public_source,
        trace.vantage, trace.origin, trace.error is None,
    )  # fmt: skip


HELD_MAX = 100_000  # verdicts kept for traces alike in later chunks (then forgotten)


class Gathering:
    """The first pass of an analysis: what judging needs from all the results, gathered
    chunk by chunk (each probe's vantage and access delay, each address's RTT discs), in
    memory that grows with the probes and addresses seen, not with the results.

    Adding the traces in chunks gives the same as adding them at once: observations keep
    the traces' order and the smallest RTT, access delays the smallest per address family.
    """

    def __init__(self, probes: dict[int, Probe], places: Gazetteer) -> None:
        self.probes = probes
        self.places = places
        self.vantages: dict[int, Vantage] = {}
        self.observations: dict[IPAddress, dict[int, float]] = {}
        self._access: tuple[dict[int, float], dict[int, float]] = ({}, {})  # IPv4, IPv6
        self._ping_vantages: dict[int, Vantage] = {}
        self._pinged: dict[IPAddress, dict[int, float]] = {}

    def add_traces(self, traces: Sequence[Trace], groups: list[list[int]] | None = None) -> None:
        """Adds a chunk of traces (`groups`: their `alike_groups`, when already made)."""
        groups = alike_groups(traces) if groups is None else groups
        vantages = self.vantages
        for positions in groups:  # a group's traces share their probe and its description
            head = traces[positions[0]]
            owner = _probe_for(head, self.probes)
            if owner is not None and head.key.prb_id not in vantages:
                vantages[head.key.prb_id] = vantage_of(owner, self.places)
        _merge_min(self.observations, observe(traces, groups))
        for family, best in zip((4, 6), self._access, strict=True):
            of_family = [g for g in groups if (traces[g[0]].af == 4) == (family == 4)]
            if of_family:
                for prb, delay in access_delay_ms(traces, of_family).items():
                    best[prb] = min(best.get(prb, delay), delay)

    def add_pings(self, pings: Iterable[PingResult]) -> None:
        """Adds a chunk of pings: their probes' vantages and each probe's smallest RTT."""
        for ping in pings:
            owner = self.probes.get(ping.key.prb_id) or ping.vantage
            if owner is not None and ping.key.prb_id not in self._ping_vantages:
                self._ping_vantages[ping.key.prb_id] = vantage_of(owner, self.places)
        _merge_min(self._pinged, ping_observations(pings))

    def judging(
        self,
        *,
        home: str,
        snapshot: RegistrySnapshot,
        lookups: Lookups,
        settings: JudgeSettings | None = None,
    ) -> Judging:
        """Returns what the second pass judges with (once every chunk was added)."""
        vantages = dict(self.vantages)
        for prb, vantage in self._ping_vantages.items():
            vantages.setdefault(prb, vantage)
        observations = self.observations
        pinged: dict[IPAddress, set[int]] = {}
        for address, per_probe in self._pinged.items():
            seen = observations.setdefault(address, {})
            for prb, rtt in per_probe.items():
                if rtt <= seen.get(prb, float("inf")):
                    seen[prb] = rtt
                    pinged.setdefault(address, set()).add(prb)
        v4, v6 = self._access
        access = {**v6, **v4}  # a probe's IPv4 traces decide when it has any
        if lookups.rdns:  # Hoiho: naming rules of this run's names its RTTs never contradict
            learned = learned_conventions(lookups, vantages, observations)
            if learned:
                lookups = replace(lookups, conventions=(*lookups.conventions, *learned))
        checking = Annotator(lookups, home, vantages, observations, pinged)
        checks = check_probes(checking, observations)
        trusted = {
            prb: replace(v, trusted=checks[prb].status != "contradicted")
            for prb, v in vantages.items()
        }
        by_address: dict[IPAddress, Probe] = {}
        for known in self.probes.values():
            for own in (known.address_v4, known.address_v6):
                if own is not None:
                    by_address[own] = known
        return Judging(
            home=home, probes=self.probes, by_address=by_address, lookups=lookups,
            annotator=checking.trusting(trusted), access=access, checks=checks,
            settings=settings, crossings=interconnection_places(snapshot, lookups.places, home),
        )  # fmt: skip


def _merge_min(
    into: dict[IPAddress, dict[int, float]], more: dict[IPAddress, dict[int, float]]
) -> None:
    """Merges per-address, per-probe RTTs, keeping the smallest and the first-seen order."""
    for address, per_probe in more.items():
        seen = into.get(address)
        if seen is None:
            into[address] = dict(per_probe)
            continue
        for prb, rtt in per_probe.items():
            if rtt < seen.get(prb, float("inf")):
                seen[prb] = rtt


@dataclass
class Judging:
    """The second pass of an analysis: everything a verdict is judged with, made once per
    run by `Gathering.judging`; `judge` takes the traces a chunk at a time."""

    home: str
    probes: dict[int, Probe]
    by_address: dict[IPAddress, Probe]
    lookups: Lookups
    annotator: Annotator
    access: dict[int, float]
    checks: dict[int, ProbeCheck]
    settings: JudgeSettings | None
    crossings: tuple[Crossing, ...]
    memo: JudgeMemo = field(default_factory=JudgeMemo)
    # Per group of traces alike whose first verdict holds for all: that verdict (a later
    # chunk's traces alike are restated from it, as traces of one group are).
    held: dict[tuple[object, ...], PathVerdict] = field(default_factory=dict)
    # The probe at each destination (None: no probe), by the address's reader number.
    _probe_at: dict[object, Probe | None] = field(default_factory=dict)

    def _destination_probe(self, trace: Trace) -> Probe | None:
        key = trace.address_keys()[0]
        found = self._probe_at.get(key, self)
        if found is self:
            destination = trace.destination
            found = self._probe_at[key] = (
                None if destination is None else self.by_address.get(destination)
            )
        return found  # type: ignore[return-value]

    def judge(
        self,
        traces: Sequence[Trace],
        groups: list[list[int]] | dict[tuple[object, ...], list[int]] | None = None,
    ) -> Iterator[tuple[list[PathVerdict], bool]]:
        """Yields the verdicts on each group of traces alike (see `alike_groups`, or
        `alike_keyed`), and whether the first holds for every trace of the group (else each
        was judged)."""
        annotator, home, places = self.annotator, self.home, self.lookups.places
        settings, memo, crossings = self.settings, self.memo, self.crossings
        held = self.held
        keyed = alike_keyed(traces) if groups is None else groups
        pairs = (
            keyed.items()
            if isinstance(keyed, dict)
            else ((_alike_key(traces[positions[0]]), positions) for positions in keyed)
        )
        for key, positions in pairs:
            group = [traces[position] for position in positions]
            first = group[0]
            kept = held.get(key)
            if kept is not None:  # alike traces of an earlier chunk: their verdict holds
                yield restate_many(kept, group), True
                continue
            annotated = annotator.annotate(first)
            ends = _ends(
                first, _probe_for(first, self.probes), self._destination_probe(first),
                annotated, annotator, self.access, self.checks,
            )  # fmt: skip
            check = self.checks.get(first.key.prb_id)
            verdict, holds = judge_route(
                annotated, home, ends, check, places, settings, memo=memo,
                crossings=crossings,
            )  # fmt: skip
            verdicts = [verdict]
            if holds:  # the others have the same networks as this one
                verdicts += restate_many(verdict, group[1:])
                if len(held) >= HELD_MAX:
                    held.clear()
                held[key] = verdict  # (serial numbers are never reused)
            else:
                for trace in group[1:]:
                    again = judge(
                        annotator.annotate(trace), home, ends, check, places, settings,
                        memo=memo, crossings=crossings,
                    )  # fmt: skip
                    verdicts.append(again)
            yield verdicts, holds


def seen_asns(verdicts: Iterable[PathVerdict]) -> set[int]:
    """Returns the networks a set of verdicts names (path, source and destination)."""
    return {a for v in verdicts for a in (*v.as_path, v.src_asn, v.dst_asn) if a is not None}


@_collector_paused
def analyze_traces(
    traces: Sequence[Trace],
    *,
    home: str,
    snapshot: RegistrySnapshot,
    probes: dict[int, Probe] | None = None,
    rdns: dict[IPAddress, str] | None = None,
    settings: JudgeSettings | None = None,
    read: ReadOutcome | None = None,
    inputs: tuple[str, ...] = (),
    simulated: bool = False,
    on_progress: Progress | None = None,
    lookups: Lookups | None = None,
    pings: Sequence[PingResult] | None = None,
) -> AnalysisResult:
    """Returns the verdict on every trace, domestic pairs first, with probe checks.

    `lookups` may be passed when already built from this `snapshot` and `rdns` (building
    them is per-run setup, seconds for a full routing table); else they are built here.
    `pings` (default: those of `read`) add each probe's smallest ping RTT to an address as a
    disc, and a small one from a probe of known place places the address (`ixpready
    locate`); their probes come from `probes` or, for an ixpready probe, its own record.
    All in memory; `pipeline.streaming` judges the same way in bounded memory.
    """
    home = home.upper()
    probes = dict(probes or {})
    if lookups is None:
        lookups = Lookups.build(snapshot, rdns)
    keyed = alike_keyed(traces)
    groups = list(keyed.values())
    gathering = Gathering(probes, lookups.places)
    gathering.add_traces(traces, groups)
    pings = (read.pings if read is not None else ()) if pings is None else pings
    if pings:
        gathering.add_pings(pings)
    judging = gathering.judging(home=home, snapshot=snapshot, lookups=lookups, settings=settings)
    domestic: list[PathVerdict] = []
    other: list[PathVerdict] = []
    total = len(traces)
    naming: list[PathVerdict] = []  # the verdicts whose networks are named (`seen_asns`)
    done = 0
    for verdicts, holds in judging.judge(traces, keyed):
        if holds:
            naming.append(verdicts[0])
        else:
            naming += verdicts
        (domestic if verdicts[0].is_domestic else other).extend(verdicts)
        done += len(verdicts)
        if on_progress is not None and (
            done // 500 > (done - len(verdicts)) // 500 or done == total
        ):
            on_progress(done, total)
    asns = seen_asns(naming)
    # TraceKey's order as a plain tuple (its generated comparison is a Python call per pair).
    domestic.sort(key=VERDICT_ORDER)
    other.sort(key=VERDICT_ORDER)
    read = read or ReadOutcome(tuple(traces), (), 0, 0, 0)
    checks = judging.checks
    return AnalysisResult(
        country=home,
        generated_at=datetime.now(tz=UTC).replace(microsecond=0),
        summary=Summary.of(
            tuple(domestic),
            tuple(other),
            results_read=len(traces)
            + len(read.quarantined)
            + read.skipped
            + read.duplicates
            + read.other_results,
            quarantined=len(read.quarantined),
            skipped=read.skipped + read.other_results,
            duplicates=read.duplicates,
        ),
        paths=tuple(domestic),
        other_paths=tuple(other),
        probes=tuple(checks[p] for p in sorted(checks)),
        snapshots=tuple(SnapshotInfo(s.kind, s.source, s.date) for s in snapshot.sources),
        as_names={a: snapshot.as_names[a] for a in sorted(asns) if a in snapshot.as_names},
        home_ixps=judging.lookups.ixps.exchanges_in(home),
        inputs=inputs,
        simulated=simulated,
    )


VERDICT_ORDER = attrgetter("trace.msm_id", "trace.prb_id", "trace.timestamp")


def load_rdns(path: Path) -> dict[IPAddress, str]:
    """Returns the reverse-DNS cache in a JSON file `{address: name}`.

    Raises InputError when the file is missing or not a JSON object.
    """
    try:
        document = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"{path}: no such reverse-DNS file") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: expected a JSON object from address to name")
    return parse_rdns(document)


@dataclass(frozen=True)
class AnalysisRun:
    """What `analyze_files` produced: the analysis, where bad records went, and what a user
    should know about the run (one line each: empty inputs, nothing domestic and why)."""

    result: AnalysisResult
    quarantined: tuple[Malformed, ...]
    quarantine_file: Path | None
    names: GatherSummary | None = None  # what `--resolve` asked, when it was given
    warnings: tuple[str, ...] = ()


def result_inputs(paths: Sequence[Path]) -> tuple[Path, ...]:
    """Returns the result files `paths` name: a file as is, a folder's `*.jsonl` and `*.json`
    files (sorted; hidden ones left out). Raises InputError for a missing path and for a
    folder holding no result file."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = spool_files(path)  # a probe's spool and any folder of results alike
            if not inside:
                raise InputError(
                    f"{path}: a folder without result files (*.jsonl, *.json)",
                    hint="give the result files themselves, or the folder a probe spools into",
                )
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such results file")
    return tuple(dict.fromkeys(found))


def _is_empty(path: Path) -> bool:
    """Returns True when a file holds nothing but white space (read only when small)."""
    size = path.stat().st_size
    return size == 0 or (size < 65536 and not path.read_bytes().strip())


def other_path_causes(result: AnalysisResult) -> tuple[tuple[str, int], ...]:
    """Returns why the paths that got no domestic verdict got none, most frequent first:
    an end that maps to no network in the reference data, an end of unknown country, or an
    end abroad."""
    causes = Counter(other_path_cause(path, result.country) for path in result.other_paths)
    return tuple(sorted(causes.items(), key=lambda item: (-item[1], item[0])))


def other_path_cause(path: PathVerdict, home: str) -> str:
    """Returns why a path got no domestic verdict (see `other_path_causes`)."""
    if path.src_country is None or path.dst_country is None:
        if path.dst_asn is None:
            return "destination address maps to no network (AS) in the reference data"
        if path.src_asn is None:
            return "source probe's network unknown (no probe metadata)"
        return "an end's country unknown (no probe metadata or registry record)"
    if path.src_country == home:
        return "destination registered abroad (outbound)"
    if path.dst_country == home:
        return "source probe abroad (inbound)"
    return "neither end in the country"


def warnings_of(
    result: AnalysisResult,
    causes: tuple[tuple[str, int], ...],
    empty: Sequence[Path],
    refdata: Path,
    snapshot: RegistrySnapshot,
) -> tuple[str, ...]:
    """Returns what a user should know about a run (one line each): empty inputs, ignored
    reference files, nothing domestic and why (`causes`: `other_path_causes`)."""
    lines = [f"{path}: empty file, no results in it" for path in empty]
    if snapshot.ignored:
        lines.append(
            f"reference data {refdata}: ignored (name not recognised): "
            f"{', '.join(snapshot.ignored)}; see README, Reference data"
        )
    if not result.summary.domestic_paths:
        why = "; ".join(f"{cause}: {n}" for cause, n in causes) or "no traceroute was read"
        lines.append(f"no domestic path between two {result.country} networks ({why})")
        if any("no network (AS)" in cause for cause, _ in causes):
            lines.append(
                f"the reference data in {refdata} mapped no path end to a network, so no "
                "verdict could be given: `ixpready refdata update` fetches prefix-to-AS and "
                "registry data (or place pfx2as*/delegated-* files there); "
                "`ixpready refdata show` tells what is loaded"
            )
    return tuple(lines)


def checked_inputs(
    results: Sequence[Path], store: Path | None
) -> tuple[tuple[Path, ...], list[Path]]:
    """Returns the result files `results` name (`result_inputs`) and the empty ones among them.

    Raises UsageError when there is neither a file nor a store, InputError when every file
    given is empty and there is no store to read instead.
    """
    if not results and store is None:
        raise UsageError(
            "no results file given",
            hint="ixpready analyze RESULTS... --country GT --refdata DIR (or --store)",
        )
    paths = result_inputs(results)
    empty = [path for path in paths if _is_empty(path)]
    if empty and len(empty) == len(paths) and store is None:
        raise InputError(
            f"no results to analyse: {', '.join(str(p) for p in empty)} "
            f"{'is' if len(empty) == 1 else 'are'} empty",
            hint="check the download or export that wrote it (ixpready fetch --export FILE)",
        )
    return paths, empty


def names_and_pingers(
    store: Path | None,
    hops: Callable[[], Iterable[IPAddress]],
    resolver: PtrResolver | None,
    rdns: Path | None,
    probe_map: dict[int, Probe],
) -> tuple[dict[IPAddress, str], GatherSummary | None]:
    """Returns the reverse-DNS names an analysis uses, and what `resolver` asked (if given).

    With a `store`: its kept names (after asking `resolver` for the `hops` addresses, kept
    there), and the probes `ixpready locate` pinged from are added to `probe_map`; without
    one, `resolver` answers in memory. Names in the `rdns` file win over both.
    """
    given = load_rdns(rdns) if rdns is not None else {}
    gathered: GatherSummary | None = None
    kept: Mapping[IPAddress, str] = {}
    if store is not None:
        from ixpready.pipeline.locate import locate_probes

        with Store.open(store) as opened:
            for prb, pinger in locate_probes(opened).items():  # the probes `locate` pinged from
                probe_map.setdefault(prb, pinger)
            if resolver is not None:
                gathered = gather(opened, hops(), resolver)
            kept = stored_names(opened)
    elif resolver is not None:
        kept, gathered = resolve_in_memory(hops(), resolver)
    return merged(kept, given), gathered


def analyze_files(
    results: Sequence[Path],
    *,
    country: str,
    refdata: Path,
    probes: Path | None = None,
    rdns: Path | None = None,
    quarantine: Path | None = None,
    store: Path | None = None,
    simulated: bool = False,
    on_progress: Progress | None = None,
    resolver: PtrResolver | None = None,
) -> AnalysisRun:
    """Returns the analysis of result files against a reference-data folder.

    With a `store`, the reverse-DNS names it keeps are evidence too; with a `resolver`, the
    names of the hop addresses are asked first (kept in the store when one is given, else in
    memory). Names in the `rdns` file win over both.

    Raises InputError / RefdataError for files that cannot be used at all; malformed
    records inside them are quarantined (to `quarantine` when given) and counted.
    """
    results, empty = checked_inputs(results, store)
    snapshot = load_snapshot(refdata)
    read = read_traces(results, store=store)
    probe_map = load_probes(probes) if probes is not None else {}
    names, gathered = names_and_pingers(
        store, lambda: hop_addresses(read.traces), resolver, rdns, probe_map
    )
    if quarantine is not None and read.quarantined:
        write_quarantine(read.quarantined, quarantine)
    result = analyze_traces(
        read.traces, home=country, snapshot=snapshot, probes=probe_map, rdns=names, read=read,
        inputs=tuple(p.name for p in results) + ((f"store {store.name}",) if store else ()),
        simulated=simulated, on_progress=on_progress,
    )  # fmt: skip
    if store is not None:
        with Store.open(store) as opened:
            dates = ", ".join(sorted({f"{x.source}@{x.date}" for x in snapshot.sources}))
            opened.record_analysis(dates, str(refdata), len(read.traces))
    return AnalysisRun(
        result, read.quarantined, quarantine if read.quarantined else None,
        names=gathered, warnings=warnings_of(result, other_path_causes(result), empty, refdata, snapshot),
    )  # fmt: skip
