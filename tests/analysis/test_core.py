"""The one sans-I/O entry point of the analysis (`analysis.core.analyze_traces`): objects in,
the AnalysisResult out, nothing read or written; the file job gives the same analysis."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ixpready.analysis.core import InputCounts, analyze_traces
from ixpready.analysis.export import to_json
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.demo.scenario import ScenarioFiles, write_scenario
from ixpready.enrichment.annotate import Lookups
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import Trace
from ixpready.pipeline.analyze import analyze_files, load_rdns, read_traces
from ixpready.refdata.snapshots import load_snapshot

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
# Audit events of file, directory, process and network access (Python's audit hooks).
ACCESS = ("open", "os.", "shutil.", "socket.", "subprocess.", "sqlite3.", "urllib.", "tempfile.")

_watching: list[list[str]] = []  # while not empty, the events of access are kept in the last


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _watching and event.startswith(ACCESS):
        _watching[-1].append(f"{event} {args[:1]!r}")


sys.addaudithook(_hook)  # process-wide and for good: it records only while a test watches


def _accesses(run: Any) -> tuple[Any, list[str]]:
    """Returns what `run()` returned and the file, process and network access it made."""
    seen: list[str] = []
    _watching.append(seen)
    try:
        return run(), seen
    finally:
        _watching.pop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> ScenarioFiles:
    return write_scenario(tmp_path_factory.mktemp("demo"), seed=2026)


def _contract(result: AnalysisResult) -> str:
    return to_json(replace(result, generated_at=WHEN, inputs=()))


def test_the_core_reads_and_writes_nothing_and_agrees_with_the_file_job(
    demo: ScenarioFiles,
) -> None:
    snapshot = load_snapshot(demo.refdata)
    read = read_traces(demo.results)
    probes = load_probes(demo.probes)
    rdns = load_rdns(demo.rdns)
    lookups = Lookups.build(snapshot, rdns)
    analyze_traces(read.traces[:50], home="GT", snapshot=snapshot, probes=probes, lookups=lookups)

    def traces() -> Iterator[Trace]:  # any iterable: here a generator, read once
        yield from read.traces

    def run() -> AnalysisResult:
        return analyze_traces(
            traces(), home="gt", snapshot=snapshot, probes=probes, rdns=rdns, pings=read.pings,
            counts=read.counts, simulated=True, generated_at=WHEN,
        )  # fmt: skip

    result, seen = _accesses(run)
    assert seen == []
    assert result.generated_at == WHEN and result.country == "GT"
    read_in = demo.atlas_results + demo.probe_results + demo.malformed_lines
    assert result.summary.results_read == read_in
    assert result.summary.quarantined == demo.malformed_lines > 0
    assert result.summary.domestic_paths > 0 and result.summary.tromboned > 0
    job = analyze_files(
        demo.results, country="GT", refdata=demo.refdata, probes=demo.probes, rdns=demo.rdns,
        simulated=True,
    ).result  # fmt: skip
    assert _contract(result) == _contract(job)


def test_the_watch_sees_a_file_opened(tmp_path: Path) -> None:
    # Else the test above could not fail.
    _, seen = _accesses(lambda: (tmp_path / "x").write_text("x"))
    assert any(event.startswith("open ") for event in seen)


def test_the_counts_of_what_was_not_judged_reach_the_summary(demo: ScenarioFiles) -> None:
    snapshot = load_snapshot(demo.refdata)
    read = read_traces(demo.results)
    some = read.traces[:40]
    bare = analyze_traces(some, home="GT", snapshot=snapshot)
    assert bare.summary.results_read == 40
    assert (bare.summary.quarantined, bare.summary.skipped, bare.summary.duplicates) == (0, 0, 0)
    counted = analyze_traces(
        some, home="GT", snapshot=snapshot, counts=InputCounts(3, 2, 5, 7), generated_at=WHEN
    )
    summary = counted.summary
    assert summary.results_read == 40 + 3 + 2 + 5 + 7
    assert (summary.quarantined, summary.skipped, summary.duplicates) == (3, 2 + 7, 5)
    assert counted.paths == bare.paths and counted.other_paths == bare.other_paths
    assert summary.domestic_paths + summary.other_paths == 40
