"""Each round keeps its trend point and the time of its analysis in `rounds/<round>/point.json`
(`trend.analysed_rounds`): `trend`, `export`, `run` and `prune` read no kept round's analysis
file for its point, a fresh round's point is counted as its paths are written (the file is not
read back), and a missing, old, damaged or stale point file falls back to the analysis, read
once, and is written again."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from ixpready.analysis.export import load_analysis
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.cli import main
from ixpready.config import Settings, load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode
from ixpready.measurements.store import Store
from ixpready.pipeline import commands
from ixpready.pipeline import run as job
from ixpready.pipeline import trend as trends
from jobs.conftest import offline_config

ROUNDS = ("2026-11-01T00", "2026-11-01T06")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every analysis file `trend` reads (its kept rounds, `RoundAnalysis.analysis`)."""
    seen: list[Path] = []

    def spy(path: Path) -> AnalysisResult:
        seen.append(path)
        return load_analysis(path)

    monkeypatch.setattr(trends, "load_analysis", spy)
    return seen


def _trend(config: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["--config", str(config), "trend", "--format", "json"]) == ExitCode.OK
    return capsys.readouterr().out


def _analyses(settings: Settings) -> list[Path]:
    return [settings.rounds_dir / r / trends.ANALYSIS_FILE for r in ROUNDS]


def _point(settings: Settings, round_id: str) -> dict[str, object]:
    document: dict[str, object] = json.loads(
        (settings.rounds_dir / round_id / trends.POINT_FILE).read_bytes()
    )
    return document


def _ran(tmp_path: Path, scenario: ScenarioFiles, capsys: pytest.CaptureFixture[str],
         reads: list[Path]) -> tuple[Path, Settings, str]:  # fmt: skip
    """Runs the job on the scenario (two rounds) and the trend once (which counts each
    round's readiness, reading each analysis once); returns config, settings, trend JSON."""
    config = offline_config(tmp_path, scenario)
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    assert reads == []  # the fresh rounds' points were counted as their files were written
    settings = load_settings(config, {})
    first = _trend(config, capsys)
    assert sorted(Counter(reads).items()) == [(p, 1) for p in _analyses(settings)]
    reads.clear()
    return config, settings, first


def test_kept_rounds_are_not_read_again(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    reads: list[Path],
) -> None:  # fmt: skip
    config, settings, first = _ran(tmp_path, scenario, capsys, reads)
    assert json.loads(first)["rounds"][0]["domestic_paths"] > 50
    assert _trend(config, capsys) == first and reads == []
    # Each kept analysis file replaced in place by garbage of its size and time: the point
    # still names it, so the trend (readiness counts included) never looks inside.
    for path in _analyses(settings):
        before = path.stat()
        with path.open("r+b") as handle:
            handle.write(b"\0" * before.st_size)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _trend(config, capsys) == first and reads == []
    with Store.open(settings.store_path) as store:
        rounds = commands.rounds_of(settings, store)
    assert [(r.round_id, r.fresh) for r in rounds] == [(ROUNDS[0], False), (ROUNDS[1], False)]
    assert [r.point.domestic_paths for r in rounds] == [
        p["domestic_paths"] for p in json.loads(first)["rounds"]
    ]
    assert reads == []
    # Touched (another file now): the point no longer names it, the garbage is read, refused,
    # and the round analysed again, with the same figures.
    for path in _analyses(settings):
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert _trend(config, capsys) == first
    # the garbage, then (when the new analysis is of another second) its readiness counts
    assert set(reads) == set(_analyses(settings)) and max(Counter(reads).values()) <= 2
    for path in _analyses(settings):
        assert load_analysis(path).paths  # whole again


def test_an_old_rounds_dir_without_point_files_reads_each_analysis_once(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    reads: list[Path],
) -> None:  # fmt: skip
    config, settings, first = _ran(tmp_path, scenario, capsys, reads)
    points = {r: _point(settings, r) for r in ROUNDS}
    damaged = {  # what a point file may be: each falls back to the analysis, read once
        "missing": None,
        "not JSON": b"{not json",
        "cut short": (settings.rounds_dir / ROUNDS[0] / trends.POINT_FILE).read_bytes()[:40],
        "another format": json.dumps({**points[ROUNDS[0]], "format": "x/0"}).encode(),
        "another round": json.dumps({**points[ROUNDS[1]], "round": ROUNDS[0]}).encode(),
        "a count not a count": json.dumps({**points[ROUNDS[0]], "local": -1}).encode(),
        "a median not a number": json.dumps({**points[ROUNDS[0]], "median_rtt_ms": "7"}).encode(),
        "no time": json.dumps({**points[ROUNDS[0]], "generated_at": None}).encode(),
    }
    for case, data in damaged.items():
        for round_id in ROUNDS:
            path = settings.rounds_dir / round_id / trends.POINT_FILE
            path.unlink()
            if data is not None:
                path.write_bytes(data)
        assert _trend(config, capsys) == first, case
        assert sorted(Counter(reads).items()) == [(p, 1) for p in _analyses(settings)], case
        assert {r: _point(settings, r) for r in ROUNDS} == points, case  # written again
        reads.clear()
        assert _trend(config, capsys) == first and reads == [], case


def test_a_stale_point_is_counted_again(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    reads: list[Path],
) -> None:  # fmt: skip
    config, settings, first = _ran(tmp_path, scenario, capsys, reads)
    newest = settings.rounds_dir / ROUNDS[1] / trends.POINT_FILE
    kept = _point(settings, ROUNDS[1])
    assert isinstance(kept["tromboned"], int)
    # A point that names its analysis file and state is believed (that is the point of it)...
    newest.write_text(json.dumps({**kept, "tromboned": kept["tromboned"] + 1000}))
    assert json.loads(_trend(config, capsys))["rounds"][1]["tromboned"] == kept["tromboned"] + 1000
    assert reads == []
    # ...one made under other inputs is not: counted again from the analysis, read once.
    newest.write_text(json.dumps({**kept, "tromboned": 0, "state": "{}"}))
    assert _trend(config, capsys) == first
    assert reads == [settings.rounds_dir / ROUNDS[1] / trends.ANALYSIS_FILE]
    assert _point(settings, ROUNDS[1]) == kept
    reads.clear()
    # The inputs change (another probes file, the same probes): every round is analysed
    # again, its point counted as it is written and kept under the new state.
    probes = tmp_path / "probes-copy.json"
    shutil.copyfile(scenario.probes, probes)
    config.write_text(config.read_text().replace(str(scenario.probes), str(probes)))
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        rounds = commands.rounds_of(settings, store)
    assert [r.fresh for r in rounds] == [True, True] and reads == []
    for r in rounds:
        point = _point(settings, r.round_id)
        assert str(probes) in str(point["state"]) and str(scenario.probes) not in str(point["state"])
        analysis = load_analysis(r.analysis_file)
        assert r.point == trends.round_point(r.round_id, r.results, analysis)
        assert r.generated_at == analysis.generated_at
    figures = json.loads(_trend(config, capsys))["rounds"]
    assert figures == json.loads(first)["rounds"]


def test_a_pruned_rounds_point_is_kept_too(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    reads: list[Path],
) -> None:  # fmt: skip
    config, settings, first = _ran(tmp_path, scenario, capsys, reads)
    config.write_text(config.read_text() + "[retention]\nraw_results_rounds = 1\n")
    assert main(["--config", str(config), "prune"]) == ExitCode.OK
    with Store.open(settings.store_path) as store:
        assert store.round_counts() == {ROUNDS[1]: 80}  # the older round's results went
    reads.clear()
    assert _trend(config, capsys) == first and reads == []
    (settings.rounds_dir / ROUNDS[0] / trends.POINT_FILE).unlink()  # from before point files
    assert _trend(config, capsys) == first
    assert reads == [settings.rounds_dir / ROUNDS[0] / trends.ANALYSIS_FILE]
    reads.clear()
    assert _trend(config, capsys) == first and reads == []


def test_run_reads_the_newest_analysis_once(
    scenario: ScenarioFiles, tmp_path: Path, reads: list[Path]
) -> None:
    config = offline_config(tmp_path, scenario)
    config.write_text(config.read_text().replace("model = false", "model = true"))
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    settings = load_settings(config, {})
    older, newest = _analyses(settings)
    assert reads == [newest]  # for the model; the rounds' points: counted as written
    reads.clear()
    # the report's readiness scorecard and history take the newest analysis as read
    with Store.open(settings.store_path) as store:
        rounds = commands.rounds_of(settings, store)
    assert reads == []
    history = job._readiness(settings, rounds, load_analysis(newest), None).history
    assert [r.round_id for r in history] == list(ROUNDS)
    assert reads == [older]  # its readiness counts, not kept yet
    reads.clear()
    assert job._readiness(settings, rounds, load_analysis(newest), None).history == history
    assert reads == []  # kept
