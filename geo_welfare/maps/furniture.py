"""What is drawn over the map's layers: scale bar, north arrow, neighbours' names, number labels.

Each is placed in page points clear of what was placed before it (the legend first), so nothing
hides another; the boxes they take are returned for :class:`geo_welfare.maps.render.RenderedMap`.
"""

from __future__ import annotations

import shapely
import shapely.ops
from matplotlib.patches import FancyBboxPatch, Polygon as PolygonPatch

from geo_welfare.core.values import plain
from geo_welfare.maps.content import DistrictContent
from geo_welfare.maps.corners import Crowding, best_corner
from geo_welfare.maps.fonts import font
from geo_welfare.maps.labels import Box, Placement, intersects, resource_labels
from geo_welfare.maps.layout import PageLayout, scale_ratio
from geo_welfare.maps.palette import INK
from geo_welfare.maps.style import RESOURCE_COLOURS
from geo_welfare.maps.text import text_width
from geo_welfare.core.words import t

NICE_LENGTHS = (25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)


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
                ha="center", va="bottom", parse_math=False, fontproperties=font(size), zorder=20)
    ax.text(*_to_axes(ax, x0, y0), t("scale", lang, ratio=ratio), transform=ax.transAxes, ha="left", va="bottom",
            parse_math=False, fontproperties=font(size), zorder=20)


def _scale_size(extent_width: float, frame: Box, s: float, ratio: int, lang: str) -> tuple[float, float, float]:
    """(length in metres, bar length in points, block width) of a scale bar about a fifth of the map wide."""
    points_per_metre = (frame[2] - frame[0]) / extent_width
    target = (frame[2] - frame[0]) * 0.22 / points_per_metre
    length = max([n for n in NICE_LENGTHS if n <= target] or [NICE_LENGTHS[0]])
    bar = length * points_per_metre
    size = 6.5 * s
    last = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    width = max(bar + text_width(last, size) / 2, text_width(t("scale", lang, ratio=ratio), size))
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
    ax.text(*_to_axes(ax, cx, box[3]), t("north", lang), transform=ax.transAxes, ha="center", va="top",
            parse_math=False, fontproperties=font(8.5 * s), zorder=20)


def draw_scale_and_north(ax, layout: PageLayout, extent, frame: Box, *, pad: float, crowding: Crowding,
                         legend_box: Box, lang: str) -> tuple[int, Box, Box]:
    """Scale bar in a lower corner, north arrow in another corner; returns (scale ratio, their boxes)."""
    s = layout.scale
    ratio = scale_ratio(extent[2] - extent[0], layout.map)
    length, bar, scale_w = _scale_size(extent[2] - extent[0], frame, s, ratio, lang)
    scale_size = (scale_w, 6.5 * s * 1.5 + 3.2 * s + 1.5 * s + 6.5 * s * 1.2)
    _, scale_box = best_corner(["lower left", "lower right"], scale_size, frame, pad, crowding, [legend_box])
    _scale_bar(ax, scale_box, length, bar, s, ratio, lang)
    north_size = (16 * s, 34 * s)
    _, north_box = best_corner(["upper left", "upper right", "lower right", "lower left"], north_size, frame, pad,
                               crowding, [legend_box, scale_box])
    _north_arrow(ax, north_box, s, lang)
    return ratio, scale_box, north_box


def draw_neighbour_names(ax, content: DistrictContent, extent, frame: Box, s: float, taken: list[Box]
                         ) -> dict[str, Box]:
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
        ax.text(point.x, point.y, name, ha="center", va="center", color="#6f6f6f", parse_math=False,
                fontproperties=font(size), zorder=8)
        placed[f"neighbour:{row.code}"] = box
        taken.append(box)
    return placed


def draw_number_labels(ax, content: DistrictContent, frame: Box, crowding: Crowding, taken: list[Box],
                       s: float) -> list[Placement]:
    """Each symbol's number in a box of its kind's colour, placed clear of the rest (with a leader if moved)."""
    size = 7.5 * s
    sizes = [(max(text_width(str(n), size) + size * 0.8, size * 1.5), size * 1.45)
             for n in content.resources["number"]]
    inner = (frame[0] + 1, frame[1] + 1, frame[2] - 1, frame[3] - 1)
    placements = resource_labels([tuple(a) for a in crowding.anchors], sizes, bounds=inner, obstacles=taken,
                              symbol_radius=crowding.radius, gap=1.2 * s)
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
                parse_math=False, fontproperties=font(size), color=INK, zorder=12)
    return placements
