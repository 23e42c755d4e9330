"""Validated ROA payloads and RIPEstat's route statuses, read from files; no network.

Reads the VRP exports of the two common relying-party programs:

- Routinator `json` / `jsonext` (`routinator vrps -f json`, or its HTTP `/json` endpoint):
  `{"metadata": {"generatedTime": ...}?, "roas": [{"asn": "AS64496", "prefix": "192.0.2.0/24",
  "maxLength": 24, "ta": "ripe"}]}` (`jsonext` has `source` instead of `ta`);
- rpki-client `json` (`/var/db/rpki-client/json`): `{"metadata": {"buildtime": ...},
  "roas": [{"asn": 64496, "prefix": ..., "maxLength": ..., "ta": ..., "expires": ...}], ...}`;
  older versions write the ASN as "AS64496", newer ones as a number;
- RIPEstat `rpki-validation` answers (one route's status as RIPE NCC's validator saw it).

The RFC 6811 validation over these VRPs is `enrichment.rpki.OriginValidator`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson

from ixpready.errors import RefdataError
from ixpready.measurements.records import Malformed


class Validity(StrEnum):
    """The RFC 6811 outcome for one route (prefix, origin AS)."""

    VALID = "valid"
    INVALID = "invalid"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Vrp:
    """One validated ROA payload: `asn` may originate `prefix` and more-specifics up to
    `max_length` bits."""

    asn: int
    prefix: str
    max_length: int
    trust_anchor: str = ""


@dataclass(frozen=True, slots=True)
class VrpSet:
    """The VRPs of one export file: what program wrote it, when, and the records it left out."""

    vrps: tuple[Vrp, ...]
    source: str  # file name
    program: str  # "routinator", "rpki-client" or "unknown"
    date: str | None  # ISO day the export was generated, when it says
    malformed: tuple[Malformed, ...] = ()


def _asn(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("an ASN is not true/false")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().upper().removeprefix("AS")
        number = int(text)
    if not 0 <= number < 2**32:
        raise ValueError(f"ASN {number} out of range")
    return number


def vrp_from_record(record: Any) -> Vrp:
    """Returns the VRP of one `roas` entry; raises ValueError naming what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("not an object")
    for key in ("asn", "prefix"):
        if key not in record:
            raise ValueError(f"field {key!r} is missing")
    network = ipaddress.ip_network(str(record["prefix"]), strict=True)
    max_length = record.get("maxLength", record.get("max_length", network.prefixlen))
    if isinstance(max_length, bool) or not isinstance(max_length, int | str):
        raise ValueError(f"maxLength {max_length!r} is not a number")
    max_length = int(max_length)
    if not network.prefixlen <= max_length <= network.max_prefixlen:
        raise ValueError(
            f"maxLength {max_length} outside {network.prefixlen}..{network.max_prefixlen}"
        )
    return Vrp(_asn(record["asn"]), str(network), max_length, str(record.get("ta") or ""))


def _export_date(metadata: Any) -> str | None:
    if not isinstance(metadata, dict):
        return None
    for key in ("buildtime", "generatedTime"):
        stamp = metadata.get(key)
        if isinstance(stamp, str) and len(stamp) >= 10:
            return stamp[:10]
    generated = metadata.get("generated")
    if isinstance(generated, int | float) and not isinstance(generated, bool):
        return datetime.fromtimestamp(generated, tz=UTC).date().isoformat()
    return None


def _program(document: dict[str, Any]) -> str:
    metadata = document.get("metadata")
    if isinstance(metadata, dict) and "buildtime" in metadata:
        return "rpki-client"
    if isinstance(metadata, dict) and ("generatedTime" in metadata or "generated" in metadata):
        return "routinator"
    roas = document.get("roas")
    first = roas[0] if isinstance(roas, list) and roas else None
    if isinstance(first, dict) and ("source" in first or "ta" in first):
        return "routinator" if isinstance(first.get("asn"), str) else "rpki-client"
    return "unknown"


def parse_vrps(data: bytes, source: str, default_date: str | None = None) -> VrpSet:
    """Returns the VRPs of a Routinator or rpki-client JSON export.

    A damaged record (no prefix, maxLength shorter than the prefix, ...) is left out and kept
    in `malformed` naming its index; raises RefdataError when the file is not such an export.
    """
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RefdataError(f"{source}: not JSON ({exc})", hint="export the VRPs again") from None
    roas = document.get("roas") if isinstance(document, dict) else None
    if not isinstance(roas, list):
        raise RefdataError(
            f"{source}: not a VRP export (no 'roas' list)",
            hint="use Routinator's or rpki-client's JSON output",
        )
    good: list[Vrp] = []
    bad: list[Malformed] = []
    for index, record in enumerate(roas):
        try:
            good.append(vrp_from_record(record))
        except ValueError as exc:
            bad.append(Malformed(f"{source}: roas[{index}]", str(exc), orjson.dumps(record).decode()))
    return VrpSet(
        vrps=tuple(good),
        source=source,
        program=_program(document),
        date=_export_date(document.get("metadata")) or default_date,
        malformed=tuple(bad),
    )


def load_vrps(path: Path, default_date: str | None = None) -> VrpSet:
    """Returns the VRPs of an export file; raises RefdataError when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RefdataError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_vrps(data, path.name, default_date)


# ---------------------------------------------------------------------------------------------
# RIPEstat `rpki-validation` answers: one route's status, as RIPE NCC's validator saw it.

_RIPESTAT_STATUS = {
    "valid": Validity.VALID,
    "invalid": Validity.INVALID,
    "invalid_asn": Validity.INVALID,
    "invalid_length": Validity.INVALID,
    "unknown": Validity.NOT_FOUND,
    "not_found": Validity.NOT_FOUND,
    "not-found": Validity.NOT_FOUND,
}


@dataclass(frozen=True, slots=True)
class RipestatValidity:
    """One RIPEstat `rpki-validation` answer: a route's status on the day it was asked."""

    prefix: str
    origin: int
    validity: Validity
    validator: str
    date: str | None


def ripestat_validity(document: Any) -> RipestatValidity | None:
    """Returns the route status of a RIPEstat `rpki-validation` response, or None when the
    document is another data call. Raises ValueError for an unknown status."""
    if not isinstance(document, dict):
        return None
    data = document.get("data")
    if not isinstance(data, dict) or "validating_roas" not in data or "status" not in data:
        return None
    status = str(data["status"]).lower()
    if status not in _RIPESTAT_STATUS:
        raise ValueError(f"unknown rpki-validation status {data['status']!r}")
    stamp = document.get("time")
    return RipestatValidity(
        prefix=str(ipaddress.ip_network(str(data["prefix"]), strict=False)),
        origin=_asn(data["resource"]),
        validity=_RIPESTAT_STATUS[status],
        validator=str(data.get("validator") or ""),
        date=stamp[:10] if isinstance(stamp, str) and len(stamp) >= 10 else None,
    )
