"""Hostile servers and bad network settings, through the real cousteau and requests over HTTPS
to the loopback replay server: each ends in one clear line and the right exit code, sends
nothing it should not, strands no measurement as "submitting" and never shows the key."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
import trustme

from ixpready.cli import main
from ixpready.config import Deadline, Secret, Settings, load_settings
from ixpready.errors import ConfigError, ExitCode, IxpreadyError, UnavailableError
from ixpready.measurements.probes import probes_from_document
from ixpready.measurements.records import Probe
from ixpready.measurements.store import Store
from ixpready.pipeline.atlas import find_reusable
from ixpready.pipeline.plan import PlanOptions, make_plan
from ixpready.sources.atlas import AtlasSource, RetryPolicy, TracerouteRequest
from jobs.online import listing_path
from sources.replay import KEY, ReplayServer, start_replay
from sources.test_atlas_end_to_end import _plan

CURLY_KEY = "5ecr3t-key-\u2019quoted\u2019-4242"  # a key pasted with typographic quotes
SPEC = TracerouteRequest(target="190.148.0.1", af=4, probe_ids=(12804,), description="t")
INFO = {"id": 5004, "status": {"name": "Ongoing"}, "credits_per_result": 60}


def _source(replay: ReplayServer, **kwargs: object) -> AtlasSource:
    arguments: dict[str, object] = {
        "verify": replay.ca_file,
        "key": Secret(KEY),
        "timeout_s": 1.0,
        "retry": RetryPolicy(attempts=1, backoff_s=0.01),
        **kwargs,
    }
    return AtlasSource(replay.host_port, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("limits", "cut_by"),
    [
        ({"request_deadline_s": 1.0}, "request deadline"),
        ({"deadline": "budget"}, "the job's time budget"),
    ],
)
def test_a_dripping_server_is_cut_off_at_the_deadline(
    atlas_replay: ReplayServer, limits: dict[str, object], cut_by: str
) -> None:
    # every byte comes 0.2 s after the last, well within the 1 s read timeout: only a
    # deadline on the whole exchange ends it (the body would take 30 s)
    atlas_replay.add("GET", "/api/v2/measurements/5004/", INFO, behaviour="drip")
    if limits.get("deadline") == "budget":
        limits = {"deadline": Deadline.after(1.0)}
    began = time.monotonic()
    with pytest.raises(UnavailableError) as caught:
        _source(atlas_replay, **limits).measurement(5004)
    assert time.monotonic() - began < 3.0, cut_by
    assert "no complete answer (timed out)" in str(caught.value)
    assert caught.value.exit_code == ExitCode.UNAVAILABLE


def test_a_key_that_cannot_travel_in_a_header_is_one_config_line_and_nothing_is_sent(
    atlas_replay: ReplayServer, configured: Path, tmp_path: Path, recorded: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    plan_file = _plan(recorded, configured, tmp_path, budget=300)
    capsys.readouterr()
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", CURLY_KEY)
    assert main(["--config", str(configured), "measure", str(plan_file)]) == ExitCode.CONFIG
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "ixpready: error: IXPREADY_ATLAS_KEY: the RIPE Atlas key contains a character that "
        "cannot be sent in an HTTP header; nothing was sent"
    )
    assert len(err) == 2 and err[1].startswith("ixpready: hint: copy the key again")
    assert atlas_replay.seen == []
    # the library refuses it too, before any request, and never repeats it
    with pytest.raises(ConfigError) as caught:
        _source(atlas_replay, key=Secret(CURLY_KEY))
    assert "quoted" not in str(caught.value) + repr(caught.value)
    # a key file with a line break inside is refused the same way
    key_file = tmp_path / "atlas.key"
    key_file.write_text("5ecr3t\nkey\n")
    key_file.chmod(0o600)
    monkeypatch.delenv("IXPREADY_ATLAS_KEY")
    with pytest.raises(ConfigError, match=r"atlas\.key: the RIPE Atlas key contains"):
        load_settings(configured, {"IXPREADY_ATLAS_KEY_FILE": str(key_file)})
    store = tmp_path / "data" / "ixpready.sqlite"
    assert CURLY_KEY.encode() not in store.read_bytes()
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM measurements").fetchone() == (0,)


def test_a_wrong_ca_is_a_tls_certificate_problem_and_nothing_is_sent(
    atlas_replay: ReplayServer, tmp_path: Path
) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    with pytest.raises(ConfigError) as caught:
        _source(atlas_replay, verify=str(other_ca)).measurement(5004)
    message = str(caught.value)
    assert message == (
        f"{atlas_replay.host_port}: its TLS certificate is not signed by a CA in the CA file "
        f"{other_ca}; nothing was sent"
    )
    assert "reachable" not in message + (caught.value.hint or "")
    assert caught.value.exit_code == ExitCode.CONFIG
    assert atlas_replay.seen == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("timeout_s = inf", "key 'atlas.timeout_s' is inf, expected a positive, finite number"),
        ("request_deadline_s = nan", "key 'atlas.request_deadline_s' is nan, expected a"),
        ('ca_file = "/nonexistent/ca.pem"', "the CA file /nonexistent/ca.pem does not exist"),
        ('ca_file = "CONFIG"', "cannot be used (no PEM certificate in it)"),
    ],
)
def test_bad_network_settings_are_one_config_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, expected: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f"[atlas]\n{line.replace('CONFIG', str(config))}\n")
    config.chmod(0o600)
    assert main(["--config", str(config), "refdata", "show"]) == ExitCode.CONFIG
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and err[0].startswith("ixpready: error: ")
    assert expected in err[0]


def test_a_429_on_creation_is_retried_and_never_strands_the_item(
    atlas_replay: ReplayServer, configured: Path, tmp_path: Path, recorded: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    plan_file = _plan(recorded, configured, tmp_path, budget=300)
    limited = {"error": {"status": 429, "detail": "Request was throttled."}}
    for _ in range(2):  # retries = 2 in the configured file: refused every time
        atlas_replay.add("POST", "/api/v2/measurements/", limited, status=429,
                         headers={"Retry-After": "0"})  # fmt: skip
    atlas_replay.add("GET", "/api/v2/measurements/5004/", INFO)
    command = ["--config", str(configured), "measure", str(plan_file)]
    assert main(command) == ExitCode.UNAVAILABLE
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("tried 2 times; refused, so nothing was done")
    store = tmp_path / "data" / "ixpready.sqlite"
    with sqlite3.connect(store) as db:  # refused: not "submitting", so it is asked again
        assert db.execute("SELECT COUNT(*) FROM measurements").fetchone() == (0,)
    atlas_replay.add("POST", "/api/v2/measurements/", limited, status=429,
                     headers={"Retry-After": "0"})  # fmt: skip
    atlas_replay.add("POST", "/api/v2/measurements/", {"measurements": [5004]}, status=201)
    assert main(command) == ExitCode.OK  # one 429, then created on the retry
    assert "created 1 measurements now (5004)" in capsys.readouterr().out
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT msm_id, state FROM measurements").fetchall() == [
            (5004, "created")
        ]
    assert sum(s.method == "POST" for s in atlas_replay.seen) == 4


LACNIC = "atlas-probes/lacnic-simon-ripeatlasprobe-fixture-latam.json"


def _lacnic_inventory(recorded: Path, tmp_path: Path) -> tuple[Settings, list[Probe]]:
    """Settings whose store holds an inventory of Guatemala's probes from LACNIC's list,
    which gives no status (recorded real data)."""
    items = json.loads((recorded / LACNIC).read_text())
    guatemala = [i for i in items if i["fields"]["country_code"] == "GT"]
    settings = Settings(country="GT", data_dir=tmp_path / "data")
    document = {"networks": {"ipv4": ["190.148.0.0/16"], "ipv6": []}, "probes": guatemala}
    with Store.open(settings.store_path) as store:
        store.save_inventory("GT", 1_700_000_000, json.dumps(document))
    return settings, list(probes_from_document(guatemala).values())


def test_reuse_and_plan_count_the_same_probes(
    recorded: Path, atlas_replay: ReplayServer, tmp_path: Path
) -> None:
    settings, probes = _lacnic_inventory(recorded, tmp_path)
    assert len(probes) == 13 and {p.status for p in probes} == {None}
    for probe in probes:
        atlas_replay.add("GET", listing_path(current_probes=probe.id),
                         {"count": 0, "next": None, "results": []})  # fmt: skip
    with Store.open(settings.store_path) as store:
        found = find_reusable(store, country="GT", atlas=_source(atlas_replay))
    asked = {int(s.path.split("current_probes=")[1].split("&")[0]) for s in atlas_replay.seen}
    assert found.probes_asked == 13 and asked == {p.id for p in probes}
    planned = make_plan(probes, PlanOptions(country="GT", budget_credits=100_000))
    assert {i for item in planned.items for i in item.probe_ids} <= asked  # plan's 12 among them


def test_a_404_on_the_measurement_listing_is_an_api_error_not_usage(
    recorded: Path, atlas_replay: ReplayServer, tmp_path: Path
) -> None:
    settings, probes = _lacnic_inventory(recorded, tmp_path)
    first = min(p.id for p in probes)
    atlas_replay.add("GET", listing_path(current_probes=first), {"detail": "Not found."},
                     status=404)  # fmt: skip
    with Store.open(settings.store_path) as store, pytest.raises(UnavailableError) as caught:
        find_reusable(store, country="GT", atlas=_source(atlas_replay))
    assert caught.value.exit_code == ExitCode.UNAVAILABLE
    assert "got HTTP 404 (no such listing)" in str(caught.value)


def test_the_replay_refuses_filters_the_api_reference_does_not_document(tmp_path: Path) -> None:
    replay, httpd, thread = start_replay(tmp_path)
    try:
        replay.add("GET", "/api/v2/measurements/?target_ip=192.0.2.1", {"results": []})
        replay.add("GET", "/api/v2/probes/?country_code=GT&connected=1", {"results": []})
        source = _source(replay)
        for path in ("/api/v2/measurements/?target_ip=192.0.2.1",
                     "/api/v2/probes/?country_code=GT&connected=1"):  # fmt: skip
            with pytest.raises(IxpreadyError, match="HTTP 400"):
                source._get(path, "a listing", with_key=False)
    finally:
        replay.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    assert replay.unexpected == [
        "undocumented filter ['target_ip'] in /api/v2/measurements/?target_ip=192.0.2.1",
        "undocumented filter ['connected'] in /api/v2/probes/?country_code=GT&connected=1",
    ]
