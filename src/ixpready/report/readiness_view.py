"""The readiness scorecard for people: JSON, CSV, the terminal table and the report section.

Its words live in `READINESS_ES` / `READINESS_EN`, merged into the report's catalogs
(`report.i18n`); network-provided strings (AS names, PeeringDB policy and as-set, facility
and IXP names) stay as received here and are escaped where rendered: by the template
(autoescape), `terminal_safe` for the terminal, `csv_cell` for CSV.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import orjson

from ixpready.model.readiness import (
    POINTS,
    READINESS_FORMAT,
    Check,
    NetworkReadiness,
    PointSummary,
    ReadinessReport,
    progress_lines,
)
from ixpready.report.exports import write_csv
from ixpready.report.i18n import Translator
from ixpready.report.terminal import terminal_safe

# ---------------------------------------------------------------------------------------------
# JSON and CSV


def _flatten(value: Any) -> Any:
    """Returns plain JSON values; a nested `source` object becomes `source` + `date`."""
    if isinstance(value, dict):
        out = {k: _flatten(v) for k, v in value.items()}
        source = out.get("source")
        if isinstance(source, dict) and set(source) == {"source", "date"}:
            out["source"], out["date"] = source["source"], source["date"]
        return out
    if isinstance(value, list | tuple):
        return [_flatten(v) for v in value]
    return value


def network_to_dict(row: NetworkReadiness) -> dict[str, Any]:
    """Returns one network's scorecard as JSON values (contacts only as a count)."""
    obj: dict[str, Any] = _flatten(dataclasses.asdict(row))
    obj["checks"] = {point: str(check) for point, check in row.checks().items()}
    obj["points_met"] = row.points_met
    obj["ipv6"]["verdicts"] = dict(row.ipv6.verdicts)
    obj["peeringdb"]["poc"] = obj["peeringdb"].pop("contacts")
    contacts = row.peeringdb.contacts
    obj["peeringdb"]["contacts_present"] = None if contacts is None else contacts > 0
    obj["irr"]["registered"] = row.irr.check is Check.YES
    obj["rpki"]["valid_share"] = row.rpki.valid_share
    obj["tromboned_share"] = row.paths.tromboned_share
    obj["median_penalty_ms"] = row.paths.median_penalty_ms
    return obj


def readiness_to_dict(report: ReadinessReport) -> dict[str, Any]:
    """Returns the scorecard as the JSON object `ixpready readiness --format json` writes."""
    return {
        "format": READINESS_FORMAT,
        "country": report.country,
        "generated_at": report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "analysis_generated_at": report.analysis_generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "simulated": report.simulated,
        "summary": [dataclasses.asdict(s) for s in report.summary()],
        "networks": [network_to_dict(n) for n in report.networks],
        "sources": [dataclasses.asdict(s) for s in report.sources],
        "notes": list(report.notes),
    }


def readiness_json(report: ReadinessReport) -> bytes:
    """Returns the scorecard as indented JSON."""
    return orjson.dumps(readiness_to_dict(report), option=orjson.OPT_INDENT_2) + b"\n"


CSV_COLUMNS = (
    "asn", "name", "measured", "points_met", *POINTS, "paths", "tromboned_share",
    "median_penalty_ms", "home_ixps", "home_facilities", "peeringdb_policy", "poc",
    "prefixes_v4", "prefixes_v6", "ipv6_paths", "rpki_valid", "rpki_invalid",
    "rpki_not_found", "rpki_unchecked", "irr_as_set", "upstreams", "model_rank",
    "kept_local_paths", "median_saved_ms",
)  # fmt: skip


def readiness_csv(report: ReadinessReport) -> str:
    """Returns one CSV row per network (formula-safe cells)."""
    rows = []
    for n in report.networks:
        checks = n.checks()
        rows.append([
            n.asn, n.name, n.measured, n.points_met, *(str(checks[p]) for p in POINTS),
            n.paths.paths, n.paths.tromboned_share, n.paths.median_penalty_ms,
            "; ".join(n.home_ixps.names), "; ".join(n.home_facilities.names),
            n.peeringdb.policy, n.peeringdb.contacts, n.ipv6.prefixes_v4, n.ipv6.prefixes_v6,
            n.ipv6.paths_measured, n.rpki.valid, n.rpki.invalid, n.rpki.not_found,
            n.rpki.unchecked, n.irr.as_set,
            "; ".join(f"AS{u.asn} ({u.country or '?'})" for u in n.upstreams.providers),
            n.gain.rank, n.gain.kept_local_paths, n.gain.median_saved_ms,
        ])  # fmt: skip
    return write_csv(CSV_COLUMNS, rows)


# ---------------------------------------------------------------------------------------------
# Words: the terminal table and the report section


def _mark(check: Check, t: Translator) -> str:
    return t(f"ready_{check.value}")


def summary_lines(summaries: tuple[PointSummary, ...], networks: int, t: Translator) -> list[str]:
    """Returns "IPv6 prefixes: 3 of 8 networks (no data: 2)" per point."""
    lines = []
    for s in summaries:
        line = t("ready_summary_line", point=t(f"ready_point_{s.point}"), yes=s.yes, n=networks)
        if s.unknown:
            line += " " + t("ready_summary_unknown", unknown=s.unknown)
        lines.append(line)
    return lines


def readiness_table(report: ReadinessReport, lang: str = "en") -> str:
    """Returns the scorecard for the terminal: one line per network, then the summary.
    Network-provided text has its control characters removed."""
    t = Translator(lang)
    heads = [t(f"ready_short_{p}") for p in POINTS]
    header = f"{'AS':>8} {t('ready_network'):<28} {'paths':>5} {'tromb.':>6} " + " ".join(
        f"{h[:8]:>8}" for h in heads
    )
    lines = []
    if report.simulated:
        lines.append("SIMULATED data: not a measurement of the real network.")
    lines.append(header)
    for n in report.networks:
        checks = n.checks()
        share = "-" if n.paths.tromboned_share is None else f"{n.paths.tromboned_share:.0%}"
        name = terminal_safe(n.name)[:28]
        lines.append(
            f"{n.asn:>8} {name:<28} {n.paths.paths:>5} {share:>6} "
            + " ".join(f"{_mark(checks[p], t):>8}" for p in POINTS)
        )
    lines.append("")
    lines += summary_lines(report.summary(), len(report.networks), t)
    lines += [f"note: {terminal_safe(note)}" for note in report.notes]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ReadinessRow:
    """One network of the report's scorecard, in words of one language (escaped later)."""

    network: str
    measured: bool
    paths: str
    tromboned: str
    penalty: str
    marks: tuple[tuple[str, str], ...]  # (check value for the CSS class, word)
    gain: str
    next_steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReadinessView:
    """The report's "Ready to peer?" section in one language."""

    heads: tuple[tuple[str, str], ...]  # (column head, the point in full for its tooltip)
    rows: tuple[ReadinessRow, ...]
    summary: tuple[str, ...]
    sources: str
    trend: tuple[str, ...]  # "IPv6: 3 → 7 networks" over the rounds (two or more)


def readiness_view(report: ReadinessReport, t: Translator) -> ReadinessView:
    """Returns the section's words in the translator's language."""
    rows = []
    for n in report.networks:
        checks = n.checks()
        gaps = [p for p in POINTS if checks[p] is Check.NO]
        steps = tuple(t(f"ready_next_{p}") for p in gaps) or (t("ready_next_none"),)
        share = n.paths.tromboned_share
        rows.append(
            ReadinessRow(
                network=f"AS{n.asn} {n.name}".strip(),
                measured=n.measured,
                paths=t.integer(n.paths.paths) if n.measured else t("ready_not_measured"),
                tromboned="" if share is None else t.percent(n.paths.tromboned, n.paths.paths),
                penalty=""
                if n.paths.median_penalty_ms is None
                else t.ms(n.paths.median_penalty_ms),
                marks=tuple((checks[p].value, _mark(checks[p], t)) for p in POINTS),
                gain=t("ready_gain_text", kept=t.integer(n.gain.kept_local_paths))
                if n.gain.kept_local_paths
                else t("ready_gain_none"),
                next_steps=steps,
            )
        )
    sources = "; ".join(
        f"{s.kind} ({s.source}, {s.date or '?'})"
        for s in report.sources
        if s.kind.startswith(("PeeringDB", "RPKI", "RIPEstat", "AS relationships", "prefix-to-AS"))
    )
    return ReadinessView(
        heads=tuple((t(f"ready_short_{p}"), t(f"ready_point_{p}")) for p in POINTS),
        rows=tuple(rows),
        summary=tuple(summary_lines(report.summary(), len(report.networks), t)),
        sources=sources,
        trend=tuple(
            t("ready_trend_line", point=t(f"ready_point_{point}"), counts=counts)
            for point, counts in progress_lines(report.history)
        )
        if len(report.history) > 1
        else (),
    )
