"""Every file in ../shared/fixtures loads through the ixpready reader meant for it.

The table below assigns each recorded file a loader; a file the table does not name fails
the test, so new recorded data cannot be silently ignored.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ixpready.enrichment.annotate import Lookups
from ixpready.measurements.parse import read_results
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import Malformed, Skipped
from ixpready.refdata.snapshots import load_snapshot

RESULT_FOLDERS = ("atlas-traceroute", "atlas-ping", "atlas-dns")

# reference files -> the name a reference-data folder gives them
REFDATA_NAMES = {
    "peeringdb/pdb-2016-10-19-ix.json": "peeringdb/ix.json",
    "peeringdb/pdb-2016-10-19-ixlan.json": "peeringdb/ixlan.json",
    "peeringdb/pdb-2016-10-19-ixpfx.json": "peeringdb/ixpfx.json",
    "peeringdb/pch-ixp_exchange.csv": "pch/ixp_exchange.csv",
    "peeringdb/pch-ixp_subnets.csv": "pch/ixp_subnets.csv",
    "peeringdb/pch-ixp_membership-latin-america.csv": "pch/ixp_membership.csv",
    "peeringdb/ripe-atlas-monitor-ixps.json": "ixps.json",
    "peeringdb/ixp-country-jedi-sweden-config.json": "ixp-country-jedi-sweden.json",
    "peeringdb/rednegra-bolivia-pit-addresses-2018-10-30.json": "ixp-addresses-20181030.json",
    "routing/caida-nationality-asn-to-country-2018-02-01-latin-america.txt": "asn-to-country-20180201.txt",
    "routing/pyasn-ipasn-20140513-excerpt.dat": "ipasn_20140513.dat",
    "routing/pyasn-ipasn6-20151101-v6-excerpt.dat": "ipasn6_20151101.dat",
    "routing/pyasn-asnames-central-america.json": "asnames.json",
}
PEERINGDB_PAGE_TYPES = ("ix", "ixlan", "ixpfx", "net", "netixlan")
AS_REL = "routing/caida-20180201-as-rel-central-america-mexico.txt"


def _all_files(recorded: Path) -> set[str]:
    return {
        str(p.relative_to(recorded))
        for p in recorded.rglob("*")
        if p.is_file() and p.name != "README.md"
    }


def test_the_table_names_every_recorded_file(recorded: Path) -> None:
    named = set(REFDATA_NAMES) | {AS_REL}
    for path in _all_files(recorded):
        folder = path.split("/")[0]
        if folder in (*RESULT_FOLDERS, "atlas-probes") or path.startswith("routing/ripestat/"):
            continue
        if path.startswith("peeringdb/pdb-beta-api-"):
            continue
        assert path in named, f"{path}: no loader assigned in this test"


@pytest.mark.parametrize("folder", RESULT_FOLDERS)
def test_every_result_file_loads_without_loss(recorded: Path, folder: str) -> None:
    files = sorted((recorded / folder).iterdir())
    assert files
    for path in files:
        outcomes = list(read_results(path))
        assert outcomes, path
        assert not [o for o in outcomes if isinstance(o, Malformed)], path
        usable = [o for o in outcomes if not isinstance(o, Skipped)]
        assert usable or path.name.endswith("measurement.json"), path


def test_every_probe_file_loads(recorded: Path) -> None:
    files = sorted((recorded / "atlas-probes").iterdir())
    assert len(files) == 9
    for path in files:
        assert load_probes(path), path


def test_every_reference_file_loads_into_a_snapshot(recorded: Path, tmp_path: Path) -> None:
    folder = tmp_path / "refdata"
    for source, name in REFDATA_NAMES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(recorded / source, folder / name)
    shutil.copytree(recorded / "routing/ripestat", folder / "ripestat")
    snapshot = load_snapshot(folder)
    loaded = {s.source for s in snapshot.sources}
    assert set(REFDATA_NAMES.values()) <= loaded
    assert {f"ripestat/{p.name}" for p in (recorded / "routing/ripestat").glob("*.json")} <= loaded
    names = {ix.name for ix in snapshot.ixs.values()}
    assert {"IXP-HN", "CRIX"} <= names  # PeeringDB 2016
    lans = {p.prefix for p in snapshot.ix_prefixes}
    assert "194.68.123.0/24" in lans  # Netnod Stockholm A, in PeeringDB and ixp-country-jedi
    assert "179.0.30.0/24" not in lans  # the Bolivian PIT: only its member addresses are listed
    assert len(snapshot.routed) > 5_000
    assert (
        snapshot.asn_countries[14754] == "SV"
    )  # CAIDA: most of Telgua/Claro's space geolocates to SV
    assert any(m.address == "179.0.30.1" and m.asn == 6568 for m in snapshot.ix_members)
    # ripe-atlas-monitor's list holds typos: one is mended, one left out and reported
    assert "200.14.37.0/24" in lans
    assert any("2001:7f8:31:0" in m.reason for m in snapshot.malformed)
    Lookups.build(snapshot)  # the lookups build from every recorded file


@pytest.mark.parametrize("kind", PEERINGDB_PAGE_TYPES)
def test_every_peeringdb_api_page_loads(recorded: Path, tmp_path: Path, kind: str) -> None:
    for page in (1, 2):
        folder = tmp_path / f"{kind}-{page}"
        (folder / "peeringdb").mkdir(parents=True)
        shutil.copy(
            recorded / f"peeringdb/pdb-beta-api-2026-04-16-{kind}-page{page}.json",
            folder / "peeringdb" / f"{kind}.json",
        )
        snapshot = load_snapshot(folder)
        assert [s.source for s in snapshot.sources] == [f"peeringdb/{kind}.json"]


def test_caida_as_relationships_load(recorded: Path, tmp_path: Path) -> None:
    folder = tmp_path / "refdata"
    folder.mkdir()
    shutil.copy(recorded / AS_REL, folder / "20180201.as-rel.txt")
    snapshot = load_snapshot(folder)
    assert snapshot.malformed == ()
    assert len(snapshot.relationships) == 1_373


def test_ripestat_responses_are_dated_by_their_own_time(recorded: Path, tmp_path: Path) -> None:
    shutil.copytree(recorded / "routing/ripestat", tmp_path / "ripestat")
    dates = {s.source: s.date for s in load_snapshot(tmp_path).sources}
    assert dates["ripestat/andrelia-network-info.json"] == "2025-06-11"
