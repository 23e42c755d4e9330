"""Which addresses keep verdicts undecided, and where each can still be: the analysis half of
`ixpready locate` (the job, `pipeline.locate`, plans and sends the pings).

For the inconclusive domestic paths of an analysis (a contradicted probe's apart), the hop
addresses that no evidence places (registry-only, or claims that cancel out; special ranges
and destinations apart), those on most paths first; for each, the home cities and the
interconnection hubs abroad that every speed-of-light disc of it still reaches. Sans I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ixpready.analysis.core import ping_observations
from ixpready.analysis.verdicts import AnalysisResult, Verdict
from ixpready.enrichment.annotate import (
    CITY_SLACK_KM,
    Annotator,
    Lookups,
    Vantage,
    observe,
    vantage_of,
)
from ixpready.enrichment.geo import City, distance_km, radius_km
from ixpready.measurements.records import IPAddress, PingResult, Probe, Trace


@dataclass(frozen=True, slots=True)
class Target:
    """An address whose place would decide verdicts, and what is known of where it can be."""

    address: IPAddress
    paths: int  # inconclusive domestic paths it is on
    places: tuple[City, ...]  # candidate places, in the order they are tried


def _reach(place: City, discs: Iterable[tuple[Vantage, float]]) -> bool:
    for vantage, rtt in discs:
        assert vantage.latitude is not None and vantage.longitude is not None
        far = distance_km(vantage.latitude, vantage.longitude, place.latitude, place.longitude)
        if far - CITY_SLACK_KM > radius_km(rtt) + vantage.uncertainty_km:
            return False
    return True


def candidate_places(
    annotator: Annotator, address: IPAddress, home: str, limit: int
) -> tuple[City, ...]:
    """Returns the places an address may be at: the home cities and the interconnection hubs
    abroad that every speed-of-light disc of it reaches. Home first (the one nearest the
    smallest disc's centre), then abroad: the country it is registered in first, then by
    distance from the smallest disc's centre. Empty when no probe of known place saw it."""
    discs = annotator.discs(address)
    if not discs:
        return ()
    centre = min(discs, key=lambda d: radius_km(d[1]) + d[0].uncertainty_km)[0]
    assert centre.latitude is not None and centre.longitude is not None
    lat, lon = centre.latitude, centre.longitude
    registered = annotator.static(address)[4]
    cities = annotator.lookups.places.cities.values()
    reachable = [c for c in cities if (c.country == home or c.hub) and _reach(c, discs)]

    def far(city: City) -> float:
        return distance_km(lat, lon, city.latitude, city.longitude)

    at_home = sorted((c for c in reachable if c.country == home), key=far)[:1]
    abroad = sorted(
        (c for c in reachable if c.country != home), key=lambda c: (c.country != registered, far(c))
    )
    return tuple([*at_home, *abroad][:limit])


def unplaced_targets(
    result: AnalysisResult,
    traces: Sequence[Trace],
    pings: Sequence[PingResult],
    probes: Mapping[int, Probe],
    lookups: Lookups,
    places_per_address: int,
) -> tuple[int, tuple[Target, ...]]:
    """Returns how many domestic paths of `result` (the analysis of `traces` and `pings`) are
    inconclusive, and the addresses on them that no evidence places, those on most paths
    first, each with up to `places_per_address` candidate places (`candidate_places`)."""
    home = result.country
    undecided_keys = {
        (p.trace.msm_id, p.trace.prb_id, p.trace.timestamp)
        for p in result.paths
        if p.verdict is Verdict.INCONCLUSIVE and not any(e.kind == "probe" for e in p.evidence)
    }
    # The annotation of the run, every probe trusted (a contradicted probe's paths are left
    # out above), the pings already made included.
    vantages: dict[int, Vantage] = {}
    for trace in traces:
        owner = probes.get(trace.key.prb_id) or trace.vantage
        if owner is not None:
            vantages.setdefault(trace.key.prb_id, vantage_of(owner, lookups.places))
    observations = observe(traces)
    pinged: dict[IPAddress, set[int]] = {}
    for ping in pings:
        owner = probes.get(ping.key.prb_id) or ping.vantage
        if owner is not None:
            vantages.setdefault(ping.key.prb_id, vantage_of(owner, lookups.places))
    for address, per_probe in ping_observations(pings).items():
        seen = observations.setdefault(address, {})
        for prb, rtt in per_probe.items():
            if rtt <= seen.get(prb, float("inf")):
                seen[prb] = rtt
                pinged.setdefault(address, set()).add(prb)
    annotator = Annotator(lookups, home, vantages, observations, pinged)
    counts: dict[IPAddress, int] = {}
    for trace in traces:
        key = trace.key
        if (key.msm_id, key.prb_id, key.timestamp) not in undecided_keys:
            continue
        on_path: set[IPAddress] = set()
        for view in annotator.annotate(trace).hops:
            info = view.info
            if info is None or info.special is not None or view.address == trace.destination:
                continue
            if not info.location.is_located:  # registry-only, or claims that cancel out
                on_path.add(info.address)
        for address in on_path:
            counts[address] = counts.get(address, 0) + 1
    ordered = sorted(counts, key=lambda a: (-counts[a], a.version, int(a)))
    targets = tuple(
        Target(
            a, counts[a], candidate_places(annotator, a, home, places_per_address)
        )
        for a in ordered
    )
    return len(undecided_keys), targets
