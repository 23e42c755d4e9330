"""`ixpready schedule install | show | remove`: systemd units (or a crontab) for the jobs.

Two jobs: `ixpready run` (`schedule.on_calendar` / `schedule.cron`) and, when
`schedule.probe_command` is set, the operators' probe (`schedule.probe_on_calendar` /
`schedule.probe_cron`). Files go into `schedule.unit_dir` (default: /etc/systemd/system as
root, else ~/.config/systemd/user); nothing here calls systemctl or crontab: `install` says
which command enables them. `show` reads back what is installed, computes the next start
from the OnCalendar expression (or cron line) it finds, and reads the last run's outcome
from the store.

Supported schedules: systemd OnCalendar `[weekdays] [*-MM-DD] [HH:MM[:SS]] [UTC]` with `*`,
lists `a,b`, ranges `a..b` and repetitions `a/n`, and the words minutely, hourly, daily,
weekly, monthly, quarterly, semiannually, yearly; cron's five fields with `*`, `a-b`, `a,b`,
`*/n`, names (mon, jan) and @hourly, @daily, @weekly, @monthly, @yearly.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ixpready.config import Settings
from ixpready.errors import ConfigError, UsageError
from ixpready.measurements.store import RunOutcome, RunRecord
from ixpready.pipeline.runner import lock_holder, store_of
from ixpready.pipeline.trend import write_atomically
from ixpready.report.sanitize import one_line

MARK = "# written by `ixpready schedule install`; `ixpready schedule remove` deletes it"
RUN_UNIT = "ixpready-run"
PROBE_UNIT = "ixpready-probe"
UPLOAD_UNIT = "ixpready-upload"
UNITS = (RUN_UNIT, PROBE_UNIT, UPLOAD_UNIT)
CRONTAB = "ixpready.crontab"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
SHORTHANDS = {
    "minutely": "*-*-* *:*:00",
    "hourly": "*-*-* *:00:00",
    "daily": "*-*-* 00:00:00",
    "weekly": "Mon *-*-* 00:00:00",
    "monthly": "*-*-01 00:00:00",
    "quarterly": "*-01,04,07,10-01 00:00:00",
    "semiannually": "*-01,07-01 00:00:00",
    "yearly": "*-01-01 00:00:00",
    "annually": "*-01-01 00:00:00",
}
CRON_SHORTHANDS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


# ---------------------------------------------------------------------------------------------
# Schedules


@dataclass(frozen=True, slots=True)
class Calendar:
    """A schedule as the values each field may take; `either_day`: cron's rule that a day
    matches when the day of month OR the weekday does (when both are restricted)."""

    expression: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Monday
    either_day: bool
    utc: bool

    def _day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_day, by_weekday = day.day in self.days, day.weekday() in self.weekdays
        if self.either_day:
            return by_day or by_weekday
        return by_day and by_weekday

    def next_after(self, moment: datetime) -> datetime | None:
        """Returns the first start strictly after `moment` (aware), or None within 5 years."""
        zone = UTC if self.utc else None
        wall = moment.astimezone(zone).replace(tzinfo=None)
        day = wall.date()
        for _ in range(5 * 366 + 1):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        for second in sorted(self.seconds):
                            candidate = datetime(day.year, day.month, day.day, hour, minute,
                                                 second)  # fmt: skip
                            if candidate > wall:
                                return candidate.replace(tzinfo=UTC) if self.utc else (
                                    candidate.astimezone())  # fmt: skip
            day += timedelta(days=1)
        return None


def _values(part: str, low: int, high: int, names: tuple[str, ...], where: str,
            dots: bool) -> frozenset[int]:  # fmt: skip
    """Returns the values of one field: `*`, `a`, lists, ranges (`a..b` or `a-b`), `x/n`."""
    offset = 1 if names is MONTHS else 0
    values: set[int] = set()

    def number(text: str) -> int:
        lowered = text.lower()[:3]
        if names and lowered in names:
            return names.index(lowered) + offset
        if not text.isdigit():
            raise ValueError(f"{text!r} in {where}")
        return int(text)

    for item in part.split(","):
        step = 1
        if "/" in item:
            item, step_text = item.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"step {step_text!r} in {where}")
            step = int(step_text)
        separator = ".." if dots else "-"
        if item == "*":
            first, last = low, high
        elif separator in item:
            start, end = item.split(separator, 1)
            first, last = number(start), number(end)
        else:
            first = number(item)
            last = high if step > 1 else first
        if not low <= first <= last <= high:
            raise ValueError(f"{item!r} outside {low}..{high} in {where}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def parse_on_calendar(expression: str) -> Calendar:
    """Returns the Calendar of a systemd OnCalendar expression (the subset in the module doc).

    Raises ConfigError naming the expression and the part not understood.
    """
    text = SHORTHANDS.get(expression.strip().lower(), expression.strip())
    tokens = text.split()
    utc = bool(tokens) and tokens[-1].upper() == "UTC"
    if utc:
        tokens = tokens[:-1]
    weekdays = frozenset(range(7))
    try:
        if tokens and tokens[0][:1].isalpha():
            weekdays = _values(tokens.pop(0), 0, 6, WEEKDAYS, "the weekdays", dots=True)
        day_part = (
            tokens.pop(0) if tokens and "-" in tokens[0] and ":" not in tokens[0] else "*-*-*"
        )
        time_part = tokens.pop(0) if tokens and ":" in tokens[0] else "00:00:00"
        if tokens:
            raise ValueError(f"{' '.join(tokens)!r} (a time zone other than UTC?)")
        date_fields = day_part.split("-")
        if len(date_fields) == 2:
            date_fields.insert(0, "*")
        if len(date_fields) != 3 or date_fields[0] != "*":
            raise ValueError(f"the date {day_part!r} (use *-MM-DD)")
        time_fields = time_part.split(":")
        if len(time_fields) == 2:
            time_fields.append("00")
        if len(time_fields) != 3:
            raise ValueError(f"the time {time_part!r} (use HH:MM[:SS])")
        return Calendar(
            expression=expression,
            seconds=_values(time_fields[2], 0, 59, (), "the seconds", dots=True),
            minutes=_values(time_fields[1], 0, 59, (), "the minutes", dots=True),
            hours=_values(time_fields[0], 0, 23, (), "the hours", dots=True),
            days=_values(date_fields[2], 1, 31, (), "the days", dots=True),
            months=_values(date_fields[1], 1, 12, MONTHS, "the months", dots=True),
            weekdays=weekdays,
            either_day=False,
            utc=utc,
        )
    except (ValueError, IndexError) as exc:
        raise ConfigError(
            f"OnCalendar {expression!r}: not understood ({exc})",
            hint='use e.g. "*-*-01 03:00:00 UTC", "Mon *-*-* 02:30" or "hourly"',
        ) from None


def parse_cron(expression: str) -> Calendar:
    """Returns the Calendar of a five-field cron schedule (in the cron daemon's local time).

    Raises ConfigError naming the expression and the field not understood.
    """
    text = CRON_SHORTHANDS.get(expression.strip().lower(), expression.strip())
    fields = text.split()
    try:
        if len(fields) != 5:
            raise ValueError(f"{len(fields)} fields, not 5")
        minute, hour, day, month, weekday = fields
        cron_weekdays = _values(weekday, 0, 7, ("sun", *WEEKDAYS[:6]), "the weekday",
                                dots=False)  # fmt: skip
        return Calendar(
            expression=expression,
            seconds=frozenset({0}),
            minutes=_values(minute, 0, 59, (), "the minute", dots=False),
            hours=_values(hour, 0, 23, (), "the hour", dots=False),
            days=_values(day, 1, 31, (), "the day of month", dots=False),
            months=_values(month, 1, 12, MONTHS, "the month", dots=False),
            weekdays=frozenset((d + 6) % 7 for d in cron_weekdays),  # cron 0 and 7: Sunday
            either_day=day != "*" and weekday != "*",
            utc=False,
        )
    except ValueError as exc:
        raise ConfigError(
            f"cron schedule {expression!r}: not understood ({exc})",
            hint='five fields: minute hour day-of-month month weekday, e.g. "0 3 1 * *"',
        ) from None


# ---------------------------------------------------------------------------------------------
# Files


@dataclass(frozen=True, slots=True)
class Job:
    """One scheduled job: its unit name, command line and schedule (both forms)."""

    name: str
    description: str
    command: tuple[str, ...]
    on_calendar: str
    cron: str
    probe: bool


def unit_dir(settings: Settings) -> Path:
    """Returns where units go: schedule.unit_dir, else /etc/systemd/system as root, else
    ~/.config/systemd/user."""
    if settings.schedule.unit_dir is not None:
        return settings.schedule.unit_dir
    if os.geteuid() == 0:
        return Path("/etc/systemd/system")
    return Path.home() / ".config" / "systemd" / "user"


def jobs_of(settings: Settings) -> tuple[Job, ...]:
    """Returns the jobs the settings schedule: `ixpready run` (unless schedule.run is false),
    the probe (when schedule.probe_command is set) and `ixpready upload` (schedule.upload)."""
    command: list[str] = [sys.executable, "-m", "ixpready"]
    if settings.source != "(defaults)":
        command += ["--config", str(Path(settings.source).resolve())]
    jobs = []
    if settings.schedule.run:
        jobs.append(Job(RUN_UNIT, "ixpready: measure, analyse and report (one round per period)",
                        (*command, "run"), settings.schedule.on_calendar,
                        settings.schedule.cron, False))  # fmt: skip
    if settings.schedule.probe_command:
        jobs.append(Job(PROBE_UNIT, "ixpready probe: traceroutes and DNS checks (Atlas format)",
                        tuple(shlex.split(settings.schedule.probe_command)),
                        settings.schedule.probe_on_calendar, settings.schedule.probe_cron,
                        True))  # fmt: skip
    if settings.schedule.upload:
        jobs.append(Job(UPLOAD_UNIT, "ixpready: send the probe's results to the shared store",
                        (*command, "upload"), settings.schedule.upload_on_calendar,
                        settings.schedule.upload_cron, False))  # fmt: skip
    return tuple(jobs)


def _systemd_word(word: str) -> str:
    escaped = word.replace("%", "%%").replace("\\", "\\\\").replace('"', '\\"')
    if escaped and not any(c.isspace() for c in escaped) and '"' not in word:
        return escaped
    return f'"{escaped}"'


def service_text(job: Job, settings: Settings) -> str:
    """Returns the systemd service unit of a job."""
    lines = [MARK, "[Unit]", f"Description={job.description}",
             "Wants=network-online.target", "After=network-online.target", "",
             "[Service]", "Type=oneshot",
             "ExecStart=" + " ".join(_systemd_word(w) for w in job.command)]  # fmt: skip
    if job.probe:  # as probes/systemd/ixpready-probe.service (docs/probe.md)
        lines += ["# IXPREADY_PROBE_NAME, _ASN, _COUNTRY, _LATITUDE, _LONGITUDE (docs/probe.md)",
                  "EnvironmentFile=-/etc/ixpready-probe/env", "DynamicUser=yes",
                  "StateDirectory=ixpready-probe", "AmbientCapabilities=CAP_NET_RAW",
                  "CapabilityBoundingSet=CAP_NET_RAW", "NoNewPrivileges=yes",
                  "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                  "TimeoutStartSec=2h"]  # fmt: skip
    else:
        budget = int(settings.time_budget_s or settings.run.time_budget_s)
        lines += ["# 7: done, something to check (quarantined records, unanswered creations)",
                  "SuccessExitStatus=7", f"TimeoutStartSec={budget + 600}"]  # fmt: skip
        if settings.store.url:
            lines.append("# the shared store's password: ~/.pgpass of the service's user")
    lines += ["Nice=10", ""]
    return "\n".join(lines)


def timer_text(job: Job) -> str:
    """Returns the systemd timer unit of a job."""
    return "\n".join([
        MARK, "[Unit]", f"Description=When {job.name}.service runs", "",
        "[Timer]", f"OnCalendar={job.on_calendar}", "Persistent=true",
        "RandomizedDelaySec=10min", f"Unit={job.name}.service", "",
        "[Install]", "WantedBy=timers.target", "",
    ])  # fmt: skip


def crontab_text(jobs: tuple[Job, ...]) -> str:
    """Returns a crontab (user format) with one line per job, output appended to a log."""
    lines = [MARK, "# install with: crontab " + CRONTAB + " (this replaces the user's crontab)"]
    for job in jobs:
        command = " ".join(shlex.quote(w) for w in job.command).replace("%", "\\%")
        lines.append(f"{job.cron} {command} >>$HOME/{job.name}.log 2>&1")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Installed:
    """What `install` wrote and the command that enables it."""

    files: tuple[Path, ...]
    enable: str

    def as_text(self) -> str:
        """Returns the files and the next step for the terminal."""
        return "\n".join([*(f"wrote {path}" for path in self.files), f"then: {self.enable}"])


def install(settings: Settings, *, cron: bool = False) -> Installed:
    """Writes the units (or the crontab) of every job into the unit folder; returns them.

    Re-installing rewrites them. Raises ConfigError for a schedule that cannot be read,
    UsageError when no job is configured.
    """
    jobs = jobs_of(settings)
    if not jobs:
        raise UsageError(
            "nothing to schedule: schedule.run is false, no schedule.probe_command, "
            "schedule.upload is false",
            hint="set at least one of them in the config file",
        )
    folder = unit_dir(settings)
    written: list[Path] = []
    if cron:
        for job in jobs:
            parse_cron(job.cron)
        written.append(write_atomically(folder / CRONTAB, crontab_text(jobs).encode()))
        return Installed(tuple(written), f"crontab {folder / CRONTAB}")
    for job in jobs:
        parse_on_calendar(job.on_calendar)
        written.append(write_atomically(folder / f"{job.name}.service",
                                        service_text(job, settings).encode()))  # fmt: skip
        written.append(write_atomically(folder / f"{job.name}.timer", timer_text(job).encode()))
    user = "" if folder == Path("/etc/systemd/system") else "--user "
    timers = " ".join(f"{job.name}.timer" for job in jobs)
    return Installed(
        tuple(written), f"systemctl {user}daemon-reload && systemctl {user}enable --now {timers}"
    )


def _ours(path: Path) -> bool:
    try:
        return path.read_text(encoding="utf-8").startswith(MARK)
    except OSError:
        return False


def remove(settings: Settings) -> tuple[Path, ...]:
    """Deletes the units and crontab `install` wrote (only files carrying its mark); returns
    what was deleted. The timers should be disabled first (`systemctl disable --now ...`)."""
    folder = unit_dir(settings)
    names = [f"{n}.{kind}" for n in UNITS for kind in ("service", "timer")]
    removed = []
    for name in (*names, CRONTAB):
        path = folder / name
        if _ours(path):
            path.unlink()
            removed.append(path)
    return tuple(removed)


# ---------------------------------------------------------------------------------------------
# show


@dataclass(frozen=True, slots=True)
class JobStatus:
    """An installed job: where, its schedule as installed, and its next start."""

    name: str
    installed_in: Path
    schedule: str
    next_start: datetime | None


@dataclass(frozen=True, slots=True)
class ScheduleStatus:
    """What is installed and how the last `ixpready run` ended (None: never ran)."""

    jobs: tuple[JobStatus, ...]
    last_run: RunRecord | None
    running_pid: int | None  # the run holding the lock now, if any

    def as_text(self) -> str:
        """Returns the status for the terminal, each line sanitised (`one_line`: installed
        files and a run's stored message may quote anything, the network included)."""
        lines = []
        for job in self.jobs:
            upcoming = "never" if job.next_start is None else (
                job.next_start.strftime("%Y-%m-%d %H:%M:%S %Z"))  # fmt: skip
            delay = " (+ up to 10 min)" if job.schedule.startswith("OnCalendar") else ""
            lines.append(one_line(
                f"{job.name}: {job.schedule} ({job.installed_in}); next: {upcoming}{delay}"
            ))  # fmt: skip
        if not self.jobs:
            lines.append("nothing installed (run `ixpready schedule install`)")
        lines.append("last run: " + one_line(_outcome_text(self.last_run, self.running_pid)))
        return "\n".join(lines)


def _time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _outcome_text(record: RunRecord | None, running_pid: int | None) -> str:
    if record is None:
        return "none recorded in the store"
    began = _time(record.started_at)
    if record.outcome is RunOutcome.RUNNING:
        if running_pid is not None:
            return f"running since {began} (pid {running_pid})"
        return (f"started {began} (pid {record.pid}) and never finished: killed or the "
                "machine stopped; the next run resumes it")  # fmt: skip
    if record.outcome is RunOutcome.KILLED:
        return (f"started {began} (pid {record.pid}) and never finished: killed or the "
                "machine stopped; the next run resumed it")  # fmt: skip
    ended = _time(record.finished_at) if record.finished_at is not None else "?"
    text = f"{record.outcome.value} (exit {record.exit_code}), {began} to {ended}"
    return f"{text}: {record.message}" if record.message else text


def _installed_schedule(path: Path, key: str) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(key + "="):
            return line.split("=", 1)[1].strip()
    return None


def show(settings: Settings, *, now: datetime | None = None) -> ScheduleStatus:
    """Returns what is installed (read back from the files), when each job starts next, and
    the outcome of the last run recorded in the store.

    Raises ConfigError when an installed schedule cannot be read, StoreError for a damaged
    store.
    """
    moment = now or datetime.now(tz=UTC)
    folder = unit_dir(settings)
    jobs: list[JobStatus] = []
    for name in UNITS:
        timer = folder / f"{name}.timer"
        if _ours(timer):
            expression = _installed_schedule(timer, "OnCalendar") or "daily"
            start = parse_on_calendar(expression).next_after(moment)
            jobs.append(JobStatus(name, timer, f"OnCalendar={expression}", start))
    crontab = folder / CRONTAB
    if _ours(crontab):
        for line in crontab.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            words = line.split()
            schedule = words[0] if words[0].startswith("@") else " ".join(words[:5])
            name = next((n for n in UNITS if f"/{n}.log" in line), "?")
            start = parse_cron(schedule).next_after(moment)
            jobs.append(JobStatus(name, crontab, f"cron {schedule}", start))
    last = None
    if settings.store_path.is_file():
        with store_of(settings, None) as store:
            last = store.last_run()
    return ScheduleStatus(tuple(jobs), last, lock_holder(settings.lock_path))
