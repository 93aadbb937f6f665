"""Drawing one district's map on one page: map, legend, numbered list, title, credits.

The map is drawn in metres (the area's plane rectangular zone) so that the scale bar is true and
north is up.  The figure is laid out at 72 dpi, where a display pixel is a point: label boxes,
the legend and the list are measured and placed in page points, then drawn; saving at another
resolution (PNG) scales everything together.  matplotlib's object API is used without pyplot,
so maps can be drawn in a web request's thread.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
import shapely.ops
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, Polygon as PolygonPatch
from matplotlib.textpath import TextToPath

from geo_welfare.maps.background import Background
from geo_welfare.maps.content import DistrictContent
from geo_welfare.maps.fonts import font, map_style
from geo_welfare.maps.labels import Box, Placement, intersects, place_labels
from geo_welfare.maps.layout import PageLayout, choose_orientation, fit_extent, page_layout, scale_ratio
from geo_welfare.maps.reach import WalkingReach
from geo_welfare.maps.sources import credits, is_demo
from geo_welfare.maps.words import date_text, word
from geo_welfare.store.read import schedule_of
from geo_welfare.core.values import plain
from geo_welfare.core.glossary import AREA_UNITS, RESOURCE_KINDS, label
from geo_welfare.layers.schedules import describe
from geo_welfare.maps.style import AGING_CLASSES, RESOURCE_COLOURS, RESOURCE_MARKERS

FORMATS = ("pdf", "png", "svg")
#: Shares of the page body tried for the map, largest first, and the list size each must allow.
MAP_SHARES = (0.8, 0.76, 0.72, 0.68, 0.63)
COMFORTABLE_LIST_SIZE = 7.5
DEFAULT_DPI = 200

INK = "#222222"
NEIGHBOUR_FILL, NEIGHBOUR_EDGE = "#e4e4e4", "#a0a0a0"
STREET, MAJOR_STREET = "#b5b5b5", "#8c8c8c"
MAJOR_HIGHWAYS = {"primary", "secondary", "tertiary", "trunk", "primary_link", "secondary_link", "tertiary_link"}
WATER_FILL, WATER_EDGE = "#c6e2f5", "#7fb3d5"
REACH = "#1b7837"
NICE_LENGTHS = (25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)
CORNERS = {"upper right": (1, 1), "upper left": (0, 1), "lower left": (0, 0), "lower right": (1, 0)}

_measure = TextToPath()


@dataclass(frozen=True)
class ListEntry:
    """One numbered place as the list prints it."""

    number: int
    kind: str
    name: str
    schedule: str
    phone: str | None


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
        """The page as a PDF, PNG or SVG file's bytes."""
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}")
        buffer = io.BytesIO()
        metadata = {"Title": self.title, "Creator": "geo-welfare"} if fmt in ("pdf", "svg") else {"Title": self.title}
        with map_style():
            self.figure.savefig(buffer, format=fmt, dpi=dpi if fmt == "png" else 72, metadata=metadata)
        return buffer.getvalue()


@lru_cache(maxsize=4096)
def _advance(char: str) -> float:
    """Width of one character at 100 pt (cached: lists and credits measure thousands of characters)."""
    return _measure.get_text_width_height_descent(char, font(100.0), ismath=False)[0]


def text_width(text: str, size: float) -> float:
    """Width of ``text`` in the map font at ``size`` points, in points (the sum of its characters'
    advances, 2% over to cover kerning and rounding)."""
    return sum(_advance(char) for char in str(text)) * size / 100.0 * 1.02


NO_BREAK_BEFORE = set("、。，．）」』・ー〜:：,.)")


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` points: at the last space where the line has one,
    else between any two characters (Japanese), never before closing punctuation."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for char in paragraph:
            if line and char not in NO_BREAK_BEFORE and text_width(line + char, size) > width:
                cut = line.rfind(" ")  # at a space where there is one (English words, 10:00〜16:00)
                if cut > 0:
                    lines.append(line[:cut])
                    line = line[cut + 1:] + char
                else:
                    lines.append(line)
                    line = "" if char == " " else char
            else:
                line += char
        lines.append(line)
    return lines


def entries_of(content: DistrictContent, lang: str) -> list[ListEntry]:
    """The numbered list: name, schedule in words, contact phone."""
    return [ListEntry(int(row["number"]), row["kind"], str(row["name"]),
                      describe(schedule_of(row), lang) or word("no_schedule", lang),
                      plain(row.get("phone"))) for row in content.resources.to_dict("records")]


# --- the map -----------------------------------------------------------------------------------


def _plot(frame: gpd.GeoDataFrame | gpd.GeoSeries | None, ax, **style) -> bool:
    if frame is None or len(frame) == 0:
        return False
    frame.plot(ax=ax, **style)
    return True


def _aging_colour(rate: float) -> str | None:
    if rate is None or not np.isfinite(rate):
        return None
    colour = AGING_CLASSES[0][1]
    for lower, fill in AGING_CLASSES:
        if rate >= lower:
            colour = fill
    return colour


def _aging_labels(lang: str) -> list[str]:
    bounds = [lower for lower, _ in AGING_CLASSES]
    labels = []
    for i, lower in enumerate(bounds):
        if i == 0:
            labels.append(f"{bounds[1]:.0%}未満" if lang == "ja" else f"under {bounds[1]:.0%}")
        elif i == len(bounds) - 1:
            labels.append(f"{lower:.0%}以上" if lang == "ja" else f"{lower:.0%} and over")
        else:
            labels.append(f"{lower:.0%}〜{bounds[i + 1]:.0%}" if lang == "ja" else f"{lower:.0%}–{bounds[i + 1]:.0%}")
    return labels


def _draw_layers(ax, content: DistrictContent, background: Background, reach: WalkingReach | None,
                 extent: tuple[float, float, float, float], s: float, lang: str) -> tuple[list, list[str]]:
    """Everything under the symbols; returns legend (handles, labels) in drawing order."""
    handles: list = []
    labels: list[str] = []
    view = shapely.box(*extent)
    neighbours = content.neighbours[content.neighbours.intersects(view)]
    if _plot(neighbours, ax, facecolor=NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE, linewidth=0.6 * s, zorder=1):
        handles.append(Patch(facecolor=NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE, linewidth=0.6))
        labels.append(word("neighbours", lang))
    gpd.GeoSeries([content.outline], crs=content.crs).plot(ax=ax, facecolor="white", edgecolor="none", zorder=1.5)

    small = content.small_areas
    if small is not None and len(small) and small["aging_rate"].notna().any():
        colours = small["aging_rate"].map(_aging_colour)
        known = colours.notna()
        small[known].plot(ax=ax, color=list(colours[known]), edgecolor="#c8b98a", linewidth=0.3 * s, zorder=2)
        _plot(small[~known], ax, facecolor="white", edgecolor="#c8b98a", hatch="...", linewidth=0.3 * s, zorder=2)
        handles.append(Patch(visible=False))
        labels.append(word("aging", lang))
        for (_, fill), text in zip(AGING_CLASSES, _aging_labels(lang)):
            handles.append(Patch(facecolor=fill, edgecolor="#c8b98a", linewidth=0.4))
            labels.append(text)

    if reach is not None:
        area = reach.area.to_crs(content.crs).intersection(content.outline)  # this district's residents
        area = area[~area.is_empty]
        if _plot(area, ax, facecolor="none", edgecolor=REACH, hatch="///", linewidth=0.0, zorder=3):
            _plot(area, ax, facecolor="none", edgecolor=REACH, linewidth=0.8 * s, zorder=3.1)
            handles.append(Patch(facecolor="none", edgecolor=REACH, hatch="///", linewidth=0.8))
            labels.append(word("reach_network" if reach.by_network else "reach_straight", lang,
                               minutes=f"{reach.minutes:g}", speed=reach.speed_kmh, metres=reach.metres))

    water = background.clipped("water", content.crs, extent)
    if water is not None:
        polygons = water[water.geom_type.isin(["Polygon", "MultiPolygon"])]
        lines = water[~water.geom_type.isin(["Polygon", "MultiPolygon"])]
        _plot(polygons, ax, facecolor=WATER_FILL, edgecolor=WATER_EDGE, linewidth=0.5 * s, zorder=4)
        _plot(lines, ax, color=WATER_EDGE, linewidth=1.4 * s, zorder=4)
        handles.append(Patch(facecolor=WATER_FILL, edgecolor=WATER_EDGE, linewidth=0.5))
        labels.append(word("water", lang))

    streets = background.clipped("streets", content.crs, extent)
    if streets is not None:
        major = streets["highway"].isin(MAJOR_HIGHWAYS) if "highway" in streets else np.zeros(len(streets), bool)
        _plot(streets[~major], ax, color=STREET, linewidth=0.5 * s, zorder=5)
        _plot(streets[major], ax, color=MAJOR_STREET, linewidth=1.0 * s, zorder=5)
        handles.append(Line2D([], [], color=MAJOR_STREET, linewidth=1.0))
        labels.append(word("streets", lang))

    railway = background.clipped("railway", content.crs, extent)
    if railway is not None:
        _plot(railway, ax, color=INK, linewidth=2.4 * s, zorder=6)
        _plot(railway, ax, color="white", linewidth=1.4 * s, linestyle=(0, (4, 4)), zorder=6.1)
        handles.append((Line2D([], [], color=INK, linewidth=2.4), Line2D([], [], color="white", linewidth=1.4,
                                                                           linestyle=(0, (3, 3)))))
        labels.append(word("railway", lang))

    gpd.GeoSeries([content.outline], crs=content.crs).plot(ax=ax, facecolor="none", edgecolor=INK,
                                                           linewidth=2.2 * s, zorder=7)
    handles.insert(0, Patch(facecolor="white", edgecolor=INK, linewidth=2.0))
    labels.insert(0, word("district", lang))
    return handles, labels


def _kind_handles(kinds: list[str], s: float, lang: str) -> tuple[list, list[str]]:
    handles = [Line2D([], [], marker=RESOURCE_MARKERS.get(kind, "o"), color=RESOURCE_COLOURS.get(kind, "#666666"),
                      markeredgecolor=INK, markeredgewidth=0.6, linestyle="none", markersize=7) for kind in kinds]
    return handles, [label(RESOURCE_KINDS, kind, lang) for kind in kinds]


def _display_box(artist, renderer) -> Box:
    extent = artist.get_window_extent(renderer)
    return (extent.x0, extent.y0, extent.x1, extent.y1)


def _union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _corner_box(corner: str, size: tuple[float, float], frame: Box, pad: float) -> Box:
    right, top = CORNERS[corner]
    x0 = frame[2] - pad - size[0] if right else frame[0] + pad
    y0 = frame[3] - pad - size[1] if top else frame[1] + pad
    return (x0, y0, x0 + size[0], y0 + size[1])


def _corner_cost(box: Box, anchors: np.ndarray, outline_display: shapely.Geometry, radius: float,
                 frame_area: float = 0.0) -> float:
    """How much a block in ``box`` would hide: symbols first, then the district itself (as a share
    of the block, or of the whole frame when ``frame_area`` is given, so smaller blocks cost less)."""
    covered = 0
    if len(anchors):
        covered = int(np.sum((anchors[:, 0] > box[0] - radius) & (anchors[:, 0] < box[2] + radius) &
                             (anchors[:, 1] > box[1] - radius) & (anchors[:, 1] < box[3] + radius)))
    block = shapely.box(*box)
    return covered * 1000.0 + 100.0 * outline_display.intersection(block).area / max(frame_area or block.area, 1.0)


def _best_corner(choices: Sequence[str], size: tuple[float, float], frame: Box, pad: float, anchors: np.ndarray,
                 outline_display: shapely.Geometry, radius: float, taken: Sequence[Box] = ()) -> tuple[str, Box]:
    scored = []
    for rank, corner in enumerate(choices):
        box = _corner_box(corner, size, frame, pad)
        clash = any(intersects(box, other, pad) for other in taken)
        scored.append((clash, _corner_cost(box, anchors, outline_display, radius), rank, corner, box))
    _, _, _, corner, box = min(scored)
    return corner, box


def _to_axes(ax, x: float, y: float) -> tuple[float, float]:
    return tuple(ax.transAxes.inverted().transform((x, y)))  # type: ignore[return-value]


def _to_data(ax, x: float, y: float) -> tuple[float, float]:
    return tuple(ax.transData.inverted().transform((x, y)))  # type: ignore[return-value]


def _scale_bar(ax, box: Box, length_m: float, bar_pt: float, s: float, ratio: int, lang: str) -> None:
    """Alternating black and white segments, 0 … length, and the printed scale under them."""
    x0, y0 = box[0], box[1]
    size = 6.5 * s
    bar_y = y0 + size * 1.5
    height = 3.2 * s
    for i in range(4):
        left = x0 + i * bar_pt / 4
        (ax0, ay0), (ax1, ay1) = _to_axes(ax, left, bar_y), _to_axes(ax, left + bar_pt / 4, bar_y + height)
        ax.add_patch(PolygonPatch([(ax0, ay0), (ax1, ay0), (ax1, ay1), (ax0, ay1)], closed=True,
                                  facecolor=INK if i % 2 == 0 else "white", edgecolor=INK, linewidth=0.6 * s,
                                  transform=ax.transAxes, zorder=20))
    for fraction in (0.0, 0.5, 1.0):
        metres = length_m * fraction
        text = (f"{metres / 1000:g} km" if length_m >= 1000 else f"{metres:g} m") if fraction == 1.0 else f"{metres:g}"
        ax.text(*_to_axes(ax, x0 + bar_pt * fraction, bar_y + height + 1.5 * s), text, transform=ax.transAxes,
                ha="center", va="bottom", fontproperties=font(size), zorder=20)
    ax.text(*_to_axes(ax, x0, y0), word("scale", lang, ratio=ratio), transform=ax.transAxes, ha="left", va="bottom",
            fontproperties=font(size), zorder=20)


def _scale_size(extent_width: float, frame: Box, s: float, ratio: int, lang: str) -> tuple[float, float, float]:
    """(length in metres, bar length in points, block width) of a scale bar about a fifth of the map wide."""
    points_per_metre = (frame[2] - frame[0]) / extent_width
    target = (frame[2] - frame[0]) * 0.22 / points_per_metre
    length = max([n for n in NICE_LENGTHS if n <= target] or [NICE_LENGTHS[0]])
    bar = length * points_per_metre
    size = 6.5 * s
    last = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    width = max(bar + text_width(last, size) / 2, text_width(word("scale", lang, ratio=ratio), size))
    return length, bar, width + 2 * s


def _north_arrow(ax, box: Box, s: float, lang: str) -> None:
    """An arrow pointing to grid north (true north within a plane rectangular zone, to under a degree)."""
    cx = (box[0] + box[2]) / 2
    width, height = box[2] - box[0], box[3] - box[1]
    tip, base, notch = box[3] - 10 * s, box[1], box[1] + height * 0.18
    left, right = cx - width * 0.32, cx + width * 0.32
    halves = (([(cx, tip), (left, base), (cx, notch)], INK), ([(cx, tip), (right, base), (cx, notch)], "white"))
    for points, fill in halves:
        ax.add_patch(PolygonPatch([_to_axes(ax, x, y) for x, y in points], closed=True, facecolor=fill, edgecolor=INK,
                                  linewidth=0.7 * s, transform=ax.transAxes, zorder=20))
    ax.text(*_to_axes(ax, cx, box[3]), word("north", lang), transform=ax.transAxes, ha="center", va="top",
            fontproperties=font(8.5 * s), zorder=20)


def _neighbour_names(ax, content: DistrictContent, extent, frame: Box, s: float, taken: list[Box]) -> dict[str, Box]:
    """Neighbours' names in grey where enough of them shows; each kept clear of what is already placed."""
    view = shapely.box(*extent)
    size = 8 * s
    placed: dict[str, Box] = {}
    for row in content.neighbours.itertuples():
        visible = row.geometry.intersection(view)
        if visible.is_empty or visible.area < 0.04 * view.area:
            continue
        point = shapely.ops.polylabel(max(getattr(visible, "geoms", [visible]), key=lambda g: g.area), tolerance=5.0)
        x, y = ax.transData.transform((point.x, point.y))
        name = str(plain(row.name) or row.code)
        w, h = text_width(name, size), size * 1.1
        box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        if box[0] < frame[0] or box[2] > frame[2] or any(intersects(box, other, 2 * s) for other in taken):
            continue
        ax.text(point.x, point.y, name, ha="center", va="center", color="#6f6f6f", fontproperties=font(size), zorder=8)
        placed[f"neighbour:{row.code}"] = box
        taken.append(box)
    return placed


def _draw_labels(ax, content: DistrictContent, placements: list[Placement], size: float, s: float) -> None:
    for row, placement in zip(content.resources.to_dict("records"), placements):
        x0, y0 = _to_data(ax, placement.box[0], placement.box[1])
        x1, y1 = _to_data(ax, placement.box[2], placement.box[3])
        colour = RESOURCE_COLOURS.get(row["kind"], "#666666")
        if placement.leader:
            nearest = shapely.ops.nearest_points(shapely.box(x0, y0, x1, y1), row["geometry"])[0]
            ax.plot([row["geometry"].x, nearest.x], [row["geometry"].y, nearest.y], color=INK, linewidth=0.5 * s,
                    zorder=10)
        rounding = (y1 - y0) * 0.3
        ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle=f"round,pad=0,rounding_size={rounding}",
                                    facecolor="white", edgecolor=colour, linewidth=1.0 * s, zorder=11))
        ax.text((x0 + x1) / 2, (y0 + y1) / 2, str(row["number"]), ha="center", va="center_baseline",
                fontproperties=font(size), color=INK, zorder=12)


# --- the list, the title and the credits ---------------------------------------------------------


def _list_items(entries: list[ListEntry], width: float, size: float, lang: str) -> list[tuple[str, object, float]]:
    """(kind of item, payload, height in points) for headings and entries at font ``size``."""
    items: list[tuple[str, object, float]] = []
    detail = size * 0.86
    indent = size * 2.4
    kind = None
    for entry in entries:
        if entry.kind != kind:
            kind = entry.kind
            heading = wrap(label(RESOURCE_KINDS, kind, lang), width - size * 1.4, size)
            items.append(("heading", (kind, heading), size * 1.3 * len(heading) + size * 0.25))
        name_lines = wrap(entry.name, width - indent, size)
        detail_lines = wrap(entry.schedule, width - indent, detail)
        if entry.phone:
            detail_lines += wrap(word("phone", lang, phone=entry.phone), width - indent, detail)
        height = len(name_lines) * size * 1.3 + len(detail_lines) * detail * 1.3 + size * 0.5
        items.append(("entry", (entry, name_lines, detail_lines), height))
    return items


def _fit_list(entries: list[ListEntry], box: Box, columns: int, s: float, lang: str):
    """The largest font size (and its columns) at which the whole list fits its box.

    Returns (size, column width, gutter, placed items, fits); a kind's heading stays with its first
    entry.  When even the smallest size overflows, what fits is drawn and ``fits`` is False.
    """
    width_all, height = box[2] - box[0], box[3] - box[1] - 14 * s
    gutter = 6 * s
    for columns_used in (columns, columns + 1):
        width = (width_all - gutter * (columns_used - 1)) / columns_used
        for size in np.arange(8.5, 4.4, -0.5) * s:
            items = _list_items(entries, width, size, lang)
            placed, column, y = [], 0, 0.0
            for index, item in enumerate(items):
                need = item[2] + (items[index + 1][2] if item[0] == "heading" and index + 1 < len(items) else 0)
                if y + need > height and y > 0:
                    column, y = column + 1, 0.0
                if column >= columns_used:
                    break
                placed.append((column, y, item))
                y += item[2]
            else:
                return size, width, gutter, placed, True
    return size, width, gutter, placed, False


def _draw_list(fig: Figure, layout: PageLayout, entries: list[ListEntry], lang: str) -> bool:
    """Draw the numbered list; False when even the smallest size could not hold all of it."""
    s = layout.scale
    box = layout.points(layout.list)
    page_w, page_h = layout.points((0, 0, layout.width, layout.height))[2:]
    top = box[3]
    if not entries:
        fig.text(box[0] / page_w, top / page_h, word("list_empty", lang), va="top", fontproperties=font(9 * s))
        return True
    fig.text(box[0] / page_w, top / page_h, word("list_heading", lang, count=len(entries)), va="top",
             fontproperties=font(10.5 * s), color=INK)
    size, width, gutter, placed, fits = _fit_list(entries, box, layout.list_columns, s, lang)
    start = top - 14 * s
    for column, y, (kind_of_item, payload, _height) in placed:
        x = box[0] + column * (width + gutter)
        line_y = start - y
        if kind_of_item == "heading":
            kind, heading = payload
            fig.add_artist(Line2D([(x + size * 0.5) / page_w], [(line_y - size * 0.75) / page_h],
                                  marker=RESOURCE_MARKERS.get(kind, "o"), color=RESOURCE_COLOURS.get(kind, "#666"),
                                  markeredgecolor=INK, markeredgewidth=0.6, markersize=size * 0.9, linestyle="none",
                                  transform=fig.transFigure))
            for number, line in enumerate(heading):
                fig.text((x + size * 1.4) / page_w, (line_y - size * 0.2 - number * size * 1.3) / page_h, line,
                         va="top", fontproperties=font(size), color="#444444")
            continue
        entry, name_lines, detail_lines = payload
        colour = RESOURCE_COLOURS.get(entry.kind, "#666666")
        badge_w = max(text_width(str(entry.number), size) + size * 0.7, size * 1.5)
        fig.text((x + badge_w / 2) / page_w, (line_y - size * 0.62) / page_h, str(entry.number), ha="center",
                 va="center_baseline", fontproperties=font(size), color=INK,
                 bbox={"boxstyle": "round,pad=0.18", "facecolor": "white", "edgecolor": colour, "linewidth": 1.0 * s})
        indent = size * 2.4
        for line in name_lines:
            fig.text((x + indent) / page_w, line_y / page_h, line, va="top", fontproperties=font(size), color=INK)
            line_y -= size * 1.3
        detail = size * 0.86
        for line in detail_lines:
            fig.text((x + indent) / page_w, line_y / page_h, line, va="top", fontproperties=font(detail),
                     color="#444444")
            line_y -= detail * 1.3
    return fits


def _draw_title(fig: Figure, layout: PageLayout, content: DistrictContent, title: str, day: datetime.date,
                lang: str, demo: bool) -> None:
    s = layout.scale
    box = layout.points(layout.title)
    page_w, page_h = layout.points((0, 0, layout.width, layout.height))[2:]
    fig.text(box[0] / page_w, box[3] / page_h, title, va="top", fontproperties=font(19 * s), color=INK)
    subtitle = label(AREA_UNITS, content.unit, lang) + (f"（{content.municipality}）" if lang == "ja" and
                                                         content.municipality else
                                                         f" ({content.municipality})" if content.municipality else "")
    notes = [subtitle] + ([word("demo_note", lang)] if demo else [])
    fig.text(box[0] / page_w, (box[1] + 1 * s) / page_h, "　".join(notes) if lang == "ja" else " · ".join(notes),
             va="bottom", fontproperties=font(9 * s), color="#555555")
    fig.text(box[2] / page_w, box[3] / page_h, word("made_on", lang, date=date_text(day, lang)), va="top", ha="right",
             fontproperties=font(9 * s), color="#555555")
    if content.include_staff:
        fig.text(box[2] / page_w, (box[1] + 1 * s) / page_h, word("staff_copy", lang), va="bottom", ha="right",
                 fontproperties=font(9 * s), color="#b2182b")
    fig.add_artist(Line2D([box[0] / page_w, box[2] / page_w], [(box[1] - 1.5 * s) / page_h] * 2, color=INK,
                          linewidth=0.8 * s, transform=fig.transFigure))


def _draw_credits(fig: Figure, layout: PageLayout, lines: list[str], lang: str) -> None:
    s = layout.scale
    box = layout.points(layout.footer)
    page_w, page_h = layout.points((0, 0, layout.width, layout.height))[2:]
    heading = word("sources", lang) + ("：" if lang == "ja" else ": ")
    size = 6.2 * s
    text = heading + (" ／ " if lang == "ja" else " / ").join(lines)
    wrapped = wrap(text, box[2] - box[0], size)
    while len(wrapped) * size * 1.3 > box[3] - box[1] and size > 4.5 * s:
        size -= 0.3 * s
        wrapped = wrap(text, box[2] - box[0], size)
    fig.text(box[0] / page_w, box[3] / page_h, "\n".join(wrapped), va="top", fontproperties=font(size),
             color="#444444", linespacing=1.3)


# --- the page ----------------------------------------------------------------------------------


def render_district_map(content: DistrictContent, *, background: Background | None = None, paper: str = "A4",
                        orientation: str = "auto", lang: str = "ja", reach: WalkingReach | None = None,
                        day: datetime.date | None = None, extra_credits: Sequence[str] = ()) -> RenderedMap:
    """Draw the map of one district on one page (not yet saved: see :meth:`RenderedMap.save`)."""
    background = background or Background()
    day = day or datetime.date.today()
    minx, miny, maxx, maxy = content.bounds
    entries = entries_of(content, lang)
    layout = _page_for(entries, paper, choose_orientation(maxx - minx, maxy - miny, orientation), lang)
    s = layout.scale
    title = word("map_title", lang, name=content.name)
    demo = is_demo(content.layers)

    with map_style():
        fig = Figure(figsize=layout.size_inches, dpi=72)
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()
        frame = layout.points(layout.map)
        ax = fig.add_axes(layout.fraction(layout.map))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor("white")
        for spine in ax.spines.values():
            spine.set_linewidth(0.8 * s)
            spine.set_zorder(30)
        base = fit_extent(content.bounds, layout.map)
        reach_x, reach_y = _slack(content.bounds, base)
        drawn = (base[0] - reach_x, base[1] - reach_y, base[2] + reach_x, base[3] + reach_y)
        handles, labels = _draw_layers(ax, content, background, reach, drawn, s, lang)

        resources = content.resources
        radius = 4.2 * s
        for kind in dict.fromkeys(resources["kind"]):
            chosen = (resources["kind"] == kind).to_numpy()
            ax.scatter(resources.geometry.x[chosen], resources.geometry.y[chosen], s=(8.4 * s) ** 2 / 1.6,
                       marker=RESOURCE_MARKERS.get(kind, "o"), c=RESOURCE_COLOURS.get(kind, "#666666"),
                       edgecolors=INK, linewidths=0.7 * s, zorder=9)
        kind_handles, kind_labels = _kind_handles(list(dict.fromkeys(resources["kind"])), s, lang)
        handles, labels = kind_handles + handles, kind_labels + labels

        pad = 4 * s
        options = {"prop": font(7.2 * s), "title": word("legend", lang), "title_fontproperties": font(8 * s),
                   "frameon": True, "framealpha": 0.95, "edgecolor": "#888888", "fancybox": False,
                   "borderaxespad": pad / (7.2 * s), "handler_map": {tuple: HandlerTuple(ndivide=1)},
                   "handlelength": 2.2, "markerscale": 0.9 * s}
        ax.set_aspect("auto")  # geopandas asks for equal aspect, which would move the frame; the extent
        ax.set_position(layout.fraction(layout.map))  # already has the frame's shape
        ax.set_autoscale_on(False)
        ax.set_xlim(base[0], base[2])
        ax.set_ylim(base[1], base[3])
        legend_sizes = {}
        for columns in (1, 2):
            probe = ax.legend(handles, labels, loc="upper right", ncols=columns, **options)
            box = _display_box(probe, renderer)
            legend_sizes[columns] = (box[2] - box[0], box[3] - box[1])
            probe.remove()
        extent, corner, columns = _arrange(content, base, frame, legend_sizes, pad, radius)
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        ax.set_xlabel("")
        ax.set_ylabel("")
        legend = ax.legend(handles, labels, loc=corner, ncols=columns, **options)
        legend.set_zorder(25)
        legend_box = _display_box(legend, renderer)
        anchors = (ax.transData.transform(np.column_stack([resources.geometry.x, resources.geometry.y]))
                   if len(resources) else np.zeros((0, 2)))
        outline_display = shapely.affinity.affine_transform(content.outline, _display_affine(ax))

        ratio = scale_ratio(extent[2] - extent[0], layout.map)
        length, bar, scale_w = _scale_size(extent[2] - extent[0], frame, s, ratio, lang)
        scale_size = (scale_w, 6.5 * s * 1.5 + 3.2 * s + 1.5 * s + 6.5 * s * 1.2)
        _, scale_box = _best_corner(["lower left", "lower right"], scale_size, frame, pad, anchors, outline_display,
                                    radius, [legend_box])
        _scale_bar(ax, scale_box, length, bar, s, ratio, lang)
        north_size = (16 * s, 34 * s)
        _, north_box = _best_corner(["upper left", "upper right", "lower right", "lower left"], north_size, frame, pad,
                                    anchors, outline_display, radius, [legend_box, scale_box])
        _north_arrow(ax, north_box, s, lang)

        furniture = {"scale_bar": scale_box, "north_arrow": north_box}
        taken = [legend_box, scale_box, north_box]
        furniture.update(_neighbour_names(ax, content, extent, frame, s, taken))

        label_size = 7.5 * s
        sizes = [(max(text_width(str(n), label_size) + label_size * 0.8, label_size * 1.5), label_size * 1.45)
                 for n in resources["number"]]
        inner = (frame[0] + 1, frame[1] + 1, frame[2] - 1, frame[3] - 1)
        placements = place_labels([tuple(a) for a in anchors], sizes, bounds=inner, obstacles=taken,
                                  symbol_radius=radius, gap=1.2 * s)
        _draw_labels(ax, content, placements, label_size, s)

        _draw_title(fig, layout, content, title, day, lang, demo)
        list_fits = _draw_list(fig, layout, entries, lang)
        _draw_credits(fig, layout, credits(content.layers, background, lang, extra_credits), lang)
    return RenderedMap(fig, layout, title, entries, placements, legend_box, frame, furniture,
                       [text.get_text() for text in legend.get_texts()], ratio, list_fits)


def _slack(bounds: tuple[float, float, float, float], extent: tuple[float, float, float, float]
           ) -> tuple[float, float]:
    """Half the room (metres) the extent has around the district beyond its margin, across and up."""
    width, height = bounds[2] - bounds[0], bounds[3] - bounds[1]
    margin = 2 * max(width, height, 1.0) * 0.06
    return (max((extent[2] - extent[0]) - width - margin, 0.0) / 2,
            max((extent[3] - extent[1]) - height - margin, 0.0) / 2)


def _arrange(content: DistrictContent, base: tuple[float, float, float, float], frame: Box,
             legend_sizes: dict[int, tuple[float, float]], pad: float, radius: float
             ) -> tuple[tuple[float, float, float, float], str, int]:
    """Extent, legend corner and legend columns that hide the fewest symbols and least of the district.

    Where the district leaves room across or up the frame, the map may be shifted so that the room
    is on the legend's side.  Ties keep the district centred and the legend in one column.
    """
    half_x, half_y = _slack(content.bounds, base)
    points_per_metre = (frame[2] - frame[0]) / (base[2] - base[0])
    xy = (np.column_stack([content.resources.geometry.x, content.resources.geometry.y])
          if len(content.resources) else np.zeros((0, 2)))
    frame_area = (frame[2] - frame[0]) * (frame[3] - frame[1])
    best = None
    for dx in dict.fromkeys((0.0, half_x, -half_x)):
        for dy in dict.fromkeys((0.0, half_y, -half_y)):
            extent = (base[0] + dx, base[1] + dy, base[2] + dx, base[3] + dy)
            offset = (frame[0] - extent[0] * points_per_metre, frame[1] - extent[1] * points_per_metre)
            anchors = xy * points_per_metre + offset
            outline = shapely.affinity.affine_transform(content.outline, [points_per_metre, 0, 0, points_per_metre,
                                                                          *offset])
            for columns, size in legend_sizes.items():
                for rank, corner in enumerate(CORNERS):
                    box = _corner_box(corner, size, frame, pad)
                    cost = (_corner_cost(box, anchors, outline, radius, frame_area) + 0.5 * (columns - 1)
                            + 0.2 * (dx != 0 or dy != 0) + 0.01 * rank)
                    if best is None or cost < best[0]:
                        best = (cost, extent, corner, columns)
    return best[1], best[2], best[3]


def _page_for(entries: list[ListEntry], paper: str, orientation: str, lang: str) -> PageLayout:
    """The page with the largest map whose list still fits at a comfortable size (a short list gives
    the map more room; a long one takes it)."""
    for share in MAP_SHARES:
        layout = page_layout(paper, orientation, share)
        size, *_, fits = _fit_list(entries, layout.points(layout.list), layout.list_columns, layout.scale, lang)
        if fits and size >= COMFORTABLE_LIST_SIZE * layout.scale:
            return layout
    return layout


def _display_affine(ax) -> list[float]:
    """The data → display (page points) transform of ``ax`` as a shapely affine matrix."""
    (a, b, xoff), (d, e, yoff), _ = ax.transData.get_matrix()
    return [a, b, d, e, xoff, yoff]
