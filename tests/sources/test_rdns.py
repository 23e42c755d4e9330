"""The reverse-DNS resolver (sources/rdns.py) against a real authoritative server: NSD on
127.0.0.1 (tests/authdns.py), and a port where nothing answers."""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path

import dns.name
import pytest
from tests.authdns import (
    HOSTILE,
    LONG_NAME,
    NAME_TTL_S,
    NEGATIVE_TTL_S,
    NO_NAME_ADDRESS,
    SERVFAIL_ADDRESS,
    Nsd,
    silent_port,
)

from ixpready.errors import ConfigError
from ixpready.sources import rdns
from ixpready.sources.rdns import PtrResolver, PtrStatus

A = ip_address


def _resolver(nsd: Nsd, **options: float) -> PtrResolver:
    return PtrResolver([(nsd.host, nsd.port)], timeout_s=options.get("timeout_s", 1.0),
                       concurrency=int(options.get("concurrency", 4)))  # fmt: skip


def test_names_no_names_and_servfail_each_say_what_they_are(nsd: Nsd) -> None:
    asked = [A("192.0.2.1"), A("2001:db8::10"), A(NO_NAME_ADDRESS), A(SERVFAIL_ADDRESS)]
    resolved = _resolver(nsd).resolve(asked)
    assert not resolved.unreachable and resolved.not_asked == 0
    got = {a.address: (a.status, a.name, a.ttl_s) for a in resolved.answers}
    assert got == {
        A("192.0.2.1"): (PtrStatus.NAME, "ae-1.r01.mia01.example.net", NAME_TTL_S),
        A("2001:db8::10"): (PtrStatus.NAME, "www.example.test", NAME_TTL_S),
        A(NO_NAME_ADDRESS): (PtrStatus.NO_NAME, None, NEGATIVE_TTL_S),  # the SOA minimum
        A(SERVFAIL_ADDRESS): (PtrStatus.FAILED, None, 0),
    }
    failed = next(a for a in resolved.answers if a.status is PtrStatus.FAILED)
    assert failed.detail.endswith("SERVFAIL") and not failed.answered


def test_a_name_nsd_is_not_authoritative_for_is_refused_not_a_name(nsd: Nsd) -> None:
    (answer,) = _resolver(nsd).resolve([A("203.0.113.9")]).answers
    assert answer.status is PtrStatus.FAILED and answer.detail.endswith("REFUSED")


def test_hostile_names_are_kept_as_received_in_presentation_form(nsd: Nsd) -> None:
    resolved = _resolver(nsd).resolve([A(address) for address in HOSTILE])
    names = {str(a.address): a.name for a in resolved.answers}
    assert names == HOSTILE  # byte for byte as the zone has them, \ddd escapes included
    assert names["192.0.2.67"] == LONG_NAME  # the longest name DNS carries: 255 bytes
    assert len(dns.name.from_text(LONG_NAME).to_wire() or b"") == 255
    assert "<script>" in names["192.0.2.68"]  # as received: the reports escape it
    for name in names.values():
        assert name is not None
        assert not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name)


def test_a_silent_server_is_skipped_for_the_next_one_and_many_addresses_are_asked(
    nsd: Nsd,
) -> None:
    with silent_port() as port:
        resolver = PtrResolver([("127.0.0.1", port), (nsd.host, nsd.port)], timeout_s=0.3,
                               concurrency=8)  # fmt: skip
        addresses = [A(f"192.0.2.{n}") for n in range(1, 41)]
        resolved = resolver.resolve(addresses)
    assert [a.address for a in resolved.answers] == addresses  # each once, in order
    assert resolved.count(PtrStatus.NAME) == 2  # .1 and .10
    assert resolved.count(PtrStatus.NO_NAME) == 38
    assert not resolved.unreachable


def test_offline_nothing_waits_when_no_server_answers() -> None:
    with silent_port() as port:
        resolver = PtrResolver([("127.0.0.1", port)], timeout_s=0.5, concurrency=4)
        resolved = resolver.resolve([A(f"192.0.2.{n}") for n in range(1, 101)])
    # one question, asked once, timed out: the other 99 are not asked (nor retried)
    assert resolved.unreachable and resolved.not_asked == 99
    assert [a.status for a in resolved.answers] == [PtrStatus.TIMEOUT]


def test_without_servers_configured_the_system_list_is_read(tmp_path: Path) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("nameserver 127.0.0.1\nnameserver ::1\n")
    assert rdns.system_servers(str(conf)) == (("127.0.0.1", 53), ("::1", 53))
    with pytest.raises(ConfigError, match="no DNS resolver") as caught:
        rdns.system_servers(str(tmp_path / "missing"))
    assert "rdns.servers" in (caught.value.hint or "")


def test_a_failing_first_address_is_retried_and_the_others_still_asked(nsd: Nsd) -> None:
    resolved = _resolver(nsd).resolve([A(SERVFAIL_ADDRESS), A("192.0.2.1"), A(SERVFAIL_ADDRESS)])
    assert not resolved.unreachable  # a server answered, if only SERVFAIL
    assert [(str(a.address), a.status) for a in resolved.answers] == [
        (SERVFAIL_ADDRESS, PtrStatus.FAILED), ("192.0.2.1", PtrStatus.NAME)]
