"""Is each probe where its host declared it? Judged by its own RTTs, never by its word alone.

About 1.5 % of RIPE Atlas probes are not where declared. A probe is *contradicted* when at
least two different router addresses that other evidence (reverse DNS, IXP LAN) places in a
known city answered it faster than light allows from the declared spot; one such address
alone is more likely a wrong hint than a wrong probe, and only that hint is refuted.
It is *confirmed* when some address answered fast enough to be nearer to it than any place
abroad, and nothing contradicts it; otherwise it stays *unverified*.
"""

from __future__ import annotations

from collections.abc import Mapping

from ixpready.analysis.verdicts import ProbeCheck
from ixpready.enrichment.annotate import CITY_SLACK_KM, Annotator, Vantage
from ixpready.enrichment.geo import distance_km, radius_km
from ixpready.measurements.records import IPAddress

CONTRADICTIONS_NEEDED = 2


def check_probes(
    annotator: Annotator, observations: Mapping[IPAddress, Mapping[int, float]]
) -> dict[int, ProbeCheck]:
    """Returns a check per probe of `annotator.vantages`, by the RTTs in `observations`."""
    per_probe: dict[int, list[tuple[IPAddress, float]]] = {}
    for address, seen in observations.items():
        for prb, rtt in seen.items():
            per_probe.setdefault(prb, []).append((address, rtt))
    checks: dict[int, ProbeCheck] = {}
    for prb, vantage in annotator.vantages.items():
        checks[prb] = _check(prb, vantage, per_probe.get(prb, []), annotator)
    return checks


def _check(
    prb: int,
    vantage: Vantage,
    seen: list[tuple[IPAddress, float]],
    annotator: Annotator,
) -> ProbeCheck:
    probe = vantage.probe

    def result(status: str, detail: str) -> ProbeCheck:
        return ProbeCheck(
            prb_id=prb,
            country=probe.country,
            asn=probe.asn_v4 or probe.asn_v6,
            latitude=probe.latitude,
            longitude=probe.longitude,
            status=status,
            detail=detail,
            description=probe.description,
        )

    if probe.latitude is None or probe.longitude is None or probe.country is None:
        return result("unknown", "no declared coordinates to check")
    contradictions: list[str] = []
    confirmations = 0
    gazetteer = annotator.lookups.places
    nearest_abroad = gazetteer.nearest_foreign_km(
        probe.latitude, probe.longitude, probe.country, False
    )
    for address, rtt in seen:
        reach = radius_km(rtt) + vantage.uncertainty_km
        special, _origin, _ixp, _name, _cc, claims = annotator.static(address)
        if special is not None:
            continue
        for claim in claims:
            if claim.city is None or claim.kind not in ("rdns", "ixp_lan"):
                continue
            far = distance_km(
                probe.latitude, probe.longitude, claim.city.latitude, claim.city.longitude
            )
            if far - CITY_SLACK_KM > reach:
                contradictions.append(
                    f"{address} ({claim.city.label}, {far:.0f} km) answered in {rtt:.1f} ms"
                )
                break
        else:
            if reach < nearest_abroad:
                confirmations += 1
    distinct = sorted(set(contradictions))
    if len(distinct) >= CONTRADICTIONS_NEEDED:
        detail = (
            f"declared in {probe.country}, but "
            + "; ".join(distinct[:3])
            + ": faster than light from the declared place"
        )
        return result("contradicted", detail)
    if confirmations:
        return result(
            "confirmed",
            f"{confirmations} address(es) answered from nearer than any place abroad",
        )
    return result(
        "unverified",
        "no reply fast enough to confirm or contradict the declared place",
    )
