"""`ixpready analyze` and `ixpready demo`: judge traceroute paths, print or write the verdicts."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from ixpready.cli.progress import progress
from ixpready.config import is_country_code, load_settings
from ixpready.errors import ExitCode, InputError, UsageError
from ixpready.pipeline import analyze as job
from ixpready.pipeline import demo, streaming
from ixpready.pipeline import rdns as names
from ixpready.pipeline.text import analysis_as_table, clean


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
    parser.add_argument(
        "--refdata", type=Path,
        help="reference-data folder (default: the one `ixpready refdata update` fills, "
             "<data_dir>/refdata, when it exists)",
    )  # fmt: skip
    parser.add_argument("--probes", type=Path, help="probe metadata (RIPE Atlas probes API JSON)")
    parser.add_argument("--rdns", type=Path, help="reverse-DNS cache: JSON object address -> name")
    parser.add_argument(
        "--resolve", action="store_true",
        help="ask the reverse DNS of the hop addresses first (rdns.servers; kept in --store)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=("table", "json", "csv", "jsonl", "parquet"), default="table",
        help="table (in memory, for a glance); json, csv, jsonl and parquet are written as "
             "the verdicts are made, in memory bounded by the probes, addresses and routes seen",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=_workers, default=None, metavar="N",
        help="processes judging the paths (default: the cores available; the output is the "
             "same with any number)",
    )  # fmt: skip
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


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    return value


def _check_out(out: Path) -> None:
    if not out.parent.is_dir():
        raise InputError(
            f"--out {out}: no such folder {out.parent}",
            hint=f"create it first (mkdir -p {out.parent}) or choose another path",
        )


@contextmanager
def _output(out: Path | None) -> Iterator[BinaryIO]:
    """Yields where a streamed analysis goes: stdout, or `out` (written to a temporary file
    beside it, renamed when complete). Raises InputError when `out` cannot be written."""
    if out is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    _check_out(out)
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # whole on disk before it takes the name
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(
            f"--out {out}: cannot write ({exc.strerror or exc})",
            hint="choose a writable file",
        ) from None
    finally:
        partial.unlink(missing_ok=True)


def _emit(text: str, out: Path | None) -> None:
    """Writes `text` to stdout or to `out` (its folder must exist: nothing is created).
    Raises InputError, in one line, when `out` cannot be written."""
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    _check_out(out)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"--out {out}: cannot write ({exc.strerror or exc})",
            hint="choose a writable file",
        ) from None


REFDATA_HINT = (
    "reference data (prefix-to-AS, IXP peering LANs, registry countries) comes from "
    "`ixpready refdata update` (PeeringDB, RIPEstat, RIR files, into {default}); or place "
    "pfx2as*, peeringdb/*.json and delegated-* files in a folder and give it with --refdata DIR "
    "(README: Reference data)"
)


def _refdata_folder(args: argparse.Namespace) -> Path:
    """Returns --refdata, else the folder `refdata update` fills when it holds files."""
    if args.refdata is not None:
        return Path(args.refdata)
    default = load_settings(args.config, os.environ).refdata_path
    if default.is_dir() and any(default.iterdir()):
        print(f"ixpready: using reference data in {default}", file=sys.stderr)
        return default
    raise UsageError(
        "no reference data given (--refdata DIR), and none downloaded yet",
        hint=REFDATA_HINT.format(default=default),
    )


def run_analyze(args: argparse.Namespace) -> int:
    """Runs `ixpready analyze`; returns 7 (partial) when records were quarantined."""
    if not is_country_code(args.country):
        raise UsageError(
            f"--country {args.country!r} is not an ISO 3166 alpha-2 country code",
            hint="e.g. --country GT (Guatemala), SV, HN",
        )
    if not args.results and args.store is None:
        raise UsageError(
            "no results file given",
            hint="ixpready analyze RESULTS... --country GT --refdata DIR (or --store)",
        )
    refdata = _refdata_folder(args)
    store = None
    if args.store is not None:
        store = (
            Path(args.store) if args.store else load_settings(args.config, os.environ).store_path
        )
    resolver = None
    if args.resolve:
        resolver = names.resolver_of(load_settings(args.config, os.environ).rdns)
    run: job.AnalysisRun | streaming.StreamRun
    if args.format == "table":
        with progress("analysing", enabled=sys.stderr.isatty()) as bar:
            run = job.analyze_files(
                args.results, country=args.country.upper(), refdata=refdata,
                probes=args.probes, rdns=args.rdns, quarantine=args.quarantine, store=store,
                on_progress=bar, resolver=resolver,
            )  # fmt: skip
        _emit(analysis_as_table(run.result), args.out)
    else:
        if args.format == "parquet" and args.out is None and sys.stdout.isatty():
            raise UsageError(
                "Parquet is binary: it is not written to a terminal",
                hint="give --out FILE.parquet (or pipe the output)",
            )
        workers = args.workers or streaming.default_workers()
        with _output(args.out) as out, progress("analysing", enabled=sys.stderr.isatty()) as bar:
            run = streaming.analyze_files_to(
                out, args.format, args.results, country=args.country.upper(),
                refdata=refdata, probes=args.probes, rdns=args.rdns,
                quarantine=args.quarantine, store=store, on_progress=bar, resolver=resolver,
                workers=workers,
            )  # fmt: skip
    if run.names is not None:
        print(f"ixpready: reverse DNS: {run.names.as_line()}", file=sys.stderr)
    for line in run.warnings:
        print(f"ixpready: warning: {clean(line)}", file=sys.stderr)
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
