"""Gaps (planners): the parts of each district beyond walking reach, with the residents there, ranked.

A gap is a district minus the combined service area (:mod:`geo_welfare.analysis.service_areas`),
split into its separate pieces.  Its residents are the street-level points
(:mod:`geo_welfare.analysis.spread`) whose walk to the nearest place is over the limit: the same
test coverage uses, so a gap's 65+ and the district's uncovered 65+ are the same people.  A point
beyond reach can still stand inside the service area's polygon (a cul-de-sac 40 m behind a reached
street); it is counted in the nearest gap piece of its own district, so no one drops out of the
total.  Pieces are ranked by the older residents living in them, or by another target group's
(:mod:`geo_welfare.core.target_groups`: the children 0–14 for a 子ども食堂).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_welfare.analysis.spread import first_polygon_holding, point_xy, unit_of_points
from geo_welfare.analysis.walk_grid import WalkGrid
from geo_welfare.core.target_groups import DEFAULT_GROUP, TargetGroup

COUNTS = ("total", "age_65_plus", "age_75_plus")
#: Pieces smaller than this (m²) are slivers where a district's border runs along a reached street;
#: they are dropped, and anyone beyond reach standing in one is counted in the nearest real piece.
MIN_PIECE_M2 = 2500.0
#: A piece where nobody lives beyond reach is kept only from this size (m²) up: smaller ones are the
#: insides of blocks ringed by reached streets, and would bury the real gaps in a long list.
MIN_EMPTY_PIECE_M2 = 10000.0


def gap_areas(districts: gpd.GeoDataFrame, served: shapely.Geometry | WalkGrid, points: gpd.GeoDataFrame,
              walk_metres: np.ndarray, limit: float, min_piece_m2: float = MIN_PIECE_M2,
              min_empty_m2: float = MIN_EMPTY_PIECE_M2, group: TargetGroup = DEFAULT_GROUP) -> gpd.GeoDataFrame:
    """Pieces of ``districts`` outside ``served``, with the residents beyond ``limit``, ranked by the group's demand (65+).

    A resident beyond reach but inside ``served`` (a cul-de-sac behind a reached street) is
    counted in the nearest piece of their own district, so a district's gaps hold all of its
    uncovered residents.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        Districts with ``code``, ``name`` and polygons, any declared CRS (reprojected to the
        points' CRS).
    served : shapely.Geometry or WalkGrid
        The land within reach, in the points' metric CRS: a geometry
        (:func:`~geo_welfare.analysis.service_areas.land_within`), or the grid of walks
        (:func:`~geo_welfare.analysis.service_areas.land_grid`), which cuts each district only by
        the land that meets it, at ``limit``.
    points : geopandas.GeoDataFrame
        Resident points in a metric CRS with ``total``, ``age_65_plus``, ``age_75_plus`` (persons)
        (:func:`~geo_welfare.analysis.spread.spread_population`).
    walk_metres : numpy.ndarray
        Each point's walk to its nearest place, shape (n_points,), metres.
    limit : float
        Walk beyond which a resident is in a gap, metres.
    min_piece_m2 : float, default 2500
        Pieces smaller than this (m²) are slivers and dropped; their residents go to the
        nearest kept piece.
    min_empty_m2 : float, default 10000
        A piece where nobody lives beyond reach is kept only from this size (m²) up.
    group : TargetGroup, default the older residents
        Whom to count and rank by (:mod:`geo_welfare.core.target_groups`): its demand column
        (``age_65_plus``, ``age_0_14``, ``total``) orders the pieces.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per piece, most of the demand first (then largest), in the points' CRS: ``rank``
        (from 1), ``code``, ``name`` (the district), ``total`` and the group's counts (older:
        ``age_65_plus``, ``age_75_plus``; children: ``age_0_14``; persons beyond reach),
        ``area_m2`` and the polygon.  ``attrs["unplaced_65_plus"]`` (``unplaced_0_14``,
        ``unplaced_total``) holds the demand beyond reach who fell in no piece (their district has
        none, or they are in no district).
    """
    crs, counts, demand, tag = points.crs, group.columns, group.demand, group.tag  # ``group`` is reused below
    districts = districts.to_crs(crs)
    if isinstance(served, WalkGrid):
        remainder = served.outside(np.asarray(districts.geometry.values), limit)
    else:
        remainder = shapely.difference(districts.geometry.values, served)
    pieces = gpd.GeoDataFrame({"code": districts["code"].to_numpy(), "name": districts["name"].to_numpy()},
                              geometry=remainder, crs=crs).explode(index_parts=False, ignore_index=True)
    pieces = pieces[~pieces.geometry.is_empty & (pieces.geometry.area >= min_piece_m2)].reset_index(drop=True)
    outside = np.asarray(walk_metres) > limit
    beyond = points.loc[outside, ["geometry", *counts]].copy()
    # Every resident's district, kept for these residents: the coverage table asked it already.
    beyond["code"] = unit_of_points(points, districts).to_numpy()[outside]
    holder = first_polygon_holding(point_xy(beyond.geometry.values), pieces.geometry.values)
    same = (holder >= 0) & (pieces["code"].to_numpy(dtype=object)[np.maximum(holder, 0)]
                            == beyond["code"].to_numpy(dtype=object))
    beyond["piece"] = np.where(same, holder, -1)  # a piece of another district (on a border) does not count
    piece = beyond["piece"].to_numpy().copy()
    point_codes, piece_codes = beyond["code"].to_numpy(dtype=object), pieces["code"].to_numpy(dtype=object)
    points_xy, piece_shapes = beyond.geometry.values, pieces.geometry.values
    unplaced = np.flatnonzero(piece < 0)
    for code in pd.unique(point_codes[unplaced]):  # plain arrays: a pandas filter per district cost seconds
        if pd.isna(code):
            continue
        group = unplaced[point_codes[unplaced] == code]
        own = np.flatnonzero(piece_codes == code)
        if len(own):
            nearest = shapely.STRtree(piece_shapes[own]).query_nearest(points_xy[group], all_matches=False)
            piece[group[nearest[0]]] = own[nearest[1]]
    beyond["piece"] = piece
    placed = beyond[beyond["piece"] >= 0]
    sums = placed.groupby("piece")[list(counts)].sum().reindex(pieces.index, fill_value=0.0)
    result = pieces.assign(**{column: sums[column].to_numpy() for column in counts},
                           area_m2=pieces.geometry.area)
    result = result[(result[demand] > 0) | (result["total"] > 0) | (result["area_m2"] >= min_empty_m2)]
    result = result.sort_values([demand, "area_m2"], ascending=False, kind="stable").reset_index(drop=True)
    result.insert(0, "rank", np.arange(1, len(result) + 1))
    result.attrs[f"unplaced_{tag}"] = float(beyond.loc[beyond["piece"] < 0, demand].sum())
    return result[["rank", "code", "name", *counts, "area_m2", "geometry"]]
