"""The model on the analysis of the simulated demo scenario (`ixpready demo`'s data)."""

from __future__ import annotations

import itertools
from pathlib import Path

from ixpready.model.export import model_from_json, to_json
from ixpready.pipeline.demo import run_demo
from ixpready.pipeline.model import run_model


def test_the_demo_analysis_models_consistently(tmp_path: Path) -> None:
    outcome = run_demo(tmp_path / "demo")
    analysis = outcome.analysis
    result = run_model(
        analysis, refdata=tmp_path / "demo" / "refdata", members_file=None, k=4,
        weights_file=None,
    )  # fmt: skip
    assert result.simulated
    pairs = {(p.src_asn, p.dst_asn) for p in analysis.paths if p.src_asn and p.dst_asn}
    tromboned = sum(p.verdict == "tromboned" for p in analysis.paths)
    assert tromboned > 0
    # conservation: every measured domestic pair is in every scenario, once
    for scenario in result.scenarios:
        assert {(o.src_asn, o.dst_asn) for o in scenario.outcomes} == pairs
        assert scenario.pairs == len(pairs)
    status_quo, founding, everyone = result.scenarios
    # the graph built from the paths reproduces what was measured
    assert status_quo.agreement is not None and status_quo.agreement >= 0.9
    assert status_quo.pairs_local_after <= founding.pairs_local_after <= everyone.pairs_local_after
    gains = [p.marginal_gain for p in result.founding_set.picks]
    assert len(gains) == 4 and all(a >= b > 0 for a, b in itertools.pairwise(gains))
    local = [p.pairs_local for p in result.founding_set.curve]
    assert local == sorted(local) and local[-1] == founding.pairs_local_after
    # candidates: every domestic network ending a pair, ranked 1..n, explained in words
    assert [c.rank for c in result.candidates] == list(range(1, len(result.candidates) + 1))
    for candidate in result.candidates:
        explanation = candidate.explanation
        assert explanation.asn == candidate.asn
        assert explanation.top_carrier_asn != candidate.asn
        assert explanation.text_en
    assert model_from_json(to_json(result)) == result
