"""AnnotatedTrace -> PathVerdict: does a path between two domestic networks leave the country?

Rules, in order (README, "How verdicts are decided"):
1. Scope: both ends' networks registered in the home country make a domestic pair; any other
   path gets scope outbound/inbound/foreign/unknown and is reported separately.
2. A probe whose declared place its own RTTs contradict gives `inconclusive`.
3. `tromboned` when a hop is placed abroad with at least MEDIUM evidence, or the path crosses
   a foreign IXP's peering LAN that the RTTs do not rule out (the frame crossed that fabric).
4. `inconclusive` when the destination was not reached.
5. `local` when the destination answered faster than any place abroad allows, or when every
   answering hop is placed at home and each stretch of silent or unlocated hops is short,
   bracketed by home hops, and its RTT rise is too small for a detour through the nearest
   foreign interconnection hub. `local_via_ixp` when such a path crosses a home IXP LAN.
   Otherwise `inconclusive`, naming the hops that could not be placed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache, partial

from ixpready.analysis.verdicts import Evidence, PathVerdict, ProbeCheck, Scope, Verdict
from ixpready.enrichment.annotate import (
    AddressInfo,
    AnnotatedTrace,
    HopView,
    Location,
    Strength,
)
from ixpready.enrichment.geo import City, Gazetteer, distance_km, floor_rtt_ms, radius_km
from ixpready.measurements.records import IPAddress, Trace, route_groups


@dataclass(frozen=True, slots=True)
class JudgeSettings:
    """Tolerances: how many consecutive (and total) silent or unlocated hops a local verdict
    may bridge when RTTs rule out a detour through them."""

    max_unknown_gap: int = 2
    max_unknown: int = 3


@dataclass(frozen=True, slots=True)
class Ends:
    """What is known of a path's two ends (from probe metadata and the reference data)."""

    src_asn: int | None
    src_country: str | None
    dst_asn: int | None
    dst_country: str | None
    dst_point: tuple[float, float] | None  # destination coordinates when it is a known probe
    src_access_ms: float = 0.0  # delay of the source probe's own access link (not distance)
    dst_access_ms: float = 0.0  # the same for the destination, when it is a known probe


ACCESS_SLACK_MS = 0.3  # of an access RTT, this much may be distance to the ISP's first router


def access_delay_ms(
    traces: Sequence[Trace], groups: Iterable[list[int]] | None = None
) -> dict[int, float]:
    """Returns, per probe, the delay of its own access link that is not distance (ms).

    A probe's RTT to the first router beyond its home gateway (hop 2 when hop 1 is a private
    gateway, else hop 1) is mostly DSL/cable/radio access delay, present in every RTT it
    measures and in every RTT measured *to* it. The smallest such RTT over the probe's traces,
    less `ACCESS_SLACK_MS` for the few km to that router, is discounted before RTTs are
    turned into distances across a whole path. `groups` may pass `route_groups(traces)` or
    a finer grouping of the traces' positions (each group one probe and route object).
    """
    best: dict[int, float] = {}
    for positions in route_groups(traces) if groups is None else groups:
        head = traces[positions[0]]
        stop = _first_isp_stop(head)
        if stop is None:
            continue
        found = [rtt for p in positions if (rtt := traces[p].stop_rtts()[stop]) is not None]
        if found:
            first = min(found)
            prb = head.key.prb_id
            best[prb] = min(best.get(prb, first), first)
    return {prb: max(0.0, rtt - ACCESS_SLACK_MS) for prb, rtt in best.items()}


@lru_cache(maxsize=1 << 12)  # a run's probes have a few home gateways between them
def _is_private(address: IPAddress) -> bool:
    """`address.is_private`, kept (it tests some fifteen networks)."""
    return address.is_private


def _first_isp_stop(trace: Trace) -> int | None:
    """Returns the index in the trace's route of the stop of the first router beyond the home
    gateway: hop 2's first address when hop 1 answered only from private addresses, else hop
    1's (the trace's first hop); None when that hop is silent."""
    route = trace.route()
    if route.one_per_hop:  # each stop is a hop: read the route
        for index, (number, address, _inherited) in enumerate(route.stops):
            if number == 1 and address is not None and _is_private(address):
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


# What judging needs of one annotated address, given the home country (see `_facts`).
_Facts = tuple[int | None, bool, str | None, str, str | None, bool, "_Abroad | None", bool]
# Of an address placed abroad or on a foreign IXP: (country, city label, evidence kind,
# fact, confidence, refuted claims as (kind, sentence, country)).
_Abroad = tuple[str | None, str | None, str, str, float, tuple[tuple[str, str, str | None], ...]]


@dataclass(frozen=True, slots=True)
class _RouteFacts:
    """What judging takes from a route's annotations alone, whatever trace took the route:
    the hops' networks, the IXPs crossed, and what is abroad with its evidence."""

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


class JudgeMemo:
    """Per run, what `judge` worked out: about each address (by its AddressInfo object) and
    about each annotated route (by its tuple of AddressInfo, one per route object), for the
    home country it was worked out for. Each entry keeps its key object, so the key stays
    its own."""

    __slots__ = ("facts", "routes", "said", "walks")

    def __init__(self) -> None:
        self.facts: dict[int, tuple[AddressInfo, str, _Facts]] = {}
        # Per AddressInfo object (kept alive by `facts`), hop number and home country: what
        # a hop abroad says, as evidence.
        self.said: dict[tuple[int, int, str], tuple[Evidence, ...]] = {}
        self.routes: dict[int, tuple[tuple[AddressInfo | None, ...], str, _RouteFacts]] = {}
        # Per annotated route and destination object, home, probe place and settings: how
        # walking it goes, the RTTs apart (`_walk_plan`).
        self.walks: dict[
            tuple[int, int, str, tuple[float, float], JudgeSettings],
            tuple[tuple[AddressInfo | None, ...], IPAddress | None, _WalkPlan],
        ] = {}


def _facts(info: AddressInfo, home: str) -> _Facts:
    """Returns (asn, judged: not special-purpose, IXP LAN name, its country,
    home IXP LAN name, on a home IXP and placed at home, when the address is abroad or on
    a foreign IXP's LAN what the evidence says (see `_Abroad`; None otherwise), and whether
    there is nothing to say but the ASN)."""
    ixp = info.ixp
    counted = info.special is None
    abroad = counted and info.location.is_outside(home)
    via_ixp = counted and _foreign_ixp(info, home)
    at_home_ixp = ixp is not None and ixp.lan.country == home
    foreign: _Abroad | None = None
    if abroad or via_ixp:
        location = info.location
        country = (
            location.country
            if abroad and location.country != home
            else (ixp.lan.country if via_ixp and ixp else None)
        )
        city = location.city if abroad else (ixp.lan.city if ixp else None)
        fact = (
            _best_fact(location)
            if abroad
            else next(c.fact for c in location.claims if c.kind == "ixp_lan")
        )
        foreign = (
            country,
            None if city is None else city.label,
            "ixp_lan" if via_ixp and not abroad else "location",
            fact,
            location.confidence if abroad else 0.6,
            tuple(
                (c.kind, f"ruled out: {c.fact} ({c.refuted})", c.country)
                for c in location.claims
                if c.refuted
            ),
        )
    home_ixp = ixp.lan.name if ixp is not None and at_home_ixp else None
    return (
        info.asn,
        counted,
        None if ixp is None else ixp.lan.name,
        "" if ixp is None else ixp.lan.country,
        home_ixp,
        at_home_ixp and info.location.is_inside(home),
        foreign,
        home_ixp is None and (not counted or (ixp is None and foreign is None)),
    )


def _route_facts(
    at: AnnotatedTrace, home: str, memo: JudgeMemo
) -> _RouteFacts:
    """Returns what the annotated route of `at` says (see `_RouteFacts`), once per route."""
    infos = at.infos
    known = memo.routes.get(id(infos))
    if known is not None and known[0] is infos and known[1] == home:
        return known[2]
    per_address = memo.facts
    evidence: list[Evidence] = []
    foreign_countries: list[str] = []
    foreign_cities: list[str] = []
    ixps: list[str] = []
    ixp_countries: list[str] = []
    carried_by: list[int] = []
    foreign_conf: list[float] = []
    asns: list[int | None] = []
    home_ixp_names: set[str] = set()
    via_home_ixp = False
    last_number: int | None = None
    said = memo.said
    for (number, address, _inherited), info in zip(at.trace.route().stops, infos, strict=True):
        if address is not None and (last_number is None or number > last_number):
            last_number = number
        if info is None:
            continue
        entry = per_address.get(id(info))
        if entry is None or entry[0] is not info or entry[1] != home:
            entry = per_address[id(info)] = (info, home, _facts(info, home))
        about = entry[2]
        asns.append(about[0])
        if about[7]:  # nothing else to say of this hop
            continue
        asn, counted, ixp_name, ixp_country, home_ixp, inside, foreign, _plain = about
        if home_ixp is not None:
            home_ixp_names.add(home_ixp)
            via_home_ixp = via_home_ixp or inside
        if not counted:
            continue
        if ixp_name is not None and ixp_name not in ixps:
            ixps.append(ixp_name)
            ixp_countries.append(ixp_country)
        if foreign is None:
            continue
        country, city_label, kind, fact, confidence, refuted = foreign
        if country and (not foreign_countries or foreign_countries[-1] != country):
            foreign_countries.append(country)
        if city_label is not None and city_label not in foreign_cities:
            foreign_cities.append(city_label)
        if asn is not None and asn not in carried_by:
            carried_by.append(asn)
        foreign_conf.append(confidence)
        # The same hop of the same address says the same on every route: made once.
        lines = said.get((id(info), number, home)) if info.address is address else None
        if lines is None:
            text = (
                info.text if info.address is address or info.address == address else str(address)
            )
            lines = (
                Evidence(kind, f"hop {number} {text}: {fact}", number, text, country),
                *(
                    Evidence(claim_kind, sentence, number, text, claim_country)
                    for claim_kind, sentence, claim_country in refuted
                ),
            )
            if info.address is address:
                said[(id(info), number, home)] = lines
        evidence += lines
    facts = _RouteFacts(
        asns=tuple(asns), home_ixp_names=frozenset(home_ixp_names), via_home_ixp=via_home_ixp,
        ixps=tuple(ixps), ixp_countries=tuple(ixp_countries),
        foreign_countries=tuple(foreign_countries), foreign_cities=tuple(foreign_cities),
        carried_by=tuple(carried_by), foreign_confidence=max(foreign_conf, default=None),
        evidence=tuple(evidence), last_number=last_number,
    )  # fmt: skip
    memo.routes[id(infos)] = (infos, home, facts)
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
) -> PathVerdict:
    """Returns the verdict on one annotated trace, with the evidence that decided it.

    `memo` keeps what was worked out about each address and each annotated route from one
    path to the next (one per run, any home country); without it, each call works it out
    afresh. Either way the verdict is the same.
    """
    return judge_route(at, home, ends, check, places, settings, memo=memo)[0]


def judge_route(
    at: AnnotatedTrace,
    home: str,
    ends: Ends,
    check: ProbeCheck | None,
    places: Gazetteer,
    settings: JudgeSettings | None = None,
    *,
    memo: JudgeMemo | None = None,
) -> tuple[PathVerdict, bool]:
    """Returns `judge`'s verdict and whether it holds for every trace alike (`restate_many`):
    one with the same route object, address family, destination, origin, and an error or
    not, judged with the same vantage, ends and probe check. Such a verdict depends on the
    route and the ends alone, the trace's RTT to the destination and a tromboned path's
    penalty apart; one that weighs the trace's RTTs hop by hop does not."""
    settings = settings or JudgeSettings()
    memo = JudgeMemo() if memo is None else memo
    trace = at.trace
    reached = trace.destination_reached
    rtt = trace.destination_rtt_ms
    scope = _scope(home, ends)
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
            floor = round(floor_rtt_ms(distance_km(*origin_point, *target)), 2)

    facts = _route_facts(at, home, memo)
    path_key = (ends.src_asn, ends.dst_asn, reached)
    path = facts.as_paths.get(path_key)
    if path is None:
        path = facts.as_paths[path_key] = _as_path(facts.asns, *path_key)
    home_ixps = (facts.via_home_ixp, facts.home_ixp_names)
    destination = trace.destination
    dst_text = (
        None
        if destination is None
        else at.destination.text
        if at.destination is not None
        and (at.destination.address is destination or at.destination.address == destination)
        else str(destination)
    )

    def verdict(
        kind: Verdict,
        reason: str,
        confidence: float,
        extra: float | None = None,
        evidence: Iterable[Evidence] = facts.evidence,
    ) -> PathVerdict:
        return PathVerdict(
            trace=trace.key, scope=scope, verdict=kind, reason=reason, af=trace.af,
            dst_addr=dst_text,
            src_asn=ends.src_asn, dst_asn=ends.dst_asn, src_country=ends.src_country,
            dst_country=ends.dst_country, as_path=path, foreign_countries=facts.foreign_countries,
            foreign_cities=facts.foreign_cities, ixps=facts.ixps,
            ixp_countries=facts.ixp_countries, carried_by=facts.carried_by, rtt_ms=rtt,
            floor_rtt_ms=floor, extra_rtt_ms=None if extra is None else round(extra, 2),
            confidence=round(max(0.0, min(1.0, confidence)), 3),
            evidence=evidence if isinstance(evidence, tuple) else tuple(evidence),
            origin=trace.origin,
        )  # fmt: skip

    if scope is not Scope.DOMESTIC:
        where = {Scope.OUTBOUND: f"destination network registered in {ends.dst_country}",
                 Scope.INBOUND: f"source probe declared in {ends.src_country}",
                 Scope.FOREIGN: "neither end is at home",
                 Scope.UNKNOWN: "an end's country is unknown (no probe metadata or registry record)"}[scope]  # fmt: skip
        return verdict(Verdict.INCONCLUSIVE, f"not a domestic pair: {where}", 0.0), True
    if check is not None and check.status == "contradicted":
        return verdict(
            Verdict.INCONCLUSIVE,
            f"probe {check.prb_id} is not where declared",
            0.0,
            evidence=(Evidence("probe", f"probe {check.prb_id}: {check.detail}"), *facts.evidence),
        ), True
    if trace.error and not trace.hops:
        return verdict(
            Verdict.INCONCLUSIVE, f"the probe could not measure: {trace.error}", 0.0
        ), False
    foreign_confidence = facts.foreign_confidence
    if facts.foreign_countries or (foreign_confidence is not None and facts.ixps):
        assert foreign_confidence is not None
        extra = None if rtt is None or floor is None or not reached else rtt - floor
        places_text = ", ".join(facts.foreign_cities) or ", ".join(facts.foreign_countries)
        reason = f"left {home} through {places_text}"
        if facts.carried_by:
            reason += " (" + ", ".join(f"AS{a}" for a in facts.carried_by) + ")"
        if not reached:
            reason += "; destination not reached"
        return verdict(Verdict.TROMBONED, reason, foreign_confidence, extra), True
    if not reached:
        last = facts.last_number
        tail = f" (last reply at hop {last})" if last is not None else " (no hop replied)"
        return verdict(Verdict.INCONCLUSIVE, "destination not reached" + tail, 0.0), True

    # The destination answered: was every stretch of the path at home?
    evidence = list(facts.evidence)
    if (
        origin_point is not None
        and rtt is not None
        and vantage is not None
        and vantage.country == home
    ):
        travel = max(0.0, rtt - ends.src_access_ms - ends.dst_access_ms)
        reach = radius_km(travel) + vantage.uncertainty_km
        nearest = places.nearest_foreign_km(*origin_point, home, False)
        if reach < nearest:
            access = ""
            if travel < rtt:
                access = f" ({rtt - travel:.1f} ms of it the two probes' own access links)"
            evidence.append(
                Evidence(
                    "rtt_bound",
                    f"the destination answered in {rtt:.1f} ms{access}: the whole path lies within {reach:.0f} km of the probe, nearer than any place abroad ({nearest:.0f} km)",
                    None,
                    str(trace.destination),
                    home,
                )
            )
            return _local(partial(verdict, evidence=evidence), home, 1.0, home_ixps), False
    outcome = _walk(
        partial(verdict, evidence=evidence),
        at,
        home,
        origin_point,
        places,
        settings,
        evidence,
        ends.dst_access_ms,
        home_ixps,
        memo,
    )
    if outcome.verdict is Verdict.INCONCLUSIVE and origin_point is not None and rtt is not None:
        note = reach_note(
            origin_point, max(0.0, rtt - ends.src_access_ms - ends.dst_access_ms), home, places
        )
        # The walk's verdict was made of `evidence` as it stands: add the note to both.
        evidence.append(Evidence("rtt_bound", note, None, str(trace.destination), None))
        outcome = verdict(
            Verdict.INCONCLUSIVE, f"{outcome.reason}; {note}", outcome.confidence, None, evidence
        )
    return outcome, False


def restate_many(like: PathVerdict, traces: Iterable[Trace]) -> list[PathVerdict]:
    """Returns the verdict on each of `traces` given the verdict `like` on a trace alike,
    which holds for every trace alike (see `judge_route`): the same, with the trace's key,
    RTT to the destination and, for a tromboned path, latency penalty."""
    verdicts: list[PathVerdict] = []
    floor = like.floor_rtt_ms
    penalty = like.verdict is Verdict.TROMBONED and floor is not None
    for trace in traces:
        destination = trace.destination
        # Read from the route rather than `destination_rtt_ms`, which keeps it in the trace.
        rtt = (
            None if destination is None else trace.route().reach(destination, trace.stop_rtts())[1]
        )
        extra = (
            round(rtt - floor, 2) if penalty and rtt is not None and floor is not None else None
        )
        verdict = PathVerdict(
            trace.key, like.scope, like.verdict, like.reason, like.af, like.dst_addr,
            like.src_asn, like.dst_asn, like.src_country, like.dst_country, like.as_path,
            like.foreign_countries, like.foreign_cities, like.ixps, like.ixp_countries,
            like.carried_by, rtt, floor, extra, like.confidence, like.evidence, like.origin,
        )  # fmt: skip
        verdicts.append(verdict)
    return verdicts


def reach_note(
    origin: tuple[float, float], rtt_ms: float, home: str, places: Gazetteer, access_ms: float = 0.0
) -> str:
    """Returns which foreign interconnection hubs a detour could have visited, given that the
    destination answered in `rtt_ms`, `access_ms` of it the probes' access links (the detour
    there and back must fit in the rest)."""
    budget = radius_km(max(0.0, rtt_ms - access_ms))
    what = f"{rtt_ms:.1f} ms RTT" + (
        f" ({access_ms:.1f} ms of it access links)" if access_ms > 0 else ""
    )
    within = [hub for hub in _hubs_by_distance(origin, places, home) if hub[0] <= budget]
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
) -> PathVerdict:
    """`home_ixps`: whether a hop on a home IXP LAN is placed at home, and the names of the
    home IXP LANs the path crosses."""
    make = verdict
    via, crossed = home_ixps
    if via:
        names = sorted(crossed)
        return make(
            Verdict.LOCAL_VIA_IXP, f"stayed in {home}, crossing {', '.join(names)}", confidence
        )
    return make(Verdict.LOCAL, f"stayed in {home}", confidence)


@dataclass(frozen=True, slots=True)
class _HomeStep:
    """A hop placed at home: its evidence, the point it anchors, and the stretch of hops
    that could not be placed before it (checked against the RTTs when not empty)."""

    number: int
    stop: int  # index in the route of the view that anchors it
    evidence: Evidence
    point: tuple[float, float]
    gap: tuple[HopView, ...]


@dataclass(frozen=True, slots=True)
class _DestinationStep:
    """The destination answered without being placed: it closes the path like a home hop."""

    stop: int
    gap: tuple[HopView, ...]  # checked when not empty


@dataclass(frozen=True, slots=True)
class _WalkPlan:
    """What walking a route finds from its annotations alone; the RTTs decide the rest."""

    steps: tuple[_HomeStep | _DestinationStep, ...]
    is_destination: tuple[bool, ...]  # per stop of the route
    # Once the steps are through: None to go on to the confidence, else an inconclusive
    # reason found on the way (too many hops not placed, none placed at all).
    failure: str | None
    confidence: float  # of a local verdict: min of the steps' times 0.9 per hop not placed


def _walk_plan(
    at: AnnotatedTrace,
    home: str,
    origin_point: tuple[float, float],
    settings: JudgeSettings,
) -> _WalkPlan:
    trace = at.trace
    stops = trace.route().stops
    views = [
        HopView(number, address, info, None, inherited)
        for (number, address, inherited), info in zip(stops, at.infos, strict=True)
    ]
    destination = trace.destination
    is_destination = tuple(
        destination is not None and (v.address is destination or v.address == destination)
        for v in views
    )
    index_of = {id(v): index for index, v in enumerate(views)}
    # Leading special-purpose or silent hops are the probe's own network: skip them.
    hops = list(views)
    while (
        hops
        and (hops[0].info is None or hops[0].info.special is not None)
        and not (hops[0].info is None and hops[0].address is not None)
    ):
        if any(h.info is not None and h.info.special is None for h in hops):
            hops.pop(0)
        else:
            break
    anchor_point, anchor_number = origin_point, 0
    gap: list[HopView] = []
    unknown_total = 0
    confidences: list[float] = []
    steps: list[_HomeStep | _DestinationStep] = []
    by_number: dict[int, list[HopView]] = {}
    for hop in hops:
        by_number.setdefault(hop.number, []).append(hop)
    for number in sorted(by_number):
        group = by_number[number]
        at_home = [
            v
            for v in group
            if v.info is not None and v.info.special is None and v.info.location.is_inside(home)
        ]
        reached = any(is_destination[index_of[id(v)]] for v in group)
        if len(at_home) == len(group) or (
            reached and not gap and all(v.info is not None for v in group) and at_home
        ):
            view = at_home[0]
            info = view.info
            assert info is not None
            confidences.append(info.location.confidence)
            text = info.text if info.address == view.address else str(view.address)
            fact = f"hop {number} {text}: {_best_fact(info.location)}"
            point = (
                (info.location.city.latitude, info.location.city.longitude)
                if info.location.city
                else anchor_point
            )
            steps.append(
                _HomeStep(
                    number, index_of[id(view)], Evidence("location", fact, number, text, home),
                    point, tuple(gap),
                )
            )  # fmt: skip
            gap = []
            anchor_point, anchor_number = point, number
            continue
        if reached:
            view = group[0]
            checked = tuple(gap or [view]) if gap or unknown_total else ()
            steps.append(_DestinationStep(index_of[id(view)], checked))
            gap = []
            break
        gap.extend(group[:1])
        unknown_total += 1
        if unknown_total > settings.max_unknown:
            what = ", ".join(_describe(v) for v in gap)
            failure = f"too many hops could not be placed ({unknown_total} after hop {anchor_number}: {what})"
            return _WalkPlan(tuple(steps), is_destination, failure, 0.0)
    if not confidences:
        failure = "no hop could be placed in any country (no reverse DNS, IXP or RTT evidence)"
        return _WalkPlan(tuple(steps), is_destination, failure, 0.0)
    return _WalkPlan(
        tuple(steps), is_destination, None, min(confidences) * (0.9**unknown_total)
    )


def _walk(
    verdict: Callable[..., PathVerdict],
    at: AnnotatedTrace,
    home: str,
    origin_point: tuple[float, float] | None,
    places: Gazetteer,
    settings: JudgeSettings,
    evidence: list[Evidence],
    dst_access_ms: float,
    home_ixps: tuple[bool, AbstractSet[str]],
    memo: JudgeMemo,
) -> PathVerdict:
    """Walks the path from the probe: every hop placed at home, and each stretch between two
    of them that could not be placed too short, by the RTTs, for a detour abroad."""
    make = verdict
    if origin_point is None:
        return make(
            Verdict.INCONCLUSIVE,
            "the probe's location is unknown, so no hop can be checked against it",
            0.0,
        )
    trace = at.trace
    key = (id(at.infos), id(trace.destination), home, origin_point, settings)
    known = memo.walks.get(key)
    if known is None or known[0] is not at.infos or known[1] is not trace.destination:
        known = memo.walks[key] = (
            at.infos, trace.destination, _walk_plan(at, home, origin_point, settings)
        )  # fmt: skip
    plan = known[2]
    rtts = trace.stop_rtts()
    is_destination = plan.is_destination

    def rtt_of(stop: int) -> float | None:
        """The hop's RTT; the destination's less its own access-link delay."""
        rtt = rtts[stop]
        if rtt is None or not is_destination[stop]:
            return rtt
        return max(0.0, rtt - dst_access_ms)

    anchor_point, anchor_rtt = origin_point, 0.0
    for step in plan.steps:
        if isinstance(step, _HomeStep):
            evidence.append(step.evidence)
            if step.gap:
                ok, fact = _gap_ok(
                    list(step.gap), anchor_point, anchor_rtt, step.point, rtt_of(step.stop),
                    places, home, settings,
                )  # fmt: skip
                evidence.append(Evidence("path", fact, step.gap[0].number, None, None))
                if not ok:
                    return make(Verdict.INCONCLUSIVE, fact, 0.0)
            anchor_point = step.point
            own = rtts[step.stop]
            anchor_rtt = own if own is not None else anchor_rtt
            continue
        if step.gap:
            ok, fact = _gap_ok(
                list(step.gap), anchor_point, anchor_rtt, anchor_point, rtt_of(step.stop),
                places, home, settings,
            )  # fmt: skip
            evidence.append(Evidence("path", fact, step.gap[0].number, None, None))
            if not ok:
                return make(Verdict.INCONCLUSIVE, fact, 0.0)
    if plan.failure is not None:
        return make(Verdict.INCONCLUSIVE, plan.failure, 0.0)
    return _local(make, home, plan.confidence, home_ixps)


def _describe(view: HopView) -> str:
    if view.address is None:
        return f"hop {view.number} silent"
    if view.info is not None and view.info.special is not None:
        return f"hop {view.number} {view.address} ({view.info.special})"
    if view.info is not None and view.info.location.strength == Strength.WEAK:
        return f"hop {view.number} {view.address} (registry country only)"
    return f"hop {view.number} {view.address} (no location evidence)"


def _gap_ok(
    gap: list[HopView],
    a_point: tuple[float, float],
    a_rtt: float,
    b_point: tuple[float, float],
    b_rtt: float | None,
    places: Gazetteer,
    home: str,
    settings: JudgeSettings,
) -> tuple[bool, str]:
    what = ", ".join(_describe(v) for v in gap)
    if len(gap) > settings.max_unknown_gap:
        return False, f"{len(gap)} consecutive hops could not be placed ({what})"
    if b_rtt is None:
        return (
            False,
            f"a detour abroad through {what} cannot be excluded: the next placed hop has no usable RTT",
        )
    budget = _detour_km(a_point, b_point, places, home) / 200.0
    rise = b_rtt - a_rtt
    if rise < budget:
        return (
            True,
            f"{what}: the RTT rose only {max(rise, 0):.1f} ms across them, less than the {budget:.1f} ms a detour through the nearest hub abroad would add",
        )
    return (
        False,
        f"a detour abroad through {what} cannot be excluded (RTT rose {rise:.1f} ms, a detour needs {budget:.1f} ms)",
    )


@lru_cache(maxsize=1 << 10)  # one per probe location
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


@lru_cache(maxsize=16)
def _hubs_abroad(places: Gazetteer, home: str) -> tuple[City, ...]:
    """Returns the gazetteer's interconnection hubs outside `home`."""
    return tuple(c for c in places.cities.values() if c.hub and c.country != home)


@lru_cache(maxsize=1 << 14)  # paths of a run bridge gaps between the same few places
def _detour_km(
    a_point: tuple[float, float], b_point: tuple[float, float], places: Gazetteer, home: str
) -> float:
    """Returns the smallest extra distance (km) a detour from a to b through a hub abroad adds."""
    direct = distance_km(*a_point, *b_point)
    return min(
        distance_km(*a_point, h.latitude, h.longitude)
        + distance_km(h.latitude, h.longitude, *b_point)
        - direct
        for h in _hubs_abroad(places, home)
    )
