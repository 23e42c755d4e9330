"""The analyses the golden test pins: the demo scenario (several seeds) and every recorded
traceroute fixture, each serialised as the full `ixpready-analysis/1` JSON.

`python -m tests.analysis.golden_runs --write` (from the repository root) records what the
code of the working tree gives into `tests/analysis/golden/`; the test compares against it.
Regenerate only on purpose (a verdict fixed because of a bug), in a commit of its own.
To see what some other revision gave: `git worktree add /tmp/old REV`, install it, and run
the same command there with `--out DIR`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from ixpready.analysis.export import to_json
from ixpready.demo.scenario import write_scenario
from ixpready.measurements.parse import read_results
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import Trace
from ixpready.pipeline.analyze import analyze_files

GOLDEN = Path(__file__).resolve().parent / "golden"
DEMO_SEEDS = (2026, 7, 31337)
PROBES = "atlas-probes/lacnic-simon-ripeatlasprobe-fixture-latam.json"
FIXED_TIME = "2000-01-01T00:00:00+00:00"


def fixture_refdata(recorded: Path, folder: Path, everywhere: str | None = None) -> Path:
    """Writes the reference data the recorded-fixture tests use (tests/test_cli_analyze.py).

    With `everywhere`, a registry file also says every address is registered in that country:
    not true, but it makes every path of a fixture a domestic pair, so that the verdict rules
    (not only the scope) run on real traceroutes' shapes and RTTs."""
    (folder / "peeringdb").mkdir(parents=True)
    shutil.copy(
        recorded / "routing/pyasn-ipasn-20140513-excerpt.dat", folder / "ipasn_20140513.dat"
    )
    shutil.copy(recorded / "routing/pyasn-asnames-central-america.json", folder / "asnames.json")
    for kind in ("ix", "ixlan", "ixpfx"):
        shutil.copy(
            recorded / f"peeringdb/pdb-2016-10-19-{kind}.json",
            folder / "peeringdb" / f"{kind}.json",
        )
    (folder / "delegated-test-extended-20151020").write_text(
        "2|arin|20151020|3|19700101|20151020|-0500\n"
        "arin|US|ipv4|192.5.5.0|256|19880101|assigned|isc\n"
        "lacnic|GT|asn|14754|1|20000101|allocated|t\n"
        "lacnic|GT|asn|27929|1|20000101|allocated|u\n"
    )
    if everywhere is not None:
        (folder / "delegated-test-everywhere-20151020").write_text(
            "2|test|20151020|3|19700101|20151020|-0500\n"
            f"test|{everywhere}|ipv4|0.0.0.0|2147483648|19700101|assigned|x\n"
            f"test|{everywhere}|ipv4|128.0.0.0|2147483647|19700101|assigned|x\n"
            f"test|{everywhere}|ipv6|::|0|19700101|assigned|x\n"
        )
    return folder


def normalised(document: bytes) -> bytes:
    """Returns the analysis JSON with its run time fixed (the only field that varies)."""
    data = json.loads(document)
    data["generated_at"] = FIXED_TIME
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def _probes_for(recorded: Path, results: Path) -> Path:
    """Returns the fixture's own probe file (with coordinates) when there is one."""
    own = recorded / "atlas-probes" / results.name.replace("-traceroute", "-probes")
    own = own.with_name(own.name.replace("-italy", ""))
    return (
        own
        if own.is_file() and own != recorded / "atlas-probes" / results.name
        else (recorded / PROBES)
    )


def _commonest_country(results: Path, probes: Path) -> str:
    """Returns the country most of the fixture's probes declare (GT when none is known)."""
    known = load_probes(probes)
    countries: Counter[str] = Counter()
    for outcome in read_results(results):
        if isinstance(outcome, Trace):
            probe = known.get(outcome.key.prb_id) or outcome.vantage
            if probe is not None and probe.country:
                countries[probe.country] += 1
    return countries.most_common(1)[0][0] if countries else "GT"


def run_all(recorded: Path, work: Path) -> dict[str, bytes]:
    """Returns each case's normalised analysis JSON, by case name."""
    outputs: dict[str, bytes] = {}
    for seed in DEMO_SEEDS:
        files = write_scenario(work / f"demo-{seed}", seed=seed)
        run = analyze_files(
            list(files.results), country="GT", refdata=files.refdata, probes=files.probes,
            rdns=files.rdns, simulated=True,
        )  # fmt: skip
        outputs[f"demo-seed-{seed}"] = normalised(to_json(run.result))
    refdata = fixture_refdata(recorded, work / "refdata")
    for path in sorted((recorded / "atlas-traceroute").iterdir()):
        for home in ("GT", "MX", "IT"):
            run = analyze_files([path], country=home, refdata=refdata, probes=recorded / PROBES)
            outputs[f"{path.name}-{home}"] = normalised(to_json(run.result))
    for path in sorted((recorded / "atlas-traceroute").iterdir()):
        probes = _probes_for(recorded, path)
        home = _commonest_country(path, probes)
        everywhere = fixture_refdata(recorded, work / f"refdata-{path.name}", everywhere=home)
        run = analyze_files([path], country=home, refdata=everywhere, probes=probes)
        outputs[f"{path.name}-all-{home}"] = normalised(to_json(run.result))
    return outputs


def digest(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


def verdict_lines(document: bytes) -> list[str]:
    """Returns one compact line per judged path: what a changed verdict shows in a diff."""
    data: dict[str, Any] = json.loads(document)
    lines = []
    for part in ("paths", "other_paths"):
        for p in data.get(part, []):
            lines.append(
                f"{part} {p.get('msm_id')} {p.get('prb_id')} {p.get('timestamp')} "
                f"{p.get('scope')} {p.get('verdict')} {p.get('confidence')}"
            )
    return lines


def write(outputs: dict[str, bytes], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "digests.json").write_text(
        json.dumps({name: digest(doc) for name, doc in outputs.items()}, indent=1, sort_keys=True)
        + "\n"
    )
    (out / "verdicts.json").write_text(
        json.dumps({name: verdict_lines(doc) for name, doc in outputs.items()}, indent=0,
                   sort_keys=True) + "\n"
    )  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="record the golden files")
    parser.add_argument("--out", type=Path, default=GOLDEN)
    parser.add_argument(
        "--recorded", type=Path, default=Path(__file__).resolve().parents[3] / "shared/fixtures"
    )
    args = parser.parse_args(argv)
    if not args.write:
        parser.error("nothing to do without --write")
    with tempfile.TemporaryDirectory() as work:
        write(run_all(args.recorded, Path(work)), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
