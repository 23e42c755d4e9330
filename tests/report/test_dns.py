"""DNS findings from recorded RIPE Atlas results: which root instance answered, and where."""

from __future__ import annotations

from pathlib import Path

import dns.edns
import dns.message
import pytest

from ixpready.analysis.dns import dns_findings
from ixpready.analysis.export import to_json
from ixpready.cli import main
from ixpready.measurements.records import DnsResponse, DnsResult, TraceKey
from ixpready.pipeline.report import read_dns
from ixpready.report.render import render_html
from report.sample import SCRIPT, sample_analysis

L_ROOT = "atlas-dns/ripe-atlas-monitor-msm1071935-dns.json"


def test_the_l_root_instances_are_named_and_placed(recorded: Path) -> None:
    # msm 1071935: SOA fr. to l.root-servers.net (199.7.83.42) with NSID, 5 probes, 2013.
    summary = dns_findings(read_dns((recorded / L_ROOT,)))
    assert (summary.results, summary.unanswered, summary.undecodable) == (5, 0, 0)
    rows = [(f.instance, f.site, f.probes, f.median_rtt_ms) for f in summary.findings]
    assert rows == [  # most probes first
        # L-root names instances by IATA code: ods = Odesa (her = Heraklion, too small a
        # city for a bare 3-letter code to be read)
        ("ods01.l.root-servers.org", "Odesa, UA", 3, 71.238),  # probes 10045, 10048, 10102
        ("atl01.l.root-servers.org", "Atlanta, US", 1, 34.15),  # probe 10540
        ("her01.l.root-servers.org", None, 1, 76.008),  # probe 11523
    ]
    assert {f.server for f in summary.findings} == {"199.7.83.42"}
    assert {f.query for f in summary.findings} == {"fr. IN SOA"}


def test_errors_and_plain_answers_are_counted(recorded: Path) -> None:
    # msm 1421267: A www.ripe.net, 4 results, one only a 5 s timeout; no instance names.
    summary = dns_findings(
        read_dns((recorded / "atlas-dns/ripe-atlas-monitor-msm1421267-dns.json",))
    )
    assert (summary.results, summary.unanswered) == (4, 1)
    # plain lookups say nothing about which instance answered: counted, not listed
    assert summary.findings == ()
    assert summary.ordinary == 3


def test_the_dns_section_shows_the_instances_in_both_languages(recorded: Path) -> None:
    summary = dns_findings(read_dns((recorded / L_ROOT,)))
    es = render_html(sample_analysis(), lang="es", dns=summary)
    en = render_html(sample_analysis(), lang="en", dns=summary)
    assert '<section id="dns"' in es and "Copia que respondió" in es
    assert "atl01.l.root-servers.org" in en
    assert (
        "Atlanta, United States (abroad)" in en and "Atlanta, Estados Unidos (fuera del país)" in es
    )
    assert '<section id="dns"' not in render_html(sample_analysis(), lang="en")


def test_a_hostile_instance_name_is_escaped() -> None:
    nsid = dns.edns.GenericOption(dns.edns.OptionType.NSID, SCRIPT.encode())
    wire = dns.message.make_query("gt.", "SOA", use_edns=0, options=[nsid]).to_wire()
    result = DnsResult(key=TraceKey(1, 2, 3), af=4, public_source=None,
                       responses=(DnsResponse(resolver=None, rtt_ms=9.0, answer=wire),))  # fmt: skip
    summary = dns_findings((result,))
    assert summary.findings[0].instance == SCRIPT
    html = render_html(sample_analysis(), lang="en", dns=summary)
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;.example" in html
    assert "the probe&#39;s resolver" in html


def test_the_cli_takes_dns_results(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    analysis = tmp_path / "analysis.json"
    analysis.write_bytes(to_json(sample_analysis()))
    out = tmp_path / "out"
    argv = ["report", str(analysis), "--dns", str(recorded / L_ROOT), "--lang", "en", "--out"]
    assert main([*argv, str(out)]) == 0
    assert "ods01.l.root-servers.org" in (out / "report.en.html").read_text("utf-8")
    assert main(["report", str(analysis), "--dns", str(tmp_path / "none.json")]) == 3
    assert "none.json: cannot read DNS results" in capsys.readouterr().err
