"""ICMP echo (ping) over raw sockets, written as RIPE Atlas ping results.

`ixpready locate` places routers with pings from probes of known place (a reply within a
millisecond or two puts the router within ~100-200 km); an operator's probe pings the same
way. Each target gets `count` echo requests of `size` payload bytes, one after the other,
each waiting up to `timeout_s` for its reply: the RTT is measured from the send to the
matching reply (same identifier, sequence and source). Only the smallest RTT is ever used
as distance by the analysis; a lost packet is a `{"x": "*"}` like Atlas writes it.

The packets have the traceroute's homes: `craft.echo_request` builds each request (scapy,
loaded only when pinging) and `packets.match_echo_reply` reads the replies (struct, no
scapy); this module opens the raw socket, schedules, times and writes the results.
"""

from __future__ import annotations

import os
import select
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ixpready_probe.atlas import FIRMWARE, Identity, measurement_id_for
from ixpready_probe.errors import RawSocketError
from ixpready_probe.packets import IPAddress, match_echo_reply


@dataclass(frozen=True, slots=True)
class PingOutcome:
    """What one target answered: per packet its RTT (ms) or None, and the reply TTL."""

    name: str
    address: IPAddress
    source: IPAddress
    started: float
    rtts_ms: tuple[float | None, ...]
    ttl: int | None


def _open(af: int) -> socket.socket:
    family = socket.AF_INET if af == 4 else socket.AF_INET6
    protocol = socket.IPPROTO_ICMP if af == 4 else socket.IPPROTO_ICMPV6
    try:
        return socket.socket(family, socket.SOCK_RAW, protocol)
    except PermissionError as exc:
        raise RawSocketError(str(exc)) from None


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
    from ixpready_probe.craft import echo_request  # scapy loads only when pinging

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
                if peer[0].split("%", 1)[0] != str(address):
                    continue
                reply = match_echo_reply(af, data, identifier=ident, sequence=sequence)
                if reply is not None:
                    rtt = round((arrived - sent) * 1000.0, 3)
                    ttl = reply.ttl if reply.ttl is not None else ttl
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
