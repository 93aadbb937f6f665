"""The stored layers the main map offers as overlays beside the places: hazard zones, shelters, stops, transport areas.

Each overlay is switched on in the layer control and fetched only then (static/map.js), by view; it has
its legend rows, shown while it is on.  An overlay is offered only when the store holds something for
it, so a town without hazard data sees no empty switch.  Built once per store revision with the page.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import Engine, func, select

from geo_welfare.layers.hazards import class_label, hazard_label
from geo_welfare.maps.hazard_style import (SERVICE_AREA_STYLE, SHELTER_COLOUR, TRANSIT_COLOURS, ZONE_EDGE,
                                           hazard_colour)
from geo_welfare.store.models import HazardZone, Shelter, TransitServiceArea, TransitStop
from geo_welfare.web.i18n import say, word

ZONE_STYLE = {"color": ZONE_EDGE, "weight": 0.5, "fillOpacity": 0.55}
POINT_STYLE = {"radius": 5, "color": "#1a1a1a", "weight": 1.5, "fillOpacity": 0.95}


def _row(colour: str, text: str, *, border: str = "#1a1a1a", dashed: bool = False, round_: bool = False) -> dict:
    return {"colour": colour, "border": border, "text": text, "dashed": dashed, "round": round_}


def _class_words(hazard: str, zone: str, phenomenon: str | None, lang: str) -> str:
    """A legend row's words: 浸水深 0.5m以上3.0m未満 (a band alone does not say what it measures), 土砂災害警戒区域（土石流）."""
    words = class_label(hazard, zone, phenomenon, lang)
    return say("legend_flood_depth", lang, band=words) if hazard == "flood" else words


def _hazard_overlays(engine: Engine, lang: str) -> list[dict]:
    with engine.connect() as connection:
        classes = connection.execute(select(HazardZone.hazard, HazardZone.scenario, HazardZone.zone_class,
                                            HazardZone.phenomenon).distinct()).all()
    overlays = []
    for hazard in ("flood", "landslide"):
        mine = sorted({(c.zone_class, c.phenomenon) for c in classes if c.hazard == hazard},
                      key=lambda c: (float(c[0].partition("-")[0]) if hazard == "flood" else 0, str(c)))
        if not mine:
            continue
        scenarios = {c.scenario for c in classes if c.hazard == hazard}
        legend = [_row(hazard_colour(hazard, zone), _class_words(hazard, zone, phenomenon, lang), border=ZONE_EDGE)
                  for zone, phenomenon in mine]
        overlays.append({"name": hazard_label(hazard, next(iter(scenarios)) if len(scenarios) == 1 else None, lang),
                         "url": url_for("hazards.hazards", hazard=hazard, lang=lang), "style": ZONE_STYLE,
                         "legend": legend})
    return overlays


def stored_overlays(engine: Engine, lang: str) -> list[dict]:
    """The overlays of the store's hazard, shelter and transit layers that hold anything, for static/map.js."""
    with engine.connect() as connection:
        shelters = connection.execute(select(func.count()).select_from(Shelter)).scalar_one()
        modes = [mode for (mode,) in connection.execute(select(TransitStop.mode).distinct().order_by(TransitStop.mode))]
        areas = connection.execute(select(func.count()).select_from(TransitServiceArea)).scalar_one()
    overlays = _hazard_overlays(engine, lang)
    if shelters:
        overlays.append({"name": word("overlay_shelters", lang), "url": url_for("hazards.shelters"), "points": True,
                         "style": {**POINT_STYLE, "fillColor": SHELTER_COLOUR},
                         "legend": [_row(SHELTER_COLOUR, word("overlay_shelters", lang), round_=True)]})
    if modes:
        overlays.append({"name": word("overlay_transit_stops", lang), "points": True, "style": POINT_STYLE,
                         "url": url_for("transit.stops", lang=lang),
                         "legend": [_row(TRANSIT_COLOURS[mode], word(f"transit_mode_{mode}", lang), round_=True)
                                    for mode in modes]})
    if areas:
        overlays.append({"name": word("overlay_transit_areas", lang), "url": url_for("transit.areas"),
                         "style": SERVICE_AREA_STYLE,
                         "legend": [_row(SERVICE_AREA_STYLE["fillColor"], word("overlay_transit_areas", lang),
                                         border=SERVICE_AREA_STYLE["color"], dashed=True)]})
    return overlays
