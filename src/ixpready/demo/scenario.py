"""Write the SIMULATED Guatemala scenario that `ixpready demo` analyses.

Returns (via `write_scenario`) the files of a seeded, documented scenario: RIPE Atlas
traceroute results (a JSON array and, from operators' ixpready probes, JSON lines), the
ixpready probes' DNS results (CHAOS identity of root and .gt servers, A of content names: real
DNS wire messages in the probe's output format), a probe page, a reverse-DNS cache and a
dated reference-data snapshot. The networks, carriers and IXPs
are real public facts (ASNs, names, IXP peering LANs); probes, routers, paths and RTTs are
simulated. Path RTTs follow physics along each path's simulated city sequence: great-circle
distance x 1.4 route stretch at 100 km per millisecond of round trip, plus jitter and noise.

The generator never decides a verdict: it only lays out which cities and networks each path
crosses. `scenario_truth` returns that ground truth for tests; it is never written to disk.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from ipaddress import IPv4Network, ip_address, ip_network
from itertools import dropwhile
from pathlib import Path
from typing import Any

import dns.flags
import dns.message
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from ixpready.demo.readiness import add_readiness_files

SNAPSHOT_DATE = "2026-11-01"
STRETCH = 1.4  # fibre route length / great-circle distance
KM_PER_RTT_MS = 100.0  # light in fibre: ~200 km/ms one way, 100 km per ms of round trip
FIRMWARE = 5080
IXPREADY_FIRMWARE = 9001
ROUNDS = 2
ROUND_INTERVAL_S = 6 * 3600
START = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
MSM_BASE = 91_000_000

# ---------------------------------------------------------------------------------------------
# Real public facts: places, networks, IXPs.


@dataclass(frozen=True, slots=True)
class Place:
    """A city where simulated routers sit; coordinates in decimal degrees."""

    code: str
    name: str
    country: str
    latitude: float
    longitude: float


PLACES = {
    p.code: p
    for p in (
        Place("gua", "Guatemala City", "GT", 14.6349, -90.5069),
        Place("xel", "Quetzaltenango", "GT", 14.8347, -91.5180),
        Place("esc", "Escuintla", "GT", 14.3050, -90.7850),
        Place("cob", "Cobán", "GT", 15.4708, -90.3711),
        Place("sal", "San Salvador", "SV", 13.6929, -89.2182),
        Place("sjo", "San José", "CR", 9.9281, -84.0907),
        Place("mex", "Mexico City", "MX", 19.4326, -99.1332),
        Place("mia", "Miami", "US", 25.7617, -80.1918),
        Place("iad", "Ashburn", "US", 39.0438, -77.4874),
    )
}


@dataclass(frozen=True, slots=True)
class Network:
    """One AS: real ASN and name; `infra_*` are pools its simulated routers are numbered from.

    `prefixes_v4/v6` are announced in the simulated pfx2as (real 2014/2015 RouteViews
    origins where `simulated_prefixes` is False). `exit` is the (transit ASN, place) it buys
    transit from abroad, `upstream` a domestic upstream, `ixps` the IXP ids it peers at
    (with the place of the router holding its LAN address: not the IXP's city when remote).
    """

    asn: int
    name: str
    country: str
    registry: str
    prefixes_v4: tuple[str, ...]
    infra_v4: str
    domain: str | None
    prefixes_v6: tuple[str, ...] = ()
    infra_v6: str | None = None
    private_core: str | None = None  # core routers answer from RFC 1918 / CGNAT space
    upstream: int | None = None
    exit: tuple[int, str] | None = None
    ixps: tuple[tuple[int, str], ...] = ()
    provider_numbered: bool = False  # its border answers from the transit's /30
    simulated_prefixes: bool = False


# fmt: off
NETWORKS = {
    n.asn: n
    for n in (
        Network(14754, "Telgua (Claro Guatemala)", "GT", "lacnic",
                ("186.151.0.0/16", "186.151.64.0/20", "186.151.96.0/20", "186.151.112.0/20"),
                "186.151.0.0/20", "claro.net.gt", private_core="10.192.0.0/16",
                exit=(3356, "mia"), ixps=((17, "mia"),), provider_numbered=True),
        Network(23243, "COMCEL GUATEMALA S.A. (Tigo)", "GT", "lacnic",
                ("181.174.64.0/24", "181.174.65.0/24", "181.174.68.0/22", "181.189.128.0/24"),
                "181.189.128.0/24", "tigo.net.gt", prefixes_v6=("2803:c800::/32",),
                infra_v6="2803:c800:0:100::/56", private_core="100.64.0.0/16", upstream=13682,
                exit=(174, "mia"), ixps=((17, "mia"),)),
        Network(27929, "Red Avanzada Guatemalteca para la Investigación y Educación (RAGIE)", "GT", "lacnic",
                ("168.234.74.0/24", "168.234.75.0/24"),
                "168.234.74.0/24", "ragie.org.gt", upstream=14754),
        Network(52286, "Columbus Networks Guatemala", "GT", "lacnic",
                ("168.234.0.0/16", "181.114.0.0/19", "181.114.23.0/24", "190.242.50.0/23"),
                "190.242.50.0/23", None, prefixes_v6=("2803:ba00::/32",),
                infra_v6="2803:ba00::/48", exit=(23520, "mia"), provider_numbered=True),
        Network(52362, "Servicios Innovadores de Comunicación y Entretenimiento, S.A.", "GT", "lacnic",
                ("190.104.112.0/21", "190.104.116.0/24", "190.104.120.0/21"),
                "190.104.116.0/24", "sice.com.gt", exit=(6762, "mia"), ixps=((17, "gua"),)),
        Network(264637, "Blue Consulting Group, S. A.", "GT", "lacnic",
                ("45.229.148.0/22",),
                "45.229.151.0/24", None, upstream=13682, simulated_prefixes=True),
        Network(13682, "Telefónica Móviles Guatemala", "GT", "lacnic",
                ("66.119.94.0/23", "190.143.128.0/20", "190.143.144.0/20"),
                "66.119.94.0/23", "telefonica.com.gt", exit=(12956, "mia")),
        Network(52276, "UFINET Guatemala S. A.", "GT", "lacnic",
                ("72.252.0.0/24", "190.115.0.0/24", "190.115.5.0/24"),
                "72.252.0.0/24", "ufinet.com.gt", exit=(52468, "sal")),
        Network(3356, "Lumen (Level 3)", "US", "arin",
                ("4.0.0.0/9",),
                "4.69.0.0/16", "Level3.net", prefixes_v6=("2001:1900::/32",),
                infra_v6="2001:1900:2::/48", simulated_prefixes=True),
        Network(174, "Cogent Communications", "US", "arin",
                ("154.54.0.0/16", "38.0.0.0/8"),
                "154.54.0.0/16", "atlas.cogentco.com", simulated_prefixes=True),
        Network(23520, "Columbus Networks (Liberty Networks)", "US", "arin",
                ("63.245.0.0/17",),
                "63.245.104.0/22", "columbus.net", prefixes_v6=("2001:1258::/32",),
                infra_v6="2001:1258::/48", simulated_prefixes=True),
        Network(52468, "UFINET PANAMA S.A.", "PA", "lacnic",
                ("190.106.128.0/19",),
                "190.106.128.0/22", "ufinet.net", simulated_prefixes=True),
        Network(6762, "Telecom Italia Sparkle", "IT", "ripencc",
                ("195.22.192.0/19",),
                "195.22.192.0/22", "seabone.net", simulated_prefixes=True),
        Network(12956, "Telxius (Telefónica Global Solutions)", "ES", "ripencc",
                ("94.142.96.0/19",),
                "94.142.96.0/22", "red.telefonica-wholesale.net", simulated_prefixes=True),
        Network(262197, "MILLICOM CABLE COSTA RICA S.A.", "CR", "lacnic",
                ("186.177.97.0/24", "186.177.191.0/24"),
                "186.177.191.0/24", None),
        Network(6487, "Servicios Innovadores de Comunicación y Entretenimiento, S.A.", "GT", "lacnic",
                ("190.14.128.0/22",),
                "190.14.128.0/22", None),
    )
}
# fmt: on
MULTI_ORIGIN = {"190.104.116.0/24": (52362, 6487)}  # a MOAS line in pfx2as, `52362_6487`


@dataclass(frozen=True, slots=True)
class Ixp:
    """An IXP: PeeringDB id, name, city and country as published; LANs as published."""

    ix_id: int
    name: str
    city: str
    country: str
    continent: str
    place: str | None
    lan_v4: str | None
    lan_v6: str | None
    members: tuple[tuple[int, str, str | None], ...] = ()  # (asn, ipv4, ipv6) simulated


# fmt: off
IXPS = (
    # PeeringDB ix 17 (formerly NOTA / NAP of the Americas). IPv6 LAN: ixpfx 12; IPv4 /24:
    # the members' netixlan addresses (198.32.242.x) in the 2026-04-16 PeeringDB dump.
    Ixp(17, "Equinix Miami", "Miami", "US", "North America", "mia",
        "198.32.242.0/24", "2001:504:0:6::/64",
        ((14754, "198.32.242.61", None), (23243, "198.32.242.90", "2001:504:0:6:0:2:3243:1"),
         (52362, "198.32.242.104", None), (23520, "198.32.242.35", "2001:504:0:6:0:2:3520:1"))),
    # PeeringDB ix 1023 (CRIX); LAN from the 2016-10-19 PeeringDB ixpfx dump.
    Ixp(1023, "CRIX", "San Jose", "CR", "North America", "sjo",
        "200.107.83.0/24", "2801:1d:a000:1::/64",
        ((262197, "200.107.83.140", None), (52468, "200.107.83.151", None))),
    Ixp(1123, "IXP-HN", "Tegucigalpa", "HN", "South America", None, None, None),
    Ixp(2066, "IXP.MX - Mexico City", "Ciudad de México", "MX", "North America", None, None, None),
    Ixp(1, "Equinix Ashburn", "Ashburn", "US", "North America", "iad",
        "206.126.236.0/22", "2001:504:0:2::/64"),
)
# fmt: on
REAL_NETIXLAN = (  # (id, ix_id, asn, ipaddr4, ipaddr6, name): PeeringDB 2026-04-16, verbatim
    (1232, 17, 6939, "198.32.242.176", "2001:504:0:6::6939:1", "Equinix Miami"),
    (1571, 17, 15169, "198.32.242.133", "2001:504:0:6:0:1:5169:1", "Equinix Miami"),
    (2315, 17, 8075, "198.32.242.188", "2001:504:0:6::8075:1", "Equinix Miami"),
    (1821, 1, 33419, "206.126.236.11", "2001:504:0:2:0:3:3419:1", "Equinix Ashburn"),
)
FACILITIES = (  # (id, name, place) ; ids simulated
    (9001, "Equinix MI1 - Miami (NAP of the Americas)", "mia"),
    (9002, "Equinix DC2 - Ashburn", "iad"),
    (9003, "CRIX San José", "sjo"),
)

# ---------------------------------------------------------------------------------------------
# Simulated probes


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    """A simulated vantage point. `declared` is where its host says it is, `place` where it is."""

    id: int
    asn: int
    declared: str
    place: str
    address_v4: str
    description: str
    kind: str = "atlas"  # "atlas" or "ixpready"
    address_v6: str | None = None
    target: bool = False  # a destination of the Atlas mesh
    busy_home_router: bool = False  # its first hop sometimes answers after 70-100 ms


# fmt: off
PROBES = (
    ProbeSpec(7100001, 14754, "gua", "gua", "186.151.78.20", "Zona 10, Guatemala City",
              target=True, busy_home_router=True),
    ProbeSpec(7100002, 14754, "xel", "xel", "186.151.100.37", "Quetzaltenango home"),
    ProbeSpec(7100003, 23243, "gua", "gua", "181.174.65.18", "Tigo fibre, Zona 4",
              address_v6="2803:c800:4010:12::2", target=True),
    ProbeSpec(7100004, 23243, "esc", "esc", "181.174.69.44", "Escuintla cable"),
    ProbeSpec(7100005, 27929, "gua", "gua", "168.234.75.10", "RAGIE campus", target=True),
    ProbeSpec(7100006, 52286, "gua", "gua", "181.114.5.23", "Columbus business line",
              address_v6="2803:ba00:100:1::20", target=True),
    ProbeSpec(7100007, 52286, "gua", "mia", "181.114.23.77", "Oficina Guatemala (sic)"),
    ProbeSpec(7100008, 52362, "xel", "xel", "190.104.113.40", "Cable Xela",
              target=True, busy_home_router=True),
    ProbeSpec(7100009, 264637, "gua", "gua", "45.229.149.12", "Blue Consulting office",
              target=True),
    ProbeSpec(7100010, 52276, "esc", "esc", "190.115.5.61", "UFINET Escuintla POP", target=True),
    ProbeSpec(7100011, 13682, "cob", "cob", "190.143.140.33", "Cobán fixed wireless"),
    ProbeSpec(7900001, 14754, "cob", "cob", "186.151.120.9", "claro-coban-1", kind="ixpready"),
    ProbeSpec(7900002, 52362, "xel", "xel", "190.104.122.15", "sice-xela-1", kind="ixpready"),
    ProbeSpec(7900003, 13682, "gua", "gua", "190.143.150.5", "movistar-gua-1", kind="ixpready"),
)
# fmt: on
FOREIGN_TARGET = ("38.104.0.20", 174, "mia")  # an address in Cogent Miami: outbound traces
UNREACHED = (7100002, 7100009, 1)  # (source probe, destination probe, round): ends in `*`
MALFORMED_LINE = 4  # line of probe-mesh.jsonl that is cut short on purpose

# ---------------------------------------------------------------------------------------------
# Simulated interconnection: legs of a path, per ordered pair of networks.


@dataclass(frozen=True, slots=True)
class Leg:
    """Routers of one AS in one place; `entry` says how the first one is numbered:
    "ixp:<id>" (its LAN address), "neighbour" (from the previous AS's space) or None."""

    asn: int
    place: str
    routers: int = 1
    entry: str | None = None


# fmt: off
_OVERRIDES: dict[tuple[int, int], tuple[Leg, ...]] = {
    # Claro and UFINET meet in San Salvador (both carry traffic over their regional rings).
    (52276, 14754): (Leg(52276, "gua"), Leg(52468, "sal", 2), Leg(14754, "sal", 1, "neighbour"),
                     Leg(14754, "gua", 2)),
    # UFINET hands Tigo's traffic to Millicom Costa Rica at CRIX, San José.
    (52276, 23243): (Leg(52276, "gua"), Leg(52468, "sal"), Leg(52468, "sjo"),
                     Leg(262197, "sjo", 1, "ixp:1023"), Leg(23243, "gua", 2)),
    # Claro reaches Telefónica's customers through its Mexico City PoP and Telxius.
    (14754, 264637): (Leg(14754, "gua", 2), Leg(14754, "mex"), Leg(12956, "mex"),
                      Leg(13682, "gua", 1, "neighbour"), Leg(264637, "gua")),
    (14754, 13682): (Leg(14754, "gua", 2), Leg(14754, "mex"), Leg(12956, "mex"),
                     Leg(13682, "gua", 2, "neighbour")),
    # Tigo's Cogent transit meets Columbus only in Ashburn.
    (23243, 52286): (Leg(23243, "gua", 2), Leg(174, "mia", 2), Leg(174, "iad", 2),
                     Leg(23520, "iad", 1, "neighbour"), Leg(23520, "mia"),
                     Leg(52286, "gua", 1, "neighbour")),
}
_OVERRIDES_V6: dict[tuple[int, int], tuple[Leg, ...]] = {
    # Over IPv6 the two meet across the Equinix Miami LAN.
    (23243, 52286): (Leg(23243, "gua"), Leg(23243, "mia"), Leg(23520, "mia", 1, "ixp:17"),
                     Leg(52286, "gua")),
}
# fmt: on


def _reverse(legs: tuple[Leg, ...]) -> tuple[Leg, ...]:
    """Returns the legs of the way back: each junction keeps its numbering, moved along."""
    backwards = list(reversed(legs))
    entries = [None, *[leg.entry for leg in reversed(legs[1:])]]
    return tuple(
        Leg(leg.asn, leg.place, leg.routers, entry)
        for leg, entry in zip(backwards, entries, strict=True)
    )


def _chain(asn: int) -> list[int]:
    chain = [asn]
    while (up := NETWORKS[chain[-1]].upstream) is not None:
        chain.append(up)
    return chain


def _core_legs(src: int, dst: int, af: int) -> tuple[Leg, ...]:
    """Returns the simulated interconnection from network `src` to network `dst`."""
    table = _OVERRIDES_V6 if af == 6 else _OVERRIDES
    if (src, dst) in table:
        return table[(src, dst)]
    if (dst, src) in table:
        return _reverse(table[(dst, src)])
    up_src, up_dst = _chain(src), _chain(dst)
    shared = next((asn for asn in up_src if asn in up_dst), None)
    if shared is not None:  # domestic, through a shared upstream's in-country backbone
        down = up_dst[: up_dst.index(shared)]
        legs = [
            Leg(asn, "gua", 2 if asn == shared else 1) for asn in up_src[: up_src.index(shared) + 1]
        ]
        legs += [Leg(asn, "gua") for asn in reversed(down)]
        return tuple(legs)
    src_edge = next(asn for asn in up_src if NETWORKS[asn].ixps or NETWORKS[asn].exit)
    dst_edge = next(asn for asn in up_dst if NETWORKS[asn].ixps or NETWORKS[asn].exit)
    head = [Leg(asn, "gua") for asn in up_src[: up_src.index(src_edge)]]
    tail = [Leg(asn, "gua") for asn in reversed(up_dst[: up_dst.index(dst_edge)])]
    ixps_src = dict(NETWORKS[src_edge].ixps)
    common = [ix for ix, _ in NETWORKS[dst_edge].ixps if ix in ixps_src]
    if common and (af == 4 or _member_v6(dst_edge, common[0])):
        ix = common[0]
        city = _ixp(ix).place or "mia"
        src_place, dst_place = ixps_src[ix], dict(NETWORKS[dst_edge].ixps)[ix]
        middle = [Leg(src_edge, "gua", 2)]
        if src_place != "gua":
            middle.append(Leg(src_edge, city))
        middle.append(Leg(dst_edge, dst_place if dst_place == "gua" else city, 1, f"ixp:{ix}"))
        if dst_place != "gua":
            middle.append(Leg(dst_edge, "gua"))
        return tuple(head + middle + tail)
    t_src, p_src = _exit(src_edge)
    t_dst, p_dst = _exit(dst_edge)
    middle = [Leg(src_edge, "gua", 2), Leg(t_src, p_src, 2)]
    if t_src != t_dst or p_src != p_dst:
        if p_src != "mia" and t_src != t_dst:
            middle.append(Leg(t_src, "mia", 1))
        middle.append(Leg(t_dst, "mia" if t_src != t_dst else p_dst, 1, "neighbour"))
        if p_dst != "mia" and t_src != t_dst:
            middle.append(Leg(t_dst, p_dst, 1))
    numbered = "neighbour" if NETWORKS[dst_edge].provider_numbered else None
    middle.append(Leg(dst_edge, "gua", 2, numbered))
    return tuple(head + middle + tail)


def _exit(asn: int) -> tuple[int, str]:
    chain = _chain(asn)
    for hop in chain:
        if NETWORKS[hop].exit is not None:
            exit_ = NETWORKS[hop].exit
            assert exit_ is not None
            return exit_
    raise ValueError(f"AS{asn} has no way abroad in the scenario")


def _ixp(ix_id: int) -> Ixp:
    return next(ixp for ixp in IXPS if ixp.ix_id == ix_id)


def _member_v6(asn: int, ix_id: int) -> bool:
    return any(m[0] == asn and m[2] for m in _ixp(ix_id).members)


# ---------------------------------------------------------------------------------------------
# Routers: addresses, names and behaviour, allocated in a fixed order.


@dataclass(frozen=True, slots=True)
class Router:
    """One simulated router interface as it answers traceroutes."""

    address: str
    asn: int
    place: str
    name: str | None
    silent: bool = False
    slow_icmp: bool = False
    mpls_label: int | None = None


@dataclass(frozen=True, slots=True)
class HopTruth:
    """Where one hop of one simulated trace really is; `responded` False for a silent router
    (the packet still went through it)."""

    hop: int
    address: str
    asn: int
    place: str
    path_km: float  # great-circle km along the simulated path from the probe, unstretched
    responded: bool = True


@dataclass(frozen=True, slots=True)
class TraceTruth:
    """The simulated path of one result (never written to the scenario files)."""

    msm_id: int
    prb_id: int
    timestamp: int
    source_place: str
    destination_asn: int | None
    hops: tuple[HopTruth, ...]


@dataclass(frozen=True, slots=True)
class ScenarioTruth:
    """Ground truth of a scenario: every trace's path and every probe's real place."""

    traces: tuple[TraceTruth, ...]
    probe_places: dict[int, str] = field(default_factory=dict)


_IFACES = ("xe-0-0-1", "ae2-0", "et-1-0-3", "ge-2-1-0", "be2130", "ae-1-3", "TenGigE0-1-0-2")
_LUMEN_CITY = {"mia": "Miami2", "iad": "Washington12"}
_STALE_NAME = "ae2-0.mia1.claro.net.gt"  # a router in Guatemala City whose name says Miami
_SPARKLE_CITY = {"mia": "miami", "iad": "ashburn", "sal": "sansalvador"}  # Sparkle's city words
_SPARKLE_SITE = {"iad": "ash"}  # Sparkle's site codes where they differ from ixpready's


def _unnamed_domestic(address: str) -> bool:
    """Returns True for the quarter of domestic router addresses left without a name."""
    return hashlib.sha256(address.encode()).digest()[0] < 64


class _Routers:
    def __init__(self, rng: random.Random, lanes: int = 1) -> None:
        self._rng = rng
        self.lanes = lanes
        self.lane = 0  # which of `lanes` parallel core routers the current flow hashes to
        self._known: dict[tuple[object, ...], Router] = {}
        self._next: dict[str, int] = {}

    def _take(self, pool: str) -> str:
        """Returns the first address of the pool's next /30 (IPv4) or next ::/112 (IPv6)."""
        network = ip_network(pool)
        index = self._next.get(pool, 0)
        self._next[pool] = index + 1
        step = 4 if isinstance(network, IPv4Network) else 0x10000
        return str(network.network_address + 1 + index * step)

    def get(
        self,
        leg: Leg,
        index: int,
        previous_asn: int | None,
        af: int,
        access_for: int = 0,
        named: bool = False,
    ) -> Router:
        """Returns the router answering at `index` of `leg`, the same one every time it is
        asked again; `access_for` names the probe whose access router this is."""
        border = (leg.entry, previous_asn) if index == 0 and leg.entry else None
        lane = self.lane if access_for == 0 and border is None else 0
        key = (leg.asn, leg.place, index, border, af, access_for, lane)
        if key in self._known:
            return self._known[key]
        net = NETWORKS[leg.asn]
        if leg.entry is not None and leg.entry.startswith("ixp:") and index == 0:
            ixp = _ixp(int(leg.entry[4:]))
            member = next(m for m in ixp.members if m[0] == leg.asn)
            address = member[2] if af == 6 else member[1]
            assert address is not None
        elif leg.entry == "neighbour" and index == 0 and previous_asn is not None:
            pool = NETWORKS[previous_asn].infra_v6 if af == 6 else NETWORKS[previous_asn].infra_v4
            assert pool is not None
            address = str(ip_address(self._take(pool)) + 1)
        elif af == 4 and net.private_core and leg.place == "gua" and index > 0:
            address = self._take(net.private_core)
        else:
            pool = net.infra_v6 if af == 6 else net.infra_v4
            assert pool is not None, f"AS{net.asn} has no IPv6 routers"
            address = self._take(pool)
        router = Router(
            address=address,
            asn=leg.asn,
            place=leg.place,
            name=self._name(net, leg.place, address, always=named),
            silent=self._rng.random() < 0.06,
            slow_icmp=self._rng.random() < 0.12,
            mpls_label=self._rng.randrange(16, 1_048_575)
            if leg.asn in (3356, 14754, 174) and self._rng.random() < 0.4
            else None,
        )
        self._known[key] = router
        return router

    def _name(self, net: Network, place: str, address: str, *, always: bool) -> str | None:
        """Returns the router's reverse-DNS name in its carrier's real convention, or None.

        Foreign carriers name routers as they really do (ixpready's reader knows each):
        Lumen `<iface>.edge<n>.<City><n>.Level3.net`, Cogent `<iface>.ccr<nn>.<iata><nn>.
        atlas.cogentco.com`, Sparkle `<iface>.<city word><n>.<site>.seabone.net`, Telxius
        `<iface>-grt<iata><site><n>.red.telefonica-wholesale.net`. About a quarter of the
        domestic routers more have no name at all (chosen by address, so the seeded draws and
        the paths stay as they were), as in real Guatemalan networks.
        """
        unnamed = self._rng.random() < 0.15 and not always
        if net.domain is None or ip_address(address).is_private or unnamed:
            return None
        n = self._rng.randrange(1, 6)
        iface = self._rng.choice(_IFACES)
        if net.asn == 3356:
            return f"ae-{n}-{self._rng.randrange(1, 9)}.edge{n + 2}.{_LUMEN_CITY.get(place, 'Miami2')}.Level3.net"
        if net.asn == 174:
            return f"be{2000 + self._rng.randrange(999)}.ccr4{n}.{place}0{n}.atlas.cogentco.com"
        if net.asn == 6762:
            return f"{iface}.{_SPARKLE_CITY.get(place, 'miami')}{10 + n}.{_SPARKLE_SITE.get(place, place)}.seabone.net"
        if net.asn == 12956:
            return f"{iface}-grt{place}{'na' if place == 'mia' else 'cv'}{n}.{net.domain}"
        if net.country == "GT" and not always and _unnamed_domestic(address):
            return None
        return f"{iface}.{place}{n}.{net.domain}"

    def all(self) -> Iterator[Router]:
        yield from self._known.values()


# ---------------------------------------------------------------------------------------------
# Physics


def great_circle_km(a: Place, b: Place) -> float:
    """Returns the great-circle distance between two places in km (haversine, R = 6371 km)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def floor_rtt_ms(a: Place, b: Place) -> float:
    """Returns the smallest possible RTT (ms) between two places over straight fibre."""
    return great_circle_km(a, b) / KM_PER_RTT_MS


# ---------------------------------------------------------------------------------------------
# Traces


@dataclass(frozen=True, slots=True)
class _Stop:
    """One hop to simulate: who answers, from where; `router` None for a host."""

    address: str
    asn: int
    place: str
    router: Router | None


@dataclass
class _Built:
    atlas: list[dict[str, Any]]
    ixpready: list[dict[str, Any]]
    truths: list[TraceTruth]
    routers: _Routers
    last_mile_ms: dict[int, float] = field(default_factory=dict)


def _home_router(probe: ProbeSpec, af: int) -> str:
    if af == 6:
        assert probe.address_v6 is not None
        return str(ip_network(f"{probe.address_v6}/64", strict=False).network_address + 1)
    return f"192.168.{probe.id % 250}.1"


def _source_address(probe: ProbeSpec, af: int) -> str:
    if af == 6:
        assert probe.address_v6 is not None
        return probe.address_v6
    return f"192.168.{probe.id % 250}.{10 + probe.id % 200}"


def _outbound_legs(asn: int) -> tuple[Leg, ...]:
    chain = _chain(asn)
    transit, place = _exit(asn)
    legs = [Leg(hop, "gua") for hop in chain if NETWORKS[hop].exit is None]
    edge = next(hop for hop in chain if NETWORKS[hop].exit is not None)
    legs += [Leg(edge, "gua", 2), Leg(transit, place, 2)]
    if place != "mia":
        legs.append(Leg(transit, "mia"))
    if transit != FOREIGN_TARGET[1]:
        legs.append(Leg(FOREIGN_TARGET[1], "mia", 1, "neighbour"))
    return tuple(legs)


def _stops(
    routers: _Routers,
    source: ProbeSpec,
    legs: tuple[Leg, ...],
    af: int,
    destination: ProbeSpec | None,
) -> list[_Stop]:
    """Returns the hops from the probe's home router through its access router, the legs,
    and the destination's access router (the destination host itself is added by the caller)."""
    stops = [_Stop(_home_router(source, af), source.asn, source.place, None)]
    access_leg = Leg(source.asn, source.place)
    if source.place != source.declared:  # a misplaced probe hangs off its carrier's PoP abroad
        access_leg = Leg(_exit(source.asn)[0], source.place)
        legs = tuple(dropwhile(lambda leg: leg.asn == source.asn, legs))
    access = routers.get(
        access_leg, 0, None, af, access_for=source.id, named=access_leg.asn != source.asn
    )
    stops.append(_Stop(access.address, access.asn, access.place, access))
    previous: int | None = access.asn
    for leg in legs:
        for index in range(leg.routers):
            router = routers.get(leg, index, previous, af)
            stops.append(_Stop(router.address, router.asn, router.place, router))
        previous = leg.asn
    if destination is not None:
        far = routers.get(
            Leg(destination.asn, destination.place), 0, None, af, access_for=destination.id
        )
        stops.append(_Stop(far.address, far.asn, far.place, far))
    return stops


def _trace(
    rng: random.Random,
    routers: _Routers,
    source: ProbeSpec,
    target: ProbeSpec | None,
    destination: str,
    legs: tuple[Leg, ...],
    *,
    af: int,
    protocol: str,
    msm_id: int,
    timestamp: int,
    unreached: bool,
    last_mile_ms: dict[int, float],
) -> tuple[dict[str, Any], TraceTruth]:
    stops = _stops(routers, source, legs, af, target)
    if target is not None:
        stops.append(_Stop(destination, target.asn, target.place, None))
    else:
        stops.append(_Stop(destination, FOREIGN_TARGET[1], FOREIGN_TARGET[2], None))
    here = PLACES[source.place]
    km = 0.0
    hops: list[dict[str, Any]] = []
    truth: list[HopTruth] = []
    mile = last_mile_ms[source.id]
    last = len(stops)
    for number, stop in enumerate(stops, start=1):
        place = PLACES[stop.place]
        km += great_circle_km(here, place)
        here = place
        is_destination = number == last
        if unreached and number >= last - 2:
            break
        base = km * STRETCH / KM_PER_RTT_MS + 0.08 * number
        if number > 1:
            base += mile
        if is_destination and target is not None:
            base += last_mile_ms[target.id]
        router = stop.router
        ttl = (64 - number + 1) if stop.router is None and number > 1 else 255 - number + 1
        if number == 1:
            ttl = 64
        size = 76 if number == 1 else (48 if is_destination and protocol == "ICMP" else 28)
        replies: list[dict[str, Any]] = []
        if router is not None and router.silent and not _on_ixp(stop.address):
            hops.append({"hop": number, "result": [{"x": "*"}, {"x": "*"}, {"x": "*"}]})
            truth.append(HopTruth(number, stop.address, stop.asn, stop.place, km, False))
            continue
        for attempt in range(3):
            rtt = base + rng.expovariate(1 / 0.35)
            if attempt == 1 and router is not None and router.slow_icmp:
                rtt += rng.uniform(25.0, 90.0)
            busy = number == 1 and attempt == 0 and source.busy_home_router
            if busy:
                rtt = rng.uniform(70.0, 100.0)
            if rng.random() < 0.02 and not is_destination and not busy:
                replies.append({"x": "*"})
                continue
            reply: dict[str, Any] = {
                "from": stop.address,
                "ttl": ttl,
                "size": size,
                "rtt": round(rtt, 3),
            }
            if router is not None and router.mpls_label is not None:
                reply["size"] = 140
                reply["icmpext"] = {
                    "version": 2,
                    "rfc4884": 0,
                    "obj": [
                        {
                            "class": 1,
                            "type": 1,
                            "mpls": [{"label": router.mpls_label, "exp": 0, "s": 1, "ttl": 1}],
                        }
                    ],
                }
            replies.append(reply)
        if number == 2 and source.id == 7100008 and timestamp % 2 == 0:
            replies[2] = {"late": 1, "from": stop.address, "ttl": ttl, "size": size}
        if is_destination and protocol == "ICMP" and source.id == 7100004:
            replies.append({**replies[-1], "dup": True})
        hops.append({"hop": number, "result": replies})
        truth.append(HopTruth(number, stop.address, stop.asn, stop.place, km))
    if unreached:
        gap_start = len(hops) + 1
        for number in range(gap_start, gap_start + 5):
            hops.append({"hop": number, "result": [{"x": "*"}, {"x": "*"}, {"x": "*"}]})
        hops.append({"hop": 255, "result": [{"x": "*"}, {"x": "*"}, {"x": "*"}]})
    public = source.address_v6 if af == 6 else source.address_v4
    duration = 2 + rng.randrange(0, 12)
    record: dict[str, Any] = {
        "fw": FIRMWARE,
        "mver": "2.6.2",
        "lts": rng.randrange(5, 120),
        "endtime": timestamp + duration,
        "dst_name": destination,
        "dst_addr": destination,
        "src_addr": _source_address(source, af),
        "proto": protocol,
        "af": af,
        "size": 48,
        "paris_id": 1 + (timestamp // 60 + source.id) % 16,
        "result": hops,
        "msm_id": msm_id,
        "prb_id": source.id,
        "timestamp": timestamp,
        "msm_name": "Traceroute",
        "from": public,
        "type": "traceroute",
        "group_id": msm_id,
        "stored_timestamp": timestamp + duration + rng.randrange(20, 90),
        "destination_ip_responded": not unreached,
    }
    return record, TraceTruth(
        msm_id, source.id, timestamp, source.place, target.asn if target else None, tuple(truth)
    )


def _on_ixp(address: str) -> bool:
    return any(
        ip_address(address) in ip_network(lan)
        for ixp in IXPS
        for lan in (ixp.lan_v4, ixp.lan_v6)
        if lan is not None and ip_network(lan).version == ip_address(address).version
    )


def _ixpready_block(probe: ProbeSpec) -> dict[str, Any]:
    latitude, longitude = _coordinates(probe)
    return {
        "name": probe.description,
        "asn": probe.asn,
        "country": "GT",
        "latitude": latitude,
        "longitude": longitude,
        "version": "0.1.0",
    }


def _coordinates(probe: ProbeSpec) -> tuple[float, float]:
    """Returns the declared (lat, lon): the declared city, nudged a little per probe."""
    place = PLACES[probe.declared]
    nudge = ((probe.id % 7) - 3) * 0.004
    return round(place.latitude + nudge, 4), round(place.longitude - nudge, 4)


def _build(
    seed: int, probes: tuple[ProbeSpec, ...] = PROBES, rounds: int = ROUNDS, lanes: int = 1
) -> _Built:
    """Returns every simulated result: `rounds` rounds of the Atlas mesh (every target from
    every Atlas probe of another network, IPv6 between dual-stack probes, outbound traces),
    then one round from the ixpready probes. `lanes` > 1 spreads core hops over parallel
    (ECMP) routers, as large networks have."""
    rng = random.Random(seed)
    routers = _Routers(random.Random(f"routers-{seed}"), lanes)
    last_mile = {p.id: (0.4 if p.place != p.declared else rng.uniform(1.5, 6.0)) for p in probes}
    atlas: list[dict[str, Any]] = []
    ixpready: list[dict[str, Any]] = []
    truths: list[TraceTruth] = []
    targets = [p for p in probes if p.target]
    sources = [p for p in probes if p.kind == "atlas"]
    six = [p for p in probes if p.address_v6 is not None]

    def add(
        into: list[dict[str, Any]],
        source: ProbeSpec,
        target: ProbeSpec | None,
        af: int,
        protocol: str,
        msm_id: int,
        timestamp: int,
        unreached: bool = False,
    ) -> dict[str, Any]:
        destination: str | None = FOREIGN_TARGET[0]
        legs = _outbound_legs(source.asn)
        if target is not None:
            destination = target.address_v6 if af == 6 else target.address_v4
            legs = _core_legs(source.asn, target.asn, af)
        assert destination is not None
        routers.lane = (source.id + (target.id if target else 0)) % lanes
        record, truth = _trace(
            rng, routers, source, target, destination, legs, af=af, protocol=protocol,
            msm_id=msm_id, timestamp=timestamp, unreached=unreached, last_mile_ms=last_mile,
        )  # fmt: skip
        into.append(record)
        truths.append(truth)
        return record

    for round_ in range(rounds):
        start = START + round_ * ROUND_INTERVAL_S
        for t_index, target in enumerate(targets):
            protocol = "ICMP" if t_index % 3 == 2 else "UDP"
            for s_index, source in enumerate(p for p in sources if p.asn != target.asn):
                unreached = (source.id, target.id, round_) == UNREACHED
                timestamp = start + 60 * t_index + s_index
                add(atlas, source, target, 4, protocol, MSM_BASE + t_index, timestamp, unreached)
        for index, source in enumerate(six):  # IPv6: the dual-stack probes trace each other
            for target in six[index + 1 :] + six[:index]:
                if target.asn != source.asn:
                    add(atlas, source, target, 6, "ICMP", MSM_BASE + 50 + index, start + 1200)
        for s_index, source in enumerate(sources):  # outbound: not a domestic pair
            add(atlas, source, None, 4, "UDP", MSM_BASE + 60, start + 1800 + s_index)
    # The operators' ixpready probes: one round to every mesh target in another network.
    for p_index, source in enumerate(p for p in probes if p.kind == "ixpready"):
        for t_index, target in enumerate(t for t in targets if t.asn != source.asn):
            timestamp = START + 900 + 30 * t_index
            record = add(ixpready, source, target, 4, "ICMP", MSM_BASE + 100 + p_index, timestamp)
            record["fw"] = IXPREADY_FIRMWARE
            record["ixpready_probe"] = _ixpready_block(source)
            for key in ("mver", "lts", "group_id", "stored_timestamp", "msm_name"):
                record.pop(key)
    return _Built(atlas, ixpready, truths, routers, last_mile)


# ---------------------------------------------------------------------------------------------
# DNS: what the operators' probes' `dns` checks write (RIPE Atlas DNS results, `abuf` base64).

DNS_START = START + 2400  # after the probes' traceroute round
PROBE_MSM_BASE = 2_000_000_000  # the probe's stable measurement ids (ixpready_probe.atlas)
CONTENT_PREFIXES = (  # (prefix, origin AS, registry country): content networks' prefixes
    ("142.250.0.0/15", 15169, "US"),
    ("52.112.0.0/14", 8075, "US"),
)


@dataclass(frozen=True, slots=True)
class DnsServer:
    """A name server the probes ask their CHAOS identity (`hostname.bind`). `instances` maps
    a probe's network to the (instance name, place, hosting AS) answering it (key 0: any
    other network); a hosting AS in Guatemala is reached over the domestic paths."""

    address: str
    label: str
    instances: tuple[tuple[int, str, str, int], ...]


# fmt: off
DNS_SERVERS = (
    # Real root server addresses; the instances, their names and places are simulated.
    DnsServer("193.0.14.129", "k.root-servers.net",
              ((0, "ns1.us-mia.k.ripe.net", "mia", 174),)),
    DnsServer("199.7.83.42", "l.root-servers.net",
              ((14754, "gua01.l.root-servers.org", "gua", 14754),
               (0, "mia01.l.root-servers.org", "mia", 174))),
    # The .gt servers: addresses and instances simulated.
    DnsServer("168.234.75.53", ".gt primary", ((0, "ns1.gua.nic.gt", "gua", 27929),)),
    DnsServer("181.114.0.53", ".gt anycast secondary",
              ((14754, "gua01.ns2.nic.gt", "gua", 14754),
               (0, "mia01.ns2.nic.gt", "mia", 174))),
)
# (name, {probe network (0: others): (address, place, hosting AS)}); addresses simulated.
CONTENT_NAMES: tuple[tuple[str, tuple[tuple[int, str, str, int], ...]], ...] = (
    ("www.google.com", ((14754, "186.151.40.14", "gua", 14754),  # a cache inside Claro
                        (0, "142.250.217.36", "mia", 15169))),
    ("teams.microsoft.com", ((0, "52.113.194.132", "iad", 8075),)),
    ("www.noticias.example", ((0, FOREIGN_TARGET[0], FOREIGN_TARGET[2], FOREIGN_TARGET[1]),)),
)
RESOLVERS = {14754: "186.151.16.53", 52362: "190.104.120.53", 13682: "190.143.128.53"}
# fmt: on


def _pick(table: tuple[tuple[int, str, str, int], ...], asn: int) -> tuple[str, str, int]:
    _, text, place, host = next(row for row in table if row[0] in (asn, 0))
    return text, place, host


def _route_km(probe: ProbeSpec, place: str, host: int) -> float:
    """Returns the great-circle km (unstretched) of the scenario's route from `probe` to a
    server in `place` inside AS `host`: the domestic legs to a Guatemalan host, else the
    probe's network's way out to Miami, then on to `place`."""
    if host == probe.asn:
        stops = [place]
    elif host in NETWORKS and NETWORKS[host].country == "GT":
        stops = [leg.place for leg in _core_legs(probe.asn, host, 4)] + [place]
    else:
        stops = [leg.place for leg in _outbound_legs(probe.asn)] + [place]
    km, here = 0.0, PLACES[probe.place]
    for code in stops:
        km += great_circle_km(here, PLACES[code])
        here = PLACES[code]
    return km


def _probe_msm_id(server: str, rdclass: str, rdtype: str, name: str) -> int:
    """Returns the msm_id the probe gives this question (its `measurement_id_for`)."""
    text = f"dns|{server} {rdclass} {rdtype} {name}|4|UDP"
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return PROBE_MSM_BASE + digest % 100_000_000


def _dns_record(
    probe: ProbeSpec,
    server: str,
    query: dns.message.Message,
    response: dns.message.Message,
    rtt_ms: float,
    timestamp: int,
) -> dict[str, Any]:
    question = query.question[0]
    rdclass = dns.rdataclass.to_text(question.rdclass)
    rdtype = dns.rdatatype.to_text(question.rdtype)
    wire, answer = query.to_wire(), response.to_wire()
    ident, _flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", answer)
    return {
        "type": "dns",
        "fw": IXPREADY_FIRMWARE,
        "lts": -1,
        "msm_id": _probe_msm_id(server, rdclass, rdtype, question.name.to_text()),
        "msm_name": "Tdig",
        "prb_id": probe.id,
        "timestamp": timestamp,
        "af": 4,
        "proto": "UDP",
        "dst_addr": server,
        "src_addr": _source_address(probe, 4),
        "from": probe.address_v4,
        "qbuf": base64.b64encode(wire).decode(),
        "ixpready_probe": _ixpready_block(probe),
        "result": {
            "rt": round(rtt_ms, 3),
            "size": len(answer),
            "abuf": base64.b64encode(answer).decode(),
            "ID": ident,
            "QDCOUNT": qd,
            "ANCOUNT": an,
            "NSCOUNT": ns,
            "ARCOUNT": ar,
        },
    }


def _dns_results(
    seed: int, probes: tuple[ProbeSpec, ...], last_mile: dict[int, float]
) -> list[dict[str, Any]]:
    """Returns the operators' probes' DNS results: `hostname.bind` (CHAOS TXT) of each server
    of DNS_SERVERS, then A of each content name from the probe's resolver (an answer from
    its cache). Which instance or address answers is laid out above; RTTs follow physics
    along the scenario's routes plus the probe's last mile and a little noise."""
    rng = random.Random(f"dns-{seed}")
    records: list[dict[str, Any]] = []
    for p_index, probe in enumerate(p for p in probes if p.kind == "ixpready"):
        timestamp = DNS_START + 60 * p_index
        mile = last_mile[probe.id]
        for server in DNS_SERVERS:
            instance, place, host = _pick(server.instances, probe.asn)
            query = dns.message.make_query("hostname.bind.", "TXT", "CH", want_dnssec=False)
            query.id = rng.randrange(1, 65536)
            query.flags &= ~dns.flags.RD
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            response.answer.append(
                dns.rrset.from_text("hostname.bind.", 0, "CH", "TXT", f'"{instance}"')
            )
            km = _route_km(probe, place, host)
            rtt = km * STRETCH / KM_PER_RTT_MS + mile + 0.3 + rng.expovariate(1 / 0.35)
            records.append(_dns_record(probe, server.address, query, response, rtt, timestamp))
            timestamp += 1
        resolver = RESOLVERS[probe.asn]
        for name, table in CONTENT_NAMES:
            address, _place, _host = _pick(table, probe.asn)
            query = dns.message.make_query(f"{name}.", "A", want_dnssec=False)
            query.id = rng.randrange(1, 65536)
            response = dns.message.make_response(query)
            response.flags |= dns.flags.RA
            response.answer.append(
                dns.rrset.from_text(f"{name}.", rng.randrange(30, 300), "IN", "A", address)
            )
            km = _route_km(probe, "gua", probe.asn)  # its ISP's resolver, in the capital
            rtt = km * STRETCH / KM_PER_RTT_MS + mile + 0.5 + rng.expovariate(1 / 0.35)
            records.append(_dns_record(probe, resolver, query, response, rtt, timestamp))
            timestamp += 1
    return records


def extra_probes(per_network: int) -> tuple[ProbeSpec, ...]:
    """Returns PROBES plus `per_network` more simulated Atlas probes in each Guatemalan network
    that has one (every fourth a mesh target), spread over the four Guatemalan cities: the
    same scenario at a larger scale, for benchmarks. Raises ValueError above 40 per network."""
    if not 0 <= per_network <= 40:
        raise ValueError(f"per_network must be 0..40, not {per_network}")
    extra: list[ProbeSpec] = []
    cities = ("gua", "xel", "esc", "cob")
    for first in (p for p in PROBES if p.kind == "atlas" and p.place == p.declared):
        if any(e.asn == first.asn for e in extra):
            continue
        net = min(
            (
                ip_network(n)
                for n in NETWORKS[first.asn].prefixes_v4
                if ip_address(first.address_v4) in ip_network(n)
            ),
            key=lambda n: n.num_addresses,
        )
        for k in range(per_network):
            city = cities[k % len(cities)]
            extra.append(
                ProbeSpec(
                    7_200_000 + 100 * len(extra) // max(per_network, 1) + k,
                    first.asn,
                    city,
                    city,
                    str(net.network_address + 20 + 3 * k),
                    f"simulated {city} probe {k}",
                    target=k % 4 == 0,
                )
            )
    return PROBES + tuple(extra)


# ---------------------------------------------------------------------------------------------
# Files


@dataclass(frozen=True, slots=True)
class ScenarioFiles:
    """Returns where `write_scenario` put each file, and how many results each holds."""

    results: tuple[Path, ...]
    probes: Path
    rdns: Path
    refdata: Path
    scenario: Path
    atlas_results: int
    probe_results: int
    malformed_lines: int
    dns: Path  # the operators' probes' DNS results (JSON lines)
    dns_results: int


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=None, separators=(", ", ": "))


def _probe_object(probe: ProbeSpec) -> dict[str, Any]:
    latitude, longitude = _coordinates(probe)
    v4 = next(
        p for p in NETWORKS[probe.asn].prefixes_v4 if ip_address(probe.address_v4) in ip_network(p)
    )
    v6 = None
    if probe.address_v6 is not None:
        v6 = next(
            p
            for p in NETWORKS[probe.asn].prefixes_v6
            if ip_address(probe.address_v6) in ip_network(p)
        )
    tags = [("system-v3", "system-v3"), ("system-ipv4-works", "system-ipv4-works")]
    if v6:
        tags.append(("system-ipv6-works", "system-ipv6-works"))
    tags.append(("Home", "home") if "home" in probe.description.lower() else ("Office", "office"))
    return {
        "address_v4": probe.address_v4,
        "address_v6": probe.address_v6,
        "asn_v4": probe.asn,
        "asn_v6": probe.asn if v6 else None,
        "country_code": "GT",
        "description": f"{probe.description} [SIMULATED]",
        "first_connected": START - 400 * 86400,
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "id": probe.id,
        "is_anchor": False,
        "is_public": True,
        "last_connected": START + ROUNDS * ROUND_INTERVAL_S,
        "prefix_v4": v4,
        "prefix_v6": v6,
        "status": {"id": 1, "name": "Connected", "since": "2026-10-01T00:00:00Z"},
        "tags": [{"name": name, "slug": slug} for name, slug in tags],
        "total_uptime": 400 * 86400,
        "type": "Probe",
    }


def _registry_of(prefix: str) -> str:
    first = int(prefix.split(".")[0]) if ":" not in prefix else 0
    if ":" in prefix:
        return "lacnic" if prefix.startswith("28") else "arin"
    if first in (4, 38, 52, 63, 66, 72, 142, 154, 198, 206):
        return "arin"
    if first in (94, 195):
        return "ripencc"
    return "lacnic"


def _delegated(registry: str) -> str:
    rows: list[str] = []
    for net in sorted(NETWORKS.values(), key=lambda n: n.asn):
        if net.registry == registry:
            rows.append(
                f"{registry}|{net.country}|asn|{net.asn}|1|20050315|allocated|sim-{net.asn}"
            )
    for net in sorted(NETWORKS.values(), key=lambda n: n.asn):
        for prefix in net.prefixes_v4:
            network = ip_network(prefix)
            if _registry_of(prefix) != registry or any(
                network != other and network.subnet_of(other)  # type: ignore[arg-type]
                for other in map(ip_network, net.prefixes_v4)
            ):
                continue
            # ARIN-era blocks used in Guatemala are registered to a US address: a weak hint.
            country = "US" if registry == "arin" else net.country
            rows.append(
                f"{registry}|{country}|ipv4|{network.network_address}|{network.num_addresses}|20070601|allocated|sim-{net.asn}"
            )
        for prefix in net.prefixes_v6:
            network = ip_network(prefix)
            if _registry_of(prefix) == registry:
                rows.append(
                    f"{registry}|{net.country}|ipv6|{network.network_address}|{network.prefixlen}|20100201|allocated|sim-{net.asn}"
                )
    for prefix, asn, country in CONTENT_PREFIXES:
        network = ip_network(prefix)
        if _registry_of(prefix) == registry:
            rows.append(
                f"{registry}|{country}|ipv4|{network.network_address}|{network.num_addresses}|20120101|allocated|sim-{asn}"
            )
    counts = {kind: sum(f"|{kind}|" in row for row in rows) for kind in ("asn", "ipv4", "ipv6")}
    stamp = SNAPSHOT_DATE.replace("-", "")
    head = [
        f"2.3|{registry}|{stamp}|{len(rows)}|19870101|{stamp}|+0000",
        *(f"{registry}|*|{kind}|*|{count}|summary" for kind, count in counts.items()),
    ]
    return "\n".join([*head, *rows]) + "\n"


def _pfx2as() -> str:
    lines: list[tuple[int, int, int, str]] = []
    for net in NETWORKS.values():
        for prefix in (*net.prefixes_v4, *net.prefixes_v6):
            network = ip_network(prefix)
            origins = MULTI_ORIGIN.get(prefix, (net.asn,))
            if origins[0] != net.asn:
                continue
            origin = "_".join(str(asn) for asn in origins)
            lines.append(
                (
                    network.version,
                    int(network.network_address),
                    network.prefixlen,
                    f"{network.network_address}\t{network.prefixlen}\t{origin}",
                )
            )
    for prefix, asn, _country in CONTENT_PREFIXES:
        network = ip_network(prefix)
        lines.append(
            (
                network.version,
                int(network.network_address),
                network.prefixlen,
                f"{network.network_address}\t{network.prefixlen}\t{asn}",
            )
        )
    return "".join(line + "\n" for *_, line in sorted(lines))


_INFO_TYPE = {
    27929: "Educational/Research",
    3356: "NSP",
    174: "NSP",
    23520: "NSP",
    52468: "NSP",
    6762: "NSP",
    12956: "NSP",
    15169: "Content",
    8075: "Content",
    6939: "NSP",
    33419: "Enterprise",
}
_REAL_NAMES = {
    6939: "Hurricane Electric",
    15169: "Google LLC",
    8075: "Microsoft",
    33419: "Voxility",
}


def _peeringdb() -> dict[str, list[dict[str, Any]]]:
    ix: list[dict[str, Any]] = []
    ixlan: list[dict[str, Any]] = []
    ixpfx: list[dict[str, Any]] = []
    netixlan: list[dict[str, Any]] = []
    net: list[dict[str, Any]] = []
    fac: list[dict[str, Any]] = []
    asns = sorted({*NETWORKS, *_REAL_NAMES})
    net_id = {asn: 80_000 + index for index, asn in enumerate(asns)}
    for asn in asns:
        name = NETWORKS[asn].name if asn in NETWORKS else _REAL_NAMES[asn]
        net.append(
            {
                "id": net_id[asn],
                "asn": asn,
                "name": name,
                "info_type": _INFO_TYPE.get(asn, "Cable/DSL/ISP"),
                "status": "ok",
            }
        )
    pfx_id = 90_000
    for ixp in IXPS:
        ix.append(
            {
                "id": ixp.ix_id,
                "name": ixp.name,
                "city": ixp.city,
                "country": ixp.country,
                "region_continent": ixp.continent,
                "status": "ok",
            }
        )
        ixlan.append({"id": ixp.ix_id, "ix_id": ixp.ix_id, "name": "", "status": "ok"})
        for protocol, prefix in (("IPv4", ixp.lan_v4), ("IPv6", ixp.lan_v6)):
            if prefix is None:
                continue
            real_id = (
                12
                if prefix == "2001:504:0:6::/64"
                else 386
                if prefix == "206.126.236.0/22"
                else None
            )
            pfx_id += 1
            ixpfx.append(
                {
                    "id": real_id or pfx_id,
                    "ixlan_id": ixp.ix_id,
                    "protocol": protocol,
                    "prefix": prefix,
                    "status": "ok",
                }
            )
        for index, (asn, v4, v6) in enumerate(ixp.members):
            netixlan.append(
                {
                    "id": 95_000 + ixp.ix_id * 10 + index,
                    "net_id": net_id[asn],
                    "ix_id": ixp.ix_id,
                    "ixlan_id": ixp.ix_id,
                    "asn": asn,
                    "ipaddr4": v4,
                    "ipaddr6": v6,
                    "speed": 10_000,
                    "name": ixp.name,
                    "status": "ok",
                }
            )
    for nid, ix_id, asn, v4, v6, name in REAL_NETIXLAN:
        netixlan.append(
            {
                "id": nid,
                "net_id": net_id[asn],
                "ix_id": ix_id,
                "ixlan_id": ix_id,
                "asn": asn,
                "ipaddr4": v4,
                "ipaddr6": v6,
                "speed": 100_000,
                "name": name,
                "status": "ok",
            }
        )
    for fac_id, name, code in FACILITIES:
        place = PLACES[code]
        fac.append(
            {
                "id": fac_id,
                "name": name,
                "city": place.name,
                "country": place.country,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "status": "ok",
            }
        )
    netixlan.sort(key=lambda row: int(row["id"]))
    return {"ix": ix, "ixlan": ixlan, "ixpfx": ixpfx, "netixlan": netixlan, "net": net, "fac": fac}


def _stale_router(built: _Built) -> str:
    """Returns the address that gets the stale name: the Claro router in Guatemala City that
    answers in the most traces (public address, so the name is looked up)."""
    seen: dict[str, int] = {}
    for trace in built.truths:
        for hop in trace.hops:
            public = not ip_address(hop.address).is_private
            if hop.responded and hop.asn == 14754 and hop.place == "gua" and public:
                seen[hop.address] = seen.get(hop.address, 0) + 1
    return max(seen, key=lambda address: (seen[address], address))


def scenario_truth(
    seed: int = 2026, *, probes_per_network: int = 0, rounds: int = ROUNDS, lanes: int = 1
) -> ScenarioTruth:
    """Returns the simulated ground truth of the scenario `write_scenario` writes with the same
    arguments: every trace's hops with their real places and ASes, every probe's real place.
    For tests; never written to the scenario folder (the analysis must find it out)."""
    probes = extra_probes(probes_per_network)
    built = _build(seed, probes, rounds, lanes)
    return ScenarioTruth(tuple(built.truths), {p.id: p.place for p in probes})


def write_scenario(
    out_dir: Path,
    *,
    seed: int = 2026,
    probes_per_network: int = 0,
    rounds: int = ROUNDS,
    lanes: int = 1,
) -> ScenarioFiles:
    """Writes the simulated Guatemala scenario under `out_dir` and returns its files.

    The defaults write the documented demo scenario; `probes_per_network` (see
    `extra_probes`), `rounds` and `lanes` (parallel core routers) scale it up for benchmarks.
    The same arguments write byte-identical files. Raises OSError when `out_dir` is not
    writable, ValueError for more than 40 probes per network.
    """
    probe_specs = extra_probes(probes_per_network)
    built = _build(seed, probe_specs, rounds, lanes)
    results_dir, refdata = out_dir / "results", out_dir / "refdata"
    for folder in (results_dir, refdata / "peeringdb"):
        folder.mkdir(parents=True, exist_ok=True)
    mesh = results_dir / "atlas-mesh.json"
    mesh.write_text("[\n" + ",\n".join(_dump(r) for r in built.atlas) + "\n]\n", encoding="utf-8")
    lines = [_dump(r) for r in built.ixpready]
    damaged = lines[MALFORMED_LINE - 2]
    lines.insert(MALFORMED_LINE - 1, damaged[: len(damaged) // 2])
    probe_mesh = results_dir / "probe-mesh.jsonl"
    probe_mesh.write_text("\n".join(lines) + "\n", encoding="utf-8")
    atlas_probes = [_probe_object(p) for p in probe_specs if p.kind == "atlas"]
    dns_records = _dns_results(seed, probe_specs, built.last_mile_ms)
    probe_dns = out_dir / "probe-dns.jsonl"  # not in results/: the traceroutes folder
    probe_dns.write_text("".join(_dump(r) + "\n" for r in dns_records), encoding="utf-8")
    probes = out_dir / "probes.json"
    probes.write_text(
        json.dumps(
            {"count": len(atlas_probes), "next": None, "previous": None, "results": atlas_probes},
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    names = {r.address: r.name for r in built.routers.all() if r.name is not None}
    names[_stale_router(built)] = _STALE_NAME
    rdns = out_dir / "rdns.json"
    rdns.write_text(
        json.dumps(
            dict(
                sorted(
                    names.items(),
                    key=lambda kv: (ip_address(kv[0]).version, ip_address(kv[0]).packed),
                )
            ),
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    (refdata / f"pfx2as-{SNAPSHOT_DATE.replace('-', '')}.txt").write_text(
        _pfx2as(), encoding="utf-8"
    )
    for name, rows in _peeringdb().items():
        (refdata / "peeringdb" / f"{name}.json").write_text(
            json.dumps({"data": rows}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    for registry in ("lacnic", "arin"):
        (refdata / f"delegated-{registry}-extended-{SNAPSHOT_DATE.replace('-', '')}").write_text(
            _delegated(registry), encoding="utf-8"
        )
    (refdata / "snapshot.json").write_text(
        json.dumps({"date": SNAPSHOT_DATE, "note": "simulated"}) + "\n", encoding="utf-8"
    )
    add_readiness_files(refdata)  # PeeringDB net/netfac/poc and VRPs for `readiness`
    scenario = out_dir / "SCENARIO.md"
    scenario.write_text(
        _scenario_text(
            seed, len(built.atlas), len(built.ixpready), probe_specs, rounds, len(dns_records)
        ),
        encoding="utf-8",
    )
    return ScenarioFiles(
        (mesh, probe_mesh),
        probes,
        rdns,
        refdata,
        scenario,
        len(built.atlas),
        len(built.ixpready),
        1,
        probe_dns,
        len(dns_records),
    )


def _who(asn: int, rows: int) -> str:
    if asn:
        return f"AS{asn}"
    return "other networks" if rows > 1 else "every network"


def _scenario_text(
    seed: int,
    atlas_results: int,
    probe_results: int,
    probes: tuple[ProbeSpec, ...],
    rounds: int,
    dns_results: int,
) -> str:
    server_rows = [
        f"| {s.address} | {s.label} | "
        + "; ".join(
            f"{_who(asn, len(s.instances))}: `{name}` ({PLACES[place].name})"
            for asn, name, place, _host in s.instances
        )
        + " |"
        for s in DNS_SERVERS
    ]
    content_rows = [
        f"| {name} | "
        + "; ".join(
            f"{_who(asn, len(table))}: {address} ({PLACES[place].name})"
            for asn, address, place, _host in table
        )
        + " |"
        for name, table in CONTENT_NAMES
    ]
    probe_rows = [
        f"| {p.id} | {p.kind} | AS{p.asn} | {PLACES[p.declared].name} | {p.address_v4}"
        f"{' / ' + p.address_v6 if p.address_v6 else ''} | {'yes' if p.target else ''} |"
        for p in probes
    ]
    network_rows = [
        f"| AS{n.asn} | {n.name} | {n.country} | {', '.join((*n.prefixes_v4, *n.prefixes_v6))}"
        f"{' (simulated)' if n.simulated_prefixes else ''} |"
        for n in sorted(NETWORKS.values(), key=lambda n: n.asn)
    ]
    return f"""# SIMULATED Guatemala scenario (seed {seed})

**This is not a measurement of Guatemala.** Every traceroute, probe, router address, router
name and RTT in this folder was generated by `ixpready.demo.scenario`. It exists to
show what `ixpready analyze` does with data in the exact RIPE Atlas formats. Do not cite it.

## What is real (public facts) and what is simulated

Real: the ASNs and network names (pyasn `asnames` and CAIDA AS-nationality data); the
prefixes of the Guatemalan networks not marked "(simulated)" below (RouteViews via pyasn,
2014); the IXPs, their PeeringDB ids, names, cities and peering LANs (Equinix Miami — formerly
NOTA / NAP of the Americas — `198.32.242.0/24` and `2001:504:0:6::/64`, CRIX
`200.107.83.0/24`, Equinix Ashburn `206.126.236.0/22`); four netixlan rows of non-Guatemalan
members of Equinix Miami/Ashburn (PeeringDB, 2026-04-16); city coordinates; the addresses
of the K and L root servers (193.0.14.129, 199.7.83.42); Google's `142.250.0.0/15` (AS15169)
and Microsoft's `52.112.0.0/14` (AS8075) as content networks' prefixes.

Simulated: probes (ids 7100001-7100011 for RIPE Atlas, 7900001-7900003 for the operators'
ixpready probes), their addresses and coordinates; which network meets which, where; every
router, its address, its name and its behaviour; every RTT; the IXP memberships and LAN
addresses of the scenario's networks; facility ids; the registry files and the pfx2as
file (assembled from the prefixes below and the two content prefixes, dated {SNAPSHOT_DATE});
every DNS answer: the root and .gt instances, their names and where they are, the .gt
servers' addresses, the probes' resolvers, and the addresses the content names resolve to.

RTTs follow physics along each simulated path: great-circle km between the cities a path
visits x {STRETCH} route stretch, at {KM_PER_RTT_MS:.0f} km per ms of round trip, plus a
probe's last mile, jitter and the noise listed below. No hop answers faster than light in
fibre allows from where its probe really is. The generator does not compute verdicts.

## Files

- `results/atlas-mesh.json` — {atlas_results} RIPE Atlas traceroute results (a JSON array,
  firmware {FIRMWARE}): {len([p for p in probes if p.target])} mesh measurements x {rounds} rounds
  between probes of different Guatemalan networks (ids {MSM_BASE}-{MSM_BASE + len([p for p in probes if p.target]) - 1}), IPv6 between
  the two dual-stack probes ({MSM_BASE + 50}, {MSM_BASE + 51}) and outbound traces from every
  Atlas probe to {FOREIGN_TARGET[0]} in Miami ({MSM_BASE + 60}), which is not a domestic pair.
- `results/probe-mesh.jsonl` — {probe_results} results of the operators' ixpready probes (JSON
  lines, `fw` {IXPREADY_FIRMWARE}, an `ixpready_probe` block naming the probe) and **one
  deliberately malformed line** (line {MALFORMED_LINE}: line {MALFORMED_LINE - 1} cut in half, as a
  probe losing power mid-write leaves it). It shows quarantine: the line is reported, every
  other result is kept.
- `probe-dns.jsonl` — {dns_results} DNS results of the operators' ixpready probes
  (JSON lines as `ixpready-probe dns` writes them: RIPE Atlas DNS results, the answer as DNS
  wire format in base64 `abuf`, an `ixpready_probe` block): CHAOS `hostname.bind` of two
  root servers and two .gt servers, and A of three content names from each probe's
  resolver. Simulated instance names and addresses, shown below.
- `probes.json` — RIPE Atlas probes API page for the Atlas probes.
- `rdns.json` — reverse-DNS names of router addresses (some routers have none).
- `refdata/` — `pfx2as-{SNAPSHOT_DATE.replace("-", "")}.txt`, `peeringdb/{{ix,ixlan,ixpfx,netixlan,net,fac,netfac,poc}}.json`,
  `rpki/vrps-simulated-routinator-{SNAPSHOT_DATE.replace("-", "")}.json` (simulated peering policies, as-sets, facilities, contact counts and ROAs),
  `delegated-lacnic-extended-{SNAPSHOT_DATE.replace("-", "")}`, `delegated-arin-extended-{SNAPSHOT_DATE.replace("-", "")}`,
  `snapshot.json`.

## Probes

| id | kind | network | declared city | address | mesh target |
|---|---|---|---|---|---|
{chr(10).join(probe_rows)}

## DNS: which instance answers, where content is served (simulated)

| server asked | what it is | instance answering `hostname.bind`, by the probe's network |
|---|---|---|
{chr(10).join(server_rows)}

| content name | A answer, by the probe's network |
|---|---|
{chr(10).join(content_rows)}

`www.noticias.example` is a made-up name (the `.example` domain is reserved); its address is
the outbound traceroutes' Miami target. DNS RTTs follow the same physics as the traceroutes.

## Networks and announced prefixes

| AS | name | country | prefixes |
|---|---|---|---|
{chr(10).join(network_rows)}

## How the paths were made (the answers are left to the analysis)

Each network was given simulated ways to reach the others: through a shared upstream's
backbone in Guatemala, across the Equinix Miami or CRIX peering LAN, through transit
carriers in Miami, Mexico City, San Salvador or Ashburn, and in one case by reaching a
foreign IXP remotely over a layer-2 circuit. Which pair uses which, and what that means for
Guatemala, is what `ixpready analyze` has to find out from the files alone; this document
does not say.

## Deliberate imperfections

- One probe's declared location is wrong; its RTTs give it away.
- Two probes have a home router that answers one packet in 70-100 ms.
- Some routers generate ICMP slowly (one reply of three 25-90 ms late), some never answer
  (`*`), some answer from private 10.192.0.0/16 or CGNAT 100.64.0.0/16 space.
- Some border routers answer from their neighbour's address space (the other side's /30).
- An IXP LAN address may answer from far away from its IXP (remote peering).
- One reverse-DNS name is stale: it names a city its router is not in.
- The trace from probe {UNREACHED[0]} to probe {UNREACHED[1]} in round {UNREACHED[2] + 1} never reaches
  its destination (silent hops, then hop 255).
- `190.104.116.0/24` has two origins (`52362_6487`); ARIN-era blocks used in Guatemala
  (`66.119.94.0/23`, `72.252.0.0/24`) are registered with country US.
- Replies with `late`, `dup` and MPLS `icmpext` appear as Atlas writes them.
"""
