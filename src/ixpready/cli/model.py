"""`ixpready model ANALYSIS.json`: who should join a national IXP, and what it would change."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ixpready.api import ModelResult, load_analysis, run_model
from ixpready.errors import ExitCode, UsageError
from ixpready.pipeline.model import to_json
from ixpready.pipeline.text import one_line


def register(subparsers: Any) -> None:
    """Adds the `model` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "model",
        help="rank IXP candidates, choose a founding set, simulate what a national IXP changes",
        description="Reads the JSON of `ixpready analyze` and models a national IXP.",
    )
    parser.add_argument("analysis", type=Path, help="ANALYSIS.json written by `ixpready analyze`")
    parser.add_argument(
        "--refdata", type=Path, help="reference data: *as-rel*.txt, peeringdb/, delegated-*"
    )
    parser.add_argument(
        "--ixp-members", type=Path, dest="members", help="member list for a what-if (ASNs)"
    )
    parser.add_argument("--weights", type=Path, help="per-AS user estimates (APNIC CSV)")
    parser.add_argument("--k", type=int, default=10, help="size of the founding set (default 10)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    parser.set_defaults(handler=handle)


def _clean(value: object) -> Text:
    return Text(one_line(value))


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def render_table(result: ModelResult, *, width: int = 120) -> str:
    """Returns the model as text tables for a terminal."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False)
    label = " (SIMULATED data)" if result.simulated else ""
    console.print(
        _clean(
            f"IXP model for {result.country}{label}: graph of {result.graph_nodes} networks, "
            f"{result.graph_links} links; pairs weighted by {result.weighting}"
        )
    )
    for note in result.notes:
        console.print(_clean(f"note: {note}"))
    carriers = Table(title="Foreign networks domestic paths depend on")
    for column in ("AS", "name", "country", "paths", "share", "hegemony"):
        carriers.add_column(column)
    for share in [s for s in result.country_dependence if s.kind == "as"][:10]:
        carriers.add_row(
            _clean(share.key), _clean(share.name), _clean(share.country or "?"),
            str(share.paths), f"{share.share:.0%}",
            "" if share.hegemony is None else f"{share.hegemony:.2f}",
        )  # fmt: skip
    console.print(carriers)
    ranking = Table(title="Candidate members (benefit if both ends of a pair join)")
    for column in ("#", "AS", "name", "tromboned pairs", "made local", "median saved ms", "why"):
        ranking.add_column(column)
    for c in result.candidates[:15]:
        ranking.add_row(
            str(c.rank), str(c.asn), _clean(c.name), str(c.tromboned_pairs),
            str(c.kept_local_pairs), _ms(c.median_saved_ms), _clean(c.explanation.text_en),
        )  # fmt: skip
    console.print(ranking)
    founding = result.founding_set
    picks = Table(title=f"Founding set (k={founding.k}), greedy on pair-ends reaching the IXP")
    for column in ("k", "AS", "name", "marginal gain", "coverage", "pairs local (simulated)"):
        picks.add_column(column)
    curve = {p.k: p for p in founding.curve}
    start = curve.get(0)
    if start is not None:
        present = ", ".join(str(a) for a in founding.already_present) or "nobody"
        picks.add_row("0", "", _clean(f"already present: {present}"), "",
                      f"{start.objective:.2f}", str(start.pairs_local))  # fmt: skip
    for pick in founding.picks:
        point = curve.get(pick.order)
        picks.add_row(
            str(pick.order), str(pick.asn), _clean(pick.name), f"{pick.marginal_gain:.2f}",
            f"{pick.objective:.2f}", "" if point is None else str(point.pairs_local),
        )  # fmt: skip
    console.print(picks)
    scenarios = Table(title="What-if: measured domestic pairs kept in the country")
    for column in ("scenario", "members", "pairs", "local before", "local after",
                   "tromboned made local", "median saved ms", "model agrees"):  # fmt: skip
        scenarios.add_column(column)
    for s in result.scenarios:
        scenarios.add_row(
            _clean(s.name), str(len(s.members)), str(s.pairs), str(s.pairs_local_before),
            str(s.pairs_local_after), str(s.measured_tromboned_made_local),
            _ms(s.median_saved_ms), "" if s.agreement is None else f"{s.agreement:.0%}",
        )  # fmt: skip
    console.print(scenarios)
    chosen = next((s for s in result.scenarios if s.name == "founding_set"), None)
    if chosen is not None:
        abroad = [o for o in chosen.outcomes if not o.local_after]
        stay = Table(title=f"Pairs still abroad with the founding set ({len(abroad)})")
        for column in ("from", "to", "measured", "why"):
            stay.add_column(column)
        for o in abroad[:20]:
            stay.add_row(str(o.src_asn), str(o.dst_asn), _clean(o.measured), _clean(o.reason_text))
        console.print(stay)
    return out.getvalue()


def handle(args: argparse.Namespace) -> int:
    """Runs `ixpready model`; returns the exit code."""
    if args.k < 0:
        raise UsageError(f"--k must be 0 or more, not {args.k}")
    analysis = load_analysis(args.analysis)
    result = run_model(
        analysis,
        refdata=args.refdata,
        members_file=args.members,
        k=args.k,
        weights_file=args.weights,
    )
    data = to_json(result) if args.format == "json" else render_table(result).encode()
    if args.out is not None:
        args.out.write_bytes(data)
        print(f"ixpready: model written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode())
        if not data.endswith(b"\n"):
            sys.stdout.write("\n")
    return int(ExitCode.OK)
