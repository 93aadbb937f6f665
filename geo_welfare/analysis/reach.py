"""Who is within reach of which place: the sparse walking-distance table behind capacity and siting.

Two-step floating catchments and covering models ask, for every place and every resident point,
"is the walk at most N metres, and how long is it?".  A dense table of every pair would be mostly
``inf`` (a salon is not 15 minutes from the far side of the city), so only pairs within the
cut-off are kept, as parallel arrays.  Distances are exact on the graph, as in
:func:`geo_welfare.network.distance.walking_distances`: from a place on edge (u, v) the walk
leaves by either end, and two points on the same edge may walk straight along it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped

#: Places per SciPy Dijkstra call: bounds the dense (2 × chunk) × nodes block held at once.
CHUNK = 64


@dataclass(frozen=True)
class Reach:
    """Point–place pairs within the cut-off: ``metres[i]`` is the walk from ``point[i]`` to ``place[i]``."""

    point: np.ndarray
    place: np.ndarray
    metres: np.ndarray
    n_points: int
    n_places: int
    cutoff: float = np.inf  # the table holds every pair up to this walk, and none beyond

    def __len__(self) -> int:
        return len(self.point)

    def within(self, metres: float) -> "Reach":
        """The pairs at most ``metres`` apart (a shorter threshold over the same table)."""
        keep = self.metres <= metres
        return Reach(self.point[keep], self.place[keep], self.metres[keep], self.n_points, self.n_places,
                     min(self.cutoff, metres))

    def dense(self) -> np.ndarray:
        """points × places metres, ``inf`` for pairs beyond the cut-off (small instances and tests only)."""
        table = np.full((self.n_points, self.n_places), np.inf)
        table[self.point, self.place] = self.metres
        return table


def reach_table(network: WalkingNetwork, places: Snapped, points: Snapped, cutoff: float) -> Reach:
    """Every (point, place) pair whose walk is at most ``cutoff`` metres, with its length."""
    point_u, point_v = network.edge_u[points.edge], network.edge_v[points.edge]
    point_from_v = network.edge_length[points.edge] - points.along
    found_point, found_place, found_metres = [], [], []
    for start in range(0, len(places), CHUNK):
        chunk = np.arange(start, min(start + CHUNK, len(places)))
        edge = places.edge[chunk]
        ends = np.concatenate([network.edge_u[edge], network.edge_v[edge]])
        leave = np.concatenate([places.offset[chunk] + places.along[chunk],
                                places.offset[chunk] + network.edge_length[edge] - places.along[chunk]])
        sources, where = np.unique(ends, return_inverse=True)
        # A walk longer than the cut-off minus the way out to the street is of no use.
        reached = dijkstra(network.adjacency, directed=False, indices=sources, limit=float(cutoff))
        by_end = reached[where] + leave[:, None]
        from_place = np.minimum(by_end[: len(chunk)], by_end[len(chunk):])  # chunk × nodes
        metres = np.minimum(from_place[:, point_u] + points.along[None, :],
                            from_place[:, point_v] + point_from_v[None, :]) + points.offset[None, :]
        same_edge = edge[:, None] == points.edge[None, :]
        if same_edge.any():
            rows, columns = np.nonzero(same_edge)
            direct = places.offset[chunk][rows] + np.abs(places.along[chunk][rows] - points.along[columns]) \
                + points.offset[columns]
            metres[rows, columns] = np.minimum(metres[rows, columns], direct)
        rows, columns = np.nonzero(metres <= cutoff)
        found_place.append(chunk[rows])
        found_point.append(columns)
        found_metres.append(metres[rows, columns])
    if not found_point:
        empty = np.empty(0, dtype=np.int64)
        return Reach(empty, empty, np.empty(0), len(points), len(places), float(cutoff))
    point = np.concatenate(found_point).astype(np.int64)
    place = np.concatenate(found_place).astype(np.int64)
    order = np.lexsort((place, point))
    return Reach(point[order], place[order], np.concatenate(found_metres)[order], len(points), len(places),
                 float(cutoff))
