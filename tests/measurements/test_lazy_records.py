"""Hops and traces a reader leaves to be made on first use (`Hop.compact`, `Trace.lazy`).

They are declared in the classes themselves: no class is altered when a module is imported
(issue 14), and a lazy record reads, compares, copies and pickles as the eager one does.
"""

from __future__ import annotations

import ast
import pickle
from dataclasses import replace
from ipaddress import ip_address
from pathlib import Path

import pytest

import ixpready.measurements.records as records
from ixpready.measurements.parse import parse_bytes
from ixpready.measurements.records import Hop, Reply, Trace

GT_HN_SV = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"


def test_no_module_of_the_package_patches_a_class() -> None:
    package = Path(records.__file__).resolve().parents[1]
    patched = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "__setattr__"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "type"
            ):
                patched.append(f"{path.relative_to(package)}:{node.lineno}")
    assert patched == []
    # The fields are the plain slots the dataclasses made.
    assert type(Hop.__dict__["replies"]).__name__ == "member_descriptor"
    assert type(Trace.__dict__["hops"]).__name__ == "member_descriptor"


def _hot_modules() -> list[Path]:
    """Returns the modules of the analysis hot path: reading, enriching, judging, the analyze
    job and its streaming segments, and the reference tables they read places from."""
    package = Path(records.__file__).resolve().parents[1]
    return sorted([
        *(package / "measurements").glob("*.py"), *(package / "enrichment").glob("*.py"),
        *(package / "analysis").glob("*.py"), package / "pipeline" / "analyze.py",
        package / "pipeline" / "streaming.py", package / "refdata" / "gazetteer.py",
        package / "refdata" / "dictionaries.py",
    ])  # fmt: skip


def test_the_analysis_keeps_nothing_by_id_and_no_module_level_table() -> None:
    """Issue 14: what is worked out per address or route is kept in a run's own objects
    (`AddressTable`, `Annotator`, `JudgeMemo`) under numbers, never under `id()` (reused
    once an object is freed) nor in a dict or cache that outlives the run at module level."""
    found = []
    for path in _hot_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "id":
                found.append(f"{path.name}:{node.lineno} id()")
        for node in tree.body:  # module-level assignments of an empty dict: a table
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Dict) and not value.keys:
                found.append(f"{path.name}:{node.lineno} module-level dict")
    assert found == []


# The memoizing decorators of functools: a cache of theirs on a function or a method lives
# as long as the process (a method's keeps every instance alive too).
MEMOIZERS = frozenset({"cache", "lru_cache", "cached_property"})
# Reference tables built once per process on first use, immutable and shared by every run:
# reference data, not memos of the analysis (by module file name and function name).
REFERENCE_LOADERS = {
    ("gazetteer.py", "gazetteer"): "the packaged cities and countries (`refdata/data/*.csv`)",
    ("dictionaries.py", "dictionaries"): "the router-name reader's dictionaries (GeoNames, ...)",
}


def _process_caches(path: Path) -> list[str]:
    """Returns each function or method of a module memoized by functools (any spelling:
    `@cache`, `@functools.lru_cache(...)`, an alias, `cached_property`, or a call wrapping
    a function), but the REFERENCE_LOADERS, as "file:line name"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names, modules = set(MEMOIZERS), {"functools"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "functools":
            names |= {a.asname or a.name for a in node.names if a.name in MEMOIZERS}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "functools"}

    def memoizer(expr: ast.expr) -> bool:
        if isinstance(expr, ast.Call):  # @lru_cache(maxsize=...)
            expr = expr.func
        if isinstance(expr, ast.Name):
            return expr.id in names
        return (
            isinstance(expr, ast.Attribute)
            and expr.attr in MEMOIZERS
            and isinstance(expr.value, ast.Name)
            and expr.value.id in modules
        )

    found, decorators = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                decorators.add((decorator.lineno, decorator.col_offset))
                allowed = (path.name, node.name) in REFERENCE_LOADERS
                if memoizer(decorator) and not (allowed and node in tree.body):
                    found.append(f"{path.name}:{decorator.lineno} {node.name}")
    for node in ast.walk(tree):  # f = lru_cache(maxsize=None)(g), f = cache(g)
        if (
            isinstance(node, ast.Call)
            and (node.lineno, node.col_offset) not in decorators
            and memoizer(node.func)  # the func of `lru_cache(...)(g)` is a call: see memoizer
        ):
            found.append(f"{path.name}:{node.lineno} call")
    return sorted(set(found))


def test_the_analysis_memoizes_nothing_for_the_whole_process() -> None:
    """Issue 14: no functools cache on the hot path outlives a run (what a run works out is
    kept in its own objects: `Annotator`, `JudgeMemo`), but the reference-table loaders."""
    found = [line for path in _hot_modules() for line in _process_caches(path)]
    assert found == []
    for module, name in REFERENCE_LOADERS:  # each allowed loader is scanned and still there
        path = next(p for p in _hot_modules() if p.name == module)
        assert f"@cache\ndef {name}() ->" in path.read_text(encoding="utf-8")


def test_the_cache_rule_sees_every_spelling(tmp_path: Path) -> None:
    # Otherwise the test above could never fail: each spelling is caught, a loader of the
    # allowlist only as the module-level function of its own module.
    module = tmp_path / "gazetteer.py"
    module.write_text(
        "import functools\n"
        "import functools as ft\n"
        "from functools import cache, cached_property, partial, lru_cache as memo\n"
        "@cache\ndef a(x): ...\n"  # 4
        "@functools.lru_cache(maxsize=128)\ndef b(x): ...\n"  # 6
        "@memo(maxsize=None)\ndef c(x): ...\n"  # 8
        "class K:\n"
        "    @ft.cache\n    def d(self): ...\n"  # 11
        "    @cached_property\n    def e(self): ...\n"  # 13
        "    @cache\n    def gazetteer(self): ...\n"  # 15: a method, not the loader
        "f = functools.lru_cache(None)(a)\n"  # 17
        "g = partial(a, 1)\n"
        "@cache\ndef gazetteer(): ...\n"  # the allowlisted loader
    )
    assert set(_process_caches(module)) == {
        "gazetteer.py:4 a", "gazetteer.py:6 b", "gazetteer.py:8 c", "gazetteer.py:11 d",
        "gazetteer.py:13 e", "gazetteer.py:15 gazetteer", "gazetteer.py:17 call",
    }  # fmt: skip
    module.write_text("from functools import partial\n@partial\ndef a(x): ...\n")
    assert _process_caches(module) == []


def test_a_compact_hop_is_the_hop_its_replies_make() -> None:
    a, b = ip_address("186.151.0.1"), ip_address("4.68.0.5")
    packets = ((a, 2.5, 254, 68), Reply(b, None, 250, 68, late=1), (None, None, None, None))
    compact = Hop.compact(3, packets)
    assert compact.address_rtts() == ((a, 2.5), (b, None))  # read from the packets
    eager = Hop(3, (Reply(a, 2.5, 254, 68), Reply(b, None, 250, 68, late=1), Reply(None)))
    assert compact.replies == eager.replies
    assert compact == eager and hash(compact) == hash(eager)
    assert replace(compact, number=4).replies == eager.replies
    assert pickle.loads(pickle.dumps(Hop.compact(3, packets))) == eager


def test_a_lazily_read_trace_makes_its_hops_once_and_compares_as_read(recorded: Path) -> None:
    data = (recorded / GT_HN_SV).read_bytes()
    lazy = [o for o in parse_bytes(data, "gt.jsonl") if isinstance(o, Trace)]
    assert any(t._hop_source is not None for t in lazy)  # the reader left hops to be made
    trace = next(t for t in lazy if t._hop_source is not None)
    hops = trace.hops
    assert hops and trace.hops is hops and trace._hop_source is None
    again = [o for o in parse_bytes(data, "gt.jsonl") if isinstance(o, Trace)]
    assert again == lazy
    assert pickle.loads(pickle.dumps(again[0])) == lazy[0]


def test_an_unknown_attribute_is_still_an_attribute_error() -> None:
    hop = Hop.compact(1, ())
    with pytest.raises(AttributeError, match="repiles"):
        hop.repiles  # type: ignore[attr-defined]  # noqa: B018
    assert hop.replies == ()
