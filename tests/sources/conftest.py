"""Fixtures of the sources tests: the HTTPS replay server (see replay.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sources.replay import ReplayServer, replay_server


@pytest.fixture
def atlas_replay(tmp_path: Path) -> Iterator[ReplayServer]:
    """An HTTPS server on 127.0.0.1 answering only recorded requests."""
    yield from replay_server(tmp_path)
