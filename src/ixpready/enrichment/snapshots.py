"""Read a reference-data folder into a dated `RegistrySnapshot`. Pure file reading, no network.

A folder is recognised by file names (README, "Reference data"):
- `pfx2as*` / `*.pfx2as*`: CAIDA RouteViews prefix2as lines `prefix<TAB>length<TAB>AS`, AS may be
  `a_b` (multi-origin) or `a,b` (AS set); pyasn `ipasn` lines `prefix/length<TAB>AS` too.
- `peeringdb/{ix,ixlan,ixpfx,netixlan,net,fac}.json`: PeeringDB API responses `{"data": [...]}`.
- `delegated-*`: RIR delegated(-extended) statistics `registry|cc|type|start|value|date|status`.
- `ripestat/*.json`: RIPEstat data-call responses (network-info, prefix-overview,
  announced-prefixes, as-overview) adding prefix origins and AS names.
- `asnames*.json`: `{"asn": "NAME - description, CC"}` (pyasn's AS names).
- `snapshot.json`: `{"date": "YYYY-MM-DD"}`, the snapshot's date when file names carry none.
- `pch/ixp_subnets.csv`, `pch/ixp_exchange.csv`, `pch/ixp_membership*.csv`: Packet Clearing
  House's IXP directory, for exchanges PeeringDB does not list (PeeringDB wins on overlap).
- `ixps*.json`: peering-LAN prefixes by IXP name, `{"Data": {prefix: {"name": ...}}}`
  (ripe-atlas-monitor's format; no country).
- `ixp-country*.json`: an ixp-country-jedi configuration, `{"country", "ixps": [{name, peeringlans}]}`.
- `ixp-addresses*.json`: member interfaces found by other means, `[{"name", "asn", "ipv4"}]`.
- `*asn-to-country*`: CAIDA AS-nationality rows `asn|cc|pfx-cnt|pfx-pct|ip-cnt|ip-pct`; an AS
  missing from the RIR files gets the country holding most of its addresses.
"""

from __future__ import annotations

import csv
import ipaddress
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ixpready.errors import RefdataError


@dataclass(frozen=True, slots=True)
class SnapshotSource:
    """One reference-data file used: what kind, which file, the date its data describes."""

    kind: str
    source: str
    date: str | None


@dataclass(frozen=True, slots=True)
class RoutedPrefix:
    """A prefix and the AS(es) originating it (several for multi-origin or AS sets)."""

    prefix: str
    origins: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class IxRecord:
    """A PeeringDB `ix`: an exchange point and where it is."""

    id: int
    name: str
    city: str
    country: str


@dataclass(frozen=True, slots=True)
class IxLanPrefix:
    """A peering-LAN prefix (PeeringDB `ixpfx`) and the exchange it belongs to."""

    prefix: str
    ix_id: int


@dataclass(frozen=True, slots=True)
class IxMember:
    """A member interface on a peering LAN (PeeringDB `netixlan`)."""

    ix_id: int
    asn: int
    address: str
    speed_mbps: int | None


@dataclass(frozen=True, slots=True)
class Facility:
    """A PeeringDB `fac`: a building where networks interconnect."""

    id: int
    name: str
    city: str
    country: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class RegistrySnapshot:
    """Every reference fact loaded from one folder, with the files and dates it came from."""

    routed: tuple[RoutedPrefix, ...] = ()
    ixs: dict[int, IxRecord] = field(default_factory=dict)
    ix_prefixes: tuple[IxLanPrefix, ...] = ()
    ix_members: tuple[IxMember, ...] = ()
    facilities: tuple[Facility, ...] = ()
    as_names: dict[int, str] = field(default_factory=dict)
    asn_countries: dict[int, str] = field(default_factory=dict)
    block_countries: tuple[tuple[str, str], ...] = ()  # (CIDR, country) from RIR stats
    sources: tuple[SnapshotSource, ...] = ()


_DATE_IN_NAME = re.compile(r"(20\d\d)-?(\d\d)-?(\d\d)")


def _date_of(path: Path, default: str | None) -> str | None:
    match = _DATE_IN_NAME.search(path.name)
    return f"{match[1]}-{match[2]}-{match[3]}" if match else default


def _json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise RefdataError(f"{path}: not JSON ({exc})", hint="download it again") from None


def _asn(value: Any) -> int:
    text = str(value).strip()
    if text.upper().startswith("AS"):
        text = text[2:]
    return int(text)


# ---------------------------------------------------------------------------------------------
# Routing tables


def parse_pfx2as_line(line: str) -> RoutedPrefix | None:
    """Returns the prefix and origins of one CAIDA prefix2as or pyasn ipasn line.

    Returns None for comments and blank lines; raises ValueError for a damaged line.
    """
    if not line or line[0] in "#;\n":
        return None
    parts = line.split()
    if not parts:
        return None
    if len(parts) >= 3 and "/" not in parts[0]:
        prefix, origin_text = f"{parts[0]}/{parts[1]}", parts[2]
    elif len(parts) >= 2 and "/" in parts[0]:
        prefix, origin_text = parts[0], parts[1]
    else:
        raise ValueError(f"expected 'prefix length AS' or 'prefix/length AS': {line[:60]!r}")
    _check_prefix(prefix, line)
    origins = tuple(int(a) for a in re.split(r"[_,]", origin_text) if a)
    if not origins:
        raise ValueError(f"no origin AS: {line[:60]!r}")
    return RoutedPrefix(prefix, origins)


def _check_prefix(prefix: str, line: str) -> None:
    """Raises ValueError unless `prefix` is a numeric IPv4/IPv6 `address/length`.

    The radix tree would otherwise resolve a name like `example.com/24` through DNS.
    `inet_pton` keeps this cheap enough for a full routing table.
    """
    address, _, length = prefix.partition("/")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        socket.inet_pton(family, address)
        bits = int(length)
    except (OSError, ValueError):
        raise ValueError(f"not a prefix {prefix!r}: {line[:60]!r}") from None
    if not 0 <= bits <= (128 if family == socket.AF_INET6 else 32):
        raise ValueError(f"prefix length out of range in {prefix!r}: {line[:60]!r}")


def _routing_file(path: Path) -> Iterator[RoutedPrefix]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                routed = parse_pfx2as_line(line)
            except ValueError as exc:
                raise RefdataError(f"{path}:{number}: {exc}") from None
            if routed is not None:
                yield routed


def _ripestat(document: Any) -> tuple[list[RoutedPrefix], dict[int, str]]:
    """Returns prefix origins and AS names from one RIPEstat data-call response."""
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        return [], {}
    routed: list[RoutedPrefix] = []
    names: dict[int, str] = {}
    call = document.get("data_call_name", "")
    if "prefix" in data and isinstance(data.get("asns"), list):  # network-info
        origins = tuple(_asn(a["asn"] if isinstance(a, dict) else a) for a in data["asns"])
        if origins:
            routed.append(RoutedPrefix(str(data["prefix"]), origins))
    elif call == "prefix-overview" or (data.get("type") == "prefix" and "asns" in data):
        origins = tuple(_asn(a["asn"]) for a in data.get("asns") or ())
        for entry in data.get("asns") or ():
            if entry.get("holder"):
                names[_asn(entry["asn"])] = str(entry["holder"])
        if origins and data.get("announced"):
            routed.append(RoutedPrefix(str(data["resource"]), origins))
    elif isinstance(data.get("prefixes"), list) and "resource" in data:  # announced-prefixes
        origin = _asn(data["resource"])
        routed.extend(RoutedPrefix(str(p["prefix"]), (origin,)) for p in data["prefixes"])
    if data.get("type") == "as" and data.get("holder"):  # as-overview
        names[_asn(data["resource"])] = str(data["holder"])
    return routed, names


# ---------------------------------------------------------------------------------------------
# RIR statistics


def _delegated(path: Path) -> Iterator[tuple[str, str, str]]:
    """Yields (type, resource, country) from a delegated stats file; CIDRs for address ranges."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("|")
            if len(parts) < 7 or parts[1] in ("*", "") or parts[5] == "summary":
                continue  # version and summary lines
            if parts[1].upper() == "ZZ" or parts[6] in ("available", "reserved"):
                continue  # unallocated space: no holder, no country
            kind, country, start, value = parts[2], parts[1].upper(), parts[3], parts[4]
            try:
                if kind == "asn":
                    first = int(start)
                    for asn in range(first, first + int(value)):
                        yield "asn", str(asn), country
                elif kind == "ipv4":
                    low = ipaddress.IPv4Address(start)
                    high = low + int(value) - 1
                    for net in ipaddress.summarize_address_range(low, high):
                        yield "ip", str(net), country
                elif kind == "ipv6":
                    yield "ip", f"{start}/{int(value)}", country
            except ValueError as exc:
                raise RefdataError(
                    f"{path}:{number}: not a delegated-stats record ({exc})"
                ) from None


# ---------------------------------------------------------------------------------------------
# PeeringDB


def _pdb(path: Path) -> list[dict[str, Any]]:
    document = _json(path)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise RefdataError(f"{path}: not a PeeringDB API response (no 'data' list)")
    return [item for item in data if isinstance(item, dict) and item.get("status", "ok") == "ok"]


def _peeringdb_date(path: Path, default: str | None) -> str | None:
    document = _json(path)
    meta = document.get("meta") if isinstance(document, dict) else None
    generated = meta.get("generated") if isinstance(meta, dict) else None
    if isinstance(generated, int | float):
        from datetime import UTC, datetime

        return datetime.fromtimestamp(generated, tz=UTC).date().isoformat()
    return _date_of(path, default)


PCH_ID_BASE = 1_000_000  # PCH and other IXP lists get ids that cannot clash with PeeringDB's
OTHER_ID_BASE = 2_000_000


def _iso_country(name: str) -> str:
    """Returns the ISO alpha-2 code of a country name ("El Salvador" -> "SV"), or ""."""
    import pycountry

    text = name.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        try:
            return str(pycountry.countries.search_fuzzy(text)[0].alpha_2)
        except LookupError:
            return ""


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle, skipinitialspace=True)
        # a name with a comma in it spills into extra cells (key None): those are dropped
        return [
            {
                k.strip(): (v or "").strip()
                for k, v in row.items()
                if isinstance(k, str) and isinstance(v, str | None)
            }
            for row in reader
        ]


def _pch(folder: Path) -> tuple[dict[int, IxRecord], list[IxLanPrefix], list[IxMember]]:
    ixs: dict[int, IxRecord] = {}
    prefixes: list[IxLanPrefix] = []
    members: list[IxMember] = []
    exchange = folder / "ixp_exchange.csv"
    names: dict[str, str] = {}
    if exchange.is_file():
        for row in _csv_rows(exchange):
            ix_id = PCH_ID_BASE + int(row["exchange_point_id"])
            ixs[ix_id] = IxRecord(
                ix_id,
                row.get("long_name") or "",
                row.get("city") or "",
                _iso_country(row.get("country") or ""),
            )
    subnets = folder / "ixp_subnets.csv"
    subnet_ix: dict[str, int] = {}
    if subnets.is_file():
        for row in _csv_rows(subnets):
            if not row.get("subnet") or row.get("status", "Active") != "Active":
                continue
            ix_id = PCH_ID_BASE + int(row["exchange_point_id"])
            names[str(ix_id)] = row.get("short_name") or ""
            known = ixs.get(ix_id)
            ixs[ix_id] = IxRecord(
                ix_id,
                row.get("short_name") or (known.name if known else ""),
                known.city if known else "",
                known.country if known else "",
            )
            prefixes.append(IxLanPrefix(row["subnet"], ix_id))
            subnet_ix[row["subnet"]] = ix_id
    for path in sorted(folder.glob("ixp_membership*.csv")):
        for row in _csv_rows(path):
            if row.get("ip") and row.get("asn", "").isdigit():
                members.append(
                    IxMember(
                        subnet_ix.get(row.get("subnet", ""), 0), int(row["asn"]), row["ip"], None
                    )
                )
    return ixs, prefixes, members


def _nationality(path: Path) -> dict[int, str]:
    best: dict[int, tuple[float, str]] = {}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.strip().split("|")
            try:
                asn, country, share = int(parts[0]), parts[1].upper(), float(parts[5])
            except (IndexError, ValueError):
                raise RefdataError(
                    f"{path}:{number}: not an AS-nationality row 'asn|cc|pfx-cnt|pfx-pct|ip-cnt|ip-pct'"
                ) from None
            if share > best.get(asn, (-1.0, ""))[0]:
                best[asn] = (share, country)
    return {asn: country for asn, (_share, country) in best.items()}


def load_snapshot(folder: Path) -> RegistrySnapshot:
    """Returns the reference data in `folder` (see the module doc for recognised names).

    Raises RefdataError when the folder is missing, holds no recognised file, or a file is
    damaged (naming file and line).
    """
    if not folder.is_dir():
        raise RefdataError(
            f"{folder}: no such reference-data folder",
            hint="point --refdata at a folder with pfx2as*, peeringdb/*.json, delegated-* files",
        )
    default_date: str | None = None
    marker = folder / "snapshot.json"
    if marker.is_file():
        info = _json(marker)
        default_date = (
            str(info.get("date")) if isinstance(info, dict) and info.get("date") else None
        )
    sources: list[SnapshotSource] = []
    routed: list[RoutedPrefix] = []
    names: dict[int, str] = {}
    asn_countries: dict[int, str] = {}
    blocks: list[tuple[str, str]] = []
    nationality: dict[int, str] = {}
    extra_ixs: dict[int, IxRecord] = {}
    extra_prefixes: list[IxLanPrefix] = []
    extra_members: list[IxMember] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        name = path.name
        if name.startswith("pfx2as") or ".pfx2as" in name or name.startswith("ipasn"):
            routed.extend(_routing_file(path))
            sources.append(SnapshotSource("prefix-to-AS", name, _date_of(path, default_date)))
        elif name.startswith("delegated-"):
            for kind, resource, country in _delegated(path):
                if kind == "asn":
                    asn_countries[int(resource)] = country
                else:
                    blocks.append((resource, country))
            sources.append(
                SnapshotSource("RIR delegated stats", name, _date_of(path, default_date))
            )
        elif "asn-to-country" in name:
            for asn, country in _nationality(path).items():
                nationality.setdefault(asn, country)
            sources.append(
                SnapshotSource("AS nationality (CAIDA)", name, _date_of(path, default_date))
            )
        elif name.startswith("ixps") and name.endswith(".json"):
            for index, (prefix, info) in enumerate(sorted((_json(path).get("Data") or {}).items())):
                ix_id = OTHER_ID_BASE + len(extra_ixs) + index
                extra_ixs[ix_id] = IxRecord(ix_id, str((info or {}).get("name") or prefix), "", "")
                extra_prefixes.append(IxLanPrefix(prefix, ix_id))
            sources.append(SnapshotSource("IXP LAN list", name, _date_of(path, default_date)))
        elif name.startswith("ixp-country") and name.endswith(".json"):
            config = _json(path)
            for item in config.get("ixps") or ():
                ix_id = OTHER_ID_BASE + 500_000 + len(extra_ixs)
                extra_ixs[ix_id] = IxRecord(
                    ix_id, str(item.get("name")), "", str(config.get("country") or "").upper()
                )
                extra_prefixes.extend(
                    IxLanPrefix(str(lan), ix_id) for lan in item.get("peeringlans") or ()
                )
            sources.append(
                SnapshotSource(
                    "IXP LAN list (ixp-country-jedi)", name, _date_of(path, default_date)
                )
            )
        elif name.startswith("ixp-addresses") and name.endswith(".json"):
            for item in _json(path):
                if isinstance(item, dict) and item.get("asn") and item.get("ipv4"):
                    extra_members.append(IxMember(0, _asn(item["asn"]), str(item["ipv4"]), None))
            sources.append(
                SnapshotSource("IXP member addresses", name, _date_of(path, default_date))
            )
        elif name.startswith("asnames") and name.endswith(".json"):
            for key, value in _json(path).items():
                names[_asn(key)] = str(value)
            sources.append(SnapshotSource("AS names", name, _date_of(path, default_date)))
    ripestat = folder / "ripestat"
    if ripestat.is_dir():
        for path in sorted(ripestat.glob("*.json")):
            more, more_names = _ripestat(_json(path))
            routed.extend(more)
            names.update(more_names)
            sources.append(
                SnapshotSource("RIPEstat", f"ripestat/{path.name}", _date_of(path, default_date))
            )
    ixs: dict[int, IxRecord] = {}
    ix_prefixes: list[IxLanPrefix] = []
    members: list[IxMember] = []
    facilities: list[Facility] = []
    pdb = folder / "peeringdb"
    if pdb.is_dir():
        for path in sorted(pdb.glob("*.json")):
            sources.append(
                SnapshotSource(
                    "PeeringDB", f"peeringdb/{path.name}", _peeringdb_date(path, default_date)
                )
            )
        ix_path, lan_path, pfx_path = pdb / "ix.json", pdb / "ixlan.json", pdb / "ixpfx.json"
        if ix_path.is_file():
            for item in _pdb(ix_path):
                ixs[int(item["id"])] = IxRecord(
                    id=int(item["id"]),
                    name=str(item.get("name") or f"IX {item['id']}"),
                    city=str(item.get("city") or ""),
                    country=str(item.get("country") or "").upper(),
                )
        lan_to_ix: dict[int, int] = {}
        if lan_path.is_file():
            lan_to_ix = {int(i["id"]): int(i["ix_id"]) for i in _pdb(lan_path) if "ix_id" in i}
        if pfx_path.is_file():
            for item in _pdb(pfx_path):
                lan = int(item["ixlan_id"])
                # PeeringDB numbers an ixlan like its ix when there is one LAN per IX
                ix_prefixes.append(IxLanPrefix(str(item["prefix"]), lan_to_ix.get(lan, lan)))
        if (pdb / "netixlan.json").is_file():
            for item in _pdb(pdb / "netixlan.json"):
                ix_id = int(item.get("ix_id") or lan_to_ix.get(int(item.get("ixlan_id") or 0), 0))
                for key in ("ipaddr4", "ipaddr6"):
                    if item.get(key):
                        speed = item.get("speed")
                        members.append(
                            IxMember(
                                ix_id,
                                int(item["asn"]),
                                str(item[key]),
                                None if speed is None else int(speed),
                            )
                        )
        if (pdb / "net.json").is_file():
            for item in _pdb(pdb / "net.json"):
                if item.get("asn") and item.get("name"):
                    names.setdefault(int(item["asn"]), str(item["name"]))
        if (pdb / "fac.json").is_file():
            for item in _pdb(pdb / "fac.json"):
                lat, lon = item.get("latitude"), item.get("longitude")
                facilities.append(
                    Facility(
                        id=int(item["id"]),
                        name=str(item.get("name") or ""),
                        city=str(item.get("city") or ""),
                        country=str(item.get("country") or "").upper(),
                        latitude=None if lat is None else float(lat),
                        longitude=None if lon is None else float(lon),
                    )
                )
    pch = folder / "pch"
    if pch.is_dir():
        pch_ixs, pch_prefixes, pch_members = _pch(pch)
        extra_ixs.update(pch_ixs)
        extra_prefixes.extend(pch_prefixes)
        extra_members.extend(pch_members)
        for path in sorted(pch.glob("*.csv")):
            sources.append(
                SnapshotSource(
                    "PCH IXP directory", f"pch/{path.name}", _date_of(path, default_date)
                )
            )
    known_prefixes = {p.prefix for p in ix_prefixes}
    for prefix in extra_prefixes:
        if prefix.prefix not in known_prefixes:  # PeeringDB wins where both list a LAN
            ix_prefixes.append(prefix)
            ixs.setdefault(prefix.ix_id, extra_ixs[prefix.ix_id])
    members.extend(extra_members)
    for asn, country in nationality.items():
        asn_countries.setdefault(asn, country)
    if not sources:
        raise RefdataError(
            f"{folder}: no reference-data file recognised",
            hint="expected pfx2as*, peeringdb/*.json, delegated-*, ripestat/*.json (see README)",
        )
    return RegistrySnapshot(
        routed=tuple(routed),
        ixs=ixs,
        ix_prefixes=tuple(ix_prefixes),
        ix_members=tuple(members),
        facilities=tuple(facilities),
        as_names=names,
        asn_countries=asn_countries,
        block_countries=tuple(blocks),
        sources=tuple(sources),
    )
