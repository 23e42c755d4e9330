"""Progress bars: drawn only by the CLI, only on a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


@contextmanager
def progress(label: str, *, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """Yields `advance(done, total)`; draws a bar on stderr when `enabled`."""
    if not enabled:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
