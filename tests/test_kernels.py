"""The compiled kernels (`ixpready._kernels`, built from src/ixpready/_kernels.c) against
their Python references, and the rules deciding whether a process uses them (`ixpready.kernels`).

A kernel may decline (return None) any input; whatever it returns must equal what its
reference returns, element by element and type by type, and it must decline whatever its
reference rejects. Checked on every recorded traceroute, the demo's results and generated
records; the whole demo analysis is byte-identical with and without the kernels.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import orjson
from hypothesis import given
from hypothesis import strategies as st

import ixpready.kernels as kernels
from ixpready.demo.scenario import write_scenario
from ixpready.measurements import parse
from ixpready.measurements.records import AddressTable

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "src" / "ixpready"
SOURCE = FOLDER / "_kernels.c"


def _compiled() -> Any:
    assert kernels.COMPILED, (
        f"the compiled kernels are not in use: {kernels.STATUS}. `bash scripts/install.sh` "
        f"builds them (a C compiler and the Python headers are needed)"
    )
    assert kernels.scan_hops is not None
    return kernels.scan_hops


def test_the_install_built_the_kernels_from_this_source() -> None:
    # The tests run the compiled twins: a machine where they were not built, or were built
    # from another version of _kernels.c, fails here rather than testing only the references.
    _compiled()
    import ixpready._kernels as _kernels

    sources = sorted([*FOLDER.glob("_kernels*.c"), *FOLDER.glob("_kernels*.h")])
    assert len(sources) >= 1
    assert kernels.source_digest(sources) == _kernels.SOURCE_SHA256  # setup.py's digest
    assert kernels.STATUS.startswith("compiled")


def _same_values(got: tuple[Any, ...], expected: tuple[Any, ...]) -> None:
    assert got == expected
    for column, reference in zip(got, expected, strict=True):
        assert [type(v) for v in column] == [type(v) for v in reference]


def _check_scan(entries: list[Any]) -> bool:
    """Compares the kernel with `_scan_rows` on one record's hops; True when it read them."""
    scan = _compiled()
    got = scan(entries, msgspec.UNSET)
    try:
        expected = parse._scan_rows(entries, AddressTable())
    except (parse._Fallback, parse.MalformedResult):
        assert got is None, "the kernel read a record its reference rejects"
        return False
    if got is None:
        return False
    _same_values(got, expected)
    return True


def _decoded(lines: list[bytes]) -> list[parse._FastTrace]:
    records = []
    for line in lines:
        try:
            records.append(parse._FAST_LINE.decode(line))
        except msgspec.DecodeError:
            continue  # the dict reader's: not the fast path's
    return records


def test_scan_hops_matches_its_reference_on_every_recorded_traceroute(recorded: Path) -> None:
    read = declined = 0
    files = sorted((recorded / "atlas-traceroute").glob("*"))
    assert files
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".jsonl":
            lines = [line for line in data.splitlines() if line.strip()]
        else:
            document = orjson.loads(data)
            items = document if isinstance(document, list) else [document]
            lines = [orjson.dumps(item) for item in items if isinstance(item, dict)]
        for record in _decoded(lines):
            if _check_scan(record.result):
                read += 1
            else:
                declined += 1
    assert read > 100  # the common case is what real results hold
    assert declined > 0  # and the real data has hops the kernel leaves to the reference


def test_scan_hops_matches_its_reference_on_the_demo(tmp_path: Path) -> None:
    """The simulated results have ICMP extensions, `*`s, duplicates, late replies and ECMP."""
    files = write_scenario(tmp_path, seed=5, lanes=4, probes_per_network=2)
    records = _decoded([orjson.dumps(r) for r in orjson.loads(files.results[0].read_bytes())])
    outcomes = [_check_scan(record.result) for record in records]
    assert len(outcomes) > 700 and sum(outcomes) > len(outcomes) // 2


_ADDRESSES = ["192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:DB8::1", "300.1.1.1", ""]
_reply = st.one_of(
    st.fixed_dictionaries({"x": st.sampled_from(["*", "?", 1])}),
    st.fixed_dictionaries(
        {"from": st.sampled_from(_ADDRESSES)},
        optional={
            "rtt": st.one_of(st.none(), st.floats(0, 600_000), st.integers(0, 5)),
            "ttl": st.integers(0, 255),
            "dup": st.booleans(),
            "late": st.integers(0, 3),
            "edst": st.sampled_from(["", "192.0.2.9", "nonsense"]),
            "err": st.sampled_from(["N", 7]),
        },
    ),
    st.just({"from": None}),
)
_hop = st.fixed_dictionaries(
    {
        "hop": st.sampled_from([1, 2, 3, 255, 0, 256, -1, 2**62]),
        "result": st.lists(_reply, max_size=4),
    },
    optional={"inherited": st.booleans()},
)


@given(hops=st.lists(_hop, max_size=5))
def test_scan_hops_matches_its_reference_on_generated_hops(hops: list[dict[str, Any]]) -> None:
    record = {"type": "traceroute", "msm_id": 1, "prb_id": 2, "timestamp": 3, "result": hops}
    decoded = _decoded([orjson.dumps(record)])
    if decoded:
        _check_scan(decoded[0].result)


def test_the_kernels_are_left_unused_when_asked_or_built_from_another_source(
    tmp_path: Path,
) -> None:
    script = "import ixpready.kernels as k; print(k.COMPILED, k.scan_hops is None); print(k.STATUS)"
    env = {**os.environ, kernels.PURE_PYTHON_ENV: "1"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "False True" and kernels.PURE_PYTHON_ENV in out[1]
    # A module built from other versions of the sources is not used.
    for source in [*FOLDER.glob("_kernels*.c"), *FOLDER.glob("_kernels*.h")]:
        (tmp_path / source.name).write_bytes(source.read_bytes())
    module, status = kernels._load(tmp_path)
    assert module is not None and status.startswith("compiled")
    (tmp_path / "_kernels.c").write_bytes(SOURCE.read_bytes() + b"\n/* edited */\n")
    module, status = kernels._load(tmp_path)
    assert module is None and "other versions" in status
    module, status = kernels._load(tmp_path / "absent")  # an installed wheel: no sources
    assert module is not None


def test_the_demo_analysis_is_byte_identical_without_the_kernels(tmp_path: Path) -> None:
    files = write_scenario(tmp_path / "in", seed=3, lanes=4, probes_per_network=2)
    outputs = {}
    for label, extra in (("compiled", {}), ("pure", {kernels.PURE_PYTHON_ENV: "1"})):
        out = tmp_path / f"{label}.json"
        env = {k: v for k, v in os.environ.items() if k != kernels.PURE_PYTHON_ENV}
        command = [
            sys.executable, "-m", "ixpready", "analyze", str(files.results[0]),
            "--refdata", str(files.refdata), "--probes", str(files.probes),
            "--rdns", str(files.rdns), "--country", "GT", "--format", "json",
            "--workers", "1", "--out", str(out),
        ]  # fmt: skip
        subprocess.run(command, env={**env, **extra}, check=True, capture_output=True, cwd=tmp_path)
        outputs[label] = orjson.loads(out.read_bytes())
    for document in outputs.values():
        document.pop("generated_at", None)
    assert outputs["compiled"] == outputs["pure"]
    assert len(outputs["pure"]["paths"]) > 700
