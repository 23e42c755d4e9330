"""Real traceroutes with the probe across network namespaces the tests build.

The routers keep the kernel's default ICMP rate limits (about one time-exceeded a second to
the prober after a burst of six): lifting them would hide the problem the engine solves.
Every result is read back with ripe.atlas.sagan and ixpready's own reader.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from ixpready_probe.lab import Lab
from ripe.atlas.sagan import Result, TracerouteResult
from tests.probes.helpers import PROBE, lines, run_probe

from ixpready.measurements.parse import read_results
from ixpready.measurements.records import Trace

IDENTITY = ["--name", "gt-lab-1", "--asn", "64500", "--country", "gt",
            "--latitude", "14.6349", "--longitude=-90.5069"]


def _hops(result: dict[str, Any]) -> list[tuple[str | None, ...]]:
    return [tuple(p.get("from") for p in hop["result"]) for hop in result["result"]]


def _expected(addresses: tuple[str | None, ...]) -> list[tuple[str | None, ...]]:
    return [(address,) * 3 for address in addresses]


def _trace(lab: Lab, tmp_path: Path, *args: str, timeout_s: float = 300) -> list[dict[str, Any]]:
    out = tmp_path / "trace.jsonl"
    done = run_probe(["trace", *args, *IDENTITY, "--timeout", "0.5", "--out", str(out)],
                     prefix=lab.exec_prefix(), timeout_s=timeout_s)
    assert done.returncode == 0, done.stderr
    assert "traced" in done.stdout
    return lines(out)


def _agree_with_readers(path: Path, results: list[dict[str, Any]]) -> None:
    """Checks sagan and ixpready's reader see the same hops as the file says."""
    for line, result in zip(path.read_text().splitlines(), results, strict=True):
        parsed = Result.get(line)
        assert isinstance(parsed, TracerouteResult)
        assert not parsed.is_malformed and not parsed.is_error
        assert parsed.probe_id == result["prb_id"] and parsed.firmware == 9001
        assert [tuple(p.origin for p in hop.packets) for hop in parsed.hops] == _hops(result)
    traces = [o for o in read_results(path) if isinstance(o, Trace)]
    assert len(traces) == len(results)
    for trace, result in zip(traces, results, strict=True):
        seen = [tuple(None if r.address is None else str(r.address) for r in hop.replies)
                for hop in trace.hops]
        assert seen == _hops(result)
        assert [hop.inherited for hop in trace.hops] == [
            bool(hop.get("inherited")) for hop in result["result"]]
        assert trace.origin == "ixpready-probe"
        assert trace.vantage is not None
        assert (trace.vantage.description, trace.vantage.asn_v4, trace.vantage.country) == (
            "gt-lab-1", 64500, "GT")
        assert trace.vantage.latitude == pytest.approx(14.6349)


def test_fifty_targets_behind_shared_near_hops_all_come_out_right(
    lab: Lab, tmp_path: Path
) -> None:
    targets = lab.targets(4)
    results = _trace(lab, tmp_path, *targets, lab.deep[0])
    assert [r["dst_addr"] for r in results] == [*targets, lab.deep[0]]
    wrong = [r["dst_addr"] for r in results[:-1]
             if _hops(r) != _expected(lab.expected_shared(4, r["dst_addr"]))]
    assert wrong == []
    # the pilot probed every hop; the others inherited R1 and R2 from the stop set
    inherited = [[bool(h.get("inherited")) for h in r["result"]] for r in results]
    assert inherited[0] == [False, False, False]
    assert inherited[1:-1] == [[True, True, False]] * 49
    # same /24 but one hop deeper: its distance is not the group's, so its join is verified
    assert _hops(results[-1]) == _expected(lab.expected_deep(4))
    assert inherited[-1] == [True, True, False, False]
    _agree_with_readers(tmp_path / "trace.jsonl", results)


def test_verified_joins_are_paced_behind_the_shared_router_and_all_right(
    lab: Lab, tmp_path: Path
) -> None:
    # every target's join is confirmed by R2's own reply: 20 replies from a router that
    # gives one a second after a burst of six, so pacing and re-probing must both work
    targets = lab.targets(4)[10:30]
    results = _trace(lab, tmp_path, "--verify-joins", *targets)
    wrong = [r["dst_addr"] for r in results
             if _hops(r) != _expected(lab.expected_shared(4, r["dst_addr"]))]
    assert wrong == []
    assert [bool(r["result"][1].get("inherited")) for r in results] == [False] + [True] * 19


def test_without_the_stop_set_every_hop_is_probed_and_still_right(
    lab: Lab, tmp_path: Path
) -> None:
    # 6 targets x 3 packets at R1 and at R2: far past their burst; silent packets at hops
    # with a known router are re-probed after its rate limiter refills, never written `*`
    targets = lab.targets(6)[40:46]
    results = _trace(lab, tmp_path, "-6", "--no-stop-set", *targets)
    assert [_hops(r) for r in results] == [
        _expected(lab.expected_shared(6, t)) for t in targets]
    assert not any(h.get("inherited") for r in results for h in r["result"])


@pytest.mark.parametrize(
    ("protocol", "af"),
    [("ICMP", 6), ("UDP", 4), ("UDP", 6), ("TCP", 4), ("TCP", 6), ("ICMP", 4)],
)
def test_every_protocol_and_family_gets_exact_hops(
    lab: Lab, tmp_path: Path, protocol: str, af: int
) -> None:
    i = 0 if af == 4 else 1
    near, far = lab.targets(af)[0], lab.targets(af)[1]
    results = _trace(lab, tmp_path, f"-{af}", "--proto", protocol.lower(),
                     near, far, lab.x[i], lab.e[i], lab.deep[i])
    by_target = {r["dst_addr"]: r for r in results}
    assert {r["proto"] for r in results} == {protocol}
    assert {r["af"] for r in results} == {af}
    assert _hops(by_target[near]) == _expected(lab.expected_shared(af, near))
    assert _hops(by_target[far]) == _expected(lab.expected_shared(af, far))
    assert _hops(by_target[lab.deep[i]]) == _expected(lab.expected_deep(af))
    # R3 sends no ICMP: its hop is `*` three times, and the trace goes on to X
    assert _hops(by_target[lab.x[i]]) == _expected(lab.expected_x(af))
    # E sits behind two equal-cost paths: one flow stays on one of them
    to_e = _hops(by_target[lab.e[i]])
    assert to_e[0] == (lab.r1[i],) * 3 and to_e[2] == (lab.e[i],) * 3
    assert to_e[1] in {(lab.branch_a[i],) * 3, (lab.branch_b[i],) * 3}
    _agree_with_readers(tmp_path / "trace.jsonl", results)


def test_paris_flow_stays_on_one_path_and_flows_spread_over_both(
    lab: Lab, tmp_path: Path
) -> None:
    middles = set()
    for paris_id in range(1, 13):
        results = _trace(lab, tmp_path, "--proto", "udp", "--paris-id", str(paris_id), lab.e[0])
        hops = _hops(results[0])
        assert results[0]["paris_id"] == paris_id
        assert len(set(hops[1])) == 1, f"flow {paris_id} split over {hops[1]}"
        middles.add(hops[1][0])
    # the routers really balance: different flows took both branches
    assert middles == {lab.branch_a[0], lab.branch_b[0]}


def test_no_route_and_unresolvable_names_are_one_line_errors(lab: Lab, tmp_path: Path) -> None:
    isolated = ["ip", "netns", "exec", lab.ns("N")]
    done = run_probe(["trace", "10.91.0.1", "--out", str(tmp_path / "x.jsonl")], prefix=isolated)
    assert done.returncode == 6
    assert "ixpready-probe: error: no route to 10.91.0.1" in done.stderr
    assert "hint:" in done.stderr
    assert not (tmp_path / "x.jsonl").exists()
    done = run_probe(["trace", "no-such-host.invalid", "--out", str(tmp_path / "y.jsonl")],
                     prefix=isolated)
    assert done.returncode == 3
    assert "ixpready-probe: error: no-such-host.invalid: name resolution failed" in done.stderr
    assert done.stderr.count("name resolution failed") == 1  # said once, not warned as well


def test_one_failed_target_is_an_atlas_error_result_beside_the_good_ones(
    lab: Lab, tmp_path: Path
) -> None:
    out = tmp_path / "mixed.jsonl"
    done = run_probe(["trace", "no-such-host.invalid", lab.targets(4)[0], *IDENTITY,
                      "--timeout", "0.5", "--out", str(out)], prefix=lab.exec_prefix())
    assert done.returncode == 0, done.stderr
    assert "warning: no-such-host.invalid: name resolution failed" in done.stderr
    failed, good = lines(out)
    assert failed["result"][0]["error"].startswith("name resolution failed")
    assert "dst_addr" not in failed
    assert _hops(good) == _expected(lab.expected_shared(4, lab.targets(4)[0]))
    traces = [o for o in read_results(out) if isinstance(o, Trace)]
    assert [t.error is not None for t in traces] == [True, False]
    unresolved = Result.get(out.read_text().splitlines()[0])
    assert not unresolved.is_malformed and unresolved.destination_address is None


def test_without_raw_sockets_the_error_names_the_setcap_line(lab: Lab, tmp_path: Path) -> None:
    tmp_path.chmod(0o777)
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    done = run_probe(["trace", lab.targets(4)[0], "--out", str(tmp_path / "z.jsonl")],
                     prefix=[*lab.exec_prefix(), *nobody])
    assert done.returncode == 4, done.stderr
    assert "ixpready-probe: error: raw sockets are not permitted" in done.stderr
    assert "setcap cap_net_raw+ep" in done.stderr


def test_a_killed_probe_leaves_no_file(lab: Lab, tmp_path: Path) -> None:
    out = tmp_path / "killed.jsonl"
    # R3 never answers and X is far: with a long timeout the run is still going when killed
    probe = subprocess.Popen([*lab.exec_prefix(), *PROBE, "trace", lab.x[0], "--timeout", "5",
                              "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)
    assert probe.poll() is None
    probe.send_signal(signal.SIGKILL)
    probe.wait(timeout=10)
    assert list(tmp_path.iterdir()) == []


def test_a_deadline_ends_the_run_with_what_was_measured(lab: Lab, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    started = time.monotonic()
    done = run_probe(["trace", lab.x[0], "--timeout", "5", "--deadline", "2",
                      "--spool", str(spool)], prefix=lab.exec_prefix())
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 10
    (written,) = spool.iterdir()
    assert written.name.startswith("traceroute-") and written.suffix == ".jsonl"
    (result,) = lines(written)
    hops = _hops(result)
    # R1 answered within the deadline (a reply still pending when the deadline strikes is
    # written as `*`, never dropped or invented); R3 never does
    assert lab.r1[0] in hops[0] and set(hops[0]) <= {lab.r1[0], None}
    assert len(hops[0]) == 3
    assert all(address is None for address in hops[1])


def test_ipv4_and_ipv6_targets_in_one_run_keep_separate_stop_sets(
    lab: Lab, tmp_path: Path
) -> None:
    targets = [lab.targets(4)[5], lab.targets(6)[5], lab.targets(4)[6], lab.targets(6)[6],
               lab.deep[0], lab.deep[1]]
    results = _trace(lab, tmp_path, *targets)
    assert [r["af"] for r in results] == [4, 6, 4, 6, 4, 6]
    for result, target in zip(results[:4], targets[:4], strict=True):
        assert _hops(result) == _expected(lab.expected_shared(result["af"], target))
    assert _hops(results[4]) == _expected(lab.expected_deep(4))
    assert _hops(results[5]) == _expected(lab.expected_deep(6))
    _agree_with_readers(tmp_path / "trace.jsonl", results)
