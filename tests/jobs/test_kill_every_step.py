"""`ixpready run` killed with SIGKILL at the start of every step that writes, with its local
SQLite store (measurement ids, plans, runs) and a real PostgreSQL shared store (results), then
run to the end: nothing asked of RIPE Atlas twice, every measurement id and result stored
once (in both stores), every killed run marked "killed", and the key nowhere on disk. (Kills at random moments inside steps:
test_run_killed.py; fetch: tests/sources/test_fetch_killed.py; prune: test_retention.py;
upload: test_shared_store.py.)"""

from __future__ import annotations

import json
import signal
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ixpready.config import load_settings
from ixpready.measurements.store import MeasurementState, Store
from ixpready.measurements.store_pg import PgStore
from jobs import online
from jobs.conftest import write_config
from jobs.postgres import Postgres
from jobs.test_run_killed import Child
from sources.replay import ReplayServer

STEPS = ("discover", "refdata", "plan", "measure", "fetch")  # inside analyze, model, report:
# test_run_killed.py; inside prune: test_retention.py


def test_a_run_killed_at_every_step_resumes_with_nothing_lost_or_doubled(
    recorded: Path, atlas_replay: ReplayServer, tmp_path: Path, database: str
) -> None:
    online.record_discovery_and_refdata(recorded, atlas_replay)
    results = online.record_measurements(recorded, atlas_replay)
    extra = f'model = false\nreport = false\n[store]\nurl = "{database}"\n'
    config = write_config(tmp_path / "config.toml",
                          online.config_text(tmp_path, atlas_replay, extra))  # fmt: skip
    killed = 0
    for step in STEPS:
        child = Child(config)
        if child.wait_for(f"run: {step}") and child.process.poll() is None:
            killed += child.kill() == -signal.SIGKILL
        else:
            child.finish()
    assert killed >= len(STEPS) - 1  # a kill may land just as the child ends
    final = Child(config)
    assert final.finish() in (0, 7), final.lines[-5:]

    posts = [json.loads(s.body)["definitions"][0]["description"]
             for s in atlas_replay.seen if s.method == "POST"]  # fmt: skip
    assert len(posts) == len(set(posts))  # no plan item asked for twice
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        rows = store.measurements()
        ids = [r.msm_id for r in rows if r.msm_id is not None]
        unknown = [r for r in rows if r.state is MeasurementState.SUBMITTING]
        local = {r.key: r.raw for r in store.results()}
    assert len(ids) == len(set(ids)) and len(ids) + len(unknown) == online.ITEMS
    expected = {(r["msm_id"], r["prb_id"], r["timestamp"]) for m in ids for r in results[m]}
    assert {(k.msm_id, k.prb_id, k.timestamp) for k in local} == expected  # each once
    with PgStore.open(database) as store:
        kept = {r.key: r.raw for r in store.results()}
    assert kept == local  # the shared store got each of them once too
    with sqlite3.connect(settings.store_path) as db:
        outcomes = [o for (o,) in db.execute("SELECT outcome FROM runs ORDER BY id")]
    assert outcomes.count("running") == 0 and outcomes.count("killed") == killed
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            assert online.KEY.encode() not in path.read_bytes(), path


@pytest.fixture
def database(postgres: Postgres) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server (see test_shared_store)."""
    name = "k_" + uuid.uuid4().hex[:12]
    postgres.admin(f"CREATE DATABASE {name}", database="postgres")
    yield postgres.url(database=name)
    postgres.admin(f"DROP DATABASE {name} WITH (FORCE)", database="postgres")
