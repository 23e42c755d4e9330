"""`ixpready upload`: a probe host's spool of results into the shared PostgreSQL store.

The channel is PostgreSQL itself (`store.url`): authenticated by the server (a role per probe
host, SCRAM password, TLS with `sslmode=verify-full`), and exactly-once by the results' key:
`INSERT ... ON CONFLICT DO NOTHING` on (msm_id, prb_id, timestamp), so a file sent twice, or
the same result sent by two hosts, is stored once. Each spool file goes in one transaction;
only after the server committed it is the file recorded in the local store (name and
SHA-256 of its content), so a failure or a kill at any point is resumed by running again,
and a file the probe rewrote is sent again (its known results change nothing).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from ixpready.config import Secret, StoreSettings, UploadSettings
from ixpready.errors import ConfigError, InputError
from ixpready.measurements.parse import parse_lines
from ixpready.measurements.records import Malformed, Skipped
from ixpready.measurements.store import Store, StoredResult
from ixpready.progress import Progress

SPOOL_SUFFIXES = (".jsonl", ".json")


def read_records(path: Path, data: bytes) -> tuple[list[StoredResult], list[Malformed]]:
    """Returns the results of a results document (JSON lines, a JSON array or an API page),
    each with its raw record verbatim (array elements re-serialised compactly), and the
    records that are not results, named `file:line` or `file[index]`.

    A document that cannot be decoded whole is read line by line.
    """
    records: list[tuple[str, bytes]] = []
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        document = None
        for number, line in enumerate(data.split(b"\n"), start=1):
            if line.strip():
                records.append((f"{path.name}:{number}", line.strip()))
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        document = document["results"]
    if isinstance(document, list):
        records = [(f"{path.name}[{i}]", orjson.dumps(v)) for i, v in enumerate(document)]
    elif document is not None:
        records = [(path.name, data.strip())]
    good: list[StoredResult] = []
    bad: list[Malformed] = []
    for where, raw in records:
        text = raw.decode("utf-8", errors="replace")
        for outcome in parse_lines([text], where):
            if isinstance(outcome, Malformed):
                bad.append(Malformed(where, outcome.reason, text))
            elif not isinstance(outcome, Skipped):
                good.append(StoredResult(outcome.key, text))
    return good, bad


def spool_dir(settings: UploadSettings, data_dir: Path) -> Path:
    """Returns the probe's spool folder (upload.spool_dir, default <data_dir>/spool)."""
    return settings.spool_dir or data_dir / "spool"


def spool_files(folder: Path) -> tuple[Path, ...]:
    """Returns the finished result files of a spool folder, oldest name first (files being
    written are hidden: `.name.part`)."""
    if not folder.is_dir():
        raise InputError(
            f"{folder}: no such spool folder",
            hint="set upload.spool_dir to the probe's --spool folder",
        )
    return tuple(sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix in SPOOL_SUFFIXES
    ))  # fmt: skip


@dataclass(frozen=True, slots=True)
class UploadSummary:
    """What an upload did: files sent now or before, results new to the server, quarantined."""

    destination: str
    files: int
    sent: int
    already: int
    results_sent: int
    results_new: int
    quarantined: int

    def as_text(self) -> str:
        """Returns the summary for the terminal."""
        return (
            f"{self.destination}: {self.sent} files sent now, {self.already} before; "
            f"{self.results_new} new results ({self.results_sent - self.results_new} the "
            f"store had), {self.quarantined} unreadable records quarantined there"
        )


def shared_url(settings: StoreSettings) -> Secret:
    """Returns the shared store's URL (`store.url`). Raises ConfigError when it is not set."""
    if not settings.url:
        raise ConfigError(
            "store.url is not set: there is no shared store to upload to",
            hint='set store.url = "postgresql://USER@HOST/DB?sslmode=verify-full" '
            "(see docs/jobs.md)",
        )
    return settings.url


def upload(
    ledger: Store, url: Secret, files: Sequence[Path], *, on_progress: Progress | None = None
) -> UploadSummary:
    """Sends every spool file (`files`, see `spool_files`) not yet sent whole to the shared
    store at `url`, recording each in `ledger` (the local store the job runner opened);
    returns the summary.

    Raises the shared store's errors (UnavailableError, AuthError): what was committed stays
    recorded.
    """
    from ixpready.measurements.store_pg import PgStore, describe  # psycopg only when used

    sent = already = results_sent = results_new = quarantined = 0
    with PgStore.open(url.reveal()) as shared:
        for done, path in enumerate(files, start=1):
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if ledger.uploaded(path.name, digest):
                already += 1
                continue
            good, bad = read_records(path, data)
            results_new += shared.add_results(good)  # one transaction: all or nothing
            quarantined += shared.quarantine(bad)
            results_sent += len(good)
            ledger.record_upload(path.name, digest, len(good), int(time.time()))
            sent += 1
            if on_progress is not None:
                on_progress(done, len(files))
    return UploadSummary(
        destination=describe(url.reveal()),
        files=len(files),
        sent=sent,
        already=already,
        results_sent=results_sent,
        results_new=results_new,
        quarantined=quarantined,
    )
