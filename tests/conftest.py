"""Shared test fixtures: the recorded real data in ../shared/fixtures, a clean environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.authdns import Nsd, start_nsd

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


@pytest.fixture(scope="session")
def recorded() -> Path:
    """Returns ../shared/fixtures (real data recorded by others); fails when it is missing."""
    if not (SHARED_FIXTURES / "README.md").is_file():
        pytest.fail(
            f"recorded fixtures not found at {SHARED_FIXTURES}: clone with ../shared beside"
        )
    return SHARED_FIXTURES


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keeps a developer's IXPREADY_* settings out of every test, and the machine's DNS
    resolvers too: no test asks a server beyond loopback (`rdns.servers` unset finds none;
    the reverse-DNS tests point it at the NSD fixture)."""
    import os

    import ixpready.sources.rdns

    for name in list(os.environ):
        if name.startswith("IXPREADY_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ixpready.sources.rdns, "RESOLV_CONF", "/nonexistent/ixpready-tests/resolv.conf")
    yield


@pytest.fixture(scope="session")
def nsd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nsd]:
    """A real authoritative DNS server (NSD) on 127.0.0.1 for the whole session (authdns.py)."""
    with start_nsd(tmp_path_factory.mktemp("nsd")) as running:
        yield running


# Property-based tests (hypothesis): `ci` (the default) is derandomized, so CI sees the same
# examples every run and stays fast; HYPOTHESIS_PROFILE=dev explores five times as many.
def _hypothesis_profiles() -> None:
    import os

    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "ci", max_examples=40, deadline=None, derandomize=True, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )  # fmt: skip
    settings.register_profile("dev", max_examples=200, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


_hypothesis_profiles()
