"""Judging once per route object changes no verdict.

The reader hands traces of one route out with one Route object; annotation and judging then
work out what depends on the route alone once per route object. The same traces copied
(each copy works its route out afresh, so no two share one) must get byte-identical
verdicts, evidence and summary, and a trace judged alone the same verdict as in a run.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from ixpready.analysis.core import analyze_traces
from ixpready.analysis.export import to_json
from ixpready.analysis.tromboning import Ends, JudgeMemo, access_delay_ms, judge
from ixpready.analysis.verdicts import AnalysisResult, Verdict
from ixpready.demo.scenario import write_scenario
from ixpready.enrichment.annotate import (
    Annotator,
    Lookups,
    learned_conventions,
    observe,
    vantage_of,
)
from ixpready.measurements.probes import load_probes
from ixpready.pipeline.analyze import load_rdns, read_traces
from ixpready.refdata.gazetteer import distance_km, gazetteer
from ixpready.refdata.snapshots import load_snapshot


def _json(result: AnalysisResult) -> dict[str, object]:
    document = orjson.loads(to_json(result))
    document.pop("generated_at")
    return document


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ...]:
    files = write_scenario(tmp_path_factory.mktemp("memo"), seed=3, rounds=3, lanes=4)
    return (files.results[0], files.refdata, files.probes, files.rdns)


def test_shared_routes_and_copies_get_the_same_verdicts(scenario: tuple[Path, ...]) -> None:
    results, refdata, probes_file, rdns_file = scenario
    read = read_traces([results])
    traces = read.traces
    assert len({id(t.route()) for t in traces}) < len(traces) / 2  # rounds share routes
    copies = tuple(replace(t) for t in traces)
    assert not {id(t.route()) for t in copies} & {id(t.route()) for t in traces}
    snapshot = load_snapshot(refdata)
    probes = load_probes(probes_file)
    rdns = load_rdns(rdns_file)
    shared = analyze_traces(traces, home="GT", snapshot=snapshot, probes=probes, rdns=rdns)
    alone = analyze_traces(copies, home="GT", snapshot=snapshot, probes=probes, rdns=rdns)
    assert _json(shared) == _json(alone)
    verdicts = {p.verdict for p in shared.paths}
    assert {Verdict.LOCAL, Verdict.TROMBONED, Verdict.INCONCLUSIVE} <= verdicts
    assert shared.other_paths  # outbound paths are judged too


def test_one_trace_judged_alone_as_in_the_run(scenario: tuple[Path, ...]) -> None:
    results, refdata, probes_file, rdns_file = scenario
    traces = read_traces([results]).traces
    snapshot = load_snapshot(refdata)
    probes = load_probes(probes_file)
    lookups = Lookups.build(snapshot, load_rdns(rdns_file))
    run = analyze_traces(traces, home="GT", snapshot=snapshot, probes=probes, lookups=lookups)
    # the run reads router names with the conventions it learned from its own RTTs
    placed = {prb: vantage_of(probe, lookups.places) for prb, probe in probes.items()}
    lookups = replace(lookups, conventions=learned_conventions(lookups, placed, observe(traces)))
    by_key = {p.trace: p for p in (*run.paths, *run.other_paths)}
    checks = {c.prb_id: c for c in run.probes}
    vantages = {
        prb: replace(vantage_of(probe, lookups.places), trusted=checks[prb].status != "contradicted")
        for prb, probe in probes.items()
        if prb in checks
    }
    annotator = Annotator(lookups, "GT", vantages, observe(traces))
    access = access_delay_ms(traces)
    by_address = {p.address_v4: p for p in probes.values() if p.address_v4 is not None}
    memo = JudgeMemo()
    for trace in traces[::5]:
        expected = by_key[trace.key]
        target = None if trace.destination is None else by_address.get(trace.destination)
        ends = Ends(
            expected.src_asn, expected.src_country, expected.dst_asn, expected.dst_country,
            None if target is None or target.latitude is None or target.longitude is None
            else (target.latitude, target.longitude),
            access.get(trace.key.prb_id, 0.0),
            0.0 if target is None else access.get(target.id, 0.0),
        )  # fmt: skip
        check = checks.get(trace.key.prb_id)
        for shared_memo in (memo, None):
            at = annotator.annotate(trace)
            assert judge(at, "GT", ends, check, lookups.places, memo=shared_memo) == expected


def test_the_nearest_place_abroad_is_kept_per_run_and_per_gazetteer() -> None:
    # Rule 5a asks it once per trace: the run's memo keeps it (no process-wide cache), and
    # answers as the gazetteer does, afresh for another gazetteer at the same place.
    places = gazetteer()
    gua = places.cities["gua"]
    origin = (gua.latitude, gua.longitude)
    memo = JudgeMemo()
    nearest = places.nearest_foreign_km(*origin, "GT", False)
    assert memo.nearest_foreign_km(places, origin, "GT", False) == nearest
    assert memo.nearest == {(origin, "GT", False): (places, nearest)}
    assert memo.nearest_foreign_km(places, origin, "GT", True) == places.nearest_foreign_km(
        *origin, "GT", True
    )
    assert JudgeMemo().nearest == {}  # another run starts afresh
    # Without the nearest foreign city, the next one is farther: the memo does not answer
    # for the other gazetteer with the first one's distance.
    first = min(
        places.foreign_points("GT"), key=lambda c: distance_km(*origin, c.latitude, c.longitude)
    )
    fewer = replace(places, cities={k: c for k, c in places.cities.items() if c != first})
    farther = memo.nearest_foreign_km(fewer, origin, "GT", False)
    assert farther == fewer.nearest_foreign_km(*origin, "GT", False) > nearest
