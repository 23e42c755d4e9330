"""A throwaway Linux network-namespace topology to trace through (tests, benchmarks, demos).

Needs root and iproute2. Every namespace name starts with `ixp<pid>`, so two runs never
collide, and `Lab.close()` removes them all (use `with Lab() as lab:`). Nothing leaves the
namespaces: the prober's only link goes to router R1.

    prober P ─ R1 ─ R2 ─ T ─ D  (T holds 50 targets 10.91.0.1-50, fd91::1-50: the shared near
                │              hops; D holds 10.91.0.200 / fd91::c8: same /24, one hop deeper)
                │
                ├─ R3 ─ X    (R3 sends no time-exceeded messages: hop 2 is `*`)
                │
                ├─ A ─┐
                └─ B ─┴─ E   (E 10.92.0.1 / fd92::1 behind two equal-cost paths; R1 hashes L4)

    N: an isolated namespace with no route at all (for the "no route" error)

Routers keep the kernel's default ICMP rate limits unless `lift_rate_limits()` is called.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

TARGET_COUNT = 50


@dataclass(frozen=True, slots=True)
class Expected:
    """Hop addresses a trace to one target must show, per TTL (None = silent hop)."""

    v4: tuple[str | None, ...]
    v6: tuple[str | None, ...]


def _v4(net: int, host: int) -> str:
    return f"10.90.{net}.{host}"


def _v6(net: int, host: int) -> str:
    return f"fd90:{net}::{host}"


@dataclass
class Lab:
    """The topology above; `ns(role)` names a namespace, `prober` is where probes run."""

    tag: str = field(default_factory=lambda: f"ixp{os.getpid()}")
    roles: tuple[str, ...] = ("P", "R1", "R2", "T", "D", "R3", "X", "A", "B", "E", "N")
    built: list[str] = field(default_factory=list)

    # addresses tests assert on
    r1 = (_v4(1, 1), _v6(1, 1))
    r2 = (_v4(2, 2), _v6(2, 2))
    branch_a = (_v4(4, 2), _v6(4, 2))
    branch_b = (_v4(5, 2), _v6(5, 2))
    x = (_v4(7, 2), _v6(7, 2))
    t = (_v4(6, 2), _v6(6, 2))
    deep = ("10.91.0.200", "fd91::c8")
    e = ("10.92.0.1", "fd92::1")

    def ns(self, role: str) -> str:
        """Returns the namespace name of a role ("P", "R1", ...)."""
        return f"{self.tag}-{role}"

    @property
    def prober(self) -> str:
        """Returns the prober's namespace name."""
        return self.ns("P")

    def exec_prefix(self, role: str = "P") -> list[str]:
        """Returns the command prefix that runs a program inside a role's namespace."""
        return ["ip", "netns", "exec", self.ns(role)]

    @staticmethod
    def targets(af: int) -> list[str]:
        """Returns the 50 addresses behind the shared near hops R1, R2."""
        if af == 4:
            return [f"10.91.0.{i}" for i in range(1, TARGET_COUNT + 1)]
        return [f"fd91::{i:x}" for i in range(1, TARGET_COUNT + 1)]

    def expected_shared(self, af: int, target: str) -> tuple[str | None, ...]:
        """Returns the hops to one of the 50 targets: R1, R2, the target."""
        i = 0 if af == 4 else 1
        return (self.r1[i], self.r2[i], target)

    def expected_deep(self, af: int) -> tuple[str | None, ...]:
        """Returns the hops to D's target: R1, R2, T, the target."""
        i = 0 if af == 4 else 1
        return (self.r1[i], self.r2[i], self.t[i], self.deep[i])

    def expected_x(self, af: int) -> tuple[str | None, ...]:
        """Returns the hops to X: R1, `*` (R3 drops its ICMP), X."""
        i = 0 if af == 4 else 1
        return (self.r1[i], None, self.x[i])

    # -- building ---------------------------------------------------------------------------

    def __enter__(self) -> Lab:
        try:
            self.build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _ip(self, role: str, *args: str) -> None:
        _run(["ip", "-n", self.ns(role), *args])

    def _sysctl(self, role: str, *settings: str) -> None:
        # written to /proc/sys inside the namespace: no dependency on procps' sysctl
        script = "; ".join(
            f"echo {value} > /proc/sys/{key.replace('.', '/')}"
            for key, value in (setting.split("=", 1) for setting in settings)
        )
        _run([*self.exec_prefix(role), "sh", "-ec", script])

    def _link(self, a: str, a_if: str, b: str, b_if: str, net: int) -> None:
        _run(["ip", "-n", self.ns(a), "link", "add", a_if, "type", "veth", "peer", "name", b_if,
              "netns", self.ns(b)])
        for role, name, host in ((a, a_if, 1), (b, b_if, 2)):
            self._ip(role, "addr", "add", f"{_v4(net, host)}/24", "dev", name)
            self._ip(role, "-6", "addr", "add", f"{_v6(net, host)}/64", "dev", name, "nodad")
            self._ip(role, "link", "set", "dev", name, "up")

    def _route(self, role: str, prefix: str, *via: str) -> None:
        family = ["-6"] if ":" in prefix else []
        if len(via) == 1:
            self._ip(role, *family, "route", "add", prefix, "via", via[0])
        else:
            hops = [word for gateway in via for word in ("nexthop", "via", gateway)]
            self._ip(role, *family, "route", "add", prefix, *hops)

    def build(self) -> None:
        """Creates the namespaces, links, addresses and routes."""
        for role in self.roles:
            _run(["ip", "netns", "add", self.ns(role)])
            self.built.append(self.ns(role))
            self._ip(role, "link", "set", "lo", "up")
            self._sysctl(role, "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                         "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
            if role not in ("P", "X", "E", "N", "D"):
                self._sysctl(role, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")
        self._sysctl("R1", "net.ipv4.fib_multipath_hash_policy=1",
                     "net.ipv6.fib_multipath_hash_policy=1")
        self._link("R1", "vp", "P", "vu", 1)
        self._link("R1", "vr2", "R2", "vu", 2)
        self._link("R1", "vr3", "R3", "vu", 3)
        self._link("R1", "va", "A", "vu", 4)
        self._link("R1", "vb", "B", "vu", 5)
        self._link("R2", "vt", "T", "vu", 6)
        self._link("R3", "vx", "X", "vu", 7)
        self._link("T", "vd", "D", "vu", 10)
        self._link("A", "ve", "E", "vua", 8)
        self._link("B", "ve", "E", "vub", 9)
        for family, default in (("0.0.0.0/0", _v4), ("::/0", _v6)):
            self._route("P", family, default(1, 1))
            for role, net in (("R2", 2), ("R3", 3), ("A", 4), ("B", 5)):
                self._route(role, family, default(net, 1))
            self._route("T", family, default(6, 1))
            self._route("D", family, default(10, 1))
            self._route("X", family, default(7, 1))
            self._route("E", family, default(8, 1))
        for af, prefix_t, prefix_e in ((4, "10.91.0.0/24", "10.92.0.0/24"),
                                       (6, "fd91::/64", "fd92::/64")):
            v = _v4 if af == 4 else _v6
            self._route("R1", prefix_t, v(2, 2))
            self._route("R2", prefix_t, v(6, 2))
            self._route("R1", prefix_e, v(4, 2), v(5, 2))
            self._route("A", prefix_e, v(8, 2))
            self._route("B", prefix_e, v(9, 2))
            self._route("R1", "10.90.7.0/24" if af == 4 else "fd90:7::/64", v(3, 2))
        batch = [f"address add {a}/32 dev lo" for a in self.targets(4)]
        batch += [f"address add {a}/128 dev lo nodad" for a in self.targets(6)]
        _run(["ip", "-n", self.ns("T"), "-batch", "-"], stdin="\n".join(batch) + "\n")
        self._ip("D", "addr", "add", f"{self.deep[0]}/32", "dev", "lo")
        self._ip("D", "-6", "addr", "add", f"{self.deep[1]}/128", "dev", "lo", "nodad")
        self._route("T", f"{self.deep[0]}/32", _v4(10, 2))
        self._route("T", f"{self.deep[1]}/128", _v6(10, 2))
        self._ip("E", "addr", "add", f"{self.e[0]}/32", "dev", "lo")
        self._ip("E", "-6", "addr", "add", f"{self.e[1]}/128", "dev", "lo")
        # R3 sends no rate-limited ICMP at all (time exceeded, unreachable), v4 nor v6
        self._sysctl("R3", "net.ipv4.icmp_msgs_per_sec=0", "net.ipv4.icmp_msgs_burst=0")

    def lift_rate_limits(self) -> None:
        """Turns the routers' ICMP rate limits off (benchmarks of raw engine speed only)."""
        for role in self.roles:
            if role != "R3":
                self._sysctl(role, "net.ipv4.icmp_ratelimit=0", "net.ipv4.icmp_msgs_per_sec=100000",
                             "net.ipv4.icmp_msgs_burst=100000", "net.ipv6.icmp.ratelimit=0")

    def close(self) -> None:
        """Removes every namespace this lab made (veths go with them)."""
        while self.built:
            subprocess.run(["ip", "netns", "del", self.built.pop()], check=False,
                           capture_output=True)


def _run(command: Sequence[str], stdin: str | None = None) -> None:
    done = subprocess.run(list(command), input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
