"""The command line: parse arguments, draw progress, print, return an exit code."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ixpready import __version__
from ixpready.errors import ExitCode


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="ixpready", description=__doc__)
    parser.add_argument("--version", action="version", version=f"ixpready {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the process exit code."""
    build_parser().parse_args(argv)
    return ExitCode.OK
