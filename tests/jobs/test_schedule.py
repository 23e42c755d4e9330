"""`ixpready schedule`: units or a crontab in a folder of our own, the next start, last run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.config import Settings, load_settings
from ixpready.errors import ConfigError, ExitCode
from ixpready.measurements.store import RunOutcome, Store
from ixpready.pipeline.runner import job_lock
from ixpready.pipeline.schedule import parse_cron, parse_on_calendar, show
from jobs.conftest import write_config

PROBE = "/opt/ixpready-probe/bin/ixpready-probe trace --spool '/var/lib/ixpready probe/spool'"


def _config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path / "config.toml",
        f'data_dir = "{tmp_path / "data"}"\n[schedule]\nunit_dir = "{tmp_path / "units"}"\n'
        'on_calendar = "*-*-01 03:00:00 UTC"\ncron = "0 3 1 * *"\n'
        f'probe_command = "{PROBE}"\nprobe_on_calendar = "*-*-* *:17,47:00 UTC"\n'
        'probe_cron = "17,47 * * * *"\n',
    )


def test_install_writes_service_and_timer_units_and_show_reads_them_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    assert main(["--config", str(config), "schedule", "install"]) == ExitCode.OK
    out = capsys.readouterr().out
    units = tmp_path / "units"
    assert sorted(p.name for p in units.iterdir()) == [
        "ixpready-probe.service", "ixpready-probe.timer",
        "ixpready-run.service", "ixpready-run.timer",
    ]  # fmt: skip
    assert "then: systemctl --user daemon-reload && systemctl --user enable --now " in out
    service = (units / "ixpready-run.service").read_text().splitlines()
    assert f"ExecStart={sys.executable} -m ixpready --config {config} run" in service
    assert "SuccessExitStatus=7" in service and "Type=oneshot" in service
    timer = (units / "ixpready-run.timer").read_text().splitlines()
    assert "OnCalendar=*-*-01 03:00:00 UTC" in timer and "Persistent=true" in timer
    probe = (units / "ixpready-probe.service").read_text().splitlines()
    assert ("ExecStart=/opt/ixpready-probe/bin/ixpready-probe trace --spool "
            '"/var/lib/ixpready probe/spool"') in probe  # fmt: skip
    assert "AmbientCapabilities=CAP_NET_RAW" in probe and "DynamicUser=yes" in probe
    assert "EnvironmentFile=-/etc/ixpready-probe/env" in probe  # the probe's identity

    status = show(load_settings(config, {}), now=datetime(2026, 11, 28, 21, 30, tzinfo=UTC))
    starts = {job.name: job.next_start for job in status.jobs}
    assert starts == {
        "ixpready-run": datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
        "ixpready-probe": datetime(2026, 11, 28, 21, 47, tzinfo=UTC),
    }
    assert "last run: none recorded in the store" in status.as_text()

    before = {p.name: p.read_text() for p in units.iterdir()}
    assert main(["--config", str(config), "schedule", "install"]) == ExitCode.OK  # again
    assert {p.name: p.read_text() for p in units.iterdir()} == before


def test_show_tells_the_last_run_outcome_from_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    settings = load_settings(config, {})
    with Store.open(settings.store_path) as store:
        done = store.begin_run(1795000000, 4242)
        store.end_run(done, 1795000600, RunOutcome.PARTIAL, 7, "round 2026-11")
    assert main(["--config", str(config), "schedule", "show"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "nothing installed" in out
    assert ("last run: partial (exit 7), 2026-11-18 11:06:40 UTC to 2026-11-18 11:16:40 UTC: "
            "round 2026-11") in out  # fmt: skip
    with Store.open(settings.store_path) as store:
        store.begin_run(1795100000, 4343)  # then killed: never ended, lock free
    assert main(["--config", str(config), "schedule", "show"]) == ExitCode.OK
    assert "(pid 4343) and never finished: killed or the machine stopped" in (
        capsys.readouterr().out
    )


def test_cron_install_show_and_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    foreign = tmp_path / "units" / "ixpready-run.timer"
    foreign.parent.mkdir()
    foreign.write_text("[Timer]\nOnCalendar=daily\n")  # someone else's: left alone
    assert main(["--config", str(config), "schedule", "install", "--cron"]) == ExitCode.OK
    crontab = (tmp_path / "units" / "ixpready.crontab").read_text().splitlines()
    assert crontab[2] == (f"0 3 1 * * {sys.executable} -m ixpready --config {config} run "
                          ">>$HOME/ixpready-run.log 2>&1")  # fmt: skip
    assert crontab[3] == ("17,47 * * * * /opt/ixpready-probe/bin/ixpready-probe trace --spool "
                          "'/var/lib/ixpready probe/spool' >>$HOME/ixpready-probe.log 2>&1")  # fmt: skip
    capsys.readouterr()
    assert main(["--config", str(config), "schedule", "show"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert re.search(r"ixpready-run: cron 0 3 1 \* \* .*; next: \d{4}-\d\d-01 03:00:00", out)
    assert re.search(r"ixpready-probe: cron 17,47 \* \* \* \* .*; next: .*:(17|47):00", out)
    assert main(["--config", str(config), "schedule", "remove"]) == ExitCode.OK
    assert capsys.readouterr().out.splitlines() == [
        f"removed {tmp_path / 'units' / 'ixpready.crontab'}"
    ]
    assert foreign.read_text() == "[Timer]\nOnCalendar=daily\n"


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("0 3 1 * *", datetime(2026, 12, 1, 3, 0), datetime(2027, 1, 1, 3, 0)),
        # both day fields restricted: the 13th OR a Friday (2026-12-04 is a Friday)
        ("0 0 13 * 5", datetime(2026, 11, 28, 12, 0), datetime(2026, 12, 4, 0, 0)),
        ("*/20 9-17 * * mon-fri", datetime(2026, 11, 28, 12, 0), datetime(2026, 11, 30, 9, 0)),
        ("30 4 * * 7", datetime(2026, 11, 28, 12, 0), datetime(2026, 11, 29, 4, 30)),
        ("@monthly", datetime(2026, 2, 14, 0, 0), datetime(2026, 3, 1, 0, 0)),
        ("0 12 29 feb *", datetime(2026, 3, 1, 0, 0), datetime(2028, 2, 29, 12, 0)),
    ],
)
def test_cron_next_start_worked_by_hand(
    expression: str, after: datetime, expected: datetime
) -> None:
    start = parse_cron(expression).next_after(after.astimezone())
    assert start is not None and start.replace(tzinfo=None) == expected


EXPRESSIONS = (
    "*-*-01 03:00:00 UTC",
    "Mon,Fri *-*-* 02:30 UTC",
    "Mon..Wed *-*-* 00/6:15 UTC",
    "*-02-29 12:00:00 UTC",
    "*-01,04,07,10-01 00:00:00 UTC",
    "*-*-* *:17,47:00 UTC",
    "*-*-1..7 04:00 UTC",
)


def _systemd(expression: str) -> list[datetime]:
    text = subprocess.run(
        ["systemd-analyze", "calendar", "--iterations=3", expression],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = re.findall(r"(?:Next elapse|Iter\. #\d): \w+ (\S+ \S+) UTC", text)
    return [datetime.fromisoformat(f).replace(tzinfo=UTC) for f in found]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_on_calendar_next_starts_agree_with_systemd(expression: str) -> None:
    calendar = parse_on_calendar(expression)
    for _attempt in range(2):  # a minute may turn between the two clocks: once more
        ours: list[datetime] = []
        moment = datetime.now(tz=UTC)
        for _ in range(3):
            start = calendar.next_after(moment)
            assert start is not None
            ours.append(start)
            moment = start
        if ours == _systemd(expression):
            return
    assert ours == _systemd(expression)


@pytest.mark.parametrize(
    ("expression", "part"),
    [
        ("*-*-32 03:00", "'32' outside 1..31 in the days"),
        ("Funday *-*-* 03:00", "'Funday' in the weekdays"),
        ("*-*-01 03:00 Europe/Vienna", "'Europe/Vienna' (a time zone other than UTC?)"),
        ("2027-*-01 03:00", "the date '2027-*-01' (use *-MM-DD)"),
    ],
)
def test_an_unsupported_on_calendar_is_named(expression: str, part: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_on_calendar(expression)
    assert str(caught.value) == f"OnCalendar {expression!r}: not understood ({part})"


def test_install_refuses_a_schedule_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    config.write_text(config.read_text().replace('cron = "0 3 1 * *"', 'cron = "0 3 1 *"'))
    assert main(["--config", str(config), "schedule", "install", "--cron"]) == ExitCode.CONFIG
    assert "cron schedule '0 3 1 *': not understood (4 fields, not 5)" in capsys.readouterr().err
    assert not (tmp_path / "units" / "ixpready.crontab").exists()


def test_show_names_the_run_holding_the_lock(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path), {})
    with Store.open(settings.store_path) as store:
        store.begin_run(1795100000, os.getpid())
    with job_lock(settings.lock_path):
        text = show(settings).as_text()
    assert f"last run: running since 2026-11-19 14:53:20 UTC (pid {os.getpid()})" in text


def test_the_default_schedules_are_readable() -> None:
    defaults = Settings()
    for expression in (defaults.schedule.on_calendar, defaults.schedule.probe_on_calendar):
        assert parse_on_calendar(expression).next_after(datetime.now(tz=UTC)) is not None
    for expression in (defaults.schedule.cron, defaults.schedule.probe_cron):
        assert parse_cron(expression).next_after(datetime.now(tz=UTC)) is not None


def test_a_probe_host_schedules_the_probe_and_the_upload_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    config.write_text(config.read_text() + "run = false\nupload = true\n")
    assert main(["--config", str(config), "schedule", "install"]) == ExitCode.OK
    units = tmp_path / "units"
    assert sorted(p.name for p in units.iterdir()) == [
        "ixpready-probe.service", "ixpready-probe.timer",
        "ixpready-upload.service", "ixpready-upload.timer",
    ]  # fmt: skip
    upload = (units / "ixpready-upload.service").read_text().splitlines()
    assert f"ExecStart={sys.executable} -m ixpready --config {config} upload" in upload
    assert "OnCalendar=*-*-* *:55:00" in (units / "ixpready-upload.timer").read_text()
    assert main(["--config", str(config), "schedule", "install", "--cron"]) == ExitCode.OK
    status = show(load_settings(config, {}), now=datetime(2026, 11, 28, 21, 30, tzinfo=UTC))
    names = [(job.name, job.schedule.split()[0]) for job in status.jobs]
    assert names == [
        ("ixpready-probe", "OnCalendar=*-*-*"), ("ixpready-upload", "OnCalendar=*-*-*"),
        ("ixpready-probe", "cron"), ("ixpready-upload", "cron"),
    ]  # fmt: skip
    capsys.readouterr()
    assert main(["--config", str(config), "schedule", "remove"]) == ExitCode.OK
    assert len(capsys.readouterr().out.splitlines()) == 5 and not list(units.iterdir())


def test_nothing_to_schedule_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    text = config.read_text().replace(f'probe_command = "{PROBE}"\n', "")
    config.write_text(text + "run = false\n")
    assert main(["--config", str(config), "schedule", "install"]) == ExitCode.USAGE
    assert "nothing to schedule" in capsys.readouterr().err
    assert not (tmp_path / "units").exists()
