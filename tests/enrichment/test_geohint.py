"""The router-name reader: carrier conventions, dictionaries, ambiguity, non-matches, learned
and Hoiho rules, and the corpus of real names (tests/data/router_names_corpus.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ixpready.enrichment.annotate import Claim, Vantage, locate
from ixpready.enrichment.conventions import learn_conventions, registered_suffix
from ixpready.enrichment.geo import distance_km, gazetteer
from ixpready.enrichment.geohint import Geohint, read_name
from ixpready.measurements.records import Probe
from ixpready.refdata.dictionaries import REASONS_KEPT, load_hoiho_rules

CORPUS = Path(__file__).parents[1] / "data" / "router_names_corpus.csv"


def _place(name: str) -> str | None:
    hint = read_name(name)
    return None if hint.city is None else hint.city.label


# ---------------------------------------------------------------------------------------------
# One test per convention, on real names (hand-checked: see the corpus for their sources).


@pytest.mark.parametrize(
    ("name", "label", "code", "rule"),
    [
        # NTT: CLLI city+state (or city+country) before the country code
        ("ae-4.r21.miamfl02.us.bb.gin.ntt.net", "Miami, US", "miamfl", "carrier:NTT"),
        ("ae-4.r22.dllstx09.us.bb.gin.ntt.net", "Dallas, US", "dllstx", "carrier:NTT"),
        ("ae-4.r23.snjsca04.us.bb.gin.ntt.net", "San Jose, US", "snjsca", "carrier:NTT"),
        ("ae-1.r04.frnkge08.de.bb.gin.ntt.net", "Frankfurt am Main, DE", "frnkge", "carrier:NTT"),
        ("ae-0.a02.nycmny01.us.bb.gin.ntt.net", "New York City, US", "nycmny", "carrier:NTT"),
        ("ce-0-17-0-2.r10.dllstx09.us.ce.gin.ntt.net", "Dallas, US", "dllstx", "carrier:NTT"),
        # Arelion: its own PoP codes (sjo = San Jose, California, not San José, Costa Rica)
        ("sjo-b21-link.telia.net", "San Jose, US", "sjo", "carrier:Arelion"),
        ("ntt-ic-323771-sjo-b21.c.telia.net", "San Jose, US", "sjo", "carrier:Arelion"),
        # Hurricane Electric, GTT, Cogent: IATA / metro codes
        ("100ge11-1.core1.mrs1.he.net", "Marseille, FR", "mrs", "carrier:HE"),
        ("100ge2-2.core2.chi1.he.net", "Chicago, US", "chi", "carrier:HE"),
        ("et-1-0-31.cr2-nyc4.ip4.gtt.net", "New York City, US", "nyc", "carrier:GTT"),
        ("be2325.ccr42.jfk02.atlas.cogentco.com", "New York City, US", "jfk", "carrier:Cogent"),
        # Level 3: city names, customer-city names
        ("ae-1-9.bar1.Warsaw1.Level3.net", "Warsaw, PL", "warsaw", "carrier:Lumen"),
        ("LWLcom-Bremen.level3.net", "Bremen, DE", "bremen", "carrier:Lumen"),
        # Latin America: Sparkle, Embratel, Telxius, Cirion, RNP, IX.br, Google
        ("datacamp.sanpaolo1.spa.seabone.net", "São Paulo, BR", "spa", "carrier:Sparkle"),
        (
            "embratel-H0-2-1-0-agg01.rjont0.embratel.net.br",
            "Rio de Janeiro, BR",
            "rjo",
            "carrier:Embratel",
        ),
        ("ebt-B101-intl01.nyk.embratel.net.br", "New York City, US", "nyk", "carrier:Embratel"),
        (
            "So7-0-0-0-grtbuecu1.red.telefonica-wholesale.net",
            "Buenos Aires, AR",
            "bue",
            "carrier:Telxius",
        ),
        (
            "Xe-7-1-0-0-grtmiabr7.red.telefonica-wholesale.net",
            "Miami, US",
            "mia",
            "carrier:Telxius",
        ),
        ("ae4.3501.ebr1.sap1.ciriontechnologies.net", "São Paulo, BR", "sap", "carrier:Cirion"),
        ("sp-sp2.bkb.rnp.br", "São Paulo, BR", "sp", "carrier:RNP"),
        ("as28571.saopaulo.sp.ix.br", "São Paulo, BR", "saopaulo", "carrier:IX.br"),
        ("gru06s26-in-f4.1e100.net", "São Paulo, BR", "gru", "carrier:Google"),
        # Telmex/Uninet: <role>-<city>-<site>: its own codes, city names, IATA
        ("bb-la-grand-12-ae44_0.uninet.net.mx", "Los Angeles, US", "la", "carrier:Telmex"),
        ("bb-dallas-bryan-18-be11.uninet.net.mx", "Dallas, US", "dallas", "carrier:Telmex"),
        ("reg-qro-triara-26-hge0-2-0-2.uninet.net.mx", "Querétaro, MX", "qro", "carrier:Telmex"),
        (
            "inetin-ptobar-ptobarrios-6-tge1-0-0.uninet.net.mx",
            "Puerto Barrios, GT",
            "ptobar",
            "carrier:Telmex",
        ),
        # research networks: 4-letter city prefixes
        ("ae29.manckh-sbr1.ja.net", "Manchester, GB", "manc", "carrier:Janet"),
        ("ptld-agw2.inet.qwest.net", "Portland, US", "ptld", "carrier:Qwest"),
        # generic readings: a city name, an IATA metro code
        ("uppsala-upa-r1.sunet.se", "Uppsala, SE", "uppsala", "city"),
        ("vl212.sao-asc4-dist-1.cdn77.com", "São Paulo, BR", "sao", "gazetteer"),
    ],
)
def test_conventions_read_real_names(name: str, label: str, code: str, rule: str) -> None:
    hint = read_name(name)
    assert hint.city is not None, name
    assert (hint.city.label, hint.code, hint.rule) == (label, code, rule)
    assert 0.0 < hint.confidence <= 1.0


def test_a_misconfigured_ptr_with_an_in_addr_tail_is_still_read() -> None:
    # a real answer: the PTR target carries its own reverse zone as a suffix
    name = "Xe6-1-2-0-grtmiabr8.red.telefonica-wholesale.net.121.142.94.in-addr.arpa"
    assert _place(name) == "Miami, US"


def test_clli_codes_read_generically() -> None:
    # a CLLI city+state token outside NTT's domain is read as CLLI, biggest matching city
    hint = read_name("xe-1-0-0.asbnva01.example.net")
    assert hint.city is not None and hint.city.label == "Ashburn, US" and hint.rule == "clli"


# ---------------------------------------------------------------------------------------------
# Never invented


@pytest.mark.parametrize(
    "name",
    [
        "core1.mia.net",  # the registered domain's own word
        "host.gua.net.gt",
        "palo-edge1.bdr.example.com",  # a vendor and roles
        "ae-1.core.edge.example.net",
        "bdr01-gw.example.net",
        "xe-0-1.premia7.example.net",  # "mia" inside a longer word
        "atlantis-core.example.net",
        "a.resolvers.level3.net",  # a carrier's name outside its conventions: no guess
        "area3-gw.unicamp.br",
        "waldorf.cs.man.ac.uk",  # a host called after a small town
        "211-22-184-1.HINET-IP.hinet.net",
        "customer-201-125-242-65.uninet.net.mx",  # a Telmex customer line
        "dsl-servicio-l200.uninet.net.mx",
        "evil\x1b[31m.example.com",  # hostile: control characters
        "x" * 300,
        "",
    ],
)
def test_names_without_a_place_are_left_alone(name: str) -> None:
    assert read_name(name) == Geohint(name, None)


# ---------------------------------------------------------------------------------------------
# Ambiguity: the carrier, the ccTLD, then the RTTs


def test_san_jose_by_carrier_and_by_code() -> None:
    assert _place("sjo-b21-link.telia.net") == "San Jose, US"  # Arelion's San Jose
    generic = read_name("xe-1.sjo1.example.net")  # a bare IATA SJO: Costa Rica first
    assert generic.city is not None and generic.city.label == "San José, CR"
    assert "San Jose, US" in {c.label for c in generic.alternatives}
    assert generic.confidence < read_name("sjo-b21-link.telia.net").confidence


def test_la_paz_follows_the_cctld() -> None:
    assert _place("cr1.lapaz.example.bo") == "La Paz, BO"
    mexico = read_name("cr1.lapaz.example.mx")
    assert mexico.city is not None and mexico.city.label == "La Paz, MX"
    assert "La Paz, BO" in {c.label for c in mexico.alternatives}


def test_sap_is_sao_paulo_for_cirion_and_ambiguous_elsewhere() -> None:
    assert _place("ae3.3601.ebr2.sap1.ciriontechnologies.net") == "São Paulo, BR"
    bare = read_name("xe-1.sap1.example.net")
    assert [c.label for c in bare.candidates] == ["San Pedro Sula, HN", "São Paulo, BR"]


def _vantage(lat: float, lon: float, country: str) -> Vantage:
    return Vantage(Probe(id=1, country=country, latitude=lat, longitude=lon), lat, lon, 5.0)


def test_the_rtts_pick_the_place_a_shared_code_stands_for() -> None:
    places = gazetteer()
    bare = read_name("xe-1.sap1.example.net")
    assert bare.city is not None
    claim = Claim("rdns", bare.city.country, bare.city, 0.6, "sap1", alternatives=bare.alternatives)
    # seen 4 ms from a probe in São Paulo: San Pedro Sula (6,000 km) is out of reach
    near_sao_paulo = ((_vantage(-23.55, -46.63, "BR"), 4.0),)
    where = locate((claim,), near_sao_paulo, "GT", places)
    assert where.city is not None and where.city.label == "São Paulo, BR"
    assert where.claims[0].refuted is None and "out of RTT reach" in where.claims[0].fact
    # seen 3 ms from a probe in San Pedro Sula: the first reading stands
    near_sps = ((_vantage(15.50, -88.03, "HN"), 3.0),)
    assert locate((claim,), near_sps, "GT", places).claims[0].city == bare.city
    # out of reach of both: refuted, with the first reading's reason
    far = ((_vantage(40.4, -3.7, "ES"), 2.0),)
    assert locate((claim,), far, "GT", places).claims[0].refuted is not None


def test_san_jose_from_guatemala_moves_to_costa_rica() -> None:
    places = gazetteer()
    hint = read_name("sanjose-core.example.net")  # a city name: San Jose US is the biggest
    assert hint.city is not None and hint.city.label == "San Jose, US"
    claim = Claim("rdns", "US", hint.city, 0.6, "sanjose", alternatives=hint.alternatives)
    guatemala = ((_vantage(14.63, -90.51, "GT"), 12.0),)  # 12 ms: within 1,200 km
    where = locate((claim,), guatemala, "GT", places)
    assert where.country == "CR" and where.city is not None and where.city.label == "San José, CR"


# ---------------------------------------------------------------------------------------------
# Learned conventions (Hoiho) and CAIDA's rules file


def _discs(lat: float, lon: float, radius: float) -> list[tuple[float, float, float]]:
    return [(lat, lon, radius)]


def test_a_convention_is_learned_when_no_rtt_contradicts_it() -> None:
    # routers of an unknown carrier named <iata><n>.<role>.example-carrier.net
    names = {
        "r1.lim2.bb.example-carrier.net": _discs(-12.05, -77.04, 50.0),  # seen near Lima
        "r2.bog1.bb.example-carrier.net": _discs(4.71, -74.07, 60.0),  # near Bogotá
        "r3.scl1.bb.example-carrier.net": _discs(-33.45, -70.67, 80.0),  # near Santiago
    }
    learned = learn_conventions(names)
    assert len(learned) == 1
    rule = learned[0]
    assert rule.suffix == "example-carrier.net" and rule.rule == "learned"
    hint = read_name("r9.uio1.bb.example-carrier.net", learned)  # a new router: Quito
    assert hint.city is not None and hint.city.label == "Quito, EC"
    assert hint.rule == "learned:example-carrier.net"


def test_one_contradicting_rtt_drops_the_convention() -> None:
    names = {
        "r1.lim2.bb.example-carrier.net": _discs(-12.05, -77.04, 50.0),
        "r2.bog1.bb.example-carrier.net": _discs(4.71, -74.07, 60.0),
        "r3.scl1.bb.example-carrier.net": _discs(-33.45, -70.67, 80.0),
        # "mia" but seen 2 ms from Lima: the rule that reads it as Miami is wrong here
        "r4.mia1.bb.example-carrier.net": _discs(-12.05, -77.04, 200.0),
    }
    assert learn_conventions(names) == ()


def test_too_few_routers_teach_nothing() -> None:
    assert learn_conventions({"r1.lim2.bb.example-carrier.net": _discs(-12.05, -77.04, 50)}) == ()


def test_registered_suffix() -> None:
    assert registered_suffix("ae-4.r21.miamfl02.us.bb.gin.ntt.net") == "ntt.net"
    assert registered_suffix("xe-0-0-1.gua1.claro.net.gt.") == "claro.net.gt"


def test_hoiho_rules_file(tmp_path: Path) -> None:
    rules_file = tmp_path / "hoiho.txt"
    rules_file.write_text(
        "# CAIDA Hoiho geohint rules (format: SUFFIX REGEX [KIND])\n"
        "\n"
        r"example.org ^[a-z]+\d*\.x([a-z]{3})\d*\.example\.org$ iata"
        "\n"
        r"example.com ^(?:[a-z]+-)?([a-z]+)\d*\.example\.com$ place"
        "\n"
        "broken.net ^(unclosed\n"
        "only-a-suffix.net\n",
        encoding="utf-8",
    )
    rules = load_hoiho_rules(rules_file).rules
    assert [(r.suffix, r.kind, r.rule) for r in rules] == [
        ("example.org", "iata", "hoiho"),
        ("example.com", "city", "hoiho"),
    ]
    assert read_name("r1.xlim2.example.org").city is None  # not without the rules
    hint = read_name("r1.xlim2.example.org", rules)
    assert (
        hint.city is not None and hint.city.label == "Lima, PE" and hint.rule == "hoiho:example.org"
    )
    assert _label(read_name("edge-guatemala.example.com", rules)) == "Guatemala City, GT"


def test_hoiho_lines_that_hold_no_rule_are_counted_with_why(tmp_path: Path) -> None:
    rules_file = tmp_path / "hoiho.txt"
    lines = [
        b"# comment and blank lines are no rules, nor skipped",
        b"",
        rb"example.org ^[a-z]+\d*\.x([a-z]{3})\d*\.example\.org$ iata",  # line 3
        b"only-a-suffix.net",  # line 4
        rb"example.net ^([a-z]+)\.example\.net$ zipcode",  # line 5
        b"broken.net ^(unclosed",  # line 6
        rb"nogroup.net ^(?:[a-z]+)\.nogroup\.net$",  # line 7
        b"latin1.net ^([a-z]+)\xe9\\.latin1\\.net$",  # line 8: not UTF-8
        *[b"short.net"] * 30,  # lines 9-38
    ]
    rules_file.write_bytes(b"\n".join(lines) + b"\n")
    loaded = load_hoiho_rules(rules_file)
    assert [r.suffix for r in loaded.rules] == ["example.org"]  # the good rule still loads
    assert loaded.skipped == 35
    assert len(loaded.reasons) == REASONS_KEPT  # capped; the count is not
    assert [(number, why.split(":")[0].split(" (")[0]) for number, why in loaded.reasons[:5]] == [
        (4, "too few fields"),
        (5, "unknown kind 'zipcode'"),
        (6, "bad regex"),
        (7, "regex has no capture group"),
        (8, "not UTF-8"),
    ]
    assert loaded.reasons[5] == (9, "too few fields (want SUFFIX REGEX [KIND])")
    hint = read_name("r1.xlim2.example.org", loaded.rules)
    assert hint.city is not None and hint.city.label == "Lima, PE"


def _label(hint: Geohint) -> str | None:
    return None if hint.city is None else hint.city.label


# ---------------------------------------------------------------------------------------------
# The corpus of real names


def _corpus() -> list[dict[str, str]]:
    lines = [
        line for line in CORPUS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    return list(csv.DictReader(lines))


def test_the_corpus_is_real_and_sourced() -> None:
    rows = _corpus()
    assert len(rows) >= 150
    assert len({r["name"] for r in rows}) == len(rows)
    for row in rows:
        assert row["source"].startswith(
            ("https://github.com/", "dz-paji/", "faciolihenrique/", "renanccastro/")
        ), row
        assert row["carrier"], row
        assert bool(row["city"]) == bool(row["latitude"]), row
    assert sum(1 for r in rows if not r["city"]) >= 20  # placeless names too


def test_the_reader_on_the_corpus() -> None:
    placed = wrong = missed = left = invented = 0
    for row in _corpus():
        hint = read_name(row["name"])
        if not row["city"]:
            if hint.city is None:
                left += 1
            else:
                invented += 1
            continue
        if hint.city is None:
            missed += 1
            continue
        far = distance_km(
            float(row["latitude"]), float(row["longitude"]), hint.city.latitude, hint.city.longitude
        )
        if far <= 100.0:
            placed += 1
        else:
            wrong += 1
    with_a_place = placed + wrong + missed
    assert placed / with_a_place >= 0.90, (placed, wrong, missed)
    assert wrong / with_a_place <= 0.01, (placed, wrong, missed)
    assert invented == 0, invented
    # the figures README states ("How a hop is placed")
    assert (with_a_place, placed, wrong, missed, left) == (135, 129, 0, 6, 42)


def test_only_the_hostname_labels_right_of_markup_are_read() -> None:
    # a hostile PTR record: the labels right of the markup still read as a hostname; a name
    # whose markup leaves too few labels (none left of the registered domain) reads as nothing
    hostile = read_name("<script>x</script>\\027[2j.ae-1.r01.mia01.example.net")
    assert hostile.city is not None and hostile.city.name == "Miami" and hostile.code == "mia"
    assert read_name("mia01<b>.example.net").city is None
    assert read_name("ae-1.mia01.exa mple.net").city is None
