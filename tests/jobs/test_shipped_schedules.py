"""What ships is checked by its own tools (issue 13): the systemd units `schedule install`
writes and those in probes/systemd/ pass `systemd-analyze verify`; the cron lines are read by
python-crontab and croniter, parsers other than ixpready's own."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from croniter import croniter
from crontab import CronItem, CronTab

from ixpready.cli import main
from ixpready.config import Settings
from ixpready.errors import ExitCode
from ixpready.pipeline.schedule import parse_cron
from jobs.conftest import write_config

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "probes" / "systemd"
SYSTEM_UNITS = Path("/usr/lib/systemd/system")  # sysinit.target, timers.target... of this host
PROBE = "/opt/ixpready-probe/bin/ixpready-probe trace --spool '/var/lib/ixpready probe/spool'"


def _verify(root: Path, units: dict[str, str]) -> tuple[int, str]:
    """Returns systemd-analyze verify's exit code and messages for `units` installed into a
    throwaway root (a copy of this host's system units; each ExecStart program present there
    as an empty executable, since verify checks that it can be run)."""
    if not (root / "usr/lib/systemd/system").exists():
        shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    folder = root / "etc/systemd/system"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in units.items():
        (folder / name).write_text(text)
        for line in text.splitlines():
            if line.startswith("ExecStart="):
                program = Path(shlex.split(line.removeprefix("ExecStart=").lstrip("-@:+!"))[0])
                target = root / program.relative_to("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("#!/bin/sh\n")
                target.chmod(0o755)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", *units],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done.returncode, (done.stdout + done.stderr).strip()


def _config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path / "config.toml",
        f'data_dir = "{tmp_path / "data"}"\n[schedule]\n'
        f'unit_dir = "{tmp_path / "units"}"\non_calendar = "*-*-01 03:00:00 UTC"\n'
        f'cron = "0 3 1 * *"\nprobe_command = "{PROBE}"\nupload = true\n'
        'probe_on_calendar = "Mon..Fri *-*-* 08,20:17:00 UTC"\nprobe_cron = "17 8,20 * * 1-5"\n',
    )


def test_the_shipped_probe_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    units = {p.name: p.read_text() for p in sorted(SHIPPED.glob("ixpready-probe.*"))
             if p.suffix in (".service", ".timer")}  # fmt: skip
    assert sorted(units) == ["ixpready-probe.service", "ixpready-probe.timer"]
    assert _verify(tmp_path / "root", units) == (0, "")


def test_the_installed_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert main(["--config", str(config), "schedule", "install"]) == ExitCode.OK
    units = {p.name: p.read_text() for p in sorted((tmp_path / "units").iterdir())}
    assert sorted(units) == [f"ixpready-{job}.{kind}" for job in ("probe", "run", "upload")
                             for kind in ("service", "timer")]  # fmt: skip
    assert _verify(tmp_path / "root", units) == (0, "")


def test_verify_does_catch_a_broken_unit(tmp_path: Path) -> None:
    # The check above can fail: a misspelt key and an impossible calendar are reported.
    _code, said = _verify(tmp_path / "root", {
        "broken.service": "[Service]\nType=oneshot\nExecStrat=/bin/x\nExecStart=/opt/x/y\n",
        "broken.timer": "[Timer]\nOnCalendar=*-*-* 25:00\nUnit=broken.service\n",
    })  # fmt: skip
    assert "Unknown key 'ExecStrat'" in said and "25:00" in said, said


def _cron_jobs(text: str, *, system: bool) -> list[CronItem]:
    """Returns the jobs python-crontab reads; every line that is not a comment must be one."""
    table = CronTab(tab=text, user=False if system else None)
    unread = [line for line in table.lines if not isinstance(line, CronItem) and line.strip()
              and not line.lstrip().startswith("#")]  # fmt: skip
    assert unread == []
    jobs = list(table)
    assert jobs and all(job.is_valid() and job.is_enabled() for job in jobs)
    return jobs


def _agree_with_croniter(expression: str) -> None:
    """Checks that ixpready's next starts are croniter's, for five starts in a row."""
    ours = parse_cron(expression)
    theirs = croniter(expression, datetime(2026, 11, 28, 12, 7, tzinfo=UTC))
    moment = datetime(2026, 11, 28, 12, 7, tzinfo=UTC)
    for _ in range(5):
        start = ours.next_after(moment)
        assert start is not None
        assert start == theirs.get_next(datetime), expression
        moment = start


def test_the_installed_crontab_is_read_by_python_crontab_and_croniter(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert main(["--config", str(config), "schedule", "install", "--cron"]) == ExitCode.OK
    jobs = _cron_jobs((tmp_path / "units" / "ixpready.crontab").read_text(), system=False)
    assert [str(job.slices) for job in jobs] == ["0 3 1 * *", "17 8,20 * * 1-5", "55 * * * *"]
    assert jobs[0].command.startswith(f"{sys.executable} -m ixpready --config {config} run")
    assert shlex.split(jobs[1].command)[:3] == shlex.split(PROBE)[:3]
    for job in jobs:
        _agree_with_croniter(str(job.slices))


def test_the_shipped_cron_line_and_the_default_schedules_are_read_by_other_parsers() -> None:
    (job,) = _cron_jobs((SHIPPED / "ixpready-probe.cron").read_text(), system=True)
    assert job.user == "ixpready-probe"
    assert job.command.startswith("/opt/ixpready-probe/bin/ixpready-probe trace ")
    _agree_with_croniter(str(job.slices))
    defaults = Settings()
    for expression in (defaults.schedule.cron, defaults.schedule.probe_cron,
                       defaults.schedule.upload_cron):  # fmt: skip
        _agree_with_croniter(expression)


@pytest.mark.parametrize("expression", ["0 0 13 * 5", "*/20 9-17 * * mon-fri", "30 4 * * 7"])
def test_cron_next_starts_agree_with_croniter(expression: str) -> None:
    _agree_with_croniter(expression)
