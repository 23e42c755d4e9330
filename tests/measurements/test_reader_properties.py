"""Property-based tests of the results reader (hypothesis; profiles in tests/conftest.py).

Any bytes in: no traceback, only typed outcomes out. Good results mixed with damaged lines:
every good one kept, every damaged line quarantined under its own line number. Reading time
linear in the size: `test_hostile_input.test_a_line_of_garbage_is_quarantined_in_linear_time`
(inputs of growing size compared).
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ixpready.measurements.parse import parse_bytes
from ixpready.measurements.records import DnsResult, Malformed, PingResult, Skipped, Trace

GT_HN_SV = "atlas-traceroute/msm5004-froot-2015-10-20-guatemala-honduras-elsalvador.jsonl"
GOOD = (Path(__file__).resolve().parents[3] / "shared" / "fixtures" / GT_HN_SV).read_text().splitlines()
OUTCOMES = (Trace, PingResult, DnsResult, Malformed, Skipped)

# What damage looks like: JSON punctuation, digits, quotes, escapes, controls, bidi, words.
PIECES = st.sampled_from([
    "{", "}", "[", "]", '"', ":", ",", "\\", "\\u", "-", "0", "1e400", "NaN", "true", "null",
    '"msm_id"', '"prb_id"', '"type"', '"results"', '"traceroute"', " ", "\r", "\t", "\x00",
    "\u202e", "\ufeff", "é",
])  # fmt: skip
DAMAGE = st.one_of(
    st.text(max_size=60),
    st.lists(PIECES, min_size=1, max_size=40).map("".join),
    st.sampled_from(GOOD).flatmap(
        lambda line: st.integers(1, len(line) - 1).map(lambda cut: line[:cut])
    ),  # a result cut short
)


@given(st.binary(max_size=2000))
def test_any_bytes_give_outcomes_and_no_traceback(data: bytes) -> None:
    for outcome in parse_bytes(data, "any"):
        assert isinstance(outcome, OUTCOMES)


@given(st.lists(st.one_of(PIECES, st.sampled_from(GOOD)), max_size=30).map("".join))
def test_any_mix_of_results_and_json_pieces_gives_no_traceback(text: str) -> None:
    for data in (text.encode(), f"[{text}]".encode(), f'{{"results": [{text}'.encode()):
        for outcome in parse_bytes(data, "mix"):
            assert isinstance(outcome, OUTCOMES)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@given(st.lists(st.one_of(st.sampled_from(GOOD).map(lambda g: ("good", g)),
                          DAMAGE.map(lambda d: ("bad", d))), min_size=1, max_size=25))  # fmt: skip
def test_every_good_result_is_kept_and_every_damaged_line_quarantined(
    lines: list[tuple[str, str]],
) -> None:
    # One record per line (JSON lines, as Atlas streams and ixpready stores them); damage
    # never holds a line break, as it could not in a line.
    lines = [(kind, text.replace("\n", " ")) for kind, text in lines]
    outcomes = list(parse_bytes("\n".join(text for _kind, text in lines).encode(), "f"))
    traces = [o for o in outcomes if isinstance(o, Trace)]
    good = [json.loads(text) for kind, text in lines if kind == "good"]
    assert [(t.key.msm_id, t.key.prb_id, t.key.timestamp) for t in traces] == [
        (g["msm_id"], g["prb_id"], g["timestamp"]) for g in good
    ]
    quarantined = {o.where for o in outcomes if isinstance(o, Malformed)}
    damaged = [n for n, (kind, text) in enumerate(lines, start=1)
               if kind == "bad" and text.strip() and not _is_json(text)]  # fmt: skip
    text = "\n".join(text for _kind, text in lines).encode().removeprefix(b"\xef\xbb\xbf")
    if text.lstrip(b" \t\r\n").startswith(b"[") or text.split(b"\n")[0].strip() == b"{":
        assert quarantined or not damaged  # one document: its damage is quarantined
    else:  # JSON lines: each damaged line under its own number
        assert {f"f:{n}" for n in damaged} <= quarantined
    for outcome in outcomes:
        if isinstance(outcome, Malformed):
            assert outcome.reason and len(outcome.reason) < 200
            number = int(outcome.where.removeprefix("f:").split(".")[0].split("[")[0])
            assert lines[number - 1][0] == "bad"
