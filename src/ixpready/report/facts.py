"""The numbers a report shows, computed once from an AnalysisResult (no text, no markup).

Shares count every domestic path, inconclusive ones included, so the four shares add up to
100 %; the latency penalty is the median `extra_rtt_ms` of tromboned paths that have one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from statistics import median

from ixpready.analysis.verdicts import AnalysisResult, PathVerdict, Verdict

VERDICT_ORDER = (Verdict.LOCAL, Verdict.LOCAL_VIA_IXP, Verdict.TROMBONED, Verdict.INCONCLUSIVE)


@dataclass(frozen=True, slots=True)
class Counted:
    """A label (country code, "City, CC", ASN as text) and how many paths it concerns."""

    label: str
    paths: int


@dataclass(frozen=True, slots=True)
class PairCell:
    """One (source network, destination network) pair and its paths per verdict."""

    src_asn: int | None
    dst_asn: int | None
    counts: tuple[tuple[Verdict, int], ...]  # in VERDICT_ORDER, zero counts left out
    dominant: Verdict  # the most frequent verdict; ties go to the worse one (tromboned first)

    @property
    def paths(self) -> int:
        """Returns the number of paths of this pair."""
        return sum(n for _, n in self.counts)


@dataclass(frozen=True, slots=True)
class Flow:
    """Paths from one source network through one waypoint to one destination network.

    `via_kind` is "city" (a foreign city, or a country when no city is known), "ixp" (a
    home IXP) or "transit" (abroad, place unknown, carried by `carrier`).
    """

    src_asn: int | None
    via_kind: str
    via: str
    carrier: int | None
    dst_asn: int | None
    paths: int


@dataclass(frozen=True, slots=True)
class Round:
    """One measurement round: its date and its domestic paths per verdict."""

    label: str
    started: datetime
    counts: tuple[tuple[Verdict, int], ...]  # every verdict in VERDICT_ORDER

    @property
    def paths(self) -> int:
        """Returns the number of domestic paths of the round."""
        return sum(n for _, n in self.counts)


@dataclass(frozen=True, slots=True)
class TrendMark:
    """An event to mark on the trend ("IXP launched"): drawn before the first round on or
    after its day. The label is shown as given (it is the user's own text)."""

    day: date
    label: str


@dataclass(frozen=True)
class Facts:
    """Everything the report draws, derived from one analysis (and earlier rounds)."""

    country: str
    domestic_paths: int
    counts: tuple[tuple[Verdict, int], ...]  # every verdict in VERDICT_ORDER
    penalty_median_ms: float | None
    countries: tuple[Counted, ...]  # foreign countries crossed by tromboned paths, most first
    cities: tuple[Counted, ...]  # foreign cities crossed, most first
    carriers: tuple[Counted, ...]  # ASNs (as text) that carried paths abroad, most first
    networks: tuple[int | None, ...]  # networks by number of paths, most first
    pairs: tuple[PairCell, ...]
    flows: tuple[Flow, ...]
    local_rtts_ms: tuple[float, ...]
    tromboned_rtts_ms: tuple[float, ...]
    measurement_ids: tuple[int, ...]
    rounds: tuple[Round, ...]

    def count(self, verdict: Verdict) -> int:
        """Returns how many domestic paths got `verdict`."""
        return dict(self.counts)[verdict]


def _ranked(counter: Counter[str]) -> tuple[Counted, ...]:
    return tuple(
        Counted(label, n) for label, n in sorted(counter.items(), key=lambda i: (-i[1], i[0]))
    )


def _dominant(counter: Counter[Verdict]) -> Verdict:
    # Ties go to the verdict a reader most needs to see: tromboned, then inconclusive.
    preference = (Verdict.TROMBONED, Verdict.INCONCLUSIVE, Verdict.LOCAL_VIA_IXP, Verdict.LOCAL)
    return max(preference, key=lambda v: (counter[v], -preference.index(v)))


def _pairs(paths: tuple[PathVerdict, ...]) -> tuple[PairCell, ...]:
    by_pair: dict[tuple[int | None, int | None], Counter[Verdict]] = {}
    for path in paths:
        by_pair.setdefault((path.src_asn, path.dst_asn), Counter())[path.verdict] += 1
    cells = []
    for (src, dst), counter in by_pair.items():
        counts = tuple((v, counter[v]) for v in VERDICT_ORDER if counter[v])
        cells.append(PairCell(src, dst, counts, _dominant(counter)))
    return tuple(sorted(cells, key=lambda c: (c.src_asn or -1, c.dst_asn or -1)))


def _flows(paths: tuple[PathVerdict, ...]) -> tuple[Flow, ...]:
    counter: Counter[tuple[int | None, str, str, int | None, int | None]] = Counter()
    for path in paths:
        carrier = path.carried_by[0] if path.carried_by else None
        if path.verdict is Verdict.TROMBONED:
            if path.foreign_cities:
                key = (path.src_asn, "city", path.foreign_cities[0], carrier, path.dst_asn)
            elif path.foreign_countries:
                key = (path.src_asn, "city", path.foreign_countries[0], carrier, path.dst_asn)
            else:
                key = (path.src_asn, "transit", "", carrier, path.dst_asn)
        elif path.verdict is Verdict.LOCAL_VIA_IXP and path.ixps:
            key = (path.src_asn, "ixp", path.ixps[0], None, path.dst_asn)
        else:
            continue
        counter[key] += 1
    flows = [Flow(s, kind, via, carrier, d, n) for (s, kind, via, carrier, d), n in counter.items()]
    return tuple(sorted(flows, key=lambda f: (-f.paths, f.via, f.src_asn or -1, f.dst_asn or -1)))


def _verdict_counts(paths: tuple[PathVerdict, ...]) -> tuple[tuple[Verdict, int], ...]:
    counter = Counter(p.verdict for p in paths)
    return tuple((v, counter[v]) for v in VERDICT_ORDER)


def rounds_of(analyses: tuple[AnalysisResult, ...]) -> tuple[Round, ...]:
    """Returns one Round per analysis (oldest first) when several are given; with one,
    one Round per UTC day its paths were measured on. The trend is drawn from two rounds."""
    if len(analyses) > 1:
        ordered = sorted(analyses, key=lambda a: a.generated_at)
        rounds = []
        for analysis in ordered:
            starts = [p.trace.timestamp for p in analysis.paths]
            started = (
                datetime.fromtimestamp(min(starts), tz=UTC) if starts else analysis.generated_at
            )
            rounds.append(Round(f"{started:%Y-%m-%d}", started, _verdict_counts(analysis.paths)))
        return tuple(rounds)
    by_day: dict[str, list[PathVerdict]] = {}
    for path in analyses[0].paths if analyses else ():
        by_day.setdefault(f"{path.trace.started:%Y-%m-%d}", []).append(path)
    return tuple(
        Round(day, datetime.fromisoformat(day).replace(tzinfo=UTC), _verdict_counts(tuple(ps)))
        for day, ps in sorted(by_day.items())
    )


def facts_of(
    analysis: AnalysisResult,
    earlier: tuple[AnalysisResult, ...] = (),
    rounds: tuple[Round, ...] = (),
) -> Facts:
    """Returns the report's figures for `analysis`. The trend's rounds are `rounds` when
    given (e.g. from the store), else one per analysis (`earlier` + this one), else one per
    day this analysis spans."""
    paths = analysis.paths
    tromboned = tuple(p for p in paths if p.verdict is Verdict.TROMBONED)
    extras = [p.extra_rtt_ms for p in tromboned if p.extra_rtt_ms is not None]
    countries: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    carriers: Counter[str] = Counter()
    for path in tromboned:
        countries.update(set(path.foreign_countries))
        cities.update(set(path.foreign_cities))
        carriers.update({str(asn) for asn in path.carried_by})
    networks: Counter[int | None] = Counter()
    for path in paths:
        networks[path.src_asn] += 1
        networks[path.dst_asn] += 1
    local = (Verdict.LOCAL, Verdict.LOCAL_VIA_IXP)
    return Facts(
        country=analysis.country,
        domestic_paths=len(paths),
        counts=_verdict_counts(paths),
        penalty_median_ms=median(extras) if extras else None,
        countries=_ranked(countries),
        cities=_ranked(cities),
        carriers=_ranked(carriers),
        networks=tuple(
            asn for asn, _ in sorted(networks.items(), key=lambda i: (-i[1], i[0] or -1))
        ),
        pairs=_pairs(paths),
        flows=_flows(paths),
        local_rtts_ms=tuple(
            sorted(p.rtt_ms for p in paths if p.verdict in local and p.rtt_ms is not None)
        ),
        tromboned_rtts_ms=tuple(sorted(p.rtt_ms for p in tromboned if p.rtt_ms is not None)),
        measurement_ids=tuple(sorted({p.trace.msm_id for p in (*paths, *analysis.other_paths)})),
        rounds=tuple(sorted(rounds, key=lambda r: r.started)) or rounds_of((*earlier, analysis)),
    )
