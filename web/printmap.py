"""Print-ready district maps for CSWs from the web: ``/district/<unit>/<code>/map.pdf`` (or ``.png``).

The same page ``geo-welfare map district`` writes, drawn on request; public places only (no staff
copy is ever served).  ``?paper=A3``, ``?orientation=landscape``, ``?shading=none``, ``?lang=en``.
Street, river and railway files come from the app settings ``NETWORK_FILE``, ``WATER_FILE`` and
``RAILWAY_FILE`` (else the ``GEO_WELFARE_NETWORK``/``_WATER``/``_RAILWAY`` environment variables).
"""

from __future__ import annotations

import os
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, request

from geo_welfare.core import config as settings
from geo_welfare.maps import district_content, load_store_layers, render_district_map
from geo_welfare.maps.background import RAILWAY_ENV, WATER_ENV, read_background
from geo_welfare.maps.content import NotStored
from geo_welfare.store import open_store
from geo_welfare.core.glossary import AREA_UNIT_IDS, AREA_UNIT_OPTIONS
from geo_welfare.web.i18n import both, page_language

blueprint = Blueprint("printmap", __name__)

MIMETYPES = {"pdf": "application/pdf", "png": "image/png"}
PNG_DPI = 150


def _setting(key: str, environment: str) -> str | None:
    return current_app.config.get(key) or os.environ.get(environment) or None


def _refuse(messages: dict[str, str], status: int = 400):
    return jsonify(messages), status


@blueprint.get("/district/<unit>/<code>/map.<fmt>")
def district_map(unit: str, code: str, fmt: str):
    """One district's 地域資源マップ as a PDF or PNG download."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    unit_id = AREA_UNIT_OPTIONS.get(unit, unit)
    if fmt not in MIMETYPES:
        return _refuse(both("bad_format", format=fmt), 404)
    if unit_id not in AREA_UNIT_IDS:
        return _refuse(both("unknown_unit_named", unit=unit), 404)
    paper = request.args.get("paper", "A4").upper()
    orientation = request.args.get("orientation", "auto")
    shading = request.args.get("shading", "aging")
    if paper not in ("A4", "A3") or orientation not in ("auto", "portrait", "landscape") or \
            shading not in ("aging", "none"):
        return _refuse(both("bad_print_options"))
    try:
        layers = load_store_layers(open_store(current_app.config["DATABASE_URL"]), unit_id, shading=shading)
        content = district_content(layers, code)
    except NotStored as error:
        return _refuse({"error": error.message("ja"), "error_en": error.message("en")}, 404)
    background = read_background(streets=_setting("NETWORK_FILE", settings.NETWORK_ENV),
                                 water=_setting("WATER_FILE", WATER_ENV), railway=_setting("RAILWAY_FILE", RAILWAY_ENV))
    page = render_district_map(content, background=background, paper=paper, orientation=orientation, lang=lang)
    body = page.to_bytes(fmt, dpi=PNG_DPI)
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f"inline; filename=\"map.{fmt}\"; filename*=UTF-8''{quote(code)}.{fmt}"
    return response
