"""Stations and stops in an OpenStreetMap file (.osm XML or .osm.pbf), read through GDAL's OSM driver.

Kept: ``railway=station|halt|tram_stop``, ``highway=bus_stop`` and ``public_transport=platform|
stop_position|station``, as nodes (the ``points`` layer) or as areas drawn round a station (the
``multipolygons`` layer, at a point inside).  A stop's mode comes from its own tags: a railway
station or ``train``/``subway``/``light_rail``/``monorail=yes`` is a station, ``railway=tram_stop`` or
``tram=yes`` a tram stop, ``highway=bus_stop`` or ``bus=yes`` a bus stop; any other
``public_transport`` point is ``other``.  The Japanese name (``name:ja``) is preferred to ``name``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.errors import InputError
from geo_welfare.io.osm import parse_other_tags
from geo_welfare.io.readers import ROW

RAIL_STATIONS = {"station", "halt"}
PUBLIC_TRANSPORT = {"platform", "stop_position", "station"}
RAIL_FLAGS = ("train", "subway", "light_rail", "monorail")
#: GDAL's columns that are tags (the rest of the tags arrive in ``other_tags``).
TAG_COLUMNS = ("name", "highway", "railway", "public_transport", "amenity")


def stop_mode(tags: dict[str, str]) -> str | None:
    """The mode of an OSM feature from its tags, or None when it is no stop or station."""
    railway, highway, transport = tags.get("railway"), tags.get("highway"), tags.get("public_transport")
    if railway in RAIL_STATIONS or (transport == "station" and tags.get("bus") != "yes") \
            or (transport and any(tags.get(flag) == "yes" for flag in RAIL_FLAGS)):
        return "station"
    if railway == "tram_stop" or (transport and tags.get("tram") == "yes"):
        return "tram"
    if highway == "bus_stop" or (transport and tags.get("bus") == "yes"):
        return "bus"
    if transport in PUBLIC_TRANSPORT:
        return "other"
    return None


def _layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyogrio.read_dataframe(path, layer=layer)


def _tags(frame: pd.DataFrame) -> pd.Series:
    """Each feature's tags: GDAL's tag columns and its ``other_tags`` together."""
    others = frame["other_tags"] if "other_tags" in frame else pd.Series([None] * len(frame), index=frame.index)
    columns = [column for column in TAG_COLUMNS if column in frame]
    records = frame[columns].to_dict("records")
    return pd.Series([{**{k: str(v) for k, v in record.items() if isinstance(v, str) and v}, **parse_other_tags(text)}
                      for record, text in zip(records, others)], index=frame.index, dtype=object)


def read_osm_stops(path: Path) -> gpd.GeoDataFrame:
    """The stations and stops of an OSM file, in :data:`~geo_welfare.layers.stops.STOP_COLUMNS`, EPSG:6668.

    ``source_id`` is ``node/<id>`` or ``way/<id>``; ``_row`` counts the kept features from 1.
    """
    try:
        points, areas = _layer(path, "points"), _layer(path, "multipolygons")
    except Exception as error:
        raise InputError.single(path, "cannot_read_as_osm", error=error) from error
    parts = []
    for frame, prefix, id_column in ((points, "node/", "osm_id"), (areas, "way/", "osm_way_id")):
        if len(frame) == 0:
            continue
        tags = _tags(frame)
        modes = tags.map(stop_mode)
        keep = modes.notna()
        if "osm_way_id" in frame and id_column == "osm_way_id":
            ids = frame["osm_way_id"].where(frame["osm_way_id"].notna(), frame["osm_id"])
            prefix_series = pd.Series("way/", index=frame.index).where(frame["osm_way_id"].notna(), "relation/")
        else:
            ids, prefix_series = frame[id_column], pd.Series(prefix, index=frame.index)
        chosen_tags = tags[keep]
        parts.append(gpd.GeoDataFrame({
            "source_id": (prefix_series[keep] + ids[keep].astype(str)).to_numpy(),
            "name": chosen_tags.map(lambda t: t.get("name:ja") or t.get("name")).to_numpy(),
            "mode": modes[keep].to_numpy(),
            "operator": chosen_tags.map(lambda t: t.get("operator")).to_numpy(),
        }, geometry=frame.geometry[keep].representative_point().to_numpy(), crs=frame.crs or STORAGE_CRS))
    if not parts:
        return gpd.GeoDataFrame({column: [] for column in ("source_id", "name", "mode", "operator")},
                                geometry=[], crs=STORAGE_CRS).assign(departures_per_day=None, departures_date=None,
                                                                      **{ROW: []})
    stops = pd.concat(parts, ignore_index=True).to_crs(STORAGE_CRS)
    stops["departures_per_day"], stops["departures_date"] = None, None
    stops[ROW] = range(1, len(stops) + 1)
    return stops
