"""Where residents live, at street level: each small area's population spread along its streets.

A census small area reports how many people live in it, not where.  Putting everyone on the
centroid overstates or understates reach wholesale (a centroid in a park, a large rural 字).  Here
each small area's counts are spread evenly over its walkable street length, as points every
``spacing`` metres along the streets inside it (people live along streets); an area with no
street inside keeps its counts at a representative point.  Because the points carry the
population, any other area unit (school districts that cut across 町丁) is summed from the
points inside it: one method for every unit, nested or not.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_welfare.network.graph import WalkingNetwork

COUNTS = ("total", "age_65_plus", "age_75_plus")


def _lines_only(geometry: shapely.Geometry) -> shapely.Geometry:
    """The linear part of a clipped street (a clip can add stray points where a street touches a border)."""
    if geometry.geom_type in ("LineString", "MultiLineString"):
        return geometry
    return shapely.MultiLineString([g for g in shapely.get_parts(geometry) if g.geom_type == "LineString"])


def spread_population(small_areas: gpd.GeoDataFrame, counts: pd.DataFrame, network: WalkingNetwork,
                      spacing: float = 50.0, columns: tuple[str, ...] = COUNTS) -> gpd.GeoDataFrame:
    """Points (network CRS) with the share of their small area's counts they stand for.

    ``small_areas`` has ``code`` and polygons; ``counts`` has ``area_code`` and the columns in
    :data:`COUNTS` (rows of one code are summed; suppressed counts (NA) count as 0).
    """
    areas = small_areas.to_crs(network.crs)
    totals = counts.groupby("area_code")[list(columns)].sum(min_count=1).fillna(0)
    tree = shapely.STRtree(network.edge_geometry)
    area_index, edge_index = tree.query(areas.geometry.values, predicate="intersects")
    pieces = shapely.intersection(network.edge_geometry[edge_index], areas.geometry.values[area_index])
    lengths = shapely.length(pieces)
    xs, ys, owners, share = [], [], [], []
    per_area_length = np.bincount(area_index, weights=lengths, minlength=len(areas))
    for owner, piece, length in zip(area_index, pieces, lengths):
        if length <= 0:
            continue
        steps = max(1, int(np.ceil(length / spacing)))
        positions = (np.arange(steps) + 0.5) * (length / steps)
        points = shapely.line_interpolate_point(_lines_only(piece), positions)
        coordinates = shapely.get_coordinates(points)
        xs.extend(coordinates[:, 0])
        ys.extend(coordinates[:, 1])
        owners.extend([owner] * steps)
        share.extend([length / steps / per_area_length[owner]] * steps)
    streetless = np.flatnonzero(per_area_length <= 0)
    for owner in streetless:
        point = areas.geometry.values[owner].representative_point()
        xs.append(point.x)
        ys.append(point.y)
        owners.append(owner)
        share.append(1.0)
    owners_array = np.asarray(owners, dtype=np.int64)
    codes = areas["code"].to_numpy()[owners_array]
    frame = gpd.GeoDataFrame({"area_code": codes, "share": share},
                             geometry=gpd.points_from_xy(xs, ys), crs=network.crs)
    for column in columns:
        frame[column] = frame["share"] * frame["area_code"].map(totals[column]).fillna(0).to_numpy()
    return frame


def unit_of_points(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame, tolerance: float = 1.0) -> pd.Series:
    """The code of the unit holding each point; points on a shared border count once (the first unit).

    Points within ``tolerance`` metres outside every unit (a street along the town's edge, where
    the units' lon/lat rounding leaves a few millimetres) go to the nearest unit; farther ones get NA.
    """
    polygons = units.to_crs(points.crs)[["code", "geometry"]]
    inside = gpd.sjoin(points[["geometry"]], polygons, how="left", predicate="intersects")
    inside = inside[~inside.index.duplicated(keep="first")]["code"].reindex(points.index)
    missing = inside.isna()
    if missing.any():
        near = gpd.sjoin_nearest(points.loc[missing, ["geometry"]], polygons, how="left", max_distance=tolerance)
        near = near[~near.index.duplicated(keep="first")]["code"]
        inside.loc[missing] = near.reindex(inside.index[missing]).to_numpy()
    return inside
