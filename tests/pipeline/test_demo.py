"""`ixpready demo` end to end, in-process: scenario -> analyze -> model -> report, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ixpready.cli import main


def test_demo_writes_analysis_model_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "SIMULATED" in printed
    assert "IXP founding set (k=5)" in printed
    analysis = json.loads((out / "analysis.json").read_text())
    assert analysis["simulated"] is True and analysis["country"] == "GT"
    summary = analysis["summary"]
    assert summary["quarantined"] == 1  # the scenario's deliberately cut line
    assert (
        summary["domestic_paths"]
        == summary["local"]
        + summary["local_via_ixp"]
        + summary["tromboned"]
        + summary["inconclusive"]
    )
    assert summary["tromboned"] > 0 and summary["inconclusive"] > 0 and summary["other_paths"] > 0
    assert any(p["status"] == "contradicted" for p in analysis["probes"])  # the misplaced probe
    model = json.loads((out / "model.json").read_text())
    assert model["format"] == "ixpready-model/1"
    for name in (
        "report.es.html",
        "report.en.html",
        "report.es.pdf",
        "report.en.pdf",
        "verdicts.csv",
        "candidates.csv",
    ):
        assert (out / "report" / name).stat().st_size > 0, name


def test_demo_is_reproducible_and_rerunnable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    for _ in range(2):
        assert main(["demo", "--out", str(out)]) == 0
    capsys.readouterr()
    assert len((out / "quarantine.jsonl").read_text().splitlines()) == 1  # a re-run adds nothing


def test_demo_report_shows_dns_instances_and_where_content_is_served(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    capsys.readouterr()
    en = (out / "report" / "report.en.html").read_text("utf-8")
    es = (out / "report" / "report.es.html").read_text("utf-8")
    for page in (en, es):
        assert '<section id="dns"' in page and '<section id="content"' in page
        for name in (
            "gua01.l.root-servers.org",
            "mia01.l.root-servers.org",
            "ns1.us-mia.k.ripe.net",
            "ns1.gua.nic.gt",
            "www.noticias.example",
            "38.104.0.20",
        ):
            assert name in page, name
    assert "Miami, United States (abroad)" in en and "Miami, Estados Unidos (fuera del país)" in es
    assert "Served from abroad" in en and "Se sirve desde fuera del país" in es
    content = (out / "report" / "content.csv").read_text("utf-8").splitlines()
    assert any(row.startswith("www.noticias.example,38.104.0.20,") and ",abroad," in row
               for row in content)  # fmt: skip
