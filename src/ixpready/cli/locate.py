"""`ixpready locate`: one-off RIPE Atlas pings that place the hops keeping verdicts undecided."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ixpready.config import load_settings
from ixpready.errors import ExitCode
from ixpready.pipeline import commands as locating


def _locate(args: argparse.Namespace) -> int:
    flags: dict[str, Any] = {"country": args.country, "locate_budget_credits": args.budget}
    if args.refdata:
        flags["refdata_dir"] = args.refdata
    settings = load_settings(args.config, os.environ, flags)
    summary = locating.locate(
        settings,
        dry_run=args.dry_run,
        forget_unknown=args.forget_unknown,
        probes_file=Path(args.probes) if args.probes else None,
        rdns_file=Path(args.rdns) if args.rdns else None,
    )
    print(summary.as_text())
    return ExitCode.PARTIAL if summary.unknown else ExitCode.OK


def register(subparsers: Any) -> None:
    """Adds locate."""
    add: Callable[..., argparse.ArgumentParser] = subparsers.add_parser
    locate = add(
        "locate",
        help="ping undecided hops from RIPE Atlas probes near their candidate places",
    )
    locate.add_argument("--country", help="ISO 3166 alpha-2 code (default: config, else GT)")
    locate.add_argument("--budget", type=int, help="most credits to spend (default: config)")
    locate.add_argument("--dry-run", action="store_true", help="plan and print the cost only")
    locate.add_argument(
        "--forget-unknown",
        action="store_true",
        help="create again items whose creation got no answer (check first)",
    )
    locate.add_argument("--probes", help="probe metadata file (default: the latest inventory)")
    locate.add_argument("--rdns", help="reverse-DNS names, a JSON object {address: name}")
    locate.add_argument("--refdata", help="reference-data folder (default: config)")
    locate.set_defaults(handler=_locate)
