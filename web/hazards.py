"""Hazard zones and shelters as GeoJSON layers for the map: ``/api/hazards`` and ``/api/shelters``.

The zones are those ``geo-welfare import hazards`` stored (国土数値情報 A31 / A33), each with its class
and its words in the page's language, so the map can colour depth bands and 警戒区域 / 特別警戒区域 and
say what each is; the shelters carry the hazards they are open for.  Public data, served to everyone.
"""

from __future__ import annotations

import json

import geopandas as gpd
import shapely
from flask import Blueprint, Response, current_app, request

from geo_welfare.core.glossary import HAZARD_IDS
from geo_welfare.layers.hazards import class_label, hazard_label
from geo_welfare.maps.hazard_style import hazard_colour
from geo_welfare.store.hazards import read_hazard_zones_stored, read_shelters_stored
from geo_welfare.web.i18n import page_language
from geo_welfare.web.limits import in_view
from geo_welfare.web.problems import NotAllowed
from geo_welfare.web.store import get_engine

blueprint = Blueprint("hazards", __name__)

HAZARDS = HAZARD_IDS
#: Decimal places of the served coordinates (7: about 1 cm, as the store keeps them).
PRECISION = 1e-7


def _plain(value: object) -> object:
    return None if value is None or (isinstance(value, float) and value != value) else value


def hazard_layer(zones: gpd.GeoDataFrame, lang: str = "ja") -> dict:
    """The zones as a GeoJSON FeatureCollection: ``hazard, scenario, zone_class, phenomenon, source, name``
    and their words (``hazard_label``, ``label``) in ``lang``.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        :func:`geo_welfare.store.hazards.read_hazard_zones_stored`, lon/lat.
    lang : str
        ``ja`` or ``en``.
    """
    features = []
    for row, geometry in zip(zones.drop(columns="geometry").to_dict("records"), zones.geometry):
        properties = {key: _plain(row.get(key)) for key in ("hazard", "scenario", "zone_class", "phenomenon",
                                                            "source", "name")}
        properties["label"] = class_label(row["hazard"], row["zone_class"], _plain(row.get("phenomenon")), lang)
        properties["hazard_label"] = hazard_label(row["hazard"], _plain(row.get("scenario")), lang)
        properties["colour"] = hazard_colour(row["hazard"], row["zone_class"])  # as the legend (web/overlays.py)
        shape = json.loads(shapely.to_geojson(shapely.set_precision(geometry, PRECISION)))
        features.append({"type": "Feature", "properties": properties, "geometry": shape})
    return {"type": "FeatureCollection", "features": features}


def shelter_layer(shelters: gpd.GeoDataFrame) -> dict:
    """The shelters as GeoJSON points: ``name, address, kind, hazards`` (a list of hazard ids), ``source``."""
    features = [{"type": "Feature",
                 "properties": {"name": row["name"], "label": _plain(row["address"]),
                                "address": _plain(row["address"]), "kind": row["kind"],
                                "hazards": [h for h in str(row["hazards"] or "").split(",") if h],
                                "source": row["source"]},
                 "geometry": {"type": "Point", "coordinates": [round(point.x, 7), round(point.y, 7)]}}
                for row, point in zip(shelters.drop(columns="geometry").to_dict("records"), shelters.geometry)]
    return {"type": "FeatureCollection", "features": features}


def _language() -> str:
    return page_language(request.args.get("lang"), current_app.config["LANGUAGE"])


def _json(document: dict) -> Response:
    return Response(current_app.json.dumps(document), mimetype="application/json")



@blueprint.get("/hazards")
def hazards():
    """The stored hazard zones; ``?hazard=flood|landslide`` keeps one hazard, ``?bbox=`` the map's view."""
    hazard = request.args.get("hazard") or None
    if hazard is not None and hazard not in HAZARDS:
        raise NotAllowed("hazard", "unknown_hazard", hazard, allowed=HAZARDS)
    return _json(hazard_layer(in_view(read_hazard_zones_stored(get_engine(), hazard)), _language()))


@blueprint.get("/shelters")
def shelters():
    """The stored shelters (指定緊急避難場所・指定避難所) with the hazards each is open for; ``?bbox=`` as above."""
    return _json(shelter_layer(in_view(read_shelters_stored(get_engine()))))
