"""The report's figures, pinned by hand from the sample plan (tests/report/sample.py)."""

from __future__ import annotations

from ixpready.analysis.verdicts import Verdict
from ixpready.report.facts import facts_of, rounds_of
from report.sample import CABLE, PLAN, TELE, TRANSIT_US, sample_analysis


def test_counts_shares_and_penalty_match_the_plan() -> None:
    facts = facts_of(sample_analysis())
    assert facts.domestic_paths == len(PLAN) == 13
    assert dict(facts.counts) == {
        Verdict.LOCAL: 2, Verdict.LOCAL_VIA_IXP: 3, Verdict.TROMBONED: 6, Verdict.INCONCLUSIVE: 2,
    }  # fmt: skip
    # extras 50, 71, 74, 78.5, 81, 86 -> median (74 + 78.5) / 2
    assert facts.penalty_median_ms == 76.25
    assert [(c.label, c.paths) for c in facts.countries] == [("US", 5), ("MX", 1)]
    assert [(c.label, c.paths) for c in facts.cities] == [
        ("Miami, US", 4), ("Dallas, US", 1), ("Mexico City, MX", 1),
    ]  # fmt: skip
    assert facts.carriers[0].label == str(TRANSIT_US) and facts.carriers[0].paths == 5


def test_nothing_is_lost_between_paths_pairs_and_flows() -> None:
    facts = facts_of(sample_analysis(days=2))
    assert sum(cell.paths for cell in facts.pairs) == facts.domestic_paths == 26
    counted = sum(n for v, n in facts.counts if v in (Verdict.TROMBONED, Verdict.LOCAL_VIA_IXP))
    assert sum(flow.paths for flow in facts.flows) == counted
    assert len(facts.local_rtts_ms) == 10 and len(facts.tromboned_rtts_ms) == 12


def test_a_pair_is_coloured_by_its_most_frequent_verdict() -> None:
    facts = facts_of(sample_analysis())
    cable_tele = next(c for c in facts.pairs if (c.src_asn, c.dst_asn) == (CABLE, TELE))
    assert cable_tele.dominant is Verdict.TROMBONED and cable_tele.paths == 2


def test_rounds_come_from_several_analyses_or_from_the_days_of_one() -> None:
    by_day = rounds_of((sample_analysis(days=3),))
    assert [r.label for r in by_day] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert all(r.paths == 13 for r in by_day)
    by_analysis = rounds_of((sample_analysis(round_index=1), sample_analysis(round_index=0)))
    assert [r.label for r in by_analysis] == ["2026-03-02", "2026-03-03"]
    assert len(facts_of(sample_analysis()).rounds) == 1


def test_an_empty_analysis_gives_empty_figures() -> None:
    analysis = sample_analysis()
    empty = type(analysis)(
        country="GT", generated_at=analysis.generated_at, summary=analysis.summary, paths=(),
        other_paths=(), probes=(), snapshots=(),
    )  # fmt: skip
    facts = facts_of(empty)
    assert facts.domestic_paths == 0 and facts.penalty_median_ms is None
    assert facts.pairs == () and facts.flows == () and facts.rounds == ()


def test_given_rounds_and_marks_draw_the_trend() -> None:
    from datetime import UTC, date, datetime

    from ixpready.pipeline.report import report_round
    from ixpready.report.charts import trend
    from ixpready.report.facts import TrendMark
    from ixpready.report.i18n import Translator

    rounds = tuple(
        report_round(f"2026-W{week}", datetime(2026, 1, 5 + 7 * i, tzinfo=UTC), local=4 + i,
                     local_via_ixp=i, tromboned=6 - i, inconclusive=1)
        for i, week in enumerate(("02", "03", "04"))
    )  # fmt: skip
    facts = facts_of(sample_analysis(), rounds=rounds[::-1])
    assert [r.label for r in facts.rounds] == ["2026-W02", "2026-W03", "2026-W04"]
    assert facts.rounds[2].paths == 4 + 2 + 2 + 4 + 1
    mark = TrendMark(date(2026, 1, 15), "<b>IXP launched</b>")
    drawn = str(trend(facts, Translator("en"), (mark,)))
    assert ">W02<" in drawn and ">W04<" in drawn  # the common year is left out
    assert drawn.count('stroke-dasharray="4 3"') == 1  # between W03 (Jan 12) and W04 (Jan 19)
    assert "&lt;b&gt;IXP launched&lt;/b&gt;" in drawn
