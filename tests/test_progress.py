"""One `Progress` type (ixpready.progress), taken by every long job, never defined again."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from ixpready.progress import Progress

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ixpready"
JOBS = ("analyze", "atlas", "locate", "refdata", "upload")


def _progress_aliases(path: Path) -> list[str]:
    """Returns `name = Callable[[int, int], None]` definitions in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if value is not None and ast.unparse(value) == "Callable[[int, int], None]":
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_progress_is_defined_once() -> None:
    found = [where for module in sorted(PACKAGE.rglob("*.py")) for where in _progress_aliases(module)]
    assert found == ["progress.py:12"]


def test_the_jobs_take_the_one_progress() -> None:
    for name in JOBS:
        module = importlib.import_module(f"ixpready.pipeline.{name}")
        assert module.Progress is Progress, name


def test_reading_reports_each_file_done(tmp_path: Path) -> None:
    from ixpready.pipeline.analyze import read_traces

    paths = []
    for number in range(3):
        path = tmp_path / f"empty-{number}.jsonl"
        path.write_text("")
        paths.append(path)
    seen: list[tuple[int, int]] = []
    read_traces(paths, lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
