"""Fixtures of the jobs tests: the HTTPS replay server and the simulated scenario's files."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ixpready.demo.scenario import ScenarioFiles, write_scenario
from jobs.postgres import Postgres, start_postgres
from sources.replay import ReplayServer, replay_server


@pytest.fixture
def atlas_replay(tmp_path: Path) -> Iterator[ReplayServer]:
    """An HTTPS server on 127.0.0.1 answering only recorded requests."""
    yield from replay_server(tmp_path)


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> ScenarioFiles:
    """The simulated Guatemala scenario (two rounds six hours apart), written once."""
    return write_scenario(tmp_path_factory.mktemp("scenario"))


def write_config(path: Path, text: str) -> Path:
    """Writes a private config file (ixpready warns about readable ones) and returns it."""
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def offline_config(folder: Path, scenario: ScenarioFiles, extra: str = "") -> Path:
    """Returns a config for an offline run on the scenario's files, six-hour rounds."""
    results = ", ".join(f'"{p}"' for p in scenario.results)
    return write_config(
        folder / "config.toml",
        f'country = "GT"\ndata_dir = "{folder / "data"}"\n'
        f'[refdata]\ndir = "{scenario.refdata}"\n'
        f'[run]\nresults = [{results}]\nprobes_file = "{scenario.probes}"\n'
        f'rdns_file = "{scenario.rdns}"\nmodel = false\nreport = false\n'
        f'[rounds]\nperiod = "6h"\n{extra}',
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A real PostgreSQL server on 127.0.0.1 for the whole session (see postgres.py)."""
    yield from start_postgres()


@pytest.fixture
def database(postgres: Postgres) -> Iterator[str]:
    """A fresh, empty database on the server; yields its admin URL."""
    name = "t_" + uuid.uuid4().hex[:12]
    postgres.admin(f"CREATE DATABASE {name}", database="postgres")
    yield postgres.url(database=name)
    postgres.admin(f"DROP DATABASE {name} WITH (FORCE)", database="postgres")
