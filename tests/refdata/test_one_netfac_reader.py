"""PeeringDB `netfac` has one reader (`refdata.snapshots.read_network_facilities`): the
registry snapshot and the readiness files get the same records from it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ixpready.refdata.readiness import load_readiness_refs
from ixpready.refdata.snapshots import NetworkFacility, load_snapshot, network_facilities

DATA = Path(__file__).resolve().parents[1] / "data" / "readiness"  # sources: README.md there


def test_the_snapshot_and_the_readiness_files_read_netfac_alike(tmp_path: Path) -> None:
    # The real PeeringDB excerpt (tests/data/readiness/README.md): both readers see the same
    # presences, each once.
    pdb = tmp_path / "refdata" / "peeringdb"
    pdb.mkdir(parents=True)
    for kind in ("net", "netfac"):
        shutil.copy(DATA / f"pdb-beta-api-2026-04-16-{kind}-excerpt.json", pdb / f"{kind}.json")
    refs = load_readiness_refs(tmp_path / "refdata")
    snapshot = load_snapshot(tmp_path / "refdata")
    assert refs.netfacs == snapshot.network_facilities
    assert sorted({(f.asn, f.country) for f in refs.netfacs}) == [(2818, "GB"), (8075, "US")]
    rows = json.loads((pdb / "netfac.json").read_text())["data"]
    assert len(refs.netfacs) == len({(r["local_asn"], r["fac_id"]) for r in rows})


def test_a_row_without_local_asn_takes_its_networks_asn() -> None:
    rows = [
        {"net_id": 17, "fac_id": 5, "name": "Telehouse", "city": "London", "country": "gb"},
        {"net_id": 17, "local_asn": 2818, "fac_id": 5, "name": "again", "country": "GB"},
        {"net_id": 99, "fac_id": 6},  # a network `net` does not list: left out
        {"net_id": True, "fac_id": 7},  # not an id
        {"local_asn": 8075, "fac_id": "x"},  # no facility id
    ]
    assert network_facilities(rows, {17: 2818}) == (
        NetworkFacility(2818, 5, "Telehouse", "London", "GB"),
    )
    assert network_facilities(rows) == (NetworkFacility(2818, 5, "again", "", "GB"),)
