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

from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.search import PointReach
from geo_welfare.network.snap import Snapped

@dataclass(frozen=True)
class Reach:
    """Point–place pairs within the cut-off, as parallel arrays: a sparse walking-distance table.

    ``metres[i]`` is the walk from ``point[i]`` to ``place[i]``; pairs further apart than
    ``cutoff`` are not held (a dense table would be mostly ``inf``).

    Attributes
    ----------
    point, place : numpy.ndarray
        Indices of the demand point and the place of each pair, shape (n_pairs,), integers;
        :func:`reach_table` sorts them by point, then place.
    metres : numpy.ndarray
        Walk of each pair, shape (n_pairs,), metres.
    n_points, n_places : int
        How many points and places the indices refer to (some may have no pair).
    cutoff : float, default inf
        The table holds every pair up to this walk (metres), and none beyond.
    """

    point: np.ndarray
    resource: np.ndarray
    metres: np.ndarray
    n_points: int
    n_resources: int
    cutoff: float = np.inf  # the table holds every pair up to this walk, and none beyond

    def __len__(self) -> int:
        return len(self.point)

    def within(self, metres: float) -> "Reach":
        """The pairs at most ``metres`` apart: a shorter threshold over the same table.

        Parameters
        ----------
        metres : float
            Longest walk, metres; the new cut-off is the smaller of this and :attr:`cutoff`.

        Returns
        -------
        Reach
            A new table over the same points and places.
        """
        keep = self.metres <= metres
        return Reach(self.point[keep], self.resource[keep], self.metres[keep], self.n_points, self.n_resources,
                     min(self.cutoff, metres))

    def dense(self) -> np.ndarray:
        """The table as a dense array (small instances and tests only).

        Returns
        -------
        numpy.ndarray
            Shape (n_points, n_places), metres; ``inf`` for pairs beyond the cut-off.
        """
        table = np.full((self.n_points, self.n_resources), np.inf)
        table[self.point, self.resource] = self.metres
        return table


def reach_table(network: WalkingNetwork, resources: Snapped, points: Snapped, cutoff: float) -> Reach:
    """Every (point, place) pair whose walk is at most ``cutoff`` metres, with its length.

    One bounded search per place (:class:`geo_welfare.network.search.PointReach`), touching only the
    streets within the cut-off.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    places : Snapped
        The places (candidates, existing salons) on the network.
    points : Snapped
        The demand points (e.g. :func:`~geo_welfare.analysis.spread.resident_positions`).
    cutoff : float
        Longest walk to keep, metres (included).

    Returns
    -------
    Reach
        The pairs, sorted by point then place, with ``cutoff`` recorded.
    """
    search = PointReach(network, points)
    found_point, found_resource, found_metres = [], [], []
    for i in range(len(resources)):
        point, metres = search.within(int(resources.edge[i]), float(resources.along[i]), float(resources.offset[i]), cutoff)
        found_point.append(point)
        found_resource.append(np.full(len(point), i, dtype=np.int64))
        found_metres.append(metres)
    if not found_point:
        empty = np.empty(0, dtype=np.int64)
        return Reach(empty, empty, np.empty(0), len(points), len(resources), float(cutoff))
    point = np.concatenate(found_point).astype(np.int64)
    resource = np.concatenate(found_resource)
    order = np.lexsort((resource, point))
    return Reach(point[order], resource[order], np.concatenate(found_metres)[order], len(points), len(resources),
                 float(cutoff))
