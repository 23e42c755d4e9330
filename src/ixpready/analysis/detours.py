"""Could a path have detoured abroad? The physical floor of a detour through a place abroad.

Returns, for a stretch of a path between two points at home, whether the RTTs leave room for a
detour through any place abroad where networks interconnect (a `Crossing`): a PeeringDB
facility or exchange outside the home country, or an interconnection hub of the gazetteer.
A domestic path that leaves the country has to be handed from one network to another
somewhere abroad, so it passes such a place; when the RTT rules out every one of them, the
path stayed at home, whatever its unlocated hops.

The floor is sound without assuming the reply came back the way the probe went: a path from
the probe at `s` that passes the point `a`, then a place `h` abroad, then reaches `b` (the
stop whose RTT is read), and comes back to `s` any way at all, travels at least
`d(s, a) + d(a, h) + d(h, b) + d(b, s)` km; light in fibre covers 200 km per ms, so the RTT is
at least that over 200 (plus the probes' own access delays, which are not distance). A stop
after `b` passes `b` too, so its RTT bounds the same detour: the smallest RTT of `b` and every
later stop is used, and a slow reply (an RTT above that of a later hop) never counts. Where a
point is unknown (a hop placed at home with no city), `s` stands in for it, which only lowers
the floor (triangle inequality). Each point's uncertainty (a probe's published coordinates,
a city's metro area) is allowed for: each half of the round trip is at least the straight
line between the probe and the place abroad, however uncertain the points between.
"""

from __future__ import annotations

from dataclasses import dataclass

import ixpready.kernels as kernels
from ixpready.enrichment.geo import KM_PER_MS, Gazetteer, distance_km
from ixpready.refdata.snapshots import RegistrySnapshot


@dataclass(frozen=True, slots=True)
class Crossing:
    """A place abroad where networks interconnect: where a detour abroad has to pass."""

    label: str  # "San Salvador, SV (interconnection hub)", "Equinix MI1 (facility), Miami, US"
    country: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Floor:
    """The nearest place abroad a stretch of a path could have detoured through: how far a
    detour through it travels at the least (km, slack taken off), and what the RTT allows."""

    crossing: Crossing
    detour_km: float  # the shortest path through it, whatever the points' uncertainty
    allowed_km: float  # what the RTT allows: RTT (access delays off) x 200 km/ms

    @property
    def ruled_out(self) -> bool:
        """Returns True when no detour through any place abroad fits in the RTT."""
        return self.detour_km > self.allowed_km

    @property
    def margin_ms(self) -> float:
        """Returns by how much (ms) the RTT misses (positive) or allows (negative) the detour."""
        return (self.detour_km - self.allowed_km) / KM_PER_MS

    def sentence(self, what: str) -> str:
        """Returns the fact in words, `what` naming the stretch ("the path", "hops 3-5")."""
        need = self.detour_km / KM_PER_MS
        allowed = self.allowed_km / KM_PER_MS
        if self.ruled_out:
            return (
                f"a detour abroad through {what} is ruled out: the nearest place abroad where "
                f"networks interconnect, {self.crossing.label}, needs at least {need:.1f} ms, "
                f"the RTT allows {allowed:.1f} ms ({self.margin_ms:.1f} ms short)"
            )
        return (
            f"a detour abroad through {what} cannot be excluded: {self.crossing.label} needs "
            f"{need:.1f} ms, the RTT allows {allowed:.1f} ms"
        )


def interconnection_places(
    snapshot: RegistrySnapshot | None, places: Gazetteer, home: str
) -> tuple[Crossing, ...]:
    """Returns every place outside `home` where networks interconnect: the gazetteer's hubs,
    and PeeringDB facilities (their coordinates, else their city's) and exchanges (their
    city's, else a facility's in that city) of the reference data. Places without
    coordinates or a known city are left out (they cannot be measured against)."""
    found: dict[tuple[float, float], Crossing] = {}

    def add(label: str, country: str, latitude: float, longitude: float) -> None:
        key = (round(latitude, 2), round(longitude, 2))
        found.setdefault(key, Crossing(label, country, latitude, longitude))

    for city in places.cities.values():
        if city.hub and city.country != home:
            add(f"{city.label} (interconnection hub)", city.country, city.latitude, city.longitude)
    if snapshot is not None:
        cities_with_fac: dict[tuple[str, str], tuple[float, float]] = {}
        for fac in snapshot.facilities:
            if not fac.country or fac.country == home:
                continue
            point: tuple[float, float] | None = None
            if fac.latitude is not None and fac.longitude is not None:
                point = (fac.latitude, fac.longitude)
            elif fac.city:
                named = places.city_named(fac.city, fac.country)
                point = None if named is None else (named.latitude, named.longitude)
            if point is None:
                continue
            cities_with_fac.setdefault((fac.city.strip().lower(), fac.country), point)
            add(f"{fac.name} (facility), {fac.city}, {fac.country}", fac.country, *point)
        for ix in snapshot.ixs.values():
            if not ix.country or ix.country == home or not ix.city:
                continue
            named = places.city_named(ix.city, ix.country)
            point = (
                (named.latitude, named.longitude)
                if named is not None
                else cities_with_fac.get((ix.city.strip().lower(), ix.country))
            )
            if point is not None:
                add(f"{ix.name} (exchange), {ix.city}, {ix.country}", ix.country, *point)
    return tuple(found.values())


Stretch = tuple[
    tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float, float]
]
"""The points `s`, `a`, `b` of a detour and their uncertainties (km), as `detour_floor` takes
them."""


class DetourMemo:
    """Per run, the nearest crossing of each stretch worked out (`detour_floor`): a run's
    paths are stretches between the same few points. Kept per set of crossings, told apart
    by identity (a run has a handful of sets: hashing a hundred places on every call would
    cost more than the sum), and each set is kept with its table."""

    __slots__ = ("_tables",)

    def __init__(self) -> None:
        self._tables: list[tuple[tuple[Crossing, ...], dict[Stretch, tuple[float, Crossing]]]] = []

    def table(self, crossings: tuple[Crossing, ...]) -> dict[Stretch, tuple[float, Crossing]]:
        """Returns the nearest crossings worked out so far for this set of crossings."""
        for known, table in self._tables:
            if known is crossings:
                return table
        table = {}
        self._tables.append((crossings, table))
        return table


def nearest_detour(
    s: tuple[float, float],
    a: tuple[float, float],
    b: tuple[float, float],
    crossings: tuple[Crossing, ...],
    uncertainty: tuple[float, float, float],
) -> tuple[float, Crossing]:
    """Returns the length (km) of the shortest detour through one of `crossings` (not empty)
    and that crossing: the first of the shortest. The reference of `kernels.nearest_detour`."""
    s_km, a_km, b_km = uncertainty
    s_to_a = distance_km(*s, *a)
    b_to_s = distance_km(*b, *s)
    best: tuple[float, Crossing] | None = None
    for c in crossings:
        s_to_c = distance_km(*s, c.latitude, c.longitude)
        # Each half of the round trip (s to the crossing via a; the crossing back to s via
        # b) is at least the straight line, whatever the points' uncertainty.
        out = max(s_to_c, s_to_a + distance_km(*a, c.latitude, c.longitude) - 2 * a_km)
        back = max(s_to_c, distance_km(c.latitude, c.longitude, *b) + b_to_s - 2 * b_km)
        length = out + back - 2 * s_km
        if best is None or length < best[0]:
            best = (length, c)
    assert best is not None
    return best


def detour_floor(
    s: tuple[float, float],
    a: tuple[float, float],
    b: tuple[float, float],
    rtt_ms: float,
    crossings: tuple[Crossing, ...],
    uncertainty_km: tuple[float, float, float] = (0.0, 0.0, 0.0),
    memo: DetourMemo | None = None,
) -> Floor | None:
    """Returns the nearest of `crossings` for a detour that leaves the probe at `s`, passes
    `a`, one of `crossings`, then `b`, and comes back to `s`, against the RTT `rtt_ms` read
    at `b` or after it (the probes' access delays already taken off). `uncertainty_km`: how
    far each of `s`, `a` and `b` may be from its given point; the floor is the shortest such
    detour for any points within them. None when there is no crossing. `memo` keeps what
    was worked out for the next call of the run."""
    if not crossings:
        return None
    table = None if memo is None else memo.table(crossings)
    stretch = (s, a, b, uncertainty_km)
    found = None if table is None else table.get(stretch)
    if found is None:  # the compiled twin when built (None: an input it does not take)
        compiled = kernels.nearest_detour
        found = None if compiled is None else compiled(s, a, b, crossings, uncertainty_km)
        if found is None:
            found = nearest_detour(s, a, b, crossings, uncertainty_km)
        if table is not None:
            table[stretch] = found
    length, crossing = found
    return Floor(crossing, max(0.0, length), max(0.0, rtt_ms) * KM_PER_MS)
