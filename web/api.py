"""The GeoJSON API the page and other tools use; staff-only resources are served to signed-in editors only."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_resources
from geo_welfare.core.glossary import AREA_UNIT_IDS, RESOURCE_KIND_IDS
from geo_welfare.web.auth import is_editor
from geo_welfare.web.features import area_collection, resource_collection
from geo_welfare.web.i18n import page_language, word

blueprint = Blueprint("api", __name__)


def _language() -> str:
    return page_language(request.args.get("lang"), current_app.config["LANGUAGE"])


def _bad_request(key: str, unknown: list[str], allowed: tuple[str, ...]):
    """A 400 whose message names what was wrong and every allowed value, in both languages."""
    found, choices = ", ".join(unknown), ", ".join(allowed)
    return jsonify({
        "error": f"{word(key, 'ja')}: {found}（{word('allowed', 'ja')}: {choices}）",
        "error_en": f"{word(key, 'en')}: {found} ({word('allowed', 'en')}: {choices})",
        "allowed": list(allowed),
    }), 400


@blueprint.get("/resources")
def resources():
    """Public resources as GeoJSON; ``?kind=salon`` (repeatable) filters by kind."""
    kinds = request.args.getlist("kind")
    unknown = [kind for kind in kinds if kind not in RESOURCE_KIND_IDS]
    if unknown:
        return _bad_request("unknown_kind", unknown, RESOURCE_KIND_IDS)
    frame = read_resources(open_store(current_app.config["DATABASE_URL"]), kinds=kinds or None,
                           include_staff_only=is_editor())  # staff-only places for signed-in editors alone
    return jsonify(resource_collection(frame, _language()))


@blueprint.get("/areas")
def areas():
    """Area units of one level (``?unit=small_area``) or all, as GeoJSON simplified for display.

    ``?zoom=`` (0–22, the map's zoom) simplifies to half a screen pixel there; without it, ~2 m.
    """
    unit = request.args.get("unit") or None
    if unit is not None and unit not in AREA_UNIT_IDS:
        return _bad_request("unknown_unit", [unit], AREA_UNIT_IDS)
    zoom = request.args.get("zoom")
    try:
        zoom_level = None if zoom in (None, "") else float(zoom)
    except ValueError:
        zoom_level = -1.0
    if zoom_level is not None and not 0 <= zoom_level <= 22:
        return _bad_request("bad_zoom", [str(zoom)], ("0–22",))
    frame = read_areas(open_store(current_app.config["DATABASE_URL"]), unit)
    return jsonify(area_collection(frame, _language(), zoom_level))
