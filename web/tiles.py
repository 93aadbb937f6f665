"""Base tiles as a setting: 地理院タイル (default), OpenStreetMap, a local tile server, or none.

Closed municipal networks often reach no tile server at all; with ``none`` the map draws on a
plain light background and every layer stays readable.  A local tile server is named by its
``{z}/{x}/{y}`` URL template; its attribution (which the tiles' terms usually require) comes from
``GEO_WELFARE_TILES_ATTRIBUTION``.
"""

from __future__ import annotations

import html
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from geo_welfare.core import config as settings
from geo_welfare.web.i18n import word


@dataclass(frozen=True)
class BaseTiles:
    """A tile URL template, the attribution its terms require, and its name in the layer switcher.

    The tiles are chosen once, when the app starts, but each page is in its reader's language:
    ``name`` is a catalogue key, and so is ``attribution`` when ``terms_url`` is given (the
    attribution is then a link to the terms, the word its text); otherwise ``attribution`` is the
    HTML the tiles' provider asks for.
    """

    url: str
    attribution: str
    name: str
    terms_url: str | None = None

    def attribution_in(self, lang: str) -> str:
        """The attribution as Leaflet shows it (HTML) in ``lang``."""
        if self.terms_url is None:
            return self.attribution
        return f'<a href="{html.escape(self.terms_url)}">{html.escape(word(self.attribution, lang))}</a>'

    def name_in(self, lang: str) -> str:
        """The tiles' name in the layer switcher, in ``lang``."""
        return word(self.name, lang)

    def is_local(self) -> bool:
        """Whether the tiles come from this app (a path), this machine or a private (office) network address.

        Only an address says so for certain: a host name, even an intranet one, counts as outside.
        """
        parts = urlsplit(self.url)
        if not parts.netloc:
            return True
        host = parts.hostname or ""
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return address.is_loopback or address.is_private or address.is_link_local


PRESETS: dict[str, BaseTiles] = {
    "gsi": BaseTiles("https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png", "tiles_gsi", "tiles_gsi_pale",
                     terms_url="https://maps.gsi.go.jp/development/ichiran.html"),
    "osm": BaseTiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                     '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
                     "tiles_osm"),
}


def base_tiles(choice: str | None = None) -> BaseTiles | None:
    """The configured tiles: ``gsi`` (default), ``osm``, ``none`` (None), or a ``{z}/{x}/{y}`` URL template.

    The argument wins over ``GEO_WELFARE_TILES``; anything else is a ValueError naming the choices.
    """
    value = settings.base_tiles(choice)
    if value.lower() == "none":
        return None
    if value.lower() in PRESETS:
        return PRESETS[value.lower()]
    if all(part in value for part in ("{z}", "{x}", "{y}")):
        attribution = settings.tiles_attribution() or value.split("/{z}")[0]
        return BaseTiles(value, attribution, "tiles_local")
    raise ValueError(f"unknown base tiles {value!r}: use gsi, osm, none or a {{z}}/{{x}}/{{y}} URL template")


def coordinator_tiles(tiles: BaseTiles | None, choice: str) -> BaseTiles | None:
    """The tiles the coordinator's page may draw: only local ones, unless the operator chose ``allow``.

    That page centres on a client's home, so every tile it asks for names the ~500 m square around
    it; outside tile servers (地理院タイル, OpenStreetMap) would learn where the client lives.
    """
    if tiles is None or choice == "allow" or tiles.is_local():
        return tiles
    return None
