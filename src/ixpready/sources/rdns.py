"""Reverse DNS (PTR) of hop addresses over the network, with dnspython.

`PtrResolver.resolve` asks the configured servers (`rdns.servers`, else the system's
`/etc/resolv.conf`) the PTR of many addresses at once: at most `concurrency` queries in
flight, each with `timeout_s`, every server in turn, and the whole round retried once for an
address no server answered. UDP, then TCP when the answer is truncated. Offline nothing waits:
the first address is asked alone, once per server, and when no server answers at all the rest
are not asked (`Resolved.unreachable`).

A name is kept as the server sent it, in DNS presentation form without the final dot (what
`dig` prints: a byte that is not printable ASCII is written `\\ddd`, so a control character
never travels as one, and a NUL byte can be stored in PostgreSQL). "No name" (NXDOMAIN, or no
PTR record) is an answer too, kept for the negative TTL of the zone's SOA. SERVFAIL, REFUSED
and silence are failures: nothing is kept and the address is asked again next time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import dns.reversename

from ixpready.config import NO_DEADLINE, Deadline
from ixpready.errors import ConfigError, UnavailableError
from ixpready.measurements.records import IPAddress

log = logging.getLogger(__name__)

RESOLV_CONF = "/etc/resolv.conf"  # where the system's resolvers are listed
DEFAULT_NEGATIVE_TTL_S = 3600  # "no name" without an SOA in the answer: kept an hour


class PtrStatus(StrEnum):
    """What became of one address's question."""

    NAME = "name"  # a PTR name came back
    NO_NAME = "no_name"  # NXDOMAIN or no PTR record: the address has no name
    FAILED = "failed"  # SERVFAIL, REFUSED or an unreadable answer from every server
    TIMEOUT = "timeout"  # no server answered (after the retry)


@dataclass(frozen=True, slots=True)
class PtrAnswer:
    """One address's answer: its name (None when it has none), how long it holds, why."""

    address: IPAddress
    status: PtrStatus
    name: str | None
    ttl_s: int
    detail: str = ""

    @property
    def answered(self) -> bool:
        """Returns True when a server said what the name is, or that there is none."""
        return self.status in (PtrStatus.NAME, PtrStatus.NO_NAME)


@dataclass(frozen=True, slots=True)
class Resolved:
    """The answers of one `resolve` call; `unreachable` when no server answered at all."""

    answers: tuple[PtrAnswer, ...]
    not_asked: int
    unreachable: bool

    def count(self, status: PtrStatus) -> int:
        """Returns how many answers have this status."""
        return sum(a.status is status for a in self.answers)


def system_servers(path: str | None = None) -> tuple[tuple[str, int], ...]:
    """Returns the resolvers the system lists (`nameserver` lines of resolv.conf, port 53).

    Raises ConfigError when it lists none (or cannot be read).
    """
    where = path or RESOLV_CONF
    try:
        resolver = dns.resolver.Resolver(filename=where, configure=True)
    except (dns.resolver.NoResolverConfiguration, OSError):
        raise ConfigError(
            f"{where}: no DNS resolver to ask for reverse DNS",
            hint="set rdns.servers (IXPREADY_RDNS_SERVERS), or rdns.gather = false",
        ) from None
    return tuple((str(server), 53) for server in resolver.nameservers)


class PtrResolver:
    """Asks DNS servers the PTR names of addresses (see the module doc). Thread-safe."""

    def __init__(
        self,
        servers: Sequence[tuple[str, int]],
        *,
        timeout_s: float = 2.0,
        concurrency: int = 16,
        deadline: Deadline = NO_DEADLINE,
    ) -> None:
        if not servers:
            raise ValueError("at least one server is needed")
        self.servers = tuple(servers)
        self.timeout_s = timeout_s
        self.concurrency = max(1, concurrency)
        self.deadline = deadline

    def _ask(self, address: IPAddress, attempts: int) -> PtrAnswer:
        qname = dns.reversename.from_address(str(address))
        failure = PtrAnswer(address, PtrStatus.TIMEOUT, None, 0, "no server answered")
        for _attempt in range(attempts):
            for host, port in self.servers:
                try:
                    timeout = self.deadline.timeout_s(self.timeout_s)
                except UnavailableError:
                    return PtrAnswer(address, PtrStatus.TIMEOUT, None, 0, "time budget spent")
                query = dns.message.make_query(qname, dns.rdatatype.PTR)
                try:
                    response, _tcp = dns.query.udp_with_fallback(
                        query, host, timeout=timeout, port=port
                    )
                except dns.exception.Timeout:
                    continue
                except OSError as exc:  # unreachable, refused: as good as silence
                    failure = PtrAnswer(
                        address, failure.status, None, 0, f"{host}:{port}: {exc.strerror or exc}"
                    )
                    continue
                except dns.exception.DNSException as exc:  # an answer that cannot be read
                    failure = PtrAnswer(
                        address, PtrStatus.FAILED, None, 0, f"{host}:{port}: {type(exc).__name__}"
                    )
                    continue
                answer = _read(address, qname, response)
                if answer.answered:
                    return answer
                detail = f"{host}:{port}: {answer.detail}"
                failure = PtrAnswer(address, answer.status, None, 0, detail)
        return failure

    def resolve(self, addresses: Iterable[IPAddress]) -> Resolved:
        """Returns the PTR answer of every address (each asked once, in the order given).

        Never raises for a network failure: the answers say what failed.
        """
        wanted = list(dict.fromkeys(addresses))
        if not wanted:
            return Resolved((), 0, False)
        first = self._ask(wanted[0], attempts=1)
        if first.status is PtrStatus.TIMEOUT:
            log.warning("reverse DNS: no server answered (%s); %d addresses not asked",
                        ", ".join(f"{h}:{p}" for h, p in self.servers), len(wanted))  # fmt: skip
            return Resolved((first,), len(wanted) - 1, True)
        # the first address, when it failed, gets its retry with the others
        again = [] if first.answered else [(wanted[0], 1)]
        jobs = again + [(address, 2) for address in wanted[1:]]
        if not jobs:
            return Resolved((first,), 0, False)
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="ptr") as pool:
            rest = list(pool.map(lambda job: self._ask(*job), jobs))
        return Resolved(tuple(rest) if again else (first, *rest), 0, False)


def _negative_ttl(response: dns.message.Message) -> int:
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            return int(min(rrset.ttl, rrset[0].minimum))  # RFC 2308
    return DEFAULT_NEGATIVE_TTL_S


def _read(address: IPAddress, qname: dns.name.Name, response: dns.message.Message) -> PtrAnswer:
    rcode = response.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return PtrAnswer(address, PtrStatus.NO_NAME, None, _negative_ttl(response), "NXDOMAIN")
    if rcode != dns.rcode.NOERROR:
        return PtrAnswer(address, PtrStatus.FAILED, None, 0, dns.rcode.to_text(rcode))
    if response.flags & dns.flags.TC:
        return PtrAnswer(address, PtrStatus.FAILED, None, 0, "truncated answer")
    names = sorted(
        (rrset.ttl, rdata.target.to_text(omit_final_dot=True))
        for rrset in response.answer
        if rrset.rdtype == dns.rdatatype.PTR
        for rdata in rrset
    )  # a CNAME (RFC 2317 classless delegation) leads to the PTR: any PTR in the answer counts
    if names:
        ttl, name = names[0][0], min(text for _ttl, text in names)
        if name and name != ".":
            return PtrAnswer(address, PtrStatus.NAME, name, int(ttl))
    authoritative = bool(response.flags & dns.flags.AA) or any(
        rrset.rdtype == dns.rdatatype.SOA for rrset in response.authority
    )
    if authoritative:  # NODATA: the name exists, with no PTR
        return PtrAnswer(address, PtrStatus.NO_NAME, None, _negative_ttl(response), "no PTR")
    return PtrAnswer(address, PtrStatus.FAILED, None, 0, "a referral, not an answer")
