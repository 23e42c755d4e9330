"""Offline, `refdata update` stops at once with one line, after saying which source it was
fetching; a refused connection is not retried (a dropped answer still is, see
test_registries)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.errors import UnavailableError
from ixpready.sources.registries import RegistryClient


def _closed_port() -> int:
    """Returns a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_fails_without_retrying() -> None:
    waits: list[float] = []
    port = _closed_port()
    client = RegistryClient(peeringdb_url=f"http://127.0.0.1:{port}", attempts=4,
                            backoff_s=2.0, sleep=waits.append)  # fmt: skip
    with pytest.raises(UnavailableError, match=r"cannot connect \(no connection could be opened\)"):
        client.peeringdb("ix")
    assert waits == []  # before: 2 + 4 + 8 s of silent backoff


def test_refdata_update_offline_names_the_source_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _closed_port()
    for key in ("PEERINGDB_URL", "RIPESTAT_URL", "RIR_STATS_URL"):
        monkeypatch.setenv(f"IXPREADY_REGISTRIES_{key}", f"https://127.0.0.1:{port}")
    monkeypatch.setenv("IXPREADY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IXPREADY_ATLAS_BACKOFF_S", "30")  # a retry would hang the test
    code = main(["refdata", "update"])
    err = capsys.readouterr().err
    assert code == 6
    lines = err.splitlines()
    assert lines[0] == "ixpready: refdata: RIPEstat: networks of GT"
    assert lines[1].startswith(f"ixpready: error: https://127.0.0.1:{port}/")
    assert "cannot connect" in lines[1] and "no network connection?" in err
    assert not (tmp_path / "refdata" / "snapshot.json").exists()
