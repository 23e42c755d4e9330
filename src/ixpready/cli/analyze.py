"""`ixpready analyze` and `ixpready demo` (filled in by the foundation work)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Adds the `analyze` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "analyze", help="judge traceroute paths"
    )
    parser.set_defaults(handler=lambda args: 0)
