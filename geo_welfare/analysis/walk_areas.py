"""Walking areas on the grid: the land within reach of all places together, and of each place alone.

Both are :class:`~geo_welfare.analysis.walk_grid.WalkGrid` answers.  The combined area takes one
Dijkstra run from every place (:func:`~geo_welfare.analysis.coverage.walk_from_resources`) and one
grid for the city; each place's own area takes a search bounded by the longest limit
(:class:`~geo_welfare.network.bounded.BoundedWalks`) and a grid just around it, so the work for
one place grows with the streets it reaches, not with the city.  Every limit asked of the same
places is answered from the same grids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import shapely

from geo_welfare.analysis.coverage import walk_from_resources
from geo_welfare.analysis.walk_grid import BUFFER_METRES, CELL_METRES, WalkGrid, grid_of_samples, walk_grid
from geo_welfare.network.bounded import BoundedWalks
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped


def combined_grid(network: WalkingNetwork, resources: Snapped, limit: float) -> WalkGrid:
    """The grid of the walk from the nearest of ``resources``, for every limit up to ``limit`` metres.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    resources : Snapped
        The places on the network.
    limit : float
        Longest limit to be asked, metres.

    Returns
    -------
    WalkGrid
    """
    if len(resources) == 0:
        return grid_of_samples(np.empty((0, 2)), np.empty(0))
    return walk_grid(network, walk_from_resources(network, resources), limit, resources)


#: Side of the tiles the street points are sorted by, for finding the streets around a place (metres).
TILE_METRES = 500.0


class _EdgeIndex:
    """Which edges meet each node, and where each edge's street points begin: built once per call."""

    def __init__(self, network: WalkingNetwork) -> None:
        ends = np.concatenate([network.edge_u, network.edge_v])
        edges = np.tile(np.arange(network.edge_count), 2)
        order = np.argsort(ends, kind="stable")
        self.node_edges = edges[order]
        self.node_ptr = np.searchsorted(ends[order], np.arange(network.node_count + 1))
        self.point_ptr = np.searchsorted(network.street_points.edge, np.arange(network.edge_count + 1))
        xy = network.street_points.xy
        self.origin = xy.min(axis=0)
        tile = np.floor((xy - self.origin) / TILE_METRES).astype(np.int64)
        self.tiles_x, self.tiles_y = int(tile[:, 0].max()) + 1, int(tile[:, 1].max()) + 1
        key = tile[:, 1] * self.tiles_x + tile[:, 0]  # row-major: a row of tiles is one slice
        order = np.argsort(key, kind="stable")
        self.tiles_xy = xy[order]
        self.tile_ptr = np.searchsorted(key[order], np.arange(self.tiles_x * self.tiles_y + 1))

    def streets_around(self, xy: np.ndarray, margin: float) -> np.ndarray:
        """Street points within the box of ``xy`` widened by ``margin`` metres, read tile row by tile row."""
        (xmin, ymin), (xmax, ymax) = xy.min(axis=0) - margin, xy.max(axis=0) + margin
        tx0, ty0 = np.floor((np.array([xmin, ymin]) - self.origin) / TILE_METRES).astype(np.int64)
        tx1, ty1 = np.floor((np.array([xmax, ymax]) - self.origin) / TILE_METRES).astype(np.int64)
        tx0, tx1 = max(tx0, 0), min(tx1, self.tiles_x - 1)
        rows = range(max(ty0, 0), min(ty1, self.tiles_y - 1) + 1)
        slices = [self.tiles_xy[self.tile_ptr[row * self.tiles_x + tx0]:self.tile_ptr[row * self.tiles_x + tx1 + 1]]
                  for row in rows if tx0 <= tx1]
        band = np.vstack(slices) if slices else np.empty((0, 2))
        inside = (band[:, 0] >= xmin) & (band[:, 0] <= xmax) & (band[:, 1] >= ymin) & (band[:, 1] <= ymax)
        return band[inside]

    def edges_of(self, nodes: np.ndarray) -> np.ndarray:
        """The edges meeting any of ``nodes``, sorted, each once."""
        return np.unique(self.node_edges[_ranges(self.node_ptr[nodes], self.node_ptr[nodes + 1])])

    def points_of(self, edges: np.ndarray) -> np.ndarray:
        """Indices of the street points of ``edges`` (sorted edges give sorted indices)."""
        return _ranges(self.point_ptr[edges], self.point_ptr[edges + 1])


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """All integers of the ranges [start, end), concatenated."""
    counts = ends - starts
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())


def resource_grids(network: WalkingNetwork, resources: Snapped, limit: float,
                   progress: Callable[[int, int], None] | None = None) -> list[WalkGrid]:
    """One grid per place, around the streets it reaches within ``limit`` metres.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    resources : Snapped
        The places on the network.
    limit : float
        Longest limit to be asked, metres.
    progress : callable, optional
        Called with (places done, places) after each place.

    Returns
    -------
    list of WalkGrid
        In the order of ``resources``.
    """
    walks = BoundedWalks(network)
    index = _EdgeIndex(network)
    points = network.street_points
    node_walk = np.full(network.node_count, np.inf)
    grids = []
    for i in range(len(resources)):
        nodes, node_walks = walks.from_resource(resources, i, limit)
        node_walk[nodes] = node_walks
        edges = np.union1d(index.edges_of(nodes), resources.edge[i:i + 1])
        chosen = index.points_of(edges)
        edge, along = points.edge[chosen], points.along[chosen]
        walk = np.minimum(node_walk[network.edge_u[edge]] + along,
                          node_walk[network.edge_v[edge]] + network.edge_length[edge] - along)
        own = edge == resources.edge[i]
        walk[own] = np.minimum(walk[own], resources.offset[i] + np.abs(along[own] - resources.along[i]))
        kept = walk <= limit
        reached = points.xy[chosen[kept]]
        grids.append(grid_of_samples(reached, walk[kept], index.streets_around(reached, BUFFER_METRES + 2 * CELL_METRES)))
        node_walk[nodes] = np.inf
        if progress is not None:
            progress(i + 1, len(resources))
    return grids


def resource_lands(network: WalkingNetwork, resources: Snapped, limits: Sequence[float],
                   progress: Callable[[int, int], None] | None = None) -> dict[float, list[shapely.Geometry]]:
    """Each place's own land within each of ``limits`` metres (holes under a block filled).

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    resources : Snapped
        The places on the network.
    limits : sequence of float
        Limits, metres.
    progress : callable, optional
        Called with (places done, places).

    Returns
    -------
    dict
        Limit → one Polygon or MultiPolygon per place, in order, in the network's CRS.
    """
    grids = resource_grids(network, resources, max(limits), progress)
    return {float(limit): [grid.land(limit) for grid in grids] for limit in limits}
