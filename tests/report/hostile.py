"""Put attacker-controlled text into every free-text field of a report's inputs.

Free text is what the network supplies: AS names, probe descriptions and details, evidence
facts (reverse-DNS names), verdict reasons, city names, model explanations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")

TEXT_FIELDS = frozenset({
    "name", "description", "detail", "fact", "reason", "text_en", "text_es", "top_carrier_name",
    "foreign_cities", "as_names", "reason_text",
})  # fmt: skip

# A right-to-left override, a bare CR starting a formula row, a terminal escape, a bell,
# C1 CSI, the other bidi controls, a Unicode line separator and a tab before a formula.
PAYLOAD = "\u202e=cmd|' /C calc'!A0\r=1+1\x1b[2J\x07\x9b0m\u2066\u200f\u2028\t@SUM(1)"


def poison(value: T, mutate: Callable[[str], str], *, text: bool = False) -> T:
    """Returns `value` with `mutate` applied to every string of a free-text field."""
    result: Any
    if isinstance(value, Enum):
        result = value
    elif isinstance(value, str):
        result = mutate(value) if text else value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: poison(getattr(value, f.name), mutate, text=f.name in TEXT_FIELDS)
            for f in dataclasses.fields(value)
            if f.init
        }
        result = dataclasses.replace(value, **changes)
    elif isinstance(value, tuple):
        result = tuple(poison(item, mutate, text=text) for item in value)
    elif isinstance(value, dict):
        result = {key: poison(item, mutate, text=text) for key, item in value.items()}
    else:
        result = value
    return result  # type: ignore[no-any-return]


def prefixed(payload: str) -> Callable[[str], str]:
    """Returns a mutation putting `payload` first (a city keeps its ", CC" ending)."""
    return lambda text: payload + text
