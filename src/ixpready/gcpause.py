"""`collector_paused`: runs bulk work with Python's cyclic garbage collector paused.

Reading, judging and modelling build hundreds of thousands of small records (a Reply per
packet, a node per network) that form no reference cycles and live until the work is
written: reference counting frees them all the same, while the collector, run every few
hundred allocations, would walk the ever larger heap again and again for nothing (half the
CPU time of a 12,805-result analysis). Like `errors`, importable from every layer.

When the pause ends, what it left alive goes straight to the collector's oldest generation
(`gc.freeze()` then `gc.unfreeze()`: two list splices) instead of being walked at once by
the first young collection (0.1-0.2 s after a 25,000-result analysis, for nothing: the
records are acyclic and freed by reference counting). Cyclic garbage made during the pause is
still found, by the next full collection. No other part of ixpready freezes the collector.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pauses the cyclic garbage collector, then restores it as it was, also when an exception
    escapes. A context manager (`with collector_paused():`) and a decorator
    (`@collector_paused()`); each use is fresh, so nested and recursive uses restore correctly:
    only the outermost one, which found the collector enabled, enables it again, with what
    the pause made (and everything older) in the oldest generation."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # every generation into the permanent one (and the young count to 0)
            gc.unfreeze()  # ... and from there into the oldest
            gc.enable()
