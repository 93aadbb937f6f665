"""Paper sizes, orientation and where the title, map, list and credits go on the page.

Everything is sized for A4 and enlarged by the ratio of the paper's short sides for A3, so an A3
print reads like an enlarged A4 (what a print shop's 拡大コピー gives, and what CSWs expect).
Boxes are ``(x0, y0, x1, y1)`` in millimetres from the page's lower-left corner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0

#: ISO 216 sizes (short side, long side) in millimetres.
PAPERS: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
ORIENTATIONS = ("auto", "portrait", "landscape")

MARGIN_MM = 10.0
TITLE_MM = 17.0
FOOTER_MM = 13.0
GAP_MM = 4.0
#: Share of the body the map takes; the numbered list gets the rest (beside it in landscape,
#: below it in portrait).
MAP_SHARE = 0.63
#: Large print (``--large-print``): every size of the page ×1.4 (type, symbols, margins), on A3 — for
#: readers with low vision, as 拡大文字 handouts are made.
LARGE_PRINT = 1.4
LARGE_PRINT_PAPER = "A3"

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageLayout:
    """One page: paper, orientation, size in mm, the scale factor against A4, and its boxes (mm)."""

    paper: str
    orientation: str
    width: float
    height: float
    scale: float
    title: Box
    map: Box
    list: Box
    footer: Box

    @property
    def size_inches(self) -> tuple[float, float]:
        return self.width / MM_PER_INCH, self.height / MM_PER_INCH

    def fraction(self, box: Box) -> tuple[float, float, float, float]:
        """``box`` as matplotlib figure fractions ``(left, bottom, width, height)``."""
        x0, y0, x1, y1 = box
        return x0 / self.width, y0 / self.height, (x1 - x0) / self.width, (y1 - y0) / self.height

    def points(self, box: Box) -> Box:
        """``box`` in PostScript points (1/72 inch), the unit of labels and fonts."""
        factor = POINTS_PER_INCH / MM_PER_INCH
        return tuple(value * factor for value in box)  # type: ignore[return-value]

    @property
    def list_columns(self) -> int:
        """Columns of the numbered list: one beside the map, two in the wide band below it."""
        return 1 if self.orientation == "landscape" else 2


def choose_orientation(width_m: float, height_m: float, orientation: str = "auto") -> str:
    """``portrait`` or ``landscape``: as asked, or for ``auto`` the district's own shape.

    A district wider than tall goes on a landscape page (its list to the right), otherwise
    portrait (list below): the shape a reader expects to see the district in.
    """
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be one of {', '.join(ORIENTATIONS)}")
    if orientation != "auto":
        return orientation
    return "landscape" if width_m > height_m else "portrait"


def page_layout(paper: str, orientation: str, map_share: float = MAP_SHARE, large_print: bool = False) -> PageLayout:
    """The boxes of a page of ``paper`` (A4, A3) in ``orientation`` (portrait, landscape), the map
    taking ``map_share`` of the body; ``large_print`` enlarges every size by :data:`LARGE_PRINT`."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
    if orientation not in ("portrait", "landscape"):
        raise ValueError("orientation must be portrait or landscape")
    short, long = PAPERS[paper]
    width, height = (short, long) if orientation == "portrait" else (long, short)
    s = short / PAPERS["A4"][0] * (LARGE_PRINT if large_print else 1.0)
    margin, title_h, footer_h, gap = MARGIN_MM * s, TITLE_MM * s, FOOTER_MM * s, GAP_MM * s
    title = (margin, height - margin - title_h, width - margin, height - margin)
    footer = (margin, margin, width - margin, margin + footer_h)
    body = (margin, footer[3] + gap, width - margin, title[1] - gap)
    if orientation == "landscape":
        split = body[0] + (body[2] - body[0]) * map_share
        map_box = (body[0], body[1], split, body[3])
        list_box = (split + gap, body[1], body[2], body[3])
    else:
        split = body[3] - (body[3] - body[1]) * map_share
        map_box = (body[0], split, body[2], body[3])
        list_box = (body[0], body[1], body[2], split - gap)
    return PageLayout(paper, orientation, width, height, s, title, map_box, list_box, footer)


def fit_extent(bounds: tuple[float, float, float, float], box: Box, margin: float = 0.06
               ) -> tuple[float, float, float, float]:
    """The map extent (metres) around ``bounds`` with ``margin`` on each side, shaped like ``box``.

    The shorter side is widened so that one metre is as long across as up the page (no stretching).
    """
    minx, miny, maxx, maxy = bounds
    pad = max(maxx - minx, maxy - miny, 1.0) * margin
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    box_aspect = (box[2] - box[0]) / (box[3] - box[1])
    width, height = maxx - minx, maxy - miny
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if width / height < box_aspect:
        width = height * box_aspect
    else:
        height = width / box_aspect
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def scale_ratio(extent_width_m: float, box: Box) -> int:
    """The printed scale denominator (1:N, to two significant figures): ground metres per page metre."""
    exact = extent_width_m / ((box[2] - box[0]) / 1000.0)
    magnitude = 10 ** max(int(math.floor(math.log10(exact))) - 1, 0)
    return int(round(exact / magnitude) * magnitude)
