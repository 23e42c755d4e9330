"""Reuse before spending: `discover --reuse` finds the public traceroutes that already cover
Austria, `plan` leaves their AS pairs out, `fetch` takes them first at no cost.

Recorded real data: Austria's RIPEstat country-resource-list and RIPEstat probe list
(2025-06-11) and PeeringDB's Austrian exchanges (2026-04-16).

HAND-MADE (no such answers were recorded): the measurement listings
`/api/v2/measurements/?current_probes=...` and `?target=...`, and the measurement
descriptions. They use the v2 API's field names and value forms (`status` {id, name, when},
`type` "traceroute", `target`, `target_ip`, `target_asn`, `interval`, epoch `start_time`) and
real probe ids, anchor addresses and ASNs from the recorded probe list; the measurement ids
5001 (the built-in traceroute to k.root-servers.net) and the anchoring-mesh descriptions follow
RIPE Atlas' naming, the other ids are made up.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.errors import ExitCode
from ixpready.pipeline import commands
from sources.replay import ReplayServer
from sources.replay import load_recorded as _load

RESOURCES = "routing/ripestat/andrelia-country-resource-list.json"
PROBES = "atlas-probes/ripestat-atlas-probes-at-2025-06-11.json"
IX_PAGES = (
    "peeringdb/pdb-beta-api-2026-04-16-ix-page1.json",
    "peeringdb/pdb-beta-api-2026-04-16-ix-page2.json",
)
EMPTY = {"count": 0, "next": None, "previous": None, "results": []}
NOW = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)


def _listing_path(**query: Any) -> str:
    base = {"type": "traceroute", "status": 2, "page_size": 500, **query}
    return f"/api/v2/measurements/?{urlencode(sorted(base.items()))}"


def _traceroute(msm_id: int, af: int, target: str, target_ip: str, target_asn: int | None,
                description: str, start: int, participants: int) -> dict[str, Any]:  # fmt: skip
    return {
        "af": af,
        "creation_time": start - 60,
        "credits_per_result": 30,
        "description": description,
        "estimated_results_per_day": participants * 96,
        "group_id": msm_id,
        "id": msm_id,
        "in_wifi_group": False,
        "interval": 900,
        "is_all_scheduled": True,
        "is_oneoff": False,
        "is_public": True,
        "packets": 3,
        "paris": 16,
        "participant_count": participants,
        "probes_requested": participants,
        "probes_scheduled": participants,
        "protocol": "ICMP",
        "resolve_on_probe": False,
        "resolved_ips": [target_ip],
        "result": f"https://atlas.ripe.net/api/v2/measurements/{msm_id}/results/",
        "size": 48,
        "spread": None,
        "start_time": start,
        "status": {"id": 2, "name": "Ongoing", "when": None},
        "stop_time": None,
        "tags": [],
        "target": target,
        "target_asn": target_asn,
        "target_ip": target_ip,
        "type": "traceroute",
    }


# Anchoring mesh to anchor 6334 (AS1853, 193.170.114.242): probes 924 (AS8447), 938 (AS8412)
# and anchor 6325 (AS48943) take part.
MESH_V4 = _traceroute(1790205, 4, "at-vie-as1853.anchors.atlas.ripe.net", "193.170.114.242", 1853,
                      "Anchoring Mesh Measurement: Traceroute IPv4 for anchor "
                      "at-vie-as1853.anchors.atlas.ripe.net", 1446000000, 512)  # fmt: skip
# The same anchor's IPv6 mesh: found only by its target address (no known domestic taker).
MESH_V6 = _traceroute(1790206, 6, "at-vie-as1853.anchors.atlas.ripe.net", "2001:628:2005:1::2",
                      1853, "Anchoring Mesh Measurement: Traceroute IPv6 for anchor "
                      "at-vie-as1853.anchors.atlas.ripe.net", 1446000000, 498)  # fmt: skip
# Someone's traceroute from probe 2697 (AS8412) to anchor 6476's address; the API gave no ASN.
USER = _traceroute(53151214, 4, "94.199.170.201", "94.199.170.201", None,
                   "Traceroute to 94.199.170.201", 1760000000, 1)  # fmt: skip
# Abroad: the built-in traceroute to k.root-servers.net, and the mesh to anchor 7040 (AS3320,
# 217.243.179.215, a Deutsche Telekom address outside Austria's blocks).
KROOT = _traceroute(5001, 4, "k.root-servers.net", "193.0.14.129", 25152,
                    "Traceroute measurement to k.root-servers.net", 1288000000, 11000)  # fmt: skip
MESH_DT = _traceroute(1790999, 4, "de-fra-as3320.anchors.atlas.ripe.net", "217.243.179.215", 3320,
                      "Anchoring Mesh Measurement: Traceroute IPv4 for anchor "
                      "de-fra-as3320.anchors.atlas.ripe.net", 1446000000, 530)  # fmt: skip
COVERED = {(8412, 1853), (8447, 1853), (48943, 1853), (8412, 48362)}


def _record(recorded: Path, replay: ReplayServer) -> list[dict[str, Any]]:
    replay.add("GET", "/data/country-resource-list/data.json?resource=AT&v4_format=prefix",
               _load(recorded, RESOURCES))  # fmt: skip
    probes: list[dict[str, Any]] = _load(recorded, PROBES)["data"]["probes"]
    replay.add("GET", "/api/v2/probes/?country_code=AT&page_size=500",
               {"count": len(probes), "next": None, "results": probes})  # fmt: skip
    rows = [row for page in IX_PAGES for row in _load(recorded, page)["data"]
            if row["country"] == "AT"]  # fmt: skip
    replay.add("GET", "/api/ix?country=AT", {"data": rows, "meta": {}})
    connected = [p for p in probes if p["status_name"] == "Connected"]
    taking_part = {924: [MESH_V4], 938: [MESH_V4], 6325: [MESH_V4]}
    for probe in connected:
        found = taking_part.get(probe["id"], [])
        path = _listing_path(current_probes=probe["id"])
        if probe["id"] == 924:  # rate-limited once, then answered
            replay.add("GET", path, {"error": {"status": 429, "title": "Too Many Requests"}},
                       status=429, headers={"Retry-After": "0"})  # fmt: skip
        if probe["id"] == 2697:  # two pages; the first holds an object without an id
            second = f"{path}&page=2"
            replay.add("GET", path, {"count": 3, "next": f"https://atlas.ripe.net{second}",
                                     "previous": None,
                                     "results": [USER, {"af": 4, "type": "traceroute"}]})  # fmt: skip
            replay.add("GET", second, {"count": 3, "next": None, "previous": path,
                                       "results": [KROOT]})  # fmt: skip
            continue
        replay.add("GET", path, {"count": len(found), "next": None, "previous": None,
                                 "results": found})  # fmt: skip
    anchors = [p for p in connected if p["is_anchor"]]
    aimed = {"193.170.114.242": [MESH_V4], "2001:628:2005:1::2": [MESH_V6],
             "217.243.179.215": [MESH_DT]}  # fmt: skip
    for anchor in anchors:
        for address in (anchor["address_v4"], anchor["address_v6"]):
            if address:
                found = aimed.get(address, [])
                replay.add("GET", _listing_path(target=address),
                           {"count": len(found), "next": None, "previous": None,
                            "results": found})  # fmt: skip
    return probes


def test_discover_reuse_plan_and_fetch_take_public_measurements_first(
    recorded: Path,
    atlas_replay: ReplayServer,
    configured: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    probes = _record(recorded, atlas_replay)
    assert main(["--config", str(configured), "discover", "--reuse"]) == ExitCode.PARTIAL
    out = capsys.readouterr().out
    assert (
        "reuse: 3 public traceroutes to AT addresses (3 new) cover 4 domestic AS pairs at "
        "0 credits; 2 more aim abroad (asked for 225 probes and 42 anchor addresses); "
        "`fetch` takes them first"
    ) in out
    asked = atlas_replay.paths_seen
    assert asked.count(_listing_path(current_probes=924)) == 2  # the 429 was retried
    assert _listing_path(current_probes=2697) + "&page=2" in asked  # `next` followed
    assert all("Authorization" not in s.headers for s in atlas_replay.seen)  # public listings

    store = tmp_path / "data" / "ixpready.sqlite"
    db = sqlite3.connect(store)
    rows = db.execute("SELECT plan_id, item, msm_id, state, description FROM measurements"
                      " ORDER BY msm_id").fetchall()  # fmt: skip
    quarantined = db.execute("SELECT place, reason FROM quarantine").fetchall()
    document = json.loads(db.execute(
        "SELECT document FROM plans WHERE plan_id = 'public-AT'").fetchone()[0])  # fmt: skip
    db.close()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("public-AT", 1790205, 1790205, "created"),
        ("public-AT", 1790206, 1790206, "created"),
        ("public-AT", 53151214, 53151214, "created"),
    ]
    assert rows[0][4].startswith("public: Anchoring Mesh Measurement: Traceroute IPv4")
    assert quarantined == [(
        "atlas measurements (the traceroutes probe 2697 takes part in)[1]",
        "field 'id' is missing or not a whole number",
    )]  # fmt: skip
    entries = {e["msm_id"]: e for e in document["measurements"]}
    assert entries[1790205]["probes"] == [924, 938, 6325]
    assert entries[1790205]["pairs"] == [[8412, 1853], [8447, 1853], [48943, 1853]]
    assert entries[53151214]["target_asn"] == 48362  # from the inventory: anchor 6476
    assert entries[53151214]["pairs"] == [[8412, 48362]]
    connected = sorted(p["id"] for p in probes if p["status_name"] == "Connected")
    assert entries[1790206]["probes"] == connected  # no known taker: every connected probe
    assert entries[1790206]["pairs"] == []

    # discover again: nothing recorded twice
    assert main(["--config", str(configured), "discover", "--reuse"]) == ExitCode.OK
    assert "(0 new) cover 4 domestic AS pairs" in capsys.readouterr().out
    db = sqlite3.connect(store)
    assert db.execute("SELECT COUNT(*) FROM measurements").fetchone()[0] == 3
    db.close()

    # plan: the covered pairs are not bought again and leave the full-mesh comparison
    plan_file = tmp_path / "plan.json"
    assert main(["--config", str(configured), "plan", "--budget", "1000000",
                 "-o", str(plan_file)]) == ExitCode.OK  # fmt: skip
    out = capsys.readouterr().out
    assert "reuse: 2 public measurements already cover 4 domestic AS pairs, 0 credits" in out
    plan = json.loads(plan_file.read_text())
    planned = {(s, m["target_asn"]) for m in plan["measurements"] for s in m["source_asns"]}
    assert planned and not planned & COVERED
    per_asn = Counter(p["asn_v4"] for p in probes
                      if p["status_name"] == "Connected" and p["asn_v4"] is not None)  # fmt: skip
    usable = sum(per_asn.values())
    left_out = sum(per_asn[a] * per_asn[b] for a, b in COVERED)
    assert left_out == 34 * 8 + 24 * 8 + 1 * 8 + 34 * 1  # AS8412 34, AS8447 24, AS1853 8 probes
    full = usable * (usable - 1) - left_out
    assert (
        f"full probe mesh instead: {full} results, {full * 60} credits ({left_out} results of "
        "AS pairs public measurements cover left out)"
    ) in out

    # fetch: the public measurements first, only the country's probes, the last 7 days
    settings = load_settings(configured, os.environ)
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [90000001]}, status=201)
    own = {"id": 90000001, "type": "traceroute", "af": 4, "is_oneoff": True,
           "status": {"id": 4, "name": "Stopped", "when": int(NOW.timestamp()) - 600},
           "credits_per_result": 60, "start_time": int(NOW.timestamp()) - 3600,
           "stop_time": int(NOW.timestamp()) - 600}  # fmt: skip
    atlas_replay.add("GET", "/api/v2/measurements/90000001/", own)
    plan["measurements"] = plan["measurements"][:1]
    plan["measurements"][0]["probes"] = plan["measurements"][0]["probes"][:2]
    plan_file.write_text(json.dumps(plan))
    assert commands.measure(settings, plan_file, now=NOW).created == (90000001,)
    for info in (MESH_V4, MESH_V6, USER):
        atlas_replay.add("GET", f"/api/v2/measurements/{info['id']}/", info)
    week = int((NOW - timedelta(days=7)).timestamp())
    now = int(NOW.timestamp())
    expected = []
    for msm_id in (1790205, 1790206, 53151214):
        ids = entries[msm_id]["probes"]
        path = (f"/api/v2/measurements/{msm_id}/results?start={week}&stop={now}"
                "&probe_ids=" + "%2C".join(map(str, ids)))  # fmt: skip
        atlas_replay.add("GET", path, [])
        expected.append(path)
    own_path = f"/api/v2/measurements/90000001/results?start={now - 3600}&stop={now - 600}"
    atlas_replay.add("GET", own_path, [])
    expected.append(own_path)
    seen = len(atlas_replay.seen)
    fetched, _ = commands.fetch(settings, now=NOW, window=timedelta(days=7))
    assert [msm for msm, _ in fetched.new] == [1790205, 1790206, 53151214, 90000001]
    assert [p for p in atlas_replay.paths_seen[seen:] if "/results?" in p] == expected
    db = sqlite3.connect(store)
    costs = dict(db.execute("SELECT msm_id, credits_per_result FROM measurements").fetchall())
    db.close()
    assert costs == {1790205: None, 1790206: None, 53151214: None, 90000001: 60.0}
