"""Content names from DNS answers: decoded, mapped to their owners, matched with the paths."""

from __future__ import annotations

import base64
import json
import shutil
import struct
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import dns.message
import dns.rrset
import pytest

from ixpready.analysis.content import AddressOwners, PathsTo, Served, content_findings
from ixpready.measurements.parse import read_results
from ixpready.measurements.records import DnsResult
from ixpready.refdata.snapshots import load_snapshot

from .test_tromboning import HOME, RDNS
from .world import atlas, run, write_refdata

RIPE_A = "atlas-dns/ripe-atlas-monitor-msm1421267-dns.json"  # A www.ripe.net, 2014-01-21
SAGAN = "atlas-dns/sagan-dns-results.json"
TOOLS = "atlas-dns/ripe-atlas-tools-dns-msm9211416-msm9386425.json"


def _dns(path: Path) -> list[DnsResult]:
    return [o for o in read_results(path) if isinstance(o, DnsResult)]


def _recorded_refdata(recorded: Path, folder: Path) -> Path:
    """Returns a reference folder of the recorded routing files (as
    tests/test_every_fixture_loads.py names them) and RIPEstat responses."""
    folder.mkdir()
    for source, name in (
        ("routing/pyasn-ipasn-20140513-excerpt.dat", "ipasn_20140513.dat"),
        ("routing/pyasn-ipasn6-20151101-v6-excerpt.dat", "ipasn6_20151101.dat"),
        ("routing/pyasn-asnames-central-america.json", "asnames.json"),
        ("routing/caida-nationality-asn-to-country-2018-02-01-latin-america.txt",
         "asn-to-country-20180201.txt"),
    ):  # fmt: skip
        shutil.copy(recorded / source, folder / name)
    shutil.copytree(recorded / "routing/ripestat", folder / "ripestat")
    return folder


def test_recorded_atlas_answers_are_decoded_and_mapped(recorded: Path, tmp_path: Path) -> None:
    # msm 1421267: probes 10080 (via 8.8.8.8), 11891, 12320 got www.ripe.net A 193.0.6.139;
    # probe 10024 timed out. RIPEstat (andrelia, AS3333 announced prefixes): 193.0.0.0/21.
    owners = AddressOwners.from_snapshot(load_snapshot(_recorded_refdata(recorded, tmp_path / "r")))
    summary = content_findings(_dns(recorded / RIPE_A), home="GT", owners=owners)
    assert summary.responses == 3 and summary.mapped
    (name,) = summary.names
    assert (name.name, name.probes, name.answers, name.failures) == ("www.ripe.net", 3, 3, ())
    (answer,) = name.addresses
    assert (answer.address, answer.rdtype, answer.probes) == (ip_address("193.0.6.139"), "A", 3)
    assert answer.owner is not None
    assert (answer.owner.prefix, answer.owner.asn) == ("193.0.0.0/21", 3333)
    assert answer.owner.as_name is not None and answer.owner.as_name.startswith("RIPE-NCC-AS")
    assert answer.owner.registry_country is None  # no RIR record for AS3333 in these files
    assert answer.special is None and name.served is Served.NOT_TRACED
    assert {s.source for s in summary.sources} >= {"ipasn_20140513.dat", "asnames.json"}


def test_recorded_answers_keep_failures_aliases_and_both_families(recorded: Path) -> None:
    summary = content_findings(_dns(recorded / SAGAN), home="GT")
    by_name = {n.name: n for n in summary.names}
    assert not summary.mapped and all(a.owner is None for n in summary.names for a in n.addresses)
    assert by_name["aardvark.nlnet.nl"].failures == (("NXDOMAIN", 1),)
    assert by_name["as250.net"].probes == 6 and len(by_name["as250.net"].addresses) == 2
    assert by_name["tt01.ripe.net"].aliases == ("ntp.ripe.net",)
    assert [str(a.address) for a in by_name["tt01.ripe.net"].addresses] == ["193.0.0.229"]
    (v6,) = by_name["ripe.net"].addresses
    assert (str(v6.address), v6.rdtype) == ("2001:67c:2e8:22::c100:68b", "AAAA")
    # CHAOS, SOA and other questions belong to the DNS-instance findings, not here
    assert "hostname.bind" not in by_name and "fr" not in by_name
    # msm 9211416 (resultset, two resolvers): one REFUSED, one answer; msm 9386425's
    # ipv4only.arpa answer holds no address
    tools = {n.name: n for n in content_findings(_dns(recorded / TOOLS), home="GT").names}
    assert tools["1xbet.com"].failures == (("REFUSED", 1),)
    assert [str(a.address) for a in tools["1xbet.com"].addresses] == [
        "190.105.194.58",
        "190.121.210.133",
    ]
    assert tools["ipv4only.arpa"].failures == (("no address", 1),)


def _probe_resolve_line(name: str, answers: dict[str, list[str]], prb: int, when: int) -> str:
    """Returns one line exactly as `ixpready-probe dns --check resolve` writes it (see
    probes/src/ixpready_probe/dnscheck.py `dns_result`), the answer built with dnspython."""
    query = dns.message.make_query(name, "A", id=4242)
    response = dns.message.make_response(query)
    owner = name
    for alias in answers.get("CNAME", []):
        response.answer.append(dns.rrset.from_text(owner, 300, "IN", "CNAME", alias))
        owner = alias
    response.answer.append(dns.rrset.from_text(owner, 60, "IN", "A", *answers["A"]))
    wire, qwire = response.to_wire(), query.to_wire()
    ident, _flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", wire)
    record: dict[str, Any] = {
        "type": "dns", "fw": 9001, "lts": -1, "msm_id": 2_012_345_678, "msm_name": "Tdig",
        "prb_id": prb, "timestamp": when, "af": 4, "proto": "UDP", "dst_addr": "190.56.0.53",
        "src_addr": "186.151.10.10", "from": "186.151.10.10",
        "qbuf": base64.b64encode(qwire).decode(),
        "ixpready_probe": {"name": "gt-op-gua-1", "asn": 14754, "country": "GT",
                           "latitude": 14.63, "longitude": -90.51, "version": "0.1.0"},
        "result": {"rt": 11.204, "size": len(wire), "abuf": base64.b64encode(wire).decode(),
                   "ID": ident, "QDCOUNT": qd, "ANCOUNT": an, "NSCOUNT": ns, "ARCOUNT": ar},
    }  # fmt: skip
    return json.dumps(record)


def test_probe_resolve_answers_are_matched_with_the_analysed_paths(tmp_path: Path) -> None:
    # The analysis world: probe 1001 (Telgua, GT) traces 190.56.20.20 through home routers
    # only (local) and 8.8.8.8 through Miami (outbound: registered in US).
    local = [(HOME, 0.4), ("186.151.0.1", 2.0), ("190.56.0.1", 3.0), ("190.56.20.20", 3.4)]
    abroad = [(HOME, 0.4), ("186.151.0.1", 2.0), ("4.68.0.5", 38.0), ("8.8.8.8", 40.0)]
    analysis = run(tmp_path, [atlas(1001, "190.56.20.20", local), atlas(1001, "8.8.8.8", abroad)],
                   RDNS)  # fmt: skip
    results = tmp_path / "content.jsonl"
    results.write_text("\n".join([
        _probe_resolve_line("www.prensa.example.gt.", {"A": ["190.56.20.20"]}, 1_000_000_001,
                            1_790_000_100),
        _probe_resolve_line("video.example.com.", {"CNAME": ["edge.cdn.example.net."],
                                                   "A": ["8.8.8.8", "190.56.20.20"]},
                            1_000_000_001, 1_790_000_101),
        _probe_resolve_line("api.example.com.", {"A": ["8.8.8.8"]}, 1_000_000_001,
                            1_790_000_102),
    ]) + "\n")  # fmt: skip
    owners = AddressOwners.from_snapshot(load_snapshot(write_refdata(tmp_path / "owners")))
    summary = content_findings(
        _dns(results), home="GT", paths=(*analysis.paths, *analysis.other_paths), owners=owners
    )
    by_name = {n.name: n for n in summary.names}
    assert summary.responses == 3 and set(by_name) == {
        "www.prensa.example.gt",
        "video.example.com",
        "api.example.com",
    }
    prensa, video, api = (by_name[n] for n in ("www.prensa.example.gt", "video.example.com",
                                                "api.example.com"))  # fmt: skip
    assert prensa.served is Served.IN_COUNTRY and prensa.paths.local == 1
    assert prensa.addresses[0].owner is not None
    assert (prensa.addresses[0].owner.asn, prensa.addresses[0].owner.registry_country) == (
        23243,
        "GT",
    )
    assert api.served is Served.ABROAD and api.paths.countries == ("US",)
    google = api.addresses[0]
    assert google.owner is not None
    assert (google.owner.prefix, google.owner.asn, google.owner.registry_country) == (
        "8.8.8.0/24",
        15169,
        "US",
    )
    assert google.paths.abroad == 1 and google.paths.median_rtt_ms == 40.0
    assert video.aliases == ("edge.cdn.example.net",)
    assert video.served is Served.MIXED
    assert [(str(a.address), a.paths.served) for a in video.addresses] == [
        ("8.8.8.8", Served.ABROAD),
        ("190.56.20.20", Served.IN_COUNTRY),
    ]


def test_paths_measured_from_abroad_do_not_count(tmp_path: Path) -> None:
    # probe 1003 (Lumen, US) traces the Guatemalan content address: inbound, not about home
    hops = [(HOME, 0.4), ("4.68.0.5", 1.0), ("190.56.0.1", 38.0), ("190.56.20.20", 38.4)]
    analysis = run(tmp_path, [atlas(1003, "190.56.20.20", hops)], RDNS)
    results = tmp_path / "content.jsonl"
    results.write_text(
        _probe_resolve_line("www.prensa.example.gt.", {"A": ["190.56.20.20"]}, 7, 1) + "\n"
    )
    summary = content_findings(_dns(results), home="GT", paths=analysis.other_paths)
    assert summary.names[0].served is Served.NOT_TRACED


@pytest.mark.parametrize(
    ("local", "tromboned", "abroad", "inconclusive", "served"),
    [
        (2, 0, 0, 1, Served.IN_COUNTRY), (1, 1, 0, 0, Served.DETOUR), (0, 1, 0, 0, Served.DETOUR),
        (0, 0, 3, 0, Served.ABROAD), (1, 0, 1, 0, Served.MIXED), (0, 1, 1, 0, Served.MIXED),
        (0, 0, 0, 2, Served.INCONCLUSIVE), (0, 0, 0, 0, Served.NOT_TRACED),
    ],
)  # fmt: skip
def test_where_the_paths_say_a_name_is_served(
    local: int, tromboned: int, abroad: int, inconclusive: int, served: Served
) -> None:
    assert PathsTo(local, tromboned, abroad, inconclusive).served is served
