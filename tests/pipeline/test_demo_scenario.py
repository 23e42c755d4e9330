"""The simulated Guatemala scenario: readable by ixpready and sagan, deterministic, physical."""

from __future__ import annotations

import base64
import json
from ipaddress import ip_address, ip_network
from pathlib import Path

import dns.message
import dns.rdataclass
import dns.rdatatype
import pytest
from ripe.atlas.sagan import Result, TracerouteResult

from ixpready.demo.scenario import (
    FOREIGN_TARGET,
    KM_PER_RTT_MS,
    PLACES,
    ScenarioFiles,
    ScenarioTruth,
    floor_rtt_ms,
    scenario_truth,
    write_scenario,
)
from ixpready.measurements.parse import read_results
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import DnsResult, Malformed, Trace

ATLAS_RESULTS = 160  # 2 rounds of: 67 mesh pairs (7 targets), 2 IPv6, 11 outbound
PROBE_RESULTS = 19  # 3 ixpready probes x the mesh targets outside their own network
DNS_RESULTS = 21  # 3 ixpready probes x (4 CHAOS identity questions + 3 content names)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> ScenarioFiles:
    return write_scenario(tmp_path_factory.mktemp("demo"), seed=2026)


def _traces(files: ScenarioFiles) -> list[Trace]:
    return [o for path in files.results for o in read_results(path) if isinstance(o, Trace)]


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_results_load_with_the_documented_counts(scenario: ScenarioFiles) -> None:
    mesh, probe_mesh = scenario.results
    atlas = list(read_results(mesh))
    assert len(atlas) == ATLAS_RESULTS
    assert all(isinstance(o, Trace) and o.origin == "atlas" for o in atlas)
    probe = list(read_results(probe_mesh))
    bad = [o for o in probe if isinstance(o, Malformed)]
    good = [o for o in probe if isinstance(o, Trace)]
    assert [b.where for b in bad] == ["probe-mesh.jsonl:4"]
    assert len(good) == PROBE_RESULTS
    assert {t.origin for t in good} == {"ixpready-probe"}
    assert {t.firmware for t in good} == {9001}
    assert all(t.vantage is not None and t.vantage.country == "GT" for t in good)
    assert (scenario.atlas_results, scenario.probe_results, scenario.malformed_lines) == (
        ATLAS_RESULTS,
        PROBE_RESULTS,
        1,
    )
    text = scenario.scenario.read_text()
    assert f"{ATLAS_RESULTS} RIPE Atlas traceroute results" in text
    assert f"{PROBE_RESULTS} results of the operators' ixpready probes" in text
    assert "deliberately malformed line" in text and "(line 4:" in text
    assert "not a measurement of Guatemala" in text


def test_the_scenario_has_the_promised_quirks(scenario: ScenarioFiles) -> None:
    traces = _traces(scenario)
    unreached = [t for t in traces if t.destination is not None and not t.destination_reached]
    assert [(t.key.prb_id, str(t.destination)) for t in unreached] == [(7100002, "45.229.149.12")]
    assert unreached[0].hops[-1].number == 255 and unreached[0].hops[-1].is_silent
    replies = [r for t in traces for h in t.hops for r in h.replies]
    assert any(r.late is not None for r in replies)
    assert any(r.duplicate for r in replies)
    assert any(r.mpls for r in replies)
    addresses = {r.address for r in replies if r.address is not None}
    assert any(a in ip_network("10.192.0.0/16") for a in addresses if a.version == 4)
    assert any(a in ip_network("100.64.0.0/10") for a in addresses if a.version == 4)
    assert any(a in ip_network("198.32.242.0/24") for a in addresses if a.version == 4)
    assert any(a in ip_network("2001:504:0:6::/64") for a in addresses if a.version == 6)
    assert sum(t.af == 6 for t in traces) == 4
    assert {t.protocol for t in traces} == {"UDP", "ICMP"}
    busy = [t.hops[0].replies[0].rtt_ms for t in traces if t.key.prb_id == 7100001]
    assert busy and all(rtt is not None and 70 <= rtt <= 100 for rtt in busy)
    names = json.loads(scenario.rdns.read_text())
    stale = next(ip_address(a) for a, name in names.items() if name == "ae2-0.mia1.claro.net.gt")
    from_gua = [
        r.rtt_ms
        for t in traces
        if t.key.prb_id == 7100001  # in Guatemala City
        for h in t.hops
        for r in h.replies
        if r.address == stale and r.rtt_ms is not None
    ]  # the name says Miami, the RTT says no
    assert from_gua and min(from_gua) < floor_rtt_ms(PLACES["gua"], PLACES["mia"])
    assert any(name.endswith(".Level3.net") for name in names.values())


def test_probes_load_through_the_probe_reader(scenario: ScenarioFiles) -> None:
    probes = load_probes(scenario.probes)
    assert sorted(probes) == list(range(7100001, 7100012))
    assert {p.country for p in probes.values()} == {"GT"}
    assert sum(p.address_v6 is not None for p in probes.values()) == 2
    liar = probes[7100007]  # declared in Guatemala City
    assert liar.latitude is not None and abs(liar.latitude - PLACES["gua"].latitude) < 0.05


def test_same_seed_writes_identical_bytes(tmp_path: Path, scenario: ScenarioFiles) -> None:
    write_scenario(tmp_path / "again", seed=2026)
    first = _files(scenario.probes.parent)
    assert first == _files(tmp_path / "again")
    assert len(first) == 19  # 16, and the readiness files: netfac, poc, VRPs


def test_another_seed_changes_rtts_but_not_the_paths(
    tmp_path: Path, scenario: ScenarioFiles
) -> None:
    other = write_scenario(tmp_path / "other", seed=7)
    mine, theirs = _traces(scenario), _traces(other)
    assert [(t.key, t.destination) for t in mine] == [(t.key, t.destination) for t in theirs]

    def rtts(traces: list[Trace]) -> list[float | None]:
        return [r.rtt_ms for t in traces for h in t.hops for r in h.replies]

    assert rtts(mine) != rtts(theirs)


def _check_physics(files: ScenarioFiles, truth: ScenarioTruth) -> int:
    paths = {(t.msm_id, t.prb_id, t.timestamp): t for t in truth.traces}
    checked = 0
    for trace in _traces(files):
        path = paths[(trace.key.msm_id, trace.key.prb_id, trace.key.timestamp)]
        home = PLACES[truth.probe_places[trace.key.prb_id]]
        where = {h.hop: h for h in path.hops}
        if trace.destination_reached:  # the truth knows every hop, silent ones too
            assert set(where) == {h.number for h in trace.hops}
            assert {h.number for h in trace.hops if h.is_silent} == {
                h.hop for h in path.hops if not h.responded
            }
        for hop in trace.hops:
            for reply in hop.replies:
                if reply.rtt_ms is None:
                    continue
                real = where[hop.number]
                assert reply.address is not None and str(reply.address) == real.address
                assert reply.rtt_ms >= floor_rtt_ms(home, PLACES[real.place]), (trace.key, hop)
                checked += 1
    return checked


def test_no_hop_answers_faster_than_light_from_where_its_probe_really_is(
    scenario: ScenarioFiles,
) -> None:
    assert _check_physics(scenario, scenario_truth(2026)) > 3000


def test_a_scaled_scenario_is_the_same_world_with_more_probes(tmp_path: Path) -> None:
    files = write_scenario(tmp_path, seed=3, probes_per_network=2, rounds=1, lanes=4)
    probes = load_probes(files.probes)
    assert len(probes) == 11 + 8 * 2
    assert len({p.address_v4 for p in probes.values()}) == len(probes)
    targets = 7 + 8  # every fourth extra probe (k = 0) is a target
    assert files.atlas_results == len(_traces(files)) - files.probe_results
    # each ixpready probe (AS14754, AS52362, AS13682) skips its own network's 2, 2 and 1 targets
    assert files.probe_results == 3 * targets - (2 + 2 + 1)
    assert _check_physics(files, scenario_truth(3, probes_per_network=2, rounds=1, lanes=4)) > 0
    with pytest.raises(ValueError, match=r"0\.\.40"):
        write_scenario(tmp_path, probes_per_network=41)


def test_the_misplaced_probe_betrays_itself(scenario: ScenarioFiles) -> None:
    # Declared in Guatemala City, it reaches a router in Miami faster than light could.
    truth = scenario_truth(2026)
    assert truth.probe_places[7100007] == "mia"
    miami_ms = [
        h.path_km for t in truth.traces if t.prb_id == 7100007 for h in t.hops if h.place == "mia"
    ]
    assert miami_ms and min(miami_ms) == 0.0
    second_hops = [t.hops[1] for t in _traces(scenario) if t.key.prb_id == 7100007]
    fastest = min(r.rtt_ms for h in second_hops for r in h.replies if r.rtt_ms is not None)
    assert fastest < 2.0 < floor_rtt_ms(PLACES["gua"], PLACES["mia"])
    names = json.loads(scenario.rdns.read_text())
    assert {".mia" in names[str(a)] for h in second_hops for a in h.addresses} == {True}


def test_reference_data_agrees_with_the_probes(scenario: ScenarioFiles) -> None:
    refdata = scenario.refdata
    table: list[tuple[object, int, str]] = []
    for line in (refdata / "pfx2as-20261101.txt").read_text().splitlines():
        prefix, length, origin = line.split("\t")
        table.append((ip_network(f"{prefix}/{length}"), int(length), origin))
    for probe in load_probes(scenario.probes).values():
        assert probe.address_v4 is not None
        covering = [
            (length, origin)
            for network, length, origin in table
            if probe.address_v4 in network  # type: ignore[operator]
        ]
        assert max(covering)[1] == str(probe.asn_v4), probe.id  # 27929 inside 52286's /16
    assert any("_" in origin for _, _, origin in table)
    pdb = {
        name: json.loads((refdata / "peeringdb" / f"{name}.json").read_text())["data"]
        for name in ("ix", "ixlan", "ixpfx", "netixlan", "net", "fac")
    }
    lans = [ip_network(row["prefix"]) for row in pdb["ixpfx"]]
    members = {
        ip_address(row[key])
        for row in pdb["netixlan"]
        for key in ("ipaddr4", "ipaddr6")
        if row[key]
    }
    seen = {r.address for t in _traces(scenario) for h in t.hops for r in h.replies if r.address}
    on_lans = {a for a in seen if any(a.version == n.version and a in n for n in lans)}
    assert on_lans <= members
    assert {str(a) for a in on_lans if a.version == 4} >= {"198.32.242.104", "200.107.83.140"}
    for registry in ("lacnic", "arin"):
        lines = (refdata / f"delegated-{registry}-extended-20261101").read_text().splitlines()
        assert lines[0].startswith(f"2.3|{registry}|20261101|")
        records = [line.split("|") for line in lines[1:] if not line.endswith("|summary")]
        assert records and all(len(r) == 8 and r[0] == registry for r in records)
        assert int(lines[0].split("|")[3]) == len(records)
    assert json.loads((refdata / "snapshot.json").read_text()) == {
        "date": "2026-11-01",
        "note": "simulated",
    }


def test_sagan_reads_every_result_the_same_way(scenario: ScenarioFiles) -> None:
    mesh, probe_mesh = scenario.results
    raw = [json.dumps(r) for r in json.loads(mesh.read_text())]
    for line in probe_mesh.read_text().splitlines():
        try:
            json.loads(line)
        except json.JSONDecodeError:
            continue
        raw.append(line)
    ours = _traces(scenario)
    assert len(raw) == len(ours) == ATLAS_RESULTS + PROBE_RESULTS
    for text, trace in zip(raw, ours, strict=True):
        parsed = Result.get(text)
        assert isinstance(parsed, TracerouteResult)
        assert not parsed.is_error and not parsed.is_malformed
        assert (parsed.measurement_id, parsed.probe_id) == (trace.key.msm_id, trace.key.prb_id)
        assert len(parsed.hops) == len(trace.hops)
        assert parsed.destination_ip_responded == trace.destination_reached


def test_no_verdict_or_ground_truth_is_written(scenario: ScenarioFiles) -> None:
    for path in scenario.probes.parent.rglob("*"):
        if path.is_file():
            text = path.read_text().lower()
            for word in ("tromboned", "local_via_ixp", "path_km", "inconclusive"):
                assert word not in text, (path, word)
    assert all(ip_address(a) for a in json.loads(scenario.rdns.read_text()))


def _decoded(result: DnsResult) -> dns.message.Message:
    answer = result.responses[0].answer
    assert answer is not None
    return dns.message.from_wire(answer)


def test_dns_results_are_the_probes_format_and_load_as_dns_records(
    scenario: ScenarioFiles,
) -> None:
    assert scenario.dns == scenario.probes.parent / "probe-dns.jsonl"
    read = list(read_results(scenario.dns))
    assert len(read) == scenario.dns_results == DNS_RESULTS
    assert all(isinstance(r, DnsResult) and len(r.responses) == 1 for r in read)
    lines = [json.loads(line) for line in scenario.dns.read_text().splitlines()]
    assert {r["type"] for r in lines} == {"dns"} and {r["fw"] for r in lines} == {9001}
    assert {r["ixpready_probe"]["name"] for r in lines} == {
        "claro-coban-1",
        "sice-xela-1",
        "movistar-gua-1",
    }
    results = [r for r in read if isinstance(r, DnsResult)]
    identities: dict[str, set[str]] = {}
    addresses: dict[str, set[str]] = {}
    for result, line in zip(results, lines, strict=True):
        message = _decoded(result)
        question = message.question[0]
        assert line["result"]["ANCOUNT"] == len(message.answer) == 1
        assert base64.b64decode(line["result"]["abuf"]) == result.responses[0].answer
        query = dns.message.from_wire(base64.b64decode(line["qbuf"]))
        assert query.id == message.id and query.question == message.question
        texts = [rdata.to_text() for rdata in message.answer[0]]
        if question.rdclass == dns.rdataclass.CH:
            assert question.name.to_text() == "hostname.bind."
            identities.setdefault(line["dst_addr"], set()).update(t.strip('"') for t in texts)
        else:
            assert question.rdtype == dns.rdatatype.A
            addresses.setdefault(question.name.to_text(), set()).update(texts)
        rtt = result.responses[0].rtt_ms
        assert rtt is not None and rtt > 0
    assert identities["199.7.83.42"] == {"gua01.l.root-servers.org", "mia01.l.root-servers.org"}
    assert identities["193.0.14.129"] == {"ns1.us-mia.k.ripe.net"}
    assert FOREIGN_TARGET[0] in addresses["www.noticias.example."]


def test_dns_rtts_follow_physics(scenario: ScenarioFiles) -> None:
    floor = floor_rtt_ms(PLACES["gua"], PLACES["mia"])
    for line in map(json.loads, scenario.dns.read_text().splitlines()):
        message = dns.message.from_wire(base64.b64decode(line["result"]["abuf"]))
        answer = message.answer[0][0].to_text()
        if "mia" in answer:  # an instance in Miami, from probes 1000+ km away
            assert line["result"]["rt"] > floor > 1000 / KM_PER_RTT_MS


def test_the_content_addresses_are_in_the_reference_prefixes(scenario: ScenarioFiles) -> None:
    routed = [
        ip_network("/".join(line.split("\t")[:2]))
        for line in (scenario.refdata / "pfx2as-20261101.txt").read_text().splitlines()
    ]
    for line in map(json.loads, scenario.dns.read_text().splitlines()):
        message = dns.message.from_wire(base64.b64decode(line["result"]["abuf"]))
        if message.question[0].rdtype == dns.rdatatype.A:
            address = ip_address(message.answer[0][0].address)
            assert any(address in network for network in routed), address
