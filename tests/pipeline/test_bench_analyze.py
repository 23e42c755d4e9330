"""The analysis benchmark stays runnable, and its synthetic prefix table is a valid pfx2as."""

from __future__ import annotations

import importlib.util
import re
import sys
from ipaddress import ip_network
from pathlib import Path
from types import ModuleType

import pytest

from ixpready.pipeline.analyze import read_traces
from ixpready.refdata.snapshots import parse_pfx2as_line

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_analyze.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_analyze", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_analyze"] = module
    spec.loader.exec_module(module)
    return module


def test_the_synthetic_prefix_table_is_valid_and_stays_clear_of_the_scenario(
    bench: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "pfx2as-synthetic.txt"
    sizes = bench.Sizes(probes_per_network=0, rounds=1, v4_prefixes=20_000, v6_prefixes=4_000)
    assert bench.write_prefix_table(path, sizes, 1) == (20_000, 4_000)
    routed = [parse_pfx2as_line(line) for line in path.read_text().splitlines()]
    networks = [ip_network(r.prefix) for r in routed if r is not None]
    assert len(networks) == len(set(networks)) == 24_000
    v4 = [n for n in networks if n.version == 4]
    assert v4 == sorted(v4)
    assert not any(int(str(n.network_address).split(".")[0]) in bench.V4_EXCLUDED for n in v4)
    assert sum(n.prefixlen == 24 for n in v4) > 0.5 * len(v4)
    assert any(r is not None and len(r.origins) > 1 for r in routed)
    assert all(not n.overlaps(ip_network("2800::/12")) for n in networks if n.version == 6)


def test_the_quick_run_ends_with_the_ratio(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--quick", "--repeat", "1", "--workers", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"ratio_vs_sagan=\d+\.\d\d", lines[-1])
    assert re.fullmatch(r"ratio_vs_sagan_unique=\d+\.\d\d", lines[-2])
    assert any(re.match(r"workers=2: streaming analyze .* speed-up \d", line) for line in lines)
    assert any(line.startswith("ixpready read+enrich+verdict: 992 results") for line in lines)


def test_the_memory_benchmark_replicates_results_without_duplicates(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_memory", BENCH.parent / "bench_memory.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    mesh = Path("../shared/fixtures/atlas-traceroute") / (
        "msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
    )
    once = read_traces([mesh])
    out = tmp_path / "replicated.jsonl"
    wanted = 2 * len(once.traces) + 5
    assert module.replicate(mesh, out, wanted) == wanted
    read = read_traces([out])
    assert len(read.traces) == wanted and read.duplicates == 0
    assert {t.route() for t in read.traces} == {t.route() for t in once.traces}  # routes repeat
