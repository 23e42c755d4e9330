"""`ixpready analyze` in-process on real recorded traceroutes: output, exit codes, quarantine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.analysis.golden_runs import fixture_refdata

from ixpready.cli import main

GT_HN_SV = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"


@pytest.fixture
def refdata(recorded: Path, tmp_path: Path) -> Path:
    # the recorded pyasn, AS-name and PeeringDB files, F-root's block as ARIN records it
    # (192.5.5.0/24, ISC, US) and the probes' networks: one writer, shared with the golden runs
    return fixture_refdata(recorded, tmp_path / "refdata")


def test_recorded_froot_traces_are_outbound_not_domestic(
    recorded: Path, refdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "analysis.json"
    code = main([
        "analyze", str(recorded / GT_HN_SV), "--country", "GT", "--refdata", str(refdata),
        "--probes", str(recorded / "atlas-probes/lacnic-simon-ripeatlasprobe-fixture-latam.json"),
        "--format", "json", "--out", str(out), "--quarantine", str(tmp_path / "q.jsonl"),
    ])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    document = json.loads(out.read_text())
    assert document["summary"]["domestic_paths"] == 0
    assert document["summary"]["other_paths"] == 26
    scopes = {(p["prb_id"], p["scope"]) for p in document["other_paths"]}
    # GT probes to F-root (registered in the US) are outbound; HN/SV probes are foreign to GT.
    assert (12804, "outbound") in scopes and (19570, "outbound") in scopes
    assert (4814, "foreign") in scopes
    crossing = {p["prb_id"]: p["ixps"] for p in document["other_paths"] if p["ixps"]}
    assert crossing[15381] == ["Equinix Chicago"] and crossing[18865] == ["Equinix Chicago"]
    assert crossing[18250] == ["Equinix Palo Alto"]
    assert {"kind": "PeeringDB", "source": "peeringdb/ix.json", "date": "2016-10-19"} in document[
        "snapshots"
    ]


def test_table_output_names_the_counts(
    recorded: Path, refdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["analyze", str(recorded / GT_HN_SV), "--country", "SV", "--refdata", str(refdata),
                 "--quarantine", str(tmp_path / "q.jsonl")])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "26 results read" in printed
    assert "Domestic paths by verdict" in printed


def test_damaged_results_are_quarantined_once_and_the_rest_analysed(
    recorded: Path, refdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (recorded / GT_HN_SV).read_text().splitlines()
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text(
        "\n".join([*lines[:5], lines[5][:200], '{"type": "traceroute", "msm_id": 1}', *lines[6:]])
        + "\n"
    )
    quarantine = tmp_path / "q.jsonl"
    out = tmp_path / "a.json"
    args = ["analyze", str(damaged), "--country", "GT", "--refdata", str(refdata), "--format", "json",
            "--out", str(out), "--quarantine", str(quarantine)]  # fmt: skip
    assert main(args) == 7
    err = capsys.readouterr().err
    assert "2 malformed record(s) quarantined" in err
    summary = json.loads(out.read_text())["summary"]
    assert summary["quarantined"] == 2
    assert summary["domestic_paths"] + summary["other_paths"] == len(lines) - 1
    records = [json.loads(line) for line in quarantine.read_text().splitlines()]
    assert [r["where"] for r in records] == ["damaged.jsonl:6", "damaged.jsonl:7"]
    assert "prb_id" in records[1]["reason"]
    assert main(args) == 7  # a re-run adds nothing to the quarantine
    assert len(quarantine.read_text().splitlines()) == 2


def test_usage_and_reference_data_errors_are_one_line_with_a_hint(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "analyze",
                str(recorded / GT_HN_SV),
                "--country",
                "Guatemala",
                "--refdata",
                str(tmp_path),
            ]
        )
        == 2
    )
    assert "ISO 3166" in capsys.readouterr().err
    assert (
        main(
            [
                "analyze",
                str(recorded / GT_HN_SV),
                "--country",
                "GT",
                "--refdata",
                str(tmp_path / "none"),
            ]
        )
        == 3
    )
    err = capsys.readouterr().err
    assert err.startswith("ixpready: error:") and "ixpready: hint:" in err
    assert (
        main(
            [
                "analyze",
                str(tmp_path / "missing.json"),
                "--country",
                "GT",
                "--refdata",
                str(tmp_path),
            ]
        )
        == 3
    )


def test_analyze_reads_the_store_and_records_the_snapshot_it_used(
    recorded: Path, refdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ixpready.measurements.records import TraceKey
    from ixpready.measurements.store import Store, StoredResult

    lines = (recorded / GT_HN_SV).read_text().splitlines()
    store_file = tmp_path / "ixpready.sqlite"
    with Store.open(store_file) as store:
        for line in lines:
            record = json.loads(line)
            store.add_results(
                [
                    StoredResult(
                        TraceKey(record["msm_id"], record["prb_id"], record["timestamp"]), line
                    )
                ]
            )
        store.add_results(
            [StoredResult(TraceKey(5004, 1, 1), '{"type": "traceroute", "msm_id": 5004}')]
        )
    out = tmp_path / "a.json"
    code = main(["analyze", "--store", str(store_file), "--country", "GT", "--refdata", str(refdata),
                 "--format", "json", "--out", str(out), "--quarantine", str(tmp_path / "q.jsonl")])  # fmt: skip
    assert code == 7, capsys.readouterr().err
    document = json.loads(out.read_text())
    assert document["summary"]["other_paths"] == len(lines) == 26
    assert document["summary"]["quarantined"] == 1
    assert document["inputs"] == ["store ixpready.sqlite"]
    with Store.open(store_file) as store:
        (record,) = store.analyses()
    assert record.results == 26 and "peeringdb/ix.json@2016-10-19" in record.snapshot


def test_hostile_numbers_and_shapes_are_quarantined_without_a_traceback(
    recorded: Path, refdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 13: each of these ended `analyze` in a traceback (RecursionError, OverflowError,
    # "Integer exceeds 64-bit range" in the export) or was accepted as a result.
    lines = (recorded / GT_HN_SV).read_text().splitlines()
    first = json.loads(lines[0])
    hostile = [
        "[" * 100_000,
        '{"a":' * 100_000,
        json.dumps({**first, "prb_id": 12345}).replace("12345", str(2**70)),
        json.dumps({**first, "timestamp": 12345}).replace("12345", "1" + "0" * 30),
        json.dumps({**first, "msm_id": -5}),
        json.dumps({**first, "timestamp": -1}),
        json.dumps({**first, "prb_id": 12345}).replace("12345", "1" + "0" * 400),
        '{"x":"' * 50_000,
    ]
    # An RTT of 10^400 is no RTT: the reply is kept without it, the result analysed.
    huge_rtt = lines[1].replace('"rtt": 1.115', '"rtt": 1' + "0" * 400, 1)
    assert huge_rtt != lines[1]
    damaged = tmp_path / "hostile.jsonl"
    damaged.write_text("\n".join([lines[0], *hostile, huge_rtt, *lines[2:]]) + "\n")
    for form in ("json", "csv", "table"):
        out = tmp_path / f"a.{form}"
        code = main(["analyze", str(damaged), "--country", "GT", "--refdata", str(refdata),
                     "--format", form, "--out", str(out), "--quarantine",
                     str(tmp_path / f"q-{form}.jsonl")])  # fmt: skip
        err = capsys.readouterr().err
        assert code == 7, err
        assert "Traceback" not in err and f"{len(hostile)} malformed record(s) quarantined" in err
    summary = json.loads((tmp_path / "a.json").read_text())["summary"]
    assert summary["quarantined"] == len(hostile)
    assert summary["domestic_paths"] + summary["other_paths"] == len(lines)
    records = [json.loads(line) for line in (tmp_path / "q-json.jsonl").read_text().splitlines()]
    assert [r["where"] for r in records] == [f"hostile.jsonl:{n}" for n in range(2, 10)]
    assert "64-bit" in records[2]["reason"] and "positive id" in records[4]["reason"]
