"""Stops of a GTFS / GTFS-JP feed (a .zip or a folder), with their departures on one service day.

Read: ``stops.txt`` (``stop_id``, ``stop_name``, ``stop_lat``, ``stop_lon``, ``location_type``),
``routes.txt`` (``route_type``, for the mode), ``trips.txt``, ``stop_times.txt``, ``calendar.txt``
and/or ``calendar_dates.txt``, and ``frequencies.txt`` where a feed has one; the GTFS-JP files
(``agency_jp.txt``, ``office_jp.txt`` …) are not needed.  Only boarding points are stops
(``location_type`` empty or 0: the 標柱 of GTFS-JP); a 停留所 (1) that groups them, entrances and
nodes are left out.  A stop's mode is that of the
routes calling there (route_type 0 tram, 1/2/12 and the extended 100–499 rail a station, 3/11 and
700–799 bus), a station first where several call; a stop no trip calls at is a bus stop.
Departures per day are counted by :mod:`~geo_welfare.layers.stops_gtfs_days`.
"""

from __future__ import annotations

import datetime
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.errors import InputError, Problem
from geo_welfare.io.readers import ROW, read_table
from geo_welfare.layers.stops_gtfs_days import departures_per_stop, gtfs_date, services_on, typical_weekday

REQUIRED = {"stops.txt": ("stop_id", "stop_name", "stop_lat", "stop_lon"), "trips.txt": ("route_id", "service_id",
            "trip_id"), "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"), "routes.txt": ("route_id",
            "route_type"), "calendar.txt": ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
            "saturday", "sunday", "start_date", "end_date"), "calendar_dates.txt": ("service_id", "date",
            "exception_type"), "agency.txt": ("agency_name",), "frequencies.txt": ("trip_id", "start_time",
            "end_time", "headway_secs")}
#: Mode priority where several kinds of route call at one stop.
PRIORITY = ("station", "tram", "bus", "other")


def route_mode(route_type: object) -> str:
    """The mode of a GTFS ``route_type`` (basic or extended)."""
    try:
        code = int(str(route_type).strip())
    except ValueError:
        return "other"
    if code in (1, 2, 12) or 100 <= code < 500:
        return "station"
    if code == 0 or 900 <= code < 1000:
        return "tram"
    if code in (3, 11) or 700 <= code < 800:
        return "bus"
    return "other"


def _read_feed(path: Path, folder: Path) -> dict[str, pd.DataFrame]:
    """Each GTFS table of the feed as strings, ``_row`` its line; problems name ``feed:file``."""
    if path.name.lower() == "stops.txt":
        path = path.parent
    if path.is_dir():
        files = {child.name: child for child in path.iterdir() if child.name in REQUIRED}
    else:
        with zipfile.ZipFile(path) as archive:
            members = [name for name in archive.namelist() if Path(name).name in REQUIRED]
            for name in members:
                (folder / Path(name).name).write_bytes(archive.read(name))
        files = {Path(name).name: folder / Path(name).name for name in members}
    tables, problems = {}, []
    for name, file in sorted(files.items()):
        try:
            tables[name] = read_table(file, allow_empty=name in ("calendar_dates.txt", "frequencies.txt"))
        except InputError as error:
            problems += [replace(problem, file=f"{path.name}:{name}") for problem in error.problems]
    missing = [name for name in ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt") if name not in files]
    if "calendar.txt" not in files and "calendar_dates.txt" not in files:
        missing.append("calendar.txt")
    problems += [Problem(f"{path.name}:{name}", None, None, "gtfs_file_missing", {}) for name in missing]
    for name, table in tables.items():
        problems += [Problem(f"{path.name}:{name}", None, column, "required_column_missing", {})
                     for column in REQUIRED[name] if column not in table]
    if problems:
        raise InputError(problems)
    return tables


def _calendars(tables: dict[str, pd.DataFrame], feed: str) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """``calendar.txt`` with ``start``/``end`` and ``calendar_dates.txt`` with ``day`` as dates; bad dates refused."""
    problems: list[Problem] = []

    def dated(table: pd.DataFrame, name: str, column: str) -> list:
        values = []
        for row, text in zip(table[ROW], table[column]):
            try:
                values.append(gtfs_date(text))
            except ValueError:
                problems.append(Problem(f"{feed}:{name}", int(row), column, "gtfs_date_invalid", {}, text))
                values.append(None)
        return values

    calendar, dates = tables.get("calendar.txt"), tables.get("calendar_dates.txt")
    if calendar is not None:
        calendar = calendar.assign(start=dated(calendar, "calendar.txt", "start_date"),
                                   end=dated(calendar, "calendar.txt", "end_date"))
    if dates is not None:
        dates = dates.assign(day=dated(dates, "calendar_dates.txt", "date"))
    if problems:
        raise InputError(problems)
    return calendar, dates


def _positions(stops: pd.DataFrame, feed: str) -> tuple[np.ndarray, np.ndarray]:
    """Each stop's lon and lat; a stop without a number in either is refused by row."""
    problems = []
    columns = {}
    for column in ("stop_lat", "stop_lon"):
        numbers = pd.to_numeric(stops[column].str.strip(), errors="coerce")
        problems += [Problem(f"{feed}:stops.txt", int(row), column, "gtfs_coordinate_missing", {}, text or None)
                     for row, text in zip(stops.loc[numbers.isna(), ROW], stops.loc[numbers.isna(), column])]
        columns[column] = numbers.to_numpy(dtype=float)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, p.field or "")))
    return columns["stop_lon"], columns["stop_lat"]


def _modes(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Each called stop's mode from the routes calling there (:data:`PRIORITY` first)."""
    routes = tables["routes.txt"].drop_duplicates("route_id")
    route_modes = routes.set_index("route_id")["route_type"].map(route_mode)
    trip_modes = tables["trips.txt"].drop_duplicates("trip_id").set_index("trip_id")["route_id"].map(route_modes)
    calls = pd.DataFrame({"stop_id": tables["stop_times.txt"]["stop_id"].to_numpy(),
                          "mode": tables["stop_times.txt"]["trip_id"].map(trip_modes).fillna("other").to_numpy()})
    calls["rank"] = calls["mode"].map({mode: rank for rank, mode in enumerate(PRIORITY)})
    return calls.sort_values("rank").drop_duplicates("stop_id").set_index("stop_id")["mode"]


def read_gtfs_stops(path: Path, *, day: datetime.date | None = None
                    ) -> tuple[gpd.GeoDataFrame, datetime.date | None]:
    """The boarding points of a GTFS feed with their departures on ``day`` (default: its typical weekday).

    Returns
    -------
    (geopandas.GeoDataFrame, datetime.date or None)
        The stops in :data:`~geo_welfare.layers.stops.STOP_COLUMNS` (EPSG:6668; ``source_id`` the
        ``stop_id``, ``_row`` the line in ``stops.txt``), and the day counted (None when no weekday
        of the feed has a trip: departures unknown).
    """
    with tempfile.TemporaryDirectory() as folder:
        tables = _read_feed(Path(path), Path(folder))
    feed = Path(path).parent.name if Path(path).name.lower() == "stops.txt" else Path(path).name
    calendar, dates = _calendars(tables, feed)
    stops = tables["stops.txt"]
    if "location_type" in stops:
        stops = stops[stops["location_type"].str.strip().isin(["", "0"])]
    lon, lat = _positions(stops, feed)
    counted = day or typical_weekday(tables["trips.txt"], calendar, dates)
    departures = (departures_per_stop(tables["stop_times.txt"], tables["trips.txt"],
                                      services_on(counted, calendar, dates), tables.get("frequencies.txt"))
                  if counted else None)
    ids = stops["stop_id"].to_numpy()
    agency = tables.get("agency.txt")
    frame = gpd.GeoDataFrame({
        "source_id": ids, "name": stops["stop_name"].str.strip().replace("", None).to_numpy(),
        "mode": pd.Series(ids).map(_modes(tables)).fillna("bus").to_numpy(),
        "operator": None if agency is None else agency["agency_name"].iloc[0],
        "departures_per_day": (pd.Series(ids).map(departures).fillna(0).astype(int).to_numpy()
                               if departures is not None else None),
        "departures_date": counted.isoformat() if counted else None, ROW: stops[ROW].to_numpy(),
    }, geometry=gpd.points_from_xy(lon, lat), crs=STORAGE_CRS)
    return frame, counted
