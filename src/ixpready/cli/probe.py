"""`ixpready probe trace|dns`: run the operators' probe program and read back its results.

The probe (`ixpready-probe`) is a separate program, started as a subprocess: it alone holds
raw sockets and uses scapy. Options are handed to it unchanged; see docs/probe.md.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from ixpready.errors import ExitCode
from ixpready.pipeline import probe as jobs


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="TARGET", help="names or addresses")
    parser.add_argument("--targets-file", type=Path, action="append", default=[],
                        help="text file (one target a line) or an ixpready plan/inventory JSON")
    parser.add_argument("-6", dest="ipv6", action="store_true", help="IPv6 (default IPv4)")
    parser.add_argument("--name", help="probe name written into every result (default: host)")
    parser.add_argument("--asn", type=int, help="the operator's ASN")
    parser.add_argument("--country", "--probe-country", dest="probe_country",
                        help="where the probe is, ISO 3166 alpha-2 (GT); --probe-country: the same")
    parser.add_argument("--out", type=Path, help="result file (default: probe-KIND-TIME.jsonl)")
    parser.add_argument(
        "--probe-command",
        help="how to start the probe (default: ixpready-probe beside ixpready), e.g. "
             "'sudo -n /opt/ixpready-probe/bin/ixpready-probe'",
    )


def _arguments(args: argparse.Namespace) -> list[str]:
    out: list[str] = list(args.targets)
    for path in args.targets_file:
        out += ["--targets-file", str(path)]
    if args.ipv6:
        out.append("-6")
    if args.name:
        out += ["--name", args.name]
    if args.asn is not None:
        out += ["--asn", str(args.asn)]
    if args.probe_country:
        out += ["--country", args.probe_country]
    return out


def _command(args: argparse.Namespace) -> list[str] | None:
    return shlex.split(args.probe_command) if args.probe_command else None


def _finish(summary: jobs.ProbeSummary) -> int:
    print(summary.as_text())
    return ExitCode.PARTIAL if summary.quarantined else ExitCode.OK


def _trace(args: argparse.Namespace) -> int:
    arguments = [*_arguments(args), "--proto", args.proto, "--pps", str(args.pps)]
    if args.timeout is not None:
        arguments += ["--timeout", str(args.timeout)]
    if args.paris_id is not None:
        arguments += ["--paris-id", str(args.paris_id)]
    if args.verify_joins:
        arguments.append("--verify-joins")
    output = args.out or jobs.default_output("traceroute")
    return _finish(jobs.trace(arguments, output, command=_command(args)))


def _dns(args: argparse.Namespace) -> int:
    arguments = _arguments(args)
    for check in args.check or ():
        arguments += ["--check", check]
    for server in args.server:
        arguments += ["--server", server]
    if args.roots:
        arguments.append("--roots")
    if args.cctld:
        arguments += ["--cctld", args.cctld]
    if args.port is not None:
        arguments += ["--port", str(args.port)]
    for path in args.from_results:
        arguments += ["--from-results", str(path)]
    if args.ptr_cache is not None:
        arguments += ["--ptr-cache", str(args.ptr_cache)]
    if args.rdns_out is not None:
        arguments += ["--rdns-out", str(args.rdns_out)]
    output = args.out or jobs.default_output("dns")
    return _finish(jobs.dns(arguments, output, command=_command(args)))


def register(subparsers: Any) -> None:
    """Adds `probe trace` and `probe dns`."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "probe", help="run the operators' probe (traceroutes, DNS checks) and read its results"
    )
    kinds = parser.add_subparsers(dest="probe_command_kind", metavar="KIND", required=True)

    trace = kinds.add_parser("trace", help="Paris traceroutes, written as RIPE Atlas results")
    _common(trace)
    trace.add_argument("--proto", type=str.upper, choices=["ICMP", "UDP", "TCP"], default="ICMP",
                       help="any case, as ixpready-probe takes it (default ICMP)")
    trace.add_argument("--pps", type=float, default=100.0, help="packets per second cap")
    trace.add_argument("--timeout", type=float, help="seconds to wait for each reply")
    trace.add_argument("--paris-id", type=int, help="flow number 1..64 (default 1)")
    trace.add_argument("--verify-joins", action="store_true",
                       help="confirm every inherited near hop with the router's own reply")
    trace.set_defaults(handler=_trace)

    dns = kinds.add_parser("dns", help="DNS checks (CHAOS identity, answers, PTR, origin AS)")
    _common(dns)
    dns.add_argument("--check", action="append",
                     choices=["chaos", "resolve", "ptr", "cymru"], help="repeatable")
    dns.add_argument("--server", action="append", default=[], help="server to ask (repeatable)")
    dns.add_argument("--roots", action="store_true", help="chaos: the 13 root servers")
    dns.add_argument("--cctld", help="chaos: this ccTLD's name servers (gt)")
    dns.add_argument("--port", type=int, help="server port (default 53)")
    dns.add_argument("--from-results", type=Path, action="append", default=[],
                     help="ptr/cymru: every hop address in these traceroute results")
    dns.add_argument("--ptr-cache", type=Path, help="ptr: cache file")
    dns.add_argument("--rdns-out", type=Path,
                     help="ptr: merge names into this file (for `ixpready analyze --rdns`)")
    dns.set_defaults(handler=_dns)
