"""Physical geography for locating routers: cities, countries, distances, speed-of-light bounds,
special-purpose address ranges and location hints in reverse-DNS names. No I/O at call time:
the gazetteer ships with the package (`ixpready/data/cities.csv`, `countries.csv`).

The physics: light in fibre covers about 200 km per millisecond, so a reply after `rtt_ms`
proves the replying router lies within `rtt_ms * 100` km of the prober (the packet went there
and back). Only the *smallest* RTT of many replies is used: a slow reply never counts as
distance (routers answer ICMP slowly, queues add delay); a fast one is a hard upper bound.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from ipaddress import IPv4Network, IPv6Network, ip_network

from ixpready.measurements.records import IPAddress

KM_PER_MS = 200.0  # light in fibre, one way: an RTT of r ms is a path of r * 200 km in all
KM_PER_MS_ROUND_TRIP = KM_PER_MS / 2  # how far away a reply after 1 ms can have come from
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class City:
    """A gazetteer city: `code` as operators write it in router names."""

    code: str
    name: str
    country: str
    latitude: float
    longitude: float
    hub: bool

    @property
    def label(self) -> str:
        """Returns "Miami, US"."""
        return f"{self.name}, {self.country}"


@dataclass(frozen=True, slots=True)
class Country:
    """A country's reference point and the radius (km) of a disc that covers it."""

    code: str
    name: str
    latitude: float
    longitude: float
    radius_km: float


@lru_cache(maxsize=1 << 16)  # a run measures between a few hundred places, many times over
def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Returns the great-circle distance in km between two points (decimal degrees)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def radius_km(rtt_ms: float) -> float:
    """Returns the farthest distance (km) a reply after `rtt_ms` can have come from."""
    return rtt_ms * KM_PER_MS_ROUND_TRIP if rtt_ms > 0.0 else 0.0


def floor_rtt_ms(distance: float) -> float:
    """Returns the smallest possible RTT (ms) to a point `distance` km away, straight fibre."""
    return distance / KM_PER_MS_ROUND_TRIP


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("ixpready.data").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Cities by code and alias, countries by ISO code."""

    cities: dict[str, City]
    aliases: dict[str, City]
    countries: dict[str, Country]

    def city(self, token: str) -> City | None:
        """Returns the city a router-name token or a city name stands for, if any."""
        key = re.sub(r"[^a-z]", "", token.lower())
        return self.cities.get(key) or self.aliases.get(key)

    def city_named(self, name: str, country: str | None = None) -> City | None:
        """Returns the city with this name (PeeringDB `city` text), in `country` if given.

        A name shared across countries ("San Jose": CR by alias, US as "San Jose
        (California)") falls back to the city of that name in `country`.
        """
        for part in re.split(r"[,/;]| and ", name):
            city = self.city(part.strip())
            if city is not None and (country is None or city.country == country):
                return city
            if country is not None:
                key = re.sub(r"[^a-z]", "", part.lower())
                for candidate in self.cities.values():
                    bare = re.sub(r"[^a-z]", "", candidate.name.split("(")[0].lower())
                    if candidate.country == country and key and bare == key:
                        return candidate
        return None

    def foreign_points(self, home: str) -> tuple[City, ...]:
        """Returns every gazetteer city outside `home`."""
        return tuple(c for c in self.cities.values() if c.country != home)

    @cache  # noqa: B019 - the gazetteer lives for the whole process
    def nearest_foreign_km(
        self, latitude: float, longitude: float, home: str, hubs_only: bool
    ) -> float:
        """Returns the distance (km) from a point to the nearest city (or hub) outside `home`."""
        best = math.inf
        for city in self.cities.values():
            if city.country == home or (hubs_only and not city.hub):
                continue
            best = min(best, distance_km(latitude, longitude, city.latitude, city.longitude))
        return best


    def nearest_city(self, latitude: float, longitude: float, country: str) -> City | None:
        """Returns the gazetteer city of `country` nearest a point (None when it has none)."""
        found = [c for c in self.cities.values() if c.country == country]
        if not found:
            return None
        return min(found, key=lambda c: distance_km(latitude, longitude, c.latitude, c.longitude))


@cache
def gazetteer() -> Gazetteer:
    """Returns the packaged gazetteer (loaded once)."""
    cities: dict[str, City] = {}
    aliases: dict[str, City] = {}
    for row in _rows("cities.csv"):
        city = City(
            code=row["code"],
            name=row["name"],
            country=row["country"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            hub=row["hub"] == "1",
        )
        cities[city.code] = city
        aliases[re.sub(r"[^a-z]", "", city.name.lower())] = city
        for alias in filter(None, row["aliases"].split("|")):
            aliases[alias] = city
    countries = {
        row["code"]: Country(
            code=row["code"],
            name=row["name"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            radius_km=float(row["radius_km"]),
        )
        for row in _rows("countries.csv")
    }
    return Gazetteer(cities=cities, aliases=aliases, countries=countries)


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


def special_range(address: IPAddress) -> str | None:
    """Returns what special-purpose range an address is in ("private (RFC 1918)", ...), or None."""
    for network, kind in _SPECIAL:
        if address.version == network.version and address in network:
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
