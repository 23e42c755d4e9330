"""Where popular content is served from: the page section, the CSV, the CLI's --refdata."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from ixpready.analysis.content import AddressOwners, ContentSummary, content_findings
from ixpready.analysis.export import to_json
from ixpready.cli import main
from ixpready.pipeline.report import ReportFiles, content_of
from ixpready.report.content import CONTENT_COLUMNS, content_csv
from ixpready.report.render import render_html
from report.sample import (
    FORMULA,
    SCRIPT,
    TELE,
    TRANSIT_US,
    sample_analysis,
    sample_content_dns,
    sample_refdata,
)

RIPE_A = "atlas-dns/ripe-atlas-monitor-msm1421267-dns.json"  # A www.ripe.net, 2014-01-21
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _summary(*, hostile: bool = False, mapped: bool = True) -> ContentSummary:
    analysis = sample_analysis(hostile=hostile)
    return content_of(
        analysis,
        sample_content_dns(hostile=hostile),
        sample_refdata(hostile=hostile) if mapped else None,
    )


def test_the_section_says_where_each_name_is_served_in_both_languages() -> None:
    summary = _summary()
    en = render_html(sample_analysis(), lang="en", content=summary)
    es = render_html(sample_analysis(), lang="es", content=summary)
    assert '<section id="content"' in en and '<a href="#content">' in en
    assert "Where popular content is served from" in en
    assert "Desde dónde se sirve el contenido popular" in es
    # www.noticias.example: 203.0.113.2 (a tromboned domestic path, via Miami) and
    # 192.0.2.200 (the outbound path, registered in US); portal.example: a local path
    assert "Served partly in Guatemala and partly from abroad (United States)." in en
    assert "En parte se sirve en Guatemala y en parte desde fuera (Estados Unidos)." in es
    assert "Served in Guatemala: the measured paths stay in the country." in en
    assert f"AS{TELE} Telefonía Central" in en and f"AS{TRANSIT_US} Big Transit Inc" in en
    assert "United States (abroad)" in en and "Estados Unidos (fuera del país)" in es
    assert (
        "1 leave and come back · 92.5\u00a0ms" in en and "1 salen y regresan · 92,5\u00a0ms" in es
    )
    assert "Aliases (CNAME): cdn.example.net." in en
    assert "pfx2as-20260301.txt (2026-03-01)" in en
    assert '<section id="content"' not in render_html(sample_analysis(), lang="en")


def test_without_reference_data_the_addresses_show_and_the_page_says_why() -> None:
    summary = _summary(mapped=False)
    assert not summary.mapped and summary.names[0].addresses[0].owner is None
    en = render_html(sample_analysis(), lang="en", content=summary)
    es = render_html(sample_analysis(), lang="es", content=summary)
    assert "203.0.113.2" in en and "192.0.2.200" in en
    assert "write the report with \u201c--refdata DIR\u201d" in en
    assert "genere el informe con «--refdata CARPETA»" in es
    section = en.split('<section id="content"')[1].split("</section>")[0]
    assert "Origin network" not in section and "Registered in" not in section
    rows = list(csv.DictReader(io.StringIO(content_csv(summary))))
    assert {r["asn"] for r in rows} == {""}
    assert {r["address"]: r["served"] for r in rows} == {
        "203.0.113.4": "in_country",
        "192.0.2.200": "abroad",
        "203.0.113.2": "detour",
    }


def test_hostile_content_names_aliases_and_as_names_are_escaped_and_defused() -> None:
    summary = _summary(hostile=True)
    name = summary.names[0]
    assert name.name == r"<script>alert\(1\)</script>.example"  # dnspython's presentation form
    assert name.aliases == (r"=HYPERLINK\(\"http://x\",\"y\"\)",)
    for lang in ("es", "en"):
        html = render_html(sample_analysis(hostile=True), lang=lang, content=summary)
        assert "<script" not in html.lower()
        assert r"&lt;script&gt;alert\(1\)&lt;/script&gt;.example" in html  # the name, escaped
        assert f"AS{TRANSIT_US} Transit &lt;script&gt;alert(1)&lt;/script&gt;.example" in html
    rows = list(csv.reader(io.StringIO(content_csv(summary))))
    assert tuple(rows[0]) == CONTENT_COLUMNS
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert "'" + name.aliases[0] in cells  # the formula, kept as inert text
    assert f"Transit {SCRIPT}" in cells and name.name in cells


def test_the_report_set_writes_content_csv_and_lists_it(report_set: ReportFiles) -> None:
    csv_path = report_set.out_dir / "content.csv"
    assert csv_path in report_set.exports
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8"))))
    assert [(r["address"], r["asn"], r["registry_country"], r["served"]) for r in rows] == [
        ("192.0.2.200", str(TRANSIT_US), "US", "abroad"),
        ("203.0.113.2", str(TELE), "GT", "detour"),
        ("203.0.113.4", str(TELE), "GT", "in_country"),
    ]
    for page in report_set.html:
        html = page.read_text("utf-8")
        assert '<a href="content.csv">content.csv</a>' in html
        assert '<section id="content"' in html


def _refdata(recorded: Path, folder: Path) -> Path:
    """Returns a reference folder from the recorded routing files (pyasn tables, AS names,
    RIPEstat responses) plus RIR delegated stats in the real layout for AS3333, whose
    country the recorded RIPEstat rir-stats-country response gives (NL)."""
    folder.mkdir()
    for source, name in (
        ("routing/pyasn-ipasn-20140513-excerpt.dat", "ipasn_20140513.dat"),
        ("routing/pyasn-ipasn6-20151101-v6-excerpt.dat", "ipasn6_20151101.dat"),
        ("routing/pyasn-asnames-central-america.json", "asnames.json"),
    ):
        shutil.copy(recorded / source, folder / name)
    shutil.copytree(recorded / "routing/ripestat", folder / "ripestat")
    (folder / "delegated-ripencc-extended-20140513").write_text(
        "2|ripencc|20140513|1|19830705|20140512|+0200\n"
        "ripencc|*|asn|*|1|summary\n"
        "ripencc|NL|asn|3333|1|19930901|allocated|opaque-1\n"
    )
    return folder


def test_the_cli_maps_recorded_answers_with_refdata(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    analysis = tmp_path / "analysis.json"
    analysis.write_bytes(to_json(sample_analysis()))
    refdata = _refdata(recorded, tmp_path / "refdata")
    out = tmp_path / "out"
    argv = ["report", str(analysis), "--dns", str(recorded / RIPE_A), "--lang", "en"]
    assert main([*argv, "--refdata", str(refdata), "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "content.csv").read_text("utf-8"))))
    assert [(r["name"], r["address"], r["asn"], r["prefix"], r["registry_country"], r["probes"])
            for r in rows] == [("www.ripe.net", "193.0.6.139", "3333", "193.0.0.0/21", "NL", "3")]  # fmt: skip
    html = (out / "report.en.html").read_text("utf-8")
    assert "AS3333 RIPE-NCC-AS - Reseaux IP Europeens" in html
    assert "Netherlands (abroad)" in html
    assert "No measured path from Guatemala reaches these addresses" in html
    assert "wrote " + str(out / "content.csv") in capsys.readouterr().out
    # without --refdata: the addresses, and the note
    assert main([*argv, "--out", str(tmp_path / "bare")]) == 0
    bare = (tmp_path / "bare" / "report.en.html").read_text("utf-8")
    assert "193.0.6.139" in bare and "--refdata DIR" in bare and "AS3333" not in bare
    # a missing reference folder is an input error
    assert main([*argv, "--refdata", str(tmp_path / "nowhere"), "--out", str(out)]) == 3
    assert "no such reference-data folder" in capsys.readouterr().err


def test_owners_come_from_the_snapshot_alone() -> None:
    owners = AddressOwners.from_snapshot(sample_refdata())
    summary = content_findings(sample_content_dns(), home="gt", owners=owners)
    assert summary.responses == 4 and summary.mapped
    assert [n.served for n in summary.names] == ["not_traced", "not_traced"]
    assert FORMULA not in content_csv(summary)


def test_the_pdfs_print_the_content_section(report_set: ReportFiles) -> None:
    es, en = report_set.pdf
    for pdf, words in ((es, ("Desde dónde se sirve el contenido popular", "203.0.113.4",
                             "Se sirve en Guatemala", "Registrada en")),
                       (en, ("Where popular content is served from", "192.0.2.200",
                             "Served in Guatemala", "Registered in"))):  # fmt: skip
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        for word in words:
            assert word in text, (pdf.name, word)
