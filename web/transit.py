"""Stations, bus stops and community-transport service areas as GeoJSON layers for the map.

``/api/transit-stops`` (what ``geo-welfare import stops`` stored: OSM, 国土数値情報 P11/N02, GTFS) and
``/api/transit-areas`` (``import service-areas``: 乗合タクシー, コミュニティバス, デマンド交通), so that a planner
looking at 交通空白地 sees the stops, how often they are served, and the areas community transport covers.
Public data, served to everyone; ``?bbox=west,south,east,north`` keeps the map's view.
"""

from __future__ import annotations

import json

import geopandas as gpd
import shapely
from flask import Blueprint, Response, current_app, request

from geo_welfare.maps.hazard_style import TRANSIT_COLOURS
from geo_welfare.store.stops import read_service_areas, read_stops
from geo_welfare.web.i18n import page_language, say, word
from geo_welfare.web.limits import in_view
from geo_welfare.web.store import get_engine

blueprint = Blueprint("transit", __name__)
#: Decimal places of the served coordinates (7: about 1 cm, as the store keeps them).
PRECISION = 1e-7



def _text(value: object) -> object:
    return None if value is None or (isinstance(value, float) and value != value) else value


def stop_layer(stops: gpd.GeoDataFrame, lang: str) -> dict:
    """The stops as GeoJSON points: ``name``, ``mode`` and its words, ``operator``, departures a day (or None),
    ``label`` (what the tooltip says) and ``colour`` (by mode, as the legend shows)."""
    features = []
    for row, point in zip(stops.drop(columns="geometry").to_dict("records"), stops.geometry):
        departures = None if row.get("departures_per_day") is None or str(row["departures_per_day"]) == "<NA>" \
            else int(row["departures_per_day"])
        mode = word(f"transit_mode_{row['mode']}", lang)
        label = mode if departures is None else say("transit_stop_departures", lang, mode=mode, count=departures)
        features.append({"type": "Feature", "properties": {
            "name": _text(row.get("name")), "mode": row["mode"], "label": label, "operator": _text(row.get("operator")),
            "departures_per_day": departures, "colour": TRANSIT_COLOURS.get(row["mode"], TRANSIT_COLOURS["other"])},
            "geometry": {"type": "Point", "coordinates": [round(point.x, 7), round(point.y, 7)]}})
    return {"type": "FeatureCollection", "features": features}


def area_layer(areas: gpd.GeoDataFrame) -> dict:
    """The community-transport service areas: ``name``, ``kind`` (as imported) and ``label``."""
    features = []
    for row, geometry in zip(areas.drop(columns="geometry").to_dict("records"), areas.geometry):
        name, kind = _text(row.get("name")), _text(row.get("kind"))
        features.append({"type": "Feature", "properties": {"name": name, "kind": kind, "label": kind},
                         "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geometry, PRECISION)))})
    return {"type": "FeatureCollection", "features": features}


def _json(document: dict) -> Response:
    return Response(current_app.json.dumps(document), mimetype="application/json")


@blueprint.get("/transit-stops")
def stops():
    """The stored stations and stops in the view, in the page's language."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    return _json(stop_layer(in_view(read_stops(get_engine())), lang))


@blueprint.get("/transit-areas")
def areas():
    """The stored community-transport service areas in the view."""
    return _json(area_layer(in_view(read_service_areas(get_engine()))))
