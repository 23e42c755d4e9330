"""The `model` job: read the reference data, run the IXP model on an analysis.

Files read (all optional; see docs/model.md):

- `<refdata>/*as-rel*.txt` (or `.txt.bz2`, as CAIDA ships them): AS relationships
  (`as1|as2|rel`);
- `<refdata>/peeringdb/ix.json` and `netixlan.json` (PeeringDB API responses, also paged as
  `ix-page*.json`, `netixlan-page*.json`): the home country's IXPs and their members;
- `<refdata>/delegated-*`: RIR delegated-extended statistics, for foreign networks' countries;
- `members_file`: a member list for the what-if (ASNs, one a line or comma separated);
- `weights_file`: per-AS user estimates as APNIC publishes them (CSV).
"""

from __future__ import annotations

import bz2
from pathlib import Path
from typing import Any

import orjson

from ixpready.analysis.export import load_analysis
from ixpready.analysis.verdicts import AnalysisResult
from ixpready.errors import InputError, RefdataError
from ixpready.model.build import ModelInputs, run_model_on
from ixpready.model.export import load_model, to_json
from ixpready.model.graph import AsRelationship
from ixpready.model.refdata import (
    IxpMembers,
    parse_as_rel,
    parse_delegated,
    parse_members,
    parse_peeringdb,
    parse_user_shares,
)
from ixpready.model.results import ModelResult

__all__ = [
    "ModelResult",
    "load_analysis",
    "load_model",
    "model_notes",
    "read_inputs",
    "run_model",
    "to_json",
]


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a {what} file") from None


def _json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise RefdataError(f"{path}: not JSON ({exc})") from None


def _peeringdb(folder: Path) -> tuple[IxpMembers, ...]:
    ix_files = sorted([*folder.glob("ix.json"), *folder.glob("ix-page*.json")])
    netixlan_files = sorted([*folder.glob("netixlan.json"), *folder.glob("netixlan-page*.json")])
    if not netixlan_files:
        return ()
    return parse_peeringdb(
        [_json(p) for p in ix_files], [_json(p) for p in netixlan_files], str(folder)
    )


def read_inputs(
    country: str,
    *,
    refdata: Path | None,
    members_file: Path | None,
    weights_file: Path | None,
) -> ModelInputs:
    """Returns the model's reference data read from files (see the module docstring).

    Raises RefdataError for a missing or unreadable refdata folder or PeeringDB file,
    InputError for an unreadable members or weights file.
    """
    relationships: list[AsRelationship] = []
    ixps: tuple[IxpMembers, ...] = ()
    countries: dict[int, str] = {}
    notes: list[str] = []
    used: list[str] = []
    if refdata is not None:
        if not refdata.is_dir():
            raise RefdataError(
                f"{refdata}: no such reference-data folder",
                hint="pass the folder given to `ixpready analyze --refdata`",
            )
        as_rel = [*refdata.glob("*as-rel*.txt"), *refdata.glob("*as-rel*.txt.bz2")]
        for path in sorted(as_rel):
            opener = bz2.open if path.suffix == ".bz2" else open
            try:
                with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
                    good, bad = parse_as_rel(lines, str(path))
            except OSError as exc:
                raise RefdataError(f"{path}: cannot be read ({exc})") from None
            relationships.extend(good)
            used.append(str(path))
            if bad:
                notes.append(f"{len(bad)} unreadable as-rel lines, first at {bad[0].where}")
        ixps = _peeringdb(refdata / "peeringdb")
        if ixps:
            used.append(str(refdata / "peeringdb"))
        else:
            notes.append("no PeeringDB netixlan data: no network counted as already at an IXP")
        for path in sorted(refdata.glob("delegated-*")):
            if path.is_file():
                with path.open(encoding="utf-8", errors="replace") as lines:
                    countries.update(parse_delegated(lines))
                used.append(str(path))
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
        relationships=tuple(relationships),
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
        lines.append(f"top candidate: {result.candidates[0].explanation.text_en}")
    return tuple(lines)
