"""IXP peering LANs and members from the recorded PeeringDB dumps, on recorded hop addresses."""

from __future__ import annotations

from collections import Counter
from ipaddress import ip_address
from pathlib import Path

import pytest

from ixpready.enrichment.ixps import IxpIndex
from ixpready.measurements.parse import read_results
from ixpready.measurements.records import Trace
from ixpready.refdata.snapshots import load_snapshot

GT_HN_SV = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
ITALY = "atlas-traceroute/ripe-atlas-monitor-msm3082698-traceroute-italy.json"


@pytest.fixture
def index_2016(pdb2016_folder: Path) -> IxpIndex:
    return IxpIndex.from_peeringdb(load_snapshot(pdb2016_folder))


@pytest.fixture
def index_beta(beta_folder: Path) -> IxpIndex:
    return IxpIndex.from_peeringdb(load_snapshot(beta_folder))


def _hits(index: IxpIndex, path: Path) -> Counter[tuple[str, str]]:
    hits: Counter[tuple[str, str]] = Counter()
    for outcome in read_results(path):
        assert isinstance(outcome, Trace)
        for hop in outcome.hops:
            for address in hop.addresses:
                hit = index.lan_of(address)
                if hit is not None:
                    hits[(str(address), hit.lan.name)] += 1
    return hits


def test_every_2016_peering_lan_is_indexed(index_2016: IxpIndex) -> None:
    assert len(index_2016.lans) == 793


def test_equinix_chicago_2016(index_2016: IxpIndex) -> None:
    hit = index_2016.lan_of(ip_address("206.223.119.2"))
    assert hit is not None
    assert (hit.lan.ix_id, hit.lan.name, hit.lan.prefix) == (
        2,
        "Equinix Chicago",
        "206.223.119.0/24",
    )
    assert (hit.lan.city_name, hit.lan.country) == ("Chicago", "US")
    assert hit.lan.city is not None and hit.lan.city.code == "chi"
    assert hit.member_asn is None  # the 2016 dump has no netixlan


def test_equinix_palo_alto_2016(index_2016: IxpIndex) -> None:
    hit = index_2016.lan_of(ip_address("198.32.176.3"))
    assert hit is not None
    assert (hit.lan.name, hit.lan.prefix) == ("Equinix Palo Alto", "198.32.176.0/24")
    assert (hit.lan.city_name, hit.lan.country) == ("Palo Alto", "US")
    assert hit.lan.city is not None
    assert hit.lan.city.code == "sjc"  # the gazetteer files Palo Alto under San Jose (CA)
    assert hit.lan.city.country == "US"


@pytest.mark.parametrize("address", ["200.107.83.1", "200.107.83.254", "2801:1d:a000:1::10"])
def test_crix_costa_rica_2016(index_2016: IxpIndex, address: str) -> None:
    hit = index_2016.lan_of(ip_address(address))
    assert hit is not None
    assert (hit.lan.ix_id, hit.lan.name, hit.lan.country) == (1023, "CRIX", "CR")
    assert hit.lan.city is not None and hit.lan.city.code == "sjo"


def test_equinix_san_jose_is_in_california_not_costa_rica(index_2016: IxpIndex) -> None:
    # PeeringDB writes city "San Jose" for both CRIX (CR) and Equinix San Jose (US)
    hit = index_2016.lan_of(ip_address("206.223.116.2"))
    assert hit is not None
    assert (hit.lan.name, hit.lan.country, hit.lan.city_name) == (
        "Equinix San Jose",
        "US",
        "San Jose",
    )
    assert hit.lan.city is not None
    assert (hit.lan.city.code, hit.lan.city.country) == ("sjc", "US")


@pytest.mark.parametrize("address", ["200.107.84.1", "8.8.8.8", "2801:1d:a000:2::1"])
def test_addresses_off_any_lan(index_2016: IxpIndex, address: str) -> None:
    assert index_2016.lan_of(ip_address(address)) is None


def test_gt_hn_sv_traceroutes_cross_two_us_exchanges(recorded: Path, index_2016: IxpIndex) -> None:
    assert _hits(index_2016, recorded / GT_HN_SV) == {
        ("206.223.119.2", "Equinix Chicago"): 4,  # SV probes 15381 and 18865, twice each
        ("198.32.176.3", "Equinix Palo Alto"): 2,  # HN probe 18250, twice
    }


def test_italian_traceroutes_leave_through_several_exchanges(
    recorded: Path, index_2016: IxpIndex
) -> None:
    assert _hits(index_2016, recorded / ITALY) == {
        ("217.29.66.156", "MIX-IT"): 2,
        ("80.249.209.164", "AMS-IX"): 1,
        ("80.249.209.115", "AMS-IX"): 1,
        ("195.66.225.121", "LINX LON1"): 1,
        ("77.95.71.254", "Lyonix"): 1,
    }


def test_exchanges_in_a_country(index_2016: IxpIndex) -> None:
    assert index_2016.exchanges_in("CR") == ("CRIX",)
    # IXP-HN and IXP Mexicano are PeeringDB exchanges of 2016 without a listed prefix
    assert index_2016.exchanges_in("HN") == ("IXP-HN",)
    assert index_2016.exchanges_in("MX") == ("IXP Mexicano",)
    assert index_2016.exchanges_in("GT") == ()
    italy = index_2016.exchanges_in("IT")
    assert "MIX-IT" in italy and list(italy) == sorted(italy)


def test_beta_member_lookup(index_beta: IxpIndex) -> None:
    # netixlan id 13: AS8075 (Microsoft) on Equinix New York, 198.32.118.91 / 2001:504:f::8075:2
    for address in ("198.32.118.91", "2001:504:f::8075:2"):
        hit = index_beta.lan_of(ip_address(address))
        assert hit is not None
        assert (hit.lan.ix_id, hit.lan.name, hit.member_asn) == (12, "Equinix New York", 8075)
    swisscom = index_beta.lan_of(ip_address("208.115.136.82"))
    assert swisscom is not None
    assert (swisscom.lan.name, swisscom.member_asn) == ("Equinix Chicago", 3303)
    assert swisscom.lan.prefix == "208.115.136.0/23"  # the 2026 LAN, not 2016's 206.223.119.0/24
    nobody = index_beta.lan_of(ip_address("198.32.118.1"))
    assert nobody is not None and nobody.member_asn is None


def test_every_beta_member_on_a_known_lan_maps_back(beta_folder: Path) -> None:
    snapshot = load_snapshot(beta_folder)
    index = IxpIndex(snapshot)
    on_lan = off_lan = 0
    for member in snapshot.ix_members:
        if not member.address:  # a port PeeringDB lists without an address
            continue
        hit = index.lan_of(ip_address(member.address))
        if hit is None:  # the pages hold only part of the LAN prefixes
            off_lan += 1
            continue
        on_lan += 1
        assert (hit.lan.ix_id, hit.member_asn) == (member.ix_id, member.asn), member
    assert on_lan + off_lan == sum(1 for m in snapshot.ix_members if m.address)
    assert on_lan > 700


def test_an_exchange_in_a_city_the_gazetteer_lacks_is_placed_at_its_facility(
    tmp_path: Path,
) -> None:
    import json

    pdb = tmp_path / "peeringdb"
    pdb.mkdir()
    documents = {
        "ix": [{"id": 7, "name": "Xela-IX (test)", "city": "Totonicapán", "country": "GT", "status": "ok"}],
        "ixlan": [{"id": 7, "ix_id": 7, "status": "ok"}],
        "ixpfx": [{"id": 1, "ixlan_id": 7, "prefix": "45.234.17.0/24", "protocol": "IPv4", "status": "ok"}],
        "fac": [{"id": 99, "name": "DC Toto", "city": "Totonicapán", "country": "GT",
                 "latitude": 14.91, "longitude": -91.36, "status": "ok"}],
    }  # fmt: skip
    for kind, data in documents.items():
        (pdb / f"{kind}.json").write_text(json.dumps({"data": data}))
    hit = IxpIndex(load_snapshot(tmp_path)).lan_of(ip_address("45.234.17.5"))
    assert hit is not None and hit.lan.city is not None
    assert (hit.lan.city.latitude, hit.lan.city.longitude, hit.lan.city.country) == (
        14.91,
        -91.36,
        "GT",
    )
