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


def test_the_analysis_keeps_nothing_by_id_and_no_module_level_table() -> None:
    """Issue 14: what is worked out per address or route is kept in a run's own objects
    (`AddressTable`, `Annotator`, `JudgeMemo`) under numbers, never under `id()` (reused
    once an object is freed) nor in a dict or cache that outlives the run at module level."""
    package = Path(records.__file__).resolve().parents[1]
    hot = [
        *(package / "measurements").glob("*.py"), *(package / "enrichment").glob("*.py"),
        *(package / "analysis").glob("*.py"), package / "pipeline" / "analyze.py",
        package / "pipeline" / "streaming.py",
    ]  # fmt: skip
    found = []
    for path in sorted(hot):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "id":
                found.append(f"{path.name}:{node.lineno} id()")
        for node in tree.body:  # module-level assignments of an empty dict: a table
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Dict) and not value.keys:
                found.append(f"{path.name}:{node.lineno} module-level dict")
    assert found == []


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
