"""The analysis core, sans I/O: traces, reference data, probes and pings in; a verdict on
every path and the summary out (`analyze_traces`). It opens no file and no socket.

An analysis is two passes over the traces: `Gathering` collects what judging needs from all
of them (each probe's vantage and access delay, each address's RTT discs), then `Judging`,
the per-run context (the annotator, the probe checks, the memos), judges them a group of
traces alike at a time. `analyze_traces` runs both passes in memory; the jobs in
`pipeline.analyze` (files, a store) and `pipeline.streaming` (bounded memory, spooled
verdicts, worker processes) read the input and call the same two passes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from operator import attrgetter

from ixpready.analysis.detours import Crossing, interconnection_places
from ixpready.analysis.probecheck import check_probes
from ixpready.analysis.tromboning import (
    Ends,
    JudgeMemo,
    JudgeSettings,
    access_delays_by_family,
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
    Verdict,
)
from ixpready.enrichment.annotate import (
    AnnotatedTrace,
    Annotator,
    Lookups,
    Vantage,
    learned_conventions,
    observe,
    vantage_of,
)
from ixpready.enrichment.geo import Gazetteer
from ixpready.gcpause import collector_paused
from ixpready.kernels import AlikeKeyed
from ixpready.kernels import alike_keyed as alike_keyed_kernel
from ixpready.measurements.parse import Outcome
from ixpready.measurements.records import IPAddress, Malformed, PingResult, Probe, Skipped, Trace
from ixpready.progress import Progress
from ixpready.refdata.snapshots import RegistrySnapshot


@dataclass(frozen=True)
class ReadOutcome:
    """Traces read from files (deduplicated by key), and what could not be used."""

    traces: tuple[Trace, ...]
    quarantined: tuple[Malformed, ...]
    skipped: int
    duplicates: int
    other_results: int  # pings and DNS results, read but not judged
    pings: tuple[PingResult, ...] = ()  # the pings among them (each key once): locate evidence

    @property
    def counts(self) -> InputCounts:
        """What was read besides the traces, as the summary counts it."""
        return InputCounts(len(self.quarantined), self.skipped, self.duplicates, self.other_results)


@dataclass(frozen=True)
class InputCounts:
    """What an analysis read besides the traces it judged; its summary counts them."""

    quarantined: int = 0  # malformed records (kept aside by the reader, never judged)
    skipped: int = 0  # records the reader recognised but does not analyse
    duplicates: int = 0  # traces whose key came before (the first was judged)
    other_results: int = 0  # pings and DNS results, read but not judged


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


def alike_keyed(
    traces: Sequence[Trace], *, kernel: AlikeKeyed | None = alike_keyed_kernel
) -> dict[tuple[object, ...], list[int]]:
    """Returns `alike_groups` under what the traces of each group share (`_alike_key`).
    `kernel` is its compiled twin (`kernels.alike_keyed`), used when built and not declining."""
    if kernel is not None:
        found = kernel(traces, Trace)
        if found is not None:
            return found
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
            prb = head.key.prb_id
            if prb not in vantages:  # (a probe's first group with an owner places it)
                owner = _probe_for(head, self.probes)
                if owner is not None:
                    vantages[prb] = vantage_of(owner, self.places)
        _merge_min(self.observations, observe(traces, groups))
        for best, delays in zip(self._access, access_delays_by_family(traces, groups), strict=True):
            for prb, delay in delays.items():
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


@collector_paused()
def analyze_traces(
    traces: Iterable[Trace],
    *,
    home: str,
    snapshot: RegistrySnapshot,
    probes: Mapping[int, Probe] | None = None,
    rdns: Mapping[IPAddress, str] | None = None,
    settings: JudgeSettings | None = None,
    counts: InputCounts | None = None,
    inputs: tuple[str, ...] = (),
    simulated: bool = False,
    on_progress: Progress | None = None,
    lookups: Lookups | None = None,
    pings: Iterable[PingResult] = (),
    generated_at: datetime | None = None,
) -> AnalysisResult:
    """Returns the verdict on every trace (each key once: see `gather_outcomes`), domestic
    pairs first, with the probe checks and the summary: the one entry point of the analysis.

    Sans I/O: the traces, reference data, probes and pings come in as objects, and nothing
    is read or written. `probes` places RIPE Atlas probes and names their networks (an
    ixpready probe's own record does when absent); `rdns` gives router names. `lookups` may
    be passed when already built from this `snapshot` and `rdns` (building them is per-run
    setup, seconds for a full routing table); else they are built here. `pings` add each
    probe's smallest ping RTT to an address as a disc, and a small one from a probe of known
    place places the address (`ixpready locate`). `counts` is what the reader read besides
    the traces (`ReadOutcome.counts`), for the summary; `inputs` names what was read and
    `simulated` marks a simulated input. `on_progress(done, total)` counts traces judged.
    All in memory; `pipeline.streaming` runs the same two passes in bounded memory.
    """
    home = home.upper()
    traces = traces if isinstance(traces, Sequence) else tuple(traces)
    probes = dict(probes or {})
    if lookups is None:
        lookups = Lookups.build(snapshot, rdns)
    keyed = alike_keyed(traces)
    groups = list(keyed.values())
    gathering = Gathering(probes, lookups.places)
    gathering.add_traces(traces, groups)
    pings = tuple(pings)
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
    summary = summary_of(
        Counter(v.verdict for v in domestic), len(other), total, counts or InputCounts()
    )
    return analysis_result(
        judging, snapshot, summary, asns, paths=tuple(domestic), other_paths=tuple(other),
        inputs=inputs, simulated=simulated, generated_at=generated_at,
    )  # fmt: skip


def summary_of(
    domestic: Mapping[Verdict, int], other_paths: int, judged: int, counts: InputCounts
) -> Summary:
    """Returns the summary of an analysis: the domestic paths by verdict, how many paths got
    no domestic verdict, and what was read (the `judged` traces and the `counts` of the rest)."""
    return Summary.counted(
        domestic,
        other_paths,
        results_read=judged
        + counts.quarantined
        + counts.skipped
        + counts.duplicates
        + counts.other_results,
        quarantined=counts.quarantined,
        skipped=counts.skipped + counts.other_results,
        duplicates=counts.duplicates,
    )


def analysis_result(
    judging: Judging,
    snapshot: RegistrySnapshot,
    summary: Summary,
    asns: Iterable[int],
    *,
    paths: tuple[PathVerdict, ...] = (),
    other_paths: tuple[PathVerdict, ...] = (),
    inputs: tuple[str, ...] = (),
    simulated: bool = False,
    generated_at: datetime | None = None,
) -> AnalysisResult:
    """Returns the analysis `judging` made: the verdicts (`paths`, `other_paths`; left empty
    when they are spooled, see `pipeline.streaming`), the summary, the probe checks, the
    reference data's dates, the names of the networks `asns` seen (see `seen_asns`) and the
    home country's IXPs."""
    checks = judging.checks
    home = judging.home
    return AnalysisResult(
        country=home,
        generated_at=generated_at or datetime.now(tz=UTC).replace(microsecond=0),
        summary=summary,
        paths=paths,
        other_paths=other_paths,
        probes=tuple(checks[p] for p in sorted(checks)),
        snapshots=tuple(SnapshotInfo(s.kind, s.source, s.date) for s in snapshot.sources),
        as_names={a: snapshot.as_names[a] for a in sorted(asns) if a in snapshot.as_names},
        home_ixps=judging.lookups.ixps.exchanges_in(home),
        inputs=inputs,
        simulated=simulated,
    )


VERDICT_ORDER = attrgetter("trace.msm_id", "trace.prb_id", "trace.timestamp")


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
