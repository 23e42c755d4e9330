"""`ixpready doctor`: is this machine set up for the job? Reference data (age, coverage,
files not recognised), the store, the RIPE Atlas key (present or not; never shown), the
operators' probe (installed, raw sockets), and the PDF renderer — each with what to do.

Nothing is downloaded and no socket is opened: every check reads local files and settings.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import ixpready.kernels as kernels
from ixpready.config import AtlasSettings, RunSettings, StoreSettings
from ixpready.errors import ConfigError, IxpreadyError, StoreError
from ixpready.measurements.store import Store
from ixpready.pipeline import refdata
from ixpready.refdata.snapshots import RoutedPrefixes, load_snapshot
from ixpready.sources.probe import SETCAP_HINT, default_command, raw_socket_grant


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"  # something works less well or is missing for a later step
    FAIL = "fail"  # the main job (analyse and report) cannot run


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: what was checked, how it stands, the facts, and what to do."""

    name: str
    status: Status
    detail: str
    action: str = ""


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """Every check, in the order a new user sets things up."""

    checks: tuple[Check, ...]

    @property
    def blocked(self) -> bool:
        """Returns True when a check failed: the main job cannot run as set up."""
        return any(c.status is Status.FAIL for c in self.checks)

    def as_text(self) -> str:
        """Returns one line per check (and one per action), then the verdict."""
        lines = []
        for check in self.checks:
            lines.append(f"[{check.status.value:>4}] {check.name}: {check.detail}")
            if check.action:
                lines.append(f"       -> {check.action}")
        failed = sum(c.status is Status.FAIL for c in self.checks)
        warned = sum(c.status is Status.WARN for c in self.checks)
        lines.append(
            f"{failed} blocking, {warned} to look at"
            if failed or warned
            else "all set: `ixpready run` (or `ixpready demo`) can start"
        )
        return "\n".join(lines)


def _refdata(folder: Path, country: str, run: RunSettings, today: date) -> list[Check]:
    update = "ixpready refdata update (PeeringDB, RIPEstat, RIR statistics)"
    if not folder.is_dir() or not any(folder.iterdir()):
        return [Check("reference data", Status.FAIL, f"nothing in {folder}",
                      f"{update}; or place the files README lists there")]  # fmt: skip
    checks = []
    try:
        status = refdata.show(folder, today=today)
    except IxpreadyError as exc:
        status = None
        checks.append(Check("reference data age", Status.WARN, str(exc), update))
    if status is not None and status.date is None:
        checks.append(Check("reference data age", Status.WARN,
                            f"{folder}: no snapshot.json, date unknown", update))  # fmt: skip
    elif status is not None and status.age_days is not None:
        stale = status.age_days > run.refdata_max_age_days
        checks.append(Check(
            "reference data age", Status.WARN if stale else Status.OK,
            f"snapshot of {status.date} ({status.age_days} days old; "
            f"limit {run.refdata_max_age_days})", update if stale else "",
        ))  # fmt: skip
    try:
        snapshot = load_snapshot(folder)
    except IxpreadyError as exc:
        checks.append(Check("reference data coverage", Status.FAIL, str(exc), exc.hint or update))
        return checks
    home = country
    home_asns = {asn for asn, cc in snapshot.asn_countries.items() if cc == home}
    routed = snapshot.routed
    pairs = routed.pairs() if isinstance(routed, RoutedPrefixes) else (
        (r.prefix, r.origins) for r in routed)  # fmt: skip
    routed_asns = {asn for _, origins in pairs for asn in origins}
    covered = home_asns & routed_asns
    home_ixps = [ix for ix in snapshot.ixs.values() if ix.country == home]
    detail = (f"{len(snapshot.routed):,} routed prefixes; {len(covered)} of {len(home_asns)} "
              f"{home} networks announce a prefix in it; {len(home_ixps)} {home} IXPs")  # fmt: skip
    if not len(snapshot.routed):
        checks.append(Check("reference data coverage", Status.FAIL,
                            detail + ": no address can be mapped to a network",
                            f"{update}; or add a pfx2as*/pyasn-ipasn* file"))  # fmt: skip
    elif not home_asns or not covered:
        checks.append(Check("reference data coverage", Status.WARN,
                            detail + f": paths cannot be told domestic for {home}",
                            f"{update} (with country = {home}); or add delegated-* files"))  # fmt: skip
    else:
        checks.append(Check("reference data coverage", Status.OK, detail))
    if snapshot.ignored:
        checks.append(Check("reference data files", Status.WARN,
                            f"ignored (name not recognised): {', '.join(snapshot.ignored)}",
                            "rename them as README, Reference data, lists"))  # fmt: skip
    return checks


def _store(settings: StoreSettings, path: Path, store: Store | StoreError | None) -> Check:
    if settings.url:
        return Check("store", Status.OK, "shared PostgreSQL store configured (not contacted)")
    if isinstance(store, StoreError):
        return Check("store", Status.FAIL, str(store), store.hint or "ixpready salvage FILE")
    if store is None:
        return Check("store", Status.OK,
                     f"{path} not created yet (the first fetch, run or upload creates it)")  # fmt: skip
    return Check("store", Status.OK, f"{path} (schema {store.schema_version})")


def _key(settings: AtlasSettings) -> Check:
    if settings.key:
        return Check("RIPE Atlas key", Status.OK, "set (not shown)")
    return Check(
        "RIPE Atlas key", Status.WARN, "not set: measuring with RIPE Atlas is not possible; "
        "analysing result files and the demo are",
        "export IXPREADY_ATLAS_KEY=... or set atlas.key_file (chmod 600)",
    )  # fmt: skip


def _probe() -> Check:
    try:
        command = default_command()
    except ConfigError as exc:
        return Check("operators' probe", Status.WARN, str(exc), exc.hint or "")
    grant = raw_socket_grant(command)
    if grant is None:
        return Check("operators' probe", Status.WARN,
                     f"{command[0]} found, but it would get no raw sockets", SETCAP_HINT)  # fmt: skip
    return Check("operators' probe", Status.OK, f"{command[0]}, raw sockets through {grant}")


def _pdf() -> list[Check]:
    checks = []
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401  # ships no types
    except (ImportError, OSError) as exc:  # OSError: a system library (Pango) is missing
        checks.append(Check("PDF (WeasyPrint)", Status.FAIL, f"cannot load: {exc}",
                            "bash scripts/install.sh; on Debian: apt-get install libpango-1.0-0"))  # fmt: skip
    else:
        checks.append(Check("PDF (WeasyPrint)", Status.OK, "report and slide PDFs can be written"))
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        checks.append(Check("Chromium", Status.WARN,
                            "not found: the layout tests and printing the slides from a "
                            "browser need it (the PDFs do not)", "apt-get install chromium"))  # fmt: skip
    else:
        checks.append(Check("Chromium", Status.OK, browser))
    return checks


def _kernels() -> Check:
    """Whether the compiled twins of the hot loops are in use (`ixpready.kernels`)."""
    if kernels.COMPILED:
        return Check("compiled kernels", Status.OK, kernels.STATUS)
    return Check("compiled kernels", Status.WARN, f"{kernels.STATUS}; same results, slower",
                 "on Debian: apt-get install gcc python3-dev; then bash scripts/install.sh")  # fmt: skip


def check_setup(
    *,
    country: str,
    refdata_dir: Path,
    run: RunSettings,
    atlas: AtlasSettings,
    store_settings: StoreSettings,
    store_path: Path,
    store: Store | StoreError | None,
    today: date | None = None,
) -> DoctorReport:
    """Returns the findings on this machine's set-up; reads, never writes. `store`: the local
    store the runner opened (an older one migrated, as any command would), the error it met
    opening it, or None when there is none yet (`run.doctor` wires the settings)."""
    day = today or datetime.now(tz=UTC).date()
    return DoctorReport((
        *_refdata(refdata_dir, country, run, day), _store(store_settings, store_path, store),
        _key(atlas), _probe(), *_pdf(), _kernels(),
    ))  # fmt: skip
