"""The RIPE Atlas and registry answers of an online `ixpready run` for Austria, recorded.

Real recorded data throughout: Austria's RIPEstat country-resource-list and RIPEstat probe
list (2025-06-11), PeeringDB (2026-04-16), RIPEstat announced prefixes of AS3333, and the
results of RIPE Atlas measurements 5004 and 1033154. The replay hands out five measurement
ids in turn, one per POST: a second POST of the same plan item would get the next id, so a
measurement created twice shows up as an id too many.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sources.replay import ReplayServer

KEY = "5ecr3t-key-0000-aaaa-bbbbccccdddd"
PROBES = "atlas-probes/ripestat-atlas-probes-at-2025-06-11.json"
RESOURCES = "routing/ripestat/andrelia-country-resource-list.json"
ANNOUNCED = "routing/ripestat/andrelia-announced-prefixes.json"
PDB = "peeringdb/pdb-beta-api-2026-04-16-{kind}-page1.json"
IX_PAGES = (
    "peeringdb/pdb-beta-api-2026-04-16-ix-page1.json",
    "peeringdb/pdb-beta-api-2026-04-16-ix-page2.json",
)
MSM5004 = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
MSM1033154 = "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json"
# The skeleton of a delegated-extended file (no such file was recorded): version, summary, one
# record with documentation addresses, only to carry bytes end to end.
DELEGATED = (
    b"2|lacnic|20261127|1|19870101|20261127|-0300\n"
    b"lacnic|*|ipv4|*|1|summary\n"
    b"lacnic|GT|ipv4|192.0.2.0|256|20000101|allocated|x\n"
)
RESOURCES_PATH = "/data/country-resource-list/data.json?resource=AT&v4_format=prefix"
DAY = 86400
# id -> (start, stop); 5004 and 1033154 carry recorded results, the others none
IDS = {
    5004: (1445299200, 1445302800),
    1033154: (1381825000, 1382002400),
    90000001: (1700000000, 1700003600),
    90000002: (1700000000, 1700003600),
    90000003: (1700000000, 1700003600),
}
ITEMS = 5  # the plan a 20,000-credit budget buys at one probe per network


def config_text(folder: Path, replay: ReplayServer, extra: str = "") -> str:
    """Returns the config of an online run for Austria against the replay server."""
    return (
        f'country = "AT"\ndata_dir = "{folder / "data"}"\n'
        f'[atlas]\nserver = "{replay.host_port}"\nca_file = "{replay.ca_file}"\n'
        "timeout_s = 5\nretries = 2\nbackoff_s = 0.01\n"
        f'[registries]\npeeringdb_url = "{replay.base_url}"\n'
        f'ripestat_url = "{replay.base_url}"\n'
        f'rir_stats_url = "{replay.base_url}/pub/stats"\n'
        "[plan]\nbudget_credits = 20000\nprobes_per_as = 1\n"
        '[run]\nrirs = ["lacnic"]\n' + extra
    )


def _load(recorded: Path, name: str) -> Any:
    return json.loads((recorded / name).read_text())


def listing_path(**query: Any) -> str:
    """Returns the path of a RIPE Atlas listing of ongoing public traceroutes (reuse)."""
    base = {"type": "traceroute", "status": 2, "page_size": 500, **query}
    return f"/api/v2/measurements/?{urlencode(sorted(base.items()))}"


def record_listings(
    recorded: Path, replay: ReplayServer, taking_part: dict[int, list[dict[str, Any]]]
) -> None:
    """Records the listings `reuse.enabled` asks for: the public traceroutes each connected
    probe takes part in (those of `taking_part`, else none) and none aimed at an anchor."""
    probes = _load(recorded, PROBES)["data"]["probes"]
    connected = [p for p in probes if p["status_name"] == "Connected"]
    for probe in connected:
        found = taking_part.get(probe["id"], [])
        replay.add("GET", listing_path(current_probes=probe["id"]),
                   {"count": len(found), "next": None, "previous": None, "results": found})  # fmt: skip
    for anchor in (p for p in connected if p["is_anchor"]):
        for address in (anchor["address_v4"], anchor["address_v6"]):
            if address:
                replay.add("GET", listing_path(target=address),
                           {"count": 0, "next": None, "previous": None, "results": []})  # fmt: skip


def record_discovery_and_refdata(
    recorded: Path, replay: ReplayServer, taking_part: dict[int, list[dict[str, Any]]] | None = None
) -> None:
    """Discover gets the full resource list (and, `reuse.enabled` being the default, the
    listings of public traceroutes: none but `taking_part`'s), then refdata update the list cut
    to AS3333."""
    replay.add("GET", RESOURCES_PATH, _load(recorded, RESOURCES))
    record_listings(recorded, replay, taking_part or {})
    probes = _load(recorded, PROBES)["data"]["probes"]
    replay.add(
        "GET",
        "/api/v2/probes/?country_code=AT&page_size=500",
        {"count": len(probes), "next": None, "results": probes},
    )
    rows = [
        row for page in IX_PAGES for row in _load(recorded, page)["data"] if row["country"] == "AT"
    ]
    replay.add("GET", "/api/ix?country=AT", {"data": rows, "meta": {}})
    cut = _load(recorded, RESOURCES)
    cut["data"]["resources"]["asn"] = ["3333"]
    replay.add("GET", RESOURCES_PATH, cut)
    for kind in ("ix", "ixlan", "ixpfx", "netixlan", "net"):
        replay.add(
            "GET", f"/api/{kind}?depth=0", raw=(recorded / PDB.format(kind=kind)).read_bytes()
        )
    for kind in ("fac", "netfac", "poc"):
        replay.add("GET", f"/api/{kind}?depth=0", {"data": [], "meta": {}})
    replay.add(
        "GET", "/data/announced-prefixes/data.json?resource=AS3333", _load(recorded, ANNOUNCED)
    )
    replay.add("GET", "/pub/stats/lacnic/delegated-lacnic-extended-latest", raw=DELEGATED)


def _windows(start: int, stop: int) -> list[tuple[int, int]]:
    windows, begin = [], start
    while begin <= stop:
        end = min(begin + DAY, stop)
        windows.append((begin, end))
        if end >= stop:
            break
        begin = end + 1
    return windows


def recorded_results(recorded: Path) -> dict[int, list[dict[str, Any]]]:
    """Returns the recorded results of every id the replay hands out (by id)."""
    five = [json.loads(line) for line in (recorded / MSM5004).read_text().splitlines()]
    return {
        5004: five,
        1033154: _load(recorded, MSM1033154),
        **{msm: [] for msm in IDS if msm not in (5004, 1033154)},
    }


def record_measurements(recorded: Path, replay: ReplayServer) -> dict[int, list[dict[str, Any]]]:
    """Records the POSTs (an id each, in turn), each measurement's status and its results for
    every window a fetch can ask for (from the start, or an hour before any window's end)."""
    for msm in IDS:
        replay.add("POST", "/api/v2/measurements/", {"measurements": [msm]}, status=201)
    results = recorded_results(recorded)
    for msm, (start, stop) in IDS.items():
        replay.add(
            "GET",
            f"/api/v2/measurements/{msm}/",
            {
                "id": msm,
                "status": {"name": "Stopped"},
                "credits_per_result": 60,
                "is_oneoff": True,
                "start_time": start,
                "stop_time": stop,
            },
        )
        starts = {start} | {end - 3600 for _, end in _windows(start, stop)}
        for first in sorted(starts):
            for begin, end in _windows(first, stop):
                inside = [r for r in results[msm] if begin <= r["timestamp"] <= end]
                path = f"/api/v2/measurements/{msm}/results?start={begin}&stop={end}"
                if path not in {p for (_, p) in replay.answers}:
                    replay.add("GET", path, inside)
    return results
