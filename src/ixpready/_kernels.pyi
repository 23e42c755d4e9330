# Types of the compiled module built from _kernels.c (see ixpready.kernels).
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
