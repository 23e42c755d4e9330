"""`ixpready-probe trace|ping|dns ...`: measure, write RIPE Atlas results, return an exit code.

Exit codes: 0 ok (some targets may have failed: each is a result with an `error` and a
warning on stderr), 2 usage, 3 targets (none usable: unreadable file, no name resolved),
4 raw sockets not permitted, 6 no route to any target, 1 a bug.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ixpready_probe import __version__
from ixpready_probe.atlas import Identity, probe_id_for
from ixpready_probe.errors import NoRouteError, ProbeError, TargetError, UsageError
from ixpready_probe.spool import spool_path, write_results


def _env(name: str) -> str | None:
    value = os.environ.get(f"IXPREADY_PROBE_{name}")
    return value if value else None


def _add_identity(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "identity (written into every result; defaults from IXPREADY_PROBE_NAME, _ID, _ASN, "
        "_COUNTRY, _LATITUDE, _LONGITUDE, _PUBLIC_ADDRESS)"
    )
    group.add_argument("--name", default=_env("NAME"), help="probe name (default: host name)")
    group.add_argument("--probe-id", type=int, default=_env("ID"),
                       help="prb_id (default: a stable hash of the name, >= 1000000000)")
    group.add_argument("--asn", type=int, default=_env("ASN"), help="the operator's ASN")
    group.add_argument("--country", "--probe-country", dest="country", default=_env("COUNTRY"),
                       help="where the probe is, ISO 3166 alpha-2, e.g. GT (--probe-country: "
                            "the same, as `ixpready probe` also spells it)")
    group.add_argument("--latitude", type=float, default=_env("LATITUDE"))
    group.add_argument("--longitude", type=float, default=_env("LONGITUDE"),
                       help="decimal degrees; write a negative value as --longitude=-90.5")
    group.add_argument("--public-address", default=_env("PUBLIC_ADDRESS"),
                       help="the probe's public address, written as `from` (default: src_addr)")
    output = parser.add_mutually_exclusive_group(required=True)
    output.add_argument("--out", type=Path, help="write the results to this file (JSON lines)")
    output.add_argument("--spool", type=Path,
                        help="write the results to a new timestamped file in this folder")


def _add_targets(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("targets", nargs="*", metavar="TARGET", help="names or addresses")
    parser.add_argument("--targets-file", type=Path, action="append", default=[],
                        help="text (one per line) or JSON plan/inventory file; repeatable")
    family = parser.add_mutually_exclusive_group()
    family.add_argument("-4", dest="af", action="store_const", const=4, default=4,
                        help="IPv4 (default)")
    family.add_argument("-6", dest="af", action="store_const", const=6, help="IPv6")


def build_parser() -> argparse.ArgumentParser:
    """Returns the parser of `ixpready-probe` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="ixpready-probe",
        description="ixpready's operator probe: traceroutes and DNS checks as RIPE Atlas results.",
    )
    parser.add_argument("--version", action="version", version=f"ixpready-probe {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    trace = commands.add_parser("trace", help="Paris traceroutes to many targets at once")
    _add_targets(trace, required=True)
    trace.add_argument("--proto", type=str.upper, choices=["ICMP", "UDP", "TCP"], default="ICMP")
    trace.add_argument("--pps", type=float, default=100.0,
                       help="global cap on probe packets per second (default 100)")
    trace.add_argument("--port", type=int, default=80, help="TCP destination port (default 80)")
    trace.add_argument("--paris-id", type=int, default=1,
                       help="flow number 1..64: source port / echo id = 33434 + this")
    trace.add_argument("--max-hops", type=int, default=32)
    trace.add_argument("--packets", type=int, default=3, help="packets per hop (default 3)")
    trace.add_argument("--timeout", type=float, default=2.0,
                       help="seconds to wait for each reply (default 2)")
    trace.add_argument("--size", type=int, default=48, help="probe payload bytes (default 48)")
    trace.add_argument("--router-pps", type=float, default=0.9,
                       help="replies per second expected from one router (default 0.9)")
    trace.add_argument("--router-burst", type=float, default=4.0,
                       help="replies one router gives in a burst (default 4)")
    trace.add_argument("--retries", type=int, default=3,
                       help="re-probes of a packet lost to rate limiting (default 3)")
    trace.add_argument("--concurrency", type=int, default=64, help="targets traced at once")
    trace.add_argument("--no-stop-set", action="store_true",
                       help="probe every hop of every target (no inherited near hops)")
    trace.add_argument("--verify-joins", action="store_true",
                       help="confirm every inherited join with the router's own reply (slower)")
    trace.add_argument("--deadline", type=float, help="stop after this many seconds")
    _add_identity(trace)
    trace.set_defaults(handler=_trace)

    ping = commands.add_parser("ping", help="ICMP echo to targets (RIPE Atlas ping results)")
    _add_targets(ping, required=True)
    ping.add_argument("--packets", type=int, default=3, help="echo requests per target (default 3)")
    ping.add_argument("--size", type=int, default=48, help="payload bytes (default 48)")
    ping.add_argument("--timeout", type=float, default=1.0,
                      help="seconds to wait for each reply (default 1)")
    ping.add_argument("--interval", type=float, default=0.1,
                      help="seconds between two requests to a target (default 0.1)")
    _add_identity(ping)
    ping.set_defaults(handler=_ping)

    from ixpready_probe import dnscheck

    dns = commands.add_parser("dns", help="DNS checks: CHAOS identity, answers, PTR, origin AS")
    dnscheck.add_arguments(dns)
    _add_targets(dns, required=False)
    _add_identity(dns)
    dns.set_defaults(handler=_dns)
    return parser


def _identity(args: argparse.Namespace) -> Identity:
    name = args.name or socket.gethostname()
    country = args.country.upper() if args.country else None
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise UsageError(f"--country {args.country!r} is not an ISO 3166 alpha-2 code",
                         hint="write the two-letter code, e.g. --country GT")
    return Identity(
        name=name,
        probe_id=int(args.probe_id) if args.probe_id is not None else probe_id_for(name),
        asn=None if args.asn is None else int(args.asn),
        country=country,
        latitude=None if args.latitude is None else float(args.latitude),
        longitude=None if args.longitude is None else float(args.longitude),
        public_address=args.public_address,
    )


def _target_names(args: argparse.Namespace) -> list[str]:
    from ixpready_probe.targets import read_target_file

    names = list(args.targets)
    for path in args.targets_file:
        names.extend(read_target_file(path))
    return names


def _output(args: argparse.Namespace, kind: str) -> Path:
    return args.out if args.out is not None else spool_path(args.spool, kind)


def _warn(message: str) -> None:
    print(f"ixpready-probe: warning: {message}", file=sys.stderr)


def _trace(args: argparse.Namespace) -> int:
    from ixpready_probe.atlas import failed_traceroute_result, group_id_for, traceroute_result
    from ixpready_probe.engine import Engine, TraceOptions, TraceTarget, source_address_for
    from ixpready_probe.targets import resolve

    identity = _identity(args)
    names = _target_names(args)
    if not names:
        raise UsageError("no targets", hint="name targets on the command line or --targets-file")
    if not 1 <= args.paris_id <= 64:
        raise UsageError(f"--paris-id {args.paris_id} is outside 1..64")
    started = time.time()
    common: dict[str, Any] = {
        "protocol": args.proto, "paris_id": args.paris_id, "size": args.size,
        "group_id": group_id_for("traceroute", names),
    }
    failures: list[tuple[str, ProbeError]] = []
    results: list[dict[str, Any]] = []
    targets: list[TraceTarget] = []
    for entry in resolve(names, args.af):
        if entry.address is None:
            reason = entry.error or "name resolution failed"
            failures.append((entry.name, TargetError(f"{entry.name}: {reason}",
                                                     hint="check the name, or give an address")))
            results.append(failed_traceroute_result(entry.name, reason, identity, af=args.af,
                                                    started=started, **common))
            continue
        try:
            source_address_for(entry.address)
        except NoRouteError as exc:
            failures.append((entry.name, exc))
            results.append(failed_traceroute_result(
                entry.name, f"connect failed: {exc}", identity, af=entry.address.version,
                started=started, **common))
            continue
        targets.append(TraceTarget(entry.name, entry.address))
    if not targets:  # nothing to trace: the first failure is the error, the others warnings
        for _name, failure in failures[1:]:
            _warn(str(failure))
        raise failures[0][1]
    for _name, failure in failures:
        _warn(str(failure))
    options = TraceOptions(
        protocol=args.proto, packets_per_hop=args.packets, max_hops=args.max_hops,
        timeout_s=args.timeout, pps=args.pps, router_pps=args.router_pps,
        router_burst=args.router_burst, retries=args.retries, concurrency=args.concurrency,
        paris_id=args.paris_id, port=args.port, size=args.size, stop_set=not args.no_stop_set,
        verify_joins=args.verify_joins,
        deadline_s=args.deadline,
    )
    engine = Engine(options)
    outcomes = engine.run(targets)
    results.extend(traceroute_result(outcome, identity, **common) for outcome in outcomes)
    path = write_results(_output(args, "traceroute"), results)
    reached = sum(outcome.reached for outcome in outcomes)
    print(f"traced {len(outcomes)} targets ({reached} reached, {len(failures)} failed, "
          f"{engine.packets_sent} packets) in {time.time() - started:.1f} s "
          f"(tracing {engine.tracing_s:.3f} s) -> {path}")
    return 0


def _ping(args: argparse.Namespace) -> int:
    from ixpready_probe.atlas import group_id_for
    from ixpready_probe.engine import source_address_for
    from ixpready_probe.ping import failed_ping_result, ping_all, ping_result
    from ixpready_probe.targets import resolve

    identity = _identity(args)
    names = _target_names(args)
    if not names:
        raise UsageError("no targets", hint="name targets on the command line or --targets-file")
    if not 1 <= args.packets <= 16 or not 0 <= args.size <= 2048:
        raise UsageError("--packets must be 1..16 and --size 0..2048 (as RIPE Atlas allows)")
    started = time.time()
    group_id = group_id_for("ping", names)
    failures: list[ProbeError] = []
    results: list[dict[str, Any]] = []
    targets = []
    for entry in resolve(names, args.af):
        if entry.address is None:
            reason = entry.error or "name resolution failed"
            failures.append(TargetError(f"{entry.name}: {reason}"))
            results.append(failed_ping_result(entry.name, reason, identity, af=args.af,
                                              size=args.size, group_id=group_id,
                                              started=started))
            continue
        try:
            source = source_address_for(entry.address)
        except NoRouteError as exc:
            failures.append(exc)
            results.append(failed_ping_result(entry.name, f"connect failed: {exc}", identity,
                                              af=entry.address.version, size=args.size,
                                              group_id=group_id, started=started))
            continue
        targets.append((entry.name, entry.address, source))
    for failure in failures:
        _warn(str(failure))
    if not targets:
        raise failures[0]
    outcomes = ping_all(targets, count=args.packets, size=args.size, timeout_s=args.timeout,
                        interval_s=args.interval)
    results.extend(ping_result(o, identity, size=args.size, group_id=group_id) for o in outcomes)
    path = write_results(_output(args, "ping"), results)
    answered = sum(any(rtt is not None for rtt in o.rtts_ms) for o in outcomes)
    print(f"pinged {len(outcomes)} targets ({answered} answered, {len(failures)} failed) in "
          f"{time.time() - started:.1f} s -> {path}")
    return 0


def _dns(args: argparse.Namespace) -> int:
    from ixpready_probe import dnscheck

    identity = _identity(args)
    started = time.time()
    results = dnscheck.run(args, _target_names(args), identity)
    path = write_results(_output(args, "dns"), results)
    failed = sum(1 for r in results if "error" in r)
    print(f"{len(results)} DNS results ({failed} without answer) in "
          f"{time.time() - started:.1f} s -> {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return UsageError.exit_code
    try:
        return int(args.handler(args))
    except ProbeError as exc:
        print(f"ixpready-probe: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"ixpready-probe: hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ixpready-probe: interrupted; no partial file was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
