"""Building the readiness scorecard (`model.readiness`) from an analysis, the registry
snapshot, the readiness reference files and the IXP model. Pure: no file, no network."""

from __future__ import annotations

import ipaddress
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from ixpready.analysis.verdicts import AnalysisResult, PathVerdict, Verdict
from ixpready.enrichment.rpki import OriginValidator
from ixpready.model.readiness import (
    Check,
    FacilityPresence,
    Ipv6Readiness,
    IrrReadiness,
    IxpPresence,
    JoiningGain,
    MeasuredPaths,
    NetworkReadiness,
    PeeringdbRecord,
    ReadinessReport,
    RpkiReadiness,
    Source,
    Upstream,
    UpstreamReadiness,
)
from ixpready.model.results import Candidate, ModelResult, NetworkInfo
from ixpready.refdata.readiness import ReadinessRefs
from ixpready.refdata.rpki import Validity
from ixpready.refdata.snapshots import (
    RegistrySnapshot,
    Relationship,
    RoutedPrefixes,
    SnapshotSource,
)


def _source(sources: Iterable[SnapshotSource], kinds: Sequence[str], fallback: str) -> Source:
    chosen = [s for s in sources if any(s.kind.startswith(k) for k in kinds)]
    if not chosen:
        return Source(fallback, None)
    dates = sorted({s.date for s in chosen if s.date})
    names = ", ".join(dict.fromkeys(s.source for s in chosen))
    kind = ", ".join(dict.fromkeys(s.kind for s in chosen))
    return Source(f"{kind}: {names}", dates[-1] if dates else None)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _domestic_asns(analysis: AnalysisResult) -> list[int]:
    seen: dict[int, None] = {}
    for path in analysis.paths:
        for asn in (path.src_asn, path.dst_asn):
            if asn is not None:
                seen.setdefault(asn, None)
    home = analysis.country.upper()
    for path in analysis.other_paths:
        for asn, country in ((path.src_asn, path.src_country), (path.dst_asn, path.dst_country)):
            if asn is not None and (country or "").upper() == home:
                seen.setdefault(asn, None)
    return list(seen)


_VERDICT_ORDER = (Verdict.LOCAL, Verdict.LOCAL_VIA_IXP, Verdict.TROMBONED, Verdict.INCONCLUSIVE)


def _prefixes_by_origin(snapshot: RegistrySnapshot, wanted: set[int]) -> dict[int, list[str]]:
    """Returns the prefixes each wanted AS originates, and `-1` -> one IPv6 prefix when the
    table holds any IPv6 at all (so "announces no IPv6" can be told from "no IPv6 data")."""
    out: dict[int, dict[str, None]] = {}
    routed = snapshot.routed
    pairs = (
        routed.pairs()
        if isinstance(routed, RoutedPrefixes)
        else ((r.prefix, r.origins) for r in routed)
    )
    for prefix, origins in pairs:
        if -1 not in out and ":" in prefix:
            out[-1] = {prefix: None}
        for origin in origins:
            if origin in wanted:
                out.setdefault(origin, {})[prefix] = None
    return {asn: list(prefixes) for asn, prefixes in out.items()}


def build_readiness(
    analysis: AnalysisResult,
    snapshot: RegistrySnapshot,
    refs: ReadinessRefs,
    model: ModelResult | None,
    *,
    generated_at: datetime,
    inventory: Sequence[int] = (),
    inventory_source: Source | None = None,
) -> ReadinessReport:
    """Returns the readiness scorecard of the analysis' domestic networks (and the inventory's).

    `model` is the IXP model of the same analysis (its candidates give the gain of joining,
    its graph the inferred providers when the snapshot has no CAIDA relationships).
    """
    home = analysis.country.upper()
    asns = _domestic_asns(analysis)
    measured = set(asns)
    for asn in inventory:
        if asn not in measured:
            asns.append(asn)
    sources = snapshot.sources + refs.sources
    analysis_source = Source(
        "ixpready analysis (measured domestic paths)",
        analysis.generated_at.date().isoformat(),
    )
    model_source = Source(
        "ixpready model (candidates)",
        model.generated_at.date().isoformat() if model is not None else None,
    ) if model is not None else Source("no model run", None)
    routing_source = _source(sources, ("prefix-to-AS", "RIPEstat"), "no routing table")
    names = {**snapshot.as_names, **analysis.as_names}
    by_origin = _prefixes_by_origin(snapshot, set(asns))
    has_v6_routes = -1 in by_origin

    ix_home = {ix.id: ix.name for ix in snapshot.ixs.values() if ix.country.upper() == home}
    presence: dict[int, set[str]] = {}
    for member in snapshot.ix_members:
        if member.ix_id in ix_home:
            presence.setdefault(member.asn, set()).add(ix_home[member.ix_id])
    has_netixlan = bool(snapshot.ix_members)
    ixp_source = _source(snapshot.sources, ("PeeringDB", "PCH", "IXP"), "no IXP member data")

    facilities: dict[int, set[str]] = {}
    for netfac in refs.netfacs:
        if netfac.country == home:
            facilities.setdefault(netfac.asn, set()).add(netfac.name)
    netfac_source = _source(refs.sources, ("PeeringDB netfac",), "no PeeringDB netfac file")
    pdb_source = _source(refs.sources, ("PeeringDB net", "PeeringDB poc"), "no PeeringDB net file")

    merged = (
        OriginValidator(vrp for v in refs.vrp_sets for vrp in v.vrps) if refs.vrp_sets else None
    )
    answers = {(a.prefix, a.origin): a.validity for a in refs.ripestat_rpki}
    rpki_source = _source(
        refs.sources, ("RPKI VRPs",) if merged is not None else ("RIPEstat rpki-validation",),
        "no VRPs or RIPEstat rpki-validation answers",
    )

    relationships_source = _source(snapshot.sources, ("AS relationships",), "")
    providers_of: dict[int, list[int]] = {}
    for rel in snapshot.relationships:
        if rel.relationship is Relationship.PROVIDER_CUSTOMER:
            providers_of.setdefault(rel.b, []).append(rel.a)
    model_networks = {n.asn: n for n in model.networks} if model is not None else {}
    candidates = {c.asn: c for c in model.candidates} if model is not None else {}
    domestic_set = set(asns)

    rows = []
    for asn in asns:
        mine = [p for p in analysis.paths if asn in (p.src_asn, p.dst_asn)]
        rows.append(
            NetworkReadiness(
                asn=asn,
                name=names.get(asn) or (refs.nets[asn].name if asn in refs.nets else ""),
                measured=asn in measured,
                home_ixps=_ixps(asn, presence, has_netixlan, ixp_source),
                home_facilities=_facilities(asn, facilities, refs.has_netfac, netfac_source),
                peeringdb=_peeringdb(asn, refs, pdb_source),
                ipv6=_ipv6(asn, by_origin, has_v6_routes, mine, routing_source),
                rpki=_rpki(asn, by_origin.get(asn, []), merged, answers, rpki_source),
                irr=_irr(asn, refs, pdb_source),
                upstreams=_upstreams(
                    asn, home, providers_of, relationships_source, model_networks, snapshot,
                    names, domestic_set, model_source,
                ),
                paths=_measured(mine, analysis_source),
                gain=_gain(asn, candidates, model_source),
            )
        )
    notes = []
    for vrp_set in refs.vrp_sets:
        if vrp_set.malformed:
            notes.append(
                f"{len(vrp_set.malformed)} unreadable VRP records left out of {vrp_set.source},"
                f" first {vrp_set.malformed[0].where}: {vrp_set.malformed[0].reason}"
            )
    if inventory_source is not None:
        notes.append(f"inventory: {inventory_source.source} ({inventory_source.date or 'undated'})")
    return ReadinessReport(
        country=home,
        generated_at=generated_at,
        analysis_generated_at=analysis.generated_at,
        simulated=analysis.simulated,
        networks=tuple(sorted(rows, key=lambda r: (not r.measured, -r.paths.paths, r.asn))),
        sources=sources,
        notes=tuple(notes),
    )


def _ixps(
    asn: int, presence: Mapping[int, set[str]], has_data: bool, source: Source
) -> IxpPresence:
    names = tuple(sorted(presence.get(asn, ())))
    check = Check.YES if names else Check.NO if has_data else Check.UNKNOWN
    return IxpPresence(names, check, source)


def _facilities(
    asn: int, facilities: Mapping[int, set[str]], has_data: bool, source: Source
) -> FacilityPresence:
    names = tuple(sorted(facilities.get(asn, ())))
    check = Check.YES if names else Check.NO if has_data else Check.UNKNOWN
    return FacilityPresence(names, check, source)


def _peeringdb(asn: int, refs: ReadinessRefs, source: Source) -> PeeringdbRecord:
    if not refs.has_net:
        return PeeringdbRecord(None, "", None, Check.UNKNOWN, source)
    net = refs.nets.get(asn)
    if net is None:
        return PeeringdbRecord(False, "", 0 if refs.has_poc else None, Check.NO, source)
    contacts = net.contacts if refs.has_poc else None
    ok = bool(net.policy) and contacts != 0
    check = Check.YES if ok and contacts is not None else Check.NO if not ok else Check.UNKNOWN
    return PeeringdbRecord(True, net.policy, contacts, check, source)


def _ipv6(
    asn: int,
    by_origin: Mapping[int, list[str]],
    has_v6_routes: bool,
    paths: list[PathVerdict],
    source: Source,
) -> Ipv6Readiness:
    prefixes = by_origin.get(asn, [])
    v6 = sum(":" in p for p in prefixes)
    v6_paths = [p for p in paths if p.af == 6]
    verdicts = tuple(
        (v.value, n) for v in _VERDICT_ORDER if (n := sum(p.verdict is v for p in v6_paths))
    )
    if v6:
        announces: bool | None = True
        check = Check.YES
    elif has_v6_routes:
        announces, check = False, Check.NO
    else:  # the routing table holds no IPv6 at all: it cannot tell
        announces, check = None, Check.UNKNOWN
    return Ipv6Readiness(
        announces, len(prefixes) - v6, v6, len(v6_paths), verdicts, check, source
    )


def _rpki(
    asn: int,
    prefixes: list[str],
    validator: OriginValidator | None,
    answers: Mapping[tuple[str, int], Validity],
    source: Source,
) -> RpkiReadiness:
    counts = {Validity.VALID: 0, Validity.INVALID: 0, Validity.NOT_FOUND: 0}
    unchecked = 0
    invalid: list[str] = []
    for prefix in prefixes:
        canonical = str(ipaddress.ip_network(prefix, strict=False))
        if validator is not None:
            validity: Validity | None = validator.validate(canonical, asn).validity
        else:
            validity = answers.get((canonical, asn))
        if validity is None:
            unchecked += 1
            continue
        counts[validity] += 1
        if validity is Validity.INVALID:
            invalid.append(canonical)
    if counts[Validity.INVALID] or counts[Validity.NOT_FOUND]:
        check = Check.NO
    elif prefixes and not unchecked:
        check = Check.YES
    else:
        check = Check.UNKNOWN
    return RpkiReadiness(
        prefixes=len(prefixes),
        valid=counts[Validity.VALID],
        invalid=counts[Validity.INVALID],
        not_found=counts[Validity.NOT_FOUND],
        unchecked=unchecked,
        invalid_prefixes=tuple(invalid),
        check=check,
        source=source,
    )


def _irr(asn: int, refs: ReadinessRefs, source: Source) -> IrrReadiness:
    net = refs.nets.get(asn)
    if net is None:  # without a PeeringDB record the as-set may still exist: cannot tell
        return IrrReadiness("", Check.UNKNOWN, source)
    return IrrReadiness(net.irr_as_set, Check.YES if net.irr_as_set else Check.NO, source)


def _upstreams(
    asn: int,
    home: str,
    providers_of: Mapping[int, list[int]],
    caida_source: Source,
    model_networks: Mapping[int, NetworkInfo],
    snapshot: RegistrySnapshot,
    names: Mapping[int, str],
    domestic: set[int],
    model_source: Source,
) -> UpstreamReadiness:
    if providers_of:
        provider_asns = sorted(set(providers_of.get(asn, ())))
        source = caida_source
    else:
        info = model_networks.get(asn)
        provider_asns = list(info.providers) if info is not None else []
        source = Source(f"inferred from measured paths ({model_source.source})", model_source.date)
    providers = []
    for provider in provider_asns:
        info = model_networks.get(provider)
        country = snapshot.asn_countries.get(provider) or (
            info.country if info is not None else None
        )
        providers.append(
            Upstream(
                asn=provider,
                name=names.get(provider, ""),
                country=country,
                domestic=(country or "").upper() == home or provider in domestic,
            )
        )
    foreign = sum(not p.domestic for p in providers)
    if not providers:
        check = Check.UNKNOWN
    else:
        check = Check.NO if foreign == len(providers) else Check.YES
    return UpstreamReadiness(tuple(providers), foreign, check, source)


def _measured(paths: list[PathVerdict], source: Source) -> MeasuredPaths:
    tromboned = [p for p in paths if p.verdict is Verdict.TROMBONED]
    return MeasuredPaths(
        paths=len(paths),
        tromboned=len(tromboned),
        tromboned_share=round(len(tromboned) / len(paths), 4) if paths else None,
        median_penalty_ms=_median([p.extra_rtt_ms for p in tromboned if p.extra_rtt_ms is not None]),
        source=source,
    )


def _gain(asn: int, candidates: Mapping[int, Candidate], source: Source) -> JoiningGain:
    candidate = candidates.get(asn)
    if candidate is None:
        return JoiningGain(None, 0, 0, None, (), "", source)
    return JoiningGain(
        rank=candidate.rank,
        tromboned_paths=candidate.tromboned_paths,
        kept_local_paths=candidate.kept_local_paths,
        median_saved_ms=candidate.median_saved_ms,
        present_at=candidate.present_at,
        explanation=candidate.explanation.text_en,
        source=source,
    )
