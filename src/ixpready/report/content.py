"""The content section: where popular content is served from, as rows for the page and a CSV.

`analysis.content` decides (addresses, owners, paths); this module only words it in one
language. Values stay plain text: the template escapes them, `exports.csv_cell` defuses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ixpready.analysis.content import (
    NO_ADDRESS,
    ContentAddress,
    ContentName,
    ContentSummary,
    PathsTo,
    Served,
)
from ixpready.report.exports import write_csv
from ixpready.report.i18n import Translator

CONTENT_MAX_NAMES = 20
CONTENT_MAX_ADDRESSES = 12

CONTENT_COLUMNS = (
    "name", "address", "type", "probes", "answers", "special", "prefix", "asn", "as_name",
    "registry_country", "paths_local", "paths_tromboned", "paths_abroad", "paths_inconclusive",
    "countries", "median_rtt_ms", "served", "aliases", "failures",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AddressRow:
    """One answer address as the page shows it."""

    address: str
    network: str
    registered: str
    abroad: bool  # registered outside the home country
    probes: int
    paths: str
    served: str


@dataclass(frozen=True, slots=True)
class NameBlock:
    """One content name as the page shows it: a sentence, notes and its address rows."""

    name: str
    served: str
    aliases: str
    failures: str
    rows: tuple[AddressRow, ...]
    more: int  # addresses not shown


@dataclass(frozen=True, slots=True)
class ContentView:
    """The content section in one language."""

    blocks: tuple[NameBlock, ...]
    more: int  # names not shown
    mapped: bool
    responses: int
    sources: str  # "ripestat/x.json (2025-06-10), ..."


def _countries(codes: tuple[str, ...], t: Translator) -> str:
    return ", ".join(t.country(c) for c in codes) or "?"


def served_text(paths: PathsTo, t: Translator, home: str) -> str:
    """Returns the sentence saying where the paths from home say a name is served from."""
    country = t.country(home)
    served = paths.served
    if served is Served.IN_COUNTRY:
        return t("content_served_in_country", country=country)
    if served is Served.DETOUR:
        return t("content_served_detour", country=country, abroad=_countries(paths.countries, t))
    if served is Served.ABROAD:
        return t("content_served_abroad", abroad=_countries(paths.countries, t))
    if served is Served.MIXED:
        return t("content_served_mixed", country=country, abroad=_countries(paths.countries, t))
    if served is Served.INCONCLUSIVE:
        return t("content_served_inconclusive")
    return t("content_served_not_traced", country=country)


def paths_text(paths: PathsTo, t: Translator) -> str:
    """Returns the paths to an address counted by outcome ("2 local · 1 abroad"), or ""."""
    parts = [
        t(key, n=t.integer(count))
        for key, count in (
            ("content_paths_local", paths.local),
            ("content_paths_tromboned", paths.tromboned),
            ("content_paths_abroad", paths.abroad),
            ("content_paths_inconclusive", paths.inconclusive),
        )
        if count
    ]
    if paths.median_rtt_ms is not None and parts:
        parts.append(t.ms(paths.median_rtt_ms))
    return " · ".join(parts)


def _network(item: ContentAddress, t: Translator) -> str:
    owner = item.owner
    if owner is None or owner.asn is None:
        if item.special is not None:
            return t("content_special")
        return "" if owner is None else t("content_no_origin")
    return f"AS{owner.asn} {owner.as_name}" if owner.as_name else f"AS{owner.asn}"


def _row(item: ContentAddress, t: Translator, home: str) -> AddressRow:
    country = None if item.owner is None else item.owner.registry_country
    return AddressRow(
        address=str(item.address),
        network=_network(item, t),
        registered=t.country(country) if country else "",
        abroad=country is not None and country.upper() != home,
        probes=item.probes,
        paths=paths_text(item.paths, t),
        served=t(f"content_short_{item.paths.served}"),
    )


def _block(name: ContentName, t: Translator, home: str) -> NameBlock:
    failures = ", ".join(
        f"{t('content_no_address') if reason == NO_ADDRESS else reason} ({t.integer(n)})"
        for reason, n in name.failures
    )
    return NameBlock(
        name=name.name,
        served=served_text(name.paths, t, home),
        aliases=t("content_aliases", names=", ".join(name.aliases)) if name.aliases else "",
        failures=t("content_failures", failures=failures) if failures else "",
        rows=tuple(_row(a, t, home) for a in name.addresses[:CONTENT_MAX_ADDRESSES]),
        more=max(0, len(name.addresses) - CONTENT_MAX_ADDRESSES),
    )


def content_view(summary: ContentSummary, t: Translator, home: str) -> ContentView:
    """Returns the content section in `t`'s language (the first CONTENT_MAX_NAMES names, each
    with its first CONTENT_MAX_ADDRESSES addresses; the CSV holds them all)."""
    home = home.upper()
    sources = ", ".join(f"{s.source} ({s.date})" if s.date else s.source for s in summary.sources)
    return ContentView(
        blocks=tuple(_block(n, t, home) for n in summary.names[:CONTENT_MAX_NAMES]),
        more=max(0, len(summary.names) - CONTENT_MAX_NAMES),
        mapped=summary.mapped,
        responses=summary.responses,
        sources=sources,
    )


def _csv_rows(name: ContentName) -> list[list[object]]:
    shared = [" ".join(name.aliases), " ".join(f"{r}:{n}" for r, n in name.failures)]
    if not name.addresses:
        return [[name.name, *[None] * (len(CONTENT_COLUMNS) - 4), str(name.served), *shared]]
    rows: list[list[object]] = []
    for item in name.addresses:
        owner, paths = item.owner, item.paths
        rows.append([
            name.name, str(item.address), item.rdtype, item.probes, item.answers, item.special,
            None if owner is None else owner.prefix, None if owner is None else owner.asn,
            None if owner is None else owner.as_name,
            None if owner is None else owner.registry_country,
            paths.local, paths.tromboned, paths.abroad, paths.inconclusive,
            " ".join(paths.countries), paths.median_rtt_ms, str(paths.served), *shared,
        ])  # fmt: skip
    return rows


def content_csv(summary: ContentSummary) -> str:
    """Returns one row per (content name, answer address) as CSV (a name without any address:
    one row with its failures); every cell through `csv_cell`."""
    return write_csv(CONTENT_COLUMNS, (row for n in summary.names for row in _csv_rows(n)))
