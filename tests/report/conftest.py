"""Report fixtures: one hostile report set written once, one headless Chromium per session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ixpready.pipeline.demo import DemoOutcome, run_demo
from ixpready.pipeline.report import ReportFiles, write_report
from report.browser import Chromium
from report.sample import sample_analysis, sample_content_dns, sample_refdata

NOW = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def report_set(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    """Returns the files of a report on a hostile three-round analysis, both languages, with
    hostile content names and AS names in its DNS answers and reference data."""
    earlier = (sample_analysis(hostile=True), sample_analysis(hostile=True, round_index=1))
    return write_report(
        sample_analysis(hostile=True, round_index=2),
        model=None,
        out_dir=tmp_path_factory.mktemp("report"),
        languages=("es", "en"),
        earlier=earlier,
        dns=sample_content_dns(hostile=True),
        refdata=sample_refdata(hostile=True),
        now=NOW,
    )


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """Yields a headless Chromium without network (own namespace, fresh profile)."""
    browser = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoOutcome:
    """Returns `ixpready demo`'s outcome (simulated scenario, model, report in both languages),
    written once per session: the report a new user sees first."""
    return run_demo(tmp_path_factory.mktemp("demo") / "demo")
