"""The legend, and where it goes: the corner, column count and map shift that hide the least.

The legend is measured first (one and two columns, drawn and removed), then every corner is tried
with the map shifted across or up where the district leaves room, so that the room lands on the
legend's side.  Ties keep the district centred and the legend in one column.
"""

from __future__ import annotations

import numpy as np
import shapely
import shapely.affinity
from matplotlib.legend_handler import HandlerTuple

from geo_welfare.maps.content import DistrictContent
from geo_welfare.maps.corners import CORNERS, corner_box, covered_symbols, district_overlap
from geo_welfare.maps.fonts import font
from geo_welfare.maps.labels import Box
from geo_welfare.core.words import t

Extent = tuple[float, float, float, float]


def display_box(artist, renderer) -> Box:
    """Where ``artist`` is on the page (points from the lower-left corner)."""
    extent = artist.get_window_extent(renderer)
    return (extent.x0, extent.y0, extent.x1, extent.y1)


def slack(bounds: Extent, extent: Extent) -> tuple[float, float]:
    """Half the room (metres) the extent has around the district beyond its margin, across and up."""
    width, height = bounds[2] - bounds[0], bounds[3] - bounds[1]
    margin = 2 * max(width, height, 1.0) * 0.06
    return (max((extent[2] - extent[0]) - width - margin, 0.0) / 2,
            max((extent[3] - extent[1]) - height - margin, 0.0) / 2)


def arrange(content: DistrictContent, base: Extent, frame: Box, legend_sizes: dict[int, tuple[float, float]],
            pad: float, radius: float) -> tuple[Extent, str, int]:
    """Extent, legend corner and legend columns: the legend over no symbol and as little of the district
    as can be (nothing of it where any corner allows), in that order.

    Where the district leaves room across or up the frame, the map may be shifted so that the room
    is on the legend's side.  Among arrangements covering equally little (to a square point), one
    column, the district centred and the earlier corner are preferred.
    """
    half_x, half_y = slack(content.bounds, base)
    points_per_metre = (frame[2] - frame[0]) / (base[2] - base[0])
    xy = (np.column_stack([content.resources.geometry.x, content.resources.geometry.y])
          if len(content.resources) else np.zeros((0, 2)))
    best = None
    for dx in dict.fromkeys((0.0, half_x, -half_x)):
        for dy in dict.fromkeys((0.0, half_y, -half_y)):
            extent = (base[0] + dx, base[1] + dy, base[2] + dx, base[3] + dy)
            offset = (frame[0] - extent[0] * points_per_metre, frame[1] - extent[1] * points_per_metre)
            anchors = xy * points_per_metre + offset
            outline = shapely.affinity.affine_transform(content.outline, [points_per_metre, 0, 0, points_per_metre,
                                                                          *offset])
            shapely.prepare(outline)
            for columns, size in legend_sizes.items():
                for rank, corner in enumerate(CORNERS):
                    box = corner_box(corner, size, frame, pad)
                    cost = (covered_symbols(box, anchors, radius), round(district_overlap(box, outline)),
                            columns, dx != 0 or dy != 0, rank)
                    if best is None or cost < best[0]:
                        best = (cost, extent, corner, columns)
    return best[1], best[2], best[3]


def _options(s: float, pad: float, lang: str) -> dict:
    return {"prop": font(7.2 * s), "title": t("legend", lang), "title_fontproperties": font(8 * s),
            "frameon": True, "framealpha": 0.95, "edgecolor": "#888888", "fancybox": False,
            "borderaxespad": pad / (7.2 * s), "handler_map": {tuple: HandlerTuple(ndivide=1)},
            "handlelength": 2.2, "markerscale": 0.9 * s}


def resource_legend(ax, renderer, content: DistrictContent, base: Extent, frame: Box, handles: list, labels: list[str],
                 *, s: float, pad: float, radius: float, lang: str) -> tuple[object, Extent]:
    """Draw the legend where :func:`arrange` puts it, the map shifted to match; returns (legend, extent)."""
    options = _options(s, pad, lang)
    legend_sizes = {}
    for columns in (1, 2):
        probe = ax.legend(handles, labels, loc="upper right", ncols=columns, **options)
        box = display_box(probe, renderer)
        legend_sizes[columns] = (box[2] - box[0], box[3] - box[1])
        probe.remove()
    extent, corner, columns = arrange(content, base, frame, legend_sizes, pad, radius)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_xlabel("")
    ax.set_ylabel("")
    legend = ax.legend(handles, labels, loc=corner, ncols=columns, **options)
    legend.set_zorder(25)
    return legend, extent
