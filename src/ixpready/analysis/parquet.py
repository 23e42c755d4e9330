"""The path verdicts as a Parquet table (`analyze --format parquet`), written a row group
at a time.

One row per path verdict, domestic paths first, then the other paths (the order of the
JSON contract's `paths` then `other_paths`, as `--format jsonl`). The columns are the CSV's
(`CSV_COLUMNS`, same names and order), then `ixp_countries`, `origin` and `evidence`, with
the JSON contract's values typed:

- int64: `msm_id`, `prb_id`, `timestamp`, `src_asn`, `dst_asn`, `af`;
- string: `scope`, `verdict`, `reason`, `src_country`, `dst_country`, `dst_addr`, `origin`;
- float64: `rtt_ms`, `floor_rtt_ms`, `extra_rtt_ms`, `confidence` (rounded to 3 digits);
- list<string>: `foreign_countries`, `foreign_cities`, `ixps`, `ixp_countries`;
- list<int64>: `carried_by`, `as_path`;
- `evidence`: list<struct<kind: string, fact: string, hop: int64, address: string,
  country: string>>, the contract's evidence objects.

A missing value (no ASN, no RTT) is null. The rows with `scope == "domestic"` are the CSV's
rows (where the CSV joins a list with spaces, Parquet keeps the list). The file's key-value
metadata `ixpready-analysis` holds the rest of the analysis: the JSON contract
(`ixpready-analysis/1`) with empty `paths` and `other_paths` (summary, probes, snapshots,
AS names, inputs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, BinaryIO

from ixpready.analysis.export import CSV_COLUMNS, path_to_dict, to_json
from ixpready.analysis.verdicts import AnalysisResult, PathVerdict

PARQUET_COLUMNS = (*CSV_COLUMNS, "ixp_countries", "origin", "evidence")
ROW_GROUP_ROWS = 10_000  # rows held before a row group is written: bounds the writer's memory
METADATA_KEY = b"ixpready-analysis"

_WHOLE = ("msm_id", "prb_id", "timestamp", "src_asn", "dst_asn", "af")
_REAL = ("rtt_ms", "floor_rtt_ms", "extra_rtt_ms", "confidence")
_TEXTS = ("foreign_countries", "foreign_cities", "ixps", "ixp_countries")
_WHOLES = ("carried_by", "as_path")


def path_schema(head: AnalysisResult | None = None) -> Any:
    """Returns the pyarrow schema of the path table (with `head`: its metadata)."""
    import pyarrow as pa  # type: ignore[import-untyped]  # ships no type information

    def kind(column: str) -> Any:
        if column in _WHOLE:
            return pa.int64()
        if column in _REAL:
            return pa.float64()
        if column in _TEXTS:
            return pa.list_(pa.string())
        if column in _WHOLES:
            return pa.list_(pa.int64())
        if column == "evidence":
            return pa.list_(
                pa.struct(
                    [("kind", pa.string()), ("fact", pa.string()), ("hop", pa.int64()),
                     ("address", pa.string()), ("country", pa.string())]
                )
            )  # fmt: skip
        return pa.string()

    metadata = None
    if head is not None:
        document = to_json(replace(head, paths=(), other_paths=()))
        metadata = {METADATA_KEY: document}
    return pa.schema([(c, kind(c)) for c in PARQUET_COLUMNS], metadata=metadata)


def write_parquet(
    head: AnalysisResult,
    paths: Iterable[PathVerdict],
    other_paths: Iterable[PathVerdict],
    out: BinaryIO,
    row_group_rows: int = ROW_GROUP_ROWS,
) -> int:
    """Writes the paths, then the other paths, to `out` as Parquet, `row_group_rows` rows
    per row group (each group written before the next is gathered); `head` gives the file's
    metadata (its own paths are left out). Returns the rows written.

    The same paths give the same bytes, whether they come from memory or from a spool.
    """
    rows = (path_to_dict(path) for group in (paths, other_paths) for path in group)
    return write_rows(out, rows, path_schema(head), row_group_rows)


def write_rows(
    out: BinaryIO,
    rows: Iterable[Mapping[str, Any]],
    schema: Any,
    row_group_rows: int = ROW_GROUP_ROWS,
) -> int:
    """Writes rows (a value per column of the pyarrow `schema`; a missing one is null) to
    `out` as Parquet, `row_group_rows` rows per row group, each written before the next is
    gathered: memory holds one group, whatever the rows. Returns the rows written."""
    import pyarrow as pa
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    columns: dict[str, list[Any]] = {c: [] for c in schema.names}
    written = 0
    with pq.ParquetWriter(out, schema) as writer:

        def flush() -> None:
            writer.write_table(pa.Table.from_pydict(columns, schema=schema))
            for values in columns.values():
                values.clear()

        for row in rows:
            for column, values in columns.items():
                values.append(row.get(column))
            written += 1
            if written % row_group_rows == 0:
                flush()
        if written == 0 or written % row_group_rows:
            flush()  # the last, shorter group (an empty table still has its schema)
    return written
