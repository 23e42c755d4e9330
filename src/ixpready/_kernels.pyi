# Types of the compiled module built from _kernels.c (see ixpready.kernels).
from collections.abc import Mapping, Sequence
from typing import Any

SOURCE_SHA256: str

def scan_hops(
    entries: list[Any], unset: object, /
) -> (
    tuple[tuple[int, ...], tuple[str, ...], tuple[float | None, ...], tuple[bool | None, ...]]
    | None
): ...

def read_line(
    data: bytes, start: int = ..., end: int = ..., /
) -> (
    tuple[
        int, int, int, int | None, str | None, str | None, str | None, str | None, str | None,
        int | None, int | None, int | None,
        tuple[int, ...], tuple[str, ...], tuple[float | None, ...], tuple[bool | None, ...],
    ]
    | None
): ...

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
