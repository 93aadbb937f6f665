"""The GeoJSON API the page and other tools use; staff-only resources are served to signed-in editors only."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from geo_welfare.web.store import get_engine
from geo_welfare.store.read import read_areas, read_resources
from geo_welfare.core.glossary import AREA_UNIT_IDS, RESOURCE_KIND_IDS
from geo_welfare.web.auth import is_editor
from geo_welfare.web.features import area_collection, resource_collection
from geo_welfare.web.i18n import page_language
from geo_welfare.web.limits import echoed, parse_number
from geo_welfare.web.problems import NotAllowed

blueprint = Blueprint("api", __name__)

#: The zooms a web map has (Leaflet's 0, the whole world, to 22).
ZOOM_RANGE = (0, 22)


def _language() -> str:
    return page_language(request.args.get("lang"), current_app.config["LANGUAGE"])


@blueprint.get("/resources")
def resources():
    """Public resources as GeoJSON; ``?kind=salon`` (repeatable) filters by kind."""
    kinds = request.args.getlist("kind")
    unknown = [kind for kind in kinds if kind not in RESOURCE_KIND_IDS]
    if unknown:
        raise NotAllowed("kind", "unknown_kind", ", ".join(unknown), allowed=RESOURCE_KIND_IDS)
    frame = read_resources(get_engine(), kinds=kinds or None,
                           include_staff_only=is_editor())  # staff-only places for signed-in editors alone
    return jsonify(resource_collection(frame, _language()))


@blueprint.get("/areas")
def areas():
    """Area units of one level (``?unit=small_area``) or all, as GeoJSON simplified for display.

    ``?zoom=`` (:data:`ZOOM_RANGE`, the map's zoom) simplifies to half a screen pixel there; without it, ~2 m.
    """
    unit = request.args.get("unit") or None
    if unit is not None and unit not in AREA_UNIT_IDS:
        raise NotAllowed("unit", "unknown_unit", unit, allowed=AREA_UNIT_IDS)
    zoom = request.args.get("zoom")
    zoom_level = None if zoom in (None, "") else parse_number(zoom)  # None too for no (or a 5,000-digit) number
    low, high = ZOOM_RANGE
    if zoom not in (None, "") and (zoom_level is None or not low <= zoom_level <= high):
        raise NotAllowed("zoom", "bad_zoom", echoed(zoom), allowed=(f"{low}–{high}",), low=low, high=high)
    frame = read_areas(get_engine(), unit)
    return jsonify(area_collection(frame, _language(), zoom_level))
