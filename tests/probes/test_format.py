"""The probe's reply parser, result writer and target reader, in-process (none imports scapy).
What scapy builds (traceroute probes, ping's echo requests) is checked in a subprocess.

The MPLS case is built byte by byte from RFC 792 / 4884 / 4950: a Linux router in the
namespace lab never sends label stacks, so this is where the `icmpext` path is checked,
through to ripe.atlas.sagan and ixpready's reader.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from ipaddress import ip_address
from pathlib import Path

import pytest
from ixpready_probe.atlas import Identity, measurement_id_for, probe_id_for, traceroute_result
from ixpready_probe.engine import HopOutcome, ProbeReply, TraceOutcome, TraceTarget
from ixpready_probe.errors import TargetError
from ixpready_probe.packets import ETH_P_IP, EchoReply, match_echo_reply, parse_ip_packet
from ixpready_probe.spool import write_results
from ixpready_probe.targets import read_target_file
from ripe.atlas.sagan import Result

from ixpready.measurements.parse import parse_lines
from ixpready.measurements.records import MplsLabel, Trace


def _ipv4(src: str, dst: str, proto: int, ttl: int, ident: int, payload: bytes) -> bytes:
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, ttl, proto, 0,
                       ip_address(src).packed, ip_address(dst).packed) + payload


def _time_exceeded_with_mpls(label: int) -> bytes:
    probe = _ipv4("10.90.1.2", "10.91.0.7", 1, 1, 4242, struct.pack("!BBHHH", 8, 0, 0, 33435, 4242))
    quoted = probe + bytes(128 - len(probe))  # RFC 4884: padded to 128 bytes
    entry = (label << 12) | (0 << 9) | (1 << 8) | 1
    mpls_object = struct.pack("!HBBI", 8, 1, 1, entry)
    extension = struct.pack("!BBH", 0x20, 0, 0) + mpls_object
    icmp = struct.pack("!BBHBBH", 11, 0, 0, 0, 128 // 4, 0) + quoted + extension
    return _ipv4("10.90.2.2", "10.90.1.2", 1, 63, 1, icmp)


def test_a_time_exceeded_with_an_mpls_stack_keeps_the_labels() -> None:
    reply = parse_ip_packet(_time_exceeded_with_mpls(16001), ETH_P_IP)
    assert reply is not None
    assert (str(reply.target), reply.token, str(reply.responder)) == ("10.91.0.7", 4242,
                                                                      "10.90.2.2")
    assert reply.flow == 33435 and reply.quoted_ttl == 1 and not reply.from_target
    assert reply.icmpext == {"version": 2, "rfc4884": 1, "obj": [
        {"class": 1, "type": 1, "mpls": [{"label": 16001, "exp": 0, "s": 1, "ttl": 1}]}]}


def test_the_labels_reach_sagan_and_ixpreadys_reader(tmp_path: Path) -> None:
    packet = parse_ip_packet(_time_exceeded_with_mpls(16001), ETH_P_IP)
    assert packet is not None
    reply = ProbeReply(packet.responder, 1.25, packet.ttl, packet.size,
                       quoted_ttl=packet.quoted_ttl, icmpext=packet.icmpext)
    target = TraceTarget("10.91.0.7", ip_address("10.91.0.7"))
    outcome = TraceOutcome(target, ip_address("10.90.1.2"), 33435, 1_790_000_000.0,
                           1_790_000_002.0, (HopOutcome(1, (reply, None, reply)),), False)
    identity = Identity("gt-lab-1", probe_id_for("gt-lab-1"), 64500, "GT")
    result = traceroute_result(outcome, identity, protocol="ICMP", paris_id=1, size=48,
                               group_id=2_000_000_001)
    path = write_results(tmp_path / "mpls.jsonl", [result])
    line = path.read_text().strip()
    sagan = Result.get(line)
    assert sagan.hops[0].packets[0].icmp_header.objects[0]["mpls"][0]["label"] == 16001
    assert sagan.hops[0].packets[1].origin is None
    (trace,) = list(parse_lines([line], "mpls"))
    assert isinstance(trace, Trace)
    assert trace.hops[0].replies[0].mpls == (MplsLabel(16001, 0, True, 1),)
    assert trace.hops[0].replies[1].is_timeout
    assert trace.key.prb_id == probe_id_for("gt-lab-1") >= 1_000_000_000
    assert trace.key.msm_id == measurement_id_for("traceroute", "10.91.0.7", 4, "ICMP")


def test_ids_are_stable_and_in_their_documented_ranges() -> None:
    assert probe_id_for("gt-op-1") == probe_id_for("gt-op-1") != probe_id_for("gt-op-2")
    assert 1_000_000_000 <= probe_id_for("gt-op-1") < 2_000_000_000
    ids = {measurement_id_for("traceroute", f"10.0.0.{i}", 4, "ICMP") for i in range(100)}
    assert len(ids) == 100 and all(2_000_000_000 <= i < 2_100_000_000 for i in ids)


def test_targets_come_from_text_json_and_ixpready_plans(tmp_path: Path) -> None:
    text = tmp_path / "targets.txt"
    text.write_text("# domestic networks\n190.56.1.1\n\nwww.example.gt  # a name\n")
    assert read_target_file(text) == ["190.56.1.1", "www.example.gt"]
    plan = tmp_path / "plan-GT.json"
    plan.write_text(json.dumps({"format": 1, "country": "GT", "measurements": [
        {"item": 1, "target": "200.12.32.1", "probes": [12804]},
        {"item": 2, "target": "190.149.0.1", "probes": [12804]}]}))
    assert read_target_file(plan) == ["200.12.32.1", "190.149.0.1"]
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps([{"asn": 14754, "address": "190.56.0.1"}, "181.114.0.1"]))
    assert read_target_file(inventory) == ["190.56.0.1", "181.114.0.1"]
    broken = tmp_path / "broken.json"
    broken.write_text('[\n"190.56.1.1",\n')
    with pytest.raises(TargetError, match=r"broken.json:3: not JSON"):
        read_target_file(broken)
    with pytest.raises(TargetError, match="cannot read targets file"):
        read_target_file(tmp_path / "missing.txt")


def test_only_tracing_and_pinging_load_scapy() -> None:
    # the modules tests and ixpready's tooling import stay free of scapy (GPL-2.0-only)
    code = ("import sys, ixpready_probe.atlas, ixpready_probe.targets, ixpready_probe.lab, "
            "ixpready_probe.spool, ixpready_probe.packets, ixpready_probe.engine, "
            "ixpready_probe.ping; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scapy', 'ixpready'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
    done = subprocess.run([sys.executable, "-c", "import sys, ixpready_probe.craft; "
                           "print('scapy' in sys.modules)"], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "True"


TEMPLATE_CHECK = """
import random
from ixpready_probe.craft import ProbeTemplate, build_probe
random.seed(7)
for protocol in ("ICMP", "UDP", "TCP"):
    for af, source, destination in ((4, "10.0.0.1", "10.0.0.2"), (6, "fd00::1", "fd00::2")):
        common = dict(af=af, protocol=protocol, source=source, destination=destination,
                      flow=33436, port=443, size=48)
        template = ProbeTemplate(**common)
        for token in [1, 2, 255, 256, 65534, 65535, *random.sample(range(1, 65536), 200)]:
            ttl = random.randint(1, 64)
            assert template.packet(ttl, token) == build_probe(ttl=ttl, token=token, **common), (
                protocol, af, token, ttl)
print("identical")
"""


def test_patched_templates_are_byte_for_byte_what_scapy_builds() -> None:
    # in a subprocess: craft imports scapy, which stays out of pytest's process
    done = subprocess.run([sys.executable, "-c", TEMPLATE_CHECK], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "identical"


# (af, identifier, sequence, size) -> the echo request ping.py sent before it was built with
# scapy in craft.py: the output of its old struct builder (RFC 792 checksum for ICMP; 0 for
# ICMPv6, which the kernel fills in), written out once from that code.
OLD_ECHO_REQUESTS = {
    (4, 0x1234, 1, 48): "0800d6151234000169787072656164792d70726f62652069787072656164792d70726f62652069787072656164792d70726f626520697870",
    (4, 0xBEEF, 3, 7): "080095c0beef000369787072656164",
    (4, 0xFFFF, 65535, 0): "0800f7ffffffffff",
    (6, 0x1234, 1, 48): "800000001234000169787072656164792d70726f62652069787072656164792d70726f62652069787072656164792d70726f626520697870",
    (6, 0xBEEF, 3, 7): "80000000beef000369787072656164",
}  # fmt: skip

ECHO_CHECK = """
import json, sys
from ixpready_probe.craft import echo_request
for af, identifier, sequence, size, old in json.load(sys.stdin):
    assert echo_request(af, identifier, sequence, size).hex() == old, (af, identifier, sequence, size)
print("identical")
"""


def test_pings_echo_requests_from_craft_are_byte_for_byte_the_old_ones() -> None:
    cases = [[*key, old] for key, old in OLD_ECHO_REQUESTS.items()]
    done = subprocess.run([sys.executable, "-c", ECHO_CHECK], input=json.dumps(cases),
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "identical"


def _as_reply(af: int, request_hex: str, ttl: int = 61) -> bytes:
    """Returns the reply to an echo request as an ICMP raw socket reads it."""
    icmp = bytearray.fromhex(request_hex)
    icmp[0] = 0 if af == 4 else 129  # the checksum is not what the matcher reads
    if af == 6:
        return bytes(icmp)  # ICMPv6 raw sockets get the message without the IPv6 header
    return _ipv4("10.91.0.7", "10.90.1.2", 1, ttl, 777, bytes(icmp))


def test_the_echo_reply_matcher_takes_only_our_identifier_and_sequence() -> None:
    v4 = _as_reply(4, OLD_ECHO_REQUESTS[(4, 0x1234, 1, 48)])
    assert match_echo_reply(4, v4, identifier=0x1234, sequence=1) == EchoReply(0x1234, 1, 61)
    assert match_echo_reply(4, v4, identifier=0x1235, sequence=1) is None  # another ping's
    assert match_echo_reply(4, v4, identifier=0x1234, sequence=2) is None  # a later request
    request = _ipv4("10.91.0.7", "10.90.1.2", 1, 61, 777,
                    bytes.fromhex(OLD_ECHO_REQUESTS[(4, 0x1234, 1, 48)]))  # fmt: skip
    assert match_echo_reply(4, request, identifier=0x1234, sequence=1) is None
    assert match_echo_reply(4, v4[:27], identifier=0x1234, sequence=1) is None  # truncated

    v6 = _as_reply(6, OLD_ECHO_REQUESTS[(6, 0xBEEF, 3, 7)])
    assert match_echo_reply(6, v6, identifier=0xBEEF, sequence=3) == EchoReply(0xBEEF, 3, None)
    assert match_echo_reply(6, v6, identifier=0xBEEE, sequence=3) is None
    assert match_echo_reply(6, bytes.fromhex(OLD_ECHO_REQUESTS[(6, 0xBEEF, 3, 7)]),
                            identifier=0xBEEF, sequence=3) is None  # fmt: skip
    # the traceroute's parser reads the same reply the same way
    parsed = parse_ip_packet(v4, ETH_P_IP)
    assert parsed is not None and (parsed.flow, parsed.token, parsed.ttl) == (0x1234, 1, 61)
