"""refdata update/show over the replay server: PeeringDB, RIPEstat routing, RIR statistics."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.errors import ExitCode, UnavailableError
from ixpready.pipeline import commands
from ixpready.refdata.readiness import load_readiness_refs
from ixpready.refdata.rpki import Validity
from ixpready.refdata.snapshots import load_snapshot
from ixpready.sources.registries import RegistryClient
from sources.replay import ReplayServer

READINESS = Path(__file__).resolve().parents[1] / "data" / "readiness"

PDB = "peeringdb/pdb-beta-api-2026-04-16-{kind}-page1.json"
OWN_DATA = Path(__file__).resolve().parents[1] / "data" / "peeringdb"
OWN_PDB = "pdb-beta-api-2026-04-16-{kind}-page1.json"
RESOURCES = "routing/ripestat/andrelia-country-resource-list.json"
ANNOUNCED = "routing/ripestat/andrelia-announced-prefixes.json"
# No delegated-extended file was recorded: this is the format's skeleton (version line,
# summary line, one record) with documentation addresses, only to carry bytes end to end.
DELEGATED = (
    b"2|lacnic|20261127|1|19870101|20261127|-0300\n"
    b"lacnic|*|ipv4|*|1|summary\n"
    b"lacnic|GT|ipv4|192.0.2.0|256|20000101|allocated|x\n"
)


def _record(recorded: Path, replay: ReplayServer) -> dict[str, Any]:
    for kind in ("ix", "ixlan", "ixpfx", "netixlan", "net"):
        replay.add(
            "GET", f"/api/{kind}?depth=0", raw=(recorded / PDB.format(kind=kind)).read_bytes()
        )
    for kind in ("fac", "netfac"):  # real pages, not in ../shared (tests/data/peeringdb)
        replay.add("GET", f"/api/{kind}?depth=0", raw=(OWN_DATA / OWN_PDB.format(kind=kind)).read_bytes())
    replay.add(  # a real excerpt, tests/data/readiness/README.md
        "GET", "/api/poc?depth=0",
        raw=(READINESS / "pdb-beta-api-2026-04-16-poc-excerpt.json").read_bytes(),
    )
    resources = json.loads((recorded / RESOURCES).read_text())
    # cut to the one network whose announced-prefixes response was recorded (AS3333)
    resources["data"]["resources"]["asn"] = ["3333"]
    replay.add(
        "GET", "/data/country-resource-list/data.json?resource=AT&v4_format=prefix", resources
    )
    announced = json.loads((recorded / ANNOUNCED).read_text())
    # cut to the one route whose rpki-validation answer was recorded (193.0.0.0/21)
    announced["data"]["prefixes"] = [
        p for p in announced["data"]["prefixes"] if p["prefix"] == "193.0.0.0/21"
    ]
    replay.add("GET", "/data/announced-prefixes/data.json?resource=AS3333", announced)
    replay.add(
        "GET", "/data/rpki-validation/data.json?resource=AS3333&prefix=193.0.0.0%2F21",
        raw=(READINESS / "ripestat-rpki-validation-AS3333-2025-06-11.json").read_bytes(),
    )  # fmt: skip
    replay.add("GET", "/pub/stats/lacnic/delegated-lacnic-extended-latest", raw=DELEGATED)
    return announced


def _settings(tmp_path: Path, replay: ReplayServer) -> Any:
    return load_settings(
        None,
        {
            "XDG_CONFIG_HOME": str(tmp_path / "none"),
            "IXPREADY_COUNTRY": "AT",
            "IXPREADY_DATA_DIR": str(tmp_path / "data"),
            "IXPREADY_ATLAS_CA_FILE": replay.ca_file,
            "IXPREADY_ATLAS_BACKOFF_S": "0.01",
            "IXPREADY_REGISTRIES_PEERINGDB_URL": replay.base_url,
            "IXPREADY_REGISTRIES_RIPESTAT_URL": replay.base_url,
            "IXPREADY_REGISTRIES_RIR_STATS_URL": replay.base_url + "/pub/stats",
        },
    )


def test_update_writes_the_dated_layout_the_snapshot_reader_reads(
    recorded: Path, atlas_replay: ReplayServer, tmp_path: Path
) -> None:
    announced = _record(recorded, atlas_replay)
    base = _settings(tmp_path, atlas_replay)
    settings = replace(base, registries=replace(base.registries, rpki_vrps_url="ripestat"))
    status = commands.refdata_update(settings, rirs=("lacnic",), today=date(2026, 11, 28))
    folder = settings.refdata_path
    assert status.date == date(2026, 11, 28) and status.age_days == 0
    assert sorted(f.name for f in status.files) == [
        "delegated-lacnic-extended-20261128",
        *[f"peeringdb/{k}.json" for k in ("fac", "ix", "ixlan", "ixpfx", "net", "netfac",
                                          "netixlan", "poc")],
        "pfx2as-20261128.txt",
        "ripestat/rpki-validation-AS3333-193.0.0.0_21.json",
    ]
    assert (folder / "peeringdb" / "ix.json").read_bytes() == (
        recorded / PDB.format(kind="ix")
    ).read_bytes()
    lines = (folder / "pfx2as-20261128.txt").read_text().splitlines()
    prefixes = {p["prefix"] for p in announced["data"]["prefixes"]}
    assert len(lines) == len(prefixes)
    assert "193.0.0.0\t21\t3333" in lines
    assert json.loads((folder / "snapshot.json").read_text())["date"] == "2026-11-28"
    snapshot = load_snapshot(folder)  # the enrichment reader accepts the layout
    assert any(r.prefix == "193.0.0.0/21" and r.origins == (3333,) for r in snapshot.routed)
    assert snapshot.ixs[1].name == "Equinix Ashburn"
    # where networks are present: PeeringDB netfac, as sent (250 records), placed by fac
    assert (folder / "peeringdb" / "netfac.json").read_bytes() == (
        OWN_DATA / OWN_PDB.format(kind="netfac")).read_bytes()
    assert len(snapshot.network_facilities) == 250 and len(snapshot.facilities) == 250
    cogent = [f.name for f in snapshot.network_facilities if f.asn == 174]
    assert cogent[:2] == ["Digital Realty Frankfurt FRA1-27", "Digital Realty Paris PAR1"]
    refs = load_readiness_refs(folder)  # and the readiness reader, the files it adds
    assert [(a.prefix, a.origin, a.validity) for a in refs.ripestat_rpki] == [
        ("193.0.0.0/21", 3333, Validity.VALID)
    ]
    assert refs.nets[2818].contacts == 1 and refs.has_netfac

    # a second update archives the first
    commands.refdata_update(settings, rirs=("lacnic",), today=date(2026, 11, 29))
    assert (folder / "archive" / "2026-11-28" / "pfx2as-20261128.txt").is_file()
    assert not (folder / "pfx2as-20261128.txt").exists()
    assert (folder / "pfx2as-20261129.txt").is_file()


def test_show_from_the_command_line(
    recorded: Path,
    atlas_replay: ReplayServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _record(recorded, atlas_replay)
    settings = _settings(tmp_path, atlas_replay)
    environ = {
        "XDG_CONFIG_HOME": str(tmp_path / "none"),
        "IXPREADY_COUNTRY": "AT",
        "IXPREADY_DATA_DIR": str(settings.data_dir),
        "IXPREADY_ATLAS_CA_FILE": atlas_replay.ca_file,
        "IXPREADY_REGISTRIES_PEERINGDB_URL": atlas_replay.base_url,
        "IXPREADY_REGISTRIES_RIPESTAT_URL": atlas_replay.base_url,
        "IXPREADY_REGISTRIES_RIR_STATS_URL": atlas_replay.base_url + "/pub/stats",
    }
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    assert main(["refdata", "show"]) == ExitCode.OK
    assert "no snapshot (run `ixpready refdata update`)" in capsys.readouterr().out
    assert main(["refdata", "update", "--rir", "lacnic"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "snapshot of" in out and "(0 days old)" in out and "pfx2as-" in out


def test_a_registry_that_keeps_failing_is_unavailable(
    atlas_replay: ReplayServer, tmp_path: Path
) -> None:
    atlas_replay.add("GET", "/api/ix?depth=0", raw=b"busy", status=503)
    waits: list[float] = []
    client = RegistryClient(
        peeringdb_url=atlas_replay.base_url,
        verify=atlas_replay.ca_file,
        attempts=3,
        backoff_s=1.0,
        sleep=waits.append,
    )
    with pytest.raises(UnavailableError) as caught:
        client.peeringdb("ix")
    assert str(caught.value) == f"{atlas_replay.base_url}/api/ix gave HTTP 503, tried 3 times"
    assert waits == [1.0, 2.0]


def test_update_saves_the_configured_validators_vrp_export(
    recorded: Path, atlas_replay: ReplayServer, tmp_path: Path
) -> None:
    _record(recorded, atlas_replay)
    export = (READINESS / "rpki-client-json-2021-07-26.json").read_bytes()
    atlas_replay.add("GET", "/rpki-client/json", raw=export)
    settings = _settings(tmp_path, atlas_replay)
    settings = replace(settings, registries=replace(settings.registries, rpki_vrps_url=atlas_replay.base_url + "/rpki-client/json"))
    status = commands.refdata_update(settings, rirs=("lacnic",), today=date(2026, 11, 28))
    names = [f.name for f in status.files]
    assert "rpki/vrps-20261128.json" in names
    assert not any(n.startswith("ripestat/") for n in names)  # no RIPEstat call per route
    assert (settings.refdata_path / "rpki" / "vrps-20261128.json").read_bytes() == export
    refs = load_readiness_refs(settings.refdata_path)
    (vrps,) = refs.vrp_sets
    assert vrps.program == "rpki-client" and vrps.date == "2021-07-26"
    assert len(vrps.vrps) == 6
    assert not any("rpki-validation" in p for p in atlas_replay.paths_seen)


def test_a_vrp_url_answering_something_else_stops_the_update_untouched(
    recorded: Path, atlas_replay: ReplayServer, tmp_path: Path
) -> None:
    _record(recorded, atlas_replay)
    atlas_replay.add("GET", "/json", {"metadata": {}})
    settings = _settings(tmp_path, atlas_replay)
    settings = replace(settings, registries=replace(settings.registries, rpki_vrps_url=atlas_replay.base_url + "/json"))
    with pytest.raises(UnavailableError, match="no 'roas' list"):
        commands.refdata_update(settings, rirs=("lacnic",), today=date(2026, 11, 28))
    assert not (settings.refdata_path / "snapshot.json").exists()


def test_the_vrp_source_setting(tmp_path: Path) -> None:
    from ixpready.errors import ConfigError

    base = {"XDG_CONFIG_HOME": str(tmp_path / "none")}
    assert load_settings(None, base).registries.rpki_vrps_url == ""
    for value in ("ripestat", "http://127.0.0.1:8323/json", "https://rpki.example/json"):
        environ = {**base, "IXPREADY_REGISTRIES_RPKI_VRPS_URL": value}
        assert load_settings(None, environ).registries.rpki_vrps_url == value
    with pytest.raises(ConfigError, match="rpki_vrps_url"):
        load_settings(None, {**base, "IXPREADY_REGISTRIES_RPKI_VRPS_URL": "ftp://x/vrps"})
