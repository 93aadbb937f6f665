"""The street graph: lines noded at every crossing, nodes and edges as arrays, in metres.

Lines are projected to the plane rectangular zone of the area, noded with GEOS (``shapely.node``)
so that two streets that cross share a node, and split into edges between nodes.  Edges keep
their geometry for snapping and drawing.  The adjacency matrix keeps, for each pair of nodes, the
shortest of the edges joining them: building a sparse matrix from edge lists would otherwise
*add* parallel edges' lengths together.

Known simplification: every crossing becomes a junction, so a bridge over a street is treated as
a crossing (the sources here carry no reliable level information).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from geo_welfare.core.crs import metric_crs_for_bounds

_Derived = TypeVar("_Derived")

#: Endpoints closer than this (metres) are the same node.
NODE_TOLERANCE = 0.001
#: Longest gap (metres) between two of :attr:`WalkingNetwork.street_points` on a street: half of the
#: 10 m cell of the walking-area grid (:mod:`geo_welfare.analysis.walk_grid`), so every cell a street
#: crosses holds one of its points.
STREET_POINT_SPACING = 5.0


@dataclass(frozen=True)
class StreetPoints:
    """Points along every edge, no more than :data:`STREET_POINT_SPACING` apart, both ends included.

    Attributes
    ----------
    edge : numpy.ndarray
        Edge of each point, shape (n,), sorted.
    along : numpy.ndarray
        Metres from the edge's start (its ``edge_u`` end) to the point, shape (n,).
    xy : numpy.ndarray
        Coordinates, shape (n, 2), metres.
    """

    edge: np.ndarray
    along: np.ndarray
    xy: np.ndarray


@dataclass
class WalkingNetwork:
    """The street graph as arrays: nodes and undirected edges in a metric CRS.

    Built by :func:`build_network` (or read from the cache, :mod:`geo_welfare.network.cache`);
    every analysis takes it as is.  Edges are indexed 0 … ``edge_count`` − 1 and nodes
    0 … ``node_count`` − 1; parallel edges between the same two nodes are kept.

    Attributes
    ----------
    crs : pyproj.CRS
        The metric CRS of every coordinate (a plane rectangular zone, metres).
    node_xy : numpy.ndarray
        Node coordinates, shape (n_nodes, 2), metres.
    edge_u, edge_v : numpy.ndarray
        End nodes of each edge, shape (n_edges,), integers; ``edge_u`` is where the geometry starts.
    edge_length : numpy.ndarray
        Length of each edge along its geometry, shape (n_edges,), metres.
    edge_geometry : numpy.ndarray
        The LineString of each edge from ``edge_u`` to ``edge_v``, shape (n_edges,), object.
    """

    crs: CRS
    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edge_geometry: np.ndarray = field(repr=False)

    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, key: str, build: Callable[["WalkingNetwork"], _Derived]) -> _Derived:
        """A structure a higher stage builds from the streets (an index, a lookup), built once per network.

        A server answers many requests with one network; what an analysis derives from the streets
        alone belongs with them, not with the request.  ``key`` names the structure; ``build`` makes it.
        """
        if key not in self._derived:
            self._derived[key] = build(self)
        return self._derived[key]

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def edge_count(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    @cached_property
    def adjacency(self) -> sparse.csr_matrix:
        """Node-to-node street lengths for SciPy's graph routines, computed once.

        Where parallel edges join two nodes only the shortest is kept: building the matrix from
        the edge lists would otherwise *add* their lengths together.

        Returns
        -------
        scipy.sparse.csr_matrix
            Symmetric, shape (n_nodes, n_nodes), metres; no entry where no edge joins two nodes.
        """
        u = np.concatenate([self.edge_u, self.edge_v])
        v = np.concatenate([self.edge_v, self.edge_u])
        length = np.concatenate([self.edge_length, self.edge_length])
        order = np.lexsort((length, v, u))
        u, v, length = u[order], v[order], length[order]
        first = np.ones(len(u), dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        return sparse.csr_matrix((length[first], (u[first], v[first])), shape=(self.node_count, self.node_count))

    @cached_property
    def component_labels(self) -> np.ndarray:
        """Connected component of each node, numbered by size, computed once.

        Returns
        -------
        numpy.ndarray
            Shape (n_nodes,), integers; 0 is the component with the most nodes, then 1, …
        """
        _, labels = connected_components(self.adjacency, directed=False)
        sizes = np.bincount(labels)
        rank = np.empty_like(sizes)
        rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
        return rank[labels]

    @cached_property
    def street_points(self) -> StreetPoints:
        """Points every :data:`STREET_POINT_SPACING` metres or less along every edge, computed once.

        Each edge's own vertices are kept (a bend is a point) and every segment is split evenly
        so no two neighbours are further apart than the spacing; the walking-area grid reads the
        walk at each point, so a network serving many requests interpolates its streets once.
        """
        xy, owner = shapely.get_coordinates(self.edge_geometry, return_index=True)
        step = np.hypot(*np.diff(xy, axis=0).T)
        new_edge = owner[1:] != owner[:-1]
        pieces = np.where(new_edge, 0, np.maximum(1, np.ceil(step / STREET_POINT_SPACING))).astype(np.int64)
        # Each segment's start and its pieces' inner points; each edge's last vertex closes it.
        count = np.where(new_edge, 1, pieces)
        start = np.repeat(np.arange(len(step)), count)
        fraction = (np.arange(len(start)) - np.repeat(np.cumsum(count) - count, count)) / np.repeat(
            np.maximum(pieces, 1), count)
        points = xy[start] + fraction[:, None] * (xy[start + 1] - xy[start])
        points = np.vstack([points, xy[-1:]])
        cumulative = np.concatenate([[0.0], np.cumsum(np.where(new_edge, 0.0, step))])
        first_vertex = np.concatenate([[0], np.flatnonzero(new_edge) + 1])
        along = np.append(cumulative[start] + fraction * np.where(new_edge, 0.0, step)[start], cumulative[-1])
        edge = np.append(owner[start], owner[-1])
        return StreetPoints(edge, along - cumulative[first_vertex][edge], points)

    def component_sizes(self) -> np.ndarray:
        """Node count of each connected component.

        Returns
        -------
        numpy.ndarray
            Shape (n_components,); entry i counts the nodes labelled i in
            :attr:`component_labels`, so largest first.
        """
        return np.bincount(self.component_labels)


def build_network(lines: gpd.GeoDataFrame, crs: CRS | str | None = None) -> WalkingNetwork:
    """Node the lines at every crossing and return the street graph in a metric CRS.

    Two streets that cross share a node, so the walk can turn there (a bridge over a street is
    a crossing too: the sources carry no reliable level information).  Endpoints closer than
    :data:`NODE_TOLERANCE` (1 mm) are one node; pieces shorter than that are dropped.

    Parameters
    ----------
    lines : geopandas.GeoDataFrame
        Street lines (LineString or MultiLineString; whole routes are fine) with a declared CRS,
        as :func:`~geo_welfare.network.sources.read_walkable_lines` gives them (lon/lat,
        EPSG:6668).  Without ``crs`` they must be in lon/lat: the zone is chosen from their bounds.
    crs : pyproj.CRS or str, optional
        Metric CRS to build in.  Default: the plane rectangular zone of the lines' area
        (:func:`geo_welfare.core.crs.metric_crs_for_bounds`).

    Returns
    -------
    WalkingNetwork
        Nodes and edges in ``crs``, lengths in metres.
    """
    metric = CRS.from_user_input(crs) if crs is not None else metric_crs_for_bounds(tuple(lines.total_bounds))
    projected = lines.to_crs(metric).geometry.values
    noded = shapely.node(shapely.GeometryCollection(list(projected)))
    segments = np.asarray(shapely.get_parts(noded))
    segments = segments[shapely.length(segments) > NODE_TOLERANCE]
    starts = shapely.get_coordinates(shapely.get_point(segments, 0))
    ends = shapely.get_coordinates(shapely.get_point(segments, -1))
    keys = np.round(np.vstack([starts, ends]) / NODE_TOLERANCE).astype(np.int64)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    u, v = inverse[: len(segments)], inverse[len(segments):]
    return WalkingNetwork(metric, unique.astype(float) * NODE_TOLERANCE, u, v, shapely.length(segments), segments)
