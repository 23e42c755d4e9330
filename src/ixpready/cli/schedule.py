"""`ixpready schedule install | show | remove`: systemd units or a crontab for the jobs."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ixpready.config import load_settings
from ixpready.errors import ExitCode
from ixpready.pipeline import schedule


def _schedule(args: argparse.Namespace) -> int:
    flags = {"schedule_unit_dir": args.unit_dir} if args.unit_dir else {}
    settings = load_settings(getattr(args, "config", None), os.environ, flags)
    if args.action == "install":
        print(schedule.install(settings, cron=args.cron).as_text())
    elif args.action == "remove":
        removed = schedule.remove(settings)
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print(f"nothing to remove in {schedule.unit_dir(settings)}")
    else:
        print(schedule.show(settings).as_text())
    return ExitCode.OK


def register(subparsers: Any) -> None:
    """Adds `schedule`."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schedule", help="install, show or remove the systemd timers (or crontab) of the jobs"
    )
    parser.add_argument("action", choices=("install", "show", "remove"))
    parser.add_argument("--cron", action="store_true", help="write a crontab instead of units")
    parser.add_argument("--unit-dir", help="folder of the units (default: schedule.unit_dir)")
    parser.set_defaults(handler=_schedule)
