"""Helpers for the probe's tests: run the probe as a subprocess, read its output.

The probe (scapy, GPL-2.0-only) always runs in its own process, never in pytest's, which
also loads ripe.atlas.sagan and ixpready (GPLv3).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PROBE = [sys.executable, "-m", "ixpready_probe"]


def run_probe(
    args: Sequence[str], *, prefix: Sequence[str] = (), timeout_s: float = 300
) -> subprocess.CompletedProcess[str]:
    """Runs `ixpready-probe ARGS` (inside `prefix`, e.g. `ip netns exec NS`); returns it."""
    return subprocess.run(
        [*prefix, *PROBE, *args], capture_output=True, text=True, timeout=timeout_s,
        check=False,
    )


def lines(path: Path) -> list[dict[str, Any]]:
    """Returns the JSON results of a probe output file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
