"""The probe's DNS checks against a real authoritative DNS server, NSD, on 127.0.0.1
(tests/authdns.py).

The probe runs as a subprocess; its results are read back with ripe.atlas.sagan and with
ixpready's reader, and the answers are decoded from the raw `abuf` with dnspython.
"""

from __future__ import annotations

import base64
import json
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import dns.flags
import dns.message
import dns.rcode
from ripe.atlas.sagan import DnsResult as SaganDns
from ripe.atlas.sagan import Result
from tests.authdns import CYMRU, INSTANCE, Nsd, silent_port
from tests.probes.helpers import lines, run_probe

from ixpready.measurements.parse import read_results
from ixpready.measurements.records import DnsResult
from ixpready.pipeline.analyze import load_rdns


def _dns(nsd: Nsd, tmp_path: Path, *args: str, port: int | None = None,
         name: str = "out.jsonl") -> tuple[list[dict[str, Any]], Path]:
    out = tmp_path / name
    done = run_probe(["dns", *args, "--port", str(port or nsd.port), "--dns-timeout", "1",
                      "--name", "gt-dns-1", "--asn", "64500", "--country", "GT",
                      "--out", str(out)], timeout_s=60)
    assert done.returncode == 0, done.stderr
    return lines(out), out


def _answer(result: dict[str, Any]) -> dns.message.Message:
    return dns.message.from_wire(base64.b64decode(result["result"]["abuf"]))


def _texts(result: dict[str, Any]) -> list[str]:
    return [rdata.to_text() for rrset in _answer(result).answer for rdata in rrset]


def _readers_agree(path: Path, count: int) -> list[DnsResult]:
    for line in path.read_text().splitlines():
        parsed = Result.get(line)
        assert isinstance(parsed, SaganDns)
        assert not parsed.is_malformed
    read = [o for o in read_results(path) if isinstance(o, DnsResult)]
    assert len(read) == count
    return read


def test_chaos_identity_names_the_instance_that_answers(
    nsd: Nsd, tmp_path: Path
) -> None:
    results, path = _dns(nsd, tmp_path, "--check", "chaos", "--server", "127.0.0.1")
    assert [r["type"] for r in results] == ["dns", "dns"]
    assert [_answer(r).question[0].name.to_text() for r in results] == [
        "hostname.bind.", "id.server."]
    assert [_texts(r) for r in results] == [[f'"{INSTANCE}"']] * 2
    assert all(r["result"]["rt"] > 0 and r["dst_addr"] == "127.0.0.1" for r in results)
    assert results[0]["ixpready_probe"]["name"] == "gt-dns-1"
    sagan = Result.get(path.read_text().splitlines()[0])
    assert sagan.responses[0].abuf.answers[0].data_string == INSTANCE
    read = _readers_agree(path, 2)
    assert read[0].responses[0].answer == base64.b64decode(results[0]["result"]["abuf"])
    assert read[0].responses[0].rtt_ms == results[0]["result"]["rt"]


def test_a_server_that_never_answers_is_a_timeout(nsd: Nsd, tmp_path: Path) -> None:
    with silent_port() as port:
        results, path = _dns(nsd, tmp_path, "--server", "127.0.0.1", port=port)
    assert [r["error"] for r in results] == [{"timeout": 1000}] * 2
    assert all("result" not in r for r in results)
    assert Result.get(path.read_text().splitlines()[0]).is_error
    read = _readers_agree(path, 2)
    assert read[0].responses[0].answer is None
    assert "timeout" in (read[0].responses[0].error or "")


def test_refused_is_recorded_as_answered(nsd: Nsd, tmp_path: Path) -> None:
    results, path = _dns(nsd, tmp_path, "--check", "resolve", "--server", "127.0.0.1",
                         "--qtype", "A", "refused.test")
    assert len(results) == 1
    assert _answer(results[0]).rcode() == dns.rcode.REFUSED
    assert Result.get(path.read_text()).responses[0].abuf.header.return_code == "REFUSED"
    _readers_agree(path, 1)


def test_a_truncated_answer_is_kept_and_asked_again_over_tcp(
    nsd: Nsd, tmp_path: Path
) -> None:
    results, path = _dns(nsd, tmp_path, "--check", "resolve", "--server", "127.0.0.1",
                         "--qtype", "A", "big.test")
    udp, tcp = results
    assert (udp["proto"], tcp["proto"]) == ("UDP", "TCP")
    assert _answer(udp).flags & dns.flags.TC and udp["result"]["ANCOUNT"] == 0
    assert tcp["result"]["ANCOUNT"] == 40 and len(_texts(tcp)) == 40
    assert _readers_agree(path, 2)[1].protocol == "TCP"
    results, _ = _dns(nsd, tmp_path, "--check", "resolve", "--server", "127.0.0.1",
                      "--qtype", "A", "--no-tcp-fallback", "big.test", name="udp-only.jsonl")
    assert [r["proto"] for r in results] == ["UDP"]


def test_content_answers_ptr_with_cache_and_origin_as(nsd: Nsd, tmp_path: Path) -> None:
    results, path = _dns(nsd, tmp_path, "--check", "resolve", "--server", "127.0.0.1",
                         "www.example.test")
    assert [_texts(r) for r in results] == [["192.0.2.10"], ["2001:db8::10"]]
    _readers_agree(path, 2)
    hops = tmp_path / "hops.jsonl"
    hops.write_text(json.dumps({"type": "traceroute", "result": [
        {"hop": 1, "result": [{"from": "192.0.2.10"}, {"x": "*"}]},
        {"hop": 2, "result": [{"from": "192.0.2.99"}]}]}) + "\n")
    cache = tmp_path / "ptr-cache.json"
    rdns = tmp_path / "rdns.json"
    rdns.write_text('{"198.51.100.1": "gw.example.test"}')
    results, path = _dns(nsd, tmp_path, "--check", "ptr", "--check", "cymru",
                         "--server", "127.0.0.1", "--from-results", str(hops),
                         "--ptr-cache", str(cache), "--rdns-out", str(rdns), name="ptr.jsonl")
    questions = [_answer(r).question[0].name.to_text() for r in results]
    assert questions == ["10.2.0.192.in-addr.arpa.", "99.2.0.192.in-addr.arpa.",
                         "10.2.0.192.origin.asn.cymru.com.", "99.2.0.192.origin.asn.cymru.com."]
    assert _texts(results[0]) == ["www.example.test."]
    assert _answer(results[1]).rcode() == dns.rcode.NXDOMAIN
    assert _texts(results[2]) == [f'"{CYMRU}"']
    assert set(json.loads(cache.read_text())) == {"192.0.2.10", "192.0.2.99"}
    # the names feed ixpready's analysis as its reverse-DNS file (earlier names kept)
    assert load_rdns(rdns) == {ip_address("192.0.2.10"): "www.example.test",
                               ip_address("198.51.100.1"): "gw.example.test"}
    _readers_agree(path, 4)
    results, _ = _dns(nsd, tmp_path, "--check", "ptr", "--server", "127.0.0.1",
                      "--from-results", str(hops), "--ptr-cache", str(cache), name="again.jsonl")
    assert results == []  # cached: nobody asked again (each question is a result)


def test_cctld_name_servers_are_found_then_asked_their_identity(
    nsd: Nsd, tmp_path: Path
) -> None:
    results, _ = _dns(nsd, tmp_path, "--check", "chaos", "--cctld", "gt",
                      "--server", "127.0.0.1")
    # --server is also asked; the .gt name server (ns1.gt, 127.0.0.1 by NSD's answers) is the
    # same address: asked once
    assert [r["dst_addr"] for r in results] == ["127.0.0.1", "127.0.0.1"]
    assert [_texts(r) for r in results] == [[f'"{INSTANCE}"']] * 2


def test_dns_usage_errors_are_one_line(tmp_path: Path) -> None:
    done = run_probe(["dns", "--check", "chaos", "--out", str(tmp_path / "x.jsonl")])
    assert done.returncode == 2
    assert done.stderr.startswith("ixpready-probe: error: chaos: no server to ask")
    assert "hint: add --server, --roots or --cctld" in done.stderr
    done = run_probe(["dns", "--check", "ptr", "--server", "127.0.0.1", "not-an-address",
                      "--out", str(tmp_path / "y.jsonl")])
    assert done.returncode == 3
    assert "'not-an-address' is not an IP address" in done.stderr
    assert list(tmp_path.iterdir()) == []
