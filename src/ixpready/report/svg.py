"""A tiny SVG writer: every attribute and text node is escaped here, once, at the last moment.

Charts are built as `Markup` (already-safe HTML) so templates insert them without escaping
them twice; anything that came from the network passes through `text()` or an attribute.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from ixpready.report.sanitize import clean

Attr = str | int | float | None



def printable(value: str) -> str:
    """Returns `value` without the control characters a page cannot carry (escaping cannot
    make them valid) nor bidirectional controls (`sanitize.clean`)."""
    return clean(value)


def _number(value: float) -> str:
    """Returns a compact decimal for a coordinate (no exponent, at most 2 decimals)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(attrs: dict[str, Attr]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        key = name.rstrip("_").replace("_", "-")
        shown = _number(value) if isinstance(value, float) else printable(str(value))
        parts.append(f' {key}="{escape(shown)}"')
    return "".join(parts)


def el(tag: str, attrs: dict[str, Attr] | None = None, *children: Markup | str) -> Markup:
    """Returns one SVG element; plain `str` children are escaped, `Markup` ones kept."""
    opened = f"<{tag}{_attrs(attrs or {})}"
    if not children:
        return Markup(opened + "/>")
    inner = "".join(
        str(child) if isinstance(child, Markup) else str(escape(printable(child)))
        for child in children
    )
    return Markup(f"{opened}>{inner}</{tag}>")


def text(x: float, y: float, content: str, **attrs: Attr) -> Markup:
    """Returns a <text> element at (x, y) holding `content`, escaped."""
    return el("text", {"x": float(x), "y": float(y), **attrs}, content)


def cut_text(x: float, y: float, content: str, limit: int, **attrs: Attr) -> Markup:
    """Returns a <text> holding `content` cut to `limit` characters; a cut one carries the
    whole of it as its tooltip (<title>), escaped."""
    shown = shorten(content, limit)
    if shown == content:
        return text(x, y, content, **attrs)
    return el("text", {"x": float(x), "y": float(y), **attrs}, title(content), shown)


def title(content: str) -> Markup:
    """Returns a <title> (the tooltip and accessible name) holding `content`, escaped."""
    return el("title", None, content)


def group(children: Iterable[Markup], **attrs: Attr) -> Markup:
    """Returns a <g> around already-built elements."""
    return el("g", dict(attrs), Markup("").join(children))


def svg(
    width: float, height: float, children: Iterable[Markup], *, label: str, css_class: str
) -> Markup:
    """Returns a standalone inline <svg> with a viewBox, scaled by CSS, labelled for readers."""
    return el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {_number(width)} {_number(height)}",
            "width": float(width),
            "height": float(height),
            "role": "img",
            "aria_label": label,
            "class": css_class,
        },
        title(label),
        Markup("").join(children),
    )


def shorten(value: str, limit: int) -> str:
    """Returns `value` cut to `limit` characters with an ellipsis (before escaping)."""
    return value if len(value) <= limit else value[: max(limit - 1, 1)].rstrip() + "…"
