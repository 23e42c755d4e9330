"""The model JSON contract: ModelResult <-> files (`ixpready model --format json`).

The document is the `ModelResult` field by field (see `model.results` for every record):
top-level `format` ("ixpready-model/1"), `country`, `generated_at`,
`analysis_generated_at`, `simulated`, `weighting`, `networks`, `links`,
`country_dependence`, `dependence`, `candidates` (each with its `explanation`: a `key`,
the numbers and `text_en`), `founding_set` (`picks` with `marginal_gain`, `curve`),
`scenarios` (each with per-pair `outcomes`), `graph_nodes`, `graph_links`, `notes`,
`inputs`. Tuples are lists, enums their string values, times ISO 8601 with offset.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import orjson

from ixpready.errors import InputError
from ixpready.model.results import ModelResult

FORMAT = "ixpready-model/1"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def to_dict(result: ModelResult) -> dict[str, Any]:
    """Returns the JSON-contract object of a model result."""
    return {"format": FORMAT, **_plain(result)}


def to_json(result: ModelResult) -> bytes:
    """Returns the model result as indented JSON bytes (the documented contract)."""
    return orjson.dumps(to_dict(result), option=orjson.OPT_INDENT_2)


def _typed(kind: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if value is None:
            return None
        return _typed(options[0], value, where)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        if not isinstance(value, list):
            raise TypeError(f"{where}: expected a list")
        return tuple(_typed(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object")
        hints = typing.get_type_hints(kind)
        args = {
            f.name: _typed(hints[f.name], value[f.name], f"{where}.{f.name}")
            for f in dataclasses.fields(kind)
            if f.name in value or f.default is dataclasses.MISSING
        }
        return kind(**args)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{where}: expected a number")
        return float(value)
    if kind in (int, str, bool):
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"{where}: expected {kind.__name__}")
        return value
    raise TypeError(f"{where}: cannot read type {kind!r}")  # pragma: no cover - a bug


def model_from_json(data: bytes, origin: str = "model") -> ModelResult:
    """Returns the ModelResult of a JSON-contract document.

    Raises InputError naming `origin` when it is not an ixpready model.
    """
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{origin}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(
            f"{origin}: not an ixpready model (format is not {FORMAT!r})",
            hint="write one with: ixpready model ANALYSIS.json --format json --out FILE",
        )
    try:
        result = _typed(ModelResult, doc, "model")
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(f"{origin}: not a valid ixpready model ({exc})") from None
    assert isinstance(result, ModelResult)
    return result


def load_model(path: Path) -> ModelResult:
    """Returns the model stored in a JSON file written by `ixpready model`.

    Raises InputError when the file is missing or not a model.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such model file",
            hint="write one with: ixpready model ANALYSIS.json --format json --out FILE",
        ) from None
    return model_from_json(data, str(path))
