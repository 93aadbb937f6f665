"""Reading the store back as frames for analysis, maps, lists and exports.

Geometries travel as WKB and are decoded in one vectorised call; aging rates are derived here
from the stored counts.
"""

from __future__ import annotations

import datetime

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine, func, select

from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.store.models import (AreaUnit, CandidateSite, PopulationCount, PopulationDataset, Resource,
                                      Schedule)
from geo_welfare.core.glossary import VISIBILITY_PUBLIC
from geo_welfare.layers.schedules import is_open, schedule_of  # schedule_of is still imported from here too


def _frame(engine: Engine, statement, geometry_label: str = "wkb") -> gpd.GeoDataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        table = pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)
    table = table.astype({c: "Int64" for c in table.columns if c in INTEGER_COLUMNS})
    geometry = shapely.from_wkb([bytes(b) for b in table.pop(geometry_label)])  # popped even when empty
    return gpd.GeoDataFrame(table, geometry=geometry, crs=STORAGE_CRS)


INTEGER_COLUMNS = {"id", "capacity", "times_per_month"}


def read_areas(engine: Engine, unit: str | None = None) -> gpd.GeoDataFrame:
    """Area units (all levels, or one), ordered by level and code."""
    columns = [AreaUnit.id, AreaUnit.unit, AreaUnit.code, AreaUnit.name, AreaUnit.name_kana, AreaUnit.parent_code,
               AreaUnit.municipality_code, AreaUnit.municipality_name, AreaUnit.source]
    statement = select(*columns, func.ST_AsBinary(AreaUnit.geom).label("wkb")).order_by(AreaUnit.unit, AreaUnit.code)
    if unit:
        statement = statement.where(AreaUnit.unit == unit)
    return _frame(engine, statement)


def read_resources(engine: Engine, *, kinds: list[str] | None = None, include_staff_only: bool = False
                   ) -> gpd.GeoDataFrame:
    """Resources with their schedules as HSDS-shaped dicts; staff-only places only when asked for."""
    columns = [c for c in Resource.__table__.columns if c.name != "geom"]
    statement = select(*columns, func.ST_AsBinary(Resource.geom).label("wkb")).order_by(Resource.id)
    if kinds:
        statement = statement.where(Resource.kind.in_(kinds))
    if not include_staff_only:
        statement = statement.where(Resource.visibility == VISIBILITY_PUBLIC)
    frame = _frame(engine, statement)
    columns = (Schedule.resource_id, Schedule.freq, Schedule.interval, Schedule.byday, Schedule.bymonthday,
               Schedule.opens_at, Schedule.closes_at)
    by_resource: dict[int, list[dict]] = {}
    with engine.connect() as connection:
        for row in connection.execute(select(*columns).order_by(Schedule.id)).mappings():
            rule = dict(row)
            by_resource.setdefault(rule.pop("resource_id"), []).append(rule)
    frame["schedules"] = [by_resource.get(identifier, []) for identifier in frame["id"]]
    return frame


def open_at(resources: gpd.GeoDataFrame, when: datetime.datetime) -> pd.Series:
    """For each resource: open at ``when`` (True/False), or None where its schedule does not say."""
    return pd.Series([is_open(schedule_of(row), when) for row in resources.to_dict("records")],
                     index=resources.index, dtype=object)


def read_candidates(engine: Engine) -> gpd.GeoDataFrame:
    """Candidate sites for new community bases."""
    columns = [c for c in CandidateSite.__table__.columns if c.name != "geom"]
    return _frame(engine, select(*columns, func.ST_AsBinary(CandidateSite.geom).label("wkb")).order_by(CandidateSite.id))


def population_datasets(engine: Engine) -> pd.DataFrame:
    """Imported population tables: name, source file, as-of date, row count."""
    statement = (select(PopulationDataset.name, PopulationDataset.source_file, PopulationDataset.as_of,
                        func.count(PopulationCount.id).label("rows"))
                 .join(PopulationCount, isouter=True).group_by(PopulationDataset.id).order_by(PopulationDataset.name))
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(statement).mappings().all(),
                            columns=["name", "source_file", "as_of", "rows"])


def read_population(engine: Engine, dataset: str) -> pd.DataFrame:
    """Every row of one population dataset, with its small-area code where it joined."""
    statement = (select(PopulationCount.row_key, PopulationCount.area_code, PopulationCount.parent_name,
                        PopulationCount.name, PopulationCount.total, PopulationCount.age_0_14,
                        PopulationCount.age_15_64, PopulationCount.age_65_plus, PopulationCount.age_75_plus,
                        PopulationCount.households)
                 .join(PopulationDataset).where(PopulationDataset.name == dataset).order_by(PopulationCount.id))
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(statement).mappings().all())
    for column in ("total", "age_0_14", "age_15_64", "age_65_plus", "age_75_plus", "households"):
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame


def aging_rate(counts: pd.DataFrame) -> float | None:
    """高齢化率 of a set of rows: 65+ over the total of the rows whose 65+ is known.

    Rows whose age figures were suppressed ('x') have a known total but unknown ages; counting
    their total in the denominator would understate the rate, so they are left out of both sides.
    """
    known = counts["age_65_plus"].notna()
    denominator = int(counts.loc[known, "total"].sum())
    return None if denominator == 0 else int(counts.loc[known, "age_65_plus"].sum()) / denominator
