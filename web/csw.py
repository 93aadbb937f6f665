"""CSW view (地区の地域資源マップ): pick a district, see its places numbered on a map and in a list, download the print file.

The numbers are the print map's own (:func:`geo_welfare.maps.content.district_content`), so the
page, the PDF handed out at the meeting and the list beside it agree.  Public places only: this
page prepares handouts.
"""

from __future__ import annotations

import json

import shapely
from flask import Blueprint, current_app, jsonify, render_template, request

from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.errors import NotFoundError
from geo_welfare.maps import district_content, load_store_layers
from geo_welfare.maps.content import NotStored
from geo_welfare.web.store import get_engine
from geo_welfare.store.read import read_areas, schedule_of
from geo_welfare.core.glossary import AREA_UNIT_IDS, AREA_UNITS, RESOURCE_KINDS, label
from geo_welfare.layers.schedules import describe
from geo_welfare.maps.style import RESOURCE_COLOURS
from geo_welfare.web.i18n import page_language, word

blueprint = Blueprint("csw", __name__)

DEFAULT_UNIT = "elementary_district"


def _words(lang: str):
    return lambda key: word(key, lang)


def _district(unit: str, code: str, lang: str) -> dict:
    """The district's outline, neighbours and numbered public places, as the page draws them."""
    layers = load_store_layers(get_engine(), unit, shading="none")
    content = district_content(layers, code)
    to_lonlat = content.resources.to_crs(STORAGE_CRS)
    resources = [{
        "number": int(row["number"]), "name": row["name"], "kind": row["kind"],
        "kind_label": label(RESOURCE_KINDS, row["kind"], lang), "colour": RESOURCE_COLOURS.get(row["kind"], "#555"),
        "schedule": describe(schedule_of(row), lang) or None, "phone": row.get("phone") or None,
        "address": row.get("address") or None, "lon": round(point.x, 7), "lat": round(point.y, 7),
    } for row, point in zip(content.resources.to_dict("records"), to_lonlat.geometry)]
    outline = shapely.to_geojson(layers.districts.loc[layers.districts["code"] == code].geometry.iloc[0])
    return {"unit": unit, "code": code, "name": content.name, "municipality": content.municipality,
            "outline": json.loads(outline), "places": resources}


@blueprint.get("/csw")
def page():
    """The CSW page: a district picker, the district map with numbered places, the list and downloads."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    unit = request.args.get("unit") or DEFAULT_UNIT
    if unit not in AREA_UNIT_IDS:
        unit = DEFAULT_UNIT
    districts = read_areas(get_engine(), unit)
    code = request.args.get("code") or (districts["code"].iloc[0] if len(districts) else None)
    district = None
    if code is not None:
        try:
            district = _district(unit, code, lang)
        except NotStored:
            district = None
    return render_template("csw.html", lang=lang, word=_words(lang), unit=unit,
                           units=[(t.id, label(AREA_UNITS, t.id, lang)) for t in AREA_UNITS],
                           districts=list(zip(districts["code"], districts["name"])), code=code, district=district)


@blueprint.get("/api/district/<unit>/<code>")
def district(unit: str, code: str):
    """One district's outline and numbered public places (the print map's numbers) as JSON.

    404 for a unit there is no such thing as, or a district (:class:`NotStored`) not in the store.
    """
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    if unit not in AREA_UNIT_IDS:
        raise NotFoundError("unknown_unit_named", field="unit", unit=unit)
    return jsonify(_district(unit, code, lang))
