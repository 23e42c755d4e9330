"""Text bound for a terminal: control characters (escape sequences, bells, CR) removed."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 range (8-bit CSI and friends).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(value: object) -> str:
    """Returns `str(value)` without control characters, so it cannot drive the terminal."""
    return _CONTROL.sub("", str(value))
