"""Probe metadata in every layout recorded under ../shared/fixtures/atlas-probes.

Counts are the fixtures README's; pinned values were read off the files by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from ipaddress import ip_address
from pathlib import Path

import pytest

from ixpready.errors import InputError
from ixpready.measurements.probes import load_probes, probe_from_api, probes_from_document
from ixpready.measurements.records import Probe

PROBES = "atlas-probes"
BOLIVIA = f"{PROBES}/rednegra-bolivia-probes-2018-10-28.json"
LACNIC = f"{PROBES}/lacnic-simon-ripeatlasprobe-fixture-latam.json"
RIPESTAT_AT = f"{PROBES}/ripestat-atlas-probes-at-2025-06-11.json"
ARCHIVE = f"{PROBES}/probe-archive-2022-09-30-excerpt.json"
MONITOR = f"{PROBES}/ripe-atlas-monitor-msm{{}}-probes.json"

EXPECTED = {
    LACNIC: 1104,
    BOLIVIA: 80,
    RIPESTAT_AT: 584,
    ARCHIVE: 190,
    MONITOR.format(1033154): 87,
    MONITOR.format(1071935): 5,
    MONITOR.format(1421267): 4,
    MONITOR.format(3082698): 8,
    MONITOR.format(3359986): 5,
}


def _load(recorded: Path, name: str) -> dict[int, Probe]:
    return load_probes(recorded / name)


def test_the_glob_finds_exactly_the_readme_files(recorded: Path) -> None:
    found = {f"{PROBES}/{p.name}" for p in (recorded / PROBES).iterdir() if p.is_file()}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_probe_file_loads_with_the_readme_count(recorded: Path, name: str) -> None:
    probes = _load(recorded, name)
    assert len(probes) == EXPECTED[name]
    assert all(key == probe.id for key, probe in probes.items())
    # conservation: one probe per object in the file, none merged away
    document = json.loads((recorded / name).read_text())
    if isinstance(document, list):
        objects = document
    elif "objects" in document:
        objects = document["objects"]
    elif "data" in document:
        objects = document["data"]["probes"]
    else:
        objects = document["results"]
    assert len(objects) == len(probes)


def test_bolivia_statuses_and_networks(recorded: Path) -> None:
    probes = _load(recorded, BOLIVIA)
    assert {p.country for p in probes.values()} == {"BO"}
    assert Counter(p.status for p in probes.values()) == {
        "Connected": 31,
        "Disconnected": 12,
        "Abandoned": 33,
        "Never Connected": 4,
    }
    by_asn = Counter(p.asn_v4 for p in probes.values())
    assert by_asn[27882] == 21
    assert by_asn[6568] == 21
    assert by_asn[26210] == 19
    assert by_asn[263242] == 4
    assert by_asn[25620] == 3
    assert by_asn[28024] == 3
    assert by_asn[27839] == 2
    assert by_asn[None] == 4


def test_geojson_coordinates_become_latitude_then_longitude(recorded: Path) -> None:
    # "geometry": {"type": "Point", "coordinates": [-68.1525, -16.5005]}: lon first (La Paz)
    la_paz = _load(recorded, BOLIVIA)[12814]
    assert (la_paz.latitude, la_paz.longitude) == (-16.5005, -68.1525)
    assert la_paz.status == "Abandoned"
    assert la_paz.asn_v4 == 27882
    assert la_paz.address_v4 == ip_address("181.188.178.148")
    assert la_paz.prefix_v4 == "181.188.178.0/23"
    assert "system-v3" in la_paz.tags
    # "coordinates": [12.3715, 51.3385]: Leipzig, Germany
    leipzig = _load(recorded, MONITOR.format(3359986))[3183]
    assert (leipzig.latitude, leipzig.longitude) == (51.3385, 12.3715)
    assert leipzig.country == "DE"
    assert leipzig.asn_v4 == 16097
    assert leipzig.address_v4 is None  # null in the API answer
    assert leipzig.description == "HL komm Nonne"
    assert leipzig.status == "Connected"
    assert leipzig.tags[:2] == ("nat", "system-v2")
    assert leipzig.has_location


def test_lacnic_django_fixture(recorded: Path) -> None:
    probes = _load(recorded, LACNIC)
    countries = Counter(p.country for p in probes.values())
    assert len(countries) == 39
    for code, count in {
        "BR": 239,
        "AR": 137,
        "BO": 89,
        "CL": 86,
        "MX": 68,
        "DO": 50,
        "UY": 45,
        "CR": 44,
        "CO": 36,
        "VE": 36,
        "EC": 32,
        "PE": 25,
        "BZ": 24,
        "HN": 22,
        "PA": 19,
        "PY": 16,
        "SV": 14,
        "GT": 13,
    }.items():
        assert countries[code] == count, code
    guatemala = {p.id: p for p in probes.values() if p.country == "GT"}
    assert sorted(guatemala)[:7] == [1182, 12804, 15380, 19417, 19570, 19656, 24169]
    assert len(guatemala) == 13
    assert sorted(guatemala)[7:] == [30353, 30360, 30363, 30831, 33249, 51757]
    assert {p.asn_v4 for p in guatemala.values()} - {None} == {
        14754,
        27929,
        52286,
        52362,
        264637,
    }
    no_data = guatemala[1182]
    assert (no_data.asn_v4, no_data.prefix_v4, no_data.address_v4) == (None, None, None)
    telgua = guatemala[12804]
    assert (telgua.asn_v4, telgua.prefix_v4) == (14754, "190.148.0.0/16")
    # no status and no coordinates in this layout
    assert all(p.status is None and not p.has_location for p in probes.values())


def test_ripestat_flat_layout(recorded: Path) -> None:
    probes = _load(recorded, RIPESTAT_AT)
    assert {p.country for p in probes.values()} == {"AT"}
    assert all(p.has_location for p in probes.values())
    first = probes[33]
    assert (first.latitude, first.longitude) == (48.1885, 16.3585)  # Vienna
    assert first.status == "Written Off"  # status_name, not the number 4
    assert first.asn_v4 == first.asn_v6 == 35492
    assert first.address_v4 == ip_address("193.238.159.251")
    assert first.prefix_v6 == "2a02:60::/29"
    assert first.tags == (
        "system-v1",
        "broken",
        "system-ipv4-capable",
        "system-ipv6-capable",
        "system-ipv4-rfc1918",
    )
    assert Counter(p.status for p in probes.values())["Connected"] == 225


def test_probe_archive_layout(recorded: Path) -> None:
    probes = _load(recorded, ARCHIVE)
    first = probes[1]
    assert (first.latitude, first.longitude) == (52.3475, 4.9275)
    assert first.status == "Connected"
    assert first.country == "NL"
    assert first.asn_v4 == 206238
    latin = Counter(
        p.country
        for p in probes.values()
        if p.country in {"BR", "CO", "MX", "AR", "CL", "UY", "CW"}
    )
    assert latin == {"BR": 15, "CO": 7, "MX": 6, "AR": 5, "CL": 4, "UY": 3, "CW": 1}


def test_monitor_probe_lists_match_their_traceroutes(recorded: Path) -> None:
    probes = _load(recorded, MONITOR.format(1033154))
    countries = Counter(p.country for p in probes.values())
    assert (countries["DE"], countries["NL"], countries["GB"], countries["RU"]) == (15, 14, 13, 7)
    results = recorded / "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json"
    traced = {r["prb_id"] for r in json.loads(results.read_text())}
    assert set(probes) == traced
    assert sum(p.address_v4 is None for p in probes.values()) == 20
    italy = _load(recorded, MONITOR.format(3082698))
    assert {p.id: p.asn_v4 for p in italy.values()} == {
        713: 20912,
        738: 39759,
        832: 21034,
        11821: 49360,
        12120: 137,
        12527: 25309,
        24503: 12363,
        24535: 60049,
    }
    assert {p.country for p in italy.values()} == {"IT"}


def test_asn_by_address_family() -> None:
    probe = Probe(id=1, asn_v4=14754, asn_v6=None)
    assert probe.asn(4) == 14754
    assert probe.asn(6) is None


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such probe file"):
        load_probes(tmp_path / "nope.json")


def test_a_truncated_file_is_an_input_error(recorded: Path, tmp_path: Path) -> None:
    data = (recorded / BOLIVIA).read_bytes()
    path = tmp_path / "cut.json"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="not JSON") as caught:
        load_probes(path)
    assert str(path) in str(caught.value)


def test_a_results_file_is_not_a_probe_list(recorded: Path) -> None:
    path = recorded / "atlas-traceroute/ripe-atlas-monitor-msm1033154-measurement.json"
    with pytest.raises(InputError, match="not a probe list"):
        load_probes(path)


def test_a_probe_without_an_id_is_refused(recorded: Path) -> None:
    document = json.loads((recorded / BOLIVIA).read_text())
    document["results"][3]["id"] = "unknown"
    with pytest.raises(InputError, match="no numeric 'id'"):
        probes_from_document(document)


def test_unusable_values_become_none_not_errors(recorded: Path) -> None:
    document = json.loads((recorded / BOLIVIA).read_text())
    obj = dict(document["results"][0])
    obj.update(address_v4="not an address", asn_v4="AS?", geometry={"coordinates": [1.0]})
    probe = probe_from_api(obj)
    assert probe.id == 12814
    assert (probe.address_v4, probe.asn_v4, probe.latitude) == (None, None, None)
