"""Imports point down the pipeline, never back (STYLE.md section 2)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ixpready"

ALLOWED = {
    "measurements": set(),
    "sources": {"measurements"},
    "enrichment": {"measurements"},
    "analysis": {"measurements", "enrichment"},
    "model": {"measurements", "enrichment", "analysis"},
    "report": {"measurements", "enrichment", "analysis", "model"},
    "pipeline": {"sources", "measurements", "enrichment", "analysis", "model", "report"},
    "cli": {"pipeline"},
    "__init__": {"pipeline", "measurements", "enrichment", "analysis", "model", "report"},
    "__main__": {"cli"},
}
EVERYWHERE = {"errors", "config"}


def _stage(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "ixpready" and len(parts) > 1:
                found.add(parts[1])
            elif parts[0] == "ixpready":
                found.add("__init__")
    return found


def test_every_module_imports_only_what_its_stage_may() -> None:
    offenders: list[str] = []
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 10
    for module in modules:
        stage = _stage(module)
        if stage in EVERYWHERE:
            allowed = {"errors"}
        else:
            assert stage in ALLOWED, f"{module} is in no known stage: add it to ALLOWED"
            allowed = ALLOWED[stage] | EVERYWHERE | {stage}
        for imported in _imports(module) - allowed - {"__init__"} if stage != "__main__" else set():
            offenders.append(f"{module.relative_to(PACKAGE)} imports ixpready.{imported}")
    assert offenders == []


def test_config_imports_only_errors() -> None:
    config = PACKAGE / "config.py"
    if config.exists():
        assert _imports(config) <= {"errors"}


def test_the_package_never_imports_scapy() -> None:
    # scapy (GPL-2.0-only) lives in the separate probe program, never in this process.
    for module in PACKAGE.rglob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "scapy" for a in node.names), module
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] != "scapy", module
