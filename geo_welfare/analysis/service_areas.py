"""Service areas: the land within N minutes' walk of a place, built from the streets actually reached.

Two drawings of the same land live here.  The product draws it on a 10 m grid
(:mod:`geo_welfare.analysis.walk_grid`, through :func:`land_grid` and :func:`land_within`): for a
whole city in a second.  The functions that buffer the reached streets with GEOS
(:func:`combined_service_area`, :func:`service_areas`) are the exact reference the grid is tested
and benchmarked against (``benchmarks/polygons.py``); on Sapporo they take minutes.

A circle of 1 km around a salon crosses the river; the walk does not.  Here the area is the
reached parts of streets (whole edges where the walk gets all the way along, the reachable end of
an edge where it runs out half-way, and the stretch of the place's own street walked directly),
widened by :data:`BUFFER_METRES` on each side: homes stand beside the street they walk out on.
A home further than that from any reached street is outside, even when a circle would hold it;
the middle of a block ringed by reached streets (a hole under :data:`BLOCK_M2`) is inside.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from geo_welfare.analysis.coverage import walk_from_resources
from geo_welfare.analysis.walk_areas import combined_grid
from geo_welfare.analysis.walk_grid import BLOCK_M2, BUFFER_METRES, WalkGrid
from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.crs import metric_crs_for_bounds
from geo_welfare.core.walking import DEFAULT_WALKING_SPEED_KMH, walk_metres
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped, snap_points

#: Segments per quarter circle in the buffer's round ends (GEOS default).
QUAD_SEGMENTS = 8


def without_block_holes(area: shapely.Geometry, block_m2: float = BLOCK_M2) -> shapely.Geometry:
    """``area`` with its small holes filled: the middle of a block ringed by reached streets is in reach.

    Parameters
    ----------
    area : shapely.Geometry
        Polygon or MultiPolygon in a metric CRS.
    block_m2 : float, default 50000
        Holes smaller than this (m²) are filled; larger ones (a park, a river bend) stay.

    Returns
    -------
    shapely.Geometry
        The filled area (an empty Polygon when ``area`` is empty).
    """
    parts = getattr(area, "geoms", [area])
    filled = [shapely.Polygon(part.exterior, [ring for ring in part.interiors
                                              if shapely.Polygon(ring).area >= block_m2])
              for part in parts if not part.is_empty]
    return shapely.union_all(filled) if filled else shapely.Polygon()


def reached_streets(network: WalkingNetwork, node_walk: np.ndarray, limit: float,
                    resources: Snapped | None = None) -> list[shapely.LineString]:
    """The parts of streets within ``limit`` metres of walking, given each node's walk from the places.

    An edge is whole when the walk gets all the way along it (from either end, or from both ends
    meeting); otherwise the stretch reached from each end is cut out of it.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    node_walk : numpy.ndarray
        Walk from the places to each node, shape (n_nodes,), metres (``inf`` where unreached),
        e.g. :func:`~geo_welfare.analysis.coverage.walk_from_places`.
    limit : float
        Longest walk, metres.
    places : Snapped, optional
        Adds the stretch of each place's own street walked without passing a node.

    Returns
    -------
    list of shapely.LineString
        The reached pieces in the network's CRS (none of zero length).
    """
    length = network.edge_length
    from_u = limit - node_walk[network.edge_u]  # metres left on arrival at each end
    from_v = limit - node_walk[network.edge_v]
    whole = (from_u >= length) | (from_v >= length) | ((from_u > 0) & (from_v > 0) & (from_u + from_v >= length))
    pieces = list(network.edge_geometry[whole])
    geometry = network.edge_geometry
    pieces += [substring(geometry[e], 0.0, from_u[e]) for e in np.flatnonzero(~whole & (from_u > 0))]
    pieces += [substring(geometry[e], length[e] - from_v[e], length[e]) for e in np.flatnonzero(~whole & (from_v > 0))]
    if resources is not None:
        left = limit - resources.offset
        for edge, along, metres in zip(resources.edge[left > 0], resources.along[left > 0], left[left > 0]):
            pieces.append(substring(geometry[edge], max(0.0, along - metres), min(length[edge], along + metres)))
    return [piece for piece in pieces if piece.length > 0]


def _area(pieces: list[shapely.LineString], buffer_metres: float) -> shapely.Geometry:
    if not pieces:
        return shapely.Polygon()
    return without_block_holes(shapely.buffer(shapely.MultiLineString(pieces), buffer_metres,
                                              quad_segs=QUAD_SEGMENTS))


def combined_service_area(network: WalkingNetwork, resources: Snapped, limit: float,
                          buffer_metres: float = BUFFER_METRES) -> shapely.Geometry:
    """The land within ``limit`` metres' walk of any of ``places``, as one geometry.

    The reached streets (:func:`reached_streets`) widened by ``buffer_metres`` on each side, with
    the holes of reached blocks filled (:func:`without_block_holes`).

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    places : Snapped
        The places on the network.
    limit : float
        Longest walk, metres.
    buffer_metres : float, default 50
        Metres either side of a reached street counted as in reach (a home's way to its street).

    Returns
    -------
    shapely.Geometry
        Polygon or MultiPolygon in the network's CRS; empty without places.
    """
    if len(resources) == 0:
        return shapely.Polygon()
    return _area(reached_streets(network, walk_from_resources(network, resources), limit, resources), buffer_metres)


def service_areas(network: WalkingNetwork, resources: Snapped, limit: float,
                  buffer_metres: float = BUFFER_METRES) -> list[shapely.Geometry]:
    """One area per place: the land within ``limit`` metres' walk of it.

    Built as :func:`combined_service_area` but with one bounded search per place, so areas of
    neighbouring places overlap.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    places : Snapped
        The places on the network.
    limit : float
        Longest walk, metres.
    buffer_metres : float, default 50
        Metres either side of a reached street counted as in reach.

    Returns
    -------
    list of shapely.Geometry
        One Polygon or MultiPolygon per place, in order, in the network's CRS.
    """
    areas = []
    for i in range(len(resources)):
        edge = resources.edge[i]
        ends = [network.edge_u[edge], network.edge_v[edge]]
        leave = [resources.offset[i] + resources.along[i], resources.offset[i] + network.edge_length[edge] - resources.along[i]]
        walks = dijkstra(network.adjacency, directed=False, indices=ends, limit=float(limit))
        node_walk = np.minimum(walks[0] + leave[0], walks[1] + leave[1])
        one = Snapped(resources.edge[i:i + 1], resources.along[i:i + 1], resources.offset[i:i + 1])
        areas.append(_area(reached_streets(network, node_walk, limit, one), buffer_metres))
    return areas


def land_grid(resources: gpd.GeoDataFrame | gpd.GeoSeries, minutes: float,
              speed_kmh: float = DEFAULT_WALKING_SPEED_KMH, *, network: WalkingNetwork) -> WalkGrid:
    """The grid of walks from the nearest of ``resources``, for every limit up to ``minutes``.

    Parameters
    ----------
    resources : GeoDataFrame or GeoSeries
        Points, in any CRS.
    minutes : float
        The longest walk to be asked of the grid, in minutes.
    speed_kmh : float, default 4.0
        Walking speed, km/h.
    network : WalkingNetwork
        Streets to walk.

    Returns
    -------
    WalkGrid
        In the network's CRS; its :meth:`~geo_welfare.analysis.walk_grid.WalkGrid.land` is the
        land within a limit, :meth:`~geo_welfare.analysis.walk_grid.WalkGrid.outside` what of an
        area lies beyond it.
    """
    projected = resources.geometry.to_crs(network.crs)
    xy = np.column_stack([projected.x, projected.y]) if len(resources) else np.empty((0, 2))
    return combined_grid(network, snap_points(network, xy), walk_metres(minutes, speed_kmh))


def land_within(resources: gpd.GeoDataFrame | gpd.GeoSeries, minutes: float,
                speed_kmh: float = DEFAULT_WALKING_SPEED_KMH, *, network: WalkingNetwork | None = None,
                crs: CRS | str | None = None, quad_segs: int = QUAD_SEGMENTS) -> gpd.GeoSeries:
    """The land within ``minutes``' walk of any of ``places``, as one geometry in a metric CRS.

    The one answer to "what is within N minutes of these places" that the planner's gaps and the
    print map's hatched area both draw, so a map and a table never disagree about who is in reach.

    Parameters
    ----------
    places : GeoDataFrame or GeoSeries
        Points, in any CRS.
    minutes : float
        The walk, in minutes.
    speed_kmh : float, default 4.0
        Walking speed, km/h.
    network : WalkingNetwork, optional
        Streets to walk (the area follows the streets reached, drawn on the grid of
        :func:`land_grid`); without one the area is the union of straight-line circles.
    crs : CRS or str, optional
        The metric CRS of the circles without a network (default: the one fitted to ``places``);
        with a network the result is in the network's CRS.
    quad_segs : int, default 8
        Segments per quarter circle of the straight-line circles (a printed map wants rounder ones).

    Returns
    -------
    GeoSeries
        One geometry (empty when there are no places), with its CRS.
    """
    if network is not None:
        return gpd.GeoSeries([land_grid(resources, minutes, speed_kmh, network=network).land(
            walk_metres(minutes, speed_kmh))], crs=network.crs)
    if len(resources) == 0:
        return gpd.GeoSeries([shapely.Polygon()], crs=crs if crs is not None else resources.crs)
    if crs is None:
        crs = metric_crs_for_bounds(tuple(resources.to_crs(STORAGE_CRS).total_bounds))
    projected = resources.geometry.to_crs(crs)
    xy = np.column_stack([projected.x, projected.y])
    area = shapely.union_all(shapely.buffer(shapely.points(xy), walk_metres(minutes, speed_kmh), quad_segs=quad_segs))
    return gpd.GeoSeries([area], crs=crs)
