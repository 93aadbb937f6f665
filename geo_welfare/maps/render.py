"""Drawing one district's map on one page: map, legend, numbered list, title, credits.

The map is drawn in metres (the area's plane rectangular zone) so that the scale bar is true and
north is up.  The figure is laid out at 72 dpi, where a display pixel is a point: label boxes,
the legend and the list are measured and placed in page points, then drawn; saving at another
resolution (PNG) scales everything together.  matplotlib's object API is used without pyplot,
so maps can be drawn in a web request's thread.

This module puts the page together; each part is drawn by its own module:
:mod:`~geo_welfare.maps.map_layers` (layers and symbols), :mod:`~geo_welfare.maps.legend` (the legend
and the map's shift), :mod:`~geo_welfare.maps.furniture` (scale bar, north arrow, names, number
labels), :mod:`~geo_welfare.maps.listing` (the numbered list) and :mod:`~geo_welfare.maps.page_text`
(title and credits).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import shapely
import shapely.affinity
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo_welfare.maps.background import Background
from geo_welfare.maps.content import DistrictContent
from geo_welfare.maps.corners import Crowding
from geo_welfare.maps.fonts import map_style
from geo_welfare.maps.furniture import draw_neighbour_names, draw_number_labels, draw_scale_and_north
from geo_welfare.maps.labels import Box, Placement
from geo_welfare.maps.layout import LARGE_PRINT_PAPER, PageLayout, choose_orientation, fit_extent
from geo_welfare.maps.legend import display_box, resource_legend, slack
from geo_welfare.maps.listing import ListEntry, draw_list, entries_of, page_for
from geo_welfare.maps.map_layers import draw_layers, draw_symbols, kind_legend
from geo_welfare.maps.page_text import draw_credits, draw_page_number, draw_title
from geo_welfare.maps.reach import WalkingReach
from geo_welfare.maps.sources import credits, is_demo
from geo_welfare.core.words import t

FORMATS = ("pdf", "png", "svg")
DEFAULT_DPI = 200


@dataclass
class RenderedMap:
    """A drawn page and what was placed on it (boxes in page points, from the lower-left corner)."""

    figure: Figure
    layout: PageLayout
    title: str
    entries: list[ListEntry]
    placements: list[Placement]  # one per entry, same order
    legend_box: Box
    map_box: Box
    furniture: dict[str, Box] = field(default_factory=dict)  # scale bar, north arrow, neighbour names
    legend_labels: list[str] = field(default_factory=list)
    scale: int = 0
    list_fits: bool = True
    more_pages: list[Figure] = field(default_factory=list)  # the list's continuation pages, in order
    district_outline: object = None  # the district's outline in page points (shapely), as drawn

    @property
    def figures(self) -> list[Figure]:
        """Every page: the map's, then the list's continuations."""
        return [self.figure, *self.more_pages]

    @property
    def crowded(self) -> list[int]:
        """Numbers whose label found no free place (drawn beside their symbol, overlapping)."""
        return [entry.number for entry, placement in zip(self.entries, self.placements) if not placement.clear]

    def save(self, path: str | Path, fmt: str | None = None, dpi: int = DEFAULT_DPI) -> Path:
        """Write the page to ``path``; the format is ``fmt`` or the suffix (pdf, png, svg)."""
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".") or "pdf").lower()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(self.to_bytes(fmt, dpi))
        return path

    def to_bytes(self, fmt: str = "pdf", dpi: int = DEFAULT_DPI) -> bytes:
        """The page as a PDF, PNG or SVG file's bytes.

        A PDF holds every page (the list's continuations after the map); PNG and SVG are single-page
        formats and hold the map's page, which then says that the list continues (the PDF has it all).
        """
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}")
        buffer = io.BytesIO()
        metadata = {"Title": self.title, "Creator": "geo-welfare"} if fmt in ("pdf", "svg") else {"Title": self.title}
        with map_style():
            if fmt == "pdf" and self.more_pages:
                with PdfPages(buffer, metadata=metadata) as pdf:
                    for figure in self.figures:
                        pdf.savefig(figure, dpi=72)
            else:
                self.figure.savefig(buffer, format=fmt, dpi=dpi if fmt == "png" else 72, metadata=metadata)
        return buffer.getvalue()


class _PageCanvas(FigureCanvasAgg):
    """An Agg canvas that draws only when asked to (measuring, saving).

    GeoPandas' ``plot`` asks for a redraw after every layer (``draw_idle``), which on a plain Agg
    canvas renders the whole page each time: seven layers, seven pages drawn for nothing.  The page
    drawn in the end is the same.
    """

    def draw_idle(self, *args, **kwargs) -> None:
        """Nothing: the page is drawn when it is measured or saved."""


def _new_page(layout: PageLayout):
    """The figure (72 dpi: a display pixel is a point), its renderer, and the map's axes without ticks."""
    fig = Figure(figsize=layout.size_inches, dpi=72)
    _PageCanvas(fig)
    renderer = fig.canvas.get_renderer()
    ax = fig.add_axes(layout.fraction(layout.map))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("white")
    for spine in ax.spines.values():
        spine.set_linewidth(0.8 * layout.scale)
        spine.set_zorder(30)
    return fig, renderer, ax


def _draw_map(ax, content: DistrictContent, background: Background, reach: WalkingReach | None,
              base: tuple[float, float, float, float], s: float, lang: str) -> tuple[list, list[str]]:
    """Layers and symbols; returns the legend entries, kinds first.

    The layers cover the whole room the legend's arrangement may shift the map into.
    """
    reach_x, reach_y = slack(content.bounds, base)
    drawn = (base[0] - reach_x, base[1] - reach_y, base[2] + reach_x, base[3] + reach_y)
    handles, labels = draw_layers(ax, content, background, reach, drawn, s, lang)
    kind_handles, kind_labels = kind_legend(draw_symbols(ax, content.resources, s), s, lang)
    return kind_handles + handles, kind_labels + labels


def _fix_frame(ax, layout: PageLayout, base: tuple[float, float, float, float]) -> None:
    ax.set_aspect("auto")  # geopandas asks for equal aspect, which would move the frame; the extent
    ax.set_position(layout.fraction(layout.map))  # already has the frame's shape
    ax.set_autoscale_on(False)
    ax.set_xlim(base[0], base[2])
    ax.set_ylim(base[1], base[3])


def _display_affine(ax) -> list[float]:
    """The data → display (page points) transform of ``ax`` as a shapely affine matrix."""
    (a, b, xoff), (d, e, yoff), _ = ax.transData.get_matrix()
    return [a, b, d, e, xoff, yoff]


def _crowding(ax, content: DistrictContent, radius: float) -> Crowding:
    """The symbols and the district's outline in page points, as the map is now framed."""
    resources = content.resources
    anchors = (ax.transData.transform(np.column_stack([resources.geometry.x, resources.geometry.y]))
               if len(resources) else np.zeros((0, 2)))
    return Crowding(anchors, shapely.affinity.affine_transform(content.outline, _display_affine(ax)), radius)


def render_district_map(content: DistrictContent, *, background: Background | None = None, paper: str = "A4",
                        orientation: str = "auto", lang: str = "ja", reach: WalkingReach | None = None,
                        day: datetime.date | None = None, extra_credits: Sequence[str] = (),
                        large_print: bool = False) -> RenderedMap:
    """Draw the map of one district on one page (not yet saved: see :meth:`RenderedMap.save`).

    ``large_print`` draws the large-print variant: on A3 whatever ``paper`` says, every size ×1.4.
    """
    background = background or Background()
    day = day or datetime.date.today()
    minx, miny, maxx, maxy = content.bounds
    entries = entries_of(content, lang)
    paper = LARGE_PRINT_PAPER if large_print else paper
    layout = page_for(entries, paper, choose_orientation(maxx - minx, maxy - miny, orientation), lang, large_print)
    s = layout.scale
    pad, radius = 4 * s, 4.2 * s
    title = t("map_title", lang, name=content.name)

    with map_style():
        fig, renderer, ax = _new_page(layout)
        frame = layout.points(layout.map)
        base = fit_extent(content.bounds, layout.map)
        handles, labels = _draw_map(ax, content, background, reach, base, s, lang)
        _fix_frame(ax, layout, base)
        legend, extent = resource_legend(ax, renderer, content, base, frame, handles, labels, s=s, pad=pad,
                                      radius=radius, lang=lang)
        legend_box = display_box(legend, renderer)
        crowding = _crowding(ax, content, radius)
        ratio, scale_box, north_box = draw_scale_and_north(ax, layout, extent, frame, pad=pad, crowding=crowding,
                                                           legend_box=legend_box, lang=lang)
        furniture = {"scale_bar": scale_box, "north_arrow": north_box}
        taken = [legend_box, scale_box, north_box]
        furniture.update(draw_neighbour_names(ax, content, extent, frame, s, taken))
        placements = draw_number_labels(ax, content, frame, crowding, taken, s)

        demo = is_demo(content.layers)
        draw_title(fig, layout, content, title, day, lang, demo)
        credit_lines = credits(content.layers, background, lang, extra_credits)
        more: list[Figure] = []

        def figures(number: int) -> Figure:
            while len(more) < number:  # a continuation page: the same title and credits, no map
                page = Figure(figsize=layout.size_inches, dpi=72)
                _PageCanvas(page)
                draw_title(page, layout, content, title, day, lang, demo)
                draw_credits(page, layout, credit_lines, lang)
                more.append(page)
            return more[number - 1] if number else fig

        pages = draw_list(figures, layout, entries, lang)
        draw_credits(fig, layout, credit_lines, lang)
        if pages > 1:
            for number, page in enumerate([fig, *more], start=1):
                draw_page_number(page, layout, number, pages, lang)
    return RenderedMap(fig, layout, title, entries, placements, legend_box, frame, furniture,
                       [text.get_text() for text in legend.get_texts()], ratio, pages == 1, more,
                       crowding.outline)
