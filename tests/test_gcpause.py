"""One `collector_paused` (ixpready.gcpause): a context manager and a decorator that pause the
cyclic garbage collector and restore it as it was, whatever happens inside."""

from __future__ import annotations

import ast
import gc
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
