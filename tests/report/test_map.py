"""The detour map: the packaged outlines, the projection, arcs to the cities crossed."""

from __future__ import annotations

import re

from ixpready.report.facts import facts_of
from ixpready.report.i18n import Translator
from ixpready.report.worldmap import detour_map, place_point, project, world
from report.sample import sample_analysis


def test_the_packaged_world_map_has_the_countries_of_the_region() -> None:
    countries = world()
    assert len(countries) > 200
    assert {"GT", "MX", "US", "SV", "HN", "BZ", "CR", "PA"} <= set(countries)


def test_the_projection_lands_cities_inside_their_country() -> None:
    # Points read off an atlas by hand; each must fall inside its country's outline bounds.
    for code, latitude, longitude in (("GT", 14.63, -90.51), ("GT", 16.93, -89.89),
                                      ("MX", 19.43, -99.13), ("CR", 9.93, -84.08),
                                      ("US", 25.77, -80.19), ("US", 32.78, -96.80),
                                      ("ES", 40.42, -3.70), ("BR", -23.55, -46.63)):  # fmt: skip
        x, y = project(latitude, longitude)
        box = world()[code].box
        assert box.left <= x <= box.right and box.top <= y <= box.bottom, code


def test_a_city_missing_from_the_table_falls_back_to_its_country() -> None:
    assert place_point("Nowhere, US") is not None
    assert place_point("Nowhere, ZZ") is None


def test_the_map_draws_one_arc_per_city_and_the_neighbourhood_only() -> None:
    facts = facts_of(sample_analysis())
    svg = str(detour_map(facts, Translator("en")))
    arcs = re.findall(r'<path d="M[^"]+ Q[^"]+" fill="none"', svg)
    assert len(arcs) == len(facts.cities) == 3
    assert 'class="country gt"' in svg and 'class="country us"' in svg
    assert 'class="country au"' not in svg  # cropped: Australia's outline is left out
    assert "Mexico City, Mexico" in svg
    assert len(svg) < 400_000


def test_no_detour_no_map() -> None:
    analysis = sample_analysis()
    local = tuple(p for p in analysis.paths if not p.foreign_countries)
    calm = type(analysis)(
        country="GT", generated_at=analysis.generated_at, summary=analysis.summary, paths=local,
        other_paths=(), probes=(), snapshots=(),
    )  # fmt: skip
    assert detour_map(facts_of(calm), Translator("es")) is None
