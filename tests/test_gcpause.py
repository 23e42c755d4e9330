"""One `collector_paused` (ixpready.gcpause): a context manager and a decorator that pause the
cyclic garbage collector and restore it as it was, whatever happens inside."""

from __future__ import annotations

import ast
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from ixpready.gcpause import collector_paused

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ixpready"


@pytest.fixture(autouse=True)
def _collector_enabled() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_context_manager_pauses_and_restores() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_decorator_pauses_each_call_and_restores() -> None:
    seen: list[bool] = []

    @collector_paused()
    def work(n: int) -> int:
        seen.append(gc.isenabled())
        return n * 2

    assert work(2) == 4
    assert gc.isenabled()
    assert work(3) == 6  # the decorator is reusable: each call pauses afresh
    assert seen == [False, False]
    assert gc.isenabled()


def test_an_escaping_exception_still_restores() -> None:
    @collector_paused()
    def fails() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        fails()
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_nested_and_recursive_uses_restore_only_at_the_outermost() -> None:
    @collector_paused()
    def depth(n: int) -> int:
        assert not gc.isenabled()
        return 0 if n == 0 else 1 + depth(n - 1)

    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner use found it paused and leaves it paused
        assert depth(3) == 3
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_no_other_module_pauses_the_collector() -> None:
    users = []
    for module in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(), filename=str(module))):
            if isinstance(node, ast.Attribute) and ast.unparse(node) == "gc.disable":
                users.append(str(module.relative_to(PACKAGE)))
    assert users == ["gcpause.py"]


class _Node:
    """An object the collector tracks, able to form a cycle."""

    def __init__(self) -> None:
        self.other: object = None


def test_what_the_pause_made_goes_to_the_oldest_generation_and_cycles_are_still_collected() -> None:
    gc.collect()
    with collector_paused():
        kept = [_Node() for _ in range(1000)]  # alive after the pause
        cycle = _Node()
        cycle.other = cycle  # garbage with a cycle: reference counting cannot free it
        gone = weakref.ref(cycle)
        del cycle
        assert gc.get_count()[0] > 700  # the pause still counts allocations
    young = {id(obj) for obj in gc.get_objects(generation=0)}
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert not any(id(node) in young for node in kept)  # no young collection has to walk them
    assert all(id(node) in oldest for node in kept)
    assert gc.get_count()[0] < 100  # the young generation starts afresh
    assert gone() is not None  # not collected yet: no collection ran ...
    gc.collect()
    assert gone() is None  # ... and a full one finds it
    assert gc.get_freeze_count() == 0  # nothing is left frozen
