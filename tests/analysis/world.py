"""A small hand-built world for verdict tests: a reference-data folder, probes and traces.

Prefixes are real-looking public ranges assigned here to real ASNs for the test only;
"IXP-GT (test)" is a hypothetical Guatemalan exchange (none exists yet).
"""

from __future__ import annotations

import json
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from ixpready.analysis.core import analyze_traces
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.measurements.parse import trace_from_atlas
from ixpready.measurements.records import Probe, Trace
from ixpready.refdata.snapshots import load_snapshot

GUA = (14.63, -90.51)
MIA = (25.77, -80.19)

PFX2AS = """\
186.151.0.0\t16\t14754
190.56.0.0\t16\t23243
4.68.0.0\t16\t3356
8.8.8.0\t24\t15169
198.32.124.0\t24\t6079
45.234.16.0\t24\t23243
2803:1000::\t32\t14754
2803:2000::\t32\t23243
"""

DELEGATED = """\
2|lacnic|20261101|6|19700101|20261101|+0000
lacnic|*|asn|*|3|summary
lacnic|*|ipv4|*|3|summary
lacnic|GT|asn|14754|1|20000101|allocated|a
lacnic|GT|asn|23243|1|20000101|allocated|b
lacnic|GT|ipv4|186.151.0.0|65536|20100101|allocated|a
lacnic|GT|ipv4|190.56.0.0|65536|20100101|allocated|b
lacnic|GT|ipv4|45.234.16.0|256|20200101|allocated|c
lacnic|GT|ipv6|2803:1000::|32|20100101|allocated|a
lacnic|GT|ipv6|2803:2000::|32|20100101|allocated|b
arin|US|asn|3356|1|20000101|allocated|d
arin|US|asn|15169|1|20000101|allocated|e
arin|US|ipv4|4.0.0.0|16777216|19921201|allocated|d
arin|US|ipv4|8.8.8.0|256|20000101|allocated|e
arin|US|ipv4|198.32.124.0|256|20000101|allocated|f
"""

PEERINGDB = {
    "ix": [
        {"id": 1, "name": "Equinix Miami", "city": "Miami", "country": "US", "status": "ok"},
        {
            "id": 2,
            "name": "IXP-GT (test)",
            "city": "Guatemala City",
            "country": "GT",
            "status": "ok",
        },
    ],
    "ixlan": [{"id": 1, "ix_id": 1, "status": "ok"}, {"id": 2, "ix_id": 2, "status": "ok"}],
    "ixpfx": [
        {"id": 1, "ixlan_id": 1, "protocol": "IPv4", "prefix": "198.32.124.0/24", "status": "ok"},
        {"id": 2, "ixlan_id": 2, "protocol": "IPv4", "prefix": "45.234.16.0/24", "status": "ok"},
    ],
    "netixlan": [
        {
            "id": 1,
            "ix_id": 1,
            "ixlan_id": 1,
            "asn": 14754,
            "ipaddr4": "198.32.124.20",
            "status": "ok",
        },
        {
            "id": 2,
            "ix_id": 1,
            "ixlan_id": 1,
            "asn": 3356,
            "ipaddr4": "198.32.124.30",
            "status": "ok",
        },
        {
            "id": 3,
            "ix_id": 2,
            "ixlan_id": 2,
            "asn": 23243,
            "ipaddr4": "45.234.16.2",
            "status": "ok",
        },
        {"id": 4, "ix_id": 2, "ixlan_id": 2, "asn": 3356, "ipaddr4": "45.234.16.9", "status": "ok"},
    ],
    "net": [
        {"id": 1, "asn": 14754, "name": "Telgua", "status": "ok"},
        {"id": 2, "asn": 23243, "name": "Comcel / Tigo", "status": "ok"},
        {"id": 3, "asn": 3356, "name": "Lumen", "status": "ok"},
    ],
}


def write_refdata(folder: Path) -> Path:
    """Writes the test world's reference-data folder and returns it."""
    (folder / "peeringdb").mkdir(parents=True, exist_ok=True)
    (folder / "pfx2as-20261101.txt").write_text(PFX2AS)
    (folder / "delegated-lacnic-extended-20261101").write_text(DELEGATED)
    for kind, data in PEERINGDB.items():
        (folder / "peeringdb" / f"{kind}.json").write_text(json.dumps({"data": data}))
    return folder


def probe(prb: int, asn: int, country: str, point: tuple[float, float], address: str) -> Probe:
    """Returns a probe with coordinates."""
    ip = ip_address(address)
    return Probe(
        id=prb, asn_v4=asn if ip.version == 4 else None, asn_v6=asn if ip.version == 6 else None,
        country=country, latitude=point[0], longitude=point[1],
        address_v4=ip if ip.version == 4 else None, address_v6=ip if ip.version == 6 else None,
    )  # fmt: skip


PROBES = {
    1001: probe(1001, 14754, "GT", GUA, "186.151.10.10"),
    1002: probe(1002, 23243, "GT", (14.60, -90.53), "190.56.20.20"),
    1003: probe(1003, 3356, "US", MIA, "4.68.1.1"),
    1004: probe(1004, 14754, "GT", GUA, "186.151.99.99"),
    1005: probe(1005, 23243, "GT", (14.64, -90.55), "190.56.77.7"),
    1006: probe(1006, 14754, "GT", GUA, "2803:1000::10"),
    1008: probe(1008, 3356, "US", (26.12, -80.14), "4.68.9.9"),
    1007: probe(1007, 23243, "GT", (14.60, -90.53), "2803:2000::20"),
}

Hop = tuple[str | None, float | None] | list[tuple[str | None, float | None]]


def atlas(
    prb: int, dst: str, hops: list[Hop], *, msm: int = 9001, ts: int = 1_790_000_000
) -> dict[str, Any]:
    """Returns a RIPE Atlas traceroute result: each hop one (address, rtt) sent 3 times, or a
    list of (address, rtt) packets; (None, None) is a `*`."""
    result = []
    for number, hop in enumerate(hops, start=1):
        packets = hop if isinstance(hop, list) else [hop] * 3
        replies = [
            {"x": "*"} if a is None else {"from": a, "rtt": r, "size": 28, "ttl": 250}
            for a, r in packets
        ]
        result.append({"hop": number, "result": replies})
    af = ip_address(dst).version
    return {
        "type": "traceroute", "msm_id": msm, "prb_id": prb, "timestamp": ts, "endtime": ts + 5,
        "af": af, "proto": "ICMP", "dst_addr": dst, "dst_name": dst, "src_addr": "192.168.1.10" if af == 4 else "2803:1000::10",
        "from": str(PROBES[prb].address_v4 or PROBES[prb].address_v6), "fw": 5080, "paris_id": 1, "size": 48,
        "result": result,
    }  # fmt: skip


def run(
    tmp: Path, results: list[dict[str, Any]], rdns: dict[str, str] | None = None
) -> AnalysisResult:
    """Returns the analysis of the given results in the test world."""
    snapshot = load_snapshot(write_refdata(tmp / "refdata"))
    traces: list[Trace] = [trace_from_atlas(r) for r in results]
    names = {ip_address(a): n for a, n in (rdns or {}).items()}
    return analyze_traces(traces, home="GT", snapshot=snapshot, probes=dict(PROBES), rdns=names)
