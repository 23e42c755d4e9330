"""AnalysisResult objects built directly for the report tests (no files, no network).

Networks use documentation ASNs (RFC 5398) with invented names; `hostile=True` puts
attacker-controlled text where the network puts it: reverse-DNS facts in the evidence, AS
names, probe descriptions, a city name.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from ipaddress import ip_address

import dns.message
import dns.name
import dns.rrset
from dns.rdataclass import IN
from dns.rdatatype import CNAME
from dns.rdtypes.ANY.CNAME import CNAME as CnameRecord

from ixpready.analysis.verdicts import (
    AnalysisResult,
    Evidence,
    PathVerdict,
    ProbeCheck,
    Scope,
    SnapshotInfo,
    Summary,
    Verdict,
)
from ixpready.measurements.records import DnsResponse, DnsResult, TraceKey
from ixpready.model.results import (
    Candidate,
    CurvePoint,
    Explanation,
    FoundingSet,
    ModelResult,
    Pick,
    WhatIf,
)
from ixpready.refdata.snapshots import RegistrySnapshot, RoutedPrefix, SnapshotSource

SCRIPT = "<script>alert(1)</script>.example"
FORMULA = '=HYPERLINK("http://x","y")'

CABLE, TELE, FIBRA, MOVIL = 64496, 64497, 64498, 64499
TRANSIT_US, TRANSIT_MX = 65550, 65551
HOME_IXP = "IXP Guatemala (ejemplo)"
MSM_IDS = (70000001, 70000002, 70000003)
START = int(datetime(2026, 3, 2, 14, 0, tzinfo=UTC).timestamp())
DAY = 86400

NAMES = {
    CABLE: "Cable Norte",
    TELE: "Telefonía Central",
    FIBRA: "Fibra Maya",
    MOVIL: "Móvil Sur",
    TRANSIT_US: "Big Transit Inc",
    TRANSIT_MX: "Tránsito MX",
}

# (src, dst, verdict, cities, carriers, rtt, extra) — pinned by hand.
PLAN: tuple[
    tuple[int, int, Verdict, tuple[str, ...], tuple[int, ...], float, float | None], ...
] = (
    (CABLE, TELE, Verdict.TROMBONED, ("Miami, US",), (TRANSIT_US,), 88.0, 74.0),
    (CABLE, TELE, Verdict.TROMBONED, ("Miami, US",), (TRANSIT_US,), 92.5, 78.5),
    (CABLE, FIBRA, Verdict.TROMBONED, ("Dallas, US",), (TRANSIT_US,), 101.0, 86.0),
    (CABLE, MOVIL, Verdict.LOCAL, (), (), 6.0, None),
    (TELE, CABLE, Verdict.TROMBONED, ("Miami, US",), (TRANSIT_US,), 85.0, 71.0),
    (TELE, FIBRA, Verdict.LOCAL_VIA_IXP, (), (), 4.5, None),
    (TELE, MOVIL, Verdict.LOCAL_VIA_IXP, (), (), 5.0, None),
    (FIBRA, CABLE, Verdict.TROMBONED, ("Mexico City, MX",), (TRANSIT_MX,), 64.0, 50.0),
    (FIBRA, TELE, Verdict.LOCAL_VIA_IXP, (), (), 3.8, None),
    (FIBRA, MOVIL, Verdict.INCONCLUSIVE, (), (), 40.0, None),
    (MOVIL, CABLE, Verdict.LOCAL, (), (), 7.2, None),
    (MOVIL, TELE, Verdict.TROMBONED, ("Miami, US",), (TRANSIT_US,), 96.0, 81.0),
    (MOVIL, FIBRA, Verdict.INCONCLUSIVE, (), (), 33.0, None),
)


def _path(index: int, row: tuple[int, int, Verdict, tuple[str, ...], tuple[int, ...], float,
                                 float | None], *, hostile: bool, day: int) -> PathVerdict:  # fmt: skip
    src, dst, verdict, cities, carriers, rtt, extra = row
    countries = tuple(c.rsplit(", ", 1)[1] for c in cities)
    evidence: list[Evidence] = []
    if verdict is Verdict.TROMBONED:
        rdns = f"ae-1.{cities[0].split(',')[0].lower().replace(' ', '')}.transit.example"
        if hostile and index == 0:
            rdns = SCRIPT
        if hostile and index == 1:
            rdns = FORMULA
        evidence.append(Evidence("rdns", f"{rdns} names {cities[0]}", hop=5,
                                 address="192.0.2.5", country=countries[0]))  # fmt: skip
        evidence.append(Evidence("rtt_bound", f"RTT {rtt:.1f} ms is above the 14 ms floor", hop=6))
    elif verdict is Verdict.LOCAL_VIA_IXP:
        evidence.append(Evidence("ixp_lan", f"hop on the {HOME_IXP} peering LAN", hop=3,
                                 address="198.51.100.3", country="GT"))  # fmt: skip
    elif verdict is Verdict.INCONCLUSIVE:
        evidence.append(Evidence("path", "hops 4-9 did not answer"))
    else:
        evidence.append(Evidence("rtt_bound", f"RTT {rtt:.1f} ms fits inside GT", hop=4))
    return PathVerdict(
        trace=TraceKey(MSM_IDS[index % len(MSM_IDS)], 1000 + index, START + day * DAY + index * 60),
        scope=Scope.DOMESTIC,
        verdict=verdict,
        reason=f"{verdict} by sample plan",
        af=4,
        dst_addr=f"203.0.113.{index + 1}",
        src_asn=src,
        dst_asn=dst,
        src_country="GT",
        dst_country="GT",
        as_path=(src, *carriers, dst),
        foreign_countries=countries,
        foreign_cities=cities,
        ixps=(HOME_IXP,) if verdict is Verdict.LOCAL_VIA_IXP else (),
        ixp_countries=("GT",) if verdict is Verdict.LOCAL_VIA_IXP else (),
        carried_by=carriers,
        rtt_ms=rtt,
        floor_rtt_ms=14.0 if extra is not None else None,
        extra_rtt_ms=extra,
        confidence=0.9 if verdict is not Verdict.INCONCLUSIVE else 0.2,
        evidence=tuple(evidence),
    )


def sample_analysis(
    *, hostile: bool = False, days: int = 1, simulated: bool = True, round_index: int = 0
) -> AnalysisResult:
    """Returns an analysis of 13 domestic paths per day over `days` days (see PLAN), measured
    `round_index` days after 2026-03-02 (later rounds: later dates)."""
    paths = tuple(
        _path(i, row, hostile=hostile, day=day + round_index)
        for day in range(days)
        for i, row in enumerate(PLAN)
    )
    other = (
        PathVerdict(
            trace=TraceKey(MSM_IDS[0], 2000, START), scope=Scope.OUTBOUND,
            verdict=Verdict.INCONCLUSIVE, reason="outbound", af=4, dst_addr="192.0.2.200",
            src_asn=CABLE, dst_asn=TRANSIT_US, src_country="GT", dst_country="US", as_path=(),
            foreign_countries=(), foreign_cities=(), ixps=(), ixp_countries=(), carried_by=(),
            rtt_ms=None, floor_rtt_ms=None, extra_rtt_ms=None, confidence=0.0, evidence=(),
        ),
    )  # fmt: skip
    names = dict(NAMES)
    descriptions = {1000: "Oficina central", 1001: "Probe at home", 1002: "Colegio"}
    if hostile:
        names[CABLE] = f"Cable {SCRIPT}"
        names[TELE] = FORMULA
        descriptions[1000] = SCRIPT
        descriptions[1001] = FORMULA
    probes = tuple(
        ProbeCheck(
            prb_id=prb, country="GT", asn=asn, latitude=14.6, longitude=-90.5,
            status=status, detail="RTT to GT anchors fits", description=descriptions.get(prb, ""),
        )
        for prb, asn, status in ((1000, CABLE, "confirmed"), (1001, TELE, "confirmed"),
                                 (1002, FIBRA, "unverified"), (1003, MOVIL, "contradicted"))
    )  # fmt: skip
    summary = Summary.of(paths, other, results_read=len(paths) + 3, quarantined=1, skipped=1,
                         duplicates=0)  # fmt: skip
    return AnalysisResult(
        country="GT",
        generated_at=datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
        + timedelta(days=round_index + days - 1),
        summary=summary,
        paths=paths,
        other_paths=other,
        probes=probes,
        snapshots=(
            SnapshotInfo("peeringdb", "peeringdb-2026-03-01.json", "2026-03-01"),
            SnapshotInfo("prefixes", "routeviews-prefix2as-2026-03-01.txt", "2026-03-01"),
        ),
        as_names=names,
        home_ixps=(HOME_IXP,),
        inputs=("traceroutes-2026-03-02.jsonl",),
        simulated=simulated,
    )


def _explanation(key: str, asn: int, name: str, tromboned: int, kept: int) -> Explanation:
    return Explanation(
        key=key, asn=asn, name=name, country="GT", paths=6, tromboned_paths=tromboned,
        kept_local_paths=kept, median_saved_ms=70.0 if kept else None,
        ixps=(HOME_IXP,) if key.startswith("member") else (), top_carrier_asn=TRANSIT_US,
        top_carrier_name=NAMES[TRANSIT_US], top_carrier_share=0.8, text_en="(English text)",
    )  # fmt: skip


def _candidate(rank: int, asn: int, name: str, key: str, tromboned: int, kept: int) -> Candidate:
    return Candidate(
        rank=rank, asn=asn, name=name, pairs=3, tromboned_pairs=tromboned, kept_local_pairs=kept,
        weight_kept_local=float(kept), paths=6, tromboned_paths=tromboned,
        kept_local_paths=kept, median_saved_ms=70.0 if kept else None,
        total_saved_ms=70.0 * kept, present_at=(HOME_IXP,) if key.startswith("member") else (),
        still_abroad_pairs=tromboned - kept,
        explanation=_explanation(key, asn, name, tromboned, kept),
    )  # fmt: skip


def _whatif(name: str, members: tuple[int, ...], after: int, made_local: int) -> WhatIf:
    return WhatIf(
        name=name, members=members, pairs=12, pairs_local_before=5, pairs_local_after=after,
        weight_local_before=5.0, weight_local_after=float(after),
        measured_tromboned_made_local=made_local,
        median_saved_ms=72.5 if made_local else None, agreement=0.9, outcomes=(),
    )  # fmt: skip


def sample_model(*, hostile: bool = False) -> ModelResult:
    """Returns a model of the sample analysis: Cable Norte and Móvil Sur should join."""
    cable = f"Cable {SCRIPT}" if hostile else NAMES[CABLE]
    movil = FORMULA if hostile else NAMES[MOVIL]
    candidates = (
        _candidate(1, CABLE, cable, "join", 4, 3),
        _candidate(2, MOVIL, movil, "join", 1, 1),
        _candidate(3, TELE, NAMES[TELE], "member_still_abroad", 2, 1),
        _candidate(4, FIBRA, NAMES[FIBRA], "member_local", 1, 0),
    )
    picks = (
        Pick(order=1, asn=CABLE, name=cable, marginal_gain=4.0, objective=4.0),
        Pick(order=2, asn=MOVIL, name=movil, marginal_gain=2.0, objective=6.0),
    )
    return ModelResult(
        country="GT",
        generated_at=datetime(2026, 3, 4, 19, 0, tzinfo=UTC),
        analysis_generated_at=datetime(2026, 3, 4, 18, 30, tzinfo=UTC),
        simulated=True,
        weighting="pairs",
        networks=(),
        links=(),
        country_dependence=(),
        dependence=(),
        candidates=candidates,
        founding_set=FoundingSet(
            k=2,
            already_present=(TELE, FIBRA),
            picks=picks,
            curve=(
                CurvePoint(k=1, objective=4.0, pairs_local=8, weight_local=8.0),
                CurvePoint(k=2, objective=6.0, pairs_local=10, weight_local=10.0),
            ),
            objective_max=6.0,
        ),
        scenarios=(
            _whatif("status_quo", (TELE, FIBRA), 5, 0),
            _whatif("founding_set", (TELE, FIBRA, CABLE, MOVIL), 10, 5),
            _whatif("everyone", (CABLE, TELE, FIBRA, MOVIL), 11, 6),
        ),
        graph_nodes=6,
        graph_links=9,
    )


# Content names: DNS answers as the probe's `dns --check resolve` records them (wire format).
NEWS = "www.noticias.example"  # CNAME -> cdn.example.net: 203.0.113.2 (domestic, tromboned
# path 1) and 192.0.2.200 (the outbound path, destination registered in US): mixed
PORTAL = "portal.example"  # 203.0.113.4 (domestic path 3, local): served in the country
CONTENT_PREFIXES = (("203.0.113.0/24", (TELE,)), ("192.0.2.0/24", (TRANSIT_US,)))


def _answer(name: str, alias: str | None, addresses: tuple[str, ...]) -> bytes:
    query = dns.message.make_query(name, "A")
    response = dns.message.make_response(query)
    owner = name
    if alias is not None:
        target = CnameRecord(IN, CNAME, dns.name.from_text(alias))
        response.answer.append(dns.rrset.from_rdata(dns.name.from_text(name), 300, target))
        owner = alias
    response.answer.append(
        dns.rrset.from_text(dns.name.from_text(owner), 60, "IN", "A", *addresses)
    )
    return response.to_wire()


def _chaos_answer(instance: str) -> bytes:
    query = dns.message.make_query("hostname.bind.", "TXT", "CH")
    response = dns.message.make_response(query)
    response.answer.append(dns.rrset.from_text("hostname.bind.", 0, "CH", "TXT", f'"{instance}"'))
    return response.to_wire()


def sample_content_dns(*, hostile: bool = False) -> tuple[DnsResult, ...]:
    """Returns A answers for two content names from probes 1000 and 1001 (with `hostile`,
    the news name is SCRIPT-like and its alias FORMULA-like, and a root server's CHAOS answer
    names a SCRIPT-like instance)."""
    news = "<script>alert(1)</script>.example" if hostile else NEWS
    alias = '=HYPERLINK("http://x","y")' if hostile else "cdn.example.net"
    asked = ((news, alias, ("203.0.113.2", "192.0.2.200")), (PORTAL, None, ("203.0.113.4",)))
    return tuple(
        DnsResult(
            key=TraceKey(2_000_000_000 + index, prb, START + index),
            af=4,
            public_source=None,
            responses=(DnsResponse(ip_address("192.0.2.53"), 12.5, _answer(*question)),),
        )
        for index, question in enumerate(asked)
        for prb in (1000, 1001)
    ) + (
        (
            DnsResult(
                key=TraceKey(2_000_000_100, 1000, START),
                af=4,
                public_source=None,
                responses=(DnsResponse(ip_address("199.7.83.42"), 6.5, _chaos_answer(SCRIPT)),),
            ),
        )
        if hostile
        else ()
    )


def sample_refdata(*, hostile: bool = False) -> RegistrySnapshot:
    """Returns reference data owning the content addresses (TELE at home, TRANSIT_US in US)."""
    names = dict(NAMES)
    if hostile:
        names[TRANSIT_US] = f"Transit {SCRIPT}"
    return RegistrySnapshot(
        routed=tuple(RoutedPrefix(prefix, origins) for prefix, origins in CONTENT_PREFIXES),
        as_names=names,
        asn_countries={TELE: "GT", TRANSIT_US: "US"},
        sources=(SnapshotSource("prefix-to-AS", "pfx2as-20260301.txt", "2026-03-01"),),
    )
