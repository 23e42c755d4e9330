"""The traceroute engine: many Paris traceroutes at once, paced for routers that rate-limit ICMP.

What limits a real prober is not packet crafting but routers' ICMP rate limits: a Linux
router answers about one time-exceeded a second to a given source after a burst of about six
(`net.ipv4.icmp_ratelimit`). So the engine:

1. paces probes per responding router: each responder (known from an earlier reply at that
   TTL, or from the stop set) has a token bucket (`router_burst`, `router_pps`), and a probe
   expected to reach it waits for a token; an unexpected reply still spends one;
2. re-probes a packet that went silent when its hop has a known responder (so the silence
   was most likely rate limiting) up to `retries` times, after draining that responder's
   bucket, before writing `*`; a hop that never answered gets one late retry;
3. does not re-probe the near hops every target shares (a stop set, as Doubletree and scamper
   do): the first target ("pilot") is traced in full; later targets probe forward from where
   a reference trace ended and backward one packet at a time, until a reply matches a
   stop-set address at that TTL. That hop and all before it are copied from the reference
   trace and marked inherited. Within the reference's own address group (/24, /48), when
   that one backward packet gets no reply (its router is busy rate-limiting) but the target
   answered one hop further and not at that TTL (echo replies and TCP answers are never
   rate-limited, so its distance is proven), the target inherits the group's near hops
   without waiting for the router. `verify_joins` turns this off (every join is then
   confirmed by the router's own reply, paced at its rate); UDP traces always confirm.

Every TTL of a target's window is in flight at once; all targets run concurrently under a
global packets-per-second cap. One receive socket (AF_PACKET) reads replies; `packets`
parses them without scapy, `craft` builds the probes with scapy.
"""

from __future__ import annotations

import contextlib
import ctypes
import select
import socket
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Network, ip_network
from typing import Any

from ixpready_probe.errors import NoRouteError, RawSocketError
from ixpready_probe.packets import ETH_P_IP, ETH_P_IPV6, IPAddress, ReplyPacket, parse_ip_packet

ETH_P_ALL = 0x0003
PACKET_HOST = 0
UDP_PROBE_BASE_PORT = 33434  # the flow (source port / echo id) is this + paris_id


@dataclass(frozen=True, slots=True)
class TraceOptions:
    """How to trace. Rates are per second, times in seconds."""

    protocol: str = "ICMP"
    packets_per_hop: int = 3
    max_hops: int = 32
    timeout_s: float = 2.0
    pps: float = 100.0
    router_pps: float = 0.9
    router_burst: float = 4.0
    retries: int = 3
    gap_limit: int = 5
    window: int = 8
    concurrency: int = 64
    paris_id: int = 1
    port: int = 80
    size: int = 48
    stop_set: bool = True
    verify_joins: bool = False
    group_prefix_v4: int = 24
    group_prefix_v6: int = 48
    deadline_s: float | None = None


@dataclass(frozen=True, slots=True)
class TraceTarget:
    """One destination: the name asked for and the address it resolved to."""

    name: str
    address: IPAddress


@dataclass(frozen=True, slots=True)
class ProbeReply:
    """One answered probe: responder, RTT in ms and the reply's own fields."""

    address: IPAddress
    rtt_ms: float
    ttl: int
    size: int
    error: str | int | None = None
    quoted_ttl: int | None = None
    icmpext: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class HopOutcome:
    """All packets of one TTL; None stands for a packet without reply (`*`)."""

    ttl: int
    replies: tuple[ProbeReply | None, ...]
    inherited: bool = False


@dataclass(frozen=True, slots=True)
class TraceOutcome:
    """One finished traceroute. Times are epoch seconds."""

    target: TraceTarget
    source: IPAddress
    flow: int
    started: float
    ended: float
    hops: tuple[HopOutcome, ...]
    reached: bool


# ---------------------------------------------------------------------------------------------


class _Bucket:
    """A token bucket modelling one router's ICMP rate limiter (or the global send cap)."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def ready_in(self, now: float) -> float:
        self.refill(now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


@dataclass(slots=True)
class _Slot:
    ttl: int
    index: int
    tries: int = 0
    token: int = 0
    sent_at: float = 0.0
    expected: IPAddress | None = None
    not_before: float = 0.0
    in_flight: bool = False
    reply: ProbeReply | None = None
    done: bool = False


@dataclass(slots=True)
class _Reference:
    """A finished trace that later targets may inherit near hops from."""

    hops: tuple[HopOutcome, ...]
    end_ttl: int


@dataclass(slots=True)
class _Target:
    spec: TraceTarget
    source: IPAddress
    group: IPv4Network | IPv6Network
    started: float = 0.0
    running: bool = False
    finished: bool = False
    slots: dict[int, list[_Slot]] = field(default_factory=dict)
    end_ttl: int | None = None  # destination (or an unreachable) answered at this TTL
    reached: bool = False
    low: int = 1  # lowest TTL probed so far
    high: int = 0  # highest TTL opened so far
    backward: bool = False  # probing backward towards the stop set
    join_ttl: int = 0  # hops 1..join_ttl are inherited
    trusting: bool = False  # same group as its reference: a verified distance is enough
    reference: _Reference | None = None
    next_token: int = 1
    template: Any = None  # craft.ProbeTemplate, built by scapy at the first send


class Engine:
    """Runs traceroutes; `run(targets)` returns one TraceOutcome per target, in order."""

    def __init__(
        self,
        options: TraceOptions,
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.options = options
        self.on_progress = on_progress
        self._routers: dict[IPAddress, _Bucket] = {}
        self._pending: dict[tuple[IPAddress, int], tuple[_Target, _Slot]] = {}
        self._references: dict[IPv4Network | IPv6Network, _Reference] = {}
        # per address family (4, 6): the latest pilot's trace, and the stop set by TTL
        self._last_reference: dict[int, _Reference] = {}
        self._stop_set: dict[tuple[int, int], dict[IPAddress, _Reference]] = {}
        self._flow = UDP_PROBE_BASE_PORT + options.paris_id
        self._sent = 0
        self._ended: dict[int, float] = {}
        self._tracing_s = 0.0

    # -- public -----------------------------------------------------------------------------

    @property
    def packets_sent(self) -> int:
        """Returns how many probe packets went out."""
        return self._sent

    @property
    def tracing_s(self) -> float:
        """Returns the seconds spent tracing (sockets open), without start-up costs."""
        return self._tracing_s

    def run(self, targets: Sequence[TraceTarget]) -> list[TraceOutcome]:
        """Traces every target; returns their outcomes in the order given.

        Raises RawSocketError when raw sockets are not permitted, NoRouteError when the host
        has no route to a target.
        """
        from ixpready_probe.craft import ProbeTemplate  # scapy loads only when tracing

        self._template = ProbeTemplate
        states = [self._state(target) for target in targets]
        senders = self._open_senders({state.spec.address.version for state in states})
        receiver = _open_receiver()
        started = time.monotonic()
        try:
            self._loop(states, senders, receiver)
        finally:
            self._tracing_s = time.monotonic() - started
            receiver.close()
            for sender in senders.values():
                sender.close()
        return [self._outcome(state) for state in states]

    # -- setup ------------------------------------------------------------------------------

    def _state(self, target: TraceTarget) -> _Target:
        af = target.address.version
        source = source_address_for(target.address)
        prefix = self.options.group_prefix_v4 if af == 4 else self.options.group_prefix_v6
        group = ip_network(f"{target.address}/{prefix}", strict=False)
        return _Target(spec=target, source=source, group=group)

    def _open_senders(self, families: set[int]) -> dict[int, socket.socket]:
        senders: dict[int, socket.socket] = {}
        for af in sorted(families):
            family = socket.AF_INET if af == 4 else socket.AF_INET6
            try:
                sender = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_RAW)
            except PermissionError as exc:
                raise RawSocketError(str(exc)) from None
            sender.setblocking(False)
            senders[af] = sender
        return senders

    # -- the loop ---------------------------------------------------------------------------

    def _loop(
        self, states: list[_Target], senders: dict[int, socket.socket], receiver: socket.socket
    ) -> None:
        options = self.options
        start = time.monotonic()
        stop_at = None if options.deadline_s is None else start + options.deadline_s
        global_cap = _Bucket(options.pps, max(1.0, min(options.pps, options.pps / 10 + 8)), start)
        total = len(states)
        done = 0
        while done < total:
            now = time.monotonic()
            if stop_at is not None and now >= stop_at:
                for state in states:
                    if not state.finished:
                        self._abandon(state)
                break
            self._receive(receiver)
            now = time.monotonic()
            self._start_targets(states, now)
            wake = now + 0.05
            for state in states:
                if not state.running or state.finished:
                    continue
                self._expire(state, now)
                self._plan(state, now)
                if self._complete(state):
                    self._finish(state, now)
                    done += 1
                    if self.on_progress is not None:
                        self._progress(done, total)
                    continue
                wake = min(wake, self._send_ready(state, senders, global_cap, now))
            if done >= total:
                break
            pause = max(0.0, wake - time.monotonic())
            if pause > 0:
                select.select([receiver], [], [], pause)

    def _progress(self, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(done, total)

    def _start_targets(self, states: list[_Target], now: float) -> None:
        running = sum(1 for s in states if s.running and not s.finished)
        pilots = {s.group for s in states if s.running and not s.finished and not s.backward}
        first_pilots = {g.version for g in pilots}
        for state in states:
            if running >= self.options.concurrency:
                return
            if state.running or state.finished:
                continue
            reference = self._references.get(state.group) if self.options.stop_set else None
            if reference is None and self.options.stop_set:
                if state.group in pilots:
                    continue  # wait for the group's pilot to finish
                af = state.spec.address.version
                if af not in self._last_reference and af in first_pilots:
                    continue  # the very first pilot maps the shared near hops alone
                reference = self._last_reference.get(af)
            self._begin(state, reference, now)
            running += 1
            if not state.backward:
                pilots.add(state.group)
                first_pilots.add(state.group.version)

    def _begin(self, state: _Target, reference: _Reference | None, now: float) -> None:
        state.running = True
        state.started = time.time()
        if reference is not None and reference.end_ttl >= 2:
            state.backward = True
            state.reference = reference
            state.trusting = (
                not self.options.verify_joins
                and self.options.protocol != "UDP"
                and self._references.get(state.group) is reference
            )
            state.low = reference.end_ttl
            state.high = state.low - 1
            self._open_forward(state, self.options.packets_per_hop, now, width=2)
            self._open(state, state.low - 1, now, count=1)
            state.low -= 1
        else:
            state.low = 1
            self._open_forward(state, self.options.packets_per_hop, now, width=self.options.window)

    def _open_forward(self, state: _Target, count: int, now: float, width: int) -> None:
        top = min(self.options.max_hops, state.high + width)
        for ttl in range(state.high + 1, top + 1):
            self._open(state, ttl, now, count=1)
        state.high = max(state.high, top)

    def _open(self, state: _Target, ttl: int, now: float, count: int) -> None:
        slots = state.slots.setdefault(ttl, [])
        while len(slots) < count:
            slots.append(_Slot(ttl=ttl, index=len(slots), not_before=now))

    # -- replies ----------------------------------------------------------------------------

    def _receive(self, receiver: socket.socket) -> None:
        while True:
            try:
                data, meta = receiver.recvfrom(65535)
            except BlockingIOError:
                return
            arrived = time.monotonic()
            if meta[2] != PACKET_HOST or meta[1] not in (ETH_P_IP, ETH_P_IPV6):
                continue
            reply = parse_ip_packet(data, meta[1])
            if reply is None or (reply.flow is not None and reply.flow != self._flow):
                continue
            entry = self._pending.pop((reply.target, reply.token), None)
            if entry is None:
                continue
            self._record(entry[0], entry[1], reply, arrived)

    def _record(self, state: _Target, slot: _Slot, packet: ReplyPacket, arrived: float) -> None:
        slot.in_flight = False
        slot.done = True
        slot.reply = ProbeReply(
            address=packet.responder,
            rtt_ms=round((arrived - slot.sent_at) * 1000.0, 3),
            ttl=packet.ttl,
            size=packet.size,
            error=packet.error,
            quoted_ttl=packet.quoted_ttl,
            icmpext=packet.icmpext,
        )
        if slot.expected != packet.responder and self._limited(state, packet.responder):
            self._router(packet.responder, arrived).tokens -= 1.0  # nobody paid for it yet
        if packet.from_target or packet.error is not None:
            state.reached = state.reached or packet.from_target
            if state.end_ttl is None or slot.ttl < state.end_ttl:
                state.end_ttl = slot.ttl

    def _limited(self, state: _Target, responder: IPAddress) -> bool:
        """Returns whether replies from `responder` are ICMP errors, which routers rate-limit.

        The destination answers ICMP echo with echo replies and TCP SYNs with SYN-ACK/RST,
        which no rate limit holds back; only its UDP port-unreachable is limited.
        """
        return responder != state.spec.address or self.options.protocol == "UDP"

    def _router(self, address: IPAddress, now: float) -> _Bucket:
        bucket = self._routers.get(address)
        if bucket is None:
            bucket = self._routers[address] = _Bucket(
                self.options.router_pps, self.options.router_burst, now
            )
        bucket.refill(now)
        return bucket

    # -- timeouts and retries ---------------------------------------------------------------

    def _expire(self, state: _Target, now: float) -> None:
        for slots in state.slots.values():
            for slot in slots:
                if not slot.in_flight or now - slot.sent_at < self.options.timeout_s:
                    continue
                self._pending.pop((state.spec.address, slot.token), None)
                slot.in_flight = False
                expected = slot.expected or self._expected(state, slot.ttl)
                if state.trusting and state.join_ttl == 0 and slot.ttl == state.low:
                    slot.done = True  # the group's join probe: silence is an answer too
                elif expected is not None and slot.tries <= self.options.retries:
                    bucket = self._router(expected, now)  # it was out of tokens: drain it
                    bucket.tokens = min(bucket.tokens, 0.0)
                    slot.not_before = now
                elif expected is None and slot.tries < 2:
                    slot.not_before = now + 1.0 / self.options.router_pps
                else:
                    slot.done = True

    def _expected(self, state: _Target, ttl: int) -> IPAddress | None:
        """Returns who should answer at this TTL: an earlier reply there, or (for the one
        packet probing backward towards the stop set) the stop set's address at this TTL."""
        for slot in state.slots.get(ttl, ()):
            if slot.reply is not None:
                return slot.reply.address
        confirming = state.backward and state.join_ttl == 0 and ttl == state.low
        if confirming and state.trusting:
            return None  # sent at once, never paced nor retried: its silence is the evidence
        if confirming and state.reference is not None and ttl < state.reference.end_ttl:
            known = self._stop_set.get((state.spec.address.version, ttl), {})
            if len(known) == 1:
                return next(iter(known))
        return None

    # -- planning ---------------------------------------------------------------------------

    def _plan(self, state: _Target, now: float) -> None:
        options = self.options
        end = state.end_ttl
        if end is not None:  # nothing beyond the destination
            for ttl in [t for t in state.slots if t > end]:
                for slot in state.slots.pop(ttl):
                    if slot.in_flight:
                        self._pending.pop((state.spec.address, slot.token), None)
            state.high = min(state.high, end)
        # fill every hop whose first packet resolved, except the one being confirmed
        for ttl, slots in state.slots.items():
            if ttl <= state.join_ttl:
                continue
            confirming = state.backward and ttl == state.low and state.join_ttl == 0
            if not confirming and slots[0].done and len(slots) < options.packets_per_hop:
                self._open(state, ttl, now, count=options.packets_per_hop)
        if state.backward and state.join_ttl == 0:
            self._step_backward(state, now)
        if end is None:
            last = max(
                (t for t, slots in state.slots.items() if any(s.reply for s in slots)),
                default=state.join_ttl,
            )
            limit = min(options.max_hops, last + options.gap_limit)
            top_done = state.high in state.slots and state.slots[state.high][0].done
            if state.high < limit and (top_done or state.high < state.low + 1):
                self._open_forward(state, 1, now, width=options.window)

    def _step_backward(self, state: _Target, now: float) -> None:
        probe = state.slots[state.low][0]
        if not probe.done:
            return
        reference = state.reference
        address = None if probe.reply is None else probe.reply.address
        known = self._stop_set.get((state.spec.address.version, state.low), {})
        joins = address is not None and address in known and (state.end_ttl or 999) > state.low
        if joins and address is not None:
            state.reference = known[address]
        # In the reference's own group, a silent join probe (its router rate-limited) still
        # proves the destination is exactly one hop further: no echo reply or TCP answer
        # (which no router rate-limits) came from it. The near hops are the group's.
        vouched = state.trusting and address is None and state.end_ttl == state.low + 1
        if joins or vouched:
            state.join_ttl = state.low
            for ttl in [t for t in state.slots if t <= state.join_ttl]:
                del state.slots[ttl]
            return
        if state.trusting and address is None:
            # silent, but the distance is not proven: ask again as a verified join probe,
            # paced for the stop set's router and re-probed, before calling the hop silent
            state.trusting = False
            probe.done, probe.not_before = False, now
            return
        state.trusting = False  # the path differs from the group's: verify every join
        self._open(state, state.low, now, count=self.options.packets_per_hop)
        if state.low == 1 or reference is None:
            state.backward = False
            return
        state.low -= 1
        self._open(state, state.low, now, count=1)

    def _complete(self, state: _Target) -> bool:
        if state.backward and state.join_ttl == 0:
            return False
        if any(not slot.done for slots in state.slots.values() for slot in slots):
            return False
        if any(len(slots) < self.options.packets_per_hop for slots in state.slots.values()):
            return False
        if state.end_ttl is not None:
            return True
        last = max(
            (t for t, slots in state.slots.items() if any(s.reply for s in slots)),
            default=state.join_ttl,
        )
        return state.high >= min(self.options.max_hops, last + self.options.gap_limit)

    # -- sending ----------------------------------------------------------------------------

    def _send_ready(
        self,
        state: _Target,
        senders: dict[int, socket.socket],
        global_cap: _Bucket,
        now: float,
    ) -> float:
        """Sends what may go now; returns when this target next wants to send."""
        wake = now + 0.05
        for ttl in sorted(state.slots):
            for slot in state.slots[ttl]:
                if slot.done or slot.in_flight:
                    if slot.in_flight:
                        wake = min(wake, slot.sent_at + self.options.timeout_s)
                    continue
                if slot.not_before > now:
                    wake = min(wake, slot.not_before)
                    continue
                expected = self._expected(state, ttl)
                if expected is not None and not self._limited(state, expected):
                    expected = None
                if expected is not None:
                    wait = self._router(expected, now).ready_in(now)
                    if wait > 0:
                        wake = min(wake, now + wait)
                        continue
                wait = global_cap.ready_in(now)
                if wait > 0:
                    return min(wake, now + wait)
                self._send(state, slot, expected, senders[state.spec.address.version], now)
                global_cap.tokens -= 1.0
                if expected is not None:
                    self._routers[expected].tokens -= 1.0
        return wake

    def _send(
        self, state: _Target, slot: _Slot, expected: IPAddress | None, sender: socket.socket,
        now: float,
    ) -> None:
        token = self._token(state)
        if state.template is None:
            options = self.options
            state.template = self._template(
                af=state.spec.address.version, protocol=options.protocol,
                source=str(state.source), destination=str(state.spec.address),
                flow=self._flow, port=options.port, size=options.size,
            )
        packet = state.template.packet(slot.ttl, token)
        address: tuple[str, int] | tuple[str, int, int, int]
        if isinstance(state.spec.address, IPv4Address):
            address = (str(state.spec.address), 0)
        else:
            address = (str(state.spec.address), 0, 0, 0)
        try:
            sender.sendto(packet, address)
        except BlockingIOError:
            slot.not_before = now + 0.01
            return
        except OSError as exc:
            raise NoRouteError(f"cannot send to {state.spec.name}: {exc.strerror}") from None
        slot.token, slot.sent_at, slot.expected = token, time.monotonic(), expected
        slot.in_flight, slot.tries = True, slot.tries + 1
        self._pending[(state.spec.address, token)] = (state, slot)
        self._sent += 1

    def _token(self, state: _Target) -> int:
        while True:
            token = state.next_token
            state.next_token = token % 65535 + 1
            if (state.spec.address, token) not in self._pending:
                return token

    # -- results ----------------------------------------------------------------------------

    def _abandon(self, state: _Target) -> None:
        for slots in state.slots.values():
            for slot in slots:
                if slot.in_flight:
                    self._pending.pop((state.spec.address, slot.token), None)
                slot.in_flight, slot.done = False, True
        state.finished = True
        state.running = False
        self._ended[id(state)] = time.time()

    def _finish(self, state: _Target, now: float) -> None:
        state.finished = True
        self._ended[id(state)] = time.time()
        hops = self._hops(state)
        answered = [hop.ttl for hop in hops if any(hop.replies)]
        end_ttl = state.end_ttl or (max(answered) + 1 if answered else 0)
        reference = _Reference(hops=hops, end_ttl=end_ttl)
        if self.options.stop_set and end_ttl >= 2:
            self._references.setdefault(state.group, reference)
            af = state.spec.address.version
            if af not in self._last_reference or not state.backward:
                self._last_reference[af] = reference
            for hop in hops:
                if hop.ttl >= end_ttl:
                    break
                for reply in hop.replies:
                    if reply is not None:
                        known = self._stop_set.setdefault((af, hop.ttl), {})
                        known.setdefault(reply.address, reference)

    def _hops(self, state: _Target) -> tuple[HopOutcome, ...]:
        hops: list[HopOutcome] = []
        if state.join_ttl and state.reference is not None:
            for hop in state.reference.hops:
                if hop.ttl <= state.join_ttl:
                    hops.append(HopOutcome(hop.ttl, hop.replies, inherited=True))
        last = state.end_ttl
        if last is None:
            answered = [t for t, slots in state.slots.items() if any(s.reply for s in slots)]
            last = min(state.high, max(answered, default=0) + self.options.gap_limit)
        for ttl in sorted(state.slots):
            if ttl <= state.join_ttl or ttl > last:
                continue
            hops.append(HopOutcome(ttl, tuple(slot.reply for slot in state.slots[ttl])))
        return tuple(hops)

    def _outcome(self, state: _Target) -> TraceOutcome:
        return TraceOutcome(
            target=state.spec,
            source=state.source,
            flow=self._flow,
            started=state.started or time.time(),
            ended=self._ended.get(id(state), time.time()),
            hops=self._hops(state),
            reached=state.reached,
        )


# A classic BPF program run by the kernel on every packet the host receives, so that only
# incoming ICMP, ICMPv6 and TCP reach Python (the probe must stay cheap on a busy router).
# For SOCK_DGRAM packet sockets offset 0 is the network header; SKF_AD_* are ancillary loads.
_SKF_AD_PROTOCOL = 0xFFFFF000
_SKF_AD_PKTTYPE = 0xFFFFF004
_REPLY_FILTER = (
    (0x20, 0, 0, _SKF_AD_PKTTYPE),  # 0: A = packet type
    (0x15, 0, 10, PACKET_HOST),  # 1: addressed to this host, else reject
    (0x20, 0, 0, _SKF_AD_PROTOCOL),  # 2: A = ethertype
    (0x15, 0, 3, ETH_P_IP),  # 3: IPv4 -> 4, else 7
    (0x30, 0, 0, 9),  # 4: A = IPv4 protocol
    (0x15, 5, 0, 1),  # 5: ICMP -> accept
    (0x15, 4, 5, 6),  # 6: TCP -> accept, else reject
    (0x15, 0, 4, ETH_P_IPV6),  # 7: IPv6 -> 8, else reject
    (0x30, 0, 0, 6),  # 8: A = IPv6 next header
    (0x15, 1, 0, 58),  # 9: ICMPv6 -> accept
    (0x15, 0, 1, 6),  # 10: TCP -> accept, else reject
    (0x06, 0, 0, 0x40000),  # 11: accept
    (0x06, 0, 0, 0),  # 12: reject
)
SO_ATTACH_FILTER = 26


def _attach_reply_filter(receiver: socket.socket) -> None:
    """Attaches `_REPLY_FILTER`; the Python-side checks remain, so failing here is harmless."""
    program = b"".join(struct.pack("HBBI", *instruction) for instruction in _REPLY_FILTER)
    buffer = ctypes.create_string_buffer(program)
    fprog = struct.pack("HL", len(_REPLY_FILTER), ctypes.addressof(buffer))
    with contextlib.suppress(OSError):
        receiver.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)


def _open_receiver() -> socket.socket:
    try:
        receiver = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    except PermissionError as exc:
        raise RawSocketError(str(exc)) from None
    _attach_reply_filter(receiver)
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    receiver.setblocking(False)
    return receiver


def source_address_for(destination: IPAddress) -> IPAddress:
    """Returns the local address the kernel would send from to reach `destination`.

    Raises NoRouteError when there is no route (the message names the target).
    """
    family = socket.AF_INET if destination.version == 4 else socket.AF_INET6
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((str(destination), 33434))
        except OSError as exc:
            raise NoRouteError(f"no route to {destination}: {exc.strerror}") from None
        local = probe.getsockname()[0]
    from ipaddress import ip_address

    return ip_address(local.split("%", 1)[0])
