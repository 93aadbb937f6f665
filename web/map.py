"""The map page: folium builds the Leaflet map, with every asset served by this app.

folium's default assets come from CDNs; they are replaced here by the copies vendored in
``web/static/vendor`` (Leaflet 1.9.4, Leaflet.markercluster 1.5.3, jQuery 3.7.1 — folium's popups
build their content with jQuery), because staff often work on networks that reach no CDN.
Bootstrap, awesome-markers and the icon fonts folium would also load are not used and not served.
Base tiles are optional (see :mod:`geo_welfare.web.tiles`).

The page is ``templates/map.html``: folium renders the map's own head, body and script (the base
tiles, the places as markers, the layer switcher) into it; the title bar, legend and words are the
template's, its style ``static/map.css`` and its code ``static/map.js`` (cluster icons, the area
layers, overlays loaded when switched on), which reads the names of folium's map and layers from a
JSON block rather than inline code.

The area levels and the 高齢化率 shading are not folium's: ``static/map.js`` draws them from
``/api/areas``, the features meeting the view, simplified for its zoom, fetched again as the view
moves.  A town's areas (up to :data:`INLINE_AREAS_UP_TO` features in all, app setting
``MAP_INLINE_AREAS_UP_TO``) come inside the page's JSON block as well, so that its offline copy
draws them; a city's page carries none (a few hundred kB for its places, where inlining every
small area made 5 MB).  The page's parts are built once per store revision, language, role and
shading (:func:`geo_welfare.web.store.per_revision`); a request only adds its nonce and sign-in box.
"""

from __future__ import annotations

import json
import math
import re

import folium
from branca.element import Element, MacroElement
from flask import Blueprint, abort, current_app, render_template, request, url_for
from jinja2 import Template
from markupsafe import Markup

from geo_welfare.web.store import get_engine, per_revision
from geo_welfare.store.read import read_resources, service_labels
from geo_welfare.core.glossary import AREA_UNITS, RESOURCE_KINDS, label
from geo_welfare.maps.style import AREA_DRAW_ORDER, AREA_STYLES, RESOURCE_COLOURS, RESOURCE_MARKERS
from geo_welfare.web.auth import is_editor
from geo_welfare.web.editing import map_controls
from geo_welfare.web.overlays import stored_overlays
from geo_welfare.web.choropleth import (CHOROPLETH_STYLE, GAP_STYLE, SERVICE_AREA_STYLE, Classes, kept_classes,
                                        legend_html, legend_title, shading_request, shown_values)
from geo_welfare.web.features import FINEST_DISTINCT_ZOOM, AreaLevel, kept_areas, kept_levels, resource_properties
from geo_welfare.web.i18n import page_language, say, word
from geo_welfare.web.security import csp_nonce

blueprint = Blueprint("map", __name__)

#: Cluster a kind's markers from this many on (app setting ``MARKER_CLUSTER_FROM``): a town's
#: 30 salons read better one by one, a city's 400 do not.
CLUSTER_FROM = 150
#: The closest zoom (street level; 地理院タイル 淡色 go to 18).  Leaflet.markercluster refuses a map
#: without one, which a map with no tile layer (``tiles=none``) otherwise is.
MAX_ZOOM = 18
#: Small areas are drawn from the start up to this many; beyond, their layer starts switched off.
SMALL_AREAS_SHOWN_UP_TO = 2000
#: Area features (every level, the shading counted again) inlined in the page up to this many; beyond, by view only.
INLINE_AREAS_UP_TO = 1000
#: Stands for the response's CSP nonce in the page parts kept between requests.
NONCE_SLOT = "gw-nonce-slot"
#: The shaded small areas' style; each area's fill colour comes with it from the API.
SHADED_STYLE = {"fillOpacity": 0.6, "color": "#777777", "weight": 0.5}

LEAFLET_JS = [("leaflet", "vendor/leaflet/leaflet.js"), ("jquery", "vendor/jquery/jquery.min.js")]
LEAFLET_CSS = [("leaflet_css", "vendor/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", "vendor/leaflet.markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [("markerclustercss", "vendor/leaflet.markercluster/MarkerCluster.css"),
               ("markerclusterdefaultcss", "vendor/leaflet.markercluster/MarkerCluster.Default.css")]


def _local_assets(element, js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
    """Point an element's script and style links at this app's static copies (instead of folium's CDNs)."""
    element.default_js = [(name, url_for("static", filename=path)) for name, path in js]
    element.default_css = [(name, url_for("static", filename=path)) for name, path in css]


#: No stored text passes through folium (branca compiles what folium renders as Jinja templates, where a
#: name's ``{{ … }}`` would run on the server, and writes popups into JavaScript template literals): the
#: places and areas travel in the page's JSON block and static/map.js writes them as text.


def _popup_rows(properties: dict, lang: str) -> list[list[str]]:
    """What a resource's popup lists under its name: (label, value) of kind, schedule in words, target,
    fee, capacity, access, consultation, address, phone and when it was last checked, where known."""
    def flag(value):
        return word("unknown", lang) if value is None else word("yes" if value else "no", lang)
    rows = [
        (word("kind", lang), properties["kind_label"]),
        (word("services", lang), properties.get("services")),
        (word("schedule", lang), properties["schedule"]),
        (word("target", lang), properties["target_groups"]),
        (word("fee", lang), properties["fee"]),
        (word("capacity", lang), f"{properties['capacity']}{word('people', lang)}" if properties["capacity"] else None),
        (word("barrier_free", lang), flag(properties["barrier_free"])),
        (word("consultation", lang), flag(properties["consultation"])),
        (word("address", lang), properties["address"]),
        (word("phone", lang), properties["phone"]),
        (word("last_checked", lang), properties["last_checked"]),
    ]
    return [[str(key), str(value)] for key, value in rows if value]


#: The viewport the first zoom is worked out for (a staff PC's browser window); finer screens refine.
FIRST_VIEWPORT = (1280, 800)


def first_zoom(bounds: tuple[float, float, float, float]) -> int:
    """The zoom at which Leaflet fits ``bounds`` (lon/lat) in :data:`FIRST_VIEWPORT`, as ``fit_bounds`` will."""
    minx, miny, maxx, maxy = bounds
    width, height = FIRST_VIEWPORT
    mercator = [math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) for lat in (miny, maxy)]
    spans = [(maxx - minx) / 360.0, (mercator[1] - mercator[0]) / (2 * math.pi)]
    fits = [math.log2(size / 256.0 / span) for size, span in zip((width, height), spans) if span > 0]
    return int(max(0, min(MAX_ZOOM, math.floor(min(fits))))) if fits else MAX_ZOOM


def _page_map(tiles, lang: str) -> tuple[folium.Figure, folium.Map]:
    """folium's figure and map with every asset from this app, and the base tiles (in ``lang``) when the app has them."""
    figure = folium.Figure()
    fmap = folium.Map(location=[35.68, 139.76], zoom_start=14, tiles=None, control_scale=True,
                      maxZoom=MAX_ZOOM)
    _local_assets(fmap, LEAFLET_JS, LEAFLET_CSS)
    fmap.add_to(figure)
    if tiles is not None:
        # The credit is HTML (an operator's setting), but passes through branca's Jinja too: no "{{" there.
        folium.TileLayer(tiles.url, attr=tiles.attribution_in(lang).replace("{", "&#123;"), name=tiles.name_in(lang),
                         max_zoom=MAX_ZOOM).add_to(fmap)
    return figure, fmap


def _resource_layers(resources, lang: str, cluster_from: int) -> list[dict]:
    """One layer per kind of place for static/map.js to draw, its markers clustered from ``cluster_from`` on.

    Each: ``kind``, its ``name`` and ``colour``, ``cluster``, and ``places`` as [lat, lon, id, name, popup
    rows] (text, which the script writes as text).  A few hundred bytes a place, where folium's markers
    took 1.6 kB and 20 ms each to build.
    """
    layers = []
    for term in RESOURCE_KINDS:
        rows = resources[resources["kind"] == term.id].to_dict("records")
        if not rows:
            continue
        places = [[round(row["geometry"].y, 7), round(row["geometry"].x, 7), int(row["id"]), str(row["name"]),
                   _popup_rows(resource_properties(row, lang), lang)] for row in rows]
        layers.append({"kind": term.id, "name": label(RESOURCE_KINDS, term.id, lang),
                       "colour": RESOURCE_COLOURS[term.id], "marker": RESOURCE_MARKERS[term.id],
                       "cluster": len(rows) >= cluster_from, "places": places})
    return layers


class _OnWindow(MacroElement):
    """Puts a folium object on ``window`` under its JavaScript name, for static/map.js to find.

    folium declares some objects with ``let`` (the layer control), which makes no window property;
    this adds one line to folium's own script, after the object, so the page needs no inline code.
    """

    _template = Template("{% macro script(this, kwargs) %}window[{{ this.target.get_name()|tojson }}] = "
                         "{{ this.target.get_name() }};{% endmacro %}")

    def __init__(self, target: MacroElement):
        super().__init__()
        self._name = "OnWindow"
        self.target = target


def _views(lang: str) -> list[tuple[str, str]]:
    """(link, words) of the other pages this app serves."""
    return [(url_for(endpoint, lang=lang), word(key, lang)) for endpoint, key in (
        ("coordinator.page", "view_coordinator"), ("planner.page", "view_planner"), ("csw.page", "view_csw"))
        if endpoint.split(".")[0] in current_app.blueprints]


def _area_layers(levels: dict[str, AreaLevel], shading: tuple[Classes, dict] | None, lang: str,
                 zoom: int | None) -> list[dict]:
    """What static/map.js draws of the areas: each level (finest first, the shading over the small areas).

    Each layer: its name in the layer switcher, unit, style, whether it starts shown, the ``/api/areas``
    URL it is fetched from by view, and for a town (:data:`INLINE_AREAS_UP_TO`) its features at ``zoom``.
    """
    layers = []
    for unit in AREA_DRAW_ORDER:
        level = levels.get(unit)
        if level is None or not len(level):
            continue
        layers.append({"name": label(AREA_UNITS, unit, lang), "unit": unit, "style": AREA_STYLES[unit],
                       "show": unit != "small_area" or len(level) <= SMALL_AREAS_SHOWN_UP_TO,
                       "url": url_for("api.areas", unit=unit, lang=lang), "level": level})
        if unit == "small_area" and shading is not None:
            classes, query = shading
            layers.append({"name": legend_title(classes, lang), "unit": unit, "style": SHADED_STYLE, "shaded": True,
                           "show": True, "url": url_for("api.areas", unit=unit, lang=lang, **query), "level": level,
                           "extra": shown_values(classes)})
    inline = sum(len(layer["level"]) for layer in layers) <= current_app.config.get("MAP_INLINE_AREAS_UP_TO",
                                                                                      INLINE_AREAS_UP_TO)
    for layer in layers:
        level, extra = layer.pop("level"), layer.pop("extra", None)
        if inline:
            layer["data"] = json.loads(level.collection(None, zoom, lang, extra))
    return layers


def _overlays(resources, lang: str) -> list[dict] | None:
    """The overlays the map loads when switched on: the planner's walking areas and gaps (when the app has the
    planner), and the stored hazard zones, shelters, stops and transport areas (web/overlays.py)."""
    planner = [] if "planner" not in current_app.blueprints or resources.empty else [
        {"name": word("overlay_service_areas", lang), "url": url_for("planner.service_areas", minutes=15),
         "style": SERVICE_AREA_STYLE},
        {"name": word("overlay_gaps", lang), "url": url_for("planner.gaps", minutes=15), "style": GAP_STYLE}]
    for overlay in planner:
        overlay["legend"] = [{"colour": overlay["style"]["fillColor"], "border": overlay["style"]["color"],
                              "text": overlay["name"], "dashed": "dashArray" in overlay["style"], "round": False}]
    return (planner + stored_overlays(get_engine(), lang)) or None


def _with_nonce(rendered: str) -> str:
    """folium's own inline ``<script>`` tags (the head's switches) with a slot for the response's CSP nonce.

    Only folium's head and body templates pass through here, which hold no stored text; the map's
    script, which does, is placed by the page template inside its own nonced tag.
    """
    return _zoomable(rendered.replace("<script>", f'<script nonce="{NONCE_SLOT}">'))


#: folium's page forbids zooming the page (``maximum-scale=1.0, user-scalable=no``): a reader with low vision
#: must be able to enlarge it (WCAG 1.4.4), and the map zooms by its own controls anyway.
_NO_ZOOM = re.compile(r",\s*maximum-scale=1\.0,\s*user-scalable=no")


def _zoomable(rendered: str) -> str:
    return _NO_ZOOM.sub("", rendered)


def _folium_parts(figure: folium.Figure) -> dict[str, str]:
    """The head, body and script folium renders, for the page template to place."""
    for child in figure._children.values():  # what folium.Figure.render does before joining its own template
        child.render()
    return {"folium_head": _with_nonce(figure.header.render()), "folium_body": _with_nonce(figure.html.render()),
            "folium_script": figure.script.render()}


def _page_parts(lang: str, editor: bool, wanted: tuple[str, str, int] | None, dataset: str | None) -> dict:
    """Everything of the page but the response's nonce and sign-in box: built once per store revision."""
    areas, levels = kept_areas(), kept_levels()
    resources = read_resources(get_engine(), include_staff_only=editor)  # staff-only places: signed-in editors only
    resources["services"] = service_labels(get_engine(), resources["id"]) if len(resources) else []
    classes = kept_classes(wanted, dataset) if wanted is not None else None
    query = {"shade": wanted[0], "scheme": wanted[1], "classes": wanted[2], **({"dataset": dataset} if dataset else {})} \
        if wanted is not None else {}
    figure, fmap = _page_map(current_app.config["BASE_TILES"], lang)
    zoom = first_zoom(tuple(areas.total_bounds)) if not areas.empty else None
    if classes is not None:
        figure.header.add_child(Element(CHOROPLETH_STYLE))
    places = _resource_layers(resources, lang, current_app.config.get("MARKER_CLUSTER_FROM", CLUSTER_FROM))
    if not areas.empty or not resources.empty:
        minx, miny, maxx, maxy = (areas.total_bounds if not areas.empty else resources.total_bounds)
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    control = folium.LayerControl(collapsed=False).add_to(fmap)
    _OnWindow(control).add_to(fmap)
    layers = _area_layers(levels, (classes, query) if classes is not None else None, lang, zoom)
    config = {"map": fmap.get_name(), "control": control.get_name(), "overlays": _overlays(resources, lang),
              "resources": places,
              "areas": {"layers": layers, "zoom": zoom, "finest": FINEST_DISTINCT_ZOOM, "max": MAX_ZOOM}
              if layers else None}
    return {"views": _views(lang), "shading_legend": legend_html(classes, lang) if classes is not None else "",
            "cluster": any(layer["cluster"] for layer in places),
            "kinds": [(layer["kind"], layer["colour"], layer["name"], layer["marker"])
                      for layer in places],
            "empty": areas.empty and resources.empty, "config": config, **_folium_parts(figure)}


@blueprint.get("/")
def index():
    """The map of every stored layer: area levels as outlines, resources coloured by kind."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    try:
        wanted = shading_request(request.args)
    except ValueError as error:
        abort(400, description=say("bad_shading", lang, detail=str(error)))
    editor, dataset = is_editor(), request.args.get("dataset") or None
    app_token = current_app.extensions.setdefault("gw_map_page", object())  # pages differ by app (tiles, views)
    parts = per_revision(("map_page", app_token, lang, editor, wanted, dataset),
                         lambda: _page_parts(lang, editor, wanted, dataset))
    nonce = csp_nonce()
    slotted = {name: Markup(parts[name].replace(f'nonce="{NONCE_SLOT}"', f'nonce="{nonce}"'))
               for name in ("folium_head", "folium_body")}
    return render_template(
        "map.html", lang=lang, word=lambda key: word(key, lang), views=parts["views"],
        shading_legend=Markup(parts["shading_legend"]), kinds=parts["kinds"], empty=parts["empty"],
        cluster_js=[url_for("static", filename=path) for _, path in CLUSTER_JS] if parts["cluster"] else [],
        cluster_css=[url_for("static", filename=path) for _, path in CLUSTER_CSS] if parts["cluster"] else [],
        config=parts["config"], overlays=parts["config"]["overlays"] or [], folium_script=Markup(parts["folium_script"]),
        controls=Markup(map_controls(lang).render()),  # sign in/out; for editors, draggable markers and the edit form
        **slotted)
