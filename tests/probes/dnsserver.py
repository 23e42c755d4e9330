"""A real DNS server on 127.0.0.1 for the probe's DNS checks (dnspython, UDP and TCP, threads).

Answers by question:
- CHAOS TXT hostname.bind / id.server: the instance name `gua1.example` (like an anycast node);
- `refused.test.`: REFUSED;
- `big.test.` A: over UDP a truncated answer (TC bit, no records); over TCP 40 A records;
- `www.example.test.` A / AAAA: 192.0.2.10 / 2001:db8::10;
- PTR of 192.0.2.10: `www.example.test.`; every other PTR: NXDOMAIN;
- TXT `10.2.0.192.origin.asn.cymru.com.`: Team Cymru's "64500 | 192.0.2.0/24 | GT | lacnic | 2009-01-01";
- NS `gt.`: `ns1.gt.`, whose A is 127.0.0.1 (this server);
- anything else: NXDOMAIN.
`silent_port` is a UDP port that receives and never answers.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

INSTANCE = "gua1.example"
CYMRU = "64500 | 192.0.2.0/24 | GT | lacnic | 2009-01-01"


def answer(query: dns.message.Message, over_tcp: bool) -> dns.message.Message:
    """Returns the response to one query."""
    response = dns.message.make_response(query)
    question = query.question[0]
    name = question.name.to_text().lower()
    rdtype, rdclass = question.rdtype, question.rdclass

    def add(text: str, kind: str, *values: str, klass: str = "IN") -> None:
        response.answer.append(dns.rrset.from_text(text, 60, klass, kind, *values))

    if rdclass == dns.rdataclass.CH and name in ("hostname.bind.", "id.server."):
        add(name, "TXT", f'"{INSTANCE}"', klass="CH")
    elif name == "refused.test.":
        response.set_rcode(dns.rcode.REFUSED)
    elif name == "big.test.":
        if over_tcp:
            add(name, "A", *[f"198.51.100.{i}" for i in range(1, 41)])
        else:
            response.flags |= dns.flags.TC
    elif name == "www.example.test." and rdtype == dns.rdatatype.A:
        add(name, "A", "192.0.2.10")
    elif name == "www.example.test." and rdtype == dns.rdatatype.AAAA:
        add(name, "AAAA", "2001:db8::10")
    elif name == "10.2.0.192.in-addr.arpa." and rdtype == dns.rdatatype.PTR:
        add(name, "PTR", "www.example.test.")
    elif name == "10.2.0.192.origin.asn.cymru.com." and rdtype == dns.rdatatype.TXT:
        add(name, "TXT", f'"{CYMRU}"')
    elif name == "gt." and rdtype == dns.rdatatype.NS:
        add(name, "NS", "ns1.gt.")
    elif name == "ns1.gt." and rdtype == dns.rdatatype.A:
        add(name, "A", "127.0.0.1")
    elif name == "ns1.gt.":
        pass  # no AAAA: NOERROR, empty
    else:
        response.set_rcode(dns.rcode.NXDOMAIN)
    return response


class DnsServer:
    """Serves `answer` on 127.0.0.1:`port` (UDP and TCP) until closed."""

    def __init__(self) -> None:
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.port = self.udp.getsockname()[1]
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(8)
        self.silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.silent.bind(("127.0.0.1", 0))
        self.silent_port = self.silent.getsockname()[1]
        self.questions: list[tuple[str, str]] = []
        self._closing = False
        self._threads = [
            threading.Thread(target=self._serve_udp, daemon=True),
            threading.Thread(target=self._serve_tcp, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _serve_udp(self) -> None:
        while not self._closing:
            try:
                data, peer = self.udp.recvfrom(65535)
            except OSError:
                return
            if self._closing or len(data) < 12:
                return
            query = dns.message.from_wire(data)
            self.questions.append(("udp", query.question[0].name.to_text()))
            self.udp.sendto(answer(query, over_tcp=False).to_wire(), peer)

    def _serve_tcp(self) -> None:
        while not self._closing:
            try:
                connection, _peer = self.tcp.accept()
            except OSError:
                return
            with connection:
                head = connection.recv(2)
                if self._closing or len(head) < 2:
                    return
                length = struct.unpack("!H", head)[0]
                data = b""
                while len(data) < length:
                    data += connection.recv(length - len(data))
                query = dns.message.from_wire(data)
                self.questions.append(("tcp", query.question[0].name.to_text()))
                wire = answer(query, over_tcp=True).to_wire()
                connection.sendall(struct.pack("!H", len(wire)) + wire)

    def close(self) -> None:
        """Stops serving and closes every socket."""
        self._closing = True
        for sock in (self.udp, self.tcp, self.silent):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> DnsServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
