"""Writes result files atomically (write, fsync, rename), so a killed probe never leaves half a file."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ixpready_probe.errors import UsageError


def write_results(path: Path, results: Iterable[dict[str, Any]]) -> Path:
    """Writes one JSON result per line to `path` atomically; returns `path`.

    Raises UsageError when the folder cannot be written.
    """
    return _write(path, (json.dumps(r, separators=(",", ":")) + "\n" for r in results))


def write_json(path: Path, value: object) -> Path:
    """Writes one JSON document to `path` atomically; returns `path`."""
    return _write(path, [json.dumps(value, sort_keys=True, indent=1) + "\n"])


def _write(path: Path, chunks: Iterable[str]) -> Path:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise UsageError(
            f"cannot write results to {folder}: {exc.strerror}",
            hint="choose a writable --out file or --spool folder",
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            for chunk in chunks:
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return path


def spool_path(spool: Path, kind: str, now: float | None = None) -> Path:
    """Returns a new file name in the spool folder: `<kind>-<UTC time>-<pid>.jsonl`."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    return spool / f"{kind}-{stamp}-{os.getpid()}.jsonl"
