"""Where new bases could go: candidate sites from a grid, from stored places, or from points a planner clicks.

A planner rarely has a list of buildings to hand.  The page and the CLI therefore offer, beside the
imported candidate list, a square grid over the residents' small areas, every stored place of a
kind (each 公民館 as a possible 拠点), and points placed on the map.  Each candidate frame has the
same columns (``id``, ``name``, ``kind``, ``address``, a point in lon/lat), so :func:`planning.plan
<geo_welfare.analysis.planning.plan>` takes any of them.

A chosen site is told by an address a person recognises: its own where the candidate has one, else
the small area (町丁・字) it stands in, marked as near (「南1条西10丁目付近」): a grid point has no
address of its own, and the small area's name is the finest name the store knows for certain.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_welfare.analysis.spread import first_polygon_holding
from geo_welfare.analysis.study import Study
from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.words import t

#: The most points a planner may place by hand on the page: more is a grid's job.
MAX_CLICKED = 200


def grid_candidates(study: Study, spacing: float, lang: str | None = None) -> gpd.GeoDataFrame:
    """Candidate sites on a square grid over the small areas, for when no list of buildings exists.

    Parameters
    ----------
    study : Study
        The inputs; the grid covers its small areas.
    spacing : float
        Grid step, metres in :attr:`Study.crs`.
    lang : str, optional
        The language of the points' names (格子点 1 …).

    Returns
    -------
    geopandas.GeoDataFrame
        The grid points inside a small area, in lon/lat (EPSG:6668): ``id`` (from 1),
        ``name`` (``"格子点 1"`` …), ``kind`` ``"grid"`` and no ``address``.
    """
    areas = study.small_areas.to_crs(study.crs)
    minx, miny, maxx, maxy = areas.total_bounds
    xs, ys = np.meshgrid(np.arange(minx + spacing / 2, maxx, spacing), np.arange(miny + spacing / 2, maxy, spacing))
    points = gpd.GeoSeries(gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=study.crs)
    inside = points[points.intersects(shapely.union_all(areas.geometry.values))]
    names = [t("candidate_grid_name", lang, number=i + 1) for i in range(len(inside))]
    return gpd.GeoDataFrame({"id": np.arange(1, len(inside) + 1), "name": names, "kind": "grid", "address": None},
                            geometry=inside.values, crs=study.crs).to_crs(STORAGE_CRS)


def place_candidates(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Stored places (of one kind, as read from the store) as candidate sites, with their own names and addresses."""
    return gpd.GeoDataFrame({"id": places["id"].to_numpy(), "name": places["name"].to_numpy(),
                             "kind": places["kind"].to_numpy(),
                             "address": places["address"].to_numpy() if "address" in places else None},
                            geometry=places.geometry.values, crs=places.crs).to_crs(STORAGE_CRS)


def point_candidates(points: Sequence[tuple[float, float]], lang: str | None = None) -> gpd.GeoDataFrame:
    """Points a planner placed (lon, lat), numbered in the order placed (地図上の候補 1 …)."""
    names = [t("candidate_point_name", lang, number=i + 1) for i in range(len(points))]
    return gpd.GeoDataFrame({"id": np.arange(1, len(points) + 1), "name": names, "kind": "point", "address": None},
                            geometry=[shapely.Point(lon, lat) for lon, lat in points], crs=STORAGE_CRS)


def site_addresses(sites: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, small_areas: gpd.GeoDataFrame,
                   lang: str | None = None) -> list[str]:
    """The address each chosen site is known by: the candidate's own, else its small area, marked as near.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Chosen sites with the candidates' ``id``.
    candidates : geopandas.GeoDataFrame
        The candidates they were chosen from (``id``, optional ``address``).
    small_areas : geopandas.GeoDataFrame
        The study's small areas (``municipality_name``, ``name``).
    lang : str, optional
        The language of 「…付近」.

    Returns
    -------
    list of str
        One per site, in order; empty where the site stands in no small area and has no address.
    """
    own = {}
    if "address" in candidates:
        own = {key: value for key, value in zip(candidates["id"], candidates["address"])
               if isinstance(value, str) and value.strip()}
    areas = small_areas.to_crs(STORAGE_CRS)
    holding = first_polygon_holding(shapely.get_coordinates(sites.to_crs(STORAGE_CRS).geometry.values),
                                   areas.geometry.values)
    result = []
    for key, index in zip(sites["id"], holding):
        if key in own:
            result.append(own[key])
        elif index >= 0:
            area = areas.iloc[int(index)]
            place = " ".join(str(part) for part in (area.get("municipality_name"), area.get("name"))
                             if isinstance(part, str) and part)
            result.append(t("candidate_near", lang, place=place))
        else:
            result.append("")
    return result


def with_addresses(sites: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, small_areas: gpd.GeoDataFrame,
                   lang: str | None = None) -> gpd.GeoDataFrame:
    """``sites`` with an ``address`` column after ``name`` (:func:`site_addresses`)."""
    result = sites.copy()
    position = list(result.columns).index("name") + 1 if "name" in result else len(result.columns)
    result.insert(position, "address", pd.Series(site_addresses(sites, candidates, small_areas, lang),
                                                  index=result.index, dtype=object))
    return result
