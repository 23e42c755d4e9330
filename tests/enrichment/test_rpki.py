"""Route origin validation (RFC 6811) on real VRP exports and on hand-checked cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ixpready.enrichment.rpki import OriginValidator
from ixpready.errors import RefdataError
from ixpready.refdata.rpki import Validity, Vrp, load_vrps, parse_vrps, ripestat_validity

DATA = Path(__file__).resolve().parents[1] / "data" / "readiness"  # sources: README.md there

V, X, N = Validity.VALID, Validity.INVALID, Validity.NOT_FOUND  # X: invalid


def test_routinator_json_as_its_manual_prints_it() -> None:
    vrps = load_vrps(DATA / "routinator-json-docs.json", default_date="2021-05-04")
    assert vrps.program == "routinator" and vrps.date == "2021-05-04"  # no metadata: default
    assert [(v.asn, v.prefix, v.max_length, v.trust_anchor) for v in vrps.vrps] == [
        (196615, "2001:7fb:fd03::/48", 48, "ripe"),
        (196615, "2001:7fb:fd04::/48", 48, "ripe"),
        (196615, "93.175.147.0/24", 24, "ripe"),
    ]
    check = OriginValidator(vrps.vrps)
    cases = [
        ("93.175.147.0/24", 196615, V),
        ("93.175.147.0/25", 196615, X),  # longer than maxLength 24
        ("93.175.147.0/24", 3333, X),  # covered, another origin
        ("93.175.146.0/24", 196615, N),  # no VRP covers it
        ("93.175.0.0/16", 196615, N),  # a less-specific is not covered
        ("2001:7fb:fd03::/48", 196615, V),
        ("2001:7fb:fd03::/49", 196615, X),
        ("2001:7fb:fd05::/48", 196615, N),
    ]
    assert [(p, a, check.validate(p, a).validity) for p, a, _ in cases] == cases


def test_routinator_jsonext_has_no_trust_anchor_but_reads_the_same() -> None:
    vrps = load_vrps(DATA / "routinator-jsonext-docs.json")
    assert vrps.program == "routinator"
    assert vrps.vrps == (Vrp(196615, "93.175.147.0/24", 24, ""),)


def test_rpki_client_json_with_its_metadata() -> None:
    vrps = load_vrps(DATA / "rpki-client-json-2021-07-26.json")
    assert vrps.program == "rpki-client" and vrps.date == "2021-07-26"
    assert len(vrps.vrps) == 6 and not vrps.malformed
    check = OriginValidator(vrps.vrps)
    cases = [
        ("10.0.0.0/23", 65101, V),
        ("10.0.1.0/24", 65101, V),  # maxLength 24 reaches past the /23
        ("10.0.0.0/25", 65101, X),
        ("10.0.0.0/24", 65001, X),
        ("170.0.0.0/24", 20, V),
        ("170.0.0.1/32", 30, X),  # the lab's hijack, which its routers showed as I
        ("172.0.0.0/24", 10, V),
        ("2001:db8:1::/48", 65001, V),  # maxLength 64 on a /32
        ("2001:db8::/65", 65001, X),
        ("2001:db9::/32", 65001, N),
    ]
    assert [(p, a, check.validate(p, a).validity) for p, a, _ in cases] == cases


def test_numeric_asns_as_newer_rpki_client_writes_them() -> None:
    data = json.dumps(
        {"metadata": {"buildtime": "2026-11-01T00:07:00Z"},
         "roas": [{"asn": 13335, "prefix": "1.0.0.0/24", "maxLength": 24, "ta": "apnic",
                   "expires": 1637590711}]}
    ).encode()  # fmt: skip
    vrps = parse_vrps(data, "rpki-client.json")
    assert vrps.program == "rpki-client" and vrps.date == "2026-11-01"
    assert vrps.vrps == (Vrp(13335, "1.0.0.0/24", 24, "apnic"),)


def test_as0_roas_match_nothing() -> None:
    # RFC 6483 section 4 / RFC 7607: an AS0 VRP says nobody may originate the space
    check = OriginValidator([Vrp(0, "192.0.2.0/24", 32)])
    assert check.validate("192.0.2.0/24", 64500).validity is X
    assert check.validate("192.0.2.128/25", 64500).validity is X
    assert check.validate("192.0.2.0/24", 0).validity is X  # not even for origin AS0
    # a real ROA beside the AS0 one still validates its own route
    both = OriginValidator([Vrp(0, "192.0.2.0/24", 32), Vrp(64500, "192.0.2.0/25", 25)])
    assert both.validate("192.0.2.0/25", 64500).validity is V
    assert both.validate("192.0.2.128/25", 64500).validity is X


def test_overlapping_roas_any_match_wins() -> None:
    check = OriginValidator(
        [Vrp(64500, "10.0.0.0/8", 8), Vrp(64501, "10.1.0.0/16", 24), Vrp(64500, "10.1.0.0/16", 16)]
    )
    assert check.validate("10.0.0.0/8", 64500).validity is V
    assert check.validate("10.2.0.0/16", 64500).validity is X  # /8 max 8 only
    assert check.validate("10.1.2.0/24", 64501).validity is V
    assert check.validate("10.1.2.0/24", 64500).validity is X  # its /16 ROA stops at 16
    assert check.validate("10.1.0.0/16", 64500).validity is V
    covering = check.validate("10.1.2.0/24", 64501).covering
    assert [v.prefix for v in covering] == ["10.0.0.0/8", "10.1.0.0/16", "10.1.0.0/16"]
    assert check.validate("11.0.0.0/8", 64500).validity is N


def test_ipv4_and_ipv6_never_cover_each_other() -> None:
    check = OriginValidator([Vrp(64500, "::/0", 128)])
    assert check.validate("0.0.0.0/0", 64500).validity is N
    assert check.validate("2001:db8::/32", 64500).validity is V


def test_damaged_records_are_left_out_and_named() -> None:
    data = json.dumps({"roas": [
        {"asn": "AS64500", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "x"},
        {"asn": "AS64500", "prefix": "192.0.2.0/24", "maxLength": 16, "ta": "x"},
        {"asn": "AS64500", "prefix": "192.0.2.1/24", "maxLength": 24, "ta": "x"},
        {"asn": "ASX", "prefix": "198.51.100.0/24", "maxLength": 24},
        {"prefix": "198.51.100.0/24"},
        "not an object",
    ]}).encode()  # fmt: skip
    vrps = parse_vrps(data, "vrps.json")
    assert vrps.vrps == (Vrp(64500, "192.0.2.0/24", 24, "x"),)
    assert [m.where for m in vrps.malformed] == [f"vrps.json: roas[{i}]" for i in range(1, 6)]
    assert "maxLength 16 outside 24..32" in vrps.malformed[0].reason
    assert "'asn' is missing" in vrps.malformed[3].reason


def test_a_file_that_is_no_vrp_export_is_refused() -> None:
    with pytest.raises(RefdataError, match="no 'roas' list"):
        parse_vrps(b'{"data": []}', "x.json")
    with pytest.raises(RefdataError, match="not JSON"):
        parse_vrps(b"{truncated", "x.json")


def test_ripestat_rpki_validation_answer() -> None:
    document = json.loads((DATA / "ripestat-rpki-validation-AS3333-2025-06-11.json").read_text())
    answer = ripestat_validity(document)
    assert answer is not None
    assert (answer.prefix, answer.origin, answer.validity) == ("193.0.0.0/21", 3333, V)
    assert answer.validator == "routinator" and answer.date == "2025-06-11"
    assert ripestat_validity({"data": {"prefixes": []}}) is None  # another data call
    document["data"]["status"] = "invalid_length"
    assert ripestat_validity(document).validity is X  # type: ignore[union-attr]
    document["data"]["status"] = "unknown"
    assert ripestat_validity(document).validity is N  # type: ignore[union-attr]
