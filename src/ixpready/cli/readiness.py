"""`ixpready readiness ANALYSIS.json --refdata DIR`: is each domestic network ready to peer?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ixpready.errors import ExitCode, InputError
from ixpready.pipeline.model import load_analysis
from ixpready.pipeline.readiness import (
    readiness_csv,
    readiness_json,
    readiness_of,
    readiness_table,
)


def register(subparsers: Any) -> None:
    """Adds the `readiness` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "readiness",
        help="scorecard per domestic network: PeeringDB, IXP, IPv6, RPKI, IRR, upstreams",
        description="Reads the JSON of `ixpready analyze` and the reference data, and says "
        "how ready each domestic network is to peer at a national IXP.",
    )
    parser.add_argument("analysis", type=Path, help="ANALYSIS.json written by `ixpready analyze`")
    parser.add_argument("--refdata", type=Path, required=True, metavar="DIR",
                        help="reference data: pfx2as*, peeringdb/ (net, netfac, poc, ...), "
                             "rpki/*.json VRPs, ripestat/*.json, *as-rel*.txt")  # fmt: skip
    parser.add_argument("--inventory", type=Path, metavar="FILE",
                        help="every network of the country (the inventory `ixpready discover` "
                             "writes, or a RIPEstat country-resource-list answer)")  # fmt: skip
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Runs `ixpready readiness`; returns the exit code."""
    analysis = load_analysis(args.analysis)
    report = readiness_of(analysis, refdata=args.refdata, inventory=args.inventory)
    if args.format == "json":
        data = readiness_json(report)
    elif args.format == "csv":
        data = readiness_csv(report).encode("utf-8")
    else:
        data = (readiness_table(report) + "\n").encode("utf-8")
    if args.out is not None:
        try:
            args.out.write_bytes(data)
        except OSError as exc:
            raise InputError(f"{args.out}: cannot write ({exc.strerror or exc})") from None
        print(f"ixpready: readiness written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return int(ExitCode.OK)
