"""Planner view (空白地域と新しい拠点): coverage by district, gap polygons, and "plan k new bases".

The page (``/planner``) asks the API below and draws the answers; the API is usable on its own
(a planner's spreadsheet can download ``/api/coverage?format=csv``).  All of it reads the store and
the app's street network (:func:`geo_welfare.web.network.app_network`) through :mod:`geo_welfare.analysis.study`,
the same code the CLI runs, so the web and ``geo-welfare coverage`` give the same figures.
Nothing here concerns a person's location: parameters travel in the query string.

Which places a request may count: public places only, unless it comes from a signed-in editor
(who sees the staff-only places on the map too); anonymous visitors and viewers never get an
answer shaped by a staff-only place, since a hole in a gap or a figure that moves with one would
give it away.  Every answer varies with the session cookie, and an editor's is never stored by a
cache (``Cache-Control: no-store``), so no proxy or shared browser hands it to someone else.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file

from geo_welfare.analysis import planning
from geo_welfare.analysis.study import PlanningInputError, open_study
from geo_welfare.analysis.siting import InfeasibleTarget
from geo_welfare.core.errors import UnprocessableError
from geo_welfare.core.glossary import AREA_UNIT_IDS, AREA_UNITS, RESOURCE_KIND_IDS, RESOURCE_KINDS, label
from geo_welfare.io.writers import write_layer
from geo_welfare.store.read import read_candidates
from geo_welfare.web.auth import is_editor
from geo_welfare.web.i18n import page_language, word
from geo_welfare.web.limits import echoed, parse_number
from geo_welfare.web.network import app_network
from geo_welfare.web.problems import BadField
from geo_welfare.web.store import get_engine

blueprint = Blueprint("planner", __name__)

MINUTES_RANGE = (1.0, 60.0)
MAX_SITES = 50
DEFAULT_KINDS = ("salon", "kayoi_no_ba", "engawa")


def _number(name: str, default: float, low: float, high: float, integer: bool = False) -> float:
    """The query parameter ``name`` as a number from ``low`` to ``high`` (``default`` when absent).

    Anything else is refused naming the parameter and the range, so a planner's typo reads as one
    (a number of more than 32 characters, NaN and infinity too: :func:`~geo_welfare.web.limits.parse_number`).
    """
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = parse_number(raw, integer=integer)
    if value is None or not low <= value <= high:
        raise BadField(name, "bad_number", echoed(raw), low=f"{low:g}", high=f"{high:g}")
    return value


def _kinds() -> list[str]:
    kinds = request.args.getlist("kind") or list(DEFAULT_KINDS)
    unknown = [kind for kind in kinds if kind not in RESOURCE_KIND_IDS]
    if unknown:
        raise BadField("kind", "bad_choice", ", ".join(unknown), choices=", ".join(RESOURCE_KIND_IDS))
    return kinds


def _unit(default: str = "elementary_district") -> str:
    unit = request.args.get("unit") or default
    if unit not in AREA_UNIT_IDS:
        raise BadField("unit", "bad_choice", unit, choices=", ".join(AREA_UNIT_IDS))
    return unit


def _study():
    """The store and the request's study: staff-only places for signed-in editors alone."""
    engine = get_engine()
    return engine, open_study(engine, app_network(), kinds=_kinds(), dataset=request.args.get("dataset"),
                              include_staff_only=is_editor())


@blueprint.after_request
def _kept_apart(response: Response) -> Response:
    """An answer depends on who asks: caches key it by the session cookie, and never keep an editor's."""
    response.vary.add("Cookie")
    if is_editor():
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: NaN → null, numbers rounded for reading."""
    return [{key: (None if pd.isna(value) else round(value, 4) if isinstance(value, float) else value)
             for key, value in row.items()} for row in frame.to_dict("records")]


def _download(frame, name: str, suffix: str) -> Response:
    """A table or layer as a file: CSV with a BOM (Excel), GeoJSON or GeoPackage."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{name}{suffix}"
        write_layer(frame, path)
        data = path.read_bytes()
    mimetypes = {".csv": "text/csv; charset=utf-8", ".geojson": "application/geo+json",
                 ".gpkg": "application/geopackage+sqlite3"}
    return send_file(io.BytesIO(data), mimetype=mimetypes[suffix], as_attachment=True,
                     download_name=f"{name}{suffix}")


@blueprint.get("/planner")
def page():
    """The planner's page: choose minutes, kinds and unit; see coverage, gaps and planned sites."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    return render_template(
        "planner.html", lang=lang, word=lambda key: word(key, lang),
        kinds=[(term.id, label(RESOURCE_KINDS, term.id, lang)) for term in RESOURCE_KINDS],
        default_kinds=DEFAULT_KINDS, units=[(term.id, label(AREA_UNITS, term.id, lang)) for term in AREA_UNITS],
        network=app_network() is not None)


@blueprint.get("/api/coverage")
def coverage():
    """Older residents within ``minutes`` of a place of the chosen kinds, per unit and in all (``*``)."""
    minutes = _number("minutes", 15.0, *MINUTES_RANGE)
    unit = _unit()
    engine, study = _study()
    table = planning.coverage(engine, study, [minutes], unit)
    if request.args.get("format") == "csv":
        return _download(table, f"coverage_{unit}_{minutes:g}min", ".csv")
    return jsonify({"minutes": minutes, "unit": unit, "method": study.method, "rows": _records(table)})


@blueprint.get("/api/gaps")
def gaps():
    """The pieces of each unit beyond ``minutes`` of every place, ranked by older residents (GeoJSON)."""
    minutes = _number("minutes", 15.0, *MINUTES_RANGE)
    unit = _unit()
    engine, study = _study()
    layer = planning.gaps(engine, study, minutes, unit)
    output = request.args.get("format")
    if output in ("geojson", "gpkg", "csv"):
        return _download(layer, f"gaps_{unit}_{minutes:g}min", f".{output}")
    layer["area_m2"] = layer["area_m2"].round(0)
    for column in ("total", "age_65_plus", "age_75_plus"):
        layer[column] = layer[column].round(1)
    return Response(layer.to_json(ensure_ascii=False, drop_id=True), mimetype="application/geo+json")


@blueprint.get("/api/service-areas")
def service_areas():
    """Each place's walking area within ``minutes`` (the streets reached, widened 50 m), as GeoJSON."""
    minutes = _number("minutes", 15.0, *MINUTES_RANGE)
    _, study = _study()
    layer = planning.service_area_layer(study, minutes)  # the study's places: public ones unless an editor asks
    if request.args.get("format") in ("geojson", "gpkg"):
        return _download(layer, f"service_areas_{minutes:g}min", f".{request.args['format']}")
    return Response(layer.to_json(ensure_ascii=False, drop_id=True), mimetype="application/geo+json")


@blueprint.get("/api/plan")
def plan():
    """``k`` new sites among the stored candidates (MCLP), or the fewest for ``target`` % (LSCP), with greedy."""
    minutes = _number("minutes", 15.0, *MINUTES_RANGE)
    has_target = request.args.get("target") not in (None, "")
    target = _number("target", 90.0, 1.0, 100.0) / 100 if has_target else None
    k = None if has_target else int(_number("k", 3, 1, MAX_SITES, integer=True))
    engine, study = _study()
    candidates = read_candidates(engine)
    if len(candidates) == 0:
        raise PlanningInputError("web_no_candidates")  # 409, as every input the store lacks
    try:
        result = planning.plan(study, candidates, minutes, k=k, target=target)
    except InfeasibleTarget as error:  # 422 naming the parameter that asks too much
        raise UnprocessableError(error.key, field="target", **error.values) from error
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    summary = result.summary.assign(label=[word(f"model_{model}", lang) for model in result.summary["model"]])
    return jsonify({"minutes": minutes, "method": study.method, "summary": _records(summary),
                    "sites": _geojson(result.sites), "greedy_sites": _geojson(result.greedy_sites)})


def _geojson(frame) -> dict:
    import json
    return json.loads(frame.to_json(ensure_ascii=False, drop_id=True))
