"""The methodology explains ping evidence (`ixpready locate`) in both languages."""

from __future__ import annotations

from ixpready.pipeline.report import ReportFiles


def test_the_methodology_explains_pings_in_both_languages(report_set: ReportFiles) -> None:
    es, en = (p.read_text("utf-8") for p in report_set.html)
    method_es = es[es.index('id="method"') :]
    method_en = en[en.index('id="method"') :]
    assert "ixpready locate" in method_es and "un milisegundo" not in method_en
    assert "uno o dos milisegundos" in method_es and "Una respuesta lenta solo acota" in method_es
    assert "a millisecond or two" in method_en and "A slow reply only bounds" in method_en
