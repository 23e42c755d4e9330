"""The reference-data readers, on the recorded CAIDA and PeeringDB excerpts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ixpready.errors import InputError, RefdataError
from ixpready.model.graph import AsRelationship
from ixpready.model.refdata import (
    parse_as_rel,
    parse_delegated,
    parse_members,
    parse_peeringdb,
    parse_user_shares,
)
from ixpready.model.results import Relationship

CAIDA = "routing/caida-20180201-as-rel-central-america-mexico.txt"
PDB = "peeringdb/pdb-beta-api-2026-04-16-{kind}-page{page}.json"


def test_caida_excerpt_reads_every_line_with_its_direction(recorded: Path) -> None:
    lines = (recorded / CAIDA).read_text().splitlines()
    good, bad = parse_as_rel(lines, "as-rel")
    assert bad == ()
    # README: 124 header lines and 1,373 relationship lines; nothing lost
    assert len(good) == len([line for line in lines if not line.startswith("#")]) == 1373
    assert sum(r.relationship is Relationship.PEER for r in good) == 227
    # 174|14754|-1: Cogent sells transit to Telgua/Claro Guatemala
    assert AsRelationship(174, 14754, Relationship.PROVIDER_CUSTOMER) in good
    assert AsRelationship(13682, 23243, Relationship.PROVIDER_CUSTOMER) in good
    assert AsRelationship(12127, 13682, Relationship.PEER) in good


def test_caida_damaged_lines_are_named_and_the_rest_kept(recorded: Path) -> None:
    lines = (recorded / CAIDA).read_text().splitlines()[120:130]
    damaged = [*lines[:6], "174|14754", "174|x|-1", "174|14754|2", *lines[6:]]
    good, bad = parse_as_rel(damaged, "sample")
    assert len(good) == len([line for line in lines if not line.startswith("#")])
    assert [b.where for b in bad] == ["sample:7", "sample:8", "sample:9"]
    assert "is not -1 or 0" in bad[2].reason


def _pdb(recorded: Path, kind: str) -> list[object]:
    return [json.loads((recorded / PDB.format(kind=kind, page=p)).read_text()) for p in (1, 2)]


def test_peeringdb_pages_give_each_ixp_its_members(recorded: Path) -> None:
    ixps = parse_peeringdb(_pdb(recorded, "ix"), _pdb(recorded, "netixlan"), "pdb")
    by_id = {ixp.ix_id: ixp for ixp in ixps}
    frankfurt = by_id[31]
    assert (frankfurt.name, frankfurt.country, frankfurt.city) == (
        "DE-CIX Frankfurt", "DE", "Frankfurt",
    )  # fmt: skip
    assert len(frankfurt.asns) == 60  # 70 ports, 60 networks in these two pages
    assert 3257 in frankfurt.asns
    assert by_id[1023].country == "CR" and by_id[1023].asns == ()  # CRIX: no member page
    assert sum(1 for ixp in ixps if ixp.asns) == 81
    # four IXPs have members on these pages but are not on the ix pages: named by netixlan
    orphans = [ixp for ixp in ixps if ixp.country is None]
    assert len(orphans) == 4 and all(ixp.asns for ixp in orphans)


def test_peeringdb_document_without_data_is_refused() -> None:
    with pytest.raises(RefdataError, match="no 'data' list"):
        parse_peeringdb([{"meta": {}}], [], "ix.json")


def test_member_lists_accept_asn_forms_and_name_the_bad_line() -> None:
    text = "# founding members\nAS64500, 64501\n as64502  # comment\n\n64500\n"
    assert parse_members(text, "members.txt") == (64500, 64501, 64502)
    with pytest.raises(InputError, match=r"members.txt:2: 'ASX' is not an ASN"):
        parse_members("64500\nASX\n", "members.txt")


def test_apnic_style_user_estimates_become_shares_of_the_home_country() -> None:
    text = (
        "Rank,AS,AS Name,CC,Users (est.),% of Country,% of Internet,Samples\n"
        '1,AS14754,"Telgua",GT,"3,000,000",60,0.1,100\n'
        "2,AS23243,Comcel,GT,2000000,40,0.1,90\n"
        "3,AS7018,ATT,US,90000000,30,2,900\n"
    )
    shares = parse_user_shares(text, "apnic.csv", "GT")
    assert shares == {14754: pytest.approx(0.6), 23243: pytest.approx(0.4)}
    with pytest.raises(InputError, match="no ASN or users column"):
        parse_user_shares("name,value\nx,1\n", "bad.csv", "GT")
    with pytest.raises(InputError, match=r"bad.csv:2: unreadable row"):
        parse_user_shares("asn,users\nAS1,many\n", "bad.csv", "GT")


def test_delegated_files_give_asn_countries_with_ranges() -> None:
    lines = [
        "2|lacnic|20261101|100|19870101|20261101|-0300",
        "lacnic|*|asn|*|50|summary",
        "lacnic|GT|asn|14754|1|20000101|allocated|abc",
        "arin|US|asn|174|2|19910101|assigned",
        "lacnic|GT|ipv4|200.6.0.0|1024|20000101|allocated",
    ]
    assert parse_delegated(lines) == {14754: "GT", 174: "US", 175: "US"}
