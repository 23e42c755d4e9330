"""`ixpready run` and `ixpready trend`: the scheduled job and the rounds it measured."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ixpready.config import Settings, load_settings
from ixpready.errors import ExitCode
from ixpready.pipeline import run as job
from ixpready.pipeline import trend as rounds


def _settings(args: argparse.Namespace, **flags: Any) -> Settings:
    return load_settings(getattr(args, "config", None), os.environ, flags)


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args, country=args.country)
    summary = job.run(settings)
    print(summary.as_text())
    if summary.unknown_items:
        print(
            f"ixpready: items {', '.join(map(str, summary.unknown_items))} were asked for but "
            "no answer came; check https://atlas.ripe.net/measurements/mine before "
            "`ixpready measure --forget-unknown`",
            file=sys.stderr,
        )
    return ExitCode.PARTIAL if summary.partial else ExitCode.OK


def _trend(args: argparse.Namespace) -> int:
    settings = _settings(args, country=args.country)
    result = rounds.trend(settings)
    if args.format == "json":
        text = result.to_json().decode() + "\n"
    else:
        text = result.as_text() + "\n"
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return ExitCode.OK


def register(subparsers: Any) -> None:
    """Adds `run` and `trend`."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run", help="the whole job: discover, refdata, plan, measure, fetch, analyse, report"
    )
    parser.add_argument("--country", help="ISO 3166 alpha-2 code (default: config, else GT)")
    parser.set_defaults(handler=_run)

    parser = subparsers.add_parser(
        "trend", help="per round: share of local, tromboned, inconclusive paths; median RTT"
    )
    parser.add_argument("--country", help="ISO 3166 alpha-2 code (default: config, else GT)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--out", help="write to this file instead of stdout")
    parser.set_defaults(handler=_trend)
