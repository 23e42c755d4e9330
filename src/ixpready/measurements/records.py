"""Typed measurement records: what one RIPE Atlas (or ixpready probe) result says, and nothing more.

Every stage after the reader works on these frozen objects; the Atlas JSON keys (`prb_id`,
`dst_addr`, ...) stay in `measurements.parse`. Times are aware UTC datetimes or epoch seconds
(`TraceKey.timestamp`, kept as an int so keys compare exactly), RTTs are milliseconds,
addresses are `ipaddress` objects, collections are tuples.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address, ip_address
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ixpready.kernels import route_reach
from ixpready.kernels import set_fields as set_fields_kernel

IPAddress = IPv4Address | IPv6Address


_SERIALS = itertools.count(1)


def serial_number() -> int:
    """Returns a number no object was given before in this process: an object that is
    worked out once (a `Route`, an address's annotation) carries one, and what depends on it
    is kept in plain dicts under that number. Unlike `id()`, it is never reused."""
    return next(_SERIALS)


_Made = TypeVar("_Made")


def set_fields(obj: _Made, names: tuple[str, ...], values: tuple[Any, ...]) -> _Made:
    """Sets the fields of an object made with `object.__new__` and returns it: a reader's
    record of a frozen dataclass made without its generated `__init__`, one Python call per
    field less (`kernels.set_fields` is the compiled twin)."""
    if set_fields_kernel is not None:
        set_fields_kernel(obj, names, values)
        return obj
    setattr_ = object.__setattr__  # the record is frozen: its fields are set once, here
    for name, value in zip(names, values, strict=True):
        setattr_(obj, name, value)
    return obj


@dataclass(frozen=True, slots=True, order=True)
class TraceKey:
    """What makes a result unique: (measurement id, probe id, start time in epoch seconds).

    Used to deduplicate results read twice and to resume interrupted work.
    """

    msm_id: int
    prb_id: int
    timestamp: int

    @classmethod
    def of(cls, msm_id: int, prb_id: int, timestamp: int) -> TraceKey:
        """Returns `TraceKey(msm_id, prb_id, timestamp)` (a reader's: without __init__)."""
        return set_fields(object.__new__(cls), _KEY_FIELDS, (msm_id, prb_id, timestamp))

    @property
    def started(self) -> datetime:
        """Returns the start time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp, tz=UTC)

    def __str__(self) -> str:
        return f"msm {self.msm_id}, probe {self.prb_id}, {self.started:%Y-%m-%dT%H:%M:%SZ}"


@dataclass(frozen=True, slots=True)
class MplsLabel:
    """One MPLS label stack entry quoted in an ICMP extension (RFC 4950)."""

    label: int
    exp: int | None
    bottom_of_stack: bool
    ttl: int | None


@dataclass(frozen=True, slots=True)
class Reply:
    """One probe packet's outcome at one hop. `address is None` means no reply (`*`).

    `error` is the ICMP error other than time-exceeded (`"H"`, `"N"`, `"P"`, `"A"` or a
    number as text); `send_error` is the probe's own failure to send; `late` counts how many
    packets late a reply came (it then has no RTT); `duplicate` marks a duplicate reply.
    """

    address: IPAddress | None
    rtt_ms: float | None = None
    ttl: int | None = None
    size: int | None = None
    error: str | None = None
    send_error: str | None = None
    late: int | None = None
    duplicate: bool = False
    quoted_ttl: int | None = None
    quoted_destination: IPAddress | None = None
    mpls: tuple[MplsLabel, ...] = ()

    @property
    def is_timeout(self) -> bool:
        """Returns True for a `*`: nothing came back (and nothing failed to send)."""
        return self.address is None and self.send_error is None

    @property
    def usable_rtt_ms(self) -> float | None:
        """Returns the RTT when it may bound distance: a timely, non-duplicate reply."""
        if self.rtt_ms is None or self.duplicate or self.late is not None:
            return None
        return self.rtt_ms


# A reader may keep a hop's packets compactly (see `Hop.compact`): a plain reply (address,
# RTT, TTL and size only, the bulk of every traceroute) as the tuple (address, rtt_ms, ttl,
# size), any other as its `Reply`. `Hop.replies` is made from them on first use.
Packet = tuple[IPAddress | None, float | None, int | None, int | None] | Reply


class PacketSource(Protocol):
    """A hop's packets as a reader decoded them, turned into `Packet`s only when asked."""

    def packets(self) -> tuple[Packet, ...]:
        """Returns the hop's packets, in the order they were sent."""
        ...


# Each distinct responding address of a hop with its smallest usable RTT (`address_rtts`).
AddressRtts = tuple[tuple[IPAddress, float | None], ...]


@dataclass(frozen=True, slots=True)
class Hop:
    """All replies for one TTL. `number` 255 is a last attempt after silent hops.

    `error` holds a hop-level failure text (e.g. "connect failed: Network is unreachable").
    `inherited` marks a hop the ixpready probe copied from an earlier trace's shared prefix
    (its stop set) instead of probing it again.

    A reader may keep a hop's packets compactly (`Hop.compact`): `replies` is then left
    unset and made from the packets on first read (`__getattr__`), then kept.
    """

    number: int
    replies: tuple[Reply, ...]
    error: str | None = None
    inherited: bool = False
    # The packets as a reader kept them (`Hop.compact`), when `replies` is not made yet.
    _packets: tuple[Packet, ...] | PacketSource | None = field(
        default=None, init=False, repr=False, compare=False
    )
    # Derived from the replies on first use and kept (see `address_rtts`); not compared.
    _rtts: AddressRtts | None = field(default=None, init=False, repr=False, compare=False)
    _by_address: dict[IPAddress, float | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _min_rtt_ms: float | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def compact(
        cls,
        number: int,
        packets: tuple[Packet, ...] | PacketSource,
        error: str | None = None,
        inherited: bool = False,
    ) -> Hop:
        """Returns the Hop `Hop(number, replies, error, inherited)` would be, its `Reply`
        objects made from `packets` (or from a `PacketSource`'s, asked on first need) only
        when `replies` is first read."""
        hop = object.__new__(cls)
        setattr_ = object.__setattr__  # the hop is frozen: its fields are set once, here
        setattr_(hop, "number", number)
        setattr_(hop, "error", error)
        setattr_(hop, "inherited", inherited)
        setattr_(hop, "_packets", packets)
        setattr_(hop, "_rtts", None)
        setattr_(hop, "_by_address", None)
        setattr_(hop, "_min_rtt_ms", None)
        return hop  # `replies` left unset: made on first read

    if not TYPE_CHECKING:  # (hidden from mypy, which would type every unknown name by it)

        def __getattr__(self, name: str) -> Any:
            """Makes `replies` of a compact hop on first read (Python asks here only for a
            field not set yet); any other unknown name is an AttributeError as usual."""
            if name != "replies":
                raise AttributeError(f"'Hop' object has no attribute {name!r}")
            replies = _replies_of(self._replies_or_packets())
            object.__setattr__(self, "replies", replies)
            return replies

    def _replies_or_packets(self) -> tuple[Packet, ...]:
        packets = self._packets
        if packets is None:
            return self.replies
        if not isinstance(packets, tuple):
            packets = packets.packets()
            object.__setattr__(self, "_packets", packets)
        return packets

    def address_rtts(self) -> tuple[tuple[IPAddress, float | None], ...]:
        """Returns each distinct responding address, in the order it first replied, with its
        smallest usable RTT (ms; None when none of its replies has one): `rtt_by_address` as
        pairs, made without hashing an address (a Python call for `ipaddress` objects).
        Computed once."""
        found = self._rtts
        if found is None:
            found, best_any = _address_rtts(self._replies_or_packets())
            object.__setattr__(self, "_min_rtt_ms", best_any)
            object.__setattr__(self, "_rtts", found)
        return found

    def rtt_by_address(self) -> dict[IPAddress, float | None]:
        """Returns each distinct responding address, in the order it first replied, with its
        smallest usable RTT (ms; None when none of its replies has one). Computed once."""
        found = self._by_address
        if found is None:
            found = dict(self.address_rtts())
            object.__setattr__(self, "_by_address", found)
        return found

    def usable_rtts(self) -> list[tuple[IPAddress, float]]:
        """Returns (address, RTT) of every timely, non-duplicate reply with both, in order."""
        pairs: list[tuple[IPAddress, float]] = []
        for packet in self._replies_or_packets():
            if isinstance(packet, tuple):
                address, rtt = packet[0], packet[1]
            else:
                if packet.duplicate or packet.late is not None:
                    continue
                address, rtt = packet.address, packet.rtt_ms
            if address is not None and rtt is not None:
                pairs.append((address, rtt))
        return pairs

    @property
    def addresses(self) -> tuple[IPAddress, ...]:
        """Returns the distinct responding addresses, in the order they first replied."""
        return tuple(address for address, _rtt in self.address_rtts())

    @property
    def is_silent(self) -> bool:
        """Returns True when no packet of this hop got any reply."""
        return not self.address_rtts()

    def min_rtt_ms(self, address: IPAddress | None = None) -> float | None:
        """Returns the smallest usable RTT (ms), of one address if given, else of any."""
        pairs = self.address_rtts()
        if address is None:
            return self._min_rtt_ms
        for known, rtt in pairs:
            if known is address or known == address:
                return rtt
        return None


def _address_rtts(
    packets: tuple[Packet, ...],
) -> tuple[tuple[tuple[IPAddress, float | None], ...], float | None]:
    """Returns `Hop.address_rtts` of packets, and the smallest usable RTT of any."""
    seen: list[IPAddress] = []
    best: list[float | None] = []
    best_any: float | None = None
    for packet in packets:
        if isinstance(packet, tuple):
            address, rtt = packet[0], packet[1]
        else:
            rtt = packet.rtt_ms
            if rtt is not None and (packet.duplicate or packet.late is not None):
                rtt = None
            address = packet.address
        if rtt is not None and (best_any is None or rtt < best_any):
            best_any = rtt
        if address is None:
            continue
        for index, known in enumerate(seen):
            if known is address or known == address:  # as a dict compares its keys
                current = best[index]
                if rtt is not None and (current is None or rtt < current):
                    best[index] = rtt
                break
        else:
            seen.append(address)
            best.append(rtt)
    return tuple(zip(seen, best, strict=True)), best_any


def _plain_reply_maker() -> Callable[
    [IPAddress | None, float | None, int | None, int | None], Reply
]:
    """Returns a constructor of `Reply(address, rtt_ms, ttl, size)`, other fields at their
    defaults, that fills the slots directly: a frozen dataclass's `__init__` sets each of its
    11 fields through `object.__setattr__`. Returns `Reply` itself should its fields ever
    differ from the ones this was written for."""
    expected = (
        ("address", MISSING), ("rtt_ms", None), ("ttl", None), ("size", None), ("error", None),
        ("send_error", None), ("late", None), ("duplicate", False), ("quoted_ttl", None),
        ("quoted_destination", None), ("mpls", ()),
    )  # fmt: skip
    if (
        tuple((f.name, f.default) for f in fields(Reply)) != expected
        or hasattr(Reply, "__post_init__")
        or Reply.__slots__ != tuple(name for name, _ in expected)
    ):
        return Reply
    slots = [getattr(Reply, name).__set__ for name, _ in expected]
    new = object.__new__
    set_address, set_rtt, set_ttl, set_size, *rest = slots
    set_error, set_send_error, set_late, set_duplicate, set_qttl, set_qdst, set_mpls = rest

    def plain(
        address: IPAddress | None, rtt_ms: float | None, ttl: int | None, size: int | None
    ) -> Reply:
        reply = new(Reply)
        set_address(reply, address)
        set_rtt(reply, rtt_ms)
        set_ttl(reply, ttl)
        set_size(reply, size)
        set_error(reply, None)
        set_send_error(reply, None)
        set_late(reply, None)
        set_duplicate(reply, False)
        set_qttl(reply, None)
        set_qdst(reply, None)
        set_mpls(reply, ())
        return reply

    return plain


plain_reply = _plain_reply_maker()


def _replies_of(packets: tuple[Packet, ...]) -> tuple[Reply, ...]:
    return tuple(p if isinstance(p, Reply) else plain_reply(*p) for p in packets)


Stop = tuple[int, IPAddress | None, bool]
"""One responding address at one hop of a trace, or the hop's silence: (hop number, address or
None when no packet of the hop got a reply, inherited: copied from an earlier trace)."""


@dataclass(frozen=True, slots=True)
class Route:
    """What a trace's hops say apart from timing: each distinct responding address of each hop,
    hop by hop and in the order it first replied, and a silent hop as one stop without an
    address (`Stop`). The RTTs that go with the stops are the trace's (`Trace.stop_rtts`).

    The traces of one source and destination usually repeat their route round after round.
    A reader hands equal routes of one read out as one object (`AddressTable.route`), so
    analysis works out what depends on the route alone once per route object rather than per
    trace. `numbers` names the stops' addresses by their `AddressTable` numbers (0 for a
    silent hop) when a reader made the route; None for one built from hops.
    """

    stops: tuple[Stop, ...]
    numbers: tuple[int, ...] | None = field(default=None, repr=False, compare=False)
    # True when no two stops share a hop number: each stop is a hop of its own.
    one_per_hop: bool = field(init=False, repr=False, compare=False)
    # This Route object's own number, never reused: what is worked out per route object is
    # kept in plain dicts under it (see `serial_number`).
    serial: int = field(default_factory=serial_number, init=False, repr=False, compare=False)
    # Per address asked about (a destination, usually one per route), the indexes of the
    # stops that are that address.
    _found: dict[IPAddress, tuple[int, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        hops = set(map(itemgetter(0), self.stops))
        object.__setattr__(self, "one_per_hop", len(hops) == len(self.stops))

    @classmethod
    def read(
        cls, stops: tuple[Stop, ...], numbers: tuple[int, ...], hop_numbers: tuple[int, ...]
    ) -> Route:
        """Returns `Route(stops, numbers)` as a reader makes it (without __init__), the stops'
        hop numbers given (`one_per_hop` from them)."""
        one_per_hop = len(set(hop_numbers)) == len(hop_numbers)
        return set_fields(
            object.__new__(cls), _ROUTE_FIELDS,
            (stops, numbers, one_per_hop, serial_number(), {}),
        )  # fmt: skip

    def positions(self, address: IPAddress) -> tuple[int, ...]:
        """Returns the indexes of the stops whose address equals `address` (kept per object)."""
        found = self._found.get(address)
        if found is None:
            found = self._found[address] = tuple(
                index
                for index, (_number, known, _inherited) in enumerate(self.stops)
                if known is not None and (known is address or known == address)
            )
        return found

    def reach(
        self, address: IPAddress, rtts: tuple[float | None, ...], number: int = 0
    ) -> tuple[bool, float | None]:
        """Returns whether some stop is `address`, and the smallest of a trace's stop RTTs
        (`Trace.stop_rtts`) at those stops (None when none has one). `number`: the address's
        number in the table the route was read with, when known (then no address compared)."""
        numbers = self.numbers
        if number and numbers is not None:
            found = None if route_reach is None else route_reach(numbers, number, rtts)
            return _reach_numbered(numbers, number, rtts) if found is None else found
        return _smallest_at(self.positions(address), rtts)


def _reach_numbered(
    numbers: tuple[int, ...], number: int, rtts: tuple[float | None, ...]
) -> tuple[bool, float | None]:
    """`Route.reach` for an address known by its number: whether some stop's number is
    `number`, and the smallest RTT at those stops. `kernels.route_reach` is its compiled twin."""
    return _smallest_at(
        tuple(index for index, known in enumerate(numbers) if known == number), rtts
    )


def _smallest_at(
    positions: tuple[int, ...], rtts: tuple[float | None, ...]
) -> tuple[bool, float | None]:
    """Returns whether there are `positions`, and the smallest of `rtts` at them (None when
    none has one)."""
    best: float | None = None
    for index in positions:
        rtt = rtts[index]
        if rtt is not None and (best is None or rtt < best):
            best = rtt
    return bool(positions), best


def stops_of(hops: tuple[Hop, ...]) -> tuple[list[Stop], tuple[float | None, ...]]:
    """Returns the stops of hops (see `Route`) and, stop by stop, the smallest usable RTT (ms)
    of the stop's address at its hop (None for a silent hop or an address without one)."""
    stops: list[Stop] = []
    rtts: list[float | None] = []
    for hop in hops:
        pairs = hop.address_rtts()
        if not pairs:
            stops.append((hop.number, None, hop.inherited))
            rtts.append(None)
            continue
        for address, rtt in pairs:
            stops.append((hop.number, address, hop.inherited))
            rtts.append(rtt)
    return stops, tuple(rtts)


def route_of(hops: tuple[Hop, ...]) -> tuple[Route, tuple[float | None, ...]]:
    """Returns the route of hops, a Route object of its own, and its stop RTTs (`stops_of`)."""
    stops, rtts = stops_of(hops)
    return Route(tuple(stops)), rtts


class AddressTable:
    """Per run (a read, an analysis): each address read once and named by a small number.

    A reader parses each distinct address text once into one `ipaddress` object and gives it a
    number (`serial_number`: never given to anything else in the process, so the numbers of
    two tables never clash); equal addresses written differently share one. What is worked
    out per address is kept in plain dicts under its number: an int hashes in C, an
    `ipaddress` object in Python. Equal routes read with one table are one `Route` object
    (`route`). A table is bounded: past `MAX_ADDRESSES` addresses (or `MAX_ROUTES` routes)
    what it holds is forgotten; an address seen again then gets a new number, which costs
    work, never a different result (numbers are never reused).
    """

    MAX_ADDRESSES = 200_000
    MAX_ROUTES = 100_000

    __slots__ = ("_by_address", "_routes", "addresses", "epoch", "numbers")

    def __init__(self) -> None:
        self.epoch = 0  # how many times the table was emptied (numbers of two epochs differ)
        self.numbers: dict[str, int] = {}  # by address text, as read
        self.addresses: dict[int, IPAddress] = {}  # by number
        self._by_address: dict[IPAddress, int] = {}
        self._routes: dict[Hashable, Route] = {}

    def number(self, text: str) -> int:
        """Returns the number of the address a text names (parsed on first sight).

        Raises ValueError when the text is not an IP address."""
        found = self.numbers.get(text)
        if found is None:
            found = self.number_of(ip_address(text))
            self.numbers[text] = found
        return found

    def address(self, text: str) -> IPAddress:
        """Returns the one address object of a text read before (or now)."""
        return self.addresses[self.number(text)]

    def number_of(self, address: IPAddress) -> int:
        """Returns the number of an address object (hashing it: for addresses not read as
        text by this table); the table keeps the first object of each address."""
        found = self._by_address.get(address)
        if found is None:
            if len(self._by_address) >= self.MAX_ADDRESSES:
                self._by_address.clear()
                self.addresses.clear()
                self.numbers.clear()
                self._routes.clear()
                self.epoch += 1
            found = self._by_address[address] = serial_number()
            self.addresses[found] = address
        return found

    def route_numbers(self, route: Route) -> tuple[int, ...]:
        """Returns the numbers of a route's stops (0 for a silent one): the reader's, else
        found here (a route built from hops)."""
        numbers = route.numbers
        if numbers is None:
            number_of = self.number_of
            numbers = tuple(
                0 if address is None else number_of(address)
                for _number, address, _inherited in route.stops
            )
        return numbers

    def known_route(self, key: Hashable) -> Route | None:
        """Returns the Route read before under `key` (see `route`), if any."""
        return self._routes.get(key)

    def route(
        self,
        key: Hashable,
        stops: Sequence[Stop],
        numbers: tuple[int, ...],
        hop_numbers: tuple[int, ...] | None = None,
    ) -> Route:
        """Returns the one Route of these stops among those read with this table; `key`
        names the stops (the reader's: hop numbers, address texts, inherited flags);
        `hop_numbers`, the stops' hop numbers, when the reader has them at hand."""
        found = self._routes.get(key)
        if found is None:
            if len(self._routes) >= self.MAX_ROUTES:
                self._routes.clear()
            found = self._routes[key] = (
                Route(tuple(stops), numbers)
                if hop_numbers is None
                else Route.read(tuple(stops), numbers, hop_numbers)
            )
        return found


def route_groups(traces: Sequence[Trace]) -> list[list[int]]:
    """Returns the positions of `traces` grouped by probe and route object: the groups in the
    order of their first trace, each in the traces' order. A probe's traces of one route (its
    rounds, usually) can then be taken together, their RTTs stop by stop."""
    groups: dict[tuple[int, int], list[int]] = {}
    for position, trace in enumerate(traces):
        key = (trace.key.prb_id, trace.route().serial)
        group = groups.get(key)
        if group is None:
            groups[key] = [position]
        else:
            group.append(position)
    return list(groups.values())


@dataclass(frozen=True, slots=True)
class Trace:
    """One traceroute result, from RIPE Atlas or the ixpready probe.

    `source` is the probe's local address (`src_addr`), `public_source` the address the
    Atlas back-end saw it come from (`from`; None when unknown). `destination` is None when
    the probe could not resolve the target name. `error` is a result-level failure text.
    `origin` says which software produced the result ("atlas" or "ixpready-probe");
    `vantage` is the probe's own description when the result carries one (the ixpready
    probe writes its name, ASN, country and coordinates into every result).

    A reader may leave the hops to be made on first use (`Trace.lazy`): `hops` is then left
    unset and made by its `HopSource` on first read (`__getattr__`), then kept.
    """

    key: TraceKey
    af: int
    protocol: str
    destination: IPAddress | None
    destination_name: str
    source: IPAddress | None
    public_source: IPAddress | None
    hops: tuple[Hop, ...]
    end_time: int | None = None
    paris_id: int | None = None
    firmware: int | None = None
    error: str | None = None
    origin: str = "atlas"
    vantage: Probe | None = None
    # The route and its RTTs (`route`, `stop_rtts`): from the reader or made on first use.
    _route: Route | None = field(default=None, init=False, repr=False, compare=False)
    _stop_rtts: tuple[float | None, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    # (destination reached, its smallest usable RTT), found on first use; not compared.
    _destination_seen: tuple[bool, float | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    # Where `hops` comes from when a reader left it to be made on first use (`Trace.lazy`).
    _hop_source: HopSource | None = field(default=None, init=False, repr=False, compare=False)
    # The `AddressTable` numbers of the destination and public source (0: none), when the
    # reader gave them: the route's stops are then compared by number, not by address.
    _numbers: tuple[int, int] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def lazy(
        cls, key: TraceKey, af: int, protocol: str, destination: IPAddress | None,
        destination_name: str, source: IPAddress | None, public_source: IPAddress | None,
        hop_source: HopSource, end_time: int | None, paris_id: int | None,
        firmware: int | None, error: str | None, origin: str, vantage: Probe | None,
        route: Route, stop_rtts: tuple[float | None, ...], numbers: tuple[int, int],
    ) -> Trace:  # fmt: skip
        """Returns the Trace `Trace(...)` would be with `hop_source.hops()` as its hops, made
        only when `hops` is first read, its route and stop RTTs as the reader worked them
        out, and `numbers`: those of the destination and public source in the table the
        route was read with (0: none)."""
        trace = set_fields(object.__new__(cls), _LAZY_TRACE_FIELDS, (
            key, af, protocol, destination, destination_name, source, public_source, end_time,
            paris_id, firmware, error, origin, vantage, route, stop_rtts, None, hop_source,
            numbers,
        ))  # fmt: skip
        return trace  # `hops` left unset: made on first read

    if not TYPE_CHECKING:  # (hidden from mypy, which would type every unknown name by it)

        def __getattr__(self, name: str) -> Any:
            """Makes `hops` of a lazily read trace on first read (Python asks here only for
            a field not set yet); any other unknown name is an AttributeError as usual."""
            if name != "hops":
                raise AttributeError(f"'Trace' object has no attribute {name!r}")
            source = self._hop_source
            hops = () if source is None else source.hops()
            object.__setattr__(self, "hops", hops)
            object.__setattr__(self, "_hop_source", None)
            return hops

    def route(self) -> Route:
        """Returns the trace's route (see `Route`)."""
        found = self._route
        if found is None:
            found, rtts = route_of(self.hops)
            object.__setattr__(self, "_route", found)
            object.__setattr__(self, "_stop_rtts", rtts)
        return found

    def stop_rtts(self) -> tuple[float | None, ...]:
        """Returns, for each stop of `route()`, the smallest usable RTT (ms) of its address at
        its hop; None for a silent hop or an address without one."""
        rtts = self._stop_rtts
        if rtts is None:
            self.route()
            rtts = self._stop_rtts
            assert rtts is not None
        return rtts

    def set_route(self, route: Route, rtts: tuple[float | None, ...]) -> None:
        """Records the route a reader worked out while reading the hops (equal to what
        `route_of(self.hops)` returns, `route` perhaps an interned object)."""
        object.__setattr__(self, "_route", route)
        object.__setattr__(self, "_stop_rtts", rtts)

    def destination_seen(self) -> tuple[bool, float | None]:
        """Returns `destination_reached` and `destination_rtt_ms` together (found once)."""
        found = self._destination_seen
        if found is None:
            found = self.reach_destination()
            object.__setattr__(self, "_destination_seen", found)
        return found

    def reach_destination(self) -> tuple[bool, float | None]:
        """Returns what `destination_seen` does, found anew and not kept in the trace."""
        destination = self.destination
        if destination is None:
            return False, None
        numbers = self._numbers
        route, rtts = self._route, self._stop_rtts  # (set together)
        if route is None or rtts is None:
            route, rtts = self.route(), self.stop_rtts()
        return route.reach(destination, rtts, numbers[0] if numbers else 0)

    def address_keys(self) -> tuple[object, object]:
        """Returns keys for the destination and the public source that equal those of
        another trace exactly when the addresses are equal: their numbers when the reader gave
        them (cheap to hash), else the addresses (None when absent)."""
        numbers = self._numbers
        if numbers is not None:
            return numbers
        return self.destination, self.public_source

    @property
    def destination_reached(self) -> bool:
        """Returns True when some reply came from the destination address itself."""
        return self.destination_seen()[0]

    @property
    def destination_rtt_ms(self) -> float | None:
        """Returns the smallest usable RTT (ms) of the destination's own replies, if any."""
        return self.destination_seen()[1]


# The fields a reader sets, in the order of the values it gives (`set_fields`).
_KEY_FIELDS = ("msm_id", "prb_id", "timestamp")
_ROUTE_FIELDS = ("stops", "numbers", "one_per_hop", "serial", "_found")
_LAZY_TRACE_FIELDS = (
    "key", "af", "protocol", "destination", "destination_name", "source", "public_source",
    "end_time", "paris_id", "firmware", "error", "origin", "vantage", "_route", "_stop_rtts",
    "_destination_seen", "_hop_source", "_numbers",
)  # fmt: skip


class HopSource(Protocol):
    """A trace's hops as a reader decoded them, turned into `Hop`s only when asked."""

    def hops(self) -> tuple[Hop, ...]:
        """Returns the trace's hops, in order."""
        ...


@dataclass(frozen=True, slots=True)
class PingResult:
    """One ping result: RTTs of the replies that came back (ms) and how many were sent."""

    key: TraceKey
    af: int
    destination: IPAddress | None
    destination_name: str
    public_source: IPAddress | None
    sent: int
    rtts_ms: tuple[float, ...]
    error: str | None = None
    vantage: Probe | None = None  # an ixpready probe's description of itself

    @property
    def min_rtt_ms(self) -> float | None:
        """Returns the smallest RTT (ms), or None when nothing came back."""
        return min(self.rtts_ms) if self.rtts_ms else None


@dataclass(frozen=True, slots=True)
class DnsResponse:
    """One DNS answer as Atlas records it: the raw wire-format message (`abuf`) and its RTT.

    `resolver` is the server asked (None when the probe used its own resolver and did not say).
    `error` holds a failure such as "timeout 5000" instead of an answer.
    """

    resolver: IPAddress | None
    rtt_ms: float | None
    answer: bytes | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DnsResult:
    """One DNS result, with one response per resolver asked (`resultset`) or a single one."""

    key: TraceKey
    af: int | None
    public_source: IPAddress | None
    responses: tuple[DnsResponse, ...]
    protocol: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Probe:
    """A measurement vantage point: a RIPE Atlas probe or an operator's ixpready probe.

    Coordinates are decimal degrees (None when unknown); RIPE Atlas blurs them to about a
    kilometre. `country` is ISO 3166 alpha-2 as declared by the host, which is wrong for
    about 1.5 % of probes: analysis checks it against RTTs.
    """

    id: int
    asn_v4: int | None = None
    asn_v6: int | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    status: str | None = None
    description: str = ""
    address_v4: IPAddress | None = None
    address_v6: IPAddress | None = None
    prefix_v4: str | None = None
    prefix_v6: str | None = None
    is_anchor: bool = False
    tags: tuple[str, ...] = ()

    def asn(self, af: int) -> int | None:
        """Returns the probe's ASN for address family 4 or 6."""
        return self.asn_v6 if af == 6 else self.asn_v4

    @property
    def has_location(self) -> bool:
        """Returns True when the probe's coordinates are known."""
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class Malformed:
    """A record that could not be read, kept verbatim for the quarantine file.

    `where` names the place ("mesh.jsonl:418" or "results.json[17]"), `reason` is one
    sentence a person can act on, `raw` the record exactly as received.
    """

    where: str
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A well-formed record of a kind ixpready does not use (an HTTP or NTP result, ...)."""

    where: str
    reason: str


Result = Trace | PingResult | DnsResult


@dataclass(frozen=True)
class ReadTally:
    """How many records of each kind a read produced; `quarantined` lists the bad ones."""

    traces: int = 0
    pings: int = 0
    dns: int = 0
    duplicates: int = 0
    skipped: int = 0
    quarantined: tuple[Malformed, ...] = field(default=())
