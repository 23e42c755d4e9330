"""Reading reference-data folders built from the recorded registry files (see conftest)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ixpready.errors import ExitCode, RefdataError
from ixpready.refdata.snapshots import (
    IxLanPrefix,
    RoutedPrefix,
    SnapshotSource,
    load_snapshot,
    parse_pfx2as_line,
)

from .conftest import PYASN_V4, PYASN_V6, build_routing, merged_pages, pfx2as_from_ipasn


def _data_lines(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line and not line.startswith(";"))


# ---------------------------------------------------------------------------------------------
# What a folder yields


def test_routing_folder_loads_every_prefix_and_names_its_sources(
    recorded: Path, routing_folder: Path
) -> None:
    snapshot = load_snapshot(routing_folder)
    v4, v6 = _data_lines(recorded / PYASN_V4), _data_lines(recorded / PYASN_V6)
    assert (v4, v6) == (5087, 567)  # the fixtures README's counts
    ripestat = 7 + 1 + 1  # announced-prefixes of AS3333, network-info, prefix-overview
    assert len(snapshot.routed) == v4 + v6 + ripestat
    assert snapshot.sources == (
        SnapshotSource("AS names", "asnames.json", None),
        SnapshotSource("RIR delegated stats", "delegated-lacnic-extended-20140513", "2014-05-13"),
        SnapshotSource("RIR delegated stats", "delegated-others-extended-20140513", "2014-05-13"),
        SnapshotSource("prefix-to-AS", "ipasn6_20151101.dat", "2015-11-01"),
        SnapshotSource("prefix-to-AS", "ipasn_20140513.dat", "2014-05-13"),
        SnapshotSource(
            "RIPEstat", "ripestat/announced-prefixes.json", "2025-06-11"
        ),  # its own "time"
        SnapshotSource(
            "RIPEstat", "ripestat/as-overview-AS1205.json", "2021-07-19"
        ),  # its own "time"
        SnapshotSource("RIPEstat", "ripestat/as-overview.json", "2025-06-11"),  # its own "time"
        SnapshotSource("RIPEstat", "ripestat/network-info.json", "2025-06-11"),  # its own "time"
        SnapshotSource("RIPEstat", "ripestat/prefix-overview.json", "2025-06-11"),  # its own "time"
    )


def test_pyasn_lines_keep_prefix_and_origin(routing_folder: Path) -> None:
    routed = set(load_snapshot(routing_folder).routed)
    # lines 19-22 of the IPASN excerpt: a /17, its /18 and /19, and a /24 of another AS
    assert RoutedPrefix("1.0.128.0/17", (9737,)) in routed
    assert RoutedPrefix("1.0.129.0/24", (23969,)) in routed
    assert RoutedPrefix("168.234.75.0/24", (27929,)) in routed
    assert RoutedPrefix("2001:200:136::/48", (9367,)) in routed
    assert RoutedPrefix("2800:860:b0b::/48", (20299,)) in routed


def test_ripestat_answers_add_origins_and_names(routing_folder: Path) -> None:
    snapshot = load_snapshot(routing_folder)
    routed = set(snapshot.routed)
    assert RoutedPrefix("140.78.0.0/16", (1205,)) in routed  # network-info
    assert RoutedPrefix("193.0.0.0/21", (3333,)) in routed  # prefix-overview, announced
    assert RoutedPrefix("2001:67c:2e8::/48", (3333,)) in routed  # announced-prefixes
    assert RoutedPrefix("193.0.22.0/23", (3333,)) in routed
    assert snapshot.as_names[3333] == (
        "RIPE-NCC-AS - Reseaux IP Europeens Network Coordination Centre (RIPE NCC)"
    )
    assert snapshot.as_names[1205] == "JKU-LINZ-AS - University Linz"  # no data_call_name
    assert snapshot.as_names[14754] == "Telgua, GT"  # pyasn's AS names
    assert snapshot.as_names[52286] == "Columbus Networks Guatemala, GT"
    assert len([a for a in snapshot.as_names if a not in (3333, 1205)]) == 247


def test_rir_statistics_give_countries_of_blocks_and_asns(routing_folder: Path) -> None:
    snapshot = load_snapshot(routing_folder)
    assert snapshot.asn_countries == {14754: "GT", 27929: "GT", 52286: "GT", 3303: "CH"}
    assert snapshot.block_countries == (
        ("186.151.0.0/16", "GT"),
        ("168.234.0.0/16", "GT"),
        ("190.56.0.0/15", "GT"),  # 196,608 addresses: a /15 and a /16
        ("190.58.0.0/16", "GT"),
        ("2800:860:b0b::/48", "GT"),
        ("2001:200::/32", "JP"),
    )


def test_caida_pfx2as_with_multi_origin(recorded: Path, pfx2as_folder: Path) -> None:
    snapshot = load_snapshot(pfx2as_folder)
    assert len(snapshot.routed) == 5087
    assert snapshot.sources == (
        SnapshotSource("prefix-to-AS", "routeviews-rv2-20140513-1200.pfx2as", "2014-05-13"),
    )
    routed = {r.prefix: r.origins for r in snapshot.routed}
    assert routed["168.234.0.0/16"] == (52286, 27929)
    assert routed["186.151.64.0/20"] == (14754,)
    # the same prefixes as the pyasn table it was derived from
    original = {
        line.split("\t")[0]
        for line in (recorded / PYASN_V4).read_text().splitlines()
        if line and not line.startswith(";")
    }
    assert set(routed) == original


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1.0.0.0\t24\t15169\n", RoutedPrefix("1.0.0.0/24", (15169,))),
        ("1.0.0.0/24\t15169", RoutedPrefix("1.0.0.0/24", (15169,))),
        ("168.234.0.0\t16\t52286_27929", RoutedPrefix("168.234.0.0/16", (52286, 27929))),
        ("10.0.0.0\t8\t1,2,3", RoutedPrefix("10.0.0.0/8", (1, 2, 3))),
        ("2001:200::\t32\t2500", RoutedPrefix("2001:200::/32", (2500,))),
        ("; IP-ASN32-DAT file", None),
        ("# comment", None),
        ("", None),
        ("   \n", None),
    ],
)
def test_parse_pfx2as_line(line: str, expected: RoutedPrefix | None) -> None:
    assert parse_pfx2as_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "garbage",
        "1.0.0.0\t24\tAS15169",
        "1.0.0.0\t24\t_",
        "1.0.0.0/24",
        "1.0.0.300\t24\t15169",
        "1.0.0.0\t33\t15169",
        "2001:db8::\t129\t64496",
        "example.com\t24\t15169",
        "1.0.0.0\tx\t15169",
    ],
)
def test_parse_pfx2as_line_refuses_damage(line: str) -> None:
    with pytest.raises(ValueError):
        parse_pfx2as_line(line)


# ---------------------------------------------------------------------------------------------
# PeeringDB


def test_peeringdb_2016_dump(pdb2016_folder: Path) -> None:
    snapshot = load_snapshot(pdb2016_folder)
    assert len(snapshot.ixs) == 557
    assert len(snapshot.ix_prefixes) == 793
    assert snapshot.ix_members == ()  # the dump has no netixlan
    assert {s.date for s in snapshot.sources} == {"2016-10-19"}  # meta.generated 1476883542
    assert [s.source for s in snapshot.sources] == [
        "peeringdb/ix.json",
        "peeringdb/ixlan.json",
        "peeringdb/ixpfx.json",
    ]
    crix = snapshot.ixs[1023]
    assert (crix.name, crix.city, crix.country) == ("CRIX", "San Jose", "CR")
    # CRIX's LAN is ixlan 1341: the prefix must be filed under the exchange, not the LAN id
    assert IxLanPrefix("200.107.83.0/24", 1023) in snapshot.ix_prefixes
    assert IxLanPrefix("2801:1d:a000:1::/64", 1023) in snapshot.ix_prefixes
    chicago = snapshot.ixs[2]
    assert (chicago.name, chicago.city, chicago.country) == ("Equinix Chicago", "Chicago", "US")
    assert IxLanPrefix("206.223.119.0/24", 2) in snapshot.ix_prefixes


def test_peeringdb_beta_pages_with_members_and_names(recorded: Path, beta_folder: Path) -> None:
    snapshot = load_snapshot(beta_folder)
    pages = merged_pages(recorded, "ix")["data"]
    assert isinstance(pages, list) and len(pages) == 500
    for item in pages:  # every exchange of the two pages, as PeeringDB describes it
        ix = snapshot.ixs[item["id"]]
        assert (ix.name, ix.country) == (item["name"], item["country"])
    assert len(snapshot.ix_prefixes) == 500
    netixlan = merged_pages(recorded, "netixlan")["data"]
    assert isinstance(netixlan, list) and len(netixlan) == 500
    listed = {a for n in netixlan for a in (n["ipaddr4"], n["ipaddr6"]) if a}
    assert {m.address for m in snapshot.ix_members if m.address} == listed
    microsoft = [m for m in snapshot.ix_members if m.address == "198.32.118.91"]
    assert len(microsoft) == 1
    assert (microsoft[0].asn, microsoft[0].ix_id, microsoft[0].speed_mbps) == (8075, 12, 100000)
    assert any(m.address == "2001:504:f::8075:2" and m.asn == 8075 for m in snapshot.ix_members)
    assert snapshot.as_names[8075] == "Microsoft"
    assert snapshot.as_names[3303] == "Swisscom"
    assert snapshot.as_names[4436] == "GTT Communications (AS4436)"
    # the beta API's `meta` is empty: the date comes from snapshot.json
    assert {s.date for s in snapshot.sources} == {"2026-04-16"}
    assert len(snapshot.sources) == 5


def test_without_a_date_anywhere_the_date_is_unknown(beta_folder: Path) -> None:
    (beta_folder / "snapshot.json").unlink()
    assert {s.date for s in load_snapshot(beta_folder).sources} == {None}


def test_peeringdb_objects_not_ok_are_dropped(recorded: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pdb"
    (folder / "peeringdb").mkdir(parents=True)
    ixs = json.loads((recorded / "peeringdb/pdb-2016-10-19-ix.json").read_text())
    for item in ixs["data"]:
        if item["id"] == 1023:
            item["status"] = "deleted"
    (folder / "peeringdb" / "ix.json").write_text(json.dumps(ixs))
    snapshot = load_snapshot(folder)
    assert 1023 not in snapshot.ixs
    assert len(snapshot.ixs) == 556


# ---------------------------------------------------------------------------------------------
# Unusable folders and files


def test_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(RefdataError, match="no such reference-data folder") as caught:
        load_snapshot(tmp_path / "nowhere")
    assert caught.value.exit_code == ExitCode.CONFIG
    assert caught.value.hint


def test_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(RefdataError, match="no reference-data file recognised"):
        load_snapshot(tmp_path)


def test_a_folder_of_unrelated_files(recorded: Path, tmp_path: Path) -> None:
    shutil.copyfile(recorded / "README.md", tmp_path / "README.md")
    (tmp_path / "peeringdb").mkdir()  # an empty PeeringDB folder is nothing either
    with pytest.raises(RefdataError, match="no reference-data file recognised"):
        load_snapshot(tmp_path)


@pytest.mark.parametrize(
    "damage",
    [
        "1.0.0.0\t24\tAS-SET-X",
        "just-one-token",
        "1.0.0.300\t24\t15169",
        "1.0.0.0\t33\t15169",
        "example.com\t24\t15169",
    ],
)
def test_a_damaged_pfx2as_line_names_file_and_line(
    recorded: Path, tmp_path: Path, damage: str
) -> None:
    lines = pfx2as_from_ipasn((recorded / PYASN_V4).read_text()).splitlines()
    lines.insert(41, damage)  # becomes line 42
    path = tmp_path / "pfx2as-20140513.txt"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RefdataError) as caught:
        load_snapshot(tmp_path)
    assert f"{path}:42:" in str(caught.value)


def test_a_damaged_ipasn_line_names_file_and_line(recorded: Path, tmp_path: Path) -> None:
    lines = (recorded / PYASN_V4).read_text().splitlines()
    assert lines[5].startswith("1.0.0.0/24")
    lines[5] = "1.0.0.0/24"  # the origin AS lost
    (tmp_path / "ipasn_20140513.dat").write_text("\n".join(lines) + "\n")
    with pytest.raises(RefdataError, match=r"ipasn_20140513\.dat:6:"):
        load_snapshot(tmp_path)


def test_a_damaged_delegated_line_names_file_and_line(recorded: Path, tmp_path: Path) -> None:
    folder = build_routing(recorded, tmp_path / "r")
    path = folder / "delegated-lacnic-extended-20140513"
    lines = path.read_text().splitlines()
    lines[7] = "lacnic|GT|ipv4|186.151.0.x|65536|20000101|allocated|opaque-1"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RefdataError, match=r"delegated-lacnic-extended-20140513:8: "):
        load_snapshot(folder)


def test_peeringdb_file_that_is_not_json(recorded: Path, pdb2016_folder: Path) -> None:
    path = pdb2016_folder / "peeringdb" / "ixpfx.json"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(RefdataError, match="not JSON"):
        load_snapshot(pdb2016_folder)


def test_peeringdb_file_without_a_data_list(pdb2016_folder: Path) -> None:
    (pdb2016_folder / "peeringdb" / "ix.json").write_text('{"meta": {}, "results": []}')
    with pytest.raises(RefdataError, match="no 'data' list"):
        load_snapshot(pdb2016_folder)
