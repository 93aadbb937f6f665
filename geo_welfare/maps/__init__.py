"""Print-ready district resource maps (地域資源マップ) for CSWs' residents' meetings.

One district of an area unit on one A4/A3 page: the district with its neighbours greyed, streets,
rivers and railways where files give them, the resources numbered by kind, an optional 高齢化率
shading and walking reach, a legend, the numbered list beside the map, scale bar, north arrow,
date and data credits.  ``layout`` sizes the page, ``content`` gathers what one district shows,
``background`` reads the optional street/river/railway files, ``reach`` the walking area,
``labels`` places the numbers, ``sources`` writes the credits, ``style`` and ``palette`` hold the
symbols and colours (shared with the web map), and ``render`` draws the page from ``map_layers``,
``legend``, ``listing``, ``furniture`` (scale bar, north arrow, labels), ``corners``, ``page_text``
and ``text`` (measuring and wrapping Japanese text).  ``atlas`` draws many pages at once, on every
core, from layers read once.  The offline HTML map is the web's (:mod:`geo_welfare.web.offline`).
"""

from geo_welfare.maps.content import StoreLayers, district_content, load_store_layers
from geo_welfare.maps.render import RenderedMap, render_district_map

__all__ = ["StoreLayers", "load_store_layers", "district_content", "render_district_map", "RenderedMap"]
