"""Coverage (planners): how many residents of a group live within N minutes' walk of a place.

Residents are the street-level points of :mod:`geo_welfare.analysis.spread`.  One Dijkstra run
from a virtual source joined to every chosen place (by the walk from the place to each end of its
street) gives each point the walk to its nearest place; a point counts as covered when that walk
is within the threshold.  Results are summed per small area and per any other area unit, for the
older residents (65+ and 75+) or another target group (:mod:`geo_welfare.core.target_groups`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from geo_welfare.analysis.spread import unit_of_points
from geo_welfare.network.distance import walking_minutes
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH
from geo_welfare.core.target_groups import DEFAULT_GROUP, TargetGroup, covered_column, share_column


#: Added to every virtual link and taken off afterwards: a place standing exactly on a street corner
#: has a link of length 0, and SciPy's sparse arithmetic drops explicit zeros (the link would vanish).
#: Every path from the virtual source uses exactly one link, so the shift is exact.
LINK_SHIFT = 1.0


def walk_from_resources(network: WalkingNetwork, resources: Snapped) -> np.ndarray:
    """Walking metres from every node to its nearest place, by one Dijkstra run from all places.

    A virtual source joined to each end of every place's street (by the place's walk to that end)
    makes one search answer for all places at once.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    places : Snapped
        The places on the network.

    Returns
    -------
    numpy.ndarray
        Shape (n_nodes,), metres; ``inf`` where no place is reachable.
    """
    n = network.node_count
    ends = np.concatenate([network.edge_u[resources.edge], network.edge_v[resources.edge]])
    costs = np.concatenate([resources.offset + resources.along,
                            resources.offset + network.edge_length[resources.edge] - resources.along])
    # Keep the cheapest link when several places share an end node (csr sums duplicates otherwise).
    order = np.lexsort((costs, ends))
    first = np.ones(len(ends), dtype=bool)
    first[1:] = ends[order][1:] != ends[order][:-1]
    source = sparse.csr_matrix((costs[order][first] + LINK_SHIFT, (np.full(first.sum(), n), ends[order][first])),
                               shape=(n + 1, n + 1))
    graph = sparse.bmat([[network.adjacency, None], [None, sparse.csr_matrix((1, 1))]], format="csr") + source
    return dijkstra(graph, directed=True, indices=n)[:n] - LINK_SHIFT


def distance_to_nearest(network: WalkingNetwork, resources: Snapped, points: Snapped) -> np.ndarray:
    """Walking metres from each point to its nearest place over the streets.

    Exact on the graph (:func:`walk_from_places`, plus the straight walk along a street a point
    shares with a place), and one search whatever the number of places.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    places : Snapped
        The places on the network.
    points : Snapped
        The points (e.g. :func:`~geo_welfare.analysis.spread.resident_positions`).

    Returns
    -------
    numpy.ndarray
        Shape (n_points,), metres; ``inf`` where no place is reachable.
    """
    from_resources = walk_from_resources(network, resources)
    # Streets are two-way: the network part was symmetric; the virtual links only leave the source.
    u, v = network.edge_u[points.edge], network.edge_v[points.edge]
    result = np.minimum(from_resources[u] + points.along,
                        from_resources[v] + network.edge_length[points.edge] - points.along) + points.offset
    # A place on the same street as the point may be reached along it directly.
    on_edge = pd.DataFrame({"edge": resources.edge, "along": resources.along, "offset": resources.offset})
    for edge, group in on_edge.groupby("edge"):
        hits = np.flatnonzero(points.edge == edge)
        if len(hits):
            direct = (np.abs(points.along[hits, None] - group["along"].to_numpy()[None, :])
                      + group["offset"].to_numpy()[None, :]).min(axis=1) + points.offset[hits]
            result[hits] = np.minimum(result[hits], direct)
    return result


def coverage_by_area(points: gpd.GeoDataFrame, walk_metres: np.ndarray, minutes: float,
                     speed_kmh: float = DEFAULT_WALKING_SPEED_KMH, units: gpd.GeoDataFrame | None = None,
                     group: TargetGroup = DEFAULT_GROUP) -> pd.DataFrame:
    """Residents of ``group`` (65+ and 75+ by default) within ``minutes``' walk of a place, per small area (or unit).

    A point counts as covered when its walk to the nearest place takes at most ``minutes``.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Resident points (:func:`~geo_welfare.analysis.spread.spread_population`) with ``total``,
        the group's counts (persons) and ``area_code`` (used when ``units`` is None).
    walk_metres : numpy.ndarray
        Each point's walk to its nearest place, shape (n_points,), metres
        (:func:`distance_to_nearest`; ``inf`` where none is reachable).
    minutes : float
        Threshold, minutes of walk (included).
    speed_kmh : float, default 4.0
        Walking speed, km/h.
    units : geopandas.GeoDataFrame, optional
        Area units with ``code`` and polygons, any declared CRS; None: the points' small areas.
    group : TargetGroup, default the older residents
        Whom to count (:mod:`geo_welfare.core.target_groups`).

    Returns
    -------
    pandas.DataFrame
        One row per ``code`` (NaN for points in no unit): ``total`` and each of the group's counts
        (persons), then each count's ``…_covered`` (persons) and ``share_…_covered`` (fractions
        0–1; NaN without residents of it).  For the older group: ``total``, ``age_65_plus``,
        ``age_75_plus``, ``age_65_plus_covered``, ``age_75_plus_covered``,
        ``share_65_plus_covered``, ``share_75_plus_covered``; for children ``age_0_14``,
        ``age_0_14_covered``, ``share_0_14_covered``; for everyone ``total_covered``, ``share_total_covered``.
    """
    covered = walking_minutes(walk_metres, speed_kmh) <= minutes
    people = list(group.columns)
    frame = pd.DataFrame({column: points[column] for column in people})
    frame["covered"] = covered
    if units is None:
        frame["code"] = points["area_code"].to_numpy()
    else:
        frame["code"] = unit_of_points(points, units).to_numpy()
    for column in group.counts:
        frame[covered_column(column)] = frame[column].where(frame["covered"], 0.0)
    table = frame.groupby("code", dropna=False)[people + [covered_column(c) for c in group.counts]].sum()
    for column in group.counts:
        table[share_column(column)] = table[covered_column(column)] / table[column].where(table[column] > 0)
    return table.reset_index()
