"""CSW view (地区の地域資源マップ): pick a district, see its places numbered on a map and in a list, download the print file.

The numbers are the print map's own (:func:`geo_welfare.maps.content.district_content`), so the
page, the PDF handed out at the meeting and the list beside it agree.  Public places only: this
page prepares handouts.  A ward or 圏域 selector (``within``) narrows a city's list of districts to
one ward's (:func:`districts_within`); the list is sorted by ward, then name.  A walking-area picker
(``minutes``) puts the land within that many minutes' walk of the places on the downloads, and hazard
checkboxes (``hazards``, offered for the hazards the store holds zones of) the zones and shelters.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from flask import Blueprint, current_app, jsonify, render_template, request

from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.errors import NotFoundError
from geo_welfare.maps import district_content, load_store_layers
from geo_welfare.maps.atlas import map_file_name
from geo_welfare.maps.content import NotStored
from geo_welfare.maps.layout import LARGE_PRINT_PAPER
from geo_welfare.web.store import get_engine
from geo_welfare.store.hazards import stored_hazards
from geo_welfare.store.read import MUNICIPALITY_CODE_DIGITS, read_areas, schedule_of, within_choices
from geo_welfare.core.glossary import AREA_UNIT_IDS, AREA_UNITS, HAZARD_IDS, RESOURCE_KINDS, label
from geo_welfare.layers.schedules import describe
from geo_welfare.maps.style import RESOURCE_COLOURS, RESOURCE_MARKERS
from geo_welfare.web.i18n import page_language, say, word

blueprint = Blueprint("csw", __name__)

DEFAULT_UNIT = "elementary_district"
#: The walking areas the page offers for its downloads (the planner's choices; none by default).
WALK_CHOICES = (5, 10, 15, 20, 30)
#: The page's download links: the paper (as file names say it) and the format of each.
DOWNLOADS = {"pdf": ("A4", "pdf"), "pdf_a3": ("A3", "pdf"), "pdf_large": (f"{LARGE_PRINT_PAPER}_large", "pdf"),
             "png": ("A4", "png")}


def _words(lang: str):
    return lambda key: word(key, lang)


def _district(unit: str, code: str, lang: str) -> dict:
    """The district's outline, neighbours and numbered public places, as the page draws them."""
    layers = load_store_layers(get_engine(), unit, shading="none", district=code)  # that district's neighbourhood
    content = district_content(layers, code)
    to_lonlat = content.resources.to_crs(STORAGE_CRS)
    resources = [{
        "number": int(row["number"]), "name": row["name"], "kind": row["kind"],
        "kind_label": label(RESOURCE_KINDS, row["kind"], lang), "colour": RESOURCE_COLOURS.get(row["kind"], "#555"),
        "marker": RESOURCE_MARKERS.get(row["kind"], "o"),
        "schedule": describe(schedule_of(row), lang) or None, "phone": row.get("phone") or None,
        "address": row.get("address") or None, "lon": round(point.x, 7), "lat": round(point.y, 7),
    } for row, point in zip(content.resources.to_dict("records"), to_lonlat.geometry)]
    outline = shapely.to_geojson(layers.districts.loc[layers.districts["code"] == code].geometry.iloc[0])
    return {"unit": unit, "code": code, "name": content.name, "municipality": content.municipality,
            "outline": json.loads(outline), "places": resources,
            "legend": {"title": word("legend_title", lang), "district": word("legend_district_edge", lang),
                       "streets": word("legend_streets", lang)}}


def _ward_of(districts: gpd.GeoDataFrame) -> pd.Series:
    """Each district's ward (municipality) code: its own, else its code's first five digits if digits, else ``""``."""
    prefix = districts["code"].astype(str).str[:MUNICIPALITY_CODE_DIGITS]
    prefix = prefix.where(prefix.str.fullmatch(r"\d{%d}" % MUNICIPALITY_CODE_DIGITS), "")
    own = districts["municipality_code"].astype(object)
    return own.where(own.notna() & (own != ""), prefix).astype(str)


def districts_within(engine, districts: gpd.GeoDataFrame, within: str, choice_unit: str) -> np.ndarray:
    """Which ``districts`` belong to the chosen ward or 圏域 (one of :func:`within_choices`).

    A ward's districts are those of its municipality code (the district's own, or its code's
    first five digits, as Sapporo's ``01101:中央小学校``); where the districts carry no such code,
    and for a daily-life area or district, the ones whose representative point lies in its
    polygon (a ward's: its stored outline, else the union of its small areas).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    districts : geopandas.GeoDataFrame
        The stored districts of the page's unit.
    within : str
        The chosen code.
    choice_unit : str
        Its unit (``municipality``, ``daily_life_area`` or ``district``).

    Returns
    -------
    numpy.ndarray
        One bool per district.
    """
    wards = _ward_of(districts)
    if choice_unit == "municipality" and wards.ne("").any():
        return (wards == within).to_numpy(dtype=bool)
    areas = read_areas(engine, choice_unit)
    area = areas.loc[areas["code"] == within].geometry
    if not len(area) and choice_unit == "municipality":  # no outline stored: the ward's small areas
        small = read_areas(engine, "small_area")
        area = gpd.GeoSeries([shapely.union_all(small.loc[small["code"].str.startswith(within)].geometry.values)],
                             crs=small.crs)
    if not len(area) or area.iloc[0].is_empty:
        return np.zeros(len(districts), dtype=bool)
    points = districts.geometry.to_crs(area.crs).representative_point()
    return shapely.intersects(area.iloc[0], np.asarray(points.values, dtype=object))


def _sorted_by_ward(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The districts by ward (municipality code), then name: a city's 202 schools, ward by ward."""
    return districts.assign(ward=_ward_of(districts)).sort_values(["ward", "name", "code"]).reset_index(drop=True)


@blueprint.get("/csw")
def page():
    """The CSW page: a ward or 圏域 picker, a district picker, the district map with numbered places, the list."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    unit = request.args.get("unit") or DEFAULT_UNIT
    if unit not in AREA_UNIT_IDS:
        unit = DEFAULT_UNIT
    engine = get_engine()
    districts = _sorted_by_ward(read_areas(engine, unit))
    choices = within_choices(engine)
    within = request.args.get("within") or ""
    chosen = choices[choices["code"] == within]
    if len(chosen):  # an unknown choice lists every district, as an unknown unit shows the default one
        districts = districts[districts_within(engine, districts, within, chosen["unit"].iloc[0])]
    else:
        within = ""
    wards = choices[choices["unit"] == "municipality"].set_index("code")["name"]
    minutes = next((m for m in WALK_CHOICES if request.args.get("minutes") == str(m)), None)  # else none drawn
    offered = stored_hazards(engine)
    hazards = [hazard for hazard in HAZARD_IDS if hazard in offered and hazard in request.args.getlist("hazards")]
    code = request.args.get("code") or None
    if code is None or (within and code not in set(districts["code"])):
        code = districts["code"].iloc[0] if len(districts) else None
    district = None
    if code is not None:
        try:
            district = _district(unit, code, lang)
        except NotStored:
            district = None
    file_names = {} if district is None else {  # as the download's Content-Disposition names it
        key: map_file_name(code, district["name"], paper, fmt, minutes, hazards)
        for key, (paper, fmt) in DOWNLOADS.items()}
    groups = [(wards.get(ward, ward), list(zip(rows["code"], rows["name"])))
              for ward, rows in districts.groupby("ward", sort=False)]
    return render_template("csw.html", lang=lang, word=_words(lang), unit=unit,
                           units=[(t.id, label(AREA_UNITS, t.id, lang)) for t in AREA_UNITS],
                           choices=list(zip(choices["code"], choices["name"])), within=within,
                           district_groups=groups, code=code, district=district, minutes=minutes,
                           file_names=file_names, hazards=hazards or None,
                           hazard_choices=[(hazard, word(f"hazard_{hazard}", lang)) for hazard in offered],
                           walk_choices=[(m, say("csw_walk_minutes", lang, minutes=m)) for m in WALK_CHOICES])


@blueprint.get("/api/district/<unit>/<code>")
def district(unit: str, code: str):
    """One district's outline and numbered public places (the print map's numbers) as JSON.

    404 for a unit there is no such thing as, or a district (:class:`NotStored`) not in the store.
    """
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    if unit not in AREA_UNIT_IDS:
        raise NotFoundError("unknown_unit_named", field="unit", unit=unit)
    return jsonify(_district(unit, code, lang))
