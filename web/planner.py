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

Answers are kept in the worker's memory (:mod:`geo_welfare.web.results_cache`) under the store's
revision, the street network, the audience (editor or not) and every parameter, so the same question
asked again is answered with the same bytes at once, and anything changed in the store is counted
by the next answer.  The page asks for the coverage table first and for the gaps and walking areas
after it, showing which stage it is at.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file
from sqlalchemy import Engine

from geo_welfare.analysis import planning
from geo_welfare.analysis.study import PlanningInputError, Study, open_study
from geo_welfare.analysis.siting import InfeasibleTarget
from geo_welfare.core import config as settings
from geo_welfare.core.errors import UnprocessableError
from geo_welfare.core.target_groups import (DEFAULT_GROUP, TARGET_GROUP_IDS, TARGET_GROUPS, TargetGroup,
                                            UnknownTargetGroup, covered_column, share_column, target_group)
from geo_welfare.core.glossary import (AREA_UNIT_IDS, AREA_UNITS, DEFAULT_CANDIDATE_KIND, DEFAULT_KIND_IDS,
                                       RESOURCE_KIND_IDS, RESOURCE_KINDS, label)
from geo_welfare.io.writers import write_layer
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.reports import tables
from geo_welfare.store import read
from geo_welfare.store.read import read_candidates
from geo_welfare.web.auth import is_editor
from geo_welfare.web.choropleth import GAP_STYLE, SERVICE_AREA_STYLE, kind_styles
from geo_welfare.web.i18n import page_language, say, word
from geo_welfare.web.limits import MINUTES_RANGE, echoed, number_parameter, parse_number
from geo_welfare.web.network import app_network
from geo_welfare.web.problems import BadField
from geo_welfare.web.results_cache import Answer, PlannerCache
from geo_welfare.web.store import get_engine

blueprint = Blueprint("planner", __name__)

MAX_SITES = 50
DEFAULT_KINDS = DEFAULT_KIND_IDS  # the glossary says which kinds a search starts with


def _kinds() -> list[str]:
    kinds = request.args.getlist("kind") or list(_group().kinds)  # the older residents' kinds: DEFAULT_KINDS
    unknown = [kind for kind in kinds if kind not in RESOURCE_KIND_IDS]
    if unknown:
        raise BadField("kind", "bad_choice", ", ".join(unknown), choices=", ".join(RESOURCE_KIND_IDS))
    return kinds


def _unit(default: str = "elementary_district") -> str:
    unit = request.args.get("unit") or default
    if unit not in AREA_UNIT_IDS:
        raise BadField("unit", "bad_choice", unit, choices=", ".join(AREA_UNIT_IDS))
    return unit


def _group() -> TargetGroup:
    """``group``: whom the answer counts (``older``, ``children``, ``all``, or 子ども …); absent: the older residents."""
    try:
        return target_group(request.args.get("group"))
    except UnknownTargetGroup:
        raise BadField("group", "bad_choice", echoed(request.args.get("group") or ""),
                       choices=", ".join(TARGET_GROUP_IDS)) from None


def _group_columns(group: TargetGroup, lang: str) -> dict:
    """What the page's script reads of a group: its label, kinds and the columns its table and sites show."""
    second = group.counts[1] if len(group.counts) > 1 else None
    older = group is DEFAULT_GROUP  # the older residents' headers as the page always had them
    return {"id": group.id, "label": group.label(lang), "kinds": list(group.kinds), "tag": group.tag,
            "people": group.demand, "covered": covered_column(group.demand), "share": share_column(group.demand),
            "second_share": share_column(second) if second else None,
            "headers": [word("age_65_plus" if older else f"table_{group.demand}", lang),
                        word("covered" if older else f"table_{covered_column(group.demand)}", lang),
                        word("share" if older else f"table_{share_column(group.demand)}", lang),
                        word("share_75", lang) if second else None],
            "heading": word("coverage_table", lang) if older else say("planner_coverage_table_group", lang, group=group),
            "added": word("added", lang) if older else say("planner_added_group", lang, group=group)}


def _cache() -> PlannerCache:
    """This worker's kept answers and studies (one per app, made on first use)."""
    return current_app.extensions.setdefault("geo_welfare_planner_cache",
                                             PlannerCache(settings.results_cache_bytes()))


@dataclass(frozen=True)
class Asked:
    """Who asks what of which store: the start of every kept answer's key, and how to open its study."""

    engine: Engine
    url: str
    revision: str
    network: WalkingNetwork | None
    editor: bool
    kinds: tuple[str, ...]
    dataset: str | None
    within: str | None

    @property
    def key(self) -> tuple:
        """Store URL and revision first (what :meth:`PlannerCache.revision` drops by), then the rest."""
        network = None if self.network is None else (current_app.config["NETWORK_FILE"], id(self.network))
        return (self.url, self.revision, network, self.editor, self.kinds, self.dataset, self.within)

    def study(self) -> Study:
        """The request's study, kept: staff-only places for signed-in editors alone."""
        key = self.key
        return _cache().study(key, key[:3] + key[5:], lambda: open_study(
            self.engine, self.network, kinds=list(self.kinds), dataset=self.dataset, include_staff_only=self.editor,
            within=self.within))


def _asked() -> Asked:
    """The request's :class:`Asked`, the store's revision read before any of its data."""
    engine = get_engine()
    url, revision = _cache().revision(engine)
    return Asked(engine, url, revision, app_network(), is_editor(), tuple(sorted(set(_kinds()))),
                 request.args.get("dataset"), request.args.get("within") or None)


def _answered(asked: Asked, question: tuple, make: Callable[[], Answer]) -> Response:
    """The kept answer to ``question`` (made by ``make`` the first time), as a response or a download."""
    answer = _cache().answer(asked.key + question, make)
    if answer.download_name is None:
        return Response(answer.data, mimetype=answer.mimetype)
    return send_file(io.BytesIO(answer.data), mimetype=answer.mimetype, as_attachment=True,
                     download_name=answer.download_name)


def _json(payload) -> Answer:
    return Answer(jsonify(payload).get_data(), "application/json")


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


def _download(frame, name: str, suffix: str) -> Answer:
    """A table or layer as a file: CSV with a BOM (Excel), GeoJSON or GeoPackage."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{name}{suffix}"
        write_layer(frame, path)
        data = path.read_bytes()
    mimetypes = {".csv": "text/csv; charset=utf-8", ".geojson": "application/geo+json",
                 ".gpkg": "application/geopackage+sqlite3",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    return Answer(data, mimetypes[suffix], f"{name}{suffix}")


@blueprint.get("/planner")
def page():
    """The planner's page: choose minutes, kinds and unit; see coverage, gaps and planned sites."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    return render_template(
        "planner.html", lang=lang, word=lambda key: word(key, lang),
        kinds=[(term.id, label(RESOURCE_KINDS, term.id, lang)) for term in RESOURCE_KINDS],
        default_kinds=DEFAULT_KINDS, default_candidate_kind=DEFAULT_CANDIDATE_KIND,
        units=[(term.id, label(AREA_UNITS, term.id, lang)) for term in AREA_UNITS],
        groups=[_group_columns(group, lang) for group in TARGET_GROUPS],
        network=app_network() is not None, withins=_within_choices(lang),
        styles={"gaps": GAP_STYLE, "serviceAreas": SERVICE_AREA_STYLE}, kind_styles=kind_styles(lang))


def _within_choices(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The wards and 圏域 the planner may be narrowed to: (unit's name, [(code, area's name)]) per unit, in order."""
    choices = read.within_choices(get_engine())
    return [(label(AREA_UNITS, unit, lang), [(str(code), str(name or code)) for code, name in
                                            zip(group["code"], group["name"])])
            for unit, group in choices.groupby("unit", sort=False)]


def _table_download(table: pd.DataFrame, name: str, suffix: str, lang: str) -> Answer:
    """A result table as a file for people (their language, whole people, percentages), or raw with ``raw=1``."""
    if request.args.get("raw") != "1":
        table = tables.for_people(table, lang)
    return _download(table, name, suffix)


@blueprint.get("/api/coverage")
def coverage():
    """Older residents within ``minutes`` of a place of the chosen kinds, per unit and in all (``*``).

    Each JSON row carries, beside the machine values, ``label`` (its name, or the words for the
    residents outside every unit) and ``whole`` (its head-counts as whole people that add up to the
    total row), so the page's table reads like the downloads.  ``format=csv|xlsx`` downloads it.
    """
    minutes = number_parameter("minutes", 15.0, *MINUTES_RANGE)
    unit = _unit()
    group = _group()
    download = request.args.get("format") if request.args.get("format") in ("csv", "xlsx") else None
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    asked = _asked()

    def make() -> Answer:
        study = asked.study()
        table = planning.coverage(asked.engine, study, [minutes], unit, lang=lang, group=group)
        if download:
            return _table_download(table, f"coverage_{unit}_{minutes:g}min", f".{download}", lang)
        whole = tables.whole_people(table)
        rows = [{**row, "label": tables.row_label(row["code"], row["name"], lang),
                 "whole": {column: int(whole.at[index, column]) for column in tables.people_columns(table)
                           if not pd.isna(whole.at[index, column])}}
                for index, row in zip(table.index, _records(table))]
        return _json({"minutes": minutes, "unit": unit, "method": study.method, "rows": rows,
                      "places": len(study.resources), "group": group.id, "group_label": group.label(lang)})
    return _answered(asked, ("coverage", minutes, unit, download, request.args.get("raw"), lang, group.id), make)


@blueprint.get("/api/gaps")
def gaps():
    """The pieces of each unit beyond ``minutes`` of every place, ranked by older residents (GeoJSON)."""
    minutes = number_parameter("minutes", 15.0, *MINUTES_RANGE)
    unit = _unit()
    group = _group()
    output = request.args.get("format")
    output = output if output in ("geojson", "gpkg", "csv", "xlsx") else None
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    asked = _asked()

    def make() -> Answer:
        layer = planning.gaps(asked.engine, asked.study(), minutes, unit, group=group)
        if output in ("csv", "xlsx"):  # a table for people; the layers stay the machine form for GIS
            return _table_download(layer, f"gaps_{unit}_{minutes:g}min", f".{output}", lang)
        if output is not None:
            return _download(layer, f"gaps_{unit}_{minutes:g}min", f".{output}")
        layer["area_m2"] = layer["area_m2"].round(0)
        for column in group.columns:
            layer[column] = layer[column].round(1)
        return Answer(layer.to_json(ensure_ascii=False, drop_id=True).encode(), "application/geo+json")
    return _answered(asked, ("gaps", minutes, unit, output, request.args.get("raw"), lang, group.id), make)


@blueprint.get("/api/service-areas")
def service_areas():
    """Each place's walking area within ``minutes`` (the streets reached, widened 50 m), as GeoJSON."""
    minutes = number_parameter("minutes", 15.0, *MINUTES_RANGE)
    output = request.args.get("format")
    output = output if output in ("geojson", "gpkg") else None
    asked = _asked()

    def make() -> Answer:
        layer = planning.service_area_layer(asked.study(), minutes)  # the study's places: public unless an editor asks
        if output is not None:
            return _download(layer, f"service_areas_{minutes:g}min", f".{output}")
        return Answer(layer.to_json(ensure_ascii=False, drop_id=True).encode(), "application/geo+json")
    return _answered(asked, ("service_areas", minutes, output), make)


#: Where the planner's candidate sites come from (the ``candidates`` parameter).
CANDIDATE_SOURCES = ("stored", "grid", "kind", "points")
#: Grid steps the page offers, metres; a request may ask any step in this range.
GRID_SPACING_RANGE = (100.0, 5000.0)


def _clicked_points() -> list[tuple[float, float]]:
    """``points=lon,lat;lon,lat…``: the candidates placed on the map, each inside Japan's box, at most 200."""
    from geo_welfare.analysis.candidates import MAX_CLICKED
    from geo_welfare.core.config import JAPAN_BOUNDS
    raw = request.args.get("points") or ""
    pieces = [piece for piece in raw.split(";") if piece.strip()]
    if not pieces or len(pieces) > MAX_CLICKED:
        raise BadField("points", "web_points_count", echoed(raw), most=MAX_CLICKED)
    points = []
    min_lon, min_lat, max_lon, max_lat = JAPAN_BOUNDS
    for piece in pieces:
        numbers = [parse_number(part) for part in piece.split(",")]
        if len(numbers) != 2 or None in numbers or not (min_lon <= numbers[0] <= max_lon
                                                         and min_lat <= numbers[1] <= max_lat):
            raise BadField("points", "web_point_not_lon_lat", echoed(piece))
        points.append((float(numbers[0]), float(numbers[1])))
    return points


def _candidates(asked: "Asked", study: Study, lang: str):
    """The candidate sites the request names: stored, a grid, the stored places of a kind, or clicked points."""
    from geo_welfare.analysis import candidates as candidate_sites
    source = request.args.get("candidates") or "stored"
    if source not in CANDIDATE_SOURCES:
        raise BadField("candidates", "bad_choice", echoed(source), choices=", ".join(CANDIDATE_SOURCES))
    if source == "grid":
        return candidate_sites.grid_candidates(study, number_parameter("spacing", 500.0, *GRID_SPACING_RANGE), lang)
    if source == "points":
        return candidate_sites.point_candidates(_clicked_points(), lang)
    if source == "kind":
        kind = request.args.get("candidate_kind") or ""
        if kind not in RESOURCE_KIND_IDS:
            raise BadField("candidate_kind", "bad_choice", echoed(kind), choices=", ".join(RESOURCE_KIND_IDS))
        places = read.read_resources(asked.engine, kinds=[kind], include_staff_only=asked.editor)
        if len(places) == 0:
            raise PlanningInputError("web_no_places_of_kind", kind=label(RESOURCE_KINDS, kind, lang))
        return candidate_sites.place_candidates(places)
    candidates = read_candidates(asked.engine)
    if len(candidates) == 0:
        raise PlanningInputError("web_no_candidates")  # 409, as every input the store lacks; the words say the fix
    return candidates


def _plan_question() -> tuple:
    """What of the request chooses the candidates (part of the kept answer's key)."""
    return tuple(request.args.get(name) for name in ("candidates", "spacing", "candidate_kind", "points"))


@blueprint.get("/api/plan")
def plan():
    """``k`` new sites (MCLP), or the fewest for ``target`` % (LSCP), with greedy, among the chosen candidates.

    ``candidates`` says where they come from: ``stored`` (imported, the default), ``grid`` (every
    ``spacing`` metres over the small areas), ``kind`` (every stored place of ``candidate_kind``)
    or ``points`` (``lon,lat;…`` placed on the map).  ``format=csv|xlsx|geojson`` downloads the
    chosen sites, each with its address (its own, else 「…付近」 of its small area).
    """
    minutes = number_parameter("minutes", 15.0, *MINUTES_RANGE)
    has_target = request.args.get("target") not in (None, "")
    target = number_parameter("target", 90.0, 1.0, 100.0) / 100 if has_target else None
    k = None if has_target else int(number_parameter("k", 3, 1, MAX_SITES, integer=True))
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    output = request.args.get("format") if request.args.get("format") in ("csv", "xlsx", "geojson") else None
    group = _group()
    asked = _asked()

    def make() -> Answer:
        study = asked.study()
        candidates = _candidates(asked, study, lang)
        try:
            result = planning.plan(study, candidates, minutes, k=k, target=target, lang=lang, group=group)
        except InfeasibleTarget as error:  # 422 naming the parameter that asks too much
            raise UnprocessableError(error.key, field="target", **error.values) from error
        name = f"planned_sites_{minutes:g}min"
        if output == "geojson":
            return _download(result.sites, name, ".geojson")
        if output is not None:
            return _table_download(result.sites, name, f".{output}", lang)
        own, tag = ({} if group is DEFAULT_GROUP else {"group": group}), group.tag
        summary = result.summary.assign(label=[  # a solve stopped by the time limit says so, never "exact"
            word(f"model_{row['model']}", lang) if row["optimal"] or row["model"] == "greedy_covering" else
            say("plan_not_proven_group" if own else "plan_not_proven", lang, model=word(f"model_{row['model']}", lang),
                bound=row[f"bound_{tag}"] / row[f"total_{tag}"] if row[f"total_{tag}"] else float("nan"), **own)
            for row in result.summary.to_dict("records")])
        return _json({"minutes": minutes, "method": study.method, "summary": _records(summary),
                      "group": group.id, "group_label": group.label(lang),
                      "places": len(study.resources), "candidates": len(candidates),
                      "sites": _geojson(result.sites), "greedy_sites": _geojson(result.greedy_sites)})
    return _answered(asked, ("plan", minutes, k, target, lang, output, request.args.get("raw"), group.id)
                     + _plan_question(), make)


def _geojson(frame) -> dict:
    import json
    return json.loads(frame.to_json(ensure_ascii=False, drop_id=True))
