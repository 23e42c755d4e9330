"""DNS findings: which server instance answered the probes, and where that instance is (the
report words them: `report.render`; deciding is done here).

Anycast DNS servers (the root, a ccTLD) name the instance that answered in the EDNS NSID
option or a CHAOS-class TXT answer (`hostname.bind`, `id.server`), for instance
`atl01.l.root-servers.org`. The city code in that name (read by the same rules as router
names, `enrichment.geo.rdns_city`) hints where the instance is; an instance outside the home
country means queries from home leave the country. Answers are decoded with dnspython;
an answer that cannot be decoded is counted, not guessed at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

import dns.edns
import dns.exception
import dns.message
import dns.rdataclass
import dns.rdatatype

from ixpready.enrichment.geo import rdns_city
from ixpready.measurements.records import DnsResult

IDENTITY_NAMES = frozenset({"hostname.bind.", "id.server."})


@dataclass(frozen=True, slots=True)
class DnsFinding:
    """One server as seen from the probes: what was asked, which instance answered."""

    server: str  # the address asked ("" when the probe's own resolver was used)
    query: str  # "fr. IN SOA"
    instance: str | None  # the instance's own name (NSID / CHAOS TXT), None if not given
    site: str | None  # "Atlanta, US": the city its name points at, when it names one
    site_country: str | None
    probes: int  # distinct probes whose query this instance answered
    answers: int
    median_rtt_ms: float | None


@dataclass(frozen=True, slots=True)
class DnsSummary:
    """The DNS findings and what could not be used."""

    findings: tuple[DnsFinding, ...]
    results: int
    unanswered: int  # responses with an error or no answer
    undecodable: int  # answers dnspython could not read
    ordinary: int = 0  # plain lookups (no instance identity): shown by the content section


def _identity(message: dns.message.Message) -> str | None:
    for option in message.options or ():
        if option.otype == dns.edns.OptionType.NSID:
            raw = option.to_wire() if not isinstance(option, dns.edns.NSIDOption) else option.nsid
            text = raw.decode("utf-8", "replace").strip()
            if text:
                return text
    for rrset in message.answer:
        if (
            rrset.rdclass == dns.rdataclass.CH
            and rrset.rdtype == dns.rdatatype.TXT
            and rrset.name.to_text().lower() in IDENTITY_NAMES
        ):
            for rdata in rrset:
                strings: list[bytes] = list(rdata.strings)
                text = b"".join(strings).decode("utf-8", "replace").strip()
                if text:
                    return text
    return None


def _query(message: dns.message.Message) -> str:
    if not message.question:
        return "?"
    question = message.question[0]
    return (
        f"{question.name.to_text()} {dns.rdataclass.to_text(question.rdclass)} "
        f"{dns.rdatatype.to_text(question.rdtype)}"
    )


def dns_findings(results: Iterable[DnsResult]) -> DnsSummary:
    """Returns one finding per (server, query, instance): named instances first, then by
    server and query, most probes first. Plain lookups (class IN without an NSID identity,
    such as content names) are counted in `ordinary`, not listed: they are not about which
    instance of a server answered."""
    groups: dict[tuple[str, str, str | None], list[tuple[int, float | None]]] = defaultdict(list)
    count = unanswered = undecodable = ordinary = 0
    for result in results:
        count += 1
        for response in result.responses:
            if response.answer is None or response.error:
                unanswered += 1
                continue
            try:
                message = dns.message.from_wire(response.answer)
            except (dns.exception.DNSException, ValueError, UnicodeError):
                undecodable += 1
                continue
            identity = _identity(message)
            question = message.question[0] if message.question else None
            if identity is None and question is not None and question.rdclass != dns.rdataclass.CH:
                ordinary += 1  # a plain lookup (content names): the content section shows it
                continue
            server = "" if response.resolver is None else str(response.resolver)
            key = (server, _query(message), identity)
            groups[key].append((result.key.prb_id, response.rtt_ms))
    findings = []
    for (server, query, instance), seen in groups.items():
        place = rdns_city(instance) if instance else None
        rtts = [rtt for _, rtt in seen if rtt is not None]
        findings.append(
            DnsFinding(
                server=server,
                query=query,
                instance=instance,
                site=place[0].label if place else None,
                site_country=place[0].country if place else None,
                probes=len({prb for prb, _ in seen}),
                answers=len(seen),
                median_rtt_ms=median(rtts) if rtts else None,
            )
        )
    # Named instances first (they answer "where"), then by server, most probes first.
    findings.sort(
        key=lambda f: (f.instance is None, f.server, f.query, -f.probes, f.instance or "")
    )
    return DnsSummary(tuple(findings), count, unanswered, undecodable, ordinary)
