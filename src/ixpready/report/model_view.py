"""What the report shows of the IXP model: candidate members and the what-if scenarios.

`model_view_of(ModelResult)` keeps only what a reader needs, as plain typed rows; the
report works the same without a model (`None`). The model's English sentences are not
shown: each candidate's case is a catalog key, its numbers fill the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from ixpready.model.results import Candidate, ModelResult, WhatIf

CASES = frozenset({"join", "member_still_abroad", "member_local", "nothing_to_gain"})
SCENARIOS = frozenset({"status_quo", "founding_set", "members_file", "everyone"})


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """One ranked candidate member and the case for it (numbers; words come from i18n)."""

    rank: int
    asn: int
    name: str
    paths: int
    tromboned_paths: int
    kept_local_paths: int
    median_saved_ms: float | None
    present_at: tuple[str, ...]
    case: str  # one of CASES, else "other"
    top_carrier: str  # "AS64500 Name" or ""


@dataclass(frozen=True, slots=True)
class ScenarioRow:
    """One what-if: a national IXP with `members`, and the domestic pairs it makes local."""

    name: str  # one of SCENARIOS, else "other"
    label: str  # the model's own name for it
    members: int
    pairs: int
    pairs_local_before: int
    pairs_local_after: int
    tromboned_made_local: int
    median_saved_ms: float | None


@dataclass(frozen=True, slots=True)
class FounderRow:
    """One founding member: its pick order and its rank among candidates on its own (None
    when it is not ranked). A founder ranked below the set's size was picked for how it
    complements the others (a pair only stays local when both ends join)."""

    order: int
    asn: int
    name: str
    rank: int | None


@dataclass(frozen=True, slots=True)
class ModelView:
    """The model's conclusions as the report shows them."""

    candidates: tuple[CandidateRow, ...]
    scenarios: tuple[ScenarioRow, ...]
    founding_members: tuple[str, ...]  # "AS64500 Name", in pick order
    simulated: bool
    founders: tuple[FounderRow, ...] = ()  # in pick order

    @property
    def complements(self) -> tuple[FounderRow, ...]:
        """Returns the founders ranked below the founding set's size on their own, whose
        pick only complementarity explains."""
        size = len(self.founders)
        return tuple(f for f in self.founders if f.rank is None or f.rank > size)


def _candidate(candidate: Candidate) -> CandidateRow:
    why = candidate.explanation
    carrier = ""
    if why.top_carrier_asn is not None:
        carrier = f"AS{why.top_carrier_asn} {why.top_carrier_name}".strip()
    return CandidateRow(
        rank=candidate.rank,
        asn=candidate.asn,
        name=candidate.name,
        paths=candidate.paths,
        tromboned_paths=candidate.tromboned_paths,
        kept_local_paths=candidate.kept_local_paths,
        median_saved_ms=candidate.median_saved_ms,
        present_at=candidate.present_at,
        case=why.key if why.key in CASES else "other",
        top_carrier=carrier,
    )


def _scenario(whatif: WhatIf) -> ScenarioRow:
    return ScenarioRow(
        name=whatif.name if whatif.name in SCENARIOS else "other",
        label=whatif.name,
        members=len(whatif.members),
        pairs=whatif.pairs,
        pairs_local_before=whatif.pairs_local_before,
        pairs_local_after=whatif.pairs_local_after,
        tromboned_made_local=whatif.measured_tromboned_made_local,
        median_saved_ms=whatif.median_saved_ms,
    )


def model_view_of(model: ModelResult) -> ModelView:
    """Returns what the report shows of a model: candidates by rank, scenarios, founders."""
    ranks = {c.asn: c.rank for c in model.candidates}
    picks = sorted(model.founding_set.picks, key=lambda p: p.order)
    return ModelView(
        candidates=tuple(_candidate(c) for c in sorted(model.candidates, key=lambda c: c.rank)),
        scenarios=tuple(_scenario(w) for w in model.scenarios),
        founding_members=tuple(
            f"AS{pick.asn} {pick.name}".strip()
            for pick in sorted(model.founding_set.picks, key=lambda p: p.order)
        ),
        simulated=model.simulated,
        founders=tuple(FounderRow(p.order, p.asn, p.name, ranks.get(p.asn)) for p in picks),
    )
