"""What the IXP model takes from a snapshot: CAIDA AS relationships, PeeringDB exchanges and
their members (paged API responses), RIR countries; on the recorded CAIDA and PeeringDB excerpts.
"""

from __future__ import annotations

import bz2
import shutil
from pathlib import Path

import pytest

from ixpready.errors import RefdataError
from ixpready.refdata.snapshots import (
    AsRelationship,
    Relationship,
    SnapshotSource,
    load_snapshot,
    parse_as_rel_line,
)

CAIDA = "routing/caida-20180201-as-rel-central-america-mexico.txt"
PDB = "peeringdb/pdb-beta-api-2026-04-16-{kind}-page{page}.json"


def _folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "refdata"
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content)
    return folder


# ---------------------------------------------------------------------------------------------
# CAIDA AS relationships


def test_caida_excerpt_reads_every_line_with_its_direction(recorded: Path, tmp_path: Path) -> None:
    text = (recorded / CAIDA).read_text()
    snapshot = load_snapshot(_folder(tmp_path, {"20180201.as-rel.txt": text}))
    good = snapshot.relationships
    assert snapshot.malformed == ()
    # README: 124 header lines and 1,373 relationship lines; nothing lost
    lines = text.splitlines()
    assert len(good) == len([line for line in lines if not line.startswith("#")]) == 1373
    assert sum(r.relationship is Relationship.PEER for r in good) == 227
    # 174|14754|-1: Cogent sells transit to Telgua/Claro Guatemala
    assert AsRelationship(174, 14754, Relationship.PROVIDER_CUSTOMER) in good
    assert AsRelationship(13682, 23243, Relationship.PROVIDER_CUSTOMER) in good
    assert AsRelationship(12127, 13682, Relationship.PEER) in good
    assert snapshot.sources == (
        SnapshotSource("AS relationships (CAIDA)", "20180201.as-rel.txt", "2018-02-01"),
    )


def test_bzip2_files_as_caida_ships_them_read_the_same(recorded: Path, tmp_path: Path) -> None:
    raw = (recorded / CAIDA).read_bytes()
    plain = load_snapshot(_folder(tmp_path / "a", {"20180201.as-rel.txt": raw}))
    packed = load_snapshot(_folder(tmp_path / "b", {"20180201.as-rel2.txt.bz2": bz2.compress(raw)}))
    assert packed.relationships == plain.relationships
    assert [s.source for s in packed.sources] == ["20180201.as-rel2.txt.bz2"]


def test_a_damaged_compressed_file_names_the_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"x.as-rel.txt.bz2": b"not bzip2 at all"})
    with pytest.raises(RefdataError, match=r"x.as-rel.txt.bz2: cannot be read"):
        load_snapshot(folder)
    truncated = bz2.compress(b"174|14754|-1\n" * 1000)[:-20]
    with pytest.raises(RefdataError, match=r"y.as-rel.txt.bz2: cannot be read"):
        load_snapshot(_folder(tmp_path / "t", {"y.as-rel.txt.bz2": truncated}))


def test_caida_damaged_lines_are_named_and_the_rest_kept(recorded: Path, tmp_path: Path) -> None:
    lines = (recorded / CAIDA).read_text().splitlines()[120:130]
    damaged = [*lines[:6], "174|14754", "174|x|-1", "174|14754|2", *lines[6:]]
    folder = _folder(tmp_path, {"sample.as-rel.txt": "\n".join(damaged) + "\n"})
    snapshot = load_snapshot(folder)
    good, bad = snapshot.relationships, snapshot.malformed
    assert len(good) == len([line for line in lines if not line.startswith("#")])
    sample = folder / "sample.as-rel.txt"
    assert [b.where for b in bad] == [f"{sample}:7", f"{sample}:8", f"{sample}:9"]
    assert [b.raw for b in bad] == ["174|14754", "174|x|-1", "174|14754|2"]
    assert "not an as-rel line (expected as1|as2|rel)" in bad[0].reason
    assert "is not -1 or 0" in bad[2].reason


def test_one_as_rel_line_parses_or_says_why_not() -> None:
    assert parse_as_rel_line("# source:topology|BGP|20180201|ripe|rrc00\n") is None
    assert parse_as_rel_line("\n") is None
    peer = AsRelationship(12127, 13682, Relationship.PEER)
    assert parse_as_rel_line("12127|13682|0|bgp\n") == peer  # serial-2 source column
    with pytest.raises(ValueError, match="not an as-rel line"):
        parse_as_rel_line("174|x|-1")
    with pytest.raises(ValueError, match="relationship 1 is not -1 or 0"):
        parse_as_rel_line("174|14754|1")


# ---------------------------------------------------------------------------------------------
# PeeringDB exchanges and members, from paged API responses


def _pdb_folder(recorded: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "refdata"
    (folder / "peeringdb").mkdir(parents=True)
    for kind in ("ix", "netixlan"):
        for page in (1, 2):
            shutil.copy(
                recorded / PDB.format(kind=kind, page=page),
                folder / "peeringdb" / f"{kind}-page{page}.json",
            )
    return folder


def test_peeringdb_pages_give_each_exchange_its_members(recorded: Path, tmp_path: Path) -> None:
    snapshot = load_snapshot(_pdb_folder(recorded, tmp_path))
    assert [s.source for s in snapshot.sources] == [
        "peeringdb/ix-page1.json",
        "peeringdb/ix-page2.json",
        "peeringdb/netixlan-page1.json",
        "peeringdb/netixlan-page2.json",
    ]
    asns: dict[int, set[int]] = {}
    for member in snapshot.ix_members:
        asns.setdefault(member.ix_id, set()).add(member.asn)
    frankfurt = snapshot.ixs[31]
    assert (frankfurt.name, frankfurt.country, frankfurt.city) == (
        "DE-CIX Frankfurt", "DE", "Frankfurt",
    )  # fmt: skip
    assert len(asns[31]) == 60  # 70 ports, 60 networks in these two pages
    assert 3257 in asns[31]
    assert snapshot.ixs[1023].country == "CR" and 1023 not in asns  # CRIX: no member page
    assert sum(1 for ix_id in snapshot.ixs if asns.get(ix_id)) == 81
    # four exchanges have members on these pages but are not on the ix pages: named by netixlan
    orphans = [ix for ix in snapshot.ixs.values() if not ix.country]
    assert len(orphans) == 4 and all(asns.get(ix.id) for ix in orphans)
    assert snapshot.ixs[3788].name == "AR-IX Cabase - Argentina"
    # seven ports list no address: they still count, with address ""
    assert sum(1 for m in snapshot.ix_members if m.address == "") == 7
    assert 12902 in asns[313]


def test_peeringdb_document_without_data_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"peeringdb/ix.json": '{"meta": {}}'})
    with pytest.raises(RefdataError, match="no 'data' list"):
        load_snapshot(folder)


# ---------------------------------------------------------------------------------------------
# RIR countries


def test_delegated_files_give_asn_countries_with_ranges(tmp_path: Path) -> None:
    lines = [
        "2|lacnic|20261101|100|19870101|20261101|-0300",
        "lacnic|*|asn|*|50|summary",
        "lacnic|GT|asn|14754|1|20000101|allocated|abc",
        "arin|US|asn|174|2|19910101|assigned",
        "lacnic|GT|ipv4|200.6.0.0|1024|20000101|allocated",
    ]
    folder = _folder(tmp_path, {"delegated-test-20261101": "\n".join(lines) + "\n"})
    snapshot = load_snapshot(folder)
    assert snapshot.asn_countries == {14754: "GT", 174: "US", 175: "US"}
    assert snapshot.block_countries == (("200.6.0.0/22", "GT"),)
