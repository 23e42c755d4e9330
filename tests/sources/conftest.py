"""Fixtures of the sources tests: the HTTPS replay server (see replay.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sources.replay import KEY, ReplayServer, replay_server


@pytest.fixture
def atlas_replay(tmp_path: Path) -> Iterator[ReplayServer]:
    """An HTTPS server on 127.0.0.1 answering only recorded requests."""
    yield from replay_server(tmp_path)


@pytest.fixture
def configured(tmp_path: Path, atlas_replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private config file pointing RIPE Atlas and the registries at the replay server."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'country = "AT"\ndata_dir = "{tmp_path / "data"}"\n'
        f'[atlas]\nserver = "{atlas_replay.host_port}"\nca_file = "{atlas_replay.ca_file}"\n'
        "timeout_s = 2\nretries = 2\nbackoff_s = 0.01\n"
        f'[registries]\npeeringdb_url = "{atlas_replay.base_url}"\n'
        f'ripestat_url = "{atlas_replay.base_url}"\n'
        f'rir_stats_url = "{atlas_replay.base_url}/pub/stats"\n'
    )
    config.chmod(0o600)
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", KEY)
    return config
