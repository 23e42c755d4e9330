"""The job runner's one way to the store: a job gets the store its runner opened.

`ixpready run` takes the lock and opens the store once (`run.run`), then hands that open
store to every step (`job_store=`). A step called on its own (`ixpready fetch`, `measure`,
`prune`, ...) gets None and opens the store itself, through the same helper, for as long as
it needs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ixpready.config import Settings
from ixpready.measurements.store import Store


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
