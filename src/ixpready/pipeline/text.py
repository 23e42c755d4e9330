"""Plain renderings of an analysis for the terminal and for files (JSON contract, CSV).

Terminal text goes through the one sanitiser (`report.sanitize.clean`): hostnames and
descriptions come from the network.
"""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console
from rich.table import Table

from ixpready.analysis.core import other_path_causes
from ixpready.analysis.export import to_json
from ixpready.analysis.verdicts import AnalysisResult, Verdict
from ixpready.report.exports import paths_csv
from ixpready.report.sanitize import clean, one_line

# clean and one_line: the one sanitiser (report.sanitize) itself, re-exported for the CLI
# (which may import pipeline/, not report/); not a second implementation.
__all__ = ["analysis_as_csv", "analysis_as_json", "analysis_as_table", "clean", "one_line"]


def analysis_as_json(result: AnalysisResult) -> str:
    """Returns the JSON contract as text."""
    return to_json(result).decode()


def analysis_as_csv(result: AnalysisResult) -> str:
    """Returns the domestic verdicts as CSV (formula-safe cells)."""
    return paths_csv(result.paths)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "-"


def analysis_as_table(result: AnalysisResult, *, width: int = 120) -> str:
    """Returns the paths, then a human summary (counts per verdict, where detours go, why
    other paths got no verdict): the summary comes last, so a long table cannot scroll it
    out of sight."""
    s = result.summary
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=False, no_color=True, highlight=False
    )
    paths = Table(title="Domestic paths")
    for column in ("probe", "src AS", "dst AS", "verdict", "RTT ms", "+ms", "why"):
        paths.add_column(column)
    for p in result.paths[:200]:
        paths.add_row(
            str(p.trace.prb_id), f"AS{p.src_asn}" if p.src_asn else "?", f"AS{p.dst_asn}" if p.dst_asn else "?",
            str(p.verdict), "" if p.rtt_ms is None else f"{p.rtt_ms:.1f}",
            "" if p.extra_rtt_ms is None else f"{p.extra_rtt_ms:.1f}", clean(p.reason),
        )  # fmt: skip
    if result.paths:
        console.print(paths)
    if len(result.paths) > 200:
        console.print(f"... and {len(result.paths) - 200} more (use --format json or csv)")
    title = f"ixpready analysis, {result.country}" + (
        " (SIMULATED scenario)" if result.simulated else ""
    )
    console.print(title)
    console.print(
        f"{s.results_read} results read, {s.domestic_paths} domestic paths, {s.other_paths} other paths, "
        f"{s.quarantined} quarantined, {s.duplicates} duplicates, {s.skipped} not traceroutes"
    )
    summary = Table(title="Domestic paths by verdict")
    summary.add_column("verdict")
    summary.add_column("paths", justify="right")
    summary.add_column("share", justify="right")
    for verdict, count in (
        (Verdict.LOCAL, s.local), (Verdict.LOCAL_VIA_IXP, s.local_via_ixp),
        (Verdict.TROMBONED, s.tromboned), (Verdict.INCONCLUSIVE, s.inconclusive),
    ):  # fmt: skip
        summary.add_row(str(verdict), str(count), _pct(count, s.domestic_paths))
    console.print(summary)
    tromboned = [p for p in result.paths if p.verdict is Verdict.TROMBONED]
    if tromboned:
        cities = Counter(c for p in tromboned for c in (p.foreign_cities or p.foreign_countries))
        carriers = Counter(a for p in tromboned for a in p.carried_by)
        extras = sorted(p.extra_rtt_ms for p in tromboned if p.extra_rtt_ms is not None)
        console.print(
            "Detours go through: "
            + ", ".join(f"{clean(c)} ({n})" for c, n in cities.most_common(6))
        )
        console.print(
            "Carried abroad by: "
            + ", ".join(
                f"AS{a} {clean(result.as_names.get(a, ''))}".strip() + f" ({n})"
                for a, n in carriers.most_common(6)
            )
        )
        if extras:
            console.print(
                f"Median latency penalty over the physical floor: {extras[len(extras) // 2]:.1f} ms"
            )
    reasons = Counter(
        p.reason.split(" (")[0] for p in result.paths if p.verdict is Verdict.INCONCLUSIVE
    )
    if reasons:
        console.print(
            "Inconclusive because: "
            + "; ".join(f"{clean(r)} ({n})" for r, n in reasons.most_common(5))
        )
    contradicted = [p for p in result.probes if p.status == "contradicted"]
    for probe in contradicted:
        console.print(f"Probe {probe.prb_id} is not where declared: {clean(probe.detail)}")
    causes = other_path_causes(result)
    if causes:
        console.print(
            "Other paths (no domestic verdict), by why: "
            + "; ".join(f"{clean(cause)} ({n})" for cause, n in causes)
        )
    return buffer.getvalue()
