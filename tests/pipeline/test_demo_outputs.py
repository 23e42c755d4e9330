"""The demo's outputs are pinned: moving code between layers (issue #15: the reference-data
layer, the simulator's own package, analysis out of report/) must not change one byte of the
scenario, the analysis, the model, the readiness scorecard or the report data.

The digests (demo_outputs.json) were taken on main before the move. Only what differs
between two runs is normalised: the run's own times (within minutes of its analysis's
`generated_at`) and the output folder's path. PDFs are left out (they carry their creation
time); their HTML source is compared. One pin moved on purpose: SCENARIO.md names the
generator's module, `ixpready.demo.scenario` since the move (one line differs).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from ixpready.pipeline.demo import run_demo

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
# the run's own times lie this close to its start; the scenario's do not
RUN_TIME = timedelta(minutes=10)
PINNED = json.loads((Path(__file__).parent / "demo_outputs.json").read_text())


def _digests(out_dir: Path) -> dict[str, str]:
    started = datetime.fromisoformat(
        json.loads((out_dir / "analysis.json").read_bytes())["generated_at"]
    )

    def stamp(match: re.Match[str]) -> str:
        when = datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        return "<GENERATED_AT>" if abs(when - started) < RUN_TIME else match.group(0)

    out: dict[str, str] = {}
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file() and p.suffix != ".pdf"):
        text = path.read_bytes().decode("utf-8")
        text = text.replace(str(out_dir), "<OUT>")
        text = ISO_TIME.sub(stamp, text)
        out[str(path.relative_to(out_dir))] = hashlib.sha256(text.encode()).hexdigest()
    return out


def test_the_demo_writes_what_it_wrote_before_the_move(tmp_path: Path) -> None:
    out_dir = tmp_path / "demo"
    run_demo(out_dir)
    digests = _digests(out_dir)
    assert sorted(digests) == sorted(PINNED)  # the same files
    changed = sorted(name for name in digests if digests[name] != PINNED[name])
    assert changed == []


def test_the_normalisation_keeps_a_changed_byte_visible(tmp_path: Path) -> None:
    # The comparison could never fail if normalising erased the content: one changed verdict
    # must change the digest.
    scenario_time = "2026-11-01T00:00:00Z"
    for run, (at, verdict) in enumerate(
        (("2026-12-05T14:38:01+00:00", "local"), ("2026-12-05T14:38:15+00:00", "tromboned"))
    ):
        (tmp_path / "analysis.json").write_text(json.dumps({"generated_at": at, "v": verdict}))
        model_at = at.replace("+00:00", "Z")
        (tmp_path / "model.json").write_text(json.dumps({"at": model_at, "t": scenario_time}))
        (tmp_path / "scenario.json").write_text(json.dumps({"t": scenario_time, "run": run}))
        digests = _digests(tmp_path)
        if run == 0:
            before = digests
    assert before["model.json"] == digests["model.json"]  # only the run's own time differed
    assert before["analysis.json"] != digests["analysis.json"]  # a changed verdict shows
    assert before["scenario.json"] != digests["scenario.json"]
