"""`ixpready doctor`: check this machine's set-up and say what to do."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ixpready.config import load_settings
from ixpready.errors import ExitCode
from ixpready.pipeline import run as job
from ixpready.pipeline.text import clean


def register(subparsers: Any) -> None:
    """Adds the `doctor` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "doctor",
        help="check the set-up: reference data, store, key, probe, PDF; say what to do",
    )
    parser.set_defaults(handler=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    """Prints every check; returns 3 when one blocks the main job (analyse and report)."""
    report = job.doctor(load_settings(args.config, os.environ))
    print(clean(report.as_text()))
    return ExitCode.CONFIG if report.blocked else ExitCode.OK
