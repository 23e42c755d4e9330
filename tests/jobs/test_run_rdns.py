"""Reverse DNS gathered by the pipeline, against a real authoritative server (NSD, tests/authdns.py).

The scenario's router names (its `rdns.json`, the file an operator's probe would write) are
served by NSD as PTR records; `ixpready run` without that file must gather the same names
and reach the same verdicts, keep them in the store (SQLite and PostgreSQL) with their TTL,
and `analyze --store` / `analyze --resolve` must read them as evidence.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path

import pytest
from tests.authdns import (
    NAME_TTL_S,
    NEGATIVE_TTL_S,
    NO_NAME_ADDRESS,
    SERVFAIL_ADDRESS,
    Nsd,
    silent_port,
)
from tests.authdns import start_nsd as nsd_serving

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import ExitCode
from ixpready.measurements.store import Store
from ixpready.measurements.store_pg import PgStore
from ixpready.pipeline import rdns
from ixpready.sources.rdns import PtrResolver
from jobs.conftest import offline_config
from jobs.postgres import Postgres

A = ip_address


@pytest.fixture(scope="module")
def scenario_nsd(
    scenario: ScenarioFiles, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Nsd]:
    """NSD serving the scenario's router names (address -> name) as PTR records."""
    names = json.loads(scenario.rdns.read_text(encoding="utf-8"))
    with nsd_serving(tmp_path_factory.mktemp("nsd-scenario"), names) as running:
        yield running


def _verdicts(analysis: dict[str, object]) -> list[tuple[object, ...]]:
    paths = analysis["paths"]
    assert isinstance(paths, list)
    return [(p["msm_id"], p["prb_id"], p["timestamp"], p["verdict"], tuple(p["foreign_cities"]))
            for p in paths]  # fmt: skip


def _rdns_facts(analysis: dict[str, object]) -> set[str]:
    paths = analysis["paths"]
    assert isinstance(paths, list)  # NSD sends names in lower case
    facts = (e["fact"].lower() for p in paths for e in p["evidence"])
    return {fact for fact in facts if "reverse dns" in fact}


def test_gathered_names_are_kept_until_their_ttl_ends(nsd: Nsd, tmp_path: Path) -> None:
    resolver = PtrResolver([(nsd.host, nsd.port)], timeout_s=1.0)
    wanted = [A("192.0.2.1"), A(NO_NAME_ADDRESS), A(SERVFAIL_ADDRESS)]
    with Store.open(tmp_path / "store.sqlite") as store:
        first = rdns.gather(store, wanted, resolver, now=1_000_000)
        assert (first.asked, first.named, first.no_name, first.failed) == (3, 1, 1, 1)
        kept = store.names()
        assert {a: (n.name, n.resolved_at, n.ttl_s) for a, n in kept.items()} == {
            "192.0.2.1": ("ae-1.r01.mia01.example.net", 1_000_000, NAME_TTL_S),
            NO_NAME_ADDRESS: (None, 1_000_000, NEGATIVE_TTL_S),
        }  # the SERVFAIL is not kept: asked again next time
        again = rdns.gather(store, wanted, resolver, now=1_000_000 + NEGATIVE_TTL_S - 1)
        assert (again.reused, again.asked) == (2, 1)
        later = rdns.gather(store, wanted, resolver, now=1_000_000 + NEGATIVE_TTL_S)
        assert (later.reused, later.asked, later.no_name) == (1, 2, 1)  # "no name" expired
        assert store.names()[NO_NAME_ADDRESS].resolved_at == 1_000_000 + NEGATIVE_TTL_S
        assert rdns.stored_names(store) == {A("192.0.2.1"): "ae-1.r01.mia01.example.net"}
    assert "1 failed (asked again next time)" in first.as_line()


def test_the_shared_store_keeps_names_too(nsd: Nsd, postgres: Postgres) -> None:
    name = "t_" + uuid.uuid4().hex[:12]
    postgres.admin(f"CREATE DATABASE {name}", database="postgres")
    try:
        resolver = PtrResolver([(nsd.host, nsd.port)], timeout_s=1.0)
        hostile = [A("192.0.2.66"), A("192.0.2.67"), A("192.0.2.68"), A("2001:db8::66")]
        with PgStore.open(postgres.url(database=name)) as shared:
            done = rdns.gather(shared, [A("2001:db8::10"), *hostile], resolver, now=5)
            assert done.named == 5
            again = rdns.gather(shared, [A("2001:db8::10"), *hostile], resolver, now=6)
            assert (again.reused, again.asked) == (5, 0)
            names = rdns.stored_names(shared)
        assert names[A("2001:db8::10")] == "www.example.test"
        assert names[A("192.0.2.66")] == "\\027[31mred\\007\\000.example.test"  # NUL kept, escaped
    finally:
        postgres.admin(f"DROP DATABASE {name} WITH (FORCE)", database="postgres")


def test_run_gathers_the_names_and_reaches_the_verdicts_of_the_names_file(
    scenario: ScenarioFiles, scenario_nsd: Nsd, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    (tmp_path / "file").mkdir()
    (tmp_path / "dns").mkdir()
    with_file = offline_config(tmp_path / "file", scenario)
    assert main(["--config", str(with_file), "run"]) == ExitCode.PARTIAL  # the damaged line
    gathering = offline_config(tmp_path / "dns", scenario,
                               f'[rdns]\nservers = ["{scenario_nsd.server}"]\ntimeout_s = 1.0\n')
    gathering.write_text(gathering.read_text().replace(f'rdns_file = "{scenario.rdns}"\n', ""))
    capsys.readouterr()
    assert main(["--config", str(gathering), "run"]) == ExitCode.PARTIAL
    out = capsys.readouterr().out
    served = json.loads(scenario.rdns.read_text(encoding="utf-8"))
    settings = load_settings(gathering, {})
    assert settings.run.rdns_file is None
    with Store.open(settings.store_path) as store:
        kept = {a: n.name for a, n in store.names().items() if n.name is not None}
    # every name the scenario's routers have, as NSD serves them (NSD sends names in lower
    # case), and no other
    assert kept == {a: n.lower() for a, n in served.items() if a in kept} and len(kept) >= 40
    assert re.search(r"rdns: \d+ hop addresses: \d+ names kept from before, \d+ asked: "
                     r"\d+ named", out), out
    facts: set[str] = set()
    for round_dir in sorted(settings.rounds_dir.iterdir()):
        gathered = json.loads((round_dir / "analysis.json").read_text())
        given = json.loads((load_settings(with_file, {}).rounds_dir / round_dir.name
                            / "analysis.json").read_text())  # fmt: skip
        assert _verdicts(gathered) == _verdicts(given)
        assert _rdns_facts(gathered) == _rdns_facts(given)
        facts |= _rdns_facts(gathered)
    assert any("miami" in fact for fact in facts)  # names read as evidence
    capsys.readouterr()
    assert main(["--config", str(gathering), "run"]) == ExitCode.OK  # nothing new
    assert "rdns:" not in capsys.readouterr().out  # nothing analysed again, nothing asked


def test_analyze_reads_the_stores_names_and_resolves_files(
    scenario: ScenarioFiles, scenario_nsd: Nsd, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    common = ["--country", "GT", "--refdata", str(scenario.refdata), "--probes",
              str(scenario.probes), "--format", "json", "--quarantine",
              str(tmp_path / "q.jsonl")]  # fmt: skip
    files = [str(p) for p in scenario.results]
    assert main(["analyze", *files, *common, "--rdns", str(scenario.rdns),
                 "--out", str(tmp_path / "file.json")]) == ExitCode.PARTIAL  # fmt: skip
    monkeypatch.setenv("IXPREADY_RDNS_SERVERS", scenario_nsd.server)
    assert main(["analyze", *files, *common, "--resolve",
                 "--out", str(tmp_path / "resolved.json")]) == ExitCode.PARTIAL  # fmt: skip
    assert "ixpready: reverse DNS: " in capsys.readouterr().err
    given = json.loads((tmp_path / "file.json").read_text())
    resolved = json.loads((tmp_path / "resolved.json").read_text())
    assert _verdicts(resolved) == _verdicts(given)
    assert _rdns_facts(resolved) == _rdns_facts(given) != set()
    # into a store: the names stay there, and a later `analyze --store` reads them offline
    store = tmp_path / "store.sqlite"
    with Store.open(store):
        pass
    assert main(["analyze", *files, *common, "--resolve", "--store", str(store),
                 "--out", str(tmp_path / "into.json")]) == ExitCode.PARTIAL  # fmt: skip
    monkeypatch.setenv("IXPREADY_RDNS_SERVERS", "127.0.0.1:9")  # nothing there now
    assert main(["analyze", *files, *common, "--store", str(store),
                 "--out", str(tmp_path / "stored.json")]) == ExitCode.PARTIAL  # fmt: skip
    stored = json.loads((tmp_path / "stored.json").read_text())
    assert _verdicts(stored) == _verdicts(given)
    assert _rdns_facts(stored) == _rdns_facts(given)


def test_an_offline_run_does_not_wait_for_dns(
    scenario: ScenarioFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with silent_port() as port:
        config = offline_config(tmp_path, scenario,
                                f'[rdns]\nservers = ["127.0.0.1:{port}"]\ntimeout_s = 0.5\n')
        assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    out = capsys.readouterr().out
    # the first round asked one address, got no answer and asked no other
    found = re.search(r"rdns: \d+ hop addresses: 0 names kept from before; no DNS server "
                      r"answered, (\d+) not asked", out)  # fmt: skip
    assert found is not None, out
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        assert store.names() == {}
        addresses = len(rdns.raw_hop_addresses(r.raw for r in store.round_results("2026-11-01T00")))
    assert int(found[1]) == addresses - 1  # the first round's but one; the second round's
    # were not even counted: once no server answered, no round waits for one again
    assert "analyze: 2 rounds, 2 analysed now" in out


def test_a_hostile_name_from_dns_is_evidence_and_stays_text(tmp_path: Path) -> None:
    from tests.analysis import world

    from ixpready.analysis.core import analyze_traces
    from ixpready.analysis.export import to_json
    from ixpready.measurements.parse import trace_from_atlas
    from ixpready.pipeline.text import analysis_as_table
    from ixpready.refdata.snapshots import load_snapshot
    from ixpready.report.render import render_html

    # hostile, and placed: the reader finds Miami ('mia01') right of the markup and the
    # escape sequence; 4.68.5.5 is Lumen's in the test world
    zone_name = "<script>alert\\(1\\)</script>\\027[2j.ae-1.r01.mia01.example.net"
    result = world.atlas(1001, "190.56.20.20", [("186.151.0.1", 1.0), ("4.68.5.5", 60.0),
                                                ("190.56.0.1", 61.0), ("190.56.20.20", 62.0)])  # fmt: skip
    traces = [trace_from_atlas(result)]
    with nsd_serving(tmp_path / "nsd", {"4.68.5.5": zone_name}) as server:
        resolver = PtrResolver([(server.host, server.port)], timeout_s=1.0)
        names, _done = rdns.resolve_in_memory(rdns.hop_addresses(traces), resolver)
    hostile = names[A("4.68.5.5")]
    assert hostile == zone_name  # as received (in presentation form)
    snapshot = load_snapshot(world.write_refdata(tmp_path / "refdata"))
    analysis = analyze_traces(traces, home="GT", snapshot=snapshot, probes=dict(world.PROBES),
                              rdns=names)  # fmt: skip
    (path,) = analysis.paths
    assert path.verdict.value == "tromboned" and path.foreign_countries == ("US",)
    document = json.loads(to_json(analysis))
    assert any(repr(hostile) in e["fact"] for e in document["paths"][0]["evidence"])  # evidence
    page = render_html(analysis, lang="en")
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    table = analysis_as_table(analysis)
    assert not any(ch in page + table for ch in "\x1b\x07\x00")
