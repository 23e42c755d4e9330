"""`ixpready report`: write the bilingual HTML/PDF report and its exports from an analysis."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ixpready.pipeline import report

LANGUAGE_CHOICES = {"es": ("es",), "en": ("en",), "both": ("es", "en")}


def register(subparsers: Any) -> None:
    """Adds the `report` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="write the report (HTML + PDF per language) and CSV/JSON exports",
        description=(
            "Write a self-contained HTML page and a PDF per language, plus the verdicts "
            "(and, with --model, the candidate members) as CSV and JSON. Give several "
            "analyses to draw the trend across rounds: the newest one is reported."
        ),
    )
    parser.add_argument("analysis", nargs="+", type=Path, metavar="ANALYSIS.json",
                        help="analysis written by `ixpready analyze` (several: trend)")  # fmt: skip
    parser.add_argument("--model", type=Path, metavar="MODEL.json",
                        help="model written by `ixpready model` (candidates, what-if)")  # fmt: skip
    parser.add_argument("--dns", type=Path, action="append", default=[], metavar="RESULTS",
                        help="RIPE Atlas-format DNS results: which server instances answer, "
                             "where content names are served from (repeatable)")  # fmt: skip
    parser.add_argument("--refdata", type=Path, metavar="DIR",
                        help="reference-data folder: origin AS, AS name and registry country "
                             "of the addresses content names resolved to (with --dns)")  # fmt: skip
    parser.add_argument("--lang", choices=sorted(LANGUAGE_CHOICES), default="both",
                        help="report language(s) (default: both)")  # fmt: skip
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output folder (default: reports/<country>-<analysis time>)")  # fmt: skip
    parser.add_argument("--slides", action="store_true",
                        help="also write a 16:9 slide deck with speaker notes "
                             "(slides.<lang>.html and .pdf) for a meeting or a talk")  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Writes the report; prints the files written; returns the exit code."""
    files = report.report_from_files(
        tuple(args.analysis),
        model_path=args.model,
        out_dir=args.out,
        languages=LANGUAGE_CHOICES[args.lang],
        dns_paths=tuple(args.dns),
        refdata_path=args.refdata,
        slides=args.slides,
    )
    print(files.as_text())
    return 0
