"""The shared store on a real PostgreSQL server: the same behaviour as the SQLite store,
uploads exactly once from several processes at a time, resumed after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import trustme
from psycopg.conninfo import conninfo_to_dict

from ixpready.cli import main
from ixpready.config import load_settings
from ixpready.demo.scenario import ScenarioFiles
from ixpready.errors import AuthError, ExitCode, StoreError, UnavailableError
from ixpready.measurements.records import Malformed, TraceKey
from ixpready.measurements.store import ResultStore, RunOutcome, Store, StoredResult
from ixpready.measurements.store_pg import MIGRATIONS, SCHEMA_VERSION, PgStore
from jobs import online
from jobs.conftest import offline_config, write_config
from jobs.postgres import Postgres
from sources.replay import ReplayServer

SRC = Path(__file__).resolve().parents[2] / "src"
GT = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
EUROPE = "atlas-traceroute/ripe-atlas-monitor-msm1033154-traceroute.json"


def _results(recorded: Path) -> list[StoredResult]:
    lines = (recorded / GT).read_text().splitlines()
    return [StoredResult(TraceKey(r["msm_id"], r["prb_id"], r["timestamp"]), line)
            for line, r in ((line, json.loads(line)) for line in lines)]  # fmt: skip


def _contract(store: ResultStore, results: list[StoredResult]) -> None:
    bad = Malformed("spool.jsonl:3", "not JSON", "{cut")
    assert store.add_results(results[:10], round_id="2015-10-20") == 10
    assert store.add_results(results) == 16 and store.add_results(results) == 0
    assert store.count_results() == 26 == store.count_results(5004)
    assert {r.key: r.raw for r in store.results()} == {r.key: r.raw for r in results}
    assert len(store.unassigned()) == 16
    assert store.set_rounds((k, "2015-10-20") for k in store.unassigned()) == 16
    assert store.round_counts() == {"2015-10-20": 26}
    assert [r.raw for r in store.round_results("2015-10-20")] == [
        r.raw for r in sorted(results, key=lambda r: r.key)
    ]
    assert store.quarantine([bad, bad]) == 1 and store.quarantine([bad]) == 0
    assert store.quarantined() == (bad,)
    assert store.start_round("2015-10-20", 5, "P").plan_id == "P"
    assert store.start_round("2015-10-20", 6, "Q").started_at == 5
    store.complete_round("2015-10-20", 9)
    assert [(r.round_id, r.plan_id, r.completed_at) for r in store.rounds()] == [
        ("2015-10-20", "P", 9)
    ]
    assert store.assign_round("2015-10-21", [5004]) == 0
    assert store.latest_inventory("GT") is None


def test_the_shared_store_behaves_as_the_sqlite_store(
    recorded: Path, database: str, tmp_path: Path
) -> None:
    results = _results(recorded)
    with Store.open(tmp_path / "s.sqlite") as local:
        _contract(local, results)
    with PgStore.open(database) as shared:
        assert shared.schema_version == SCHEMA_VERSION
        _contract(shared, results)
        run = shared.begin_run(100, 7)
        shared.end_run(run, 160, RunOutcome.OK, 0, "round 2015-10-20")
        last = shared.last_run()
        assert last is not None and (last.outcome, last.finished_at) == (RunOutcome.OK, 160)
        shared.save_inventory("GT", 10, "{}")
        inventory = shared.latest_inventory("GT")
        assert inventory is not None and inventory.document == "{}"
    with PgStore.open(database) as again:  # opening again migrates nothing, loses nothing
        assert again.schema_version == SCHEMA_VERSION and again.count_results() == 26


def _probe_role(postgres: Postgres, database: str, name: str) -> str:
    """Creates a probe host's role with only what an upload needs (docs/jobs.md); returns
    its URL."""
    with PgStore.open(database):
        pass  # the collector made the schema
    password = "pw-" + name
    postgres.admin(f"DO $$ BEGIN CREATE ROLE {name} LOGIN PASSWORD '{password}'; "
                   "EXCEPTION WHEN duplicate_object THEN NULL; END $$", database="postgres")  # fmt: skip
    database_name = str(conninfo_to_dict(database)["dbname"])
    postgres.admin(
        f"GRANT CONNECT ON DATABASE {database_name} TO {name};"
        f"GRANT SELECT ON ixpready_schema TO {name};"
        f"GRANT INSERT ON results, quarantine TO {name};",
        database=database_name,
    )
    return postgres.url(user=name, password=password, database=database_name)


def _spool(folder: Path, recorded: Path, *, damaged: bool = False) -> list[StoredResult]:
    """Writes the probe's spool: the GT results in JSON lines, the European ones as a JSON
    array; returns every result it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = (recorded / GT).read_text().splitlines()
    body = lines[:13] + (['{"msm_id": 5004, "prb_id": 1, "timestam'] if damaged else [])
    (folder / "trace-20151020T000000Z-1.jsonl").write_text("\n".join(body) + "\n")
    (folder / "trace-20151020T003000Z-2.jsonl").write_text("\n".join(lines[13:]) + "\n")
    (folder / "trace-20131015T000000Z-3.json").write_text((recorded / EUROPE).read_text())
    (folder / ".trace-20990101T000000Z-4.jsonl.part").write_text("{being written")
    europe = json.loads((recorded / EUROPE).read_text())
    return [*_results(recorded), *(
        StoredResult(TraceKey(r["msm_id"], r["prb_id"], r["timestamp"]), json.dumps(r))
        for r in europe)]  # fmt: skip


def _host_config(folder: Path, url: str, spool: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_config(
        folder / "config.toml",
        f'data_dir = "{folder / "data"}"\n[store]\nurl = "{url}"\n'
        f'[upload]\nspool_dir = "{spool}"\n',
    )


def test_upload_sends_each_result_once_and_resends_only_changed_files(
    recorded: Path, postgres: Postgres, database: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = _probe_role(postgres, database, "probe_gua1")
    spool = tmp_path / "spool"
    expected = _spool(spool, recorded, damaged=True)
    config = _host_config(tmp_path / "host", url, spool)
    assert main(["--config", str(config), "upload"]) == ExitCode.PARTIAL
    out = capsys.readouterr().out
    assert out.startswith(f"postgresql://probe_gua1@127.0.0.1:{postgres.port}/")
    assert "3 files sent now, 0 before; 113 new results (0 the store had), 1 unreadable" in out
    assert "pw-probe_gua1" not in out
    with PgStore.open(database) as shared:
        stored = {r.key: json.loads(r.raw) for r in shared.results()}
        assert [m.where for m in shared.quarantined()] == ["trace-20151020T000000Z-1.jsonl:14"]
    assert stored == {r.key: json.loads(r.raw) for r in expected}

    assert main(["--config", str(config), "upload"]) == ExitCode.OK
    assert "0 files sent now, 3 before; 0 new results" in capsys.readouterr().out
    # the probe rewrites a file: it is sent again, and its known results change nothing
    first = spool / "trace-20151020T000000Z-1.jsonl"
    first.write_text("\n".join(first.read_text().splitlines()[:13]) + "\n")
    assert main(["--config", str(config), "upload"]) == ExitCode.OK
    assert "1 files sent now, 2 before; 0 new results (13 the store had)" in (
        capsys.readouterr().out
    )
    with PgStore.open(database) as shared:
        assert shared.count_results() == 113


def test_concurrent_uploads_from_several_hosts_lose_and_duplicate_nothing(
    recorded: Path, postgres: Postgres, database: str, tmp_path: Path
) -> None:
    expected: dict[TraceKey, str] = {}
    hosts = []
    for number in range(4):  # four probe hosts, whose spools overlap (same recorded results)
        spool = tmp_path / f"spool{number}"
        results = _spool(spool, recorded)
        if number % 2:  # odd hosts also hold the results shifted to their own probe id
            shifted = [json.loads(r.raw) for r in results[:26]]
            for record in shifted:
                record["prb_id"] += 1_000_000 * number
            (spool / "trace-mine.jsonl").write_text("".join(json.dumps(r) + "\n" for r in shifted))
            results += [StoredResult(TraceKey(r["msm_id"], r["prb_id"], r["timestamp"]),
                                     json.dumps(r)) for r in shifted]  # fmt: skip
        expected.update({r.key: r.raw for r in results})
        url = _probe_role(postgres, database, f"probe_h{number}")
        hosts.append(_host_config(tmp_path / f"host{number}", url, spool))
    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    children = [subprocess.Popen([sys.executable, "-m", "ixpready", "--config", str(c), "upload"],
                                 env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for c in hosts]  # fmt: skip
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0, 0], outputs
    with PgStore.open(database) as shared:
        stored = list(shared.results())
    assert len(stored) == len({r.key for r in stored}) == len(expected) == 113 + 2 * 26
    assert {r.key: json.loads(r.raw) for r in stored} == {
        k: json.loads(v) for k, v in expected.items()
    }
    new = sum(int(out.decode().split(" new results")[0].rsplit(" ", 1)[1])
              for out, _ in outputs)  # fmt: skip
    assert new == len(expected)  # each result was new to exactly one of the uploads


def test_a_killed_upload_resumes_and_stores_everything_once(
    recorded: Path, database: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    lines = (recorded / GT).read_text().splitlines()
    expected = {}
    for batch in range(120):  # many small files: the kill lands between two of them
        records = [json.loads(line) for line in lines]
        for record in records:
            record["timestamp"] += batch * 3600
            expected[(record["msm_id"], record["prb_id"], record["timestamp"])] = record
        (spool / f"trace-{batch:04d}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in records)
        )
    config = _host_config(tmp_path / "host", database, spool)
    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "ixpready", "--config", str(config), "upload"]
    child = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with psycopg.connect(database) as connection:
            try:
                count = connection.execute("SELECT COUNT(*) FROM results").fetchone()
            except psycopg.errors.UndefinedTable:
                count = (0,)
        if count is not None and count[0] >= 26 * 10:
            break
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    with PgStore.open(database) as shared:
        partway = shared.count_results()
    assert 0 < partway < len(expected)  # killed midway
    assert main(["--config", str(config), "upload"]) == ExitCode.OK
    with PgStore.open(database) as shared:
        stored = list(shared.results())
    assert len(stored) == len({r.key for r in stored}) == len(expected) == 120 * 26
    assert {(r.key.msm_id, r.key.prb_id, r.key.timestamp): json.loads(r.raw)
            for r in stored} == expected  # fmt: skip


def test_refused_credentials_and_an_unreachable_server_are_named_without_the_password(
    postgres: Postgres, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(AuthError) as refused:
        PgStore.open(postgres.url(password="wrong-password-123"))
    assert "wrong-password-123" not in str(refused.value)
    assert str(refused.value).startswith(f"postgresql://ixpready_admin@127.0.0.1:{postgres.port}/")
    (tmp_path / "spool").mkdir()
    config = _host_config(tmp_path, postgres.url(password="wrong-password-123"), tmp_path / "spool")
    assert main(["--config", str(config), "upload"]) == ExitCode.AUTH
    assert "wrong-password-123" not in capsys.readouterr().err
    closed = postgres.url().replace(f":{postgres.port}/", ":1/")
    with pytest.raises(UnavailableError, match="cannot reach the shared store"):
        PgStore.open(closed, connect_timeout_s=2)


def test_a_run_analyses_the_shared_store(
    scenario: ScenarioFiles, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = offline_config(tmp_path, scenario, f'[store]\nurl = "{database}"\n')
    assert main(["--config", str(config), "run"]) == ExitCode.PARTIAL
    capsys.readouterr()
    with PgStore.open(database) as shared:
        assert shared.round_counts() == {"2026-11-01T00": 99, "2026-11-01T06": 80}
        assert len(shared.quarantined()) == 1
    with Store.open(load_settings(config, {}).store_path) as local:
        assert local.count_results() == 0  # the results went to the shared store only
        last = local.last_run()
    assert last is not None and last.outcome is RunOutcome.PARTIAL  # the host's own runs
    assert main(["--config", str(config), "trend", "--format", "json"]) == ExitCode.OK
    trend = json.loads(capsys.readouterr().out)
    assert [r["results"] for r in trend["rounds"]] == [99, 80]


def test_an_online_run_copies_each_round_into_the_shared_store(
    recorded: Path, atlas_replay: ReplayServer, database: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    online.record_discovery_and_refdata(recorded, atlas_replay)
    results = online.record_measurements(recorded, atlas_replay)
    extra = f'model = false\nreport = false\n[store]\nurl = "{database}"\n'
    config = write_config(tmp_path / "config.toml",
                          online.config_text(tmp_path, atlas_replay, extra))  # fmt: skip
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", online.KEY)
    assert main(["--config", str(config), "run"]) == ExitCode.OK
    assert main(["--config", str(config), "run"]) == ExitCode.OK  # again: nothing twice
    with Store.open(load_settings(config, {}).store_path) as local:
        (only_round,) = local.rounds()
        kept = {r.key: r.raw for r in local.results()}
    with PgStore.open(database) as shared:
        assert shared.round_counts() == {only_round.round_id: 113}
        assert {r.key: r.raw for r in shared.results()} == kept
    assert len(kept) == sum(len(v) for v in results.values())


def test_a_shared_store_of_the_previous_schema_is_migrated_and_a_newer_one_refused(
    recorded: Path, database: str
) -> None:
    results = _results(recorded)
    with psycopg.connect(database, autocommit=True) as connection:  # as schema 2 left it
        connection.execute("CREATE TABLE ixpready_schema (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO ixpready_schema VALUES (2)")
        for migration in MIGRATIONS[:2]:
            for statement in migration.split(";"):
                if statement.strip():
                    connection.execute(statement.encode())
        for r in results:
            connection.execute(
                "INSERT INTO results (msm_id, prb_id, timestamp, raw, stored_at)"
                " VALUES (%s, %s, %s, %s, 0)",
                (r.key.msm_id, r.key.prb_id, r.key.timestamp, r.raw),
            )
    with PgStore.open(database) as shared:
        assert shared.schema_version == SCHEMA_VERSION == 5
        assert {r.key: r.raw for r in shared.results()} == {r.key: r.raw for r in results}
        assert len(shared.unassigned()) == 26
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute("UPDATE ixpready_schema SET version = 6")
    with pytest.raises(StoreError, match="store schema 6 is newer than this ixpready"):
        PgStore.open(database)


def test_the_channel_is_tls_checked_against_the_servers_ca(
    postgres: Postgres, tmp_path: Path
) -> None:
    with PgStore.open(postgres.url()) as shared:  # verify-full against the server's CA
        assert shared.schema_version == SCHEMA_VERSION
    with pytest.raises(AuthError, match="no encryption"):  # pg_hba: TLS or nothing
        PgStore.open(postgres.url(tls="disable"))
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    impostor = postgres.url().replace(str(postgres.ca_file), str(stranger))
    with pytest.raises(AuthError, match=r"TLS certificate was not accepted .*certificate verify"):
        PgStore.open(impostor)
