"""Physical geography for locating routers: speed-of-light bounds, special-purpose address
ranges and location hints in reverse-DNS names. No I/O: the places and the distances between
them are `refdata.gazetteer`'s (its `City`, `Gazetteer`, `gazetteer` and `distance_km` are
re-exported here for the stages that place hops through enrichment, `report` among them).

The physics: light in fibre covers about 200 km per millisecond, so a reply after `rtt_ms`
proves the replying router lies within `rtt_ms * 100` km of the prober (the packet went there
and back). Only the *smallest* RTT of many replies is used: a slow reply never counts as
distance (routers answer ICMP slowly, queues add delay); a fast one is a hard upper bound.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network

from ixpready.measurements.records import IPAddress
from ixpready.refdata.gazetteer import City as City
from ixpready.refdata.gazetteer import Gazetteer as Gazetteer
from ixpready.refdata.gazetteer import distance_km as distance_km
from ixpready.refdata.gazetteer import gazetteer as gazetteer

KM_PER_MS = 200.0  # light in fibre, one way: an RTT of r ms is a path of r * 200 km in all
KM_PER_MS_ROUND_TRIP = KM_PER_MS / 2  # how far away a reply after 1 ms can have come from


def radius_km(rtt_ms: float) -> float:
    """Returns the farthest distance (km) a reply after `rtt_ms` can have come from."""
    return rtt_ms * KM_PER_MS_ROUND_TRIP if rtt_ms > 0.0 else 0.0


def floor_rtt_ms(distance: float) -> float:
    """Returns the smallest possible RTT (ms) to a point `distance` km away, straight fibre."""
    return distance / KM_PER_MS_ROUND_TRIP


# ---------------------------------------------------------------------------------------------
# Special-purpose addresses: never geolocated.

_SPECIAL: tuple[tuple[IPv4Network | IPv6Network, str], ...] = tuple(
    (ip_network(prefix), kind)
    for prefix, kind in (
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.168.0.0/16", "private (RFC 1918)"),
        ("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
        ("169.254.0.0/16", "link-local"),
        ("127.0.0.0/8", "loopback"),
        ("192.0.2.0/24", "documentation (RFC 5737)"),
        ("198.51.100.0/24", "documentation (RFC 5737)"),
        ("203.0.113.0/24", "documentation (RFC 5737)"),
        ("198.18.0.0/15", "benchmarking (RFC 2544)"),
        ("0.0.0.0/8", "this network"),
        ("240.0.0.0/4", "reserved"),
        ("224.0.0.0/4", "multicast"),
        ("fc00::/7", "unique local (RFC 4193)"),
        ("fe80::/10", "link-local"),
        ("2001:db8::/32", "documentation (RFC 3849)"),
        ("::1/128", "loopback"),
        ("ff00::/8", "multicast"),
        ("64:ff9b::/96", "NAT64"),
    )
)


# `_SPECIAL` by IP version, each range as integers (network address, netmask), in order:
# `address in network` is `int(address) & netmask == network address`.
_SPECIAL_BITS: dict[int, tuple[tuple[int, int, str], ...]] = {
    version: tuple(
        (int(network.network_address), int(network.netmask), kind)
        for network, kind in _SPECIAL
        if network.version == version
    )
    for version in (4, 6)
}


def special_range(address: IPAddress) -> str | None:
    """Returns what special-purpose range an address is in ("private (RFC 1918)", ...), or None."""
    bits = int(address)
    for network, netmask, kind in _SPECIAL_BITS[address.version]:
        if bits & netmask == network:
            return kind
    if not address.is_global:
        return "special-purpose (not globally routable)"
    return None


# ---------------------------------------------------------------------------------------------
# Reverse-DNS location hints: read by `ixpready.enrichment.geohint` (carrier conventions,
# IATA/ICAO, GeoNames, CLLI); kept here under its old name for the callers of this module.


def rdns_city(name: str) -> tuple[City, str] | None:
    """Returns the city a reverse-DNS name points at and the token that said so, if any.

    See `ixpready.enrichment.geohint.read_name` (imported here lazily: it builds on this module).
    """
    from ixpready.enrichment.geohint import rdns_city as read

    return read(name)
