"""The readiness scorecard: on the demo, on real PeeringDB / RIPEstat / CAIDA excerpts, the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ixpready.analysis.export import to_json as analysis_to_json
from ixpready.analysis.verdicts import AnalysisResult, Summary
from ixpready.cli import main
from ixpready.errors import ExitCode
from ixpready.model.readiness import POINTS, Check, ReadinessReport
from ixpready.model.readiness_build import build_readiness
from ixpready.pipeline.demo import run_demo
from ixpready.pipeline.model import run_model
from ixpready.pipeline.readiness import read_inventory, readiness_of
from ixpready.refdata.readiness import load_readiness_refs
from ixpready.refdata.snapshots import load_snapshot
from ixpready.report.readiness_view import readiness_csv, readiness_json, readiness_table

DATA = Path(__file__).resolve().parents[1] / "data" / "readiness"  # sources: README.md there
NOW = datetime(2026, 12, 5, tzinfo=UTC)
# contact details in the real poc excerpt: none may reach any output
POC_SECRETS = ("peering@", "@microsoft", "@baseip", "@bbc", "Base IP NOC")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AnalysisResult]:
    folder = tmp_path_factory.mktemp("demo")
    outcome = run_demo(folder, report=False)
    return folder, outcome.analysis


@pytest.fixture(scope="module")
def demo_card(demo: tuple[Path, AnalysisResult]) -> ReadinessReport:
    folder, analysis = demo
    return readiness_of(analysis, refdata=folder / "refdata", now=NOW)


def _empty(country: str) -> AnalysisResult:
    summary = Summary.of((), (), results_read=0, quarantined=0, skipped=0, duplicates=0)
    return AnalysisResult(country, NOW, summary, (), (), (), ())


def test_the_demo_scorecard(demo: tuple[Path, AnalysisResult], demo_card: ReadinessReport) -> None:
    folder, analysis = demo
    card = demo_card
    measured = {a for p in analysis.paths for a in (p.src_asn, p.dst_asn) if a is not None}
    rows = {n.asn: n for n in card.networks}
    assert set(rows) == measured and card.simulated and card.country == "GT"
    claro, tigo, ufinet = rows[14754], rows[23243], rows[52276]
    # Claro: a /16 ROA with maxLength 16 leaves its three announced /20s invalid
    assert (claro.rpki.valid, claro.rpki.invalid, claro.rpki.not_found) == (1, 3, 0)
    assert claro.rpki.invalid_prefixes == ("186.151.64.0/20", "186.151.96.0/20", "186.151.112.0/20")
    assert claro.rpki.check is Check.NO and claro.rpki.source.date == "2026-11-01"
    # Tigo: every prefix valid, IPv6 announced and measured, PeeringDB complete
    assert tigo.checks() == {
        "peeringdb": Check.YES, "home_ixp": Check.NO, "home_facility": Check.YES,
        "ipv6": Check.YES, "rpki": Check.YES, "irr": Check.YES, "upstreams": Check.YES,
    }  # fmt: skip
    assert tigo.ipv6.prefixes_v6 == 1 and tigo.ipv6.paths_measured > 0
    assert sum(n for _, n in tigo.ipv6.verdicts) == tigo.ipv6.paths_measured
    assert ufinet.rpki.not_found == ufinet.rpki.prefixes == 3
    # the MOAS prefix 190.104.116.0/24 (52362_6487) is valid for 52362; its /21 under AS0 not
    sice = rows[52362]
    assert sice.rpki.invalid_prefixes == ("190.104.120.0/21",) and sice.rpki.valid == 2
    # measured facts agree with the analysis, and the gain with the model's candidates
    model = run_model(analysis, refdata=folder / "refdata", members_file=None, k=5,
                      weights_file=None)  # fmt: skip
    for candidate in model.candidates:
        row = rows[candidate.asn]
        assert (row.gain.rank, row.gain.kept_local_paths) == (
            candidate.rank, candidate.kept_local_paths
        )
    for row in card.networks:
        mine = [p for p in analysis.paths if row.asn in (p.src_asn, p.dst_asn)]
        assert row.paths.paths == len(mine)
        assert row.paths.tromboned == sum(p.verdict == "tromboned" for p in mine)
    summary = {s.point: (s.yes, s.no, s.unknown) for s in card.summary()}
    assert summary["ipv6"] == (2, 6, 0) and summary["rpki"] == (3, 5, 0)
    assert summary["peeringdb"] == (4, 4, 0) and summary["home_ixp"] == (0, 8, 0)
    assert all(sum(v) == len(card.networks) for v in summary.values())


def test_every_field_says_its_source_and_date(demo_card: ReadinessReport) -> None:
    document = json.loads(readiness_json(demo_card))
    assert document["country"] == "GT" and document["format"] == "ixpready-readiness/1"
    fields = ("home_ixps", "home_facilities", "peeringdb", "ipv6", "rpki", "irr", "upstreams",
              "paths", "gain")  # fmt: skip
    for network in document["networks"]:
        assert {"asn", "name", "tromboned_share", "median_penalty_ms"} <= set(network)
        for name in fields:
            assert network[name]["source"], (network["asn"], name)
            assert "date" in network[name]
        assert network["peeringdb"]["date"] == "2026-11-01"
        assert set(network["checks"]) == set(POINTS)
    assert [s["point"] for s in document["summary"]] == list(POINTS)


def test_real_peeringdb_records_contacts_counted_never_shown(tmp_path: Path) -> None:
    pdb = tmp_path / "refdata" / "peeringdb"
    pdb.mkdir(parents=True)
    for kind in ("net", "netfac", "poc"):
        shutil.copy(DATA / f"pdb-beta-api-2026-04-16-{kind}-excerpt.json", pdb / f"{kind}.json")
    refs = load_readiness_refs(tmp_path / "refdata")
    # read off the excerpt by hand: BBC (net 17) 1 poc, Microsoft (694) 2, Base IP (700) 2
    assert {a: (n.policy, n.irr_as_set, n.contacts) for a, n in refs.nets.items()} == {
        4436: ("Restrictive", "", 0),
        2818: ("Open", "AS-BBC", 1),
        8075: ("Selective", "AS-MICROSOFT", 2),
        34305: ("Selective", "AS-BASEIP", 2),
    }
    assert sorted({(f.asn, f.country) for f in refs.netfacs}) == [(2818, "GB"), (8075, "US")]
    card = build_readiness(
        _empty("GB"), load_snapshot(tmp_path / "refdata"), refs, None, generated_at=NOW,
        inventory=(2818, 8075, 34305, 4436, 64500),
    )  # fmt: skip
    rows = {n.asn: n for n in card.networks}
    assert not any(n.measured for n in card.networks)
    assert rows[2818].peeringdb.check is Check.YES and rows[2818].irr.as_set == "AS-BBC"
    assert rows[2818].home_facilities.check is Check.YES
    assert len(rows[2818].home_facilities.names) == 3
    assert rows[8075].home_facilities.check is Check.NO  # present, but in the US only
    assert rows[4436].peeringdb.check is Check.NO and rows[4436].irr.check is Check.NO
    assert rows[64500].peeringdb.present is False and rows[64500].irr.check is Check.UNKNOWN
    assert rows[2818].ipv6.check is Check.UNKNOWN  # no routing table: cannot tell
    assert rows[2818].rpki.check is Check.UNKNOWN and rows[2818].upstreams.check is Check.UNKNOWN
    document = readiness_json(card).decode()
    assert json.loads(document)["networks"][0]["peeringdb"]["poc"] is not None
    raw_poc = (DATA / "pdb-beta-api-2026-04-16-poc-excerpt.json").read_text()
    assert "peering@" in raw_poc  # the excerpt holds contacts; none leaves the scorecard
    for text in (document, readiness_csv(card), readiness_table(card)):
        for secret in POC_SECRETS:
            assert secret.lower() not in text.lower()
        assert "@" not in text


def test_ripestat_announced_prefixes_and_rpki_validation(recorded: Path, tmp_path: Path) -> None:
    folder = tmp_path / "refdata" / "ripestat"
    folder.mkdir(parents=True)
    shutil.copy(recorded / "routing/ripestat/andrelia-announced-prefixes.json",
                folder / "announced-prefixes-AS3333.json")  # fmt: skip
    shutil.copy(DATA / "ripestat-rpki-validation-AS3333-2025-06-11.json",
                folder / "rpki-validation-AS3333.json")  # fmt: skip
    refdata = tmp_path / "refdata"
    card = build_readiness(
        _empty("NL"), load_snapshot(refdata), load_readiness_refs(refdata), None,
        generated_at=NOW, inventory=(3333,),
    )  # fmt: skip
    (ripe,) = card.networks
    # 7 announced prefixes (6 IPv4, 1 IPv6); RIPEstat was asked about one of them
    assert (ripe.ipv6.prefixes_v4, ripe.ipv6.prefixes_v6, ripe.ipv6.check) == (6, 1, Check.YES)
    assert (ripe.rpki.valid, ripe.rpki.unchecked, ripe.rpki.check) == (1, 6, Check.UNKNOWN)
    assert ripe.rpki.source.date == "2025-06-11"
    assert "RIPEstat rpki-validation" in ripe.rpki.source.source


def test_caida_providers_and_their_countries(recorded: Path, tmp_path: Path) -> None:
    refdata = tmp_path / "refdata"
    refdata.mkdir()
    for name in ("caida-20180201-as-rel-central-america-mexico.txt",
                 "caida-nationality-asn-to-country-2018-02-01-latin-america.txt"):  # fmt: skip
        shutil.copy(recorded / "routing" / name, refdata / name)
    card = build_readiness(
        _empty("GT"), load_snapshot(refdata), load_readiness_refs(refdata), None,
        generated_at=NOW, inventory=(14754,),
    )  # fmt: skip
    (claro,) = card.networks
    providers = {u.asn: u for u in claro.upstreams.providers}
    # `174|14754|-1`, `3356|14754|-1`, ... : the seven providers of AS14754 in the file
    assert set(providers) == {174, 1299, 2914, 3257, 3356, 6453, 28513}
    assert providers[28513].country == "MX"  # 77.8 % of its addresses in MX (nationality)
    assert claro.upstreams.foreign == 7 and claro.upstreams.check is Check.NO
    assert claro.upstreams.source.date == "2018-02-01"
    assert "AS relationships (CAIDA)" in claro.upstreams.source.source


def test_inventories_of_both_shapes(recorded: Path, tmp_path: Path) -> None:
    asns, source = read_inventory(recorded / "routing/ripestat/andrelia-country-resource-list.json")
    assert len(asns) == 681 and asns[:3] == (679, 760, 1109)
    assert source.date == "2020-12-01"
    discover = tmp_path / "inventory-GT-20261201.json"
    discover.write_text(json.dumps({
        "country": "GT", "taken": "2026-12-01T10:00:00Z",
        "networks": {"source": "RIPEstat country-resource-list", "asns": [14754, 23243]},
    }))  # fmt: skip
    assert read_inventory(discover)[0] == (14754, 23243)


def test_cli_writes_every_format_and_escapes_network_text(
    demo: tuple[Path, AnalysisResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, analysis = demo
    refdata = tmp_path / "refdata"
    shutil.copytree(folder / "refdata", refdata)
    net = json.loads((refdata / "peeringdb" / "net.json").read_text())
    hostile = '=HYPERLINK("http://x")\x1b[2J<script>alert(1)</script>'
    net["data"].append({"id": 1, "asn": 64512, "name": hostile, "status": "ok",
                        "policy_general": "Open", "irr_as_set": "AS-X"})  # fmt: skip
    (refdata / "peeringdb" / "net.json").write_text(json.dumps(net))
    analysis_file = tmp_path / "analysis.json"
    analysis_file.write_bytes(analysis_to_json(analysis))
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"networks": {"asns": [64512]}, "taken": "2026-12-01"}))
    base = ["readiness", str(analysis_file), "--refdata", str(refdata),
            "--inventory", str(inventory)]  # fmt: skip
    assert main(base) == ExitCode.OK
    table = capsys.readouterr().out
    assert "\x1b" not in table and "64512" in table and "IPv6: " not in table
    assert "Announces IPv6 prefixes: 2 of 9 networks" in table
    out = tmp_path / "card.csv"
    assert main([*base, "--format", "csv", "--out", str(out)]) == ExitCode.OK
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    hostile_row = next(r for r in rows if r["asn"] == "64512")
    assert hostile_row["name"].startswith("'=HYPERLINK") and "\x1b" not in hostile_row["name"]
    assert hostile_row["measured"] == "False" and len(rows) == 9
    assert main([*base, "--format", "json"]) == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    assert document["networks"][-1]["name"] == hostile  # stored as received
    assert main(["readiness", str(analysis_file), "--refdata", str(tmp_path / "none")]) == 3
    assert "no such reference-data folder" in capsys.readouterr().err


def test_the_report_section_in_both_languages_escapes_network_text(
    demo: tuple[Path, AnalysisResult], demo_card: ReadinessReport
) -> None:
    from dataclasses import replace

    from ixpready.report.i18n import CATALOGS
    from ixpready.report.render import render_html

    _, analysis = demo
    hostile = replace(demo_card.networks[0], name='<script>alert("x")</script>')
    card = replace(demo_card, networks=(hostile, *demo_card.networks[1:]))
    pages = {lang: render_html(analysis, lang=lang, readiness=card, now=NOW)
             for lang in ("es", "en")}  # fmt: skip
    assert "Anuncia prefijos IPv6: 2 de 8 redes" in pages["es"]
    assert "Announces IPv6 prefixes: 2 of 8 networks" in pages["en"]
    assert "¿Listas para intercambiar tráfico?" in pages["es"]
    assert 'href="#readiness"' in pages["en"]
    for page in pages.values():
        assert "<script>" not in page and "&lt;script&gt;" in page
        assert page.count('class="ready-no"') == sum(
            c is Check.NO for n in card.networks for c in n.checks().values()
        )
    # a gap gets its next step: Claro's invalid ROAs
    assert "Crear ROA para todos sus prefijos" in pages["es"]
    assert set(CATALOGS["es"]) == set(CATALOGS["en"])
    plain = render_html(analysis, lang="en", now=NOW)  # without a scorecard: no section
    assert 'id="readiness"' not in plain


def test_report_with_refdata_adds_the_section_and_its_exports(
    demo: tuple[Path, AnalysisResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, analysis = demo
    analysis_file = tmp_path / "analysis.json"
    analysis_file.write_bytes(analysis_to_json(analysis))
    out = tmp_path / "report"
    argv = ["report", str(analysis_file), "--refdata", str(folder / "refdata"), "--lang", "en",
            "--model", str(folder / "model.json"), "--out", str(out)]  # fmt: skip
    assert main(argv) == ExitCode.OK
    capsys.readouterr()
    page = (out / "report.en.html").read_text()
    assert 'id="readiness"' in page and "readiness.csv" in page
    exported = json.loads((out / "readiness.json").read_text())
    assert exported["country"] == "GT" and len(exported["networks"]) == 8
    assert (out / "readiness.csv").read_text().startswith("asn,name,measured,points_met,")


def test_home_exchanges_from_the_recorded_peeringdb_pages(recorded: Path, tmp_path: Path) -> None:
    pdb = tmp_path / "refdata" / "peeringdb"
    pdb.mkdir(parents=True)
    for kind in ("ix", "ixlan", "ixpfx", "netixlan", "net"):
        for page in (1, 2):
            shutil.copy(recorded / f"peeringdb/pdb-beta-api-2026-04-16-{kind}-page{page}.json",
                        pdb / f"{kind}-page{page}.json")  # fmt: skip
    refdata = tmp_path / "refdata"
    card = build_readiness(
        _empty("NL"), load_snapshot(refdata), load_readiness_refs(refdata), None,
        generated_at=NOW, inventory=(6939, 12859, 20562),
    )  # fmt: skip
    rows = {n.asn: n for n in card.networks}
    # read off the pages: all three have a port on NL-ix; 20562's net record is on no page
    assert {a: r.home_ixps.names for a, r in rows.items()} == {
        6939: ("NL-ix",), 12859: ("NL-ix",), 20562: ("NL-ix",)
    }
    assert rows[6939].irr.as_set == "RADB::AS-HURRICANE RADB::AS-HURRICANEV6"
    assert rows[12859].peeringdb.policy == "Open"
    assert rows[6939].peeringdb.check is Check.UNKNOWN  # no poc pages: contacts unknown
    assert rows[20562].peeringdb.present is False and rows[20562].irr.check is Check.UNKNOWN
    source = rows[6939].home_ixps.source  # pages with an empty `meta`, no date in the names
    assert "peeringdb/netixlan-page2.json" in source.source and source.date is None
