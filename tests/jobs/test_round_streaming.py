"""A round of the store is analysed by the streaming passes (`trend.analyse_round`): read
from the store a chunk at a time, its analysis file is byte for byte the in-memory
analysis of the same round, bad records quarantined alike."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ixpready.analysis.core import analyze_traces, gather_outcomes
from ixpready.analysis.export import load_analysis, to_json
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.measurements.parse import parse_lines
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import TraceKey
from ixpready.measurements.store import Store
from ixpready.measurements.store_records import StoredResult
from ixpready.pipeline.analyze import load_rdns
from ixpready.pipeline.rdns import merged, stored_names
from ixpready.pipeline.trend import ANALYSIS_FILE, analyse_round, round_point
from ixpready.pipeline.upload import read_records
from ixpready.refdata.snapshots import load_snapshot
from jobs.conftest import offline_config

REAL = Path("../shared/fixtures/atlas-traceroute")  # recorded RIPE Atlas results (README there)
REAL_FILES = (
    "msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl",
    "sagan-traceroute-edge-cases.json",
)


def test_a_round_analysed_streamed_is_the_in_memory_analysis(
    scenario: ScenarioFiles, tmp_path: Path
) -> None:
    settings = load_settings(offline_config(tmp_path, scenario), {})
    snapshot = load_snapshot(scenario.refdata)
    probes = load_probes(scenario.probes)
    rdns = load_rdns(scenario.rdns)
    with Store.open(tmp_path / "store.sqlite") as store:
        for path in scenario.results:
            good, _ = read_records(path, path.read_bytes())
            store.add_results(good, "2026-11-01T00")
        for name in REAL_FILES:
            good, _ = read_records(REAL / name, (REAL / name).read_bytes())
            store.add_results(good, "2015-10-20T00")
        damaged = StoredResult(TraceKey(5004, 1, 1445299200), '{"fw": 4790, "result": [')
        store.add_results([damaged], "2015-10-20T00")  # a raw record cut short in the store

        for round_id, chunk in (("2026-11-01T00", 7), ("2026-11-01T00", 2_000),
                                ("2015-10-20T00", 3)):  # fmt: skip
            raws = (r.raw for r in store.round_results(round_id))
            read = gather_outcomes(parse_lines(raws, f"store round {round_id}"))
            names = merged(stored_names(store), rdns)
            old = analyze_traces(
                read.traces, home="GT", snapshot=snapshot, probes=probes, rdns=names,
                pings=read.pings, counts=read.counts,
                inputs=(f"{settings.store_path.name} round {round_id}",),
            )  # fmt: skip

            made = analyse_round(
                store, round_id, "GT", snapshot, probes, rdns, None,
                store_name=settings.store_path.name,
                path=settings.rounds_dir / round_id / ANALYSIS_FILE, chunk_results=chunk,
            )  # fmt: skip
            bad = made.quarantined
            written = (settings.rounds_dir / round_id / ANALYSIS_FILE).read_bytes()
            old = replace(old, generated_at=made.generated_at)
            assert written == to_json(old), (round_id, chunk)
            assert bad == read.quarantined, (round_id, chunk)
            # the point counted as the paths were written is the point of the file read back
            analysis = load_analysis(settings.rounds_dir / round_id / ANALYSIS_FILE)
            assert made.point == round_point(round_id, made.point.results, analysis)
            assert made.generated_at == analysis.generated_at
            assert made.generated_at.isoformat() == analysis.generated_at.isoformat()
            assert made.point.results == analysis.summary.results_read
            assert analysis.summary.results_read == store.round_counts()[round_id]
            if round_id.startswith("2026"):
                assert len(old.paths) > 50 and not bad  # the demo round: domestic verdicts
            else:
                assert len(old.other_paths) > 20 and len(bad) == 1  # the cut record
                assert bad[0].where.startswith("store round 2015-10-20T00:")
        assert not list(settings.rounds_dir.rglob(".*.tmp"))
