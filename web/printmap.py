"""Print-ready district maps for CSWs from the web: ``/district/<unit>/<code>/map.pdf`` (or ``.png``).

The same page ``geo-welfare map district`` writes, drawn on request; public places only (no staff
copy is ever served).  ``?paper=A3``, ``?orientation=landscape``, ``?shading=none``, ``?lang=en``,
``?large_print=1`` (the large-print A3), ``?minutes=10`` (the land within 10 minutes' walk of the public
places, over the app's streets when it has a street file, else straight-line circles, as the legend
says), ``?hazards=flood&hazards=landslide`` (the stored hazard zones and the shelters open for them, as
``--hazards`` draws them; 409 when none is stored).  The download is named ``E02_デモ本町小学校区_A4.pdf``
(``…_A4_10min_flood.pdf`` with a walking area and flood zones).
Street, river and railway files come from the app settings ``NETWORK_FILE``, ``WATER_FILE`` and
``RAILWAY_FILE`` (else the ``GEO_WELFARE_NETWORK``/``_WATER``/``_RAILWAY`` environment variables).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request

from geo_welfare.core import config as settings
from geo_welfare.core.errors import NotFoundError, UsageError
from geo_welfare.maps import district_content, load_store_layers, render_district_map
from geo_welfare.maps.atlas import map_file_name
from geo_welfare.maps.background import add_stored_hazards, drawn_hazards, read_background
from geo_welfare.maps.layout import LARGE_PRINT_PAPER
from geo_welfare.maps.reach import walking_reach
from geo_welfare.web.limits import MINUTES_RANGE, echoed, number_parameter
from geo_welfare.web.problems import BadField
from geo_welfare.web.network import app_network
from geo_welfare.web.store import get_engine
from geo_welfare.core.glossary import AREA_UNIT_IDS, AREA_UNIT_OPTIONS, HAZARD_IDS
from geo_welfare.web.i18n import page_language

blueprint = Blueprint("printmap", __name__)

MIMETYPES = {"pdf": "application/pdf", "png": "image/png"}
PNG_DPI = 150


def _setting(key: str, resolve: Callable[[str | None], Path | None]) -> Path | None:
    """The app setting ``key``, else (through ``resolve``, the settings table's) its environment variable."""
    return resolve(current_app.config.get(key) or None)


def ascii_file_name(name: str) -> str:
    """The download's plain ``filename=`` for browsers that ignore ``filename*``: what is not ASCII becomes
    one ``_`` a run (``01101:資生館小学校`` → ``01101_``), so ``01101_map_A4.pdf`` rather than ``01101_______map``."""
    return re.sub("_+", "_", name.encode("ascii", "replace").decode().replace("?", "_"))


def _hazards() -> tuple[str, ...]:
    """``?hazards=`` (repeatable) in the order pages draw them; a hazard there is no zone kind of is a 400."""
    asked = request.args.getlist("hazards")
    unknown = [hazard for hazard in asked if hazard not in HAZARD_IDS]
    if unknown:
        raise BadField("hazards", "bad_choice", echoed(", ".join(unknown)), choices=", ".join(HAZARD_IDS))
    return tuple(hazard for hazard in HAZARD_IDS if hazard in asked)


@blueprint.get("/district/<unit>/<code>/map.<fmt>")
def district_map(unit: str, code: str, fmt: str):
    """One district's 地域資源マップ as a PDF or PNG download.

    404 for a format, unit or district there is none of (a district not stored: the maps'
    :class:`~geo_welfare.maps.content.NotStored`), 400 for print options outside their choices.
    """
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    unit_id = AREA_UNIT_OPTIONS.get(unit, unit)
    if fmt not in MIMETYPES:
        raise NotFoundError("bad_format", field="format", format=fmt)
    if unit_id not in AREA_UNIT_IDS:
        raise NotFoundError("unknown_unit_named", field="unit", unit=unit)
    paper = request.args.get("paper", "A4").upper()
    orientation = request.args.get("orientation", "auto")
    shading = request.args.get("shading", "aging")
    large_print = request.args.get("large_print", "0") == "1"  # the large-print A3 (every size ×1.4)
    if paper not in ("A4", "A3") or orientation not in ("auto", "portrait", "landscape") or \
            shading not in ("aging", "none"):
        raise UsageError("bad_print_options")
    minutes = number_parameter("minutes", None, *MINUTES_RANGE)
    hazards = _hazards()
    layers = load_store_layers(get_engine(), unit_id, shading=shading, district=code)  # public places only
    content = district_content(layers, code)
    # The area of the public places only, as on the page; the served network is warm (street cells filled).
    reach = walking_reach(layers.resources, minutes, network=app_network()) if minutes else None
    background = read_background(streets=_setting("NETWORK_FILE", settings.network_file),
                                 water=_setting("WATER_FILE", settings.water_file),
                                 railway=_setting("RAILWAY_FILE", settings.railway_file),
                                 cache_directory=settings.cache_directory(current_app.config["DATABASE_URL"]))
    if hazards:
        add_stored_hazards(background, get_engine(), hazards)
        hazards = drawn_hazards(background)  # those stored (the file name says what the page shows)
    page = render_district_map(content, background=background, paper=paper, orientation=orientation, lang=lang,
                               large_print=large_print, reach=reach)
    body = page.to_bytes(fmt, dpi=PNG_DPI)
    response = Response(body, mimetype=MIMETYPES[fmt])
    paper_name = f"{LARGE_PRINT_PAPER}_large" if large_print else paper
    name = map_file_name(code, content.name, paper_name, fmt, minutes, hazards)  # as the CLI names it
    ascii_name = ascii_file_name(map_file_name(code, "map", paper_name, fmt, minutes, hazards))
    response.headers["Content-Disposition"] = (f"inline; filename=\"{ascii_name}\"; "
                                               f"filename*=UTF-8''{quote(name)}")
    return response
