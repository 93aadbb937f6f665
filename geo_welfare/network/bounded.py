"""Walks from one place to every node within a limit, touching only those nodes.

A place's own walking area needs the walk to the few thousand nodes within 20 minutes of it, not to
all 56,000 of a city.  SciPy's ``dijkstra(limit=…)`` stops at the limit but validates the whole
graph and returns a dense row of every node on each call, which for Sapporo's 348 evacuation
sites cost more than the areas themselves.  This search (compiled with numba, like
:mod:`geo_welfare.network.search`) settles nodes in order of walk from the two ends of the
place's street and returns only the nodes it settled.
"""

from __future__ import annotations

import heapq

import numpy as np

from geo_welfare.network.compiled import njit
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped


@njit
def _settle(indptr, neighbours, weights, start_nodes, start_costs, cutoff, best):  # pragma: no cover - compiled
    """Settle nodes from the starts up to ``cutoff``; ``best`` is an all-inf scratch row, left all-inf."""
    heap = [(0.0, np.int64(0))]
    heap.pop()
    for i in range(len(start_nodes)):
        if start_costs[i] <= cutoff and start_costs[i] < best[start_nodes[i]]:
            best[start_nodes[i]] = start_costs[i]
            heapq.heappush(heap, (start_costs[i], np.int64(start_nodes[i])))
    nodes = np.empty(16, dtype=np.int64)
    walks = np.empty(16)
    count = 0
    while heap:
        walk, node = heapq.heappop(heap)
        if walk > best[node]:
            continue
        if count == len(nodes):
            nodes = np.concatenate((nodes, np.empty(count, dtype=np.int64)))
            walks = np.concatenate((walks, np.empty(count)))
        nodes[count] = node
        walks[count] = walk
        count += 1
        for j in range(indptr[node], indptr[node + 1]):
            further = walk + weights[j]
            if further <= cutoff and further < best[neighbours[j]]:
                best[neighbours[j]] = further
                heapq.heappush(heap, (further, neighbours[j]))
    for i in range(count):
        best[nodes[i]] = np.inf
    for i in range(len(start_nodes)):
        best[start_nodes[i]] = np.inf
    return nodes[:count], walks[:count]


class BoundedWalks:
    """Walks from single places to the nodes within a limit, on one network, search after search.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    """

    def __init__(self, network: WalkingNetwork) -> None:
        adjacency = network.adjacency
        self.network = network
        self._indptr = adjacency.indptr.astype(np.int64)
        self._neighbours = adjacency.indices.astype(np.int64)
        self._weights = adjacency.data.astype(np.float64)
        self._scratch = np.full(network.node_count, np.inf)

    def from_resource(self, resources: Snapped, index: int, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
        """The nodes within ``cutoff`` metres' walk of place ``index``, and the walk to each.

        Parameters
        ----------
        resources : Snapped
            The places on the network.
        index : int
            Which of them.
        cutoff : float
            Longest walk, metres.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Node indices and their walks (metres), in the order they were settled.
        """
        network = self.network
        edge = resources.edge[index]
        starts = np.array([network.edge_u[edge], network.edge_v[edge]], dtype=np.int64)
        costs = np.array([resources.offset[index] + resources.along[index],
                          resources.offset[index] + network.edge_length[edge] - resources.along[index]])
        return _settle(self._indptr, self._neighbours, self._weights, starts, costs, float(cutoff), self._scratch)
