"""ICMP echo (ping) over raw sockets, written as RIPE Atlas ping results.

`ixpready locate` places routers with pings from probes of known place (a reply within a
millisecond or two puts the router within ~100-200 km); an operator's probe pings the same
way. Each target gets `count` echo requests of `size` payload bytes, one after the other,
each waiting up to `timeout_s` for its reply: the RTT is measured from the send to the
matching reply (same identifier, sequence and source). Only the smallest RTT is ever used
as distance by the analysis; a lost packet is a `{"x": "*"}` like Atlas writes it.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from typing import Any

from ixpready_probe.atlas import FIRMWARE, Identity, measurement_id_for
from ixpready_probe.errors import RawSocketError

IPAddress = IPv4Address | IPv6Address
ECHO_REQUEST = {4: 8, 6: 128}
ECHO_REPLY = {4: 0, 6: 129}


@dataclass(frozen=True, slots=True)
class PingOutcome:
    """What one target answered: per packet its RTT (ms) or None, and the reply TTL."""

    name: str
    address: IPAddress
    source: IPAddress
    started: float
    rtts_ms: tuple[float | None, ...]
    ttl: int | None


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return int(~total & 0xFFFF)


def echo_request(af: int, ident: int, sequence: int, size: int) -> bytes:
    """Returns an ICMP (or ICMPv6) echo request with `size` payload bytes. The kernel fills
    in the ICMPv6 checksum; the ICMP one is computed here."""
    payload = (b"ixpready-probe " * (size // 15 + 1))[:size]
    header = struct.pack("!BBHHH", ECHO_REQUEST[af], 0, 0, ident, sequence)
    if af == 6:
        return header + payload
    checksum = _checksum(header + payload)
    return struct.pack("!BBHHH", ECHO_REQUEST[af], 0, checksum, ident, sequence) + payload


def _open(af: int) -> socket.socket:
    family = socket.AF_INET if af == 4 else socket.AF_INET6
    protocol = socket.IPPROTO_ICMP if af == 4 else socket.IPPROTO_ICMPV6
    try:
        return socket.socket(family, socket.SOCK_RAW, protocol)
    except PermissionError as exc:
        raise RawSocketError(str(exc)) from None


def _reply(af: int, packet: bytes) -> tuple[int, int, int | None] | None:
    """Returns (identifier, sequence, TTL) of an echo reply, None for any other packet."""
    ttl = None
    if af == 4:
        if len(packet) < 20:
            return None
        header = (packet[0] & 0x0F) * 4
        ttl = packet[8]
        packet = packet[header:]
    if len(packet) < 8 or packet[0] != ECHO_REPLY[af]:
        return None
    _kind, _code, _sum, ident, sequence = struct.unpack("!BBHHH", packet[:8])
    return ident, sequence, ttl


def ping(
    name: str,
    address: IPAddress,
    source: IPAddress,
    *,
    count: int = 3,
    size: int = 48,
    timeout_s: float = 1.0,
    interval_s: float = 0.1,
) -> PingOutcome:
    """Returns the RTTs of `count` echo requests to `address`, sent one after the other.

    Raises RawSocketError when raw sockets are not permitted.
    """
    af = address.version
    ident = (os.getpid() ^ hash(str(address))) & 0xFFFF
    started = time.time()
    rtts: list[float | None] = []
    ttl: int | None = None
    with _open(af) as sock:
        for sequence in range(1, count + 1):
            packet = echo_request(af, ident, sequence, size)
            sent = time.perf_counter()
            sock.sendto(packet, (str(address), 0))
            rtt: float | None = None
            while rtt is None:
                left = timeout_s - (time.perf_counter() - sent)
                if left <= 0 or not select.select([sock], [], [], left)[0]:
                    break
                data, peer = sock.recvfrom(65535)
                arrived = time.perf_counter()
                reply = _reply(af, data)
                if reply is None or peer[0].split("%", 1)[0] != str(address):
                    continue
                if reply[:2] == (ident, sequence):
                    rtt = round((arrived - sent) * 1000.0, 3)
                    ttl = reply[2] if reply[2] is not None else ttl
            rtts.append(rtt)
            if sequence < count:
                time.sleep(interval_s)
    return PingOutcome(name, address, source, started, tuple(rtts), ttl)


def ping_result(
    outcome: PingOutcome, identity: Identity, *, size: int, group_id: int
) -> dict[str, Any]:
    """Returns the RIPE Atlas ping result (firmware 5xxx layout) of one target."""
    af = outcome.address.version
    got = [rtt for rtt in outcome.rtts_ms if rtt is not None]
    record: dict[str, Any] = {
        "type": "ping",
        "fw": FIRMWARE,
        "lts": -1,
        "msm_id": measurement_id_for("ping", outcome.name, af, "ICMP"),
        "group_id": group_id,
        "msm_name": "Ping",
        "prb_id": identity.probe_id,
        "timestamp": int(outcome.started),
        "af": af,
        "proto": "ICMP",
        "dst_name": outcome.name,
        "dst_addr": str(outcome.address),
        "src_addr": str(outcome.source),
        "from": identity.public_address or str(outcome.source),
        "size": size,
        "step": None,
        "sent": len(outcome.rtts_ms),
        "rcvd": len(got),
        "dup": 0,
        "min": min(got) if got else -1,
        "max": max(got) if got else -1,
        "avg": round(sum(got) / len(got), 3) if got else -1,
        "result": [{"x": "*"} if rtt is None else {"rtt": rtt} for rtt in outcome.rtts_ms],
        "ixpready_probe": identity.as_atlas(),
    }
    if outcome.ttl is not None:
        record["ttl"] = outcome.ttl
    return record


def failed_ping_result(
    name: str, reason: str, identity: Identity, *, af: int, size: int, group_id: int,
    started: float,
) -> dict[str, Any]:  # fmt: skip
    """Returns the Atlas ping result of a target that could not be pinged at all (Atlas
    writes `result: [{"error": "..."}]`, nothing sent)."""
    record: dict[str, Any] = {
        "type": "ping", "fw": FIRMWARE, "lts": -1,
        "msm_id": measurement_id_for("ping", name, af, "ICMP"), "group_id": group_id,
        "msm_name": "Ping", "prb_id": identity.probe_id, "timestamp": int(started), "af": af,
        "proto": "ICMP", "dst_name": name, "size": size, "step": None, "sent": 0, "rcvd": 0,
        "dup": 0, "min": -1, "max": -1, "avg": -1, "result": [{"error": reason}],
        "ixpready_probe": identity.as_atlas(),
    }  # fmt: skip
    if identity.public_address:
        record["from"] = identity.public_address
    return record


def ping_all(
    targets: Sequence[tuple[str, IPAddress, IPAddress]], **options: Any
) -> list[PingOutcome]:
    """Returns the outcome of each (name, address, source) target, in order."""
    return [ping(name, address, source, **options) for name, address, source in targets]
