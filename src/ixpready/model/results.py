"""The typed results of the IXP model: what `ixpready model` concluded, as frozen records.

`ModelResult` is what `model.export` writes as JSON (the `--model MODEL.json` the report
reads). Weights are pair weights: 1 per measured AS pair by default, or the product of the
two networks' user shares when a user-share CSV was given. Times are milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# read with the reference data (refdata.snapshots); named here too for the model's users
from ixpready.refdata.snapshots import Relationship as Relationship


class LinkLocation(StrEnum):
    """Where a link between two networks sits, as far as the measurements tell."""

    HOME = "home"  # seen on a path that stayed in the country
    ABROAD = "abroad"  # seen only on paths that left it, between networks that carried them
    UNKNOWN = "unknown"  # not measured (registry data only)


class RouteKind(StrEnum):
    """Which class of route a network uses (Gao-Rexford: customer > peer > provider)."""

    OWN = "own"
    CUSTOMER = "customer"
    PEER = "peer"
    IXP = "ixp"  # a peer route learned over the national IXP
    PROVIDER = "provider"
    NONE = "none"


class StayReason(StrEnum):
    """Why a pair's simulated route still leaves the country (or stays local)."""

    LOCAL = "local"
    SOURCE_NOT_AT_IXP = "source_not_at_ixp"  # neither the source nor a domestic upstream
    DESTINATION_NOT_AT_IXP = "destination_not_at_ixp"
    POLICY = "policy"  # both ends reach the IXP, but a preferred route leaves the country
    NO_ROUTE = "no_route"  # no policy-compliant route in the graph
    UNKNOWN_NETWORK = "unknown_network"  # an end's ASN was not measured


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """One network of the graph the report shows (domestic ones and the carriers)."""

    asn: int
    name: str
    country: str | None
    domestic: bool
    providers: tuple[int, ...]
    foreign_upstreams_only: bool  # every provider is abroad (and it has at least one)
    home_ixps: tuple[str, ...]  # domestic IXPs it is already present at (PeeringDB/file)


@dataclass(frozen=True, slots=True)
class LinkInfo:
    """One adjacency between two networks, with the evidence for it.

    For `p2c`, `a` is the provider. `min_path_rtt_ms` is the smallest end-to-end RTT of the
    measured paths crossing the link: an upper bound on the link's own RTT.
    """

    a: int
    b: int
    relationship: Relationship
    sources: tuple[str, ...]  # "caida", "observed", "inferred"
    paths: int
    tromboned_paths: int
    location: LinkLocation
    countries: tuple[str, ...]
    cities: tuple[str, ...]
    ixps: tuple[str, ...]
    min_path_rtt_ms: float | None
    sample_paths: tuple[str, ...] = ()  # up to 3 measured paths across it ("msm 1, probe 2, ...")


@dataclass(frozen=True, slots=True)
class Share:
    """What part of some domestic paths went through one foreign network, city or IXP.

    `kind` is "as", "city" or "ixp"; `key` the ASN as text, "Miami, US" or the IXP name.
    `share` is the weighted fraction (0..1) of the paths considered; `hegemony` the
    trimmed mean over source networks of their own shares (country level only).
    """

    kind: str
    key: str
    name: str
    country: str | None
    paths: int
    weight: float
    share: float
    hegemony: float | None = None


@dataclass(frozen=True, slots=True)
class Dependence:
    """How one domestic network's domestic paths depend on foreign carriers, cities, IXPs."""

    asn: int
    name: str
    paths: int
    tromboned_paths: int
    carriers: tuple[Share, ...]
    cities: tuple[Share, ...]
    ixps: tuple[Share, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """A candidate's case in numbers, plus the English sentence; the report translates.

    `key` names the sentence shape: "join" (not yet at an IXP, joining helps),
    "member_still_abroad" (present, but some of its pairs still leave), "member_local"
    (present, all local), "nothing_to_gain" (no tromboned pair would become local).
    """

    key: str
    asn: int
    name: str
    country: str
    paths: int  # its measured domestic paths (as source or destination)
    tromboned_paths: int
    kept_local_paths: int  # tromboned paths that become local when both ends join
    median_saved_ms: float | None
    ixps: tuple[str, ...]
    top_carrier_asn: int | None  # the other network on most of its paths (see Dependence)
    top_carrier_name: str
    top_carrier_share: float | None  # weighted share of its paths that network was on
    text_en: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """One domestic network ranked by what joining a national IXP would change."""

    rank: int
    asn: int
    name: str
    pairs: int
    tromboned_pairs: int
    kept_local_pairs: int
    weight_kept_local: float
    paths: int
    tromboned_paths: int
    kept_local_paths: int
    median_saved_ms: float | None
    total_saved_ms: float
    present_at: tuple[str, ...]
    still_abroad_pairs: int
    explanation: Explanation


@dataclass(frozen=True, slots=True)
class Pick:
    """One greedy pick of the founding set, with the gain it added."""

    order: int
    asn: int
    name: str
    marginal_gain: float  # weighted pair-ends newly reaching the IXP
    objective: float  # the coverage after this pick


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """Benefit of a founding set of size k: the coverage and the simulated local pairs."""

    k: int
    objective: float
    pairs_local: int
    weight_local: float


@dataclass(frozen=True, slots=True)
class FoundingSet:
    """The k members chosen greedily on the pair-end coverage, and the benefit curve."""

    k: int
    already_present: tuple[int, ...]
    picks: tuple[Pick, ...]
    curve: tuple[CurvePoint, ...]
    objective_max: float  # the coverage with every candidate present


@dataclass(frozen=True, slots=True)
class PairOutcome:
    """One measured domestic pair under a what-if scenario."""

    src_asn: int
    dst_asn: int
    weight: float
    paths: int
    measured: str  # "local", "tromboned", "inconclusive"
    local_before: bool  # the simulated route without the scenario's IXP
    local_after: bool
    route_before: tuple[int, ...]
    route_after: tuple[int, ...]
    kind_after: RouteKind
    reason: StayReason
    reason_text: str
    measured_rtt_ms: float | None
    expected_rtt_ms: float | None
    latency_basis: str  # "measured_local", "floor" or "none"
    saved_ms: float | None


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A national IXP with the given members, and what it would change."""

    name: str  # "status_quo", "founding_set", "members_file", "everyone"
    members: tuple[int, ...]
    pairs: int
    pairs_local_before: int
    pairs_local_after: int
    weight_local_before: float
    weight_local_after: float
    measured_tromboned_made_local: int
    median_saved_ms: float | None
    agreement: float | None  # share of conclusive pairs where the no-IXP simulation
    # agrees with the measured verdict (how far to trust the graph)
    outcomes: tuple[PairOutcome, ...]


@dataclass(frozen=True)
class ModelResult:
    """Everything `ixpready model` concluded (see `model.export` for the JSON form)."""

    country: str
    generated_at: datetime
    analysis_generated_at: datetime
    simulated: bool
    weighting: str  # "pairs" or "users"
    networks: tuple[NetworkInfo, ...]
    links: tuple[LinkInfo, ...]
    country_dependence: tuple[Share, ...]
    dependence: tuple[Dependence, ...]
    candidates: tuple[Candidate, ...]
    founding_set: FoundingSet
    scenarios: tuple[WhatIf, ...]
    graph_nodes: int
    graph_links: int
    notes: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
