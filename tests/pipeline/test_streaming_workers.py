"""Workers judge whole segments of the input that the first pass noted, each read on its
own: duplicates (within a segment, across segments and files, in the store) are left out
as one reader leaves them out, the first copy kept, and the output is the in-memory one."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import orjson

from ixpready.analysis.export import to_json
from ixpready.demo.scenario import write_scenario
from ixpready.enrichment.annotate import Lookups
from ixpready.measurements.probes import load_probes
from ixpready.measurements.store import Store
from ixpready.pipeline.analyze import analyze_files, load_rdns
from ixpready.pipeline.streaming import analyze_stream, first_pass
from ixpready.pipeline.upload import read_records
from ixpready.refdata.snapshots import load_snapshot

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
SLOWER = re.compile(rb'"rtt": ([0-9.]+)')


def _slower(line: bytes) -> bytes:
    """Returns the result with every RTT 200 ms longer (same key: a duplicate)."""
    return SLOWER.sub(lambda m: b'"rtt": ' + str(float(m[1]) + 200).encode(), line)


def test_workers_read_segments_and_drop_the_duplicates_one_reader_drops(tmp_path: Path) -> None:
    demo = write_scenario(tmp_path / "demo", seed=2026)
    atlas = next(p for p in demo.results if p.suffix == ".json")
    records = [orjson.dumps(r) for r in orjson.loads(atlas.read_bytes())]
    assert len(records) > 100
    copied = (3, 40, 41, 100)  # their slower copies come later: the first copy must win
    mesh = tmp_path / "mesh.jsonl"
    lines = [*records[:45], _slower(records[40]), *records[45:], _slower(records[3])]
    mesh.write_bytes(b"\n".join(lines) + b"\n")
    extra = tmp_path / "extra.jsonl"
    extra.write_bytes(_slower(records[41]) + b"\n" + _slower(records[100]) + b"\n")
    store = tmp_path / "store.sqlite"
    probe_mesh = next(p for p in demo.results if p.suffix == ".jsonl")
    with Store.open(store) as opened:
        good, _ = read_records(probe_mesh, probe_mesh.read_bytes())
        slower, _ = read_records(extra, _slower(records[7]) + b"\n")
        assert opened.add_results([*good, *slower]) == len(good) + 1

    snapshot = load_snapshot(demo.refdata)
    probes = load_probes(demo.probes)
    rdns = load_rdns(demo.rdns)
    old = analyze_files([mesh, extra], country="GT", refdata=demo.refdata, probes=demo.probes,
                        rdns=demo.rdns, quarantine=None, store=store).result  # fmt: skip
    old = replace(old, generated_at=WHEN, inputs=())
    assert old.summary.duplicates == 5
    keys = {(r["msm_id"], r["prb_id"], r["timestamp"])
            for r in (orjson.loads(records[i]) for i in (*copied, 7))}  # fmt: skip
    kept = [p for p in (*old.paths, *old.other_paths)
            if (p.trace.msm_id, p.trace.prb_id, p.trace.timestamp) in keys]  # fmt: skip
    assert len(kept) == 5 and all(p.rtt_ms and p.rtt_ms < 200 for p in kept)  # first copies

    lookups = Lookups.build(snapshot, rdns)
    for workers, block, chunk in ((2, 13, 3), (2, 1, 1), (3, 50, 1_000), (1, 13, 3)):
        first = first_pass([mesh, extra], store, dict(probes), lookups, chunk, block)
        assert first.plan is not None
        assert len(first.plan.segments) > 3 and first.plan.segments[-1].store
        assert sum(len(d) for d in first.plan.duplicates.values()) == 5
        spool = tmp_path / f"spool-{workers}-{block}-{chunk}"
        spool.mkdir()
        streamed, _ = analyze_stream(
            [mesh, extra], spool, home="GT", snapshot=snapshot, lookups=lookups, probes=probes,
            store=store, workers=workers, chunk_results=chunk, block_lines=block, first=first,
        )  # fmt: skip
        out = io.BytesIO()
        replace(streamed, head=replace(streamed.head, generated_at=WHEN)).write("json", out)
        assert out.getvalue() == to_json(old), (workers, block, chunk)
