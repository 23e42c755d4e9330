"""`Calls`: what the kernel tests that wrap the analysis's kernel calls count (tests of
`_kernels_judge.c` and `_kernels_walk.c`)."""

from __future__ import annotations


class Calls:
    """Counts, per kernel, the calls it answered and declined (and, for the walk kernels, the
    answers that held discs)."""

    def __init__(self) -> None:
        self.answered: dict[str, int] = {}
        self.with_discs = 0
        self.declined: dict[str, int] = {}

    def count(self, name: str, answered: bool) -> None:
        into = self.answered if answered else self.declined
        into[name] = into.get(name, 0) + 1
