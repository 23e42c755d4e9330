"""Static SVG charts drawn in Python: share bar, AS-pair matrix, detour flows, latency, trend.

Each function returns inline SVG `Markup` sized by its viewBox; the same markup shows in the
browser and in the PDF. Names from the network are escaped by `svg.el`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ixpready.analysis.verdicts import Verdict
from ixpready.report.facts import VERDICT_ORDER, Facts, Flow, Round, TrendMark
from ixpready.report.i18n import Translator
from ixpready.report.svg import cut_text, el, group, shorten, svg, text, title

COLOURS: Mapping[Verdict, str] = {
    Verdict.LOCAL: "#1b9e77",
    Verdict.LOCAL_VIA_IXP: "#7570b3",
    Verdict.TROMBONED: "#d95f02",
    Verdict.INCONCLUSIVE: "#a6a6a6",
}
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#d9dee3"
FONT = "Liberation Sans, DejaVu Sans, Arial, Helvetica, sans-serif"

MATRIX_MAX = 12
FLOWS_MAX = 14
TREND_MAX = 24  # latest rounds drawn
DOTS_MAX = 600  # dots per latency row; more are thinned evenly (the median uses all)


def network_label(asn: int | None, names: Mapping[int, str], t: Translator, limit: int = 30) -> str:
    """Returns "AS64500 Name" (shortened to `limit`), or the words for an unknown network."""
    return shorten(network_name(asn, names, t), limit)


def network_name(asn: int | None, names: Mapping[int, str], t: Translator) -> str:
    """Returns "AS64500 Name" whole, or the words for an unknown network."""
    if asn is None:
        return t("unknown_network")
    return f"AS{asn} {names.get(asn, '')}".strip()


def matrix_axes(facts: Facts) -> tuple[list[int | None], list[int | None], list[int | None]]:
    """Returns the networks the matrix considers (the MATRIX_MAX with most paths), those
    given a row (a measured path starts there) and those given a column (one ends there)."""
    networks = list(facts.networks[:MATRIX_MAX])
    sources = [a for a in networks if any(c.src_asn == a for c in facts.pairs)]
    destinations = [a for a in networks if any(c.dst_asn == a for c in facts.pairs)]
    return networks, sources, destinations


def _canvas(width: float, height: float, parts: list[Markup], label: str, css: str) -> Markup:
    return svg(
        width,
        height,
        [group(parts, font_family=FONT, font_size=12, fill=INK)],
        label=label,
        css_class=f"chart {css}",
    )


def share_bar(facts: Facts, t: Translator) -> Markup:
    """Returns a 100 % bar of the domestic paths by verdict, with a legend."""
    width, bar_h = 720.0, 34.0
    parts: list[Markup] = []
    x = 0.0
    total = facts.domestic_paths
    for verdict, n in facts.counts:
        if not n:
            continue
        w = width * n / total
        share = t.percent(n, total)
        parts.append(
            el(
                "rect",
                {"x": x, "y": 0.0, "width": w, "height": bar_h, "fill": COLOURS[verdict]},
                title(f"{t.verdict(verdict)}: {share} ({t.integer(n)})"),
            )
        )
        if w > 48:
            parts.append(
                text(x + w / 2, bar_h / 2 + 5, share, text_anchor="middle", fill="#ffffff",
                     font_weight="bold")
            )  # fmt: skip
        x += w
    if not total:
        parts.append(el("rect", {"width": width, "height": bar_h, "fill": GRID}))
    parts.append(_legend(VERDICT_ORDER, t, y=bar_h + 22))
    return _canvas(width, bar_h + 34, parts, t("summary_share_label"), "share-bar")


def _legend(verdicts: Sequence[Verdict], t: Translator, *, y: float, x: float = 0.0) -> Markup:
    parts: list[Markup] = []
    for verdict in verdicts:
        label = t.verdict(verdict)
        parts.append(el("rect", {"x": x, "y": y - 10, "width": 12.0, "height": 12.0,
                                 "fill": COLOURS[verdict]}))  # fmt: skip
        parts.append(text(x + 17, y, label, fill=MUTED))
        x += 30 + 7.0 * len(label)
    return group(parts, class_="legend")


def pair_matrix(facts: Facts, names: Mapping[int, str], t: Translator) -> Markup:
    """Returns the source x destination network matrix, cells coloured by dominant verdict."""
    _, sources, destinations = matrix_axes(facts)
    cell, left, top = 40.0, 250.0, 160.0
    width = left + cell * len(destinations) + 20
    height = top + cell * len(sources) + 50
    parts: list[Markup] = []
    for row, asn in enumerate(sources):
        y = top + row * cell
        parts.append(cut_text(left - 8, y + cell / 2 + 4, network_name(asn, names, t), 30,
                              text_anchor="end"))  # fmt: skip
    for col, asn in enumerate(destinations):
        x = left + col * cell + cell / 2
        parts.append(
            cut_text(x, top - 8, network_name(asn, names, t), 24,
                     transform=f"rotate(-45 {x:.1f} {top - 8:.1f})")
        )  # fmt: skip
    for row, src in enumerate(sources):
        for col, dst in enumerate(destinations):
            x, y = left + col * cell, top + row * cell
            found = [c for c in facts.pairs if c.src_asn == src and c.dst_asn == dst]
            if not found:
                parts.append(el("rect", {"x": x + 1, "y": y + 1, "width": cell - 2,
                                         "height": cell - 2, "fill": "#f3f5f7"}))  # fmt: skip
                continue
            pair = found[0]
            detail = ", ".join(f"{t.verdict(v)} {n}" for v, n in pair.counts)
            tip = (
                f"{network_label(src, names, t, 60)} → {network_label(dst, names, t, 60)}: {detail}"
            )
            parts.append(
                el(
                    "rect",
                    {
                        "x": x + 1,
                        "y": y + 1,
                        "width": cell - 2,
                        "height": cell - 2,
                        "fill": COLOURS[pair.dominant],
                        "rx": 3,
                    },
                    title(tip),
                )
            )
            parts.append(text(x + cell / 2, y + cell / 2 + 4, str(pair.paths),
                              text_anchor="middle", fill="#ffffff", font_size=11))  # fmt: skip
    parts.append(text(left, height - 34, t("matrix_source") + " ↓   " + t("matrix_destination") + " →",
                      fill=MUTED, font_size=11))  # fmt: skip
    parts.append(_legend(VERDICT_ORDER, t, y=height - 10, x=0.0))
    return _canvas(max(width, 620.0), height, parts, t("matrix_label"), "matrix")


@dataclass
class _Node:
    key: tuple[str, str]
    label: str
    paths: int
    y: float = 0.0
    height: float = 0.0
    out_used: float = 0.0
    in_used: float = 0.0


def _flow_via_label(flow: Flow, names: Mapping[int, str], t: Translator) -> tuple[str, str]:
    """Returns the waypoint's two lines: the place (or IXP) and the network carrying it."""
    carrier = network_name(flow.carrier, names, t) if flow.carrier is not None else ""
    if flow.via_kind == "ixp":
        return t("flows_via_ixp", name=flow.via), ""
    if flow.via_kind == "transit":
        return t("flows_via_transit", carrier=carrier or "?"), ""
    return t.place(flow.via), carrier


def detour_flows(facts: Facts, names: Mapping[int, str], t: Translator) -> Markup | None:
    """Returns source → waypoint → destination bands (width = paths), or None without flows."""
    flows = facts.flows[:FLOWS_MAX]
    if not flows:
        return None
    columns: list[dict[tuple[str, str], _Node]] = [{}, {}, {}]
    for flow in flows:
        ends = (
            (("src", str(flow.src_asn)), network_name(flow.src_asn, names, t)),
            (
                ("via", "\n".join(_flow_via_label(flow, names, t))),
                "\n".join(_flow_via_label(flow, names, t)),
            ),
            (("dst", str(flow.dst_asn)), network_name(flow.dst_asn, names, t)),
        )
        for column, (key, label) in zip(columns, ends, strict=True):
            node = column.setdefault(key, _Node(key, label, 0))
            node.paths += flow.paths
    total = sum(f.paths for f in flows)
    gap, min_h = 12.0, 36.0
    tallest = max(len(c) for c in columns)
    plot_h = max(260.0, tallest * (min_h + gap))
    unit = (plot_h - gap * (tallest - 1)) / total
    for column in columns:
        y = 10.0
        for node in sorted(column.values(), key=lambda n: -n.paths):
            node.height = max(min_h, node.paths * unit)
            node.y = y
            y += node.height + gap
    height = max(y for y in (max(n.y + n.height for n in c.values()) for c in columns)) + 20
    xs = (235.0, 385.0, 735.0)  # left edge of each column's bar
    widths = (12.0, 220.0, 12.0)
    parts: list[Markup] = []
    for flow in flows:
        src = columns[0][("src", str(flow.src_asn))]
        via = columns[1][("via", "\n".join(_flow_via_label(flow, names, t)))]
        dst = columns[2][("dst", str(flow.dst_asn))]
        colour = COLOURS[Verdict.LOCAL_VIA_IXP if flow.via_kind == "ixp" else Verdict.TROMBONED]
        for a, b, xa, xb in (
            (src, via, xs[0] + widths[0], xs[1]),
            (via, dst, xs[1] + widths[1], xs[2]),
        ):
            ha = a.height * flow.paths / a.paths
            hb = b.height * flow.paths / b.paths
            ya, yb = a.y + a.out_used, b.y + b.in_used
            a.out_used += ha
            b.in_used += hb
            mid = (xa + xb) / 2
            d = (f"M{xa:.1f},{ya:.1f} C{mid:.1f},{ya:.1f} {mid:.1f},{yb:.1f} {xb:.1f},{yb:.1f} "
                 f"L{xb:.1f},{yb + hb:.1f} C{mid:.1f},{yb + hb:.1f} {mid:.1f},{ya + ha:.1f} "
                 f"{xa:.1f},{ya + ha:.1f} Z")  # fmt: skip
            tip = (
                f"{src.label} → {via.label.replace(chr(10), ' ')} → {dst.label}: "
                f"{t('summary_paths_count', n=flow.paths)}"
            )
            parts.append(el("path", {"d": d, "fill": colour, "fill_opacity": "0.35"}, title(tip)))
    for index, column in enumerate(columns):
        for node in column.values():
            parts.append(el("rect", {"x": xs[index], "y": node.y, "width": widths[index],
                                     "height": node.height, "fill": INK if index != 1 else "#ffffff",
                                     "stroke": INK, "rx": 2}))  # fmt: skip
            middle = node.y + node.height / 2 + 4
            if index == 0:
                parts.append(cut_text(xs[0] - 8, middle, node.label, 26, text_anchor="end",
                                      font_size=13))  # fmt: skip
            elif index == 2:
                parts.append(cut_text(xs[2] + widths[2] + 8, middle, node.label, 26, font_size=13))
            else:
                place, carrier = node.label.split("\n", 1)
                centre = xs[1] + widths[1] / 2
                if carrier:
                    parts.append(
                        cut_text(
                            centre,
                            middle - 8,
                            place,
                            30,
                            text_anchor="middle",
                            font_size=13,
                            font_weight="bold",
                        )
                    )
                    parts.append(
                        cut_text(
                            centre,
                            middle + 9,
                            carrier,
                            32,
                            text_anchor="middle",
                            font_size=11,
                            fill=MUTED,
                        )
                    )
                else:
                    parts.append(cut_text(centre, middle, place, 30, text_anchor="middle",
                                      font_size=13, font_weight="bold"))  # fmt: skip
    return _canvas(960.0, height, parts, t("flows_label"), "flows")


def _ticks(top: float) -> list[float]:
    """Returns 4-6 round tick values from 0 to at least `top`."""
    raw = top / 5
    if raw <= 0:  # also a subnormal `top` that underflows to 0 when divided
        return [0.0, 1.0]
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step) + 1)]


def latency(facts: Facts, t: Translator) -> Markup | None:
    """Returns a strip plot of RTTs (local vs tromboned) with medians, or None without data."""
    rows = [
        (t("latency_local"), facts.local_rtts_ms, COLOURS[Verdict.LOCAL]),
        (t("latency_tromboned"), facts.tromboned_rtts_ms, COLOURS[Verdict.TROMBONED]),
    ]
    if not any(values for _, values, _ in rows):
        return None
    ticks = _ticks(max(v for _, values, _ in rows for v in values))
    left, right, row_h, top = 180.0, 880.0, 84.0, 20.0
    scale = (right - left) / ticks[-1]
    parts: list[Markup] = []
    bottom = top + row_h * len(rows)
    for tick in ticks:
        x = left + tick * scale
        parts.append(el("line", {"x1": x, "x2": x, "y1": top, "y2": bottom, "stroke": GRID}))
        parts.append(text(x, bottom + 16, t.decimal(tick, 0), text_anchor="middle", fill=MUTED,
                          font_size=12))  # fmt: skip
    parts.append(text((left + right) / 2, bottom + 34, t("latency_axis"), text_anchor="middle",
                      fill=MUTED, font_size=12))  # fmt: skip
    for index, (label, values, colour) in enumerate(rows):
        centre = top + row_h * index + row_h / 2
        parts.append(
            text(left - 10, centre + 4, label, text_anchor="end", font_weight="bold", font_size=14)
        )
        step = max(1, math.ceil(len(values) / DOTS_MAX))
        for i, value in enumerate(values[::step]):
            jitter = ((i * 7919) % 23 - 11) * 1.6  # deterministic spread, same in every run
            parts.append(el("circle", {"cx": left + value * scale, "cy": centre + jitter,
                                       "r": 3.5, "fill": colour, "fill_opacity": "0.6"}))  # fmt: skip
        if not values:
            parts.append(
                text(left + 10, centre + 4, t("latency_no_paths"), fill=MUTED, font_size=12)
            )
        if values:
            mid = values[len(values) // 2] if len(values) % 2 else (
                values[len(values) // 2 - 1] + values[len(values) // 2]) / 2  # fmt: skip
            x = left + mid * scale
            parts.append(el("line", {"x1": x, "x2": x, "y1": centre - 24, "y2": centre + 24,
                                     "stroke": INK, "stroke_width": 3}))  # fmt: skip
            parts.append(text(x + 6, centre - 26, t("latency_median", value=t.ms(mid)),
                              font_size=13, font_weight="bold"))  # fmt: skip
    return _canvas(900.0, bottom + 44, parts, t("latency_label"), "latency")


def _round_labels(rounds: Sequence[Round]) -> list[str]:
    """Returns the rounds' labels, without their common year when what is left is clear."""
    labels = [r.label for r in rounds]
    prefix = labels[0][:5]
    if all(label[:5] == prefix and len(label) >= 8 for label in labels) and prefix[4:] == "-":
        return [label[5:] for label in labels]
    return labels


def trend(facts: Facts, t: Translator, marks: Sequence[TrendMark] = ()) -> Markup | None:
    """Returns 100 % stacked bars of the verdicts per round (the latest TREND_MAX), with a
    dashed line before the first round on or after each mark's day; None with fewer than two
    rounds."""
    rounds = facts.rounds[-TREND_MAX:]
    if len(rounds) < 2:
        return None
    bar_w, gap, left, top, plot_h = 46.0, 22.0, 50.0, 26.0, 220.0
    parts: list[Markup] = []
    for share in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - share / 100)
        parts.append(el("line", {"x1": left, "x2": left + len(rounds) * (bar_w + gap),
                                 "y1": y, "y2": y, "stroke": GRID}))  # fmt: skip
        parts.append(text(left - 6, y + 4, f"{share}", text_anchor="end", fill=MUTED,
                          font_size=11))  # fmt: skip
    for index, (round_, label) in enumerate(zip(rounds, _round_labels(rounds), strict=True)):
        x = left + gap / 2 + index * (bar_w + gap)
        y = top + plot_h
        for verdict, n in round_.counts:
            if not n:
                continue
            h = plot_h * n / round_.paths
            y -= h
            parts.append(el("rect", {"x": x, "y": y, "width": bar_w, "height": h,
                                     "fill": COLOURS[verdict]},
                            title(f"{round_.label} {t.verdict(verdict)}: "
                                  f"{t.percent(n, round_.paths)}")))  # fmt: skip
        parts.append(text(x + bar_w / 2, top + plot_h + 16, label, text_anchor="middle",
                          fill=MUTED, font_size=11))  # fmt: skip
    for mark in marks:
        before = next((i for i, r in enumerate(rounds) if r.started.date() >= mark.day), None)
        if not before:  # after every round, or before the first one shown
            continue
        x = left + before * (bar_w + gap)
        parts.append(el("line", {"x1": x, "x2": x, "y1": top - 4, "y2": top + plot_h,
                                 "stroke": INK, "stroke_dasharray": "4 3"},
                        title(f"{mark.day.isoformat()} {mark.label}")))  # fmt: skip
        parts.append(cut_text(x + 3, top - 8, mark.label, 28, font_size=11, fill=INK))
    width = max(left + len(rounds) * (bar_w + gap) + 120, 560.0)
    parts.append(_legend(VERDICT_ORDER, t, y=top + plot_h + 44, x=left))
    return _canvas(width, top + plot_h + 56, parts, t("trend_label"), "trend")
