"""Plans on recorded probe lists: credits by RIPE Atlas' rule, AS-pair coverage, quotas."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ixpready.errors import InputError, UsageError
from ixpready.measurements.probes import load_probes
from ixpready.pipeline.plan import (
    PlanItem,
    PlanOptions,
    assign_batches,
    credits_per_result,
    load_plan,
    make_plan,
    plan_document,
    summarize,
)

LACNIC = "atlas-probes/lacnic-simon-ripeatlasprobe-fixture-latam.json"
BOLIVIA = "atlas-probes/rednegra-bolivia-probes-2018-10-28.json"
NOW = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)


def test_credits_follow_the_published_rule() -> None:
    assert credits_per_result(3, 48, is_oneoff=True) == 60  # the default one-off result
    assert credits_per_result(3, 48, is_oneoff=False) == 30
    assert credits_per_result(16, 1500, is_oneoff=False) == 320
    assert credits_per_result(5, 2048, is_oneoff=True) == 200


def test_guatemala_plan_covers_every_pair_for_a_quarter_of_the_mesh(recorded: Path) -> None:
    probes = load_probes(recorded / LACNIC).values()
    plan = make_plan(probes, PlanOptions(country="GT", budget_credits=100_000), now=NOW)
    summary = summarize(plan, probes)
    # 12 GT probes with an ASN (1182 has none) in AS14754 (7), 52286 (2), 27929, 52362, 264637
    assert summary.networks_with_probes == 5
    assert (summary.pairs_covered, summary.pairs_possible) == (20, 20)
    assert summary.results == 32 and summary.credits == 32 * 60
    assert (summary.full_mesh_results, summary.full_mesh_credits) == (132, 132 * 60)
    assert summary.batches == 1
    first = plan.items[0]
    assert first.target_asn == 14754  # the network with most probes comes first
    # no addresses in this layout: the target is the first address of a probe's prefix
    assert first.target == "190.148.0.1"
    assert "edit me" in first.target_note
    assert 1182 not in {p for item in plan.items for p in item.probe_ids}
    assert "20 of 20 domestic AS pairs (100 %)" in summary.as_text()


def test_a_small_budget_keeps_as_diversity(recorded: Path) -> None:
    probes = load_probes(recorded / LACNIC).values()
    plan = make_plan(probes, PlanOptions(country="GT", budget_credits=600), now=NOW)
    assert plan.credits == 600 and plan.results == 10
    assert [item.target_asn for item in plan.items] == [14754, 52286]
    assert plan.items[1].source_asns == (14754, 27929, 52362, 264637)
    assert len(plan.pairs()) == 8


def test_bolivia_uses_connected_probes_and_their_addresses(recorded: Path) -> None:
    probes = load_probes(recorded / BOLIVIA).values()
    plan = make_plan(
        probes, PlanOptions(country="BO", budget_credits=10**6, probes_per_as=2), now=NOW
    )
    connected = {p.id for p in probes if p.status == "Connected"}
    used = {p for item in plan.items for p in item.probe_ids}
    assert used <= connected
    assert all(item.target_note.startswith(("probe ", "anchor ")) for item in plan.items)
    per_as: dict[int, set[int]] = {}
    by_id = {p.id: p for p in probes}
    for probe_id in used:
        per_as.setdefault(by_id[probe_id].asn_v4 or 0, set()).add(probe_id)
    assert max(len(ids) for ids in per_as.values()) <= 2


def test_no_probe_in_the_country_is_a_usage_error(recorded: Path) -> None:
    probes = load_probes(recorded / LACNIC).values()
    with pytest.raises(UsageError, match="no connected RIPE Atlas probe with an IPv4 ASN in SE"):
        make_plan(probes, PlanOptions(country="SE", budget_credits=1000))


def test_quotas_cut_a_plan_into_batches() -> None:
    items = [
        PlanItem(n, 0, "192.0.2.1", 64500, "", tuple(range(500)), (64501,)) for n in range(1, 251)
    ]
    batches = [i.batch for i in assign_batches(items)]
    assert batches.count(1) == 100 and batches.count(2) == 100 and batches.count(3) == 50
    heavy = [PlanItem(n, 0, "192.0.2.1", 64500, "", tuple(range(1000)), ()) for n in range(1, 151)]
    assert max(i.batch for i in assign_batches(heavy)) == 2  # 100,000 results a day


def test_the_plan_file_round_trips_and_edits_are_recosted(recorded: Path, tmp_path: Path) -> None:
    probes = load_probes(recorded / LACNIC).values()
    plan = make_plan(probes, PlanOptions(country="GT", budget_credits=100_000), now=NOW)
    path = tmp_path / "plan.json"
    path.write_text(plan_document(plan))
    assert load_plan(path) == plan
    document = json.loads(path.read_text())
    document["measurements"][0]["probes"] = [19570]
    document["measurements"][0]["target"] = "190.148.1.1"
    path.write_text(json.dumps(document))
    edited = load_plan(path)
    assert edited.items[0].target == "190.148.1.1"
    assert edited.results == plan.results - 4


def test_a_broken_plan_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(
            {
                "format": 1,
                "plan_id": "x",
                "created": "2026-11-28T21:00:00Z",
                "country": "GT",
                "budget_credits": 10,
                "measurement": {
                    "af": 4,
                    "protocol": "ICMP",
                    "packets": 3,
                    "size": 48,
                    "is_oneoff": True,
                    "probes_per_as": 3,
                },
                "measurements": [
                    {"item": 1, "target": "190.148.0.1", "target_asn": 14754, "probes": ["x"]}
                ],
            }
        )
    )
    with pytest.raises(InputError) as caught:
        load_plan(path)
    assert str(caught.value) == (
        f"{path} measurements[0]: 'probes' must be a non-empty list of probe ids"
    )


def test_a_periodic_plan_without_a_stop_time_is_refused(recorded: Path) -> None:
    probes = load_probes(recorded / LACNIC).values()
    endless = PlanOptions(country="GT", budget_credits=1000, is_oneoff=False, interval_s=3600)
    with pytest.raises(UsageError, match="needs a stop time: without one it spends credits"):
        make_plan(probes, endless, now=NOW)
    no_interval = PlanOptions(country="GT", budget_credits=1000, is_oneoff=False, stop=WEEK)
    with pytest.raises(UsageError, match="needs an interval of at least 60 s"):
        make_plan(probes, no_interval, now=NOW)
    too_soon = replace(endless, stop=NOW + timedelta(minutes=30))
    with pytest.raises(UsageError, match="is not at least one interval"):
        make_plan(probes, too_soon, now=NOW)


WEEK = NOW + timedelta(days=7)


def test_a_periodic_plan_pays_every_result_until_the_stop_time(recorded: Path) -> None:
    probes = load_probes(recorded / LACNIC).values()
    options = PlanOptions(
        country="GT", budget_credits=100_000, is_oneoff=False, interval_s=3600, stop=WEEK
    )
    assert options.cost_per_result == 30  # periodic: 10 x 3 packets x (48 // 1500 + 1)
    assert options.results_per_probe(NOW) == 7 * 24
    plan = make_plan(probes, options, now=NOW)
    # 100,000 // (30 credits x 168 results) = 19 probe participations
    assert plan.probe_slots == 19
    assert plan.results == 19 * 168 and plan.credits == 19 * 168 * 30 == 95_760
    assert plan.results_per_day == 19 * 24
    assert plan.batches == 1 and plan.notes == ()
    summary = summarize(plan, probes)
    assert (summary.full_mesh_results, summary.full_mesh_credits) == (132 * 168, 132 * 168 * 30)
    text = summary.as_text()
    assert "plan: 4 measurements, 3192 results, 95760 credits, 1 batch(es)" in text
    assert (
        "periodic: every 3600 s until 2026-12-05 21:00 UTC, 168 results per probe, "
        "456 results a day (0 % of the 100,000 a day quota)"
    ) in text
    assert "warning" not in text


def test_a_periodic_plan_is_cut_to_the_daily_results_quota_and_says_so(recorded: Path) -> None:
    probes = load_probes(recorded / "atlas-probes/ripestat-atlas-probes-at-2025-06-11.json")
    options = PlanOptions(
        country="AT",
        budget_credits=10**12,
        is_oneoff=False,
        interval_s=60,
        stop=NOW + timedelta(days=30),
    )
    plan = make_plan(probes.values(), options, now=NOW)
    # one result a minute: 1,440 a day per probe; 100,000 // 1,440 = 69 participations
    assert plan.probe_slots == 69
    assert plan.results_per_day == 69 * 1440 == 99_360
    assert plan.batches == 1  # they all run at once: one batch within the quotas
    assert plan.results == 69 * 30 * 1440 and plan.credits == plan.results * 30
    text = summarize(plan, probes.values()).as_text()
    assert (
        "warning: the daily results quota (100,000 a day) limits this periodic plan to 69 "
        "probe participations at one result every 60 s; lengthen the interval to cover more"
    ) in text
    assert "warning: 99,360 results a day leave little of the daily quota" in text


def test_a_periodic_plan_file_round_trips_and_is_checked(recorded: Path, tmp_path: Path) -> None:
    probes = load_probes(recorded / LACNIC).values()
    options = PlanOptions(
        country="GT", budget_credits=100_000, is_oneoff=False, interval_s=3600, stop=WEEK
    )
    plan = make_plan(probes, options, now=NOW)
    path = tmp_path / "plan.json"
    path.write_text(plan_document(plan))
    document = json.loads(path.read_text())
    assert document["measurement"]["interval_s"] == 3600
    assert document["measurement"]["stop"] == "2026-12-05T21:00:00Z"
    assert document["measurement"]["credits_per_result"] == 30
    assert document["estimate"] == {
        "results": 3192,
        "credits": 95_760,
        "batches": 1,
        "results_per_day": 456,
    }
    assert sum(m["credits"] for m in document["measurements"]) == 95_760
    assert load_plan(path) == plan

    del document["measurement"]["stop"]  # never an open-ended spend
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"measurement: 'stop' is missing"):
        load_plan(path)

    document["measurement"]["stop"] = "2026-12-05T21:00:00Z"
    document["measurement"]["interval_s"] = 60  # 1,440 results a day per probe
    document["measurements"] = [
        dict(document["measurements"][0], item=n, probes=list(range(1, 1001))) for n in range(1, 3)
    ]
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match="a periodic plan runs all its measurements at once"):
        load_plan(path)


def test_the_daily_quota_counts_periodic_results_in_batches() -> None:
    items = [PlanItem(n, 0, "192.0.2.1", 64500, "", tuple(range(100)), ()) for n in range(1, 51)]
    assert max(i.batch for i in assign_batches(items)) == 1  # 5,000 one-off results
    hourly = [i.batch for i in assign_batches(items, results_per_probe_per_day=24)]
    assert (hourly.count(1), hourly.count(2)) == (41, 9)  # 2,400 a day each; 41 x 2,400 <= 100,000


def test_an_ipv6_plan_uses_ipv6_networks_and_addresses(recorded: Path) -> None:
    probes = load_probes(recorded / "atlas-probes/ripestat-atlas-probes-at-2025-06-11.json")
    plan = make_plan(probes.values(), PlanOptions(country="AT", budget_credits=6000, af=6), now=NOW)
    assert plan.results == 100
    for item in plan.items:
        assert ":" in item.target
        assert all(probes[p].asn_v6 is not None for p in item.probe_ids)
        assert all(probes[p].status == "Connected" for p in item.probe_ids)
