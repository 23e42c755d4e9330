"""Read a reference-data folder into a dated `RegistrySnapshot`. Pure file reading, no network.

A folder is recognised by file names (README, "Reference data"):
- `pfx2as*` / `*.pfx2as*`: CAIDA RouteViews prefix2as lines `prefix<TAB>length<TAB>AS`, AS may be
  `a_b` (multi-origin) or `a,b` (AS set); pyasn `ipasn` lines `prefix/length<TAB>AS` too.
- `peeringdb/{ix,ixlan,ixpfx,netixlan,net,fac,netfac}.json`: PeeringDB API responses `{"data": [...]}`,
  also saved in pages (`ix-page1.json`, `netixlan-page2.json`, ...). An exchange netixlan names
  but `ix` lacks is kept under netixlan's name, with no country; a port PeeringDB lists without
  an address is kept as a member with address "".
- `*as-rel*.txt`, `*as-rel*.txt.bz2`: CAIDA AS relationships `as1|as2|rel[|source]` (rel -1:
  as1 sells transit to as2; 0: they peer), plain or bzip2 as CAIDA ships them. Unlike the
  other files, a damaged line does not stop the load: it is kept in `malformed` (file:line,
  reason) and the rest is used, as the IXP model always did (it says how many were left out).
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

import bz2
import csv
import fnmatch
import ipaddress
import re
import socket
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, overload

import orjson

from ixpready.errors import RefdataError
from ixpready.measurements.records import Malformed


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


class RoutedPrefixes(Sequence[RoutedPrefix]):
    """A snapshot's routed prefixes, stored as two parallel lists: a full table holds over a
    million, and a million small objects cost memory and garbage-collector time for the whole
    run. Reads as a sequence of `RoutedPrefix`; `pairs()` gives (prefix, origins) unboxed."""

    __slots__ = ("_origins", "_prefixes")

    def __init__(
        self, prefixes: list[str] | None = None, origins: list[tuple[int, ...]] | None = None
    ) -> None:
        self._prefixes = prefixes if prefixes is not None else []
        self._origins = origins if origins is not None else []
        if len(self._prefixes) != len(self._origins):
            raise ValueError("as many origin tuples as prefixes are needed")

    def append(self, prefix: str, origins: tuple[int, ...]) -> None:
        """Adds one prefix and its origin AS(es)."""
        self._prefixes.append(prefix)
        self._origins.append(origins)

    def pairs(self) -> Iterator[tuple[str, tuple[int, ...]]]:
        """Yields (prefix, origins) in load order, without building RoutedPrefix objects."""
        return zip(self._prefixes, self._origins, strict=True)

    def __len__(self) -> int:
        return len(self._prefixes)

    @overload
    def __getitem__(self, index: int) -> RoutedPrefix: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[RoutedPrefix, ...]: ...

    def __getitem__(self, index: int | slice) -> RoutedPrefix | tuple[RoutedPrefix, ...]:
        if isinstance(index, slice):
            return tuple(
                RoutedPrefix(p, o)
                for p, o in zip(self._prefixes[index], self._origins[index], strict=True)
            )
        return RoutedPrefix(self._prefixes[index], self._origins[index])

    def __iter__(self) -> Iterator[RoutedPrefix]:
        for prefix, origins in self.pairs():
            yield RoutedPrefix(prefix, origins)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RoutedPrefixes):
            return self._prefixes == other._prefixes and self._origins == other._origins
        if isinstance(other, Sequence):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable while loading

    def __repr__(self) -> str:
        return f"RoutedPrefixes({len(self)} prefixes)"


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
    """A member interface on a peering LAN (PeeringDB `netixlan`); address "" when none is listed."""

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


@dataclass(frozen=True, slots=True)
class NetworkFacility:
    """A PeeringDB `netfac`: a network (by ASN) present at a facility, and where that is."""

    asn: int
    fac_id: int
    name: str
    city: str
    country: str


class Relationship(StrEnum):
    """How two networks are connected: `a` sells transit to `b`, or they peer."""

    PROVIDER_CUSTOMER = "p2c"
    PEER = "p2p"


@dataclass(frozen=True, slots=True)
class AsRelationship:
    """One registered relationship (CAIDA as-rel): for `p2c`, `a` sells transit to `b`."""

    a: int
    b: int
    relationship: Relationship


@dataclass(frozen=True)
class RegistrySnapshot:
    """Every reference fact loaded from one folder, with the files and dates it came from."""

    routed: Sequence[RoutedPrefix] = ()  # a RoutedPrefixes when read by load_snapshot
    ixs: dict[int, IxRecord] = field(default_factory=dict)
    ix_prefixes: tuple[IxLanPrefix, ...] = ()
    ix_members: tuple[IxMember, ...] = ()
    facilities: tuple[Facility, ...] = ()
    network_facilities: tuple[NetworkFacility, ...] = ()  # PeeringDB netfac
    as_names: dict[int, str] = field(default_factory=dict)
    asn_countries: dict[int, str] = field(default_factory=dict)
    block_countries: tuple[tuple[str, str], ...] = ()  # (CIDR, country) from RIR stats
    relationships: tuple[AsRelationship, ...] = ()
    malformed: tuple[Malformed, ...] = ()  # as-rel lines and peering LANs left out
    sources: tuple[SnapshotSource, ...] = ()
    ignored: tuple[str, ...] = ()  # files in the folder no name rule recognised


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


def _routing_file(path: Path, into: RoutedPrefixes) -> None:
    """Appends the prefixes of a prefix2as or ipasn file to `into`.

    The common CAIDA line (`prefix<TAB>length<TAB>AS`, one AS) is read inline; any other
    goes through `parse_pfx2as_line`. Equal origin fields share one tuple.
    Raises RefdataError naming the file and line of a damaged line.
    """
    shared: dict[str, tuple[int, ...]] = {}
    inet_pton, af_inet, af_inet6 = socket.inet_pton, socket.AF_INET, socket.AF_INET6
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.split("\t")
            if len(parts) == 3 and parts[0] and line[0] not in "#;":
                address, length, origin_text = parts
                origin_text = origin_text.rstrip("\r\n")
                origins = shared.get(origin_text)
                if origins is None and origin_text.isdigit() and origin_text.isascii():
                    origins = shared[origin_text] = (int(origin_text),)
                if origins is not None and length.isdigit() and length.isascii():
                    v6 = ":" in address
                    try:
                        inet_pton(af_inet6 if v6 else af_inet, address)
                    except OSError:
                        pass  # parse_pfx2as_line names the fault
                    else:
                        if int(length) <= (128 if v6 else 32):
                            into.append(f"{address}/{length}", origins)
                            continue
            try:
                routed = parse_pfx2as_line(line)
            except ValueError as exc:
                raise RefdataError(f"{path}:{number}: {exc}") from None
            if routed is not None:
                key = ",".join(map(str, routed.origins))
                into.append(routed.prefix, shared.setdefault(key, routed.origins))


def _ripestat_date(document: Any) -> str | None:
    """Returns the day a RIPEstat response was made (its `time`), or None."""
    stamp = document.get("time") if isinstance(document, dict) else None
    if isinstance(stamp, str) and re.fullmatch(r"\d{4}-\d\d-\d\d(T.*)?", stamp):
        return stamp[:10]
    return None


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
# AS relationships

_AS_REL_NAMES = ("*as-rel*.txt", "*as-rel*.txt.bz2")


def parse_as_rel_line(line: str) -> AsRelationship | None:
    """Returns the relationship of one CAIDA as-rel line `as1|as2|rel[|source]`.

    Returns None for comments and blank lines; raises ValueError for a damaged line or a
    relationship other than -1 (as1 sells transit to as2) or 0 (peers).
    """
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    fields = text.split("|")
    try:
        if len(fields) < 3:
            raise ValueError("expected as1|as2|rel")
        a, b, rel = int(fields[0]), int(fields[1]), int(fields[2])
    except ValueError as exc:
        raise ValueError(f"not an as-rel line ({exc})") from None
    if rel == -1:
        return AsRelationship(a, b, Relationship.PROVIDER_CUSTOMER)
    if rel == 0:
        return AsRelationship(a, b, Relationship.PEER)
    raise ValueError(f"relationship {rel} is not -1 or 0")


def _open_text(path: Path) -> IO[str]:
    """Opens a text file, decompressing it when its name ends in `.bz2`."""
    if path.name.endswith(".bz2"):
        return bz2.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _relationship_file(path: Path) -> tuple[list[AsRelationship], list[Malformed]]:
    """Returns the relationships of a plain or bzip2 as-rel file and its damaged lines."""
    good: list[AsRelationship] = []
    bad: list[Malformed] = []
    try:
        with _open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    relationship = parse_as_rel_line(line)
                except ValueError as exc:
                    bad.append(Malformed(f"{path}:{number}", str(exc), line.rstrip("\r\n")))
                    continue
                if relationship is not None:
                    good.append(relationship)
    except (OSError, EOFError) as exc:
        raise RefdataError(f"{path}: cannot be read ({exc})", hint="download it again") from None
    return good, bad


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


def peeringdb_files(folder: Path, kind: str) -> list[Path]:
    """Returns the files of one PeeringDB object type in `folder`: `kind.json` and its pages
    `kind-page*.json`, in name order (none when there is no such file)."""
    paths = [folder / f"{kind}.json", *sorted(folder.glob(f"{kind}-page*.json"))]
    return [path for path in paths if path.is_file()]


def _pdb_pages(folder: Path, kind: str) -> list[dict[str, Any]]:
    """Returns the rows of `kind.json` and of its pages `kind-page*.json`, in name order."""
    return [row for path in peeringdb_files(folder, kind) for row in peeringdb_rows(path)]


def peeringdb_rows(path: Path) -> list[dict[str, Any]]:
    """Returns the live records (`status` "ok") of one PeeringDB API response file. Raises
    RefdataError for a file that is not JSON or not a PeeringDB API response."""
    document = _json(path)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise RefdataError(f"{path}: not a PeeringDB API response (no 'data' list)")
    return [item for item in data if isinstance(item, dict) and item.get("status", "ok") == "ok"]


def network_facilities(
    rows: Iterable[dict[str, Any]], asn_of_net: Mapping[int, int] | None = None
) -> tuple[NetworkFacility, ...]:
    """Returns the network-facility records of PeeringDB `netfac` rows (API `data` items),
    each (ASN, facility) once. The ASN is the row's `local_asn` (PeeringDB lists the
    network's own ASN there) or, when that is missing, the ASN `asn_of_net` gives its
    `net_id` (from PeeringDB `net`); a row with neither, or without a numeric `fac_id`, is
    left out."""
    found: dict[tuple[int, int], NetworkFacility] = {}
    for row in rows:
        try:
            asn = _asn(row.get("local_asn"))
        except (TypeError, ValueError):
            asn = 0
        if asn <= 0 and asn_of_net is not None:
            asn = _positive(row.get("net_id"), asn_of_net)
        try:
            fac_id = int(row.get("fac_id") or 0)
        except (TypeError, ValueError):
            continue
        if asn <= 0 or fac_id <= 0:
            continue
        found.setdefault(
            (asn, fac_id),
            NetworkFacility(
                asn=asn,
                fac_id=fac_id,
                name=str(row.get("name") or f"facility {fac_id}"),
                city=str(row.get("city") or ""),
                country=str(row.get("country") or "").upper(),
            ),
        )
    return tuple(found.values())


def _positive(net_id: Any, asn_of_net: Mapping[int, int]) -> int:
    if isinstance(net_id, bool):
        return 0
    try:
        return asn_of_net.get(int(net_id), 0)
    except (TypeError, ValueError):
        return 0


def read_network_facilities(
    folder: Path, asn_of_net: Mapping[int, int] | None = None
) -> tuple[NetworkFacility, ...]:
    """Returns the network-facility records of a PeeringDB folder (`netfac.json` and its
    pages `netfac-page*.json`); none when there is no such file. Raises RefdataError for a
    file that is not a PeeringDB API response. The one reader of `netfac` (`load_snapshot`
    and the readiness files use it)."""
    return network_facilities(_pdb_pages(folder, "netfac"), asn_of_net)


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


def _valid_lans(
    prefixes: list[IxLanPrefix], where: str, malformed: list[Malformed]
) -> list[IxLanPrefix]:
    """Returns the peering-LAN prefixes in canonical form; the unreadable ones are left out and
    kept in `malformed` (IXP lists hold typos such as '200.14.37.0 /24' or '2001:7f8:31:0')."""
    valid: list[IxLanPrefix] = []
    for entry in prefixes:
        text = entry.prefix.replace(" ", "")
        try:
            if "/" not in text:
                raise ValueError("no prefix length")
            network = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            malformed.append(
                Malformed(
                    where,
                    f"peering LAN {entry.prefix!r} of IX {entry.ix_id} is not a prefix ({exc}); left out",
                    entry.prefix,
                )
            )
            continue
        valid.append(IxLanPrefix(str(network), entry.ix_id))
    return valid


# Name prefixes of prefix-to-AS files (CAIDA prefix2as; pyasn ipasn, also as pyasn names
# its own downloads) and of AS-name files (pyasn's asnames JSON).
_ROUTING_NAMES = ("pfx2as", "ipasn", "pyasn-ipasn", "pyasn_ipasn")
_AS_NAMES_NAMES = ("asnames", "pyasn-asnames", "pyasn_asnames")


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
    routed = RoutedPrefixes()
    names: dict[int, str] = {}
    asn_countries: dict[int, str] = {}
    blocks: list[tuple[str, str]] = []
    nationality: dict[int, str] = {}
    extra_ixs: dict[int, IxRecord] = {}
    extra_prefixes: list[IxLanPrefix] = []
    extra_members: list[IxMember] = []
    relationships: list[AsRelationship] = []
    malformed: list[Malformed] = []
    ignored: list[str] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        name = path.name
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in _AS_REL_NAMES):
            good, bad = _relationship_file(path)
            relationships.extend(good)
            malformed.extend(bad)
            sources.append(
                SnapshotSource("AS relationships (CAIDA)", name, _date_of(path, default_date))
            )
        elif name.startswith(_ROUTING_NAMES) or ".pfx2as" in name:
            _routing_file(path, routed)
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
        elif name.startswith(_AS_NAMES_NAMES) and name.endswith(".json"):
            for key, value in _json(path).items():
                names[_asn(key)] = str(value)
            sources.append(SnapshotSource("AS names", name, _date_of(path, default_date)))
        elif name != "snapshot.json" and not name.startswith("."):
            ignored.append(name)
    ripestat = folder / "ripestat"
    if ripestat.is_dir():
        for path in sorted(ripestat.glob("*.json")):
            document = _json(path)
            more, more_names = _ripestat(document)
            for entry in more:
                routed.append(entry.prefix, entry.origins)
            names.update(more_names)
            sources.append(
                SnapshotSource(
                    "RIPEstat",
                    f"ripestat/{path.name}",
                    _ripestat_date(document) or _date_of(path, default_date),
                )
            )
    ixs: dict[int, IxRecord] = {}
    ix_prefixes: list[IxLanPrefix] = []
    members: list[IxMember] = []
    facilities: list[Facility] = []
    present: tuple[NetworkFacility, ...] = ()
    pdb = folder / "peeringdb"
    if pdb.is_dir():
        for path in sorted(pdb.glob("*.json")):
            sources.append(
                SnapshotSource(
                    "PeeringDB", f"peeringdb/{path.name}", _peeringdb_date(path, default_date)
                )
            )
        for item in _pdb_pages(pdb, "ix"):
            ixs[int(item["id"])] = IxRecord(
                id=int(item["id"]),
                name=str(item.get("name") or f"IX {item['id']}"),
                city=str(item.get("city") or ""),
                country=str(item.get("country") or "").upper(),
            )
        lan_to_ix = {
            int(i["id"]): int(i["ix_id"]) for i in _pdb_pages(pdb, "ixlan") if "ix_id" in i
        }
        for item in _pdb_pages(pdb, "ixpfx"):
            lan = int(item["ixlan_id"])
            # PeeringDB numbers an ixlan like its ix when there is one LAN per IX
            ix_prefixes.append(IxLanPrefix(str(item["prefix"]), lan_to_ix.get(lan, lan)))
        named_by_netixlan: dict[int, str] = {}
        for item in _pdb_pages(pdb, "netixlan"):
            if item.get("asn") is None:
                continue
            ix_id = int(item.get("ix_id") or lan_to_ix.get(int(item.get("ixlan_id") or 0), 0))
            if ix_id:
                named_by_netixlan.setdefault(ix_id, str(item.get("name") or f"IX {ix_id}"))
            speed = item.get("speed")
            addresses = [str(item[key]) for key in ("ipaddr4", "ipaddr6") if item.get(key)]
            for address in addresses or [""]:  # a port without a listed address still counts
                members.append(
                    IxMember(
                        ix_id, int(item["asn"]), address, None if speed is None else int(speed)
                    )
                )
        for ix_id, ix_name in named_by_netixlan.items():  # an exchange `ix` lacks
            ixs.setdefault(ix_id, IxRecord(ix_id, ix_name, "", ""))
        for item in _pdb_pages(pdb, "net"):
            if item.get("asn") and item.get("name"):
                names.setdefault(int(item["asn"]), str(item["name"]))
        for item in _pdb_pages(pdb, "fac"):
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
        present = read_network_facilities(pdb)
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
    ix_prefixes = _valid_lans(ix_prefixes, "PeeringDB ixpfx", malformed)
    extra_prefixes = _valid_lans(extra_prefixes, "IXP LAN lists", malformed)
    known_prefixes = {p.prefix for p in ix_prefixes}
    for prefix in extra_prefixes:
        if prefix.prefix not in known_prefixes:  # PeeringDB wins where both list a LAN
            ix_prefixes.append(prefix)
            ixs.setdefault(prefix.ix_id, extra_ixs[prefix.ix_id])
    members.extend(extra_members)
    for asn, country in nationality.items():
        asn_countries.setdefault(asn, country)
    if not sources:
        seen = f" (ignored: {', '.join(ignored)})" if ignored else ""
        raise RefdataError(
            f"{folder}: no reference-data file recognised{seen}",
            hint="expected pfx2as*, pyasn-ipasn*, peeringdb/*.json, delegated-*, *as-rel*.txt, "
            "ripestat/*.json (see README); `ixpready refdata update` downloads them",
        )
    return RegistrySnapshot(
        routed=routed,
        ixs=ixs,
        ix_prefixes=tuple(ix_prefixes),
        ix_members=tuple(members),
        facilities=tuple(facilities),
        network_facilities=present,
        as_names=names,
        asn_countries=asn_countries,
        block_countries=tuple(blocks),
        relationships=tuple(relationships),
        malformed=tuple(malformed),
        sources=tuple(sources),
        ignored=tuple(ignored),
    )
