"""How `ixpready doctor` tells whether the operators' probe would get raw sockets: root, or a
file capability (`setcap cap_net_raw+ep`) on the interpreter its script starts. Checked for
real as an unprivileged user (setpriv), on a copied interpreter given the capability."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ixpready.sources.probe import raw_socket_grant

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """Yields a folder under /tmp that an unprivileged user can read (removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="ixpready-cap-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def _grant_as_nobody(script: Path) -> str:
    code = ("import sys; from ixpready.sources.probe import raw_socket_grant; "
            f"print(raw_socket_grant([{str(script)!r}]))")  # fmt: skip
    done = subprocess.run([*NOBODY, sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "HOME": "/"})  # fmt: skip
    return done.stdout.strip()


def test_root_gets_raw_sockets() -> None:
    assert os.geteuid() == 0, "the capability tests run as root (scripts/test.sh)"
    assert raw_socket_grant(["/nonexistent/ixpready-probe"]) == "root"


def test_a_file_capability_on_the_interpreter_is_found(shared_dir: Path) -> None:
    interpreter = shared_dir / "python3"
    shutil.copy("/bin/true", interpreter)
    script = shared_dir / "ixpready-probe"
    script.write_text(f"#!{interpreter}\n# -*- coding: utf-8 -*-\n")
    script.chmod(0o755)
    assert _grant_as_nobody(script) == "None"  # no capability yet: no raw sockets
    subprocess.run(["setcap", "cap_net_raw+ep", str(interpreter)], check=True)
    assert _grant_as_nobody(script) == f"a file capability on {interpreter}"
