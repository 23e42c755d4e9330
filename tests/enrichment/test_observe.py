"""`observe` against the plainest reading of its definition, order included.

`observe` takes a probe's traces along one route together; the reference below reads every
reply of every trace in order. Both must give the same addresses, probes, RTTs and order.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from ixpready.demo.scenario import write_scenario
from ixpready.enrichment.annotate import observe
from ixpready.measurements.parse import parse_bytes, read_results, trace_from_atlas
from ixpready.measurements.records import IPAddress, Trace


def _reference(traces: list[Trace]) -> list[tuple[IPAddress, list[tuple[int, float]]]]:
    seen: dict[IPAddress, dict[int, float]] = {}
    for trace in traces:
        for hop in trace.hops:
            for reply in hop.replies:
                rtt = reply.usable_rtt_ms
                if reply.address is None or rtt is None:
                    continue
                per_probe = seen.setdefault(reply.address, {})
                if rtt < per_probe.get(trace.key.prb_id, float("inf")):
                    per_probe[trace.key.prb_id] = rtt
    return [(address, list(per_probe.items())) for address, per_probe in seen.items()]


def _observed(traces: list[Trace]) -> list[tuple[IPAddress, list[tuple[int, float]]]]:
    return [(address, list(per_probe.items())) for address, per_probe in observe(traces).items()]


def test_recorded_traceroutes(recorded: Path) -> None:
    traces = [
        o
        for path in sorted((recorded / "atlas-traceroute").glob("*"))
        for o in read_results(path)
        if isinstance(o, Trace)
    ]
    assert len(traces) > 1000
    assert _observed(traces) == _reference(traces)


def test_simulated_rounds_with_repeated_routes(tmp_path: Path) -> None:
    files = write_scenario(tmp_path, seed=17, rounds=4, lanes=3)
    traces = [o for o in read_results(files.results[0]) if isinstance(o, Trace)]
    assert len({id(t.route()) for t in traces}) < len(traces) / 2
    assert _observed(traces) == _reference(traces)
    assert _observed(traces[::-1]) == _reference(traces[::-1])


def _atlas(
    ts: int, prb: int, hops: list[list[tuple[str | None, float | None]]]
) -> dict[str, object]:
    result = [
        {"hop": n, "result": [
            {"x": "*"} if a is None else
            {"from": a, "ttl": 60, "size": 28} if r is None else
            {"from": a, "rtt": r, "ttl": 60, "size": 28}
            for a, r in replies
        ]}
        for n, replies in enumerate(hops, start=1)
    ]  # fmt: skip
    return {
        "type": "traceroute", "msm_id": 1, "prb_id": prb, "timestamp": ts, "af": 4,
        "dst_addr": "190.56.0.9", "result": result,
    }  # fmt: skip


def test_a_first_rtt_in_a_later_round_keeps_its_place() -> None:
    """A stop without a usable RTT in a probe's first trace gets one in a later trace, after
    another probe's sighting of the same address: the order follows the traces."""
    a, b, c = "190.56.0.1", "190.56.0.2", "190.56.0.3"
    records = [
        _atlas(1, 10, [[(a, 1.0)], [(b, None)], [(c, 3.0)]]),
        _atlas(2, 20, [[(b, 2.5)], [(a, 0.5)]]),
        _atlas(3, 10, [[(a, 0.9)], [(b, 2.0)], [(c, None)]]),
        _atlas(4, 30, [[(a, 1.5), (b, 1.7), (None, None)], [(c, 1.1)]]),  # two at one hop
        _atlas(5, 10, [[(a, 1.2)], [(b, 1.9)], [(c, 2.8)]]),
    ]
    data = b"\n".join(orjson.dumps(r) for r in records)
    traces = [o for o in parse_bytes(data, "test") if isinstance(o, Trace)]
    assert traces == [trace_from_atlas(r) for r in records]
    assert traces[0].route() is traces[2].route() is traces[4].route()
    observed = _observed(traces)
    assert observed == _reference(traces)
    assert [address.exploded for address, _ in observed] == [a, c, b]
    assert dict(observed)[traces[1].hops[0].addresses[0]] == [(20, 2.5), (10, 1.9), (30, 1.7)]
