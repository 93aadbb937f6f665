"""The planner's analyses over the store: gather the inputs once, then coverage, gaps, service areas, capacity.

The functions in :mod:`geo_welfare.analysis` are pure (arrays and frames in, frames out).  This
module is the one place that reads what they need from the store and the network file — the
places of the chosen kinds, the census small areas with their population, the residents spread
along the streets — and turns their results back into lon/lat layers and tables for the CLI and
the web.  Without a network file every distance is a straight line, and every result says so in
its ``method`` column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from sqlalchemy import Engine

from geo_welfare.analysis.coverage import coverage_by_area, distance_to_nearest
from geo_welfare.analysis.gaps import gap_areas
from geo_welfare.analysis.reach import Reach, reach_table
from geo_welfare.analysis.service_areas import BUFFER_METRES, combined_service_area, service_areas
from geo_welfare.analysis.spread import resident_positions, spread_population
from geo_welfare.core.crs import metric_crs_for_bounds
from geo_welfare.core.errors import GeoWelfareError
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped, snap_points
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH, STORAGE_CRS
from geo_welfare.store import read

METHOD_NETWORK, METHOD_STRAIGHT = "network", "straight_line"
SMALL_AREA = "small_area"
Progress = Callable[[str], None]


class PlanningInputError(GeoWelfareError):
    """The store lacks what an analysis needs (no small areas, no population with ages, no places)."""

    def __init__(self, ja: str, en: str):
        self.ja, self.en = ja, en
        super().__init__(en)

    def message(self, lang: str = "ja") -> str:
        return self.ja if lang == "ja" else self.en


def metres_for(minutes: float, speed_kmh: float) -> float:
    """The walk (metres) that takes ``minutes`` at ``speed_kmh``."""
    return minutes * speed_kmh * 1000.0 / 60.0


def age_dataset(engine: Engine, name: str | None) -> str:
    """The population dataset to use: ``name``, or the only one that has ages."""
    datasets = read.population_datasets(engine)
    if name is not None:
        if name not in set(datasets["name"]):
            raise PlanningInputError(f"人口データセット {name} がありません（あるもの: {', '.join(datasets['name'])}）",
                                     f"no population dataset {name} (stored: {', '.join(datasets['name'])})")
        return name
    with_ages = [n for n in datasets["name"] if read.read_population(engine, n)["age_65_plus"].notna().any()]
    if len(with_ages) != 1:
        raise PlanningInputError(
            f"年齢別人口のデータセットを --dataset で選んでください（候補: {', '.join(with_ages) or 'なし'}）",
            f"choose the population-by-age dataset with --dataset (candidates: {', '.join(with_ages) or 'none'})")
    return with_ages[0]


@dataclass
class Study:
    """Places of the chosen kinds, residents spread along the streets, all in one metric CRS."""

    resources: gpd.GeoDataFrame  # lon/lat, as stored
    small_areas: gpd.GeoDataFrame  # lon/lat
    population: pd.DataFrame
    network: WalkingNetwork | None
    progress: Progress

    @property
    def method(self) -> str:
        return METHOD_NETWORK if self.network is not None else METHOD_STRAIGHT

    @cached_property
    def crs(self):
        if self.network is not None:
            return self.network.crs
        return metric_crs_for_bounds(tuple(self.small_areas.total_bounds))

    def xy(self, frame: gpd.GeoDataFrame) -> np.ndarray:
        projected = frame.to_crs(self.crs)
        return np.column_stack([projected.geometry.x, projected.geometry.y]) if len(frame) else np.empty((0, 2))

    @cached_property
    def residents(self) -> gpd.GeoDataFrame:
        """Street-level resident points (or one point per small area without a network), metric CRS."""
        self.progress("spreading")
        counts = self.population[self.population["area_code"].notna()]
        if self.network is not None:
            return spread_population(self.small_areas, counts, self.network)
        areas = self.small_areas.to_crs(self.crs)
        totals = counts.groupby("area_code")[["total", "age_65_plus", "age_75_plus"]].sum(min_count=1).fillna(0)
        frame = gpd.GeoDataFrame({"area_code": areas["code"].to_numpy(), "share": 1.0},
                                 geometry=areas.geometry.representative_point().values, crs=self.crs)
        for column in ("total", "age_65_plus", "age_75_plus"):
            frame[column] = frame["area_code"].map(totals[column]).fillna(0).astype(float).to_numpy()
        return frame

    @cached_property
    def resident_xy(self) -> np.ndarray:
        return np.column_stack([self.residents.geometry.x, self.residents.geometry.y])

    @cached_property
    def snapped_residents(self) -> Snapped:
        return resident_positions(self.residents, self.network)

    def snapped(self, frame: gpd.GeoDataFrame) -> Snapped:
        return snap_points(self.network, self.xy(frame))

    def walk_to_nearest(self, places: gpd.GeoDataFrame) -> np.ndarray:
        """Metres from every resident point to the nearest of ``places``."""
        if len(places) == 0:
            return np.full(len(self.residents), np.inf)
        self.progress("walking")
        if self.network is None:
            return cKDTree(self.xy(places)).query(self.resident_xy)[0]
        return distance_to_nearest(self.network, self.snapped(places), self.snapped_residents)

    def reach(self, places: gpd.GeoDataFrame, cutoff: float) -> Reach:
        """Resident–place pairs within ``cutoff`` metres."""
        self.progress("walking")
        if self.network is not None:
            return reach_table(self.network, self.snapped(places), self.snapped_residents, cutoff)
        pairs = cKDTree(self.resident_xy).sparse_distance_matrix(cKDTree(self.xy(places)), cutoff,
                                                                  output_type="ndarray")
        order = np.lexsort((pairs["j"], pairs["i"]))
        return Reach(pairs["i"][order].astype(np.int64), pairs["j"][order].astype(np.int64), pairs["v"][order],
                     len(self.residents), len(places), float(cutoff))

    def served_area(self, places: gpd.GeoDataFrame, limit: float) -> shapely.Geometry:
        if self.network is None:
            return shapely.union_all(shapely.buffer(shapely.points(self.xy(places)), limit))
        return combined_service_area(self.network, self.snapped(places), limit)


def open_study(engine: Engine, network: WalkingNetwork | None, *, kinds: Sequence[str] | None = None,
               dataset: str | None = None, progress: Progress = lambda _stage: None) -> Study:
    """Read the places of ``kinds`` (public and staff-only: planning counts every place), small areas and ages."""
    progress("reading_store")
    resources = read.read_resources(engine, kinds=list(kinds) if kinds else None, include_staff_only=True)
    small_areas = read.read_areas(engine, SMALL_AREA)
    if len(small_areas) == 0:
        raise PlanningInputError("小地域（町丁・字）が取り込まれていません", "no census small areas in the store")
    population = read.read_population(engine, age_dataset(engine, dataset))
    return Study(resources, small_areas, population, network, progress)


def _units(engine: Engine, study: Study, unit: str) -> gpd.GeoDataFrame | None:
    if unit == SMALL_AREA:
        return None
    units = read.read_areas(engine, unit)
    if len(units) == 0:
        raise PlanningInputError(f"区域 {unit} が取り込まれていません", f"no areas of unit {unit} in the store")
    return units


def coverage(engine: Engine, study: Study, minutes: Sequence[float], unit: str = SMALL_AREA,
             speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> pd.DataFrame:
    """Older residents within each threshold of a place, per unit and for the whole area, one row per unit × threshold."""
    walk = study.walk_to_nearest(study.resources)
    units = _units(engine, study, unit)
    names = (units if units is not None else study.small_areas).set_index("code")["name"]
    tables = []
    for threshold in minutes:
        table = coverage_by_area(study.residents, walk, threshold, speed_kmh, units=units)
        whole = table[["total", "age_65_plus", "age_75_plus", "age_65_plus_covered", "age_75_plus_covered"]].sum()
        total_row = pd.DataFrame([{"code": "*", **whole.to_dict()}])
        table = pd.concat([table, total_row], ignore_index=True)
        for age in ("65_plus", "75_plus"):
            table[f"share_{age}_covered"] = table[f"age_{age}_covered"] / table[f"age_{age}"].where(
                table[f"age_{age}"] > 0)
        table.insert(1, "name", table["code"].map(names).where(table["code"] != "*", "（全体）"))
        table.insert(2, "minutes", float(threshold))
        tables.append(table)
    result = pd.concat(tables, ignore_index=True)
    result["method"] = study.method
    return result


def gaps(engine: Engine, study: Study, minutes: float, unit: str, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH
         ) -> gpd.GeoDataFrame:
    """The pieces of each unit beyond ``minutes`` of every place, ranked by older residents (lon/lat)."""
    limit = metres_for(minutes, speed_kmh)
    walk = study.walk_to_nearest(study.resources)
    units = _units(engine, study, unit)
    study.progress("gaps")
    served = study.served_area(study.resources, limit)
    result = gap_areas(units if units is not None else study.small_areas, served, study.residents, walk, limit)
    result["minutes"] = float(minutes)
    result["method"] = study.method
    return result.to_crs(STORAGE_CRS)


def service_area_layer(study: Study, minutes: float, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH
                       ) -> gpd.GeoDataFrame:
    """One polygon per place: the land within ``minutes`` of it (lon/lat)."""
    limit = metres_for(minutes, speed_kmh)
    study.progress("service_areas")
    places = study.resources
    if study.network is None:
        polygons = list(shapely.buffer(shapely.points(study.xy(places)), limit))
    else:
        polygons = service_areas(study.network, study.snapped(places), limit)
    frame = gpd.GeoDataFrame({"id": places["id"].to_numpy(), "name": places["name"].to_numpy(),
                              "kind": places["kind"].to_numpy(), "minutes": float(minutes),
                              "method": study.method}, geometry=polygons, crs=study.crs)
    frame.attrs["buffer_metres"] = BUFFER_METRES
    return frame.to_crs(STORAGE_CRS)


def capacity(engine: Engine, study: Study, minutes: float, unit: str = SMALL_AREA,
             speed_kmh: float = DEFAULT_WALKING_SPEED_KMH,
             bands: Sequence[tuple[float, float, float]] | None = None) -> pd.DataFrame:
    """Seats per 1,000 older residents within ``minutes`` (2SFCA; E2SFCA with ``bands`` in minutes), per unit."""
    import warnings

    from geo_welfare.analysis.capacity import UnknownCapacityWarning, capacity_by_area, two_step_fca
    limit = metres_for(minutes, speed_kmh)
    supply = pd.to_numeric(study.resources["capacity"], errors="coerce").to_numpy(dtype=float)
    weights = None if bands is None else [(metres_for(a, speed_kmh), metres_for(b, speed_kmh), w) for a, b, w in bands]
    reach = study.reach(study.resources, limit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownCapacityWarning)  # reported below, in the table's attrs
        values = two_step_fca(reach, study.residents["age_65_plus"].to_numpy(dtype=float), supply, limit, weights)
    units = _units(engine, study, unit)
    table = capacity_by_area(study.residents, values, units)
    names = (units if units is not None else study.small_areas).set_index("code")["name"]
    table.insert(1, "name", table["code"].map(names))
    table.insert(2, "minutes", float(minutes))
    table["method"] = study.method
    table.attrs["places_without_capacity"] = int(np.isnan(supply).sum())
    table.attrs["places"] = len(supply)
    return table


def grid_candidates(study: Study, spacing: float) -> gpd.GeoDataFrame:
    """Candidate sites every ``spacing`` metres over the small areas (lon/lat): where no building list exists."""
    areas = study.small_areas.to_crs(study.crs)
    minx, miny, maxx, maxy = areas.total_bounds
    xs, ys = np.meshgrid(np.arange(minx + spacing / 2, maxx, spacing), np.arange(miny + spacing / 2, maxy, spacing))
    points = gpd.GeoSeries(gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=study.crs)
    inside = points[points.intersects(shapely.union_all(areas.geometry.values))]
    names = [f"grid {i + 1}" for i in range(len(inside))]
    return gpd.GeoDataFrame({"id": np.arange(1, len(inside) + 1), "name": names, "kind": "grid"},
                            geometry=inside.values, crs=study.crs).to_crs(STORAGE_CRS)


@dataclass(frozen=True)
class Plan:
    """New bases chosen exactly (HiGHS) and greedily, with coverage before and after, both in 65+ residents."""

    sites: gpd.GeoDataFrame  # the exact model's sites in add order (lon/lat)
    greedy_sites: gpd.GeoDataFrame
    summary: pd.DataFrame  # one row per model: before, after, gain, shares, optimal


#: Seconds HiGHS may search before returning its best sites so far (``optimal`` then says False and
#: ``bound`` how far from proven they can be); real street instances solve in a second or two.
SOLVER_TIME_LIMIT = 60.0


def plan(study: Study, candidates: gpd.GeoDataFrame, minutes: float, *, k: int | None = None,
         target: float | None = None, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH,
         time_limit: float = SOLVER_TIME_LIMIT) -> Plan:
    """Choose ``k`` new sites (MCLP), or the fewest reaching ``target`` coverage (LSCP), among ``candidates``.

    The existing places of the study are fixed: whoever they reach within ``minutes`` is covered
    before any new site.  The greedy choice of the same number of sites is returned alongside.
    """
    from geo_welfare.analysis import siting
    if (k is None) == (target is None):
        raise ValueError("give either k (how many new sites) or target (coverage share to reach)")
    limit = metres_for(minutes, speed_kmh)
    weights = study.residents["age_65_plus"].to_numpy(dtype=float)
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
                                 "name": chosen["name"].to_numpy(), "added_65_plus": table["added"].to_numpy(),
                                 "unique_65_plus": table["unique"].to_numpy(),
                                 "covered_after_65_plus": table["covered_after"].to_numpy()},
                                geometry=chosen.geometry.values, crs=candidates.crs)

    summary = pd.DataFrame([{"model": result.model, "sites": len(result.sites), "before_65_plus": result.before,
                             "after_65_plus": result.after, "gain_65_plus": result.gain,
                             "share_before": result.share_before, "share_after": result.share_after,
                             "total_65_plus": result.total, "optimal": result.optimal,
                             "bound_65_plus": result.bound, "minutes": float(minutes),
                             "method": study.method} for result in (exact, greedy)])
    return Plan(frame(exact), frame(greedy), summary)


def load_network(path: str | Path | None, database_url: str) -> tuple[WalkingNetwork | None, bool]:
    """The network of ``path`` through the cache beside the store; (None, False) without a file."""
    if path is None:
        return None, False
    from geo_welfare.core import config as settings
    from geo_welfare.network.cache import cached_network
    return cached_network(path, settings.cache_directory(database_url))
