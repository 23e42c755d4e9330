"""The analysis core gives, byte for byte, the analysis JSON recorded before it was refactored
(issue 14 part 4): the demo scenario under three seeds and every recorded traceroute fixture,
against the reference data of the recorded-fixture tests and, to run the verdict rules on
real traceroutes too, against a registry that places every address at home.

The recorded output lives in tests/analysis/golden/ (`golden_runs.py` says how it is made).
A verdict that changes on purpose (a bug fixed) is recorded again in a commit of its own.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from .golden_runs import GOLDEN, digest, run_all, verdict_lines


def test_every_analysis_is_byte_identical_to_the_recorded_one(
    recorded: Path, tmp_path: Path
) -> None:
    expected_digests = json.loads((GOLDEN / "digests.json").read_text())
    expected_lines = json.loads((GOLDEN / "verdicts.json").read_text())
    outputs = run_all(recorded, tmp_path)
    assert len(outputs) >= 3 + 2 * 15  # three demo seeds; every fixture, two registries
    assert sorted(outputs) == sorted(expected_digests), (
        "cases differ from the recorded ones: record again with "
        "`python -m tests.analysis.golden_runs --write`"
    )
    changed = []
    for name, document in outputs.items():
        if digest(document) != expected_digests[name]:
            diff = difflib.unified_diff(
                expected_lines[name], verdict_lines(document), "recorded", "now", lineterm="", n=0
            )
            changed.append(f"{name}:\n" + "\n".join(list(diff)[:40]))
    assert not changed, "analysis output changed:\n" + "\n\n".join(changed)


def test_the_golden_cases_judge_every_kind_of_verdict() -> None:
    """The recorded cases are worth comparing: each verdict and scope occurs in them."""
    lines = [
        line for found in json.loads((GOLDEN / "verdicts.json").read_text()).values()
        for line in found
    ]  # fmt: skip
    verdicts = {line.split()[5] for line in lines}
    scopes = {line.split()[4] for line in lines}
    assert {"local", "tromboned", "inconclusive"} <= verdicts, verdicts
    assert {"domestic", "outbound", "foreign"} <= scopes, scopes
