"""The analyze job: read results, enrich every hop, judge every path, write the analysis.

`analyze_files` is what `ixpready analyze` and `ixpready demo` call; the judging itself is
`analysis.core` (sans I/O). Nothing here opens a socket: `--resolve` asks the reverse DNS
through the resolver it is given (`sources.rdns`, see `pipeline.rdns`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from ixpready.analysis.core import (
    ReadOutcome,
    analyze_traces,
    gather_outcomes,
    other_path_causes,
)
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.enrichment.annotate import parse_rdns
from ixpready.errors import InputError, UsageError
from ixpready.gcpause import collector_paused
from ixpready.measurements.parse import Outcome, parse_lines, read_results
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import AddressTable, IPAddress, Malformed, Probe
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


@collector_paused()
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
        read.traces, home=country, snapshot=snapshot, probes=probe_map, rdns=names,
        pings=read.pings, counts=read.counts,
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
