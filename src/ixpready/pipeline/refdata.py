"""`refdata update` and `refdata show`: download dated reference snapshots, say what is there.

Layout of the reference-data folder (read by `enrichment.snapshots`):

    peeringdb/<type>.json               ix, ixlan, ixpfx, netixlan, net, fac, netfac, poc
    rpki/vrps-YYYYMMDD.json             the configured validator's VRP export (rpki_vrps_url)
    ripestat/rpki-validation-*.json     or (rpki_vrps_url = "ripestat") RIPEstat's answer per route
    pfx2as-YYYYMMDD.txt                 CAIDA prefix2as lines: prefix<TAB>length<TAB>AS
    delegated-<rir>-extended-YYYYMMDD   RIR delegated-extended statistics, as published
    snapshot.json                       {"date": "YYYY-MM-DD", "country": ..., "files": [...]}

An update downloads everything into a hidden folder first and moves it in only when every
download succeeded; the files it replaces go to archive/<their date>/.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from ipaddress import ip_network
from pathlib import Path

from ixpready.config import Settings
from ixpready.errors import RefdataError
from ixpready.pipeline.atlas import registry_client
from ixpready.progress import Progress
from ixpready.sources.registries import (
    PEERINGDB_TYPES,
    READINESS_PEERINGDB_TYPES,
    RIRS,
    RegistryClient,
)

SNAPSHOT_FILE = "snapshot.json"
ALL_RIRS: tuple[str, ...] = RIRS  # afrinic, apnic, arin, lacnic, ripencc


@dataclass(frozen=True, slots=True)
class RefdataFile:
    """One file of the snapshot: its path inside the folder and its size in bytes."""

    name: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class RefdataStatus:
    """What a reference-data folder holds, from when, and how old that is in days."""

    folder: Path
    date: date | None
    age_days: int | None
    files: tuple[RefdataFile, ...]

    def as_text(self) -> str:
        """Returns the status for the terminal."""
        if self.date is None:
            return f"{self.folder}: no snapshot (run `ixpready refdata update`)"
        lines = [f"{self.folder}: snapshot of {self.date.isoformat()} ({self.age_days} days old)"]
        lines += [f"  {f.name}  {f.size_bytes:,} bytes" for f in self.files]
        return "\n".join(lines)


def _pfx2as_lines(routes: dict[str, set[int]]) -> list[str]:
    lines = []
    for prefix in sorted(routes, key=lambda p: (ip_network(p).version, ip_network(p))):
        network = ip_network(prefix, strict=False)
        origins = "_".join(str(a) for a in sorted(routes[prefix]))
        lines.append(f"{network.network_address}\t{network.prefixlen}\t{origins}\n")
    return lines


def update(
    settings: Settings,
    *,
    registry: RegistryClient | None = None,
    rirs: Sequence[str] = ALL_RIRS,
    today: date | None = None,
    on_progress: Progress | None = None,
    on_source: Callable[[str], None] | None = None,
) -> RefdataStatus:
    """Downloads a new snapshot into `settings.refdata_path`; returns its status.
    `on_source(label)` is called as each source starts ("PeeringDB ix", "RIR lacnic").

    Raises UnavailableError when a download fails (the previous snapshot stays untouched);
    offline, the first request fails at once (see `sources.registries`).
    """

    def starting(label: str) -> None:
        if on_source is not None:
            on_source(label)

    registry = registry or registry_client(settings)
    day = today or datetime.now(tz=UTC).date()
    stamp = f"{day:%Y%m%d}"
    folder = settings.refdata_path
    incoming = folder / f".incoming-{stamp}"
    if incoming.exists():
        shutil.rmtree(incoming)
    (incoming / "peeringdb").mkdir(parents=True)
    starting(f"RIPEstat: networks of {settings.country}")
    resources = registry.country_resources(settings.country)
    kinds = PEERINGDB_TYPES + READINESS_PEERINGDB_TYPES
    total = len(kinds) + len(resources.asns) + len(rirs) + 1
    step = 0

    def advance() -> None:
        nonlocal step
        step += 1
        if on_progress is not None:
            on_progress(step, total)

    for kind in kinds:
        starting(f"PeeringDB {kind}")
        (incoming / "peeringdb" / f"{kind}.json").write_bytes(registry.peeringdb(kind))
        advance()
    routes: dict[str, set[int]] = {}
    starting(f"RIPEstat: announced prefixes of {len(resources.asns)} networks")
    for asn in resources.asns:
        for prefix in registry.announced_prefixes(asn):
            routes.setdefault(str(ip_network(prefix, strict=False)), set()).add(asn)
        advance()
    (incoming / f"pfx2as-{stamp}.txt").write_text("".join(_pfx2as_lines(routes)))
    _rpki(settings, registry, routes, incoming, stamp)
    advance()
    for rir in rirs:
        starting(f"RIR statistics {rir}")
        (incoming / f"delegated-{rir}-extended-{stamp}").write_bytes(
            registry.delegated_extended(rir)
        )
        advance()
    _replace(folder, incoming)
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                   if p.is_file() and not _hidden_or_archived(p, folder))
    marker = {"date": day.isoformat(), "country": settings.country,
              "networks": len(resources.asns), "files": names}
    (folder / SNAPSHOT_FILE).write_text(json.dumps(marker, indent=1) + "\n")
    return show(settings, today=day)


def _rpki(
    settings: Settings,
    registry: RegistryClient,
    routes: dict[str, set[int]],
    incoming: Path,
    stamp: str,
) -> None:
    """Saves the validated ROA payloads of the configured validator, or (`ripestat`)
    RIPEstat's rpki-validation answer for each announced route (for `readiness`)."""
    if not settings.registries.rpki_vrps_url:
        return
    if settings.registries.rpki_vrps_url != "ripestat":
        (incoming / "rpki").mkdir()
        (incoming / "rpki" / f"vrps-{stamp}.json").write_bytes(
            registry.vrp_export(settings.registries.rpki_vrps_url)
        )
        return
    (incoming / "ripestat").mkdir()
    for prefix in sorted(routes):
        for asn in sorted(routes[prefix]):
            name = prefix.replace("/", "_").replace(":", "-")
            (incoming / "ripestat" / f"rpki-validation-AS{asn}-{name}.json").write_bytes(
                registry.rpki_validation(asn, prefix)
            )


def _hidden_or_archived(path: Path, folder: Path) -> bool:
    first = path.relative_to(folder).parts[0]
    return first.startswith(".") or first == "archive"


def _replace(folder: Path, incoming: Path) -> None:
    """Moves the previous snapshot to archive/<date>/ and the incoming files into place."""
    previous = folder / SNAPSHOT_FILE
    if previous.is_file():
        try:
            old_date = str(json.loads(previous.read_text()).get("date") or "undated")
        except (json.JSONDecodeError, AttributeError):
            old_date = "undated"
        archive = folder / "archive" / old_date
        archive.mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.name == "archive":
                continue
            target = archive / path.name
            if target.exists():
                shutil.rmtree(target) if target.is_dir() else target.unlink()
            path.rename(target)
    for path in sorted(incoming.iterdir()):
        target = folder / path.name
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        path.rename(target)
    incoming.rmdir()


def show(settings: Settings, *, today: date | None = None) -> RefdataStatus:
    """Returns what the reference-data folder holds and how old it is.

    Raises RefdataError when snapshot.json is damaged.
    """
    folder = settings.refdata_path
    marker = folder / SNAPSHOT_FILE
    if not marker.is_file():
        return RefdataStatus(folder, None, None, ())
    try:
        info = json.loads(marker.read_text())
        day = date.fromisoformat(str(info["date"]))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise RefdataError(
            f"{marker}: not a snapshot date file", hint="run `ixpready refdata update` again"
        ) from None
    files = tuple(
        RefdataFile(str(p.relative_to(folder)), p.stat().st_size)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not _hidden_or_archived(p, folder) and p.name != SNAPSHOT_FILE
    )
    age = ((today or datetime.now(tz=UTC).date()) - day).days
    return RefdataStatus(folder, day, age, files)
