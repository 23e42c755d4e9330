"""run_model and `ixpready model` on real registry excerpts (CAIDA, PeeringDB) in a refdata
folder, with hand-built measured paths between real Guatemalan networks."""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import pytest

from ixpready.analysis.export import to_json as analysis_json
from ixpready.analysis.verdicts import AnalysisResult, Verdict
from ixpready.cli import main
from ixpready.errors import InputError, RefdataError
from ixpready.model.export import load_model, model_from_json, to_json
from ixpready.pipeline.model import model_notes, run_model

from .world import analysis, path

TELEFONICA, COMCEL, COMNET, COLUMBUS_GT, COLUMBUS = 13682, 23243, 28087, 52286, 23520


@pytest.fixture
def refdata(recorded: Path, tmp_path: Path) -> Path:
    """Returns a refdata folder linking the recorded CAIDA and PeeringDB excerpts."""
    folder = tmp_path / "refdata"
    (folder / "peeringdb").mkdir(parents=True)
    source = recorded / "routing" / "caida-20180201-as-rel-central-america-mexico.txt"
    (folder / "20180201.as-rel.txt").symlink_to(source)
    for kind in ("ix", "netixlan"):
        for page in (1, 2):
            name = f"pdb-beta-api-2026-04-16-{kind}-page{page}.json"
            (folder / "peeringdb" / f"{kind}-page{page}.json").symlink_to(
                recorded / "peeringdb" / name
            )
    return folder


@pytest.fixture
def guatemala(recorded: Path) -> AnalysisResult:
    """Returns an analysis of five measured pairs between real Guatemalan networks."""
    raw = json.loads((recorded / "routing" / "pyasn-asnames-central-america.json").read_text())
    names = {int(k): v.split(",")[0] for k, v in raw.items()}
    via_miami = {"carried_by": (COLUMBUS,), "cities": ("Miami, US",), "countries": ("US",)}
    return analysis(
        path((COMNET, COLUMBUS, COLUMBUS_GT), Verdict.TROMBONED, rtt_ms=70.0, floor_rtt_ms=1.0,
             **via_miami),  # type: ignore[arg-type]
        path((COLUMBUS_GT, COLUMBUS, COMNET), Verdict.TROMBONED, rtt_ms=74.0, floor_rtt_ms=1.0,
             **via_miami),  # type: ignore[arg-type]
        path((TELEFONICA, COMNET), Verdict.LOCAL, rtt_ms=4.0),
        path((COMCEL, TELEFONICA, COMNET), Verdict.LOCAL, rtt_ms=7.0),
        names=names,
    )  # fmt: skip


def test_real_relationships_pick_telefonica_then_columbus(
    refdata: Path, guatemala: AnalysisResult
) -> None:
    result = run_model(guatemala, refdata=refdata, members_file=None, k=3, weights_file=None)
    assert result.graph_links > 1373 - 1  # every CAIDA line plus the measured links
    assert any("20180201.as-rel.txt" in source for source in result.inputs)
    # CAIDA: COLUMBUS (23520) sells transit to both COMNET and COLUMBUS_GT; TELEFONICA
    # sells to COMNET and COMCEL. Without an IXP the model agrees with all 4 pairs.
    status_quo, founding, everyone = result.scenarios
    assert status_quo.members == ()
    assert status_quo.agreement == 1.0 and status_quo.pairs_local_after == 2
    # Ends: COMNET and COLUMBUS_GT each end both tromboned pairs (1.0 each). TELEFONICA
    # covers COMNET through in-country transit too, and ties go to the lower ASN.
    assert [(p.asn, p.marginal_gain) for p in result.founding_set.picks] == [
        (TELEFONICA, 1.0),
        (COLUMBUS_GT, 1.0),
    ]
    assert [p.pairs_local for p in result.founding_set.curve] == [2, 2, 4]
    outcome = {(o.src_asn, o.dst_asn): o for o in founding.outcomes}
    # COMNET prefers the provider route through TELEFONICA (in-country) over COLUMBUS
    assert outcome[(COMNET, COLUMBUS_GT)].route_after == (COMNET, TELEFONICA, COLUMBUS_GT)
    assert outcome[(COLUMBUS_GT, COMNET)].route_after == (COLUMBUS_GT, TELEFONICA, COMNET)
    assert outcome[(COLUMBUS_GT, COMNET)].saved_ms == pytest.approx(73.0)
    assert everyone.pairs_local_after == 4
    comnet = next(c for c in result.candidates if c.asn == COMNET)
    assert comnet.name == "COMNET"
    # COMNET ends 4 measured paths; COLUMBUS carried 2 of them abroad
    assert (comnet.paths, comnet.tromboned_paths, comnet.kept_local_paths) == (4, 2, 2)
    assert comnet.explanation.top_carrier_asn == COLUMBUS
    assert comnet.explanation.top_carrier_share == pytest.approx(2 / 4)
    assert comnet.explanation.text_en.startswith("Joining would keep 2 of its 4 domestic paths")


def test_model_json_round_trips_and_names_a_foreign_document(
    refdata: Path, guatemala: AnalysisResult, tmp_path: Path
) -> None:
    result = run_model(guatemala, refdata=refdata, members_file=None, k=2, weights_file=None)
    assert model_from_json(to_json(result)) == result
    target = tmp_path / "model.json"
    target.write_bytes(to_json(result))
    assert load_model(target) == result
    with pytest.raises(InputError, match="not an ixpready model"):
        model_from_json(analysis_json(guatemala), "analysis.json")
    with pytest.raises(InputError, match="no such model file"):
        load_model(tmp_path / "missing.json")
    broken = json.loads(to_json(result))
    del broken["founding_set"]["picks"]
    with pytest.raises(InputError, match="not a valid ixpready model"):
        model_from_json(json.dumps(broken).encode(), "broken.json")


def test_members_file_and_user_weights_are_read_by_the_pipeline(
    refdata: Path, guatemala: AnalysisResult, tmp_path: Path
) -> None:
    members = tmp_path / "members.txt"
    members.write_text(f"AS{COMNET}\nAS{COLUMBUS_GT}\n")
    weights = tmp_path / "users.csv"
    weights.write_text(f"asn,users\n{COMNET},300\n{COLUMBUS_GT},100\n{TELEFONICA},600\n")
    result = run_model(guatemala, refdata=refdata, members_file=members, k=1, weights_file=weights)
    assert result.weighting == "users"
    assert any("no user estimate for 1 networks (AS23243)" in n for n in result.notes)
    scenario = next(s for s in result.scenarios if s.name == "members_file")
    assert scenario.members == (COMNET, COLUMBUS_GT)
    assert scenario.pairs_local_after == 4
    # weight of a pair: product of the two user shares (0.3 * 0.1), both directions
    made_local = [o for o in scenario.outcomes if o.measured == "tromboned"]
    assert sum(o.weight for o in made_local) == pytest.approx(2 * 0.3 * 0.1)


def test_a_missing_refdata_folder_is_a_refdata_error(guatemala: AnalysisResult) -> None:
    with pytest.raises(RefdataError, match="no such reference-data folder"):
        run_model(guatemala, refdata=Path("/nonexistent"), members_file=None, k=1,
                  weights_file=None)  # fmt: skip


def _write(guatemala: AnalysisResult, tmp_path: Path) -> Path:
    target = tmp_path / "analysis.json"
    target.write_bytes(analysis_json(guatemala))
    return target


def test_cli_writes_the_model_json_and_reads_it_back(
    refdata: Path, guatemala: AnalysisResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(guatemala, tmp_path)
    out = tmp_path / "model.json"
    code = main(["model", str(source), "--refdata", str(refdata), "--k", "2",
                 "--format", "json", "--out", str(out)])  # fmt: skip
    assert code == 0
    assert "model written to" in capsys.readouterr().err
    model = load_model(out)
    assert [p.asn for p in model.founding_set.picks] == [TELEFONICA, COLUMBUS_GT]


def test_cli_table_shows_candidates_and_pairs_still_abroad(
    guatemala: AnalysisResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(guatemala, tmp_path)
    assert main(["model", str(source), "--k", "0"]) == 0
    out = capsys.readouterr().out
    assert "Candidate members" in out
    assert "no CAIDA relationships given" in out
    assert "Pairs still abroad with the founding set (2)" in out
    assert "is not at the IXP" in out


def test_cli_errors_are_one_line_with_an_exit_code(
    guatemala: AnalysisResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", str(tmp_path / "none.json")]) == 3
    assert "no such analysis file" in capsys.readouterr().err
    source = _write(guatemala, tmp_path)
    assert main(["model", str(source), "--k", "-1"]) == 2
    assert "--k must be 0 or more" in capsys.readouterr().err
    bad = tmp_path / "members.txt"
    bad.write_text("64500\nnot-an-asn\n")
    assert main(["model", str(source), "--ixp-members", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "members.txt:2: 'not-an-asn' is not an ASN" in err
    assert main(["model", str(source), "--format", "xml"]) == 2


def test_compressed_caida_files_are_read_and_notes_sum_up_the_run(
    recorded: Path, guatemala: AnalysisResult, tmp_path: Path
) -> None:
    folder = tmp_path / "bz2-refdata"
    folder.mkdir()
    source = recorded / "routing" / "caida-20180201-as-rel-central-america-mexico.txt"
    (folder / "20180201.as-rel.txt.bz2").write_bytes(bz2.compress(source.read_bytes()))
    result = run_model(guatemala, refdata=folder, members_file=None, k=3, weights_file=None)
    assert [p.asn for p in result.founding_set.picks] == [TELEFONICA, COLUMBUS_GT]
    assert any("no PeeringDB netixlan data" in note for note in result.notes)
    lines = model_notes(result)
    assert lines[0] == (
        "IXP founding set (k=3): AS13682 (TELEFONICA MOVILES GUATEMALA S.A.), "
        "AS52286 (Columbus Networks Guatemala)"
    )
    # saved: 70 - 1 and 74 - 1 ms (no local RTT measured: the 1 ms floors); median 71
    assert lines[1] == (
        "with it 4 of 4 measured domestic pairs would stay in GT (now 2), median 71 ms saved"
    )
    assert lines[2] == "with every domestic network at the IXP: 4 of 4"
    assert lines[3].startswith("top candidate: ")


def test_an_unreadable_compressed_file_is_a_refdata_error(
    guatemala: AnalysisResult, tmp_path: Path
) -> None:
    (tmp_path / "x.as-rel.txt.bz2").write_bytes(b"not bzip2 at all")
    with pytest.raises(RefdataError, match=r"x.as-rel.txt.bz2: cannot be read"):
        run_model(guatemala, refdata=tmp_path, members_file=None, k=1, weights_file=None)
