"""AnnotatedTrace -> PathVerdict: does a path between two domestic networks leave the country?

Rules, in order (README, "How verdicts are decided"):
1. Scope: both ends' networks registered in the home country make a domestic pair; any other
   path gets scope outbound/inbound/foreign/unknown and is reported separately (an outbound
   path says where it leaves the country, `exit_of`, or why that cannot be said).
2. A probe whose declared place its own RTTs contradict gives `inconclusive`; so does a
   result that failed before its first hop (there is no path to judge).
3. `tromboned` when a hop is placed abroad with at least MEDIUM evidence, or the path crosses
   a foreign IXP's peering LAN that the RTTs do not rule out (the frame crossed that fabric).
4. `inconclusive` when the destination was not reached.
5. `local` (`local_via_ixp` when a hop on a home IXP LAN is placed at home) by any of three
   proofs. RTTs are taken less both probes' access delays (`access_delay_ms`), and the RTT
   read at a stop is the smallest of that stop and every later one: a slow reply never
   counts as distance.
   a. Nearer than any place abroad: the destination's RTT keeps the whole path within a disc
      that reaches no foreign town (confidence 1.0).
   b. The whole path: a detour abroad has to pass a place abroad where networks interconnect
      (`detours.interconnection_places`: PeeringDB facilities and exchanges abroad, the
      gazetteer's hubs). When the destination is known to be at home (a probe declared
      there and not contradicted, or an address placed there) and its RTT is too short for
      probe -> place -> destination -> probe through every such place (`detours`), the path
      stayed, whatever its unlocated hops (0.9). The reason names the nearest place.
   c. The walk: hops placed at home on a claim that can stand alone (the speed of light, a
      name, a home member's IXP port; weak claims that only add up to it do not anchor) cut
      the path into stretches; each stretch of hops not placed must leave no room, by the
      RTT read at its closing hop, for a detour through any such place, and a destination
      not known to be at home must be too near to stand at any place abroad (confidence:
      the weakest anchor's, times 0.9 per hop not placed).
   Otherwise `inconclusive`, naming the stretch that could not be ruled out and the place.

Each rule is a function of its own (`_not_a_domestic_pair` ... `_walk_the_path`), tried in
this order by `judge_route` on a `_Case`: what every rule reads of one annotated trace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

import msgspec

from ixpready.analysis.detours import (
    Crossing,
    DetourMemo,
    detour_floor,
    interconnection_places,
)
from ixpready.analysis.verdicts import Evidence, PathVerdict, ProbeCheck, Scope, Verdict
from ixpready.enrichment.annotate import (
    CITY_SLACK_KM,
    MEDIUM,
    PROBE_BLUR_KM,
    WEIGHTS,
    AddressInfo,
    AnnotatedTrace,
    HopView,
    Location,
    Strength,
)
from ixpready.enrichment.geo import Gazetteer, distance_km, floor_rtt_ms, radius_km
from ixpready.kernels import AccessBest, access_best, route_telling, scan_route
from ixpready.kernels import as_path as as_path_kernel
from ixpready.measurements.records import IPAddress, Stop, Trace, route_groups


@dataclass(frozen=True, slots=True)
class JudgeSettings:
    """Tolerances of the physical proofs: how far from its city's centre a router placed in
    a city may stand (km), and from its published coordinates a probe (km). Silent or
    unlocated hops are bridged by the RTTs alone, however many (see `detours`)."""

    city_slack_km: float = CITY_SLACK_KM
    probe_slack_km: float = PROBE_BLUR_KM


_DEFAULT_SETTINGS = JudgeSettings()  # (frozen: one is as good as another equal to it)


class Ends(msgspec.Struct, frozen=True, gc=False):
    """What is known of a path's two ends (from probe metadata and the reference data).
    A frozen struct, made in C (one per path judged; see `verdicts.PathVerdict`)."""

    src_asn: int | None
    src_country: str | None
    dst_asn: int | None
    dst_country: str | None
    # Destination coordinates when it is a known probe declared in its country whose own RTTs
    # do not contradict it (a contradicted probe's declared place is not used).
    dst_point: tuple[float, float] | None
    src_access_ms: float = 0.0  # delay of the source probe's own access link (not distance)
    dst_access_ms: float = 0.0  # the same for the destination, when it is a known probe


ACCESS_SLACK_MS = 0.3  # of an access RTT, this much may be distance to the ISP's first router


def access_delay_ms(
    traces: Sequence[Trace],
    groups: Iterable[list[int]] | None = None,
    *,
    kernel: AccessBest | None = access_best,
) -> dict[int, float]:
    """Returns, per probe, the delay of its own access link that is not distance (ms).

    A probe's RTT to the first router beyond its home gateway (hop 2 when hop 1 is a private
    gateway, else hop 1; or a later hop's, when smaller: a slow ICMP reply is not access
    delay either) is mostly DSL/cable/radio access delay, present in every RTT it
    measures and in every RTT measured *to* it. The smallest such RTT over the probe's traces,
    less `ACCESS_SLACK_MS` for the few km to that router, is discounted before RTTs are
    turned into distances across a whole path. `groups` may pass `route_groups(traces)` or
    a finer grouping of the traces' positions (each group one probe and route object).
    A probe's IPv4 traces decide when it has any: over IPv6 the home gateway often answers
    from a global address, so hop 1 is no ISP router (the access link is the same line).
    `kernel` is the compiled twin of the group loop (`kernels.access_best`), used when built;
    when it declines (None), the loop below does the job.
    """
    v4, v6 = access_delays_by_family(traces, groups, kernel=kernel)
    return {**v6, **v4}  # IPv4 last, so it stands


def access_delays_by_family(
    traces: Sequence[Trace],
    groups: Iterable[list[int]] | None = None,
    *,
    kernel: AccessBest | None = access_best,
) -> tuple[dict[int, float], dict[int, float]]:
    """Returns `access_delay_ms` of the IPv4 traces and of the others, in one pass: each
    as `access_delay_ms` returns for the traces of that family alone."""
    # A run's probes have a few home gateways in all: by their numbers (`Route.numbers`),
    # else by address.
    private: dict[object, bool] = {}
    groups = route_groups(traces) if groups is None else groups
    found = None
    if kernel is not None:
        groups = groups if isinstance(groups, list | tuple) else list(groups)
        found = kernel(traces, groups, private, Trace)
    best = _access_best(traces, groups, private) if found is None else found
    v4: dict[int, float] = {}
    v6: dict[int, float] = {}
    for (prb, af), rtt in best.items():
        (v4 if af == 4 else v6)[prb] = max(0.0, rtt - ACCESS_SLACK_MS)
    return v4, v6


def _access_best(
    traces: Sequence[Trace], groups: Iterable[list[int]], private: dict[object, bool]
) -> dict[tuple[int, int], float]:
    """Returns the smallest access RTT per (probe, address family 4 or 6): the group loop
    of `access_delay_ms`."""
    best: dict[tuple[int, int], float] = {}
    for positions in groups:
        head = traces[positions[0]]
        stop = _first_isp_stop(head, private)
        if stop is None:
            continue
        found = [rtt for p in positions if (rtt := _from(traces[p].stop_rtts(), stop)) is not None]
        if found:
            first = min(found)
            key = (head.key.prb_id, 4 if head.af == 4 else 6)
            best[key] = min(best.get(key, first), first)
    return best


def _from(rtts: Sequence[float | None], stop: int) -> float | None:
    """Returns the smallest RTT of the stop and every later one: a first ISP router that
    answers slowly (its ICMP, not its link) is bounded by the hops beyond it."""
    found = [rtt for rtt in rtts[stop:] if rtt is not None]
    return min(found) if found else None


def _first_isp_stop(trace: Trace, private: dict[object, bool]) -> int | None:
    """Returns the index in the trace's route of the stop of the first router beyond the home
    gateway: hop 2's first address when hop 1 answered only from private addresses, else hop
    1's (the trace's first hop); None when that hop is silent. `private` keeps what
    `is_private` said of each address (it tests some fifteen networks), by the address's
    number in the route (`Route.numbers`) or by the address."""

    def _is_private(address: IPAddress, key: object = None) -> bool:
        key = address if key is None else key
        found = private.get(key)
        if found is None:
            found = private[key] = address.is_private
        return found

    route = trace.route()
    if route.one_per_hop:  # each stop is a hop: read the route
        numbers = route.numbers
        for index, (number, address, _inherited) in enumerate(route.stops):
            if (
                number == 1
                and address is not None
                and _is_private(address, None if numbers is None else numbers[index])
            ):
                continue  # the home gateway
            return None if address is None else index
        return None
    index = 0  # of the hop's first stop: a hop is one stop per address, or one when silent
    for hop in trace.hops:
        addresses = hop.addresses
        usable = [a for a in addresses if not (hop.number == 1 and _is_private(a))]
        if hop.number == 1 and addresses and not usable:
            index += len(addresses)
            continue  # the home gateway
        if not usable:
            return None
        return index + addresses.index(usable[0])
    return None


def _scope(home: str, ends: Ends) -> Scope:
    if ends.src_country is None or ends.dst_country is None:
        return Scope.UNKNOWN
    if ends.src_country == home and ends.dst_country == home:
        return Scope.DOMESTIC
    if ends.src_country == home:
        return Scope.OUTBOUND
    if ends.dst_country == home:
        return Scope.INBOUND
    return Scope.FOREIGN


def as_path(
    hops: tuple[HopView, ...], src_asn: int | None, dst_asn: int | None, reached: bool
) -> tuple[int, ...]:
    """Returns the AS-level path: hop ASNs in order, repeats collapsed, and a lone hop of
    another AS between two hops of the same AS dropped (at AS borders an interface is often
    numbered from the neighbour's prefix)."""
    return _as_path(
        (None if h.info is None else h.info.asn for h in hops), src_asn, dst_asn, reached
    )


def _as_path(
    asns: Iterable[int | None], src_asn: int | None, dst_asn: int | None, reached: bool
) -> tuple[int, ...]:
    sequence: list[int] = [] if src_asn is None else [src_asn]
    for asn in asns:
        if asn is not None and (not sequence or sequence[-1] != asn):
            sequence.append(asn)
    if reached and dst_asn is not None and (not sequence or sequence[-1] != dst_asn):
        sequence.append(dst_asn)
    cleaned: list[int] = []
    for index, asn in enumerate(sequence):
        if 0 < index < len(sequence) - 1 and sequence[index - 1] == sequence[index + 1]:
            continue
        if not cleaned or cleaned[-1] != asn:
            cleaned.append(asn)
    return tuple(cleaned)


def _best_fact(location: Location) -> str:
    standing = [c for c in location.claims if c.refuted is None and c.country == location.country]
    if not standing:
        return f"ruled out of {', '.join(location.excluded)} by the speed of light"
    return max(standing, key=lambda c: c.weight).fact


def _foreign_ixp(info: AddressInfo, home: str) -> bool:
    if info.ixp is None or not info.ixp.lan.country or info.ixp.lan.country == home:
        return False
    return not any(c.kind == "ixp_lan" and c.refuted for c in info.location.claims)


class Refuted(NamedTuple):
    """A claim on an address's place that the speed of light ruled out, as evidence."""

    kind: str
    sentence: str  # "ruled out: <the claim's fact> (<why>)"
    country: str | None


class Abroad(NamedTuple):
    """Of an address placed abroad, or on a foreign IXP's peering LAN: what says so."""

    country: str | None
    city_label: str | None
    kind: str  # the evidence kind: "location" or "ixp_lan"
    fact: str
    confidence: float
    refuted: tuple[Refuted, ...]


class AddressFacts(NamedTuple):
    """What judging needs of one annotated address, given the home country (`_facts`)."""

    asn: int | None
    judged: bool  # not a special-purpose address
    ixp_name: str | None  # the IXP LAN it is on, if any
    ixp_country: str  # that LAN's country ("" when none)
    home_ixp: str | None  # the IXP LAN's name when the LAN is at home
    placed_at_home_ixp: bool  # on a home IXP LAN and placed at home
    abroad: Abroad | None  # placed abroad or on a foreign IXP's LAN
    nothing_but_asn: bool  # nothing else to say of a hop at this address


IXP_LAN_CONFIDENCE = WEIGHTS["ixp_lan"]  # of a path crossing a foreign IXP's LAN the RTTs allow
NEARER_THAN_ABROAD_CONFIDENCE = 1.0  # rule 5a
WHOLE_PATH_CONFIDENCE = 0.9  # rule 5b
UNPLACED_HOP_FACTOR = 0.9  # rule 5c: the confidence of a walk, per hop not placed


@dataclass(slots=True)
class _RouteFacts:
    """What judging takes from a route's annotations alone, whatever trace took the route:
    the hops' networks, the IXPs crossed, and what is abroad with its evidence. Made once
    per route and only read, `as_paths` apart (not frozen: a frozen dataclass sets each of
    its 12 fields through a Python call)."""

    asns: tuple[int | None, ...]  # per answering stop, in order
    home_ixp_names: frozenset[str]  # home IXP LANs crossed
    via_home_ixp: bool  # a hop on a home IXP LAN is placed at home
    ixps: tuple[str, ...]
    ixp_countries: tuple[str, ...]
    foreign_countries: tuple[str, ...]
    foreign_cities: tuple[str, ...]
    carried_by: tuple[int, ...]
    foreign_confidence: float | None  # the best confidence of a hop abroad, None if none
    evidence: tuple[Evidence, ...]
    last_number: int | None  # the last hop that replied
    # AS paths worked out for this route, by (source AS, destination AS, reached).
    as_paths: dict[tuple[int | None, int | None, bool], tuple[int, ...]] = field(
        default_factory=dict, compare=False
    )


FLOORS_MAX = 100_000  # straight-fibre floors a JudgeMemo keeps (pairs of places)


class JudgeMemo:
    """Per run, what `judge` worked out: about each address (by its annotation's serial
    number), about each route (by its Route's serial number), each for the home country it
    was worked out for; the walks of routes; the places abroad a destination could stand at
    (`_foreign_points`); the gazetteer's hubs used when no crossings are given; and the
    nearest crossing of each stretch of a path (`detours.DetourMemo`). Plain dicts: a
    serial number is never reused (`records.serial_number`)."""

    __slots__ = (
        "anywhere", "default_crossings", "detours", "facts", "floors", "hubs", "nearest", "routes",
        "said", "walks",
    )  # fmt: skip

    def __init__(self) -> None:
        self.facts: dict[str, dict[int, AddressFacts]] = {}  # by home, AddressInfo.serial
        # Per AddressInfo serial, hop number and home country: what a hop abroad says.
        self.said: dict[tuple[int, int, str], tuple[Evidence, ...]] = {}
        # Per Route serial and home: the route's annotations and what judging takes of them.
        self.routes: dict[tuple[int, str], tuple[tuple[AddressInfo | None, ...], _RouteFacts]] = {}
        # Per Route serial, the destination's AddressInfo serial (0: none), home, probe place
        # and settings: how walking it goes, the RTTs apart (`_walk_plan`).
        self.walks: dict[
            tuple[int, int, str, tuple[float, float], JudgeSettings],
            tuple[tuple[AddressInfo | None, ...], _WalkPlan],
        ] = {}
        # Per home country: the gazetteer and crossings they were worked out from, and every
        # place abroad a destination could stand at.
        self.anywhere: dict[
            str, tuple[Gazetteer, tuple[Crossing, ...], tuple[Crossing, ...]]
        ] = {}
        # Per home country: the gazetteer and its interconnection hubs abroad.
        self.default_crossings: dict[str, tuple[Gazetteer, tuple[Crossing, ...]]] = {}
        self.detours = DetourMemo()  # the nearest crossing of each stretch of a path
        # Per probe place and home: the gazetteer and its hubs abroad, nearest first (km).
        self.hubs: dict[
            tuple[tuple[float, float], str], tuple[Gazetteer, tuple[tuple[float, str], ...]]
        ] = {}
        # Per probe place and destination place: the straight-fibre floor between them (ms,
        # rounded as a verdict gives it), at most FLOORS_MAX of them.
        self.floors: dict[tuple[tuple[float, float], tuple[float, float]], float] = {}
        # Per probe place, home and whether only hubs count: the gazetteer and the distance
        # (km) to its nearest place abroad (`Gazetteer.nearest_foreign_km`).
        self.nearest: dict[tuple[tuple[float, float], str, bool], tuple[Gazetteer, float]] = {}

    def nearest_foreign_km(
        self, places: Gazetteer, origin: tuple[float, float], home: str, hubs_only: bool
    ) -> float:
        """Returns `places.nearest_foreign_km(*origin, home, hubs_only)`, worked out once per
        run's gazetteer, probe place, home and `hubs_only`."""
        key = (origin, home, hubs_only)
        known = self.nearest.get(key)
        if known is None or known[0] is not places:
            known = self.nearest[key] = (
                places, places.nearest_foreign_km(*origin, home, hubs_only)
            )  # fmt: skip
        return known[1]

    def facts_of(self, info: AddressInfo, home: str) -> AddressFacts:
        """Returns `_facts(info, home)`, worked out once per annotation and home."""
        known = self.facts.get(home)
        if known is None:
            known = self.facts[home] = {}
        found = known.get(info.serial)
        if found is None:
            found = known[info.serial] = _facts(info, home)
        return found

    def facts_in(self, home: str) -> dict[int, AddressFacts]:
        """Returns the facts worked out for `home` so far, by annotation serial number."""
        known = self.facts.get(home)
        if known is None:
            known = self.facts[home] = {}
        return known


def _facts(info: AddressInfo, home: str) -> AddressFacts:
    """Returns what judging needs of an annotated address (see `AddressFacts`)."""
    ixp = info.ixp
    judged = info.special is None
    outside = judged and info.location.is_outside(home)
    via_ixp = judged and _foreign_ixp(info, home)
    at_home_ixp = ixp is not None and ixp.lan.country == home
    abroad: Abroad | None = None
    if outside or via_ixp:
        location = info.location
        country = (
            location.country
            if outside and location.country != home
            else (ixp.lan.country if via_ixp and ixp else None)
        )
        city = location.city if outside else (ixp.lan.city if ixp else None)
        fact = (
            _best_fact(location)
            if outside
            else next(c.fact for c in location.claims if c.kind == "ixp_lan")
        )
        abroad = Abroad(
            country=country,
            city_label=None if city is None else city.label,
            kind="ixp_lan" if via_ixp and not outside else "location",
            fact=fact,
            confidence=location.confidence if outside else IXP_LAN_CONFIDENCE,
            refuted=tuple(
                Refuted(c.kind, f"ruled out: {c.fact} ({c.refuted})", c.country)
                for c in location.claims
                if c.refuted
            ),
        )
    home_ixp = ixp.lan.name if ixp is not None and at_home_ixp else None
    return AddressFacts(
        asn=info.asn,
        judged=judged,
        ixp_name=None if ixp is None else ixp.lan.name,
        ixp_country="" if ixp is None else ixp.lan.country,
        home_ixp=home_ixp,
        placed_at_home_ixp=at_home_ixp and info.location.is_inside(home),
        abroad=abroad,
        nothing_but_asn=home_ixp is None and (not judged or (ixp is None and abroad is None)),
    )


def _scan_route(
    stops: tuple[Stop, ...],
    infos: tuple[AddressInfo | None, ...],
    memo: JudgeMemo,
    home: str,
) -> tuple[
    int | None, tuple[int | None, ...], tuple[tuple[Stop, AddressInfo | None, AddressFacts], ...]
]:
    """Returns, of a route's stops and their annotations, the last hop number that replied
    (None when none did), the ASN of each annotated stop in order, and the stop, annotation
    and facts of each stop with more to say than its ASN (most have nothing else: the
    `nothing_but_asn` of their facts). `kernels.scan_route` is its compiled twin."""
    by_serial = memo.facts_in(home)
    last_number = max([stop[0] for stop in stops if stop[1] is not None], default=None)
    abouts = [
        by_serial.get(info.serial) or memo.facts_of(info, home) if info is not None else None
        for info in infos
    ]
    asns = tuple([about.asn for about in abouts if about is not None])
    telling = tuple(
        [
            (stop, info, about)
            for stop, info, about in zip(stops, infos, abouts, strict=True)
            if about is not None and not about.nothing_but_asn
        ]
    )
    return last_number, asns, telling


_NO_NAMES: frozenset[str] = frozenset()


_Told = tuple[
    frozenset[str], bool, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...],
    tuple[int, ...], float | None, tuple[Evidence, ...],
]  # fmt: skip


def _tell(
    telling: tuple[tuple[Stop, AddressInfo | None, AddressFacts], ...], home: str, memo: JudgeMemo
) -> _Told:
    """Returns what the stops with more to say than their networks (`_scan_route`) say, as
    `_RouteFacts` has it from `home_ixp_names` to `evidence`. `kernels.route_telling` is its
    compiled twin."""
    evidence: list[Evidence] = []
    foreign_countries: list[str] = []
    foreign_cities: list[str] = []
    ixps: list[str] = []
    ixp_countries: list[str] = []
    carried_by: list[int] = []
    foreign_conf: list[float] = []
    home_ixp_names: set[str] = set()
    via_home_ixp = False
    said = memo.said
    for (number, address, _inherited), info, about in telling:
        assert info is not None
        if about.home_ixp is not None:
            home_ixp_names.add(about.home_ixp)
            via_home_ixp = via_home_ixp or about.placed_at_home_ixp
        if not about.judged:
            continue
        if about.ixp_name is not None and about.ixp_name not in ixps:
            ixps.append(about.ixp_name)
            ixp_countries.append(about.ixp_country)
        abroad = about.abroad
        if abroad is None:
            continue
        country = abroad.country
        if country and (not foreign_countries or foreign_countries[-1] != country):
            foreign_countries.append(country)
        if abroad.city_label is not None and abroad.city_label not in foreign_cities:
            foreign_cities.append(abroad.city_label)
        if about.asn is not None and about.asn not in carried_by:
            carried_by.append(about.asn)
        foreign_conf.append(abroad.confidence)
        # The same hop of the same address says the same on every route: made once.
        lines = said.get((info.serial, number, home)) if info.address is address else None
        if lines is None:
            text = (
                info.text if info.address is address or info.address == address else str(address)
            )
            lines = (
                Evidence(abroad.kind, f"hop {number} {text}: {abroad.fact}", number, text, country),
                *(Evidence(r.kind, r.sentence, number, text, r.country) for r in abroad.refuted),
            )
            if info.address is address:
                said[(info.serial, number, home)] = lines
        evidence += lines
    return (
        frozenset(home_ixp_names), via_home_ixp, tuple(ixps), tuple(ixp_countries),
        tuple(foreign_countries), tuple(foreign_cities), tuple(carried_by),
        max(foreign_conf, default=None), tuple(evidence),
    )  # fmt: skip


def _route_facts(at: AnnotatedTrace, home: str, memo: JudgeMemo) -> _RouteFacts:
    """Returns what the annotated route of `at` says (see `_RouteFacts`), once per route."""
    infos = at.infos
    route_key = (at.trace.route().serial, home)
    known = memo.routes.get(route_key)
    if known is not None and known[0] is infos:  # annotated alike (by one annotator)
        return known[1]
    stops = at.trace.route().stops
    scanned = (
        None if scan_route is None else scan_route(stops, infos, memo.facts_in(home), AddressFacts)
    )
    last_number, asns, telling = (
        _scan_route(stops, infos, memo, home) if scanned is None else scanned
    )
    if not telling:  # the common route: its stops say nothing but their networks
        facts = _RouteFacts(
            asns=asns, home_ixp_names=_NO_NAMES, via_home_ixp=False, ixps=(), ixp_countries=(),
            foreign_countries=(), foreign_cities=(), carried_by=(), foreign_confidence=None,
            evidence=(), last_number=last_number,
        )
    else:
        told: _Told | None = (
            None
            if route_telling is None
            else route_telling(telling, home, memo.said, AddressFacts, Abroad)
        )
        names, via, ixps, ixp_countries, countries, cities, carried, best, evidence = (
            _tell(telling, home, memo) if told is None else told
        )
        facts = _RouteFacts(
            asns=asns, home_ixp_names=names, via_home_ixp=via, ixps=ixps,
            ixp_countries=ixp_countries, foreign_countries=countries, foreign_cities=cities,
            carried_by=carried, foreign_confidence=best, evidence=evidence,
            last_number=last_number,
        )  # fmt: skip
    memo.routes[route_key] = (infos, facts)
    return facts


def judge(
    at: AnnotatedTrace,
    home: str,
    ends: Ends,
    check: ProbeCheck | None,
    places: Gazetteer,
    settings: JudgeSettings | None = None,
    *,
    memo: JudgeMemo | None = None,
    crossings: tuple[Crossing, ...] | None = None,
) -> PathVerdict:
    """Returns the verdict on one annotated trace, with the evidence that decided it.

    `memo` keeps what was worked out about each address and each annotated route from one
    path to the next (one per run, any home country); without it, each call works it out
    afresh. Either way the verdict is the same. `crossings`: the places abroad where
    networks interconnect (`interconnection_places` of the reference data); without it, the
    gazetteer's hubs.
    """
    return judge_route(
        at, home, ends, check, places, settings, memo=memo, crossings=crossings
    ).verdict


class Decision(NamedTuple):
    """A verdict, and whether it holds for every trace alike (see `judge_route`)."""

    verdict: PathVerdict
    holds_for_alike: bool


@dataclass(slots=True)
class _Case:
    """One annotated trace to judge, with what every rule reads of it (see `judge_route`).
    Made once per trace and only read (not frozen: a frozen dataclass sets each of its 16
    fields through a Python call)."""

    at: AnnotatedTrace
    home: str
    ends: Ends
    check: ProbeCheck | None
    places: Gazetteer
    settings: JudgeSettings
    memo: JudgeMemo
    crossings: tuple[Crossing, ...]
    scope: Scope
    facts: _RouteFacts
    as_path: tuple[int, ...]
    reached: bool  # some reply came from the destination itself
    rtt_ms: float | None  # the destination's smallest usable RTT
    origin_point: tuple[float, float] | None  # the probe's coordinates, when known
    floor_rtt_ms: float | None  # straight fibre between the two ends, when both are placed
    dst_text: str | None

    @property
    def trace(self) -> Trace:
        return self.at.trace

    @property
    def home_ixps(self) -> tuple[bool, AbstractSet[str]]:
        """Whether a hop on a home IXP LAN is placed at home, and the home IXP LANs crossed."""
        return self.facts.via_home_ixp, self.facts.home_ixp_names

    def travel_ms(self, rtt_ms: float) -> float:
        """Returns the part of an end-to-end RTT that is distance: both access links off."""
        return max(0.0, rtt_ms - self.ends.src_access_ms - self.ends.dst_access_ms)

    def verdict(
        self,
        kind: Verdict,
        reason: str,
        confidence: float,
        extra_rtt_ms: float | None = None,
        evidence: Iterable[Evidence] | None = None,
    ) -> PathVerdict:
        """Returns the verdict on this trace; `evidence` defaults to what its route says."""
        facts, ends, trace = self.facts, self.ends, self.at.trace
        # Positional, in PathVerdict's field order (pinned by a test): a struct matches each
        # keyword by name, which costs 5 % of judging a mesh whose routes never repeat.
        return PathVerdict(
            trace.key, self.scope, kind, reason, trace.af, self.dst_text,  # trace .. dst_addr
            ends.src_asn, ends.dst_asn, ends.src_country, ends.dst_country,  # the two ends
            self.as_path, facts.foreign_countries, facts.foreign_cities,  # .. foreign_cities
            facts.ixps, facts.ixp_countries, facts.carried_by,  # ixps .. carried_by
            self.rtt_ms, self.floor_rtt_ms,  # rtt_ms, floor_rtt_ms
            None if extra_rtt_ms is None else round(extra_rtt_ms, 2),  # extra_rtt_ms
            round(max(0.0, min(1.0, confidence)), 3),  # confidence
            (
                facts.evidence if evidence is None
                else evidence if isinstance(evidence, tuple) else tuple(evidence)
            ),  # evidence
            trace.origin,  # origin
        )  # fmt: skip


def _case(
    at: AnnotatedTrace,
    home: str,
    ends: Ends,
    check: ProbeCheck | None,
    places: Gazetteer,
    settings: JudgeSettings,
    memo: JudgeMemo,
    crossings: tuple[Crossing, ...],
) -> _Case:
    """Returns what the rules read of one annotated trace."""
    trace = at.trace
    reached, rtt = trace.destination_seen()
    vantage = at.vantage
    origin_point = (
        None
        if vantage is None or vantage.latitude is None or vantage.longitude is None
        else (vantage.latitude, vantage.longitude)
    )
    floor = None
    if origin_point is not None:
        target = ends.dst_point
        if target is None and ends.dst_country in places.countries:
            dst_place = places.countries[ends.dst_country or ""]
            target = (
                (dst_place.latitude, dst_place.longitude)
                if ends.dst_country != ends.src_country
                else origin_point
            )
        if target is not None:
            floors = memo.floors
            floor = floors.get((origin_point, target))
            if floor is None:
                if len(floors) >= FLOORS_MAX:
                    floors.clear()
                floor = floors[(origin_point, target)] = round(
                    floor_rtt_ms(distance_km(*origin_point, *target)), 2
                )
    facts = _route_facts(at, home, memo)
    path_key = (ends.src_asn, ends.dst_asn, reached)
    path = facts.as_paths.get(path_key)
    if path is None:
        path = None if as_path_kernel is None else as_path_kernel(facts.asns, *path_key)
        if path is None:
            path = _as_path(facts.asns, *path_key)
        facts.as_paths[path_key] = path
    destination = trace.destination
    dst_text = (
        None
        if destination is None
        else at.destination.text
        if at.destination is not None
        and (at.destination.address is destination or at.destination.address == destination)
        else str(destination)
    )
    return _Case(
        at=at, home=home, ends=ends, check=check, places=places, settings=settings, memo=memo,
        crossings=crossings, scope=_scope(home, ends), facts=facts, as_path=path,
        reached=reached, rtt_ms=rtt, origin_point=origin_point, floor_rtt_ms=floor,
        dst_text=dst_text,
    )  # fmt: skip


def judge_route(
    at: AnnotatedTrace,
    home: str,
    ends: Ends,
    check: ProbeCheck | None,
    places: Gazetteer,
    settings: JudgeSettings | None = None,
    *,
    memo: JudgeMemo | None = None,
    crossings: tuple[Crossing, ...] | None = None,
) -> Decision:
    """Returns `judge`'s verdict and whether it holds for every trace alike (`restate_many`):
    one with the same route object, address family, destination, origin, and an error or
    not, judged with the same vantage, ends and probe check. Such a verdict depends on the
    route and the ends alone, the trace's RTT to the destination and a tromboned path's
    penalty apart; one that weighs the trace's RTTs hop by hop does not.

    The rules are tried in the order the module docstring states; the first that decides
    gives the verdict."""
    memo = JudgeMemo() if memo is None else memo
    if crossings is None:
        crossings = _default_crossings(places, home, memo)
    case = _case(at, home, ends, check, places, settings or _DEFAULT_SETTINGS, memo, crossings)
    for rule in _RULES:
        decided = rule(case)
        if decided is not None:
            return decided
    return Decision(_stayed_home(case), False)


def _not_a_domestic_pair(case: _Case) -> Decision | None:
    """Rule 1: a path whose ends are not both home networks is reported apart, inconclusive
    by definition; an outbound one says where it leaves the country (`exit_of`)."""
    scope = case.scope
    if scope is Scope.DOMESTIC:
        return None
    ends = case.ends
    where = {
        Scope.OUTBOUND: f"destination network registered in {ends.dst_country}",
        Scope.INBOUND: f"source probe declared in {ends.src_country}",
        Scope.FOREIGN: "neither end is at home",
        Scope.UNKNOWN: "an end's country is unknown (no probe metadata or registry record)",
    }[scope]
    reason = f"not a domestic pair: {where}"
    if scope is Scope.OUTBOUND:
        said, lines = exit_of(case.at, case.home, case.memo)
        evidence = (*lines, *case.facts.evidence)
        return Decision(
            case.verdict(Verdict.INCONCLUSIVE, f"{reason}; {said}", 0.0, evidence=evidence), True
        )
    return Decision(case.verdict(Verdict.INCONCLUSIVE, reason, 0.0), True)


def _probe_not_where_declared(case: _Case) -> Decision | None:
    """Rule 2: a probe whose own RTTs contradict its declared place proves nothing."""
    check = case.check
    if check is None or check.status != "contradicted":
        return None
    evidence = (Evidence("probe", f"probe {check.prb_id}: {check.detail}"), *case.facts.evidence)
    return Decision(
        case.verdict(
            Verdict.INCONCLUSIVE, f"probe {check.prb_id} is not where declared", 0.0,
            evidence=evidence,
        ),
        True,
    )  # fmt: skip


def _could_not_measure(case: _Case) -> Decision | None:
    """Rule 2, continued: a result that failed before its first hop has no path to judge."""
    trace = case.trace
    if not (trace.error and not trace.hops):
        return None
    reason = f"the probe could not measure: {trace.error}"
    return Decision(case.verdict(Verdict.INCONCLUSIVE, reason, 0.0), False)


def _left_home(case: _Case) -> Decision | None:
    """Rule 3: `tromboned` when a hop is placed abroad with at least MEDIUM evidence, or the
    path crosses a foreign IXP's LAN the RTTs do not rule out. Its latency cost is the RTT
    above the straight-fibre floor between the two ends."""
    facts = case.facts
    confidence = facts.foreign_confidence
    if not facts.foreign_countries and (confidence is None or not facts.ixps):
        return None
    assert confidence is not None
    rtt, floor = case.rtt_ms, case.floor_rtt_ms
    extra = None if rtt is None or floor is None or not case.reached else rtt - floor
    places_text = ", ".join(facts.foreign_cities) or ", ".join(facts.foreign_countries)
    reason = f"left {case.home} through {places_text}"
    if facts.carried_by:
        reason += " (AS" + ", AS".join(map(str, facts.carried_by)) + ")"
    if not case.reached:
        reason += "; destination not reached"
    return Decision(case.verdict(Verdict.TROMBONED, reason, confidence, extra), True)


def _not_reached(case: _Case) -> Decision | None:
    """Rule 4: a path that did not reach its destination, and was not seen abroad, is
    `inconclusive`: its end is not known."""
    if case.reached:
        return None
    last = case.facts.last_number
    tail = f" (last reply at hop {last})" if last is not None else " (no hop replied)"
    return Decision(
        case.verdict(Verdict.INCONCLUSIVE, "destination not reached" + tail, 0.0), True
    )


_RULES: tuple[Callable[[_Case], Decision | None], ...] = (
    _not_a_domestic_pair, _probe_not_where_declared, _could_not_measure, _left_home, _not_reached,
)  # fmt: skip


def _stayed_home(case: _Case) -> PathVerdict:
    """Rule 5: the destination answered; `local` by the first of three proofs that holds
    (5a, 5b, 5c), else `inconclusive` with what stands in the way and which hubs abroad
    the RTT leaves within reach."""
    return (
        _nearer_than_abroad(case)
        or _rtt_rules_out_every_detour(case)
        or _walk_the_path(case)
    )


def _access_note(case: _Case, rtt: float, travel: float) -> str:
    if travel < rtt:
        return f" ({rtt - travel:.1f} ms of it the two probes' own access links)"
    return ""


def _nearer_than_abroad(case: _Case) -> PathVerdict | None:
    """Rule 5a: the destination's RTT keeps the whole path within a disc around the probe
    that reaches no foreign town."""
    vantage, rtt, origin = case.at.vantage, case.rtt_ms, case.origin_point
    if origin is None or rtt is None or vantage is None or vantage.country != case.home:
        return None
    travel = case.travel_ms(rtt)
    reach = radius_km(travel) + vantage.uncertainty_km
    nearest = case.memo.nearest_foreign_km(case.places, origin, case.home, False)
    if reach >= nearest:
        return None
    fact = (
        f"the destination answered in {rtt:.1f} ms{_access_note(case, rtt, travel)}: the whole "
        f"path lies within {reach:.0f} km of the probe, nearer than any place abroad "
        f"({nearest:.0f} km)"
    )
    evidence = (
        *case.facts.evidence,
        Evidence("rtt_bound", fact, None, str(case.trace.destination), case.home),
    )
    return _local(
        partial(case.verdict, evidence=evidence), case.home, NEARER_THAN_ABROAD_CONFIDENCE,
        case.home_ixps,
    )  # fmt: skip


def _rtt_rules_out_every_detour(case: _Case) -> PathVerdict | None:
    """Rule 5b: a destination known to be at home answered too soon for a detour through
    any place abroad where networks interconnect, whatever the hops between."""
    vantage, rtt, origin = case.at.vantage, case.rtt_ms, case.origin_point
    if origin is None or rtt is None or vantage is None or vantage.country != case.home:
        return None
    dst_home, dst_point, dst_slack = _destination(case.at, case.ends, case.home, case.settings)
    if not dst_home:
        return None
    travel = case.travel_ms(rtt)
    floor_found = detour_floor(
        origin, origin, dst_point or origin, travel, case.crossings,
        (vantage.uncertainty_km, 0.0, dst_slack), case.memo.detours,
    )  # fmt: skip
    if floor_found is None or not floor_found.ruled_out:
        return None
    fact = (
        f"the destination answered in {rtt:.1f} ms{_access_note(case, rtt, travel)}: "
        + floor_found.sentence("any of its hops")
    )
    evidence = (
        *case.facts.evidence,
        Evidence("rtt_bound", fact, None, str(case.trace.destination), case.home),
    )
    why = (
        "the RTT rules out every place abroad where networks interconnect (nearest: "
        f"{floor_found.crossing.label}, {floor_found.margin_ms:.1f} ms short)"
    )
    return _local(
        partial(case.verdict, evidence=evidence), case.home, WHOLE_PATH_CONFIDENCE,
        case.home_ixps, why,
    )  # fmt: skip


def _walk_the_path(case: _Case) -> PathVerdict:
    """Rule 5c: hops placed at home cut the path into stretches, each of which the RTTs
    must rule out a detour abroad for (`_walk`); an inconclusive walk also says which hubs
    abroad the destination's RTT leaves within reach (`reach_note`)."""
    at, home, vantage = case.at, case.home, case.at.vantage
    evidence = list(case.facts.evidence)
    outcome = _walk(
        partial(case.verdict, evidence=evidence),
        at,
        home,
        case.origin_point,
        0.0 if vantage is None else vantage.uncertainty_km,
        _destination(at, case.ends, home, case.settings),
        case.crossings,
        _foreign_points(case.places, home, case.crossings, case.memo),
        case.settings,
        evidence,
        case.ends.src_access_ms,
        case.ends.dst_access_ms,
        case.home_ixps,
        case.memo,
    )
    rtt, origin = case.rtt_ms, case.origin_point
    if outcome.verdict is Verdict.INCONCLUSIVE and origin is not None and rtt is not None:
        note = reach_note(origin, case.travel_ms(rtt), home, case.places, memo=case.memo)
        # The walk's verdict was made of `evidence` as it stands: add the note to both.
        evidence.append(Evidence("rtt_bound", note, None, str(case.trace.destination), None))
        outcome = case.verdict(
            Verdict.INCONCLUSIVE, f"{outcome.reason}; {note}", outcome.confidence, None, evidence
        )
    return outcome


def _destination(
    at: AnnotatedTrace, ends: Ends, home: str, settings: JudgeSettings
) -> tuple[bool, tuple[float, float] | None, float]:
    """Returns whether the destination is known to be at home, its point if known, and how
    far (km) it may stand from that point: a probe declared at
    home and not contradicted stands at its declared point; an address the evidence places
    at home stands in its city, or somewhere at home."""
    if ends.dst_point is not None and ends.dst_country == home:
        return True, ends.dst_point, settings.probe_slack_km
    info = at.destination
    if info is not None and info.special is None and _anchors(info.location, home):
        city = info.location.city
        if city is not None:
            return True, (city.latitude, city.longitude), settings.city_slack_km
        return True, None, 0.0
    return False, None, 0.0


def _default_crossings(places: Gazetteer, home: str, memo: JudgeMemo) -> tuple[Crossing, ...]:
    """Returns the gazetteer's interconnection hubs outside `home`, as crossings (kept in
    the run's memo)."""
    known = memo.default_crossings.get(home)
    if known is None or known[0] is not places:
        known = memo.default_crossings[home] = (
            places, interconnection_places(None, places, home)
        )  # fmt: skip
    return known[1]


def _foreign_points(
    places: Gazetteer, home: str, crossings: tuple[Crossing, ...], memo: JudgeMemo
) -> tuple[Crossing, ...]:
    """Returns every place abroad a destination could stand at: the crossings and every
    gazetteer city outside `home` (border towns included). Worked out once per run's
    gazetteer, crossings and home (kept in the run's memo)."""
    known = memo.anywhere.get(home)
    if known is None or known[0] is not places or known[1] is not crossings:
        found = crossings + tuple(
            Crossing(c.label, c.country, c.latitude, c.longitude)
            for c in places.foreign_points(home)
        )
        known = memo.anywhere[home] = (places, crossings, found)
    return known[2]


def exit_of(
    at: AnnotatedTrace, home: str, memo: JudgeMemo | None = None
) -> tuple[str, tuple[Evidence, ...]]:
    """Returns where a path from home leaves the country, in words, and the evidence: the
    first hop placed abroad or on a foreign IXP's LAN ("leaves GT at hop 7 at the latest"),
    after the last hop placed at home before it; or why it cannot be said (no hop placed
    abroad: each hop not placed is named, with the first one registered abroad, which is
    weak evidence only). From home, RTTs prove only "near": a probe whose location is only
    its country places nothing by them."""
    memo = JudgeMemo() if memo is None else memo
    stops = at.trace.route().stops
    # Only a trace none of whose hops replied is told apart. A stop with an address is a
    # reply: the hops (made on first read, `Trace.lazy`) are read only on a route without.
    failed = None
    for _number, address, _inherited in stops:
        if address is not None:
            break
    else:
        hops = at.trace.hops
        if not any(h.replies for h in hops):
            failed = at.trace.error or next((h.error for h in hops if h.error), None)
    if failed:
        why = f"where it leaves {home} cannot be said: the probe could not measure ({failed})"
        return why, (Evidence("path", why, None, None, None),)
    last_home: tuple[int, str] | None = None
    first_registered_abroad: tuple[int, str, str] | None = None
    unplaced: list[int] = []
    for (number, address, _inherited), info in zip(stops, at.infos, strict=True):
        if address is None or info is None or info.special is not None:
            continue
        abroad = memo.facts_of(info, home).abroad
        text = info.text if info.address == address else str(address)
        if abroad is not None:
            where = abroad.city_label or abroad.country or "abroad"
            after = (
                f", after hop {last_home[0]} {last_home[1]} (placed in {home})"
                if last_home is not None
                else f"; no hop before it is placed in {home}"
            )
            said = f"leaves {home} at hop {number} at the latest ({text}, {where}){after}"
            fact = f"hop {number} {text}: {abroad.fact}"
            return said, (Evidence(abroad.kind, fact, number, text, abroad.country),)
        if info.location.is_inside(home):
            last_home = (number, text)
            continue
        unplaced.append(number)
        registered = info.registry_country
        if first_registered_abroad is None and registered and registered != home:
            first_registered_abroad = (number, text, registered)
    why = f"where it leaves {home} cannot be said: no hop is placed abroad"
    if not at.trace.destination_reached:
        why += " and the destination was not reached"
    vantage = at.vantage
    if vantage is None or vantage.probe.latitude is None:
        why += " (the probe has no coordinates, so its RTTs place nothing)"
    if last_home is not None:
        why += f"; the last hop placed in {home} is hop {last_home[0]} {last_home[1]}"
    if first_registered_abroad is not None:
        number, text, registered = first_registered_abroad
        why += (
            f"; the first hop registered outside {home} is hop {number} {text} ({registered}, "
            "registry only: the holder, not the router's place)"
        )
    return why, (Evidence("path", why, None, None, None),)


def restate_many(like: PathVerdict, traces: Iterable[Trace]) -> list[PathVerdict]:
    """Returns the verdict on each of `traces` given the verdict `like` on a trace alike,
    which holds for every trace alike (see `judge_route`): the same, with the trace's key,
    RTT to the destination and, for a tromboned path, latency penalty."""
    verdicts: list[PathVerdict] = []
    floor = like.floor_rtt_ms
    penalty = like.verdict is Verdict.TROMBONED and floor is not None
    for trace in traces:
        # Found anew rather than `destination_rtt_ms`, which keeps it in the trace.
        rtt = trace.reach_destination()[1]
        extra = (
            round(rtt - floor, 2) if penalty and rtt is not None and floor is not None else None
        )
        verdicts.append(
            msgspec.structs.replace(like, trace=trace.key, rtt_ms=rtt, extra_rtt_ms=extra)
        )
    return verdicts


def reach_note(
    origin: tuple[float, float],
    rtt_ms: float,
    home: str,
    places: Gazetteer,
    access_ms: float = 0.0,
    memo: JudgeMemo | None = None,
) -> str:
    """Returns which foreign interconnection hubs a detour could have visited, given that the
    destination answered in `rtt_ms`, `access_ms` of it the probes' access links (the detour
    there and back must fit in the rest). `memo` keeps the hubs' distances from the origin
    for the run's next call."""
    budget = radius_km(max(0.0, rtt_ms - access_ms))
    what = f"{rtt_ms:.1f} ms RTT" + (
        f" ({access_ms:.1f} ms of it access links)" if access_ms > 0 else ""
    )
    if memo is None:
        hubs = _hubs_by_distance(origin, places, home)
    else:
        known = memo.hubs.get((origin, home))
        if known is None or known[0] is not places:
            known = memo.hubs[(origin, home)] = (places, _hubs_by_distance(origin, places, home))
        hubs = known[1]
    within = [hub for hub in hubs if hub[0] <= budget]
    if not within:
        return f"the {what} rules out every foreign interconnection hub"
    if len(within) > 4:
        return (
            f"the {what} leaves {len(within)} foreign hubs within reach (nearest: {within[0][1]})"
        )
    return f"the {what} rules out every foreign hub but {'; '.join(label for _d, label in within)}"


def _local(
    verdict: Callable[..., PathVerdict],
    home: str,
    confidence: float,
    home_ixps: tuple[bool, AbstractSet[str]],
    why: str = "",
) -> PathVerdict:
    """`home_ixps`: whether a hop on a home IXP LAN is placed at home, and the names of the
    home IXP LANs the path crosses; `why`, when given, ends the reason."""
    make = verdict
    via, crossed = home_ixps
    tail = f": {why}" if why else ""
    if via:
        names = sorted(crossed)
        return make(
            Verdict.LOCAL_VIA_IXP,
            f"stayed in {home}, crossing {', '.join(names)}{tail}",
            confidence,
        )
    return make(Verdict.LOCAL, f"stayed in {home}{tail}", confidence)


@dataclass(frozen=True, slots=True)
class _HomeStep:
    """A hop placed at home: its evidence, the point it anchors (None when placed at home
    without a city), and the stretch of hops that could not be placed before it (checked
    against the RTTs when not empty)."""

    number: int
    stop: int  # index in the route of the view that anchors it
    evidence: Evidence
    point: tuple[float, float] | None
    gap: tuple[HopView, ...]


@dataclass(frozen=True, slots=True)
class _DestinationStep:
    """The destination answered without being placed: it closes the path."""

    stop: int
    gap: tuple[HopView, ...]  # the hops not placed since the last home hop, if any


@dataclass(frozen=True, slots=True)
class _WalkPlan:
    """What walking a route finds from its annotations alone; the RTTs decide the rest."""

    steps: tuple[_HomeStep | _DestinationStep, ...]
    is_destination: tuple[bool, ...]  # per stop of the route
    # Once the steps are through: None to go on to the confidence, else an inconclusive
    # reason found on the way (no hop placed at all).
    failure: str | None
    confidence: float  # of a local verdict: min of the steps' times 0.9 per hop not placed


def _walk_plan(
    at: AnnotatedTrace,
    home: str,
    origin_point: tuple[float, float],
    settings: JudgeSettings,
) -> _WalkPlan:
    trace = at.trace
    route = trace.route()
    stops = route.stops
    infos = at.infos
    count = len(stops)
    destination = trace.destination
    numbers, key = route.numbers, trace.address_keys()[0]
    if destination is None:
        is_destination: tuple[bool, ...] = (False,) * count
    elif numbers is not None and type(key) is int and key:  # by number, as `Route.reach`
        is_destination = tuple([number == key for number in numbers])
    else:
        is_destination = tuple(
            [address is destination or address == destination for _n, address, _i in stops]
        )
    # Leading special-purpose or silent hops are the probe's own network: skip them, when
    # some hop after them is neither. Stops are told by their index in the route.
    start = 0
    first_plain = next(
        (i for i, info in enumerate(infos) if info is not None and info.special is None), None
    )
    if first_plain is not None:
        while start < first_plain and not (infos[start] is None and stops[start][1] is not None):
            start += 1
    # The stops grouped by hop number, in hop order (one stop a group on most routes).
    groups: list[list[int]]
    if route.one_per_hop and all(
        stops[i][0] < stops[i + 1][0] for i in range(start, count - 1)
    ):
        groups = [[i] for i in range(start, count)]
    else:
        by_number: dict[int, list[int]] = {}
        for i in range(start, count):
            by_number.setdefault(stops[i][0], []).append(i)
        groups = [by_number[number] for number in sorted(by_number)]
    gap: list[HopView] = []
    unknown_total = 0
    confidences: list[float] = []
    steps: list[_HomeStep | _DestinationStep] = []
    for group in groups:
        at_home = []
        reached = False
        all_annotated = True
        for i in group:
            info = infos[i]
            if info is None:
                all_annotated = False
            elif info.special is None and _anchors(info.location, home):
                at_home.append(i)
            if is_destination[i]:
                reached = True
        first = group[0]
        number = stops[first][0]
        if len(at_home) == len(group) or (reached and not gap and all_annotated and at_home):
            stop = at_home[0]
            address = stops[stop][1]
            info = infos[stop]
            assert info is not None
            confidences.append(info.location.confidence)
            text = info.text if info.address == address else str(address)
            fact = f"hop {number} {text}: {_best_fact(info.location)}"
            city = info.location.city
            point = None if city is None else (city.latitude, city.longitude)
            steps.append(
                _HomeStep(
                    number, stop, Evidence("location", fact, number, text, home), point, tuple(gap)
                )
            )
            gap = []
            continue
        if reached:
            steps.append(_DestinationStep(first, tuple(gap)))
            gap = []
            break
        _number, address, inherited = stops[first]
        gap.append(HopView(number, address, infos[first], None, inherited))
        unknown_total += 1
    if not confidences:
        failure = "no hop could be placed in any country (no reverse DNS, IXP or RTT evidence)"
        return _WalkPlan(tuple(steps), is_destination, failure, 0.0)
    return _WalkPlan(
        tuple(steps), is_destination, None, min(confidences) * UNPLACED_HOP_FACTOR**unknown_total
    )


def _anchors(location: Location, home: str) -> bool:
    """Returns whether a hop's location places it at home on one claim that could do so on
    its own (the speed of light, a name, a home member's IXP LAN): weak claims that only add
    up to it (a remote member's port on a home IXP LAN and the LAN's registry country, which
    both say where the exchange is, not the router) leave the hop to the RTTs."""
    if not location.is_inside(home):
        return False
    for c in location.claims:
        if c.refuted is None and c.country == home and c.weight >= MEDIUM:
            return True
    return False


def _walk(
    verdict: Callable[..., PathVerdict],
    at: AnnotatedTrace,
    home: str,
    origin_point: tuple[float, float] | None,
    origin_slack_km: float,
    destination: tuple[bool, tuple[float, float] | None, float],
    crossings: tuple[Crossing, ...],
    anywhere_abroad: tuple[Crossing, ...],
    settings: JudgeSettings,
    evidence: list[Evidence],
    src_access_ms: float,
    dst_access_ms: float,
    home_ixps: tuple[bool, AbstractSet[str]],
    memo: JudgeMemo,
) -> PathVerdict:
    """Walks the path from the probe: every hop placed at home, and each stretch of hops
    that could not be placed between two of them ruled out, by the RTTs, for a detour
    through any place abroad where networks interconnect (see `detours`). The destination
    closes the path: when it is not known to be at home, the RTTs must also rule out its
    standing at any place abroad."""
    make = verdict
    if origin_point is None:
        return make(
            Verdict.INCONCLUSIVE,
            "the probe's location is unknown, so no hop can be checked against it",
            0.0,
        )
    trace = at.trace
    # What the plan depends on: the route's annotations (one per route object and run's
    # annotator) and the destination's.
    dst_serial = 0 if at.destination is None else at.destination.serial
    key = (trace.route().serial, dst_serial, home, origin_point, settings)
    known = memo.walks.get(key)
    if known is None or known[0] is not at.infos:  # annotated alike (by one annotator)
        known = memo.walks[key] = (at.infos, _walk_plan(at, home, origin_point, settings))
    plan = known[1]
    later = _later_minimum(trace, plan.is_destination, src_access_ms, dst_access_ms)
    s = origin_point
    anchor, anchor_slack = s, 0.0
    for step in plan.steps:
        if isinstance(step, _HomeStep):
            evidence.append(step.evidence)
            point, slack = (
                (s, 0.0) if step.point is None else (step.point, settings.city_slack_km)
            )
            if step.gap:
                ok, fact = _stretch_ok(
                    step.gap, s, anchor, point, later[step.stop], crossings,
                    (origin_slack_km, anchor_slack, slack), memo.detours,
                )  # fmt: skip
                evidence.append(Evidence("path", fact, step.gap[0].number, None, None))
                if not ok:
                    return make(Verdict.INCONCLUSIVE, fact, 0.0)
            anchor, anchor_slack = point, slack
            continue
        at_home, dst_point, dst_slack = destination
        if at_home and not step.gap:
            continue  # the last home hop hands the packet to the destination, at home
        ok, fact = _stretch_ok(
            step.gap or (_view(at, step.stop),), s, anchor, dst_point or s, later[step.stop],
            crossings if at_home else anywhere_abroad,
            (origin_slack_km, anchor_slack, dst_slack if at_home else 0.0), memo.detours,
        )  # fmt: skip
        hop = (step.gap or (_view(at, step.stop),))[0].number
        evidence.append(Evidence("path", fact, hop, None, None))
        if not ok:
            return make(Verdict.INCONCLUSIVE, fact, 0.0)
    if plan.failure is not None:
        return make(Verdict.INCONCLUSIVE, plan.failure, 0.0)
    return _local(make, home, plan.confidence, home_ixps)


def _view(at: AnnotatedTrace, stop: int) -> HopView:
    number, address, inherited = at.trace.route().stops[stop]
    return HopView(number, address, at.infos[stop], None, inherited)


def _later_minimum(
    trace: Trace, is_destination: tuple[bool, ...], src_access_ms: float, dst_access_ms: float
) -> list[float | None]:
    """Returns, per stop of the trace's route, the smallest RTT (ms) of that stop and every
    later one, less the probe's access delay (and, for the destination's own replies, the
    destination's): what bounds a detour before that stop. A hop answering slower than a
    later one never counts as distance. A route with several addresses at one hop (load
    balancing) reads each stop's own RTT only, since a later stop may be on another branch."""
    rtts = trace.stop_rtts()
    own: list[float | None] = [
        None if r is None else max(0.0, r - (dst_access_ms if is_destination[i] else 0.0))
        for i, r in enumerate(rtts)
    ]
    if trace.route().one_per_hop:
        best: float | None = None
        for index in range(len(own) - 1, -1, -1):
            value = own[index]
            if value is not None and (best is None or value < best):
                best = value
            own[index] = best
    return [None if r is None else max(0.0, r - src_access_ms) for r in own]


def _describe(view: HopView) -> str:
    if view.address is None:
        return f"hop {view.number} silent"
    if view.info is not None and view.info.special is not None:
        return f"hop {view.number} {view.address} ({view.info.special})"
    if view.info is not None and view.info.location.strength == Strength.WEAK:
        return f"hop {view.number} {view.address} (registry country only)"
    return f"hop {view.number} {view.address} (no location evidence)"


def _stretch_ok(
    gap: Sequence[HopView],
    s: tuple[float, float],
    a: tuple[float, float],
    b: tuple[float, float],
    rtt_ms: float | None,
    crossings: tuple[Crossing, ...],
    uncertainty_km: tuple[float, float, float],
    memo: DetourMemo | None = None,
) -> tuple[bool, str]:
    """Returns whether the RTT read at `b` or later rules out a detour through `gap` via any
    of `crossings`, and the fact in words."""
    what = ", ".join(_describe(v) for v in gap)
    if rtt_ms is None:
        return (
            False,
            f"a detour abroad through {what} cannot be excluded: no usable RTT after it",
        )
    floor = detour_floor(s, a, b, rtt_ms, crossings, uncertainty_km, memo)
    if floor is None:
        return True, f"{what}: no place abroad to detour through is known"
    return floor.ruled_out, floor.sentence(what)


def _hubs_by_distance(
    origin: tuple[float, float], places: Gazetteer, home: str
) -> tuple[tuple[float, str], ...]:
    """Returns (distance in km, label) of every interconnection hub outside `home`, nearest
    first, from `origin`."""
    return tuple(
        sorted(
            (distance_km(*origin, c.latitude, c.longitude), c.label)
            for c in places.cities.values()
            if c.hub and c.country != home
        )
    )
