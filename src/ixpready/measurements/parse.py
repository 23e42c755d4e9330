"""Read RIPE Atlas results (and the ixpready probe's, which use the same format) into records.

One reader for every shape the API emits: a JSON array, JSON lines, an API page
(`{"results": [...]}`), concatenated objects, every firmware generation, IPv4 and IPv6.
A record that cannot be read becomes a `Malformed` (quarantined by the caller); everything
readable around it is kept, even inside a truncated or damaged array.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import orjson

from ixpready.kernels import ReadLine, ScanHops, read_line, scan_hops
from ixpready.measurements.records import (
    AddressTable,
    DnsResponse,
    DnsResult,
    Hop,
    IPAddress,
    Malformed,
    MplsLabel,
    Packet,
    PingResult,
    Probe,
    Reply,
    Result,
    Route,
    Skipped,
    Stop,
    Trace,
    TraceKey,
)

PROBE_FIRMWARE_ORIGIN = "ixpready-probe"
_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_DECODER = json.JSONDecoder()
# The start of an API page `{"count": 3, "next": null, ..., "results": [` up to its list.
_PAGE_HEADER = re.compile(
    r'\{\s*(?:"[^"\\]*"\s*:\s*(?:null|true|false|-?[0-9][0-9.eE+-]*|"[^"\\]*")\s*,\s*)*'
    r'"results"\s*:\s*\['
)


class MalformedResult(ValueError):
    """A result that cannot be read; the message is one sentence naming the field."""


# ---------------------------------------------------------------------------------------------
# The numbers a result may hold: one validation for every reader. The dict path checks them in
# `_int`, `_key` and `_rtt`; the fast path's schema admits only the same ranges (`_Id`, `_Time`,
# `_Int64`, `_Rtt`), so a record outside them falls back to the dict path, which names the fault.

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # what the store, the exports and JSON tools hold
LATEST_TIMESTAMP = 4_102_444_800  # 2100-01-01 00:00 UTC; RIPE Atlas started in 2010
MAX_RTT_MS = 600_000.0  # 10 minutes: no probe waits that long for a reply

_Id = Annotated[int, msgspec.Meta(ge=1, le=INT64_MAX)]
_Time = Annotated[int, msgspec.Meta(ge=1, le=LATEST_TIMESTAMP)]
_Int64 = Annotated[int, msgspec.Meta(ge=INT64_MIN, le=INT64_MAX)]
_Rtt = Annotated[float, msgspec.Meta(ge=0.0, le=MAX_RTT_MS)]


Outcome = Result | Malformed | Skipped


# ---------------------------------------------------------------------------------------------
# Field readers: each names the field it failed on, never fills in a default for a required one.


def _require(record: dict[str, Any], name: str) -> Any:
    if name not in record:
        raise MalformedResult(f"field '{name}' is missing")
    return record[name]


def _int(value: Any, name: str) -> int:
    """Returns a whole number that fits in 64 bits. Raises MalformedResult naming the field."""
    number: int | None = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and len(value) <= 40:
        number = _int_text(value)
    if number is None:
        raise MalformedResult(f"field '{name}' is not a whole number: {_shown(value)}")
    if not INT64_MIN <= number <= INT64_MAX:
        raise MalformedResult(f"field '{name}' is out of the 64-bit range: {_shown(value)}")
    return number


def _int_text(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _shown(value: Any) -> str:
    """Returns a short rendering of a value for a message (never a 400-digit number)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return f"a number of {len(str(abs(value)))} digits"
    return f"{value!r:.60}"


def _opt_int(record: dict[str, Any], name: str) -> int | None:
    value = record.get(name)
    return None if value is None else _int(value, name)


def _number(value: Any, name: str) -> float:
    """Returns the number a value holds, inf when it is beyond a float (10^400).
    Raises MalformedResult when it is not a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str) and len(value) <= 40:
        try:
            return float(value)
        except ValueError:
            pass
    raise MalformedResult(f"field '{name}' is not a number: {_shown(value)}")


def _float(value: Any, name: str) -> float:
    """Returns a finite number. Raises MalformedResult when it is not one (NaN, 10^400)."""
    number = _number(value, name)
    if not math.isfinite(number):
        raise MalformedResult(f"field '{name}' is not a finite number: {_shown(value)}")
    return number


def _rtt(value: Any, name: str) -> float | None:
    """Returns a round-trip time in ms, or None when it cannot be one: negative, NaN, infinite
    or over MAX_RTT_MS (a probe's clock stepped; the reply still shows who answered).
    Raises MalformedResult when it is not a number at all."""
    if value is None:
        return None
    number = _number(value, name)
    return number if 0.0 <= number <= MAX_RTT_MS else None


def _address(value: Any, name: str) -> IPAddress | None:
    """Returns the address, or None for the empty string Atlas writes when it is unknown."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedResult(f"field '{name}' is not an IP address: {value!r:.60}")
    try:
        return ip_address(value)
    except ValueError:
        raise MalformedResult(f"field '{name}' is not an IP address: {value!r:.60}") from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _key(record: dict[str, Any]) -> TraceKey:
    msm_id = _int(_require(record, "msm_id"), "msm_id")
    prb_id = _int(_require(record, "prb_id"), "prb_id")
    timestamp = _int(_require(record, "timestamp"), "timestamp")
    for name, number in (("msm_id", msm_id), ("prb_id", prb_id)):
        if number < 1:
            raise MalformedResult(f"field '{name}' must be a positive id, not {number}")
    if not 1 <= timestamp <= LATEST_TIMESTAMP:
        raise MalformedResult(
            f"field 'timestamp' {timestamp} is not a time between 1970 and 2100 (Unix seconds)"
        )
    return TraceKey(msm_id=msm_id, prb_id=prb_id, timestamp=timestamp)


def _af(record: dict[str, Any], *addresses: IPAddress | None) -> int:
    if "af" in record and record["af"] is not None:
        af = _int(record["af"], "af")
        if af not in (4, 6):
            raise MalformedResult(f"field 'af' must be 4 or 6, not {af}")
        return af
    for address in addresses:
        if address is not None:
            return address.version
    raise MalformedResult("field 'af' is missing and no address shows the family")


# ---------------------------------------------------------------------------------------------
# Traceroute


def _mpls(icmpext: Any) -> tuple[MplsLabel, ...]:
    if not isinstance(icmpext, dict):
        return ()
    labels: list[MplsLabel] = []
    for obj in icmpext.get("obj") or ():
        if not isinstance(obj, dict):
            continue
        for entry in obj.get("mpls") or ():
            if isinstance(entry, dict) and "label" in entry:
                labels.append(
                    MplsLabel(
                        label=_int(entry["label"], "icmpext.mpls.label"),
                        exp=_opt_int(entry, "exp"),
                        bottom_of_stack=bool(entry.get("s")),
                        ttl=_opt_int(entry, "ttl"),
                    )
                )
    return tuple(labels)


_NO_REPLY = Reply(address=None)  # every `*` is the same immutable value
_PLAIN_REPLY_KEYS = frozenset(("from", "ttl", "size", "rtt"))


def _reply(packet: Any, hop_number: int) -> Reply:
    if not isinstance(packet, dict):
        raise MalformedResult(f"hop {hop_number} has a reply that is not an object: {packet!r:.60}")
    if packet.keys() <= _PLAIN_REPLY_KEYS and "from" in packet:  # the common reply, read inline
        rtt, ttl, size = packet.get("rtt"), packet.get("ttl"), packet.get("size")
        if (
            (rtt is None or (type(rtt) is float and 0.0 <= rtt <= MAX_RTT_MS))
            and (ttl is None or (type(ttl) is int and INT64_MIN <= ttl <= INT64_MAX))
            and (size is None or (type(size) is int and INT64_MIN <= size <= INT64_MAX))
        ):
            return Reply(_address(packet["from"], "from"), rtt, ttl, size)
    if "from" not in packet:
        if packet.get("x") == "*":
            return _NO_REPLY
        if "error" in packet:
            return Reply(address=None, send_error=_text(packet["error"]))
        if "late" in packet:  # a late reply whose address was not recorded
            return Reply(address=None, late=_int(packet["late"], "late"))
        raise MalformedResult(f"hop {hop_number} has a reply with neither 'from' nor 'x'")
    rtt = packet.get("rtt")
    return Reply(
        address=_address(packet["from"], "from"),
        rtt_ms=_rtt(rtt, "rtt"),
        ttl=_opt_int(packet, "ttl"),
        size=_opt_int(packet, "size"),
        error=None if packet.get("err") is None else str(packet["err"]),
        send_error=_text(packet.get("error")),
        late=_opt_int(packet, "late"),
        duplicate=bool(packet.get("dup")),
        quoted_ttl=_opt_int(packet, "ittl"),
        quoted_destination=_address(packet.get("edst"), "edst"),
        mpls=_mpls(packet.get("icmpext")),
    )


def _hops(entries: Any) -> tuple[tuple[Hop, ...], str | None]:
    if not isinstance(entries, list):
        raise MalformedResult(f"field 'result' is not a list of hops: {entries!r:.60}")
    if not entries:
        raise MalformedResult("field 'result' is an empty list: no hop and no error")
    hops: list[Hop] = []
    errors: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise MalformedResult(f"a hop is not an object: {entry!r:.60}")
        if "hop" not in entry:
            if "error" in entry:  # a result-level failure, e.g. name resolution failed
                errors.append(_text(entry["error"]) or "")
                continue
            raise MalformedResult("a hop has neither 'hop' nor 'error'")
        number = _int(entry["hop"], "hop")
        if not 1 <= number <= 255:
            raise MalformedResult(f"hop number {number} is outside 1..255")
        packets = entry.get("result")
        error = _text(entry.get("error"))
        if packets is None:
            if error is None:
                raise MalformedResult(f"hop {number} has neither replies nor an error")
            packets = []
        if not isinstance(packets, list):
            raise MalformedResult(f"hop {number} replies are not a list: {packets!r:.60}")
        if not packets and error is None:
            raise MalformedResult(f"hop {number} has an empty reply list and no error")
        hops.append(
            Hop(
                number=number,
                replies=tuple(_reply(p, number) for p in packets),
                error=error,
                inherited=bool(entry.get("inherited")),
            )
        )
    return tuple(hops), ("; ".join(errors) if errors else None)


def trace_from_atlas(record: dict[str, Any]) -> Trace:
    """Returns the Trace a RIPE Atlas traceroute result describes.

    Raises MalformedResult naming the first field that cannot be read.
    """
    key = _key(record)
    destination = _address(record.get("dst_addr"), "dst_addr")
    source = _address(record.get("src_addr"), "src_addr")
    public_source = _address(record.get("from"), "from")
    hops, error = _hops(_require(record, "result"))
    firmware = _opt_int(record, "fw")
    return Trace(
        key=key,
        af=_af(record, destination, source, public_source),
        protocol=str(record.get("proto") or "UDP").upper(),
        destination=destination,
        destination_name=str(record.get("dst_name") or record.get("dst_addr") or ""),
        source=source,
        public_source=public_source,
        hops=hops,
        end_time=_opt_int(record, "endtime"),
        paris_id=_opt_int(record, "paris_id"),
        firmware=firmware,
        error=error,
        origin=PROBE_FIRMWARE_ORIGIN if "ixpready_probe" in record else "atlas",
        vantage=_vantage(record, key.prb_id),
    )


# ---------------------------------------------------------------------------------------------
# Fast path: a well-formed traceroute decoded by msgspec straight into typed structs.
#
# The schema admits only what `trace_from_atlas` reads the same way; anything else (another
# result type, a numeric string, a hop without `hop`, an unknown address...) makes the line
# go through the dict path above, which names the fault. Absent and null fields are alike
# here as they are there (`.get`), except where the dict path tells them apart (`from`,
# `ixpready_probe`), kept UNSET when absent.


class _Fallback(Exception):
    """The record needs the dict path (it may still be a good result)."""


class _FastMpls(msgspec.Struct, gc=False):
    label: _Int64
    exp: _Int64 | None = None
    s: Any = None
    ttl: _Int64 | None = None


class _FastIcmpObject(msgspec.Struct, gc=False):
    mpls: list[_FastMpls] | None = None


class _FastIcmpExt(msgspec.Struct, gc=False):
    obj: list[_FastIcmpObject] | None = None


class _FastReply(msgspec.Struct, gc=False):
    address: str | msgspec.UnsetType | None = msgspec.field(name="from", default=msgspec.UNSET)
    rtt: _Rtt | None = None
    ttl: _Int64 | None = None
    size: _Int64 | None = None
    x: Any = None
    err: str | _Int64 | None = None
    error: str | None = None
    late: _Int64 | None = None
    dup: bool | None = None
    ittl: _Int64 | None = None
    edst: str | None = None
    icmpext: _FastIcmpExt | None = None  # read as `_mpls` reads it, or the dict path does


class _FastHop(msgspec.Struct, gc=False):
    hop: int
    result: list[_FastReply]
    error: str | None = None
    inherited: bool | None = None


class _FastTrace(msgspec.Struct, gc=False):
    type: Literal["traceroute"]
    msm_id: _Id
    prb_id: _Id
    timestamp: _Time
    result: list[_FastHop]
    dst_addr: str | None = None
    src_addr: str | None = None
    public_source: str | None = msgspec.field(name="from", default=None)
    af: _Int64 | None = None
    proto: str | None = None
    dst_name: str | None = None
    endtime: _Int64 | None = None
    paris_id: _Int64 | None = None
    fw: _Int64 | None = None
    ixpready_probe: Any = msgspec.UNSET


_FAST_LINE = msgspec.json.Decoder(_FastTrace)
_FAST_ARRAY = msgspec.json.Decoder(list[_FastTrace])


class _LazyHops:
    """A traceroute's hops, made into `Hop`s when first asked (`HopSource`): from its JSON
    line (decoded again then: the decoded record is not kept, most hops are never asked
    for) or its decoded record (one of a JSON array). Every text in them was checked when
    the route was read (`_route`)."""

    __slots__ = ("source", "table")

    def __init__(
        self, source: _FastTrace | bytes | str | memoryview, table: AddressTable
    ) -> None:
        self.source = source
        self.table = table

    def __reduce__(self) -> tuple[type[_LazyHops], tuple[Any, AddressTable]]:
        """Pickles a line that is a span of a larger text as the line's own bytes."""
        source = self.source
        return _LazyHops, (bytes(source) if isinstance(source, memoryview) else source, self.table)

    def hops(self) -> tuple[Hop, ...]:
        """Returns the hops `trace_from_atlas` would make of the same replies (their `Reply`
        objects made on first use, see `Hop.compact`)."""
        table = self.table
        source = self.source
        record = source if isinstance(source, _FastTrace) else _FAST_LINE.decode(source)
        return tuple(
            Hop.compact(
                entry.hop, _packets(entry.result, table), entry.error, bool(entry.inherited)
            )
            for entry in record.result
        )


def _fast_mpls(icmpext: _FastIcmpExt | None) -> tuple[MplsLabel, ...]:
    """Returns the labels `_mpls` reads from the same extension."""
    if icmpext is None or not icmpext.obj:
        return ()
    return tuple(
        MplsLabel(entry.label, entry.exp, bool(entry.s), entry.ttl)
        for obj in icmpext.obj
        if obj.mpls
        for entry in obj.mpls
    )


def _packets(replies: list[_FastReply], table: AddressTable) -> tuple[Packet, ...]:
    """Returns a hop's packets: a plain reply as (address, rtt, ttl, size), any other as its
    Reply (the texts were checked by `_route`)."""
    address_of = table.address
    packets: list[Packet] = []
    for packet in replies:
        text = packet.address
        if text is msgspec.UNSET:
            packets.append(_NO_REPLY)
            continue
        address = address_of(text) if text else None
        if (
            packet.err is None
            and packet.error is None
            and packet.late is None
            and not packet.dup
            and packet.ittl is None
            and packet.edst is None
            and packet.icmpext is None
        ):
            packets.append((address, packet.rtt, packet.ttl, packet.size))
        else:
            packets.append(
                Reply(
                    address=address,
                    rtt_ms=packet.rtt,
                    ttl=packet.ttl,
                    size=packet.size,
                    error=None if packet.err is None else str(packet.err),
                    send_error=packet.error,
                    late=packet.late,
                    duplicate=bool(packet.dup),
                    quoted_ttl=packet.ittl,
                    quoted_destination=address_of(packet.edst) if packet.edst else None,
                    mpls=_fast_mpls(packet.icmpext),
                )
            )
    return tuple(packets)


_StopRtts = tuple[float | None, ...]


def _numbered(table: AddressTable, text: str) -> int:
    try:
        return table.number(text)
    except ValueError:
        raise _Fallback from None


def _scan_rows(entries: list[_FastHop], table: AddressTable) -> tuple[
    tuple[int, ...], tuple[str, ...], tuple[float | None, ...], tuple[bool | None, ...]
]:
    """Returns the reply loop's stops of `_route` (hop numbers, address texts ("" for a silent
    hop), smallest usable RTTs, inherited flags), one per address per hop: the reference
    `kernels.scan_hops` is the compiled twin of, for every record. Raises _Fallback as
    `_route` says."""
    if not entries:
        raise _Fallback
    numbers_get = table.numbers.get
    unset = msgspec.UNSET
    # Stop by stop: hop number, address text ("": a silent hop), smallest RTT, inherited.
    rows: list[tuple[int, str, float | None, bool | None]] = []
    for entry in entries:
        number = entry.hop
        result = entry.result
        if not 1 <= number <= 255 or not result:
            raise _Fallback
        only_text: str | None = None  # the hop's one address so far (the common case)
        only_best: float | None = None
        more: list[str] | None = None  # every address text, when several answered
        best: list[float | None] = []
        for packet in result:
            text = packet.address
            if text is unset:
                if packet.x != "*":
                    raise _Fallback
                continue
            rtt = packet.rtt
            if packet.dup or packet.late is not None or packet.edst:
                if packet.edst:
                    _numbered(table, packet.edst)  # checked now: the hops are made later
                if packet.dup or packet.late is not None:
                    rtt = None  # not usable (`Reply.usable_rtt_ms`)
            if not text:
                continue  # a reply without an address
            if more is None:
                if text == only_text:
                    if rtt is not None and (only_best is None or rtt < only_best):
                        only_best = rtt
                    continue
                if only_text is None:
                    only_text, only_best = text, rtt
                    continue
                more, best = [only_text], [only_best]
            for index, known in enumerate(more):
                if known == text:
                    current = best[index]
                    if rtt is not None and (current is None or rtt < current):
                        best[index] = rtt
                    break
            else:
                more.append(text)
                best.append(rtt)
        if more is None:
            rows.append((number, only_text or "", only_best, entry.inherited))
        else:  # one stop per address (two texts of one address are one stop)
            merged: dict[int, int] = {}
            for text, rtt in zip(more, best, strict=True):
                address = numbers_get(text) or _numbered(table, text)
                row = merged.get(address)
                if row is None:
                    merged[address] = len(rows)
                    rows.append((number, text, rtt, entry.inherited))
                elif rtt is not None:
                    current = rows[row][2]
                    if current is None or rtt < current:
                        rows[row] = (number, rows[row][1], rtt, entry.inherited)
    hop_numbers, texts, stop_rtts, inherited = zip(*rows, strict=True)
    return hop_numbers, texts, stop_rtts, inherited


_Rows = tuple[tuple[int, ...], tuple[str, ...], tuple[float | None, ...], tuple[bool | None, ...]]


def _rows(entries: list[_FastHop], table: AddressTable, scan: ScanHops | None = scan_hops) -> _Rows:
    """Returns the stops of a decoded record's hops (see `_scan_rows`): from `scan`, the
    compiled twin of the reply loop (`kernels.scan_hops`), when built and it reads the record
    (one address per hop, no quoted destination), else from `_scan_rows`."""
    scanned = None if scan is None else scan(entries, msgspec.UNSET)
    return _scan_rows(entries, table) if scanned is None else scanned


def _route(
    rows: _Rows, table: AddressTable, epoch: int, known: tuple[int, ...] | None = None
) -> Route:
    """Returns the route of a record's stops (`_scan_rows`), as `route_of` finds it in the
    hops `trace_from_atlas` makes; raises _Fallback for a text that is no address, or when
    the table was emptied since `epoch` (its numbers differ). `known`: the stops' numbers,
    when the compiled reader found them all in the table."""
    hop_numbers, texts, _stop_rtts, inherited = rows
    # Keyed by the texts (a text's hash is kept by the string): a route read before needs
    # no look-up per stop; its texts were checked then (the table keeps its routes only
    # while it keeps their addresses).
    key = (hop_numbers, texts, inherited)
    route = table.known_route(key)
    if route is None:
        numbers_get = table.numbers.get
        numbers: tuple[int, ...] = (
            tuple([(numbers_get(text) or _numbered(table, text)) if text else 0 for text in texts])
            if known is None
            else known
        )
        if table.epoch != epoch:  # the table was emptied meanwhile: its numbers differ
            raise _Fallback
        stops: tuple[Stop, ...] = tuple(  # (0, a silent hop's number, is no key of `addresses`)
            zip(hop_numbers, map(table.addresses.get, numbers), map(bool, inherited), strict=True)
        )
        route = table.route(key, stops, numbers, hop_numbers)
    elif table.epoch != epoch:
        raise _Fallback
    return route


def _fast_trace(
    record: _FastTrace, table: AddressTable, line: bytes | str | None = None
) -> Trace:
    """Returns the Trace of a decoded traceroute, as `trace_from_atlas` would (its hops made
    on first use, from `line` when it is the record's JSON text).

    Raises _Fallback (or MalformedResult) when the dict path must read it instead.
    """
    epoch = table.epoch
    numbers_get = table.numbers.get
    for text in (record.dst_addr, record.src_addr, record.public_source):
        if text:  # numbered before the hops' addresses, as they always were
            numbers_get(text) or _numbered(table, text)
    probe = record.ixpready_probe
    return _trace_of(
        (
            record.msm_id, record.prb_id, record.timestamp, record.af, record.proto,
            record.dst_addr, record.src_addr, record.public_source, record.dst_name,
            record.endtime, record.paris_id, record.fw, *_rows(record.result, table),
        ),
        None if probe is msgspec.UNSET else probe,
        table, epoch, record if line is None else line,
    )  # fmt: skip


# What `_trace_of` makes a Trace of: the record's fields in this order (the compiled line
# reader, `kernels.read_line`, returns the same tuple), then its stops (`_scan_rows`).
_Fields = tuple[
    int, int, int, int | None, str | None, str | None, str | None, str | None, str | None,
    int | None, int | None, int | None,
    tuple[int, ...], tuple[str, ...], tuple[float | None, ...], tuple[bool | None, ...],
]  # fmt: skip


def _trace_of(
    fields: _Fields | tuple[Any, ...],
    probe: Any,
    table: AddressTable,
    epoch: int,
    source: _FastTrace | bytes | str | memoryview,
    known: tuple[int, ...] | None = None,
) -> Trace:
    """Returns the Trace of a traceroute's fields (`_Fields`), `probe` its `ixpready_probe`
    object if any, its hops left to be made from `source` on first use. `known`: the numbers
    the table holds for the destination, source, public source and the stops' texts, when the
    compiled reader found them all. Raises _Fallback (or MalformedResult) when the dict path
    must read it instead."""
    (
        msm_id, prb_id, timestamp, af, proto, dst_text, src_text, public_text, dst_name,
        end_time, paris_id, firmware,
    ) = fields[:12]  # fmt: skip
    stop_rows: _Rows = fields[12:16]  # (the compiled reader's 17th: `known`)
    key = TraceKey.of(msm_id, prb_id, timestamp)
    addresses = table.addresses
    if known is None:
        numbers_get = table.numbers.get
        dst = (numbers_get(dst_text) or _numbered(table, dst_text)) if dst_text else 0
        src = (numbers_get(src_text) or _numbered(table, src_text)) if src_text else 0
        public = (numbers_get(public_text) or _numbered(table, public_text)) if public_text else 0
        route = _route(stop_rows, table, epoch)
    else:
        dst, src, public = known[0], known[1], known[2]
        route = _route(stop_rows, table, epoch, known[3:])
    if table.epoch != epoch:  # the table was emptied meanwhile: its numbers differ
        raise _Fallback
    destination = addresses[dst] if dst else None
    source_address = addresses[src] if src else None
    public_source = addresses[public] if public else None
    if af is None:
        shown = destination or source_address or public_source
        if shown is None:
            raise _Fallback
        af = shown.version
    elif af not in (4, 6):
        raise _Fallback
    origin = "atlas" if probe is None else PROBE_FIRMWARE_ORIGIN
    vantage = None if probe is None else _vantage({"ixpready_probe": probe}, key.prb_id)
    return Trace.lazy(
        key, af, (proto or "UDP").upper(), destination, dst_name or dst_text or "",
        source_address, public_source, _LazyHops(source, table), end_time, paris_id, firmware,
        None, origin, vantage, route, stop_rows[2], (dst, public),
    )  # fmt: skip


def _fast_line(
    line: bytes | str, table: AddressTable, read: ReadLine | None = read_line
) -> Trace | None:
    """Returns the Trace of one JSON line when the fast path can read it, else None: from the
    compiled line reader (`kernels.read_line`) when built and it reads the line, else from
    msgspec's decoding of the schema."""
    if read is not None:
        raw = line if isinstance(line, bytes) else line.encode("utf-8", errors="surrogatepass")
        fields = read(raw)
        if fields is not None:
            try:
                return _trace_of(fields, None, table, table.epoch, raw)
            except (_Fallback, MalformedResult):
                pass  # read again below, to fall back exactly as that reading does
    try:
        return _fast_trace(_FAST_LINE.decode(line), table, line)
    except (msgspec.DecodeError, _Fallback, MalformedResult, RecursionError):
        return None


def _fast_span(
    data: bytes, view: memoryview, start: int, end: int, table: AddressTable,
    read: ReadLine | None = read_line,
) -> Trace | None:  # fmt: skip
    """Returns the Trace of the line data[start:end] when the compiled line reader reads it,
    without copying the line (the trace's hops are made from `view[start:end]` when asked);
    None when there is no compiled reader or it leaves the line to `_fast_line`."""
    if read is None:
        return None
    fields = read(data, start, end, table.numbers)
    if fields is None:
        return None
    try:  # the fields, then the numbers the table holds (or None)
        return _trace_of(fields, None, table, table.epoch, view[start:end], fields[16])
    except (_Fallback, MalformedResult):
        return None  # read again by `_fast_line`, to fall back exactly as that reading does


def _fast_array(data: bytes, table: AddressTable) -> list[Trace] | None:
    """Returns the Traces of a JSON array when the fast path can read every one, else None."""
    try:
        return [_fast_trace(record, table) for record in _FAST_ARRAY.decode(data)]
    except (msgspec.DecodeError, _Fallback, MalformedResult, RecursionError):
        return None


def _vantage(record: dict[str, Any], prb_id: int) -> Probe | None:
    """Returns the self-description an ixpready probe writes under `ixpready_probe`."""
    info = record.get("ixpready_probe")
    if info is None:
        return None
    if not isinstance(info, dict):
        raise MalformedResult("field 'ixpready_probe' is not an object")
    asn = _opt_int(info, "asn")
    lat, lon = info.get("latitude"), info.get("longitude")
    latitude = None if lat is None else _float(lat, "ixpready_probe.latitude")
    longitude = None if lon is None else _float(lon, "ixpready_probe.longitude")
    if (latitude is not None and abs(latitude) > 90) or (
        longitude is not None and abs(longitude) > 180
    ):
        raise MalformedResult(f"ixpready_probe's place ({lat!r:.30}, {lon!r:.30}) is not on Earth")
    country = info.get("country")
    return Probe(
        id=prb_id,
        asn_v4=asn,
        asn_v6=asn,
        country=country.upper() if isinstance(country, str) and country else None,
        latitude=latitude,
        longitude=longitude,
        status="ixpready-probe",
        description=str(info.get("name") or ""),
    )


# ---------------------------------------------------------------------------------------------
# Ping and DNS


def ping_from_atlas(record: dict[str, Any]) -> PingResult:
    """Returns the PingResult of a RIPE Atlas ping result, old (fw 0/1) layouts included."""
    key = _key(record)
    destination = _address(record.get("dst_addr") or record.get("addr"), "dst_addr")
    public_source = _address(record.get("from"), "from")
    sent = _int(_require(record, "sent"), "sent")
    rtts: list[float] = []
    packets = record.get("result")
    if isinstance(packets, list):
        for packet in packets:
            if isinstance(packet, dict) and packet.get("rtt") is not None and not packet.get("dup"):
                rtt = _rtt(packet["rtt"], "rtt")
                if rtt is not None:
                    rtts.append(rtt)
    elif packets is not None:
        raise MalformedResult(f"field 'result' is not a list of replies: {packets!r:.60}")
    else:  # firmware 0/1: only the summary
        minimum = _rtt(_require(record, "min"), "min")  # -1: nothing received
        if minimum is not None and _int(record.get("rcvd", 0), "rcvd") > 0:
            rtts.append(minimum)
    return PingResult(
        key=key,
        af=_af(record, destination, public_source),
        destination=destination,
        destination_name=str(record.get("dst_name") or record.get("name") or ""),
        public_source=public_source,
        sent=sent,
        rtts_ms=tuple(rtts),
        error=_text(record.get("error")),
        vantage=_vantage(record, key.prb_id),
    )


def _dns_response(entry: dict[str, Any], where: str) -> DnsResponse:
    if "error" in entry and "result" not in entry:
        return DnsResponse(
            resolver=_address(entry.get("dst_addr"), "dst_addr"),
            rtt_ms=None,
            answer=None,
            error=_text(entry["error"]),
        )
    result = entry.get("result")
    if not isinstance(result, dict):
        raise MalformedResult(f"{where} has neither 'result' nor 'error'")
    abuf = result.get("abuf")
    answer: bytes | None = None
    if abuf is not None:
        if not isinstance(abuf, str):
            raise MalformedResult(f"{where} 'abuf' is not base64 text")
        try:
            answer = base64.b64decode(abuf, validate=False)
        except (binascii.Error, ValueError):
            raise MalformedResult(f"{where} 'abuf' is not valid base64") from None
    rt = result.get("rt")
    return DnsResponse(
        resolver=_address(entry.get("dst_addr"), "dst_addr"),
        rtt_ms=_rtt(rt, "rt"),
        answer=answer,
    )


def dns_from_atlas(record: dict[str, Any]) -> DnsResult:
    """Returns the DnsResult of a RIPE Atlas DNS result (`result` or `resultset` layout)."""
    key = _key(record)
    public_source = _address(record.get("from"), "from")
    responses: list[DnsResponse] = []
    if "resultset" in record:
        entries = record["resultset"]
        if not isinstance(entries, list):
            raise MalformedResult("field 'resultset' is not a list")
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise MalformedResult(f"resultset[{index}] is not an object")
            responses.append(_dns_response(entry, f"resultset[{index}]"))
    elif "result" in record or "error" in record:
        responses.append(_dns_response(record, "the result"))
    else:
        raise MalformedResult("field 'result' (or 'resultset' or 'error') is missing")
    af = record.get("af")
    return DnsResult(
        key=key,
        af=None if af is None else _int(af, "af"),
        public_source=public_source,
        responses=tuple(responses),
        protocol=None if record.get("proto") is None else str(record["proto"]),
        error=_text(record.get("error")) if "resultset" in record else None,
    )


_READERS: dict[str, Callable[[dict[str, Any]], Result]] = {
    "traceroute": trace_from_atlas,
    "ping": ping_from_atlas,
    "dns": dns_from_atlas,
}


def result_from_atlas(record: Any) -> Result | None:
    """Returns the typed result for a RIPE Atlas result object, or None for unused types.

    Raises MalformedResult when the object is not a result or a field cannot be read.
    """
    if not isinstance(record, dict):
        raise MalformedResult(f"a result must be a JSON object, not {type(record).__name__}")
    kind = record.get("type")
    if kind is None:
        raise MalformedResult("field 'type' is missing: not a RIPE Atlas result")
    if not isinstance(kind, str):
        if isinstance(kind, dict) and "msm_id" in record:
            raise _Definition()
        raise MalformedResult(f"field 'type' is not text: {kind!r:.60}")
    reader = _READERS.get(kind)
    return None if reader is None else reader(record)


class _Definition(Exception):
    """The object is a measurement definition (API meta-data), not a result."""


# ---------------------------------------------------------------------------------------------
# Files and streams


# Results sit in a list or an API page, which may sit in a list: deeper is not a results document.
_MAX_CONTAINER_DEPTH = 4


def _classify(value: Any, where: str, raw: str | None, depth: int = 0) -> Iterator[Outcome]:
    """Yields the outcomes a decoded value holds; `raw` is its text (None: written from it)."""
    container = isinstance(value, list) or (
        isinstance(value, dict) and "type" not in value and isinstance(value.get("results"), list)
    )
    if container and depth >= _MAX_CONTAINER_DEPTH:
        reason = f"lists nested more than {depth} deep: not results"
        yield Malformed(where, reason, raw if raw is not None else _dump(value))
        return
    if isinstance(value, dict) and container:
        for index, item in enumerate(value["results"]):  # an API page
            yield from _classify(item, f"{where}.results[{index}]", None, depth + 1)
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _classify(item, f"{where}[{index}]", None, depth + 1)
        return
    try:
        result = result_from_atlas(value)
    except MalformedResult as exc:
        yield Malformed(where, str(exc), raw if raw is not None else _dump(value))
        return
    except _Definition:
        yield Skipped(where, "a measurement definition, not a result")
        return
    if result is None:
        yield Skipped(where, f"a '{value.get('type')}' result, which ixpready does not use")
    else:
        yield result


def _dump(value: Any) -> str:
    """Returns a value as JSON text (the quarantine's copy); orjson refuses what JSON cannot
    hold (NaN read by the salvaging scan, a 400-digit integer), written by `json` then."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        pass
    try:
        return json.dumps(value)
    except (RecursionError, ValueError):
        return f"(a {type(value).__name__} nested too deep to copy)"


def parse_lines(
    lines: Iterable[str], origin: str, table: AddressTable | None = None
) -> Iterator[Outcome]:
    """Yields one outcome per result in JSON-lines text; `origin` names the source. `table`:
    the run's addresses and routes (see `AddressTable`), else one for these lines."""
    table = AddressTable() if table is None else table
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        trace = _fast_line(line, table)
        if trace is not None:
            yield trace
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield from _damaged_line(line, origin, number, exc)
            continue
        yield from _classify(value, f"{origin}:{number}", line)


def _damaged_line(text: str, origin: str, number: int, exc: Exception) -> Iterator[Outcome]:
    """Yields what a line that is not one JSON value still holds: results written one after
    another, or the complete results of a cut API page; else one Malformed for the line."""
    outcomes = list(_salvage(text, origin, first_line=number))
    only = outcomes[0] if len(outcomes) == 1 else None
    if any(not isinstance(o, Malformed) for o in outcomes):
        yield from outcomes
    elif (
        isinstance(only, Malformed)
        and not only.reason.startswith("not JSON")
        and only.raw == text.strip(" \t\r\n,")
    ):  # JSON beyond the fast decoders (10^400), read whole: its reason names the field
        yield Malformed(f"{origin}:{number}", only.reason, text)
    else:
        yield Malformed(f"{origin}:{number}", f"not JSON ({_short(exc)})", text)


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 120 else text[:117] + "..."


def parse_bytes(data: bytes, origin: str, table: AddressTable | None = None) -> Iterator[Outcome]:
    """Yields one outcome per result in a results document of any supported shape.

    The fast path decodes the whole document (a JSON array or object) or each line (JSON
    lines); when that fails, a salvaging scan keeps every complete result and reports each
    damaged stretch as Malformed with its line number. `table`: the run's addresses and
    routes (see `AddressTable`), else one for this document.
    """
    table = AddressTable() if table is None else table
    if data.startswith(_BOM):  # written by some Windows tools
        data = data[len(_BOM) :]
    text_start = len(data) - len(data.lstrip(_WHITESPACE))
    if text_start == len(data):
        return
    if data[text_start : text_start + 1] == b"[":
        traces = _fast_array(data, table)
        if traces is not None:
            yield from traces
            return
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            yield from _salvage_document(data.decode("utf-8", errors="replace"), origin)
            return
        yield from _classify(value, origin, "")
        return
    first_end = data.find(b"\n")
    single_document = first_end >= 0 and data[:first_end].strip() in (b"{", b"{\r")
    if single_document:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            yield from _salvage_document(data.decode("utf-8", errors="replace"), origin)
            return
        yield from _classify(value, origin, data.decode("utf-8", errors="replace"))
        return
    # Line by line, each line a span of `data` (a 60 MB file is not copied line by line).
    view = memoryview(data)
    size = len(data)
    start = number = 0
    while start <= size:
        end = data.find(b"\n", start)
        if end < 0:
            end = size
        number += 1
        trace = _fast_span(data, view, start, end, table)
        line = b"" if trace is not None else data[start:end]
        start = end + 1
        if trace is None:
            if not line or line.isspace():
                continue
            trace = _fast_line(line, table, None)  # msgspec's reading, the reference
        if trace is not None:
            yield trace
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raw = line.decode("utf-8", errors="replace")
            yield from _damaged_line(raw, origin, number, exc)
            continue
        yield from _classify(value, f"{origin}:{number}", line.decode("utf-8", errors="replace"))


# The salvaging scan tries to decode at many positions. Each try reads a window of the text
# (grown while the value may go on past it), never the whole rest: a decoding error counts the
# lines before it, which over a 10 MB line is 10 MB per try. What each try reads is charged to
# a budget of `_SCAN_FACTOR` characters per character of text (plus `_SCAN_FLOOR`), so a line
# of garbage is read in linear time. Damage as files really get it (a cut, a bad byte, noise
# between results) spends a small part of it; once it is spent, the rest of the damaged
# stretch is quarantined whole (nothing is dropped: its text is in the quarantine).
_SCAN_FACTOR = 16
_SCAN_FLOOR = 1 << 20
_FIRST_WINDOW = 512
_TRY_COST = 32  # the fixed cost of a try, in characters
_OBJECT_START = re.compile(r'\{\s*"')  # an object with a key: a result has keys
_OPENERS = re.compile(r"[\[\s]*")


class _Scan:
    """The text of a salvaging scan and the reading it may still do."""

    __slots__ = ("budget", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.budget = _SCAN_FACTOR * len(text) + _SCAN_FLOOR

    def decode(self, position: int) -> tuple[Any, int] | str:
        """Returns (value, end) of the JSON value at `position`, or why there is none; what
        was read is charged to the budget."""
        text = self.text
        rest = len(text) - position
        window = _FIRST_WINDOW
        while True:
            whole = window >= rest
            chunk = text[position:] if whole else text[position : position + window]
            try:
                value, end = _DECODER.raw_decode(chunk)
            except json.JSONDecodeError as exc:
                self.budget -= exc.pos + _TRY_COST
                # Cut by the window (an unterminated string, a value or delimiter at its end)?
                if whole or self.budget <= 0 or not (
                    exc.pos >= window - 16 or exc.msg.startswith("Unterminated string")
                ):
                    return exc.msg
            except RecursionError:  # nested deeper than the interpreter allows
                self.budget -= window + _TRY_COST
                return "nested too deep"
            except ValueError as exc:  # a number of thousands of digits
                self.budget -= window + _TRY_COST
                return _short(exc)
            else:
                self.budget -= end + _TRY_COST
                if whole or end < window:  # (a number may go on past the window)
                    return value, position + end
            window *= 4


def _salvage_document(text: str, origin: str) -> Iterator[Outcome]:
    """Yields what a damaged document holds; the whole text as one Malformed when nothing."""
    found = False
    for outcome in _salvage(text, origin):
        found = True
        yield outcome
    if not found:  # e.g. only opening brackets
        yield Malformed(f"{origin}:1", "not JSON (no value in the document)", text)


def _salvage(text: str, origin: str, first_line: int = 1) -> Iterator[Outcome]:
    """Scans damaged JSON value by value, descending into arrays and API pages' `results`,
    keeping what decodes; `first_line` is the line number `text` starts on. Linear in the
    length of `text` (see `_Scan`)."""
    newlines = [match.start() for match in re.finditer("\n", text)]

    def where(offset: int) -> str:
        return f"{origin}:{bisect_right(newlines, offset - 1) + first_line}"

    scan = _Scan(text)
    position = 0
    length = len(text)
    depth_stack: list[int] = []  # one entry per array we stepped into (its element index)
    while position < length:
        while position < length and text[position] in " \t\r\n,\ufeff":
            position += 1
        if position >= length:
            break
        char = text[position]
        if char == "[" and len(depth_stack) >= _MAX_CONTAINER_DEPTH:  # garbage, not a document
            stop = _OPENERS.match(text, position).end()  # type: ignore[union-attr]
            reason = f"arrays nested more than {_MAX_CONTAINER_DEPTH} deep: not results"
            yield Malformed(where(position), reason, text[position:stop])
            position = stop
            continue
        if char == "[":
            depth_stack.append(0)
            position += 1
            continue
        if char in "]}":  # the end of an array, or of an API page we stepped into
            if char == "]" and depth_stack:
                depth_stack.pop()
            position += 1
            continue
        decoded = scan.decode(position) if scan.budget > 0 else "the damaged rest was not scanned"
        if isinstance(decoded, str):
            page = _PAGE_HEADER.match(text, position) if char == "{" else None
            if page is not None:
                depth_stack.append(0)
                position = page.end()
                continue
            stop = _next_start(scan, position + 1)
            raw = text[position:stop].rstrip(" \t\r\n,")
            yield Malformed(where(position), f"not JSON ({decoded})", raw)
            position = stop
            continue
        value, end = decoded
        yield from _classify(value, where(position), text[position:end])
        position = end


def _next_start(scan: _Scan, position: int) -> int:
    """Returns where the next result may begin after a damaged one, or the end.

    A candidate is a `{"` that decodes to a result-like object (one with `msm_id`, `prb_id`
    or a text `type`) or to an API page. Objects nested inside the damaged result (hops,
    replies, ICMP extensions) are skipped, so they are neither reported as records of their
    own nor allowed to hide the results that follow. Quote parity is not trusted: a result
    cut inside a string leaves the scanner out of step, so candidates are tried by position,
    while the scan's budget lasts (then the rest is one damaged stretch).
    """
    text = scan.text
    found = _OBJECT_START.search(text, position)
    while found is not None and scan.budget > 0:
        candidate = found.start()
        decoded = scan.decode(candidate)
        if not isinstance(decoded, str) and _looks_like_result(decoded[0]):
            return candidate
        found = _OBJECT_START.search(text, candidate + 1)
    return len(text)


def _looks_like_result(value: Any) -> bool:
    return isinstance(value, dict) and (
        "msm_id" in value
        or "prb_id" in value
        or isinstance(value.get("type"), str)
        or isinstance(value.get("results"), list)  # an API page
    )


def read_results(path: Path, table: AddressTable | None = None) -> Iterator[Outcome]:
    """Yields one outcome per result in a results file (JSON array, JSON lines, API page).

    Raises InputError (via the caller's check) only for a file that cannot be opened; a
    damaged file yields Malformed records and every good result it holds.
    """
    yield from parse_bytes(path.read_bytes(), path.name, table)
