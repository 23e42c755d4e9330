"""What a first reader of the demo's report stumbled on (issue 16): one unit per table, the
founding set explained, links only where RIPE Atlas has a page, Spanish place names and
punctuation, the matrix's omissions told, cut names with their whole name, rounded exports."""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import replace

from ixpready.analysis.verdicts import Verdict
from ixpready.pipeline.demo import DemoOutcome
from ixpready.report.model_view import model_view_of
from ixpready.report.render import render_html
from report.browser import Chromium
from report.layout import page_text
from report.sample import CABLE, FIBRA, sample_analysis

LONG = "Servicios Integrales de Telecomunicaciones y Datos de Centroamérica <b>&amp; Asociados</b>"


def _page(demo: DemoOutcome, lang: str) -> str:
    path = demo.report.out_dir / f"report.{lang}.html"
    return path.read_text("utf-8")


def test_the_what_if_table_counts_network_pairs_and_says_so(demo: DemoOutcome) -> None:
    founding = next(s for s in demo.model.scenarios if s.name == "founding_set")
    en, es = _page(demo, "en"), _page(demo, "es")
    before, after, pairs = founding.pairs_local_before, founding.pairs_local_after, founding.pairs
    assert f"{before} → {after} of {pairs} (" in en
    assert f"{before} → {after} de {pairs} (" in es
    assert "Network pairs kept in the country" in en and "Local paths</th>" not in en
    assert "Paths that would stop leaving" not in en
    assert (f"counts network pairs (source network → destination network), not paths: the "
            f"{pairs} measured pairs gather the {len(demo.analysis.paths)} domestic paths") in en
    # the terminal says the same figure in the same unit
    assert any(f"{after} of {pairs} measured domestic pairs" in note for note in demo.notes)


def test_a_founder_ranked_low_on_its_own_is_explained(demo: DemoOutcome) -> None:
    view = model_view_of(demo.model)
    first = view.founders[0]
    assert first.rank == len(view.candidates)  # the demo's first pick is ranked last alone
    en, es = _page(demo, "en"), _page(demo, "es")
    name = html.escape(f"AS{first.asn} {first.name}", quote=True)
    total = len(view.candidates)
    assert f"{name} (rank {first.rank} of {total} on its own, pick no. 1)" in en
    assert f"{name} (puesto {first.rank} de {total} por sí sola, elegida en 1.º lugar)" in es
    assert "chosen for what its members achieve together" in en
    assert "only stays in the country when both are at the IXP" in en


def test_only_ripe_atlas_measurements_link_to_ripe_atlas(demo: DemoOutcome) -> None:
    paths = (*demo.analysis.paths, *demo.analysis.other_paths)
    own = {p.trace.msm_id for p in paths if p.origin != "atlas"}
    atlas = {p.trace.msm_id for p in paths if p.origin == "atlas"}
    assert own and atlas
    for lang in ("es", "en"):
        page = _page(demo, lang)
        linked = {int(m) for m in re.findall(r'href="https://atlas\.ripe\.net/measurements/(\d+)/"',
                                             page)}  # fmt: skip
        assert linked == atlas
        for msm_id in own:
            assert f">{msm_id} <span class=\"note\">(" in page  # listed, with what it is
    assert "an operator&#39;s own probe" in _page(demo, "en")


def test_the_spanish_page_names_places_in_spanish_without_doubled_stops(
    demo: DemoOutcome,
) -> None:
    text = page_text(_page(demo, "es"))
    assert "Ciudad de México, México" in text
    assert "Mexico City" not in text
    assert not re.search(r"(?<!\.)\.\.(?!\.)", text), re.findall(r".{30}\.\..{10}", text)
    assert "))." not in text
    assert "S.A.." not in text and "S.A." in text


def test_candidates_csv_holds_rounded_milliseconds(demo: DemoOutcome) -> None:
    rows = list(csv.DictReader(io.StringIO(
        (demo.report.out_dir / "candidates.csv").read_text("utf-8"))))  # fmt: skip
    saved = [row["median_saved_ms"] for row in rows if row["median_saved_ms"]]
    assert saved and all(re.fullmatch(r"\d+(\.\d)?", value) for value in saved), saved
    raw = [c.median_saved_ms for c in demo.model.candidates if c.median_saved_ms is not None]
    assert any(round(v, 1) != v for v in raw)  # the model's own values are not round


def test_matrix_rows_and_columns_left_out_are_named() -> None:
    analysis = sample_analysis()
    # FIBRA only receives: it starts no path, so it gets no row
    paths = tuple(p for p in analysis.paths if p.src_asn != FIBRA)
    page = render_html(replace(analysis, paths=paths), lang="en")
    assert "No row, because no measured path starts from them: AS64498 Fibra Maya." in page
    assert "No column" not in page
    es = render_html(replace(analysis, paths=paths), lang="es")
    assert "Sin fila, porque ninguna ruta medida parte de ellas: AS64498 Fibra Maya." in es


def test_cut_names_carry_the_whole_name_as_an_escaped_tooltip() -> None:
    analysis = sample_analysis()
    analysis = replace(analysis, as_names={**analysis.as_names, CABLE: LONG})
    page = render_html(analysis, lang="es")
    whole = html.escape(f"AS{CABLE} {LONG}", quote=True)
    assert f'title="{whole}"' in page  # annex and probe tables
    assert f"<title>{html.escape(f'AS{CABLE} {LONG}', quote=False)}</title>" in page  # charts
    assert "<b>" not in page.split("<body>", 1)[1]
    assert any(p.verdict is Verdict.TROMBONED and p.src_asn == CABLE for p in analysis.paths)


def test_the_verdict_bar_spans_its_section(chromium: Chromium, demo: DemoOutcome) -> None:
    for width in (1280, 800, 420):
        page = chromium.open((demo.report.out_dir / "report.es.html").as_uri(), width=width)
        bar, box = page.evaluate(
            "(() => { const b = document.querySelector('svg.share-bar').getBoundingClientRect();"
            " const s = document.querySelector('#summary'); const st = getComputedStyle(s);"
            " return [b.width, s.clientWidth - parseFloat(st.paddingLeft)"
            " - parseFloat(st.paddingRight)]; })()"
        )
        assert bar >= 0.97 * box, (width, bar, box)
