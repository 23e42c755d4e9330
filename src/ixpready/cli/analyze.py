"""`ixpready analyze` and `ixpready demo`: judge traceroute paths, print or write the verdicts."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ixpready.cli.progress import progress
from ixpready.config import load_settings
from ixpready.errors import ExitCode, UsageError
from ixpready.pipeline import analyze as job
from ixpready.pipeline import demo
from ixpready.pipeline import rdns as names
from ixpready.pipeline.text import analysis_as_csv, analysis_as_json, analysis_as_table


def register(subparsers: Any) -> None:
    """Adds the `analyze` and `demo` subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "analyze", help="judge traceroute paths between domestic networks"
    )
    parser.add_argument(
        "results", nargs="*", type=Path, help="RIPE Atlas / ixpready probe result files"
    )
    parser.add_argument(
        "--store", nargs="?", const="", metavar="FILE",
        help="also read every result in the store (without FILE: the configured store)",
    )  # fmt: skip
    parser.add_argument("--country", required=True, help="home country, ISO 3166 alpha-2 (GT)")
    parser.add_argument("--refdata", required=True, type=Path, help="reference-data folder")
    parser.add_argument("--probes", type=Path, help="probe metadata (RIPE Atlas probes API JSON)")
    parser.add_argument("--rdns", type=Path, help="reverse-DNS cache: JSON object address -> name")
    parser.add_argument(
        "--resolve", action="store_true",
        help="ask the reverse DNS of the hop addresses first (rdns.servers; kept in --store)",
    )  # fmt: skip
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--out", type=Path, help="write to this file instead of stdout")
    parser.add_argument(
        "--quarantine", type=Path, default=Path("quarantine.jsonl"),
        help="where malformed records go (default: ./quarantine.jsonl)",
    )  # fmt: skip
    parser.set_defaults(handler=run_analyze)

    parser = subparsers.add_parser(
        "demo", help="write a simulated Guatemala scenario and analyse it (offline)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("demo-out"), help="folder (default: demo-out)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="scenario seed (default: 2026)")
    parser.set_defaults(handler=run_demo)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


def run_analyze(args: argparse.Namespace) -> int:
    """Runs `ixpready analyze`; returns 7 (partial) when records were quarantined."""
    if len(args.country) != 2 or not args.country.isalpha():
        raise UsageError(
            f"--country {args.country!r} is not an ISO 3166 alpha-2 code", hint="e.g. --country GT"
        )
    store = None
    if args.store is not None:
        store = (
            Path(args.store) if args.store else load_settings(args.config, os.environ).store_path
        )
    resolver = None
    if args.resolve:
        resolver = names.resolver_of(load_settings(args.config, os.environ))
    with progress("analysing", enabled=sys.stderr.isatty()) as bar:
        run = job.analyze_files(
            args.results, country=args.country, refdata=args.refdata, probes=args.probes,
            rdns=args.rdns, quarantine=args.quarantine, store=store, on_progress=bar,
            resolver=resolver,
        )  # fmt: skip
    if run.names is not None:
        print(f"ixpready: reverse DNS: {run.names.as_line()}", file=sys.stderr)
    render = {"table": analysis_as_table, "json": analysis_as_json, "csv": analysis_as_csv}[
        args.format
    ]
    _emit(render(run.result), args.out)
    if run.quarantined:
        print(
            f"ixpready: {len(run.quarantined)} malformed record(s) quarantined in {run.quarantine_file}; "
            "every readable result was analysed",
            file=sys.stderr,
        )
        return ExitCode.PARTIAL
    return ExitCode.OK


def run_demo(args: argparse.Namespace) -> int:
    """Runs `ixpready demo`: simulated scenario, analysis, then the summary."""
    outcome = demo.run_demo(args.out, seed=args.seed)
    print(analysis_as_table(outcome.analysis))
    for line in outcome.notes:
        print(line)
    return ExitCode.OK
