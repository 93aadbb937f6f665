"""Base tiles as a setting: 地理院タイル (default), OpenStreetMap, a local tile server, or none.

Closed municipal networks often reach no tile server at all; with ``none`` the map draws on a
plain light background and every layer stays readable.  A local tile server is named by its
``{z}/{x}/{y}`` URL template; its attribution (which the tiles' terms usually require) comes from
``GEO_WELFARE_TILES_ATTRIBUTION``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

TILES_ENV = "GEO_WELFARE_TILES"
TILES_ATTRIBUTION_ENV = "GEO_WELFARE_TILES_ATTRIBUTION"
DEFAULT_TILES = "gsi"


@dataclass(frozen=True)
class BaseTiles:
    """A tile URL template, the attribution its terms require, and its name in the layer switcher."""

    url: str
    attribution: str
    name: str


PRESETS: dict[str, BaseTiles] = {
    "gsi": BaseTiles("https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
                     '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>', "地理院タイル（淡色）"),
    "osm": BaseTiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                     '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
                     "OpenStreetMap"),
}


def base_tiles(choice: str | None = None) -> BaseTiles | None:
    """The configured tiles: ``gsi`` (default), ``osm``, ``none`` (None), or a ``{z}/{x}/{y}`` URL template.

    The argument wins over ``GEO_WELFARE_TILES``; anything else is a ValueError naming the choices.
    """
    value = (choice or os.environ.get(TILES_ENV) or DEFAULT_TILES).strip()
    if value.lower() == "none":
        return None
    if value.lower() in PRESETS:
        return PRESETS[value.lower()]
    if all(part in value for part in ("{z}", "{x}", "{y}")):
        attribution = os.environ.get(TILES_ATTRIBUTION_ENV) or value.split("/{z}")[0]
        return BaseTiles(value, attribution, "背景地図")
    raise ValueError(f"unknown base tiles {value!r}: use gsi, osm, none or a {{z}}/{{x}}/{{y}} URL template")
