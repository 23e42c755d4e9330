"""`ixpready trend`: per round, the share of local / tromboned / inconclusive paths and RTT."""

from __future__ import annotations

import dataclasses
import json
import shutil
import statistics
from datetime import date
from pathlib import Path

import pytest

from ixpready.analysis.export import load_analysis
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode
from ixpready.measurements.store import Store
from ixpready.pipeline import commands
from ixpready.pipeline import trend as trends
from ixpready.pipeline.analyze import analyze_files
from ixpready.pipeline.readiness import readiness_history, refdata_as_of
from jobs.conftest import offline_config

EVENTS = (
    '[[events]]\ndate = "2026-12-15"\nlabel = "IXP opened"\n'
    '[[events]]\ndate = "2026-10-20"\nlabel = "first meeting"\n'
)


def test_trend_per_round_from_the_rounds_analyses(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(tmp_path, scenario, EVENTS)
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    capsys.readouterr()
    out = tmp_path / "trend.json"
    assert main(["--config", str(config), "trend", "--format", "json", "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["format"] == "ixpready-trend/1" and document["period"] == "6h"
    assert [r["round"] for r in document["rounds"]] == ["2026-11-01T00", "2026-11-01T06"]
    assert [r["starts"] for r in document["rounds"]] == [
        "2026-11-01T00:00:00Z",
        "2026-11-01T06:00:00Z",
    ]
    assert [r["results"] for r in document["rounds"]] == [99, 80]
    settings = load_settings(config, {})
    for point in document["rounds"]:  # recomputed from the round's own analysis file
        analysis = json.loads((settings.rounds_dir / point["round"] / "analysis.json").read_text())
        verdicts = [p["verdict"] for p in analysis["paths"]]
        assert point["domestic_paths"] == len(verdicts)
        assert point["tromboned"] == verdicts.count("tromboned")
        assert point["inconclusive"] == verdicts.count("inconclusive")
        assert point["local"] == verdicts.count("local") + verdicts.count("local_via_ixp")
        assert point["local"] + point["tromboned"] + point["inconclusive"] == len(verdicts)
        assert point["tromboned_share"] == round(point["tromboned"] / len(verdicts), 4)
        rtts = [p["rtt_ms"] for p in analysis["paths"] if p["rtt_ms"] is not None]
        assert point["median_rtt_ms"] == pytest.approx(statistics.median(rtts), abs=1e-3)
    # the rounds split the domestic paths of the analysis of all files at once
    whole = analyze_files(list(scenario.results), country="GT", refdata=scenario.refdata,
                          probes=scenario.probes, rdns=scenario.rdns).result  # fmt: skip
    assert sum(r["domestic_paths"] for r in document["rounds"]) == len(whole.paths) > 100
    assert document["events"] == [
        {"date": "2026-10-20", "label": "first meeting"},
        {"date": "2026-12-15", "label": "IXP opened"},
    ]

    assert main(["--config", str(config), "trend"]) == ExitCode.OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "round", "results", "domestic", "local", "tromboned", "inconcl.", "median", "RTT",
    ]  # fmt: skip
    assert lines[1] == "-- 2026-10-20 first meeting"  # before the first round
    for line, point in zip(lines[2:4], document["rounds"], strict=True):
        share = point["local"] / point["domestic_paths"]
        assert line.split()[:4] == [point["round"], str(point["results"]),
                                    str(point["domestic_paths"]), f"{share:.0%}"]  # fmt: skip
    assert lines[4] == "-- 2026-12-15 IXP opened"  # after every round so far


def test_the_trend_object_for_the_report(scenario: ScenarioFiles, tmp_path: Path) -> None:
    config = offline_config(tmp_path, scenario, EVENTS)
    main(["--config", str(config), "run"])
    result = commands.trend(load_settings(config, {}))
    first, second = result.rounds
    assert (first.round_id, first.results, second.results) == ("2026-11-01T00", 99, 80)
    assert result.events_before(first)[0].label == "first meeting"
    assert result.events_before(second) == ()
    assert 0 < first.tromboned_share < 1 and first.median_rtt_ms is not None
    # readiness per round: networks meeting each point, with that round's reference data
    assert [r.round_id for r in result.readiness] == ["2026-11-01T00", "2026-11-01T06"]
    for point, readiness in zip(result.rounds, result.readiness, strict=True):
        analysis = load_analysis(load_settings(config, {}).rounds_dir / point.round_id
                                 / "analysis.json")  # fmt: skip
        ends = {a for p in analysis.paths for a in (p.src_asn, p.dst_asn) if a is not None}
        assert readiness.networks == len(ends)
        assert dict(readiness.met)["ipv6"] == len(ends & {23243, 52286})  # the simulated v6
    text = result.as_text()
    assert "Readiness per round (2026-11-01T00, 2026-11-01T06):" in text
    assert f"  IPv6: {dict(result.readiness[0].met)['ipv6']} → " in text
    assert json.loads(result.to_json())["readiness"][1]["round"] == "2026-11-01T06"


def test_rounds_hold_their_points_and_read_their_verdicts_only_when_asked(
    scenario: ScenarioFiles, tmp_path: Path
) -> None:
    # A year of region-scale rounds must not sit in memory at once: a round keeps its trend
    # point and the time of its analysis; its verdicts are read from its file when asked.
    config = offline_config(tmp_path, scenario, EVENTS)
    main(["--config", str(config), "run"])
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        rounds = commands.rounds_of(settings, store)
    assert [r.round_id for r in rounds] == ["2026-11-01T00", "2026-11-01T06"]
    for r in rounds:
        held = [getattr(r, f.name) for f in dataclasses.fields(r)]
        assert not any(isinstance(v, AnalysisResult) for v in held), r.round_id
        kept = load_analysis(settings.rounds_dir / r.round_id / "analysis.json")
        assert r.analysis == kept and r.analysis is not r.analysis  # read again each time
        assert r.point == trends.round_point(r.round_id, r.results, kept)
        assert r.generated_at == kept.generated_at and not r.fresh  # analysed by the run


def test_each_round_is_scored_with_the_reference_data_of_its_time(
    scenario: ScenarioFiles, tmp_path: Path
) -> None:
    folder = tmp_path / "refdata"
    shutil.copytree(scenario.refdata, folder)
    older = folder / "archive" / "2026-10-01"
    shutil.copytree(scenario.refdata, older)
    (folder / "snapshot.json").write_text('{"date": "2026-11-15"}')
    assert refdata_as_of(folder, date(2026, 11, 20)) == folder
    assert refdata_as_of(folder, date(2026, 11, 1)) == older
    assert refdata_as_of(folder, date(2026, 9, 1)) == folder  # nothing older: the current
    # in October nobody had ROAs yet: the archived snapshot has no VRPs
    shutil.rmtree(older / "rpki")
    whole = analyze_files(list(scenario.results), country="GT", refdata=scenario.refdata,
                          probes=scenario.probes, rdns=scenario.rdns).result  # fmt: skip
    october, december = readiness_history(
        folder, [("2026-10", date(2026, 10, 31), whole), ("2026-12", date(2026, 12, 31), whole)]
    )
    assert dict(october.met)["rpki"] == 0 and dict(december.met)["rpki"] == 3


def test_an_empty_store_has_no_rounds_yet(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(tmp_path, scenario)
    assert main(["--config", str(config), "trend"]) == ExitCode.OK
    assert "(no rounds yet: run `ixpready run`)" in capsys.readouterr().out


def test_the_run_report_draws_the_rounds_and_the_events(
    recorded: Path, scenario: ScenarioFiles, tmp_path: Path
) -> None:
    # a 2015 round from a recorded measurement (GT probes), then the scenario's two rounds
    older = (
        recorded / "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
    )
    config = offline_config(
        tmp_path, scenario, '[[events]]\ndate = "2020-01-01"\nlabel = "first meeting"\n'
    )
    text = config.read_text().replace("report = false", "report = true")
    config.write_text(text.replace("results = [", f'results = ["{older}", '))
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        assert store.round_counts() == {
            "2015-10-20T00": 26,
            "2026-11-01T00": 99,
            "2026-11-01T06": 80,
        }
    page = (settings.rounds_dir / "2026-11-01T06" / "report" / "report.en.html").read_text()
    assert "2020-01-01 first meeting" in page  # marked between the 2015 and 2026 rounds
    for label in ("2015-10-20T00", "2026-11-01T00", "2026-11-01T06"):
        assert label in page  # one bar per round
    pdf = settings.rounds_dir / "2026-11-01T06" / "report" / "report.es.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
