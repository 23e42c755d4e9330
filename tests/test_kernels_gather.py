"""The gathering pass's compiled kernels (src/ixpready/_kernels_gather.c) against their Python
references: `observe_numbered` (`enrichment.annotate.observe`), `access_best` (the group loop
of `analysis.tromboning.access_delay_ms`), `alike_keyed` (`analysis.core.alike_keyed`),
`probe_tallies` (the reply loop of `analysis.probecheck.check_probes`) and `mutual_conflicts`
(the disc loop of `analysis.probecheck.mutual_contradictions`).

Whatever a kernel returns must equal its reference's result exactly: the same values of the
same types in the same order (dicts compared item by item, in order). Checked on every
recorded traceroute (with real probe metadata), the demo and generated input, including the
input each kernel declines (then the reference does the job).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

import ixpready.kernels as kernels
from ixpready.analysis import core, probecheck, tromboning
from ixpready.analysis.core import Gathering
from ixpready.demo.scenario import write_scenario
from ixpready.enrichment.annotate import PROBE_BLUR_KM, Annotator, Claim, Lookups, Vantage, observe
from ixpready.enrichment.geo import KM_PER_MS_ROUND_TRIP
from ixpready.measurements import parse
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import AddressTable, Probe, Trace, route_groups
from ixpready.pipeline.analyze import load_rdns, read_traces
from ixpready.refdata.gazetteer import EARTH_RADIUS_KM, City
from ixpready.refdata.snapshots import load_snapshot

NAMES = ("observe_numbered", "access_best", "alike_keyed", "probe_tallies", "mutual_conflicts")


def _kernel(name: str) -> Any:
    assert kernels.COMPILED, f"the compiled kernels are not in use: {kernels.STATUS}"
    found = getattr(kernels, name)
    assert found is not None
    return found


def _same(got: Any, expected: Any) -> None:
    """Asserts equal values of the same types, dicts and sequences in the same order."""
    assert type(got) is type(expected), (got, expected)
    if isinstance(expected, dict):
        assert list(got) == list(expected)
        for key in expected:
            _same(got[key], expected[key])
    elif isinstance(expected, list | tuple):
        assert len(got) == len(expected)
        for left, right in zip(got, expected, strict=True):
            _same(left, right)
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected


def test_every_gathering_kernel_is_built() -> None:
    for name in NAMES:
        _kernel(name)


def _check_traces(traces: list[Trace] | tuple[Trace, ...]) -> tuple[int, int]:
    """Compares `alike_keyed`, `observe_numbered` and `access_best` with their references on
    the traces, whole and group by group; returns how many groups the kernels (observe's and
    access's) took, and how many they declined."""
    keyed = core.alike_keyed(traces, kernel=None)
    found = _kernel("alike_keyed")(traces, Trace)
    assert found is not None  # it declines only what is no list or tuple
    _same(found, keyed)
    _same(core.alike_keyed(traces), keyed)
    _same(_kernel("alike_keyed")(traces, int), keyed)  # no Trace: the methods are called
    groups = list(keyed.values())
    for grouping in (groups, route_groups(traces)):
        _same(observe(traces, grouping), observe(traces, grouping, kernel=None))
        _same(
            tromboning.access_delay_ms(traces, grouping),
            tromboning.access_delay_ms(traces, grouping, kernel=None),
        )
        # Both families in one pass, each as `access_delay_ms` says of its traces alone.
        families = tromboning.access_delays_by_family(traces, grouping)
        for family, delays in zip((4, 6), families, strict=True):
            alone = [g for g in grouping if (traces[g[0]].af == 4) == (family == 4)]
            _same(delays, tromboning.access_delay_ms(traces, alone, kernel=None))
    taken = declined = 0
    for positions in route_groups(traces):
        got = _kernel("observe_numbered")(traces, [positions], Trace)
        if got is None:
            declined += 1
        else:
            taken += 1
            _same(got, observe(traces, [positions], kernel=None, table=AddressTable()))
            _same(_kernel("observe_numbered")(traces, [positions], int), got)
        best = _kernel("access_best")(traces, [positions], {}, Trace)
        if best is None:
            declined += 1
        else:
            taken += 1
            _same(best, tromboning._access_best(traces, [positions], {}))
            _same(_kernel("access_best")(traces, [positions], {}, int), best)
    return taken, declined


def _check_probes(annotator: Annotator, observations: dict[Any, dict[int, float]]) -> None:
    """Compares `check_probes` and `mutual_contradictions` with and without their kernels,
    and asserts the kernels took the input."""
    vantages = annotator.vantages
    with_kernels = probecheck.check_probes(annotator, observations)
    without = probecheck.check_probes(annotator, observations, kernel=None, mutual_kernel=None)
    assert list(with_kernels.items()) == list(without.items())
    _same(
        probecheck.mutual_contradictions(vantages, observations),
        probecheck.mutual_contradictions(vantages, observations, kernel=None),
    )
    taken: list[bool] = []

    def spy(*args: Any) -> Any:
        result = _kernel("probe_tallies")(*args)
        taken.append(result is not None)
        return result

    probecheck.check_probes(annotator, observations, kernel=spy)
    assert taken == [True]


def _annotator(
    traces: tuple[Trace, ...], probes: dict[int, Probe], lookups: Lookups
) -> tuple[Annotator, dict[Any, dict[int, float]]]:
    gathering = Gathering(probes, lookups.places)
    gathering.add_traces(traces)
    annotator = Annotator(lookups, "GT", gathering.vantages, gathering.observations, {})
    return annotator, gathering.observations


def _demo(tmp: Path) -> tuple[Any, Lookups]:
    files = write_scenario(tmp, seed=5, lanes=4, probes_per_network=2)
    snapshot = load_snapshot(files.refdata)
    return files, Lookups.build(snapshot, load_rdns(files.rdns))


def test_the_gathering_kernels_match_their_references_on_every_recorded_traceroute(
    recorded: Path, tmp_path: Path
) -> None:
    files = sorted((recorded / "atlas-traceroute").glob("*"))
    assert files
    taken = declined = 0
    for path in files:  # each file read alone, then all of them together
        read = read_traces([path])
        if read.traces:
            more = _check_traces(read.traces)
            taken, declined = taken + more[0], declined + more[1]
    everything = read_traces(files).traces
    _check_traces(everything)
    assert taken > 1000  # the common case is what real results hold
    assert declined > 10  # and real results have routes the kernels leave to the references
    # The probe checks, with the real probes' declared places.
    probes: dict[int, Probe] = {}
    for path in sorted((recorded / "atlas-probes").glob("*.json")):
        probes.update(load_probes(path))
    _files, lookups = _demo(tmp_path)
    annotator, observations = _annotator(everything, probes, lookups)
    assert sum(prb in probes for per in observations.values() for prb in per) > 1000
    _check_probes(annotator, observations)


def test_the_gathering_kernels_match_their_references_on_the_demo(tmp_path: Path) -> None:
    files, lookups = _demo(tmp_path)
    traces = read_traces(list(files.results)).traces
    taken, _declined = _check_traces(traces)
    assert taken > 100
    annotator, observations = _annotator(traces, load_probes(files.probes), lookups)
    _check_probes(annotator, observations)
    assert any(check.status == "confirmed" for check in probecheck.check_probes(
        annotator, observations).values())  # fmt: skip


# Generated traceroutes: a few probes and addresses (private ones among them, for the home
# gateway), hops answered by one or several addresses, silent hops, equal and missing RTTs.
_ADDRESSES = ["192.168.1.1", "10.0.0.1", "200.1.1.1", "200.1.1.2", "200.1.1.3", "8.8.8.8"]
_reply = st.one_of(
    st.fixed_dictionaries(
        {"from": st.sampled_from(_ADDRESSES)},
        optional={"rtt": st.sampled_from([0.5, 1.25, 3.0, 3.0, 12.5, 80.0]), "ttl": st.just(60)},
    ),
    st.just({"x": "*"}),
)
_hop = st.fixed_dictionaries(
    {"hop": st.integers(1, 4), "result": st.lists(_reply, min_size=1, max_size=3)}
)
_record = st.fixed_dictionaries(
    {
        "prb_id": st.integers(1, 3),
        "af": st.sampled_from([4, 4, 6]),
        "dst_addr": st.sampled_from(["8.8.8.8", "200.1.1.3"]),
        "result": st.lists(_hop, min_size=1, max_size=4),
    }
)


def _generated(records: list[dict[str, Any]]) -> list[Trace]:
    lines = []
    for number, record in enumerate(records):
        hops = sorted(record["result"], key=lambda hop: hop["hop"])
        full = {
            "type": "traceroute", "msm_id": 7, "timestamp": 1_700_000_000 + number,
            "from": "200.1.1.9", "src_addr": "192.168.1.20", "proto": "ICMP",
            **record, "result": hops,
        }  # fmt: skip
        lines.append(full)
    traces = parse._fast_array(orjson.dumps(lines), AddressTable())
    assert traces is not None
    return traces


@settings(max_examples=150, deadline=None)
@given(records=st.lists(_record, min_size=1, max_size=8), hops_read=st.booleans())
def test_the_gathering_kernels_match_their_references_on_generated_traces(
    records: list[dict[str, Any]], hops_read: bool
) -> None:
    traces = _generated(records)
    if hops_read:  # routes made from the hops: no reader's numbers, which the kernels decline
        traces = [
            Trace(t.key, t.af, t.protocol, t.destination, t.destination_name, t.source,
                  t.public_source, t.hops)
            for t in traces
        ]  # fmt: skip
        assert _kernel("observe_numbered")(traces, sorted(route_groups(traces)), Trace) is None
    _check_traces(traces)
    _check_traces(tuple(traces))


def test_the_gathering_kernels_decline_what_is_no_list_or_tuple() -> None:
    traces = _generated([{"prb_id": 1, "af": 4, "dst_addr": "8.8.8.8", "result": [
        {"hop": 1, "result": [{"from": "200.1.1.1", "rtt": 1.0}]}]}])  # fmt: skip
    assert _kernel("alike_keyed")(iter(traces), Trace) is None
    assert _kernel("observe_numbered")(traces, iter([[0]]), Trace) is None
    assert _kernel("access_best")(traces, [[0]], None, Trace) is None
    assert _kernel("observe_numbered")(traces, [[5]], Trace) is None  # no such trace
    assert _kernel("observe_numbered")(traces, [[0]], Trace) is not None


# Generated probe checks: probes near and far, RTTs that confirm, contradict or neither.
_PLACES = [(14.6, -90.5), (14.6, -90.5), (15.5, -88.0), (25.8, -80.2), (40.4, -3.7), (0, 0)]
_CITY = [City("gua", "Guatemala", "GT", 14.6, -90.5, False),
         City("mia", "Miami", "US", 25.8, -80.2, True)]  # fmt: skip
_rtts = st.one_of(
    st.sampled_from([0.0, 0.4, 1.0, 2.5, 10.0, 35.0, 140.0, -1.0, math.inf]),
    st.floats(0.0, 300.0),
)


def _vantage(prb: int, place: int, blur: float | int) -> Vantage:
    latitude, longitude = _PLACES[place]
    probe = Probe(prb, country="GT", latitude=latitude, longitude=longitude)
    return Vantage(probe, latitude, longitude, blur)


@settings(max_examples=150, deadline=None)
@given(
    places=st.lists(st.integers(0, len(_PLACES) - 1), min_size=1, max_size=6),
    blur=st.sampled_from([PROBE_BLUR_KM, 5, 0.0]),
    seen=st.lists(st.dictionaries(st.integers(0, 6), _rtts, max_size=7), max_size=5),
    claims=st.lists(st.lists(st.sampled_from([0, 1]), max_size=2), min_size=5, max_size=5),
    nearest=st.sampled_from([100.0, 800.0, math.inf]),
)
def test_the_probe_check_kernels_match_their_references_on_generated_replies(
    places: list[int],
    blur: float,
    seen: list[dict[int, float]],
    claims: list[list[int]],
    nearest: float,
) -> None:
    vantages = {prb: _vantage(prb, place, blur) for prb, place in enumerate(places)}
    vantages[len(places)] = Vantage(Probe(len(places)), None, None, 0.0)  # placed nowhere
    observations: dict[Any, dict[int, float]] = {
        f"192.0.2.{n}": per_probe for n, per_probe in enumerate(seen)
    }
    for most in (probecheck.MAX_DISCS_PER_ADDRESS, 3, 1, 0):  # the tightest discs kept
        saved = probecheck.MAX_DISCS_PER_ADDRESS
        probecheck.MAX_DISCS_PER_ADDRESS = most
        try:
            _same(
                probecheck.mutual_contradictions(vantages, observations),
                probecheck.mutual_contradictions(vantages, observations, kernel=None),
            )
        finally:
            probecheck.MAX_DISCS_PER_ADDRESS = saved
    placing = [
        (address, per_probe, [Claim("rdns", "GT", _CITY[c], 1.0, "named") for c in claims[n]])
        for n, (address, per_probe) in enumerate(observations.items())
    ]

    def tallies() -> dict[int, tuple[list[str], list[int], float]]:
        return {prb: ([], [0], nearest) for prb in vantages if prb < len(places)}

    expected, got = tallies(), tallies()
    probecheck._tally(vantages, placing, expected)  # type: ignore[arg-type]
    taken = probecheck._tally_compiled(
        _kernel("probe_tallies"), vantages, placing, got  # type: ignore[arg-type]
    )
    assert taken
    _same(got, expected)


def test_the_mutual_kernel_finds_the_conflicts_its_reference_finds() -> None:
    # Three probes declared in Guatemala City and one "there" that answers from Madrid's
    # distance: fast replies to the same addresses cannot be from both.
    vantages = {prb: _vantage(prb, 0, PROBE_BLUR_KM) for prb in (1, 2, 3)}
    vantages[4] = _vantage(4, 4, PROBE_BLUR_KM)
    observations: dict[Any, dict[int, float]] = {
        f"192.0.2.{n}": {1: 0.5, 2: 0.6, 3: 0.7, 4: 0.5} for n in range(3)
    }
    points = {
        prb: (float(v.uncertainty_km), float(v.latitude or 0.0), float(v.longitude or 0.0))
        for prb, v in vantages.items()
    }
    found = _kernel("mutual_conflicts")(
        observations, points, probecheck.MAX_DISCS_PER_ADDRESS, KM_PER_MS_ROUND_TRIP,
        EARTH_RADIUS_KM,
    )  # fmt: skip
    assert found is not None and len(found) == 9
    flagged = probecheck.mutual_contradictions(vantages, observations)
    assert list(flagged) == [4]
    _same(flagged, probecheck.mutual_contradictions(vantages, observations, kernel=None))
    # A radius that is not a number is declined (the reference sorts it its own way).
    vantages[5] = Vantage(Probe(5, latitude=1.0, longitude=1.0), 1.0, 1.0, math.nan)
    points[5] = (math.nan, 1.0, 1.0)
    observations["192.0.2.9"] = {5: 1.0, 1: 2.0}
    assert _kernel("mutual_conflicts")(observations, points, 12, 100.0, 6371.0) is None
    _same(
        probecheck.mutual_contradictions(vantages, observations),
        probecheck.mutual_contradictions(vantages, observations, kernel=None),
    )


def test_a_stop_first_timed_in_a_later_trace_is_left_to_the_reference() -> None:
    # Two rounds of one probe along one route: hop 2 has no RTT in the first round, so the
    # reference gathers it at its place in the second (the kernel declines the group).
    def hop(number: int, address: str, rtt: float | None) -> dict[str, Any]:
        reply: dict[str, Any] = {"from": address}
        if rtt is not None:
            reply["rtt"] = rtt
        return {"hop": number, "result": [reply]}

    def record(prb: int, second: float | None) -> dict[str, Any]:
        hops = [hop(1, "200.1.1.1", 1.5), hop(2, "200.1.1.2", second)]
        return {"prb_id": prb, "af": 4, "dst_addr": "8.8.8.8", "result": hops}

    traces = _generated([record(1, None), record(2, 4.0), record(1, 3.0)])
    groups = sorted(route_groups(traces))
    assert [len(group) for group in groups] == [2, 1]
    assert _kernel("observe_numbered")(traces, groups, Trace) is None
    assert _kernel("observe_numbered")(traces, groups[1:], Trace) is not None
    _check_traces(traces)
    expected = observe(traces, groups, kernel=None)
    assert [list(per) for per in expected.values()] == [[1, 2], [2, 1]]
    # Every round timed: the kernel takes the group, the smallest RTT stop by stop.
    traces = _generated([record(1, 5.0), record(2, 4.0), record(1, 3.0)])
    found = _kernel("observe_numbered")(traces, sorted(route_groups(traces)), Trace)
    assert found is not None and [list(per.values()) for per in found.values()] == [
        [1.5, 1.5],
        [3.0, 4.0],
    ]
    _check_traces(traces)


def test_the_tally_kernel_allows_the_city_slack_as_its_reference_does() -> None:
    from ixpready.enrichment.annotate import CITY_SLACK_KM
    from ixpready.enrichment.geo import distance_km

    vantages = {1: _vantage(1, 4, PROBE_BLUR_KM)}  # Madrid
    far = distance_km(*_PLACES[4], _CITY[0].latitude, _CITY[0].longitude)
    within = (far - CITY_SLACK_KM / 2 - PROBE_BLUR_KM) / KM_PER_MS_ROUND_TRIP  # in the slack
    beyond = (far - CITY_SLACK_KM * 2 - PROBE_BLUR_KM) / KM_PER_MS_ROUND_TRIP  # too fast
    claim = Claim("rdns", "GT", _CITY[0], 1.0, "named")
    placing = [("192.0.2.1", {1: within}, [claim]), ("192.0.2.2", {1: beyond}, [claim])]
    expected: dict[int, tuple[list[str], list[int], float]] = {1: ([], [0], 10_000.0)}
    got: dict[int, tuple[list[str], list[int], float]] = {1: ([], [0], 10_000.0)}
    probecheck._tally(vantages, placing, expected)  # type: ignore[arg-type]
    kernel = _kernel("probe_tallies")
    assert probecheck._tally_compiled(kernel, vantages, placing, got)  # type: ignore[arg-type]
    assert expected == {1: ([expected[1][0][0]], [1], 10_000.0)}
    assert "192.0.2.2 (Guatemala, GT" in expected[1][0][0]
    _same(got, expected)


def test_the_kernels_distances_are_the_gazetteers_to_the_bit() -> None:
    # Replies in no time from probes at random places: every pair of discs is disjoint and
    # every claimed city too far, so the kernels return each distance they worked out.
    from random import Random

    from ixpready.refdata.gazetteer import distance_km

    rng = Random(14)

    def point() -> tuple[float, float]:
        return rng.uniform(-90.0, 90.0), rng.uniform(-180.0, 180.0)

    probes = {prb: point() for prb in range(4000)}
    placed = {prb: (0.0, lat, lon) for prb, (lat, lon) in probes.items()}
    observations = {f"a{n}": {2 * n: 0.0, 2 * n + 1: 0.0} for n in range(2000)}
    found = _kernel("mutual_conflicts")(
        observations, placed, 12, KM_PER_MS_ROUND_TRIP, EARTH_RADIUS_KM
    )
    assert found is not None and len(found) == 2000
    for _address, prb_a, _rtt_a, prb_b, _rtt_b, apart in found:
        assert apart == distance_km(*probes[prb_a], *probes[prb_b])
    cities = tuple(point() for _ in range(3))
    entries = [({prb: 0.0}, (cities[prb % 3],)) for prb in probes]
    own = {prb: (lat, lon, 0.0, 1.0) for prb, (lat, lon) in probes.items()}
    done = _kernel("probe_tallies")(entries, own, -1.0, KM_PER_MS_ROUND_TRIP, EARTH_RADIUS_KM)
    assert done is not None and done[0] == {} and len(done[1]) == len(probes)
    for prb, entry, claim, far, _rtt in done[1]:
        assert (entry, claim) == (prb, 0)
        assert far == distance_km(*probes[prb], *cities[prb % 3])


def test_the_probe_check_kernels_decline_a_place_that_is_not_finite() -> None:
    vantages = {1: _vantage(1, 0, PROBE_BLUR_KM), 2: Vantage(Probe(2, latitude=math.inf, longitude=0.0), math.inf, 0.0, 5.0)}
    observations: dict[Any, dict[int, float]] = {"192.0.2.1": {1: 0.5, 2: 0.5}}
    points = {1: (5.0, 14.6, -90.5), 2: (5.0, math.inf, 0.0)}
    assert _kernel("mutual_conflicts")(observations, points, 12, 100.0, 6371.0) is None
    own = {1: (math.inf, 0.0, 5.0, 100.0)}
    claim = ((14.6, -90.5),)
    assert _kernel("probe_tallies")([({1: 0.5}, claim)], own, 25.0, 100.0, 6371.0) is None
    own = {1: (14.6, -90.5, 5.0, math.inf)}  # no place abroad: any reply confirms
    assert _kernel("probe_tallies")([({1: 0.5}, claim)], own, 25.0, 100.0, 6371.0) == ({1: 1}, [])
    assert _kernel("probe_tallies")([({1: 0.5}, ((math.nan, 0.0),))], own, 25.0, 100.0,
                                    6371.0) is None  # fmt: skip
    try:  # the reference raises there (math.sin of an infinity): so does the analysis
        probecheck.mutual_contradictions(vantages, observations)
    except ValueError:
        pass
    else:
        raise AssertionError("the reference computed a distance from an infinite latitude")
