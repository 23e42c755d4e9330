"""The kernels of `src/ixpready/_kernels_walk.c` (`ixpready._kernels`) against their Python
references:

- `trusted_discs` <-> `enrichment.annotate._trusted_discs` (the discs `Annotator.discs`
  gives `locate` when an address is annotated the first time in a run);
- `disc_bounds` <-> `enrichment.annotate._disc_bounds` (what each of those discs rules out
  and says in `locate`, no ping among them).

Every call the analysis makes to a kernel is checked against its reference while analysing
every recorded traceroute fixture (against the reference data of the golden tests) and the
demo; generated inputs cover the cases a kernel declines. Whatever a kernel returns must
equal what its reference returns, type by type, holding the same objects.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.analysis.golden_runs import PROBES, fixture_refdata
from tests.kernel_calls import Calls, analysed_demo

import ixpready.kernels as kernels
from ixpready.enrichment import annotate
from ixpready.enrichment.annotate import NearTable, Vantage, _Near
from ixpready.enrichment.geo import KM_PER_MS_ROUND_TRIP, gazetteer
from ixpready.measurements.records import Probe
from ixpready.pipeline.analyze import analyze_files


def _kernel(name: str) -> Callable[..., Any]:
    assert kernels.COMPILED, f"the compiled kernels are not in use: {kernels.STATUS}"
    found = getattr(kernels, name)
    assert found is not None
    return found  # type: ignore[no-any-return]


def _same_bounds(got: Any, expected: tuple[list[str], list[tuple[int, float, int]]]) -> None:
    """The same codes (the very str objects, in order) and the same bounds, type by type."""
    assert type(got) is tuple and len(got) == 2, got
    codes, said = got
    assert type(codes) is list and len(codes) == len(expected[0]), (got, expected)
    assert all(a is b for a, b in zip(codes, expected[0], strict=True)), (got, expected)
    assert type(said) is list and said == expected[1], (got, expected)
    for entry in said:
        assert [type(v) for v in entry] == [int, float, int] and type(entry) is tuple, entry


def _same_discs(got: Any, expected: tuple[tuple[Any, Any], ...]) -> None:
    """The same pairs in the same order, holding the very vantage and RTT objects."""
    assert type(got) is tuple and len(got) == len(expected), (got, expected)
    for pair, want in zip(got, expected, strict=True):
        assert type(pair) is tuple and len(pair) == 2, pair
        assert pair[0] is want[0] and pair[1] is want[1], (pair, want)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    """Replaces each kernel where the analysis calls it by one that also runs the reference
    on the same input and compares."""
    calls = Calls()
    discs = _kernel("trusted_discs")

    def discs_checked(observed: Any, vantages: Any) -> Any:
        got = discs(observed, vantages)
        calls.count("trusted_discs", got is not None)
        if got is not None:
            expected = annotate._trusted_discs(observed, vantages)
            _same_discs(got, expected)
            calls.with_discs += bool(expected)
        return got

    bounds = _kernel("disc_bounds")

    def bounds_checked(
        discs: Any, near: Any, interesting: Any, km_per_ms: float, vantage_type: type
    ) -> Any:
        got = bounds(discs, near, interesting, km_per_ms, vantage_type)
        assert vantage_type is Vantage
        calls.count("disc_bounds", got is not None)
        if got is not None:
            assert km_per_ms == KM_PER_MS_ROUND_TRIP
            before = {serial: dict(facts.margins) for serial, facts in near.items()}
            _same_bounds(got, annotate._disc_bounds(discs, near, interesting, gazetteer()))
            # it answered only with what was worked out: the reference worked out nothing
            assert {serial: dict(facts.margins) for serial, facts in near.items()} == before
        return got

    monkeypatch.setattr(annotate, "trusted_discs", discs_checked)
    monkeypatch.setattr(annotate, "disc_bounds", bounds_checked)
    yield calls


def test_the_walk_kernels_match_their_references_on_every_recorded_traceroute(
    recorded: Path, tmp_path: Path, checked: Calls
) -> None:
    refdata = fixture_refdata(recorded, tmp_path / "refdata")
    files = sorted((recorded / "atlas-traceroute").iterdir())
    assert files
    verdicts = 0
    for path in files:
        run = analyze_files([path], country="GT", refdata=refdata, probes=recorded / PROBES)
        verdicts += len(run.result.paths) + len(run.result.other_paths)
    assert verdicts > 250
    assert checked.answered.get("trusted_discs", 0) > 100, checked.answered
    assert checked.with_discs > 50  # addresses some trusted probe measured, not only none
    assert not checked.declined.get("trusted_discs")  # the annotator's mappings are dicts
    assert checked.answered.get("disc_bounds", 0) > 100, checked.answered
    # a vantage's first disc, or a country it was not compared with yet: the reference
    assert checked.declined.get("disc_bounds", 0) > 0


def test_the_walk_kernels_match_their_references_on_the_demo(
    tmp_path: Path, checked: Calls
) -> None:
    analysed_demo(tmp_path)
    assert checked.answered.get("trusted_discs", 0) > 100, checked.answered
    assert checked.with_discs > 100
    assert checked.answered.get("disc_bounds", 0) > 100, checked.answered


# Generated inputs, including what the kernel declines.


def _vantage(kind: int) -> Vantage | None:
    """0: none; 1: trusted with coordinates; 2: not trusted; 3: no coordinates; 4: trusted
    by a truthy int (read as Python reads it)."""
    if kind == 0:
        return None
    probe = Probe(100 + kind, country="GT")
    if kind == 3:
        return Vantage(probe, None, None, 0.0)
    trusted: Any = {1: True, 2: False, 4: 1}[kind]
    return Vantage(probe, 14.6, -90.5, 1.0, trusted)


_PROBES = st.integers(0, 6)


@given(
    observed=st.one_of(
        st.none(), st.dictionaries(_PROBES, st.floats(0.1, 300.0), max_size=6)
    ),
    kinds=st.dictionaries(_PROBES, st.integers(0, 4), max_size=7),
    wrap=st.sampled_from(["dict", "ordered", "proxy", "proxy_observed"]),
)
def test_trusted_discs_matches_its_reference_on_generated_input(
    observed: dict[int, float] | None, kinds: dict[int, int], wrap: str
) -> None:
    vantages: Any = {prb: _vantage(kind) for prb, kind in kinds.items()}
    given_observed: Any = observed
    if wrap == "ordered":
        vantages = OrderedDict(vantages)
    elif wrap == "proxy":
        vantages = MappingProxyType(vantages)
    elif wrap == "proxy_observed" and observed is not None:
        given_observed = MappingProxyType(observed)
    got = _kernel("trusted_discs")(given_observed, vantages)
    expected = annotate._trusted_discs(given_observed, vantages)
    if got is None:  # declined: only a mapping other than a dict
        assert type(vantages) is not dict or type(given_observed) not in (dict, type(None))
        return
    assert type(vantages) is dict
    _same_discs(got, expected)
    kept = {prb for prb, kind in kinds.items() if kind in (1, 4)}
    assert [v.probe.id for v, _rtt in got] == [
        100 + kinds[prb] for prb in (observed or {}) if prb in kept
    ]


def test_trusted_discs_reads_a_vantage_as_python_does() -> None:
    """An attribute that fails fails the kernel alike; a vantage read `trusted` first."""

    class Broken:
        @property
        def trusted(self) -> bool:
            raise ValueError("no trust")

        latitude = 1.0

    with pytest.raises(ValueError, match="no trust"):
        _kernel("trusted_discs")({1: 2.0}, {1: Broken()})
    with pytest.raises(ValueError, match="no trust"):
        annotate._trusted_discs({1: 2.0}, {1: Broken()})  # type: ignore[dict-item]

    class Untrusted:
        trusted = False

        @property
        def latitude(self) -> float:
            raise AssertionError("read after an untrusted vantage")

    assert _kernel("trusted_discs")({1: 2.0}, {1: Untrusted()}) == ()
    assert _kernel("trusted_discs")({}, {}) == () == annotate._trusted_discs({}, {})


_CODES = ["GT", "SV", "MX", "US"]


@given(
    disc_specs=st.lists(
        st.tuples(
            st.sampled_from(["GT", "SV", None, "no_point"]),  # the probe's country; no point
            st.one_of(st.floats(-1.0, 60.0), st.just(0.0), st.integers(0, 3)),  # the RTT
            st.floats(0.0, 50.0),  # uncertainty (km)
            st.booleans(),  # its _Near worked out
        ),
        max_size=5,
    ),
    margins=st.dictionaries(
        st.sampled_from(_CODES), st.one_of(st.none(), st.floats(-500.0, 3000.0)), max_size=4
    ),
    interesting=st.sets(st.sampled_from(_CODES), min_size=1, max_size=4),
    nearest=st.tuples(st.floats(0.0, 2000.0), st.floats(0.0, 4000.0)),
    frozen=st.booleans(),
)
def test_disc_bounds_matches_its_reference_on_generated_input(
    disc_specs: list[tuple[str | None, Any, float, bool]],
    margins: dict[str, float | None],
    interesting: set[str],
    nearest: tuple[float, float],
    frozen: bool,
) -> None:
    near: NearTable = {}
    discs = []
    for country, rtt, uncertainty, known in disc_specs:
        probe = Probe(7, country=None if country == "no_point" else country)
        point: tuple[float | None, float | None] = (
            (None, None) if country == "no_point" else (14.6, -90.5)
        )
        vantage = Vantage(probe, point[0], point[1], uncertainty)
        if known and vantage.latitude is not None:
            near[_key(vantage)] = _Near(*nearest, dict(margins))
        discs.append((vantage, rtt))
    codes: Any = frozenset(interesting) if frozen else interesting
    got = _kernel("disc_bounds")(tuple(discs), near, codes, KM_PER_MS_ROUND_TRIP, Vantage)
    if got is not None:
        _same_bounds(got, annotate._disc_bounds(tuple(discs), near, codes, gazetteer()))
        return
    # Declined: some disc with a point and a country has an RTT not a float, or what it is
    # compared with was not worked out yet.
    placed = [(v, rtt) for v, rtt in discs if v.latitude is not None and v.country is not None]
    assert any(
        type(rtt) is not float or _key(v) not in near or not interesting <= margins.keys()
        for v, rtt in placed
    ) or any(type(rtt) is not float for _v, rtt in discs)


def _key(vantage: Vantage) -> tuple[float, float, str]:
    """The vantage's key in a `NearTable` (as `annotate._near` makes it)."""
    assert vantage.latitude is not None and vantage.longitude is not None
    return (vantage.latitude, vantage.longitude, vantage.country or "")


def test_disc_bounds_declines_what_it_does_not_take() -> None:
    probe = Probe(7, country="GT")
    vantage = Vantage(probe, 14.6, -90.5, 1.0)
    near = {_key(vantage): _Near(500.0, 900.0, {"GT": -50.0})}
    disc_bounds = _kernel("disc_bounds")
    assert disc_bounds(((vantage, 2.0),), near, {"GT"}, KM_PER_MS_ROUND_TRIP, Vantage) == (
        [], [(0, 2.0 * KM_PER_MS_ROUND_TRIP + 1.0, 1)]
    )
    assert disc_bounds([(vantage, 2.0)], near, {"GT"}, KM_PER_MS_ROUND_TRIP, Vantage) is None  # a list
    assert disc_bounds(((vantage, 2.0),), near, ["GT"], KM_PER_MS_ROUND_TRIP, Vantage) is None
    assert disc_bounds(((vantage, 2.0),), near, {"SV"}, KM_PER_MS_ROUND_TRIP, Vantage) is None  # unasked
    assert disc_bounds(((vantage, 2.0),), {}, {"GT"}, KM_PER_MS_ROUND_TRIP, Vantage) is None  # no _Near
    assert disc_bounds(((vantage, 2),), near, {"GT"}, KM_PER_MS_ROUND_TRIP, Vantage) is None  # an int

    class Elsewhere(Vantage):  # another `country`: not read from the probe, declined
        @property
        def country(self) -> str | None:
            return None

    other = Elsewhere(probe, 14.6, -90.5, 1.0)
    near[(14.6, -90.5, "")] = near[_key(vantage)]
    assert disc_bounds(((other, 2.0),), near, {"GT"}, KM_PER_MS_ROUND_TRIP, Vantage) is None
    assert annotate._disc_bounds(((other, 2.0),), near, {"GT"}, gazetteer()) == ([], [])
