"""The exports beside the report: verdicts, probes and candidates as CSV and JSON, safe for
spreadsheets.

CSV cells never start a formula (`csv_cell`); JSON keeps values as received (a JSON reader
runs nothing). The verdicts JSON is the analysis contract itself (`ixpready-analysis/1`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain

import orjson

from ixpready.analysis.export import CSV_COLUMNS, path_to_dict, to_json
from ixpready.analysis.verdicts import AnalysisResult, PathVerdict
from ixpready.report.model_view import CandidateRow, ModelView
from ixpready.report.sanitize import csv_cell

VERDICT_COLUMNS = (*CSV_COLUMNS, "src_name", "dst_name", "origin", "evidence")
PROBE_COLUMNS = ("prb_id", "country", "asn", "as_name", "latitude", "longitude", "status",
                 "detail", "description")  # fmt: skip


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Returns CSV text (header first, `\\n` line ends) with every cell through `csv_cell`."""
    return "".join(csv_lines(header, rows))


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Yields the CSV text of `write_csv` a line at a time (for files written as they go)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in chain((header,), rows):
        writer.writerow([csv_cell(cell) for cell in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _verdict_row(path: PathVerdict, names: Mapping[int, str]) -> list[object]:
    obj = path_to_dict(path)
    row: list[object] = []
    for column in CSV_COLUMNS:
        value = obj[column]
        row.append(" ".join(str(v) for v in value) if isinstance(value, list) else value)
    row.append(names.get(path.src_asn, "") if path.src_asn is not None else "")
    row.append(names.get(path.dst_asn, "") if path.dst_asn is not None else "")
    row.append(path.origin)
    row.append(" | ".join(
        f"hop {e.hop}: {e.fact}" if e.hop is not None else e.fact for e in path.evidence
    ))  # fmt: skip
    return row


def verdicts_csv(analysis: AnalysisResult) -> str:
    """Returns every path verdict (domestic first, then the others) as CSV with its evidence."""
    paths = (*analysis.paths, *analysis.other_paths)
    return write_csv(VERDICT_COLUMNS, (_verdict_row(p, analysis.as_names) for p in paths))


def paths_csv(paths: Iterable[PathVerdict]) -> str:
    """Returns path verdicts in the contract's CSV columns (`analyze --format csv`), one row
    per path, list cells joined with spaces."""
    return "".join(paths_csv_lines(paths))


def paths_csv_lines(paths: Iterable[PathVerdict]) -> Iterator[str]:
    """Yields the text of `paths_csv` a line at a time."""
    return csv_lines(CSV_COLUMNS, (_verdict_row(p, {})[: len(CSV_COLUMNS)] for p in paths))


def probes_csv(analysis: AnalysisResult) -> str:
    """Returns the probes the analysis used, with their location check, as CSV."""
    names = analysis.as_names
    rows = (
        [p.prb_id, p.country, p.asn, names.get(p.asn, "") if p.asn is not None else "",
         p.latitude, p.longitude, p.status, p.detail, p.description]
        for p in analysis.probes
    )  # fmt: skip
    return write_csv(PROBE_COLUMNS, rows)


def verdicts_json(analysis: AnalysisResult) -> bytes:
    """Returns the analysis in its JSON contract (`ixpready-analysis/1`)."""
    return to_json(analysis)


CANDIDATE_COLUMNS = (
    "rank", "asn", "name", "paths", "tromboned_paths", "kept_local_paths", "median_saved_ms",
    "present_at", "case", "top_carrier",
)  # fmt: skip


MS_DIGITS = 1  # milliseconds in the exports: a tenth is what an RTT can tell


def _candidate_values(row: CandidateRow) -> list[object]:
    saved = None if row.median_saved_ms is None else round(row.median_saved_ms, MS_DIGITS)
    return [
        row.rank, row.asn, row.name, row.paths, row.tromboned_paths, row.kept_local_paths,
        saved, " ".join(row.present_at), row.case, row.top_carrier,
    ]  # fmt: skip


def candidates_csv(model: ModelView) -> str:
    """Returns the ranked candidate members as CSV, one row per network."""
    return write_csv(CANDIDATE_COLUMNS, (_candidate_values(c) for c in model.candidates))


def candidates_json(model: ModelView) -> bytes:
    """Returns the candidates and what-if scenarios as JSON (`ixpready-candidates/1`)."""
    document = {
        "format": "ixpready-candidates/1",
        "simulated": model.simulated,
        "candidates": [
            {**dict(zip(CANDIDATE_COLUMNS, _candidate_values(c), strict=True)),
             "present_at": list(c.present_at)}
            for c in model.candidates
        ],
        "founding_members": list(model.founding_members),
        "scenarios": [
            {"name": s.name, "members": s.members, "pairs": s.pairs,
             "pairs_local_before": s.pairs_local_before, "pairs_local_after": s.pairs_local_after,
             "tromboned_made_local": s.tromboned_made_local,
             "median_saved_ms": None if s.median_saved_ms is None
             else round(s.median_saved_ms, MS_DIGITS)}
            for s in model.scenarios
        ],
    }  # fmt: skip
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)
