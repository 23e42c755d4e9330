"""Read probe metadata into `Probe` records, in every layout RIPE Atlas and others publish.

Accepted: an API v2 page (`{"results": [...]}`) or a plain list of probe objects (GeoJSON
`geometry`, `status` object, tag objects); the probe archive (`{"objects": [...]}`, flat
`latitude`/`longitude`, numeric `status` + `status_name`); RIPEstat `atlas-probes`
(`{"data": {"probes": [...]}}`); a Django fixture of `ripeatlasprobe` rows (LACNIC simon).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import orjson

from ixpready.errors import InputError
from ixpready.measurements.records import IPAddress, Probe


def _int_or_none(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if -(2**63) <= number < 2**63 else None  # what the store and exports hold


def _float_or_none(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _address_or_none(value: Any) -> IPAddress | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return ip_address(value)
    except ValueError:
        return None


USABLE_STATUSES = ("Connected", None)  # None: the listing did not say (LACNIC fixture layout)


def usable(probe: Probe) -> bool:
    """Returns True for a probe that may take part in a measurement: connected, or of a
    status the listing did not give. `plan`, `discover` and reuse all count probes so."""
    return probe.status in USABLE_STATUSES


def probe_from_api(obj: dict[str, Any]) -> Probe:
    """Returns the Probe an API, archive or RIPEstat probe object describes.

    Raises InputError when the object has no usable `id`.
    """
    fields = obj.get("fields") if isinstance(obj.get("fields"), dict) else None
    if fields is not None:  # Django fixture row
        obj = {**fields, "id": fields.get("probe_id")}
    probe_id = _int_or_none(obj.get("id"))
    if probe_id is None:
        raise InputError(f"a probe object has no numeric 'id': {str(obj)[:80]}")
    latitude = _float_or_none(obj.get("latitude"))
    longitude = _float_or_none(obj.get("longitude"))
    geometry = obj.get("geometry")
    if isinstance(geometry, dict) and isinstance(geometry.get("coordinates"), list):
        coordinates = geometry["coordinates"]
        if len(coordinates) == 2:
            longitude, latitude = _float_or_none(coordinates[0]), _float_or_none(coordinates[1])
    status = obj.get("status")
    if isinstance(status, dict):
        status_name = status.get("name")
    else:
        status_name = obj.get("status_name", status)
    tags: list[str] = []
    for tag in obj.get("tags") or ():
        if isinstance(tag, dict) and tag.get("slug"):
            tags.append(str(tag["slug"]))
        elif isinstance(tag, str):
            tags.append(tag)
    country = obj.get("country_code")
    return Probe(
        id=probe_id,
        asn_v4=_int_or_none(obj.get("asn_v4")),
        asn_v6=_int_or_none(obj.get("asn_v6")),
        country=country.upper() if isinstance(country, str) and country else None,
        latitude=latitude,
        longitude=longitude,
        status=None if status_name is None else str(status_name),
        description=str(obj.get("description") or ""),
        address_v4=_address_or_none(obj.get("address_v4")),
        address_v6=_address_or_none(obj.get("address_v6")),
        prefix_v4=obj.get("prefix_v4") if isinstance(obj.get("prefix_v4"), str) else None,
        prefix_v6=obj.get("prefix_v6") if isinstance(obj.get("prefix_v6"), str) else None,
        is_anchor=bool(obj.get("is_anchor")),
        tags=tuple(tags),
    )


def _probe_objects(document: Any) -> Iterator[dict[str, Any]]:
    if isinstance(document, list):
        items: Any = document
    elif isinstance(document, dict):
        data = document.get("data")
        if isinstance(data, dict) and isinstance(data.get("probes"), list):
            items = data["probes"]
        elif isinstance(document.get("results"), list):
            items = document["results"]
        elif isinstance(document.get("objects"), list):
            items = document["objects"]
        else:
            raise InputError("not a probe list: expected 'results', 'objects' or data.probes")
    else:
        raise InputError("not a probe list")
    for item in items:
        if isinstance(item, dict):
            yield item


def probes_from_document(document: Any) -> dict[int, Probe]:
    """Returns probes by id from a decoded probe document (see module doc for layouts)."""
    probes: dict[int, Probe] = {}
    for item in _probe_objects(document):
        probe = probe_from_api(item)
        probes[probe.id] = probe
    return probes


def load_probes(path: Path) -> dict[int, Probe]:
    """Returns probes by id from a probe metadata file.

    Raises InputError when the file is missing, not JSON, or not a probe list.
    """
    try:
        document = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"{path}: no such probe file") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc})") from None
    try:
        return probes_from_document(document)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
