"""Reading the store back as frames for analysis, maps, lists and exports.

Geometries travel as WKB and are decoded in one vectorised call; aging rates are derived here
from the stored counts.
"""

from __future__ import annotations

import datetime
import hashlib
import json

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine, func, select

from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.store.models import (AreaUnit, CandidateSite, DistrictAttribute, ImportRun, PopulationBand, PopulationCount,
                                      PopulationDataset,
                                      Resource, ResourceChange, Schedule, ResourceService)
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


def read_areas(engine: Engine, unit: str | None = None, *,
               within: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
    """Area units (all levels, or one), ordered by level and code; with ``within`` (a lon/lat box),
    only those meeting it (a printed page's small areas, not the city's)."""
    columns = [AreaUnit.id, AreaUnit.unit, AreaUnit.code, AreaUnit.name, AreaUnit.name_kana, AreaUnit.parent_code,
               AreaUnit.municipality_code, AreaUnit.municipality_name, AreaUnit.source]
    statement = select(*columns, func.ST_AsBinary(AreaUnit.geom).label("wkb")).order_by(AreaUnit.unit, AreaUnit.code)
    if unit:
        statement = statement.where(AreaUnit.unit == unit)
    if within is not None:
        from geo_welfare.core.config import STORAGE_SRID
        box = func.ST_GeomFromText(shapely.box(*within).wkt, STORAGE_SRID)
        statement = statement.where(func.ST_Intersects(AreaUnit.geom, box))
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
               Schedule.opens_at, Schedule.closes_at, *(getattr(Schedule, part) for part in _LATER_PARTS))
    by_resource: dict[int, list[dict]] = {}
    with engine.connect() as connection:
        for row in connection.execute(select(*columns).order_by(Schedule.id)).mappings():
            rule = _rule(row)
            by_resource.setdefault(rule.pop("resource_id"), []).append(rule)
    frame["schedules"] = [by_resource.get(identifier, []) for identifier in frame["id"]]
    return frame


def read_services(engine: Engine, resource_ids=None) -> pd.DataFrame:
    """The services the places offer: one row each, by place, then as the file listed them (of ``resource_ids``).

    ``schedule_rules`` comes back as the list of rule dicts :func:`service_schedule` reads.
    """
    columns = [c for c in ResourceService.__table__.columns]
    statement = select(*columns).order_by(ResourceService.resource_id, ResourceService.id)
    with engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(statement).mappings()]
    wanted = None if resource_ids is None else {int(i) for i in resource_ids}
    rows = [row for row in rows if wanted is None or row["resource_id"] in wanted]
    for row in rows:
        row["schedule_rules"] = json.loads(row["schedule_rules"] or "[]")
    frame = pd.DataFrame(rows, columns=[c.name for c in columns])
    return frame.astype({"id": "Int64", "resource_id": "Int64", "capacity": "Int64"})


def service_schedule(service: dict):
    """The schedule of one service row of :func:`read_services`, to ask "open then?" of it alone."""
    from geo_welfare.core.values import plain
    from geo_welfare.layers.schedules import from_stored
    return from_stored(service.get("schedule_rules") or [], text=plain(service.get("schedule_text")),
                       closed_on_holidays=bool(plain(service.get("closed_on_holidays"))),
                       closed_year_end=bool(plain(service.get("closed_year_end"))),
                       unparsed=plain(service.get("schedule_unparsed")))


def service_labels(engine: Engine, resource_ids) -> list[str | None]:
    """For each place of ``resource_ids``: its services' types joined by 、 (None for a place without services)."""
    services = read_services(engine, resource_ids)
    labels = services.groupby("resource_id")["service_type"].agg(lambda types: "、".join(t for t in types if t))
    return [labels.get(int(identifier)) or None for identifier in resource_ids]


#: Schedule parts added by migration 0006 (months, holidays, closed rules, notes).
_LATER_PARTS = ("bymonth", "if_holiday", "closed", "notes")


def _rule(row) -> dict:
    """One schedule row as a dict; the parts of 0006 only where set, so a plain weekly rule reads as before."""
    rule = {key: value for key, value in dict(row).items() if key not in _LATER_PARTS}
    rule.update({part: row[part] for part in _LATER_PARTS if row[part]})
    if "closed" in rule:
        rule["closed"] = True
    return rule


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


def read_population_bands(engine: Engine, dataset: str) -> pd.DataFrame:
    """The 5-year bands of one dataset: ``row_key, area_code, band_start, band_end, sex, count`` (empty: no bands).

    ``band_end`` is NA for the open top band, ``sex`` None where the table counts both sexes together.
    """
    columns = ["row_key", "area_code", "band_start", "band_end", "sex", "count"]
    statement = (select(PopulationCount.row_key, PopulationCount.area_code, PopulationBand.band_start,
                        PopulationBand.band_end, PopulationBand.sex, PopulationBand.count)
                 .join(PopulationCount, PopulationBand.count_id == PopulationCount.id)
                 .join(PopulationDataset).where(PopulationDataset.name == dataset)
                 .order_by(PopulationCount.id, PopulationBand.sex, PopulationBand.band_start))
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(statement).mappings().all(), columns=columns)
    for column in ("band_start", "band_end", "count"):
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


#: What :func:`store_revision` counts: every table an analysis reads, and the two records every change
#: the product makes writes in its own transaction (an import's ``import_run`` row, a web edit's
#: ``resource_change`` row).
_REVISION_TABLES = (ImportRun, ResourceChange, Resource, Schedule, AreaUnit, PopulationDataset, PopulationCount,
                    PopulationBand, CandidateSite, ResourceService, DistrictAttribute)


def store_revision(engine: Engine) -> str:
    """A short text that changes whenever the store's contents change: the key of cached answers.

    Every import writes an ``import_run`` row and every web edit (create, change, move, delete) a
    ``resource_change`` row in the same transaction as the change itself, and neither table loses
    rows, so their row count and highest id grow with every change, on SpatiaLite and PostGIS alike
    and without triggers.  The count and highest id of each table an analysis reads (and the sum of
    the resources' versions, raised by every rewrite) are counted too, so rows added or removed
    behind the product's back (a script, a restored copy) change the revision as well.  The count
    beside the highest id matters on PostGIS, where a transaction may commit after one that took a
    higher id.  One query of a few aggregates: milliseconds on a city's store.

    Read it *before* the data it keys: then an answer can only be stored under a revision older
    than its data, never under a newer one that would outlive a change.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.

    Returns
    -------
    str
        16 hexadecimal digits; equal for equal contents as far as the counts tell.
    """
    columns = []
    for model in _REVISION_TABLES:
        columns.append(select(func.count()).select_from(model).scalar_subquery())
        columns.append(select(func.max(model.id)).scalar_subquery())
    columns.append(select(func.sum(Resource.version)).scalar_subquery())
    with engine.connect() as connection:
        counts = connection.execute(select(*columns)).one()
    return hashlib.sha256(repr(tuple(counts)).encode()).hexdigest()[:16]


#: Digits of a municipality (ward) code without its check digit: the first five of a small area's code.
MUNICIPALITY_CODE_DIGITS = 5
#: The units offered as a study's area beside the wards, coarsest first (school districts work too, unlisted).
WITHIN_UNITS = ("daily_life_area", "district")


def within_choices(engine: Engine) -> pd.DataFrame:
    """The areas a planner may work within: the wards present, and the stored 圏域 and districts.

    A ward (or municipality) is present when a stored small area's code starts with its five
    digits; its name is that of a stored ``municipality`` area of the same code, else the
    ``municipality_name`` most of its small areas carry.  School districts are valid areas as well,
    but too many to offer in a list (Sapporo has 202 elementary districts).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``name`` and ``unit`` (``municipality``, then ``daily_life_area``, then
        ``district``), each unit by code.
    """
    statement = select(AreaUnit.unit, AreaUnit.code, AreaUnit.name, AreaUnit.municipality_name).where(
        AreaUnit.unit.in_(("small_area", "municipality", *WITHIN_UNITS))).order_by(AreaUnit.unit, AreaUnit.code)
    with engine.connect() as connection:
        rows = pd.DataFrame(connection.execute(statement).all(), columns=["unit", "code", "name", "municipality_name"])
    small = rows[rows["unit"] == "small_area"]
    prefixes = small.assign(prefix=small["code"].str[:MUNICIPALITY_CODE_DIGITS])
    named = prefixes.dropna(subset=["municipality_name"]).groupby("prefix")["municipality_name"].agg(
        lambda names: names.value_counts().index[0])
    stored = rows[rows["unit"] == "municipality"].set_index("code")["name"]
    codes = sorted(prefixes["prefix"].unique())
    wards = pd.DataFrame({"code": codes, "name": [stored.get(code, named.get(code, "")) for code in codes],
                          "unit": "municipality"})
    others = [rows.loc[rows["unit"] == unit, ["code", "name", "unit"]] for unit in WITHIN_UNITS]
    return pd.concat([wards, *others], ignore_index=True).fillna({"name": ""})


def datasets_with_ages(engine: Engine) -> list[str]:
    """The population datasets with at least one 65+ count, by name: one query, not every row of every dataset."""
    statement = (select(PopulationDataset.name).join(PopulationCount)
                 .where(PopulationCount.age_65_plus.is_not(None)).distinct().order_by(PopulationDataset.name))
    with engine.connect() as connection:
        return list(connection.execute(statement).scalars())
