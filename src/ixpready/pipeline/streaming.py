"""Analysis at region scale: verdicts written as they are made, on every core.

`analyze_stream` reads the results twice. The first pass gathers what judging needs across
all of them (`Gathering`: each probe's vantage and access delay, each address's RTT discs,
the probes' location checks); the second re-reads them a chunk at a time, judges each chunk
(`Judging`) and spools its verdicts, sorted, to a temporary file. The writers then merge the
spooled runs in the order of the JSON contract. Memory grows with the probes, addresses and
routes seen (and a set of the result keys, to drop duplicates), not with the verdicts.

With `workers` > 1 the second pass is split across processes forked once the reference
data and the first pass are in memory (shared copy-on-write, not copied per worker): each
worker reads the input (parsing is the cheaper part) and judges and spools every
`workers`-th chunk; only counts come back to the parent. The
output is byte for byte the one of one worker, and the same as `analyze_traces` on the
same input (see tests/pipeline/test_streaming.py).
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import struct
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
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
from ixpready.analysis.verdicts import AnalysisResult, PathVerdict, Verdict
from ixpready.enrichment.annotate import Lookups
from ixpready.errors import InputError, UsageError
from ixpready.gcpause import collector_paused
from ixpready.measurements.parse import Outcome, parse_bytes, parse_lines
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import IPAddress, Malformed, PingResult, Probe, Skipped, Trace
from ixpready.measurements.store import Store
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


def file_outcomes(path: Path, block_lines: int = BLOCK_LINES) -> Iterator[Outcome]:
    """Yields the outcomes of a results file as `read_results` does, reading a large JSON-
    lines file `block_lines` lines at a time (a JSON document, or a small file, is read
    whole). A malformed record names its line in the whole file all the same."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
        first_line = head.split(b"\n", 1)[0].strip()
        whole = size <= WHOLE_FILE_BYTES and block_lines == BLOCK_LINES
        if whole or head[:1] != b"{" or first_line == b"{":
            handle.seek(0)
            yield from parse_bytes(handle.read(), path.name)
            return
        handle.seek(0)
        before = 0  # lines of the file before the block
        block: list[bytes] = []
        for line in handle:
            block.append(line)
            if len(block) >= block_lines:
                yield from _block(block, path.name, before)
                before += len(block)
                block = []
        if block:
            yield from _block(block, path.name, before)


def _block(lines: list[bytes], origin: str, before: int) -> Iterator[Outcome]:
    # A leading empty line: the block is never taken for one pretty-printed document.
    data = b"\n" + b"".join(lines).rstrip(b"\n")
    shift = before - 1
    prefix = f"{origin}:"
    for outcome in parse_bytes(data, origin):
        if isinstance(outcome, Malformed) and shift and outcome.where.startswith(prefix):
            rest = outcome.where[len(prefix) :]
            digits = len(rest) - len(rest.lstrip("0123456789"))
            if digits:
                where = f"{prefix}{int(rest[:digits]) + shift}{rest[digits:]}"
                outcome = Malformed(where, outcome.reason, outcome.raw)
        yield outcome


def input_outcomes(
    paths: Sequence[Path], store: Path | None, block_lines: int = BLOCK_LINES
) -> Iterator[Outcome]:
    """Yields every outcome of the result files, then of the store's results."""
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such results file")
        yield from file_outcomes(path, block_lines)
    if store is not None:
        if not store.is_file():
            raise InputError(f"{store}: no such store", hint="fetch results first: ixpready fetch")
        with Store.open(store) as opened:
            for stored in opened.results():
                yield from parse_lines([stored.raw], f"store msm {stored.key.msm_id}")


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


def chunks(outcomes: Iterable[Outcome], size: int = CHUNK_RESULTS) -> Iterator[Chunk]:
    """Yields the outcomes in chunks of `size` traces; a trace whose key came before (in
    this chunk or an earlier one) is counted as a duplicate, the first one kept."""
    seen: set[int | tuple[int, int, int]] = set()
    chunk = Chunk()
    for outcome in outcomes:
        if isinstance(outcome, Trace):
            key = outcome.key
            packed = _packed(key.msm_id, key.prb_id, key.timestamp)
            if packed in seen:
                chunk.duplicates += 1
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


def judge_chunk(judging: Judging, traces: Sequence[Trace], spool: Path, number: int) -> Tally:
    """Judges a chunk of traces and spools its verdicts as two sorted runs
    (`<number>.domestic`, `<number>.other`); returns what it counted."""
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
    _write_run(domestic, spool / f"{number:06d}.domestic")
    _write_run(other, spool / f"{number:06d}.other")
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

    def write(self, form: str, out: BinaryIO) -> None:
        """Writes the analysis as `json` (the contract), `csv` (the domestic paths) or
        `jsonl` (a path object per line, domestic paths first)."""
        if form == "json":
            write_json(self.head, self.paths(), self.other_paths(), out)
        elif form == "csv":
            for line in paths_csv_lines(self.paths()):
                out.write(line.encode("utf-8"))
        elif form == "jsonl":
            for path in self.paths():
                out.write(path_line(path))
            for path in self.other_paths():
                out.write(path_line(path))
        else:
            raise UsageError(f"unknown format {form!r}: json, csv or jsonl")


# --- the two passes -----------------------------------------------------------------------


@dataclass(frozen=True)
class FirstPass:
    """What the first pass read: the gathering, the traces to judge, the malformed records,
    and the counts of the rest of the input (as `ReadOutcome.counts` counts it in memory)."""

    gathering: Gathering
    traces: int
    quarantined: tuple[Malformed, ...]
    counts: InputCounts


@dataclass(frozen=True)
class _Share:
    """What a worker process judges: every `workers`-th chunk of the input, from `index`."""

    judging: Judging
    spool: Path
    results: tuple[Path, ...]
    store: Path | None
    chunk_results: int
    block_lines: int
    workers: int


_SHARE: _Share | None = None  # set in the parent before forking: shared, not copied


def _judge_share(index: int) -> tuple[int, Tally]:
    """Judges one worker's share of the chunks. Each worker reads the whole input (so its
    chunks, and which results are duplicates, are the parent's) and judges its own."""
    share = _SHARE
    assert share is not None
    tally = Tally()
    judged = 0
    outcomes = input_outcomes(share.results, share.store, share.block_lines)
    for number, chunk in enumerate(chunks(outcomes, share.chunk_results)):
        if number % share.workers == index and chunk.traces:
            tally.add(judge_chunk(share.judging, chunk.traces, share.spool, number))
            judged += len(chunk.traces)
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
) -> tuple[StreamedAnalysis, FirstPass]:
    """Returns the analysis of result files (and a store's results), its verdicts spooled
    under the folder `spool` (which must exist and be empty); and what the first pass read.

    The verdicts are those of `analyze_traces` on the same input. `first` may pass a first
    pass already made (`first_pass`); `workers` processes judge (1: this one).
    """
    home = home.upper()
    probe_map = dict(probes or {})
    if lookups is None:
        lookups = Lookups.build(snapshot, rdns)
    if first is None:
        first = first_pass(results, store, probe_map, lookups, chunk_results, block_lines)
    judging = first.gathering.judging(home=home, snapshot=snapshot, lookups=lookups)
    tally = Tally()
    total = first.traces
    done = 0
    if workers <= 1:
        outcomes = input_outcomes(results, store, block_lines)
        for number, chunk in enumerate(chunks(outcomes, chunk_results)):
            if chunk.traces:
                tally.add(judge_chunk(judging, chunk.traces, spool, number))
                done += len(chunk.traces)
                if on_progress is not None:
                    on_progress(done, total)
    else:
        global _SHARE
        _SHARE = _Share(judging, spool, tuple(results), store, chunk_results, block_lines, workers)
        try:  # forked after the reference data and the first pass are in memory
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for judged, part in pool.imap_unordered(_judge_share, range(workers)):
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
) -> FirstPass:
    """Reads every result once, a chunk at a time, and gathers what judging needs."""
    gathering = Gathering(probes, lookups.places)
    traces = skipped = duplicates = other = 0
    bad: list[Malformed] = []
    for chunk in chunks(input_outcomes(results, store, block_lines), chunk_results):
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
    return FirstPass(gathering, traces, tuple(bad), counts)


def all_hop_addresses(results: Sequence[Path], store: Path | None) -> list[IPAddress]:
    """Returns `hop_addresses` of every trace of the input, read a chunk at a time."""
    seen: dict[IPAddress, None] = {}
    for chunk in chunks(input_outcomes(results, store)):
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
    """Writes the analysis of result files to `out` in `form` (json, csv, jsonl) as
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
