"""The compiled twins of a few hot loops, and whether this process uses them.

`ixpready._kernels` is built from the `_kernels*.c` and `_kernels.h` sources by the install (`pip install -e .`, which
`scripts/install.sh` runs; setup.py). Each of its functions is the twin of a Python function
that stays the reference and does the whole job whenever the kernel returns None (an input
that is not the common case it was written for), so results never depend on whether the
module is there: tests/test_kernels.py compares both on every recorded fixture and the demo.

The module is left unused, and the Python references run (slower, same results), when:
- it was not built (no C compiler at install time; `ixpready doctor` says so);
- it was built from other versions of the `_kernels*.c` and `_kernels.h` sources than those beside it (edited
  since the install: `bash scripts/install.sh` builds it again);
- `IXPREADY_PURE_PYTHON` is set to a non-empty value (to compare, or to rule the module out).
Like `errors`, importable from every layer.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

PURE_PYTHON_ENV = "IXPREADY_PURE_PYTHON"

ScanHops = Callable[
    [list[Any], object],
    tuple[tuple[int, ...], tuple[str, ...], tuple[float | None, ...], tuple[bool | None, ...]]
    | None,
]
PickInfos = Callable[[dict[Any, Any], tuple[int, ...]], tuple[Any, ...] | None]
RouteReach = Callable[
    [tuple[int, ...], int, tuple[float | None, ...]], tuple[bool, float | None] | None
]
ScanRoute = Callable[
    [tuple[Any, ...], tuple[Any, ...], dict[int, Any], type],
    tuple[int | None, tuple[int | None, ...], tuple[tuple[Any, Any, Any], ...]] | None,
]
RouteTelling = Callable[[tuple[Any, ...], str, dict[Any, Any], type, type], tuple[Any, ...] | None]
AsPath = Callable[[tuple[int | None, ...], int | None, int | None, bool], tuple[int, ...] | None]


def source_digest(sources: list[Path]) -> str:
    """Returns the digest the build compiles into the module (setup.py computes the same):
    SHA-256 over each source's name and bytes, in name order."""
    digest = hashlib.sha256()
    for source in sorted(sources, key=lambda path: path.name):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def _load(folder: Path) -> tuple[ModuleType | None, str]:
    """Returns the compiled module (None when it is not to be used) and a sentence on why;
    `folder` is where its C sources (`_kernels*.c`, `_kernels.h`) lie in a source checkout (a wheel has
    none)."""
    if os.environ.get(PURE_PYTHON_ENV):
        return None, f"not used: {PURE_PYTHON_ENV} is set (the Python references run)"
    try:
        import ixpready._kernels as _kernels
    except ImportError as error:
        return None, (
            f"not built ({error}); the Python references run, slower. Install a C compiler "
            f"and the Python headers, then run `bash scripts/install.sh` again"
        )
    sources = sorted([*folder.glob("_kernels*.c"), *folder.glob("_kernels*.h")])
    if sources and source_digest(sources) != _kernels.SOURCE_SHA256:  # a source checkout
        return None, (
            "not used: built from other versions of the _kernels*.c sources than those "
            "beside it; the Python references run. Run `bash scripts/install.sh` again"
        )
    return _kernels, f"compiled ({Path(_kernels.__file__).name})"


_MODULE, STATUS = _load(Path(__file__).parent)
COMPILED = _MODULE is not None
# scan_hops(entries, unset): the reply loop of `measurements.parse._route` (see _kernels.c).
scan_hops: ScanHops | None = None if _MODULE is None else _MODULE.scan_hops
# pick_infos(numbered, numbers): the per-stop lookup of `enrichment.annotate.Annotator.annotate`.
pick_infos: PickInfos | None = None if _MODULE is None else _MODULE.pick_infos
# route_reach(numbers, number, rtts): `measurements.records.Route.reach` by address number.
route_reach: RouteReach | None = None if _MODULE is None else _MODULE.route_reach
# scan_route(stops, infos, by_serial, facts_type): `analysis.tromboning._scan_route`.
scan_route: ScanRoute | None = None if _MODULE is None else _MODULE.scan_route
# as_path(asns, src_asn, dst_asn, reached): `analysis.tromboning._as_path`.
as_path: AsPath | None = None if _MODULE is None else _MODULE.as_path
# route_telling(telling, home, said, facts_type, abroad_type): `analysis.tromboning._tell`.
route_telling: RouteTelling | None = None if _MODULE is None else _MODULE.route_telling
