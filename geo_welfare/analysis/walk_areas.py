"""Walking areas on the grid: the land within reach of all places together, and of each place alone.

Both are :class:`~geo_welfare.analysis.walk_grid.WalkGrid` answers.  The combined area takes one
Dijkstra run from every place (:func:`~geo_welfare.analysis.coverage.walk_from_resources`) and one
grid for the city; each place's own area takes a search bounded by the longest limit
(:class:`~geo_welfare.network.bounded.BoundedWalks`) and a grid just around it, so the work for
one place grows with the streets it reaches, not with the city.  Every limit asked of the same
places is answered from the same grids.

A place's steps run compiled: the street points it reaches
(:func:`~geo_welfare.analysis.walk_kernels.reached_points`), then its grid read from the cells each
home walks out to, which the network finds once (:mod:`geo_welfare.analysis.street_cells`): for a
city's 348 places the per-place stamping and the NumPy steps between them cost 1.6 s of CPU, now
about 0.2 s.  The network
keeps each place's grid by where the place stands (:func:`kept_resource_grids`), so the server's
warm-up, another study of the same places or an import of other places does not draw it again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import shapely

from geo_welfare.analysis.coverage import walk_from_resources
from geo_welfare.analysis.street_cells import grid_of_points, street_cells
from geo_welfare.analysis.walk_grid import WalkGrid, grid_of_samples, reached_street_points
from geo_welfare.analysis.walk_kernels import reached_points
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
    reached, walk = reached_street_points(network, walk_from_resources(network, resources), limit, resources)
    return grid_of_points(street_cells(network), reached, walk)  # walk_grid's grid (nearest street)


class _EdgeIndex:
    """Which edges meet each node, and where each edge's street points begin: built once per network."""

    def __init__(self, network: WalkingNetwork) -> None:
        ends = np.concatenate([network.edge_u, network.edge_v])
        edges = np.tile(np.arange(network.edge_count), 2)
        order = np.argsort(ends, kind="stable")
        self.node_edges = edges[order]
        self.node_ptr = np.searchsorted(ends[order], np.arange(network.node_count + 1))
        self.point_ptr = np.searchsorted(network.street_points.edge, np.arange(network.edge_count + 1))


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
    index = network.derived("walk_areas.edge_index", _EdgeIndex)
    points = network.street_points
    node_walk = np.full(network.node_count, np.inf)
    edge_seen = np.zeros(network.edge_count, dtype=np.bool_)
    along = np.ascontiguousarray(points.along, dtype=np.float64)
    cells = street_cells(network)
    grids = []
    for i in range(len(resources)):
        nodes, node_walks = walks.from_resource(resources, i, limit)
        reached, walk = reached_points(
            np.asarray(nodes, dtype=np.int64), np.asarray(node_walks, dtype=np.float64), index.node_ptr,
            index.node_edges, index.point_ptr, network.edge_u, network.edge_v, network.edge_length, along,
            int(resources.edge[i]), float(resources.offset[i]), float(resources.along[i]), float(limit), node_walk,
            edge_seen)
        grids.append(grid_of_points(cells, reached, walk))
        if progress is not None:
            progress(i + 1, len(resources))
    return grids


#: Places whose own grids a network keeps (:func:`kept_resource_grids`); a city's grid is some 90 kB.
KEPT_PLACE_GRIDS = 2000


class _PlaceGrids:
    """Each place's own grid by where it stands on the streets, kept with the network (least recently used out).

    A place's walking area depends on the streets and on where the place stands, not on the store's
    other contents nor on the question: it survives an import of other places, and serves every
    study (kinds, ward, audience) that holds the place.
    """

    def __init__(self) -> None:
        self.grids: OrderedDict[tuple[int, float, float], tuple[float, WalkGrid]] = OrderedDict()
        self.lock = threading.Lock()


def kept_resource_grids(network: WalkingNetwork, resources: Snapped, limit: float) -> list[WalkGrid]:
    """:func:`resource_grids`, reusing the grids the network keeps for places standing where these do.

    A kept grid built for at least ``limit`` answers (a grid answers every shorter walk); the others
    are built now, together, and kept (up to :data:`KEPT_PLACE_GRIDS` places per network).  The
    parameters are :func:`resource_grids`'s; each grid is the one it builds for that place (for
    ``limit`` or a longer walk), in the order of ``resources``.
    """
    kept = network.derived("walk_areas.place_grids", lambda _network: _PlaceGrids())
    keys = [(int(edge), float(along), float(offset))
            for edge, along, offset in zip(resources.edge, resources.along, resources.offset)]
    with kept.lock:
        found = [kept.grids.get(key) for key in keys]
    missing = [i for i, entry in enumerate(found) if entry is None or entry[0] < limit]
    if missing:
        chosen = np.asarray(missing, dtype=np.int64)
        built = resource_grids(network, Snapped(resources.edge[chosen], resources.along[chosen],
                                                resources.offset[chosen]), limit)
        for i, grid in zip(missing, built):
            found[i] = (float(limit), grid)
    with kept.lock:
        for key, entry in zip(keys, found):
            kept.grids[key] = entry
            kept.grids.move_to_end(key)
        while len(kept.grids) > KEPT_PLACE_GRIDS:
            kept.grids.popitem(last=False)
    return [entry[1] for entry in found]


def resource_lands(network: WalkingNetwork, resources: Snapped, limits: Sequence[float],
                   progress: Callable[[int, int], None] | None = None) -> dict[float, list[shapely.Geometry]]:
    """Each place's own land within each of ``limits`` metres (holes under a block filled).

    The parameters are :func:`resource_grids`'s, with several limits (metres) for its one; the answer
    maps each limit to one Polygon or MultiPolygon per place, in order, in the network's CRS.
    """
    grids = resource_grids(network, resources, max(limits), progress)
    return {float(limit): [grid.land(limit) for grid in grids] for limit in limits}
