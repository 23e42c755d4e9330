"""Distances, speed-of-light bounds, special ranges, rDNS hints and the packaged gazetteer."""

from __future__ import annotations

import math
from ipaddress import IPv4Address, IPv6Address, ip_address
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ixpready.enrichment import geo
from ixpready.enrichment.geo import (
    KM_PER_MS_ROUND_TRIP,
    distance_km,
    floor_rtt_ms,
    gazetteer,
    radius_km,
    rdns_city,
    special_range,
)
from ixpready.measurements.parse import read_results
from ixpready.measurements.records import Trace

GUATEMALA_CITY = (14.6349, -90.5069)
MIAMI = (25.7617, -80.1918)


# ---------------------------------------------------------------------------------------------
# Distances and bounds


def test_guatemala_city_to_miami() -> None:
    assert distance_km(*GUATEMALA_CITY, *MIAMI) == pytest.approx(1660, abs=30)
    places = gazetteer()
    gua, mia = places.cities["gua"], places.cities["mia"]
    assert distance_km(gua.latitude, gua.longitude, mia.latitude, mia.longitude) == pytest.approx(
        1660, abs=30
    )


def test_distance_is_symmetric_and_zero_on_the_spot() -> None:
    assert distance_km(*GUATEMALA_CITY, *GUATEMALA_CITY) == 0.0
    assert distance_km(*GUATEMALA_CITY, *MIAMI) == pytest.approx(
        distance_km(*MIAMI, *GUATEMALA_CITY)
    )


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ((0.0, 0.0), (90.0, 0.0), math.pi / 2 * 6371.0),  # equator to pole
        ((0.0, 0.0), (0.0, 180.0), math.pi * 6371.0),  # antipodes
        ((0.0, 179.5), (0.0, -179.5), math.pi / 180 * 6371.0),  # across the date line
        ((51.3385, 12.3715), (48.1885, 16.3585), 450.0),  # Leipzig to Vienna probes, ~450 km
    ],
)
def test_known_distances(a: tuple[float, float], b: tuple[float, float], km: float) -> None:
    assert distance_km(*a, *b) == pytest.approx(km, rel=0.02)


def test_radius_and_floor_are_inverse_at_200_km_per_ms_in_fibre() -> None:
    assert KM_PER_MS_ROUND_TRIP == 100.0
    assert radius_km(3.0) == 300.0
    assert radius_km(0.0) == 0.0
    assert radius_km(-1.0) == 0.0  # a negative RTT never becomes a negative distance
    assert floor_rtt_ms(1640.0) == pytest.approx(16.4)
    for rtt in (0.5, 1.0, 12.273, 80.901, 183.492):
        assert floor_rtt_ms(radius_km(rtt)) == pytest.approx(rtt)


def test_a_reply_from_miami_cannot_reach_guatemala_city_in_3_ms() -> None:
    far = distance_km(*GUATEMALA_CITY, *MIAMI)
    assert floor_rtt_ms(far) > 16.0
    assert radius_km(3.0) < far


def test_recorded_rtts_respect_the_floor(recorded: Path) -> None:
    # GT probe 12804 reached F-root (anycast) at 80.9 ms: within 8,090 km, and no faster
    # than the straight-fibre time to wherever the replying instance is.
    name = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
    rtts = [
        o.destination_rtt_ms
        for o in read_results(recorded / name)
        if isinstance(o, Trace) and o.key.prb_id == 12804
    ]
    assert min(r for r in rtts if r is not None) == pytest.approx(80.901)
    assert radius_km(80.901) == pytest.approx(8090.1)


# ---------------------------------------------------------------------------------------------
# Special-purpose ranges


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.65.4.9", "private (RFC 1918)"),  # hop 2 of SV probe 20455
        ("10.192.1.1", "private (RFC 1918)"),
        ("172.17.0.1", "private (RFC 1918)"),  # Docker first hops in the 2024 traceroutes
        ("192.168.1.1", "private (RFC 1918)"),
        ("100.64.0.1", "carrier-grade NAT (RFC 6598)"),
        ("100.100.100.1", "carrier-grade NAT (RFC 6598)"),
        ("169.254.10.1", "link-local"),
        ("192.0.2.1", "documentation (RFC 5737)"),
        ("127.0.0.1", "loopback"),
        ("fe80::1", "link-local"),
        ("2001:db8::1", "documentation (RFC 3849)"),
        ("fc00::1", "unique local (RFC 4193)"),
        ("fd12:3456::1", "unique local (RFC 4193)"),
        ("::1", "loopback"),
        ("198.18.0.1", "benchmarking (RFC 2544)"),
        ("100::1", "special-purpose (not globally routable)"),  # IPv6 discard-only
    ],
)
def test_special_ranges_are_recognised(address: str, kind: str) -> None:
    assert special_range(ip_address(address)) == kind


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "192.5.5.241", "206.223.119.2", "100.128.0.1", "172.32.0.1", "2001:4860::8888"],
)
def test_public_addresses_are_not_special(address: str) -> None:
    assert special_range(ip_address(address)) is None


# ---------------------------------------------------------------------------------------------
# Reverse DNS


@pytest.mark.parametrize(
    ("name", "label", "token"),
    [
        ("be2130.ccr41.mia01.atlas.cogentco.com", "Miami, US", "mia"),
        ("ae-1-3.edge5.Miami2.Level3.net", "Miami, US", "miami"),
        ("xe-0-0-1.gua1.claro.net.gt", "Guatemala City, GT", "gua"),
        ("xe-1.mia2.example.net.gt.", "Miami, US", "mia"),
        ("ae-2.r01.chicago.example.com", "Chicago, US", "chicago"),
        ("ae12.cr2-mia1.ip4.gtt.net", "Miami, US", "mia"),
        ("mia-b2-link.ip.twelve99.net", "Miami, US", "mia"),
        # "nas" is a network access server (like "bras"), not Nassau
        ("nas01.gua.tigo.net.gt", "Guatemala City, GT", "gua"),
        ("nas-2.sps.tigo.com.hn", "San Pedro Sula, HN", "sps"),
    ],
)
def test_rdns_names_a_city(name: str, label: str, token: str) -> None:
    found = rdns_city(name)
    assert found is not None
    city, said = found
    assert city.label == label
    assert said == token


def test_rdns_cities_are_the_right_ones() -> None:
    miami = rdns_city("be2130.ccr41.mia01.atlas.cogentco.com")
    guatemala = rdns_city("xe-0-0-1.gua1.claro.net.gt")
    assert miami is not None and miami[0].label == "Miami, US"
    assert guatemala is not None and guatemala[0].label == "Guatemala City, GT"


@pytest.mark.parametrize(
    "name",
    [
        "static-190-56-1-1.tigo.com.gt",  # generic words and numbers only
        "host.gua.net.gt",  # "gua" is the registered domain, not a place
        "ae1.border.miami.net",
        "core1.miami.com",
        "gw.chicago.com",
        "ae-1.core.edge.example.net",
        "localhost",
        "",
    ],
)
def test_rdns_without_a_place(name: str) -> None:
    assert rdns_city(name) is None


@given(
    bits=st.integers(0, 2**128 - 1),
    version=st.sampled_from([4, 6]),
    near=st.integers(0, len(geo._SPECIAL) - 1),
    offset=st.integers(-2, 2),
)
def test_special_range_reads_each_range_as_membership_does(
    bits: int, version: int, near: int, offset: int
) -> None:
    # The ranges are compared as integers; `address in network` (then `is_global`) is the
    # reference, tried on random addresses and on those at and beside each range's edges.
    network = geo._SPECIAL[near][0]
    edge = int(network.network_address if offset <= 0 else network.broadcast_address) + offset
    make = IPv4Address if network.version == 4 else IPv6Address
    candidates = (
        IPv4Address(bits % 2**32) if version == 4 else IPv6Address(bits),
        make(edge % (2**32 if network.version == 4 else 2**128)),
    )
    for candidate in candidates:
        expected = next(
            (kind for net, kind in geo._SPECIAL
             if candidate.version == net.version and candidate in net),
            None,
        )  # fmt: skip
        if expected is None and not candidate.is_global:
            expected = "special-purpose (not globally routable)"
        assert special_range(candidate) == expected
