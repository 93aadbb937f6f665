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
    """Where points meet the network, as parallel arrays of shape (n_points,).

    The walk from a point starts with ``offset`` (straight to its street) and continues along the
    edge to either end: ``along`` to ``edge_u``, ``edge_length − along`` to ``edge_v``.

    Attributes
    ----------
    edge : numpy.ndarray
        Index of the nearest edge of each point (integers).
    along : numpy.ndarray
        Metres along that edge's geometry from its start (``edge_u``) to the nearest point on it.
    offset : numpy.ndarray
        Straight-line metres from the point to its street (0 for a point already on it).
    """

    edge: np.ndarray
    along: np.ndarray
    offset: np.ndarray

    def __len__(self) -> int:
        return len(self.edge)


def snap_points(network: WalkingNetwork, points_xy: np.ndarray) -> Snapped:
    """Place points on their nearest street edge.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    points_xy : array_like
        Point coordinates, shape (n, 2) (or anything that reshapes to it), metres in the
        network's CRS (:attr:`WalkingNetwork.crs`), not lon/lat.

    Returns
    -------
    Snapped
        Edge, metres along it and metres to it, one entry per point.
    """
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
    """The spatial index of the network's edges, built once per network and kept on it.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.

    Returns
    -------
    shapely.STRtree
        Tree over :attr:`WalkingNetwork.edge_geometry`; its indices are edge indices.
    """
    tree = network.__dict__.get("_edge_tree")
    if tree is None:
        tree = shapely.STRtree(network.edge_geometry)
        network.__dict__["_edge_tree"] = tree
    return tree
