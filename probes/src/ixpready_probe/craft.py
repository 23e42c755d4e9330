"""Builds Paris traceroute probes with scapy: the flow identifier never changes across TTLs.

Load balancers hash the flow (addresses, protocol, ports or ICMP identifier and checksum, the
IPv6 flow label), so a probe must keep all of it constant and carry its identity (the
"token", see `packets`) in fields no hash reads:
- ICMP echo: identifier = flow, sequence = token, and the first payload word is
  0xFFFF - token so the ICMP checksum stays constant (Paris traceroute's trick);
- UDP: ports = (flow, 33435); IPv4 carries the token in the IP ID, the payload in both
  families starts with (token, 0xFFFF - token), so the UDP checksum stays constant too;
- TCP SYN: ports = (flow, port), sequence number = token (SYN-ACK/RST answer it + 1).
The IPv6 flow label is 0 in every probe. scapy builds one template per target
(`ProbeTemplate`); each packet patches the template's bytes (about 1 µs, where building it
with scapy costs 200-500 µs) and goes out on a reused raw socket, far cheaper than `send()`.

`ixpready-probe ping` builds its echo requests here too (`echo_request`): the ICMP message
alone (the kernel writes the IP header on an ICMP raw socket), identifier = the ping's own,
sequence = 1..count, payload "ixpready-probe " repeated; `packets.match_echo_reply` reads
the replies.
"""

from __future__ import annotations

import struct

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.packet import Packet, Raw

UDP_DESTINATION_PORT = 33435
HEADER_BYTES = 4  # token + checksum compensation at the start of every payload
PING_PAYLOAD = b"ixpready-probe "  # repeated to the ping's `size`


def _echo(af: int, identifier: int, sequence: int, *, checksum: int | None = None) -> Packet:
    """Returns the ICMP (af 4) or ICMPv6 (af 6) echo request header; scapy computes the
    checksum unless `checksum` is given."""
    if af == 4:
        return ICMP(type=8, code=0, id=identifier, seq=sequence, chksum=checksum)
    return ICMPv6EchoRequest(id=identifier, seq=sequence, cksum=checksum)


def echo_request(af: int, identifier: int, sequence: int, size: int) -> bytes:
    """Returns the echo request `ixpready-probe ping` sends on an ICMP (ICMPv6) raw socket:
    the ICMP message without IP header, `size` payload bytes. The ICMP checksum is scapy's;
    the ICMPv6 one stays 0 because the kernel fills it in on ICMPv6 raw sockets (RFC 3542)."""
    data = (PING_PAYLOAD * (size // len(PING_PAYLOAD) + 1))[:size]
    return bytes(_echo(af, identifier, sequence, checksum=None if af == 4 else 0) / Raw(data))


def payload(token: int, size: int, *, echo: bool = False) -> bytes:
    """Returns `size` payload bytes (at least 4) that keep the transport checksum constant.

    UDP: (token, 0xFFFF - token), which sum to 0xFFFF whatever the token. ICMP echo, whose
    sequence number already is the token: (0xFFFF - token, 0).
    """
    head = struct.pack("!HH", 0xFFFF - token, 0) if echo else struct.pack("!HH", token, 0xFFFF - token)
    return head + bytes(max(0, size - HEADER_BYTES))


def build_probe(
    *,
    af: int,
    protocol: str,
    source: str,
    destination: str,
    ttl: int,
    token: int,
    flow: int,
    port: int,
    size: int,
) -> bytes:
    """Returns the probe's bytes from the IP header on (checksums filled in by scapy).

    `protocol` is "ICMP", "UDP" or "TCP"; `token` 1..65535 names the probe; `flow` is the
    ICMP identifier or source port held constant for the whole trace; `size` the payload
    length in bytes (Atlas `size`); `port` the TCP destination port.
    """
    network: Packet
    if af == 4:
        network = IP(src=source, dst=destination, ttl=ttl, id=token, flags=0)
    else:
        network = IPv6(src=source, dst=destination, hlim=ttl, fl=0)
    if protocol == "ICMP":
        return bytes(network / _echo(af, flow, token) / Raw(payload(token, size, echo=True)))
    if protocol == "UDP":
        return bytes(
            network / UDP(sport=flow, dport=UDP_DESTINATION_PORT) / Raw(payload(token, size))
        )
    if protocol == "TCP":
        syn = TCP(sport=flow, dport=port, flags="S", seq=token, window=1024)
        return bytes(network / syn)
    raise ValueError(f"unknown protocol {protocol!r}: expected ICMP, UDP or TCP")


def _fold(total: int) -> int:
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def _ipv4_header_checksum(header: bytes | bytearray) -> int:
    words = struct.unpack("!10H", bytes(header[:10]) + b"\0\0" + bytes(header[12:20]))
    return ~_fold(sum(words)) & 0xFFFF


class ProbeTemplate:
    """One target's probe, built once by scapy; each packet then only patches its bytes.

    The Paris layout keeps the ICMP and UDP checksums constant whatever the token, so a
    packet differs from the template only in its TTL, IPv4 ID, token fields and (TCP) the
    checksum, updated incrementally (RFC 1624). `packet(ttl, token)` returns exactly the
    bytes `build_probe` would, in a few microseconds instead of a few hundred.
    """

    def __init__(
        self, *, af: int, protocol: str, source: str, destination: str, flow: int, port: int,
        size: int,
    ) -> None:
        self.af, self.protocol = af, protocol
        self._base = build_probe(af=af, protocol=protocol, source=source,
                                 destination=destination, ttl=1, token=1, flow=flow, port=port,
                                 size=size)
        self._transport = 20 if af == 4 else 40
        self._tcp_checksum = (
            struct.unpack_from("!H", self._base, self._transport + 16)[0]
            if protocol == "TCP" else 0
        )

    def packet(self, ttl: int, token: int) -> bytes:
        """Returns the probe with this TTL (hop limit) and token (1..65535)."""
        data = bytearray(self._base)
        t = self._transport
        if self.af == 4:
            data[8] = ttl
            struct.pack_into("!H", data, 4, token)
        else:
            data[7] = ttl
        if self.protocol == "ICMP":
            struct.pack_into("!HH", data, t + 6, token, 0xFFFF - token)
        elif self.protocol == "UDP":
            struct.pack_into("!HH", data, t + 8, token, 0xFFFF - token)
        else:  # TCP: the sequence number's low word goes from 1 to the token
            struct.pack_into("!I", data, t + 4, token)
            adjusted = _fold((~self._tcp_checksum & 0xFFFF) + (~1 & 0xFFFF) + token)
            struct.pack_into("!H", data, t + 16, ~adjusted & 0xFFFF)
        if self.af == 4:
            struct.pack_into("!H", data, 10, _ipv4_header_checksum(data))
        return bytes(data)
