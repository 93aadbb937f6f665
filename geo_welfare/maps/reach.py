"""The land within N minutes' walk of the places on the map, drawn as a hatched area.

With a street network the area follows the streets actually walked (a river without a bridge
stops it: :mod:`geo_welfare.analysis.service_areas`), with the middles of blocks ringed by reached
streets filled in; without one it is a circle of the
straight-line distance, and the legend says so.  Computed once for every place in the store, not
per district: a salon just across a district's border serves its residents too.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo_welfare.analysis.service_areas import land_within
from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.walking import DEFAULT_WALKING_SPEED_KMH, walk_metres
from geo_welfare.network.graph import WalkingNetwork

#: Segments per quarter circle of a straight-line reach: rounder than an analysis needs, as it is printed.
PRINT_QUAD_SEGMENTS = 16


@dataclass(frozen=True)
class WalkingReach:
    """The reached land (JGD2011 lon/lat), the minutes and speed, and whether streets were walked."""

    area: gpd.GeoSeries
    minutes: float
    speed_kmh: float
    by_network: bool

    @property
    def metres(self) -> float:
        return walk_metres(self.minutes, self.speed_kmh)


def walking_reach(resources: gpd.GeoDataFrame, minutes: float, *, network: WalkingNetwork | None = None,
                  speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> WalkingReach:
    """The land within ``minutes`` of any of ``places`` (points, lon/lat) at ``speed_kmh``.

    The planner's own answer (:func:`geo_welfare.analysis.service_areas.land_within`), in lon/lat
    for the page, so a printed area and a gaps table agree.
    """
    area = land_within(resources, minutes, speed_kmh, network=network, quad_segs=PRINT_QUAD_SEGMENTS)
    return WalkingReach(area.to_crs(STORAGE_CRS), minutes, speed_kmh, network is not None)
