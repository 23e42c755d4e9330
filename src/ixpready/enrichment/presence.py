"""Where networks are present: their PeeringDB facilities (`netfac`, placed by `fac`) and the
countries of the exchanges they are members of (`netixlan`). No I/O.

A network that lists facilities but none in the home country, and no exchange there either,
most likely answers from abroad: `NetworkPresence.abroad_claim` says so, weakly, naming the
facilities nearest the home country, with each facility's place so that an RTT ruling out
every one of them refutes it (see `annotate`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ixpready.refdata.gazetteer import Gazetteer, distance_km
from ixpready.refdata.snapshots import RegistrySnapshot

NAMED = 3  # facilities named in a claim's sentence (the nearest to the home country)


@dataclass(frozen=True, slots=True)
class Site:
    """One facility of a network: its name, city, country, and a point with its slack (km):
    the building's coordinates (slack 0), else its city's (the metro area), else the
    country's centre (its radius)."""

    fac_id: int
    name: str
    city: str
    country: str
    latitude: float | None
    longitude: float | None
    slack_km: float

    @property
    def label(self) -> str:
        """Returns "name (city, CC)" for sentences."""
        where = ", ".join(part for part in (self.city, self.country) if part)
        return f"{self.name} ({where})" if where else self.name


@dataclass(frozen=True, slots=True)
class Presence:
    """A network's facilities and the countries of its exchanges."""

    asn: int
    sites: tuple[Site, ...]
    exchange_countries: frozenset[str]

    def countries(self) -> frozenset[str]:
        """Returns every country the network lists a facility or an exchange in."""
        return frozenset(s.country for s in self.sites if s.country) | self.exchange_countries


@dataclass
class NetworkPresence:
    """PeeringDB presence by ASN, built once per run (`from_snapshot`)."""

    by_asn: dict[int, Presence] = field(default_factory=dict)

    @classmethod
    def from_snapshot(
        cls, snapshot: RegistrySnapshot, places: Gazetteer, metro_km: float = 25.0
    ) -> NetworkPresence:
        """Returns the presence index of a snapshot (empty without PeeringDB netfac)."""
        if not snapshot.network_facilities:
            return cls()
        buildings = {f.id: f for f in snapshot.facilities}
        sites: dict[int, list[Site]] = {}
        for entry in snapshot.network_facilities:
            building = buildings.get(entry.fac_id)
            country = entry.country or (building.country if building else "")
            city_name = entry.city or (building.city if building else "")
            lat = None if building is None else building.latitude
            lon = None if building is None else building.longitude
            slack = 0.0
            if lat is None or lon is None:
                city = places.city_named(city_name, country or None) if city_name else None
                disc = places.countries.get(country)
                if city is not None:
                    lat, lon, slack = city.latitude, city.longitude, metro_km
                elif disc is not None:
                    lat, lon, slack = disc.latitude, disc.longitude, disc.radius_km
            sites.setdefault(entry.asn, []).append(
                Site(entry.fac_id, entry.name, city_name, country, lat, lon, slack)
            )
        exchanges: dict[int, set[str]] = {}
        for member in snapshot.ix_members:
            ix = snapshot.ixs.get(member.ix_id)
            if ix is not None and ix.country:
                exchanges.setdefault(member.asn, set()).add(ix.country)
        return cls(
            {
                asn: Presence(asn, tuple(listed), frozenset(exchanges.get(asn, ())))
                for asn, listed in sites.items()
            }
        )

    def of(self, asn: int) -> Presence | None:
        """Returns what PeeringDB lists of a network, or None when it lists no facility."""
        return self.by_asn.get(asn)


def nearest(sites: Iterable[Site], latitude: float, longitude: float) -> list[Site]:
    """Returns the sites nearest a point first (sites without a point last)."""

    def far(site: Site) -> float:
        if site.latitude is None or site.longitude is None:
            return float("inf")
        return distance_km(latitude, longitude, site.latitude, site.longitude) - site.slack_km

    return sorted(sites, key=lambda s: (far(s), s.fac_id))
