"""Older residents in hazard zones, and those of them beyond walking reach of a shelter open for that hazard.

For each zone class (a flood depth band of one scenario, a 土砂災害警戒区域 or 特別警戒区域) and each
area unit: the residents aged 65+ and 75+ standing inside a zone of the class (point in polygon over
the residents spread along the streets, :attr:`~geo_welfare.analysis.study.Study.residents`; a point
inside two zones of one class counts once, a point on a zone's edge counts as inside), and among them
those whose walk to the nearest shelter **open for that hazard** takes more than the limit.

Which shelters are open for a hazard (:data:`SHELTER_HAZARDS`) is what the GSI 指定緊急避難場所 flags say:

* **flood** zones (A31, rivers overflowing): sites flagged 洪水.  Sites flagged only 内水氾濫 (rain the
  drains cannot take) are left out: that designation does not say the site stays dry when a river
  floods, and a site open for 内水 only may stand in the river's zone.
* **landslide** zones (A33): sites flagged 崖崩れ、土石流及び地滑り.

指定避難所 (where people stay afterwards) carry no hazard flag and count for neither.  Walks are over
the streets with a network, straight lines without (the ``method`` column says which), as everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from geo_welfare.analysis.planning import study_units
from geo_welfare.analysis.spread import unit_of_points
from geo_welfare.analysis.study import SMALL_AREA, PlanningInputError, Study
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH, STORAGE_CRS
from geo_welfare.core.walking import walk_metres
from geo_welfare.core.words import t
from geo_welfare.layers.hazards import class_label, hazard_label
from geo_welfare.layers.shelters import open_for
from geo_welfare.store.hazards import read_hazard_zones_stored, read_shelters_stored

#: The shelter flags (GSI hazard ids) that open a shelter for the residents of each kind of zone.
SHELTER_HAZARDS: Mapping[str, tuple[str, ...]] = {"flood": ("flood",), "landslide": ("landslide",)}
#: What identifies a zone class; zones sharing these are one class.
CLASS_KEY = ["hazard", "scenario", "zone_class", "phenomenon"]
#: The order classes are listed in, within a hazard.
ZONE_ORDER = ("warning", "warning_proposed", "special_warning", "special_warning_proposed")
SCENARIO_ORDER = ("maximum", "planned", "legacy")


def _class_rank(row: pd.Series) -> tuple:
    zone = str(row["zone_class"])
    if row["hazard"] == "flood":
        lower = float(zone.split("-")[0]) if zone.split("-")[0] else 0.0
        scenario = SCENARIO_ORDER.index(row["scenario"]) if row["scenario"] in SCENARIO_ORDER else 9
        return (0, scenario, lower, "")
    return (1, 0, float(ZONE_ORDER.index(zone)) if zone in ZONE_ORDER else 9.0, str(row["phenomenon"] or ""))


def zone_classes(zones: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """The zone classes present in ``zones``, in listing order, each with its ``label`` in ``lang``."""
    frame = pd.DataFrame(zones[CLASS_KEY]).astype(object)
    classes = frame.where(frame.notna(), None).drop_duplicates(CLASS_KEY).reset_index(drop=True)
    classes["label"] = [class_label(row.hazard, row.zone_class, row.phenomenon, lang)
                        for row in classes.itertuples(index=False)]
    order = sorted(range(len(classes)), key=lambda i: _class_rank(classes.iloc[i]))
    return classes.iloc[order].reset_index(drop=True)


def inside_classes(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, classes: pd.DataFrame) -> np.ndarray:
    """Which residents stand in a zone of each class: boolean, shape (n_points, n_classes).

    One spatial index over every zone, queried once with all the points (``intersects``: a point on
    an edge is inside); a point in two zones of one class is marked once.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Resident points, any declared CRS.
    zones : geopandas.GeoDataFrame
        Zone polygons with the :data:`CLASS_KEY` columns, any declared CRS (reprojected to the points').
    classes : pandas.DataFrame
        :func:`zone_classes` of ``zones``.
    """
    result = np.zeros((len(points), len(classes)), dtype=bool)
    if len(points) == 0 or len(zones) == 0:
        return result
    polygons = zones.to_crs(points.crs)
    keys = [tuple(row) for row in classes[CLASS_KEY].itertuples(index=False)]
    class_of_zone = np.array([keys.index(tuple(None if pd.isna(v) else v for v in row))
                              for row in polygons[CLASS_KEY].itertuples(index=False)])
    tree = shapely.STRtree(np.asarray(polygons.geometry.values, dtype=object))
    point_index, zone_index = tree.query(np.asarray(points.geometry.values, dtype=object), predicate="intersects")
    result[point_index, class_of_zone[zone_index]] = True
    return result


def exposure_by_unit(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, walks: Mapping[str, np.ndarray],
                     limit_metres: float, units: gpd.GeoDataFrame | None = None,
                     names: Mapping[str, str] | None = None, total_name: str = "*", lang: str = "ja"
                     ) -> pd.DataFrame:
    """Residents 65+ and 75+ in each zone class per unit, and those beyond ``limit_metres`` of an open shelter.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Resident points in a metric CRS with ``age_65_plus``, ``age_75_plus`` (persons) and
        ``area_code`` (the unit when ``units`` is None).
    zones : geopandas.GeoDataFrame
        Zone polygons with the :data:`CLASS_KEY` columns.
    walks : mapping of str to numpy.ndarray
        Per hazard, each point's walk (metres) to the nearest shelter open for it (``inf``: none).
    limit_metres : float
        The longest walk that still reaches a shelter (included), metres.
    units : geopandas.GeoDataFrame, optional
        Units with ``code`` and polygons; None: the points' small areas.
    names : mapping, optional
        Unit code → name.
    total_name : str
        The name of each class's whole-area row (code ``"*"``).

    Returns
    -------
    pandas.DataFrame
        Per class, one row per unit with residents in it, then the whole-area row: ``hazard``,
        ``scenario``, ``zone_class``, ``phenomenon``, ``zone_label`` (in ``lang``), ``code``, ``name``, ``age_65_plus``,
        ``age_75_plus`` (persons in the zones), ``age_65_plus_beyond``, ``age_75_plus_beyond``
        (persons among them beyond the walk).
    """
    classes = zone_classes(zones, lang)
    inside = inside_classes(points, zones, classes)
    codes = points["area_code"].to_numpy(dtype=object) if units is None else \
        unit_of_points(points, units).to_numpy(dtype=object)
    people = {age: points[age].to_numpy(dtype=float) for age in ("age_65_plus", "age_75_plus")}
    rows = []
    for position, entry in classes.iterrows():
        walk = walks.get(entry["hazard"], np.full(len(points), np.inf))
        beyond = np.asarray(walk, dtype=float) > limit_metres
        member = inside[:, position]
        frame = pd.DataFrame({"code": codes[member], **{age: values[member] for age, values in people.items()},
                              **{f"{age}_beyond": (values * beyond)[member] for age, values in people.items()}})
        sums = frame.groupby("code", dropna=False, sort=True).sum().reset_index()
        whole = pd.DataFrame([{"code": "*", **frame.drop(columns="code").sum().to_dict()}])
        table = pd.concat([sums, whole], ignore_index=True)
        table.insert(0, "zone_label", entry["label"])
        for column in reversed(CLASS_KEY):
            table.insert(0, column, entry[column])
        rows.append(table)
    columns = CLASS_KEY + ["zone_label", "code", "age_65_plus", "age_75_plus", "age_65_plus_beyond",
                           "age_75_plus_beyond"]
    result = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
    result = result[columns]
    names = dict(names or {})
    result.insert(result.columns.get_loc("code") + 1, "name",
                  [total_name if code == "*" else names.get(code) for code in result["code"]])
    return result


def _key(values) -> tuple:
    return tuple(None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in values)


def exposure_shapes(table: pd.DataFrame, zones: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                    area: shapely.Geometry | None = None) -> list:
    """Each row's shape: its class's zones within its unit (the whole-area row: within ``area``, or all of them).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`exposure_by_unit`'s rows.
    zones, units : geopandas.GeoDataFrame
        The zones and the units (``code``) the table was made from, in one CRS.
    area : shapely.Geometry, optional
        The study's one area, in that CRS; None: the whole store.

    Returns
    -------
    list of shapely.Geometry
        One per row (None for residents outside every unit).
    """
    merged = {_key(key): shapely.union_all(np.asarray(group.geometry.values))
              for key, group in zones.groupby(CLASS_KEY, dropna=False)}
    outlines = dict(zip(units["code"], units.geometry))
    shapes = []
    for row in table[CLASS_KEY + ["code"]].itertuples(index=False):
        whole = merged.get(_key(row[:-1]))
        if whole is None or (row.code != "*" and row.code not in outlines):
            shapes.append(None)
            continue
        limit = (area if row.code == "*" else outlines[row.code])
        shapes.append(whole if limit is None else shapely.intersection(whole, limit))
    return shapes



def hazard_exposure(engine: Engine, study: Study, minutes: float, unit: str = SMALL_AREA,
                    speed_kmh: float = DEFAULT_WALKING_SPEED_KMH, hazards: tuple[str, ...] | None = None,
                    lang: str = "ja") -> pd.DataFrame:
    """The exposure table of the stored zones (of ``hazards``) for the study's residents, by ``unit``.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`exposure_by_unit`'s columns, the hazard's label (``hazard_label``), ``minutes`` and
        ``method``, and each row's shape (:func:`exposure_shapes`, lon/lat) for a GIS layer;
        ``attrs["shelters"]`` counts the stored shelters open for each hazard.

    Raises
    ------
    PlanningInputError
        If the store holds no hazard zones (of ``hazards``), or no areas of ``unit``.
    """
    zones = read_hazard_zones_stored(engine)
    if hazards:
        zones = zones[zones["hazard"].isin(hazards)].reset_index(drop=True)
    if len(zones) == 0:
        raise PlanningInputError("no_hazard_zones_stored")
    limit = walk_metres(minutes, speed_kmh)
    if study.within is not None:  # a study of one area: its zones, and walks no longer than its margin
        study.within.check_walk(limit)
        zones = zones[shapely.intersects(study.within.area, np.asarray(zones.geometry.values))].reset_index(drop=True)
    units = study_units(engine, study, unit)  # refused before any walk is computed
    shelters = read_shelters_stored(engine)
    open_shelters = {hazard: open_for(shelters, flags) for hazard, flags in SHELTER_HAZARDS.items()
                     if hazard in set(zones["hazard"])}
    walks = {hazard: study.walk_to_nearest(frame) for hazard, frame in open_shelters.items()}
    names = (units if units is not None else study.small_areas).set_index("code")["name"].to_dict()
    study.progress("hazards")
    table = exposure_by_unit(study.residents, zones, walks, limit, units, names,
                             t("total_row", lang), lang)
    table.insert(1, "hazard_label", [hazard_label(hazard, scenario, lang)
                                     for hazard, scenario in zip(table["hazard"], table["scenario"])])
    table["minutes"] = float(minutes)
    table["method"] = study.method
    outlines = units if units is not None else study.small_areas
    area = study.within.area if study.within is not None else None
    layer = gpd.GeoDataFrame(table, geometry=exposure_shapes(table, zones, outlines.to_crs(STORAGE_CRS), area),
                             crs=STORAGE_CRS)
    layer.attrs["shelters"] = {hazard: len(frame) for hazard, frame in open_shelters.items()}
    return layer
