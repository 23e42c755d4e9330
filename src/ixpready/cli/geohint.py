"""`ixpready geohint NAME... | --file FILE`: where router names say the routers are."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ixpready.errors import ExitCode, UsageError
from ixpready.pipeline import geohint as job


def register(subparsers: Any) -> None:
    """Adds the `geohint` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "geohint", help="read the place in router names, as analyze does"
    )
    parser.add_argument("names", nargs="*", help="router names (reverse DNS)")
    parser.add_argument("--file", type=Path, help="read names from this file, one per line")
    parser.add_argument(
        "--hoiho", type=Path, metavar="FILE",
        help="also use CAIDA Hoiho geohint rules from FILE (lines: SUFFIX REGEX [KIND])",
    )  # fmt: skip
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=run_geohint)


def run_geohint(args: argparse.Namespace) -> int:
    """Prints one reading per name, in input order."""
    names = list(args.names)
    if args.file is not None:
        names += job.read_name_file(args.file)
    if not names:
        raise UsageError(
            "give router names or --file FILE",
            hint="ixpready geohint ae-4.r21.miamfl02.us.bb.gin.ntt.net",
        )
    loaded = job.load_rules(args.hoiho)
    if args.hoiho is not None:
        sys.stderr.write(job.skipped_rules_note(args.hoiho, loaded))
    hints = job.geohints(names, loaded.rules)
    text = job.geohints_as_json(hints) if args.format == "json" else job.geohints_as_table(hints)
    sys.stdout.write(text)
    return ExitCode.OK
