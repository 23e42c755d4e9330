"""Is each domestic network ready to peer at a national IXP? The scorecard, as typed records.

One `NetworkReadiness` per domestic network seen in an analysis (or listed in the country's
inventory): the MANRS-style points the chapter discusses with operators, each with the
facts behind it and the source (file and date) they came from, beside what the
measurements showed (tromboned share, latency penalty) and what the IXP model says joining
would change. Pure: the pipeline reads the files (`refdata.snapshots`,
`refdata.readiness`) and runs the model; `model.readiness_build` makes the rows.

The points (`POINTS`), each `yes`, `no` or `unknown` (the data to judge it was missing):

- `peeringdb`: a PeeringDB record with a general peering policy and at least one contact;
- `home_ixp`: a port on an exchange in the home country (PeeringDB `netixlan`);
- `home_facility`: present in a facility in the home country (PeeringDB `netfac`);
- `ipv6`: originates at least one IPv6 prefix (routing table);
- `rpki`: every prefix it originates is RPKI-valid (RFC 6811 against the VRPs, else
  RIPEstat `rpki-validation` answers); `no` as soon as one is invalid or not found;
- `irr`: an IRR as-set registered in PeeringDB (`irr_as_set`);
- `upstreams`: not only foreign upstreams (at least one provider in the home country, or
  none abroad), from CAIDA AS relationships, else the model's inferred providers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ixpready.refdata.snapshots import SnapshotSource

POINTS = ("peeringdb", "home_ixp", "home_facility", "ipv6", "rpki", "irr", "upstreams")
READINESS_FORMAT = "ixpready-readiness/1"


class Check(StrEnum):
    """Whether a network meets one point: yes, no, or unknown (no data to tell)."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a field's facts came from: the files (or program) and the date of the data."""

    source: str
    date: str | None


@dataclass(frozen=True, slots=True)
class IxpPresence:
    """Home-country exchanges the network has a port on."""

    names: tuple[str, ...]
    check: Check
    source: Source


@dataclass(frozen=True, slots=True)
class FacilityPresence:
    """Home-country facilities the network is present at."""

    names: tuple[str, ...]
    check: Check
    source: Source


@dataclass(frozen=True, slots=True)
class PeeringdbRecord:
    """The network's PeeringDB record: present, its general policy, how many contacts."""

    present: bool | None  # None: no PeeringDB net file read
    policy: str
    contacts: int | None  # None: no poc file read; never the contacts themselves
    check: Check
    source: Source


@dataclass(frozen=True, slots=True)
class Ipv6Readiness:
    """IPv6 prefixes the network originates, and its measured IPv6 paths by verdict."""

    announces: bool | None
    prefixes_v4: int
    prefixes_v6: int
    paths_measured: int
    verdicts: tuple[tuple[str, int], ...]  # (verdict, paths), verdicts in a fixed order
    check: Check
    source: Source


@dataclass(frozen=True, slots=True)
class RpkiReadiness:
    """Route origin validation of the prefixes the network originates."""

    prefixes: int
    valid: int
    invalid: int
    not_found: int
    unchecked: int  # prefixes no VRP set or RIPEstat answer could judge
    invalid_prefixes: tuple[str, ...]
    check: Check
    source: Source

    @property
    def valid_share(self) -> float | None:
        """Returns the share (0..1) of checked prefixes that are valid, None when none was."""
        checked = self.valid + self.invalid + self.not_found
        return self.valid / checked if checked else None


@dataclass(frozen=True, slots=True)
class IrrReadiness:
    """The IRR as-set the network registered in PeeringDB ("" when none)."""

    as_set: str
    check: Check
    source: Source


@dataclass(frozen=True, slots=True)
class Upstream:
    """One provider of the network, and its country (None when unknown)."""

    asn: int
    name: str
    country: str | None
    domestic: bool


@dataclass(frozen=True, slots=True)
class UpstreamReadiness:
    """The network's providers (who sells it transit) and how many are abroad."""

    providers: tuple[Upstream, ...]
    foreign: int
    check: Check
    source: Source


@dataclass(frozen=True, slots=True)
class MeasuredPaths:
    """What the measurements showed for the network's domestic paths (either end)."""

    paths: int
    tromboned: int
    tromboned_share: float | None  # of its domestic paths; None when none was measured
    median_penalty_ms: float | None  # median extra RTT of its tromboned paths
    source: Source


@dataclass(frozen=True, slots=True)
class JoiningGain:
    """What the IXP model says joining a national IXP would change for the network."""

    rank: int | None  # its rank among the model's candidates; None when not ranked
    tromboned_paths: int
    kept_local_paths: int
    median_saved_ms: float | None
    present_at: tuple[str, ...]
    explanation: str  # the model's English sentence; the report words its own
    source: Source


@dataclass(frozen=True, slots=True)
class NetworkReadiness:
    """One network's scorecard row."""

    asn: int
    name: str
    measured: bool  # seen in the analysis (False: only in the inventory)
    home_ixps: IxpPresence
    home_facilities: FacilityPresence
    peeringdb: PeeringdbRecord
    ipv6: Ipv6Readiness
    rpki: RpkiReadiness
    irr: IrrReadiness
    upstreams: UpstreamReadiness
    paths: MeasuredPaths
    gain: JoiningGain

    def checks(self) -> dict[str, Check]:
        """Returns the point -> check of each readiness point, in `POINTS` order."""
        return {
            "peeringdb": self.peeringdb.check,
            "home_ixp": self.home_ixps.check,
            "home_facility": self.home_facilities.check,
            "ipv6": self.ipv6.check,
            "rpki": self.rpki.check,
            "irr": self.irr.check,
            "upstreams": self.upstreams.check,
        }

    @property
    def points_met(self) -> int:
        """Returns how many points the network meets."""
        return sum(c is Check.YES for c in self.checks().values())


@dataclass(frozen=True, slots=True)
class PointSummary:
    """How many networks meet one point, miss it, or could not be judged."""

    point: str
    yes: int
    no: int
    unknown: int


@dataclass(frozen=True, slots=True)
class ReadinessRound:
    """How many networks met each point in one measurement round (for the trend)."""

    round_id: str
    networks: int
    met: tuple[tuple[str, int], ...]  # (point, networks meeting it), in POINTS order


@dataclass(frozen=True)
class ReadinessReport:
    """The scorecard of a country: one row per network, and what it was made from."""

    country: str
    generated_at: datetime
    analysis_generated_at: datetime
    simulated: bool
    networks: tuple[NetworkReadiness, ...]
    sources: tuple[SnapshotSource, ...]
    notes: tuple[str, ...] = ()
    history: tuple[ReadinessRound, ...] = ()  # earlier rounds and this one, oldest first

    def as_round(self, round_id: str) -> ReadinessRound:
        """Returns this scorecard's counts as one round of the trend."""
        return ReadinessRound(
            round_id, len(self.networks), tuple((s.point, s.yes) for s in self.summary())
        )

    def summary(self) -> tuple[PointSummary, ...]:
        """Returns, per point, how many networks meet it, miss it, or are unknown."""
        out = []
        for point in POINTS:
            checks = [n.checks()[point] for n in self.networks]
            out.append(
                PointSummary(
                    point,
                    sum(c is Check.YES for c in checks),
                    sum(c is Check.NO for c in checks),
                    sum(c is Check.UNKNOWN for c in checks),
                )
            )
        return tuple(out)


def progress_lines(history: Sequence[ReadinessRound]) -> tuple[tuple[str, str], ...]:
    """Returns (point, "3 → 5 → 7") per point over the rounds, oldest first."""
    return tuple(
        (point, " → ".join(str(dict(r.met).get(point, 0)) for r in history)) for point in POINTS
    )
