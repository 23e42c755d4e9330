"""The `model` job: read the reference data, run the IXP model on an analysis.

Reference data comes from `refdata.snapshots.load_snapshot(refdata)`, the one reader of
registry files (see docs/model.md for what the model uses of it):

- `relationships`: CAIDA AS relationships (`<refdata>/*as-rel*.txt` or `.txt.bz2`);
- `ixs` + `ix_members`: the IXPs (PeeringDB `ix`/`netixlan`, also paged as `ix-page*.json`,
  and PCH's directory) and who has a port on them, for the home country's status quo;
- `asn_countries`: RIR delegated statistics (then CAIDA AS nationality), for foreign
  networks' countries.

Read here too: `members_file`, a member list for the what-if (ASNs, one a line or comma
separated), and `weights_file`, per-AS user estimates as APNIC publishes them (CSV).
"""

from __future__ import annotations

from pathlib import Path

from ixpready.analysis.export import load_analysis
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.errors import InputError
from ixpready.model.build import ModelInputs, run_model_on
from ixpready.model.export import load_model, to_json
from ixpready.model.results import ModelResult
from ixpready.refdata.members import IxpMembers, ixp_members, parse_members, parse_user_shares
from ixpready.refdata.snapshots import AsRelationship, RegistrySnapshot, load_snapshot

__all__ = [
    "ModelResult",
    "load_analysis",
    "load_model",
    "model_notes",
    "read_inputs",
    "run_model",
    "to_json",
]

# the kinds of snapshot file (`SnapshotSource.kind`) the model uses, listed in its inputs
MODEL_SOURCES = frozenset(
    {
        "AS relationships (CAIDA)",
        "PeeringDB",
        "PCH IXP directory",
        "IXP LAN list",
        "IXP LAN list (ixp-country-jedi)",
        "RIR delegated stats",
        "AS nationality (CAIDA)",
    }
)


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a {what} file") from None


def _damage_notes(snapshot: RegistrySnapshot) -> list[str]:
    """Returns one note per as-rel file with lines left out: how many, and the first."""
    by_file: dict[str, list[str]] = {}
    for bad in snapshot.malformed:
        by_file.setdefault(bad.where.rpartition(":")[0], []).append(bad.where)
    return [f"{len(bad)} unreadable as-rel lines, first at {bad[0]}" for bad in by_file.values()]


def read_inputs(
    country: str,
    *,
    refdata: Path | None,
    members_file: Path | None,
    weights_file: Path | None,
) -> ModelInputs:
    """Returns the model's reference data read from files (see the module docstring).

    Raises RefdataError for a missing refdata folder, one holding no recognised file, or a
    damaged file (other than as-rel lines, which are left out and counted in the notes);
    InputError for an unreadable members or weights file.
    """
    relationships: tuple[AsRelationship, ...] = ()
    ixps: tuple[IxpMembers, ...] = ()
    countries: dict[int, str] = {}
    notes: list[str] = []
    used: list[str] = []
    if refdata is not None:
        snapshot = load_snapshot(refdata)
        relationships = snapshot.relationships
        ixps = ixp_members(snapshot)
        countries = snapshot.asn_countries
        notes.extend(_damage_notes(snapshot))
        if not any(ixp.asns for ixp in ixps):
            notes.append("no PeeringDB netixlan data: no network counted as already at an IXP")
        used.extend(
            str(refdata / source.source)
            for source in snapshot.sources
            if source.kind in MODEL_SOURCES
        )
    members = None
    if members_file is not None:
        members = parse_members(_read_text(members_file, "member list"), str(members_file))
        used.append(str(members_file))
    shares = None
    if weights_file is not None:
        shares = parse_user_shares(
            _read_text(weights_file, "user-share"), str(weights_file), country
        )
        used.append(str(weights_file))
    return ModelInputs(
        relationships=relationships,
        ixps=ixps,
        countries=countries,
        members=members,
        user_shares=shares,
        notes=tuple(notes),
        inputs=tuple(used),
    )


def run_model(
    analysis: AnalysisResult,
    *,
    refdata: Path | None,
    members_file: Path | None,
    k: int,
    weights_file: Path | None,
) -> ModelResult:
    """Returns the IXP model of an analysis with the reference data of `refdata`.

    Raises RefdataError/InputError when a given file cannot be used.
    """
    inputs = read_inputs(
        analysis.country, refdata=refdata, members_file=members_file, weights_file=weights_file
    )
    return run_model_on(analysis, inputs, k=k)


def model_notes(result: ModelResult) -> tuple[str, ...]:
    """Returns a few lines summing up a model run, for the terminal (e.g. `ixpready demo`)."""
    founding = next((s for s in result.scenarios if s.name == "founding_set"), None)
    everyone = next((s for s in result.scenarios if s.name == "everyone"), None)
    picks = ", ".join(f"AS{p.asn} ({p.name})" for p in result.founding_set.picks) or "nobody"
    lines = [f"IXP founding set (k={result.founding_set.k}): {picks}"]
    if founding is not None:
        saved = (
            f", median {founding.median_saved_ms:.0f} ms saved"
            if founding.median_saved_ms is not None
            else ""
        )
        lines.append(
            f"with it {founding.pairs_local_after} of {founding.pairs} measured domestic pairs "
            f"would stay in {result.country} (now {founding.pairs_local_before}){saved}"
        )
    if everyone is not None:
        lines.append(
            f"with every domestic network at the IXP: {everyone.pairs_local_after} of "
            f"{everyone.pairs}"
        )
    if result.candidates:
        top = result.candidates[0]
        lines.append(f"top candidate: AS{top.asn} ({top.name}). {top.explanation.text_en}")
    return tuple(lines)
