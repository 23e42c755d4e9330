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
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from types import ModuleType
from typing import Any

PURE_PYTHON_ENV = "IXPREADY_PURE_PYTHON"

# The fields of `measurements.parse._Fields` (16), and with an AddressTable's numbers given,
# a 17th: the numbers the table holds for the record's addresses (None if some are new).
ReadLine = Callable[..., tuple[Any, ...] | None]
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
TrustedDiscs = Callable[
    [Mapping[Any, Any] | None, Mapping[Any, Any]], tuple[tuple[Any, Any], ...] | None
]
DiscBounds = Callable[
    [tuple[Any, ...], dict[tuple[float, float, str], Any], AbstractSet[str], float, type],
    tuple[list[str], list[tuple[int, float, int]]] | None,
]
AsPath = Callable[[tuple[int | None, ...], int | None, int | None, bool], tuple[int, ...] | None]

# The gathering pass's kernels (see _kernels_gather.c; their references are named below).
# (`type` is `Trace`'s: of a trace of that very type, the route, its stop RTTs and the address
# keys are read where its methods keep them once made.)
ObserveNumbered = Callable[
    [Sequence[Any], Sequence[list[int]], type], dict[Any, dict[int, float]] | None
]
AccessBest = Callable[
    [Sequence[Any], Sequence[list[int]], dict[object, bool], type],
    dict[tuple[int, int], float] | None,
]
AlikeKeyed = Callable[[Sequence[Any], type], dict[tuple[object, ...], list[int]] | None]
ProbeTallies = Callable[
    [
        list[tuple[Mapping[int, float], tuple[tuple[float, float], ...]]],
        dict[int, tuple[float, float, float, float]],
        float,
        float,
        float,
    ],
    tuple[dict[int, int], list[tuple[int, int, int, float, float]]] | None,
]
MutualConflicts = Callable[
    [Mapping[Any, Mapping[int, float]], dict[int, tuple[float, float, float]], int, float, float],
    list[tuple[Any, int, float, int, float, float]] | None,
]


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


def _compiled(name: str) -> Any:
    """Returns the compiled module's function `name`, None when the module is not used."""
    return None if _MODULE is None else getattr(_MODULE, name)


# scan_hops(entries, unset): the reply loop of `measurements.parse._route` (see _kernels.c).
scan_hops: ScanHops | None = _compiled("scan_hops")
# set_fields(obj, names, values): `measurements.records.set_fields` (see _kernels.c).
set_fields: Callable[[Any, tuple[str, ...], tuple[Any, ...]], Any] | None = _compiled("set_fields")
# read_line(data[, start, end]): a traceroute's JSON line (data[start:end], not copied) read
# as `measurements.parse._fast_line` reads it through msgspec (`_FAST_LINE`) and
# `_fast_trace` (see _kernels_read.c).
read_line: ReadLine | None = _compiled("read_line")
# distance_km(lat1, lon1, lat2, lon2): `refdata.gazetteer.haversine_km` (see _kernels_geo.c).
distance_km: Callable[[float, float, float, float], float] | None = _compiled("distance_km")
# refuting_disc(discs, latitude, longitude, slack_km, km_per_ms):
# `enrichment.annotate.first_refuting_disc`.
refuting_disc: Callable[..., int | None] | None = _compiled("refuting_disc")
# nearest_detour(s, a, b, crossings, uncertainty): `analysis.detours.nearest_detour`.
nearest_detour: Callable[..., tuple[float, Any] | None] | None = _compiled("nearest_detour")
# The gathering pass (_kernels_gather.c); each returns None to leave the job to its reference.
# observe_numbered(traces, ordered groups, Trace): the loops of `enrichment.annotate.observe`.
observe_numbered: ObserveNumbered | None = _compiled("observe_numbered")
# access_best(traces, groups, private, Trace): the group loop of `analysis.tromboning.access_delay_ms`.
access_best: AccessBest | None = _compiled("access_best")
# alike_keyed(traces, Trace): `analysis.core.alike_keyed`.
alike_keyed: AlikeKeyed | None = _compiled("alike_keyed")
# probe_tallies(entries, probes, ...): the reply loop of `analysis.probecheck.check_probes`.
probe_tallies: ProbeTallies | None = _compiled("probe_tallies")
# mutual_conflicts(observations, placed, ...): `probecheck.mutual_contradictions`' disc loop.
mutual_conflicts: MutualConflicts | None = _compiled("mutual_conflicts")
# pick_infos(numbered, numbers): the per-stop lookup of `enrichment.annotate.Annotator.annotate`.
pick_infos: PickInfos | None = _compiled("pick_infos")
# route_reach(numbers, number, rtts): `measurements.records.Route.reach` by address number.
route_reach: RouteReach | None = _compiled("route_reach")
# scan_route(stops, infos, by_serial, facts_type): `analysis.tromboning._scan_route`.
scan_route: ScanRoute | None = _compiled("scan_route")
# as_path(asns, src_asn, dst_asn, reached): `analysis.tromboning._as_path`.
as_path: AsPath | None = _compiled("as_path")
# route_telling(telling, home, said, facts_type, abroad_type): `analysis.tromboning._tell`.
route_telling: RouteTelling | None = _compiled("route_telling")
# trusted_discs(observed, vantages): `enrichment.annotate.trusted_discs` (_kernels_walk.c).
trusted_discs: TrustedDiscs | None = _compiled("trusted_discs")
# disc_bounds(discs, near, interesting, km_per_ms, Vantage): `enrichment.annotate._disc_bounds`.
disc_bounds: DiscBounds | None = _compiled("disc_bounds")
