"""Walking routes as lines: from a point, over the streets, to another point.

Used to draw the way to a salon for a client.  The route's length equals the walking distance
(the tests hold it to that), because it is assembled from the same pieces the distance counts:
the way to the street, part of the first edge, whole edges, part of the last edge, the way off.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import snap_points


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


def _oriented(network: WalkingNetwork, edge: int, start_node: int) -> list[tuple[float, float]]:
    coords = list(shapely.get_coordinates(network.edge_geometry[edge]))
    return coords if int(network.edge_u[edge]) == start_node else coords[::-1]


def _part(network: WalkingNetwork, edge: int, start: float, end: float) -> list[tuple[float, float]]:
    """Coordinates along ``edge`` from ``start`` to ``end`` metres (either direction)."""
    geometry = network.edge_geometry[edge]
    if start <= end:
        return list(shapely.get_coordinates(substring(geometry, start, end)))
    return list(shapely.get_coordinates(substring(geometry, end, start)))[::-1]


def walking_routes(network: WalkingNetwork, origin_xy: tuple[float, float],
                   destinations_xy: np.ndarray) -> tuple[np.ndarray, list[shapely.LineString | None]]:
    """Shortest walks from one origin to each destination, as lines to draw.

    Each line runs from the origin to its street, along the streets, and off to the destination;
    its length equals the walking distance, as :func:`~geo_welfare.network.distance.walking_distances`
    counts it.  Both ends are snapped here.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    origin_xy : tuple of float
        The origin (x, y), metres in the network's CRS.
    destinations_xy : array_like
        Destinations, shape (n, 2), metres in the network's CRS.

    Returns
    -------
    metres : numpy.ndarray
        Walk to each destination, shape (n,), metres; ``inf`` where unreachable.
    lines : list of shapely.LineString or None
        One route per destination in the network's CRS; None where unreachable.
    """
    origin = snap_points(network, np.asarray([origin_xy]))
    targets = snap_points(network, np.asarray(destinations_xy))
    o_edge, o_along, o_offset = int(origin.edge[0]), float(origin.along[0]), float(origin.offset[0])
    o_length = float(network.edge_length[o_edge])
    ends = [int(network.edge_u[o_edge]), int(network.edge_v[o_edge])]
    start_cost = [o_offset + o_along, o_offset + o_length - o_along]
    distances, predecessors = dijkstra(network.adjacency, directed=False, indices=ends, return_predecessors=True)
    lookup = _edge_lookup(network)
    origin_point = tuple(origin_xy)
    origin_on_street = tuple(shapely.get_coordinates(shapely.line_interpolate_point(network.edge_geometry[o_edge],
                                                                                    o_along))[0])
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
        metres[j] = best
        if not np.isfinite(best):
            lines.append(None)
            continue
        destination_on_street = tuple(shapely.get_coordinates(
            shapely.line_interpolate_point(network.edge_geometry[d_edge], d_along))[0])
        if choice is None:
            middle = _part(network, o_edge, o_along, d_along)
        else:
            s, t = choice
            nodes = [d_ends[t]]
            while nodes[-1] != ends[s]:
                nodes.append(int(predecessors[s, nodes[-1]]))
            nodes.reverse()
            middle = _part(network, o_edge, o_along, 0.0 if s == 0 else o_length)
            for a, b in zip(nodes, nodes[1:]):
                middle += _oriented(network, lookup[(a, b)], a)[1:]
            middle += _part(network, d_edge, 0.0 if t == 0 else d_length, d_along)[1:]
        coords = [origin_point, origin_on_street, *middle, destination_on_street, tuple(destination)]
        cleaned = [c for i, c in enumerate(coords) if i == 0 or tuple(c) != tuple(coords[i - 1])]
        lines.append(shapely.LineString(cleaned) if len(cleaned) > 1 else shapely.LineString([cleaned[0], cleaned[0]]))
    return metres, lines
