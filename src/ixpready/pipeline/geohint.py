"""`ixpready geohint`: read where router names say routers are (the reader `analyze` uses).

Names come from the command line or a file (one per line; `#` comments and blank lines
skipped); the answer is one `Geohint` per name, in input order, as a table or JSON.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ixpready.enrichment.geohint import Convention, Geohint, read_name
from ixpready.errors import InputError
from ixpready.refdata.dictionaries import HoihoRules, load_hoiho_rules
from ixpready.report.sanitize import one_line
from ixpready.report.terminal import terminal_safe


def read_name_file(path: Path) -> list[str]:
    """Returns the names of a file, one per line (blank lines and `#` comments skipped)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    names = []
    for line in text.splitlines():
        name = line.strip()
        if name and not name.startswith("#"):
            names.append(name)
    return names


def load_rules(path: Path | None) -> HoihoRules:
    """Returns the rules of an optional CAIDA Hoiho rules file (none without a path), with
    the lines skipped (`skipped_rules_note` says which and why)."""
    if path is None:
        return HoihoRules(())
    try:
        return load_hoiho_rules(path)
    except OSError as exc:
        raise InputError(f"cannot read Hoiho rules {path}: {exc.strerror}") from exc


def skipped_rules_note(path: Path, loaded: HoihoRules, shown: int = 5) -> str:
    """Returns what to print on stderr when lines of a Hoiho rules file were skipped (empty
    when none were): one line with the count, then the first `shown` reasons, each made
    safe for a terminal (the file's own text is in them)."""
    if not loaded.skipped:
        return ""
    lines = [
        f"{one_line(path)}: skipped {loaded.skipped} line(s) that are no Hoiho rule; "
        f"{len(loaded.rules)} rule(s) loaded"
    ]
    lines += [f"  line {number}: {one_line(why)}" for number, why in loaded.reasons[:shown]]
    if loaded.skipped > shown:
        lines.append(f"  ... and {loaded.skipped - min(shown, len(loaded.reasons))} more")
    return "\n".join(lines) + "\n"


def geohints(names: Iterable[str], rules: Sequence[Convention] = ()) -> list[Geohint]:
    """Returns one reading per name, in order."""
    return [read_name(name, rules) for name in names]


def geohints_as_json(hints: Sequence[Geohint]) -> str:
    """Returns the JSON list `ixpready geohint --format json` prints."""
    return json.dumps([hint.as_dict() for hint in hints], ensure_ascii=False, indent=2) + "\n"


def geohints_as_table(hints: Sequence[Geohint], *, width: int = 140) -> str:
    """Returns a table: name, place, code, rule, confidence (names made terminal-safe)."""
    table = Table(box=None, show_header=True, pad_edge=False)
    for column in ("name", "place", "lat, lon", "code", "rule", "confidence"):
        table.add_column(column, overflow="fold")
    for hint in hints:
        city = hint.city
        table.add_row(
            terminal_safe(hint.name),
            "-" if city is None else city.label,
            "" if city is None else f"{city.latitude:.2f}, {city.longitude:.2f}",
            terminal_safe(hint.code or ""),
            hint.rule or "",
            "" if city is None else f"{hint.confidence:.2f}",
        )
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=False, no_color=True, highlight=False).print(
        table, markup=False
    )
    return buffer.getvalue()
