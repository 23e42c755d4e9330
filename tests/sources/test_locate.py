"""`ixpready locate` against the HTTPS replay of the RIPE Atlas API, through cousteau.

The store holds one traceroute of the hand-built test world (tests/analysis/world.py): from a
Guatemala City probe to another Guatemalan network through an unnamed, US-registered transit
router answering at 24 ms (registry-only, so the path is inconclusive). `locate` finds it,
takes the places its 24 ms disc still reaches (Guatemala City, then Miami, the nearest US hub),
asks the API for the connected probes near each, creates one one-off ping (4 probes x 6
credits), records its id, fetches the results, and `analyze --store` then calls the path
tromboned through Miami. The probe listings are in the RIPE Atlas probes API layout, with the
test world's made-up probes.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from analysis.world import DELEGATED, PROBES, atlas, write_refdata
from ixpready.cli import main
from ixpready.errors import ExitCode
from ixpready.measurements.records import TraceKey
from ixpready.measurements.store import Store, StoredResult
from ixpready.pipeline.atlas import _probe_object
from ixpready.sources.atlas import probes_near_path
from sources.replay import KEY, ReplayServer

TRANSIT = "4.68.0.77"
DETOUR = [
    ("192.168.1.1", 0.4),
    ("186.151.0.1", 2.0),
    (TRANSIT, 24.0),
    ("190.56.0.1", 47.0),
    ("190.56.20.20", 48.0),
]
RDNS = {"186.151.0.1": "xe-0-0-1.gua1.claro.net.gt", "190.56.0.1": "be10.gua-bb1.tigo.com.gt"}
MSM = 61000001
START, STOP = 1_790_000_400, 1_790_000_700
NEAR_GUA = probes_near_path(14.63, -90.51, 50)
NEAR_MIA = probes_near_path(25.77, -80.19, 50)
assert "lacnic|GT|ipv4|190.56.0.0" in DELEGATED  # the destination network is Guatemalan


def api_probe(prb: int, *, anchor: bool = False, stable: bool = True, status: int = 1) -> Any:
    """Returns a test-world probe as the RIPE Atlas probes API lists it."""
    p = PROBES[prb]
    tags = [{"name": "System: IPv4 Stable 1d", "slug": "system-ipv4-stable-1d"}] if stable else []
    return {
        "id": prb, "asn_v4": p.asn_v4, "asn_v6": None, "country_code": p.country,
        "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]},
        "status": {"id": status, "name": "Connected" if status == 1 else "Disconnected"},
        "is_anchor": anchor, "is_public": True, "description": f"test probe {prb}",
        "address_v4": str(p.address_v4), "prefix_v4": None, "tags": tags,
    }  # fmt: skip


def ping_result(prb: int, rtts: list[float]) -> dict[str, Any]:
    source = str(PROBES[prb].address_v4)
    return {
        "type": "ping", "msm_id": MSM, "prb_id": prb, "timestamp": START + prb % 100, "af": 4,
        "dst_addr": TRANSIT, "dst_name": TRANSIT, "from": source, "src_addr": source,
        "proto": "ICMP", "fw": 5080, "size": 48, "ttl": 60, "lts": 12, "step": None,
        "sent": 3, "rcvd": len(rtts), "dup": 0, "min": min(rtts), "max": max(rtts),
        "avg": sum(rtts) / len(rtts), "result": [{"rtt": r} for r in rtts],
    }  # fmt: skip


@pytest.fixture
def world(tmp_path: Path, configured: Path) -> dict[str, Path]:
    """The test world's store (one traceroute), reference data, probes and names; the
    config of the replay server, with the country GT and a locate section."""
    data = tmp_path / "data"
    refdata = write_refdata(data / "refdata")
    trace = atlas(1001, "190.56.20.20", DETOUR)
    with Store.open(data / "ixpready.sqlite") as store:
        key = TraceKey(trace["msm_id"], trace["prb_id"], trace["timestamp"])
        store.add_results([StoredResult(key, json.dumps(trace))])
    probes = tmp_path / "probes.json"
    home = [_probe_object(p) for p in PROBES.values() if p.country == "GT"]
    probes.write_text(json.dumps({"results": home}))
    rdns = tmp_path / "rdns.json"
    rdns.write_text(json.dumps(RDNS))
    text = configured.read_text().replace('country = "AT"', 'country = "GT"')
    configured.write_text(text + "[locate]\nprobes_per_place = 2\nplaces_per_address = 2\n")
    return {"config": configured, "refdata": refdata, "probes": probes, "rdns": rdns,
            "store": data / "ixpready.sqlite"}  # fmt: skip


def locate(world: dict[str, Path], *more: str) -> int:
    return main(["--config", str(world["config"]), "locate", "--probes", str(world["probes"]),
                 "--rdns", str(world["rdns"]), *more])  # fmt: skip


def analyse(world: dict[str, Path], out: Path) -> dict[str, Any]:
    code = main(["analyze", "--store", str(world["store"]), "--country", "GT", "--refdata",
                 str(world["refdata"]), "--probes", str(world["probes"]), "--rdns",
                 str(world["rdns"]), "--format", "json", "--out", str(out)])  # fmt: skip
    assert code == ExitCode.OK
    document: dict[str, Any] = json.loads(out.read_text())
    return document


def record_listings(replay: ReplayServer) -> None:
    home = [api_probe(1002, stable=False), api_probe(1005), api_probe(1004, status=2)]
    replay.add("GET", NEAR_GUA, {"count": 3, "next": None, "results": home})
    # a probe 39 km away tagged stable, an anchor in Miami: the anchor first
    miami = [api_probe(1008), api_probe(1003, anchor=True)]
    replay.add("GET", NEAR_MIA, {"count": 2, "next": None, "results": miami})


def record_results(replay: ReplayServer) -> None:
    replay.add(
        "GET",
        f"/api/v2/measurements/{MSM}/",
        {"id": MSM, "status": {"name": "Stopped"}, "credits_per_result": 6, "is_oneoff": True,
         "start_time": START, "stop_time": STOP},
    )  # fmt: skip
    results = [
        ping_result(1003, [0.8, 0.9, 1.4]),
        ping_result(1008, [1.1, 1.2, 1.2]),
        ping_result(1005, [22.9, 23.0, 23.4]),
        ping_result(1002, [23.5, 23.6, 24.1]),
    ]
    replay.add("GET", f"/api/v2/measurements/{MSM}/results?start={START}&stop={STOP}", results)


def test_locate_plans_creates_fetches_and_the_path_becomes_tromboned(
    world: dict[str, Path],
    atlas_replay: ReplayServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = analyse(world, tmp_path / "before.json")
    assert [p["verdict"] for p in before["paths"]] == ["inconclusive"]

    record_listings(atlas_replay)
    assert locate(world, "--dry-run") == ExitCode.OK
    out = capsys.readouterr().out
    assert "1 inconclusive domestic paths; 1 undecided addresses" in out
    assert "planned 1 pings (4 results): 24 credits at 6 per result" in out
    assert f"{TRANSIT}: decides up to 1 paths; probes 1005, 1002, 1003, 1008 near " in out
    assert "Guatemala City" in out and "Miami" in out
    assert "dry run: nothing was created or stored" in out
    assert not any(s.method == "POST" for s in atlas_replay.seen)
    with Store.open(world["store"]) as store:
        assert store.measurements() == ()

    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [MSM]}, status=201)
    record_results(atlas_replay)
    assert locate(world) == ExitCode.OK
    out = capsys.readouterr().out
    assert f"created 1 ping measurements now ({MSM}), 0 before; 4 new ping results" in out
    (post,) = [json.loads(s.body) for s in atlas_replay.seen if s.method == "POST"]
    assert post["is_oneoff"] is True
    assert post["definitions"] == [
        {"type": "ping", "af": 4, "target": TRANSIT, "packets": 3, "size": 48,
         "description": "ixpready locate-GT item 1"}
    ]  # fmt: skip
    assert post["probes"] == [{"type": "probes", "value": "1005,1002,1003,1008", "requested": 4}]
    assert all(
        s.headers.get("Authorization") == f"Key {KEY}"
        for s in atlas_replay.seen
        if s.method == "POST"
    )

    after = analyse(world, tmp_path / "after.json")
    (path,) = after["paths"]
    assert path["verdict"] == "tromboned", path["reason"]
    assert path["foreign_countries"] == ["US"]
    facts = [e["fact"] for e in path["evidence"]]
    assert any("ping from probe 1003 in Miami" in f and "0.8 ms, within 85 km" in f for f in facts)

    # again: the target was pinged; nothing is planned or created twice, results not twice
    assert locate(world) == ExitCode.OK
    out = capsys.readouterr().out
    assert "locate GT: 0 inconclusive domestic paths" in out  # the path is decided now
    assert "planned 0 pings" in out
    assert "created 0 ping measurements now (none), 1 before; 0 new ping results" in out
    assert sum(s.method == "POST" for s in atlas_replay.seen) == 1
    with sqlite3.connect(world["store"]) as db:
        assert db.execute("SELECT count(*) FROM results").fetchone() == (5,)
    assert KEY not in world["store"].read_bytes().decode("latin-1")


def test_a_server_error_listing_probes_is_retried(
    world: dict[str, Path], atlas_replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    atlas_replay.add("GET", NEAR_GUA, {"error": {"detail": "busy"}}, status=503)
    record_listings(atlas_replay)
    assert locate(world, "--dry-run") == ExitCode.OK
    assert "planned 1 pings (4 results): 24 credits" in capsys.readouterr().out
    assert atlas_replay.paths_seen.count(NEAR_GUA) == 2


def test_a_creation_that_got_no_answer_is_never_repeated(
    world: dict[str, Path], atlas_replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The process asked for the ping and got no answer (as if killed between the creation
    # and the recording of its id): the item stays "submitting" and is never sent again.
    record_listings(atlas_replay)
    atlas_replay.add("POST", "/api/v2/measurements/", raw=b"{}", behaviour="hang")
    assert locate(world) == ExitCode.UNAVAILABLE
    assert "not retried: it may have been carried out" in capsys.readouterr().err
    assert locate(world) == ExitCode.PARTIAL
    out = capsys.readouterr().out
    assert "items 1: asked for, but no answer came" in out
    assert "planned 0 pings" in out
    assert sum(s.method == "POST" for s in atlas_replay.seen) == 1


def test_a_refused_creation_is_not_recorded_and_can_be_tried_again(
    world: dict[str, Path], atlas_replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    record_listings(atlas_replay)
    refusal = {"error": {"detail": "You do not have enough credit to schedule this measurement"}}
    atlas_replay.add("POST", "/api/v2/measurements/", refusal, status=402)
    assert locate(world) == ExitCode.QUOTA
    with Store.open(world["store"]) as store:
        assert store.measurements() == ()
        assert store.plan("locate-GT") is not None  # planned: resumed next time, not re-planned
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [MSM]}, status=201)
    record_results(atlas_replay)
    assert locate(world) == ExitCode.OK
    assert f"created 1 ping measurements now ({MSM}), 0 before" in capsys.readouterr().out


def test_a_rate_limited_creation_is_not_stranded_and_is_asked_again(
    world: dict[str, Path], atlas_replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # RIPE Atlas answered 429 to every try: the POST was refused, nothing was created, so the
    # item must not stay "submitting" (as measure's items do not: one home, create_once)
    record_listings(atlas_replay)
    limited = {"error": {"status": 429, "detail": "Request was throttled."}}
    atlas_replay.add("POST", "/api/v2/measurements/", limited, status=429,
                     headers={"Retry-After": "0"})  # fmt: skip  (given again to every retry)
    assert locate(world) == ExitCode.UNAVAILABLE
    assert sum(s.method == "POST" for s in atlas_replay.seen) > 1  # retried, then given up
    with Store.open(world["store"]) as store:
        assert store.measurements() == ()  # not "submitting": asked again next time
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [MSM]}, status=201)
    record_results(atlas_replay)
    assert locate(world) == ExitCode.OK
    assert f"created 1 ping measurements now ({MSM}), 0 before" in capsys.readouterr().out


def test_the_budget_caps_the_plan(
    world: dict[str, Path], atlas_replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    record_listings(atlas_replay)
    assert locate(world, "--dry-run", "--budget", "20") == ExitCode.OK
    out = capsys.readouterr().out
    assert "planned 0 pings (0 results): 0 credits" in out
    assert f"left out: {TRANSIT}: 24 credits would pass the budget" in out
