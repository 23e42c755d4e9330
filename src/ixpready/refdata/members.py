"""The model's own inputs, read from text, and its view of the registry snapshot.

Registry files (CAIDA AS relationships, PeeringDB, RIR statistics) are read once, by
`refdata.snapshots.load_snapshot`; `ixp_members` groups that snapshot's exchange ports
into `IxpMembers`. Parsed here, because they are not registry data:

- An IXP member list: ASNs (`64500` or `AS64500`), separated by spaces, commas or lines,
  `#` starts a comment.
- Per-AS user estimates as APNIC publishes them (CSV with a header; the ASN column is
  `AS`/`ASN`, the users column `Users (est.)`/`users`, or a share column `% of country`/
  `share`; a `CC` column, when present, keeps only the home country's rows).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ixpready.errors import InputError
from ixpready.refdata.snapshots import RegistrySnapshot


@dataclass(frozen=True, slots=True)
class IxpMembers:
    """One IXP (PeeringDB, else PCH or another list) and the ASNs with a port on it."""

    ix_id: int
    name: str
    country: str | None
    city: str
    asns: tuple[int, ...]


def ixp_members(snapshot: RegistrySnapshot) -> tuple[IxpMembers, ...]:
    """Returns every exchange of a snapshot with the ASNs that have a port on it, by id.

    An exchange with no country (one only netixlan names, or from a list without countries)
    gets `country=None`; members of an exchange the snapshot does not know are left out.
    """
    asns: dict[int, set[int]] = {}
    for member in snapshot.ix_members:
        asns.setdefault(member.ix_id, set()).add(member.asn)
    return tuple(
        IxpMembers(
            ix_id=ix.id,
            name=ix.name,
            country=ix.country or None,
            city=ix.city,
            asns=tuple(sorted(asns.get(ix.id, ()))),
        )
        for ix in sorted(snapshot.ixs.values(), key=lambda ix: ix.id)
    )


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
