"""`ixpready geohint`: names from the command line or a file, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ixpready.cli import main
from ixpready.errors import ExitCode


def test_json_lists_one_object_per_name_in_input_order(capsys: pytest.CaptureFixture[str]) -> None:
    names = ["ae-4.r21.miamfl02.us.bb.gin.ntt.net", "area3-gw.unicamp.br", "sjo-b21-link.telia.net"]
    assert main(["geohint", "--format", "json", *names]) == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    assert [entry["name"] for entry in document] == names
    miami, placeless, san_jose = document
    assert miami["city"] == "Miami" and miami["country"] == "US"
    assert miami["lat"] == pytest.approx(25.77, abs=0.1) and miami["lon"] == pytest.approx(
        -80.19, abs=0.1
    )
    assert (miami["code"], miami["rule"], miami["confidence"]) == ("miamfl", "carrier:NTT", 0.9)
    assert placeless == {
        "name": "area3-gw.unicamp.br", "city": None, "country": None, "lat": None, "lon": None,
        "code": None, "rule": None, "confidence": 0.0,
    }  # fmt: skip
    assert (san_jose["city"], san_jose["country"]) == ("San Jose", "US")


def test_table_from_a_file_with_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = tmp_path / "names.txt"
    names.write_text(
        "# routers seen from Guatemala\n\nebt-B101-intl01.nyk.embratel.net.br\n"
        "evil\x1b[2J.example.com\n",
        encoding="utf-8",
    )
    assert main(["geohint", "--file", str(names), "datacamp.sanpaolo1.spa.seabone.net"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["name", "place", "lat,", "lon", "code", "rule", "confidence"]
    assert "datacamp.sanpaolo1.spa.seabone.net" in lines[1] and "São Paulo, BR" in lines[1]
    assert "New York City, US" in lines[2] and "carrier:Embratel" in lines[2]
    assert "\x1b" not in out and "evil[2J.example.com" in lines[3]  # escape sequence removed


def test_hoiho_rules_are_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.txt"
    rules.write_text(
        r"example.org ^[a-z]+\d*\.x([a-z]{3})\d*\.example\.org$ iata" "\n", encoding="utf-8"
    )
    assert main(["geohint", "--format", "json", "--hoiho", str(rules), "r1.xlim2.example.org"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["city"], entry["country"], entry["rule"]) == ("Lima", "PE", "hoiho:example.org")


def test_hoiho_lines_skipped_are_reported_and_the_good_rules_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules\x1b[2J.txt"  # a file name is terminal text too
    lines = [
        "# rules",
        r"example.org ^[a-z]+\d*\.x([a-z]{3})\d*\.example\.org$ iata",
        "evil.net ^([a-z]+)$ \x1b[2Jkind",  # line 3: unknown kind, with an escape sequence
        *["short.net"] * 7,  # lines 4-10
    ]
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["geohint", "--format", "json", "--hoiho", str(rules), "r1.xlim2.example.org"]) == 0
    captured = capsys.readouterr()
    (entry,) = json.loads(captured.out)
    assert (entry["city"], entry["rule"]) == ("Lima", "hoiho:example.org")
    err = captured.err.splitlines()
    shown = f"{tmp_path}/rules[2J.txt"  # the escape character dropped
    assert err[0] == f"{shown}: skipped 8 line(s) that are no Hoiho rule; 1 rule(s) loaded"
    assert err[1].startswith("  line 3: unknown kind '") and "\x1b" not in captured.err
    assert err[2] == "  line 4: too few fields (want SUFFIX REGEX [KIND])"
    assert len(err) == 7 and err[-1] == "  ... and 3 more"


def test_a_clean_hoiho_file_prints_nothing_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.txt"
    rules.write_text(r"example.org ^[a-z]+\.x([a-z]{3})\.example\.org$" "\n", encoding="utf-8")
    assert main(["geohint", "--hoiho", str(rules), "r1.xlim.example.org"]) == 0
    assert capsys.readouterr().err == ""


def test_no_names_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geohint"]) == ExitCode.USAGE
    assert "give router names" in capsys.readouterr().err


def test_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["geohint", "--file", str(tmp_path / "none.txt")]) != 0
    assert "cannot read" in capsys.readouterr().err
