"""The command line: parse arguments, draw progress, print, return an exit code.

A thin layer over `ixpready.pipeline`: every subcommand module in this package has
`register(subparsers)`, which adds its parser and sets `handler(args) -> int`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

from ixpready import __version__
from ixpready.errors import ExitCode, IxpreadyError


def _subcommand_modules() -> list[ModuleType]:
    from ixpready.cli import (
        analyze,
        atlas,
        doctor,
        geohint,
        locate,
        model,
        probe,
        readiness,
        report,
        run,
        schedule,
    )

    return [analyze, atlas, doctor, geohint, locate, model, probe, readiness, report, run, schedule]


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ixpready",
        description="Measure domestic Internet paths, find tromboning, plan a national IXP.",
    )
    parser.add_argument("--version", action="version", version=f"ixpready {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    parser.add_argument(
        "--config", help="config file (default: $XDG_CONFIG_HOME/ixpready/config.toml)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _subcommand_modules():
        module.register(subparsers)
    return parser


def configure_logging(verbose: bool) -> None:
    """Sends log records to stderr: INFO and up with -v, else WARNING and up."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="ixpready: %(levelname)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the process exit code (see `ExitCode`)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version exit 0, bad usage exits 2
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    configure_logging(args.verbose)
    try:
        return int(args.handler(args))
    except IxpreadyError as exc:
        from ixpready.pipeline.text import clean  # (imported only when there is an error)

        print(f"ixpready: error: {clean(exc)}", file=sys.stderr)  # may quote API strings
        if exc.hint:
            print(f"ixpready: hint: {clean(exc.hint)}", file=sys.stderr)
        return int(exc.exit_code)
