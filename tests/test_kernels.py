"""The compiled kernels (`ixpready._kernels`, built from src/ixpready/_kernels.c) against
their Python references, and the rules deciding whether a process uses them (`ixpready.kernels`).

A kernel may decline (return None) any input; whatever it returns must equal what its
reference returns, element by element and type by type, and it must decline whatever its
reference rejects. Checked on every recorded traceroute, the demo's results and generated
records; the whole demo analysis is byte-identical with and without the kernels.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ixpready.kernels as kernels
from ixpready.analysis.detours import interconnection_places, nearest_detour
from ixpready.demo.scenario import write_scenario
from ixpready.enrichment.annotate import Vantage, first_refuting_disc
from ixpready.enrichment.geo import KM_PER_MS_ROUND_TRIP
from ixpready.measurements import parse
from ixpready.measurements.records import AddressTable, Probe
from ixpready.refdata.gazetteer import distance_km, gazetteer, haversine_km

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "src" / "ixpready"
GT_HN_SV = "msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
SOURCE = FOLDER / "_kernels.c"


def _compiled() -> Any:
    assert kernels.COMPILED, (
        f"the compiled kernels are not in use: {kernels.STATUS}. `bash scripts/install.sh` "
        f"builds them (a C compiler and the Python headers are needed)"
    )
    assert kernels.scan_hops is not None
    return kernels.scan_hops


def test_the_install_built_the_kernels_from_this_source() -> None:
    # The tests run the compiled twins: a machine where they were not built, or were built
    # from another version of _kernels.c, fails here rather than testing only the references.
    _compiled()
    import ixpready._kernels as _kernels

    sources = sorted([*FOLDER.glob("_kernels*.c"), *FOLDER.glob("_kernels*.h")])
    assert len(sources) >= 1
    assert kernels.source_digest(sources) == _kernels.SOURCE_SHA256  # setup.py's digest
    assert kernels.STATUS.startswith("compiled")


def _same_values(got: tuple[Any, ...], expected: tuple[Any, ...]) -> None:
    assert got == expected
    for column, reference in zip(got, expected, strict=True):
        assert [type(v) for v in column] == [type(v) for v in reference]


def _check_scan(entries: list[Any]) -> bool:
    """Compares the kernel with `_scan_rows` on one record's hops; True when it read them."""
    scan = _compiled()
    got = scan(entries, msgspec.UNSET)
    try:
        expected = parse._scan_rows(entries, AddressTable())
    except (parse._Fallback, parse.MalformedResult):
        assert got is None, "the kernel read a record its reference rejects"
        return False
    if got is None:
        return False
    _same_values(got, expected)
    return True


def _decoded(lines: list[bytes]) -> list[parse._FastTrace]:
    records = []
    for line in lines:
        try:
            records.append(parse._FAST_LINE.decode(line))
        except msgspec.DecodeError:
            continue  # the dict reader's: not the fast path's
    return records


def test_scan_hops_matches_its_reference_on_every_recorded_traceroute(recorded: Path) -> None:
    read = declined = 0
    files = sorted((recorded / "atlas-traceroute").glob("*"))
    assert files
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".jsonl":
            lines = [line for line in data.splitlines() if line.strip()]
        else:
            document = orjson.loads(data)
            items = document if isinstance(document, list) else [document]
            lines = [orjson.dumps(item) for item in items if isinstance(item, dict)]
        for record in _decoded(lines):
            if _check_scan(record.result):
                read += 1
            else:
                declined += 1
    assert read > 100  # the common case is what real results hold
    assert declined > 0  # and the real data has hops the kernel leaves to the reference


def test_scan_hops_matches_its_reference_on_the_demo(tmp_path: Path) -> None:
    """The simulated results have ICMP extensions, `*`s, duplicates, late replies and ECMP."""
    files = write_scenario(tmp_path, seed=5, lanes=4, probes_per_network=2)
    records = _decoded([orjson.dumps(r) for r in orjson.loads(files.results[0].read_bytes())])
    outcomes = [_check_scan(record.result) for record in records]
    assert len(outcomes) > 700 and sum(outcomes) > len(outcomes) // 2


_ADDRESSES = ["192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:DB8::1", "300.1.1.1", ""]
_reply = st.one_of(
    st.fixed_dictionaries({"x": st.sampled_from(["*", "?", 1])}),
    st.fixed_dictionaries(
        {"from": st.sampled_from(_ADDRESSES)},
        optional={
            "rtt": st.one_of(st.none(), st.floats(0, 600_000), st.integers(0, 5)),
            "ttl": st.integers(0, 255),
            "dup": st.booleans(),
            "late": st.integers(0, 3),
            "edst": st.sampled_from(["", "192.0.2.9", "nonsense"]),
            "err": st.sampled_from(["N", 7]),
        },
    ),
    st.just({"from": None}),
)
_hop = st.fixed_dictionaries(
    {
        "hop": st.sampled_from([1, 2, 3, 255, 0, 256, -1, 2**62]),
        "result": st.lists(_reply, max_size=4),
    },
    optional={"inherited": st.booleans()},
)


@given(hops=st.lists(_hop, max_size=5))
def test_scan_hops_matches_its_reference_on_generated_hops(hops: list[dict[str, Any]]) -> None:
    record = {"type": "traceroute", "msm_id": 1, "prb_id": 2, "timestamp": 3, "result": hops}
    decoded = _decoded([orjson.dumps(record)])
    if decoded:
        _check_scan(decoded[0].result)


def test_the_kernels_are_left_unused_when_asked_or_built_from_another_source(
    tmp_path: Path,
) -> None:
    script = "import ixpready.kernels as k; print(k.COMPILED, k.scan_hops is None); print(k.STATUS)"
    env = {**os.environ, kernels.PURE_PYTHON_ENV: "1"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "False True" and kernels.PURE_PYTHON_ENV in out[1]
    # A module built from other versions of the sources is not used.
    for source in [*FOLDER.glob("_kernels*.c"), *FOLDER.glob("_kernels*.h")]:
        (tmp_path / source.name).write_bytes(source.read_bytes())
    module, status = kernels._load(tmp_path)
    assert module is not None and status.startswith("compiled")
    (tmp_path / "_kernels.c").write_bytes(SOURCE.read_bytes() + b"\n/* edited */\n")
    module, status = kernels._load(tmp_path)
    assert module is None and "other versions" in status
    module, status = kernels._load(tmp_path / "absent")  # an installed wheel: no sources
    assert module is not None


def test_the_demo_analysis_is_byte_identical_without_the_kernels(tmp_path: Path) -> None:
    files = write_scenario(tmp_path / "in", seed=3, lanes=4, probes_per_network=2)
    outputs = {}
    for label, extra in (("compiled", {}), ("pure", {kernels.PURE_PYTHON_ENV: "1"})):
        out = tmp_path / f"{label}.json"
        env = {k: v for k, v in os.environ.items() if k != kernels.PURE_PYTHON_ENV}
        command = [
            sys.executable, "-m", "ixpready", "analyze", str(files.results[0]),
            "--refdata", str(files.refdata), "--probes", str(files.probes),
            "--rdns", str(files.rdns), "--country", "GT", "--format", "json",
            "--workers", "1", "--out", str(out),
        ]  # fmt: skip
        subprocess.run(command, env={**env, **extra}, check=True, capture_output=True, cwd=tmp_path)
        outputs[label] = orjson.loads(out.read_bytes())
    for document in outputs.values():
        document.pop("generated_at", None)
    assert outputs["compiled"] == outputs["pure"]
    assert len(outputs["pure"]["paths"]) > 700


# ---------------------------------------------------------------------------------------------
# read_line: a traceroute's JSON line, against msgspec's decoding of the schema + `_scan_rows`.


def _line_reference(line: bytes) -> tuple[Any, ...] | str | None:
    """What `_fast_line` reads of a line without the kernel: the fields tuple, None when
    msgspec rejects the line, "declined" when the kernel must leave it to the reference."""
    try:
        record = parse._FAST_LINE.decode(line)
    except (msgspec.DecodeError, RecursionError):
        return None
    if record.ixpready_probe is not msgspec.UNSET:
        return "declined"
    try:
        rows = parse._scan_rows(record.result, AddressTable())
    except (parse._Fallback, parse.MalformedResult):
        return "declined"
    return (
        record.msm_id, record.prb_id, record.timestamp, record.af, record.proto,
        record.dst_addr, record.src_addr, record.public_source, record.dst_name,
        record.endtime, record.paris_id, record.fw, *rows,
    )  # fmt: skip


def _check_line(line: bytes) -> bool:
    """Compares the kernel with its reference on one line; True when the kernel read it."""
    read = kernels.read_line
    assert read is not None, kernels.STATUS
    got = read(line)
    expected = _line_reference(line)
    if got is None:
        return False
    assert isinstance(expected, tuple), f"the kernel read a line its reference does not: {line!r:.300}"
    assert got == expected
    for value, reference in zip(got, expected, strict=True):
        assert type(value) is type(reference)
        if isinstance(value, tuple):
            assert [type(v) for v in value] == [type(v) for v in reference]
    return True


def _fixture_lines(recorded: Path) -> list[bytes]:
    lines: list[bytes] = []
    for path in sorted((recorded / "atlas-traceroute").glob("*")):
        data = path.read_bytes()
        if path.suffix == ".jsonl":
            lines += [line for line in data.splitlines() if line.strip()]
            continue
        document = orjson.loads(data)
        for item in document if isinstance(document, list) else [document]:
            lines.append(orjson.dumps(item))
            lines.append(json.dumps(item, indent=1).replace("\n", "\r ").encode())  # spaces
    return lines


def test_read_line_matches_its_reference_on_every_recorded_traceroute(recorded: Path) -> None:
    outcomes = [_check_line(line) for line in _fixture_lines(recorded)]
    assert sum(outcomes) > 100 and not all(outcomes)


def test_read_line_matches_its_reference_on_the_demo(tmp_path: Path) -> None:
    files = write_scenario(tmp_path, seed=8, lanes=4, probes_per_network=2)
    items = orjson.loads(files.results[0].read_bytes())
    outcomes = [_check_line(orjson.dumps(item)) for item in items]
    assert len(outcomes) > 700 and sum(outcomes) > len(outcomes) // 2


_LINE = (
    b'{"fw":4790,"lts":12,"endtime":1700000100,"dst_name":"gt.example","dst_addr":"192.0.2.9",'
    b'"src_addr":"10.0.0.2","proto":"ICMP","af":4,"size":48,"paris_id":3,"result":[{"hop":1,'
    b'"result":[{"from":"10.0.0.1","ttl":64,"size":76,"rtt":0.512},{"from":"10.0.0.1","ttl":64,'
    b'"size":76,"rtt":0.49},{"x":"*"}]},{"hop":2,"result":[{"from":"192.0.2.1","ttl":254,"size"'
    b':28,"rtt":12.25,"icmpext":{"version":2,"rfc4884":0,"obj":[{"class":1,"type":1,"mpls":'
    b'[{"exp":0,"label":24001,"s":1,"ttl":1}]}]}},{"from":"192.0.2.1","rtt":9.5,"dup":true},'
    b'{"from":"192.0.2.1","rtt":11.0,"late":2},{"from":"192.0.2.1","err":"N","rtt":1e1}]},'
    b'{"hop":3,"inherited":true,"result":[{"from":"192.0.2.9","rtt":20.000000000000001}]}],'
    b'"msm_id":5001,"prb_id":6001,"timestamp":1700000000,"from":"198.51.100.7","type":'
    b'"traceroute","group_id":5001,"stored_timestamp":1700000200,"msm_name":"Traceroute"}'
)


def test_read_line_reads_a_full_line_and_each_of_its_fields() -> None:
    assert _check_line(_LINE)
    fields = kernels.read_line(_LINE) if kernels.read_line else None
    assert fields is not None
    assert fields[:12] == (
        5001, 6001, 1700000000, 4, "ICMP", "192.0.2.9", "10.0.0.2", "198.51.100.7",
        "gt.example", 1700000100, 3, 4790,
    )  # fmt: skip
    assert fields[12:] == ((1, 2, 3), ("10.0.0.1", "192.0.2.1", "192.0.2.9"),
                           (0.49, 10.0, 20.0), (None, None, True))  # fmt: skip


_MUTATIONS = [
    b'"', b"\\", b"{", b"}", b"[", b"]", b",", b":", b"-", b"0", b"1", b"9", b".", b"e", b"E",
    b"+", b" ", b"\x00", b"\xff", b"\xc3\xa9", b"n", b"null", b"true", b"1e400", b"01",
    b'"x":"*",', b'"hop":256,', b'"rtt":-1,', b'"af":4.0,', b'"msm_id":5,', b'"edst":"",',
    b'"ixpready_probe":{},', b'"from":"192.0.2.77",', b'"timestamp":4102444801,', b"NaN",
]


@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, len(_LINE)), st.integers(0, 3), st.sampled_from(_MUTATIONS)
        ),
        min_size=1, max_size=3,
    )
)  # fmt: skip
def test_read_line_never_reads_a_line_otherwise_than_msgspec(
    edits: list[tuple[int, int, bytes]],
) -> None:
    """Damaged and altered lines: the kernel reads a line exactly as the reference does, or
    declines it; it never reads one msgspec rejects."""
    line = _LINE
    for position, removed, inserted in edits:
        line = line[:position] + inserted + line[position + removed :]
    _check_line(line)


_number = st.one_of(
    st.integers(-(2**64), 2**64), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1", "0", "-0", "1.5", "600000", "600000.0000001", "1e2", "7"]),
)
_value: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), _number, st.text(max_size=4),
    st.sampled_from(["192.0.2.1", "2001:db8::1", "", "*", "traceroute"]),
)
_reply_keys = ["from", "rtt", "ttl", "size", "x", "err", "error", "late", "dup", "ittl",
               "edst", "icmpext", "other"]  # fmt: skip
_record_keys = ["type", "msm_id", "prb_id", "timestamp", "dst_addr", "src_addr", "from", "af",
                "proto", "dst_name", "endtime", "paris_id", "fw", "lts"]  # fmt: skip


@given(
    top=st.dictionaries(st.sampled_from(_record_keys), _value, max_size=6),
    hops=st.lists(
        st.fixed_dictionaries(
            {"hop": st.one_of(st.integers(0, 256), _value),
             "result": st.lists(st.dictionaries(st.sampled_from(_reply_keys), _value, max_size=4),
                                max_size=3)},
            optional={"inherited": _value, "error": _value},
        ),
        max_size=3,
    ),
)  # fmt: skip
def test_read_line_matches_msgspec_on_generated_records(
    top: dict[str, Any], hops: list[dict[str, Any]]
) -> None:
    record = {"type": "traceroute", "msm_id": 1, "prb_id": 2, "timestamp": 3, **top,
              "result": hops}  # fmt: skip
    try:
        line = json.dumps(record).encode()
    except ValueError:
        return
    _check_line(line)
    _check_line(line.replace(b", ", b",").replace(b": ", b":"))


# ---------------------------------------------------------------------------------------------
# Distances: the haversine and the nearest detour, to the bit.


def test_distance_km_is_the_python_haversine_to_the_bit() -> None:
    compiled = kernels.distance_km
    assert compiled is not None, kernels.STATUS
    assert distance_km is compiled  # the gazetteer's distance is the compiled one when built
    rng = random.Random(14)
    points = [
        (rng.uniform(-90, 90), rng.uniform(-180, 180), rng.uniform(-90, 90), rng.uniform(-180, 180))
        for _ in range(100_000)
    ]
    near = [(14.6, -90.5), (0.0, 0.0), (90.0, 180.0), (-90.0, -180.0), (25.77, -80.19)]
    points += [
        (lat, lon, lat + rng.choice([0.0, 1e-9, -1e-7, 1e-3, 0.5]), lon + rng.choice([0.0, 1e-9, 180.0]))
        for lat, lon in near
        for _ in range(2_000)
    ]  # fmt: skip
    points += [(14, -90, 15, -91), (0, 0, 0, 180), (90, 0, -90, 0)]  # ints, antipodes, poles
    different = [p for p in points if compiled(*p) != haversine_km(*p)]
    assert different == []


@given(st.lists(st.floats(-90, 90), min_size=4, max_size=4))
def test_distance_km_matches_on_generated_points(values: list[float]) -> None:
    lat1, lon1, lat2, lon2 = values[0], values[1] * 2, values[2], values[3] * 2
    assert kernels.distance_km is not None
    assert kernels.distance_km(lat1, lon1, lat2, lon2) == haversine_km(lat1, lon1, lat2, lon2)


def test_nearest_detour_matches_its_reference() -> None:
    compiled = kernels.nearest_detour
    assert compiled is not None, kernels.STATUS
    places = gazetteer()
    crossings = interconnection_places(None, places, "GT")
    assert len(crossings) > 20
    rng = random.Random(7)
    for _ in range(300):
        s, a, b = ((rng.uniform(13.5, 18.0), rng.uniform(-92.5, -88.0)) for _ in range(3))
        uncertainty = (rng.choice([0.0, 2.0]), rng.choice([0.0, 25.0]), rng.uniform(0, 40))
        got = compiled(s, a, b, crossings, uncertainty)
        assert got == nearest_detour(s, a, b, crossings, uncertainty)
        assert got is not None and got[1] is nearest_detour(s, a, b, crossings, uncertainty)[1]
    # What it does not take is left to the reference.
    assert compiled((1, 2, 3), (0.0, 0.0), (0.0, 0.0), crossings, (0.0, 0.0, 0.0)) is None
    assert compiled((0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (), (0.0, 0.0, 0.0)) is None
    assert compiled((math.inf, 0.0), (0.0, 0.0), (0.0, 0.0), crossings, (0.0, 0.0, 0.0)) is None


def test_refuting_disc_matches_its_reference() -> None:
    compiled = kernels.refuting_disc
    assert compiled is not None, kernels.STATUS
    rng = random.Random(21)
    vantages = [
        Vantage(Probe(id=n), rng.uniform(13, 18), rng.uniform(-92, -88), rng.choice([1.0, 30.0]))
        for n in range(1, 60)
    ] + [Vantage(Probe(id=99), None, None, 0.0)]  # fmt: skip
    found = set()
    for _ in range(2_000):
        discs = [(rng.choice(vantages), rng.choice([0.0, 0.4, 3.0, 12.5, rng.uniform(0, 80)]))
                 for _ in range(rng.randint(0, 12))]  # fmt: skip
        place = (rng.uniform(-40, 40), rng.uniform(-120, -40), rng.choice([25.0, 300.0]))
        got = compiled(discs, *place, KM_PER_MS_ROUND_TRIP)
        assert got == first_refuting_disc(discs, *place)
        found.add(got if got is None else min(got, 1))
    assert found == {-1, 0, 1}  # every disc in reach, the first refuting, a later one
    assert compiled([(vantages[0], 3)], 14.0, -90.0, 25.0, KM_PER_MS_ROUND_TRIP) is None  # int RTT


def test_lines_read_as_spans_pickle_and_make_their_hops(recorded: Path) -> None:
    """`parse_bytes` reads JSON lines as spans of the file's bytes (no copy per line): a trace
    read so pickles (its line as bytes) and makes the hops the dict reader makes; blank,
    whitespace and CRLF lines and a last line without newline read as before."""
    path = recorded / "atlas-traceroute" / GT_HN_SV
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    data = b"\n\n" + b"\r\n   \n".join(lines[:20]) + b"\r\n\t\n" + lines[20]
    traces = [o for o in parse.parse_bytes(data, "spans") if isinstance(o, parse.Trace)]
    assert len(traces) == 21
    for trace, line in zip(traces, lines, strict=False):
        again = pickle.loads(pickle.dumps(trace))
        reference = parse.trace_from_atlas(orjson.loads(line))
        assert again == trace == reference
        assert again.hops == trace.hops == reference.hops


def test_records_made_by_set_fields_are_the_records_their_constructors_make(
    recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader makes TraceKey, Route and lazy Trace records without their generated
    `__init__` (`records.set_fields`, compiled `kernels.set_fields`): each equals, field by
    field, what the constructor (or the Python reference) makes."""
    from ixpready.measurements import records

    assert kernels.set_fields is not None and records.set_fields_kernel is kernels.set_fields
    stops = ((1, None, False), (2, records.ip_address("192.0.2.1"), True), (2, None, False))
    for hop_numbers in ((1, 2, 2), (1, 2, 3)):
        made = records.Route.read(stops, (0, 5, 0), hop_numbers)
        built = records.Route(stops, (0, 5, 0))
        assert made == built and made.numbers == built.numbers and made._found == {}
        assert made.one_per_hop is (len(set(hop_numbers)) == 3) and made.serial != built.serial
    assert records.TraceKey.of(5, 6, 7) == records.TraceKey(5, 6, 7)
    assert hash(records.TraceKey.of(5, 6, 7)) == hash(records.TraceKey(5, 6, 7))
    path = recorded / "atlas-traceroute" / GT_HN_SV
    compiled = [o for o in parse.parse_bytes(path.read_bytes(), "x") if isinstance(o, parse.Trace)]
    monkeypatch.setattr(records, "set_fields_kernel", None)  # the Python reference
    reference = [o for o in parse.parse_bytes(path.read_bytes(), "x") if isinstance(o, parse.Trace)]
    assert len(compiled) == len(reference) > 20
    for one, other in zip(compiled, reference, strict=True):
        assert one == other and one.hops == other.hops
        for name in records._LAZY_TRACE_FIELDS:
            if name not in ("_route", "_hop_source", "_numbers"):  # (per table)
                assert getattr(one, name) == getattr(other, name), name
    with pytest.raises(AttributeError):  # as object.__setattr__ for a field it does not have
        records.set_fields(object.__new__(records.TraceKey), ("nope",), (1,))
    monkeypatch.setattr(records, "set_fields_kernel", kernels.set_fields)
    with pytest.raises(AttributeError):
        records.set_fields(object.__new__(records.TraceKey), ("nope",), (1,))


def test_read_line_gives_the_numbers_the_table_holds(recorded: Path) -> None:
    read = kernels.read_line
    assert read is not None
    table = AddressTable()
    lines = [line for line in (recorded / "atlas-traceroute" / GT_HN_SV).read_bytes().splitlines()]
    seen = {True: 0, False: 0}
    data = b"\n".join(lines)
    spans, start = [], 0
    for line in lines:
        spans.append((start, start + len(line)))
        start += len(line) + 1
    for (start, end), line in zip(spans * 2, lines * 2, strict=True):  # all known 2nd time
        fields = read(data, start, end, table.numbers)  # the line as a span of the text
        if fields is None:
            continue
        assert fields[:16] == read(line)
        texts = (fields[5], fields[6], fields[7], *fields[13])
        expected = tuple(table.numbers.get(t, -1) if t else 0 for t in texts)
        known = fields[16]
        assert known == (None if -1 in expected else expected)
        seen[known is None] += 1
        for text in texts:
            if text:
                table.number(text)
    assert seen[True] > 0 and seen[False] > 0


def test_json_lines_the_compiled_reader_reads_never_reach_msgspec(
    recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slip in the compiled path would not change a result, only the speed: the line would
    silently be read again by msgspec. Here every line the kernel reads must not be."""
    data = (recorded / "atlas-traceroute" / GT_HN_SV).read_bytes()
    assert kernels.read_line is not None
    readable = sum(
        kernels.read_line(line) is not None for line in data.splitlines() if line.strip()
    )
    again: list[object] = []
    decode = parse._fast_line
    monkeypatch.setattr(
        parse, "_fast_line", lambda line, *a: (again.append(line) if line.strip() else None)
        or decode(line, *a),
    )  # fmt: skip
    traces = [o for o in parse.parse_bytes(data, "x") if isinstance(o, parse.Trace)]
    assert readable > 20 and len(traces) - len(again) == readable
