"""The figures of a district profile (地区カルテ, 「地域健康カルテ」): gathered once per unit, picked per district.

A profile is what an office hands to a 地区 meeting about its own district: who lives there (and
how that changed), how old they are against the municipality, which places there are, how many
older residents walk to one in 10, 15 and 20 minutes, where the largest gaps are, the places'
capacity per older resident (2SFCA), and what the office itself records of the district.

The analyses are asked once for the whole unit (:class:`ProfileInputs`), so ``--all`` costs one
study, not one per district.  Small areas rarely nest in districts, so a district's counts are
the small areas' counts shared as the ``aging`` command shares them: along the streets with a
network, by overlapping area without one.  Public places only unless a staff copy is asked for.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo_welfare.analysis import planning
from geo_welfare.analysis.spread import unit_of_points
from geo_welfare.analysis.study import SMALL_AREA, Study, open_study
from geo_welfare.core.crs import metric_crs_for_bounds
from geo_welfare.core.target_groups import DEFAULT_GROUP, TargetGroup, target_group
from geo_welfare.core.values import plain
from geo_welfare.core.words import Word
from geo_welfare.maps.content import NotStored
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.store import read
from geo_welfare.store.district_attributes import read_district_attributes

#: The walking times of the coverage table (minutes), the planner's usual three.
COVERAGE_MINUTES = (10.0, 15.0, 20.0)
#: How many gaps a profile lists (most residents 65+ first).
GAPS_SHOWN = 5
#: The counts a district shares from its small areas.
COUNTS = ("total", "total_known_ages", "age_0_14", "age_15_64", "age_65_plus", "age_75_plus", "households")


def newest_datasets(engine: Engine, dataset: str | None, compare: str | None) -> tuple[str, str | None]:
    """The dataset a profile shows (``dataset``, else the newest with ages) and the one it is compared with.

    Newest is by the as-of date, then the name.  The comparison is ``compare``, else the dataset
    with ages before the shown one (None when there is none).
    """
    stored = read.population_datasets(engine)
    with_ages = set(read.datasets_with_ages(engine))
    stored = stored.assign(_when=stored["as_of"].fillna("").astype(str)).sort_values(["_when", "name"])
    names = list(stored["name"])
    for name in (dataset, compare):
        if name is not None and name not in names:
            raise NotStored(Word("population_dataset"), name, names)
    shown = dataset or next((n for n in reversed(names) if n in with_ages), None)
    if shown is None:
        raise NotStored(Word("population_dataset"), "", names)
    earlier = [n for n in names[:names.index(shown)] if n in with_ages]  # a table of totals only says no ages
    return shown, compare if compare is not None else (earlier[-1] if earlier else None)


def _area_shares(small_areas: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each small area's share in each unit by overlapping surface (metres in the area's plane zone)."""
    crs = metric_crs_for_bounds(tuple(small_areas.total_bounds))
    left = small_areas[["code", "geometry"]].rename(columns={"code": "area_code"}).to_crs(crs)
    right = units[["code", "geometry"]].to_crs(crs)
    with warnings.catch_warnings():  # the slivers along shared borders are lines and points: dropped, as meant
        warnings.simplefilter("ignore", UserWarning)
        pieces = gpd.overlay(left, right, how="intersection", keep_geom_type=True)
    pieces["weight"] = pieces.area / pieces["area_code"].map(left.set_index("area_code").area)
    return pd.DataFrame(pieces[["area_code", "code", "weight"]])


def _street_shares(study: Study, units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each small area's share in each unit along its streets (the study's residents' points)."""
    points = study.residents
    codes = unit_of_points(points, units)
    frame = pd.DataFrame({"area_code": points["area_code"].to_numpy(), "code": codes.to_numpy(),
                          "weight": points["share"].to_numpy(dtype=float)}).dropna(subset=["code"])
    return frame.groupby(["area_code", "code"], as_index=False)["weight"].sum()


def _per_small_area(population: pd.DataFrame) -> pd.DataFrame:
    """The counts of each small area (rows without one left out); suppressed ages count as 0 but not in the known total."""
    rows = population[population["area_code"].notna()].copy()
    rows["total_known_ages"] = rows["total"].where(rows["age_65_plus"].notna(), 0)
    for column in COUNTS:
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(float).fillna(0)
    return rows.groupby("area_code")[list(COUNTS)].sum()


def shared_counts(population: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Each unit's counts (persons, fractional) from its small areas' counts and ``shares``."""
    counts = _per_small_area(population)
    joined = shares.join(counts, on="area_code", how="inner")
    for column in COUNTS:
        joined[column] = joined[column] * joined["weight"]
    return joined.groupby("code")[list(COUNTS)].sum()


#: The columns of a district's bands (persons fractional, ``band_end`` NA for the open top band, ``sex`` None: both).
BAND_COLUMNS = ["band_start", "band_end", "sex", "count"]


def shared_bands(bands: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Each unit's 5-year bands from its small areas' bands, shared by the same ``shares`` as the counts.

    Suppressed bands count as 0, as suppressed counts do in :func:`shared_counts`.
    """
    rows = bands[bands["area_code"].notna()]
    keyed = pd.DataFrame({"area_code": rows["area_code"].to_numpy(),
                          "band_start": rows["band_start"].astype(int).to_numpy(),
                          "band_end": rows["band_end"].fillna(-1).astype(int).to_numpy(),
                          "sex": rows["sex"].fillna("").to_numpy(),
                          "count": pd.to_numeric(rows["count"]).astype(float).fillna(0).to_numpy()})
    joined = shares[["area_code", "code", "weight"]].merge(keyed, on="area_code", how="inner")
    joined["count"] = joined["count"] * joined["weight"]
    result = joined.groupby(["code", "band_start", "band_end", "sex"], as_index=False)["count"].sum()
    result["band_end"] = result["band_end"].astype("Int64").where(result["band_end"] >= 0)
    result["sex"] = result["sex"].where(result["sex"] != "", None)
    return result


def _rates(counts: dict[str, float]) -> tuple[float | None, float | None]:
    known = counts.get("total_known_ages") or 0
    if not known:
        return None, None
    return counts["age_65_plus"] / known, counts["age_75_plus"] / known


@dataclass
class ProfileInputs:
    """What the profiles of one unit's districts read, asked of the store and the analyses once."""

    unit: str
    districts: gpd.GeoDataFrame  # lon/lat
    study: Study
    dataset: str
    previous_dataset: str | None
    counts: pd.DataFrame  # by district code
    previous_counts: pd.DataFrame | None
    municipalities: dict[str, dict[str, float]]  # the counts of each district's municipality
    municipality_names: dict[str, str | None]
    coverage: pd.DataFrame
    gaps: pd.DataFrame
    capacity: pd.DataFrame
    minutes: float
    places_without_capacity: int = 0
    bands: pd.DataFrame | None = None  # shared_bands(): by district code; None when the dataset has no bands
    group: TargetGroup = DEFAULT_GROUP  # whom coverage and gaps count (geo_welfare.core.target_groups)

    @property
    def codes(self) -> list[str]:
        return list(self.districts["code"])


def _municipality_of(districts: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame) -> dict[str, tuple]:
    """Each district's municipality (code, name): its own record, else the stored one it overlaps most."""
    result: dict[str, tuple] = {}
    crs = metric_crs_for_bounds(tuple(districts.total_bounds))
    metric = municipalities.to_crs(crs) if len(municipalities) else municipalities
    for row, outline in zip(districts.to_dict("records"), districts.to_crs(crs).geometry):
        code, name = plain(row.get("municipality_code")), plain(row.get("municipality_name"))
        if not code and len(metric):
            overlap = metric.geometry.intersection(outline).area
            best = overlap.idxmax()
            if overlap[best] > 0:
                code, name = metric.loc[best, "code"], name or metric.loc[best, "name"]
        result[row["code"]] = (code or None, name or None)
    return result


def _municipality_counts(population: pd.DataFrame, code: str | None) -> dict[str, float]:
    """The counts of the small areas of municipality ``code`` (its codes begin with it); None: every small area."""
    counts = _per_small_area(population)
    if code:
        counts = counts[counts.index.astype(str).str.startswith(str(code))]
    return {column: float(counts[column].sum()) for column in COUNTS}


# Long because it is the one place every analysis of the profile is asked, in order, for the whole unit.
def gather(engine: Engine, unit: str, network: WalkingNetwork | None, *, dataset: str | None = None,
           compare: str | None = None, minutes: float = 15.0, speed_kmh: float = 4.0,
           include_staff: bool = False, kinds: Sequence[str] | None = None, lang: str = "ja",
           group: str | TargetGroup | None = None) -> ProfileInputs:
    """Ask the store and the analyses, once, for everything the profiles of ``unit``'s districts show.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    unit : str
        Area unit id (``elementary_district`` …).
    network : WalkingNetwork or None
        The streets; None: straight lines (every walking figure then says so).
    dataset, compare : str, optional
        Population datasets shown and compared with (:func:`newest_datasets`).
    minutes : float, default 15
        The walk of the gaps and of the capacity's catchment.
    include_staff : bool, default False
        Count staff-only places (a staff copy, never a public page).
    group : str or TargetGroup, optional
        Whom coverage and gaps count, and (without ``kinds``) whose places are shown; None: older.

    Raises
    ------
    NotStored
        No district of ``unit``, or a dataset not stored.
    MissingCounts
        If the shown dataset has none of the group's counts.
    """
    group = target_group(group)
    areas = read.read_areas(engine)
    districts = areas[areas["unit"] == unit].reset_index(drop=True)
    if districts.empty:
        raise NotStored(Word("area_unit"), unit, sorted(set(areas["unit"])))
    shown, previous = newest_datasets(engine, dataset, compare)
    study = open_study(engine, network, kinds=kinds, dataset=shown, include_staff_only=include_staff,
                       group=None if group is DEFAULT_GROUP else group)
    small = areas[areas["unit"] == SMALL_AREA]
    shares = _street_shares(study, districts) if network is not None else _area_shares(small, districts)
    population = read.read_population(engine, shown)
    stored_bands = read.read_population_bands(engine, shown)
    before = read.read_population(engine, previous) if previous else None
    places = len(study.resources) > 0
    coverage = planning.coverage(engine, study, COVERAGE_MINUTES, unit, speed_kmh, lang, group) if places else \
        pd.DataFrame(columns=["code", "minutes"])
    gaps = planning.gaps(engine, study, minutes, unit, speed_kmh, group) if places else pd.DataFrame(columns=["code"])
    capacity = planning.capacity(engine, study, minutes, unit, speed_kmh) if places else \
        pd.DataFrame(columns=["code"])
    towns = _municipality_of(districts, areas[areas["unit"] == "municipality"].reset_index(drop=True))
    by_town = {code: _municipality_counts(population, code) for code in {c for c, _ in towns.values()}}
    return ProfileInputs(unit, districts, study, shown, previous, shared_counts(population, shares),
                         shared_counts(before, shares) if before is not None else None,
                         {d: by_town[c] for d, (c, _) in towns.items()}, {d: n for d, (_, n) in towns.items()},
                         coverage, pd.DataFrame(gaps.drop(columns="geometry", errors="ignore")), capacity, minutes,
                         int(capacity.attrs.get("places_without_capacity", 0)) if places else 0,
                         shared_bands(stored_bands, shares) if len(stored_bands) else None, group)


@dataclass(frozen=True)
class DistrictProfile:
    """One district's profile in machine form (persons fractional, shares 0–1); :mod:`profile_tables` shows it."""

    unit: str
    code: str
    name: str
    municipality: str | None
    dataset: str
    previous_dataset: str | None
    counts: dict[str, float]
    municipality_counts: dict[str, float]
    previous_counts: dict[str, float] | None
    places: pd.DataFrame  # the district's places: the store's columns
    coverage: pd.DataFrame
    gaps: pd.DataFrame
    capacity: pd.DataFrame
    attributes: pd.DataFrame
    method: str
    minutes: float
    include_staff: bool
    places_without_capacity: int = 0
    notes: list[str] = field(default_factory=list)
    age_bands: pd.DataFrame | None = None  # BAND_COLUMNS, youngest first; None: the dataset keeps no 5-year bands
    group: TargetGroup = DEFAULT_GROUP  # whom coverage and gaps count; the tables show its columns

    @property
    def rates(self) -> tuple[float | None, float | None]:
        """(高齢化率, 75+ share) of the district, of the residents with known ages."""
        return _rates(self.counts)

    @property
    def municipality_rates(self) -> tuple[float | None, float | None]:
        return _rates(self.municipality_counts)

    def bands(self) -> list[tuple[str, float]]:
        """The age bands the store keeps, as a partition: 0–14, 15–64, 65–74, 75+ (persons)."""
        c = self.counts
        return [("age_0_14", c["age_0_14"]), ("age_15_64", c["age_15_64"]),
                ("age_65_74", c["age_65_plus"] - c["age_75_plus"]), ("age_75_plus", c["age_75_plus"])]


def district_profile(engine: Engine, inputs: ProfileInputs, code: str) -> DistrictProfile:
    """The profile of district ``code`` of ``inputs``.

    Raises
    ------
    NotStored
        If the unit has no district ``code`` (the message lists the stored ones).
    """
    matches = inputs.districts.index[inputs.districts["code"] == code]
    if not len(matches):
        from geo_welfare.core.glossary import AREA_UNITS
        raise NotStored(next(term for term in AREA_UNITS if term.id == inputs.unit), code,
                        [f"{c} {n}" for c, n in zip(inputs.districts["code"], inputs.districts["name"])])
    row = inputs.districts.loc[matches[0]]
    empty = {column: 0.0 for column in COUNTS}
    counts = inputs.counts.loc[code].to_dict() if code in inputs.counts.index else empty
    previous = None
    if inputs.previous_counts is not None:
        previous = inputs.previous_counts.loc[code].to_dict() if code in inputs.previous_counts.index else empty
    resources = inputs.study.resources
    inside = resources[resources.geometry.covered_by(row.geometry)] if len(resources) else resources
    order = inside.assign(_north=-inside.geometry.y).sort_values(["kind", "_north", "name"]).drop(columns="_north")

    def mine(table: pd.DataFrame) -> pd.DataFrame:
        return table[table["code"].astype(str) == code].reset_index(drop=True) if len(table) else table

    gaps = mine(inputs.gaps)
    if len(gaps):
        gaps = gaps.sort_values(inputs.group.demand, ascending=False).head(GAPS_SHOWN).reset_index(drop=True)
        gaps["rank"] = range(1, len(gaps) + 1)
    return DistrictProfile(inputs.unit, code, str(plain(row["name"]) or code), inputs.municipality_names.get(code),
                           inputs.dataset, inputs.previous_dataset, counts, inputs.municipalities[code], previous,
                           pd.DataFrame(order.drop(columns="geometry")).reset_index(drop=True), mine(inputs.coverage),
                           gaps, mine(inputs.capacity), read_district_attributes(engine, inputs.unit, code),
                           inputs.study.method, inputs.minutes, inputs.study.includes_staff_only,
                           inputs.places_without_capacity, age_bands=_bands_of(inputs.bands, code), group=inputs.group)


def _bands_of(bands: pd.DataFrame | None, code: str) -> pd.DataFrame | None:
    """District ``code``'s bands (all zero when none of its small areas has any), None when the dataset has none."""
    if bands is None:
        return None
    mine = bands[bands["code"].astype(str) == code]
    if mine.empty:
        mine = bands.drop_duplicates(["band_start", "band_end", "sex"]).assign(count=0.0)
    return mine.sort_values(["sex", "band_start"], na_position="first")[BAND_COLUMNS].reset_index(drop=True)
