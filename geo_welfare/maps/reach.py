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
import numpy as np
import shapely

from geo_welfare.analysis.service_areas import without_block_holes
from geo_welfare.core.crs import metric_crs_for_bounds
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH, STORAGE_CRS


@dataclass(frozen=True)
class WalkingReach:
    """The reached land (JGD2011 lon/lat), the minutes and speed, and whether streets were walked."""

    area: gpd.GeoSeries
    minutes: float
    speed_kmh: float
    by_network: bool

    @property
    def metres(self) -> float:
        return self.speed_kmh * 1000.0 / 60.0 * self.minutes


def walking_reach(places: gpd.GeoDataFrame, minutes: float, *, network: WalkingNetwork | None = None,
                  speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> WalkingReach:
    """The land within ``minutes`` of any of ``places`` (points, lon/lat) at ``speed_kmh``."""
    metres = speed_kmh * 1000.0 / 60.0 * minutes
    if places.empty:
        nothing = gpd.GeoSeries([shapely.Polygon()], crs=STORAGE_CRS)
        return WalkingReach(nothing, minutes, speed_kmh, network is not None)
    if network is None:
        crs = metric_crs_for_bounds(tuple(places.total_bounds))
        circles = places.to_crs(crs).geometry.buffer(metres, quad_segs=16)
        area = gpd.GeoSeries([shapely.union_all(circles.values)], crs=crs)
        return WalkingReach(area.to_crs(STORAGE_CRS), minutes, speed_kmh, False)
    from geo_welfare.analysis.service_areas import combined_service_area
    from geo_welfare.network.snap import snap_points
    projected = places.to_crs(network.crs)
    snapped = snap_points(network, np.column_stack([projected.geometry.x, projected.geometry.y]))
    area = gpd.GeoSeries([without_block_holes(combined_service_area(network, snapped, metres))], crs=network.crs)
    return WalkingReach(area.to_crs(STORAGE_CRS), minutes, speed_kmh, True)
