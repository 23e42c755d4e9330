"""`ixpready run` and its `locate` step: off by default, on with `[locate] enabled`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.errors import ExitCode
from jobs import online
from jobs.conftest import write_config
from sources.replay import ReplayServer


def test_the_locate_step_runs_only_when_enabled(
    recorded: Path,
    atlas_replay: ReplayServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    online.record_discovery_and_refdata(recorded, atlas_replay)
    online.record_measurements(recorded, atlas_replay)
    text = online.config_text(tmp_path, atlas_replay, "model = false\nreport = false\n")
    config = write_config(tmp_path / "config.toml", text)
    monkeypatch.setenv("IXPREADY_ATLAS_KEY", online.KEY)
    assert main(["--config", str(config), "run"]) == ExitCode.OK, capsys.readouterr().err
    assert "locate:" not in capsys.readouterr().out
    posts = sum(s.method == "POST" for s in atlas_replay.seen)

    # Austria's recorded paths leave no domestic path undecided: nothing to ping, no credits
    monkeypatch.setenv("IXPREADY_LOCATE_ENABLED", "true")
    assert main(["--config", str(config), "run"]) == ExitCode.OK, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "locate: 0 pings planned (0 credits), 0 created, 0 new results" in out
    assert sum(s.method == "POST" for s in atlas_replay.seen) == posts
