"""The gazetteer: the cities where networks interconnect or that routers are named after, and
the countries ixpready reasons about, as packaged (`refdata/data/cities.csv`, `countries.csv`),
with the great-circle distance between two places. Enrichment places hops with it (the
physics of RTTs, the reading of router names); nothing else loads these tables.

The gazetteer is an immutable reference table: `gazetteer()` builds it once per process, on
first use, and every caller shares that one object. Distances are computed afresh at each
call (compiled when the kernels are built: `kernels.distance_km`), never cached per process;
so is the nearest place abroad (`Gazetteer.nearest_foreign_km`), which the analysis keeps
per run in its own objects.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import ixpready.kernels as kernels
from ixpready.refdata.packaged import packaged_rows

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


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Returns the great-circle distance in km between two points (decimal degrees): the
    reference `kernels.distance_km` is the compiled twin of (the same double, tested)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# The great-circle distance in km between two points (decimal degrees): compiled when built.
distance_km: Callable[[float, float, float, float], float] = kernels.distance_km or haversine_km


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

    def nearest_foreign_km(
        self, latitude: float, longitude: float, home: str, hubs_only: bool
    ) -> float:
        """Returns the distance (km) from a point to the nearest city (or hub) outside `home`,
        worked out afresh at each call: callers on the hot path keep it in their run's own
        objects (`Annotator`'s vantages, `JudgeMemo.nearest_foreign_km`)."""
        distance, best = distance_km, math.inf
        for city in self.cities.values():
            if city.country == home or (hubs_only and not city.hub):
                continue
            km = distance(latitude, longitude, city.latitude, city.longitude)
            if km < best:
                best = km
        return best

    def nearest_city(self, latitude: float, longitude: float, country: str) -> City | None:
        """Returns the gazetteer city of `country` nearest a point (None when it has none)."""
        found = [c for c in self.cities.values() if c.country == country]
        if not found:
            return None
        return min(found, key=lambda c: distance_km(latitude, longitude, c.latitude, c.longitude))


@cache
def gazetteer() -> Gazetteer:
    """Returns the packaged gazetteer, loaded once per process (an immutable reference table)."""
    cities: dict[str, City] = {}
    aliases: dict[str, City] = {}
    for row in packaged_rows("cities.csv"):
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
        for row in packaged_rows("countries.csv")
    }
    return Gazetteer(cities=cities, aliases=aliases, countries=countries)
