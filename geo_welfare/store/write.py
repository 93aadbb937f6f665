"""Writing validated layer frames to the store, inside the caller's transaction.

Every function here takes what a ``layers`` reader returned (already validated), so nothing
can fail half-way for a reason the user could have fixed in the file; the caller holds one
transaction for a whole import (see :mod:`geo_welfare.store.importing`), so if the database itself
fails, it rolls back and the store is as it was.  Rows are matched on stable keys
(``unit + code``, ``source + source_id``, ``dataset + row_key``) so importing the same file
again updates rather than duplicates, and rows gone from the new file are removed.

A resource list is first compared with the places its source already has (:func:`plan_resources`):
what it would create, change (field by field) and remove, so the importer can refuse a file that
would wipe the list or undo the web's edits before anything is written
(:mod:`geo_welfare.store.import_history`), and a place the file leaves as it is, is not rewritten.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from geoalchemy2.shape import from_shape
from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from geo_welfare.core.config import STORAGE_SRID
from geo_welfare.core.values import plain
from geo_welfare.layers.population import BAND_PREFIX, parse_band_column
from geo_welfare.store.models import (AreaUnit, CandidateSite, PopulationBand, PopulationCount, PopulationDataset,
                                      Resource, Schedule, ResourceService)

#: Rows per statement at most; and never more bound values in one statement than :data:`MAX_PARAMETERS`, below
#: SQLite's limit (32,766 variables) and PostgreSQL's (65,535), so a list of any length is written in batches
#: inside the caller's one transaction.
BATCH = 2000
MAX_PARAMETERS = 30_000


@dataclass(frozen=True)
class WriteResult:
    """How many rows an import added, updated and removed."""

    created: int
    updated: int
    removed: int


def _chunks(rows: list, size: int = BATCH):
    """``rows`` in batches of at most ``size``, fewer when each row binds many values (a dict's width)."""
    width = len(rows[0]) if rows and isinstance(rows[0], dict) else 1
    size = max(1, min(size, MAX_PARAMETERS // max(width, 1)))
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _upsert(connection, model, key_columns: tuple[str, ...], scope: dict, rows: list[dict],
            unchanged: frozenset[tuple] = frozenset()) -> WriteResult:
    """Insert new rows, update existing ones (matched on ``key_columns``) and delete the rest of ``scope``.

    Existing rows whose key is in ``unchanged`` already hold what ``rows`` say: counted as updated, not rewritten.
    """
    where = [getattr(model, column) == value for column, value in scope.items()]
    key_attributes = [getattr(model, column) for column in key_columns]
    existing = {tuple(row[1:]): row[0] for row in connection.execute(select(model.id, *key_attributes).where(*where))}
    to_update, to_insert, seen, kept = [], [], set(), 0
    for row in rows:
        key = tuple(row[column] for column in key_columns)
        seen.add(key)
        if key in existing and key in unchanged:
            kept += 1
        elif key in existing:
            to_update.append({"id": existing[key], **row})
        else:
            to_insert.append(row)
    for chunk in _chunks(to_insert):
        connection.execute(insert(model), chunk)
    if to_update:
        table = model.__table__
        columns = [column for column in to_update[0] if column != "id"]
        statement = (update(table).where(table.c.id == bindparam("row_id"))
                     .values({column: bindparam(f"new_{column}", type_=table.c[column].type) for column in columns}))
        statement = statement.values(version=table.c.version + 1) if "version" in table.c else statement  # stale edits
        for chunk in _chunks(to_update):
            connection.execute(statement, [{"row_id": row["id"], **{f"new_{c}": row[c] for c in columns}}
                                           for row in chunk])
    stale = [identifier for key, identifier in existing.items() if key not in seen]
    for chunk in _chunks([{"id": i} for i in stale]):
        connection.execute(delete(model).where(model.id.in_([r["id"] for r in chunk])))
    return WriteResult(len(to_insert), len(to_update) + kept, len(stale))


def write_areas(connection: Connection, frame: gpd.GeoDataFrame, unit: str, source: str) -> WriteResult:
    """Store area units of one level from one source (replacing that source's previous import)."""
    rows = [{
        "unit": unit, "code": code, "name": plain(name), "name_kana": plain(kana), "parent_code": plain(parent),
        "municipality_code": plain(municipality), "municipality_name": plain(municipality_name), "source": source,
        "geom": from_shape(geometry, srid=STORAGE_SRID),
    } for code, name, kana, parent, municipality, municipality_name, geometry in zip(
        frame["code"], frame["name"], frame["name_kana"], frame["parent_code"], frame["municipality_code"],
        frame["municipality_name"], frame.geometry)]
    return _upsert(connection, AreaUnit, ("code",), {"unit": unit, "source": source}, rows)


def write_population(connection: Connection, dataset: str, source_file: str, frame: pd.DataFrame,
                     area_codes: pd.Series | None = None, as_of: str | None = None) -> WriteResult:
    """Store a population table as one dataset; ``area_codes`` are the small areas rows joined to."""
    codes = area_codes if area_codes is not None else pd.Series(None, index=frame.index, dtype=object)
    dataset_id = connection.execute(select(PopulationDataset.id).where(PopulationDataset.name == dataset)).scalar()
    if dataset_id is None:
        dataset_id = connection.execute(insert(PopulationDataset).values(
            name=dataset, source_file=source_file, as_of=as_of).returning(PopulationDataset.id)).scalar_one()
    else:
        connection.execute(update(PopulationDataset).where(PopulationDataset.id == dataset_id)
                           .values(source_file=source_file, as_of=as_of))
    rows = [{
        "dataset_id": dataset_id, "row_key": str(row.row_key), "area_code": plain(codes.loc[index]),
        "parent_name": plain(row.parent_name), "name": plain(row.name),
        **{field: plain(getattr(row, field)) for field in
           ("total", "age_0_14", "age_15_64", "age_65_plus", "age_75_plus", "households")},
    } for index, row in zip(frame.index, frame.itertuples(index=False))]
    bands = [column for column in frame.columns if str(column).startswith(BAND_PREFIX)]
    check_band_sums(frame, bands)
    counts = select(PopulationCount.id).where(PopulationCount.dataset_id == dataset_id)
    connection.execute(delete(PopulationBand).where(PopulationBand.count_id.in_(counts)))
    result = _upsert(connection, PopulationCount, ("row_key",), {"dataset_id": dataset_id}, rows)
    if bands:
        ids = dict(connection.execute(select(PopulationCount.row_key, PopulationCount.id)
                                      .where(PopulationCount.dataset_id == dataset_id)).all())
        defined = [(column, *parse_band_column(column)) for column in bands]
        band_rows = [{"count_id": ids[str(key)], "band_start": start, "band_end": end, "sex": sex,
                      "count": plain(value)}
                     for key, values in zip(frame["row_key"], frame[bands].itertuples(index=False))
                     for (_, start, end, sex), value in zip(defined, values)]
        for chunk in _chunks(band_rows):
            connection.execute(insert(PopulationBand), chunk)
    return result


#: Which bands each stored group is the sum of: (first age, last age or None for 'and over').
BAND_GROUPS = {"total": (0, None), "age_0_14": (0, 14), "age_15_64": (15, 64), "age_65_plus": (65, None),
               "age_75_plus": (75, None)}


def check_band_sums(frame: pd.DataFrame, bands: list[str]) -> None:
    """Refuse bands that do not add up to the groups they fold into, so the pyramid and the table agree.

    The reader folds the groups from the bands, so a difference is a fault of the program, not of
    the file: raised as ``ValueError`` (inside the import's transaction, which then writes nothing).
    A group or a band that is unknown (suppressed) is not compared.
    """
    defined = {column: parse_band_column(column) for column in bands}
    for group, (first, last) in BAND_GROUPS.items():
        members = [column for column, (start, end, _) in defined.items()
                   if start >= first and (last is None or (end is not None and end <= last))]
        if not members or group not in frame:
            continue
        cells = frame[members].apply(pd.to_numeric, errors="coerce")
        known = cells.notna().all(axis=1) & pd.to_numeric(frame[group], errors="coerce").notna()
        summed = cells[known].sum(axis=1).astype("int64")
        stated = pd.to_numeric(frame.loc[known, group]).astype("int64")
        wrong = summed != stated
        if wrong.any():
            key = frame.loc[known].loc[wrong, "row_key"].iloc[0]
            raise ValueError(f"population row {key}: the bands of {group} add up to "
                             f"{summed[wrong].iloc[0]}, not {stated[wrong].iloc[0]}")


RESOURCE_FIELDS = ("kind", "name", "name_kana", "operator", "address", "phone", "url", "target_groups", "fee",
                   "capacity", "barrier_free", "consultation", "visibility", "last_checked", "schedule_text",
                   "closed_on_holidays", "closed_year_end", "times_per_month", "schedule_unparsed", "note",
                   "capacity_text", "capacity_approximate", "location_level", "location_gazetteer",
                   "consultation_fields", "outreach")


#: A resource's point as the history gives it (decimal degrees, JGD2011).
COORDINATES = ("lon", "lat")
#: Closer than this (degrees, about 0.1 mm) a stored point and the file's are the same point.
SAME_POINT_DEGREES = 1e-9


def history_value(value: object) -> object:
    """A stored or imported value as the history and comparisons take it: plain, dates as ISO text, 34.0 as 34."""
    value = plain(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class ResourcePlan:
    """What writing a resource list would do to the places its source has, worked out before writing.

    ``stored`` and ``incoming`` map ``source_id`` to the place's fields, ``lon`` and ``lat`` as
    :func:`history_value` gives them (``stored`` with the row's ``id`` too); ``changed`` holds each
    stored place the file changes, as ``{field: [old, new]}``.
    """

    source: str
    rows: list[dict]
    stored: dict[str, dict]
    incoming: dict[str, dict]
    created: list[str]
    changed: dict[str, dict[str, list]]
    removed: list[str]


def _differences(old: dict, new: dict) -> dict[str, list]:
    changes = {}
    for field in RESOURCE_FIELDS + COORDINATES:
        before, after = old.get(field), new.get(field)
        if field in COORDINATES and before is not None and after is not None:
            if abs(before - after) > SAME_POINT_DEGREES:
                changes[field] = [before, after]
        elif before != after:
            changes[field] = [before, after]
    return changes


def _stored_resources(connection: Connection, source: str) -> dict[str, dict]:
    """The source's places, locked until the import commits (PostgreSQL), so no web edit slips in between."""
    columns = [Resource.__table__.c[field] for field in RESOURCE_FIELDS]
    statement = (select(Resource.id, Resource.source_id, *columns, func.ST_X(Resource.geom).label("lon"),
                        func.ST_Y(Resource.geom).label("lat")).where(Resource.source == source).order_by(Resource.id)
                 .with_for_update())
    return {row["source_id"]: {"id": row["id"], **{field: history_value(row[field]) for field in RESOURCE_FIELDS},
                               "lon": row["lon"], "lat": row["lat"]}
            for row in connection.execute(statement).mappings()}


def plan_resources(connection: Connection, frame: gpd.GeoDataFrame, source: str) -> ResourcePlan:
    """Compare a validated resource list with the places ``source`` has: created, changed, removed."""
    rows, incoming = [], {}
    for record in frame.to_dict("records"):
        source_id, point = str(record["source_id"]), record["geometry"]
        values = {field: plain(record[field]) for field in RESOURCE_FIELDS}
        rows.append({"source": source, "source_id": source_id, **values, "geom": from_shape(point, srid=STORAGE_SRID)})
        incoming[source_id] = {**{f: history_value(v) for f, v in values.items()}, "lon": point.x, "lat": point.y}
    stored = _stored_resources(connection, source)
    changed = {}
    for source_id, new in incoming.items():
        differences = _differences(stored[source_id], new) if source_id in stored else None
        if differences:
            changed[source_id] = differences
    return ResourcePlan(source, rows, stored, incoming, [s for s in incoming if s not in stored], changed,
                        [s for s in stored if s not in incoming])


def write_resources(connection: Connection, frame: gpd.GeoDataFrame, source: str,
                    plan: ResourcePlan | None = None) -> WriteResult:
    """Store a resource list and its schedules (replacing the previous import of the same source).

    ``plan`` is :func:`plan_resources`' for this frame (worked out here when not given); places it
    finds unchanged are not rewritten.
    """
    plan = plan if plan is not None else plan_resources(connection, frame, source)
    unchanged = frozenset((source_id,) for source_id in plan.stored
                          if source_id in plan.incoming and source_id not in plan.changed)
    result = _upsert(connection, Resource, ("source_id",), {"source": source}, plan.rows, unchanged)
    ids = dict(connection.execute(select(Resource.source_id, Resource.id).where(Resource.source == source)).all())
    for chunk in _chunks(list(ids.values())):  # one IN list per batch: 300,000 ids exceed every store's limit
        connection.execute(delete(Schedule).where(Schedule.resource_id.in_(chunk)))
    schedules = [{"resource_id": ids[str(record["source_id"])], "freq": rule["freq"],
                  "interval": rule.get("interval") or 1, "byday": rule.get("byday") or None,
                  "bymonthday": rule.get("bymonthday") or None, "bymonth": rule.get("bymonth") or None,
                  "opens_at": rule.get("opens_at"), "closes_at": rule.get("closes_at"),
                  "if_holiday": rule.get("if_holiday") or None, "closed": bool(rule.get("closed")),
                  "notes": rule.get("notes") or None}
                 for record in frame.to_dict("records") for rule in record.get("schedule_rules") or []]
    for chunk in _chunks(schedules):
        connection.execute(insert(Schedule), chunk)
    write_services(connection, frame, ids)
    return result


#: The fields of a service row (:class:`~geo_welfare.store.models.ResourceService`) a validated frame's
#: ``services`` dicts carry (:mod:`geo_welfare.layers.national`), besides the rules.
SERVICE_FIELDS = ("source_id", "service_code", "service_type", "kind", "target_groups", "capacity", "capacity_text",
                  "schedule_text", "closed_on_holidays", "closed_year_end", "schedule_unparsed")


def write_services(connection: Connection, frame: gpd.GeoDataFrame, ids: dict[str, int]) -> int:
    """Replace the services of a source's places (``ids``: source_id → resource id) with the frame's ``services``.

    A list without services (every layout but the national ones) leaves its places with none, so a
    place whose file no longer lists services does not keep stale ones.  Returns the rows written.
    """
    for chunk in _chunks(list(ids.values())):
        connection.execute(delete(ResourceService).where(ResourceService.resource_id.in_(chunk)))
    rows = [{"resource_id": ids[str(record["source_id"])],
             **{name: plain(service.get(name)) for name in SERVICE_FIELDS},
             "closed_on_holidays": bool(service.get("closed_on_holidays")),
             "closed_year_end": bool(service.get("closed_year_end")),
             "schedule_rules": json.dumps(service.get("schedule_rules") or [], ensure_ascii=False)}
            for record in frame.to_dict("records") if str(record["source_id"]) in ids
            for service in (record.get("services") if isinstance(record.get("services"), list) else [])]
    for chunk in _chunks(rows):
        connection.execute(insert(ResourceService), chunk)
    return len(rows)


def write_candidates(connection: Connection, frame: gpd.GeoDataFrame, source: str) -> WriteResult:
    """Store candidate sites for new community bases."""
    rows = [{"source": source, "source_id": str(record["source_id"]), "name": record["name"],
             "kind": plain(record["kind"]), "address": plain(record["address"]),
             "geom": from_shape(record["geometry"], srid=STORAGE_SRID)} for record in frame.to_dict("records")]
    return _upsert(connection, CandidateSite, ("source_id",), {"source": source}, rows)
