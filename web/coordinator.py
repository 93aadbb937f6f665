"""Coordinator view (近くのサロンを探す): the nearest places to a client's home by walking minutes.

The page (``/coordinator``) lets a coordinator click the client's home on the map or type an
address, choose what the client needs (kinds, weekday, time, target group, barrier-free access,
someone to talk to, walking speed), and print the list to hand over.  It asks two JSON endpoints:

- ``POST /api/nearest`` ``{lon, lat, k, kinds, weekday, time, target, barrier_free, consultation,
  include_unknown, speed}`` → a GeoJSON FeatureCollection of the nearest fitting places, nearest
  first, each feature's geometry the walking route (a straight line without a street network);
- ``POST /api/geocode`` ``{q}`` → ``{"candidates": [{label, lon, lat, source, level?}]}`` from the stored
  gazetteers (with the match level), the store's small-area names and public resources' addresses
  (:mod:`geo_welfare.web.address_lookup`), or 404 (422 with the reason when only the municipality matched);
- ``POST /api/which`` ``{address}`` or ``{lon, lat}`` → 担当の包括は？: the 日常生活圏域, the centre tied to
  it (or the nearest, said so), the school districts, the 地区 and its CSW, the walk to the centre
  (:mod:`geo_welfare.analysis.which`); an address matched only to its municipality is refused (422).
  POST like the others, not ``GET ?address=``: a query string is written to every access log.
- ``POST /coordinator/print`` (a form): the client's A4 printout with a map and next dates
  (:mod:`geo_welfare.web.coordinator_print`, which checks its fields with :func:`search_of`).

**The client's location never reaches a log or the store.**  It travels in the POST body (a
query string would be written to every access log), nothing here logs it or writes anything,
errors are logged without their message (which could quote the location), and every answer
carries ``Cache-Control: no-store`` so no browser or proxy keeps it.  Staff-only places never
appear: the list is printed for the client.  Nor does the browser tell an outside tile server: the
map asks for tiles around the home, so the page draws outside base tiles (地理院タイル, OpenStreetMap)
only with ``GEO_WELFARE_COORDINATOR_TILES=allow`` (:func:`geo_welfare.web.tiles.coordinator_tiles`).
"""

from __future__ import annotations

import datetime
import logging
import math
import re
import traceback

import shapely
from flask import Blueprint, current_app, jsonify, render_template, request

from geo_welfare.analysis.desks import kinds_by_field
from geo_welfare.analysis.which import answer_at, locate, prepare_service_map
from geo_welfare.analysis.nearest import METHOD_NETWORK, METHOD_STRAIGHT, Needs, Places, nearest_places, prepare_places
from geo_welfare.core import config as settings
from geo_welfare.core.config import JAPAN_BOUNDS
from geo_welfare.core.errors import EXIT_INTERNAL, GeoWelfareError, NotFoundError
from geo_welfare.core.consultation_fields import consultation_field
from geo_welfare.core.glossary import CONSULTATION_FIELD_IDS, CONSULTATION_FIELDS
from geo_welfare.core.glossary import AREA_UNITS, DEFAULT_KIND_IDS, RESOURCE_KIND_IDS, RESOURCE_KINDS, TARGET_GROUPS, label
from geo_welfare.core.values import plain
from geo_welfare.core.walking import DEFAULT_WALKING_SPEED_KMH, WALKING_SPEED_RANGE, is_walking_speed
from geo_welfare.store.read import read_resources, service_labels
from geo_welfare.web import address_lookup
from geo_welfare.web.i18n import page_language, word
from geo_welfare.web.limits import echoed, parse_number
from geo_welfare.web.network import app_network
from geo_welfare.web.problems import HIDDEN, BadField
from geo_welfare.web.security import use_tiles
from geo_welfare.web.store import get_engine, per_revision
from geo_welfare.web.tiles import coordinator_tiles

blueprint = Blueprint("coordinator", __name__)
log = logging.getLogger(__name__)

MAX_K = 20
DEFAULT_K = 5
DEFAULT_KINDS = DEFAULT_KIND_IDS  # the glossary says which kinds a search starts with
MAX_TARGET_LENGTH = 50
#: Answers that hold a person's location (or the address typed for it): never cached anywhere.
PRIVATE_ENDPOINTS = frozenset({"coordinator.nearest", "coordinator.geocode", "coordinator.which"})
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")

#: Words the page's script needs (catalogue keys).
SCRIPT_WORDS = ("coord_not_found", "coord_no_results", "coord_searching", "coord_minutes", "coord_metres",
                "coord_straight_distance", "coord_method_straight", "coord_origin_map", "coord_candidates",
                "coord_error", "coord_walk", "schedule", "address", "phone", "coord_found", "coord_route_of",
                "coord_from", "coord_speed_note", "services", "coord_which_assigned", "coord_which_nearest",
                "coord_which_none", "coord_which_no_area", "coord_which_located", "coord_which_hours", "coord_level_of",
                "coord_which_need_point")


class Unanswerable(GeoWelfareError):
    """The search failed inside (HTTP 500); said without detail, which could quote the client's location."""

    exit_code = EXIT_INTERNAL
    http_status = 500


class NoCandidates(NotFoundError):
    """Nothing stored matches the typed address (404); the answer keeps an empty ``candidates`` for the script."""

    @property
    def extra(self) -> dict[str, object]:
        return {"candidates": []}


@blueprint.after_request
def _no_store(response):
    """Nothing that holds a client's location (or the address typed) may be kept by a cache."""
    if request.endpoint in PRIVATE_ENDPOINTS or request.path in ("/api/nearest", "/api/geocode", "/api/which"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def _language(body: dict | None = None) -> str:
    requested = request.args.get("lang") or (body or {}).get("lang")
    return page_language(requested if isinstance(requested, str) else None, current_app.config["LANGUAGE"])


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadField("body", "json_expected")
    return body


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _coordinate(body: dict, field: str, low: float, high: float) -> float:
    value = body.get(field)
    if not _is_number(value) or not low <= value <= high:
        raise BadField(field, f"coord_bad_{field}", HIDDEN, low=low, high=high)  # never echo a location
    return float(value)


def _whole(body: dict, field: str, low: int, high: int, default: int | None, key: str) -> int | None:
    value = body.get(field)
    if value is None or value == "":
        return default
    if isinstance(value, str):  # "5" as a form would send it; 5,000 digits are no number (never converted)
        number = parse_number(value, integer=True)
        value = value if number is None else number
    if not _is_number(value) or value != int(value) or not low <= value <= high:
        raise BadField(field, key, echoed(value), low=low, high=high)
    return int(value)


def _flag(body: dict, field: str) -> bool:
    value = body.get(field)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadField(field, "coord_bad_flag", value)
    return value


def _kinds(body: dict) -> tuple[str, ...] | None:
    kinds = body.get("kinds")
    if kinds is None or kinds == []:
        return None
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        raise BadField("kinds", "coord_bad_kinds", kinds, allowed=RESOURCE_KIND_IDS)
    unknown = [kind for kind in kinds if kind not in RESOURCE_KIND_IDS]
    if unknown:
        raise BadField("kinds", "coord_bad_kinds", ", ".join(unknown), allowed=RESOURCE_KIND_IDS)
    return tuple(dict.fromkeys(kinds))


def _consults(body: dict) -> tuple[str, ...] | None:
    """The consultation fields the place must take (ids or the glossary's words: 障がい), or None for any."""
    value = body.get("consults")
    if value is None or value == [] or value == "":
        return None
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(one, str) for one in values):
        raise BadField("consults", "coord_bad_consults", echoed(value), allowed=CONSULTATION_FIELD_IDS)
    fields = [consultation_field(one) for one in values]
    if None in fields:
        unknown = ", ".join(one for one, field in zip(values, fields) if field is None)
        raise BadField("consults", "coord_bad_consults", echoed(unknown), allowed=CONSULTATION_FIELD_IDS)
    return tuple(dict.fromkeys(fields))


def _time(body: dict) -> datetime.time | None:
    value = body.get("time")
    if value is None or value == "":
        return None
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise BadField("time", "coord_bad_time", echoed(value))
    return datetime.time(int(match[1]), int(match[2]))


def _target(body: dict) -> str | None:
    value = body.get("target")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > MAX_TARGET_LENGTH:
        raise BadField("target", "coord_bad_target", echoed(value), length=MAX_TARGET_LENGTH)
    return value.strip()


def _speed(body: dict) -> float:
    value = body.get("speed")
    if value is None or value == "":
        return DEFAULT_WALKING_SPEED_KMH
    if isinstance(value, str):
        number = parse_number(value)
        value = value if number is None else number
    if not _is_number(value) or not is_walking_speed(value):  # the CLI's range too
        low, high = WALKING_SPEED_RANGE
        raise BadField("speed", "coord_bad_speed", echoed(body.get("speed")), low=low, high=high)
    return float(value)


def _feature(row: dict, route, resource: dict) -> dict:
    properties = {key: plain(row[key]) for key in ("rank", "id", "name", "kind", "kind_label", "walking_m",
                                                   "walking_min", "straight_m", "method", "schedule", "phone",
                                                   "address")}
    properties.update(rank=int(properties["rank"]), id=int(properties["id"]),
                      walking_m=float(properties["walking_m"]), walking_min=float(properties["walking_min"]),
                      straight_m=float(properties["straight_m"]), schedule=properties["schedule"] or None,
                      target_groups=plain(resource.get("target_groups")), fee=plain(resource.get("fee")),
                      barrier_free=plain(resource.get("barrier_free")), consultation=plain(resource.get("consultation")),
                      services=plain(resource.get("services")),  # an office's services (the national lists)
                      place=[round(resource["geometry"].x, 7), round(resource["geometry"].y, 7)])  # the answer's key
    coordinates = [[round(x, 7), round(y, 7)] for x, y in shapely.get_coordinates(route).tolist()] \
        if route is not None else []  # (a city's routes run to a thousand points: read them as one array)
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "LineString", "coordinates": coordinates}}


def public_places() -> Places:
    """The store's public places, read and snapped to the app's streets once per store revision (per process).

    Kept by :func:`~geo_welfare.web.store.per_revision`, so an import or an edit is seen by the next
    question; staff-only places are never read here.  Nothing of a client is kept.
    """
    network_file = current_app.config.get("NETWORK_FILE")
    return per_revision(("nearest_places", None if not network_file else str(network_file)),
                        lambda: prepare_places(_with_services(read_resources(get_engine())), app_network()))


def warm_nearest() -> None:
    """Prepare the public places and ask one question from the first place's own door (no client's).

    That loads the compiled searches and builds the street lookups the routes use (~0.4 s for a
    city), so that gunicorn's master does it once before forking instead of each worker's first visitor.
    """
    places = public_places()
    if len(places) and places.network is not None:
        door = places.frame.geometry.iloc[0]
        nearest_places(places, (door.x, door.y), k=1)


def _with_services(resources):
    """The places with the services each offers, in one text (``None`` for a place without services)."""
    resources["services"] = service_labels(get_engine(), resources["id"]) if len(resources) else []
    return resources


def search_of(body: dict) -> tuple[tuple[float, float], int, Needs, float]:
    """The origin (lon, lat), count, needs and walking speed a search asks for, each field checked.

    Shared by ``/api/nearest`` and the printout (:mod:`geo_welfare.web.coordinator_print`), so both
    refuse the same values with the same words (never echoing a location).
    """
    lon = _coordinate(body, "lon", JAPAN_BOUNDS[0], JAPAN_BOUNDS[2])
    lat = _coordinate(body, "lat", JAPAN_BOUNDS[1], JAPAN_BOUNDS[3])
    k = _whole(body, "k", 1, MAX_K, DEFAULT_K, "coord_bad_k")
    kinds = _kinds(body)
    weekday = _whole(body, "weekday", 0, 6, None, "coord_bad_weekday")
    at = _time(body)
    needs = Needs(kinds=kinds, weekday=weekday, time_of_day=at, target=_target(body),
                  barrier_free=_flag(body, "barrier_free") or None, consultation=_flag(body, "consultation") or None,
                  consults=_consults(body), include_unknown_schedules=_flag(body, "include_unknown"))
    return (lon, lat), k, needs, _speed(body)


def find_places(lonlat: tuple[float, float], k: int, needs: Needs, speed: float, lang: str):
    """The nearest public places that fit (:class:`~geo_welfare.analysis.nearest.Found`); a failure said without detail."""
    try:
        return nearest_places(public_places(), lonlat, k=k, needs=needs, speed_kmh=speed, lang=lang)
    except Exception as error:  # logged without its message, which could quote the location
        log.error("nearest places failed: %s\n%s", type(error).__name__,
                  "".join(traceback.format_tb(error.__traceback__)))
        raise Unanswerable("coord_error") from None


@blueprint.post("/api/nearest")
def nearest():
    """The ``k`` nearest public places that fit, by walking minutes, with routes (GeoJSON)."""
    body = _body()
    lang = _language(body)
    lonlat, k, needs, speed = search_of(body)
    network = app_network()
    method = METHOD_NETWORK if network is not None else METHOD_STRAIGHT
    features = [_feature(found.row, found.route, found.place) for found in find_places(lonlat, k, needs, speed, lang)]
    return jsonify({"type": "FeatureCollection", "features": features, "method": method, "speed_kmh": speed,
                    "k": k, "notice": None if network is not None else word("coord_straight_notice", lang)})


@blueprint.post("/api/geocode")
def geocode():
    """Candidates for an address or town name typed by the coordinator, best first; 404 when none."""
    body = _body()
    text = body.get("q")
    address_lookup.check_query(text)  # a QueryError (400, field q) when it is no usable text
    try:
        candidates = address_lookup.lookup(get_engine(), text)
    except GeoWelfareError:  # the gazetteer's refusal, with its reason (never quoting the text)
        raise
    except Exception as error:  # as above: the typed address must not reach the log
        log.error("address lookup failed: %s\n%s", type(error).__name__,
                  "".join(traceback.format_tb(error.__traceback__)))
        raise Unanswerable("coord_error") from None
    if not candidates:
        raise NoCandidates("coord_not_found")
    return jsonify({"candidates": [candidate.as_dict(_language(body)) for candidate in candidates]})


def service_map():
    """The store's areas and public centres, snapped to the app's streets once per store revision (per process)."""
    network_file = current_app.config.get("NETWORK_FILE")
    return per_revision(("service_map", None if not network_file else str(network_file)),
                        lambda: prepare_service_map(get_engine(), app_network()))


def _where(body: dict):
    """(lon, lat) and the address match (None for a point) of a which question."""
    address = body.get("address")
    if address is not None:
        if not isinstance(address, str) or not address_lookup.MIN_QUERY_LENGTH <= len(address.strip()) \
                <= address_lookup.MAX_QUERY_LENGTH:
            raise BadField("address", "coord_bad_address", HIDDEN, low=address_lookup.MIN_QUERY_LENGTH,
                           high=address_lookup.MAX_QUERY_LENGTH)
        match = locate(get_engine(), address)  # 409 without gazetteers, 422 with the reason when not placed
        return (match.lon, match.lat), match
    lon = _coordinate(body, "lon", JAPAN_BOUNDS[0], JAPAN_BOUNDS[2])
    lat = _coordinate(body, "lat", JAPAN_BOUNDS[1], JAPAN_BOUNDS[3])
    return (lon, lat), None


@blueprint.post("/api/which")
def which():
    """担当の包括は？ The areas at an address or point, the centre serving its 圏域 (public places only)."""
    body = _body()
    lang = _language(body)
    point, match = _where(body)
    speed = _speed(body)
    try:
        answer = answer_at(get_engine(), service_map(), point, speed_kmh=speed, lang=lang)
    except Exception as error:  # logged without its message, which could quote the location
        log.error("which failed: %s\n%s", type(error).__name__, "".join(traceback.format_tb(error.__traceback__)))
        raise Unanswerable("coord_error") from None
    body = answer.as_dict()
    if body["centre"] is not None:
        body["centre"]["route"] = [[round(x, 7), round(y, 7)] for x, y in answer.centre.route.coords] \
            if answer.centre.route is not None else None
    for unit, area in body["areas"].items():
        if area is not None:
            area["unit_label"] = label(AREA_UNITS, unit, lang)
    body["unit_labels"] = {unit: label(AREA_UNITS, unit, lang) for unit in body["areas"]}
    body["location"] = None if match is None else {
        "level": match.level, "level_label": word(f"geocode_level_{match.level}", lang), "matched": match.matched,
        "lon": round(match.lon, 7), "lat": round(match.lat, 7)}
    return jsonify(body)


@blueprint.get("/coordinator")
def page():
    """The coordinator's page: the map, the address box, the conditions and the printable list."""
    from geo_welfare.web.auth import csrf_token
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    # The map centres on the client's home: outside tile servers only when the operator chose so.
    tiles = coordinator_tiles(current_app.config["BASE_TILES"], settings.coordinator_tiles(
        current_app.config.get("COORDINATOR_TILES")))
    use_tiles(tiles)  # and the page's Content-Security-Policy lets no other tile server in
    return render_template(
        "coordinator.html", lang=lang, w=lambda key: word(key, lang),
        kinds=[(term.id, label(RESOURCE_KINDS, term.id, lang)) for term in RESOURCE_KINDS],
        default_kinds=DEFAULT_KINDS, weekdays=[(day, word(f"coord_weekday_{day}", lang)) for day in range(7)],
        network=app_network() is not None, max_k=MAX_K, default_k=DEFAULT_K,
        tiles=None if tiles is None else {"url": tiles.url, "attribution": tiles.attribution_in(lang)},
        csrf_token=csrf_token(), script_words={key: word(key, lang) for key in SCRIPT_WORDS},
        targets=TARGET_GROUPS, consult_fields=[(term.id, term.localized(lang)) for term in CONSULTATION_FIELDS],
        field_kinds=kinds_by_field(public_places().frame))
