"""Where residents live, at street level: each small area's population spread along its streets.

A census small area reports how many people live in it, not where.  Putting everyone on the
centroid overstates or understates reach wholesale (a centroid in a park, a large rural 字).  Here
each small area's counts are spread evenly over its walkable street length (people live along
streets).  Every street edge carries points at the middles of equal steps of at most ``spacing``
metres; each point stands for its step's length of street and belongs to the small area it lies
in, and an area's people are shared among its points by that length.  An area with no point
inside (no street, or only a stub shorter than half a step) keeps its counts at a representative
point.  Because the points carry the population, any other area unit (school districts that cut
across 町丁) is summed from the points inside it: one method for every unit, nested or not.

Each street point also records its edge and metres along it (``edge``, ``along``), so walking
analyses place it on the network exactly, without a nearest-edge search
(:func:`resident_positions`); only representative points (``edge`` −1) are snapped.
"""

from __future__ import annotations

import hashlib
import threading
import weakref

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped, edge_tree, snap_points

COUNTS = ("total", "age_65_plus", "age_75_plus")


def _street_points(network: WalkingNetwork, edges: np.ndarray, spacing: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The step middles of ``edges``: (edge index, metres along the edge, metres of street each stands for)."""
    length = network.edge_length[edges]
    steps = np.maximum(1, np.ceil(length / spacing).astype(np.int64))
    edge = np.repeat(edges, steps)
    step_length = np.repeat(length / steps, steps)
    first = np.cumsum(steps) - steps
    counter = np.arange(len(edge)) - np.repeat(first, steps)
    return edge, (counter + 0.5) * step_length, step_length


def spread_population(small_areas: gpd.GeoDataFrame, counts: pd.DataFrame, network: WalkingNetwork,
                      spacing: float = 50.0, columns: tuple[str, ...] = COUNTS) -> gpd.GeoDataFrame:
    """Each small area's population spread evenly along its streets, as points.

    A census small area says how many live in it, not where; people live along streets, so every
    edge carries points at the middles of equal steps of at most ``spacing`` metres, each standing
    for its step's length of street in the small area it lies in.  An area with no such point keeps
    its counts at one representative point.  Any other area unit is then summed from the points
    inside it (:func:`unit_of_points`).

    Parameters
    ----------
    small_areas : geopandas.GeoDataFrame
        Census small areas with ``code`` and polygons, any declared CRS.
    counts : pandas.DataFrame
        ``area_code`` and the ``columns`` (persons); rows of one code are summed, suppressed
        counts (NA) count as 0, and areas without a row get 0.
    network : WalkingNetwork
        The streets.
    spacing : float, default 50
        Longest step between points along a street, metres.
    columns : tuple of str, default ("total", "age_65_plus", "age_75_plus")
        The count columns to spread.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per point, in the network's CRS: ``area_code``, ``share`` (of its area's counts),
        ``edge`` and ``along`` (its edge and metres along it; −1 and 0 for a representative
        point), the point geometry and each of ``columns`` (persons, fractional).  Each area's
        points sum to its counts.
    """
    areas = small_areas.to_crs(network.crs)
    polygons = np.asarray(areas.geometry.values, dtype=object)  # a plain array: no pandas ufunc detour
    shapely.prepare(polygons)
    totals = counts.groupby("area_code")[list(columns)].sum(min_count=1).fillna(0)
    # Which area each point lies in: an edge wholly inside one area gives it all its points at once;
    # the points of edges that cross a border are tested against each area the edge meets.  A point
    # on a border between two areas goes to the first; a point outside every area to none.
    area_index, edge_index = edge_tree(network).query(polygons)  # boxes only: the tests below are exact
    inside = shapely.contains_properly(polygons[area_index], network.edge_geometry[edge_index])
    edges = np.unique(edge_index)  # only the streets of these areas (one ward need not walk the city)
    edge, along, stands_for = _street_points(network, edges, spacing)
    xy = _positions(network, edges, edge, along)
    edge_owner = np.full(network.edge_count, -1, dtype=np.int64)
    edge_owner[edge_index[inside]] = area_index[inside]
    owner = edge_owner[edge]
    pair_area, pair_edge = area_index[~inside], edge_index[~inside]
    per_edge = np.bincount(edge, minlength=network.edge_count)
    point_start = np.cumsum(per_edge) - per_edge
    repeats = per_edge[pair_edge]
    test_area = np.repeat(pair_area, repeats)
    test_point = np.repeat(point_start[pair_edge], repeats) + (np.arange(repeats.sum())
                                                                - np.repeat(np.cumsum(repeats) - repeats, repeats))
    hit = shapely.intersects_xy(polygons[test_area], xy[test_point, 0], xy[test_point, 1])
    hit_point, hit_area = test_point[hit], test_area[hit]
    order = np.lexsort((hit_area, hit_point))
    hit_point, hit_area = hit_point[order], hit_area[order]
    first = np.ones(len(hit_point), dtype=bool)
    first[1:] = hit_point[1:] != hit_point[:-1]
    unowned = owner[hit_point[first]] < 0
    owner[hit_point[first][unowned]] = hit_area[first][unowned]
    placed = owner >= 0
    edge, along, stands_for, xy, owner = edge[placed], along[placed], stands_for[placed], xy[placed], owner[placed]
    per_area_length = np.bincount(owner, weights=stands_for, minlength=len(areas))
    share = stands_for / per_area_length[owner]
    streetless = np.flatnonzero(per_area_length <= 0)
    kept_points = shapely.get_coordinates(shapely.point_on_surface(polygons[streetless])).reshape(-1, 2)
    all_xy = np.vstack([xy, kept_points])
    owners = np.concatenate([owner, streetless]).astype(np.int64)
    frame = gpd.GeoDataFrame({"area_code": areas["code"].to_numpy()[owners],
                              "share": np.concatenate([share, np.ones(len(streetless))]),
                              "edge": np.concatenate([edge, np.full(len(streetless), -1)]),
                              "along": np.concatenate([along, np.zeros(len(streetless))])},
                             geometry=shapely.points(all_xy), crs=network.crs)
    per_area = totals.reindex(areas["code"]).fillna(0).to_numpy(dtype=float)  # areas × columns
    share_all = frame["share"].to_numpy()
    for i, column in enumerate(columns):
        frame[column] = share_all * per_area[owners, i]
    return frame


def _positions(network: WalkingNetwork, edges: np.ndarray, edge: np.ndarray, along: np.ndarray) -> np.ndarray:
    """x, y of the points ``along`` metres down ``edge`` (sorted by edge, each of ``edges``), interpolated in NumPy.

    The same arithmetic as ``shapely.line_interpolate_point``, over all the edges' vertices at once:
    one cumulative length along every edge laid end to end, one search for each point's segment.
    """
    coordinates, owner = shapely.get_coordinates(network.edge_geometry[edges], return_index=True)
    step = np.hypot(*np.diff(coordinates, axis=0).T)
    step[owner[1:] != owner[:-1]] = 0.0  # no length between one edge's end and the next edge's start
    cumulative = np.concatenate([[0.0], np.cumsum(step)])
    first_vertex = np.searchsorted(owner, np.arange(len(edges)))
    position = np.searchsorted(edges, edge)  # each point's edge among ``edges``
    start = cumulative[first_vertex][position]
    target = start + np.minimum(along, network.edge_length[edge])
    last_vertex = np.append(first_vertex[1:], len(coordinates)) - 1
    segment = np.clip(np.searchsorted(cumulative, target, side="right") - 1, first_vertex[position],
                      last_vertex[position] - 1)
    length = cumulative[segment + 1] - cumulative[segment]
    fraction = np.where(length > 0, (target - cumulative[segment]) / np.where(length > 0, length, 1.0), 0.0)
    return coordinates[segment] + fraction[:, None] * (coordinates[segment + 1] - coordinates[segment])


def resident_positions(points: gpd.GeoDataFrame, network: WalkingNetwork) -> Snapped:
    """Where the spread points stand on the network, without a nearest-edge search for street points.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Points of :func:`spread_population` (``edge``, ``along``, geometry) in the network's CRS.
    network : WalkingNetwork
        The network they were spread on.

    Returns
    -------
    Snapped
        Street points on their own edge at ``along`` with offset 0; representative points
        (``edge`` −1) snapped to their nearest edge.
    """
    edge = points["edge"].to_numpy(dtype=np.int64).copy()
    along = points["along"].to_numpy(dtype=float).copy()
    offset = np.zeros(len(points))
    loose = np.flatnonzero(edge < 0)
    if len(loose):
        geometry = points.geometry.values[loose]
        snapped = snap_points(network, point_xy(geometry))
        edge[loose], along[loose], offset[loose] = snapped.edge, snapped.along, snapped.offset
    return Snapped(edge, along, offset)


def point_xy(points: np.ndarray) -> np.ndarray:
    """Coordinates of Point geometries, shape (n, 2) (NaN for a missing one).

    GeoPandas' ``.x`` and ``.y`` first check every geometry's type, which for a city's residents
    cost more than reading the coordinates.
    """
    values = np.asarray(points, dtype=object)
    return np.column_stack([shapely.get_x(values), shapely.get_y(values)])


def first_polygon_holding(xy: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """For each point, the first of ``polygons`` it lies in or on (−1 for none).

    Each polygon is prepared once and tested against only the points in its box
    (``intersects_xy``), which for a city's 167,000 residents in 202 detailed school districts
    is several times faster than a spatial join testing every candidate pair unprepared.  The
    points in a box come from the points sorted by x (a slice, then a test of y), not from a tree
    of Point objects, whose making cost more than the tests.

    Parameters
    ----------
    xy : numpy.ndarray
        Points, shape (n, 2).
    polygons : numpy.ndarray
        Polygons in the same CRS.

    Returns
    -------
    numpy.ndarray
        Shape (n,), int64: the lowest index of a polygon holding each point, or −1.
    """
    holder = np.full(len(xy), -1, dtype=np.int64)
    if len(xy) == 0:
        return holder
    # The points in a polygon's box (edges included, as a tree's box query) from the points sorted by x:
    # one slice and a test of y, without making a Point object for each of a city's residents.
    order = np.argsort(xy[:, 0], kind="stable")
    xs, ys = xy[order, 0], xy[order, 1]
    for index, polygon in enumerate(polygons):
        if polygon is None or shapely.is_empty(polygon):
            continue
        xmin, ymin, xmax, ymax = shapely.bounds(polygon)
        low, high = np.searchsorted(xs, xmin, side="left"), np.searchsorted(xs, xmax, side="right")
        band = ys[low:high]
        candidates = order[low:high][(band >= ymin) & (band <= ymax)]
        candidates = candidates[holder[candidates] < 0]
        if len(candidates):
            shapely.prepare(polygon)
            hit = shapely.intersects_xy(polygon, xy[candidates, 0], xy[candidates, 1])
            holder[candidates[hit]] = index
    return holder


#: The units of each set of points asked before, by the points' geometry array (dropped with it):
#: a planner's coverage table and its gaps ask the same residents for the same districts, each
#: threshold again, and a city's 167,000 residents in 202 districts cost 0.1–0.2 s each time.
_KEPT_UNITS: dict[int, tuple[weakref.ref, dict[str, np.ndarray]]] = {}  # id → (the array, its answers)
_KEPT_LOCK = threading.Lock()
#: Sets of units kept per set of points (the planner's units: small areas, districts, 圏域 …).
KEPT_UNIT_SETS = 8


def _forget(key: int):
    """A weak reference's callback: drop the answers of a geometry array that is gone."""
    def forget(reference: weakref.ref) -> None:
        with _KEPT_LOCK:
            if key in _KEPT_UNITS and _KEPT_UNITS[key][0] is reference:
                del _KEPT_UNITS[key]
    return forget


def _fingerprint(polygons: gpd.GeoDataFrame, tolerance: float) -> str:
    """What the answer depends on besides the points: the units' codes and exact shapes, and the tolerance."""
    digest = hashlib.sha256(repr(float(tolerance)).encode())
    digest.update("\x1f".join(map(str, polygons["code"].tolist())).encode())
    for blob in shapely.to_wkb(np.asarray(polygons.geometry.values, dtype=object)):
        digest.update(blob if blob is not None else b"\x00")
    return digest.hexdigest()


def unit_of_points(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame, tolerance: float = 1.0) -> pd.Series:
    """The code of the unit holding each point; points on a shared border count once (the first unit).

    The answer is kept for the same points (the same geometry array) and units of the same codes
    and shapes, so asking again costs a hash of the units' shapes (a few milliseconds).

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Points in a metric CRS.
    units : geopandas.GeoDataFrame
        Area units with ``code`` and polygons, any declared CRS (reprojected to the points').
    tolerance : float, default 1.0
        Points within this many metres outside every unit (a street along the town's edge, where
        the units' lon/lat rounding leaves a few millimetres) go to the nearest unit.

    Returns
    -------
    pandas.Series
        Unit code per point, indexed like ``points``; NA for points farther outside.
    """
    polygons = units.to_crs(points.crs)[["code", "geometry"]]
    geometry, key = points.geometry.values, _fingerprint(polygons, tolerance)
    with _KEPT_LOCK:
        entry = _KEPT_UNITS.get(id(geometry))
        codes = entry[1].get(key) if entry is not None and entry[0]() is geometry else None
    if codes is None:
        codes = _unit_codes(points, polygons, tolerance)
        with _KEPT_LOCK:
            entry = _KEPT_UNITS.get(id(geometry))
            if entry is None or entry[0]() is not geometry:  # (the array is not hashable: kept by id)
                entry = _KEPT_UNITS[id(geometry)] = (weakref.ref(geometry, _forget(id(geometry))), {})
            kept = entry[1]
            kept[key] = codes
            while len(kept) > KEPT_UNIT_SETS:
                kept.pop(next(iter(kept)))
    return pd.Series(codes, index=points.index, dtype=object).copy()


def _unit_codes(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, tolerance: float) -> np.ndarray:
    """:func:`unit_of_points`' answer worked out: codes per point as an object array (NA outside)."""
    holder = first_polygon_holding(point_xy(points.geometry.values), polygons.geometry.values)
    codes = polygons["code"].to_numpy(dtype=object)
    inside = pd.Series(np.where(holder >= 0, codes[np.maximum(holder, 0)], None), index=points.index, dtype=object)
    inside[holder < 0] = pd.NA
    missing = inside.isna()
    if missing.any():
        near = gpd.sjoin_nearest(points.loc[missing, ["geometry"]], polygons, how="left", max_distance=tolerance)
        near = near[~near.index.duplicated(keep="first")]["code"]
        inside.loc[missing] = near.reindex(inside.index[missing]).to_numpy()
    return inside.to_numpy(dtype=object)
