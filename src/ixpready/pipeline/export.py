"""`ixpready export`: the rounds for other tools, as JSON lines or Parquet.

Writes into a folder, one table per file:

- `rounds.jsonl`: one object per round (the trend: counts, shares, median RTTs), format
  `ixpready-trend/1` without the wrapper;
- `paths.jsonl`: one object per judged path (domestic and other), the analysis JSON contract
  of a path without its evidence list, plus `round`;
- `results.jsonl` (with `raw=True`): every stored result of the rounds, `{"round": ...,
  "msm_id": ..., "prb_id": ..., "timestamp": ..., "result": <the result, as JSON>}`.

With `parquet=True` the same tables go to `.parquet` files (pyarrow, typed columns, lists as
list columns; `result` stays JSON text). Each file is written as its rows come (row groups of `ROW_GROUP` rows in Parquet; the raw
results read from the store a cursor at a time, never all in memory) into a temporary file,
then renamed: a kill leaves the old file or the new one, never half.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ixpready.analysis.export import path_to_dict
from ixpready.analysis.parquet import path_schema, write_rows
from ixpready.config import StoreSettings
from ixpready.errors import UsageError
from ixpready.measurements.store import Store
from ixpready.pipeline.trend import (
    RoundAnalysis,
    RoundPoint,
    results_store,
    write_atomically_with,
)

PATH_COLUMNS = (
    "round", "msm_id", "prb_id", "timestamp", "scope", "verdict", "reason", "af", "src_asn",
    "dst_asn", "src_country", "dst_country", "dst_addr", "foreign_countries", "foreign_cities",
    "ixps", "ixp_countries", "carried_by", "as_path", "rtt_ms", "floor_rtt_ms",
    "extra_rtt_ms", "confidence", "origin",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """The files written and how many rows each holds."""

    files: tuple[tuple[Path, int], ...]

    def as_text(self) -> str:
        """Returns one line per file for the terminal."""
        return "\n".join(f"wrote {path} ({rows} rows)" for path, rows in self.files)


def _round_row(point: RoundPoint) -> dict[str, Any]:
    return {
        "round": point.round_id,
        "starts": point.starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "results": point.results,
        "domestic_paths": point.domestic_paths,
        "local": point.local,
        "local_via_ixp": point.local_via_ixp,
        "tromboned": point.tromboned,
        "inconclusive": point.inconclusive,
        "local_share": round(point.local_share, 4),
        "tromboned_share": round(point.tromboned_share, 4),
        "inconclusive_share": round(point.inconclusive_share, 4),
        "median_rtt_ms": point.median_rtt_ms,
        "median_tromboned_rtt_ms": point.median_tromboned_rtt_ms,
    }


ROW_GROUP = 10_000  # Parquet rows gathered before they are written (memory stays bounded)


def _write_json_lines(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Writes one JSON object per line, as the rows come, atomically; returns how many."""
    count = 0

    def write(out: BinaryIO) -> None:
        nonlocal count
        for row in rows:
            out.write(orjson.dumps(row) + b"\n")
            count += 1

    write_atomically_with(path, write)
    return count


def _write_parquet(path: Path, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> int:
    """Writes the rows as a Parquet table, `ROW_GROUP` rows at a time (`write_rows`),
    atomically; returns how many."""
    schema = _schema(columns)
    count = 0

    def write(out: BinaryIO) -> None:
        nonlocal count
        count = write_rows(out, rows, schema, ROW_GROUP)

    write_atomically_with(path, write)
    return count


def _schema(columns: Sequence[str]) -> Any:
    """Returns the pyarrow schema of an exported table: a path's columns typed as in
    `analyze --format parquet` (`path_schema`), the rounds' and the results' own here."""
    import pyarrow as pa  # type: ignore[import-untyped]  # ships no type information

    types = {field.name: field.type for field in path_schema()}
    types |= dict.fromkeys(("round", "starts", "result"), pa.string())
    types |= dict.fromkeys(("results", "domestic_paths", "local", "local_via_ixp",
                            "tromboned", "inconclusive"), pa.int64())  # fmt: skip
    types |= dict.fromkeys(("local_share", "tromboned_share", "inconclusive_share",
                            "median_rtt_ms", "median_tromboned_rtt_ms"), pa.float64())  # fmt: skip
    return pa.schema([(name, types[name]) for name in columns])


def _raw_rows(
    shared: StoreSettings, local: Store | None, rounds: Sequence[str]
) -> Iterator[dict[str, Any]]:
    with results_store(shared, local) as store:
        for round_id in rounds:
            for result in store.round_results(round_id):
                yield {
                    "round": round_id,
                    "msm_id": result.key.msm_id,
                    "prb_id": result.key.prb_id,
                    "timestamp": result.key.timestamp,
                    "result": result.raw,
                }


def export(
    local: Store | None,
    out_dir: Path,
    *,
    shared: StoreSettings,
    analysed: Sequence[RoundAnalysis],
    rounds: Sequence[str] = (),
    raw: bool = False,
    parquet: bool = False,
) -> ExportSummary:
    """Writes the rounds (all, or those named) of `analysed` (`trend.analysed_rounds`) into
    `out_dir`, with `raw` their results from the store (`local`: the one the job runner
    opened; the shared one when `shared.url` is set); returns the files written.

    Raises UsageError for a round the store does not hold, and StoreError.
    """
    known = {r.round_id for r in analysed}
    unknown = [r for r in rounds if r not in known]
    if unknown:
        raise UsageError(
            f"round {unknown[0]} is not in the store",
            hint=f"rounds held: {', '.join(sorted(known)) or 'none'} (see `ixpready trend`)",
        )
    chosen = [r for r in analysed if not rounds or r.round_id in rounds]
    round_rows = [_round_row(r.point) for r in chosen]

    def path_rows() -> Iterator[dict[str, Any]]:
        for r in chosen:  # one round's verdicts read at a time
            analysis = r.analysis
            for p in (*analysis.paths, *analysis.other_paths):
                row = path_to_dict(p)
                del row["evidence"]
                yield {"round": r.round_id, **row}

    tables: list[tuple[str, Callable[[], Iterable[dict[str, Any]]], Sequence[str]]] = [
        ("rounds", lambda: round_rows, tuple(round_rows[0]) if round_rows else ("round",)),
        ("paths", path_rows, PATH_COLUMNS),
    ]
    if raw:  # read from the store as they are written, never all at once
        round_ids = [r.round_id for r in chosen]
        tables.append(("results", lambda: _raw_rows(shared, local, round_ids),
                       ("round", "msm_id", "prb_id", "timestamp", "result")))  # fmt: skip
    written: list[tuple[Path, int]] = []
    for name, rows, columns in tables:
        if parquet:
            path = out_dir / f"{name}.parquet"
            written.append((path, _write_parquet(path, rows(), columns)))
        else:
            path = out_dir / f"{name}.jsonl"
            lines = rows()
            if name == "results":  # the result itself as JSON, not as a string of JSON
                lines = ({**row, "result": orjson.loads(row["result"])} for row in lines)
            written.append((path, _write_json_lines(path, lines)))
    return ExportSummary(tuple(written))
