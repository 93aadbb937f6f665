"""Nearest places from one point: a Dijkstra search that stops once the k nearest are settled.

Why our own search rather than SciPy's: SciPy's compiled Dijkstra has no "stop after k targets"
and returns a dense row of every node, so a nearest-5 query on Sapporo's 55,000 nodes costs about
3 ms whatever the answer.  A coordinator's five nearest salons are usually a few hundred metres
away; a search that settles nodes in order of distance and stops as soon as the k-th best place
cannot improve touches only those few hundred nodes.  ``benchmarks/nearest.py`` measures the
difference against networkx, osmnx and pandarm in one run and checks every answer against
networkx to the centimetre.

The search is exact on the graph, like :mod:`geo_welfare.network.distance`: the walk starts from
the client's point on its street and may leave by either end; a place is reached through either
end of its street (plus its way to the street); a place on the client's own street may also be
walked to directly along it.  It is compiled with numba (cached on disk after the first run).
"""

from __future__ import annotations

import heapq

import numpy as np

from geo_welfare.network.compiled import njit
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped


@njit
def _search(indptr, neighbours, weights, resource_ptr, resource_id, resource_cost, eligible, start_nodes, start_costs,
            direct_resources, direct_costs, k, cutoff):  # pragma: no cover - compiled
    """Settle nodes in order of walk until the k-th best eligible place is final; returns (best, touched)."""
    node_walk = np.full(len(indptr) - 1, np.inf)
    best = np.full(len(eligible), np.inf)
    touched = np.empty(len(eligible), dtype=np.int64)
    n_touched = 0
    kth = np.inf
    for i in range(len(direct_resources)):
        resource = direct_resources[i]
        if eligible[resource] and direct_costs[i] < best[resource]:
            if best[resource] == np.inf:
                touched[n_touched] = resource
                n_touched += 1
            best[resource] = direct_costs[i]
    if n_touched >= k:
        kth = np.sort(best[touched[:n_touched]])[k - 1]
    heap = [(0.0, np.int64(0)) for _ in range(0)]
    for i in range(len(start_nodes)):
        if start_costs[i] < node_walk[start_nodes[i]]:
            node_walk[start_nodes[i]] = start_costs[i]
            heapq.heappush(heap, (start_costs[i], np.int64(start_nodes[i])))
    while heap:
        walk, node = heapq.heappop(heap)
        if walk > node_walk[node]:
            continue  # a stale entry: the node was settled by a shorter walk
        if walk >= kth or walk > cutoff:
            break  # every place still unseen is at least this far
        improved = False
        for a in range(resource_ptr[node], resource_ptr[node + 1]):
            resource = resource_id[a]
            if not eligible[resource]:
                continue
            total = walk + resource_cost[a]
            if total < best[resource]:
                if best[resource] == np.inf:
                    touched[n_touched] = resource
                    n_touched += 1
                best[resource] = total
                improved = True
        if improved and n_touched >= k:
            kth = np.sort(best[touched[:n_touched]])[k - 1]
        for e in range(indptr[node], indptr[node + 1]):
            other = neighbours[e]
            candidate = walk + weights[e]
            if candidate < node_walk[other]:
                node_walk[other] = candidate
                heapq.heappush(heap, (candidate, np.int64(other)))
    return best, touched[:n_touched]


class ResourceSearch:
    """A set of places attached to the street graph, for repeated "k nearest places" searches.

    Build it once per set of places; each :meth:`nearest` search settles nodes in order of walk
    and stops as soon as the k-th best place cannot improve, so it touches only the streets
    around the origin (SciPy's Dijkstra always returns every node).

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    places : Snapped
        The places on the network (:func:`~geo_welfare.network.snap.snap_points`).
    """

    def __init__(self, network: WalkingNetwork, resources: Snapped) -> None:
        adjacency = network.adjacency
        self.network = network
        self.resources = resources
        self._indptr = adjacency.indptr.astype(np.int64)
        self._neighbours = adjacency.indices.astype(np.int64)
        self._weights = adjacency.data.astype(np.float64)
        # Each place hangs off both ends of its street, with the walk from that end to the place.
        ends = np.concatenate([network.edge_u[resources.edge], network.edge_v[resources.edge]]).astype(np.int64)
        costs = np.concatenate([resources.along + resources.offset,
                                network.edge_length[resources.edge] - resources.along + resources.offset])
        ids = np.concatenate([np.arange(len(resources)), np.arange(len(resources))]).astype(np.int64)
        order = np.argsort(ends, kind="stable")
        self._resource_ptr = np.searchsorted(ends[order], np.arange(network.node_count + 1)).astype(np.int64)
        self._resource_id, self._resource_cost = ids[order], costs[order]
        self._all = np.ones(len(resources), dtype=np.bool_)

    def nearest(self, origin: Snapped, k: int, cutoff: float | None = None,
                eligible: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest eligible places from one point, by walk over the streets.

        Parameters
        ----------
        origin : Snapped
            One point (length 1; only the first is used).
        k : int
            How many places, at least 1.
        cutoff : float, optional
            Longest walk, metres; None: no limit.
        eligible : numpy.ndarray, optional
            Boolean mask over the places, shape (n_places,); None: every place.

        Returns
        -------
        places : numpy.ndarray
            Indices into the places, nearest first (ties: the lower index); fewer than ``k``
            when fewer are reachable within ``cutoff``.
        metres : numpy.ndarray
            The walk to each, metres.

        Raises
        ------
        ValueError
            If ``k`` is less than 1.
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        network, resources = self.network, self.resources
        edge, along, offset = int(origin.edge[0]), float(origin.along[0]), float(origin.offset[0])
        length = float(network.edge_length[edge])
        starts = np.array([network.edge_u[edge], network.edge_v[edge]], dtype=np.int64)
        start_costs = np.array([offset + along, offset + length - along])
        same_edge = np.flatnonzero(resources.edge == edge)
        direct = offset + np.abs(resources.along[same_edge] - along) + resources.offset[same_edge]
        mask = self._all if eligible is None else np.asarray(eligible, dtype=np.bool_)
        limit = np.inf if cutoff is None else float(cutoff)
        best, touched = _search(self._indptr, self._neighbours, self._weights, self._resource_ptr, self._resource_id,
                                self._resource_cost, mask, starts, start_costs, same_edge.astype(np.int64), direct,
                                int(k), limit)
        metres = best[touched]
        order = np.lexsort((touched, metres))[:k]
        chosen, metres = touched[order], metres[order]
        keep = metres <= limit
        return chosen[keep], metres[keep]


@njit
def _reach_points(indptr, neighbours, weights, point_ptr, point_id, point_cost, start_nodes, start_costs, cutoff,
                  node_walk, point_walk, reached_nodes, reached_points):  # pragma: no cover - compiled
    """Every point within ``cutoff`` of the start nodes; returns how many (in ``reached_points``).

    ``node_walk`` and ``point_walk`` are work arrays full of ``inf``; what this call touches is put
    back before it returns, so one pair of arrays serves every call without an O(nodes) reset.
    """
    heap = [(0.0, np.int64(0)) for _ in range(0)]
    n_nodes = 0
    n_points = 0
    for i in range(len(start_nodes)):
        node = start_nodes[i]
        if start_costs[i] <= cutoff and start_costs[i] < node_walk[node]:
            if node_walk[node] == np.inf:
                reached_nodes[n_nodes] = node
                n_nodes += 1
            node_walk[node] = start_costs[i]
            heapq.heappush(heap, (start_costs[i], np.int64(node)))
    while heap:
        walk, node = heapq.heappop(heap)
        if walk > node_walk[node]:
            continue
        for a in range(point_ptr[node], point_ptr[node + 1]):
            total = walk + point_cost[a]
            point = point_id[a]
            if total <= cutoff and total < point_walk[point]:
                if point_walk[point] == np.inf:
                    reached_points[n_points] = point
                    n_points += 1
                point_walk[point] = total
        for e in range(indptr[node], indptr[node + 1]):
            other = neighbours[e]
            candidate = walk + weights[e]
            if candidate <= cutoff and candidate < node_walk[other]:
                if node_walk[other] == np.inf:
                    reached_nodes[n_nodes] = other
                    n_nodes += 1
                node_walk[other] = candidate
                heapq.heappush(heap, (candidate, np.int64(other)))
    for i in range(n_nodes):
        node_walk[reached_nodes[i]] = np.inf
    return n_points


class PointReach:
    """Points attached to the street graph, for "who is within N metres of this place?" searches.

    A bounded Dijkstra from the place touches only the streets within reach, where SciPy's returns a
    dense row of every node per source: for siting's 500 candidates × 56,000 nodes that dense block,
    not the search, was most of the cost (``benchmarks/siting.py``).  An instance reuses its work
    arrays between searches, so it must not be shared between threads.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    points : Snapped
        The points to find (e.g. resident points, :func:`~geo_welfare.analysis.spread.resident_positions`).
    """

    def __init__(self, network: WalkingNetwork, points: Snapped) -> None:
        adjacency = network.adjacency
        self.network, self.points = network, points
        self._indptr = adjacency.indptr.astype(np.int64)
        self._neighbours = adjacency.indices.astype(np.int64)
        self._weights = adjacency.data.astype(np.float64)
        ends = np.concatenate([network.edge_u[points.edge], network.edge_v[points.edge]]).astype(np.int64)
        costs = np.concatenate([points.along + points.offset,
                                network.edge_length[points.edge] - points.along + points.offset])
        ids = np.concatenate([np.arange(len(points)), np.arange(len(points))]).astype(np.int64)
        order = np.argsort(ends, kind="stable")
        self._point_ptr = np.searchsorted(ends[order], np.arange(network.node_count + 1)).astype(np.int64)
        self._point_id, self._point_cost = ids[order], costs[order]
        by_edge = np.argsort(points.edge, kind="stable")
        self._edge_order = by_edge
        self._edge_start = np.searchsorted(points.edge[by_edge], np.arange(network.edge_count + 1))
        self._node_walk = np.full(network.node_count, np.inf)
        self._point_walk = np.full(len(points), np.inf)
        self._reached_nodes = np.empty(network.node_count, dtype=np.int64)
        self._reached_points = np.empty(len(points), dtype=np.int64)

    def within(self, edge: int, along: float, offset: float, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
        """The points within ``cutoff`` metres' walk of one place.

        Parameters
        ----------
        edge : int
            The place's edge.
        along : float
            Metres along that edge from its start.
        offset : float
            Metres from the place to the street.
        cutoff : float
            Longest walk, metres (included).

        Returns
        -------
        points : numpy.ndarray
            Indices into the points, in no particular order.
        metres : numpy.ndarray
            The walk to each, metres.
        """
        network = self.network
        length = float(network.edge_length[edge])
        starts = np.array([network.edge_u[edge], network.edge_v[edge]], dtype=np.int64)
        start_costs = np.array([offset + along, offset + length - along])
        count = _reach_points(self._indptr, self._neighbours, self._weights, self._point_ptr, self._point_id,
                              self._point_cost, starts, start_costs, float(cutoff), self._node_walk,
                              self._point_walk, self._reached_nodes, self._reached_points)
        found = self._reached_points[:count].copy()
        metres = self._point_walk[found].copy()
        self._point_walk[found] = np.inf
        # Points on the place's own street may also be walked to directly along it.
        same = self._edge_order[self._edge_start[edge]:self._edge_start[edge + 1]]
        if len(same):
            direct = offset + np.abs(self.points.along[same] - along) + self.points.offset[same]
            keep = direct <= cutoff
            same, direct = same[keep], direct[keep]
            position = {int(p): i for i, p in enumerate(found)}
            extra_points, extra_metres = [], []
            for point, walk in zip(same, direct):
                i = position.get(int(point))
                if i is None:
                    extra_points.append(point)
                    extra_metres.append(walk)
                elif walk < metres[i]:
                    metres[i] = walk
            if extra_points:
                found = np.concatenate([found, np.asarray(extra_points, dtype=np.int64)])
                metres = np.concatenate([metres, np.asarray(extra_metres)])
        return found, metres
