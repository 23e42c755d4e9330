"""`Progress`: how long work reports how far it got, as `on_progress(done, total)`.

The one definition every job takes (`pipeline.analyze`, `pipeline.atlas`, ...); only the CLI
draws it as a bar (`cli/progress.py`). Like `errors`, importable from every layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

Progress: TypeAlias = Callable[[int, int], None]
"""Called with the units done so far and the total (both counts, e.g. results read)."""
