"""The probe's errors: one line for the operator, a hint with the fix, an exit code.

ProbeError (exit 1)
├── UsageError       (2) a command line that cannot be acted on
├── TargetError      (3) a target file that cannot be read, a name that does not resolve
├── RawSocketError   (4) raw sockets not permitted: the setcap line, or run as root
└── NoRouteError     (6) the host has no route to a target (or cannot send to it)
"""

from __future__ import annotations


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
    default_hint = (
        "traceroutes need raw sockets: run as root, or grant the probe's interpreter the "
        'capability once: sudo setcap cap_net_raw+ep "$(readlink -f $(command -v python3))" '
        "(use the python3 of the probe's own virtualenv)"
    )

    def __init__(self, detail: str) -> None:
        super().__init__(f"raw sockets are not permitted ({detail})")


class NoRouteError(ProbeError):
    exit_code = 6
    default_hint = "check the host's routes (ip route get ADDRESS) and that the target is reachable"
