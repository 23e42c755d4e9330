"""Text bound for a terminal: the one sanitiser (`report.sanitize.clean`) under its old name."""

from __future__ import annotations

from ixpready.report.sanitize import clean as terminal_safe

__all__ = ["terminal_safe"]
