"""Base tiles as a setting: 地理院タイル (default), OpenStreetMap, a local tile server, or none.

Closed municipal networks often reach no tile server at all; with ``none`` the map draws on a
plain background and every layer stays readable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

TILES_ENV = "GEO_WELFARE_TILES"


@dataclass(frozen=True)
class BaseTiles:
    """A tile URL template and the attribution its terms require."""

    url: str
    attribution: str


PRESETS: dict[str, BaseTiles] = {
    "gsi": BaseTiles("https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
                     '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>'),
    "osm": BaseTiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                     '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'),
}


def base_tiles(choice: str | None = None) -> BaseTiles | None:
    """The configured tiles: ``gsi``, ``osm``, ``none``, or a ``{z}/{x}/{y}`` URL template."""
    value = (choice or os.environ.get(TILES_ENV) or "gsi").strip()
    if value.lower() == "none":
        return None
    if value.lower() in PRESETS:
        return PRESETS[value.lower()]
    if "{z}" in value and "{x}" in value and "{y}" in value:
        return BaseTiles(value, "base tiles: " + value.split("/{z}")[0])
    raise ValueError(f"unknown base tiles {value!r}: use gsi, osm, none or a {{z}}/{{x}}/{{y}} URL template")
