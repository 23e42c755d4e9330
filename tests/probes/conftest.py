"""Fixtures for the probe's tests: a namespace lab per module (removed afterwards)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from ixpready_probe.lab import Lab

_labs = itertools.count(1)


def _require_root_and_ip() -> None:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.fail("the probe's namespace tests need root and iproute2 (.ci/run provides both)")


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    """Returns a freshly built namespace topology, removed when the module's tests end."""
    _require_root_and_ip()
    built = Lab(tag=f"ixp{os.getpid()}m{next(_labs)}")
    with built:
        yield built
    leftovers = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert built.tag not in leftovers


