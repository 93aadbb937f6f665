"""What the map frame shows, bottom to top, each with its legend entry.

Neighbours greyed, the district's white ground, 高齢化率 shading of its small areas, the walking
reach, rivers, streets, railways, the district's outline, then the resources as symbols of their
kind.  Each layer is drawn only where there is something to draw, and only then named in the
legend, so a map without a street file has no "streets" entry.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from geo_welfare.core.glossary import RESOURCE_KINDS, label
from geo_welfare.maps.background import Background
from geo_welfare.maps.content import DistrictContent
from geo_welfare.maps.hazard_layer import draw_hazards
from geo_welfare.maps.palette import (INK, MAJOR_STREET, NEIGHBOUR_EDGE, NEIGHBOUR_FILL, REACH, STREET, WATER_EDGE,
                                      WATER_FILL)
from geo_welfare.maps.reach import WalkingReach
from geo_welfare.maps.style import AGING_CLASSES, RESOURCE_COLOURS, RESOURCE_MARKERS
from geo_welfare.core.words import t

MAJOR_HIGHWAYS = {"primary", "secondary", "tertiary", "trunk", "primary_link", "secondary_link", "tertiary_link"}

Extent = tuple[float, float, float, float]
#: Legend entries of one layer: (handle, label) pairs, in the order the legend lists them.
Entries = list[tuple[object, str]]


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
    """The legend's words for each aging-rate class: under the second bound, between two, the last and over."""
    bounds = [lower for lower, _ in AGING_CLASSES]
    labels = []
    for i, lower in enumerate(bounds):
        if i == 0:
            labels.append(t("aging_under", lang, bound=bounds[1]))
        elif i == len(bounds) - 1:
            labels.append(t("aging_over", lang, bound=lower))
        else:
            labels.append(t("aging_between", lang, low=lower, high=bounds[i + 1]))
    return labels


def _draw_neighbours(ax, content: DistrictContent, extent: Extent, s: float, lang: str) -> Entries:
    """The neighbouring districts in grey, then the district's own white ground over them."""
    entries: Entries = []
    neighbours = content.neighbours[content.neighbours.intersects(shapely.box(*extent))]
    if _plot(neighbours, ax, facecolor=NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE, linewidth=0.6 * s, zorder=1):
        entries.append((Patch(facecolor=NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE, linewidth=0.6),
                        t("neighbours", lang)))
    gpd.GeoSeries([content.outline], crs=content.crs).plot(ax=ax, facecolor="white", edgecolor="none", zorder=1.5)
    return entries


def _draw_shading(ax, small: gpd.GeoDataFrame | None, s: float, lang: str) -> Entries:
    """Small areas by 高齢化率 class; those without a known rate hatched white."""
    if small is None or not len(small) or not small["aging_rate"].notna().any():
        return []
    colours = small["aging_rate"].map(_aging_colour)
    known = colours.notna()
    small[known].plot(ax=ax, color=list(colours[known]), edgecolor="#c8b98a", linewidth=0.3 * s, zorder=2)
    _plot(small[~known], ax, facecolor="white", edgecolor="#c8b98a", hatch="...", linewidth=0.3 * s, zorder=2)
    entries: Entries = [(Patch(visible=False), t("aging", lang))]
    for (_, fill), text in zip(AGING_CLASSES, _aging_labels(lang)):
        entries.append((Patch(facecolor=fill, edgecolor="#c8b98a", linewidth=0.4), text))
    if (~known).any():  # the stippled areas drawn above: what they mean, in the legend's own pattern
        entries.append((Patch(facecolor="white", edgecolor="#c8b98a", hatch="...", linewidth=0.4),
                        t("aging_no_data", lang)))
    return entries


def _draw_reach(ax, content: DistrictContent, reach: WalkingReach | None, s: float, lang: str) -> Entries:
    """The walking reach of the places, hatched, inside this district only (its residents).

    The land is asked for near the district only (:meth:`WalkingReach.area_near`), exact inside it.
    """
    if reach is None:
        return []
    area = reach.area_near(content.bounds, content.crs).to_crs(content.crs).intersection(content.outline)
    area = area[~area.is_empty]
    if not _plot(area, ax, facecolor="none", edgecolor=REACH, hatch="///", linewidth=0.0, zorder=3):
        return []
    _plot(area, ax, facecolor="none", edgecolor=REACH, linewidth=0.8 * s, zorder=3.1)
    return [(Patch(facecolor="none", edgecolor=REACH, hatch="///", linewidth=0.8),
             t("reach_network" if reach.by_network else "reach_straight", lang,
                  minutes=f"{reach.minutes:g}", speed=reach.speed_kmh, metres=reach.metres))]


def _draw_water(ax, background: Background, crs, extent: Extent, s: float, lang: str) -> Entries:
    water = background.clipped("water", crs, extent)
    if water is None:
        return []
    polygons = water[water.geom_type.isin(["Polygon", "MultiPolygon"])]
    lines = water[~water.geom_type.isin(["Polygon", "MultiPolygon"])]
    _plot(polygons, ax, facecolor=WATER_FILL, edgecolor=WATER_EDGE, linewidth=0.5 * s, zorder=4)
    _plot(lines, ax, color=WATER_EDGE, linewidth=1.4 * s, zorder=4)
    return [(Patch(facecolor=WATER_FILL, edgecolor=WATER_EDGE, linewidth=0.5), t("water", lang))]


def _draw_streets(ax, background: Background, crs, extent: Extent, s: float, lang: str) -> Entries:
    streets = background.clipped("streets", crs, extent)
    if streets is None:
        return []
    major = streets["highway"].isin(MAJOR_HIGHWAYS) if "highway" in streets else np.zeros(len(streets), bool)
    _plot(streets[~major], ax, color=STREET, linewidth=0.5 * s, zorder=5)
    _plot(streets[major], ax, color=MAJOR_STREET, linewidth=1.0 * s, zorder=5)
    return [(Line2D([], [], color=MAJOR_STREET, linewidth=1.0), t("streets", lang))]


def _draw_railway(ax, background: Background, crs, extent: Extent, s: float, lang: str) -> Entries:
    """Railways as the classic black line with white dashes inside."""
    railway = background.clipped("railway", crs, extent)
    if railway is None:
        return []
    _plot(railway, ax, color=INK, linewidth=2.4 * s, zorder=6)
    _plot(railway, ax, color="white", linewidth=1.4 * s, linestyle=(0, (4, 4)), zorder=6.1)
    return [((Line2D([], [], color=INK, linewidth=2.4), Line2D([], [], color="white", linewidth=1.4,
                                                               linestyle=(0, (3, 3)))), t("railway", lang))]


def draw_layers(ax, content: DistrictContent, background: Background, reach: WalkingReach | None,
                extent: Extent, s: float, lang: str) -> tuple[list, list[str]]:
    """Everything under the symbols; returns legend (handles, labels) in drawing order."""
    entries = (_draw_neighbours(ax, content, extent, s, lang) + _draw_shading(ax, content.small_areas, s, lang)
               + draw_hazards(ax, background.hazards, background.shelters, content.crs, extent, s, lang)
               + _draw_reach(ax, content, reach, s, lang))
    for draw in (_draw_water, _draw_streets, _draw_railway):
        entries += draw(ax, background, content.crs, extent, s, lang)
    gpd.GeoSeries([content.outline], crs=content.crs).plot(ax=ax, facecolor="none", edgecolor=INK,
                                                           linewidth=2.2 * s, zorder=7)
    entries.insert(0, (Patch(facecolor="white", edgecolor=INK, linewidth=2.0), t("map_district", lang)))
    return [handle for handle, _ in entries], [text for _, text in entries]


def draw_symbols(ax, resources: gpd.GeoDataFrame, s: float) -> list[str]:
    """The resources as symbols of their kind (colour and marker); returns the kinds in drawing order."""
    kinds = list(dict.fromkeys(resources["kind"]))
    for kind in kinds:
        chosen = (resources["kind"] == kind).to_numpy()
        ax.scatter(resources.geometry.x[chosen], resources.geometry.y[chosen], s=(8.4 * s) ** 2 / 1.6,
                   marker=RESOURCE_MARKERS.get(kind, "o"), c=RESOURCE_COLOURS.get(kind, "#666666"),
                   edgecolors=INK, linewidths=0.7 * s, zorder=9)
    return kinds


def kind_legend(kinds: list[str], s: float, lang: str) -> tuple[list, list[str]]:
    """Legend (handles, labels) of the resource kinds, one symbol each."""
    handles = [Line2D([], [], marker=RESOURCE_MARKERS.get(kind, "o"), color=RESOURCE_COLOURS.get(kind, "#666666"),
                      markeredgecolor=INK, markeredgewidth=0.6, linestyle="none", markersize=7) for kind in kinds]
    return handles, [label(RESOURCE_KINDS, kind, lang) for kind in kinds]
