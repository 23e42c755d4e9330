"""Long terminal outputs that print network-derived text (`schedule show`, the run summary)
go through the one sanitiser (`report.sanitize`): no escape sequence, bidi override or extra
line reaches the terminal."""

from __future__ import annotations

from pathlib import Path

from ixpready.config import load_settings
from ixpready.measurements.store import RunOutcome, Store
from ixpready.pipeline import schedule
from ixpready.pipeline.run import RunSummary, Step
from jobs.conftest import write_config

HOSTILE = "rtr\x1b[2J\x1b]0;owned\x07.\u202eten.elpmaxe\nfake: line\r"


def _is_safe(text: str, lines: int) -> None:
    assert not any(ch in text for ch in "\x1b\x07\r\u202e"), repr(text)
    assert len(text.splitlines()) == lines, text


def test_the_run_summary_prints_each_note_on_one_clean_line(tmp_path: Path) -> None:
    summary = RunSummary(
        round_id="2026-11", online=True,
        steps=(Step("fetch", f"3 new results; {HOSTILE}"), Step("rdns", HOSTILE)),
        results_stored=3, rounds_analysed=1, analysis_file=tmp_path / "analysis.json",
        model_file=None, report_dir=None, unknown_items=(), quarantined=0,
    )  # fmt: skip
    text = summary.as_text()
    _is_safe(text, 5)  # round, two steps, counts, analysis
    assert "  rdns: rtr[2J]0;owned.ten.elpmaxe fake: line" in text.splitlines()


def test_schedule_show_prints_a_stored_run_message_on_one_clean_line(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", f'data_dir = "{tmp_path / "data"}"\n'
                          f'[schedule]\nunit_dir = "{tmp_path / "units"}"\n')  # fmt: skip
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        run_id = store.begin_run(1_700_000_000, 4242)
        store.end_run(run_id, 1_700_000_060, RunOutcome.FAILED, 3, f"AtlasError: {HOSTILE}")
    text = schedule.show(settings).as_text()
    _is_safe(text, 2)  # nothing installed, the last run
    assert text.splitlines()[-1].endswith("AtlasError: rtr[2J]0;owned.ten.elpmaxe fake: line")
