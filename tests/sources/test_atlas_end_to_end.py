"""discover -> plan -> measure -> fetch from the command line, against the HTTPS replay server.

Recorded real data throughout: Austria's RIPEstat country-resource-list and RIPEstat probe
list (2025-06-11), PeeringDB's Austrian exchanges (2026-04-16), and the results of RIPE Atlas
measurements 5004 and 1033154, which the replay hands out as the ids of the new measurements.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tests.authdns import Nsd

from ixpready.cli import main
from ixpready.errors import ExitCode
from ixpready.measurements.store import Store
from ixpready.pipeline import rdns
from sources.replay import KEY, ReplayServer
from sources.replay import load_recorded as _load

FIXTURES = {
    "resources": "routing/ripestat/andrelia-country-resource-list.json",
    "probes": "atlas-probes/ripestat-atlas-probes-at-2025-06-11.json",
    "ix": (
        "peeringdb/pdb-beta-api-2026-04-16-ix-page1.json",
        "peeringdb/pdb-beta-api-2026-04-16-ix-page2.json",
    ),
    "msm5004": "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl",
    "msm1033154": "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json",
}
PROBES_PATH = "/api/v2/probes/?country_code=AT&page_size=500"


def _plan(recorded: Path, configured: Path, tmp_path: Path, *, budget: int) -> Path:
    """Returns a plan file made by `ixpready plan` from the recorded Austrian probes."""
    probes = _load(recorded, FIXTURES["probes"])["data"]["probes"]
    probe_file = tmp_path / "probes.json"
    probe_file.write_text(json.dumps({"results": probes}))
    plan_file = tmp_path / "plan.json"
    command = ["--config", str(configured), "plan", "--probes", str(probe_file)]
    assert main([*command, "--budget", str(budget), "-o", str(plan_file)]) == ExitCode.OK
    return plan_file


def _record_discovery(recorded: Path, replay: ReplayServer) -> list[dict[str, Any]]:
    replay.add(
        "GET",
        "/data/country-resource-list/data.json?resource=AT&v4_format=prefix",
        _load(recorded, FIXTURES["resources"]),
    )
    probes = _load(recorded, FIXTURES["probes"])["data"]["probes"]
    replay.add("GET", PROBES_PATH, {"count": len(probes), "next": None, "results": probes})
    rows = [
        row
        for page in FIXTURES["ix"]
        for row in _load(recorded, page)["data"]
        if row["country"] == "AT"
    ]
    replay.add("GET", "/api/ix?country=AT", {"data": rows, "meta": {}})
    return probes


def test_discover_plan_measure_fetch_end_to_end(
    recorded: Path,
    atlas_replay: ReplayServer,
    configured: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    nsd: Nsd,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _record_discovery(recorded, atlas_replay)
    assert main(["--config", str(configured), "discover"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "AT on " in out and "681 networks, 584 RIPE Atlas probes (225 connected)" in out
    assert "5 IXPs (VIX, AAIX, GraX, Tirol-IX, SAIX)" in out

    plan_file = tmp_path / "plan.json"
    assert (
        main(["--config", str(configured), "plan", "--budget", "100000", "-o", str(plan_file)])
        == ExitCode.OK
    )
    out = capsys.readouterr().out
    assert "coverage:" in out and "full probe mesh instead:" in out
    assert f"written to {plan_file}" in out

    # the user edits the plan: two measurements of five probes each
    document = json.loads(plan_file.read_text())
    document["measurements"] = [
        dict(m, probes=m["probes"][:5]) for m in document["measurements"][:2]
    ]
    plan_file.write_text(json.dumps(document, indent=2))

    assert main(["--config", str(configured), "measure", str(plan_file), "--dry-run"]) == 0
    assert "would create 2 measurements of batch 1 of 1 (600 credits estimated)" in (
        capsys.readouterr().out
    )
    assert not any(s.method == "POST" for s in atlas_replay.seen)

    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [5004]}, status=201)
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [1033154]}, status=201)
    info = {5004: (1445299200, 1445302800), 1033154: (1381825000, 1382002400)}
    for msm_id, (start, stop) in info.items():
        atlas_replay.add(
            "GET",
            f"/api/v2/measurements/{msm_id}/",
            {
                "id": msm_id,
                "status": {"name": "Stopped"},
                "credits_per_result": 60,
                "is_oneoff": True,
                "start_time": start,
                "stop_time": stop,
            },
        )
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "created 2 measurements now (5004, 1033154), 0 before" in out
    assert "charges 60 credits per result (as estimated: 60)" in out
    posts = [json.loads(s.body) for s in atlas_replay.seen if s.method == "POST"]
    assert [p["probes"][0]["value"] for p in posts] == [
        ",".join(map(str, m["probes"])) for m in document["measurements"]
    ]
    assert all(
        s.headers.get("Authorization") == f"Key {KEY}"
        for s in atlas_replay.seen
        if s.method == "POST"
    )

    # run again: nothing is created twice
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.OK
    assert "created 0 measurements now (none), 2 before" in capsys.readouterr().out
    assert sum(s.method == "POST" for s in atlas_replay.seen) == 2

    five = [json.loads(line) for line in (recorded / FIXTURES["msm5004"]).read_text().splitlines()]
    europe = _load(recorded, FIXTURES["msm1033154"])
    for msm_id, results in ((5004, five), (1033154, europe)):
        start, stop = info[msm_id]
        atlas_replay.add(
            "GET", f"/api/v2/measurements/{msm_id}/results?start={start}&stop={stop}", results
        )
        atlas_replay.add(
            "GET",
            f"/api/v2/measurements/{msm_id}/results?start={stop - 3600}&stop={stop}",
            results[-3:],
        )
    # the reverse DNS of every new hop is asked (of NSD on loopback, which serves none of
    # these real addresses: it refuses, so no answer is kept and they are asked again later)
    monkeypatch.setenv("IXPREADY_RDNS_SERVERS", nsd.server)
    assert main(["--config", str(configured), "fetch", "--window-hours", "72"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "fetched 113 new results from 2 measurements; 113 results stored" in out
    asked = re.search(r"reverse DNS: (\d+) hop addresses: 0 names kept from before, (\d+) asked: "
                      r"0 named, 0 without a name, (\d+) failed", out)  # fmt: skip
    assert asked is not None and len(set(asked.groups())) == 1 and int(asked[1]) > 50, out
    with Store.open(tmp_path / "data" / "ixpready.sqlite") as store:
        hops = rdns.raw_hop_addresses(r.raw for r in store.results())
        assert len(hops) == int(asked[1]) and store.names() == {}
    assert main(["--config", str(configured), "fetch", "--window-hours", "72"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "fetched 0 new results from 2 measurements; 113 results stored" in out
    # the last hour is fetched again (late results): the hops no answer was kept for are
    # asked again
    assert "0 names kept from before" in out and "failed (asked again next time)" in out

    exported = tmp_path / "results.jsonl"
    assert (
        main(
            [
                "--config",
                str(configured),
                "fetch",
                "--window-hours",
                "72",
                "--export",
                str(exported),
            ]
        )
        == ExitCode.OK
    )
    assert f"113 results written to {exported}" in capsys.readouterr().out
    probes_file = next((tmp_path / "data").glob("probes-AT-*.json"))
    verdicts = tmp_path / "verdicts.json"
    code = main(
        [
            "analyze",
            str(exported),
            "--country",
            "AT",
            "--refdata",
            str(recorded / "routing"),
            "--probes",
            str(probes_file),
            "--format",
            "json",
            "--out",
            str(verdicts),
            "--quarantine",
            str(tmp_path / "q.jsonl"),
        ]
    )
    assert code in (ExitCode.OK, ExitCode.PARTIAL), capsys.readouterr().err
    analysis = json.loads(verdicts.read_text())
    assert len(analysis["paths"]) + len(analysis["other_paths"]) == 113  # every result judged

    store = tmp_path / "data" / "ixpready.sqlite"
    for path in store.parent.iterdir():  # the key is nowhere on disk
        assert KEY.encode() not in path.read_bytes(), path
    db = sqlite3.connect(store)
    assert db.execute("SELECT COUNT(*) FROM results WHERE msm_id = 5004").fetchone()[0] == 26
    db.close()


def test_a_key_without_permission_exits_4_with_one_line_and_a_hint(
    recorded: Path,
    atlas_replay: ReplayServer,
    configured: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan_file = _plan(recorded, configured, tmp_path, budget=300)
    capsys.readouterr()
    atlas_replay.add(
        "POST",
        "/api/v2/measurements/",
        {
            "error": {
                "status": 403,
                "title": "Forbidden",
                "detail": "The provided API key does not exist",
            }
        },
        status=403,
    )
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.AUTH
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("ixpready: error: RIPE Atlas refused creating a traceroute to ")
    assert err[0].endswith("(HTTP 403): The provided API key does not exist")
    assert err[1].startswith("ixpready: hint: set IXPREADY_ATLAS_KEY")
    assert len(err) == 2 and KEY not in "\n".join(err)
    # refused means not created: the item can be tried again with a better key
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [5004]}, status=201)
    atlas_replay.add(
        "GET",
        "/api/v2/measurements/5004/",
        {"id": 5004, "status": {"name": "Ongoing"}, "credits_per_result": 60},
    )
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.OK
    assert "created 1 measurements now (5004)" in capsys.readouterr().out


def test_a_creation_without_answer_is_never_repeated_blindly(
    recorded: Path,
    atlas_replay: ReplayServer,
    configured: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan_file = _plan(recorded, configured, tmp_path, budget=300)
    atlas_replay.add("POST", "/api/v2/measurements/", raw=b"{}", behaviour="hang")
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.UNAVAILABLE
    assert "not retried: it may have been carried out" in capsys.readouterr().err
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.PARTIAL
    assert "asked for, but no answer came" in capsys.readouterr().out
    assert sum(s.method == "POST" for s in atlas_replay.seen) == 1


def test_a_bad_config_value_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[atlas]\ntimeout_s = "soon"\n')
    config.chmod(0o600)
    assert main(["--config", str(config), "fetch"]) == ExitCode.CONFIG
    assert "key 'atlas.timeout_s' is 'soon', expected a positive number of seconds" in (
        capsys.readouterr().err
    )


LACNIC = "atlas-probes/lacnic-simon-ripeatlasprobe-fixture-latam.json"
# No delegated-extended file was recorded: the format's skeleton with two real GT networks.
DELEGATED_GT = (
    b"2|lacnic|20261127|2|19870101|20261127|-0300\n"
    b"lacnic|*|asn|*|2|summary\n"
    b"lacnic|GT|asn|14754|1|20000101|allocated|x\n"
    b"lacnic|GT|asn|27929|1|20000101|allocated|x\n"
)


def test_discover_falls_back_to_rir_statistics_when_ripestat_is_down(
    recorded: Path,
    atlas_replay: ReplayServer,
    configured: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refdata = tmp_path / "data" / "refdata"
    refdata.mkdir(parents=True)
    (refdata / "delegated-lacnic-extended-20261127").write_bytes(DELEGATED_GT)
    atlas_replay.add(
        "GET",
        "/data/country-resource-list/data.json?resource=GT&v4_format=prefix",
        raw=b"down",
        status=503,
    )
    rows = [row for row in _load(recorded, LACNIC) if row["fields"]["country_code"] == "GT"]
    atlas_replay.add(
        "GET",
        "/api/v2/probes/?country_code=GT&page_size=500",
        {"count": len(rows), "next": None, "results": rows},
    )
    atlas_replay.add("GET", "/api/ix?country=GT", {"data": [], "meta": {}})
    assert main(["--config", str(configured), "discover", "--country", "GT"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "2 networks, 13 RIPE Atlas probes (0 connected), 0 IXPs (none)" in out
    assert "networks from RIR delegated stats in" in out
    inventory = json.loads(next((tmp_path / "data").glob("inventory-GT-*.json")).read_text())
    assert inventory["networks"]["asns"] == [14754, 27929]
    assert inventory["networks"]["query_time"] == "2026-11-27"

    # reuse before spending: the built-in F-root traceroutes, only from the country's probes
    gt_ids = sorted(row["fields"]["probe_id"] for row in rows)
    atlas_replay.add(
        "GET",
        "/api/v2/measurements/5004/",
        {
            "id": 5004,
            "status": {"name": "Ongoing"},
            "credits_per_result": 10,
            "start_time": 1445299200,
            "stop_time": 1445302800,
        },
    )
    results = [
        json.loads(line) for line in (recorded / FIXTURES["msm5004"]).read_text().splitlines()
    ]
    domestic = [r for r in results if r["prb_id"] in gt_ids]
    atlas_replay.add(
        "GET",
        "/api/v2/measurements/5004/results?start=1445299200&stop=1445302800"
        "&probe_ids=" + "%2C".join(map(str, gt_ids)),
        domestic,
    )
    assert (
        main(
            ["--config", str(configured), "fetch", "--msm", "5004", "--domestic", "--country", "GT"]
        )
        == 0
    )
    assert "fetched 8 new results from 1 measurements" in capsys.readouterr().out


def test_a_quota_refusal_midway_keeps_what_was_created(
    recorded: Path,
    atlas_replay: ReplayServer,
    configured: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan_file = _plan(recorded, configured, tmp_path, budget=100000)
    document = json.loads(plan_file.read_text())
    document["measurements"] = [
        dict(m, probes=m["probes"][:2]) for m in document["measurements"][:3]
    ]
    plan_file.write_text(json.dumps(document))
    daily = {
        "error": {
            "status": 400,
            "title": "Bad Request",
            "detail": "Your request would exceed your daily limit of 100000 results",
        }
    }
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [5004]}, status=201)
    atlas_replay.add("POST", "/api/v2/measurements/", daily, status=400)
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.QUOTA
    err = capsys.readouterr().err
    assert "daily limit of 100000 results" in err and "ixpready: hint: wait for the daily" in err

    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [5005]}, status=201)
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [5006]}, status=201)
    atlas_replay.add(
        "GET",
        "/api/v2/measurements/5005/",
        {"id": 5005, "status": {"name": "Ongoing"}, "credits_per_result": 60},
    )
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.OK
    assert "created 2 measurements now (5005, 5006), 1 before" in capsys.readouterr().out
    db = sqlite3.connect(tmp_path / "data" / "ixpready.sqlite")
    rows = db.execute("SELECT item, msm_id, state FROM measurements ORDER BY item").fetchall()
    db.close()
    assert rows == [(1, 5004, "created"), (2, 5005, "created"), (3, 5006, "created")]
    assert sum(s.method == "POST" for s in atlas_replay.seen) == 4
