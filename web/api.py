"""The GeoJSON API the page and other tools use; staff-only resources are served to signed-in editors only.

Answers are kept per store revision (:func:`geo_welfare.web.store.per_revision`): a city's places
are read and written as JSON once, not once per visitor, and the map's areas are simplified once
per zoom and then served by view (``?bbox=``) as the map moves.
"""

from __future__ import annotations


from flask import Blueprint, Response, abort, current_app, request

from geo_welfare.store.read import read_resources
from geo_welfare.core.glossary import AREA_UNIT_IDS, RESOURCE_KIND_IDS
from geo_welfare.web.auth import is_editor
from geo_welfare.web.choropleth import kept_classes, shading_request, shown_values
from geo_welfare.web.features import kept_levels, resource_collection
from geo_welfare.web.i18n import page_language, say
from geo_welfare.web.limits import bbox_parameter, echoed, parse_number
from geo_welfare.web.problems import NotAllowed
from geo_welfare.web.store import get_engine, per_revision

blueprint = Blueprint("api", __name__)

#: The zooms a web map has (Leaflet's 0, the whole world, to 22).
ZOOM_RANGE = (0, 22)


def _language() -> str:
    return page_language(request.args.get("lang"), current_app.config["LANGUAGE"])


def _json(text: str | bytes) -> Response:
    return Response(text, mimetype="application/json")


@blueprint.get("/resources")
def resources():
    """Public resources as GeoJSON; ``?kind=salon`` (repeatable) filters by kind."""
    kinds = request.args.getlist("kind")
    unknown = [kind for kind in kinds if kind not in RESOURCE_KIND_IDS]
    if unknown:
        raise NotAllowed("kind", "unknown_kind", ", ".join(unknown), allowed=RESOURCE_KIND_IDS)
    staff, lang, engine = is_editor(), _language(), get_engine()  # staff-only places for signed-in editors alone

    def build() -> bytes:
        frame = read_resources(engine, kinds=kinds or None, include_staff_only=staff)
        return current_app.json.dumps(resource_collection(frame, lang)).encode()
    return _json(per_revision(("resources", tuple(kinds), staff, lang), build))


def _zoom() -> float | None:
    zoom = request.args.get("zoom")
    zoom_level = None if zoom in (None, "") else parse_number(zoom)  # None too for no (or a 5,000-digit) number
    low, high = ZOOM_RANGE
    if zoom not in (None, "") and (zoom_level is None or not low <= zoom_level <= high):
        raise NotAllowed("zoom", "bad_zoom", echoed(zoom), allowed=(f"{low}–{high}",), low=low, high=high)
    return zoom_level


def _shading_extra() -> dict[str, dict] | None:
    """The small areas' shading values and colours when ``?shade=`` asks for them (as the map page does)."""
    if "shade" not in request.args:
        return None
    try:
        wanted = shading_request(request.args)
    except ValueError as error:
        abort(400, description=say("bad_shading", _language(), detail=str(error)))
    if wanted is None:
        return None
    dataset = request.args.get("dataset") or None
    classes = kept_classes(wanted, dataset)
    return None if classes is None else per_revision(("shown", wanted, dataset), lambda: shown_values(classes))


@blueprint.get("/areas")
def areas():
    """Area units of one level (``?unit=small_area``) or all, as GeoJSON simplified for display.

    ``?zoom=`` (:data:`ZOOM_RANGE`, the map's zoom) simplifies to half a screen pixel there; without it, ~2 m.
    ``?bbox=west,south,east,north`` gives only the areas meeting that box (the map's view).
    ``?shade=aging_rate|age_65_plus|age_75_plus`` (with ``scheme``, ``classes``, ``dataset`` as the map page
    takes them) adds each small area's shown ``value`` and ``colour``.
    """
    unit = request.args.get("unit") or None
    if unit is not None and unit not in AREA_UNIT_IDS:
        raise NotAllowed("unit", "unknown_unit", unit, allowed=AREA_UNIT_IDS)
    zoom, bbox, extra, lang = _zoom(), bbox_parameter(), _shading_extra(), _language()
    levels = kept_levels()
    chosen = [levels[unit]] if unit in levels else [] if unit is not None else list(levels.values())
    if len(chosen) == 1:
        return _json(chosen[0].collection(bbox, zoom, lang, extra))
    parts = [level.collection(bbox, zoom, lang, extra) for level in chosen]
    features = [part[len('{"type":"FeatureCollection","features":['):-2] for part in parts]
    return _json('{"type":"FeatureCollection","features":[' + ",".join(f for f in features if f) + "]}")
