"""Reverse DNS gathered by the pipeline: the PTR names of hop addresses, kept in the store.

`fetch` and `run` ask the names of the hop addresses of new results (`rdns.gather`), keep
each answer in the store with its date and TTL (`rdns_names`), and ask again only once it
has expired. `analyze --store` and `run`'s analyses read the kept names as reverse-DNS
evidence; `analyze FILES --resolve` asks for files. Addresses in special-purpose ranges
(private, CGNAT, documentation, ...) are never asked: no public name exists for them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from ipaddress import ip_address

from ixpready.config import Deadline, RdnsSettings
from ixpready.enrichment.geo import special_range
from ixpready.errors import ConfigError
from ixpready.measurements.parse import parse_lines
from ixpready.measurements.records import IPAddress, Trace
from ixpready.measurements.store_records import ResultStore, StoredName
from ixpready.sources.rdns import PtrResolver, PtrStatus, Resolved, system_servers


@dataclass(frozen=True, slots=True)
class GatherSummary:
    """What one gathering did: addresses seen, kept answers reused, asked, and the outcome."""

    addresses: int
    reused: int
    asked: int
    named: int
    no_name: int
    failed: int
    not_asked: int
    unreachable: bool

    def as_line(self) -> str:
        """Returns the summary on one line, for the terminal and a run's steps."""
        if not self.addresses:
            return "no public hop address"
        line = f"{self.addresses} hop addresses: {self.reused} names kept from before"
        if self.unreachable:
            return f"{line}; no DNS server answered, {self.not_asked} not asked"
        line += f", {self.asked} asked: {self.named} named, {self.no_name} without a name"
        if self.failed:
            line += f", {self.failed} failed (asked again next time)"
        return line


NOTHING = GatherSummary(0, 0, 0, 0, 0, 0, 0, False)


def hop_addresses(traces: Iterable[Trace]) -> list[IPAddress]:
    """Returns the public addresses that answered in the traces, each once, in order."""
    seen: dict[IPAddress, None] = {}
    for trace in traces:
        for hop in trace.hops:
            for address, _rtt in hop.address_rtts():
                if address is not None and address not in seen:
                    seen[address] = None
    return [a for a in seen if special_range(a) is None]


def resolver_of(settings: RdnsSettings, deadline: Deadline | None = None) -> PtrResolver:
    """Returns the resolver `[rdns]` describes (`rdns.servers`, else the system's).

    Raises ConfigError when no server is configured and the system lists none.
    """
    servers = settings.servers or system_servers()
    return PtrResolver(
        servers,
        timeout_s=settings.timeout_s,
        concurrency=settings.concurrency,
        deadline=deadline or Deadline.after(None),
    )


def gathering(
    settings: RdnsSettings, deadline: Deadline | None = None
) -> tuple[PtrResolver | None, str]:
    """Returns the resolver `fetch` and `run` gather names with (the `[rdns]` section), or
    None and why not (`rdns.gather = false`, no DNS server configured)."""
    if not settings.gather:
        return None, "skipped: rdns.gather is false"
    try:
        return resolver_of(settings, deadline), ""
    except ConfigError as exc:
        return None, f"skipped: {exc}"


def raw_hop_addresses(raws: Iterable[str]) -> list[IPAddress]:
    """Returns the public hop addresses of raw results (JSON text), each once, in order;
    unreadable records are passed over (the store's reader quarantines them)."""
    return hop_addresses(o for o in parse_lines(raws, "rdns") if isinstance(o, Trace))


def combined(summaries: Iterable[GatherSummary]) -> GatherSummary:
    """Returns the sum of several gatherings (unreachable when one found no server)."""
    total = NOTHING
    for s in summaries:
        total = GatherSummary(
            total.addresses + s.addresses, total.reused + s.reused, total.asked + s.asked,
            total.named + s.named, total.no_name + s.no_name, total.failed + s.failed,
            total.not_asked + s.not_asked, total.unreachable or s.unreachable,
        )  # fmt: skip
    return total


def _summary(total: int, reused: int, resolved: Resolved) -> GatherSummary:
    return GatherSummary(
        addresses=total,
        reused=reused,
        asked=len(resolved.answers),
        named=resolved.count(PtrStatus.NAME),
        no_name=resolved.count(PtrStatus.NO_NAME),
        failed=len(resolved.answers) - sum(a.answered for a in resolved.answers),
        not_asked=resolved.not_asked,
        unreachable=resolved.unreachable,
    )


def gather(
    store: ResultStore,
    addresses: Iterable[IPAddress],
    resolver: PtrResolver,
    *,
    now: float | None = None,
) -> GatherSummary:
    """Asks the names of the addresses the store holds no unexpired answer for, and keeps
    the answers (names and "no name"; failures are asked again next time). Returns what it
    did. Raises StoreError for a store that cannot be written."""
    moment = int(time.time() if now is None else now)
    wanted = list(dict.fromkeys(addresses))
    if not wanted:
        return NOTHING
    kept = store.names()
    stale = [a for a in wanted if (k := kept.get(str(a))) is None or k.expires_at <= moment]
    resolved = resolver.resolve(stale)
    store.save_names(
        StoredName(str(a.address), a.name, moment, a.ttl_s) for a in resolved.answers if a.answered
    )
    return _summary(len(wanted), len(wanted) - len(stale), resolved)


def resolve_in_memory(
    addresses: Iterable[IPAddress], resolver: PtrResolver
) -> tuple[dict[IPAddress, str], GatherSummary]:
    """Returns the names of the addresses (asked now, kept nowhere) and what was done."""
    wanted = list(dict.fromkeys(addresses))
    resolved = resolver.resolve(wanted)
    names = {a.address: a.name for a in resolved.answers if a.name is not None}
    return names, _summary(len(wanted), 0, resolved)


def stored_names(store: ResultStore) -> dict[IPAddress, str]:
    """Returns the names the store keeps (the newest answer of each address, expired ones
    too: an old name is still evidence when it could not be asked again)."""
    names: dict[IPAddress, str] = {}
    for entry in store.names().values():
        if entry.name is None:
            continue
        try:
            names[ip_address(entry.address)] = entry.name
        except ValueError:
            continue
    return names


def merged(stored: Mapping[IPAddress, str], given: Mapping[IPAddress, str]) -> dict[IPAddress, str]:
    """Returns the store's names overridden by names given in a file (`--rdns`, `run.rdns_file`)."""
    return {**stored, **given}
