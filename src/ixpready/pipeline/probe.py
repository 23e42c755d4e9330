"""The probe jobs: run the operators' probe (trace or dns) and read back what it wrote.

`ixpready probe trace|dns` call these. The probe is a separate program started by
`sources.probe`; its files are RIPE Atlas results, so `ixpready analyze` reads them next to
results fetched from RIPE Atlas.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ixpready.measurements.records import DnsResult, Malformed, Trace
from ixpready.sources.probe import ProbeRun, read_probe_results, run_probe


@dataclass(frozen=True)
class ProbeSummary:
    """What one probe run produced: the file, traces (reached), DNS results, bad records."""

    kind: str
    output: Path
    traces: int
    reached: int
    failed: int
    dns: int
    dns_answered: int
    quarantined: tuple[Malformed, ...]
    probe_report: str
    probe_warnings: tuple[str, ...] = ()

    def as_text(self) -> str:
        """Returns the summary as lines for the terminal."""
        lines = [f"probe: {self.probe_report}"]
        lines += [f"probe warning: {warning}" for warning in self.probe_warnings]
        if self.kind == "trace":
            lines.append(
                f"{self.traces} traceroutes read back ({self.reached} reached the target, "
                f"{self.failed} could not be traced)"
            )
        else:
            lines.append(f"{self.dns} DNS results read back ({self.dns_answered} answered)")
        if self.quarantined:
            lines.append(f"{len(self.quarantined)} records could not be read")
        if self.kind == "trace":
            lines.append(f"next: ixpready analyze {self.output} --country GT --refdata DIR")
        return "\n".join(lines)


def default_output(kind: str, folder: Path = Path(".")) -> Path:
    """Returns `probe-<kind>-<UTC time>.jsonl` in `folder`."""
    return folder / f"probe-{kind}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.jsonl"


def _summary(kind: str, run: ProbeRun) -> ProbeSummary:
    traces = reached = failed = dns = answered = 0
    bad: list[Malformed] = []
    for outcome in read_probe_results(run.output):
        if isinstance(outcome, Trace):
            traces += 1
            reached += outcome.destination_reached
            failed += outcome.error is not None
        elif isinstance(outcome, DnsResult):
            dns += 1
            answered += any(r.answer is not None for r in outcome.responses)
        elif isinstance(outcome, Malformed):
            bad.append(outcome)
    return ProbeSummary(kind, run.output, traces, reached, failed, dns, answered, tuple(bad),
                        run.report, run.warnings)


def trace(
    arguments: Sequence[str], output: Path, *, command: Sequence[str] | None = None
) -> ProbeSummary:
    """Runs `ixpready-probe trace ARGUMENTS`; returns what its result file holds.

    Raises the errors of `sources.probe.run_probe` (usage, input, raw sockets, no route).
    """
    return _summary("trace", run_probe("trace", arguments, output, command=command))


def dns(
    arguments: Sequence[str], output: Path, *, command: Sequence[str] | None = None
) -> ProbeSummary:
    """Runs `ixpready-probe dns ARGUMENTS`; returns what its result file holds."""
    return _summary("dns", run_probe("dns", arguments, output, command=command))
