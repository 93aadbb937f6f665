"""Writing validated layer frames to the store, inside the caller's transaction.

Every function here takes what a ``layers`` reader returned (already validated), so nothing
can fail half-way for a reason the user could have fixed in the file; the caller holds one
transaction for a whole import (see :mod:`geo_welfare.store.importing`), so if the database itself
fails, it rolls back and the store is as it was.  Rows are matched on stable keys
(``unit + code``, ``source + source_id``, ``dataset + row_key``) so importing the same file
again updates rather than duplicates, and rows gone from the new file are removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from geoalchemy2.shape import from_shape
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from geo_welfare.core.config import STORAGE_SRID
from geo_welfare.core.values import plain
from geo_welfare.store.models import (AreaUnit, CandidateSite, PopulationCount, PopulationDataset, Resource,
                                      Schedule)

BATCH = 2000


@dataclass(frozen=True)
class WriteResult:
    """How many rows an import added, updated and removed."""

    created: int
    updated: int
    removed: int


def _chunks(rows: list[dict], size: int = BATCH):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _upsert(connection, model, key_columns: tuple[str, ...], scope: dict, rows: list[dict]) -> WriteResult:
    """Insert new rows, update existing ones (matched on ``key_columns``) and delete the rest of ``scope``."""
    where = [getattr(model, column) == value for column, value in scope.items()]
    key_attributes = [getattr(model, column) for column in key_columns]
    existing = {tuple(row[1:]): row[0] for row in connection.execute(select(model.id, *key_attributes).where(*where))}
    to_update, to_insert, seen = [], [], set()
    for row in rows:
        key = tuple(row[column] for column in key_columns)
        seen.add(key)
        if key in existing:
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
        for chunk in _chunks(to_update):
            connection.execute(statement, [{"row_id": row["id"], **{f"new_{c}": row[c] for c in columns}}
                                           for row in chunk])
    stale = [identifier for key, identifier in existing.items() if key not in seen]
    for chunk in _chunks([{"id": i} for i in stale]):
        connection.execute(delete(model).where(model.id.in_([r["id"] for r in chunk])))
    return WriteResult(len(to_insert), len(to_update), len(stale))


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
    return _upsert(connection, PopulationCount, ("row_key",), {"dataset_id": dataset_id}, rows)


RESOURCE_FIELDS = ("kind", "name", "name_kana", "operator", "address", "phone", "url", "target_groups", "fee",
                   "capacity", "barrier_free", "consultation", "visibility", "last_checked", "schedule_text",
                   "closed_on_holidays", "closed_year_end", "times_per_month", "schedule_unparsed", "note")


def write_resources(connection: Connection, frame: gpd.GeoDataFrame, source: str) -> WriteResult:
    """Store a resource list and its schedules (replacing the previous import of the same source)."""
    rows = [{"source": source, "source_id": str(record["source_id"]),
             **{field: plain(record[field]) for field in RESOURCE_FIELDS},
             "geom": from_shape(record["geometry"], srid=STORAGE_SRID)}
            for record in frame.to_dict("records")]
    result = _upsert(connection, Resource, ("source_id",), {"source": source}, rows)
    ids = dict(connection.execute(select(Resource.source_id, Resource.id).where(Resource.source == source)).all())
    if ids:
        connection.execute(delete(Schedule).where(Schedule.resource_id.in_(list(ids.values()))))
    schedules = [{"resource_id": ids[str(record["source_id"])], "freq": rule["freq"],
                  "interval": rule.get("interval") or 1, "byday": rule.get("byday") or None,
                  "bymonthday": rule.get("bymonthday") or None,
                  "opens_at": rule.get("opens_at"), "closes_at": rule.get("closes_at")}
                 for record in frame.to_dict("records") for rule in record.get("schedule_rules") or []]
    for chunk in _chunks(schedules):
        connection.execute(insert(Schedule), chunk)
    return result


def write_candidates(connection: Connection, frame: gpd.GeoDataFrame, source: str) -> WriteResult:
    """Store candidate sites for new community bases."""
    rows = [{"source": source, "source_id": str(record["source_id"]), "name": record["name"],
             "kind": plain(record["kind"]), "address": plain(record["address"]),
             "geom": from_shape(record["geometry"], srid=STORAGE_SRID)} for record in frame.to_dict("records")]
    return _upsert(connection, CandidateSite, ("source_id",), {"source": source}, rows)
