"""A real authoritative DNS server for the tests: NSD (NLnet Labs), on 127.0.0.1, a free port.

`start_nsd(folder)` writes the zones below and an nsd.conf into `folder`, starts `nsd -d` as a
child process and waits until it answers; the context manager stops it. One server serves a
test module or session (see the fixtures using it). What it answers:

- CHAOS TXT `hostname.bind` / `id.server`: its configured `identity:` (INSTANCE), as NSD does;
- `example.test`: `www` A 192.0.2.10 / AAAA 2001:db8::10;
- `big.test`: 40 A records (over UDP without EDNS the answer is truncated: TC, then TCP);
- `gt`: NS `ns1.gt`, whose A is 127.0.0.1 (this server);
- `origin.asn.cymru.com`: Team Cymru's TXT for 192.0.2.10 (CYMRU);
- `2.0.192.in-addr.arpa`: PTR names (NAMES), hostile names (HOSTILE), every other name
  NXDOMAIN (negative TTL: the SOA minimum, NEGATIVE_TTL_S);
- `8.b.d.0.1.0.0.2.ip6.arpa`: the PTR of 2001:db8::10 and of 2001:db8::66;
- `100.51.198.in-addr.arpa`: a zone NSD cannot load (a broken zone file): SERVFAIL;
- any other name (`refused.test`, ...): REFUSED (not authoritative).
`silent_port()` gives a UDP port where nothing ever answers (a timeout).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path

import dns.message
import dns.query
import dns.rdataclass
import dns.rdatatype

INSTANCE = "gua1.example"
CYMRU = "64500 | 192.0.2.0/24 | GT | lacnic | 2009-01-01"
NAME_TTL_S = 3600
NEGATIVE_TTL_S = 300
# Names of the PTR zone: a router name the analysis reads as Miami (see tests/enrichment), a
# content name, and the names of hostile answers as NSD sends them (master-file escapes).
NAMES = {
    "192.0.2.1": "ae-1.r01.mia01.example.net",
    "192.0.2.10": "www.example.test",
    "2001:db8::10": "www.example.test",
}
LONG_LABEL = "a" * 63
LONG_NAME = ".".join([LONG_LABEL, LONG_LABEL, LONG_LABEL, "b" * 61])  # 254 + root = 255 bytes
HOSTILE = {  # address -> the name in the zone file (RFC 1035 presentation form)
    "192.0.2.66": "\\027[31mred\\007\\000.example.test",
    "192.0.2.67": LONG_NAME,
    "192.0.2.68": "<script>alert\\(1\\)</script>.example.test",
    "2001:db8::66": "\\013\\010tab.example.test",
}
SERVFAIL_ADDRESS = "198.51.100.7"  # in the zone NSD could not load
NO_NAME_ADDRESS = "192.0.2.99"  # in the PTR zone, without a name: NXDOMAIN


def _soa(origin: str) -> str:
    return (
        f"$ORIGIN {origin}.\n$TTL {NAME_TTL_S}\n"
        f"@ IN SOA ns1.gt. hostmaster.example.test. 1 3600 600 86400 {NEGATIVE_TTL_S}\n"
        "@ IN NS ns1.gt.\n"
    )


def _ptr_owner(address: str) -> str:
    return ip_address(address).reverse_pointer + "."


def zones(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Returns zone name -> zone file text (the broken zone included); `extra` PTR names
    (address -> name) each get a zone of their own, unless one above already serves them."""
    ptr4 = _soa("2.0.192.in-addr.arpa")
    ptr6 = _soa("8.b.d.0.1.0.0.2.ip6.arpa")
    for address, name in {**NAMES, **HOSTILE}.items():
        line = f"{_ptr_owner(address)} IN PTR {name}.\n"
        if ":" in address:
            ptr6 += line
        else:
            ptr4 += line
    big = _soa("big.test") + "".join(f"@ IN A 198.51.100.{i}\n" for i in range(1, 41))
    served = {
        "2.0.192.in-addr.arpa": ptr4,
        "8.b.d.0.1.0.0.2.ip6.arpa": ptr6,
        "example.test": _soa("example.test")
        + "www IN A 192.0.2.10\nwww IN AAAA 2001:db8::10\n",
        "big.test": big,
        "gt": _soa("gt") + "ns1 IN A 127.0.0.1\n",
        "origin.asn.cymru.com": _soa("origin.asn.cymru.com") + f'10.2.0.192 IN TXT "{CYMRU}"\n',
        "100.51.198.in-addr.arpa": _soa("100.51.198.in-addr.arpa")
        + "7 IN A 999.0.2.1\n",  # not an address: NSD refuses the zone
    }
    for address, name in (extra or {}).items():
        owner = _ptr_owner(address)
        line = f"{owner} IN PTR {name.rstrip('.')}.\n"
        home = next((z for z in served if owner.endswith(f".{z}.")), None)
        if home is not None:
            served[home] += line
        else:
            served[owner.rstrip(".")] = _soa(owner.rstrip(".")) + line
    return served


@dataclass(frozen=True)
class Nsd:
    """A running NSD: its address, port and folder."""

    host: str
    port: int
    folder: Path

    @property
    def server(self) -> str:
        """Returns `host:port`, as the `rdns.servers` setting takes it."""
        return f"{self.host}:{self.port}"


def free_port() -> int:
    """Returns a port free for both UDP and TCP on 127.0.0.1 (as far as can be known)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        tcp.bind(("127.0.0.1", 0))
        port = int(tcp.getsockname()[1])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", port))
    return port


def _config(folder: Path, port: int, names: Iterable[str]) -> str:
    text = (
        "server:\n"
        "    ip-address: 127.0.0.1\n"
        f"    port: {port}\n"
        f'    identity: "{INSTANCE}"\n'
        '    username: ""\n'
        '    chroot: ""\n'
        f'    zonesdir: "{folder}"\n'
        '    database: ""\n'
        f'    zonelistfile: "{folder}/zone.list"\n'
        f'    xfrdfile: "{folder}/xfrd.state"\n'
        f'    xfrdir: "{folder}"\n'
        f'    pidfile: "{folder}/nsd.pid"\n'
        f'    logfile: "{folder}/nsd.log"\n'
        "    server-count: 1\n"
        "    reuseport: no\n"
        "    do-ip6: no\n"
        "    verbosity: 1\n"
        "remote-control:\n"
        "    control-enable: no\n"
    )
    for name in names:
        text += f"zone:\n    name: {name}\n    zonefile: {name}.zone\n"
    return text


def _answers(port: int) -> bool:
    query = dns.message.make_query("id.server.", dns.rdatatype.TXT, dns.rdataclass.CH)
    try:
        dns.query.udp(query, "127.0.0.1", timeout=0.2, port=port)
    except (TimeoutError, OSError, dns.exception.DNSException):
        return False
    return True


@contextlib.contextmanager
def start_nsd(folder: Path, extra: Mapping[str, str] | None = None) -> Iterator[Nsd]:
    """Runs NSD on 127.0.0.1 serving `zones(extra)` until the block ends.

    Fails (RuntimeError with NSD's log) when NSD is not installed or does not come up.
    """
    binary = shutil.which("nsd") or "/usr/sbin/nsd"
    folder.mkdir(parents=True, exist_ok=True)
    served = zones(extra)
    for name, text in served.items():
        (folder / f"{name}.zone").write_text(text, encoding="utf-8")
    last = ""
    for _attempt in range(5):  # a port taken between finding it free and NSD binding it
        port = free_port()
        conf = folder / "nsd.conf"
        conf.write_text(_config(folder, port, served), encoding="utf-8")
        process = subprocess.Popen(
            [binary, "-d", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(port):
                break
            time.sleep(0.05)
        if process.poll() is None and _answers(port):
            try:
                yield Nsd("127.0.0.1", port, folder)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                if process.stderr is not None:
                    process.stderr.close()
            return
        process.kill()
        _out, err = process.communicate()
        last = err.decode(errors="replace") + _log(folder)
    raise RuntimeError(f"nsd did not start: {last}")


def _log(folder: Path) -> str:
    path = folder / "nsd.log"
    return path.read_text(errors="replace") if path.is_file() else ""


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """Yields a UDP port on 127.0.0.1 that receives and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])
