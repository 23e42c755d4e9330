"""`refdata update` and `refdata show`: the jobs. They wire the reference folder and
`[registries]` to `refdata.update` (the folder's layout, staging and archiving, what a folder
holds) and to the registry client of `sources.registries` (the downloads); the reading is
`refdata.snapshots`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from ixpready.config import RegistriesSettings
from ixpready.progress import Progress
from ixpready.refdata.update import RefdataStatus, download_snapshot, snapshot_status
from ixpready.sources.registries import (
    PEERINGDB_TYPES,
    READINESS_PEERINGDB_TYPES,
    RIRS,
    RegistryClient,
)

ALL_RIRS: tuple[str, ...] = RIRS  # afrinic, apnic, arin, lacnic, ripencc


def update(
    folder: Path,
    *,
    country: str,
    registries: RegistriesSettings,
    registry: RegistryClient,
    rirs: Sequence[str] = ALL_RIRS,
    today: date | None = None,
    on_progress: Progress | None = None,
    on_source: Callable[[str], None] | None = None,
) -> RefdataStatus:
    """Downloads a new snapshot of `country` into `folder` (`refdata.dir`) through `registry`
    (`[registries]`: where the VRPs come from); returns its status.
    `on_source(label)` is called as each source starts ("PeeringDB ix", "RIR lacnic").

    Raises UnavailableError when a download fails (the previous snapshot stays untouched);
    offline, the first request fails at once (see `sources.registries`).
    """
    day = today or datetime.now(tz=UTC).date()
    download_snapshot(
        folder,
        registry,
        country=country,
        peeringdb_types=PEERINGDB_TYPES + READINESS_PEERINGDB_TYPES,
        rirs=rirs,
        rpki_vrps_url=registries.rpki_vrps_url,
        day=day,
        on_progress=on_progress,
        on_source=on_source,
    )
    return show(folder, today=day)


def show(folder: Path, *, today: date | None = None) -> RefdataStatus:
    """Returns what the reference-data folder (`refdata.dir`) holds and how old it is.

    Raises RefdataError when snapshot.json is damaged.
    """
    return snapshot_status(folder, today=today)
