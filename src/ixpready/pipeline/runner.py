"""The job runner's lock and its one way to the store: a job gets the store its runner opened.

`ixpready run`, `export`, `upload` and `prune` (their wiring: `pipeline/run.py`) hold the job
lock (an flock on `run.lock_file`: one at a time; a second start raises LockedError) and open
and check the store once (`run_job`; `local_store` for the jobs that only read rounds, which
create no local store on a host whose results live in the shared one); every step gets that
open store. `doctor` opens the store once through `open_job_store`, without the lock (it only
reads, and must answer while a run holds the lock). A command run on its own (`ixpready
fetch`, `measure`, ...: `pipeline/commands.py`) opens the store once through `store_of`.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ixpready.config import Settings
from ixpready.errors import LockedError
from ixpready.measurements.store import Store

LOCK_POLL_S = 1.0  # how often a job waiting for the lock tries again


def _take(descriptor: int, wait_s: float) -> bool:
    """Takes the exclusive flock, trying again every `LOCK_POLL_S` for up to `wait_s`."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(LOCK_POLL_S, left))


@contextmanager
def job_lock(path: Path, wait_s: float = 0.0) -> Iterator[None]:
    """Holds the job lock for the duration of the block (an exclusive flock on `path`).

    `wait_s`: how long to wait for another holder to finish (0: not at all). Raises
    LockedError when another process still holds it then; the kernel releases it when the
    holder exits, however it exits.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _take(descriptor, wait_s):
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "?"
            waited = f" (waited {wait_s:g} s)" if wait_s > 0 else ""
            raise LockedError(
                f"{path}: another ixpready run holds the lock (pid {holder}){waited}",
                hint="wait for it to finish; the lock is freed when that process ends, "
                "even if it is killed",
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)


def lock_holder(path: Path) -> int | None:
    """Returns the pid of the run holding the lock at `path`, or None when it is free."""
    if not path.is_file():
        return None
    descriptor = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(descriptor, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else 0
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return None
    finally:
        os.close(descriptor)


@contextmanager
def store_of(settings: Settings, job_store: Store | None) -> Iterator[Store]:
    """Yields `job_store` when the runner opened it (and leaves it open), else the store of
    `settings` opened for the block. Raises StoreError for a damaged or unreadable store."""
    if job_store is not None:
        yield job_store
        return
    with Store.open(settings.store_path) as store:
        yield store


@contextmanager
def open_job_store(settings: Settings) -> Iterator[Store]:
    """Opens and checks the store of `settings` for a whole job (the caller holds the job
    lock): a damaged store stops the job before anything is written to it. Raises StoreError."""
    with Store.open(settings.store_path) as store:
        store.verify()
        yield store


@contextmanager
def local_store(settings: Settings) -> Iterator[Store | None]:
    """Opens and checks the local store of a job that reads rounds (`trend`, `prune`) for the
    block; yields None, creating nothing, on a host whose results live in the shared store
    (`store.url`) and that has no local store. Raises StoreError."""
    if settings.store.url and not settings.store_path.is_file():
        yield None
        return
    with open_job_store(settings) as store:
        yield store


@contextmanager
def run_job(settings: Settings, wait_s: float = 0.0) -> Iterator[Store]:
    """The job runner: holds the job lock and yields the store, opened and checked once, for
    the whole job. `wait_s`: how long to wait for a job holding the lock (see `job_lock`).
    Raises LockedError when another job holds the lock, StoreError for a damaged store
    (before anything is written to it)."""
    with job_lock(settings.lock_path, wait_s), open_job_store(settings) as store:
        yield store
