"""The colours of hazard zones, shelters and public transport, for the web map and the printed map alike.

Flood depths take the colours of 国土交通省's 水害ハザードマップ作成の手引き (2016; the same six bands on every
municipal ハザードマップ, so residents read them at a glance): pale yellow under 0.5 m through pink and red
to purple at 20 m and more.  Landslide zones take the usual yellow (土砂災害警戒区域) and red (特別警戒区域).
A band is coloured by its lower bound, so that the older code lists' bands (0.5–1 m, 1–2 m …) take the
colour of the band they begin in.
"""

from __future__ import annotations

#: (lowest depth in metres, fill): a band takes the colour of the last entry at or under its lower bound.
FLOOD_DEPTH_COLOURS: tuple[tuple[float, str], ...] = (
    (0.0, "#f7f5a9"), (0.5, "#ffd8c0"), (3.0, "#ffb7b7"), (5.0, "#ff9191"), (10.0, "#f285c9"), (20.0, "#dc7adc"),
)
#: Landslide zone classes (layers/hazards.py ZONES): proposed zones (指定前) as the zones they will be.
LANDSLIDE_COLOURS: dict[str, str] = {
    "warning": "#ffe600", "special_warning": "#e60012",
    "warning_proposed": "#ffe600", "special_warning_proposed": "#e60012",
}
#: The edge drawn round every zone: dark enough to see a zone's border on a pale band.
ZONE_EDGE = "#555555"
#: 避難場所 green (the JIS Z 8210 evacuation sign's colour), for shelters on every map.
SHELTER_COLOUR = "#00a040"
#: Stations dark, bus stops white with a dark ring: told apart in black and white too.
TRANSIT_COLOURS: dict[str, str] = {"station": "#1a1a1a", "tram": "#555555", "bus": "#ffffff", "other": "#bbbbbb"}
#: Community-transport service areas (乗合タクシー, コミュニティバス, デマンド交通): green, dashed.
SERVICE_AREA_STYLE: dict[str, object] = {"color": "#1b7837", "weight": 2, "dashArray": "6 4", "fillColor": "#a6dba0",
                                         "fillOpacity": 0.25}


def hazard_colour(hazard: str, zone_class: str) -> str:
    """The fill of one zone class: a flood depth band (``0.5-3``) or a landslide zone (``special_warning``)."""
    if hazard == "flood":
        lower = float(str(zone_class).partition("-")[0])
        return [colour for bound, colour in FLOOD_DEPTH_COLOURS if bound <= lower][-1]
    return LANDSLIDE_COLOURS.get(str(zone_class), "#999999")
