"""The land within walking reach as a grid: every 10 m cell knows the shortest walk that passes near it.

A walking area is the reached streets widened by :data:`BUFFER_METRES` either side, with the middles
of ringed blocks filled (:mod:`geo_welfare.analysis.service_areas` draws it with GEOS from the street
pieces).  For a city that drawing is the slow part: buffering and merging 50,000 street pieces took
eight minutes and 6 GB for Sapporo.  Here the same land is computed on a grid instead:

1. each street is sampled every half cell, each sample carrying the walk to it from the nearest
   place (from the walk to the street's two ends, or along the place's own street);
2. each cell takes the shortest walk among the samples in it, then the shortest among the cells
   within the buffer's radius (a minimum filter whose footprint is the grid's disc, built from a few
   rectangles so that each pass is a separable running minimum);
3. for a limit, the cells whose walk is within it are the land; holes under :data:`BLOCK_M2` are
   filled (the middle of a block ringed by reached streets is in reach);
4. the cells become polygons by marching squares (contourpy), whose boundary runs half-way between
   a reached cell's centre and the next one's.

One grid answers every limit (10, 15 and 20 minutes are three comparisons), and a window of it gives
exactly the polygons of the whole grid inside that window, so gaps are cut district by district
from small pieces.  The grid's cells are aligned to multiples of :data:`CELL_METRES` in the plane
rectangular coordinates, so two grids over overlapping streets (a ward and its city) agree cell for
cell.  The price is the cell: a boundary is placed to within about half a cell (5 m) of the GEOS
drawing (``benchmarks/polygons.py`` compares the two on the whole of Sapporo).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from geo_welfare.analysis.walk_contours import contour_cells, polygon_parts
from geo_welfare.network.compiled import njit
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped

#: Side of a grid cell, metres.
CELL_METRES = 10.0
#: Metres either side of a reached street counted as within reach (a home's way out to its street).
BUFFER_METRES = 50.0
#: Holes in the reached land smaller than this (m²) are filled: a block ringed by reached streets is
#: within reach even where its middle is more than the buffer from every street.
BLOCK_M2 = 50_000.0
#: The grid holds walks in whole metres (rounded up), as 16-bit integers: half the memory of floats and
#: twice the speed of the running minima; this value means "nothing within reach".
UNREACHED = np.iinfo(np.uint16).max


def whole_metres(walk: np.ndarray) -> np.ndarray:
    """Walks rounded up to whole metres as 16-bit integers (beyond 65 km: :data:`UNREACHED`).

    Rounding up never draws land beyond a limit: a cell counts as within ``limit`` only when
    its walk is within the limit's whole metres.
    """
    return np.minimum(np.ceil(walk), UNREACHED).astype(np.uint16)


def disc_offsets(radius_cells: float) -> tuple[np.ndarray, np.ndarray]:
    """Row and column offsets of the cells whose centre is within ``radius_cells`` of a cell's centre.

    Parameters
    ----------
    radius_cells : float
        Radius in cells (50 m on 10 m cells: 5, which holds 81 cells).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Row offsets and column offsets, int64.
    """
    reach = int(np.floor(radius_cells + 1e-9))
    dy, dx = np.mgrid[-reach:reach + 1, -reach:reach + 1]
    inside = dy ** 2 + dx ** 2 <= radius_cells ** 2 + 1e-9
    return dy[inside].astype(np.int64), dx[inside].astype(np.int64)


def reached_street_points(network: WalkingNetwork, node_walk: np.ndarray, limit: float,
                          resources: Snapped | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The network's street points (:attr:`~geo_welfare.network.graph.WalkingNetwork.street_points`) within ``limit``, with the walk to each.

    The walk to a point ``s`` metres along an edge is the shorter of arriving from either end
    (``node_walk[u] + s``, ``node_walk[v] + length − s``) or, on a place's own street, walking
    straight along it (``offset + |s − along|``).

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    node_walk : numpy.ndarray
        Walk from the places to each node, shape (n_nodes,), metres (``inf`` where unreached).
    limit : float
        Longest walk kept, metres.
    resources : Snapped, optional
        The places, for the stretch of their own street walked without passing a node.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Indices of the street points within reach (increasing) and the walk to each, metres.
    """
    at_u, at_v = node_walk[network.edge_u], node_walk[network.edge_v]
    near = np.minimum(at_u, at_v) <= limit
    if resources is not None and len(resources):
        near[resources.edge[resources.offset <= limit]] = True
    points = network.street_points
    chosen = np.flatnonzero(near[points.edge])
    edge, along = points.edge[chosen], points.along[chosen]
    walk = np.minimum(at_u[edge] + along, at_v[edge] + network.edge_length[edge] - along)
    if resources is not None and len(resources):
        starts, ends = np.searchsorted(edge, resources.edge), np.searchsorted(edge, resources.edge + 1)
        for lo, hi, position, offset in zip(starts, ends, resources.along, resources.offset):
            walk[lo:hi] = np.minimum(walk[lo:hi], offset + np.abs(along[lo:hi] - position))
    kept = walk <= limit
    return chosen[kept], walk[kept]


def street_samples(network: WalkingNetwork, node_walk: np.ndarray, limit: float, resources: Snapped | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`reached_street_points` as coordinates: (reached points (n, 2), their walks, every other street point).

    The parameters are :func:`reached_street_points`'s; coordinates are in the network's CRS.
    """
    reached, walk = reached_street_points(network, node_walk, limit, resources)
    others = np.ones(len(network.street_points.edge), dtype=bool)
    others[reached] = False
    return network.street_points.xy[reached], walk, network.street_points.xy[others]


@dataclass
class WalkGrid:
    """The shortest walk near each cell of a grid aligned to multiples of ``cell`` metres.

    ``walk[row, column]`` is the shortest walk (whole metres, rounded up) to any street point within
    ``buffer_metres`` of the cell's centre (:data:`UNREACHED` where none is); row 0 is the
    southernmost.
    Build one with :func:`walk_grid`.

    Attributes
    ----------
    x0, y0 : float
        South-west corner of the grid, metres in the network's CRS (multiples of ``cell``).
    cell : float
        Side of a cell, metres.
    walk : numpy.ndarray
        Shape (rows, columns), uint16 whole metres.
    block_m2 : float
        Holes under this (m²) count as within reach.
    """

    x0: float
    y0: float
    cell: float
    walk: np.ndarray
    block_m2: float = BLOCK_M2
    _lands: dict = field(default_factory=dict, repr=False)
    _parts: dict = field(default_factory=dict, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return self.walk.shape

    def within(self, limit: float) -> np.ndarray:
        """The cells whose walk is within ``limit`` metres (before holes are filled)."""
        return self.walk <= np.floor(min(limit, UNREACHED - 1))

    def land(self, limit: float) -> shapely.Geometry:
        """The land within ``limit`` metres' walk, holes under :attr:`block_m2` filled, kept per limit.

        Parameters
        ----------
        limit : float
            Longest walk, metres.

        Returns
        -------
        shapely.Geometry
            A Polygon or MultiPolygon in the network's CRS (an empty Polygon when nothing is
            within reach).
        """
        key = float(limit)
        if key not in self._lands:
            self._lands[key] = self._contour(float(np.floor(min(limit, UNREACHED - 1))))
        return self._lands[key]

    def _contour(self, level: float) -> shapely.Geometry:
        """Marching squares round the cells within ``level`` (edges half-way between cell centres)."""
        reached = self.walk <= level
        rows, columns = np.flatnonzero(reached.any(axis=1)), np.flatnonzero(reached.any(axis=0))
        if len(rows) == 0:
            return shapely.Polygon()
        rings = contour_cells(reached[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1])
        if rings is None:
            return shapely.Polygon()
        points, ring_offsets, outer_offsets = rings
        # The padded window's cell j is the grid's column ``columns[0] - 1 + j``, whose centre stands at
        # x0 + cell · (columns[0] - 0.5 + j).
        placed = points * self.cell + (self.x0 + self.cell * (columns[0] - 0.5), self.y0 + self.cell * (rows[0] - 0.5))
        polygons = polygon_parts(points, placed, ring_offsets, outer_offsets, self.block_m2 / self.cell ** 2)
        return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(list(polygons))

    def land_parts(self, limit: float) -> tuple[np.ndarray, shapely.STRtree]:
        """The separate polygons of :meth:`land`, and a tree over them (kept per limit)."""
        key = float(limit)
        if key not in self._parts:
            parts = shapely.get_parts(self.land(limit))
            self._parts[key] = (parts, shapely.STRtree(parts))
        return self._parts[key]

    def outside(self, polygons: np.ndarray, limit: float) -> np.ndarray:
        """Each polygon minus the land within ``limit``: what of it lies beyond reach.

        Each polygon is cut only by the land parts that meet it, each first clipped to the
        polygon's box (a linear pass), so a district is never overlaid with the whole city's land.

        Parameters
        ----------
        polygons : numpy.ndarray
            Polygons in the network's CRS.
        limit : float
            Longest walk, metres.

        Returns
        -------
        numpy.ndarray
            One geometry per polygon (possibly empty or a MultiPolygon).
        """
        parts, tree = self.land_parts(limit)
        polygons = np.asarray(polygons, dtype=object)
        which, part = tree.query(polygons)  # by box: an exact test costs more than clipping a part away
        result = polygons.copy()
        for index in np.unique(which):
            clipped = shapely.clip_by_rect(parts[part[which == index]], *polygons[index].bounds)
            clipped = shapely.get_parts(clipped[~shapely.is_empty(clipped)])
            try:
                result[index] = shapely.difference(polygons[index], shapely.multipolygons(clipped))
            except shapely.errors.GEOSException:  # clipping can leave a ring touching another: merge them
                result[index] = shapely.difference(polygons[index], shapely.union_all(shapely.make_valid(clipped)))
        return result


def walk_grid(network: WalkingNetwork, node_walk: np.ndarray, limit: float, resources: Snapped | None = None,
              cell: float = CELL_METRES, buffer_metres: float = BUFFER_METRES, block_m2: float = BLOCK_M2,
              nearest_street: bool = True) -> WalkGrid:
    """The grid of walks near each cell, for every limit up to ``limit``.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    node_walk : numpy.ndarray
        Walk from the places to each node, shape (n_nodes,), metres.
    limit : float
        The longest limit the grid will be asked about, metres (samples beyond it are not kept).
    resources : Snapped, optional
        The places (for the stretch of their own street).
    cell : float, default 10
        Side of a cell, metres.
    buffer_metres : float, default 50
        Metres either side of a reached street within reach.
    block_m2 : float, default 50000
        Holes under this (m²) are within reach.
    nearest_street : bool, default True
        A cell takes the walk of its nearest street (reached or not); False: of the nearest
        reached street within the buffer, which is the land GEOS draws by buffering the reached
        streets (``benchmarks/polygons.py`` checks the grid against it that way).

    Returns
    -------
    WalkGrid
    """
    xy, walk, others = street_samples(network, node_walk, limit, resources)
    return grid_of_samples(xy, walk, others if nearest_street else None, cell, buffer_metres, block_m2)


def grid_of_samples(xy: np.ndarray, walk: np.ndarray, other_streets: np.ndarray | None = None,
                    cell: float = CELL_METRES, buffer_metres: float = BUFFER_METRES, block_m2: float = BLOCK_M2
                    ) -> WalkGrid:
    """The grid of :func:`walk_grid` from the reached street points and the walk to each.

    Each cell takes the walk of its *nearest* street within ``buffer_metres`` (the shortest walk
    among equally near ones), as a home walks out to the street in front of it.  So the land
    does not reach across a railway or a river to the houses of another street, which is not
    reached: ``other_streets`` are the points of every street around (reached or not), and a
    cell nearer to one that is not reached is not within reach, however near a reached one is.

    Parameters
    ----------
    xy, walk : numpy.ndarray
        Reached street points, shape (n, 2), and the walk to each, shape (n,), metres.
    other_streets : numpy.ndarray, optional
        Points of the other streets, shape (m, 2) (those outside the grid are ignored).
    cell, buffer_metres, block_m2 : float
        As :func:`walk_grid`.

    Returns
    -------
    WalkGrid
    """
    if len(walk) == 0:
        return WalkGrid(0.0, 0.0, cell, np.full((1, 1), UNREACHED, dtype=np.uint16), block_m2)
    margin = buffer_metres + 2 * cell
    x0 = float(np.floor((xy[:, 0].min() - margin) / cell) * cell)
    y0 = float(np.floor((xy[:, 1].min() - margin) / cell) * cell)
    columns = int(np.ceil((xy[:, 0].max() + margin - x0) / cell))
    rows = int(np.ceil((xy[:, 1].max() + margin - y0) / cell))
    if other_streets is not None and len(other_streets):
        column, row = (other_streets[:, 0] - x0) // cell, (other_streets[:, 1] - y0) // cell
        inside = (column >= 0) & (column < columns) & (row >= 0) & (row < rows)
        xy = np.vstack([xy, other_streets[inside]])
        walk = np.concatenate([walk, np.full(int(inside.sum()), np.inf)])
    nearest = np.full(rows * columns, UNREACHED, dtype=np.uint16)
    street = np.zeros(rows * columns, dtype=bool)
    cells = ((xy[:, 1] - y0) // cell).astype(np.int64) * columns + ((xy[:, 0] - x0) // cell).astype(np.int64)
    np.minimum.at(nearest, cells, whole_metres(walk))
    street[cells] = True
    # Marching squares draws the land's edge half-way between a cell within reach and the next one,
    # so the disc is half a cell short of the buffer.
    occupied = np.flatnonzero(street)
    offset_row, offset_column = disc_offsets(buffer_metres / cell - 0.5)
    spread = np.full((rows, columns), UNREACHED, dtype=np.uint16)
    nearest_distance = np.full((rows, columns), np.iinfo(np.int64).max, dtype=np.int64)
    _stamp(occupied // columns, occupied % columns, nearest[occupied], offset_row, offset_column,
           offset_row ** 2 + offset_column ** 2, nearest_distance, spread)
    return WalkGrid(x0, y0, cell, spread, block_m2)


@njit
def _stamp(rows, columns, walks, offset_rows, offset_columns, offset_distances, nearest_distance, spread
           ):  # pragma: no cover - compiled
    """Give every cell within the disc round each street cell the walk of its nearest street cell."""
    for i in range(len(rows)):
        for k in range(len(offset_rows)):
            row, column = rows[i] + offset_rows[k], columns[i] + offset_columns[k]
            if row < 0 or column < 0 or row >= spread.shape[0] or column >= spread.shape[1]:
                continue  # a street at the grid's edge
            distance = offset_distances[k]
            if distance < nearest_distance[row, column] or (
                    distance == nearest_distance[row, column] and walks[i] < spread[row, column]):
                nearest_distance[row, column] = distance
                spread[row, column] = walks[i]
