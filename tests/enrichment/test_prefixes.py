"""Longest-prefix match and registry countries on the recorded routing tables."""

from __future__ import annotations

import random
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from pathlib import Path

import pytest

from ixpready.enrichment.prefixes import Origin, PrefixTable, RegistryCountries
from ixpready.measurements.records import IPAddress
from ixpready.refdata.snapshots import RoutedPrefix, load_snapshot

from .conftest import PYASN_V4, PYASN_V6


@pytest.fixture
def table(routing_folder: Path) -> PrefixTable:
    return PrefixTable.from_snapshot(load_snapshot(routing_folder))


def _oracle(lines: list[str]) -> list[tuple[IPv4Network | IPv6Network, int]]:
    """The IPASN table as (network, AS) pairs, for a brute-force longest-prefix match."""
    pairs = []
    for line in lines:
        if line and not line.startswith(";"):
            prefix, asn = line.split("\t")
            pairs.append((ip_network(prefix), int(asn)))
    return pairs


def _brute_force(
    pairs: list[tuple[IPv4Network | IPv6Network, int]], address: IPAddress
) -> tuple[str, int] | None:
    value = int(address)
    covering = [
        (net, asn)
        for net, asn in pairs
        if net.version == address.version
        and int(net.network_address) <= value <= int(net.broadcast_address)
    ]
    if not covering:
        return None
    net, asn = max(covering, key=lambda pair: pair[0].prefixlen)
    return str(net), asn


def test_the_table_holds_every_routed_prefix(table: PrefixTable) -> None:
    assert len(table) == 5087 + 567 + 9


@pytest.mark.parametrize(
    ("address", "prefix", "asn"),
    [
        # excerpt lines 19-28: 1.0.128.0/17, /18 and /19 are AS9737; 1.0.129.0/24 inside
        # them is AS23969; lines 39-47: 1.1.128.0/17 (AS9737) holds AS23969's smaller blocks
        ("1.0.129.77", "1.0.129.0/24", 23969),
        ("1.0.131.1", "1.0.128.0/19", 9737),
        ("1.0.200.1", "1.0.192.0/19", 9737),
        ("1.0.217.1", "1.0.216.0/21", 23969),
        ("1.1.141.1", "1.1.140.0/23", 23969),
        ("1.1.150.1", "1.1.128.0/17", 9737),
        # 168.234.0.0/16 is AS52286 (Columbus Networks Guatemala); probe 19570 sat in
        # AS27929's 168.234.75.0/24 inside it
        ("168.234.75.2", "168.234.75.0/24", 27929),
        ("168.234.1.1", "168.234.0.0/16", 52286),
        # probe 12804's public address in 2015
        ("186.151.78.4", "186.151.64.0/20", 14754),
        # IPv6: WIDE's /32 and a /48 of another AS inside it
        ("2001:200:136::1", "2001:200:136::/48", 9367),
        ("2001:200:1::1", "2001:200::/32", 2500),
        ("2800:860:b0b::53", "2800:860:b0b::/48", 20299),
        # RIPEstat answers
        ("193.0.6.139", "193.0.0.0/21", 3333),
        ("2001:67c:2e8:22::c100:68b", "2001:67c:2e8::/48", 3333),
        ("140.78.90.50", "140.78.0.0/16", 1205),
    ],
)
def test_longest_prefix_match(table: PrefixTable, address: str, prefix: str, asn: int) -> None:
    origin = table.origin(ip_address(address))
    assert origin == Origin(prefix, (asn,))
    assert origin is not None and origin.asn == asn


@pytest.mark.parametrize("address", ["8.8.8.8", "192.0.2.1", "2a00:1450::1", "100.64.0.1"])
def test_addresses_outside_the_table(table: PrefixTable, address: str) -> None:
    assert table.origin(ip_address(address)) is None


def test_the_radix_tree_agrees_with_a_brute_force_scan(recorded: Path) -> None:
    lines = (recorded / PYASN_V4).read_text().splitlines()
    lines += (recorded / PYASN_V6).read_text().splitlines()
    pairs = _oracle(lines)
    table = PrefixTable(RoutedPrefix(str(net), (asn,)) for net, asn in pairs)
    chooser = random.Random(5004)
    addresses: list[IPAddress] = []
    for net, _asn in chooser.sample(pairs, 400):
        offset = chooser.randrange(net.num_addresses)
        addresses.append(net.network_address + offset)
        addresses.append(net.broadcast_address + 1 if net.version == 4 else net[-1])
    addresses += [ip_address(chooser.getrandbits(32)) for _ in range(200)]
    matched = 0
    for address in addresses:
        expected = _brute_force(pairs, address)
        found = table.origin(address)
        if expected is None:
            assert found is None, address
        else:
            matched += 1
            assert found is not None, address
            assert (found.prefix, found.asn) == expected, address
    assert matched >= 400


def test_multi_origin_from_caida_pfx2as(pfx2as_folder: Path) -> None:
    table = PrefixTable.from_snapshot(load_snapshot(pfx2as_folder))
    moas = table.origin(ip_address("168.234.1.1"))
    assert moas == Origin("168.234.0.0/16", (52286, 27929))
    assert moas is not None and moas.asn == 52286
    assert table.origin(ip_address("168.234.75.2")) == Origin("168.234.75.0/24", (27929,))


def test_a_prefix_seen_twice_merges_its_origins_once() -> None:
    table = PrefixTable(
        [
            RoutedPrefix("193.0.0.0/21", (3333,)),  # RIPEstat prefix-overview
            RoutedPrefix("193.0.0.0/21", (3333,)),  # and announced-prefixes
            RoutedPrefix("193.0.0.0/21", (3333, 12654)),
        ]
    )
    assert table.origin(ip_address("193.0.0.1")) == Origin("193.0.0.0/21", (3333, 12654))


def test_as_names_of_origins(routing_folder: Path) -> None:
    snapshot = load_snapshot(routing_folder)
    table = PrefixTable.from_snapshot(snapshot)
    names = {
        address: snapshot.as_names.get(origin.asn) if origin else None
        for address in ("186.151.78.4", "168.234.75.2", "168.234.1.1", "193.0.6.139")
        for origin in [table.origin(ip_address(address))]
    }
    assert names == {
        "186.151.78.4": "Telgua, GT",
        "168.234.75.2": "Red Avanzada Guatemalteca para la Investigacion y Educacion, GT",
        "168.234.1.1": "Columbus Networks Guatemala, GT",
        "193.0.6.139": "RIPE-NCC-AS - Reseaux IP Europeens Network Coordination Centre (RIPE NCC)",
    }


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("186.151.78.4", "GT"),
        ("168.234.75.2", "GT"),
        ("190.56.1.1", "GT"),
        ("190.58.255.255", "GT"),  # the /16 after the /15 of a 196,608-address block
        ("190.59.0.1", None),
        ("200.0.0.1", None),  # an "available" record has no country
        ("41.57.112.1", None),  # nor has a "reserved" one (country "ZZ")
        ("2800:860:b0b::1", "GT"),
        ("2001:200:136::1", "JP"),
        ("8.8.8.8", None),
    ],
)
def test_registry_country_of_an_address(
    routing_folder: Path, address: str, country: str | None
) -> None:
    registry = RegistryCountries.from_snapshot(load_snapshot(routing_folder))
    assert registry.of_address(ip_address(address)) == country


def test_registry_country_of_an_asn(routing_folder: Path) -> None:
    registry = RegistryCountries.from_snapshot(load_snapshot(routing_folder))
    assert registry.of_asn(14754) == "GT"
    assert registry.of_asn(27929) == "GT"
    assert registry.of_asn(3303) == "CH"
    assert registry.of_asn(15169) is None
    assert registry.of_asn(8770) is None  # "ZZ", available
