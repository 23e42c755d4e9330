"""Path verdicts and the analysis result: the typed form of the `analyze` JSON contract.

The JSON form (see `to_json` / `analysis_from_json`) is a contract later stages and other
tools rely on; its keys are documented in README ("The analysis JSON contract").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import msgspec

from ixpready.measurements.records import TraceKey


class Verdict(StrEnum):
    """What a path between two domestic networks did."""

    LOCAL = "local"
    LOCAL_VIA_IXP = "local_via_ixp"
    TROMBONED = "tromboned"
    INCONCLUSIVE = "inconclusive"


class Scope(StrEnum):
    """Which kind of pair a path joins; only `domestic` paths get a tromboning verdict."""

    DOMESTIC = "domestic"  # source and destination networks both in the home country
    OUTBOUND = "outbound"  # home source, destination abroad
    INBOUND = "inbound"  # foreign source, home destination
    FOREIGN = "foreign"  # neither end at home
    UNKNOWN = "unknown"  # an end could not be placed in any country


# Evidence and PathVerdict are frozen msgspec structs rather than dataclasses: an analysis
# makes one verdict per result (tens of thousands), and a struct is made in C, where a frozen
# dataclass sets each of its 22 fields through a Python call. Both behave as frozen records
# (typed fields, keyword or positional construction, equality, hashing, `msgspec.structs.
# replace`), hold no reference cycles (`gc=False`: never tracked by the cyclic collector).
class Evidence(msgspec.Struct, frozen=True, gc=False):
    """One fact that decided (part of) a verdict, in words a person can check.

    `hop` is the TTL (None for a path-level fact), `kind` one of: rtt_bound, rdns, ixp_lan,
    facility, registry, probe, special, path.
    """

    kind: str
    fact: str
    hop: int | None = None
    address: str | None = None
    country: str | None = None


class PathVerdict(msgspec.Struct, frozen=True, gc=False):
    """The verdict on one traceroute, with everything needed to explain it."""

    trace: TraceKey
    scope: Scope
    verdict: Verdict
    reason: str
    af: int
    dst_addr: str | None
    src_asn: int | None
    dst_asn: int | None
    src_country: str | None
    dst_country: str | None
    as_path: tuple[int, ...]
    foreign_countries: tuple[str, ...]  # countries outside home, in path order
    foreign_cities: tuple[str, ...]  # "Miami, US", in path order
    ixps: tuple[str, ...]  # IXP names crossed, in path order
    ixp_countries: tuple[str, ...]  # their countries, same order
    carried_by: tuple[int, ...]  # ASNs that took the path abroad
    rtt_ms: float | None  # smallest RTT of the destination's replies
    floor_rtt_ms: float | None  # physical floor: straight fibre between the two ends
    extra_rtt_ms: float | None  # rtt_ms - floor_rtt_ms for a tromboned path
    confidence: float  # 0..1, how strongly the evidence supports the verdict
    evidence: tuple[Evidence, ...]
    origin: str = "atlas"

    @property
    def is_domestic(self) -> bool:
        """Returns True when both ends are home networks."""
        return self.scope is Scope.DOMESTIC


@dataclass(frozen=True, slots=True)
class ProbeCheck:
    """Whether a probe is where its host declared it, judged by its own RTTs."""

    prb_id: int
    country: str | None
    asn: int | None
    latitude: float | None
    longitude: float | None
    status: str  # "confirmed", "unverified", "contradicted", "unknown"
    detail: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """Which reference data an analysis used: kind, file name, snapshot date (ISO)."""

    kind: str
    source: str
    date: str | None


@dataclass(frozen=True)
class Summary:
    """Counts per verdict over the domestic paths, and what else was read."""

    domestic_paths: int
    local: int
    local_via_ixp: int
    tromboned: int
    inconclusive: int
    other_paths: int
    results_read: int
    quarantined: int
    skipped: int
    duplicates: int

    @classmethod
    def of(
        cls,
        paths: tuple[PathVerdict, ...],
        other_paths: tuple[PathVerdict, ...],
        *,
        results_read: int,
        quarantined: int,
        skipped: int,
        duplicates: int,
    ) -> Summary:
        """Returns the summary of a set of verdicts."""
        return cls.counted(
            Counter(p.verdict for p in paths),
            len(other_paths),
            results_read=results_read,
            quarantined=quarantined,
            skipped=skipped,
            duplicates=duplicates,
        )

    @classmethod
    def counted(
        cls,
        domestic: Mapping[Verdict, int],
        other_paths: int,
        *,
        results_read: int,
        quarantined: int,
        skipped: int,
        duplicates: int,
    ) -> Summary:
        """Returns the summary of verdicts counted by kind (`domestic`: the domestic paths'
        verdicts; `other_paths`: how many paths got no domestic verdict)."""
        return cls(
            domestic_paths=sum(domestic.values()),
            local=domestic.get(Verdict.LOCAL, 0),
            local_via_ixp=domestic.get(Verdict.LOCAL_VIA_IXP, 0),
            tromboned=domestic.get(Verdict.TROMBONED, 0),
            inconclusive=domestic.get(Verdict.INCONCLUSIVE, 0),
            other_paths=other_paths,
            results_read=results_read,
            quarantined=quarantined,
            skipped=skipped,
            duplicates=duplicates,
        )


@dataclass(frozen=True)
class AnalysisResult:
    """Everything `analyze` concluded: the JSON contract as typed objects.

    `paths` holds the domestic pairs only; `other_paths` the rest, reported separately.
    `as_names` maps ASNs seen to names (from the reference data), `ixp_names` is unused
    by verdicts but lists the home country's IXPs known to the reference data.
    """

    country: str
    generated_at: datetime
    summary: Summary
    paths: tuple[PathVerdict, ...]
    other_paths: tuple[PathVerdict, ...]
    probes: tuple[ProbeCheck, ...]
    snapshots: tuple[SnapshotInfo, ...]
    as_names: dict[int, str] = field(default_factory=dict)
    home_ixps: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    simulated: bool = False
