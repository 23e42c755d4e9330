"""Hand-built analysis results for the model tests: paths between named networks."""

from __future__ import annotations

from datetime import UTC, datetime

from ixpready.analysis.verdicts import (
    AnalysisResult,
    PathVerdict,
    Scope,
    Summary,
    Verdict,
)
from ixpready.measurements.records import TraceKey

HOME = "GT"
_counter = iter(range(1, 10**9))


def path(
    as_path: tuple[int, ...],
    verdict: Verdict,
    *,
    carried_by: tuple[int, ...] = (),
    cities: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    ixps: tuple[str, ...] = (),
    ixp_countries: tuple[str, ...] = (),
    rtt_ms: float | None = None,
    floor_rtt_ms: float | None = None,
    src_country: str = HOME,
    dst_country: str = HOME,
) -> PathVerdict:
    """Returns a domestic path verdict from its first to its last AS."""
    extra = None
    if verdict is Verdict.TROMBONED and rtt_ms is not None and floor_rtt_ms is not None:
        extra = rtt_ms - floor_rtt_ms
    domestic = src_country == HOME and dst_country == HOME
    return PathVerdict(
        trace=TraceKey(1001, next(_counter), 1_700_000_000),
        scope=Scope.DOMESTIC if domestic else Scope.OUTBOUND,
        verdict=verdict,
        reason="hand-built",
        af=4,
        dst_addr=None,
        src_asn=as_path[0],
        dst_asn=as_path[-1],
        src_country=src_country,
        dst_country=dst_country,
        as_path=as_path,
        foreign_countries=countries,
        foreign_cities=cities,
        ixps=ixps,
        ixp_countries=ixp_countries,
        carried_by=carried_by,
        rtt_ms=rtt_ms,
        floor_rtt_ms=floor_rtt_ms,
        extra_rtt_ms=extra,
        confidence=0.9,
        evidence=(),
    )


def analysis(
    *paths: PathVerdict,
    names: dict[int, str] | None = None,
    other: tuple[PathVerdict, ...] = (),
) -> AnalysisResult:
    """Returns an AnalysisResult holding the given domestic paths."""
    return AnalysisResult(
        country=HOME,
        generated_at=datetime(2026, 11, 1, tzinfo=UTC),
        summary=Summary.of(
            paths, other, results_read=len(paths), quarantined=0, skipped=0, duplicates=0
        ),
        paths=paths,
        other_paths=other,
        probes=(),
        snapshots=(),
        as_names=names or {},
    )


def miami(a: int, b: int, carrier: int = 174, rtt_ms: float = 90.0) -> PathVerdict:
    """Returns a path from a to b that a US carrier took through Miami."""
    return path(
        (a, carrier, b),
        Verdict.TROMBONED,
        carried_by=(carrier,),
        cities=("Miami, US",),
        countries=("US",),
        rtt_ms=rtt_ms,
        floor_rtt_ms=2.0,
    )
