"""The report in a real headless Chromium without network: loads from file://, no console
errors, no request beyond its own file, a working language switch, a screenshot."""

from __future__ import annotations

from pathlib import Path

from ixpready.pipeline.report import ReportFiles
from report.browser import Chromium
from report.sample import SCRIPT

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_the_page_loads_offline_without_errors_or_requests(
    chromium: Chromium, report_set: ReportFiles
) -> None:
    es = report_set.html[0]
    page = chromium.open(es.as_uri())
    assert page.evaluate("document.readyState") == "complete"
    assert page.log.requests == [es.as_uri()]
    assert page.log.errors == []
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.querySelectorAll('svg.chart').length") == 6
    # every resource the page used is the page itself (Resource Timing sees fetched files)
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0
    # the hostile rDNS name is on screen as text, and no element was injected
    assert SCRIPT in page.evaluate("document.body.innerText")
    assert page.evaluate("document.querySelectorAll('script, iframe, object, embed').length") == 0
    # the charts are laid out, not empty boxes
    width = page.evaluate("document.querySelector('svg.map').getBoundingClientRect().width")
    assert width > 600


def test_the_language_switch_goes_both_ways(chromium: Chromium, report_set: ReportFiles) -> None:
    es, en = report_set.html
    page = chromium.open(es.as_uri())
    page.click("a[hreflang=en]")
    assert page.evaluate("location.href") == en.as_uri()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.querySelector('h2').textContent") == "Executive summary"
    page.click("a[hreflang=es]")
    assert page.evaluate("location.href") == es.as_uri()
    assert page.evaluate("document.querySelector('h2').textContent") == "Resumen ejecutivo"
    assert page.log.requests == [es.as_uri(), en.as_uri(), es.as_uri()]
    assert page.log.errors == []


def test_a_screenshot_shows_the_rendered_report(
    chromium: Chromium, report_set: ReportFiles, tmp_path: Path
) -> None:
    page = chromium.open(report_set.html[1].as_uri(), width=1280, height=900)
    shot = page.screenshot(tmp_path / "report.png")
    assert shot.startswith(PNG_MAGIC)
    width = int.from_bytes(shot[16:20], "big")
    height = int.from_bytes(shot[20:24], "big")
    assert (width, height) == (1280, 900)
    assert len(shot) > 40_000  # a blank or error page compresses to a few kB


def test_the_harness_catches_requests_and_errors(chromium: Chromium, tmp_path: Path) -> None:
    # The checks above can fail: a page that fetches and logs an error is caught.
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><body><img src="http://192.0.2.1/x.png">'
        "<script>console.error('boom')</script></body></html>"
    )
    page = chromium.open(bad.as_uri())
    page.settle(1.0)
    assert "http://192.0.2.1/x.png" in page.log.requests
    assert any("boom" in error for error in page.log.errors)
