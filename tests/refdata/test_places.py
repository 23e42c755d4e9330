"""The packaged reference tables, the gazetteer and the router-name dictionaries, as
`refdata` loads them (the rules that read names with them: tests/enrichment/test_geohint.py)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

from ixpready.refdata.dictionaries import dictionaries
from ixpready.refdata.gazetteer import distance_km, gazetteer
from ixpready.refdata.packaged import TABLES, packaged_rows

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "ixpready" / "refdata" / "data"


# ---------------------------------------------------------------------------------------------
# The packaged tables


def test_every_packaged_table_is_shipped_and_read() -> None:
    assert sorted(TABLES) == sorted(p.name for p in DATA.iterdir())
    shipped = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = shipped["package-data"]["ixpready"]
    for name in TABLES:
        assert any(fnmatch.fnmatch(f"refdata/data/{name}", p) for p in patterns), name
        rows = packaged_rows(name)
        assert rows and all(None not in row for row in rows), name  # no row has extra cells
        assert not any(key.startswith("#") for key in rows[0]), name  # comments skipped


def test_an_unknown_table_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"'pfx2as.csv' is not a packaged reference table"):
        packaged_rows("pfx2as.csv")
    with pytest.raises(ValueError, match="not a packaged"):
        packaged_rows("../../errors.py")


# ---------------------------------------------------------------------------------------------
# Gazetteer


def test_gazetteer_lookups() -> None:
    places = gazetteer()
    assert places is gazetteer()  # loaded once
    assert places.city("MIA") is places.cities["mia"]
    assert places.city("Miami") is places.cities["mia"]
    assert places.city("atlantis") is None
    assert places.city_named("Palo Alto", "US") is places.cities["sjc"]
    assert places.city_named("San Jose", "CR") is places.cities["sjo"]
    assert places.city_named("San Jose", "US") is places.cities["sjc"]
    assert places.city_named("Chicago, IL", "US") is places.cities["chi"]
    assert places.city_named("Chicago", "MX") is None
    assert places.city_named("Nowhere") is None


def test_every_city_lies_inside_its_country_disc() -> None:
    places = gazetteer()
    for city in places.cities.values():
        country = places.countries[city.country]
        far = distance_km(country.latitude, country.longitude, city.latitude, city.longitude)
        assert far <= country.radius_km, city


def test_nearest_foreign_place_from_guatemala_city() -> None:
    places = gazetteer()
    gua = places.cities["gua"]
    foreign = [
        (distance_km(gua.latitude, gua.longitude, c.latitude, c.longitude), c)
        for c in places.foreign_points("GT")
    ]
    assert all(c.country != "GT" for _km, c in foreign)
    nearest = min(foreign, key=lambda pair: pair[0])
    assert nearest[1].code == "lahachadura"  # La Hachadura, El Salvador, at the border, ~97 km
    assert nearest[0] == pytest.approx(97, abs=2)
    assert places.nearest_foreign_km(gua.latitude, gua.longitude, "GT", False) == pytest.approx(
        nearest[0]
    )
    hub = min(km for km, c in foreign if c.hub)
    assert places.nearest_foreign_km(gua.latitude, gua.longitude, "GT", True) == pytest.approx(hub)
    assert hub == pytest.approx(
        distance_km(
            gua.latitude,
            gua.longitude,
            places.cities["sal"].latitude,
            places.cities["sal"].longitude,
        )
    )


# ---------------------------------------------------------------------------------------------
# Dictionaries and data files


def test_every_carrier_code_and_metro_code_has_a_place() -> None:
    places = dictionaries()
    assert places is dictionaries()  # built once per process
    assert places.metro["sao"].label == "São Paulo, BR"
    assert places.iata["gua"].label == "Guatemala City, GT"
    assert places.icao("mggt") is not None and places.icao("mggt").country == "GT"  # La Aurora
    assert all(cities for cities in places.carrier_codes.values())
    assert {c.carrier for c in places.conventions} >= {
        "NTT", "Arelion", "Lumen", "Cogent", "Zayo", "GTT", "HE", "Telxius", "Sparkle",
        "Embratel", "Telmex", "Cirion", "EdgeUno", "Liberty", "Ufinet", "Tigo", "Claro",
    }  # fmt: skip
    assert all(c.source for c in places.conventions)


def test_alternate_spellings_are_built_on_first_use() -> None:
    places = dictionaries()
    london = places.alternate("londra")
    assert london is not None and [c.label for c in london] == ["London, GB"]
    milan = places.alternate("mailand")
    assert milan is not None and milan[0].label == "Milan, IT"
    assert places.alternate("london") is None  # a city's own name is no alternate
    assert places.alternate("atlantis") is None
    assert places.alternate("londra") is london  # built once
