"""The streaming analysis (`pipeline.streaming`) writes, byte for byte, what the in-memory
analysis writes: on the demo and on every recorded fixture, in chunks of any size and
with any number of worker processes."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from tests.pipeline.stream_cases import Case, cases

from ixpready.analysis.core import analyze_traces, other_path_causes
from ixpready.analysis.export import path_line, to_json
from ixpready.cli import main
from ixpready.enrichment.annotate import Lookups
from ixpready.errors import ExitCode
from ixpready.measurements.parse import read_results
from ixpready.measurements.probes import load_probes
from ixpready.pipeline.analyze import analyze_files, load_rdns, read_traces
from ixpready.pipeline.streaming import analyze_files_to, analyze_stream, file_outcomes
from ixpready.refdata.snapshots import RegistrySnapshot, load_snapshot
from ixpready.report.exports import paths_csv

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def every_case(recorded: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    return cases(recorded, tmp_path_factory.mktemp("cases"))


def _old(case: Case, quarantine: Path) -> tuple[bytes, str, bytes]:
    run = analyze_files(
        list(case.results), country=case.country, refdata=case.refdata, probes=case.probes,
        rdns=case.rdns, quarantine=quarantine,
    )  # fmt: skip
    result = replace(run.result, generated_at=WHEN)
    lines = b"".join(path_line(p) for p in (*result.paths, *result.other_paths))
    return to_json(result), paths_csv(result.paths), lines


def _new(case: Case, form: str, quarantine: Path, workers: int = 1) -> bytes:
    out = io.BytesIO()
    analyze_files_to(
        out, form, list(case.results), country=case.country, refdata=case.refdata,
        probes=case.probes, rdns=case.rdns, quarantine=quarantine, workers=workers,
        generated_at=WHEN,
    )  # fmt: skip
    return out.getvalue()


def test_every_output_is_the_in_memory_one(every_case: list[Case], tmp_path: Path) -> None:
    assert len(every_case) > 20
    lookups: dict[Path, tuple[RegistrySnapshot, Lookups]] = {}
    for number, case in enumerate(every_case):
        rdns = load_rdns(case.rdns) if case.rdns else {}
        if case.refdata not in lookups or rdns:
            snapshot = load_snapshot(case.refdata)
            lookups[case.refdata] = (snapshot, Lookups.build(snapshot, rdns))
        snapshot, built = lookups[case.refdata]
        probes = load_probes(case.probes) if case.probes else {}
        read = read_traces(list(case.results))
        old = analyze_traces(
            read.traces, home=case.country, snapshot=snapshot, probes=probes, pings=read.pings,
            counts=read.counts, lookups=built, inputs=("x",),
        )  # fmt: skip
        old = replace(old, generated_at=WHEN)
        spool = tmp_path / str(number)
        spool.mkdir()
        streamed, _ = analyze_stream(
            list(case.results), spool, home=case.country, snapshot=snapshot, lookups=built,
            probes=probes, inputs=("x",),
        )  # fmt: skip
        streamed = replace(streamed, head=replace(streamed.head, generated_at=WHEN))
        written = {}
        for form in ("json", "csv", "jsonl"):
            out = io.BytesIO()
            streamed.write(form, out)
            written[form] = out.getvalue()
        assert written["json"] == to_json(old), case.name
        assert written["csv"].decode() == paths_csv(old.paths), case.name
        lines = b"".join(path_line(p) for p in (*old.paths, *old.other_paths))
        assert written["jsonl"] == lines, case.name
        assert streamed.other_causes == other_path_causes(old), case.name
    demo = orjson.loads(_new(every_case[0], "json", tmp_path / "q.jsonl"))
    assert demo["summary"]["domestic_paths"] > 100  # the comparison saw verdicts


def test_the_job_writes_what_analyze_files_makes(every_case: list[Case], tmp_path: Path) -> None:
    for case in (every_case[0], every_case[-1]):  # the demo, every fixture at once
        json, csv, lines = _old(case, tmp_path / "old.jsonl")
        assert _new(case, "json", tmp_path / "new.jsonl") == json, case.name
        assert _new(case, "csv", tmp_path / "q.jsonl").decode() == csv, case.name
        assert _new(case, "jsonl", tmp_path / "q.jsonl", workers=2) == lines, case.name
        old_q, new_q = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
        assert old_q.is_file() == new_q.is_file(), case.name
        if old_q.is_file():
            assert old_q.read_bytes() == new_q.read_bytes(), case.name


def test_small_chunks_and_workers_change_nothing(every_case: list[Case], tmp_path: Path) -> None:
    for case in (every_case[0], every_case[-1]):  # the demo, every fixture at once
        snapshot = load_snapshot(case.refdata)
        rdns = load_rdns(case.rdns) if case.rdns else {}
        probes = load_probes(case.probes) if case.probes else {}
        lookups = Lookups.build(snapshot, rdns)
        written: set[bytes] = set()
        for chunk, workers in ((100_000, 1), (97, 1), (97, 2), (1, 2)):
            spool = tmp_path / f"{case.name.replace('/', '_')}-{chunk}-{workers}"
            spool.mkdir()
            streamed, _ = analyze_stream(
                list(case.results), spool, home=case.country, snapshot=snapshot,
                lookups=lookups, probes=probes, workers=workers, chunk_results=chunk,
                block_lines=chunk,
            )  # fmt: skip
            out = io.BytesIO()
            replace(streamed, head=replace(streamed.head, generated_at=WHEN)).write("json", out)
            written.add(out.getvalue())
        assert len(written) == 1, case.name


def test_a_file_read_in_blocks_names_each_bad_line_as_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "mesh.jsonl"
    demo = Path(__file__)  # any text: lines that are not results
    good = (
        Path("../shared/fixtures/atlas-traceroute")
        / "msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
    ).read_bytes()
    lines = good.splitlines()
    mixed = [lines[0], b"{not json", *lines[1:5], b"", demo.name.encode(), *lines[5:9], b'{"x": 1}']
    path.write_bytes(b"\n".join(mixed) + b"\n")
    whole = [repr(o) for o in read_results(path)]
    for block in (1, 2, 3, 5, 1000):
        assert [repr(o) for o in file_outcomes(path, block)] == whole, block
    assert any("mesh.jsonl:2" in o for o in whole)


def test_the_cli_gives_the_same_bytes_on_one_worker_and_two(
    every_case: list[Case], tmp_path: Path
) -> None:
    demo = every_case[0]
    written = []
    for workers in ("1", "2"):
        out = tmp_path / f"analysis-{workers}.json"
        code = main(
            [
                "analyze", *map(str, demo.results), "--country", "GT",
                "--refdata", str(demo.refdata), "--probes", str(demo.probes),
                "--rdns", str(demo.rdns), "--format", "json", "--out", str(out),
                "--workers", workers, "--quarantine", str(tmp_path / "q.jsonl"),
            ]
        )  # fmt: skip
        assert code == ExitCode.PARTIAL  # the demo holds one malformed record
        document = orjson.loads(out.read_bytes())
        assert document["summary"]["domestic_paths"] > 100
        document["generated_at"] = "-"
        written.append(orjson.dumps(document))
    assert written[0] == written[1]
    assert not list(tmp_path.glob(".*.partial"))
    bad = ["analyze", str(demo.results[0]), "--country", "GT", "--workers", "0"]
    assert main(bad) == ExitCode.USAGE
