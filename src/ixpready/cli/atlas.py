"""`ixpready discover | plan | measure | fetch | refdata`: the RIPE Atlas commands.

Each handler loads the settings (flags > IXPREADY_* > file > defaults), makes one call into
`ixpready.pipeline`, prints the summary and returns the exit code. Progress bars are drawn
on stderr only when it is a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from ixpready.config import Settings, load_settings
from ixpready.errors import ExitCode, UsageError
from ixpready.pipeline import commands as jobs
from ixpready.pipeline import refdata


def _settings(args: argparse.Namespace, **flags: Any) -> Settings:
    return load_settings(getattr(args, "config", None), os.environ, flags)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _add_country(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--country", help="ISO 3166 alpha-2 code (default: config, else GT)")


def _discover(args: argparse.Namespace) -> int:
    summary = jobs.discover(_settings(args, country=args.country), reuse=args.reuse)
    print(summary.as_text())
    return ExitCode.PARTIAL if summary.quarantined else ExitCode.OK


def _plan(args: argparse.Namespace) -> int:
    periodic = {"plan_is_oneoff": False, "plan_interval_s": args.periodic} if args.periodic else {}
    settings = _settings(
        args,
        country=args.country,
        plan_budget_credits=args.budget,
        plan_probes_per_as=args.probes_per_as,
        plan_stop=args.until,
        **periodic,
    )
    if args.until and settings.plan.is_oneoff:
        raise UsageError(
            "--until is the stop time of a periodic plan, and this plan is one-off",
            hint="add --periodic INTERVAL (such as 1h), or leave --until out",
        )
    output = Path(args.output) if args.output else Path(f"plan-{settings.country}.json")
    result = jobs.plan(
        settings, output, probes_file=Path(args.probes) if args.probes else None, af=args.af
    )
    print(result.text)
    return ExitCode.OK


def _measure(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _progress("creating measurements") as advance:
        summary = jobs.measure(
            settings,
            Path(args.plan),
            dry_run=args.dry_run,
            forget_unknown=args.forget_unknown,
            on_progress=advance,
        )
    print(summary.as_text())
    return ExitCode.PARTIAL if summary.unknown else ExitCode.OK


def _fetch(args: argparse.Namespace) -> int:
    settings = _settings(args, country=args.country)
    with _progress("fetching results") as advance:
        summary, written = jobs.fetch(
            settings,
            msm_ids=args.msm or (),
            window=timedelta(hours=args.window_hours),
            domestic_only=args.domestic,
            export_to=Path(args.export) if args.export else None,
            on_progress=advance,
        )
    print(summary.as_text())
    if written is not None:
        print(f"{written} results written to {args.export}")
    return ExitCode.PARTIAL if summary.quarantined else ExitCode.OK


def _refdata(args: argparse.Namespace) -> int:
    settings = _settings(args, country=getattr(args, "country", None))
    if args.action == "update":
        def source(label: str) -> None:
            print(f"ixpready: refdata: {label}", file=sys.stderr, flush=True)

        with _progress("downloading reference data") as advance:
            status = jobs.refdata_update(
                settings, rirs=args.rir or refdata.ALL_RIRS, on_progress=advance,
                on_source=source,
            )  # fmt: skip
    else:
        status = refdata.show(settings.refdata_path)
    print(status.as_text())
    return ExitCode.OK


def register(subparsers: Any) -> None:
    """Adds discover, plan, measure, fetch and refdata."""
    add: Callable[..., argparse.ArgumentParser] = subparsers.add_parser
    discover = add("discover", help="list a country's networks, RIPE Atlas probes and IXPs")
    _add_country(discover)
    discover.add_argument(
        "--reuse",
        action="store_true",
        help="also find public traceroutes that already cover the country (0 credits)",
    )
    discover.set_defaults(handler=_discover)

    plan = add("plan", help="choose probes and targets within a credit budget")
    _add_country(plan)
    plan.add_argument("--budget", type=int, help="most credits to spend (default: config)")
    plan.add_argument("--probes-per-as", type=int, help="probes per network (default: 3)")
    plan.add_argument("--probes", help="a probe list file instead of the discovered inventory")
    plan.add_argument("--af", type=int, choices=(4, 6), default=4, help="address family")
    plan.add_argument(
        "--periodic",
        metavar="INTERVAL",
        help="periodic traceroutes every INTERVAL (seconds, or 15m, 6h, 1d); needs --until",
    )
    plan.add_argument(
        "--until",
        metavar="DATE",
        help="stop time of a periodic plan (UTC: 2027-01-31 or 2027-01-31T12:00:00Z)",
    )
    plan.add_argument("-o", "--output", help="plan file to write (default: plan-CC.json)")
    plan.set_defaults(handler=_plan)

    measure = add("measure", help="create the plan's RIPE Atlas measurements (resumable)")
    measure.add_argument("plan", help="the plan file (JSON or TOML)")
    measure.add_argument("--dry-run", action="store_true", help="say what would be created")
    measure.add_argument(
        "--forget-unknown",
        action="store_true",
        help="create again items whose creation got no answer (check first)",
    )
    measure.set_defaults(handler=_measure)

    fetch = add("fetch", help="fetch new results of the stored measurements")
    fetch.add_argument("--msm", type=int, action="append", help="a measurement id (repeatable)")
    fetch.add_argument(
        "--window-hours",
        type=float,
        default=24.0,
        help="hours of results per request (default: 24)",
    )
    _add_country(fetch)
    fetch.add_argument(
        "--export", metavar="FILE", help="then write the stored results as JSON lines (for analyze)"
    )
    fetch.add_argument(
        "--domestic",
        action="store_true",
        help="only results of the country's probes (reuse public measurements)",
    )
    fetch.set_defaults(handler=_fetch)

    ref = add("refdata", help="download or show the reference data (PeeringDB, routing, RIR)")
    actions = ref.add_subparsers(dest="action", metavar="ACTION", required=True)
    update = actions.add_parser("update", help="download a new dated snapshot")
    _add_country(update)
    update.add_argument(
        "--rir",
        action="append",
        choices=refdata.ALL_RIRS,
        help="RIR statistics to download (repeatable; default: all five)",
    )
    actions.add_parser("show", help="say what is loaded and how old it is")
    ref.set_defaults(handler=_refdata)
