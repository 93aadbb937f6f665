"""The planner's questions asked of a :class:`~geo_welfare.analysis.study.Study`: coverage, gaps, capacity, new bases.

Each function turns the pure analyses' results back into lon/lat layers and tables for the CLI
and the web, with the ``method`` (``network`` or ``straight_line``) on every row.  A study of one
area (``open_study(within=…)``, :mod:`geo_welfare.analysis.within`) sums by the units overlapping
it, cut to it, and refuses a walk longer than its margin of places allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from geo_welfare.analysis import candidates as candidate_sites
from geo_welfare.analysis.candidates import grid_candidates  # noqa: F401  (part of this module's face)
from geo_welfare.analysis.coverage import coverage_by_area
from geo_welfare.analysis.gaps import gap_areas
from geo_welfare.analysis.service_areas import BUFFER_METRES, land_within
from geo_welfare.analysis.study import SMALL_AREA, PlanningInputError, Study
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH, STORAGE_CRS
from geo_welfare.core.target_groups import TargetGroup, covered_column, require_counts, share_column, target_group
from geo_welfare.core.walking import walk_metres
from geo_welfare.core.words import word
from geo_welfare.store import read


def _check_walk(study: Study, metres: float, *, buffered: bool = False) -> None:
    """A study of one area answers walks up to its margin only (:meth:`~geo_welfare.analysis.within.Within.check_walk`)."""
    if study.within is not None:
        study.within.check_walk(metres, buffered=buffered)


def _places_reaching(study: Study, metres: float) -> gpd.GeoDataFrame:
    """The study's places whose walk of ``metres`` may reach its area (all of them for a whole store)."""
    if study.within is None:
        return study.resources
    return study.resources[study.within.keep_places(study.resources, study.crs, metres)].reset_index(drop=True)


def _small_areas(study: Study) -> gpd.GeoDataFrame:
    """The study's small areas as units to cut: a ward's as they are, those of another area cut to it."""
    return study.small_areas if study.within is None or study.within.by_code else study.within.clip(study.small_areas)


def _group(study: Study, group: str | TargetGroup | None) -> TargetGroup:
    """The group asked for, once its counts are known to be in the study's population (never zeros for unknown)."""
    chosen = target_group(group)
    require_counts(study.population, chosen, study.dataset)
    return chosen


def study_units(engine: Engine, study: Study, unit: str) -> gpd.GeoDataFrame | None:
    """The units a study's table is summed by (None: its small areas), cut to a study of one area; refused
    (naming the unit) when the store holds none.  Every table of people by unit asks this."""
    if unit == SMALL_AREA:
        return None
    units = read.read_areas(engine, unit)
    if study.within is not None:
        units = study.within.clip(units)  # a study of one area sums by the units in it, cut to it
    if len(units) == 0:
        raise PlanningInputError("no_areas_of_unit_stored", unit=unit)
    return units


def coverage(engine: Engine, study: Study, minutes: Sequence[float], unit: str = SMALL_AREA,
             speed_kmh: float = DEFAULT_WALKING_SPEED_KMH, lang: str = "ja",
             group: str | TargetGroup | None = None) -> pd.DataFrame:
    """Residents of ``group`` (older by default) within each walking threshold of a place, per unit and in all.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store (for the units' polygons).
    study : Study
        The inputs; its ``resources`` are the places.
    minutes : sequence of float
        Thresholds, minutes of walk.
    unit : str, default "small_area"
        Area unit to sum by, as stored (e.g. a school-district unit).
    speed_kmh : float, default 4.0
        Walking speed, km/h.
    lang : str, default "ja"
        The language of the whole-area row's name (the catalogue's ``total_row``).
    group : str or TargetGroup, optional
        Whom to count (:mod:`geo_welfare.core.target_groups`); None: the older residents.

    Returns
    -------
    pandas.DataFrame
        One row per unit × threshold, plus per threshold a whole-area row (``code`` ``"*"``,
        ``name`` the catalogue's ``total_row``, （全体） in Japanese): ``code``, ``name``, ``minutes`` and the columns of
        :func:`~geo_welfare.analysis.coverage.coverage_by_area` (persons, shares 0–1), and
        ``method``.

    Raises
    ------
    PlanningInputError
        If the store holds no areas of ``unit``.
    MissingCounts
        If the study's population dataset has none of the group's counts.
    """
    group = _group(study, group)
    _check_walk(study, walk_metres(max(minutes), speed_kmh))
    walk = study.walk_to_nearest(study.resources)
    units = study_units(engine, study, unit)
    names = (units if units is not None else study.small_areas).set_index("code")["name"]
    whole_name = word("total_row", lang)
    tables = []
    for threshold in minutes:
        table = coverage_by_area(study.residents, walk, threshold, speed_kmh, units=units, group=group)
        whole = table[[*group.columns, *(covered_column(column) for column in group.counts)]].sum()
        total_row = pd.DataFrame([{"code": "*", **whole.to_dict()}])
        table = pd.concat([table, total_row], ignore_index=True)
        for column in group.counts:
            table[share_column(column)] = table[covered_column(column)] / table[column].where(table[column] > 0)
        table.insert(1, "name", table["code"].map(names).where(table["code"] != "*", whole_name))
        table.insert(2, "minutes", float(threshold))
        tables.append(table)
    result = pd.concat(tables, ignore_index=True)
    result["method"] = study.method
    return result


def gaps(engine: Engine, study: Study, minutes: float, unit: str, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH,
         group: str | TargetGroup | None = None) -> gpd.GeoDataFrame:
    """The pieces of each unit beyond ``minutes``' walk of every place, ranked by the group's residents (older).

    The served land is the study's walking grid (:meth:`~geo_welfare.analysis.study.Study.land_grid`,
    the same land :func:`~geo_welfare.analysis.service_areas.land_within` gives the print map).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store (for the units' polygons).
    study : Study
        The inputs; its ``resources`` are the places.
    minutes : float
        Threshold, minutes of walk.
    unit : str
        Area unit to cut into pieces, as stored (``"small_area"`` for the census small areas).
    speed_kmh : float, default 4.0
        Walking speed, km/h.
    group : str or TargetGroup, optional
        Whom to count and rank by; None: the older residents.

    Returns
    -------
    geopandas.GeoDataFrame
        The pieces of :func:`~geo_welfare.analysis.gaps.gap_areas` (persons, ``area_m2`` in m²)
        with ``minutes`` and ``method``, in lon/lat (EPSG:6668).

    Raises
    ------
    PlanningInputError
        If the store holds no areas of ``unit``.
    MissingCounts
        If the study's population dataset has none of the group's counts.
    """
    group = _group(study, group)
    limit = walk_metres(minutes, speed_kmh)
    _check_walk(study, limit, buffered=True)
    walk = study.walk_to_nearest(study.resources)
    units = study_units(engine, study, unit)
    study.progress("gaps")
    places = _places_reaching(study, limit + BUFFER_METRES)
    served = (study.land_grid(minutes, speed_kmh, places) if study.network is not None
              else land_within(places, minutes, speed_kmh, crs=study.crs).iloc[0])
    areas = units if units is not None else _small_areas(study)
    result = gap_areas(areas, served, study.residents, walk, limit, group=group)
    result["minutes"] = float(minutes)
    result["method"] = study.method
    return result.to_crs(STORAGE_CRS)


def service_area_layer(study: Study, minutes: float, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH
                       ) -> gpd.GeoDataFrame:
    """One polygon per place: the land within ``minutes``' walk of it, as a map layer.

    With a network the reached streets widened by :data:`~geo_welfare.analysis.service_areas.BUFFER_METRES`,
    drawn on each place's walking grid (:meth:`~geo_welfare.analysis.study.Study.resource_grids`); without one a circle.

    Parameters
    ----------
    study : Study
        The inputs; its ``resources`` are the places.
    minutes : float
        Walk, minutes.
    speed_kmh : float, default 4.0
        Walking speed, km/h.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place, in lon/lat (EPSG:6668): ``id``, ``name``, ``kind``, ``minutes``,
        ``method`` and the polygon; ``attrs["buffer_metres"]`` gives the street buffer (metres).
    """
    limit = walk_metres(minutes, speed_kmh)
    _check_walk(study, limit, buffered=True)
    study.progress("service_areas")
    resources = _places_reaching(study, limit + BUFFER_METRES)  # a study of one area: the walks reaching it
    if study.network is None:
        polygons = list(shapely.buffer(shapely.points(study.xy(resources)), limit))
    else:
        grids = study.resource_grids(minutes, speed_kmh)  # kept for every place of the study, by position
        positions = pd.Index(study.resources["id"]).get_indexer(resources["id"])
        polygons = [grids[position].land(limit) for position in positions]
    frame = gpd.GeoDataFrame({"id": resources["id"].to_numpy(), "name": resources["name"].to_numpy(),
                              "kind": resources["kind"].to_numpy(), "minutes": float(minutes),
                              "method": study.method}, geometry=polygons, crs=study.crs)
    frame.attrs["buffer_metres"] = BUFFER_METRES
    return frame.to_crs(STORAGE_CRS)


def capacity(engine: Engine, study: Study, minutes: float, unit: str = SMALL_AREA,
             speed_kmh: float = DEFAULT_WALKING_SPEED_KMH,
             bands: Sequence[tuple[float, float, float]] | None = None) -> pd.DataFrame:
    """Places' capacity per 1,000 residents 65+ within ``minutes``' walk, per unit (2SFCA, or E2SFCA).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store (for the units' polygons).
    study : Study
        The inputs; the ``capacity`` of its ``resources`` is the supply (seats; missing or not a
        number: unknown, left out and counted in ``attrs``).
    minutes : float
        Catchment, minutes of walk.
    unit : str, default "small_area"
        Area unit to sum by, as stored.
    speed_kmh : float, default 4.0
        Walking speed, km/h.
    bands : sequence of (float, float, float), optional
        E2SFCA ``(lower, upper, weight)`` bands with bounds in **minutes** (converted to metres at
        ``speed_kmh``, see :func:`~geo_welfare.analysis.capacity.distance_bands`); None: 2SFCA.

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``code``, ``name``, ``minutes`` and the columns of
        :func:`~geo_welfare.analysis.capacity.capacity_by_area` (``per_1000`` is capacity per
        1,000 residents 65+), and ``method``.  ``attrs["places_without_capacity"]`` and
        ``attrs["places"]`` count the places with unknown capacity and all places.

    Raises
    ------
    PlanningInputError
        If the store holds no areas of ``unit``.
    """
    import warnings

    from geo_welfare.analysis.capacity import UnknownCapacityWarning, capacity_by_area, two_step_fca
    limit = walk_metres(minutes, speed_kmh)
    supply = pd.to_numeric(study.resources["capacity"], errors="coerce").to_numpy(dtype=float)
    weights = None if bands is None else [(walk_metres(a, speed_kmh), walk_metres(b, speed_kmh), w)
                                          for a, b, w in bands]
    _check_walk(study, limit)
    reach = study.reach(study.resources, limit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownCapacityWarning)  # reported below, in the table's attrs
        values = two_step_fca(reach, study.residents["age_65_plus"].to_numpy(dtype=float), supply, limit, weights)
    units = study_units(engine, study, unit)
    table = capacity_by_area(study.residents, values, units)
    names = (units if units is not None else study.small_areas).set_index("code")["name"]
    table.insert(1, "name", table["code"].map(names))
    table.insert(2, "minutes", float(minutes))
    table["method"] = study.method
    table.attrs["places_without_capacity"] = int(np.isnan(supply).sum())
    table.attrs["places"] = len(supply)
    return table


@dataclass(frozen=True)
class Plan:
    """New bases chosen exactly (HiGHS) and greedily, with coverage before and after, both in 65+ residents.

    Attributes
    ----------
    sites : geopandas.GeoDataFrame
        The exact model's sites in add order, in the candidates' CRS (lon/lat as read):
        ``order``, ``id``, ``name``, ``address`` (the candidate's own, else 「…付近」 of its small area),
        ``added_65_plus``, ``unique_65_plus``,
        ``covered_after_65_plus`` (persons; see :class:`~geo_welfare.analysis.siting.Siting`).
    greedy_sites : geopandas.GeoDataFrame
        The greedy choice of as many sites, same columns.
    summary : pandas.DataFrame
        One row per model (exact, then greedy): ``model``, ``sites``, ``before_65_plus``,
        ``after_65_plus``, ``gain_65_plus``, ``total_65_plus``, ``bound_65_plus`` (persons),
        ``share_before``, ``share_after`` (0–1), ``optimal``, ``minutes`` and ``method``.
    """

    sites: gpd.GeoDataFrame  # the exact model's sites in add order (lon/lat)
    greedy_sites: gpd.GeoDataFrame
    summary: pd.DataFrame  # one row per model: before, after, gain, shares, optimal


#: Seconds HiGHS may search before returning its best sites so far (``optimal`` then says False and
#: ``bound`` how far from proven they can be); real street instances solve in a second or two.
SOLVER_TIME_LIMIT = 60.0


def plan(study: Study, candidates: gpd.GeoDataFrame, minutes: float, *, k: int | None = None,
         target: float | None = None, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH,
         time_limit: float = SOLVER_TIME_LIMIT, lang: str | None = None, group: str | TargetGroup | None = None) -> Plan:
    """Choose ``k`` new sites (MCLP), or the fewest reaching ``target`` coverage (LSCP), among ``candidates``.

    The existing places of the study are fixed: whoever they reach within ``minutes`` is covered
    before any new site.  The greedy choice of the same number of sites is returned alongside.
    Demand is the residents 65+ (:attr:`Study.residents`), or another group's demand column: with
    ``group`` children every ``_65_plus`` column of :class:`Plan` is ``_0_14`` (everyone: ``_total``).

    Parameters
    ----------
    study : Study
        The inputs; its ``resources`` are the existing places.
    candidates : geopandas.GeoDataFrame
        Candidate sites (points with ``id`` and ``name``, any declared CRS), e.g.
        :func:`grid_candidates`.
    minutes : float
        Walking threshold, minutes.
    k : int, optional
        How many new sites (maximal covering).  Give exactly one of ``k`` and ``target``.
    target : float, optional
        Share (0, 1] of all 65+ to cover, existing places included (set covering).
    speed_kmh : float, default 4.0
        Walking speed, km/h.
    time_limit : float, default 60
        Seconds HiGHS may search per solve before returning its best sites so far.
    lang : str, optional
        The language of the sites' addresses where a candidate has none (「…付近」).
    group : str or TargetGroup, optional
        Whom the new bases are for (:mod:`geo_welfare.core.target_groups`); None: residents 65+.

    Returns
    -------
    Plan

    Raises
    ------
    ValueError
        If both or neither of ``k`` and ``target`` are given.
    geo_welfare.analysis.siting.InfeasibleTarget
        If even every candidate together falls short of ``target``.
    """
    from geo_welfare.analysis import siting
    if (k is None) == (target is None):
        raise ValueError("give either k (how many new sites) or target (coverage share to reach)")
    group = _group(study, group)
    tag = group.tag
    limit = walk_metres(minutes, speed_kmh)
    _check_walk(study, limit)
    if study.within is not None:  # new bases of one area stand in it
        candidates = candidates[study.within.keep_candidates(candidates, study.crs)]
        if len(candidates) == 0:
            raise PlanningInputError("no_candidates_within", code=study.within.code)
    weights = study.residents[group.demand].to_numpy(dtype=float)
    existing = study.reach(study.resources, limit) if len(study.resources) else None
    reach = study.reach(candidates, limit)
    study.progress("siting")
    if k is not None:
        exact = siting.maximal_covering(reach, weights, k, already_covered=existing, time_limit=time_limit)
    else:
        exact = siting.set_covering(reach, weights, target, already_covered=existing, time_limit=time_limit)
    greedy = siting.greedy_covering(reach, weights, len(exact.sites) if target is not None else k,
                                    already_covered=existing)

    def frame(result) -> gpd.GeoDataFrame:
        table = result.to_frame()
        chosen = candidates.iloc[table["site"].to_numpy()]
        return gpd.GeoDataFrame({"order": table["order"].to_numpy(), "id": chosen["id"].to_numpy(),
                                 "name": chosen["name"].to_numpy(), f"added_{tag}": table["added"].to_numpy(),
                                 f"unique_{tag}": table["unique"].to_numpy(),
                                 f"covered_after_{tag}": table["covered_after"].to_numpy()},
                                geometry=chosen.geometry.values, crs=candidates.crs)

    def addressed(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return candidate_sites.with_addresses(sites, candidates, study.small_areas, lang)

    summary = pd.DataFrame([{"model": result.model, "sites": len(result.sites), f"before_{tag}": result.before,
                             f"after_{tag}": result.after, f"gain_{tag}": result.gain,
                             "share_before": result.share_before, "share_after": result.share_after,
                             f"total_{tag}": result.total, "optimal": result.optimal,
                             f"bound_{tag}": result.bound, "minutes": float(minutes),
                             "method": study.method} for result in (exact, greedy)])
    summary.attrs["group"] = group.id
    return Plan(addressed(frame(exact)), addressed(frame(greedy)), summary)
