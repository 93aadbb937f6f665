"""Stops, stations and community-transport service areas in the store: written per source, read for analysis.

Each write replaces what its ``source`` held before, inside the caller's one transaction (an import
of several files writes them all or none): the source's rows are
deleted and the file's inserted (nothing refers to a stop's id), and the counts say how many
``source_id`` are new, kept and gone; a source's service areas, which have no stable key, are
replaced as a whole.  Nothing of another source is touched; an error rolls everything back.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import shapely
from geoalchemy2.shape import from_shape
from sqlalchemy import Connection, Engine, delete, func, insert, select

from geo_welfare.core.config import STORAGE_CRS, STORAGE_SRID
from geo_welfare.core.values import plain
from geo_welfare.store.models import TransitServiceArea, TransitStop
from geo_welfare.store.write import WriteResult

#: Rows per insert statement (9 values each: far below SQLite's and PostgreSQL's limits on bound values).
BATCH = 2000


def _insert(connection: Connection, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(model), rows[start:start + BATCH])


def read_frame(engine: Engine, statement) -> gpd.GeoDataFrame:
    """The rows of ``statement`` (its geometry as ``wkb``) as a frame in lon/lat (EPSG:6668)."""
    with engine.connect() as connection:
        result = connection.execute(statement)
        table = pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)
    geometry = shapely.from_wkb([bytes(b) for b in table.pop("wkb")])
    table["id"] = table["id"].astype("int64")
    return gpd.GeoDataFrame(table, geometry=geometry, crs=STORAGE_CRS)


def _departures(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def write_stops(connection: Connection, stops: gpd.GeoDataFrame, source: str) -> WriteResult:
    """Store one source's stops (:func:`geo_welfare.layers.stops.read_stop_file`), replacing its previous import.

    Parameters
    ----------
    connection : sqlalchemy.Connection
        The import's transaction (``engine.begin()``).
    stops : geopandas.GeoDataFrame
        ``source_id``, ``name``, ``mode``, ``operator``, ``departures_per_day``, ``departures_date``
        and points in EPSG:6668.
    source : str
        The source's name (the file's, unless the user gave one).

    Returns
    -------
    WriteResult
    """
    rows = [{"source": source, "source_id": str(record["source_id"]), "name": plain(record["name"]),
             "mode": plain(record["mode"]), "operator": plain(record["operator"]),
             "departures_per_day": _departures(record["departures_per_day"]),
             "departures_date": plain(record["departures_date"]),
             "geom": from_shape(record["geometry"], srid=STORAGE_SRID)} for record in stops.to_dict("records")]
    new = {row["source_id"] for row in rows}
    old = set(connection.execute(select(TransitStop.source_id).where(TransitStop.source == source)).scalars())
    connection.execute(delete(TransitStop).where(TransitStop.source == source))
    _insert(connection, TransitStop, rows)
    return WriteResult(len(new - old), len(new & old), len(old - new))


def write_service_areas(connection: Connection, areas: gpd.GeoDataFrame, source: str) -> WriteResult:
    """Store one source's community-transport service areas, replacing all it held before (in ``connection``'s transaction).

    Returns
    -------
    WriteResult
        ``created`` the areas written, ``removed`` those the source held before, ``updated`` 0.
    """
    rows = [{"source": source, "name": plain(record["name"]), "kind": plain(record["kind"]),
             "geom": from_shape(record["geometry"], srid=STORAGE_SRID)} for record in areas.to_dict("records")]
    removed = connection.execute(delete(TransitServiceArea).where(TransitServiceArea.source == source)).rowcount
    _insert(connection, TransitServiceArea, rows)
    return WriteResult(len(rows), 0, int(removed or 0))


def read_stops(engine: Engine, modes: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Stored stops (all, or of ``modes``), ordered by source and ``source_id``, lon/lat (EPSG:6668)."""
    columns = [c for c in TransitStop.__table__.columns if c.name != "geom"]
    statement = select(*columns, func.ST_AsBinary(TransitStop.geom).label("wkb")).order_by(
        TransitStop.source, TransitStop.source_id)
    if modes:
        statement = statement.where(TransitStop.mode.in_(list(modes)))
    frame = read_frame(engine, statement)
    frame["departures_per_day"] = pd.array(frame["departures_per_day"], dtype="Int64")
    return frame


def read_service_areas(engine: Engine) -> gpd.GeoDataFrame:
    """Stored community-transport service areas, lon/lat (EPSG:6668)."""
    columns = [c for c in TransitServiceArea.__table__.columns if c.name != "geom"]
    return read_frame(engine, select(*columns, func.ST_AsBinary(TransitServiceArea.geom).label("wkb"))
                      .order_by(TransitServiceArea.source, TransitServiceArea.id))

