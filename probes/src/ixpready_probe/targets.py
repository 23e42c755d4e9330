"""Reads targets from the command line, a text file or an ixpready plan/inventory (JSON).

A text file has one name or address per line (`#` starts a comment). A JSON file may be a
list of strings, a list of objects, or an object holding such a list under `targets`,
`addresses` or `inventory`; an object names its target under `address`, `target`,
`dst_addr`, `ip` or `name` (the first present), as ixpready's plan and inventory files do.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from ixpready_probe.errors import TargetError
from ixpready_probe.packets import IPAddress

_KEYS = ("address", "target", "dst_addr", "ip", "name")


def read_target_file(path: Path) -> list[str]:
    """Returns the targets a file names, in file order. Raises TargetError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TargetError(f"cannot read targets file {path}: {exc.strerror}") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            return _from_json(json.loads(text), path)
        except json.JSONDecodeError as exc:
            raise TargetError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None
    names = []
    for line in text.splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return names


def _from_json(value: Any, path: Path) -> list[str]:
    if isinstance(value, dict):
        for key in ("targets", "addresses", "inventory", "measurements"):
            if isinstance(value.get(key), list):
                return _from_json(value[key], path)
        raise TargetError(f"{path}: no 'targets', 'addresses', 'inventory' or 'measurements' list")
    if not isinstance(value, list):
        raise TargetError(f"{path}: expected a list of targets")
    names: list[str] = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            names.append(item)
            continue
        if isinstance(item, dict):
            found = next((item[k] for k in _KEYS if isinstance(item.get(k), str)), None)
            if found is not None:
                names.append(found)
                continue
        raise TargetError(f"{path}: entry {index} names no target ({', '.join(_KEYS)})")
    return names


@dataclass(frozen=True, slots=True)
class Resolved:
    """A target name and its address, or why it has none."""

    name: str
    address: IPAddress | None
    error: str | None = None


def resolve(names: Iterable[str], af: int) -> list[Resolved]:
    """Returns each name with its first address of family `af` (4 or 6), in order.

    A name that does not resolve keeps its error text (Atlas writes it into the result).
    """
    resolved: list[Resolved] = []
    family = socket.AF_INET if af == 4 else socket.AF_INET6
    for name in dict.fromkeys(names):
        try:
            address = ip_address(name)
        except ValueError:
            pass
        else:
            resolved.append(Resolved(name, address))
            continue
        try:
            infos = socket.getaddrinfo(name, None, family, socket.SOCK_DGRAM)
        except (socket.gaierror, UnicodeError) as exc:
            reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
            resolved.append(Resolved(name, None, f"name resolution failed: {reason}"))
            continue
        text = str(infos[0][4][0]).split("%", 1)[0]
        resolved.append(Resolved(name, ip_address(text)))
    return resolved
