"""Hazard zones and shelters on the printed district map (``map district --hazards flood|landslide``).

A 座談会 on 「ハザード区域内に住む要支援者」 needs the zones on the same sheet as the places: each zone class
filled in the colours of the web map (:mod:`geo_welfare.maps.hazard_style`, those of the municipal ハザードマップ)
and, so that a black-and-white copy still tells flood from landslide, hatched by hazard (flood ``---``,
landslide ``xxx``); the shelters open for the hazards shown as green squares.  Drawn over the 高齢化率
shading and under the walking reach, each class named in the legend once, in depth order.
"""

from __future__ import annotations

import geopandas as gpd
import shapely
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from geo_welfare.core.words import t
from geo_welfare.layers.hazards import class_label, hazard_label
from geo_welfare.maps.hazard_style import SHELTER_COLOUR, ZONE_EDGE, hazard_colour

#: How each hazard is hatched in print, over its colour.
HATCHES = {"flood": "---", "landslide": "xxx"}
#: The fill's opacity: the shading and the streets stay readable through it.
ZONE_ALPHA = 0.55

Extent = tuple[float, float, float, float]
Entries = list[tuple[object, str]]


def _class_order(hazard: str, zone_class: str) -> tuple[float, str]:
    return (float(str(zone_class).partition("-")[0]) if hazard == "flood" else 0.0, str(zone_class))


def draw_hazards(ax, zones: gpd.GeoDataFrame | None, shelters: gpd.GeoDataFrame | None, crs, extent: Extent,
                 s: float, lang: str) -> Entries:
    """Draw the zones meeting the map's frame (in ``crs``), then the shelters open for their hazards.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame or None
        Stored hazard zones (``hazard``, ``scenario``, ``zone_class``, ``phenomenon``), of the hazards asked for.
    shelters : geopandas.GeoDataFrame or None
        Stored shelters (``hazards``: the ids of the hazards each is open for).
    crs, extent
        The map's CRS and frame (xmin, ymin, xmax, ymax).
    s : float
        The page's scale of line widths and symbols.
    """
    if zones is None or not len(zones):
        return []
    frame = shapely.box(*extent)
    zones = zones.to_crs(crs)
    zones = zones[zones.intersects(frame)]
    entries: Entries = []
    for hazard in ("flood", "landslide"):
        mine = zones[zones["hazard"] == hazard]
        if not len(mine):
            continue
        scenarios = set(mine["scenario"].dropna())
        entries.append((Patch(visible=False), hazard_label(hazard, next(iter(scenarios)) if len(scenarios) == 1
                                                              else None, lang)))
        classes = sorted({(row.zone_class, row.phenomenon) for row in mine.itertuples()},
                         key=lambda c: _class_order(hazard, c[0]))
        for zone_class, phenomenon in classes:
            chosen = mine[(mine["zone_class"] == zone_class) & (mine["phenomenon"].fillna("") == (phenomenon or ""))]
            style = {"facecolor": hazard_colour(hazard, zone_class), "edgecolor": ZONE_EDGE, "hatch": HATCHES[hazard]}
            chosen.plot(ax=ax, alpha=ZONE_ALPHA, linewidth=0.4 * s, zorder=2.5, **style)
            entries.append((Patch(alpha=ZONE_ALPHA, linewidth=0.4, **style),
                            class_label(hazard, zone_class, phenomenon, lang)))
    entries += _draw_shelters(ax, shelters, set(zones["hazard"]), crs, frame, s, lang)
    return entries


def _draw_shelters(ax, shelters: gpd.GeoDataFrame | None, hazards: set[str], crs, frame, s: float,
                   lang: str) -> Entries:
    """The shelters open for any of ``hazards`` inside the frame, as green squares."""
    if shelters is None or not len(shelters) or not hazards:
        return []
    open_for = shelters["hazards"].fillna("").map(lambda text: bool(hazards & set(str(text).split(","))))
    shown = shelters[open_for.to_numpy()].to_crs(crs)
    shown = shown[shown.intersects(frame)]
    if not len(shown):
        return []
    ax.scatter(shown.geometry.x, shown.geometry.y, s=(6.0 * s) ** 2, marker="s", c=SHELTER_COLOUR,
               edgecolors="white", linewidths=0.8 * s, zorder=8)
    return [(Line2D([], [], marker="s", linestyle="none", markersize=7, markerfacecolor=SHELTER_COLOUR,
                    markeredgecolor="white"), t("print_shelters_open", lang))]
