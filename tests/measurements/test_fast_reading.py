"""The fast reader (one msgspec schema, routes, hops made on first use) against the dict reader.

`trace_from_atlas` reads a decoded dict field by field and is the reference: whatever path
`parse_bytes` takes for a result (the fast schema, or the salvaging dict reader), the Trace
must be equal to it, and a trace's route must be what its hops say.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from ixpready.demo.scenario import write_scenario
from ixpready.measurements.parse import parse_bytes, trace_from_atlas
from ixpready.measurements.records import AddressTable, Hop, Reply, Route, Trace, route_of

TRACEROUTE_FILES = sorted(
    p.name
    for p in (Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "atlas-traceroute").glob("*")
    if "measurement" not in p.name
)


def _records(data: bytes, jsonl: bool) -> list[dict[str, object]]:
    if jsonl:
        return [orjson.loads(line) for line in data.splitlines() if line.strip()]
    document = orjson.loads(data)
    return document if isinstance(document, list) else [document]


def _read(data: bytes, name: str) -> list[Trace]:
    return [o for o in parse_bytes(data, name) if isinstance(o, Trace)]


def _same(fast: Trace, reference: Trace) -> None:
    assert fast == reference
    # Hop equality compares replies; check them and each hop's derived figures explicitly.
    for hop, expected in zip(fast.hops, reference.hops, strict=True):
        assert hop.replies == expected.replies
        assert hop.address_rtts() == expected.address_rtts()
        assert hop.min_rtt_ms() == expected.min_rtt_ms()
    assert fast.route() == reference.route()
    assert fast.stop_rtts() == reference.stop_rtts()
    route, rtts = route_of(reference.hops)
    assert (fast.route(), fast.stop_rtts()) == (route, rtts)
    assert fast.destination_reached == reference.destination_reached
    assert fast.destination_rtt_ms == reference.destination_rtt_ms


@pytest.mark.parametrize("name", TRACEROUTE_FILES)
def test_every_recorded_traceroute_reads_as_the_dict_reader_reads_it(
    recorded: Path, name: str
) -> None:
    data = (recorded / "atlas-traceroute" / name).read_bytes()
    fast = _read(data, name)
    reference = [trace_from_atlas(r) for r in _records(data, name.endswith(".jsonl"))]
    assert len(fast) == len(reference) > 0
    for one, other in zip(fast, reference, strict=True):
        _same(one, other)


def test_the_demo_results_read_as_the_dict_reader_reads_them(tmp_path: Path) -> None:
    """The simulated results have ICMP extensions, `*`s, duplicates and late replies."""
    files = write_scenario(tmp_path, seed=11, lanes=4, probes_per_network=2)
    data = files.results[0].read_bytes()
    fast = _read(data, "demo")
    reference = [trace_from_atlas(r) for r in _records(data, jsonl=False)]
    assert len(fast) == len(reference) > 700
    kinds = {
        (r.mpls != (), r.duplicate, r.late is not None, r.address is None)
        for t in reference
        for h in t.hops
        for r in h.replies
    }
    assert {(True, False, False, False), (False, True, False, False)} <= kinds
    assert (False, False, True, False) in kinds and (False, False, False, True) in kinds
    for one, other in zip(fast, reference, strict=True):
        _same(one, other)


def test_a_rare_reply_field_is_kept(recorded: Path) -> None:
    """A reply with `ittl`/`late`/`err` is read as a `Reply` of its own: nothing of it is lost."""
    name = "msm5004-froot-2015-10-20-latin-america.jsonl"
    traces = _read((recorded / "atlas-traceroute" / name).read_bytes(), name)
    replies = [r for t in traces for h in t.hops for r in h.replies]
    assert sum(r.quoted_ttl is not None for r in replies) > 100
    assert sum(r.late is not None for r in replies) > 10
    assert any(r.error is not None for r in replies)


def test_equal_routes_read_together_are_one_object(tmp_path: Path) -> None:
    files = write_scenario(tmp_path, seed=5, rounds=3)
    traces = _read(files.results[0].read_bytes(), "demo")
    by_stops: dict[tuple[object, ...], set[int]] = defaultdict(set)
    for trace in traces:
        by_stops[trace.route().stops].add(id(trace.route()))
    assert len(by_stops) < len(traces) / 2  # rounds repeat routes
    assert all(len(ids) == 1 for ids in by_stops.values())
    # Each trace keeps its own RTTs along the shared route.
    shared = [t for t in traces if t.route() is traces[0].route()]
    assert len(shared) > 1 and len({t.stop_rtts() for t in shared}) > 1


def test_a_route_built_by_hand_is_what_the_hops_say() -> None:
    a, b = (trace_from_atlas(_atlas(["10.0.0.1", "190.56.0.1", "190.56.0.1"])) for _ in "ab")
    route, rtts = route_of(a.hops)
    assert route == Route(((1, a.hops[0].addresses[0], False), (2, a.hops[1].addresses[0], False)))
    assert rtts == (1.0, 2.0)
    assert a.route() is not b.route() and a.route() == b.route()
    assert not isinstance(a.route().positions(a.hops[1].addresses[0]), Hop)
    assert a.route().positions(a.hops[1].addresses[0]) == (1,)
    several = trace_from_atlas(_atlas(["10.0.0.1", "190.56.0.1", "190.56.0.9"]))
    assert [stop[0] for stop in several.route().stops] == [1, 2, 2]
    assert several.stop_rtts() == (1.0, 2.0, 3.0)
    assert not several.route().one_per_hop and a.route().one_per_hop
    assert isinstance(several.hops[1].replies[0], Reply)


def _atlas(second_hop: list[str]) -> dict[str, object]:
    return {
        "type": "traceroute", "msm_id": 1, "prb_id": 2, "timestamp": 3, "af": 4,
        "dst_addr": "190.56.0.1",
        "result": [
            {"hop": 1, "result": [{"from": second_hop[0], "rtt": 1.0, "ttl": 64, "size": 28}]},
            {"hop": 2, "result": [
                {"from": second_hop[1], "rtt": 2.0, "ttl": 60, "size": 28},
                {"from": second_hop[2], "rtt": 3.0, "ttl": 60, "size": 28},
                {"x": "*"},
            ]},
        ],
    }  # fmt: skip


def test_the_ixpready_probe_format_reads_as_the_dict_reader_reads_it() -> None:
    """Results of the operators' probe: its self-description, hops copied from the stop set
    (`inherited`), a hop-level error, and a line the full schema must read (`err`)."""
    identity = {"name": "gt-isp-1", "asn": 14754, "country": "gt", "latitude": 14.6,
                "longitude": -90.5, "version": "1"}  # fmt: skip
    plain = _atlas(["10.0.0.1", "190.56.0.1", "190.56.0.1"])
    plain |= {"ixpready_probe": identity, "proto": "ICMP", "prb_id": 2_000_001}
    copied = dict(plain, timestamp=4)
    copied["result"] = [
        {"hop": 1, "result": [{"from": "10.0.0.1", "rtt": 0.4, "ttl": 64, "size": 28}],
         "inherited": True},
        {"hop": 2, "error": "connect failed: Network is unreachable", "result": [{"x": "*"}]},
        {"hop": 3, "result": [{"from": "190.56.0.1", "rtt": 2.0, "ttl": 60, "size": 28,
                               "err": "N"}]},
    ]  # fmt: skip
    records = [plain, copied]
    data = b"\n".join(orjson.dumps(r) for r in records)
    fast = _read(data, "probe.jsonl")
    assert len(fast) == 2
    for one, record in zip(fast, records, strict=True):
        _same(one, trace_from_atlas(record))
        assert one.origin == "ixpready-probe"
        assert one.vantage is not None and one.vantage.country == "GT"
        assert one.vantage.asn_v4 == 14754
    assert [h.inherited for h in fast[1].hops] == [True, False, False]
    assert fast[1].route().stops[0][2] is True
    assert fast[1].hops[1].error == "connect failed: Network is unreachable"
    assert fast[1].hops[2].replies[0].error == "N"


def test_a_table_emptied_while_reading_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table past its bound forgets what it holds (`AddressTable.MAX_ADDRESSES`): the
    record being read then goes through the dict reader, the others get new numbers, and
    every trace is still what the dict reader makes of it."""
    files = write_scenario(tmp_path, seed=3, probes_per_network=1)
    records = _records(files.results[0].read_bytes(), jsonl=False)
    data = b"\n".join(orjson.dumps(r) for r in records)  # JSON lines: read line by line
    monkeypatch.setattr(AddressTable, "MAX_ADDRESSES", 7)
    table = AddressTable()
    fast = [o for o in parse_bytes(data, "demo", table) if isinstance(o, Trace)]
    assert table.epoch > 10
    reference = [trace_from_atlas(r) for r in records]
    assert len(fast) == len(reference) > 100
    for one, other in zip(fast, reference, strict=True):
        _same(one, other)


def test_an_address_written_two_ways_is_one_number_and_one_stop() -> None:
    """IPv6 texts in upper and lower case name one address: one number, one object, and one
    stop when both answer a hop (as the dict reader's hop, which compares addresses)."""
    record = {
        "type": "traceroute", "msm_id": 1, "prb_id": 2, "timestamp": 3, "af": 6,
        "dst_addr": "2001:db8::9",
        "result": [
            {"hop": 1, "result": [
                {"from": "2001:DB8::1", "rtt": 2.0}, {"from": "2001:db8::1", "rtt": 1.0},
            ]},
            {"hop": 2, "result": [{"from": "2001:db8::9", "rtt": 3.0}]},
        ],
    }  # fmt: skip
    table = AddressTable()
    (fast,) = parse_bytes(orjson.dumps(record), "two-ways", table)
    assert isinstance(fast, Trace)
    _same(fast, trace_from_atlas(record))
    assert table.number("2001:DB8::1") == table.number("2001:db8::1")
    assert table.address("2001:DB8::1") is table.address("2001:db8::1")
    assert fast.stop_rtts() == (1.0, 3.0) and fast.destination_reached


def test_each_read_has_its_own_table_and_numbers_never_clash(tmp_path: Path) -> None:
    """No table outlives a read: two reads of one file make two route objects (equal), and
    the numbers of their addresses differ, so nothing keyed by number mixes them up."""
    files = write_scenario(tmp_path, seed=5, probes_per_network=1)
    data = files.results[0].read_bytes()
    one, two = AddressTable(), AddressTable()
    first = _read_with(data, one)
    second = _read_with(data, two)
    assert first[0].route() == second[0].route() and first[0].route() is not second[0].route()
    assert not set(one.addresses) & set(two.addresses)
    assert {str(a) for a in one.addresses.values()} == {str(a) for a in two.addresses.values()}


def _read_with(data: bytes, table: AddressTable) -> list[Trace]:
    return [o for o in parse_bytes(data, "demo", table) if isinstance(o, Trace)]
