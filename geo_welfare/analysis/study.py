"""A study: the inputs of the planner's questions, read from the store once and kept for every question.

The functions in :mod:`geo_welfare.analysis` are pure (arrays and frames in, frames out).  This
module is the one place that reads what they need from the store — the places of the chosen kinds,
the census small areas with their population — and holds what is costly to redo (the residents
spread along the streets, their snapping, the walk to the nearest place), so that the CLI and the
web ask :mod:`geo_welfare.analysis.planning` one question after another of the same study.
Without a network every distance is a straight line, and every result says so in its ``method``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from sqlalchemy import Engine

from geo_welfare.analysis.coverage import distance_to_nearest
from geo_welfare.analysis.walk_areas import combined_grid, kept_resource_grids
from geo_welfare.analysis.walk_grid import WalkGrid
from geo_welfare.core.walking import walk_metres
from geo_welfare.analysis.reach import Reach, reach_table
from geo_welfare.analysis.spread import resident_positions, spread_population
from geo_welfare.analysis.within import DEFAULT_MARGIN_METRES, Within, resolve_within
from geo_welfare.core.crs import metric_crs_for_bounds
from geo_welfare.core.errors import ConflictError
from geo_welfare.core.glossary import VISIBILITY_PUBLIC
from geo_welfare.core.target_groups import TargetGroup, serves, target_group
from geo_welfare.core.words import Word
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped, snap_points
from geo_welfare.store import read

METHOD_NETWORK, METHOD_STRAIGHT = "network", "straight_line"
SMALL_AREA = "small_area"
Progress = Callable[[str], None]
#: Walking grids are built for at least this walk (metres: 20 minutes at 4 km/h), so that the planner's
#: usual questions (10, 15, 20 minutes) are answered from one grid, built on the first.
GRID_METRES_AT_LEAST = 4000.0 / 3
#: The counts every resident point carries: enough for every target group (:mod:`geo_welfare.core.target_groups`).
RESIDENT_COUNTS = ("total", "age_0_14", "age_65_plus", "age_75_plus")


class PlanningInputError(ConflictError):
    """The store lacks what an analysis needs (small areas, population by age, areas of a unit, candidates).

    A :class:`~geo_welfare.core.errors.ConflictError`: CLI exit code 3, HTTP 409.
    """


def age_dataset(engine: Engine, name: str | None) -> str:
    """The population dataset to use: ``name``, or the only one that has ages.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    name : str or None
        A dataset name; None: choose the one dataset with 65+ counts.

    Returns
    -------
    str
        The dataset's name.

    Raises
    ------
    PlanningInputError
        If ``name`` is not stored, or without ``name`` when not exactly one dataset has ages.
    """
    datasets = read.population_datasets(engine)
    if name is not None:
        if name not in set(datasets["name"]):
            raise PlanningInputError("no_population_dataset_stored", name=name, stored=", ".join(datasets["name"]))
        return name
    with_ages = read.datasets_with_ages(engine)
    if len(with_ages) != 1:
        raise PlanningInputError(
            "choose_the_population_by_age_dataset", candidates=", ".join(with_ages) or Word("nothing"))
    return with_ages[0]


@dataclass
class Study:
    """The inputs of the planner's analyses, gathered once: places, small areas, population, streets.

    Open one with :func:`open_study`; the module's analyses (:func:`coverage`, :func:`gaps`,
    :func:`service_area_layer`, :func:`capacity`, :func:`plan`) take it.  Residents, their
    positions and the metric CRS are computed on first use and kept.  Without a network every
    distance is a straight line in the plane rectangular zone of the small areas
    (:attr:`method`).

    Attributes
    ----------
    resources : geopandas.GeoDataFrame
        The places of the chosen kinds, lon/lat (EPSG:6668) as stored.
    small_areas : geopandas.GeoDataFrame
        Census small areas (``code``, ``name``, polygons), lon/lat (EPSG:6668).
    population : pandas.DataFrame
        Population rows with ``area_code``, ``total``, ``age_65_plus``, ``age_75_plus`` (persons).
    network : WalkingNetwork or None
        The streets, or None for straight lines.
    progress : callable
        Called with a stage name (``"spreading"``, ``"walking"``, …) as long steps begin.
    staff_only : int
        How many staff-only places of the chosen kinds the store holds; they are among
        ``resources`` only when :attr:`includes_staff_only` (a staff answer, never a public one).
    includes_staff_only : bool
        Whether ``resources`` holds the staff-only places too.
    within : Within or None
        The one area the study keeps (:mod:`geo_welfare.analysis.within`): its small areas, the
        residents of it, the places within its margin; None: the whole store.
    dataset : str or None
        The population dataset's name (a group whose ages it lacks is refused naming it).
    """

    resources: gpd.GeoDataFrame  # lon/lat, as stored
    small_areas: gpd.GeoDataFrame  # lon/lat
    population: pd.DataFrame
    network: WalkingNetwork | None
    progress: Progress
    staff_only: int = 0
    includes_staff_only: bool = False
    within: Within | None = None
    dataset: str | None = None  # the population dataset's name, for a refusal that names it

    @property
    def method(self) -> str:
        """``"network"`` with a street network, ``"straight_line"`` without; every result's ``method``."""
        return METHOD_NETWORK if self.network is not None else METHOD_STRAIGHT

    @cached_property
    def crs(self):
        """The metric CRS of every analysis: the network's, or the plane rectangular zone of the small areas."""
        if self.network is not None:
            return self.network.crs
        return metric_crs_for_bounds(tuple(self.small_areas.total_bounds))

    def xy(self, frame: gpd.GeoDataFrame) -> np.ndarray:
        """Coordinates of point features in :attr:`crs`.

        Parameters
        ----------
        frame : geopandas.GeoDataFrame
            Points in any declared CRS.

        Returns
        -------
        numpy.ndarray
            Shape (n, 2), metres.
        """
        projected = frame.to_crs(self.crs)
        return np.column_stack([projected.geometry.x, projected.geometry.y]) if len(frame) else np.empty((0, 2))

    @cached_property
    def residents(self) -> gpd.GeoDataFrame:
        """Where residents live: points carrying the population, in :attr:`crs`, computed once.

        With a network, each small area's counts spread along its streets
        (:func:`~geo_welfare.analysis.spread.spread_population`); without one, one representative
        point per small area.  Columns ``area_code``, ``share``, ``total``, ``age_0_14`` (when the
        population has it), ``age_65_plus``, ``age_75_plus`` (persons; suppressed counts as 0), and
        with a network ``edge`` and ``along``.
        """
        self.progress("spreading")
        counts = self.population[self.population["area_code"].notna()]
        columns = tuple(column for column in RESIDENT_COUNTS if column in counts)
        if self.network is not None:
            if self.within is None:
                return spread_population(self.small_areas, counts, self.network, columns=columns)
            # Spread with the touching small areas, so a border point is owned as in the city's study.
            points = spread_population(self.within.spread_areas, counts, self.network, columns=columns)
            return points[self.within.keep_residents(points)].reset_index(drop=True)
        areas = self.small_areas.to_crs(self.crs)
        totals = counts.groupby("area_code")[list(columns)].sum(min_count=1).fillna(0)
        frame = gpd.GeoDataFrame({"area_code": areas["code"].to_numpy(), "share": 1.0},
                                 geometry=areas.geometry.representative_point().values, crs=self.crs)
        for column in columns:
            frame[column] = frame["area_code"].map(totals[column]).fillna(0).astype(float).to_numpy()
        if self.within is not None:
            frame = frame[self.within.keep_residents(frame)].reset_index(drop=True)
        return frame

    @cached_property
    def resident_xy(self) -> np.ndarray:
        """Coordinates of :attr:`residents`, shape (n_residents, 2), metres in :attr:`crs`."""
        return np.column_stack([self.residents.geometry.x, self.residents.geometry.y])

    @cached_property
    def snapped_residents(self) -> Snapped:
        """:attr:`residents` placed on the network, computed once; needs a network.

        See :func:`~geo_welfare.analysis.spread.resident_positions`.
        """
        return resident_positions(self.residents, self.network)

    def snapped(self, frame: gpd.GeoDataFrame) -> Snapped:
        """Point features snapped to the network; needs a network.

        Parameters
        ----------
        frame : geopandas.GeoDataFrame
            Points in any declared CRS.

        Returns
        -------
        Snapped
            One entry per row of ``frame``.
        """
        return snap_points(self.network, self.xy(frame))

    def walk_to_nearest(self, resources: gpd.GeoDataFrame) -> np.ndarray:
        """Walk from every resident point to the nearest of ``places``.

        Parameters
        ----------
        places : geopandas.GeoDataFrame
            Points in any declared CRS.

        Returns
        -------
        numpy.ndarray
            Shape (n_residents,), metres over the streets (straight line without a network);
            ``inf`` where none is reachable, or everywhere when ``places`` is empty.
        """
        if len(resources) == 0:
            return np.full(len(self.residents), np.inf)
        self.progress("walking")
        if self.network is None:
            return cKDTree(self.xy(resources)).query(self.resident_xy)[0]
        return distance_to_nearest(self.network, self.snapped(resources), self.snapped_residents)

    def reach(self, resources: gpd.GeoDataFrame, cutoff: float) -> Reach:
        """Resident–place pairs within ``cutoff`` metres, for capacity and siting.

        Parameters
        ----------
        places : geopandas.GeoDataFrame
            Points in any declared CRS.
        cutoff : float
            Longest walk, metres (straight line without a network).

        Returns
        -------
        Reach
            Pairs of resident index (into :attr:`residents`) and place index (row position in
            ``places``), sorted by resident then place.
        """
        self.progress("walking")
        if self.network is not None:
            return reach_table(self.network, self.snapped(resources), self.snapped_residents, cutoff)
        pairs = cKDTree(self.resident_xy).sparse_distance_matrix(cKDTree(self.xy(resources)), cutoff,
                                                                  output_type="ndarray")
        order = np.lexsort((pairs["j"], pairs["i"]))
        return Reach(pairs["i"][order].astype(np.int64), pairs["j"][order].astype(np.int64), pairs["v"][order],
                     len(self.residents), len(resources), float(cutoff))

    def land_grid(self, minutes: float, speed_kmh: float, resources: gpd.GeoDataFrame | None = None) -> WalkGrid:
        """The walking grid from the nearest place, kept for every shorter walk asked later.

        One grid answers every limit up to the one it was built for, and it is built for at least
        :data:`GRID_METRES_AT_LEAST`, so the planner's 10, 15 and 20 minutes cost one grid.

        Parameters
        ----------
        minutes : float
            Walk, minutes.
        speed_kmh : float
            Walking speed, km/h.
        resources : geopandas.GeoDataFrame, optional
            The places to walk from (default: :attr:`resources`).  A grid kept for a longer walk is
            reused; it was built from the places that may reach the study's area on that walk,
            a superset of those for a shorter one, and the extra ones reach no further in.

        Returns
        -------
        WalkGrid
            Needs a network.
        """
        places = self.resources if resources is None else resources
        return self._kept_for("_land_grids", walk_metres(minutes, speed_kmh),
                              lambda metres: combined_grid(self.network, self.snapped(places), metres))

    def resource_grids(self, minutes: float, speed_kmh: float) -> list[WalkGrid]:
        """Each of :attr:`resources`' own walking grid, kept for every shorter walk asked later.

        The grids come from those the network keeps by place
        (:func:`~geo_welfare.analysis.walk_areas.kept_resource_grids`), so another study holding the
        same places (other kinds, a ward, after an import of other places) builds only the new ones.

        Parameters
        ----------
        minutes : float
            Walk, minutes.
        speed_kmh : float
            Walking speed, km/h.

        Returns
        -------
        list of WalkGrid
            In the order of :attr:`resources`; needs a network.
        """
        return self._kept_for("_resource_grids", walk_metres(minutes, speed_kmh),
                              lambda metres: kept_resource_grids(self.network, self.snapped(self.resources), metres))

    def _kept_for(self, name: str, metres: float, build: Callable[[float], object]):
        """What ``build`` made for a walk of at least ``metres``, kept under ``name`` (built for 20 minutes or more)."""
        kept = self.__dict__.setdefault(name, {})
        for built_for, value in kept.items():
            if built_for >= metres:
                return value
        built_for = max(metres, GRID_METRES_AT_LEAST)
        kept.clear()
        kept[built_for] = build(built_for)
        return kept[built_for]


def open_study(engine: Engine, network: WalkingNetwork | None, *, kinds: Sequence[str] | None = None,
               dataset: str | None = None, include_staff_only: bool = False, within: str | None = None,
               margin_metres: float = DEFAULT_MARGIN_METRES, progress: Progress = lambda _stage: None,
               group: str | TargetGroup | None = None) -> Study:
    """Read what the planner's analyses need from the store into a :class:`Study`.

    Public places only, unless ``include_staff_only``: every figure, gap and walking area of a
    study is then an answer for staff alone (the web gives it to signed-in editors, the CLI on
    ``--include-staff``), because a public answer that counted a staff-only place would give away
    where it is (a hole in a gap, a covered count that moves with it).

    With ``within``, the study keeps one area of the store (:mod:`geo_welfare.analysis.within`):
    the small areas of a ward (``01101``: those whose code begins with it) or of any stored area
    (a daily-life area, a district, a school district, a small area), their population, the
    residents standing in it, and the places within ``margin_metres`` of it, so that people near
    the border still find their nearest place across it.  Every figure of a walk of up to the
    margin is then the whole store's figure for that area.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    network : WalkingNetwork or None
        The streets (:func:`geo_welfare.network.cache.load_network`); None: straight lines.
    kinds : sequence of str, optional
        Resource kinds to count as places; None or empty: every kind, or with ``group`` the places
        serving it (:func:`~geo_welfare.core.target_groups.serves`: its kinds, or 対象 naming it).
    dataset : str, optional
        Population dataset; None: the only one with ages (:func:`age_dataset`).
    include_staff_only : bool, default False
        Count the staff-only places too (an answer for staff; never serve it to the public).
    within : str, optional
        The code of the one area to study (a ward such as ``01101``, or any stored area's code);
        None or blank: the whole store.  The choices: :func:`geo_welfare.store.read.within_choices`.
    margin_metres : float, optional
        With ``within``: keep the places within this many metres (straight line) of the area
        (:func:`geo_welfare.analysis.within.margin_for`); by default enough for 60 minutes at 4 km/h.
    progress : callable, optional
        Called with a stage name as long steps begin.
    group : str or TargetGroup, optional
        Whom the places are for, when ``kinds`` names none; None: every kind.

    Returns
    -------
    Study

    Raises
    ------
    PlanningInputError
        If the store holds no census small areas, or the population dataset is missing or
        ambiguous.
    geo_welfare.analysis.within.UnknownWithin
        If no stored area has the code ``within`` (the message lists the choices).
    """
    progress("reading_store")
    everything = read.read_resources(engine, kinds=list(kinds) if kinds else None, include_staff_only=True)
    if not kinds and group is not None:
        everything = everything[serves(everything, target_group(group))].reset_index(drop=True)
    public = (everything["visibility"] == VISIBILITY_PUBLIC).to_numpy(dtype=bool)  # as read.read_resources reads
    resources = everything if include_staff_only else everything[public].reset_index(drop=True)
    small_areas = read.read_areas(engine, SMALL_AREA)
    if len(small_areas) == 0:
        raise PlanningInputError("no_small_areas_stored")
    dataset = age_dataset(engine, dataset)
    population = read.read_population(engine, dataset)
    area = None
    if within is not None and str(within).strip():
        area = resolve_within(engine, within, small_areas, margin_metres=margin_metres)
        small_areas = area.small_areas.reset_index(drop=True)
        population = population[population["area_code"].isin(set(small_areas["code"]))].reset_index(drop=True)
        crs = network.crs if network is not None else metric_crs_for_bounds(tuple(small_areas.total_bounds))
        near = area.keep_places(everything, crs)
        everything, public = everything[near].reset_index(drop=True), public[near]
        resources = everything if include_staff_only else everything[public].reset_index(drop=True)
    return Study(resources, small_areas, population, network, progress, staff_only=int((~public).sum()),
                 includes_staff_only=include_staff_only, within=area, dataset=dataset)
