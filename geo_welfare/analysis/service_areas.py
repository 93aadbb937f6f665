"""Service areas: the land within N minutes' walk of a place, built from the streets actually reached.

A circle of 1 km around a salon crosses the river; the walk does not.  Here the area is the
reached parts of streets (whole edges where the walk gets all the way along, the reachable end of
an edge where it runs out half-way, and the stretch of the place's own street walked directly),
widened by :data:`BUFFER_METRES` on each side: homes stand beside the street they walk out on.
A home further than that from any reached street is outside, even when a circle would hold it;
the middle of a block ringed by reached streets (a hole under :data:`BLOCK_M2`) is inside.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from geo_welfare.analysis.coverage import walk_from_places
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped

#: Metres either side of a reached street counted as within reach (a home's way out to its street).
BUFFER_METRES = 50.0
#: Segments per quarter circle in the buffer's round ends (GEOS default).
QUAD_SEGMENTS = 8
#: Holes in the reached land smaller than this (m²) are filled: a block ringed by reached streets is
#: within reach even where its middle is more than the buffer from every street.
BLOCK_M2 = 50_000.0


def without_block_holes(area: shapely.Geometry, block_m2: float = BLOCK_M2) -> shapely.Geometry:
    """``area`` with the holes smaller than ``block_m2`` filled (the middles of reached blocks)."""
    parts = getattr(area, "geoms", [area])
    filled = [shapely.Polygon(part.exterior, [ring for ring in part.interiors
                                              if shapely.Polygon(ring).area >= block_m2])
              for part in parts if not part.is_empty]
    return shapely.union_all(filled) if filled else shapely.Polygon()


def reached_streets(network: WalkingNetwork, node_walk: np.ndarray, limit: float,
                    places: Snapped | None = None) -> list[shapely.LineString]:
    """The parts of streets within ``limit`` metres of walking, given each node's walk from the places.

    ``places`` adds the stretch of each place's own street walked without passing a node.
    """
    length = network.edge_length
    from_u = limit - node_walk[network.edge_u]  # metres left on arrival at each end
    from_v = limit - node_walk[network.edge_v]
    whole = (from_u >= length) | (from_v >= length) | ((from_u > 0) & (from_v > 0) & (from_u + from_v >= length))
    pieces = list(network.edge_geometry[whole])
    geometry = network.edge_geometry
    pieces += [substring(geometry[e], 0.0, from_u[e]) for e in np.flatnonzero(~whole & (from_u > 0))]
    pieces += [substring(geometry[e], length[e] - from_v[e], length[e]) for e in np.flatnonzero(~whole & (from_v > 0))]
    if places is not None:
        left = limit - places.offset
        for edge, along, metres in zip(places.edge[left > 0], places.along[left > 0], left[left > 0]):
            pieces.append(substring(geometry[edge], max(0.0, along - metres), min(length[edge], along + metres)))
    return [piece for piece in pieces if piece.length > 0]


def _area(pieces: list[shapely.LineString], buffer_metres: float) -> shapely.Geometry:
    if not pieces:
        return shapely.Polygon()
    return without_block_holes(shapely.buffer(shapely.MultiLineString(pieces), buffer_metres,
                                              quad_segs=QUAD_SEGMENTS))


def combined_service_area(network: WalkingNetwork, places: Snapped, limit: float,
                          buffer_metres: float = BUFFER_METRES) -> shapely.Geometry:
    """The land within ``limit`` metres' walk of any of ``places`` (network CRS)."""
    if len(places) == 0:
        return shapely.Polygon()
    return _area(reached_streets(network, walk_from_places(network, places), limit, places), buffer_metres)


def service_areas(network: WalkingNetwork, places: Snapped, limit: float,
                  buffer_metres: float = BUFFER_METRES) -> list[shapely.Geometry]:
    """One area per place: the land within ``limit`` metres' walk of it (network CRS)."""
    areas = []
    for i in range(len(places)):
        edge = places.edge[i]
        ends = [network.edge_u[edge], network.edge_v[edge]]
        leave = [places.offset[i] + places.along[i], places.offset[i] + network.edge_length[edge] - places.along[i]]
        walks = dijkstra(network.adjacency, directed=False, indices=ends, limit=float(limit))
        node_walk = np.minimum(walks[0] + leave[0], walks[1] + leave[1])
        one = Snapped(places.edge[i:i + 1], places.along[i:i + 1], places.offset[i:i + 1])
        areas.append(_area(reached_streets(network, node_walk, limit, one), buffer_metres))
    return areas
