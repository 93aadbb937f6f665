"""The coordinator's printout for a client (``POST /coordinator/print``): one A4 page to take home.

What the client needs on paper: where the search started (the address as the coordinator typed
it, else 「指定した地点」, never the coordinates), what was searched for (kinds, day, time, walking
speed and the other conditions), a small map of the starting point, the places and the walks to
them (drawn here by :func:`geo_welfare.maps.client_map.render_client_map`, since Leaflet prints
poorly), and for each place its schedule in words and the next dates it meets
(:func:`geo_welfare.layers.schedules.next_sessions`), or why the list fixes none (隔月 without an
anchor date: no date is ever made up).

The page's script posts a form, as ``/api/nearest`` takes its JSON: **the location and the typed
address travel in the POST body only**, so no access log holds them; nothing is logged or stored,
a failure is logged by its type alone, and the answer carries ``Cache-Control: no-store``.  The
places are the public ones of ``/api/nearest`` (staff-only places are never read), and every
value is escaped by Jinja.  ``app.config["COORDINATOR_NOW"]`` (a naive JST datetime) fixes "now"
for tests; otherwise it is the current time in Japan.
"""

from __future__ import annotations

import base64
import datetime
import logging
import traceback
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request

from geo_welfare.analysis.nearest import METHOD_STRAIGHT, Needs
from geo_welfare.core.glossary import CONSULTATION_FIELDS, RESOURCE_KINDS, label
from geo_welfare.layers.schedules import next_sessions, schedule_of, undated_reason
from geo_welfare.maps.client_map import MapPlace, render_client_map
from geo_welfare.web.address_lookup import MAX_QUERY_LENGTH
from geo_welfare.web.coordinator import Unanswerable, find_places, search_of
from geo_welfare.web.i18n import page_language, say, word
from geo_welfare.web.limits import parse_number
from geo_welfare.web.network import app_network
from geo_welfare.web.problems import HIDDEN, BadField

blueprint = Blueprint("coordinator_print", __name__)
log = logging.getLogger(__name__)

JAPAN = ZoneInfo("Asia/Tokyo")
#: How many next dates each place shows.
NEXT_COUNT = 2
_TRUE, _FALSE = ("1", "true", "on"), ("0", "false")
_FLAGS = ("barrier_free", "consultation", "include_unknown")


@blueprint.after_request
def _no_store(response):
    """The printout holds the client's starting point: no browser or proxy may keep it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def now() -> datetime.datetime:
    """Now in Japan, naive (as the schedules' times are), unless the app fixes it for a test."""
    fixed = current_app.config.get("COORDINATOR_NOW")
    return fixed if isinstance(fixed, datetime.datetime) else datetime.datetime.now(JAPAN).replace(tzinfo=None)


def _form_body() -> dict:
    """The posted form as the JSON body ``/api/nearest`` takes (numbers as numbers, ticks as booleans)."""
    form = request.form
    body: dict = {key: form.get(key) for key in ("k", "weekday", "time", "target", "speed")}
    for field in ("lon", "lat"):
        value = form.get(field)
        number = parse_number(value) if isinstance(value, str) else None
        body[field] = number if number is not None else value
    body["kinds"] = form.getlist("kind")
    if form.getlist("consults"):
        body["consults"] = form.getlist("consults")
    for flag in _FLAGS:
        body[flag] = _tick(form.get(flag))
    return body


def _tick(value: str | None) -> bool | str | None:
    """A ticked box as a boolean; anything else is passed on as sent, for the search to refuse."""
    if value is None or value == "":
        return None
    if value.lower() in _TRUE or value.lower() in _FALSE:
        return value.lower() in _TRUE
    return value


def _typed_address(value: str | None) -> str | None:
    """The address as typed, for the page only; refused (never echoed) when too long."""
    if value is None or not value.strip():
        return None
    if len(value) > MAX_QUERY_LENGTH:
        raise BadField("address", "coord_bad_address", HIDDEN, low=1, high=MAX_QUERY_LENGTH)
    return value.strip()


def clock(value: datetime.time) -> str:
    """10:00, 9:30: hours without a leading zero, as a notice writes them."""
    return f"{value.hour}:{value.minute:02d}"


def date_words(day: datetime.date, lang: str) -> str:
    """12月8日（火） / Tue 8 December."""
    return say("cprint_date", lang, month=word(f"cprint_month_{day.month}", lang), day=day.day,
               weekday=word(f"cprint_wd_{day.weekday()}", lang))


def session_words(session, lang: str) -> str:
    """12月8日（火）10:00〜 (or 〜12:00, 10:00〜12:00, or the date with 時間は問い合わせ先へ)."""
    opens, closes = session.opens, session.closes
    if opens is not None and closes is not None:
        hours = say("cprint_hours_both", lang, opens=clock(opens), closes=clock(closes))
    elif opens is not None:
        hours = say("cprint_hours_from", lang, opens=clock(opens))
    elif closes is not None:
        hours = say("cprint_hours_until", lang, closes=clock(closes))
    else:
        hours = word("cprint_hours_unknown", lang)
    return date_words(session.day, lang) + ("" if lang == "ja" else " ") + hours


def next_dates(place: dict, at: datetime.datetime, lang: str) -> tuple[list[str], str | None]:
    """The next dates of one place in words, and why some rule gives none (a sentence), or None."""
    schedule = schedule_of(place)
    sessions = next_sessions(schedule, at, NEXT_COUNT)
    reason = undated_reason(schedule)
    if not sessions and reason is None:
        reason = "upcoming_none_soon"
    return [session_words(session, lang) for session in sessions], None if reason is None else word(reason, lang)


def conditions(needs: Needs, speed: float, lang: str) -> list[tuple[str, str]]:
    """(heading, value) of each condition searched with, in the page's words."""
    anything = word("coord_any", lang)
    kinds = word("cprint_separator", lang).join(label(RESOURCE_KINDS, kind, lang) for kind in needs.kinds) \
        if needs.kinds else anything
    weekday = anything if needs.weekday is None else word(f"coord_weekday_{needs.weekday}", lang)
    at = anything if needs.time_of_day is None else clock(needs.time_of_day)
    speeds = {3.0: "coord_speed_3", 4.0: "coord_speed_4"}
    walking = word(speeds[speed], lang) if speed in speeds else say("cprint_speed_value", lang, speed=f"{speed:g}")
    rows = [(word("kind", lang), kinds), (word("coord_weekday", lang), weekday), (word("coord_time", lang), at),
            (word("coord_speed", lang), walking)]
    if needs.target:
        rows.append((word("target", lang), needs.target))
    if needs.consults:
        rows.append((word("coord_consults", lang), word("cprint_separator", lang).join(
            label(CONSULTATION_FIELDS, field, lang) for field in needs.consults)))
    for flag, key in ((needs.barrier_free, "coord_barrier_free_only"), (needs.consultation, "coord_consultation_only"),
                      (needs.include_unknown_schedules, "coord_include_unknown")):
        if flag:
            rows.append((word(key, lang), "✓"))
    return rows


def _entry(found, at: datetime.datetime, lang: str) -> dict:
    row = found.row
    dates, reason = next_dates(found.place, at, lang)
    return {"rank": int(row["rank"]), "name": row["name"], "kind": say("cprint_kind", lang, kind=row["kind_label"]),
            "walk": say("cprint_walk", lang, minutes=f"{float(row['walking_min']):.0f}",
                        metres=f"{float(row['walking_m']):,.0f}"),
            "schedule": row["schedule"] or None, "address": row.get("address") or None,
            "phone": row.get("phone") or None, "dates": dates, "reason": reason}


def _map(lonlat, found, lang: str) -> str:
    """The map as a data: URI (SVG), drawn over the app's streets when it has them."""
    network = app_network()
    places = [MapPlace(int(item.row["rank"]), item.row["kind"],
                       (float(item.place["geometry"].x), float(item.place["geometry"].y)), item.route) for item in found]
    svg = render_client_map(lonlat, places, lang=lang, streets=None if network is None else network.edge_geometry,
                            streets_crs=None if network is None else network.crs)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@blueprint.post("/coordinator/print")
def printout():
    """The printable page: conditions, the origin in words, the map, the places with their next dates."""
    lang = page_language(request.form.get("lang") or request.args.get("lang"), current_app.config["LANGUAGE"])
    lonlat, k, needs, speed = search_of(_form_body())
    address = _typed_address(request.form.get("address"))
    found = find_places(lonlat, k, needs, speed, lang)
    at = now()
    try:
        entries = [_entry(item, at, lang) for item in found]
        picture = _map(lonlat, found, lang)
    except Exception as error:  # logged without its message, which could quote the location
        log.error("coordinator printout failed: %s\n%s", type(error).__name__,
                  "".join(traceback.format_tb(error.__traceback__)))
        raise Unanswerable("coord_error") from None
    straight = bool(found) and found[0].row["method"] == METHOD_STRAIGHT
    return render_template("coordinator_print.html", lang=lang, w=lambda key: word(key, lang),
                           origin=address or word("cprint_origin_point", lang), conditions=conditions(needs, speed, lang),
                           entries=entries, picture=picture, printed_on=date_words(at.date(), lang),
                           straight=straight)
