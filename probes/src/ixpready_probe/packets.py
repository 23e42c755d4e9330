"""Reads the replies a traceroute probe gets back, straight from the bytes. No scapy here.

The hot receive path stays lean (struct on bytes): scapy builds the probes (`craft.py`),
but parsing every packet the host receives with scapy would cost far more than the probing.

Probe identification (the "token", 1..65535) survives in every reply:
- IPv4: the IP ID of the probe, quoted back in time-exceeded / unreachable errors; the
  ICMP echo sequence number (echo replies); the TCP sequence number (SYN-ACK / RST ack - 1).
- IPv6 (no IP ID; errors quote the whole probe): the ICMPv6 echo sequence number, the first
  payload word of a UDP probe, the TCP sequence number.

`match_echo_reply` reads the echo replies of `ixpready-probe ping` (identifier and sequence
of its own request) with the same echo-reply reading as the traceroute's.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any

IPAddress = IPv4Address | IPv6Address

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ECHO_REPLY = {4: 0, 6: 129}  # ICMP / ICMPv6 echo reply type

# Atlas "err" letters for ICMP destination-unreachable codes (RFC 792 / RFC 4443).
_V4_UNREACH = {0: "N", 1: "H", 2: "P", 9: "A", 10: "A", 13: "A"}
_V6_UNREACH = {0: "N", 1: "A", 3: "H"}


@dataclass(frozen=True, slots=True)
class ReplyPacket:
    """What one received packet says about one probe.

    `target` and `token` say which probe it answers; `responder` who answered; `from_target`
    whether the destination itself answered (echo reply, port unreachable, TCP SYN-ACK/RST);
    `error` the Atlas `err` value for an unreachable other than the destination's port
    unreachable; `quoted_ttl` the TTL left in the quoted probe; `ttl` the reply's own IP TTL;
    `size` the reply's IP length in bytes; `icmpext` the RFC 4884/4950 extensions, Atlas style.
    """

    af: int
    target: IPAddress
    token: int
    responder: IPAddress
    from_target: bool
    ttl: int
    size: int
    error: str | int | None = None
    quoted_ttl: int | None = None
    icmpext: dict[str, Any] | None = None
    flow: int | None = None  # ICMP echo identifier or our source port, when the reply shows it


@dataclass(frozen=True, slots=True)
class EchoReply:
    """The echo reply to one ping request: its identifier, sequence and (IPv4) reply TTL."""

    identifier: int
    sequence: int
    ttl: int | None


def _echo_reply(af: int, icmp: bytes) -> tuple[int, int] | None:
    """Returns (identifier, sequence) when `icmp` is an ICMP (ICMPv6) echo reply."""
    if len(icmp) < 8 or icmp[0] != ECHO_REPLY[af]:
        return None
    identifier, sequence = struct.unpack_from("!HH", icmp, 4)
    return int(identifier), int(sequence)


def match_echo_reply(af: int, data: bytes, *, identifier: int, sequence: int) -> EchoReply | None:
    """Returns the echo reply to the request (`identifier`, `sequence`) that `data` carries,
    None for any other packet (another identifier or sequence, not an echo reply, truncated).

    `data` is what an ICMP raw socket receives: IPv4 from the IP header on (its TTL is the
    reply's `ttl`); ICMPv6 the message alone (the kernel keeps the IPv6 header: `ttl` None).
    """
    ttl = None
    if af == 4:
        if len(data) < 20:
            return None
        ttl = data[8]
        data = data[(data[0] & 0x0F) * 4 :]
    echo = _echo_reply(af, data)
    if echo != (identifier, sequence):
        return None
    return EchoReply(identifier, sequence, ttl)


def parse_ip_packet(data: bytes, ethertype: int) -> ReplyPacket | None:
    """Returns the probe reply this IP packet carries, or None when it is not one."""
    try:
        if ethertype == ETH_P_IP:
            return _parse_v4(data)
        if ethertype == ETH_P_IPV6:
            return _parse_v6(data)
    except (struct.error, IndexError, ValueError):
        return None
    return None


def _parse_v4(data: bytes) -> ReplyPacket | None:
    if len(data) < 20 or data[0] >> 4 != 4:
        return None
    ihl = (data[0] & 0x0F) * 4
    total = struct.unpack_from("!H", data, 2)[0]
    ttl, proto = data[8], data[9]
    src = IPv4Address(data[12:16])
    body = data[ihl:total] if total >= ihl else data[ihl:]
    if proto == 1 and len(body) >= 8:
        icmp_type, code = body[0], body[1]
        echo = _echo_reply(4, body)
        if echo is not None:  # echo reply: sequence number is the token
            return ReplyPacket(4, src, echo[1], src, True, ttl, total, flow=echo[0])
        if icmp_type in (3, 11) and len(body) >= 8 + 20:
            inner = body[8:]
            inner_ihl = (inner[0] & 0x0F) * 4
            token = struct.unpack_from("!H", inner, 4)[0]
            quoted_ttl = inner[8]
            target = IPv4Address(inner[16:20])
            inner_proto = inner[9]
            error: str | int | None = None
            from_target = False
            if icmp_type == 3:
                port_unreachable = code == 3 and inner_proto == 17
                from_target = src == target and (port_unreachable or code == 2)
                if not port_unreachable:
                    error = _V4_UNREACH.get(code, code)
            return ReplyPacket(
                4, target, token, src, from_target, ttl, total, error,
                quoted_ttl, _icmp_extensions(body, inner_ihl), _flow(inner_proto, inner[inner_ihl:]),
            )
        return None
    if proto == 6 and len(body) >= 20:
        return _tcp_reply(4, src, body, ttl, total)
    return None


def _parse_v6(data: bytes) -> ReplyPacket | None:
    if len(data) < 40 or data[0] >> 4 != 6:
        return None
    payload_length = struct.unpack_from("!H", data, 4)[0]
    next_header, hop_limit = data[6], data[7]
    src = IPv6Address(data[8:24])
    body = data[40 : 40 + payload_length]
    size = 40 + payload_length
    if next_header == 58 and len(body) >= 8:
        icmp_type, code = body[0], body[1]
        echo = _echo_reply(6, body)
        if echo is not None:
            return ReplyPacket(6, src, echo[1], src, True, hop_limit, size, flow=echo[0])
        if icmp_type in (1, 3) and len(body) >= 8 + 40 + 8:
            inner = body[8:]
            target = IPv6Address(inner[24:40])
            inner_next, quoted_ttl = inner[6], inner[7]
            transport = inner[40:]
            token = _v6_token(inner_next, transport)
            if token is None:
                return None
            error: str | int | None = None
            from_target = False
            if icmp_type == 1:
                port_unreachable = code == 4 and inner_next == 17
                from_target = src == target and port_unreachable
                if not port_unreachable:
                    error = _V6_UNREACH.get(code, code)
            return ReplyPacket(
                6, target, token, src, from_target, hop_limit, size, error,
                quoted_ttl, _icmp_extensions(body, 40), _flow(inner_next, transport),
            )
        return None
    if next_header == 6 and len(body) >= 20:
        return _tcp_reply(6, src, body, hop_limit, size)
    return None


def _flow(protocol: int, transport: bytes) -> int | None:
    """Returns the quoted probe's flow field: echo identifier (ICMP) or source port."""
    if len(transport) < 8:
        return None
    if protocol in (1, 58):
        return int(struct.unpack_from("!H", transport, 4)[0])
    if protocol in (6, 17):
        return int(struct.unpack_from("!H", transport, 0)[0])
    return None


def _v6_token(next_header: int, transport: bytes) -> int | None:
    if next_header == 58 and len(transport) >= 8:
        return int(struct.unpack_from("!H", transport, 6)[0])
    if next_header == 17 and len(transport) >= 10:
        return int(struct.unpack_from("!H", transport, 8)[0])
    if next_header == 6 and len(transport) >= 8:
        return int(struct.unpack_from("!I", transport, 4)[0]) & 0xFFFF
    return None


def _tcp_reply(af: int, src: IPAddress, body: bytes, ttl: int, size: int) -> ReplyPacket | None:
    flags = body[13]
    syn_ack = flags & 0x12 == 0x12
    reset = bool(flags & 0x04)
    if not (syn_ack or reset):
        return None
    our_port = struct.unpack_from("!H", body, 2)[0]
    ack = struct.unpack_from("!I", body, 8)[0]
    token = (ack - 1) & 0xFFFF
    return ReplyPacket(af, src, token, src, True, ttl, size, flow=our_port)


def _icmp_extensions(icmp: bytes, quoted_header_length: int) -> dict[str, Any] | None:
    """Returns the RFC 4884 extension structure (MPLS label stacks, RFC 4950), Atlas style.

    `icmp` is the whole ICMP message; its byte 5 (v4) or 4 (v6) gives the quoted datagram's
    length in 32-bit words when the sender follows RFC 4884 (then at least 128 bytes).
    """
    is_v6 = quoted_header_length == 40
    length_words = icmp[4] if is_v6 else icmp[5]
    if length_words == 0:
        return None
    start = 8 + length_words * (8 if is_v6 else 4)
    if start + 4 > len(icmp) or icmp[start] >> 4 != 2:
        return None
    objects: list[dict[str, Any]] = []
    position = start + 4
    while position + 4 <= len(icmp):
        object_length, class_num, c_type = struct.unpack_from("!HBB", icmp, position)
        if object_length < 4 or position + object_length > len(icmp):
            break
        entry: dict[str, Any] = {"class": class_num, "type": c_type}
        if class_num == 1 and c_type == 1:
            labels = []
            for offset in range(position + 4, position + object_length - 3, 4):
                word = struct.unpack_from("!I", icmp, offset)[0]
                labels.append(
                    {
                        "label": word >> 12,
                        "exp": (word >> 9) & 0x7,
                        "s": (word >> 8) & 0x1,
                        "ttl": word & 0xFF,
                    }
                )
            entry["mpls"] = labels
        objects.append(entry)
        position += object_length
    return {"version": 2, "rfc4884": 1, "obj": objects}


def address(text: str) -> IPAddress:
    """Returns the IP address written in `text`; raises ValueError when it is not one."""
    return ip_address(text)
