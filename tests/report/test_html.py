"""The HTML pages: self-contained, escaped, complete, one per language."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ixpready.analysis.verdicts import Verdict
from ixpready.pipeline.report import ReportFiles
from ixpready.report.render import render_html
from report.sample import FORMULA, MSM_IDS, SCRIPT, sample_analysis


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_hostile_names_are_escaped_everywhere_they_are_shown(report_set: ReportFiles) -> None:
    for page in report_set.html:
        html = page.read_text("utf-8")
        assert "<script" not in html.lower()
        escaped = SCRIPT.replace("<", "&lt;").replace(">", "&gt;")
        # evidence (rDNS), probe description, AS name in tables and in SVG titles/labels
        assert html.count(escaped) >= 4
        parsed = _parse(html)
        assert [tag for tag, _ in parsed.tags if tag in ("script", "iframe", "object")] == []
        assert any(SCRIPT in chunk for chunk in parsed.text)  # shown as text, intact
        assert any(FORMULA in chunk for chunk in parsed.text)
        assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in html
        # content names, their CNAME aliases and the answer addresses' AS names
        content = html.split('<section id="content"')[1].split("</section>")[0]
        assert r'<h3 class="wrap">&lt;script&gt;alert\(1\)&lt;/script&gt;.example</h3>' in content
        assert r"=HYPERLINK\(\&#34;http://x\&#34;,\&#34;y\&#34;\)" in content
        assert "Transit &lt;script&gt;alert(1)&lt;/script&gt;.example" in content


def test_a_page_requests_nothing_and_runs_nothing(report_set: ReportFiles) -> None:
    for page in report_set.html:
        html = page.read_text("utf-8")
        tags = _parse(html).tags
        assert "default-src 'none'" in html  # CSP: nothing but inline style and data: images
        sources = [a.get(k) for _, a in tags for k in ("src", "srcset", "data")]
        assert [s for s in sources if s] == []
        stylesheets = [a for t, a in tags if t == "link" and a.get("rel") == "stylesheet"]
        assert stylesheets == []
        assert re.search(r"url\((?!#)", html) is None  # no CSS fetch (fonts, images)
        assert "@import" not in html and "@font-face" not in html
        links = [a["href"] for t, a in tags if t == "a" and a.get("href")]
        external = [h for h in links if h and h.startswith("http")]
        assert external and all(
            h.startswith("https://atlas.ripe.net/measurements/") for h in external
        )


def test_each_page_speaks_its_language_and_links_the_other(report_set: ReportFiles) -> None:
    es, en = (p.read_text("utf-8") for p in report_set.html)
    assert '<html lang="es">' in es and '<html lang="en">' in en
    assert 'href="report.en.html" hreflang="en"' in es
    assert 'href="report.es.html" hreflang="es"' in en
    assert "Resumen ejecutivo" in es and "Executive summary" not in es
    assert "Executive summary" in en and "Resumen ejecutivo" not in en


def test_the_page_holds_every_section_the_audience_needs(report_set: ReportFiles) -> None:
    en = report_set.html[1].read_text("utf-8")
    for section in ("summary", "map", "matrix", "flows", "latency", "model", "dns", "content",
                    "trend", "method", "annex-paths", "annex-probes", "exports"):  # fmt: skip
        assert f'<section id="{section}"' in en, section
    assert "46.2%" in en  # 6 of 13 paths tromboned
    assert "+76.2\u00a0ms" in en  # median extra delay
    for msm_id in MSM_IDS:
        assert f'href="https://atlas.ripe.net/measurements/{msm_id}/"' in en
    # 13 domestic paths spread over 3 measurements (index % 3), probes 1000+index; the
    # outbound path is measurement 70000001's 6th path, from a 6th probe.
    assert '70000001</a> <span class="note">(6 paths, 6 probes)' in en
    assert '70000002</a> <span class="note">(4 paths, 4 probes)' in en
    assert "there were 2 (15.4%)" in en  # inconclusive, explained and counted
    assert "Probes: 4 in total; 2 confirmed" in en
    assert "peeringdb-2026-03-01.json" in en and "2026-03-01" in en
    assert "Simulated data" in en
    assert 'href="verdicts.csv"' in en


def test_a_single_language_page_has_no_switch_and_a_plain_analysis_no_trend() -> None:
    analysis = sample_analysis(simulated=False)
    html = render_html(analysis, lang="en", languages=("en",))
    assert "hreflang" not in html and 'class="switch"' not in html
    assert '<section id="trend"' not in html
    assert "Simulated data" not in html
    assert "does not include the national-IXP model" in html


def test_without_tromboning_the_map_and_flows_say_so() -> None:
    analysis = sample_analysis()
    local = tuple(p for p in analysis.paths if p.verdict is Verdict.LOCAL)
    calm = type(analysis)(
        country="GT", generated_at=analysis.generated_at, summary=analysis.summary, paths=local,
        other_paths=(), probes=(), snapshots=(), as_names=analysis.as_names,
    )  # fmt: skip
    html = render_html(calm, lang="es")
    assert '<section id="map"' not in html
    assert "Ninguna de las rutas medidas" in html
    assert "No hay rutas que salgan del país" in html


def test_every_contents_entry_points_at_a_section(report_set: ReportFiles) -> None:
    tags = _parse(report_set.html[0].read_text("utf-8")).tags
    anchors = [a["href"] for t, a in tags if t == "a" and (a.get("href") or "").startswith("#")]
    ids = {a["id"] for t, a in tags if t == "section" and a.get("id")}
    assert len(anchors) == 13  # with the DNS and content sections
    assert {anchor[1:] for anchor in anchors} == ids


def test_a_long_history_draws_the_latest_rounds_and_thins_the_dots() -> None:
    html = render_html(sample_analysis(days=120), lang="en")  # 600 local, 720 tromboned RTTs
    assert "Showing the latest 24 of 120 rounds." in html
    trend = html[html.index('<section id="trend"') :]
    assert trend.count("<rect") < 24 * 4 + 10  # bars of 24 rounds (4 verdicts) and a legend
    latency = html[html.index('<section id="latency"') : html.index('<section id="model"')]
    assert latency.count("<circle") == 600 + 360  # every local dot, every 2nd tromboned one
    assert "median 5.0\u00a0ms" in latency  # the median still counts every path
