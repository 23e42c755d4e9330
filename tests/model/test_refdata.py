"""The model's own input readers, and what it takes from a reference-data snapshot (the
registry files themselves are read by refdata.snapshots: tests/enrichment)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ixpready.errors import InputError
from ixpready.pipeline.model import read_inputs
from ixpready.refdata.members import ixp_members, parse_members, parse_user_shares
from ixpready.refdata.snapshots import load_snapshot

CAIDA = "routing/caida-20180201-as-rel-central-america-mexico.txt"
PDB = "peeringdb/pdb-beta-api-2026-04-16-{kind}-page{page}.json"


def test_peeringdb_pages_give_each_ixp_its_members(recorded: Path, tmp_path: Path) -> None:
    (tmp_path / "peeringdb").mkdir()
    for kind in ("ix", "netixlan"):
        for page in (1, 2):
            target = tmp_path / "peeringdb" / f"{kind}-page{page}.json"
            shutil.copy(recorded / PDB.format(kind=kind, page=page), target)
    ixps = ixp_members(load_snapshot(tmp_path))
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


def test_damaged_as_rel_lines_are_counted_and_the_first_named(
    recorded: Path, tmp_path: Path
) -> None:
    lines = (recorded / CAIDA).read_text().splitlines()[120:130]
    damaged = [*lines[:6], "174|14754", "174|x|-1", "174|14754|2", *lines[6:]]
    sample = tmp_path / "sample.as-rel.txt"
    sample.write_text("\n".join(damaged) + "\n")
    inputs = read_inputs("GT", refdata=tmp_path, members_file=None, weights_file=None)
    assert len(inputs.relationships) == len([line for line in lines if not line.startswith("#")])
    assert inputs.notes[0] == f"3 unreadable as-rel lines, first at {sample}:7"
    assert inputs.inputs == (str(sample),)


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
