"""交通空白地 (transit gaps): the older residents beyond a walk to every stop and station, by district and as polygons.

There is no national standard.  Japanese municipal plans commonly count a place as served within
300 m of a bus stop and 500–800 m of a railway station; here the two walks are given in minutes
(5 and 10 at 4 km/h: 333 m and 667 m) over the streets, so a river or a railway without a crossing
counts as it does for a walker.  A stop counts only with enough departures where its timetable is
known (``min_departures``: a stop with two buses a day is no stop for a trip to the doctor); a stop
without a timetable (OpenStreetMap, 国土数値情報) counts, and the answer says how many did.  A tram
stop is a stop.  Residents inside a community-transport service area (乗合タクシー, デマンド交通 …)
are served wherever they live in it.

The residents are the study's (:attr:`~geo_welfare.analysis.study.Study.residents`: spread along
the streets), so a district's figures here and its coverage figures count the same people; a
resident is beyond when the walk to the nearest stop is over the stop walk **and** the walk to the
nearest station is over the station walk, and stands in no service area.  The polygons are each
district minus the land within the walks (:func:`~geo_welfare.analysis.walk_areas.combined_grid`,
the grid the gaps map draws) and minus the service areas, cut by
:func:`~geo_welfare.analysis.gaps.gap_areas`.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from geo_welfare.analysis.coverage import coverage_by_area
from geo_welfare.analysis.gaps import gap_areas
from geo_welfare.analysis.planning import study_units
from geo_welfare.analysis.study import SMALL_AREA, Study
from geo_welfare.analysis.walk_areas import combined_grid
from geo_welfare.analysis.walk_grid import BUFFER_METRES
from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.walking import walk_metres
from geo_welfare.core.words import word

AGES = ("65_plus", "75_plus")


@dataclass(frozen=True)
class TransitDefinition:
    """What counts as served: the two walks, the speed and the fewest departures a stop needs.

    Attributes
    ----------
    stop_minutes, station_minutes : float
        The walk to a stop (bus, tram, other) and to a railway station, minutes.
    speed_kmh : float
        Walking speed, km/h.
    min_departures : int or None
        Departures per day a stop with a timetable needs to count; None: every stop counts.
    """

    stop_minutes: float = 5.0
    station_minutes: float = 10.0
    speed_kmh: float = 4.0
    min_departures: int | None = None

    @property
    def stop_metres(self) -> float:
        return walk_metres(self.stop_minutes, self.speed_kmh)

    @property
    def station_metres(self) -> float:
        return walk_metres(self.station_minutes, self.speed_kmh)


@dataclass
class TransitGaps:
    """The answer: residents beyond by unit, the gap polygons, and what was counted.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per unit and a whole-area row (``code`` ``"*"``): ``code``, ``name``, ``total``,
        ``age_65_plus``, ``age_75_plus`` (all residents), ``age_65_plus_no_transit``,
        ``age_75_plus_no_transit`` (persons beyond), ``share_65_plus_no_transit``, ``share_75_plus_no_transit``
        (0–1) and ``method``.
    pieces : geopandas.GeoDataFrame
        The gap polygons of :func:`~geo_welfare.analysis.gaps.gap_areas` (persons beyond), lon/lat.
    counted : dict
        ``stations``, ``stops`` (counted), ``too_few_departures`` (left out), ``without_timetable``
        (counted without a known number of departures) and ``service_areas``.
    """

    table: pd.DataFrame
    pieces: gpd.GeoDataFrame
    counted: dict


def counted_stops(stops: gpd.GeoDataFrame, min_departures: int | None) -> tuple[gpd.GeoDataFrame, dict]:
    """The stops that count, and how many were left out for too few departures or counted without a timetable."""
    departures = pd.to_numeric(pd.Series(stops["departures_per_day"], dtype=object), errors="coerce")
    known = departures.notna().to_numpy()
    too_few = known & (departures.to_numpy(dtype=float) < (min_departures or 0))
    kept = stops[~too_few].reset_index(drop=True)
    return kept, {"too_few_departures": int(too_few.sum()), "without_timetable": int((~known[~too_few]).sum())}


def beyond_transit(study: Study, stations: gpd.GeoDataFrame, stops: gpd.GeoDataFrame,
                   areas: gpd.GeoDataFrame, definition: TransitDefinition) -> np.ndarray:
    """Which of the study's residents are beyond both walks and outside every service area.

    Parameters
    ----------
    study : Study
        Its residents are counted.
    stations, stops : geopandas.GeoDataFrame
        Points in any declared CRS (stations for the longer walk, the other stops for the shorter).
    areas : geopandas.GeoDataFrame
        Community-transport service areas, any declared CRS.
    definition : TransitDefinition

    Returns
    -------
    numpy.ndarray
        Boolean, one per resident.
    """
    beyond = (study.walk_to_nearest(stops) > definition.stop_metres) & \
        (study.walk_to_nearest(stations) > definition.station_metres)
    if len(areas):
        served = shapely.union_all(areas.to_crs(study.crs).geometry.to_numpy())
        beyond &= ~shapely.intersects_xy(served, study.resident_xy[:, 0], study.resident_xy[:, 1])
    return beyond


def served_land(study: Study, stations: gpd.GeoDataFrame, stops: gpd.GeoDataFrame, areas: gpd.GeoDataFrame,
                definition: TransitDefinition) -> shapely.Geometry:
    """The land within the walks (the streets reached, widened as the gaps map draws them) and the service areas."""
    parts = []
    for places, limit in ((stations, definition.station_metres), (stops, definition.stop_metres)):
        if not len(places):
            continue
        if study.network is None:
            parts.append(shapely.union_all(shapely.buffer(shapely.points(study.xy(places)), limit)))
        else:
            parts.append(combined_grid(study.network, study.snapped(places), limit).land(limit))
    if len(areas):
        parts.append(shapely.union_all(areas.to_crs(study.crs).geometry.to_numpy()))
    return shapely.union_all(parts) if parts else shapely.Polygon()



def _table(study: Study, beyond: np.ndarray, units: gpd.GeoDataFrame | None, lang: str) -> pd.DataFrame:
    """Residents and residents beyond, per unit and for the whole area."""
    walk = np.where(beyond, np.inf, 0.0)  # "covered" within 0 minutes: exactly those not beyond
    table = coverage_by_area(study.residents, walk, 0.0, units=units)
    counts = ["total", "age_65_plus", "age_75_plus", "age_65_plus_covered", "age_75_plus_covered"]
    table = pd.concat([table[["code", *counts]], pd.DataFrame([{"code": "*", **table[counts].sum().to_dict()}])],
                      ignore_index=True)
    for age in AGES:
        table[f"age_{age}_no_transit"] = table[f"age_{age}"] - table[f"age_{age}_covered"]
        table[f"share_{age}_no_transit"] = table[f"age_{age}_no_transit"] / table[f"age_{age}"].where(table[f"age_{age}"] > 0)
    names = (units if units is not None else study.small_areas).set_index("code")["name"]
    table.insert(1, "name", table["code"].map(names).where(table["code"] != "*", word("total_row", lang)))
    table["method"] = study.method
    return table.drop(columns=[f"age_{age}_covered" for age in AGES])


def transit_gaps(engine: Engine, study: Study, stops: gpd.GeoDataFrame, areas: gpd.GeoDataFrame,
                 definition: TransitDefinition, unit: str = SMALL_AREA, lang: str = "ja") -> TransitGaps:
    """The older residents beyond public transport, by ``unit``, and the gap polygons.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store (for the units' polygons).
    study : Study
        Its residents are counted (its places are not used).
    stops : geopandas.GeoDataFrame
        Stored stops (:func:`geo_welfare.store.stops.read_stops`): ``mode``, ``departures_per_day``, points.
    areas : geopandas.GeoDataFrame
        Stored community-transport service areas (:func:`geo_welfare.store.stops.read_service_areas`).
    definition : TransitDefinition
    unit : str, default "small_area"
        Area unit to sum by and cut into pieces, as stored.
    lang : str, default "ja"
        The language of the whole-area row's name.

    Returns
    -------
    TransitGaps

    Raises
    ------
    PlanningInputError
        If the store holds no areas of ``unit``.
    """
    longest = max(definition.stop_metres, definition.station_metres)
    if study.within is not None:
        study.within.check_walk(longest, buffered=True)
        stops = stops[study.within.keep_places(stops, study.crs)].reset_index(drop=True)
    kept, counted = counted_stops(stops, definition.min_departures)
    is_station = (kept["mode"] == "station").to_numpy()
    stations, others = kept[is_station].reset_index(drop=True), kept[~is_station].reset_index(drop=True)
    counted.update(stations=len(stations), stops=len(others), service_areas=len(areas))
    beyond = beyond_transit(study, stations, others, areas, definition)
    units = study_units(engine, study, unit)
    table = _table(study, beyond, units, lang)
    study.progress("gaps")
    districts = units if units is not None else (
        study.small_areas if study.within is None or study.within.by_code else study.within.clip(study.small_areas))
    served = served_land(study, stations, others, areas, definition)
    pieces = gap_areas(districts, served, study.residents, np.where(beyond, np.inf, 0.0), 0.0)
    pieces.attrs["buffer_metres"] = BUFFER_METRES
    pieces["method"] = study.method
    return TransitGaps(table, pieces.to_crs(STORAGE_CRS), counted)
