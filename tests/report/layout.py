"""Layout checked by machine: word boxes of a PDF (`pdftotext -bbox`), the table rows of the
WeasyPrint layout per page, text boxes of a page in headless Chromium, and the words of the
English catalog left on a Spanish page."""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ixpready.report.i18n import CATALOGS
from report.browser import Page

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@dataclass(frozen=True, slots=True)
class Box:
    """A text box: its page (or 0 on a screen), edges in points (PDF) or CSS pixels, text."""

    page: int
    left: float
    top: float
    right: float
    bottom: float
    text: str


@dataclass(frozen=True, slots=True)
class PdfPage:
    """One PDF page: its height and its words."""

    number: int
    height: float
    words: tuple[Box, ...]


def pdf_pages(pdf: Path) -> list[PdfPage]:
    """Returns each page of `pdf` with the boxes of its words (poppler's pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    pages = []
    for number, chunk in enumerate(out.split("<page ")[1:], start=1):
        size = _PAGE.search("<page " + chunk)
        assert size is not None
        words = tuple(
            Box(number, float(m[1]), float(m[2]), float(m[3]), float(m[4]), html.unescape(m[5]))
            for m in _WORD.finditer(chunk)
        )
        pages.append(PdfPage(number, float(size[2]), words))
    return pages


def overlapping(boxes: list[Box], tolerance: float = 0.5) -> list[tuple[Box, Box]]:
    """Returns the pairs of boxes on the same page that overlap by more than `tolerance`
    in both directions (text running into other text)."""
    found = []
    ordered = sorted(boxes, key=lambda b: (b.page, b.top, b.left))
    for index, a in enumerate(ordered):
        for b in ordered[index + 1 :]:
            if b.page != a.page or b.top >= a.bottom - tolerance:
                break
            if (min(a.bottom, b.bottom) - max(a.top, b.top) > tolerance
                    and min(a.right, b.right) - max(a.left, b.left) > tolerance):  # fmt: skip
                found.append((a, b))
    return found


def filled(page: PdfPage, footer_pt: float = 40.0) -> float:
    """Returns how far down the page its lowest word (the footer left out) reaches, 0-1."""
    body = [w.bottom for w in page.words if w.bottom < page.height - footer_pt]
    return max(body, default=0.0) / page.height


def _walk(box: Any, parents: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    yield box, parents
    for child in getattr(box, "children", None) or ():
        yield from _walk(child, (*parents, box))


@dataclass(frozen=True, slots=True)
class RowPlacement:
    """Where the body rows of one table fell: the pages of each row, in row order."""

    table: str  # the table's class, else its first header cell's text
    rows: tuple[tuple[int, ...], ...]


def row_placements(page_html: str) -> list[RowPlacement]:
    """Returns, for every table of the page as WeasyPrint lays it out for print, which pages
    each of its body rows fell on (a row on two pages broke mid-row)."""
    import weasyprint  # type: ignore[import-untyped]

    document = weasyprint.HTML(string=page_html).render()
    pages_of: dict[Any, list[int]] = {}
    table_of: dict[Any, Any] = {}
    for number, page in enumerate(document.pages, start=1):
        for box, parents in _walk(page._page_box):
            element = getattr(box, "element", None)
            if box.element_tag != "tr" or element is None or len(parents) < 2:
                continue
            if parents[-1].element_tag != "tbody":
                continue
            pages = pages_of.setdefault(element, [])
            if number not in pages:
                pages.append(number)
            table_of[element] = next(
                p.element for p in reversed(parents) if p.element_tag == "table"
            )
    by_table: dict[Any, list[tuple[int, ...]]] = {}
    for element, pages in pages_of.items():
        by_table.setdefault(table_of[element], []).append(tuple(pages))
    placements = []
    for table, rows in by_table.items():
        name = table.get("class") or "".join(table.findtext(".//th") or "")
        placements.append(RowPlacement(name, tuple(rows)))
    return placements


SCREEN_BOXES = r"""(() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (!node.textContent.trim() || node.parentElement.closest('svg, title')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width > 0 && r.height > 0)
        boxes.push([r.left, r.top + scrollY, r.right, r.bottom + scrollY, node.textContent.trim().slice(0, 40)]);
    }
  }
  for (const t of document.querySelectorAll('svg text')) {
    if (t.closest('[transform]')) continue;  // rotated labels: their boxes are not their ink
    const r = t.getBoundingClientRect();
    if (r.width > 0) boxes.push([r.left, r.top + scrollY, r.right, r.bottom + scrollY, t.textContent.slice(0, 40)]);
  }
  const seen = new Set();  // a label drawn twice in place (a halo under it) is one label
  return boxes.filter(b => { const k = b.join('|'); if (seen.has(k)) return false; seen.add(k); return true; });
})()"""

OVERFLOWING_CELLS = r"""(() => Array.from(document.querySelectorAll('th, td'))
  .filter(c => c.offsetParent !== null && c.scrollWidth > c.clientWidth + 1)
  .map(c => c.textContent.trim().slice(0, 40)))()"""


def screen_boxes(page: Page) -> list[Box]:
    """Returns the boxes of every line of text the page shows (HTML text and SVG labels)."""
    return [Box(0, *row[:4], row[4]) for row in page.evaluate(SCREEN_BOXES)]


def overflowing_cells(page: Page) -> list[str]:
    """Returns the table cells whose content is wider than the cell (it runs into the next)."""
    return list(page.evaluate(OVERFLOWING_CELLS))


_TAG = re.compile(r"<[^>]+>")
_WORDS = re.compile(r"[A-Za-zÀ-ÿ]{4,}")
_DOTTED = re.compile(r"[\w-]+(?:\.[\w-]+)+")


def page_text(page_html: str) -> str:
    """Returns what a reader sees of a page (tooltips included), without the style sheet and
    without items marked lang="en" (evidence quoted as the analysis wrote it)."""
    body = page_html.split("<body>", 1)[1]
    body = re.sub(r'<li lang="en"[^>]*>.*?</li>', " ", body, flags=re.S)
    return html.unescape(_TAG.sub(" ", body))


def english_only_words() -> set[str]:
    """Returns the words of the English catalog that no Spanish text uses (lowercase)."""
    english = {w.lower() for text in CATALOGS["en"].values() for w in _WORDS.findall(
        re.sub(r"\{[^}]*\}", " ", text))}  # fmt: skip
    spanish = {w.lower() for text in CATALOGS["es"].values() for w in _WORDS.findall(text)}
    return english - spanish


def untranslated(page_html: str, data: str) -> set[str]:
    """Returns the English-only catalog words a Spanish page shows that do not come from the
    data shown as received (`data`: AS names, descriptions, file names, ...)."""
    text = _DOTTED.sub(" ", page_text(page_html))  # file and host names are names
    shown = {w.lower() for w in _WORDS.findall(text)}
    from_data = {w.lower() for w in _WORDS.findall(data)}
    return (shown & english_only_words()) - from_data
