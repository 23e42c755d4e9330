"""`ixpready run | trend | upload | salvage | export | prune`: the scheduled job, its rounds,
its stores."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ixpready.config import Settings, load_settings
from ixpready.errors import ExitCode
from ixpready.pipeline import commands
from ixpready.pipeline import run as job
from ixpready.pipeline.run import salvage


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
    result = commands.trend(settings)
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


def _upload(args: argparse.Namespace) -> int:
    flags = {"upload_spool_dir": args.spool} if args.spool else {}
    summary = job.upload(_settings(args, **flags))
    print(summary.as_text())
    return ExitCode.PARTIAL if summary.quarantined else ExitCode.OK


def _salvage(args: argparse.Namespace) -> int:
    settings = _settings(args)
    into = Path(args.into) if args.into else settings.store_path
    print(salvage(Path(args.damaged), into).as_text())
    print(f"new store: {into}; run `ixpready run` to read result files and uploads again")
    return ExitCode.OK


def _export(args: argparse.Namespace) -> int:
    summary = job.export(
        _settings(args), Path(args.out), rounds=args.round or (), raw=args.raw,
        parquet=args.parquet,
    )  # fmt: skip
    print(summary.as_text())
    return ExitCode.OK


def _prune(args: argparse.Namespace) -> int:
    summary = job.prune(_settings(args), dry_run=args.dry_run)
    print(summary.as_text())
    return ExitCode.OK


def register(subparsers: Any) -> None:
    """Adds `run`, `trend`, `upload`, `salvage`, `export` and `prune`."""
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

    parser = subparsers.add_parser(
        "upload", help="send this probe host's spooled results to the shared store (once each)"
    )
    parser.add_argument("--spool", help="the probe's spool folder (default: upload.spool_dir)")
    parser.set_defaults(handler=_upload)

    parser = subparsers.add_parser(
        "salvage", help="copy every readable row of a damaged store into a new store"
    )
    parser.add_argument("damaged", help="the damaged store, moved aside (mv X X.damaged)")
    parser.add_argument("--into", help="the new store (default: store.file)")
    parser.set_defaults(handler=_salvage)

    parser = subparsers.add_parser(
        "export", help="write the rounds (trend, judged paths, results) as JSON lines or Parquet"
    )
    parser.add_argument("--out", required=True, help="folder to write into")
    parser.add_argument("--round", action="append", help="a round id (repeatable; default: all)")
    parser.add_argument("--raw", action="store_true", help="also every stored result")
    parser.add_argument("--parquet", action="store_true", help="Parquet instead of JSON lines")
    parser.set_defaults(handler=_export)

    parser = subparsers.add_parser(
        "prune", help="apply [retention]: drop old rounds' raw results (their trend is kept)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would go; delete nothing"
    )
    parser.set_defaults(handler=_prune)
