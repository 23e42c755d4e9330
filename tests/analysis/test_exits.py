"""Where the recorded Guatemalan, Honduran and Salvadoran traceroutes to F-root leave their
country (RIPE Atlas msm 5004, 2015-10-20; ../shared/fixtures/README.md), or why it cannot
be said. Each is an outbound path of its probe's country: analysed with that country as home.

Read off the files by hand: SV probes 15381 (hop 8) and 18865 (hop 12) and HN probe 18250
(hop 8) cross 206.223.119.2 / 198.32.176.3, on the peering LANs the 2016 PeeringDB dump gives
Equinix Chicago and Equinix Palo Alto, at 132-186 ms. No other hop is on an IXP LAN; the LACNIC
probe list gives no coordinates (so no RTT places anything: from its country's disc a probe
proves nothing), and there are no reverse-DNS names. Hop 1 of 24182's two results is only
"connect failed: Network is unreachable"; 19656, 20455 and 23023 never reach F-root.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ixpready.analysis.verdicts import Scope
from ixpready.pipeline.analyze import analyze_files

MSM5004 = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
PROBES = "atlas-probes/lacnic-simon-ripeatlasprobe-fixture-latam.json"

# probe -> (home, what is said of both its results)
EXPECTED = {
    12804: ("GT", None), 19417: ("GT", None), 19570: ("GT", None), 19656: ("GT", None),
    18250: ("HN", "leaves HN at hop 8 at the latest (198.32.176.3, San Jose (California), US)"),
    23023: ("HN", None), 24182: ("HN", None), 25523: ("HN", None),
    4814: ("SV", None), 11235: ("SV", None), 20455: ("SV", None),
    15381: ("SV", "leaves SV at hop 8 at the latest (206.223.119.2, Chicago, US)"),
    18865: ("SV", "leaves SV at hop 12 at the latest (206.223.119.2, Chicago, US)"),
}  # fmt: skip


@pytest.fixture(scope="module")
def refdata(recorded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exits") / "refdata"
    (folder / "peeringdb").mkdir(parents=True)
    shutil.copy(
        recorded / "routing/pyasn-ipasn-20140513-excerpt.dat", folder / "ipasn_20140513.dat"
    )
    for kind in ("ix", "ixlan", "ixpfx"):
        shutil.copy(
            recorded / f"peeringdb/pdb-2016-10-19-{kind}.json",
            folder / "peeringdb" / f"{kind}.json",
        )
    # F-root's block as ARIN records it (192.5.5.0/24, ISC, US): the destination's country.
    (folder / "delegated-test-extended-20151020").write_text(
        "2|arin|20151020|1|19700101|20151020|-0500\n"
        "arin|US|ipv4|192.5.5.0|256|19880101|assigned|isc\n"
    )
    return folder


@pytest.mark.parametrize("home", ["GT", "HN", "SV"])
def test_each_recorded_path_says_where_it_leaves_or_why_not(
    recorded: Path, refdata: Path, home: str
) -> None:
    run = analyze_files(
        [recorded / MSM5004], country=home, refdata=refdata, probes=recorded / PROBES
    )
    outbound = [p for p in run.result.other_paths if p.scope is Scope.OUTBOUND]
    mine = {prb for prb, (country, _said) in EXPECTED.items() if country == home}
    assert sorted(p.trace.prb_id for p in outbound) == sorted([*mine, *mine])  # 2 each
    for path in outbound:
        said = EXPECTED[path.trace.prb_id][1]
        if said is not None:
            assert said in path.reason, path.reason
            assert path.reason.endswith(f"no hop before it is placed in {home}")
            (first, *_rest) = path.evidence
            assert first.kind in ("location", "ixp_lan") and first.country == "US", first
            assert "Equinix" in first.fact
        elif path.trace.prb_id == 24182:
            assert path.reason.endswith(
                "cannot be said: the probe could not measure "
                "(connect failed: Network is unreachable)"
            )
        else:
            assert f"where it leaves {home} cannot be said: no hop is placed abroad" in path.reason
            assert "the probe has no coordinates, so its RTTs place nothing" in path.reason
            reached = path.trace.prb_id not in (19656, 20455, 23023)
            assert ("the destination was not reached" in path.reason) is not reached
            if reached:  # only F-root's own block has a registry country here
                assert "is hop" in path.reason and "192.5.5.241 (US, registry only" in path.reason
