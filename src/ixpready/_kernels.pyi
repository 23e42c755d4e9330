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
    line: bytes, /
) -> (
    tuple[
        int, int, int, int | None, str | None, str | None, str | None, str | None, str | None,
        int | None, int | None, int | None,
        tuple[int, ...], tuple[str, ...], tuple[float | None, ...], tuple[bool | None, ...],
    ]
    | None
): ...
