"""Placing points on the street network: the nearest point of the nearest edge.

A resident's home or a salon lies beside a street, not on a node: the walk starts with the
short way to the street (``offset``) and continues along the edge in either direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geo_welfare.network.graph import WalkingNetwork


@dataclass(frozen=True)
class Snapped:
    """Where points meet the network: edge index, metres along it from its start, metres to reach it."""

    edge: np.ndarray
    along: np.ndarray
    offset: np.ndarray

    def __len__(self) -> int:
        return len(self.edge)


def snap_points(network: WalkingNetwork, points_xy: np.ndarray) -> Snapped:
    """Snap points (metres, the network's CRS) to the nearest edge."""
    points = shapely.points(np.asarray(points_xy, dtype=float).reshape(-1, 2))
    tree = edge_tree(network)
    pairs, distances = tree.query_nearest(points, return_distance=True, all_matches=False)
    edge = np.full(len(points), -1, dtype=np.int64)
    offset = np.full(len(points), np.inf)
    edge[pairs[0]] = pairs[1]
    offset[pairs[0]] = distances
    along = shapely.line_locate_point(network.edge_geometry[edge], points)
    return Snapped(edge, np.asarray(along, dtype=float), offset)


def edge_tree(network: WalkingNetwork) -> shapely.STRtree:
    """The spatial index of the network's edges, built once per network."""
    tree = network.__dict__.get("_edge_tree")
    if tree is None:
        tree = shapely.STRtree(network.edge_geometry)
        network.__dict__["_edge_tree"] = tree
    return tree
