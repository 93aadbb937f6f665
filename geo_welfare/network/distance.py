"""Walking distances over the network between snapped points, and the minutes they take.

Exact on the graph: from a point on edge (u, v) the walk reaches u after ``offset + along`` and
v after ``offset + length − along``; one Dijkstra run from each distinct end node (SciPy's
compiled implementation) gives every distance from there.  Two points on the same edge may also
walk straight along it.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import dijkstra

from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped
from geo_welfare.core.walking import DEFAULT_WALKING_SPEED_KMH, walk_minutes


def walking_distances(network: WalkingNetwork, origins: Snapped, destinations: Snapped,
                      cutoff: float | None = None) -> np.ndarray:
    """Walking metres over the streets from each origin to each destination.

    Exact on the graph: the walk includes each point's way to and from its street, may leave an
    edge by either end, and may go straight along an edge two points share.  It runs one
    Dijkstra per distinct end node of the origins' edges and holds an origins × nodes block,
    so it suits a few origins; for "who is within N metres" over many points use
    :func:`geo_welfare.analysis.reach.reach_table`.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    origins, destinations : Snapped
        Points on the network (:func:`~geo_welfare.network.snap.snap_points`).
    cutoff : float, optional
        Longest walk of interest, metres; longer ones come back as ``inf`` (and the searches
        stop there).  None: no limit.

    Returns
    -------
    numpy.ndarray
        Shape (n_origins, n_destinations), metres; ``inf`` where unreachable or beyond ``cutoff``.
    """
    o_edge, d_edge = origins.edge, destinations.edge
    o_u, o_v = network.edge_u[o_edge], network.edge_v[o_edge]
    o_to_u = origins.offset + origins.along
    o_to_v = origins.offset + network.edge_length[o_edge] - origins.along
    sources, where = np.unique(np.concatenate([o_u, o_v]), return_inverse=True)
    from_sources = dijkstra(network.adjacency, directed=False, indices=sources,
                            limit=np.inf if cutoff is None else float(cutoff))
    via_u = from_sources[where[: len(o_u)]]
    via_v = from_sources[where[len(o_u):]]
    node_distance = np.minimum(o_to_u[:, None] + via_u, o_to_v[:, None] + via_v)  # origins × nodes

    d_u, d_v = network.edge_u[d_edge], network.edge_v[d_edge]
    d_from_u = destinations.along + destinations.offset
    d_from_v = network.edge_length[d_edge] - destinations.along + destinations.offset
    result = np.minimum(node_distance[:, d_u] + d_from_u[None, :], node_distance[:, d_v] + d_from_v[None, :])
    same_edge = o_edge[:, None] == d_edge[None, :]
    if same_edge.any():
        direct = origins.offset[:, None] + np.abs(origins.along[:, None] - destinations.along[None, :]) \
            + destinations.offset[None, :]
        result = np.where(same_edge, np.minimum(result, direct), result)
    if cutoff is not None:
        result[result > cutoff] = np.inf
    return result


def walking_minutes(metres: np.ndarray | float, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> np.ndarray | float:
    """Minutes it takes to walk a distance, by the one conversion of :mod:`geo_welfare.core.walking`.

    Parameters
    ----------
    metres : float or numpy.ndarray
        Walk lengths, metres (``inf`` stays ``inf``).
    speed_kmh : float, default 4.0
        Walking speed, km/h (the settings' default; about 3 km/h suits frail residents).

    Returns
    -------
    numpy.ndarray or float
        Minutes, same shape as ``metres``.

    Raises
    ------
    ValueError
        If ``speed_kmh`` is zero or negative.
    """
    return walk_minutes(metres, speed_kmh)  # the one conversion (geo_welfare.core.walking)
