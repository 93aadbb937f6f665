"""Walking routes as lines: from a point, over the streets, to another point.

Used to draw the way to a salon for a client.  The route's length equals the walking distance
(the tests hold it to that), because it is assembled from the same pieces the distance counts:
the way to the street, part of the first edge, whole edges, part of the last edge, the way off.

The walk from the origin is searched only as far as it is useful: given ``cutoff`` (the walk to the
farthest destination, which the caller usually knows from :class:`~geo_welfare.network.search.ResourceSearch`),
a Dijkstra compiled with numba settles the streets within that walk and no more.  Without it, SciPy's
Dijkstra walks the whole city, as before; the two give the same routes to the last bit (the walks are
summed edge by edge in the same order), which ``tests/test_nearest_cached.py`` holds them to on
Sapporo's streets.
"""

from __future__ import annotations

import heapq

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from geo_welfare.network.compiled import njit
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped, snap_points

#: SciPy's mark of "no predecessor" (the origin itself, or a node not reached), kept for the bounded search too.
NO_PREDECESSOR = -9999
#: Slack added to a cutoff: the caller's walk and the route's own may differ in the last bits (summed in
#: another order), and a destination just beyond the cutoff would lose its route.
CUTOFF_SLACK_M = 1e-6
CUTOFF_SLACK_RELATIVE = 1e-9


def _edge_lookup(network: WalkingNetwork) -> dict[tuple[int, int], int]:
    """(node, node) → index of the shortest edge joining them."""
    lookup = network.__dict__.get("_edge_lookup")
    if lookup is None:
        lookup = {}
        for index in np.argsort(-network.edge_length):  # shortest last, so it wins
            u, v = int(network.edge_u[index]), int(network.edge_v[index])
            lookup[(u, v)] = lookup[(v, u)] = int(index)
        network.__dict__["_edge_lookup"] = lookup
    return lookup


def _along_nodes(network: WalkingNetwork, nodes: list[int], lookup: dict[tuple[int, int], int]) -> np.ndarray:
    """The coordinates of the walk through ``nodes`` (each edge from the node it leaves), its first point left out.

    Each edge's own coordinates, reversed where the walk goes against its geometry, without the
    point it shares with the edge before: gathered in one pass over the edges' coordinates.
    """
    edges = np.fromiter((lookup[(a, b)] for a, b in zip(nodes, nodes[1:])), dtype=np.int64, count=len(nodes) - 1)
    if not len(edges):
        return np.empty((0, 2))
    coords, owner = shapely.get_coordinates(network.edge_geometry[edges], return_index=True)
    ends = np.searchsorted(owner, np.arange(len(edges) + 1))
    first, last = ends[:-1], ends[1:] - 1
    forward = network.edge_u[edges] == np.asarray(nodes[:-1])
    kept = last - first  # every point but the one where the edge is entered
    edge = np.repeat(np.arange(len(edges)), kept)
    step = np.arange(kept.sum()) - np.repeat(np.cumsum(kept) - kept, kept) + 1
    return coords[np.where(forward[edge], first[edge] + step, last[edge] - step)]


def _substring(geometry: shapely.LineString, start: float, end: float) -> np.ndarray:
    """The coordinates of ``shapely.ops.substring(geometry, start, end)`` for 0 ≤ start ≤ end ≤ its length.

    The same steps on the same numbers (GEOS's interpolation at both ends, the vertices strictly
    between, found by the same running sum), without building the shapely objects in between:
    a city's route has a dozen of these pieces, and substring's wrappers were most of its time.
    """
    length = shapely.length(geometry)
    if start == end or (start >= length and end >= length) or (-start >= length and -end >= length):
        return shapely.get_coordinates(substring(geometry, start, end))  # a point: substring's own cases
    ends = shapely.get_coordinates(shapely.line_interpolate_point(geometry, [start, end]))
    start = max(start, 0)
    vertices = [ends[0]]
    coords = shapely.get_coordinates(geometry).tolist()
    current = 0
    for p1, p2 in zip(coords, coords[1:]):
        if start < current < end:
            vertices.append(p1)
        elif current >= end:
            break
        current += ((p2[0] - p1[0]) ** 2 + (p2[1] - p1[1]) ** 2) ** 0.5
    vertices.append(ends[1])
    return np.array(vertices, dtype=float)


def _part(network: WalkingNetwork, edge: int, start: float, end: float) -> np.ndarray:
    """Coordinates along ``edge`` from ``start`` to ``end`` metres (either direction), shape (n, 2)."""
    geometry = network.edge_geometry[edge]
    if start <= end:
        return _substring(geometry, start, end)
    return _substring(geometry, end, start)[::-1]


def _line(coords: list[np.ndarray]) -> shapely.LineString:
    """One line through the pieces, a point repeated at once dropped (a line of two equal points if one is left)."""
    points = np.vstack(coords)
    points = points[np.concatenate([[True], np.any(points[1:] != points[:-1], axis=1)])]
    return shapely.LineString(points if len(points) > 1 else np.vstack([points, points]))


@njit(nogil=True)
def _walk_tree(indptr, neighbours, weights, source, cutoff, distance, predecessor):  # pragma: no cover - compiled
    """Dijkstra from ``source`` (walk 0) over nodes within ``cutoff``; fills ``distance`` (inf) and ``predecessor``.

    Relaxes as SciPy's does (``walk + weight``, kept only when strictly shorter), so every settled
    node gets the same walk and, barring exact ties, the same predecessor.
    """
    distance[source] = 0.0
    heap = [(0.0, np.int64(source))]
    while heap:
        walk, node = heapq.heappop(heap)
        if walk > distance[node]:
            continue  # a stale entry: settled already by a shorter walk
        for j in range(indptr[node], indptr[node + 1]):
            other = neighbours[j]
            further = walk + weights[j]
            if further <= cutoff and further < distance[other]:
                distance[other] = further
                predecessor[other] = node
                heapq.heappush(heap, (further, other))


def _csr(network: WalkingNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The adjacency's arrays in the types the compiled search takes, made once per network."""
    arrays = network.__dict__.get("_route_csr")
    if arrays is None:
        adjacency = network.adjacency
        arrays = (adjacency.indptr.astype(np.int64), adjacency.indices.astype(np.int64),
                  adjacency.data.astype(np.float64))
        network.__dict__["_route_csr"] = arrays
    return arrays


def _walks_from(network: WalkingNetwork, ends: list[int],
                cutoffs: list[float] | None) -> tuple[np.ndarray, np.ndarray]:
    """Walks and predecessors from each end (rows), as SciPy's ``dijkstra(indices=ends)`` gives them.

    With ``cutoffs`` (one per end, metres) a node farther than its end's cutoff stays unreached
    (``inf``, :data:`NO_PREDECESSOR`); None walks the whole network with SciPy.
    """
    if cutoffs is None:
        return dijkstra(network.adjacency, directed=False, indices=ends, return_predecessors=True)
    indptr, neighbours, weights = _csr(network)
    distances = np.full((len(ends), network.node_count), np.inf)
    predecessors = np.full((len(ends), network.node_count), NO_PREDECESSOR, dtype=np.int32)
    for row, (end, cutoff) in enumerate(zip(ends, cutoffs)):
        if cutoff >= 0:
            _walk_tree(indptr, neighbours, weights, np.int64(end), float(cutoff), distances[row], predecessors[row])
    return distances, predecessors


def walking_routes(network: WalkingNetwork, origin_xy: tuple[float, float], destinations_xy: np.ndarray, *,
                   origin: Snapped | None = None, destinations: Snapped | None = None,
                   cutoff: float | None = None) -> tuple[np.ndarray, list[shapely.LineString | None]]:
    """Shortest walks from one origin to each destination, as lines to draw.

    Each line runs from the origin to its street, along the streets, and off to the destination;
    its length equals the walking distance, as :func:`~geo_welfare.network.distance.walking_distances`
    counts it.  Both ends are snapped here unless given already snapped.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    origin_xy : tuple of float
        The origin (x, y), metres in the network's CRS.
    destinations_xy : array_like
        Destinations, shape (n, 2), metres in the network's CRS.
    origin, destinations : Snapped, optional
        ``origin_xy`` and ``destinations_xy`` already snapped (:func:`~geo_welfare.network.snap.snap_points`),
        e.g. places snapped once for many searches; None: snapped here.
    cutoff : float, optional
        The longest walk wanted, metres (the farthest destination's): the search from the origin
        stops there, and a destination farther than that (beyond a slack of a micrometre per
        kilometre) counts as unreachable.  None: the whole network is walked.

    Returns
    -------
    metres : numpy.ndarray
        Walk to each destination, shape (n,), metres; ``inf`` where unreachable.
    lines : list of shapely.LineString or None
        One route per destination in the network's CRS; None where unreachable.
    """
    if origin is None:
        origin = snap_points(network, np.asarray([origin_xy]))
    targets = destinations if destinations is not None else snap_points(network, np.asarray(destinations_xy))
    o_edge, o_along, o_offset = int(origin.edge[0]), float(origin.along[0]), float(origin.offset[0])
    o_length = float(network.edge_length[o_edge])
    ends = [int(network.edge_u[o_edge]), int(network.edge_v[o_edge])]
    start_cost = [o_offset + o_along, o_offset + o_length - o_along]
    if cutoff is None:
        distances, predecessors = _walks_from(network, ends, None)
    else:  # a node is only useful if the walk through it can still end within the cutoff
        limit = float(cutoff) * (1 + CUTOFF_SLACK_RELATIVE) + CUTOFF_SLACK_M
        distances, predecessors = _walks_from(network, ends, [limit - cost for cost in start_cost])
    lookup = _edge_lookup(network)
    origin_point = np.asarray(origin_xy, dtype=float).reshape(1, 2)
    origin_on_street = shapely.get_coordinates(shapely.line_interpolate_point(network.edge_geometry[o_edge], o_along))
    metres = np.full(len(targets), np.inf)
    lines: list[shapely.LineString | None] = []
    for j, destination in enumerate(np.asarray(destinations_xy)):
        d_edge, d_along, d_offset = int(targets.edge[j]), float(targets.along[j]), float(targets.offset[j])
        d_length = float(network.edge_length[d_edge])
        d_ends = [int(network.edge_u[d_edge]), int(network.edge_v[d_edge])]
        end_cost = [d_along + d_offset, d_length - d_along + d_offset]
        best, choice = np.inf, None
        for s in range(2):
            for t in range(2):
                total = start_cost[s] + distances[s, d_ends[t]] + end_cost[t]
                if total < best:
                    best, choice = total, (s, t)
        if d_edge == o_edge:
            direct = o_offset + abs(o_along - d_along) + d_offset
            if direct <= best:
                best, choice = direct, None
        if cutoff is not None and best > limit:
            best = np.inf  # beyond the cutoff: unreachable, whatever part of it was searched
        metres[j] = best
        if not np.isfinite(best):
            lines.append(None)
            continue
        destination_on_street = shapely.get_coordinates(shapely.line_interpolate_point(network.edge_geometry[d_edge],
                                                                                       d_along))
        if choice is None:
            middle = [_part(network, o_edge, o_along, d_along)]
        else:
            s, t = choice
            nodes = [d_ends[t]]
            while nodes[-1] != ends[s]:
                nodes.append(int(predecessors[s, nodes[-1]]))
            nodes.reverse()
            middle = [_part(network, o_edge, o_along, 0.0 if s == 0 else o_length),
                      _along_nodes(network, nodes, lookup),
                      _part(network, d_edge, 0.0 if t == 0 else d_length, d_along)[1:]]
        lines.append(_line([origin_point, origin_on_street, *middle, destination_on_street,
                            np.asarray(destination, dtype=float).reshape(1, 2)]))
    return metres, lines
