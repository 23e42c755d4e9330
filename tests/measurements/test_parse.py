"""The results reader on real recorded RIPE Atlas data (../shared/fixtures) and damaged copies.

Every pinned value below was read off the fixture files by hand; counts are the ones the
fixtures README states.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from ipaddress import ip_address
from pathlib import Path

import pytest

from ixpready.measurements.parse import parse_bytes, parse_lines, read_results
from ixpready.measurements.records import (
    DnsResult,
    Malformed,
    MplsLabel,
    PingResult,
    Reply,
    Skipped,
    Trace,
)

GT_HN_SV = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
F_ROOT = ip_address("192.5.5.241")

# (file under ../shared/fixtures, kind of record, how many) as the fixtures README states.
EXPECTED: dict[str, tuple[type, int]] = {
    "atlas-traceroute/sagan-traceroute-v4-firmware-series.json": (Trace, 12),
    "atlas-traceroute/sagan-traceroute-v6.json": (Trace, 4),
    "atlas-traceroute/sagan-traceroute-edge-cases.json": (Trace, 5),
    "atlas-traceroute/ripe-atlas-tools-traceroute-msm3606560.json": (Trace, 2),
    "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json": (Trace, 87),
    "atlas-traceroute/ripe-atlas-monitor-msm1033154-measurement.json": (Skipped, 1),
    "atlas-traceroute/traixroute-example-msm6935514.json": (Trace, 2),
    "atlas-traceroute/msm79033209-googlenews-2024-09-sample.json": (Trace, 53),
    "atlas-traceroute/msm5004-froot-2015-10-20-latin-america.jsonl": (Trace, 404),
    "atlas-traceroute/msm5004-froot-2015-10-20-world-sample.jsonl": (Trace, 204),
    GT_HN_SV: (Trace, 26),
    "atlas-traceroute/msm79032394-folha-2024-09-mexico.json": (Trace, 72),
    "atlas-traceroute/msm79033209-googlenews-2024-09-mexico.json": (Trace, 72),
    "atlas-traceroute/msm79031607-reuters-2024-09-mexico.json": (Trace, 72),
    "atlas-traceroute/ripe-atlas-monitor-msm3082698-traceroute-italy.json": (Trace, 8),
    "atlas-ping/sagan-ping-firmware-series.json": (PingResult, 15),
    "atlas-ping/ripe-atlas-tools-ping-msm1000192.json": (PingResult, 9),
    "atlas-ping/ripe-atlas-tools-ping-msm2882184.json": (PingResult, 5),
    "atlas-ping/ripe-atlas-monitor-msm3359986-ping.json": (PingResult, 5),
    "atlas-dns/sagan-dns-results.json": (DnsResult, 43),
    "atlas-dns/ripe-atlas-tools-dns-msm9211416-msm9386425.json": (DnsResult, 4),
    "atlas-dns/ripe-atlas-monitor-msm1071935-dns.json": (DnsResult, 5),
    "atlas-dns/ripe-atlas-monitor-msm1421267-dns.json": (DnsResult, 4),
}


def _records_in(path: Path) -> int:
    """Counts the records of a fixture file with the standard library, independently."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return sum(1 for line in text.splitlines() if line.strip())
    document = json.loads(text)
    return len(document) if isinstance(document, list) else 1


def _traces(recorded: Path, name: str) -> list[Trace]:
    outcomes = list(read_results(recorded / name))
    traces = [o for o in outcomes if isinstance(o, Trace)]
    assert len(traces) == len(outcomes), "every record of this file is a traceroute"
    return traces


def _of_probe(traces: list[Trace], prb_id: int) -> list[Trace]:
    found = [t for t in traces if t.key.prb_id == prb_id]
    assert found, f"probe {prb_id} not in the file"
    return found


# ---------------------------------------------------------------------------------------------
# Every recorded file loads, with the README's counts


def test_the_glob_finds_exactly_the_files_the_readme_describes(recorded: Path) -> None:
    found = {
        str(path.relative_to(recorded))
        for folder in ("atlas-traceroute", "atlas-ping", "atlas-dns")
        for path in (recorded / folder).iterdir()
        if path.is_file()
    }
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_recorded_file_loads_with_the_readme_count(recorded: Path, name: str) -> None:
    kind, count = EXPECTED[name]
    outcomes = list(read_results(recorded / name))
    malformed = [o for o in outcomes if isinstance(o, Malformed)]
    assert malformed == []
    assert Counter(type(o) for o in outcomes) == {kind: count}
    # conservation: one outcome per record in the input, nothing lost, nothing invented
    assert len(outcomes) == _records_in(recorded / name)


@pytest.mark.parametrize("name", sorted(n for n, (k, _) in EXPECTED.items() if k is not Skipped))
def test_a_rerun_reads_the_same_distinct_results(recorded: Path, name: str) -> None:
    first = [o.key for o in read_results(recorded / name) if not isinstance(o, Malformed | Skipped)]
    again = [o.key for o in read_results(recorded / name) if not isinstance(o, Malformed | Skipped)]
    assert first == again
    if "sagan-dns" not in name:  # sagan's DNS tests hold two results with the same key
        assert len(set(first)) == len(first)


def test_the_measurement_definition_is_skipped_not_malformed(recorded: Path) -> None:
    name = "atlas-traceroute/ripe-atlas-monitor-msm1033154-measurement.json"
    (outcome,) = read_results(recorded / name)
    assert isinstance(outcome, Skipped)
    assert "definition" in outcome.reason


@pytest.mark.parametrize(
    ("name", "msm_ids", "probes"),
    [
        (GT_HN_SV, {5004}, 13),
        ("atlas-traceroute/msm5004-froot-2015-10-20-latin-america.jsonl", {5004}, 203),
        ("atlas-traceroute/msm79033209-googlenews-2024-09-sample.json", {79033209}, 26),
        ("atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json", {1033154}, 87),
        ("atlas-traceroute/msm79031607-reuters-2024-09-mexico.json", {79031607}, 3),
        ("atlas-traceroute/sagan-traceroute-v4-firmware-series.json", {1000157, 1000158}, 4),
        (
            "atlas-traceroute/sagan-traceroute-v6.json",
            {1666033, 1665357, 1666051, 1772418},
            4,
        ),
    ],
)
def test_measurements_and_probes_per_file(
    recorded: Path, name: str, msm_ids: set[int], probes: int
) -> None:
    traces = _traces(recorded, name)
    assert {t.key.msm_id for t in traces} == msm_ids
    assert len({t.key.prb_id for t in traces}) == probes


# ---------------------------------------------------------------------------------------------
# Pinned facts: F-root traceroutes from Guatemala, Honduras and El Salvador (msm 5004)


def test_gt_hn_sv_probe_24182_could_not_connect(recorded: Path) -> None:
    mine = _of_probe(_traces(recorded, GT_HN_SV), 24182)
    assert [t.key.timestamp for t in mine] == [1445300301, 1445302100]
    for trace in mine:
        assert len(trace.hops) == 1
        (hop,) = trace.hops
        assert hop.number == 1
        assert hop.replies == ()
        assert hop.error == "connect failed: Network is unreachable"
        assert trace.destination == F_ROOT
        assert not trace.destination_reached
        assert trace.destination_rtt_ms is None
        assert trace.public_source == ip_address("131.221.10.39")
        assert trace.source == ip_address("10.8.64.105")


@pytest.mark.parametrize("prb_id", [19656, 20455, 23023])
def test_gt_hn_sv_probes_that_end_in_silence(recorded: Path, prb_id: int) -> None:
    mine = _of_probe(_traces(recorded, GT_HN_SV), prb_id)
    assert len(mine) == 2
    for trace in mine:
        assert trace.hops[-1].number == 255
        assert trace.hops[-1].is_silent
        assert all(r.is_timeout for r in trace.hops[-1].replies)
        assert not trace.destination_reached
        assert F_ROOT not in {a for hop in trace.hops for a in hop.addresses}


def test_probe_20455_hop_list_as_recorded(recorded: Path) -> None:
    first = _of_probe(_traces(recorded, GT_HN_SV), 20455)[0]
    assert [h.number for h in first.hops] == [1, 2, 3, 4, 5, 6, 7, 255]
    assert first.hops[1].addresses == (ip_address("10.65.4.9"),)
    assert first.hops[1].min_rtt_ms() == pytest.approx(12.273)
    assert first.hops[0].is_silent


@pytest.mark.parametrize(("prb_id", "hop_number"), [(15381, 8), (18865, 12)])
def test_sv_probes_pass_the_equinix_chicago_lan_address(
    recorded: Path, prb_id: int, hop_number: int
) -> None:
    for trace in _of_probe(_traces(recorded, GT_HN_SV), prb_id):
        hop = next(h for h in trace.hops if ip_address("206.223.119.2") in h.addresses)
        assert hop.number == hop_number
        assert trace.destination_reached


def test_hn_probe_18250_passes_equinix_palo_alto_at_about_180_ms(recorded: Path) -> None:
    first, second = _of_probe(_traces(recorded, GT_HN_SV), 18250)
    palo_alto = ip_address("198.32.176.3")
    assert first.hops[7].number == 8
    assert first.hops[7].min_rtt_ms(palo_alto) == pytest.approx(183.492)
    assert second.hops[7].min_rtt_ms(palo_alto) == pytest.approx(179.39)


def test_gt_probe_12804_reaches_f_root_at_about_80_ms(recorded: Path) -> None:
    first, second = _of_probe(_traces(recorded, GT_HN_SV), 12804)
    for trace in (first, second):
        assert trace.destination_reached
        assert trace.public_source == ip_address("186.151.78.4")
        assert trace.hops[-1].number == 11
        assert trace.hops[-1].addresses == (F_ROOT,)
        rtt = trace.destination_rtt_ms
        assert rtt is not None and 80.0 <= rtt <= 82.0
        # the common exit named by the README, at hop 7
        assert trace.hops[6].addresses == (ip_address("63.245.70.37"),)
    assert first.destination_rtt_ms == pytest.approx(81.533)
    assert second.destination_rtt_ms == pytest.approx(80.901)


def test_gt_hn_sv_reach_as_the_readme_describes(recorded: Path) -> None:
    traces = _traces(recorded, GT_HN_SV)
    not_reaching = {t.key.prb_id for t in traces if not t.destination_reached}
    assert not_reaching == {19656, 20455, 23023, 24182}
    assert sum(t.destination_reached for t in traces) == 18


# ---------------------------------------------------------------------------------------------
# Pinned facts: sagan's IPv6 and edge-case traceroutes, MPLS, name resolution failures


def test_edge_case_err_h_replies_and_unknown_public_source(recorded: Path) -> None:
    traces = _traces(recorded, "atlas-traceroute/sagan-traceroute-edge-cases.json")
    h_trace = next(t for t in traces if t.key.timestamp == 1399388940)
    assert (h_trace.key.msm_id, h_trace.key.prb_id, h_trace.af) == (1019825, 82, 6)
    assert h_trace.public_source is None  # "from": ""
    first = h_trace.hops[0].replies[0]
    assert first.error == "H"
    assert first.address == ip_address("2001:67c:2e8:13:fad1:11ff:fea9:dd68")
    assert first.rtt_ms == pytest.approx(2014.845)
    unreachable = next(t for t in traces if t.key.timestamp == 1398180530)
    assert unreachable.key.msm_id == 1019825
    assert unreachable.hops[0].error == "connect failed: Network is unreachable"
    assert unreachable.hops[0].replies == ()


def test_edge_case_err_n_on_every_reply(recorded: Path) -> None:
    traces = _traces(recorded, "atlas-traceroute/sagan-traceroute-edge-cases.json")
    (trace,) = [t for t in traces if t.key.msm_id == 3059023]
    replies = [r for hop in trace.hops for r in hop.replies]
    assert len(replies) == 3
    assert {r.error for r in replies} == {"N"}
    assert trace.protocol == "ICMP"


def test_late_replies_have_no_usable_rtt(recorded: Path) -> None:
    traces = _traces(recorded, "atlas-traceroute/sagan-traceroute-edge-cases.json")
    (trace,) = [t for t in traces if t.key.msm_id == 5017]
    answered = [r for hop in trace.hops for r in hop.replies if r.address is not None]
    assert len(answered) == 15
    assert [r.late for r in answered] == list(range(4, 19))
    assert all(r.rtt_ms is None and r.usable_rtt_ms is None for r in answered)
    # the target answered (late) on the last attempt: reached, but no RTT bounds it
    assert trace.hops[-1].number == 255
    assert trace.destination == ip_address("78.46.48.134")
    assert trace.destination_reached
    assert trace.destination_rtt_ms is None
    assert trace.hops[-1].replies[0].quoted_ttl == 244


def test_name_resolution_failure_has_no_destination_and_keeps_the_text(recorded: Path) -> None:
    traces = _traces(recorded, "atlas-traceroute/sagan-traceroute-edge-cases.json")
    (trace,) = [t for t in traces if t.key.msm_id == 2906346]
    assert trace.key.prb_id == 22586
    assert trace.destination is None
    assert trace.source is None
    assert trace.hops == ()
    assert trace.error == ("name resolution failed: non-recoverable failure in name resolution (1)")
    assert not trace.destination_reached
    assert trace.destination_rtt_ms is None


def test_reuters_name_resolution_failure_from_probe_1004979(recorded: Path) -> None:
    traces = _traces(recorded, "atlas-traceroute/msm79031607-reuters-2024-09-mexico.json")
    failed = [t for t in traces if t.error is not None]
    assert len(failed) == 1
    assert failed[0].key.prb_id == 1004979
    assert failed[0].destination is None
    assert failed[0].destination_name == "www.reuters.com"
    assert failed[0].error is not None and failed[0].error.startswith("name resolution failed")


def test_all_72_google_traceroutes_from_mexico_reach_the_target(recorded: Path) -> None:
    traces = _traces(recorded, "atlas-traceroute/msm79033209-googlenews-2024-09-mexico.json")
    assert len(traces) == 72
    assert all(t.destination_reached for t in traces)
    assert Counter(t.key.prb_id for t in traces) == {19709: 24, 1004979: 24, 1005021: 24}


def test_italy_seven_of_eight_reach_facebook(recorded: Path) -> None:
    traces = _traces(
        recorded, "atlas-traceroute/ripe-atlas-monitor-msm3082698-traceroute-italy.json"
    )
    missed = [t.key.prb_id for t in traces if not t.destination_reached]
    assert missed == [24503]
    addresses = {a for t in traces for h in t.hops for a in h.addresses}
    assert ip_address("217.29.66.156") in addresses  # MIX-IT Milan peering LAN


def test_hop_level_errors_in_the_wikipedia_traceroutes(recorded: Path) -> None:
    traces = _traces(recorded, "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json")
    unresolved = [t for t in traces if t.destination is None]
    bind_failed = [t for t in traces if t.hops and t.hops[0].error]
    assert len(unresolved) == 10
    assert {t.error for t in unresolved} == {
        "name resolution failed: non-recoverable failure in name resolution"
    }
    assert sorted(t.key.prb_id for t in bind_failed) == [10616, 11208, 11684]
    assert {t.hops[0].error for t in bind_failed} == {"bind failed: Address already in use"}


def test_ipv6_traceroutes(recorded: Path) -> None:
    traces = {
        t.key.msm_id: t for t in _traces(recorded, "atlas-traceroute/sagan-traceroute-v6.json")
    }
    assert {t.af for t in traces.values()} == {6}
    too_big = traces[1666033]
    assert too_big.hops[0].replies[0].address == ip_address("2001:470:d04f:12::18")
    assert too_big.hops[0].replies[1].is_timeout
    assert too_big.hops[0].replies[2].error == "H"
    assert too_big.hops[1].replies[0].quoted_ttl == 2
    silent = traces[1665357]
    assert silent.hops[-1].number == 255
    assert len(silent.hops[-1].replies) == 10  # 10 packets per hop in this measurement
    assert silent.hops[-1].is_silent
    reached = traces[1666051]
    assert reached.destination_reached
    assert reached.hops[-1].number == 5
    assert reached.destination_rtt_ms == pytest.approx(85.785)
    elsewhere = traces[1772418]  # the last hop answered from another address than the target
    assert elsewhere.hops[-1].addresses == (ip_address("2a00:1450:8000:3d::3"),)
    assert elsewhere.destination == ip_address("2a00:1450:4001:808::1010")
    assert not elsewhere.destination_reached


def test_mpls_labels_from_icmp_extensions(recorded: Path) -> None:
    traces = _traces(recorded, "atlas-traceroute/sagan-traceroute-v4-firmware-series.json")
    (trace,) = [t for t in traces if t.key.prb_id == 319 and t.firmware == 4500]
    hop = trace.hops[9]
    assert hop.number == 10
    assert hop.addresses == (ip_address("66.110.59.1"),)
    for reply in hop.replies:
        assert reply.mpls == (MplsLabel(label=407904, exp=1, bottom_of_stack=True, ttl=1),)
    assert trace.hops[10].replies[0].mpls[0].label == 371728
    # plenty of MPLS everywhere in the Latin-American F-root traceroutes
    latam = _traces(recorded, "atlas-traceroute/msm5004-froot-2015-10-20-latin-america.jsonl")
    assert any(r.mpls for t in latam for h in t.hops for r in h.replies)


# ---------------------------------------------------------------------------------------------
# Pinned facts: pings and DNS


def test_pings_of_every_firmware_generation(recorded: Path) -> None:
    pings = [
        o
        for o in read_results(recorded / "atlas-ping/sagan-ping-firmware-series.json")
        if isinstance(o, PingResult)
    ]
    by_time = {p.key.timestamp: p for p in pings}
    fw0 = by_time[1328019792]  # firmware 0: strings, no `af`, summary only
    assert fw0.key.prb_id == 677
    assert fw0.af == 4
    assert fw0.destination == ip_address("62.2.16.12")
    assert fw0.rtts_ms == (57.876,)
    fw1 = by_time[1340523908]  # firmware 1: `addr` and `name`
    assert fw1.destination_name == "hsi.cablecom.ch"
    assert fw1.min_rtt_ms == pytest.approx(123.894)
    dup_only = by_time[1394745831]  # "buggy": min/avg/max -1, only duplicates came back
    assert dup_only.rtts_ms == ()
    assert dup_only.min_rtt_ms is None
    with_dups = by_time[1395277728]  # duplicates do not count as replies
    assert with_dups.rtts_ms == (27.768,)
    assert with_dups.sent == 2


def test_dns_results_in_both_layouts(recorded: Path) -> None:
    results = [
        o
        for o in read_results(recorded / "atlas-dns/sagan-dns-results.json")
        if isinstance(o, DnsResult)
    ]
    resultsets = [r for r in results if len(r.responses) > 1]  # one response per resolver
    assert len(resultsets) == 7
    assert all(r.af is None for r in resultsets)
    timeouts = [r for r in results if r.responses[0].error == '{"timeout": 5000}']
    assert [(r.key.msm_id, r.key.prb_id) for r in timeouts] == [(1666006, 2960)]
    (tcp,) = [r for r in results if r.protocol == "TCP"]
    assert tcp.key.prb_id == 15060
    (venezuela,) = [r for r in results if r.key.msm_id == 10301]
    assert venezuela.key.prb_id == 11180
    assert venezuela.public_source == ip_address("190.111.120.51")
    answer = venezuela.responses[0].answer
    assert answer is not None and len(answer) == 12  # a bare error header


# ---------------------------------------------------------------------------------------------
# Damaged input


def test_parse_keeps_every_good_record_and_names_the_bad(recorded: Path) -> None:
    lines = (recorded / GT_HN_SV).read_text().splitlines()
    damaged = [*lines[:2], "{truncated", '{"type": "traceroute"}', *lines[2:]]
    outcome = list(parse_lines(damaged, origin="sample"))
    assert sum(isinstance(o, Trace) for o in outcome) == len(lines)
    bad = [o for o in outcome if isinstance(o, Malformed)]
    assert [o.where for o in bad] == ["sample:3", "sample:4"]
    assert [o.raw for o in bad] == ["{truncated", '{"type": "traceroute"}']
    assert bad[0].reason.startswith("not JSON")
    assert "msm_id" in bad[1].reason
    assert len(outcome) == len(damaged)


def _one_line(recorded: Path, prb_id: int = 12804) -> dict[str, object]:
    for line in (recorded / GT_HN_SV).read_text().splitlines():
        record = json.loads(line)
        if record["prb_id"] == prb_id:
            return dict(record)
    raise AssertionError(f"probe {prb_id} not found")


def _damage(record: dict[str, object], path: str, value: object) -> str:
    damaged = json.loads(json.dumps(record))
    target = damaged
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return json.dumps(damaged)


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("prb_id", "abc", "field 'prb_id' is not a whole number: 'abc'"),
        ("msm_id", True, "field 'msm_id' is not a whole number: True"),
        ("timestamp", None, "field 'timestamp' is not a whole number: None"),
        ("result.0.hop", "x", "field 'hop' is not a whole number: 'x'"),
        ("result.0.hop", 256, "hop number 256 is outside 1..255"),
        ("result", [], "field 'result' is an empty list: no hop and no error"),
        ("result", "none", "field 'result' is not a list of hops: 'none'"),
        ("result.0.result", [], "hop 1 has an empty reply list and no error"),
        ("result.0.result.0", "late", "hop 1 has a reply that is not an object: 'late'"),
        ("result.0.result.0.rtt", "fast", "field 'rtt' is not a number: 'fast'"),
        ("result.0.result.0.from", "192.168.1.300", "field 'from' is not an IP address"),
        ("dst_addr", 17, "field 'dst_addr' is not an IP address: 17"),
        ("af", 5, "field 'af' must be 4 or 6, not 5"),
        ("type", ["traceroute"], "field 'type' is not text"),
    ],
)
def test_wrong_types_are_malformed_with_a_clear_reason(
    recorded: Path, path: str, value: object, reason: str
) -> None:
    good = _one_line(recorded)
    bad = _damage(good, path, value)
    lines = [json.dumps(good), bad, json.dumps(_one_line(recorded, 19570))]
    outcome = list(parse_lines(lines, origin="x.jsonl"))
    assert [type(o) for o in outcome] == [Trace, Malformed, Trace]
    malformed = outcome[1]
    assert isinstance(malformed, Malformed)
    assert malformed.where == "x.jsonl:2"
    assert malformed.reason.startswith(reason)
    assert malformed.raw == bad


def test_a_missing_required_field_is_named(recorded: Path) -> None:
    record = _one_line(recorded)
    del record["prb_id"]
    (outcome,) = parse_lines([json.dumps(record)], origin="y")
    assert isinstance(outcome, Malformed)
    assert outcome.reason == "field 'prb_id' is missing"


def test_ten_megabyte_lines_are_malformed_not_fatal(recorded: Path, tmp_path: Path) -> None:
    good = (recorded / GT_HN_SV).read_text().splitlines()
    ten_mb = 10 * 1024 * 1024
    not_a_result = json.dumps({"padding": "a" * ten_mb})  # valid JSON, but no result
    truncated = ('{"type": "traceroute", "msm_id": 5004, "padding": "' + "b" * ten_mb)[:ten_mb]
    lines = [good[0], not_a_result, good[1], truncated, good[2]]
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n")
    outcome = list(read_results(path))
    assert [type(o) for o in outcome] == [Trace, Malformed, Trace, Malformed, Trace]
    first, second = (o for o in outcome if isinstance(o, Malformed))
    assert first.where == "big.jsonl:2"
    assert first.reason == "field 'type' is missing: not a RIPE Atlas result"
    assert len(first.raw) == len(not_a_result)
    assert second.where == "big.jsonl:4"
    assert second.reason.startswith("not JSON")
    assert len(second.reason) <= 140  # one sentence, not the whole line
    assert len(second.raw) == ten_mb


def _array_with_a_damaged_element(items: list[object], index: int, separator: str) -> str:
    parts = [json.dumps(item) for item in items]
    parts[index] = parts[index][: len(parts[index]) // 2]  # cut in the middle
    return "[" + separator.join(parts) + "]"


@pytest.mark.parametrize("separator", [", ", ",\n", ",\n  "])
@pytest.mark.parametrize("index", [0, 5, 11])
def test_a_json_array_damaged_in_the_middle_keeps_what_is_around(
    recorded: Path, separator: str, index: int
) -> None:
    source = recorded / "atlas-traceroute/sagan-traceroute-v4-firmware-series.json"
    items = json.loads(source.read_text())
    assert len(items) == 12
    text = _array_with_a_damaged_element(items, index, separator)
    outcome = list(parse_bytes(text.encode(), "cut.json"))
    kept = [o.key.timestamp for o in outcome if isinstance(o, Trace)]
    assert kept == [item["timestamp"] for i, item in enumerate(items) if i != index]
    bad = [o for o in outcome if isinstance(o, Malformed)]
    assert len(bad) == 1  # one damaged record, one Malformed: no fragments reported
    line = 1 if "\n" not in separator else index + 1
    assert bad[0].where == f"cut.json:{line}"
    assert bad[0].reason.startswith("not JSON")
    assert len(outcome) == len(items)  # conservation


def test_a_truncated_download_keeps_every_complete_result(recorded: Path) -> None:
    source = recorded / "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json"
    data = source.read_bytes()
    items = json.loads(data)
    cut = data[: int(len(data) * 0.6)]
    outcome = list(parse_bytes(cut, "partial.json"))
    traces = [o for o in outcome if isinstance(o, Trace)]
    bad = [o for o in outcome if isinstance(o, Malformed)]
    assert len(bad) == 1
    assert len(traces) >= 40
    assert [t.key.prb_id for t in traces] == [item["prb_id"] for item in items[: len(traces)]]


@pytest.mark.parametrize("indent", [None, 2])
def test_an_api_page_is_read(recorded: Path, indent: int | None) -> None:
    source = recorded / "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json"
    items = json.loads(source.read_text())
    page = {"count": len(items), "next": None, "previous": None, "results": items}
    outcome = list(parse_bytes(json.dumps(page, indent=indent).encode(), "page.json"))
    assert len(outcome) == 87
    assert all(isinstance(o, Trace) for o in outcome)
    assert [o.key.prb_id for o in outcome if isinstance(o, Trace)] == [i["prb_id"] for i in items]


@pytest.mark.parametrize("indent", [None, 1])
def test_a_truncated_api_page_keeps_its_complete_results(
    recorded: Path, indent: int | None
) -> None:
    source = recorded / "atlas-traceroute/sagan-traceroute-v4-firmware-series.json"
    items = json.loads(source.read_text())
    page = {"count": len(items), "next": None, "previous": None, "results": items}
    text = json.dumps(page, indent=indent)
    last = json.dumps(items[-1], indent=indent)
    cut = text[: len(text) - 2 - len(last) // 2]  # the last result is cut in half
    outcome = list(parse_bytes(cut.encode(), "page.json"))
    assert [o.key.timestamp for o in outcome if isinstance(o, Trace)] == [
        i["timestamp"] for i in items[:-1]
    ]
    assert sum(isinstance(o, Malformed) for o in outcome) == 1
    assert len(outcome) == len(items)


def test_conservation_over_a_mixed_damaged_file(recorded: Path, tmp_path: Path) -> None:
    lines = (recorded / GT_HN_SV).read_text().splitlines()
    definition = (
        (recorded / "atlas-traceroute/ripe-atlas-monitor-msm1033154-measurement.json")
        .read_text()
        .replace("\n", " ")
    )
    http = json.dumps({**_one_line(recorded), "type": "http"})
    record = _one_line(recorded)
    record["result"] = []
    damaged = [
        *lines[:5],
        lines[5][:100],
        definition,
        http,
        json.dumps(record),
        "",
        *lines[6:],
        "[1, 2]",
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(damaged))
    outcome = list(read_results(path))
    traces = sum(isinstance(o, Trace) for o in outcome)
    malformed = [o for o in outcome if isinstance(o, Malformed)]
    skipped = [o for o in outcome if isinstance(o, Skipped)]
    assert traces == len(lines) - 1
    last = len(damaged)
    assert [m.where for m in malformed] == [
        "mixed.jsonl:6",
        "mixed.jsonl:9",
        f"mixed.jsonl:{last}[0]",
        f"mixed.jsonl:{last}[1]",
    ]
    assert malformed[1].reason == "field 'result' is an empty list: no hop and no error"
    assert malformed[2].reason == "a result must be a JSON object, not int"
    assert [s.where for s in skipped] == ["mixed.jsonl:7", "mixed.jsonl:8"]
    assert "'http'" in skipped[1].reason
    records_in_input = len(lines) - 1 + 1 + 1 + 1 + 1 + 2
    assert traces + len(malformed) + len(skipped) == records_in_input


def test_an_empty_or_blank_file_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text(" \n\n")
    assert list(read_results(path)) == []


def test_windows_line_ends_and_a_byte_order_mark(recorded: Path) -> None:
    lines = (recorded / GT_HN_SV).read_bytes()
    array = (recorded / "atlas-traceroute/sagan-traceroute-v4-firmware-series.json").read_bytes()
    bom = b"\xef\xbb\xbf"
    for data, count in ((lines.replace(b"\n", b"\r\n"), 26), (bom + lines, 26), (bom + array, 12)):
        outcome = list(parse_bytes(data, "windows.json"))
        assert len(outcome) == count
        assert all(isinstance(o, Trace) for o in outcome)
    text = (bom + lines).decode("utf-8").splitlines()
    assert all(isinstance(o, Trace) for o in parse_lines(text, "windows.jsonl"))


def test_results_written_one_after_another_on_a_line(recorded: Path) -> None:
    lines = (recorded / GT_HN_SV).read_text().splitlines()
    data = "\n".join([lines[0] + lines[1], lines[2] + " " + lines[3][:300], lines[4]])
    outcome = list(parse_bytes(data.encode(), "concat.jsonl"))
    assert [type(o) for o in outcome] == [Trace, Trace, Trace, Malformed, Trace]
    assert [o.key.prb_id for o in outcome if isinstance(o, Trace)] == [20455, 18865, 15381, 23023]
    bad = outcome[3]
    assert isinstance(bad, Malformed)
    assert bad.where == "concat.jsonl:2"
    assert bad.raw == lines[3][:300]
    via_lines = list(parse_lines(data.splitlines(), "concat.jsonl"))
    assert [type(o) for o in via_lines] == [type(o) for o in outcome]


def test_a_line_with_nothing_to_salvage_keeps_the_whole_line_as_raw(recorded: Path) -> None:
    line = (recorded / GT_HN_SV).read_text().splitlines()[0]
    cut = line[: len(line) // 2]
    (outcome,) = parse_lines([cut], "cut.jsonl")
    assert isinstance(outcome, Malformed)
    assert outcome.where == "cut.jsonl:1"
    assert outcome.raw == cut
    assert outcome.reason.startswith("not JSON (")


def test_world_sample_packet_quirks(recorded: Path) -> None:
    # counted by hand with grep: results holding "err" 23, "late" 12, "dup" 24,
    # "sendto failed" 4 (packet-level), "connect failed" 15 (hop-level)
    traces = _traces(recorded, "atlas-traceroute/msm5004-froot-2015-10-20-world-sample.jsonl")

    def holding(test: Callable[[Reply], bool]) -> int:
        return sum(1 for t in traces if any(test(r) for h in t.hops for r in h.replies))

    assert holding(lambda r: r.error is not None) == 23
    assert holding(lambda r: r.late is not None) == 12
    assert holding(lambda r: r.duplicate) == 24
    assert holding(lambda r: r.send_error is not None) == 4
    assert sum(1 for t in traces if any(h.error for h in t.hops)) == 15
    failed = [r for t in traces for h in t.hops for r in h.replies if r.send_error]
    assert {r.send_error for r in failed} == {"sendto failed: Network is unreachable"}
    assert not any(r.is_timeout for r in failed)  # it could not send: not a silence
    assert {r.error for t in traces for h in t.hops for r in h.replies if r.error} == {"H"}


def test_a_wrong_type_inside_a_json_array_is_named_by_index(recorded: Path, tmp_path: Path) -> None:
    source = recorded / "atlas-traceroute/ripe-atlas-monitor-msm3082698-traceroute-italy.json"
    items = json.loads(source.read_text())
    items[3]["prb_id"] = "abc"
    items[6]["result"] = []
    path = tmp_path / "italy.json"
    path.write_text(json.dumps(items, indent=1))
    outcome = list(read_results(path))
    assert len(outcome) == 8
    bad = [o for o in outcome if isinstance(o, Malformed)]
    assert [(m.where, m.reason) for m in bad] == [
        ("italy.json[3]", "field 'prb_id' is not a whole number: 'abc'"),
        ("italy.json[6]", "field 'result' is an empty list: no hop and no error"),
    ]
    assert json.loads(bad[0].raw)["prb_id"] == "abc"  # the record as received, for quarantine
    kept = [o.key.prb_id for o in outcome if isinstance(o, Trace)]
    assert kept == [item["prb_id"] for i, item in enumerate(items) if i not in (3, 6)]
