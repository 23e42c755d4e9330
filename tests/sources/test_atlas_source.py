"""AtlasSource through the real cousteau and requests, over HTTPS to a loopback replay server."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from ixpready.config import Deadline, Secret
from ixpready.errors import AtlasAuthError, ExitCode, QuotaError, UnavailableError
from ixpready.sources.atlas import AtlasSource, RetryPolicy, TracerouteRequest
from sources.replay import ReplayServer

KEY = "c0ffee00-dead-beef-0000-123456789abc"
BO_PROBES = "atlas-probes/rednegra-bolivia-probes-2018-10-28.json"
GT_TRACES = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
PROBES_PATH = "/api/v2/probes/?country_code=BO&page_size=500"


def _source(replay: ReplayServer, waits: list[float], **kwargs: object) -> AtlasSource:
    return AtlasSource(
        replay.host_port,
        verify=replay.ca_file,
        key=Secret(KEY),
        timeout_s=1.0,
        retry=RetryPolicy(attempts=3, backoff_s=0.5),
        sleep=waits.append,
        **kwargs,  # type: ignore[arg-type]
    )


def _bolivia_pages(recorded: Path, replay: ReplayServer) -> list[dict[str, object]]:
    document = json.loads((recorded / BO_PROBES).read_text())
    probes = document["results"]
    first = {
        "count": 80,
        "next": f"https://atlas.ripe.net{PROBES_PATH}&page=2",
        "previous": None,
        "results": probes[:50],
    }
    second = {"count": 80, "next": None, "previous": PROBES_PATH, "results": probes[50:]}
    return [first, second]


def test_probe_listing_follows_next_and_reads_every_probe(
    recorded: Path, atlas_replay: ReplayServer
) -> None:
    first, second = _bolivia_pages(recorded, atlas_replay)
    atlas_replay.add("GET", PROBES_PATH, first)
    atlas_replay.add("GET", PROBES_PATH + "&page=2", second)
    waits: list[float] = []
    listing = _source(atlas_replay, waits).list_probes("bo", connected_only=False)
    assert len(listing.probes) == 80
    assert listing.malformed == ()
    by_id = {p.id: p for p in listing.probes}
    assert by_id[12814].asn_v4 == 27882
    assert by_id[12814].status == "Abandoned"
    assert by_id[12814].longitude == -68.1525
    assert atlas_replay.paths_seen == [PROBES_PATH, PROBES_PATH + "&page=2"]
    # listings never carry the key
    assert all("Authorization" not in s.headers for s in atlas_replay.seen)
    assert waits == []


def test_a_429_is_waited_out_and_retried(recorded: Path, atlas_replay: ReplayServer) -> None:
    first, second = _bolivia_pages(recorded, atlas_replay)
    atlas_replay.add("GET", PROBES_PATH, first)
    atlas_replay.add(
        "GET",
        PROBES_PATH + "&page=2",
        {"error": {"status": 429, "title": "Too Many Requests"}},
        status=429,
        headers={"Retry-After": "3"},
    )
    atlas_replay.add("GET", PROBES_PATH + "&page=2", second)
    waits: list[float] = []
    listing = _source(atlas_replay, waits).list_probes("BO", connected_only=False)
    assert len(listing.probes) == 80
    assert waits == [3.0]  # Retry-After wins over the 0.5 s backoff
    assert atlas_replay.paths_seen.count(PROBES_PATH + "&page=2") == 2


def test_a_500_after_every_retry_is_unavailable(atlas_replay: ReplayServer) -> None:
    atlas_replay.add("GET", "/api/v2/measurements/5004/", raw=b"<h1>Server Error</h1>", status=500)
    waits: list[float] = []
    with pytest.raises(UnavailableError) as caught:
        _source(atlas_replay, waits).measurement(5004)
    assert str(caught.value) == (
        "RIPE Atlas: measurement 5004 got a server error (HTTP 500), tried 3 times"
    )
    assert caught.value.exit_code == ExitCode.UNAVAILABLE
    assert caught.value.hint and "run the command again" in caught.value.hint
    assert waits == [0.5, 1.0]
    assert len(atlas_replay.seen) == 3


def _gt_results(recorded: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (recorded / GT_TRACES).read_text().splitlines()]


def _results_path(msm_id: int, start: datetime, stop: datetime) -> str:
    return (
        f"/api/v2/measurements/{msm_id}/results"
        f"?start={int(start.timestamp())}&stop={int(stop.timestamp())}"
    )


START = datetime(2015, 10, 20, 0, 0, tzinfo=UTC)
STOP = datetime(2015, 10, 20, 1, 0, tzinfo=UTC)


def test_a_truncated_body_is_retried_then_read_whole(
    recorded: Path, atlas_replay: ReplayServer
) -> None:
    results = _gt_results(recorded)
    path = _results_path(5004, START, STOP)
    atlas_replay.add("GET", path, results, behaviour="truncate")
    atlas_replay.add("GET", path, results)
    waits: list[float] = []
    window = _source(atlas_replay, waits).fetch_window(5004, START, STOP)
    assert len(window.results) == 26
    assert {r.prb_id for r in window.results} >= {12804, 19417, 19570, 19656}
    assert all(r.msm_id == 5004 for r in window.results)
    assert orjson.loads(window.results[0].raw) == results[0]
    assert waits == [0.5]
    assert atlas_replay.seen[0].headers["Authorization"] == f"Key {KEY}"


def test_a_json_cut_short_but_delivered_whole_is_retried(
    recorded: Path, atlas_replay: ReplayServer
) -> None:
    results = _gt_results(recorded)
    path = _results_path(5004, START, STOP)
    atlas_replay.add("GET", path, raw=orjson.dumps(results)[:5000])
    atlas_replay.add("GET", path, results)
    window = _source(atlas_replay, []).fetch_window(5004, START, STOP)
    assert len(window.results) == 26


def test_a_response_that_never_ends_times_out(atlas_replay: ReplayServer) -> None:
    path = _results_path(5004, START, STOP)
    atlas_replay.add("GET", path, [{"msm_id": 5004}] * 50, behaviour="hang")
    with pytest.raises(UnavailableError) as caught:
        _source(atlas_replay, []).fetch_window(5004, START, STOP)
    assert "no complete answer (timed out)" in str(caught.value)
    assert len(atlas_replay.seen) == 3


def test_results_are_fetched_in_windows_and_bad_records_quarantined(
    recorded: Path, atlas_replay: ReplayServer
) -> None:
    results = _gt_results(recorded)
    middle = START + timedelta(minutes=30)
    atlas_replay.add("GET", _results_path(5004, START, middle), results[:10])
    broken = {"msm_id": 5004, "timestamp": 1445300000, "type": "traceroute"}
    atlas_replay.add(
        "GET", _results_path(5004, middle + timedelta(seconds=1), STOP), [*results[10:], broken]
    )
    windows = list(
        _source(atlas_replay, []).fetch_results(5004, START, STOP, window=timedelta(minutes=30))
    )
    assert [len(w.results) for w in windows] == [10, 16]
    assert [m.where for w in windows for m in w.malformed] == ["atlas msm 5004, result 16"]
    assert windows[1].malformed[0].reason == "field 'prb_id' is missing or not a whole number"


FORBIDDEN = {
    "error": {
        "status": 403,
        "code": 104,
        "title": "Forbidden",
        "detail": "The provided API key does not have permission to create measurements",
    }
}
DAILY = {
    "error": {
        "status": 400,
        "code": 102,
        "title": "Bad Request",
        "detail": "There were problems with your request",
        "errors": [
            {
                "source": {"pointer": "/definitions/0"},
                "detail": "Your request would exceed your daily limit of 100000 results",
            }
        ],
    }
}
SPEC = TracerouteRequest(
    target="190.148.0.1", af=4, probe_ids=(12804, 19570), description="ixpready GT plan p1 item 1"
)


def test_a_key_without_create_permission_is_an_auth_error(atlas_replay: ReplayServer) -> None:
    atlas_replay.add("POST", "/api/v2/measurements/", FORBIDDEN, status=403)
    with pytest.raises(AtlasAuthError) as caught:
        _source(atlas_replay, []).create_traceroute(SPEC)
    message = str(caught.value)
    assert message == (
        "RIPE Atlas refused creating a traceroute to 190.148.0.1 from 2 probes (HTTP 403): "
        "The provided API key does not have permission to create measurements"
    )
    assert KEY not in message and KEY not in (caught.value.hint or "")
    assert caught.value.exit_code == ExitCode.AUTH
    assert len(atlas_replay.seen) == 1  # refusals are not retried
    sent = orjson.loads(atlas_replay.seen[0].body)
    assert sent["probes"] == [{"type": "probes", "value": "12804,19570", "requested": 2}]
    assert sent["definitions"][0]["type"] == "traceroute"
    assert sent["is_oneoff"] is True


def test_a_daily_quota_refusal_is_a_quota_error(atlas_replay: ReplayServer) -> None:
    atlas_replay.add("POST", "/api/v2/measurements/", DAILY, status=400)
    with pytest.raises(QuotaError) as caught:
        _source(atlas_replay, []).create_traceroute(SPEC)
    assert "daily limit of 100000 results" in str(caught.value)
    assert caught.value.exit_code == ExitCode.QUOTA


def test_creation_is_not_retried_after_a_server_error(atlas_replay: ReplayServer) -> None:
    atlas_replay.add("POST", "/api/v2/measurements/", raw=b"gateway", status=502)
    with pytest.raises(UnavailableError) as caught:
        _source(atlas_replay, []).create_traceroute(SPEC)
    assert "not retried" in str(caught.value)
    assert len(atlas_replay.seen) == 1


def test_create_returns_ids_and_cost_is_read_back(atlas_replay: ReplayServer) -> None:
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [80001234]}, status=201)
    atlas_replay.add(
        "GET",
        "/api/v2/measurements/80001234/",
        {
            "id": 80001234,
            "status": {"id": 1, "name": "Specified"},
            "credits_per_result": 60,
            "participant_count": 2,
            "is_oneoff": True,
            "start_time": 1764374400,
            "stop_time": None,
        },
    )
    source = _source(atlas_replay, [])
    assert source.create_traceroute(SPEC) == (80001234,)
    info = source.measurement(80001234)
    assert info.credits_per_result == 60.0
    assert info.status == "Specified"
    assert info.start == datetime(2025, 11, 29, tzinfo=UTC)
    assert KEY not in repr(source)


def test_no_key_means_no_creation_and_no_request(atlas_replay: ReplayServer) -> None:
    source = AtlasSource(atlas_replay.host_port, verify=atlas_replay.ca_file)
    with pytest.raises(AtlasAuthError):
        source.create_traceroute(SPEC)
    assert atlas_replay.seen == []


def test_the_job_deadline_caps_every_request(atlas_replay: ReplayServer) -> None:
    path = _results_path(5004, START, STOP)
    atlas_replay.add("GET", path, [{"msm_id": 5004}] * 50, behaviour="hang")
    source = AtlasSource(
        atlas_replay.host_port,
        verify=atlas_replay.ca_file,
        timeout_s=30.0,
        retry=RetryPolicy(attempts=3, backoff_s=0.5),
        deadline=Deadline.after(1.0),
    )
    began = time.monotonic()
    with pytest.raises(UnavailableError) as caught:
        source.fetch_window(5004, START, STOP)
    assert time.monotonic() - began < 10  # not the 30 s request timeout
    assert str(caught.value).endswith("tried 1 of 3 times (the time budget ran out)")
    with pytest.raises(UnavailableError, match=r"time budget .* is spent"):
        source.measurement(5004)  # nothing is sent once the budget is spent
    assert len(atlas_replay.seen) == 1


def _listed(msm_id: object, **fields: object) -> dict[str, object]:
    # Hand-made measurement objects (none was recorded), in the v2 listing's field names.
    return {
        "id": msm_id,
        "af": 6,
        "type": "traceroute",
        "is_public": True,
        "is_oneoff": False,
        "interval": 900,
        "target": "at-vie-as1853.anchors.atlas.ripe.net",
        "target_ip": "2001:628:2005:1::2",
        "target_asn": 1853,
        "description": "Anchoring Mesh Measurement: Traceroute IPv6 for anchor "
        "at-vie-as1853.anchors.atlas.ripe.net",
        "start_time": 1446000000,
        "stop_time": None,
        "status": {"id": 2, "name": "Ongoing", "when": None},
        "participant_count": 498,
        **fields,
    }


def test_traceroutes_to_an_address_are_listed_public_ones_only(
    atlas_replay: ReplayServer,
) -> None:
    path = (
        "/api/v2/measurements/?page_size=500&status=2"
        "&target=2001%3A628%3A2005%3A1%3A%3A2&type=traceroute"
    )
    page = [
        _listed(1790206),
        _listed(1790207, is_public=False),
        _listed(1790208, type="ping"),
        _listed("x"),
        _listed(1790209, af=5),
    ]
    atlas_replay.add("GET", path, {"count": 5, "next": None, "previous": None, "results": page})
    listing = _source(atlas_replay, []).list_traceroutes(target_ip="2001:628:2005:1::2")
    assert [m.msm_id for m in listing.measurements] == [1790206]
    mesh = listing.measurements[0]
    assert (mesh.af, mesh.target_ip, mesh.target_asn, mesh.interval_s) == (
        6,
        "2001:628:2005:1::2",
        1853,
        900,
    )
    assert mesh.start == datetime(2015, 10, 28, 2, 40, tzinfo=UTC) and mesh.stop is None
    assert [m.reason for m in listing.malformed] == [
        "field 'id' is missing or not a whole number",
        "field 'af' is missing or not 4 or 6",
    ]
    assert atlas_replay.paths_seen == [path]
    assert "Authorization" not in atlas_replay.seen[0].headers
