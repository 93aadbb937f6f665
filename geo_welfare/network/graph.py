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

from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from geo_welfare.core.crs import metric_crs_for_bounds

#: Endpoints closer than this (metres) are the same node.
NODE_TOLERANCE = 0.001


@dataclass
class WalkingNetwork:
    """Nodes (x, y in metres) and undirected edges (u, v, length, geometry) in ``crs``."""

    crs: CRS
    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edge_geometry: np.ndarray = field(repr=False)

    @property
    def node_count(self) -> int:
        return len(self.node_xy)

    @property
    def edge_count(self) -> int:
        return len(self.edge_u)

    @cached_property
    def adjacency(self) -> sparse.csr_matrix:
        """Symmetric CSR matrix of the shortest edge between each pair of nodes."""
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
        """Connected component of each node (0 is the largest)."""
        _, labels = connected_components(self.adjacency, directed=False)
        sizes = np.bincount(labels)
        rank = np.empty_like(sizes)
        rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
        return rank[labels]

    def component_sizes(self) -> np.ndarray:
        """Node count of each component, largest first."""
        return np.bincount(self.component_labels)


def build_network(lines: gpd.GeoDataFrame, crs: CRS | str | None = None) -> WalkingNetwork:
    """Node the lines at every crossing and return the graph in a metric CRS.

    ``crs`` defaults to the plane rectangular zone of the lines' area (see :mod:`geo_welfare.core.crs`).
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
