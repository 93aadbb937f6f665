"""The land within N minutes' walk of the places on the map, drawn as a hatched area.

With a street network the area follows the streets actually walked (a river without a bridge
stops it: :mod:`geo_welfare.analysis.service_areas`), with the middles of blocks ringed by reached
streets filled in; without one it is a circle of the straight-line distance, and the legend says so.
A salon just across a district's border serves its residents too, so the places counted are not
only the district's own.

A page shows the area inside one district only, so it is computed from the places that can reach
that district, not from every place of the city (:meth:`WalkingReach.area_near`): the same
polygons inside the page at a fraction of the cost.  Why it is the same: a walk of *L* metres
never ends more than *L* metres from its start in a straight line (the walk to the street and
along it are both at least as long as the crow flies), so a place further than *L* plus the street
buffer (and :data:`REACH_SLACK_METRES`) from the page adds no land to it.  The one way a far place
could still matter is through the filled middles of blocks: its land may close a block that
reaches into the page.  The margin kept around the page is therefore checked
(:func:`_open_blocks_near`) and widened until no gap smaller than a block crosses it (at the
widest, every place is walked from).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.crs import metric_crs_for_bounds
from geo_welfare.core.walking import DEFAULT_WALKING_SPEED_KMH, walk_metres

if TYPE_CHECKING:  # the walk (numba, SciPy) is imported when an area is first drawn, not for every map
    from geo_welfare.network.graph import WalkingNetwork

#: Segments per quarter circle of a straight-line reach: rounder than an analysis needs, as it is printed.
PRINT_QUAD_SEGMENTS = 16
#: Metres added around a page's box when it is carried from the map's CRS to the network's (two
#: plane rectangular zones differ by far less over a district; this only keeps the box a cover).
BOX_SLACK_METRES = 5.0

#: Metres a walking area may run past its buffer (a grid's cell and a half where the land is drawn on a
#: 10 m grid); places this much further away are still walked from, so the crop never cuts too close.
REACH_SLACK_METRES = 25.0
#: The first margin (metres) checked around a page for blocks that far places could close; doubled
#: until none is open.  Wide enough for a city block, so one try is the rule.
FIRST_MARGIN_METRES = 200.0

Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class WalkingReach:
    """The places, minutes and speed of a walking reach, and the streets walked (None: straight lines).

    Built once (:func:`walking_reach`) and asked for the land near each page
    (:meth:`area_near`); :attr:`area` is the whole city's, computed from every place at once.
    """

    resources: gpd.GeoDataFrame = field(repr=False)  # points, JGD2011 lon/lat
    minutes: float
    speed_kmh: float
    network: WalkingNetwork | None = field(default=None, repr=False)

    @property
    def by_network(self) -> bool:
        """Whether the area follows the streets (else it is straight-line circles)."""
        return self.network is not None

    @property
    def metres(self) -> float:
        """The walk, in metres."""
        return walk_metres(self.minutes, self.speed_kmh)

    @property
    def crs(self):
        """Where the area is built: the network's CRS, else the zone fitted to every place."""
        if self.network is not None:
            return self.network.crs
        return metric_crs_for_bounds(tuple(self.resources.to_crs(STORAGE_CRS).total_bounds))

    @property
    def area(self) -> gpd.GeoSeries:
        """The land within reach of every place (JGD2011 lon/lat): the whole city's, slow for a city."""
        return self._area(np.ones(len(self.resources), dtype=bool), self.crs) if len(self.resources) else _nothing()

    def area_near(self, bounds: Extent, crs) -> gpd.GeoSeries:
        """The land within reach, exact inside ``bounds`` (metres in ``crs``), in lon/lat.

        Only the places that can reach the box are walked from (see the module's note); outside
        the box the area may lack what farther places add.

        Parameters
        ----------
        bounds : tuple of float
            ``(minx, miny, maxx, maxy)`` of the part that must be exact, e.g. a district's outline.
        crs : pyproj.CRS
            The CRS of ``bounds`` (the page's plane rectangular zone).

        Returns
        -------
        GeoSeries
            One geometry in JGD2011 lon/lat (empty when no place reaches the box).
        """
        if not len(self.resources):
            return _nothing()
        work_crs = self.crs
        box = _box_in(bounds, crs, work_crs)
        xy = _xy(self.resources, work_crs)
        if self.network is None:  # circles: only those reaching the box touch it
            return self._area(_within_box(xy, box, self.metres + REACH_SLACK_METRES), work_crs)
        from geo_welfare.analysis.service_areas import BUFFER_METRES

        margin = FIRST_MARGIN_METRES
        while True:
            keep = _within_box(xy, box, self.metres + BUFFER_METRES + REACH_SLACK_METRES + margin)
            if margin > FIRST_MARGIN_METRES and 2 * keep.sum() >= len(keep):
                keep[:] = True  # most of the places already: one walk from them all costs no more
            area = self._area(keep, work_crs, to_storage=False)
            if keep.all() or not _open_blocks_near(area.iloc[0], box, margin):
                return area.to_crs(STORAGE_CRS)
            margin *= 2

    def _area(self, keep: np.ndarray, crs, *, to_storage: bool = True) -> gpd.GeoSeries:
        """The land within reach of the places ``keep`` selects, as the planner computes it."""
        from geo_welfare.analysis.service_areas import land_within

        area = land_within(self.resources[keep], self.minutes, self.speed_kmh, network=self.network, crs=crs,
                           quad_segs=PRINT_QUAD_SEGMENTS)
        return area.to_crs(STORAGE_CRS) if to_storage else area


def _nothing() -> gpd.GeoSeries:
    """No land (there are no places)."""
    return gpd.GeoSeries([shapely.Polygon()], crs=STORAGE_CRS)


def _xy(resources: gpd.GeoDataFrame, crs) -> np.ndarray:
    projected = resources.geometry.to_crs(crs)
    return np.column_stack([projected.x, projected.y]) if len(projected) else np.zeros((0, 2))


def _box_in(bounds: Extent, crs, target) -> Extent:
    """A box in ``target`` covering the box ``bounds`` of ``crs`` (its edges densified, then slack)."""
    box = shapely.box(*bounds)
    if not crs.equals(target):
        step = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1.0) / 32
        box = gpd.GeoSeries([shapely.segmentize(box, step)], crs=crs).to_crs(target).iloc[0]
    minx, miny, maxx, maxy = box.bounds
    return (minx - BOX_SLACK_METRES, miny - BOX_SLACK_METRES, maxx + BOX_SLACK_METRES, maxy + BOX_SLACK_METRES)


def _within_box(xy: np.ndarray, box: Extent, metres: float) -> np.ndarray:
    """Points no further than ``metres`` from ``box`` along either axis (so every one within that
    distance as the crow flies is kept)."""
    return ((xy[:, 0] >= box[0] - metres) & (xy[:, 0] <= box[2] + metres)
            & (xy[:, 1] >= box[1] - metres) & (xy[:, 1] <= box[3] + metres))


def _open_blocks_near(area: shapely.Geometry, box: Extent, margin: float) -> bool:
    """Whether a gap in ``area`` smaller than a block runs from ``box`` out past ``margin`` around it.

    Land from a place left out lies beyond the margin, so only such a gap could be closed by it
    into a block that the whole city's area fills; gaps inside the margin, and gaps of a block's
    size or more, are the same with every place.
    """
    from geo_welfare.analysis.service_areas import BLOCK_M2

    zone = shapely.box(box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
    gaps = shapely.get_parts(shapely.difference(zone, area))
    if not len(gaps):
        return False
    suspect = (shapely.area(gaps) < BLOCK_M2) & shapely.intersects(gaps, shapely.box(*box))
    return bool((suspect & shapely.intersects(gaps, zone.exterior)).any())


def walking_reach(resources: gpd.GeoDataFrame, minutes: float, *, network: WalkingNetwork | None = None,
                  speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> WalkingReach:
    """The walking reach of ``resources`` (points, lon/lat) for ``minutes`` at ``speed_kmh``.

    Nothing is computed yet: each page asks for the land near it (:meth:`WalkingReach.area_near`),
    the planner's own answer (:func:`geo_welfare.analysis.service_areas.land_within`) from the
    places that can reach the page, so a printed area and a gaps table agree.
    """
    return WalkingReach(resources.to_crs(STORAGE_CRS), minutes, speed_kmh, network)
