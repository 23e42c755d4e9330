"""Runs the operators' probe (`ixpready-probe`, a separate program) and reads its result files.

The probe holds the raw sockets and uses scapy (GPL-2.0-only), so it never runs in this
process: this module starts it as a subprocess, translates its exit codes and one-line
errors into the IxpreadyError tree (keeping its hint), and reads what it wrote with the
same reader as RIPE Atlas results.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ixpready.errors import (
    ConfigError,
    InputError,
    IxpreadyError,
    UnavailableError,
    UsageError,
)
from ixpready.measurements.parse import Outcome, read_results

PROGRAM = "ixpready-probe"
INSTALL_HINT = "bash scripts/install.sh installs ixpready-probe next to ixpready"
SETCAP_HINT = (
    "run the probe as root, or once: sudo setcap cap_net_raw+ep "
    "\"$(readlink -f /path/to/the/probe's/venv/bin/python3)\""
)

# The probe's exit codes (probes/src/ixpready_probe/cli.py) and what each means here.
_EXIT_ERRORS: dict[int, type[IxpreadyError]] = {
    2: UsageError,
    3: InputError,
    4: ConfigError,  # raw sockets not permitted: a setup step is missing
    6: UnavailableError,
}


@dataclass(frozen=True, slots=True)
class ProbeRun:
    """One finished run of the probe: its command line, result file, report line, duration,
    and its warnings (targets that could not be traced; each is also an error result)."""

    command: tuple[str, ...]
    output: Path
    report: str
    duration_s: float
    warnings: tuple[str, ...] = ()


def default_command() -> tuple[str, ...]:
    """Returns the command that starts the probe: the one beside this Python, else on PATH.

    Raises ConfigError when the probe is not installed.
    """
    beside = Path(sys.executable).parent / PROGRAM
    if beside.is_file():
        return (str(beside),)
    found = shutil.which(PROGRAM)
    if found is None:
        raise ConfigError(f"the probe program {PROGRAM} is not installed", hint=INSTALL_HINT)
    return (found,)


def run_probe(
    subcommand: str,
    arguments: Sequence[str],
    output: Path,
    *,
    command: Sequence[str] | None = None,
    timeout_s: float = 6 * 3600,
) -> ProbeRun:
    """Runs `ixpready-probe SUBCOMMAND ARGUMENTS --out OUTPUT`; returns how it went.

    `command` replaces the program (e.g. `sudo -n /opt/ixpready-probe/bin/ixpready-probe`).
    Raises UsageError, InputError, ConfigError (raw sockets not permitted) or
    UnavailableError (no route, timed out) with the probe's own message and hint.
    """
    program = tuple(command) if command else default_command()
    full = (*program, subcommand, *arguments, "--out", str(output))
    started = time.monotonic()
    try:
        done = subprocess.run(
            full, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except FileNotFoundError:
        raise ConfigError(f"cannot start the probe: {program[0]} not found",
                          hint=INSTALL_HINT) from None
    except PermissionError:
        raise ConfigError(f"cannot start the probe: {program[0]} is not executable",
                          hint=INSTALL_HINT) from None
    except subprocess.TimeoutExpired:
        raise UnavailableError(
            f"the probe did not finish within {timeout_s:.0f} s",
            hint="trace fewer targets, raise --pps, or set the probe's --deadline",
        ) from None
    if done.returncode != 0:
        raise _translate(done.returncode, done.stderr)
    if not output.is_file():
        raise IxpreadyError(f"the probe exited 0 but wrote no {output}")
    warnings = tuple(
        line.removeprefix(f"{PROGRAM}: warning: ")
        for line in done.stderr.splitlines()
        if line.startswith(f"{PROGRAM}: warning: ")
    )
    return ProbeRun(full, output, done.stdout.strip(), time.monotonic() - started, warnings)


def _translate(code: int, stderr: str) -> IxpreadyError:
    """Returns the IxpreadyError for a failed probe run, from its exit code and stderr."""
    message = hint = None
    for line in stderr.splitlines():
        if line.startswith(f"{PROGRAM}: error: "):
            message = line.removeprefix(f"{PROGRAM}: error: ")
        elif line.startswith(f"{PROGRAM}: hint: "):
            hint = line.removeprefix(f"{PROGRAM}: hint: ")
    if message is None:
        last = stderr.strip().splitlines()[-1:] or [""]
        message = f"exited with code {code}" + (f": {last[0]}" if last[0] else "")
    kind = _EXIT_ERRORS.get(code, IxpreadyError)
    if kind is ConfigError and hint is None:
        hint = SETCAP_HINT
    return kind(f"probe: {message}", hint=hint)


def read_probe_results(path: Path) -> list[Outcome]:
    """Returns every outcome (results, malformed, skipped) in a probe result file.

    Raises InputError when the file cannot be opened.
    """
    try:
        return list(read_results(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read probe results ({exc.strerror})") from None


def raw_socket_grant(command: Sequence[str]) -> str | None:
    """Returns how the probe `command` would get raw sockets ("root", "cap_net_raw on
    /path/python3"), or None when it would not: neither root nor a file capability on the
    interpreter its script starts. Opens no socket and runs nothing."""
    if os.geteuid() == 0:
        return "root"
    program = Path(command[0])
    interpreter = program
    try:
        first = program.read_bytes()[:256].split(b"\n", 1)[0]
    except OSError:
        return None
    if first.startswith(b"#!"):
        words = first[2:].decode("utf-8", "replace").split()
        interpreter = Path(words[0]) if words else program
    resolved = interpreter.resolve()
    try:
        if os.getxattr(resolved, "security.capability"):
            return f"a file capability on {resolved}"
    except OSError:
        pass
    return None
