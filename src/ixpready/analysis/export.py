"""The analysis JSON contract and CSV export: AnalysisResult <-> files.

Top-level JSON keys: `format` ("ixpready-analysis/1"), `country`, `generated_at`,
`simulated`, `summary`, `paths`, `other_paths`, `probes`, `snapshots`, `as_names`,
`home_ixps`, `inputs`. Each path: `msm_id`, `prb_id`, `timestamp`, `scope`, `src_asn`,
`dst_asn`, `src_country`, `dst_country`, `dst_addr`, `af`, `verdict`, `reason`,
`foreign_countries`, `foreign_cities`, `ixps`, `ixp_countries`, `carried_by`, `as_path`,
`rtt_ms`, `floor_rtt_ms`, `extra_rtt_ms`, `confidence`, `origin`, `evidence` (objects with
`kind`, `fact`, `hop`, `address`, `country`). Values are stored as received (escaping is
the report's job).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ixpready.analysis.verdicts import (
    AnalysisResult,
    Evidence,
    PathVerdict,
    ProbeCheck,
    Scope,
    SnapshotInfo,
    Summary,
    Verdict,
)
from ixpready.errors import InputError
from ixpready.measurements.records import TraceKey

FORMAT = "ixpready-analysis/1"

CSV_COLUMNS = (
    "msm_id", "prb_id", "timestamp", "scope", "src_asn", "dst_asn", "src_country",
    "dst_country", "dst_addr", "af", "verdict", "reason", "foreign_countries",
    "foreign_cities", "ixps", "carried_by", "as_path", "rtt_ms", "floor_rtt_ms",
    "extra_rtt_ms", "confidence",
)  # fmt: skip


def path_to_dict(path: PathVerdict) -> dict[str, Any]:
    """Returns the JSON-contract object of one path verdict."""
    return {
        "msm_id": path.trace.msm_id,
        "prb_id": path.trace.prb_id,
        "timestamp": path.trace.timestamp,
        "scope": str(path.scope),
        "src_asn": path.src_asn,
        "dst_asn": path.dst_asn,
        "src_country": path.src_country,
        "dst_country": path.dst_country,
        "dst_addr": path.dst_addr,
        "af": path.af,
        "verdict": str(path.verdict),
        "reason": path.reason,
        "foreign_countries": list(path.foreign_countries),
        "foreign_cities": list(path.foreign_cities),
        "ixps": list(path.ixps),
        "ixp_countries": list(path.ixp_countries),
        "carried_by": list(path.carried_by),
        "as_path": list(path.as_path),
        "rtt_ms": path.rtt_ms,
        "floor_rtt_ms": path.floor_rtt_ms,
        "extra_rtt_ms": path.extra_rtt_ms,
        "confidence": round(path.confidence, 3),
        "origin": path.origin,
        "evidence": [
            {"kind": e.kind, "fact": e.fact, "hop": e.hop, "address": e.address,
             "country": e.country}
            for e in path.evidence
        ],
    }  # fmt: skip


def to_json(result: AnalysisResult) -> bytes:
    """Returns the analysis as JSON bytes (the documented contract), indented."""
    summary = result.summary
    document = {
        "format": FORMAT,
        "country": result.country,
        "generated_at": result.generated_at.isoformat(),
        "simulated": result.simulated,
        "summary": {
            "domestic_paths": summary.domestic_paths,
            "local": summary.local,
            "local_via_ixp": summary.local_via_ixp,
            "tromboned": summary.tromboned,
            "inconclusive": summary.inconclusive,
            "other_paths": summary.other_paths,
            "results_read": summary.results_read,
            "quarantined": summary.quarantined,
            "skipped": summary.skipped,
            "duplicates": summary.duplicates,
        },
        "paths": [path_to_dict(p) for p in result.paths],
        "other_paths": [path_to_dict(p) for p in result.other_paths],
        "probes": [
            {"prb_id": p.prb_id, "country": p.country, "asn": p.asn, "latitude": p.latitude,
             "longitude": p.longitude, "status": p.status, "detail": p.detail,
             "description": p.description}
            for p in result.probes
        ],
        "snapshots": [{"kind": s.kind, "source": s.source, "date": s.date} for s in result.snapshots],
        "as_names": {str(asn): name for asn, name in sorted(result.as_names.items())},
        "home_ixps": list(result.home_ixps),
        "inputs": list(result.inputs),
    }  # fmt: skip
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


_PATHS = b'\n  "paths": []'
_OTHER_PATHS = b'\n  "other_paths": []'


def write_json(
    head: AnalysisResult,
    paths: Iterable[PathVerdict],
    other_paths: Iterable[PathVerdict],
    out: BinaryIO,
) -> None:
    """Writes the JSON contract of `head` with these paths, a path at a time: the bytes of
    `to_json` of the whole analysis (its own `paths` and `other_paths` are left out)."""
    skeleton = to_json(replace(head, paths=(), other_paths=()))
    at_paths = skeleton.index(_PATHS)
    at_other = skeleton.index(_OTHER_PATHS, at_paths)
    out.write(skeleton[: at_paths + len(_PATHS) - 1])
    _write_items(paths, out)
    out.write(skeleton[at_paths + len(_PATHS) : at_other + len(_OTHER_PATHS) - 1])
    _write_items(other_paths, out)
    out.write(skeleton[at_other + len(_OTHER_PATHS) :])


def _write_items(paths: Iterable[PathVerdict], out: BinaryIO) -> None:
    """Writes `[...]` of path objects as `orjson.OPT_INDENT_2` lays them out two levels
    down (`[]` when there are none)."""
    separator = b"\n    "
    for path in paths:
        item = orjson.dumps(path_to_dict(path), option=orjson.OPT_INDENT_2)
        out.write(separator + item.replace(b"\n", b"\n    "))
        separator = b",\n    "
    out.write(b"]" if separator == b"\n    " else b"\n  ]")


def path_line(path: PathVerdict) -> bytes:
    """Returns one path's JSON-contract object as a JSON line (`analyze --format jsonl`)."""
    return orjson.dumps(path_to_dict(path)) + b"\n"


def _tuple_str(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


def _tuple_int(value: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in value or ())


def path_from_dict(obj: dict[str, Any]) -> PathVerdict:
    """Returns the PathVerdict of one JSON-contract path object.

    Raises KeyError/ValueError/TypeError on a malformed object (callers translate).
    """
    return PathVerdict(
        trace=TraceKey(int(obj["msm_id"]), int(obj["prb_id"]), int(obj["timestamp"])),
        scope=Scope(obj.get("scope", "domestic")),
        verdict=Verdict(obj["verdict"]),
        reason=str(obj.get("reason", "")),
        af=int(obj.get("af", 4)),
        dst_addr=obj.get("dst_addr"),
        src_asn=None if obj.get("src_asn") is None else int(obj["src_asn"]),
        dst_asn=None if obj.get("dst_asn") is None else int(obj["dst_asn"]),
        src_country=obj.get("src_country"),
        dst_country=obj.get("dst_country"),
        as_path=_tuple_int(obj.get("as_path")),
        foreign_countries=_tuple_str(obj.get("foreign_countries")),
        foreign_cities=_tuple_str(obj.get("foreign_cities")),
        ixps=_tuple_str(obj.get("ixps")),
        ixp_countries=_tuple_str(obj.get("ixp_countries")),
        carried_by=_tuple_int(obj.get("carried_by")),
        rtt_ms=None if obj.get("rtt_ms") is None else float(obj["rtt_ms"]),
        floor_rtt_ms=None if obj.get("floor_rtt_ms") is None else float(obj["floor_rtt_ms"]),
        extra_rtt_ms=None if obj.get("extra_rtt_ms") is None else float(obj["extra_rtt_ms"]),
        confidence=float(obj.get("confidence", 0.0)),
        evidence=tuple(
            Evidence(kind=str(e.get("kind", "")), fact=str(e.get("fact", "")), hop=e.get("hop"),
                     address=e.get("address"), country=e.get("country"))
            for e in obj.get("evidence") or ()
        ),
        origin=str(obj.get("origin", "atlas")),
    )  # fmt: skip


def analysis_from_json(data: bytes, origin: str = "analysis") -> AnalysisResult:
    """Returns the AnalysisResult of a JSON-contract document.

    Raises InputError naming `origin` when the document is not an ixpready analysis.
    """
    try:
        doc = orjson.loads(data)
        if not isinstance(doc, dict) or "paths" not in doc or "country" not in doc:
            raise InputError(f"{origin}: not an ixpready analysis (no 'country'/'paths')")
        paths = tuple(path_from_dict(p) for p in doc["paths"])
        other = tuple(path_from_dict(p) for p in doc.get("other_paths") or ())
        s = doc.get("summary") or {}
        summary = Summary.of(
            paths, other,
            results_read=int(s.get("results_read", len(paths) + len(other))),
            quarantined=int(s.get("quarantined", 0)),
            skipped=int(s.get("skipped", 0)),
            duplicates=int(s.get("duplicates", 0)),
        )  # fmt: skip
        probes = tuple(
            ProbeCheck(
                prb_id=int(p["prb_id"]), country=p.get("country"), asn=p.get("asn"),
                latitude=p.get("latitude"), longitude=p.get("longitude"),
                status=str(p.get("status", "unknown")), detail=str(p.get("detail", "")),
                description=str(p.get("description", "")),
            )
            for p in doc.get("probes") or ()
        )  # fmt: skip
        snapshots = tuple(
            SnapshotInfo(kind=str(x["kind"]), source=str(x["source"]), date=x.get("date"))
            for x in doc.get("snapshots") or ()
        )
        return AnalysisResult(
            country=str(doc["country"]),
            generated_at=datetime.fromisoformat(doc["generated_at"]),
            summary=summary,
            paths=paths,
            other_paths=other,
            probes=probes,
            snapshots=snapshots,
            as_names={int(k): str(v) for k, v in (doc.get("as_names") or {}).items()},
            home_ixps=_tuple_str(doc.get("home_ixps")),
            inputs=_tuple_str(doc.get("inputs")),
            simulated=bool(doc.get("simulated", False)),
        )
    except InputError:
        raise
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{origin}: not JSON ({exc})") from None
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(f"{origin}: not a valid ixpready analysis ({exc!r})") from None


def load_analysis(path: Path) -> AnalysisResult:
    """Returns the analysis stored in a JSON file written by `ixpready analyze`.

    Raises InputError when the file is missing or not an analysis.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such analysis file",
            hint="write one with: ixpready analyze ... --format json --out FILE",
        ) from None
    return analysis_from_json(data, str(path))
