"""The streaming first pass counts its input in the one `InputCounts` (analysis.core), as the
in-memory reader counts it: the demo, every recorded fixture at once, and an input with
duplicates and malformed lines."""

from __future__ import annotations

from pathlib import Path

from tests.pipeline.stream_cases import cases

from ixpready.analysis.core import InputCounts
from ixpready.enrichment.annotate import Lookups
from ixpready.measurements.probes import load_probes
from ixpready.pipeline.analyze import read_traces
from ixpready.pipeline.streaming import first_pass
from ixpready.refdata.snapshots import load_snapshot


def test_the_first_pass_counts_what_the_reader_counts(recorded: Path, tmp_path: Path) -> None:
    found = cases(recorded, tmp_path)
    demo, every = found[0], found[-1]
    # Bad input beside real results: every fixture twice (duplicates) and lines that are
    # not results at all (quarantined, the good ones still read).
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"not": "a result"}\nnot json at all\n')
    doubled = (*every.results, *every.results, bad)
    seen: list[InputCounts] = []
    traces: list[int] = []
    for case, results in ((demo, demo.results), (every, every.results), (every, doubled)):
        snapshot = load_snapshot(case.refdata)
        probes = load_probes(case.probes) if case.probes else {}
        first = first_pass(list(results), None, probes, Lookups.build(snapshot, {}))
        read = read_traces(list(results))
        assert first.counts == read.counts, case.name
        assert first.traces == len(read.traces), case.name
        assert first.quarantined == read.quarantined, case.name
        assert first.counts.quarantined == len(first.quarantined)
        seen.append(first.counts)
        traces.append(first.traces)
    assert traces[2] == traces[1] > 0  # each key judged once
    assert seen[2].duplicates == 2 * seen[1].duplicates + traces[1]
    assert seen[2].quarantined == seen[1].quarantined + 2
    assert seen[1].other_results > 0  # pings and DNS results are counted, not judged
