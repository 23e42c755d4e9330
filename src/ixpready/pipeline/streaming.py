"""Analysis at region scale: verdicts written as they are made, on every core.

`analyze_stream` reads the results twice. The first pass gathers what judging needs across
all of them (`Gathering`: each probe's vantage and access delay, each address's RTT discs,
the probes' location checks); the second re-reads them a chunk at a time, judges each chunk
(`Judging`) and spools its verdicts, sorted, to a temporary file. The writers then merge the
spooled runs in the order of the JSON contract. Memory grows with the probes, addresses and
routes seen (and a set of the result keys, to drop duplicates), not with the verdicts.

With `workers` > 1 the second pass is split across processes forked once the reference
data and the first pass are in memory (shared copy-on-write, not copied per worker). The
first pass notes the input's segments (a whole file, a block of 2,000 lines of a large
JSON-lines file, the store) and which traces of each are duplicates (`Plan`); each worker
takes segments in turn, reads and parses only those, and judges and spools their traces;
only counts come back to the parent, which reads nothing in the second pass. The output is
byte for byte the one of one worker, and the same as `analyze_traces` on the same input
(see tests/pipeline/test_streaming.py).
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import struct
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import msgspec

from ixpready.analysis.core import (
    VERDICT_ORDER,
    Gathering,
    InputCounts,
    Judging,
    alike_groups,
    analysis_result,
    other_path_cause,
    seen_asns,
    summary_of,
)
from ixpready.analysis.export import path_line, write_json
from ixpready.analysis.parquet import write_parquet
from ixpready.analysis.verdicts import AnalysisResult, PathVerdict, Verdict
from ixpready.enrichment.annotate import Lookups
from ixpready.errors import InputError, UsageError
from ixpready.gcpause import collector_paused
from ixpready.measurements.parse import Outcome, parse_bytes, parse_lines
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
from ixpready.measurements.store import ResultStore, Store
from ixpready.pipeline.analyze import (
    checked_inputs,
    names_and_pingers,
    warnings_of,
    write_quarantine,
)
from ixpready.pipeline.rdns import (
    GatherSummary,
    hop_addresses,
)
from ixpready.progress import Progress
from ixpready.refdata.snapshots import RegistrySnapshot, load_snapshot
from ixpready.report.exports import paths_csv_lines
from ixpready.sources.rdns import PtrResolver

CHUNK_RESULTS = 2_000  # traces judged at a time: bounds the memory of the second pass
BLOCK_LINES = 2_000  # lines of a JSON-lines file parsed at a time
WHOLE_FILE_BYTES = 4 << 20  # smaller files (and JSON documents) are read whole
FAN_IN = 200  # spooled runs merged at once (open files)


def default_workers() -> int:
    """Returns the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# --- reading, a block at a time ---------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A piece of the input that is read and parsed on its own: a whole results file
    (`size` -1), a block of lines of a large JSON-lines file (`size` bytes from byte
    `start`, after `before` lines), or every result of a store (`store`)."""

    path: Path
    start: int = 0
    size: int = -1
    before: int = 0
    store: bool = False


Piece = tuple[Segment, Iterator[Outcome]]


def file_pieces(
    path: Path, block_lines: int = BLOCK_LINES, table: AddressTable | None = None
) -> Iterator[Piece]:
    """Yields a results file as segments with their outcomes (to be read before the next
    segment): a large JSON-lines file `block_lines` lines at a time (a JSON document, or a
    small file, whole). A malformed record names its line in the whole file all the same.
    `table`: the pass's addresses and routes (see `AddressTable`), else one for this file."""
    table = AddressTable() if table is None else table
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
        first_line = head.split(b"\n", 1)[0].strip()
        whole = size <= WHOLE_FILE_BYTES and block_lines == BLOCK_LINES
        if whole or head[:1] != b"{" or first_line == b"{":
            handle.seek(0)
            yield Segment(path), parse_bytes(handle.read(), path.name, table)
            return
        handle.seek(0)
        start = before = 0  # bytes and lines of the file before the block
        block: list[bytes] = []
        for line in handle:
            block.append(line)
            if len(block) >= block_lines:
                data = b"".join(block)
                yield Segment(path, start, len(data), before), _block(data, path.name, before, table)
                start += len(data)
                before += len(block)
                block = []
        if block:
            data = b"".join(block)
            yield Segment(path, start, len(data), before), _block(data, path.name, before, table)


def file_outcomes(path: Path, block_lines: int = BLOCK_LINES) -> Iterator[Outcome]:
    """Yields the outcomes of a results file as `read_results` does, a segment at a time
    (`file_pieces`)."""
    for _, outcomes in file_pieces(path, block_lines):
        yield from outcomes


def segment_outcomes(segment: Segment, table: AddressTable | None = None) -> Iterator[Outcome]:
    """Yields the outcomes of one segment, read on its own: those its piece yielded
    (`table`: see `file_pieces`)."""
    table = AddressTable() if table is None else table
    if segment.store:
        yield from _store_outcomes(segment.path, table)
        return
    with segment.path.open("rb") as handle:
        handle.seek(segment.start)
        data = handle.read() if segment.size < 0 else handle.read(segment.size)
    if segment.size < 0:
        yield from parse_bytes(data, segment.path.name, table)
    else:
        yield from _block(data, segment.path.name, segment.before, table)


def _store_outcomes(store: Path, table: AddressTable) -> Iterator[Outcome]:
    with Store.open(store) as opened:
        for stored in opened.results():
            yield from parse_lines([stored.raw], f"store msm {stored.key.msm_id}", table)


def _block(lines: bytes, origin: str, before: int, table: AddressTable) -> Iterator[Outcome]:
    # A leading empty line: the block is never taken for one pretty-printed document.
    data = b"\n" + lines.rstrip(b"\n")
    shift = before - 1
    prefix = f"{origin}:"
    for outcome in parse_bytes(data, origin, table):
        if isinstance(outcome, Malformed) and shift and outcome.where.startswith(prefix):
            rest = outcome.where[len(prefix) :]
            digits = len(rest) - len(rest.lstrip("0123456789"))
            if digits:
                where = f"{prefix}{int(rest[:digits]) + shift}{rest[digits:]}"
                outcome = Malformed(where, outcome.reason, outcome.raw)
        yield outcome


def input_pieces(
    paths: Sequence[Path], store: Path | None, block_lines: int = BLOCK_LINES
) -> Iterator[Piece]:
    """Yields the segments of the result files, then the store's (one segment), read with
    one `AddressTable`: equal routes of the whole input are one object."""
    table = AddressTable()
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such results file")
        yield from file_pieces(path, block_lines, table)
    if store is not None:
        if not store.is_file():
            raise InputError(f"{store}: no such store", hint="fetch results first: ixpready fetch")
        yield Segment(store, store=True), _store_outcomes(store, table)


def input_outcomes(
    paths: Sequence[Path], store: Path | None, block_lines: int = BLOCK_LINES
) -> Iterator[Outcome]:
    """Yields every outcome of the result files, then of the store's results."""
    for _, outcomes in input_pieces(paths, store, block_lines):
        yield from outcomes


Source = Callable[[], Iterator[Outcome]]  # the input, read from its start at each call


def files_source(
    paths: Sequence[Path], store: Path | None, block_lines: int = BLOCK_LINES
) -> Source:
    """Returns the input of result files (and a store's results) as a `Source`."""
    return lambda: input_outcomes(paths, store, block_lines)


def round_source(store: ResultStore, round_id: str) -> Source:
    """Returns a round's results in an open store as a `Source`: the store's rows are read
    as they come (a cursor; PostgreSQL's fetches 2,000 rows at a time), never all at once,
    and each named `store round <id>:<n>` as the in-memory reading names them."""

    def outcomes() -> Iterator[Outcome]:
        raws = (r.raw for r in store.round_results(round_id))
        return parse_lines(raws, f"store round {round_id}", AddressTable())

    return outcomes


@dataclass
class Chunk:
    """A chunk of the input: its traces (each key once in the whole input) and pings, and
    what could not be used."""

    traces: list[Trace] = field(default_factory=list)
    pings: list[PingResult] = field(default_factory=list)
    quarantined: list[Malformed] = field(default_factory=list)
    skipped: int = 0
    duplicates: int = 0
    other_results: int = 0


def _packed(msm: int, prb: int, timestamp: int) -> int | tuple[int, int, int]:
    """Returns a result key as one int (smaller in a set than a tuple) when it fits."""
    if 0 <= msm < 1 << 40 and 0 <= prb < 1 << 40 and 0 <= timestamp < 1 << 40:
        return msm << 80 | prb << 40 | timestamp
    return (msm, prb, timestamp)


def chunks(
    outcomes: Iterable[Outcome],
    size: int = CHUNK_RESULTS,
    on_duplicate: Callable[[], None] | None = None,
) -> Iterator[Chunk]:
    """Yields the outcomes in chunks of `size` traces; a trace whose key came before (in
    this chunk or an earlier one) is counted as a duplicate, the first one kept (and
    `on_duplicate` called as it is dropped)."""
    seen: set[int | tuple[int, int, int]] = set()
    chunk = Chunk()
    for outcome in outcomes:
        if isinstance(outcome, Trace):
            key = outcome.key
            packed = _packed(key.msm_id, key.prb_id, key.timestamp)
            if packed in seen:
                chunk.duplicates += 1
                if on_duplicate is not None:
                    on_duplicate()
                continue
            seen.add(packed)
            chunk.traces.append(outcome)
            if len(chunk.traces) >= size:
                yield chunk
                chunk = Chunk()
        elif isinstance(outcome, Malformed):
            chunk.quarantined.append(outcome)
        elif isinstance(outcome, Skipped):
            chunk.skipped += 1
        else:
            chunk.other_results += 1
            if isinstance(outcome, PingResult):
                chunk.pings.append(outcome)
    yield chunk


@dataclass
class Plan:
    """The segments of the input as the first pass read them: each one's traces and which
    of them (by their order among the segment's traces) are duplicates of earlier ones. A
    worker reads a segment on its own and judges the same traces as one reading the whole."""

    segments: list[Segment] = field(default_factory=list)
    traces: list[int] = field(default_factory=list)  # each segment's traces, duplicates too
    duplicates: dict[int, set[int]] = field(default_factory=dict)

    def outcomes(self, pieces: Iterable[Piece]) -> Iterator[Outcome]:
        """Yields the pieces' outcomes, noting each segment and counting its traces."""
        for segment, outcomes in pieces:
            self.segments.append(segment)
            self.traces.append(0)
            for outcome in outcomes:
                if isinstance(outcome, Trace):
                    self.traces[-1] += 1
                yield outcome

    def duplicate(self) -> None:
        """Notes that the trace just yielded is a duplicate (`chunks`' `on_duplicate`)."""
        index = len(self.segments) - 1
        self.duplicates.setdefault(index, set()).add(self.traces[index] - 1)


# --- the spool: sorted runs of verdicts on disk -------------------------------------------

_LENGTH = struct.Struct("<I")
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(PathVerdict)


def _write_run(verdicts: list[PathVerdict], path: Path) -> None:
    verdicts.sort(key=VERDICT_ORDER)
    _write_sorted(verdicts, path)


def _write_sorted(verdicts: Iterable[PathVerdict], path: Path) -> None:
    with path.open("wb") as out:
        for verdict in verdicts:
            data = _ENCODER.encode(verdict)
            out.write(_LENGTH.pack(len(data)))
            out.write(data)


def _merge(runs: Sequence[Path]) -> Iterator[PathVerdict]:
    return heapq.merge(*(_read_run(run) for run in runs), key=VERDICT_ORDER)


def _read_run(path: Path) -> Iterator[PathVerdict]:
    with path.open("rb") as handle:
        while header := handle.read(_LENGTH.size):
            (length,) = _LENGTH.unpack(header)
            yield _DECODER.decode(handle.read(length))


@dataclass
class Tally:
    """What the second pass counts while it spools: verdicts by kind, the networks named,
    why paths got no domestic verdict."""

    domestic: Counter[Verdict] = field(default_factory=Counter)
    other: int = 0
    asns: set[int] = field(default_factory=set)
    causes: Counter[str] = field(default_factory=Counter)

    def add(self, more: Tally) -> None:
        self.domestic.update(more.domestic)
        self.other += more.other
        self.asns |= more.asns
        self.causes.update(more.causes)


def judge_chunk(judging: Judging, traces: Sequence[Trace], spool: Path, name: str) -> Tally:
    """Judges a chunk of traces and spools its verdicts as two sorted runs
    (`<name>.domestic`, `<name>.other`); returns what it counted."""
    tally = Tally()
    domestic: list[PathVerdict] = []
    other: list[PathVerdict] = []
    home = judging.home
    for verdicts, holds in judging.judge(traces, alike_groups(traces)):
        tally.asns |= seen_asns(verdicts[:1] if holds else verdicts)
        if verdicts[0].is_domestic:
            domestic += verdicts
            tally.domestic.update(v.verdict for v in verdicts)
        else:
            other += verdicts
            tally.other += len(verdicts)
            tally.causes.update(other_path_cause(v, home) for v in verdicts)
    _write_run(domestic, spool / f"{name}.domestic")
    _write_run(other, spool / f"{name}.other")
    return tally


@dataclass(frozen=True)
class StreamedAnalysis:
    """An analysis whose verdicts wait, sorted in runs, in a spool folder: `head` holds all
    but the paths (its `paths`/`other_paths` are empty), `paths()` and `other_paths()` give
    them in the contract's order, as often as asked, while the spool exists."""

    head: AnalysisResult
    spool: Path
    other_causes: tuple[tuple[str, int], ...]

    def _merged(self, kind: str) -> Iterator[PathVerdict]:
        runs = sorted(self.spool.glob(f"*.{kind}"))
        merges = 0
        while len(runs) > FAN_IN:  # so few files are open at once: merge runs into longer ones
            merges += 1
            longer = self.spool / f"merged-{merges:06d}.{kind}"
            _write_sorted(_merge(runs[:FAN_IN]), longer)
            for run in runs[:FAN_IN]:
                run.unlink()
            runs = [*runs[FAN_IN:], longer]
        return _merge(runs)

    def paths(self) -> Iterator[PathVerdict]:
        return self._merged("domestic")

    def other_paths(self) -> Iterator[PathVerdict]:
        return self._merged("other")

    def write(
        self, form: str, out: BinaryIO, *, seen: Callable[[PathVerdict], object] | None = None
    ) -> None:
        """Writes the analysis as `json` (the contract), `csv` (the domestic paths), `jsonl`
        (a path object per line, domestic paths first) or `parquet` (a row per path, as
        `analysis.parquet` lays it out, a row group at a time). `seen` is called with each
        domestic path as it is written (a round's trend point is counted so, without reading
        the file back)."""
        if form not in ("json", "csv", "jsonl", "parquet"):
            raise UsageError(f"unknown format {form!r}: json, csv, jsonl or parquet")
        paths = self.paths() if seen is None else _seen(self.paths(), seen)
        if form == "json":
            write_json(self.head, paths, self.other_paths(), out)
        elif form == "csv":
            for line in paths_csv_lines(paths):
                out.write(line.encode("utf-8"))
        elif form == "jsonl":
            for path in paths:
                out.write(path_line(path))
            for path in self.other_paths():
                out.write(path_line(path))
        else:
            write_parquet(self.head, paths, self.other_paths(), out)


def _seen(
    paths: Iterator[PathVerdict], seen: Callable[[PathVerdict], object]
) -> Iterator[PathVerdict]:
    for path in paths:
        seen(path)
        yield path


# --- the two passes -----------------------------------------------------------------------


@dataclass(frozen=True)
class FirstPass:
    """What the first pass read: the gathering, the traces to judge, the malformed records,
    and the counts of the rest of the input (as `ReadOutcome.counts` counts it in memory)."""

    gathering: Gathering
    traces: int
    quarantined: tuple[Malformed, ...]
    counts: InputCounts
    plan: Plan | None = None  # the segments read (None for a `source` given)


@dataclass(frozen=True)
class _Share:
    """What every worker process judges with."""

    judging: Judging
    spool: Path
    chunk_results: int


_SHARE: _Share | None = None  # set in the parent before forking: shared, not copied


def _judge_segment(task: tuple[int, Segment, frozenset[int]]) -> tuple[int, Tally]:
    """Reads one segment of the input on its own, leaves out the traces the first pass
    found duplicated (by their order in the segment), and judges the rest in chunks."""
    share = _SHARE
    assert share is not None
    index, segment, duplicates = task
    tally = Tally()
    traces: list[Trace] = []
    ordinal = part = 0
    for outcome in segment_outcomes(segment):
        if not isinstance(outcome, Trace):
            continue
        if ordinal not in duplicates:
            traces.append(outcome)
        ordinal += 1
        if len(traces) >= share.chunk_results:
            tally.add(judge_chunk(share.judging, traces, share.spool, f"{index:06d}-{part:04d}"))
            part += 1
            traces = []
    if traces:
        tally.add(judge_chunk(share.judging, traces, share.spool, f"{index:06d}-{part:04d}"))
    judged = ordinal - len(duplicates)
    return judged, tally


@collector_paused()
def analyze_stream(
    results: Sequence[Path],
    spool: Path,
    *,
    home: str,
    snapshot: RegistrySnapshot,
    lookups: Lookups | None = None,
    probes: dict[int, Probe] | None = None,
    rdns: dict[IPAddress, str] | None = None,
    store: Path | None = None,
    inputs: tuple[str, ...] = (),
    simulated: bool = False,
    workers: int = 1,
    chunk_results: int = CHUNK_RESULTS,
    block_lines: int = BLOCK_LINES,
    on_progress: Progress | None = None,
    first: FirstPass | None = None,
    source: Source | None = None,
) -> tuple[StreamedAnalysis, FirstPass]:
    """Returns the analysis of result files (and a store's results), its verdicts spooled
    under the folder `spool` (which must exist and be empty); and what the first pass read.

    The verdicts are those of `analyze_traces` on the same input. `first` may pass a first
    pass already made (`first_pass`); `workers` processes judge (1: this one): each reads
    and judges whole segments of the input the first pass noted (`Plan`), the parent reads
    nothing again. `source` replaces the input of `results` and `store` (a round of an open
    store: `round_source`); it is judged by this process alone (a forked worker must not
    share the store's connection).
    """
    home = home.upper()
    probe_map = dict(probes or {})
    if lookups is None:
        lookups = Lookups.build(snapshot, rdns)
    if first is None:
        first = first_pass(results, store, probe_map, lookups, chunk_results, block_lines, source)
    if source is None:
        source = files_source(results, store, block_lines)
    judging = first.gathering.judging(home=home, snapshot=snapshot, lookups=lookups)
    tally = Tally()
    total = first.traces
    done = 0
    plan = first.plan
    if workers <= 1 or plan is None:
        for number, chunk in enumerate(chunks(source(), chunk_results)):
            if chunk.traces:
                tally.add(judge_chunk(judging, chunk.traces, spool, f"{number:06d}"))
                done += len(chunk.traces)
                if on_progress is not None:
                    on_progress(done, total)
    else:
        tasks = [
            (index, segment, frozenset(plan.duplicates.get(index, ())))
            for index, segment in enumerate(plan.segments)
            if plan.traces[index]
        ]
        global _SHARE
        _SHARE = _Share(judging, spool, chunk_results)
        try:  # forked after the reference data and the first pass are in memory
            with multiprocessing.get_context("fork").Pool(min(workers, len(tasks) or 1)) as pool:
                for judged, part in pool.imap_unordered(_judge_segment, tasks):
                    tally.add(part)
                    done += judged
                    if on_progress is not None:
                        on_progress(done, total)
        finally:
            _SHARE = None
    summary = summary_of(tally.domestic, tally.other, first.traces, first.counts)
    head = analysis_result(
        judging, snapshot, summary, tally.asns, inputs=inputs, simulated=simulated
    )
    causes = tuple(sorted(tally.causes.items(), key=lambda item: (-item[1], item[0])))
    return StreamedAnalysis(head, spool, causes), first


@collector_paused()
def first_pass(
    results: Sequence[Path],
    store: Path | None,
    probes: dict[int, Probe],
    lookups: Lookups,
    chunk_results: int = CHUNK_RESULTS,
    block_lines: int = BLOCK_LINES,
    source: Source | None = None,
) -> FirstPass:
    """Reads every result once, a chunk at a time, and gathers what judging needs (from
    `source` when given, instead of `results` and `store`, whose segments it notes)."""
    plan = None
    if source is None:
        plan = Plan()
        outcomes = plan.outcomes(input_pieces(results, store, block_lines))
        found = chunks(outcomes, chunk_results, plan.duplicate)
    else:
        found = chunks(source(), chunk_results)
    gathering = Gathering(probes, lookups.places)
    traces = skipped = duplicates = other = 0
    bad: list[Malformed] = []
    for chunk in found:
        if chunk.traces:
            gathering.add_traces(chunk.traces)
        if chunk.pings:
            gathering.add_pings(chunk.pings)
        traces += len(chunk.traces)
        bad += chunk.quarantined
        skipped += chunk.skipped
        duplicates += chunk.duplicates
        other += chunk.other_results
    counts = InputCounts(len(bad), skipped, duplicates, other)
    return FirstPass(gathering, traces, tuple(bad), counts, plan)


def all_hop_addresses(
    results: Sequence[Path], store: Path | None, source: Source | None = None
) -> list[IPAddress]:
    """Returns `hop_addresses` of every trace of the input (or of `source`), read a chunk
    at a time."""
    seen: dict[IPAddress, None] = {}
    for chunk in chunks((source or files_source(results, store))()):
        seen.update(dict.fromkeys(hop_addresses(chunk.traces)))
    return list(seen)


# --- the job --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamRun:
    """What `analyze_files_to` wrote: the analysis without its paths, how many bad records
    went where, and the warnings a user should read."""

    head: AnalysisResult
    quarantined: tuple[Malformed, ...]
    quarantine_file: Path | None
    names: GatherSummary | None = None
    warnings: tuple[str, ...] = ()


def analyze_files_to(
    out: BinaryIO,
    form: str,
    results: Sequence[Path],
    *,
    country: str,
    refdata: Path,
    probes: Path | None = None,
    rdns: Path | None = None,
    quarantine: Path | None = None,
    store: Path | None = None,
    simulated: bool = False,
    workers: int = 1,
    on_progress: Progress | None = None,
    resolver: PtrResolver | None = None,
    generated_at: datetime | None = None,
) -> StreamRun:
    """Writes the analysis of result files to `out` in `form` (json, csv, jsonl, parquet) as
    `analyze_files` would make it, in memory bounded by the probes, addresses and routes
    seen. Raises what `analyze_files` raises."""
    paths, empty = checked_inputs(results, store)
    snapshot = load_snapshot(refdata)
    probe_map: dict[int, Probe] = dict(load_probes(probes)) if probes is not None else {}
    # The first pass needs the lookups, which need the names: with --resolve, the hop
    # addresses are gathered by a pass of their own first.
    names, gathered = names_and_pingers(
        store, lambda: all_hop_addresses(paths, store), resolver, rdns, probe_map
    )
    lookups = Lookups.build(snapshot, names)
    first = first_pass(paths, store, probe_map, lookups)
    if quarantine is not None and first.quarantined:
        write_quarantine(first.quarantined, quarantine)
    with tempfile.TemporaryDirectory(prefix="ixpready-spool-") as folder:
        streamed, _ = analyze_stream(
            paths, Path(folder), home=country, snapshot=snapshot, lookups=lookups,
            probes=probe_map, store=store, simulated=simulated, workers=workers,
            inputs=tuple(p.name for p in paths) + ((f"store {store.name}",) if store else ()),
            on_progress=on_progress, first=first,
        )  # fmt: skip
        if generated_at is not None:
            streamed = replace(streamed, head=replace(streamed.head, generated_at=generated_at))
        streamed.write(form, out)
    if store is not None:
        with Store.open(store) as opened:
            dates = ", ".join(sorted({f"{x.source}@{x.date}" for x in snapshot.sources}))
            opened.record_analysis(dates, str(refdata), first.traces)
    head = streamed.head
    return StreamRun(
        head, first.quarantined, quarantine if first.quarantined else None, names=gathered,
        warnings=warnings_of(head, streamed.other_causes, empty, refdata, snapshot),
    )  # fmt: skip
