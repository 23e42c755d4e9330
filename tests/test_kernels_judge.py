"""The judging kernels (`ixpready._kernels`, built from src/ixpready/_kernels_judge.c) against
their Python references:

- `pick_infos`  <-> `enrichment.annotate._pick` (the per-stop look-up of `Annotator.annotate`);
- `route_reach` <-> `measurements.records._reach_numbered` (`Route.reach` by address number);
- `scan_route`  <-> `analysis.tromboning._scan_route` (the per-stop pass of `_route_facts`);
- `as_path`     <-> `analysis.tromboning._as_path`;
- `route_telling` <-> `analysis.tromboning._tell` (what a route's telling stops say).

Every call the analysis makes to a kernel is checked against its reference while analysing
every recorded traceroute fixture (against the reference data of the golden tests, also with
every address registered at home so that the verdict rules run) and the demo; generated
inputs cover the cases a kernel declines. Whatever a kernel returns must equal what its
reference returns, type by type, holding the same objects; where the reference raises, the
kernel declines (None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.analysis.golden_runs import PROBES, fixture_refdata
from tests.kernel_calls import Calls, analysed_demo

import ixpready.kernels as kernels
from ixpready.analysis import tromboning
from ixpready.analysis.verdicts import Evidence, PathVerdict
from ixpready.enrichment import annotate
from ixpready.enrichment.annotate import UNLOCATED, AddressInfo
from ixpready.measurements import records
from ixpready.pipeline.analyze import analyze_files


def _kernel(name: str) -> Callable[..., Any]:
    assert kernels.COMPILED, f"the compiled kernels are not in use: {kernels.STATUS}"
    found = getattr(kernels, name)
    assert found is not None
    return found  # type: ignore[no-any-return]


def _same(got: Any, expected: Any) -> None:
    """Equal, of the same types all the way down; the same objects for what is not a tuple or
    a set (the kernels hand back the objects they were given, never copies)."""
    assert type(got) is type(expected), (got, expected)
    if isinstance(expected, tuple) and type(expected) is not tuple:  # a record (AddressFacts)
        assert got is expected, (got, expected)
    elif isinstance(expected, tuple):
        assert len(got) == len(expected), (got, expected)
        for a, b in zip(got, expected, strict=True):
            _same(a, b)
    elif isinstance(expected, frozenset):  # made anew by both: equal, of the same items
        assert got == expected and {type(v) for v in got} == {type(v) for v in expected}
    elif expected is not None and not isinstance(expected, bool | int):
        assert got is expected, (got, expected)
    else:
        assert got == expected, (got, expected)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    """Replaces each kernel where the analysis calls it by one that also runs the reference
    on the same input and compares."""
    calls = Calls()
    pick, reach, scan, path = (
        _kernel("pick_infos"), _kernel("route_reach"), _kernel("scan_route"), _kernel("as_path"),
    )  # fmt: skip
    tell = _kernel("route_telling")

    def pick_checked(numbered: dict[Any, Any], numbers: tuple[int, ...]) -> Any:
        got = pick(numbered, numbers)
        calls.count("pick_infos", got is not None)
        try:
            expected = annotate._pick(numbered, numbers)
        except KeyError:
            assert got is None
            return None
        if got is not None:
            _same(got, expected)
        return got

    def reach_checked(numbers: tuple[int, ...], number: int, rtts: tuple[Any, ...]) -> Any:
        got = reach(numbers, number, rtts)
        calls.count("route_reach", got is not None)
        if got is not None:
            _same(got, records._reach_numbered(numbers, number, rtts))
        return got

    def scan_checked(stops: Any, infos: Any, by_serial: Any, facts_type: type) -> Any:
        got = scan(stops, infos, by_serial, facts_type)
        calls.count("scan_route", got is not None)
        if got is not None:
            memo = tromboning.JudgeMemo()
            memo.facts["XX"] = by_serial  # what the kernel was given, under a home
            _same(got, tromboning._scan_route(stops, infos, memo, "XX"))
        return got

    def path_checked(asns: Any, src: Any, dst: Any, reached: Any) -> Any:
        got = path(asns, src, dst, reached)
        calls.count("as_path", got is not None)
        if got is not None:
            _same(got, tromboning._as_path(asns, src, dst, reached))
        return got

    def tell_checked(telling: Any, home: str, said: Any, facts: type, abroad: type) -> Any:
        got = tell(telling, home, said, facts, abroad)
        calls.count("route_telling", got is not None)
        if got is not None:
            memo = tromboning.JudgeMemo()
            memo.said = dict(said)  # what the kernel was given (the reference adds to it)
            _same(got, tromboning._tell(telling, home, memo))
            assert memo.said == said  # the kernel answered only what was said before
        return got

    monkeypatch.setattr(tromboning, "route_telling", tell_checked)
    monkeypatch.setattr(annotate, "pick_infos", pick_checked)
    monkeypatch.setattr(records, "route_reach", reach_checked)
    monkeypatch.setattr(tromboning, "scan_route", scan_checked)
    monkeypatch.setattr(tromboning, "as_path_kernel", path_checked)
    yield calls


def test_the_judging_kernels_match_their_references_on_every_recorded_traceroute(
    recorded: Path, tmp_path: Path, checked: Calls
) -> None:
    refdata = fixture_refdata(recorded, tmp_path / "refdata")
    everywhere = fixture_refdata(recorded, tmp_path / "everywhere", everywhere="GT")
    files = sorted((recorded / "atlas-traceroute").iterdir())
    assert files
    verdicts = 0
    for path in files:
        for folder in (refdata, everywhere):
            run = analyze_files([path], country="GT", refdata=folder, probes=recorded / PROBES)
            verdicts += len(run.result.paths) + len(run.result.other_paths)
    assert verdicts > 500
    for name in ("pick_infos", "route_reach", "scan_route", "as_path", "route_telling"):
        assert checked.answered.get(name, 0) > 100, (name, checked.answered)
    # The first route through an address abroad says it first: the reference does.
    assert checked.declined.get("route_telling", 0) > 0
    # Real data holds routes annotated before the addresses of some of their stops.
    assert checked.declined.get("pick_infos", 0) > 0


def test_the_judging_kernels_match_their_references_on_the_demo(
    tmp_path: Path, checked: Calls
) -> None:
    run = analysed_demo(tmp_path)
    verdicts = {p.verdict for p in run.result.paths}
    assert len(verdicts) >= 3  # the rules the demo exercises, not one of them
    for name in ("pick_infos", "route_reach", "scan_route", "as_path", "route_telling"):
        assert checked.answered.get(name, 0) > 100, (name, checked.answered)


# Generated inputs, including what each kernel declines.

_ints = st.one_of(st.integers(0, 5), st.just(2**70), st.just(-1))
_odd = st.sampled_from([None, "1", 1.0, True, (1,)])


@given(
    numbered=st.dictionaries(st.integers(0, 5), st.sampled_from([None, "a", "b"]), max_size=6),
    numbers=st.one_of(
        st.lists(st.one_of(_ints, _odd), max_size=6).map(tuple),
        st.lists(st.integers(0, 5), max_size=6),
    ),
)
def test_pick_infos_matches_its_reference_on_generated_input(
    numbered: dict[int, Any], numbers: Any
) -> None:
    got = _kernel("pick_infos")(numbered, numbers)
    try:
        expected = annotate._pick(numbered, numbers)
    except (KeyError, TypeError):
        assert got is None
        return
    if got is not None:
        _same(got, expected)
    else:  # declined: only what is not a tuple of exact ints
        assert not isinstance(numbers, tuple) or any(type(n) is not int for n in numbers)


_rtt = st.one_of(st.none(), st.floats(allow_nan=True), st.integers(0, 3))


@given(
    numbers=st.lists(st.one_of(st.integers(0, 4), st.just(2**70), _odd), max_size=7).map(tuple),
    number=st.one_of(st.integers(0, 4), st.just(2**70), st.just(True)),
    rtts=st.lists(_rtt, max_size=7).map(tuple),
)
def test_route_reach_matches_its_reference_on_generated_input(
    numbers: tuple[Any, ...], number: Any, rtts: tuple[Any, ...]
) -> None:
    got = _kernel("route_reach")(numbers, number, rtts)
    try:
        expected = records._reach_numbered(numbers, number, rtts)
    except (IndexError, TypeError):
        assert got is None
        return
    if got is not None:
        _same(got, expected)
        assert number and type(number) is int


@given(
    asns=st.lists(st.one_of(st.none(), st.integers(1, 4), st.just(2**70)), max_size=9),
    src=st.one_of(st.none(), st.integers(1, 4)),
    dst=st.one_of(st.none(), st.integers(1, 4), st.just("4")),
    reached=st.sampled_from([True, False, 1]),
)
def test_as_path_matches_its_reference_on_generated_input(
    asns: list[int | None], src: int | None, dst: Any, reached: Any
) -> None:
    # Equal ASNs as distinct int objects: which one the path keeps must not differ either.
    fresh = tuple(None if a is None else int(str(a)) for a in asns)
    got = _kernel("as_path")(fresh, src, dst, reached)
    expected = tromboning._as_path(fresh, src, dst, reached)
    if got is None:
        assert type(dst) is str or type(reached) is not bool
    else:
        _same(got, expected)
    assert _kernel("as_path")(list(fresh), src, None, True) is None  # not a tuple: declined


def _info(text: str) -> AddressInfo:
    return AddressInfo(ip_address(text), None, None, None, None, None, UNLOCATED)


_INFOS = [_info("192.0.2.1"), _info("192.0.2.2"), _info("2001:db8::1")]


def _facts(asn: int | None, quiet: bool) -> tromboning.AddressFacts:
    return tromboning.AddressFacts(asn, True, None, "", None, False, None, quiet)


@given(
    stops=st.lists(
        st.tuples(
            st.one_of(st.integers(1, 30), st.just(2**70), st.just(1.5)),
            st.sampled_from([None, ip_address("192.0.2.1")]),
            st.booleans(),
        ),
        max_size=8,
    ),
    picks=st.lists(st.one_of(st.none(), st.integers(0, 2)), max_size=8),
    known=st.lists(
        st.one_of(
            st.tuples(st.one_of(st.none(), st.integers(1, 9)), st.booleans()),
            st.just("odd"),
        ),
        min_size=3,
        max_size=3,
    ),
    missing=st.integers(-1, 2),
)
def test_scan_route_matches_its_reference_on_generated_input(
    stops: list[Any], picks: list[int | None], known: list[Any], missing: int
) -> None:
    n = min(len(stops), len(picks))
    stop_tuple, infos = tuple(stops[:n]), tuple(None if p is None else _INFOS[p] for p in picks[:n])
    memo = tromboning.JudgeMemo()
    by_serial = memo.facts_in("GT")
    for index, (info, what) in enumerate(zip(_INFOS, known, strict=True)):
        if index == missing:
            continue  # facts not worked out yet: the reference works them out
        by_serial[info.serial] = (
            _facts(*what) if what != "odd" else tuple(_facts(None, True))  # a plain tuple
        )
    got = _kernel("scan_route")(stop_tuple, infos, dict(by_serial), tromboning.AddressFacts)
    used = {info.serial for info in infos if info is not None}
    plain = any(type(by_serial.get(s)) is tuple for s in used)
    if (missing >= 0 and _INFOS[missing].serial in used) or plain:
        assert got is None
        return
    try:
        expected = tromboning._scan_route(stop_tuple, infos, memo, "GT")
    except TypeError:  # hop numbers that do not compare (1.5 with a huge int is fine)
        assert got is None
        return
    if got is None:
        assert any(type(stop[0]) is not int for stop in stop_tuple)
    else:
        _same(got, expected)
    assert (
        _kernel("scan_route")(list(stop_tuple), infos, by_serial, tromboning.AddressFacts) is None
    )


def test_the_positional_records_follow_their_fields() -> None:
    """The fields of the records `_Case.verdict`, `_case` and `_route_facts` make, in order."""
    assert PathVerdict.__struct_fields__ == (
        "trace", "scope", "verdict", "reason", "af", "dst_addr", "src_asn", "dst_asn",
        "src_country", "dst_country", "as_path", "foreign_countries", "foreign_cities", "ixps",
        "ixp_countries", "carried_by", "rtt_ms", "floor_rtt_ms", "extra_rtt_ms", "confidence",
        "evidence", "origin",
    )  # fmt: skip
    assert [f for f in tromboning._RouteFacts.__dataclass_fields__] == [
        "asns", "home_ixp_names", "via_home_ixp", "ixps", "ixp_countries", "foreign_countries",
        "foreign_cities", "carried_by", "foreign_confidence", "evidence", "last_number",
        "as_paths",
    ]  # fmt: skip
    assert [f for f in tromboning._Case.__dataclass_fields__] == [
        "at", "home", "ends", "check", "places", "settings", "memo", "crossings", "scope",
        "facts", "as_path", "reached", "rtt_ms", "origin_point", "floor_rtt_ms", "dst_text",
    ]  # fmt: skip


_abroad = st.one_of(
    st.none(),
    st.builds(
        tromboning.Abroad,
        country=st.sampled_from([None, "", "US", "MX"]),
        city_label=st.sampled_from([None, "Miami, US", "Dallas, US"]),
        kind=st.sampled_from(["location", "ixp_lan"]),
        fact=st.just("a fact"),
        confidence=st.one_of(st.sampled_from([0.5, 0.7, 0.7, 1.0]), st.just(1)),
        refuted=st.just(()),
    ),
    st.just(("US", None, "location", "a fact", 0.5, ())),  # a plain tuple: declined
)
_told_facts = st.builds(
    tromboning.AddressFacts,
    asn=st.sampled_from([None, 1, 2, 3]),
    judged=st.sampled_from([True, False, 1]),
    ixp_name=st.sampled_from([None, "IXP A", "IXP B"]),
    ixp_country=st.sampled_from(["", "GT", "US"]),
    home_ixp=st.sampled_from([None, "IXP A"]),
    placed_at_home_ixp=st.booleans(),
    abroad=_abroad,
    nothing_but_asn=st.just(False),
)


@given(
    items=st.lists(
        st.tuples(st.integers(0, 2), st.integers(1, 3), st.booleans(), _told_facts, st.booleans()),
        max_size=6,
    )
)
def test_route_telling_matches_its_reference_on_generated_input(
    items: list[tuple[int, int, bool, tromboning.AddressFacts, bool]],
) -> None:
    memo = tromboning.JudgeMemo()
    telling = []
    for pick, number, own, about, known in items:
        info = _INFOS[pick]
        # The stop's address: the annotation's own object, or an equal one (declined).
        address = info.address if own else ip_address(str(info.address))
        telling.append(((number, address, False), info, about))
        if known:
            memo.said[(info.serial, number, "GT")] = (
                Evidence("location", f"hop {number} said", number, info.text, "US"),
            )
    said = dict(memo.said)
    got = _kernel("route_telling")(
        tuple(telling), "GT", said, tromboning.AddressFacts, tromboning.Abroad
    )
    try:
        expected = tromboning._tell(tuple(telling), "GT", memo)
    except AttributeError:  # an `abroad` that is no Abroad
        assert got is None
        return
    if got is not None:
        _same(got, expected)
        assert memo.said == said  # nothing had to be said anew
    else:
        assert memo.said != said or any(
            type(about.judged) is not bool
            or (about.abroad is not None and type(about.abroad) is not tromboning.Abroad)
            or (about.abroad is not None and type(about.abroad.confidence) is not float)
            or (about.abroad is not None and stop[1] is not info.address)  # said anew
            for stop, info, about in telling
        )
    assert (
        _kernel("route_telling")(telling, "GT", said, tromboning.AddressFacts, tromboning.Abroad)
        is None
    )
