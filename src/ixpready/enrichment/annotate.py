"""Attach AS, IXP and country evidence to every hop address. Never touches the network.

Locating an address combines *claims*, each with a weight and a sentence:
- `rdns` (0.6): a city code in the router's reverse-DNS name;
- `ixp_lan` (0.6, or 0.3 when the member is registered in another country than the
  exchange, a sign of remote peering): the city of the IXP whose peering LAN holds it;
- `registry` (0.2, the weakest): the country the address block (or its AS) is registered in;
- `netfac` (0.3): the network lists facilities in PeeringDB, none in the home country, and
  no exchange there: its router most likely stands abroad, near its nearest facility
  (refuted when an RTT rules out every one of its facilities);
- `rtt_bound`: speed-of-light discs. Every probe of known location that saw the address gives
  a disc of radius `min RTT * 100 km`. A disc that reaches no foreign place proves the
  probe's country (1.0); one that reaches no foreign interconnection hub says "not at a hub
  abroad" (0.5); a disc that cannot reach a country rules that country out.
- `ping` (1.0): active geolocation, RIPE IPmap's single-radius method. A ping (not a hop of a
  traceroute) from a probe of known place answered within `PING_PLACE_KM` (light in fibre,
  about 2 ms round trip) whose disc reaches no other country places the address in the
  probe's city ("ping from probe 1234 in Miami: 0.8 ms, within 85 km of Miami"). A slower
  ping only bounds: its disc rules countries out like any other, it never places.
A claim the discs make impossible is kept but marked refuted (it lowers confidence, it never
counts). The winning country needs at least MEDIUM strength (0.5) to count as located.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from enum import IntEnum
from ipaddress import ip_address
from typing import NamedTuple

import ixpready.kernels as kernels
from ixpready.enrichment.conventions import learn_conventions
from ixpready.enrichment.geo import (
    KM_PER_MS_ROUND_TRIP,
    City,
    Gazetteer,
    distance_km,
    gazetteer,
    radius_km,
    special_range,
)
from ixpready.enrichment.geohint import (
    Convention,
    Geohint,
    applicable,
    known_carrier,
    read_name_with,
)
from ixpready.enrichment.ixps import IxpHit, IxpIndex
from ixpready.enrichment.prefixes import Origin, PrefixTable, RegistryCountries
from ixpready.enrichment.presence import NAMED, NetworkPresence, nearest
from ixpready.kernels import (
    ObserveNumbered,
    disc_bounds,
    observe_numbered,
    pick_infos,
    trusted_discs,
)
from ixpready.measurements.records import (
    AddressTable,
    IPAddress,
    Probe,
    Stop,
    Trace,
    route_groups,
    serial_number,
)
from ixpready.refdata.snapshots import RegistrySnapshot

CITY_SLACK_KM = 25.0  # a router "in Miami" may stand anywhere in the metro area
PROBE_BLUR_KM = 5.0  # RIPE Atlas publishes probe coordinates rounded to about 1 km
MEDIUM = 0.5
WEIGHTS = {
    "rdns": 0.6,
    "ixp_lan": 0.6,
    "ixp_lan_remote": 0.3,
    "registry": 0.2,
    "netfac": 0.3,
    "rtt_near": 1.0,
    "rtt_hub": 0.5,
    "ping": 1.0,
}
PING_PLACE_KM = 200.0  # a ping disc this small (about 2 ms) places an address in a city


class Strength(IntEnum):
    """How well an address is located: NONE, WEAK (registry only), MEDIUM, STRONG (physics)."""

    NONE = 0
    WEAK = 1
    MEDIUM = 2
    STRONG = 3


@dataclass(frozen=True, slots=True)
class Claim:
    """One piece of location evidence about an address. `refuted` says why it was ruled out."""

    kind: str
    country: str | None
    city: City | None
    weight: float
    fact: str
    refuted: str | None = None
    alternatives: tuple[City, ...] = ()  # other places the same evidence may mean (rDNS codes)
    # `netfac`: the points (latitude, longitude, slack km) the claim stands for, each one
    # of the network's facilities; refuted only when an RTT rules out all of them
    sites: tuple[tuple[float, float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Location:
    """Where an address is, how sure, and every claim considered (refuted ones included).

    `excluded` lists countries the speed of light rules out.
    """

    country: str | None
    city: City | None
    strength: Strength
    confidence: float
    claims: tuple[Claim, ...]
    excluded: tuple[str, ...] = ()

    @property
    def is_located(self) -> bool:
        """Returns True when the country is known with at least MEDIUM strength."""
        return self.country is not None and self.strength >= Strength.MEDIUM

    def is_outside(self, home: str) -> bool:
        """Returns True when the evidence places the address outside `home` (MEDIUM or more)."""
        if home in self.excluded:
            return True
        return self.is_located and self.country != home

    def is_inside(self, home: str) -> bool:
        """Returns True when the evidence places the address in `home` (MEDIUM or more)."""
        return self.is_located and self.country == home and home not in self.excluded


UNLOCATED = Location(None, None, Strength.NONE, 0.0, ())


@dataclass(frozen=True, slots=True)
class Vantage:
    """Where a probe measures from: coordinates with an uncertainty radius (km), or none."""

    probe: Probe
    latitude: float | None
    longitude: float | None
    uncertainty_km: float
    trusted: bool = True
    # This vantage's own number (`serial_number`): what is worked out of it is kept under it.
    serial: int = field(default_factory=serial_number, init=False, repr=False, compare=False)

    @property
    def country(self) -> str | None:
        """Returns the declared country."""
        return self.probe.country


@dataclass(frozen=True, slots=True)
class AddressInfo:
    """Everything known about one address: special range, origin, IXP, rDNS, location."""

    address: IPAddress
    special: str | None
    origin: Origin | None
    ixp: IxpHit | None
    rdns: str | None
    registry_country: str | None
    location: Location
    text: str = field(init=False, repr=False, compare=False)  # str(address), made once
    # This annotation's own number (`serial_number`): judging keeps what it works out of
    # the annotation in plain dicts under it.
    serial: int = field(default_factory=serial_number, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", str(self.address))

    @property
    def asn(self) -> int | None:
        """Returns the network answering at this address: the IXP member, else the origin AS."""
        if self.ixp is not None and self.ixp.member_asn is not None:
            return self.ixp.member_asn
        if self.ixp is not None:
            return None  # an IXP LAN address is not originated by its holder
        return None if self.origin is None else self.origin.asn


@dataclass(frozen=True, slots=True)
class HopView:
    """One responding address (or a silence) at one TTL of one trace, annotated."""

    number: int
    address: IPAddress | None
    info: AddressInfo | None
    min_rtt_ms: float | None
    inherited: bool = False


@dataclass(frozen=True, slots=True)
class AnnotatedTrace:
    """A trace with every hop annotated, its vantage and the destination's annotation.

    `infos` annotates the trace's route stop by stop (`Trace.route`; None for a silent hop);
    `hops` views each stop with its annotation and RTT, made on first use.
    """

    trace: Trace
    vantage: Vantage | None
    infos: tuple[AddressInfo | None, ...]
    destination: AddressInfo | None
    _hops: tuple[HopView, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def hops(self) -> tuple[HopView, ...]:
        """Returns one view per stop of the route: hop number, address, annotation, RTT."""
        found = self._hops
        if found is None:
            found = tuple(
                HopView(number, address, info, rtt, inherited)
                for (number, address, inherited), info, rtt in zip(
                    self.trace.route().stops, self.infos, self.trace.stop_rtts(), strict=True
                )
            )
            object.__setattr__(self, "_hops", found)
        return found


@dataclass
class Lookups:
    """Every pure lookup annotation needs, built once per run from a snapshot."""

    prefixes: PrefixTable
    registry: RegistryCountries
    ixps: IxpIndex
    rdns: Mapping[IPAddress, str]
    places: Gazetteer = field(default_factory=gazetteer)
    conventions: tuple[Convention, ...] = ()  # learned / Hoiho rules, tried after the carriers'
    presence: NetworkPresence = field(default_factory=NetworkPresence)
    # What each router name says, per set of the rules that apply to it (`geohint`): a run's
    # names are read once, here rather than in a cache of the process. Keyed by those rules,
    # so the lookups `replace` makes with more rules (learned ones) share it.
    _hints: dict[tuple[str, tuple[Convention, ...]], Geohint] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def build(
        cls, snapshot: RegistrySnapshot, rdns: Mapping[IPAddress, str] | None = None
    ) -> Lookups:
        """Returns the lookups of a reference snapshot and a reverse-DNS cache.

        Every name of the cache is read once here (the reader's dictionaries are built on the
        first name), so annotating a hop only looks its reading up.
        """
        names = dict(rdns or {})
        places = gazetteer()
        lookups = cls(
            prefixes=PrefixTable.from_snapshot(snapshot),
            registry=RegistryCountries.from_snapshot(snapshot),
            ixps=IxpIndex.from_peeringdb(snapshot),
            rdns=names,
            places=places,
            presence=NetworkPresence.from_snapshot(snapshot, places, CITY_SLACK_KM),
        )
        for name in sorted(set(names.values())):
            lookups.geohint(name)
        return lookups

    def geohint(self, name: str) -> Geohint:
        """Returns where a router name says the router is (`geohint.read_name` with this
        run's rules), read once per name and set of rules that apply to it."""
        key = (name, applicable(name, self.conventions))
        found = self._hints.get(key)
        if found is None:
            found = self._hints[key] = read_name_with(*key)
        return found


def learned_conventions(
    lookups: Lookups,
    vantages: Mapping[int, Vantage],
    observations: Mapping[IPAddress, Mapping[int, float]],
) -> tuple[Convention, ...]:
    """Returns naming conventions learned from this run's router names and RTT discs (Hoiho).

    Only names of domains no packaged carrier convention covers are learned from; a rule is
    kept only when no disc of a router it places rules the place out
    (`conventions.learn_conventions`).
    """
    seen: dict[str, list[tuple[float, float, float]]] = {}
    for address, rtts in observations.items():
        name = lookups.rdns.get(address)
        if not name or known_carrier(name) is not None:
            continue
        for prb, rtt in rtts.items():
            vantage = vantages.get(prb)
            if vantage is None or vantage.latitude is None or vantage.longitude is None:
                continue
            discs = seen.setdefault(name, [])
            discs.append(
                (vantage.latitude, vantage.longitude, radius_km(rtt) + vantage.uncertainty_km)
            )
    return learn_conventions(seen) if seen else ()


def parse_rdns(document: object) -> dict[IPAddress, str]:
    """Returns the reverse-DNS cache of a JSON object `{address: name}`; bad keys are dropped."""
    names: dict[IPAddress, str] = {}
    if isinstance(document, dict):
        for key, value in document.items():
            try:
                names[ip_address(str(key))] = str(value)
            except ValueError:
                continue
    return names


def presence_claim(asn: int, home: str, lookups: Lookups) -> Claim | None:
    """Returns the `netfac` claim of a network absent from `home` (see the module doc), or
    None when PeeringDB lists no facility of it or lists it in `home` (a facility or an
    exchange there)."""
    presence = lookups.presence.of(asn)
    if presence is None or home in presence.countries():
        return None
    centre = lookups.places.countries.get(home)
    sites = (
        nearest(presence.sites, centre.latitude, centre.longitude)
        if centre is not None
        else list(presence.sites)
    )
    first = sites[0]
    named = ", ".join(site.label for site in sites[:NAMED])
    more = f" and {len(sites) - NAMED} more" if len(sites) > NAMED else ""
    fact = (
        f"AS{asn} lists {len(sites)} facilit{'y' if len(sites) == 1 else 'ies'} in PeeringDB,"
        f" none in {home}, and no exchange in {home}: {named}{more}"
    )
    points = tuple(
        (s.latitude, s.longitude, s.slack_km)
        for s in sites
        if s.latitude is not None and s.longitude is not None
    )
    if len(points) < len(sites):  # a facility that cannot be placed cannot be ruled out
        points = ()
    return Claim("netfac", first.country or None, None, WEIGHTS["netfac"], fact, sites=points)


def static_claims(
    address: IPAddress, lookups: Lookups, home: str | None = None
) -> tuple[str | None, Origin | None, IxpHit | None, str | None, str | None, tuple[Claim, ...]]:
    """Returns (special, origin, ixp, rdns, registry country, claims) of one address; with
    `home`, the `netfac` claim of its network too (see `presence_claim`)."""
    special = special_range(address)
    if special is not None:
        return special, None, None, None, None, ()
    origin = lookups.prefixes.origin(address)
    ixp = lookups.ixps.lan_of(address)
    name = lookups.rdns.get(address)
    claims: list[Claim] = []
    if name:
        hint = lookups.geohint(name)
        city = hint.city
        if city is not None:
            claims.append(
                Claim(
                    "rdns",
                    city.country,
                    city,
                    WEIGHTS["rdns"],
                    f"reverse DNS {name!r} names {city.label} ('{hint.code}', {hint.rule})",
                    alternatives=hint.alternatives,
                )
            )
    if ixp is not None:
        lan = ixp.lan
        member_cc = None if ixp.member_asn is None else lookups.registry.of_asn(ixp.member_asn)
        remote = member_cc is not None and lan.country and member_cc != lan.country
        kind = "ixp_lan_remote" if remote else "ixp_lan"
        where = (
            lan.city.label
            if lan.city
            else (f"{lan.city_name}, {lan.country}" if lan.city_name else lan.country)
        )
        fact = f"on the peering LAN of {lan.name} ({where}, {lan.prefix})"
        if ixp.member_asn is not None:
            fact += f", member AS{ixp.member_asn}"
        if remote:
            fact += f" registered in {member_cc}: it may peer remotely"
        if lan.country:
            claims.append(Claim("ixp_lan", lan.country, lan.city, WEIGHTS[kind], fact))
    if home is not None and ixp is None and origin is not None and lookups.presence.by_asn:
        absent = presence_claim(origin.asn, home, lookups)
        if absent is not None and absent.country is not None:
            claims.append(absent)
    registry_cc = lookups.registry.of_address(address)
    if registry_cc is None and origin is not None:
        registry_cc = lookups.registry.of_asn(origin.asn)
    if registry_cc is not None:
        claims.append(
            Claim(
                "registry",
                registry_cc,
                None,
                WEIGHTS["registry"],
                f"registered in {registry_cc} (RIR statistics)",
            )
        )
    return special, origin, ixp, name, registry_cc, tuple(claims)


def _refute(claim: Claim, discs: Iterable[tuple[Vantage, float]], places: Gazetteer) -> Claim:
    """Returns the claim, refuted when the discs rule it out. A claim whose evidence may mean
    other places (an rDNS code shared by San Jose US and San José CR) moves to the first of
    them the discs allow, and says so."""
    discs = tuple(discs)
    first = _refute_one(claim, discs, places)
    if first.refuted is None or not claim.alternatives:
        return first
    for city in claim.alternatives:
        moved = Claim(
            claim.kind,
            city.country,
            city,
            claim.weight,
            f"{claim.fact}; read as {city.label}: {claim.city.label if claim.city else claim.country} is out of RTT reach",
        )
        if _refute_one(moved, discs, places).refuted is None:
            return moved
    return first


def _refute_one(claim: Claim, discs: Iterable[tuple[Vantage, float]], places: Gazetteer) -> Claim:
    if claim.kind == "netfac":
        return _refute_sites(claim, discs)
    if claim.city is not None:
        place = (claim.city.latitude, claim.city.longitude, CITY_SLACK_KM)
    elif claim.country is not None and claim.country in places.countries:
        country = places.countries[claim.country]
        place = (country.latitude, country.longitude, country.radius_km)
    else:
        return claim
    discs = discs if isinstance(discs, tuple | list) else tuple(discs)
    index = None
    if kernels.refuting_disc is not None:
        index = kernels.refuting_disc(discs, *place, KM_PER_MS_ROUND_TRIP)
    if index is None:
        index = first_refuting_disc(discs, *place)
    if index < 0:
        return claim
    vantage, rtt = discs[index]
    assert vantage.latitude is not None and vantage.longitude is not None
    reach = radius_km(rtt) + vantage.uncertainty_km
    far = distance_km(vantage.latitude, vantage.longitude, place[0], place[1])
    if claim.city is not None:
        why = f"probe {vantage.probe.id} got a reply in {rtt:.1f} ms, so within {reach:.0f} km, but {claim.city.label} is {far:.0f} km away"
    else:
        why = f"probe {vantage.probe.id} got a reply in {rtt:.1f} ms: {claim.country} is out of reach"
    return replace(claim, refuted=why)


def first_refuting_disc(
    discs: Sequence[tuple[Vantage, float]], latitude: float, longitude: float, slack_km: float
) -> int:
    """Returns the index of the first disc (vantage, RTT) that cannot reach a place standing
    within `slack_km` of a point, -1 when every disc reaches it (a vantage without
    coordinates reaches anything): the reference `kernels.refuting_disc` is the twin of."""
    for index, (vantage, rtt) in enumerate(discs):
        if vantage.latitude is None or vantage.longitude is None:
            continue
        reach = radius_km(rtt) + vantage.uncertainty_km
        far = distance_km(vantage.latitude, vantage.longitude, latitude, longitude)
        if far - slack_km > reach:
            return index
    return -1


def _refute_sites(claim: Claim, discs: Iterable[tuple[Vantage, float]]) -> Claim:
    """Returns the `netfac` claim, refuted when one disc reaches none of its facilities."""
    if not claim.sites:
        return claim
    for vantage, rtt in discs:
        if vantage.latitude is None or vantage.longitude is None:
            continue
        reach = radius_km(rtt) + vantage.uncertainty_km
        nearest_km = min(
            distance_km(vantage.latitude, vantage.longitude, lat, lon) - slack - CITY_SLACK_KM
            for lat, lon, slack in claim.sites
        )
        if nearest_km > reach:
            why = (
                f"probe {vantage.probe.id} got a reply in {rtt:.1f} ms, so within {reach:.0f} km,"
                f" but the nearest of these facilities is {nearest_km:.0f} km away"
            )
            return replace(claim, refuted=why)
    return claim


class _Near(NamedTuple):
    """What a vantage's discs are compared with, worked out once per place and country of
    vantages in a run (`_near`): it depends on nothing else of the vantage."""

    nearest_abroad_km: float  # to the nearest place abroad
    nearest_hub_km: float  # to the nearest interconnection hub abroad
    # Per country, the distance to its centre less its radius (None when the gazetteer
    # lacks it); filled as countries are asked for (`_margin_km`).
    margins: dict[str, float | None]


# Per vantage place (latitude, longitude) and declared country: its `_Near` (`Annotator`).
NearTable = dict[tuple[float, float, str], _Near]


def _near(vantage: Vantage, places: Gazetteer, known: NearTable | None) -> _Near:
    """Returns `_Near` of a vantage, kept in `known` (by place and country) when given."""
    assert vantage.latitude is not None and vantage.longitude is not None
    return _near_at((vantage.latitude, vantage.longitude, vantage.country or ""), places, known)


def _near_at(key: tuple[float, float, str], places: Gazetteer, known: NearTable | None) -> _Near:
    """Returns `_Near` of a place (latitude, longitude) in a country, kept in `known`."""
    found = None if known is None else known.get(key)
    if found is not None:
        return found
    found = _Near(
        places.nearest_foreign_km(*key, False), places.nearest_foreign_km(*key, True), {}
    )
    if known is not None:
        known[key] = found
    return found


def _margin_km(vantage: Vantage, near: _Near, code: str, places: Gazetteer) -> float | None:
    margins = near.margins
    if code in margins:
        return margins[code]
    place = places.countries.get(code)
    margin = None
    if place is not None:
        assert vantage.latitude is not None and vantage.longitude is not None
        far = distance_km(vantage.latitude, vantage.longitude, place.latitude, place.longitude)
        margin = far - place.radius_km
    margins[code] = margin
    return margin


def _ping_claim(
    vantage: Vantage, rtt: float, reach: float, nearest_any: float, places: Gazetteer
) -> Claim | None:
    """Returns the `ping` claim of a ping disc small enough to place the address (see the
    module doc), else None: the disc must be within `PING_PLACE_KM` and reach no place
    outside the probe's declared country."""
    if reach > PING_PLACE_KM or reach >= nearest_any:
        return None
    assert vantage.latitude is not None and vantage.longitude is not None
    city = places.nearest_city(vantage.latitude, vantage.longitude, vantage.country or "")
    if city is not None:
        far = distance_km(vantage.latitude, vantage.longitude, city.latitude, city.longitude)
        if far > reach + CITY_SLACK_KM:
            city = None
    where = (
        city.label
        if city is not None
        else f"{vantage.country} ({vantage.latitude:.2f}, {vantage.longitude:.2f})"
    )
    return Claim(
        "ping",
        vantage.country,
        city,
        WEIGHTS["ping"],
        f"ping from probe {vantage.probe.id} in {where}: {rtt:.1f} ms, within {reach:.0f} km "
        f"of {where}",
    )


def _disjoint(
    discs: tuple[tuple[Vantage, float], ...], pinged: AbstractSet[int]
) -> str | None:
    """Returns why two discs of an address cannot both hold (at least one of them a ping's),
    or None when every such pair meets."""
    for index, (one, rtt_one) in enumerate(discs):
        for other, rtt_other in discs[index + 1 :]:
            if one.probe.id not in pinged and other.probe.id not in pinged:
                continue
            if one.latitude is None or other.latitude is None:
                continue
            assert one.longitude is not None and other.longitude is not None
            apart = distance_km(one.latitude, one.longitude, other.latitude, other.longitude)
            reach_one = radius_km(rtt_one) + one.uncertainty_km
            reach_other = radius_km(rtt_other) + other.uncertainty_km
            if apart > reach_one + reach_other:
                return (
                    f"probe {one.probe.id} ({rtt_one:.1f} ms, within {reach_one:.0f} km) and "
                    f"probe {other.probe.id} ({rtt_other:.1f} ms, within {reach_other:.0f} km) "
                    f"are {apart:.0f} km apart: one of them is not where declared"
                )
    return None


def _bound_claim(vantage: Vantage, rtt: float, reach: float, facts: _Near, kind: int) -> Claim:
    """Returns the `rtt_bound` claim of a disc within `reach` km: nearer than any place
    abroad (`kind` 1) or than any interconnection hub abroad (2)."""
    if kind == 1:
        return Claim(
            "rtt_bound",
            vantage.country,
            None,
            WEIGHTS["rtt_near"],
            f"replied to probe {vantage.probe.id} in {rtt:.1f} ms: within {reach:.0f} km, nearer than any place abroad ({facts.nearest_abroad_km:.0f} km)",
        )
    return Claim(
        "rtt_bound",
        vantage.country,
        None,
        WEIGHTS["rtt_hub"],
        f"replied to probe {vantage.probe.id} in {rtt:.1f} ms: within {reach:.0f} km, nearer than any interconnection hub abroad ({facts.nearest_hub_km:.0f} km)",
    )


def _disc_bounds(
    discs: tuple[tuple[Vantage, float], ...],
    near: NearTable,
    interesting: AbstractSet[str],
    places: Gazetteer,
) -> tuple[list[str], list[tuple[int, float, int]]]:
    """Returns what the discs of an address rule out and say, no ping among them: each code
    of `interesting` some disc rules out (as the loops meet them, repeats kept), and per disc
    that bounds the address its index, reach (km) and kind (1: nearer than any place abroad,
    2: than any interconnection hub abroad). Works out, and keeps in `near`, what each vantage
    is compared with. `kernels.disc_bounds` is its compiled twin."""
    codes: list[str] = []
    said: list[tuple[int, float, int]] = []
    for index, (vantage, rtt) in enumerate(discs):
        if vantage.latitude is None or vantage.longitude is None or vantage.country is None:
            continue
        reach = radius_km(rtt) + vantage.uncertainty_km
        facts = _near(vantage, places, near)
        for code in interesting:
            margin = _margin_km(vantage, facts, code, places)
            if margin is not None and margin > reach:
                codes.append(code)
        if reach < facts.nearest_abroad_km:
            said.append((index, reach, 1))
        elif reach < facts.nearest_hub_km:
            said.append((index, reach, 2))
    return codes, said


def locate(
    claims: tuple[Claim, ...],
    discs: tuple[tuple[Vantage, float], ...],
    home: str,
    places: Gazetteer,
    near: NearTable | None = None,
    pinged: AbstractSet[int] = frozenset(),
) -> Location:
    """Returns the location the claims and speed-of-light discs support.

    `discs` pairs trusted vantages with the smallest RTT (ms) each saw from this address.
    `near` may keep, from one call to the next, the distances each vantage is compared with
    (one dict per gazetteer; it keeps them per vantage place and country). `pinged` names the probes
    whose smallest RTT came from a ping: a small one places the address (`ping` claim); a
    ping from a probe abroad that does not only bounds (it rules countries out).
    """
    if pinged:
        clash = _disjoint(discs, pinged)
        if clash is not None:  # one of two probes is not where declared: nothing is placed
            considered = [*claims, Claim("ping", None, None, 0.0, clash, clash)]
            return Location(None, None, Strength.NONE, 0.0, tuple(considered))
    considered = [_refute(claim, discs, places) for claim in claims]
    excluded: set[str] = set()
    interesting = {home} | {c.country for c in claims if c.country}
    # What the discs rule out and which bound the address (`disc_bounds`, the compiled twin
    # of `_disc_bounds`, when built; None: declined). A ping is one more disc here.
    near = {} if near is None else near
    bounds = None
    if disc_bounds is not None:
        bounds = disc_bounds(discs, near, interesting, KM_PER_MS_ROUND_TRIP, Vantage)
    codes, said = _disc_bounds(discs, near, interesting, places) if bounds is None else bounds
    excluded.update(codes)
    if not pinged:
        for index, reach, kind in said:
            vantage, rtt = discs[index]
            facts = _near(vantage, places, near)  # (worked out: found in `near`)
            considered.append(_bound_claim(vantage, rtt, reach, facts, kind))
    else:  # disc by disc: a ping from a probe at home may place the address instead
        bound = {index: (reach, kind) for index, reach, kind in said}
        for index, (vantage, rtt) in enumerate(discs):
            if vantage.probe.id in pinged and vantage.latitude is not None and (
                vantage.longitude is not None and vantage.country is not None
            ):
                reach = radius_km(rtt) + vantage.uncertainty_km
                abroad_km = _near(vantage, places, near).nearest_abroad_km
                placed = _ping_claim(vantage, rtt, reach, abroad_km, places)
                if placed is not None:
                    considered.append(placed)
                    continue
                if vantage.country != home:
                    continue  # the gazetteer is sparse abroad: a ping there only bounds
            if index in bound:
                reach, kind = bound[index]
                facts = _near(vantage, places, near)
                considered.append(_bound_claim(vantage, rtt, reach, facts, kind))
    if excluded:  # (most addresses: no country ruled out, every claim stands as it is)
        considered = [
            c
            if c.refuted or c.country not in excluded
            else Claim(
                c.kind,
                c.country,
                c.city,
                c.weight,
                c.fact,
                f"the speed of light rules out {c.country}",
            )
            for c in considered
        ]
    scores: dict[str, float] = {}
    strong: set[str] = set()
    for claim in considered:
        if claim.refuted is None and claim.country is not None:
            scores[claim.country] = scores.get(claim.country, 0.0) + claim.weight
            if claim.weight >= 1.0:
                strong.add(claim.country)
    total = sum(c.weight for c in considered)
    if not scores:
        strength = Strength.MEDIUM if home in excluded else Strength.NONE
        return Location(None, None, strength, 0.0, tuple(considered), tuple(sorted(excluded)))
    country = max(scores, key=lambda code: (scores[code], code == home))
    score = scores[country]
    if country in strong:
        strength = Strength.STRONG
    elif score >= MEDIUM:
        strength = Strength.MEDIUM
    else:
        strength = Strength.WEAK
    city = next(
        (c.city for c in considered if c.refuted is None and c.country == country and c.city), None
    )
    confidence = min(1.0, score) * (score / total if total else 0.0)
    return Location(
        country, city, strength, round(confidence, 3), tuple(considered), tuple(sorted(excluded))
    )


def vantage_of(probe: Probe, places: Gazetteer | None = None) -> Vantage:
    """Returns where a probe measures from: its coordinates, else its country's disc, else nowhere."""
    places = places or gazetteer()
    if probe.latitude is not None and probe.longitude is not None:
        return Vantage(probe, probe.latitude, probe.longitude, PROBE_BLUR_KM)
    country = places.countries.get(probe.country or "")
    if country is not None:
        return Vantage(probe, country.latitude, country.longitude, country.radius_km)
    return Vantage(probe, None, None, 0.0)


def observe(
    traces: Iterable[Trace],
    groups: Iterable[list[int]] | None = None,
    table: AddressTable | None = None,
    *,
    kernel: ObserveNumbered | None = observe_numbered,
) -> dict[IPAddress, dict[int, float]]:
    """Returns, per responding address, the smallest usable RTT (ms) each probe saw from it.

    Addresses, and each address's probes, come in the order the traces first give them a
    usable RTT (trace by trace, hop by hop). `groups` may pass `route_groups(traces)`, or
    any finer grouping of the traces' positions (each group one probe and route object).
    `table` numbers the addresses of routes no reader numbered (see `AddressTable`).
    `kernel` is the compiled twin of this function's loops (`kernels.observe_numbered`), used
    when built: it declines (None) what it does not handle, and this code then does the job.
    """
    traces = traces if isinstance(traces, list | tuple) else list(traces)
    table = AddressTable() if table is None else table
    # A probe's traces along one route object (one address per hop) are taken together:
    # their smallest RTT stop by stop. Traces with a hop answered by several addresses are
    # read reply by reply. Each (address, probe) is then gathered at the place in the traces
    # where it first had a usable RTT, so the order is the traces' own.
    # The groups in the traces' order: each its sightings, or, for a group of one trace,
    # (position, probe, stop numbers, stops, stop RTTs), read as sightings only when needed.
    parts: list[list[_Sighting] | _Single] = []
    late: list[_Sighting] = []  # a stop's first usable RTT in a group's later trace
    ordered_groups = sorted(route_groups(traces) if groups is None else groups)
    if kernel is not None:
        found = kernel(traces, ordered_groups, Trace)
        if found is not None:
            return found
    for positions in ordered_groups:
        head = traces[positions[0]]
        route = head.route()
        prb = head.key.prb_id
        if not route.one_per_hop:
            for position in positions:
                for index, (address, rtt) in enumerate(_trace_rtts(traces[position])):
                    if address is not None and rtt is not None:
                        late.append((position, index, table.number_of(address), address, prb, rtt))
            continue
        numbers = table.route_numbers(route)
        stops = route.stops
        if len(positions) == 1:
            parts.append((positions[0], prb, numbers, stops, head.stop_rtts()))
            continue
        vectors = [traces[position].stop_rtts() for position in positions]
        position = positions[0]
        first = vectors[0]
        sightings: list[_Sighting] = []
        parts.append(sightings)
        for index, column in enumerate(zip(*vectors, strict=True)):
            number = numbers[index]
            if not number:
                continue
            try:
                best: float | None = min(column)  # raises when some trace has no RTT here
            except TypeError:
                usable = [rtt for rtt in column if rtt is not None]
                best = min(usable) if usable else None
            if best is None:
                continue
            address = stops[index][1]
            assert address is not None
            if first[index] is not None:
                sightings.append((position, index, number, address, prb, best))
            else:
                later = next(n for n, rtt in enumerate(column) if rtt is not None)
                late.append((positions[later], index, number, address, prb, best))
    by_number: dict[int, tuple[IPAddress, dict[int, float]]] = {}
    # Gathered by the addresses' numbers first (an `ipaddress` hash is a Python call,
    # hundreds of thousands of them), then keyed by address. Should two numbers stand for
    # one address (read with two tables), the gathering is redone by address, so the
    # result is the same either way.
    if late:  # (position, index) is unique to a sighting: tuples never compare further
        ordered = heapq.merge(_sightings(parts), sorted(late))
        for _position, _index, number, address, prb, rtt in ordered:
            entry = by_number.get(number)
            if entry is None:
                by_number[number] = (address, {prb: rtt})
                continue
            per_probe = entry[1]
            if rtt < per_probe.get(prb, _INFINITY):
                per_probe[prb] = rtt
    else:  # the groups' own order is the traces' order
        get = by_number.get
        for part in parts:
            if isinstance(part, list):
                for _position, _index, number, address, prb, rtt in part:
                    entry = get(number)
                    if entry is None:
                        by_number[number] = (address, {prb: rtt})
                    elif rtt < entry[1].get(prb, _INFINITY):
                        entry[1][prb] = rtt
                continue
            _head, prb, numbers, stops, rtts = part
            for number, (_hop, address, _inherited), rtt in zip(numbers, stops, rtts, strict=True):
                if address is None or rtt is None:
                    continue
                entry = get(number)
                if entry is None:
                    by_number[number] = (address, {prb: rtt})
                elif rtt < entry[1].get(prb, _INFINITY):
                    entry[1][prb] = rtt
    seen = {address: per_probe for address, per_probe in by_number.values()}
    if len(seen) == len(by_number):
        return seen
    return _observe_by_address(traces)


def _sightings(parts: list[list[_Sighting] | _Single]) -> Iterator[_Sighting]:
    """Yields the sightings of `observe`'s parts, in order."""
    for part in parts:
        if isinstance(part, list):
            yield from part
            continue
        position, prb, numbers, stops, rtts = part
        for index, (number, stop, rtt) in enumerate(zip(numbers, stops, rtts, strict=True)):
            if number and rtt is not None:
                address = stop[1]
                assert address is not None
                yield (position, index, number, address, prb, rtt)


# Where a probe first got a usable RTT from an address: (position of the trace, index of the
# stop or reply in it, the address's number, the address, probe, smallest RTT).
_Sighting = tuple[int, int, int, IPAddress, int, float]
# A group of one trace along a route of one address per hop: (position of the trace, probe,
# the route's address numbers, its stops, the trace's stop RTTs).
_Single = tuple[int, int, tuple[int, ...], tuple[Stop, ...], tuple[float | None, ...]]


def _trace_rtts(trace: Trace) -> list[tuple[IPAddress | None, float | None]]:
    """Returns (address, RTT) hop by hop: a hop's smallest usable RTT when one address
    answered it, else each reply's own in the order they came."""
    pairs: list[tuple[IPAddress | None, float | None]] = []
    for hop in trace.hops:
        by_address = hop.address_rtts()
        if len(by_address) == 1:
            pairs.extend(by_address)
        else:
            pairs.extend(hop.usable_rtts())
    return pairs


def _observe_by_address(traces: Iterable[Trace]) -> dict[IPAddress, dict[int, float]]:
    seen: dict[IPAddress, dict[int, float]] = {}
    for trace in traces:
        prb = trace.key.prb_id
        for address, rtt in _trace_rtts(trace):
            if address is None or rtt is None:
                continue
            per_probe = seen.get(address)
            if per_probe is None:
                seen[address] = {prb: rtt}
            elif rtt < per_probe.get(prb, _INFINITY):
                per_probe[prb] = rtt
    return seen


_INFINITY = float("inf")


class Annotator:
    """Annotates traces of one run: each address is located once, from every trusted probe's
    smallest RTT to it (multilateration with upper bounds) and its static claims."""

    def __init__(
        self,
        lookups: Lookups,
        home: str,
        vantages: Mapping[int, Vantage],
        observations: Mapping[IPAddress, Mapping[int, float]],
        pinged: Mapping[IPAddress, AbstractSet[int]] | None = None,
        table: AddressTable | None = None,
    ) -> None:
        self.lookups = lookups
        # Numbers the addresses of routes no reader numbered (see `AddressTable`).
        self.table = AddressTable() if table is None else table
        self.home = home
        self.vantages = vantages
        self.observations = observations
        self.pinged = pinged or {}  # per address, the probes whose smallest RTT is a ping's
        self._static: dict[
            IPAddress,
            tuple[
                str | None, Origin | None, IxpHit | None, str | None, str | None, tuple[Claim, ...]
            ],
        ] = {}
        self._info: dict[IPAddress, AddressInfo] = {}
        # The same by the addresses' numbers (see `Trace.address_keys`; 0: no address).
        self._numbered: dict[object, AddressInfo | None] = {0: None}
        self._by_route: dict[int, tuple[AddressInfo | None, ...]] = {}  # by Route.serial
        # Per vantage place and country, the distances its discs are compared with (per run:
        # the gazetteer's nearest places abroad are worked out here, not cached per process).
        self._near: NearTable = {}

    def trusting(self, vantages: Mapping[int, Vantage]) -> Annotator:
        """Returns an annotator of the same run with other vantages (e.g. once probes are
        checked), sharing the static facts already worked out (they do not depend on them)."""
        other = Annotator(
            self.lookups, self.home, vantages, self.observations, self.pinged, self.table
        )
        other._static = self._static
        other._near = self._near  # by place, not by vantage: the same gazetteer's distances
        return other

    def nearest_abroad_km(self, latitude: float, longitude: float, country: str) -> float:
        """Returns the distance (km) from a place to the nearest gazetteer city outside
        `country`, worked out once per run (kept with what a vantage there is compared with)."""
        key = (latitude, longitude, country)
        return _near_at(key, self.lookups.places, self._near).nearest_abroad_km

    def static(
        self, address: IPAddress
    ) -> tuple[str | None, Origin | None, IxpHit | None, str | None, str | None, tuple[Claim, ...]]:
        """Returns the cached static facts of an address (see `static_claims`)."""
        found = self._static.get(address)
        if found is None:
            found = self._static[address] = static_claims(address, self.lookups, self.home)
        return found

    def discs(self, address: IPAddress) -> tuple[tuple[Vantage, float], ...]:
        """Returns (trusted vantage, smallest RTT) pairs for an address."""
        observed, vantages = self.observations.get(address), self.vantages
        # `trusted_discs`: the compiled twin of `_trusted_discs`, when built (None: declined).
        found = None if trusted_discs is None else trusted_discs(observed, vantages)
        return _trusted_discs(observed, vantages) if found is None else found

    def info(self, address: IPAddress) -> AddressInfo:
        """Returns the annotation of one address (computed once per run)."""
        found = self._info.get(address)
        if found is not None:
            return found
        special, origin, ixp, name, registry_cc, claims = self.static(address)
        if special is not None:
            location = UNLOCATED
        else:
            location = locate(
                claims, self.discs(address), self.home, self.lookups.places, self._near,
                self.pinged.get(address, frozenset()),
            )  # fmt: skip
        found = self._info[address] = AddressInfo(
            address, special, origin, ixp, name, registry_cc, location
        )
        return found

    def annotate(self, trace: Trace) -> AnnotatedTrace:
        """Returns the trace with every hop annotated. Never touches the network.

        A route is annotated once per route object (its stops' annotations are the same
        whichever trace took it); the RTTs stay the trace's own.
        """
        route = trace.route()
        infos = self._by_route.get(route.serial)
        numbered = self._numbered
        if infos is None:
            numbers = self.table.route_numbers(route)
            # `pick_infos`: the compiled twin of `_pick`, when built (None: not all there).
            infos = None if pick_infos is None else pick_infos(numbered, numbers)
            try:
                if infos is None:
                    infos = _pick(numbered, numbers)
            except KeyError:  # some address not annotated yet (the others are: `info` keeps
                # each address's one annotation, which `numbered` holds under its number)
                infos = tuple(
                    [
                        numbered[number] if number in numbered else self._info_by(number, stop[1])
                        for number, stop in zip(numbers, route.stops, strict=True)
                    ]
                )
            self._by_route[route.serial] = infos
        destination = trace.destination
        key = trace.address_keys()[0]
        found = numbered.get(key)
        if found is None and destination is not None:
            found = self._info_by(key, destination)
        return AnnotatedTrace(trace, self.vantages.get(trace.key.prb_id), infos, found)

    def _info_by(self, key: object, address: IPAddress | None) -> AddressInfo | None:
        """Returns `info(address)`, kept under `key` (the address's number) too."""
        found = None if address is None else self.info(address)
        self._numbered[key] = found
        return found


def _trusted_discs(
    observed: Mapping[int, float] | None, vantages: Mapping[int, Vantage]
) -> tuple[tuple[Vantage, float], ...]:
    """Returns, per probe of `observed` (its smallest RTT to an address) in its order, the
    probe's vantage and that RTT, when the vantage is trusted and has coordinates.
    `kernels.trusted_discs` is its compiled twin."""
    out = []
    for prb, rtt in (observed or {}).items():
        vantage = vantages.get(prb)
        if vantage is not None and vantage.trusted and vantage.latitude is not None:
            out.append((vantage, rtt))
    return tuple(out)


def _pick(
    numbered: dict[object, AddressInfo | None], numbers: tuple[int, ...]
) -> tuple[AddressInfo | None, ...]:
    """Returns the annotation of each address number (KeyError: one not annotated yet).
    `kernels.pick_infos` is its compiled twin."""
    return tuple([numbered[number] for number in numbers])
