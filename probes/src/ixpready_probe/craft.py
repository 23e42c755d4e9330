"""Builds Paris traceroute probes with scapy: the flow identifier never changes across TTLs.

Load balancers hash the flow (addresses, protocol, ports or ICMP identifier and checksum, the
IPv6 flow label), so a probe must keep all of it constant and carry its identity (the
"token", see `packets`) in fields no hash reads:
- ICMP echo: identifier = flow, sequence = token, and the first payload word is
  0xFFFF - token so the ICMP checksum stays constant (Paris traceroute's trick);
- UDP: ports = (flow, 33435); IPv4 carries the token in the IP ID, the payload in both
  families starts with (token, 0xFFFF - token), so the UDP checksum stays constant too;
- TCP SYN: ports = (flow, port), sequence number = token (SYN-ACK/RST answer it + 1).
The IPv6 flow label is 0 in every probe. Packets are built once per probe as bytes and go
out on a reused raw socket (the engine), which is far cheaper than scapy's `send()`.
"""

from __future__ import annotations

import struct

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.packet import Packet, Raw

UDP_DESTINATION_PORT = 33435
HEADER_BYTES = 4  # token + checksum compensation at the start of every payload


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
        if af == 4:
            transport: Packet = ICMP(type=8, code=0, id=flow, seq=token)
        else:
            transport = ICMPv6EchoRequest(id=flow, seq=token)
        return bytes(network / transport / Raw(payload(token, size, echo=True)))
    if protocol == "UDP":
        return bytes(
            network / UDP(sport=flow, dport=UDP_DESTINATION_PORT) / Raw(payload(token, size))
        )
    if protocol == "TCP":
        syn = TCP(sport=flow, dport=port, flags="S", seq=token, window=1024)
        return bytes(network / syn)
    raise ValueError(f"unknown protocol {protocol!r}: expected ICMP, UDP or TCP")
