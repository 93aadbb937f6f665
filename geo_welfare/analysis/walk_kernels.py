"""The compiled loop under each place's walking area: the street points its bounded search reaches.

It does what :func:`~geo_welfare.analysis.walk_grid.reached_street_points` does with NumPy for one
place's search (``tests/test_walk_areas_fast.py`` compares them), in one pass: for a city's 348
places the NumPy steps between the operations cost more than the work.  It releases the GIL
(``nogil``), so the planner's gaps and walking areas can be drawn by two requests at once.
"""

from __future__ import annotations

import numpy as np

from geo_welfare.network.compiled import njit as _compiled

njit = _compiled(nogil=True)  # every loop here: cached on disk where numba may, the GIL released


@njit
def reached_points(nodes, node_walks, node_ptr, node_edges, point_ptr, edge_u, edge_v, edge_length, points_along,
                   own_edge, own_offset, own_along, limit, node_walk, edge_seen
                   ):  # pragma: no cover - compiled
    """The street points within ``limit`` of one place (their indices) and the walk to each, from its bounded search.

    The points of every edge meeting a reached node (and of the place's own edge), edge by edge in
    increasing order, each walked from the nearer end of its edge or, on the place's own street,
    straight along it.  ``node_walk`` (all inf) and ``edge_seen`` (all False) are scratch rows of the
    network, left as they were found.
    """
    for j in range(len(nodes)):
        node_walk[nodes[j]] = node_walks[j]
    found = np.empty(16, dtype=np.int64)
    count = 0
    for j in range(len(nodes) + 1):
        start, end = (node_ptr[nodes[j]], node_ptr[nodes[j] + 1]) if j < len(nodes) else (0, 1)
        for k in range(start, end):
            edge = node_edges[k] if j < len(nodes) else own_edge
            if edge_seen[edge]:
                continue
            edge_seen[edge] = True
            if count == len(found):
                found = np.concatenate((found, np.empty(count, dtype=np.int64)))
            found[count] = edge
            count += 1
    edges = np.sort(found[:count])
    total = 0
    for edge in edges:
        edge_seen[edge] = False
        total += point_ptr[edge + 1] - point_ptr[edge]
    reached = np.empty(total, dtype=np.int64)
    walk = np.empty(total)
    kept = 0
    for edge in edges:
        at_u, at_v, length = node_walk[edge_u[edge]], node_walk[edge_v[edge]], edge_length[edge]
        for point in range(point_ptr[edge], point_ptr[edge + 1]):
            along = points_along[point]
            here = min(at_u + along, at_v + length - along)
            if edge == own_edge:
                here = min(here, own_offset + abs(along - own_along))
            if here <= limit:
                reached[kept] = point
                walk[kept] = here
                kept += 1
    for j in range(len(nodes)):
        node_walk[nodes[j]] = np.inf
    return reached[:kept], walk[:kept]
