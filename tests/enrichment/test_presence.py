"""Where networks are present (PeeringDB netfac + fac) and the evidence it gives.

Real data: the first pages of PeeringDB's `netfac` and `fac` (beta.peeringdb.com, recorded
2026-04-16; tests/data/peeringdb/SOURCES.md). The routing of 62.115.0.0/16 to AS1299
(Arelion) and its registry line are the test world's own (tests/analysis/world.py), as is
"IXP-GT (test)", a hypothetical Guatemalan exchange.
"""

from __future__ import annotations

import json
import shutil
from ipaddress import ip_address
from pathlib import Path

import pytest
from tests.analysis import world

from ixpready.enrichment.annotate import (
    WEIGHTS,
    Lookups,
    locate,
    presence_claim,
    static_claims,
    vantage_of,
)
from ixpready.errors import RefdataError
from ixpready.refdata.snapshots import load_snapshot, read_network_facilities

DATA = Path(__file__).resolve().parents[1] / "data" / "peeringdb"
NETFAC = DATA / "pdb-beta-api-2026-04-16-netfac-page1.json"
FAC = DATA / "pdb-beta-api-2026-04-16-fac-page1.json"
ARELION = ip_address("62.115.12.1")  # AS1299 in the test world's routing
# AS1299's facilities on the recorded page, read off the file by hand (fac_id: country)
ARELION_SITES = {1: "US", 7: "US", 8: "US", 6: "US", 16: "US", 58: "DE", 104: "NL", 55: "FR",
                 61: "NL", 62: "NL", 67: "AT", 59: "DE", 9: "US"}  # fmt: skip


def _refdata(tmp_path: Path, *, arelion_at_gt_ixp: bool = False) -> Path:
    folder = world.write_refdata(tmp_path / "refdata")
    shutil.copy(NETFAC, folder / "peeringdb" / "netfac-page1.json")
    shutil.copy(FAC, folder / "peeringdb" / "fac-page1.json")
    with (folder / "pfx2as-20261101.txt").open("a") as routing:
        routing.write("62.115.0.0\t16\t1299\n")
    (folder / "delegated-ripencc-extended-20261101").write_text(
        "ripencc|SE|asn|1299|1|19930901|allocated|x\n"
        "ripencc|US|ipv4|62.115.0.0|65536|19970101|allocated|x\n"  # the test world's line
    )
    if arelion_at_gt_ixp:
        netixlan = folder / "peeringdb" / "netixlan.json"
        rows = json.loads(netixlan.read_text())["data"]
        rows.append({"id": 9, "ix_id": 2, "ixlan_id": 2, "asn": 1299,
                     "ipaddr4": "45.234.16.99", "status": "ok"})  # fmt: skip
        netixlan.write_text(json.dumps({"data": rows}))
    return folder


def test_the_netfac_loader_reads_every_record_of_the_recorded_page(tmp_path: Path) -> None:
    folder = tmp_path / "peeringdb"
    folder.mkdir()
    shutil.copy(NETFAC, folder / "netfac.json")
    records = read_network_facilities(folder)
    assert len(records) == 250  # one per (network, facility): none repeated on the page
    arelion = {r.fac_id: r.country for r in records if r.asn == 1299}
    assert arelion == ARELION_SITES
    first = records[0]
    assert (first.asn, first.fac_id, first.name, first.city, first.country) == (
        20940, 1, "Equinix DC1-DC15,DC21-DC22 - Ashburn", "Ashburn", "US")
    (folder / "netfac.json").write_text('{"no": "data"}')
    with pytest.raises(RefdataError, match="not a PeeringDB API response"):
        read_network_facilities(folder)
    (folder / "netfac.json").unlink()
    assert read_network_facilities(folder) == ()


def test_the_snapshot_holds_netfac_and_names_the_file(tmp_path: Path) -> None:
    snapshot = load_snapshot(_refdata(tmp_path))
    assert len(snapshot.network_facilities) == 250 and len(snapshot.facilities) == 250
    used = {s.source: s.kind for s in snapshot.sources}
    assert used["peeringdb/netfac-page1.json"] == "PeeringDB"


def test_a_network_with_no_facility_nor_exchange_at_home_is_weakly_abroad(tmp_path: Path) -> None:
    lookups = Lookups.build(load_snapshot(_refdata(tmp_path)))
    *_rest, claims = static_claims(ARELION, lookups, "GT")
    (netfac,) = [c for c in claims if c.kind == "netfac"]
    assert (netfac.country, netfac.weight, netfac.refuted) == ("US", WEIGHTS["netfac"], None)
    assert netfac.fact.startswith("AS1299 lists 13 facilities in PeeringDB, none in GT, and no "
                                  "exchange in GT: Equinix ")  # fmt: skip
    assert netfac.fact.endswith(" and 10 more")
    assert len(netfac.sites) == 13  # each facility placed by its coordinates (fac)
    # without `home` (a lookup that does not know it) no such claim is made
    assert all(c.kind != "netfac" for c in static_claims(ARELION, lookups)[-1])
    # with the registry (0.2) naming the same country, the hop is placed there, and the
    # sentence the evidence keeps is the one naming the facilities
    location = locate(claims, (), "GT", lookups.places)
    assert (location.country, location.is_located) == ("US", True)
    # a network present in the home country loses that weight: here AS1299 in the US
    assert presence_claim(1299, "US", lookups) is None
    assert presence_claim(1299, "NL", lookups) is None
    assert presence_claim(64500, "GT", lookups) is None  # PeeringDB lists nothing of it


def test_a_network_at_a_home_exchange_is_present(tmp_path: Path) -> None:
    lookups = Lookups.build(load_snapshot(_refdata(tmp_path, arelion_at_gt_ixp=True)))
    assert presence_claim(1299, "GT", lookups) is None
    assert all(c.kind != "netfac" for c in static_claims(ARELION, lookups, "GT")[-1])


def test_an_rtt_that_rules_out_every_facility_refutes_the_claim(tmp_path: Path) -> None:
    lookups = Lookups.build(load_snapshot(_refdata(tmp_path)))
    *_rest, claims = static_claims(ARELION, lookups, "GT")
    gua = vantage_of(world.PROBES[1001], lookups.places)
    # 8 ms: within ~800 km of Guatemala City; the nearest facility (in the US) is farther
    near = locate(claims, ((gua, 8.0),), "GT", lookups.places)
    (refuted,) = [c for c in near.claims if c.kind == "netfac"]
    assert refuted.refuted is not None and "nearest of these facilities is" in refuted.refuted
    assert not near.is_located  # the registry alone (0.2) places nothing
    # 60 ms reaches the US facilities: the claim stands
    far = locate(claims, ((gua, 60.0),), "GT", lookups.places)
    assert [c.refuted for c in far.claims if c.kind == "netfac"] == [None]
    assert far.country == "US"


def test_netfac_evidence_reaches_the_analysis(tmp_path: Path) -> None:
    from ixpready.analysis.core import analyze_traces
    from ixpready.analysis.export import to_json
    from ixpready.measurements.parse import trace_from_atlas
    from ixpready.refdata.snapshots import load_snapshot as load

    result = world.atlas(1001, "190.56.20.20", [("186.151.0.1", 1.0), (str(ARELION), 60.0),
                                                ("190.56.0.1", 61.0), ("190.56.20.20", 62.0)])  # fmt: skip
    snapshot = load(_refdata(tmp_path))
    analysis = analyze_traces([trace_from_atlas(result)], home="GT", snapshot=snapshot,
                              probes=dict(world.PROBES))  # fmt: skip
    document = json.loads(to_json(analysis))
    (path,) = document["paths"]
    assert path["verdict"] == "tromboned" and path["foreign_countries"] == ["US"]
    facts = [e["fact"] for e in path["evidence"] if e["address"] == str(ARELION)]
    assert any("AS1299 lists 13 facilities in PeeringDB, none in GT" in f for f in facts), facts
