"""A small static map for a client's printout: the starting point, the places found and the walks to them.

The coordinator's page draws its map with Leaflet, which prints poorly (tiles cut at page breaks,
routes shifted, often nothing at all); a client takes home paper, so this map is drawn on the
server with matplotlib, in the print maps' font and kind symbols (:mod:`.fonts`, :mod:`.style`),
over the walking network's own streets (no outside tiles: the map is around someone's home).
Places carry their number in the list; nothing else is written on the map, in particular not the
address, so the drawing holds no more than the page beside it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from pyproj import CRS, Transformer

from geo_welfare.core.crs import metric_crs
from geo_welfare.core.words import t
from geo_welfare.maps.fonts import font, map_style
from geo_welfare.maps.palette import INK, STREET
from geo_welfare.maps.style import RESOURCE_COLOURS, RESOURCE_MARKERS

STORAGE_CRS = CRS.from_epsg(6668)
#: Route colours (Okabe–Ito, colour-blind safe), told apart in black and white by dash as well.
ROUTE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
ROUTE_DASHES = ("solid", (0, (6, 2)), (0, (2, 2)), (0, (6, 2, 2, 2)), (0, (10, 3)), (0, (1, 1.5)))
NICE_LENGTHS = (20, 50, 100, 200, 250, 500, 1000, 2000, 5000)
#: The map's size on paper (cm): the width of an A4 page's text, a little over a quarter of its height.
SIZE_CM = (17.0, 7.4)
_HALO = [patheffects.withStroke(linewidth=3, foreground="white")]


@dataclass(frozen=True)
class MapPlace:
    """One place of the list: its number, kind, position (lon, lat) and the walk to it (lon/lat), if any."""

    rank: int
    kind: str
    lonlat: tuple[float, float]
    route: shapely.LineString | None


def _extent(points: np.ndarray, aspect: float, pad: float = 0.14, least_m: float = 300.0) -> tuple[float, ...]:
    """A box around the points with a margin, at least ``least_m`` across, in the figure's shape."""
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    width, height = max(x1 - x0, least_m) * (1 + 2 * pad), max(y1 - y0, least_m) * (1 + 2 * pad)
    width, height = max(width, height * aspect), max(height, width / aspect)
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def _streets(ax, streets: Sequence[shapely.Geometry] | np.ndarray | None, streets_crs: CRS | None,
             crs: CRS, extent: tuple[float, ...]) -> None:
    """The walking network's lines inside the frame, quiet grey beneath everything else."""
    if streets is None or streets_crs is None or not len(streets):
        return
    lines = np.asarray(streets, dtype=object)
    if CRS(streets_crs) != crs:
        to_map = Transformer.from_crs(streets_crs, crs, always_xy=True)
        box = shapely.box(*extent)
        to_streets = Transformer.from_crs(crs, streets_crs, always_xy=True)
        box = shapely.transform(box, lambda xy: np.column_stack(to_streets.transform(xy[:, 0], xy[:, 1])))
        lines = lines[shapely.intersects(lines, box)]
        lines = shapely.transform(lines, lambda xy: np.column_stack(to_map.transform(xy[:, 0], xy[:, 1])))
    else:
        lines = lines[shapely.intersects(lines, shapely.box(*extent))]
    segments = [np.asarray(shapely.get_coordinates(line)) for line in lines]
    ax.add_collection(LineCollection(segments, colors=STREET, linewidths=0.8, zorder=1))


def _scale_bar(ax, extent: tuple[float, ...], lang: str) -> None:
    """A bar about a fifth of the width, a round number of metres, in the lower left corner."""
    width = extent[2] - extent[0]
    length = max([n for n in NICE_LENGTHS if n <= width / 5] or [NICE_LENGTHS[0]])
    x, y = extent[0] + width * 0.04, extent[1] + (extent[3] - extent[1]) * 0.06
    ax.plot([x, x + length], [y, y], color=INK, linewidth=3, solid_capstyle="butt", zorder=12,
            path_effects=[patheffects.withStroke(linewidth=5, foreground="white")])
    ax.text(x + length / 2, y + width * 0.012, t("cprint_scale", lang, metres=length), ha="center", va="bottom",
            fontproperties=font(10), color=INK, zorder=12, path_effects=_HALO, parse_math=False)


def _north(ax, extent: tuple[float, ...], lang: str) -> None:
    """北 with an arrow in the upper right corner (grid north: true north within the zone, to under a degree)."""
    width, height = extent[2] - extent[0], extent[3] - extent[1]
    x, y = extent[2] - width * 0.05, extent[3] - height * 0.2
    ax.annotate("", xy=(x, y + height * 0.12), xytext=(x, y), zorder=12,
                arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.6})
    ax.text(x, y - height * 0.01, t("north", lang), ha="center", va="top", fontproperties=font(10), color=INK,
            zorder=12, path_effects=_HALO, parse_math=False)


def _to(transformer: Transformer, geometry):
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


# Long because the map is one drawing, bottom to top: streets, routes, places, the origin, then the furniture.
def render_client_map(origin: tuple[float, float], places: Sequence[MapPlace], *, lang: str = "ja",
                      streets: Sequence[shapely.Geometry] | np.ndarray | None = None,
                      streets_crs: CRS | str | None = None, size_cm: tuple[float, float] = SIZE_CM) -> bytes:
    """The map as SVG (text as paths, so it looks the same wherever it is printed).

    ``origin`` and the places are lon/lat (EPSG:6668); ``streets`` are lines in ``streets_crs``
    (the walking network's edges), drawn where they cross the frame.
    """
    crs = metric_crs(*origin)
    to_map = Transformer.from_crs(STORAGE_CRS, crs, always_xy=True)
    home = np.array(to_map.transform(*origin))
    routes = [_to(to_map, place.route) if place.route is not None else None for place in places]
    points = [home[None], *(np.array([to_map.transform(*place.lonlat)]) for place in places),
              *(shapely.get_coordinates(route) for route in routes if route is not None)]
    width_in, height_in = size_cm[0] / 2.54, size_cm[1] / 2.54
    extent = _extent(np.vstack(points), width_in / height_in)
    with map_style():
        figure = Figure(figsize=(width_in, height_in))
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor(INK)
        _streets(ax, streets, None if streets_crs is None else CRS(streets_crs), crs, extent)
        for index, (place, route) in enumerate(zip(places, routes)):
            if route is not None and not route.is_empty:
                xy = shapely.get_coordinates(route)
                ax.plot(xy[:, 0], xy[:, 1], color=ROUTE_COLOURS[index % len(ROUTE_COLOURS)], linewidth=2.6,
                        linestyle=ROUTE_DASHES[index % len(ROUTE_DASHES)], zorder=4 + 0.01 * index,
                        solid_capstyle="round", path_effects=[patheffects.withStroke(linewidth=4, foreground="white")])
        for place in places:
            x, y = to_map.transform(*place.lonlat)
            ax.scatter([x], [y], s=110, marker=RESOURCE_MARKERS.get(place.kind, "o"),
                       c=RESOURCE_COLOURS.get(place.kind, "#666666"), edgecolors=INK, linewidths=0.9, zorder=8)
            ax.text(x + (extent[2] - extent[0]) * 0.012, y, str(place.rank), ha="left", va="center", color=INK,
                    fontproperties=font(13), zorder=9, path_effects=_HALO, parse_math=False)
        ax.scatter([home[0]], [home[1]], s=420, marker="*", c="#000000", edgecolors="white", linewidths=1.2, zorder=10)
        ax.text(home[0], home[1] - (extent[3] - extent[1]) * 0.035, t("coord_from", lang), ha="center", va="top",
                fontproperties=font(12), color=INK, zorder=10, path_effects=_HALO, parse_math=False)
        _scale_bar(ax, extent, lang)
        _north(ax, extent, lang)
        buffer = io.BytesIO()
        FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None})
    return buffer.getvalue()

