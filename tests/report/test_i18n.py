"""The Spanish and English catalogs hold the same keys and the same placeholders."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ixpready.analysis.content import Served
from ixpready.analysis.verdicts import Verdict
from ixpready.errors import UsageError
from ixpready.report import i18n

REPORT_SRC = Path(i18n.__file__).parent


def _fields(pattern: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(pattern) if name}


def test_spanish_and_english_catalogs_have_the_same_keys() -> None:
    assert set(i18n.ES) == set(i18n.EN)
    assert len(i18n.ES) > 100


def test_each_key_takes_the_same_placeholders_in_both_languages() -> None:
    differing = [k for k in i18n.ES if _fields(i18n.ES[k]) != _fields(i18n.EN[k])]
    assert differing == []


def test_the_catalogs_differ_where_words_differ() -> None:
    same = [k for k in i18n.ES if i18n.ES[k] == i18n.EN[k]]
    # Only words spelt alike in both languages (Local, Fibra, ...) may coincide.
    assert len(same) < 6, same


def test_every_key_the_templates_and_code_use_is_in_the_catalogs() -> None:
    used: set[str] = set()
    sources = [*REPORT_SRC.glob("*.py"), *REPORT_SRC.glob("templates/*"),
               REPORT_SRC.parent / "pipeline" / "report.py"]  # fmt: skip
    for path in sources:
        source = path.read_text()
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']""", source))
        used |= set(re.findall(r"""Export\(\s*"[^"]+",\s*"([a-z_]+)"\)""", source))
    # Keys built from a value: verdicts, probe states, the model's cases and scenarios.
    used |= {f"verdict_{v}" for v in Verdict} | {f"method_{v}" for v in Verdict}
    used |= {f"content_short_{s}" for s in Served}
    used |= {f"probe_status_{s}" for s in ("confirmed", "unverified", "contradicted", "unknown")}
    used |= {f"model_case_{c}" for c in ("join", "member_still_abroad", "member_local",
                                         "nothing_to_gain", "other")}  # fmt: skip
    used |= {
        f"scenario_{n}" for n in ("status_quo", "founding_set", "members_file", "everyone", "other")
    }
    assert len(used) > 100
    used = {key for key in used if not key.endswith("_")}  # prefixes of the keys above
    assert sorted(used - set(i18n.ES)) == []
    assert {"export_verdicts_csv", "model_case_join", "doc_title"} <= used


def test_numbers_and_dates_follow_the_language() -> None:
    es, en = i18n.Translator("es"), i18n.Translator("en")
    assert es.percent(1, 8) == "12,5\u00a0%" and en.percent(1, 8) == "12.5%"
    assert es.integer(12345) == "12.345" and en.integer(12345) == "12,345"
    assert es.ms(76.25) == "76,2\u00a0ms" and en.ms(1234.56) == "1,234.6\u00a0ms"
    when = datetime(2026, 3, 2, tzinfo=UTC)
    assert es.date(when) == "2 de marzo de 2026" and en.date(when) == "2 March 2026"
    assert es.place("Mexico City, MX") == "Ciudad de México, México"
    assert en.country("ZZ") == "ZZ"


def test_an_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'fr'"):
        i18n.check_language("fr")
