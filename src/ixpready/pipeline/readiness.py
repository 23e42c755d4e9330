"""The `readiness` job: read an analysis and the reference data, run the IXP model, score
each domestic network (see `model.readiness`).

Reference data comes from one folder: `refdata.snapshots.load_snapshot` (routing table,
PeeringDB exchanges and members, CAIDA AS relationships, RIR countries) and
`refdata.readiness.load_readiness_refs` (PeeringDB net/netfac/poc, VRPs, RIPEstat
rpki-validation answers). An inventory (`ixpready discover`'s JSON, or a RIPEstat
`country-resource-list` answer) adds the networks no measurement reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from ixpready.analysis.verdicts import AnalysisResult
from ixpready.errors import InputError
from ixpready.model.build import run_model_on
from ixpready.model.readiness import ReadinessReport, ReadinessRound, Source
from ixpready.model.readiness_build import build_readiness
from ixpready.model.results import ModelResult
from ixpready.pipeline.model import read_inputs
from ixpready.refdata.readiness import load_readiness_refs
from ixpready.refdata.snapshots import load_snapshot
from ixpready.report.readiness_view import readiness_csv, readiness_json, readiness_table

__all__ = [
    "ReadinessReport",
    "read_inventory",
    "readiness_csv",
    "readiness_json",
    "readiness_of",
    "readiness_table",
]

MODEL_K = 5


def _snapshot_date(folder: Path) -> str | None:
    marker = folder / "snapshot.json"
    if not marker.is_file():
        return None
    try:
        info = orjson.loads(marker.read_bytes())
    except orjson.JSONDecodeError:
        return None
    return str(info["date"]) if isinstance(info, dict) and info.get("date") else None


def read_inventory(path: Path) -> tuple[tuple[int, ...], Source]:
    """Returns the ASNs of a country inventory file and where they came from.

    Reads `ixpready discover`'s inventory (`networks.asns`) or a RIPEstat
    country-resource-list answer (`data.resources.asn`). Raises InputError otherwise.
    """
    try:
        document: Any = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"{path}: no such inventory file") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc})") from None
    asns: Any = None
    if isinstance(document, dict) and isinstance(document.get("networks"), dict):
        networks = document["networks"]
        asns = networks.get("asns")
        source = Source(f"{path.name} ({networks.get('source') or 'inventory'})",
                        str(document.get("taken") or "")[:10] or None)  # fmt: skip
    elif isinstance(document, dict) and isinstance(document.get("data"), dict):
        resources = document["data"].get("resources")
        asns = resources.get("asn") if isinstance(resources, dict) else None
        stamp = document["data"].get("query_time") or document.get("time") or ""
        source = Source(f"{path.name} (RIPEstat country-resource-list)", str(stamp)[:10] or None)
    if not isinstance(asns, list):
        raise InputError(
            f"{path}: not an inventory (no networks.asns or data.resources.asn list)",
            hint="use the inventory-<country>-<date>.json `ixpready discover` writes",
        )
    out: dict[int, None] = {}
    for value in asns:
        text = str(value).upper().removeprefix("AS")
        if not text.isdigit():
            raise InputError(f"{path}: {value!r} is not an ASN")
        out.setdefault(int(text), None)
    return tuple(out), source


def readiness_of(
    analysis: AnalysisResult,
    *,
    refdata: Path,
    model: ModelResult | None = None,
    inventory: Path | None = None,
    now: datetime | None = None,
    gain: bool = True,
) -> ReadinessReport:
    """Returns the readiness scorecard of an analysis with the reference data in `refdata`.

    Runs the IXP model (as `ixpready model` does, k=5) unless `model` is given, or unless
    `gain` is False and CAIDA relationships name the upstreams (the counts of the trend need
    no model then). Raises
    RefdataError for an unusable reference folder, InputError for an unreadable inventory.
    """
    snapshot = load_snapshot(refdata)
    refs = load_readiness_refs(refdata, _snapshot_date(refdata))
    if model is None and (gain or not snapshot.relationships):
        inputs = read_inputs(analysis.country, refdata=refdata, members_file=None,
                             weights_file=None)  # fmt: skip
        model = run_model_on(analysis, inputs, k=MODEL_K)
    asns: tuple[int, ...] = ()
    source = None
    if inventory is not None:
        asns, source = read_inventory(inventory)
    return build_readiness(
        analysis, snapshot, refs, model,
        generated_at=now or datetime.now(tz=UTC), inventory=asns, inventory_source=source,
    )  # fmt: skip


def refdata_as_of(folder: Path, day: date) -> Path:
    """Returns the reference folder that was current on `day`: `folder` itself when its
    snapshot is not newer, else the newest `archive/<date>/` (what `refdata update` moved
    aside) dated on or before `day`, else `folder`."""
    current = _snapshot_date(folder)
    if current is None or date.fromisoformat(current) <= day:
        return folder
    archived = []
    archive = folder / "archive"
    if archive.is_dir():
        for path in archive.iterdir():
            try:
                archived.append((date.fromisoformat(path.name), path))
            except ValueError:
                continue
    earlier = [(d, p) for d, p in archived if d <= day and p.is_dir()]
    return max(earlier)[1] if earlier else folder


def readiness_history(
    refdata: Path, rounds: Sequence[tuple[str, date, AnalysisResult]]
) -> tuple[ReadinessRound, ...]:
    """Returns how many networks met each point in each round, given as (round id, last day
    of the round, analysis), with the reference data current then (`refdata_as_of`)."""
    return tuple(
        readiness_of(analysis, refdata=refdata_as_of(refdata, day), gain=False).as_round(round_id)
        for round_id, day, analysis in rounds
    )
