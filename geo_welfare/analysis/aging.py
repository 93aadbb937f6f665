"""高齢化率 by any area unit, from the population joined to census small areas.

Small areas sum their own rows.  Other units (school districts, daily-life areas) rarely nest in
small areas, so each small area's counts are shared among the units it overlaps: along its
streets when a walking network is given (people live along streets; see
:mod:`geo_welfare.analysis.spread`), otherwise by overlapping area.  Rows whose ages were
suppressed ('x') count in the total but not in the rate's denominator.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo_welfare.analysis.spread import spread_population, unit_of_points
from geo_welfare.network.graph import WalkingNetwork

SHARED = ("total", "total_known_ages", "age_65_plus", "age_75_plus")


def _per_small_area(population: pd.DataFrame) -> pd.DataFrame:
    rows = population[population["area_code"].notna()].copy()
    known = rows["age_65_plus"].notna()
    rows["total_known_ages"] = rows["total"].where(known, 0)
    for column in ("total", "age_65_plus", "age_75_plus"):
        rows[column] = rows[column].astype("Float64").fillna(0)
    return rows.groupby("area_code")[list(SHARED)].sum().reset_index()


def _area_weights(small_areas: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Share of each small area's surface inside each unit (metric CRS for areas)."""
    from geo_welfare.core.crs import metric_crs_for_bounds
    crs = metric_crs_for_bounds(tuple(small_areas.total_bounds))
    left = small_areas[["code", "geometry"]].rename(columns={"code": "area_code"}).to_crs(crs)
    right = units[["code", "geometry"]].to_crs(crs)
    pieces = gpd.overlay(left, right, how="intersection", keep_geom_type=True)
    pieces["weight"] = pieces.area / pieces["area_code"].map(left.set_index("area_code").area)
    return pieces[["area_code", "code", "weight"]]


def aging_table(small_areas: gpd.GeoDataFrame, population: pd.DataFrame, units: gpd.GeoDataFrame | None = None,
                network: WalkingNetwork | None = None) -> pd.DataFrame:
    """高齢化率 and the 75+ share per area unit, from population joined to census small areas.

    Small areas sum their own rows.  Other units rarely nest in small areas, so each small area's
    counts are shared among the units it overlaps: along its streets with a network, otherwise by
    overlapping area.  Rows whose ages were suppressed count in ``total`` but not in the rates'
    denominator.

    Parameters
    ----------
    small_areas : geopandas.GeoDataFrame
        Census small areas with ``code``, ``name`` and polygons, lon/lat (EPSG:6668) as stored.
    population : pandas.DataFrame
        Rows with ``area_code`` (rows without one are left out), ``total``, ``age_65_plus`` and
        ``age_75_plus`` (persons; NA where suppressed).
    units : geopandas.GeoDataFrame, optional
        Other units (school districts, daily-life areas) with ``code``, ``name`` and polygons
        in any declared CRS.  None: one row per small area.
    network : WalkingNetwork, optional
        Streets to share small areas among ``units`` by
        (:func:`~geo_welfare.analysis.spread.spread_population`); None: share by overlapping area.

    Returns
    -------
    pandas.DataFrame
        One row per unit that holds any of the population, sorted by ``code``: ``code``,
        ``name``, ``total``, ``age_65_plus``, ``age_75_plus`` (persons; fractional when shared),
        ``aging_rate`` and ``share_75_plus`` (fractions 0–1 of the persons with known ages; NaN
        where none are known).
    """
    counts = _per_small_area(population)
    if units is None:
        table = counts.rename(columns={"area_code": "code"})
        names = small_areas.set_index("code")["name"]
    elif network is not None:
        points = spread_population(small_areas, counts, network, columns=SHARED)
        points["code"] = unit_of_points(points, units)
        table = points.groupby("code")[list(SHARED)].sum().reset_index()
        names = units.set_index("code")["name"]
    else:
        weights = _area_weights(small_areas, units).merge(counts, on="area_code")
        for column in SHARED:
            weights[column] = weights[column].astype(float) * weights["weight"]
        table = weights.groupby("code")[list(SHARED)].sum().reset_index()
        names = units.set_index("code")["name"]
    table.insert(1, "name", table["code"].map(names))
    denominator = table["total_known_ages"].astype(float).where(table["total_known_ages"] > 0)
    table["aging_rate"] = table["age_65_plus"].astype(float) / denominator
    table["share_75_plus"] = table["age_75_plus"].astype(float) / denominator
    return table.drop(columns="total_known_ages").sort_values("code").reset_index(drop=True)
