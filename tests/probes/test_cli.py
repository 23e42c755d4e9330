"""`ixpready probe trace|dns` in-process: the probe runs as a subprocess, its files are read
back, its failures arrive as ixpready errors with the probe's hint, and `ixpready analyze`
takes its results next to recorded RIPE Atlas results."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from ixpready_probe.lab import Lab
from tests.authdns import Nsd
from tests.probes.helpers import lines

from ixpready.cli import main
from ixpready.errors import IxpreadyError, UnavailableError
from ixpready.sources.probe import default_command, run_probe

GT_HN_SV = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
PYTHON_PROBE = f"{shlex.quote(sys.executable)} -m ixpready_probe"


def _in(lab: Lab, role: str = "P") -> str:
    return f"ip netns exec {lab.ns(role)} {PYTHON_PROBE}"


def test_probe_trace_runs_the_probe_and_reads_its_results(
    lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "probe.jsonl"
    code = main(["probe", "trace", "--probe-command", _in(lab), lab.targets(4)[0], lab.x[0],
                 lab.e[0], "no-such-host.invalid", "--timeout", "0.5", "--paris-id", "3", "--verify-joins",
                 "--name", "gt-cli-1", "--asn", "64500",
                 "--probe-country", "GT", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "4 traceroutes read back (3 reached the target, 1 could not be traced)" in printed.out
    assert "probe warning: no-such-host.invalid: name resolution failed" in printed.out
    assert f"next: ixpready analyze {out}" in printed.out
    results = lines(out)
    assert [r.get("dst_addr") for r in results] == [None, lab.targets(4)[0], lab.x[0], lab.e[0]]
    assert {r["ixpready_probe"]["asn"] for r in results} == {64500}
    assert {r["paris_id"] for r in results} == {3}


def test_probe_dns_runs_the_probe_and_reads_its_results(
    nsd: Nsd, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dns.jsonl"
    code = main(["probe", "dns", "--probe-command", PYTHON_PROBE, "--check", "chaos",
                 "--server", "127.0.0.1", "--port", str(nsd.port), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "2 DNS results read back (2 answered)" in printed.out
    assert len(lines(out)) == 2


def test_probe_failures_are_ixpready_errors_with_the_fix(
    lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.jsonl"
    code = main(["probe", "trace", "--probe-command", _in(lab, "N"), "10.91.0.1",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 6
    assert "ixpready: error: probe: no route to 10.91.0.1" in err
    assert "ixpready: hint: check the host's routes" in err

    nobody = (f"ip netns exec {lab.prober} setpriv --reuid=65534 --regid=65534 "
              f"--clear-groups {PYTHON_PROBE}")
    tmp_path.chmod(0o777)
    code = main(["probe", "trace", "--probe-command", nobody, "10.91.0.1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3
    assert "ixpready: error: probe: raw sockets are not permitted" in err
    assert "setcap cap_net_raw+ep" in err

    code = main(["probe", "trace", "--probe-command", str(tmp_path / "no-such-probe"),
                 "10.91.0.1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3
    assert "cannot start the probe" in err and "scripts/install.sh" in err
    assert not out.exists()


@pytest.fixture
def refdata(recorded: Path, tmp_path: Path) -> Path:
    """A reference-data folder built from recorded registry files (as tests/test_cli_analyze)."""
    folder = tmp_path / "refdata"
    (folder / "peeringdb").mkdir(parents=True)
    shutil.copy(recorded / "routing/pyasn-ipasn-20140513-excerpt.dat",
                folder / "ipasn_20140513.dat")
    shutil.copy(recorded / "routing/pyasn-asnames-central-america.json", folder / "asnames.json")
    for kind in ("ix", "ixlan", "ixpfx"):
        shutil.copy(recorded / f"peeringdb/pdb-2016-10-19-{kind}.json",
                    folder / "peeringdb" / f"{kind}.json")
    (folder / "delegated-test-extended-20151020").write_text(
        "2|arin|20151020|3|19700101|20151020|-0500\n"
        "arin|US|ipv4|192.5.5.0|256|19880101|assigned|isc\n"
    )
    return folder


def test_analyze_reads_probe_results_next_to_atlas_results(
    lab: Lab, recorded: Path, refdata: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    probe_out = tmp_path / "probe.jsonl"
    assert main(["probe", "trace", "--probe-command", _in(lab), *lab.targets(4)[:3],
                 "--timeout", "0.5", "--name", "gt-cli-1", "--asn", "64500",
                 "--probe-country", "GT", "--out", str(probe_out)]) == 0
    capsys.readouterr()
    code = main(["analyze", str(recorded / GT_HN_SV), str(probe_out), "--country", "GT",
                 "--refdata", str(refdata), "--format", "json",
                 "--out", str(tmp_path / "analysis.json"),
                 "--quarantine", str(tmp_path / "q.jsonl")])
    assert code == 0, capsys.readouterr().err
    document = json.loads((tmp_path / "analysis.json").read_text())
    atlas_results = len((recorded / GT_HN_SV).read_text().splitlines())
    assert document["summary"]["results_read"] == atlas_results + 3
    assert document["summary"]["quarantined"] == 0
    probe_id = lines(probe_out)[0]["prb_id"]
    judged = [p for p in document["other_paths"] if p["prb_id"] == probe_id]
    assert len(judged) == 3
    assert not (tmp_path / "q.jsonl").exists()


def test_the_runner_finds_the_installed_probe_and_bounds_its_time(tmp_path: Path) -> None:
    (program,) = default_command()
    assert Path(program).name == "ixpready-probe" and Path(program).is_file()
    sleeper = [sys.executable, "-c", "import time; time.sleep(10)"]
    with pytest.raises(UnavailableError, match=r"did not finish within 1 s"):
        run_probe("trace", ["10.91.0.1"], tmp_path / "a.jsonl", command=sleeper, timeout_s=1)
    silent = [sys.executable, "-c", "pass"]
    with pytest.raises(IxpreadyError, match="exited 0 but wrote no"):
        run_probe("trace", ["10.91.0.1"], tmp_path / "b.jsonl", command=silent)
    crashing = [sys.executable, "-c", "import sys; sys.exit('Traceback: boom')"]
    with pytest.raises(IxpreadyError, match="exited with code 1: Traceback: boom") as caught:
        run_probe("trace", ["10.91.0.1"], tmp_path / "c.jsonl", command=crashing)
    assert caught.value.exit_code == 1


@pytest.mark.parametrize(
    "spelling",
    [["--proto", "icmp", "--country", "GT"], ["--proto", "ICMP", "--probe-country", "GT"],
     ["--proto", "Udp", "--country", "GT"]],
)  # fmt: skip
def test_both_programs_take_the_same_spellings(spelling: list[str]) -> None:
    from ixpready_probe.cli import build_parser as probe_parser

    from ixpready.cli import build_parser

    ours = build_parser().parse_args(["probe", "trace", "192.0.2.1", *spelling])
    theirs = probe_parser().parse_args(["trace", "192.0.2.1", "--out", "x.jsonl", *spelling])
    assert ours.proto == theirs.proto == spelling[1].upper()
    assert ours.probe_country == theirs.country == "GT"
