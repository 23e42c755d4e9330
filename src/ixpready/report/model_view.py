"""What the report shows of the IXP model: candidate members and the what-if scenarios.

`model_view_of(ModelResult)` keeps only what a reader needs, as plain typed rows; the
report works the same without a model (`None`).
"""

from __future__ import annotations

from dataclasses import dataclass


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
    case: str  # "join", "member_still_abroad", "member_local", "nothing_to_gain"
    top_carrier: str  # "AS64500 Name" or ""


@dataclass(frozen=True, slots=True)
class ScenarioRow:
    """One what-if: a national IXP with `members`, and the domestic pairs it makes local."""

    name: str  # "status_quo", "founding_set", "members_file", "everyone"
    members: int
    pairs: int
    pairs_local_before: int
    pairs_local_after: int
    tromboned_made_local: int
    median_saved_ms: float | None


@dataclass(frozen=True, slots=True)
class ModelView:
    """The model's conclusions as the report shows them."""

    candidates: tuple[CandidateRow, ...]
    scenarios: tuple[ScenarioRow, ...]
    founding_members: tuple[str, ...]  # "AS64500 Name", in pick order
    simulated: bool
    notes: tuple[str, ...] = ()
