"""Hostile numbers and shapes in results (issue 13): one validation in the reader for every path.

The fast msgspec path, the dict path and the salvaging scan must agree: impossible RTTs are
dropped from their reply (the address still answered), ids and times outside their range
quarantine the record with a reason, and no shape of input ends in a traceback.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from analysis.world import PROBES, atlas, write_refdata
from ixpready.analysis.core import analyze_traces
from ixpready.analysis.verdicts import Verdict
from ixpready.errors import InputError
from ixpready.measurements.parse import parse_bytes, parse_lines, trace_from_atlas
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import DnsResult, Malformed, PingResult, Trace
from ixpready.refdata.snapshots import load_snapshot

HOME = "192.168.1.1"
# The issue's case: a path that left through Miami (tromboned, 75.5 ms here).
MIAMI = [("186.151.0.1", 2.0), ("4.68.0.5", 38.0), ("4.68.0.9", 38.6), ("190.56.0.1", 75.0),
         ("190.56.20.20", 75.5)]  # fmt: skip
RDNS = {"4.68.0.5": "ae-1-3.edge5.Miami2.Level3.net", "4.68.0.9": "ae-2-7.bar1.Miami2.Level3.net"}


def _miami(bad_rtt: Any) -> dict[str, Any]:
    """Returns the Miami detour with one reply per hop at `bad_rtt` (the other two kept)."""
    hops = [[(address, rtt), (address, rtt), (address, bad_rtt)] for address, rtt in
            [(HOME, 0.4), *MIAMI]]  # fmt: skip
    return atlas(1001, "190.56.20.20", hops)  # type: ignore[arg-type]


def _every_reader(record: dict[str, Any]) -> dict[str, list[object]]:
    """Returns what each reading path makes of one record."""
    line = json.dumps(record)
    return {
        "json lines": list(parse_bytes(line.encode() + b"\n", "t")),
        "json array": list(parse_bytes(f"[{line}]".encode(), "t")),
        "text lines": list(parse_lines([line], "t")),
        "salvaged": list(parse_bytes(f"[{line}, {{cut".encode(), "t"))[:1],
        "dict path": [trace_from_atlas(record)],
    }


@pytest.mark.parametrize("bad_rtt", [-0.5, -1e-9, 10**400, 1e308 * 10, 600_001.0])
def test_impossible_rtts_never_turn_a_miami_detour_local(tmp_path: Path, bad_rtt: Any) -> None:
    record = _miami(bad_rtt)
    if bad_rtt == 10**400:  # not representable by `json.dumps` as a float: written as text
        text = json.dumps(_miami(12345.0)).replace("12345.0", "1" + "0" * 400)
        outcomes = list(parse_bytes(text.encode(), "t"))
        assert len(outcomes) == 1 and isinstance(outcomes[0], Trace)
        readings = {"salvaged (orjson refuses 10^400)": outcomes}
    else:
        readings = _every_reader(record)
    snapshot = load_snapshot(write_refdata(tmp_path / "refdata"))
    from ipaddress import ip_address

    names = {ip_address(a): n for a, n in RDNS.items()}
    for reader, outcomes in readings.items():
        (trace,) = outcomes
        assert isinstance(trace, Trace), (reader, trace)
        rtts = [reply.rtt_ms for hop in trace.hops for reply in hop.replies]
        assert all(r is None or 0 <= r <= 600_000 for r in rtts), reader
        assert sum(r is None for r in rtts) == 6, reader  # one impossible reply per hop dropped
        assert [hop.replies[2].address for hop in trace.hops] == [hop.replies[0].address
                                                                  for hop in trace.hops]
        result = analyze_traces([trace], home="GT", snapshot=snapshot, probes=dict(PROBES),
                                rdns=names)  # fmt: skip
        (path,) = result.paths
        assert path.verdict is Verdict.TROMBONED, (reader, path.reason)
        assert path.foreign_cities == ("Miami, US",)
        assert path.rtt_ms == 75.5


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("msm_id", -5, "field 'msm_id' must be a positive id, not -5"),
        ("msm_id", 0, "field 'msm_id' must be a positive id, not 0"),
        ("prb_id", -1, "field 'prb_id' must be a positive id, not -1"),
        ("timestamp", -1, "field 'timestamp' -1 is not a time between 1970 and 2100"),
        ("timestamp", 5_000_000_000, "field 'timestamp' 5000000000 is not a time between 1970"),
        ("prb_id", 2**70, "field 'prb_id' is out of the 64-bit range"),
        ("timestamp", 10**30, "field 'timestamp' is out of the 64-bit range"),
        ("msm_id", 10**400, "field 'msm_id' is out of the 64-bit range"),
        ("endtime", 2**64, "field 'endtime' is out of the 64-bit range"),
        ("paris_id", -(2**64), "field 'paris_id' is out of the 64-bit range"),
    ],
    ids=lambda value: str(value)[:20],
)  # fmt: skip
def test_ids_and_times_out_of_range_are_quarantined_with_the_field_named(
    field: str, value: int, reason: str
) -> None:
    good = atlas(1001, "190.56.20.20", [(HOME, 0.4), *MIAMI])
    line = json.dumps({**good, field: 12345}).replace("12345", str(value))
    for text in (line + "\n", f"[{line}]", f"[{line}, {{cut", f"{line}\n{json.dumps(good)}\n"):
        outcomes = list(parse_bytes(text.encode(), "t"))
        bad = [o for o in outcomes if isinstance(o, Malformed)]
        assert bad and bad[0].reason.startswith(reason), (text[:40], outcomes)
        assert len(bad[0].reason) < 120  # one sentence, not a 400-digit number
    two = list(parse_bytes(f"{line}\n{json.dumps(good)}\n".encode(), "t"))
    assert [type(o).__name__ for o in two] == ["Malformed", "Trace"]  # the good one kept


def test_deep_nesting_and_huge_numbers_are_quarantined_not_a_traceback() -> None:
    good = json.dumps(atlas(1001, "190.56.20.20", [(HOME, 0.4), *MIAMI]))
    hostile = [
        "[" * 100_000,
        '{"a":' * 100_000,
        "[" * 100_000 + "]" * 100_000,
        "[" * 900 + "]" * 900,
        '{"type": "traceroute", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        good.replace('"fw": 5080', '"fw": 1' + "0" * 5000),  # beyond int()'s digit limit
        good.replace('"rtt": 2.0', '"rtt": NaN'),  # Python's json reads NaN; JSON has none
        good.replace('"rtt": 2.0', '"rtt": Infinity'),
    ]
    for text in hostile:
        for data in (text, text + "\n" + good, f"[{text}, {good}]"):
            outcomes = list(parse_bytes(data.encode(), "t"))
            assert outcomes, data[:60]
            kinds = [type(o).__name__ for o in outcomes]
            if "NaN" in text or "Infinity" in text:
                # the record is readable; its impossible RTT is dropped like a negative one
                assert kinds.count("Trace") == (2 if data != text else 1), (data[:60], kinds)
            else:
                assert kinds[0] == "Malformed", (data[:60], kinds)
                assert kinds.count("Trace") <= (1 if data != text else 0), (data[:60], kinds)
            if data != text:  # the good result is kept, or (in one hostile line) quarantined
                assert "Trace" in kinds or any(
                    good in o.raw for o in outcomes if isinstance(o, Malformed)
                ), (data[:60], kinds)
            if data == text + "\n" + good:
                assert kinds[-1] == "Trace"  # a line of its own is always read


def _salvage_cpu_s(data: bytes) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        outcomes = list(parse_bytes(data, "g"))
        best = min(best, time.process_time() - start)
        assert outcomes and all(isinstance(o, Malformed) for o in outcomes)
    return best


@pytest.mark.parametrize("unit", [b'{"x":"', b'{"a":[', b'{"type":"x","a":{"b":', b"{", b'{"'])
def test_a_line_of_garbage_is_quarantined_in_linear_time(unit: bytes) -> None:
    # Reading 8x the garbage must cost about 8x, not 64x (quadratic): a ratio of CPU times in
    # one process, never a wall-clock limit. The sizes keep the quadratic reader at seconds.
    small = unit * (40_000 // len(unit))
    large = unit * (320_000 // len(unit))
    _salvage_cpu_s(small)  # warm up
    ratio = _salvage_cpu_s(large) / max(_salvage_cpu_s(small), 1e-4)
    assert ratio < 24, ratio


def test_garbage_between_results_on_one_line_keeps_every_result() -> None:
    good = [json.dumps(atlas(1001, "190.56.20.20", [(HOME, 0.4), *MIAMI], ts=1_790_000_000 + i))
            for i in range(3)]  # fmt: skip
    noise = '{"x":"' * 20_000
    line = good[0] + noise + good[1] + " " + noise[:-1] + good[2]
    outcomes = list(parse_bytes(line.encode(), "t"))
    assert [o.key.timestamp for o in outcomes if isinstance(o, Trace)] == [
        1_790_000_000, 1_790_000_001, 1_790_000_002
    ]
    assert sum(isinstance(o, Malformed) for o in outcomes) == 2


def test_pings_and_dns_answers_drop_impossible_rtts_as_traceroutes_do(recorded: Path) -> None:
    # The same check of an RTT for every result type, on real recorded results.
    pings = json.loads((recorded / "atlas-ping/sagan-ping-firmware-series.json").read_text())
    ping = next(p for p in pings if p["prb_id"] == 270 and isinstance(p.get("result"), list))
    assert [r["rtt"] for r in ping["result"]] == [43.87, 56.949, 44.346]
    ping["result"][1]["rtt"] = -0.5
    dns = next(r for r in json.loads((recorded / "atlas-dns/sagan-dns-results.json").read_text())
               if r["prb_id"] == 184 and "result" in r)  # fmt: skip
    assert dns["result"]["rt"] == 45.305
    dns["result"]["rt"] = -1e9
    (read_ping,) = parse_bytes(json.dumps(ping).encode(), "ping")
    (read_dns,) = parse_bytes(json.dumps(dns).encode(), "dns")
    assert isinstance(read_ping, PingResult) and read_ping.rtts_ms == (43.87, 44.346)
    assert isinstance(read_dns, DnsResult) and read_dns.responses[0].rtt_ms is None
    assert read_dns.responses[0].answer is not None  # the answer itself is kept


def test_probe_metadata_with_absurd_numbers_reads_them_as_unknown(tmp_path: Path) -> None:
    document = {"results": [
        {"id": 7001, "asn_v4": 2**70, "latitude": "1e400", "longitude": "nan",
         "country_code": "GT", "status": {"name": "Connected"}},
        {"id": 2**70, "asn_v4": 14754},
    ]}  # fmt: skip
    path = tmp_path / "probes.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match="no numeric 'id'"):
        load_probes(path)
    document["results"].pop()
    path.write_text(json.dumps(document))
    probe = load_probes(path)[7001]
    assert (probe.asn_v4, probe.latitude, probe.longitude) == (None, None, None)
