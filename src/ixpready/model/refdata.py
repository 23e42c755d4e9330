"""Small pure readers of the reference data the model uses (the pipeline opens the files).

- CAIDA AS relationships (`as1|as2|rel[|source]`, `#` comments): rel -1 means as1 sells
  transit to as2, 0 that they peer. Unreadable lines come back as `Malformed`.
- PeeringDB `ix` and `netixlan` API documents (`{"data": [...]}`): IXPs and who is on them.
- An IXP member list: ASNs (`64500` or `AS64500`), separated by spaces, commas or lines,
  `#` starts a comment.
- Per-AS user estimates as APNIC publishes them (CSV with a header; the ASN column is
  `AS`/`ASN`, the users column `Users (est.)`/`users`, or a share column `% of country`/
  `share`; a `CC` column, when present, keeps only the home country's rows).
- RIR delegated-extended statistics (`registry|cc|asn|start|count|date|status`): countries.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ixpready.errors import InputError, RefdataError
from ixpready.measurements.records import Malformed
from ixpready.model.graph import AsRelationship
from ixpready.model.results import Relationship


@dataclass(frozen=True, slots=True)
class IxpMembers:
    """One IXP from PeeringDB and the ASNs with a port on it."""

    ix_id: int
    name: str
    country: str | None
    city: str
    asns: tuple[int, ...]


def parse_as_rel(
    lines: Iterable[str], origin: str
) -> tuple[tuple[AsRelationship, ...], tuple[Malformed, ...]]:
    """Returns the relationships of CAIDA as-rel lines and the lines that could not be read."""
    good: list[AsRelationship] = []
    bad: list[Malformed] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split("|")
        try:
            if len(fields) < 3:
                raise ValueError("expected as1|as2|rel")
            a, b, rel = int(fields[0]), int(fields[1]), int(fields[2])
        except ValueError as exc:
            bad.append(Malformed(f"{origin}:{number}", f"not an as-rel line ({exc})", raw))
            continue
        if rel == -1:
            good.append(AsRelationship(a, b, Relationship.PROVIDER_CUSTOMER))
        elif rel == 0:
            good.append(AsRelationship(a, b, Relationship.PEER))
        else:
            bad.append(Malformed(f"{origin}:{number}", f"relationship {rel} is not -1 or 0", raw))
    return tuple(good), tuple(bad)


def _rows(document: Any, origin: str) -> list[dict[str, Any]]:
    if isinstance(document, dict):
        document = document.get("data")
    if not isinstance(document, list):
        raise RefdataError(
            f"{origin}: not a PeeringDB API response (no 'data' list)",
            hint="save the API response as is: https://www.peeringdb.com/api/<type>",
        )
    return [row for row in document if isinstance(row, dict)]


def parse_peeringdb(
    ix_documents: Iterable[Any], netixlan_documents: Iterable[Any], origin: str
) -> tuple[IxpMembers, ...]:
    """Returns every IXP named in the `ix` documents with its members from `netixlan`.

    Members of an IXP missing from `ix` are kept under the name netixlan gives it, with
    no country. Rows whose `status` is not "ok" are left out.
    """
    ixes: dict[int, dict[str, Any]] = {}
    for document in ix_documents:
        for row in _rows(document, origin):
            if "id" in row and row.get("status", "ok") == "ok":
                ixes[int(row["id"])] = row
    members: dict[int, set[int]] = {}
    names: dict[int, str] = {}
    for document in netixlan_documents:
        for row in _rows(document, origin):
            if row.get("status", "ok") != "ok" or row.get("asn") is None or "ix_id" not in row:
                continue
            ix_id = int(row["ix_id"])
            members.setdefault(ix_id, set()).add(int(row["asn"]))
            names.setdefault(ix_id, str(row.get("name") or f"IX {ix_id}"))
    out: list[IxpMembers] = []
    for ix_id in sorted(set(ixes) | set(members)):
        ix = ixes.get(ix_id, {})
        out.append(
            IxpMembers(
                ix_id=ix_id,
                name=str(ix.get("name") or names.get(ix_id) or f"IX {ix_id}"),
                country=ix.get("country") or None,
                city=str(ix.get("city") or ""),
                asns=tuple(sorted(members.get(ix_id, ()))),
            )
        )
    return tuple(out)


def _asn(token: str) -> int:
    text = token.strip().upper().removeprefix("AS")
    value = int(text)
    if not 0 < value < 2**32:
        raise ValueError(f"{value} is not an ASN")
    return value


def parse_members(text: str, origin: str) -> tuple[int, ...]:
    """Returns the ASNs of a member list in file order, without repeats.

    Raises InputError naming the line of anything that is not an ASN.
    """
    out: dict[int, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for token in line.split("#", 1)[0].replace(",", " ").split():
            try:
                out.setdefault(_asn(token), None)
            except ValueError:
                raise InputError(
                    f"{origin}:{number}: {token!r} is not an ASN",
                    hint="list one ASN per line, as 64500 or AS64500",
                ) from None
    return tuple(out)


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _number(cell: str) -> float:
    return float(cell.strip().rstrip("%").replace(",", "") or "0")


def parse_user_shares(text: str, origin: str, home: str) -> dict[int, float]:
    """Returns each network's share (0..1) of the home country's users.

    Raises InputError when the header has no ASN or users column, or a cell is unreadable.
    """
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InputError(f"{origin}: empty user-share file")
    header = rows[0]
    asn_col = _column(header, ("as", "asn", "autonomous system"))
    users_col = _column(header, ("users (est.)", "users", "% of country", "share", "weight"))
    cc_col = _column(header, ("cc", "country"))
    if asn_col is None or users_col is None:
        raise InputError(
            f"{origin}: no ASN or users column in {header!r}",
            hint="use APNIC's CSV (AS, Users (est.)) or a header 'asn,users'",
        )
    users: dict[int, float] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if cc_col is not None and row[cc_col].strip().upper() != home.upper():
            continue
        try:
            asn = _asn(row[asn_col])
            users[asn] = users.get(asn, 0.0) + _number(row[users_col])
        except (ValueError, IndexError):
            raise InputError(f"{origin}:{number}: unreadable row {row!r}") from None
    total = sum(users.values())
    if total <= 0:
        raise InputError(f"{origin}: no users counted for {home}")
    return {asn: value / total for asn, value in users.items()}


def parse_delegated(lines: Iterable[str]) -> dict[int, str]:
    """Returns ASN -> country of the `asn` records of RIR delegated(-extended) files."""
    out: dict[int, str] = {}
    for line in lines:
        fields = line.strip().split("|")
        if len(fields) < 5 or fields[2] != "asn" or not fields[1] or fields[1] == "*":
            continue
        try:
            start, count = int(fields[3]), int(fields[4])
        except ValueError:
            continue
        for asn in range(start, start + min(count, 65536)):
            out[asn] = fields[1].upper()
    return out
