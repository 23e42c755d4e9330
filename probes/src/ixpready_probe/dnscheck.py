"""DNS checks with dnspython, written as RIPE Atlas DNS results (`abuf` = base64 wire answer).

Checks (`--check`, repeatable; default `chaos`):
- `chaos`: CHAOS TXT `hostname.bind` and `id.server` to each server (`--server`, `--roots`
  for the 13 root servers, `--cctld gt` for the ccTLD's name servers): which anycast
  instance answers, and its RTT;
- `resolve`: the A/AAAA answers for each target domain, from `--server` (default: the host's
  first resolver): where popular content is served from;
- `ptr`: reverse DNS of each target address and of every hop address in `--from-results`
  traceroute files, cached in `--ptr-cache` (not asked again for `--ptr-max-age` seconds);
  `--rdns-out` merges the names into the `{address: name}` file `ixpready analyze --rdns`
  reads for its location hints;
- `cymru`: origin AS over DNS, TXT `<reversed address>.origin(6).asn.cymru.com`.

One query is one result. A UDP answer with the TC bit is recorded as received, then asked
again over TCP (a second result, `proto: "TCP"`). A server that does not answer gives
`error: {"timeout": <ms>}`; one that cannot be reached `error: {"socket": "..."}`.
"""

from __future__ import annotations

import argparse
import base64
import json
import socket
import struct
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.reversename

from ixpready_probe.atlas import FIRMWARE, Identity, measurement_id_for
from ixpready_probe.errors import TargetError, UsageError

ROOT_SERVERS = (
    ("a", "198.41.0.4", "2001:503:ba3e::2:30"),
    ("b", "170.247.170.2", "2801:1b8:10::b"),
    ("c", "192.33.4.12", "2001:500:2::c"),
    ("d", "199.7.91.13", "2001:500:2d::d"),
    ("e", "192.203.230.10", "2001:500:a8::e"),
    ("f", "192.5.5.241", "2001:500:2f::f"),
    ("g", "192.112.36.4", "2001:500:12::d0d"),
    ("h", "198.97.190.53", "2001:500:1::53"),
    ("i", "192.36.148.17", "2001:7fe::53"),
    ("j", "192.58.128.30", "2001:503:c27::2:30"),
    ("k", "193.0.14.129", "2001:7fd::1"),
    ("l", "199.7.83.42", "2001:500:9f::42"),
    ("m", "202.12.27.33", "2001:dc3::35"),
)
CHAOS_NAMES = ("hostname.bind.", "id.server.")


@dataclass(frozen=True, slots=True)
class Query:
    """One question to one server."""

    server: str
    name: str
    rdtype: str
    rdclass: str = "IN"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the `dns` subcommand's options."""
    parser.add_argument("--check", action="append", choices=["chaos", "resolve", "ptr", "cymru"],
                        help="what to check (repeatable; default chaos)")
    parser.add_argument("--server", action="append", default=[],
                        help="server address to ask (repeatable); for resolve/ptr/cymru the "
                             "resolver (default: the host's first resolver)")
    parser.add_argument("--roots", action="store_true", help="chaos: ask the 13 root servers")
    parser.add_argument("--cctld", help="chaos: ask this ccTLD's name servers (e.g. gt)")
    parser.add_argument("--qtype", action="append", choices=["A", "AAAA"],
                        help="resolve: record types (default A and AAAA)")
    parser.add_argument("--port", type=int, default=53, help="server port (default 53)")
    parser.add_argument("--dns-timeout", type=float, default=5.0,
                        help="seconds to wait for each answer (default 5)")
    parser.add_argument("--no-tcp-fallback", action="store_true",
                        help="do not ask again over TCP after a truncated UDP answer")
    parser.add_argument("--from-results", type=Path, action="append", default=[],
                        help="ptr/cymru: also every hop address in these traceroute results")
    parser.add_argument("--ptr-cache", type=Path, help="ptr: JSON cache of addresses asked")
    parser.add_argument("--rdns-out", type=Path,
                        help="ptr: merge the names found into this {address: name} JSON file "
                             "(what `ixpready analyze --rdns` reads)")
    parser.add_argument("--ptr-max-age", type=float, default=7 * 86400,
                        help="ptr: seconds before a cached address is asked again")


# ---------------------------------------------------------------------------------------------
# Asking


def _wire_query(query: Query) -> tuple[bytes, int]:
    message = dns.message.make_query(
        dns.name.from_text(query.name),
        dns.rdatatype.from_text(query.rdtype),
        dns.rdataclass.from_text(query.rdclass),
        want_dnssec=False,
    )
    if query.rdclass == "CH":  # an identity question: no recursion wanted
        message.flags &= ~dns.flags.RD
    return message.to_wire(), message.id


def _family(server: str) -> int:
    return socket.AF_INET6 if ip_address(server).version == 6 else socket.AF_INET


def ask_udp(server: str, port: int, wire: bytes, ident: int, timeout_s: float) -> Exchange:
    """Returns what one UDP question got: the answer's wire bytes and RTT, or the failure."""
    with socket.socket(_family(server), socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((server, port))
            source = str(sock.getsockname()[0])
            started = time.perf_counter()
            sock.send(wire)
        except OSError as exc:
            return Exchange(None, None, None, {"socket": f"connect failed: {exc.strerror}"})
        stop = started + timeout_s
        while True:
            remaining = stop - time.perf_counter()
            if remaining <= 0:
                return Exchange(source, None, None, {"timeout": int(timeout_s * 1000)})
            sock.settimeout(remaining)
            try:
                data = sock.recv(65535)
            except TimeoutError:
                continue
            except OSError as exc:  # e.g. ICMP port unreachable
                return Exchange(source, None, None, {"socket": f"recv failed: {exc.strerror}"})
            if len(data) >= 12 and struct.unpack_from("!H", data)[0] == ident:
                rtt = (time.perf_counter() - started) * 1000.0
                return Exchange(source, data, round(rtt, 3), None)


def ask_tcp(server: str, port: int, wire: bytes, ident: int, timeout_s: float) -> Exchange:
    """Returns what one TCP question got (RTT from connect to the complete answer)."""
    with socket.socket(_family(server), socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        started = time.perf_counter()
        try:
            sock.connect((server, port))
            source = str(sock.getsockname()[0])
            sock.sendall(struct.pack("!H", len(wire)) + wire)
            length = struct.unpack("!H", _read(sock, 2))[0]
            data = _read(sock, length)
        except TimeoutError:
            return Exchange(None, None, None, {"timeout": int(timeout_s * 1000)})
        except OSError as exc:
            return Exchange(None, None, None, {"socket": f"connect failed: {exc.strerror}"})
        rtt = (time.perf_counter() - started) * 1000.0
    if len(data) < 12 or struct.unpack_from("!H", data)[0] != ident:
        return Exchange(source, None, None, {"socket": "answer does not match the question"})
    return Exchange(source, data, round(rtt, 3), None)


def _read(sock: socket.socket, length: int) -> bytes:
    chunks = b""
    while len(chunks) < length:
        chunk = sock.recv(length - len(chunks))
        if not chunk:
            raise OSError(0, "connection closed before the answer was complete")
        chunks += chunk
    return chunks


@dataclass(frozen=True, slots=True)
class Exchange:
    """One question's outcome: source address used, answer bytes and RTT (ms), or an error."""

    source: str | None
    answer: bytes | None
    rtt_ms: float | None
    error: dict[str, Any] | None


# ---------------------------------------------------------------------------------------------
# Results


def dns_result(
    query: Query, protocol: str, exchange: Exchange, identity: Identity, started: float,
    wire: bytes,
) -> dict[str, Any]:
    """Returns one RIPE Atlas DNS result for one question."""
    af = ip_address(query.server).version
    record: dict[str, Any] = {
        "type": "dns",
        "fw": FIRMWARE,
        "lts": -1,
        "msm_id": measurement_id_for(
            "dns", f"{query.server} {query.rdclass} {query.rdtype} {query.name}", af, protocol
        ),
        "msm_name": "Tdig",
        "prb_id": identity.probe_id,
        "timestamp": int(started),
        "af": af,
        "proto": protocol,
        "dst_addr": query.server,
        "src_addr": exchange.source or "",
        "from": identity.public_address or exchange.source or "",
        "qbuf": base64.b64encode(wire).decode(),
        "ixpready_probe": identity.as_atlas(),
    }
    if exchange.answer is None:
        record["error"] = exchange.error or {"timeout": 0}
        return record
    ident, _flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", exchange.answer)
    record["result"] = {
        "rt": exchange.rtt_ms,
        "size": len(exchange.answer),
        "abuf": base64.b64encode(exchange.answer).decode(),
        "ID": ident,
        "QDCOUNT": qd,
        "ANCOUNT": an,
        "NSCOUNT": ns,
        "ARCOUNT": ar,
    }
    return record


def ask(query: Query, port: int, timeout_s: float, identity: Identity,
        tcp_fallback: bool) -> Iterator[dict[str, Any]]:
    """Yields the result of one question (and of its TCP retry after a truncated answer)."""
    wire, ident = _wire_query(query)
    started = time.time()
    exchange = ask_udp(query.server, port, wire, ident, timeout_s)
    yield dns_result(query, "UDP", exchange, identity, started, wire)
    truncated = exchange.answer is not None and bool(
        struct.unpack_from("!H", exchange.answer, 2)[0] & 0x0200
    )
    if truncated and tcp_fallback:
        started = time.time()
        yield dns_result(query, "TCP", ask_tcp(query.server, port, wire, ident, timeout_s),
                         identity, started, wire)


# ---------------------------------------------------------------------------------------------
# The checks


def _resolvers(args: argparse.Namespace) -> list[str]:
    if args.server:
        return [str(ip_address(s)) for s in args.server]
    try:
        nameservers = dns.resolver.Resolver().nameservers
    except dns.resolver.NoResolverConfiguration:
        nameservers = []
    if not nameservers:
        raise UsageError("no resolver configured", hint="name one with --server ADDRESS")
    return [str(nameservers[0])]


def _cctld_servers(tld: str, resolver: str, args: argparse.Namespace) -> list[str]:
    """Returns the addresses of a ccTLD's name servers, asked of `resolver`."""
    zone = tld.strip(".").lower() + "."
    names = _answers(Query(resolver, zone, "NS"), args, "NS")
    addresses: list[str] = []
    for name in names:
        for rdtype in ("A", "AAAA"):
            addresses.extend(_answers(Query(resolver, name, rdtype), args, rdtype))
    if not addresses:
        raise TargetError(f"no name server address found for .{zone.rstrip('.')} via {resolver}",
                          hint="check --server, or name the servers with --server")
    return list(dict.fromkeys(addresses))


def _answers(query: Query, args: argparse.Namespace, rdtype: str) -> list[str]:
    wire, ident = _wire_query(query)
    exchange = ask_udp(query.server, args.port, wire, ident, args.dns_timeout)
    if exchange.answer is None:
        return []
    message = dns.message.from_wire(exchange.answer, ignore_trailing=True)
    wanted = dns.rdatatype.from_text(rdtype)
    return [
        rdata.to_text().split()[-1] if wanted != dns.rdatatype.NS else rdata.to_text()
        for rrset in message.answer if rrset.rdtype == wanted for rdata in rrset
    ]


def hop_addresses(paths: Iterable[Path]) -> list[str]:
    """Returns every distinct hop address in traceroute result files, in first-seen order."""
    seen: dict[str, None] = {}
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise TargetError(f"cannot read {path}: {exc.strerror}") from None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise TargetError(f"{path}:{number}: not a JSON result line") from None
            for hop in record.get("result") or ():
                for packet in (hop.get("result") or ()) if isinstance(hop, dict) else ():
                    if isinstance(packet, dict) and packet.get("from"):
                        seen.setdefault(str(packet["from"]), None)
    return list(seen)


def _load_cache(path: Path | None) -> dict[str, float]:
    if path is None or not path.exists():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TargetError(f"cannot read the PTR cache {path}: {exc}",
                          hint="delete the file; it is rebuilt on the next run") from None
    return {str(k): float(v) for k, v in value.items()} if isinstance(value, dict) else {}


def run(args: argparse.Namespace, names: list[str], identity: Identity) -> list[dict[str, Any]]:
    """Runs the chosen checks; returns one Atlas DNS result per question asked."""
    checks = args.check or ["chaos"]
    tcp_fallback = not args.no_tcp_fallback
    queries: list[Query] = []
    if "chaos" in checks:
        servers = [str(ip_address(s)) for s in args.server]
        if args.roots:
            servers += [v4 if args.af == 4 else v6 for _letter, v4, v6 in ROOT_SERVERS]
        if args.cctld:
            servers += _cctld_servers(args.cctld, _resolvers(args)[0], args)
        if not servers:
            raise UsageError("chaos: no server to ask", hint="add --server, --roots or --cctld")
        queries += [Query(s, n, "TXT", "CH") for s in dict.fromkeys(servers) for n in CHAOS_NAMES]
    addresses: list[str] = []
    if "ptr" in checks or "cymru" in checks:
        for name in [*names, *hop_addresses(args.from_results)]:
            try:
                addresses.append(str(ip_address(name)))
            except ValueError:
                if "resolve" not in checks:
                    raise TargetError(f"{name!r} is not an IP address",
                                      hint="ptr and cymru checks take addresses") from None
        addresses = list(dict.fromkeys(addresses))
    if "resolve" in checks:
        resolver = _resolvers(args)[0]
        domains = [n for n in names if not _is_address(n)]
        if not domains:
            raise UsageError("resolve: no domain names given")
        for domain in domains:
            queries += [Query(resolver, _absolute(domain), t) for t in (args.qtype or ["A", "AAAA"])]
    cache = _load_cache(args.ptr_cache)
    now = time.time()
    if "ptr" in checks:
        resolver = _resolvers(args)[0]
        for address in addresses:
            if now - cache.get(address, -1e18) < args.ptr_max_age:
                continue
            queries.append(Query(resolver, dns.reversename.from_address(address).to_text(), "PTR"))
            cache[address] = now
    if "cymru" in checks:
        resolver = _resolvers(args)[0]
        for address in addresses:
            queries.append(Query(resolver, _cymru_name(address), "TXT"))
    results: list[dict[str, Any]] = []
    found: dict[str, str] = {}
    for query in queries:
        for result in ask(query, args.port, args.dns_timeout, identity, tcp_fallback):
            results.append(result)
            if query.rdtype == "PTR" and "result" in result:
                found.update(_ptr_names(query, result))
    from ixpready_probe.spool import write_json

    if args.ptr_cache is not None and "ptr" in checks:
        write_json(args.ptr_cache, cache)
    if args.rdns_out is not None and "ptr" in checks:
        known = _load_names(args.rdns_out)
        write_json(args.rdns_out, {**known, **found})
    return results


def _ptr_names(query: Query, result: dict[str, Any]) -> dict[str, str]:
    """Returns {address: name} from one PTR answer (empty when it holds no PTR record)."""
    message = dns.message.from_wire(base64.b64decode(result["result"]["abuf"]),
                                    ignore_trailing=True)
    address = str(dns.reversename.to_address(dns.name.from_text(query.name)))
    for rrset in message.answer:
        if rrset.rdtype == dns.rdatatype.PTR:
            for rdata in rrset:
                return {address: rdata.to_text().rstrip(".")}
    return {}


def _load_names(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TargetError(f"cannot read the reverse-DNS file {path}: {exc}",
                          hint="move it aside; it is rebuilt from the PTR answers") from None
    if not isinstance(value, dict):
        raise TargetError(f"{path}: expected a JSON object from address to name")
    return {str(k): str(v) for k, v in value.items()}


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _cymru_name(address: str) -> str:
    """Returns Team Cymru's origin-AS question name for an address."""
    parsed = ip_address(address)
    if parsed.version == 4:
        return ".".join(reversed(address.split("."))) + ".origin.asn.cymru.com."
    nibbles = dns.reversename.from_address(address).to_text().removesuffix("ip6.arpa.")
    return nibbles + "origin6.asn.cymru.com."
