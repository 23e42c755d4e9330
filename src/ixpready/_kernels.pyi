# Types of the compiled module built from _kernels.c (see ixpready.kernels).
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

SOURCE_SHA256: str

def scan_hops(
    entries: list[Any], unset: object, /
) -> (
    tuple[tuple[int, ...], tuple[str, ...], tuple[float | None, ...], tuple[bool | None, ...]]
    | None
): ...

def read_line(
    data: bytes, start: int = ..., end: int = ..., numbers: dict[str, int] = ..., /
) -> tuple[Any, ...] | None: ...

def distance_km(lat1: float, lon1: float, lat2: float, lon2: float, /) -> float: ...
def nearest_detour(
    s: tuple[float, float],
    a: tuple[float, float],
    b: tuple[float, float],
    crossings: tuple[Any, ...],
    uncertainty: tuple[float, float, float],
    /,
) -> tuple[float, Any] | None: ...
def refuting_disc(
    discs: Any, latitude: float, longitude: float, slack_km: float, km_per_ms: float, /
) -> int | None: ...
# _kernels_gather.c (the gathering pass)
def observe_numbered(
    traces: Sequence[Any], groups: Sequence[list[int]], trace_type: type, /
) -> dict[Any, dict[int, float]] | None: ...
def access_best(
    traces: Sequence[Any],
    groups: Sequence[list[int]],
    private: dict[object, bool],
    trace_type: type,
    /,
) -> dict[tuple[int, int], float] | None: ...
def alike_keyed(traces: Sequence[Any], trace_type: type, /) -> dict[tuple[object, ...], list[int]] | None: ...
def probe_tallies(
    entries: list[tuple[Mapping[int, float], tuple[tuple[float, float], ...]]],
    probes: dict[int, tuple[float, float, float, float]],
    slack_km: float,
    km_per_ms: float,
    earth_km: float,
    /,
) -> tuple[dict[int, int], list[tuple[int, int, int, float, float]]] | None: ...
def mutual_conflicts(
    observations: Mapping[Any, Mapping[int, float]],
    placed: dict[int, tuple[float, float, float]],
    max_discs: int,
    km_per_ms: float,
    earth_km: float,
    /,
) -> list[tuple[Any, int, float, int, float, float]] | None: ...
def pick_infos(numbered: dict[Any, Any], numbers: tuple[int, ...], /) -> tuple[Any, ...] | None: ...
def route_reach(
    numbers: tuple[int, ...], number: int, rtts: tuple[float | None, ...], /
) -> tuple[bool, float | None] | None: ...
def scan_route(
    stops: tuple[Any, ...], infos: tuple[Any, ...], by_serial: dict[int, Any], facts_type: type, /
) -> tuple[int | None, tuple[int | None, ...], tuple[tuple[Any, Any, Any], ...]] | None: ...
def as_path(
    asns: tuple[int | None, ...], src_asn: int | None, dst_asn: int | None, reached: bool, /
) -> tuple[int, ...] | None: ...
def route_telling(
    telling: tuple[Any, ...], home: str, said: dict[Any, Any], facts_type: type, abroad_type: type, /
) -> tuple[Any, ...] | None: ...

def set_fields(obj: Any, names: tuple[str, ...], values: tuple[Any, ...], /) -> Any: ...
# _kernels_walk.c (annotating an address the first time in a run)
def trusted_discs(
    observed: Mapping[Any, Any] | None, vantages: Mapping[Any, Any], /
) -> tuple[tuple[Any, Any], ...] | None: ...
def disc_bounds(
    discs: tuple[Any, ...],
    near: dict[tuple[float, float, str], Any],
    interesting: AbstractSet[str],
    km_per_ms: float,
    vantage_type: type,
    /,
) -> tuple[list[str], list[tuple[int, float, int]]] | None: ...
