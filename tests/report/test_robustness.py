"""Any analysis the contract allows renders: odd names, missing values, unknown places.

Generated analyses (hypothesis) go through both pages; every inline SVG must stay
well-formed XML and no generated text may turn into markup.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ixpready.analysis.verdicts import (
    AnalysisResult,
    Evidence,
    PathVerdict,
    ProbeCheck,
    Scope,
    Summary,
    Verdict,
)
from ixpready.measurements.records import TraceKey
from ixpready.report.exports import verdicts_csv
from ixpready.report.render import render_html

NASTY = st.sampled_from(
    ["<b>x</b>", "=1+1", "a & b", '"quoted"', "'single'", "\x1b[31m", "ü\u202e", "]]>", "--"]
)
TEXT = st.one_of(NASTY, st.text(max_size=20))
ASN = st.one_of(st.none(), st.sampled_from([64496, 64497, 64498, 4_200_000_000]))
PLACE = st.sampled_from(["Miami, US", "Nowhere, ZZ", "<i>x</i>, US", "=cmd, MX", "Lone", "GT"])
COUNTRY = st.sampled_from(["US", "MX", "ZZ", "gt", ""])
RTT = st.one_of(st.none(), st.floats(min_value=0, max_value=5000, allow_nan=False))


@st.composite
def paths(draw: st.DrawFn) -> PathVerdict:
    verdict = draw(st.sampled_from(list(Verdict)))
    return PathVerdict(
        trace=TraceKey(draw(st.integers(1, 10**8)), draw(st.integers(1, 10**6)),
                       draw(st.integers(0, 2 * 10**9))),
        scope=Scope.DOMESTIC, verdict=verdict, reason=draw(TEXT), af=4,
        dst_addr=None, src_asn=draw(ASN), dst_asn=draw(ASN), src_country="GT", dst_country="GT",
        as_path=(), foreign_countries=tuple(draw(st.lists(COUNTRY, max_size=2))),
        foreign_cities=tuple(draw(st.lists(PLACE, max_size=2))),
        ixps=tuple(draw(st.lists(TEXT, max_size=1))), ixp_countries=(),
        carried_by=tuple(draw(st.lists(ASN.filter(lambda a: a is not None), max_size=2))),  # type: ignore[arg-type]
        rtt_ms=draw(RTT), floor_rtt_ms=None, extra_rtt_ms=draw(RTT),
        confidence=0.5,
        evidence=tuple(Evidence(draw(TEXT), draw(TEXT), hop=draw(st.none() | st.integers(1, 30)))
                       for _ in range(draw(st.integers(0, 2)))),
    )  # fmt: skip


@st.composite
def analyses(draw: st.DrawFn) -> AnalysisResult:
    domestic = tuple(draw(st.lists(paths(), max_size=12)))
    names = {asn: draw(TEXT) for asn in (64496, 64497, 64498) if draw(st.booleans())}
    probes = tuple(
        ProbeCheck(prb_id=i, country=draw(st.none() | COUNTRY), asn=draw(ASN), latitude=None,
                   longitude=None, status=draw(st.sampled_from(["confirmed", "odd", "unknown"])),
                   detail="", description=draw(TEXT))
        for i in range(draw(st.integers(0, 3)))
    )  # fmt: skip
    return AnalysisResult(
        country=draw(st.sampled_from(["GT", "XX", "us"])),
        generated_at=datetime(2026, 3, 2, tzinfo=UTC),
        summary=Summary.of(
            domestic, (), results_read=len(domestic), quarantined=0, skipped=0, duplicates=0
        ),
        paths=domestic,
        other_paths=(),
        probes=probes,
        snapshots=(),
        as_names=names,
        simulated=draw(st.booleans()),
    )


def _charts(html: str) -> list[str]:
    """Returns each top-level inline <svg> element (the map nests one)."""
    found: list[str] = []
    depth, start = 0, 0
    for tag in re.finditer(r"<svg\b|</svg>", html):
        if tag.group() == "</svg>":
            depth -= 1
            if depth == 0:
                found.append(html[start : tag.end()])
        else:
            if depth == 0:
                start = tag.start()
            depth += 1
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(analyses())
def test_any_analysis_renders_in_both_languages(analysis: AnalysisResult) -> None:
    for lang in ("es", "en"):
        html = render_html(analysis, lang=lang)
        assert "<b>" not in html and "<i>" not in html and "\x1b" not in html
        for chart in _charts(html):
            ET.fromstring(chart)  # well-formed: every name escaped in text and attributes
    for line in verdicts_csv(analysis).splitlines()[1:]:
        assert not line.startswith(("=", "+", "-", "@"))
