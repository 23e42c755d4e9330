"""The probe's errors: one line for the operator, a hint with the fix, an exit code.

ProbeError (exit 1)
├── UsageError       (2) a command line that cannot be acted on
├── TargetError      (3) a target file that cannot be read, a name that does not resolve
├── RawSocketError   (4) raw sockets not permitted: the setcap line, or run as root
└── NoRouteError     (6) the host has no route to a target (or cannot send to it)
"""

from __future__ import annotations

import os
import sys


class ProbeError(Exception):
    """Root of every error the probe raises on purpose."""

    exit_code = 1
    default_hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint or self.default_hint


class UsageError(ProbeError):
    exit_code = 2


class TargetError(ProbeError):
    exit_code = 3


class RawSocketError(ProbeError):
    exit_code = 4

    def __init__(self, detail: str) -> None:
        interpreter = os.path.realpath(sys.executable)
        super().__init__(
            f"raw sockets are not permitted ({detail})",
            hint=(
                "run as root, or once: sudo setcap cap_net_raw+ep "
                f"{interpreter} (best in the probe's own venv made with --copies, so only "
                "the probe gets the capability; see docs/probe.md)"
            ),
        )


class NoRouteError(ProbeError):
    exit_code = 6
    default_hint = "check the host's routes (ip route get ADDRESS) and that the target is reachable"
