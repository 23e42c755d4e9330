"""Is each probe where its host declared it? Judged by its own RTTs, never by its word alone.

About 1.5 % of RIPE Atlas probes are not where declared. A probe is *contradicted* when at
least two different router addresses that other evidence (reverse DNS, IXP LAN) places in a
known city answered it faster than light allows from the declared spot; one such address
alone is more likely a wrong hint than a wrong probe, and only that hint is refuted.
It is *confirmed* when some address answered fast enough to be nearer to it than any place
abroad, and nothing contradicts it; otherwise it stays *unverified*.

Probes also check each other: two probes that got fast replies from the same address draw two
discs that must overlap (the address is in both). A probe whose discs are disjoint from those
of at least two other probes is contradicted, most inconsistent first, until the rest agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ixpready.analysis.verdicts import ProbeCheck
from ixpready.enrichment.annotate import CITY_SLACK_KM, Annotator, Claim, Vantage
from ixpready.enrichment.geo import KM_PER_MS_ROUND_TRIP, distance_km, radius_km
from ixpready.kernels import MutualConflicts, ProbeTallies, mutual_conflicts, probe_tallies
from ixpready.measurements.records import IPAddress
from ixpready.refdata.gazetteer import EARTH_RADIUS_KM

CONTRADICTIONS_NEEDED = 2


def check_probes(
    annotator: Annotator,
    observations: Mapping[IPAddress, Mapping[int, float]],
    *,
    kernel: ProbeTallies | None = probe_tallies,
    mutual_kernel: MutualConflicts | None = mutual_conflicts,
) -> dict[int, ProbeCheck]:
    """Returns a check per probe of `annotator.vantages`, by the RTTs in `observations`.
    `kernel` is the compiled twin of the reply loop (`kernels.probe_tallies`), used when built
    and not declining; `mutual_kernel` is `mutual_contradictions`' (`kernels.mutual_conflicts`).
    """
    vantages = annotator.vantages
    # Per probe with declared coordinates and country: what its replies say, address by
    # address (in the order of `observations`): a sentence per contradiction, how many
    # confirmations, and how far the nearest place abroad is.
    tallies: dict[int, tuple[list[str], list[int], float]] = {}
    for prb, vantage in vantages.items():
        probe = vantage.probe
        if probe.latitude is not None and probe.longitude is not None and probe.country is not None:
            # Kept in the run's annotator (its vantages at that place are compared with it).
            nearest = annotator.nearest_abroad_km(probe.latitude, probe.longitude, probe.country)
            tallies[prb] = ([], [0], nearest)
    # Each address that is no special range, with its RTTs and the claims placing it in a city.
    placing: list[tuple[IPAddress, Mapping[int, float], list[Claim]]] = []
    for address, seen in observations.items():
        special, _origin, _ixp, _name, _cc, claims = annotator.static(address)
        if special is None:
            placed = [c for c in claims if c.city is not None and c.kind in ("rdns", "ixp_lan")]
            placing.append((address, seen, placed))
    if kernel is None or not _tally_compiled(kernel, vantages, placing, tallies):
        _tally(vantages, placing, tallies)
    checks: dict[int, ProbeCheck] = {}
    for prb, vantage in vantages.items():
        tally = tallies.get(prb)
        checks[prb] = _check(prb, vantage, None if tally is None else (tally[0], tally[1][0]))
    for prb, detail in mutual_contradictions(vantages, observations, kernel=mutual_kernel).items():
        check = checks[prb]
        if check.status != "contradicted":
            checks[prb] = replace(check, status="contradicted", detail=detail)
    return checks


def _tally(
    vantages: Mapping[int, Vantage],
    placing: list[tuple[IPAddress, Mapping[int, float], list[Claim]]],
    tallies: dict[int, tuple[list[str], list[int], float]],
) -> None:
    """Adds what each reply says to its probe's tally (see `check_probes`)."""
    for address, seen, placed in placing:
        for prb, rtt in seen.items():
            tally = tallies.get(prb)
            if tally is None:
                continue
            vantage = vantages[prb]
            probe = vantage.probe
            reach = radius_km(rtt) + vantage.uncertainty_km
            for claim in placed:
                assert claim.city is not None and probe.latitude is not None
                far = distance_km(
                    probe.latitude, probe.longitude or 0.0, claim.city.latitude,
                    claim.city.longitude,
                )  # fmt: skip
                if far - CITY_SLACK_KM > reach:
                    tally[0].append(_contradiction(address, claim, far, rtt))
                    break
            else:
                if reach < tally[2]:
                    tally[1][0] += 1


def _contradiction(address: IPAddress, claim: Claim, far: float, rtt: float) -> str:
    assert claim.city is not None
    return f"{address} ({claim.city.label}, {far:.0f} km) answered in {rtt:.1f} ms"


def _tally_compiled(
    kernel: ProbeTallies,
    vantages: Mapping[int, Vantage],
    placing: list[tuple[IPAddress, Mapping[int, float], list[Claim]]],
    tallies: dict[int, tuple[list[str], list[int], float]],
) -> bool:
    """Does `_tally`'s job with its compiled twin; False (nothing added) when it declines."""
    probes = {}
    for prb, (_said, _confirmed, nearest) in tallies.items():
        vantage = vantages[prb]
        probe = vantage.probe
        assert probe.latitude is not None  # (a probe with a tally declared its coordinates)
        probes[prb] = (
            _float(probe.latitude), _float(probe.longitude or 0.0),
            _float(vantage.uncertainty_km), nearest,
        )  # fmt: skip
    entries = [
        (seen, tuple((c.city.latitude, c.city.longitude) for c in placed if c.city is not None))
        for _address, seen, placed in placing
    ]
    done = kernel(entries, probes, CITY_SLACK_KM, KM_PER_MS_ROUND_TRIP, EARTH_RADIUS_KM)
    if done is None:
        return False
    confirmations, contradictions = done
    for prb, count in confirmations.items():
        tallies[prb][1][0] += count
    for prb, entry, index, far, rtt in contradictions:
        address, _seen, placed = placing[entry]
        tallies[prb][0].append(_contradiction(address, placed[index], far, rtt))
    return True


def _float(value: float) -> float:
    """Returns a coordinate or a radius as the float arithmetic reads it (an int as a float)."""
    return float(value) if type(value) is int else value


MAX_DISCS_PER_ADDRESS = 12  # the tightest discs of an address are the ones that can disagree


def mutual_contradictions(
    vantages: Mapping[int, Vantage],
    observations: Mapping[IPAddress, Mapping[int, float]],
    *,
    kernel: MutualConflicts | None = mutual_conflicts,
) -> dict[int, str]:
    """Returns, for each probe whose speed-of-light discs cannot overlap those of at least
    two other probes around the same addresses, a sentence saying so.

    Removes the most inconsistent probe first and checks again, so one misplaced probe does
    not drag honest ones down with it. `kernel` is the compiled twin of the loop over the
    addresses (`kernels.mutual_conflicts`), used when built and not declining.
    """
    conflicts: dict[int, dict[int, str]] = {}
    # Probes placed by their own coordinates (a country-wide disc proves nothing here).
    placed = {
        prb: v
        for prb, v in vantages.items()
        if v.latitude is not None and v.longitude is not None and v.probe.latitude is not None
    }
    found = None
    if kernel is not None:
        points = {
            prb: (_float(v.uncertainty_km), _float(v.latitude or 0.0), _float(v.longitude or 0.0))
            for prb, v in placed.items()
        }
        found = kernel(
            observations, points, MAX_DISCS_PER_ADDRESS, KM_PER_MS_ROUND_TRIP, EARTH_RADIUS_KM
        )
    if found is not None:
        for address, prb_a, rtt_a, prb_b, rtt_b, km in found:
            why = f"{address} answered probe {prb_a} in {rtt_a:.1f} ms and probe {prb_b} in {rtt_b:.1f} ms, {km:.0f} km apart"
            conflicts.setdefault(prb_a, {})[prb_b] = why
            conflicts.setdefault(prb_b, {})[prb_a] = why
    apart_km: dict[tuple[int, int], float] = {}  # between two probes, worked out once
    for address, seen in observations.items() if found is None else ():
        discs = []
        for prb, rtt in seen.items():
            vantage = placed.get(prb)
            if vantage is not None:
                discs.append((radius_km(rtt) + vantage.uncertainty_km, prb, vantage, rtt))
        if len(discs) < 2:
            continue
        discs.sort(key=lambda d: d[0])
        discs = discs[:MAX_DISCS_PER_ADDRESS]
        for i, (reach_a, prb_a, a, rtt_a) in enumerate(discs):
            for reach_b, prb_b, b, rtt_b in discs[i + 1 :]:
                apart = apart_km.get((prb_a, prb_b))
                if apart is None:
                    apart = apart_km[(prb_a, prb_b)] = distance_km(
                        a.latitude or 0.0, a.longitude or 0.0, b.latitude or 0.0,
                        b.longitude or 0.0,
                    )  # fmt: skip
                if apart > reach_a + reach_b:
                    why = f"{address} answered probe {prb_a} in {rtt_a:.1f} ms and probe {prb_b} in {rtt_b:.1f} ms, {apart:.0f} km apart"
                    conflicts.setdefault(prb_a, {})[prb_b] = why
                    conflicts.setdefault(prb_b, {})[prb_a] = why
    flagged: dict[int, str] = {}
    while True:
        worst = max(conflicts, key=lambda p: (len(conflicts[p]), -p), default=None)
        if worst is None or len(conflicts[worst]) < CONTRADICTIONS_NEEDED:
            return flagged
        reasons = sorted(conflicts.pop(worst).values())
        flagged[worst] = "faster than light together with other probes: " + "; ".join(reasons[:3])
        for others in conflicts.values():
            others.pop(worst, None)


def _check(prb: int, vantage: Vantage, tally: tuple[list[str], int] | None) -> ProbeCheck:
    """Returns the check of one probe from what its replies said (see `check_probes`);
    `tally` is None when the probe declared no coordinates or country."""
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

    if tally is None:
        return result("unknown", "no declared coordinates to check")
    contradictions, confirmations = tally
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
