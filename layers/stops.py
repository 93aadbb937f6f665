"""Stations and stops of public transport, from whichever file holds them (issue 14, transit gaps).

One reader per format, each small: OpenStreetMap (:mod:`~geo_welfare.layers.stops_osm`), 国土数値情報
P11 バス停留所 and N02 鉄道駅 (:mod:`~geo_welfare.layers.stops_ksj`) and GTFS / GTFS-JP feeds
(:mod:`~geo_welfare.layers.stops_gtfs`, which also counts departures per day).  This module says
which a file is from its head and checks what every reader returns: one point per stop, in Japan,
in lon/lat (EPSG:6668), with a mode among :data:`MODES`.  A file of no known layout is refused
naming the layouts that are known.
"""

from __future__ import annotations

import datetime
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio

from geo_welfare.core.errors import InputError
from geo_welfare.io.osm import is_osm_file
from geo_welfare.io.readers import ROW, check_geometries

#: What a stop is: a railway station (the longer walk), a bus stop, a tram stop, or another stop.
MODES = ("station", "bus", "tram", "other")
#: The columns every reader returns (besides the point).
STOP_COLUMNS = ("source_id", "name", "mode", "operator", "departures_per_day", "departures_date", ROW)
#: The layouts a stop file may have, as the refusal names them.
KNOWN_LAYOUTS = "OpenStreetMap (.osm/.pbf), P11, N02, GTFS (.zip)"


@dataclass(frozen=True)
class StopFile:
    """One file's stops and what it was.

    Attributes
    ----------
    layout : str
        ``osm``, ``p11``, ``n02`` or ``gtfs``.
    stops : geopandas.GeoDataFrame
        :data:`STOP_COLUMNS` and points, EPSG:6668.
    day : datetime.date or None
        The service day departures were counted for (GTFS only).
    """

    layout: str
    stops: gpd.GeoDataFrame
    day: datetime.date | None = None


def gtfs_folder(path: Path) -> bool:
    """True for a GTFS feed: a zip or a folder holding ``stops.txt``, or ``stops.txt`` itself."""
    if path.name.lower() == "stops.txt" or (path.is_dir() and (path / "stops.txt").is_file()):
        return True
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return any(Path(name).name == "stops.txt" for name in archive.namelist())
    return False


def layout_of(path: Path) -> str:
    """Which stop layout ``path`` holds: ``gtfs``, ``osm``, ``p11`` or ``n02``.

    Raises
    ------
    InputError
        ``transit_layout_unknown`` (naming :data:`KNOWN_LAYOUTS`) for anything else.
    """
    if not path.exists():
        raise InputError.single(path, "file_not_found")
    if gtfs_folder(path):
        return "gtfs"
    if is_osm_file(path):
        return "osm"
    try:
        columns = set(pyogrio.read_info(path)["fields"])
    except Exception:
        columns = set()
    if "P11_001" in columns:
        return "p11"
    if "N02_005" in columns:
        return "n02"
    raise InputError.single(path, "transit_layout_unknown", layouts=KNOWN_LAYOUTS)


def read_stop_file(path: str | Path, *, day: datetime.date | None = None) -> StopFile:
    """The stops of one file, checked: every row a point in Japan with a known mode.

    Parameters
    ----------
    path : str or Path
        An OSM extract, a P11 or N02 file (GeoJSON, Shapefile, GeoPackage) or a GTFS feed.
    day : datetime.date, optional
        GTFS: the day to count departures for; None: the feed's typical weekday
        (:func:`~geo_welfare.layers.stops_gtfs_days.typical_weekday`).

    Returns
    -------
    StopFile

    Raises
    ------
    InputError
        A file of no known layout, missing columns, or rows without a usable position (every one named).
    """
    path = Path(path)
    layout = layout_of(path)
    counted = None
    if layout == "gtfs":
        from geo_welfare.layers.stops_gtfs import read_gtfs_stops
        stops, counted = read_gtfs_stops(path, day=day)
    elif layout == "osm":
        from geo_welfare.layers.stops_osm import read_osm_stops
        stops = read_osm_stops(path)
    else:
        from geo_welfare.layers.stops_ksj import read_n02_stations, read_p11_stops
        stops = read_p11_stops(path) if layout == "p11" else read_n02_stations(path)
    if len(stops) == 0:
        raise InputError.single(path, "transit_no_stops", layout=layout)
    stops, _ = check_geometries(stops, path, allowed_types={"Point"})
    assert set(stops["mode"]) <= set(MODES), set(stops["mode"])
    return StopFile(layout, stops[[*STOP_COLUMNS, "geometry"]].reset_index(drop=True), counted)
