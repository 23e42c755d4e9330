# Types of the compiled module built from _kernels.c (see ixpready.kernels).
from typing import Any

SOURCE_SHA256: str

def scan_hops(
    entries: list[Any], unset: object, /
) -> (
    tuple[tuple[int, ...], tuple[str, ...], tuple[float | None, ...], tuple[bool | None, ...]]
    | None
): ...
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
