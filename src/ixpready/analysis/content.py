"""Where popular content is served from: DNS answers for content names, mapped and traced.

The input is DNS results of content names (RIPE Atlas DNS measurements, or the operators'
probe's `dns --check resolve`, which writes the same format): each `abuf` is decoded with
dnspython, and every A/AAAA address in its answer section (after any CNAME chain) becomes
an answer of the name asked. With reference data (`AddressOwners`) each address gets its
origin AS, the AS name and the registry country (of the address block, else of the AS):
where the holder registered, not where the server stands. Traceroutes to those addresses
in the analysis (its verdicts, matched on the destination address) say whether the path
from home stays in the country: a domestic path keeps its verdict, an outbound path (the
destination network registered abroad) says "served from abroad". Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import ip_address
from statistics import median

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from ixpready.analysis.verdicts import PathVerdict, Scope, Verdict
from ixpready.enrichment.geo import special_range
from ixpready.enrichment.prefixes import PrefixTable, RegistryCountries
from ixpready.measurements.records import DnsResult, IPAddress
from ixpready.refdata.snapshots import RegistrySnapshot, SnapshotSource

ADDRESS_TYPES = {dns.rdatatype.A: "A", dns.rdatatype.AAAA: "AAAA"}
NO_ADDRESS = "no address"  # the failure of a NOERROR answer without an A/AAAA record


class Served(StrEnum):
    """Where the traceroutes from home to a name's addresses say it is served from."""

    IN_COUNTRY = "in_country"  # every conclusive path stayed local (maybe via a local IXP)
    DETOUR = "detour"  # served at home, but some paths leave the country and come back
    ABROAD = "abroad"  # the destination network is abroad
    MIXED = "mixed"  # some addresses or paths one way, some another
    INCONCLUSIVE = "inconclusive"  # traced, but no path could be decided
    NOT_TRACED = "not_traced"  # no traceroute from home to these addresses


@dataclass(frozen=True, slots=True)
class Owner:
    """Who holds an address according to the reference data (None: not known there)."""

    prefix: str | None
    asn: int | None
    as_name: str | None
    registry_country: str | None


class AddressOwners:
    """Origin AS, AS name and registry country of addresses, from one snapshot. No I/O."""

    def __init__(
        self,
        prefixes: PrefixTable,
        registry: RegistryCountries,
        as_names: Mapping[int, str],
        sources: tuple[SnapshotSource, ...] = (),
    ) -> None:
        self._prefixes = prefixes
        self._registry = registry
        self._names = dict(as_names)
        self.sources = sources

    @classmethod
    def from_snapshot(cls, snapshot: RegistrySnapshot) -> AddressOwners:
        """Returns the owners lookup of a reference snapshot."""
        return cls(
            PrefixTable.from_snapshot(snapshot),
            RegistryCountries.from_snapshot(snapshot),
            snapshot.as_names,
            snapshot.sources,
        )

    def owner(self, address: IPAddress) -> Owner:
        """Returns the most specific routed prefix covering `address`, its origin AS and name,
        and the registry country of the block (else of the origin AS)."""
        origin = self._prefixes.origin(address)
        asn = None if origin is None else origin.asn
        country = self._registry.of_address(address)
        if country is None and asn is not None:
            country = self._registry.of_asn(asn)
        return Owner(
            prefix=None if origin is None else origin.prefix,
            asn=asn,
            as_name=None if asn is None else self._names.get(asn),
            registry_country=country,
        )


@dataclass(frozen=True, slots=True)
class PathsTo:
    """The analysed traceroutes from home to one address (or to all of a name's)."""

    local: int = 0  # domestic paths that stayed in the country (incl. via a local IXP)
    tromboned: int = 0  # domestic paths that left the country and came back
    abroad: int = 0  # outbound paths: the destination network is registered abroad
    inconclusive: int = 0
    countries: tuple[str, ...] = ()  # countries outside home the paths reached, most first
    median_rtt_ms: float | None = None

    @property
    def total(self) -> int:
        """Returns the number of paths counted."""
        return self.local + self.tromboned + self.abroad + self.inconclusive

    @property
    def served(self) -> Served:
        """Returns where these paths say the content is served from: abroad, at home (with
        or without detours), both (MIXED), or not decided."""
        at_home = self.local + self.tromboned
        if self.abroad:
            return Served.MIXED if at_home else Served.ABROAD
        if self.tromboned:
            return Served.DETOUR
        if self.local:
            return Served.IN_COUNTRY
        return Served.INCONCLUSIVE if self.inconclusive else Served.NOT_TRACED


@dataclass(frozen=True, slots=True)
class ContentAddress:
    """One address a content name resolved to, who holds it and how the paths to it went."""

    address: IPAddress
    rdtype: str  # "A" or "AAAA"
    probes: int  # distinct probes that got this address
    answers: int
    special: str | None  # "private (RFC 1918)", ...: not a public server
    owner: Owner | None  # None without reference data
    paths: PathsTo


@dataclass(frozen=True, slots=True)
class ContentName:
    """One content name: every address it resolved to and what the answers had in common."""

    name: str  # "www.ripe.net" (as asked, without the final dot)
    aliases: tuple[str, ...]  # CNAME targets seen on the way, in order
    addresses: tuple[ContentAddress, ...]  # most answers first
    probes: int  # distinct probes that asked
    answers: int  # responses with at least one address
    failures: tuple[tuple[str, int], ...]  # ("NXDOMAIN", 2), ("no address", 1), ...
    paths: PathsTo  # the paths to all its addresses together

    @property
    def served(self) -> Served:
        """Returns where the traceroutes say this name is served from."""
        return self.paths.served


@dataclass(frozen=True, slots=True)
class ContentSummary:
    """Every content name seen in the DNS results, and what could not be used."""

    names: tuple[ContentName, ...]  # most probes first
    responses: int  # answers read to IN A/AAAA questions (errors and unreadable answers
    # carry no question: the DNS-instance findings count them)
    mapped: bool  # True when reference data gave owners
    sources: tuple[SnapshotSource, ...] = ()  # the reference files used for the mapping


@dataclass
class _Seen:
    kind: str
    probes: set[int]
    answers: int = 0


@dataclass
class _Name:
    probes: set[int] = field(default_factory=set)
    answers: int = 0
    aliases: list[str] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)


def _content_question(message: dns.message.Message) -> tuple[str, int] | None:
    if not message.question:
        return None
    question = message.question[0]
    if question.rdclass != dns.rdataclass.IN or question.rdtype not in ADDRESS_TYPES:
        return None
    return question.name.to_text(omit_final_dot=True), question.rdtype


def _paths_to(paths: Iterable[PathVerdict], home: str) -> dict[IPAddress, list[PathVerdict]]:
    by_address: dict[IPAddress, list[PathVerdict]] = defaultdict(list)
    for path in paths:
        if path.dst_addr is None or path.scope in (Scope.INBOUND, Scope.FOREIGN):
            continue  # measured from abroad: says nothing about serving home
        if path.scope is Scope.UNKNOWN and path.src_country not in (home, None):
            continue
        try:
            by_address[ip_address(path.dst_addr)].append(path)
        except ValueError:
            continue
    return by_address


def _count(paths: Iterable[PathVerdict]) -> PathsTo:
    local = tromboned = abroad = inconclusive = 0
    countries: Counter[str] = Counter()
    rtts: list[float] = []
    for path in paths:
        if path.rtt_ms is not None:
            rtts.append(path.rtt_ms)
        if path.scope is Scope.OUTBOUND:
            abroad += 1
            reached = path.foreign_countries or ((path.dst_country,) if path.dst_country else ())
            countries.update(dict.fromkeys(reached, 1))
        elif path.scope is Scope.DOMESTIC and path.verdict in (
            Verdict.LOCAL,
            Verdict.LOCAL_VIA_IXP,
        ):
            local += 1
        elif path.scope is Scope.DOMESTIC and path.verdict is Verdict.TROMBONED:
            tromboned += 1
            countries.update(dict.fromkeys(path.foreign_countries, 1))
        else:
            inconclusive += 1
    ranked = tuple(c for c, _ in sorted(countries.items(), key=lambda kv: (-kv[1], kv[0])))
    return PathsTo(local, tromboned, abroad, inconclusive, ranked,
                   median(rtts) if rtts else None)  # fmt: skip


def content_findings(
    results: Iterable[DnsResult],
    *,
    home: str,
    paths: Iterable[PathVerdict] = (),
    owners: AddressOwners | None = None,
) -> ContentSummary:
    """Returns the content names asked in `results` (IN A/AAAA questions; other questions,
    such as CHAOS identity queries, are left to the DNS-instance findings), each with its
    addresses, their owners (with `owners`) and the analysed `paths` from `home` to them.

    A truncated answer (a TCP retry follows it) is not counted; a response without an
    address (NXDOMAIN, REFUSED, an empty answer) is a failure of its name.
    """
    home = home.upper()
    names: dict[str, _Name] = {}
    seen: dict[tuple[str, IPAddress], _Seen] = {}
    count = 0
    for result in results:
        for response in result.responses:
            if response.answer is None or response.error:
                continue  # no answer, so no question to tell: the DNS findings count these
            try:
                message = dns.message.from_wire(response.answer)
            except (dns.exception.DNSException, ValueError, UnicodeError):
                continue  # counted as unreadable by the DNS findings
            question = _content_question(message)
            if question is None or message.flags & dns.flags.TC:
                continue
            count += 1
            name = question[0]
            entry = names.setdefault(name, _Name())
            entry.probes.add(result.key.prb_id)
            found: list[tuple[IPAddress, str]] = []
            for rrset in message.answer:
                if rrset.rdtype == dns.rdatatype.CNAME:
                    for rdata in rrset:
                        alias = rdata.target.to_text(omit_final_dot=True)
                        if alias not in entry.aliases:
                            entry.aliases.append(alias)
                kind = ADDRESS_TYPES.get(rrset.rdtype)
                if kind is None or rrset.rdclass != dns.rdataclass.IN:
                    continue
                found += [(ip_address(rdata.address), kind) for rdata in rrset]
            if not found:
                rcode = message.rcode()
                reason = dns.rcode.to_text(rcode) if rcode != dns.rcode.NOERROR else NO_ADDRESS
                entry.failures[reason] += 1
                continue
            entry.answers += 1
            for address, kind in dict.fromkeys(found):
                item = seen.setdefault((name, address), _Seen(kind, set()))
                item.probes.add(result.key.prb_id)
                item.answers += 1
    traced = _paths_to(paths, home)
    content: list[ContentName] = []
    for name, entry in names.items():
        addresses = []
        for (owner_name, address), item in seen.items():
            if owner_name != name:
                continue
            addresses.append(
                ContentAddress(
                    address=address,
                    rdtype=item.kind,
                    probes=len(item.probes),
                    answers=item.answers,
                    special=special_range(address),
                    owner=None if owners is None else owners.owner(address),
                    paths=_count(traced.get(address, ())),
                )
            )
        addresses.sort(key=lambda a: (-a.answers, a.address.version, a.address))
        every_path = [p for a in addresses for p in traced.get(a.address, ())]
        failures = entry.failures
        content.append(
            ContentName(
                name=name,
                aliases=tuple(entry.aliases),
                addresses=tuple(addresses),
                probes=len(entry.probes),
                answers=entry.answers,
                failures=tuple(sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))),
                paths=_count(every_path),
            )
        )
    content.sort(key=lambda c: (-c.probes, c.name))
    return ContentSummary(
        names=tuple(content),
        responses=count,
        mapped=owners is not None,
        sources=() if owners is None else owners.sources,
    )
