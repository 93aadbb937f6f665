"""The map page: folium builds the Leaflet map, with every asset served by this app.

folium's default assets come from CDNs; they are replaced here by the copies vendored in
``web/static/vendor`` (Leaflet 1.9.4, Leaflet.markercluster 1.5.3, jQuery 3.7.1 — folium's popups
build their content with jQuery), because staff often work on networks that reach no CDN.
Bootstrap, awesome-markers and the icon fonts folium would also load are not used and not served.
Base tiles are optional (see :mod:`geo_welfare.web.tiles`).

The page is ``templates/map.html``: folium renders the map's own head, body and script into it;
the title bar, legend and words are the template's, its style ``static/map.css`` and its code
``static/map.js`` (cluster icons, overlays loaded when switched on, finer borders on zooming in),
which reads the names of folium's map and layers from a JSON block rather than inline code.
"""

from __future__ import annotations

import json
import math

import folium
import folium.plugins
from branca.element import Element, MacroElement
from flask import Blueprint, abort, current_app, render_template, request, url_for
from jinja2 import Template
from markupsafe import Markup

from geo_welfare.web.store import get_engine
from geo_welfare.analysis.study import PlanningInputError, age_dataset
from geo_welfare.store.read import read_areas, read_population, read_resources
from geo_welfare.core.glossary import RESOURCE_KINDS, label
from geo_welfare.maps.style import AREA_DRAW_ORDER, AREA_STYLES, RESOURCE_COLOURS
from geo_welfare.web.auth import is_editor
from geo_welfare.web.editing import map_controls
from geo_welfare.web.choropleth import CHOROPLETH_STYLE, legend_html, legend_title, shading_request, small_area_classes
from geo_welfare.web.features import area_collection, resource_properties
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

LEAFLET_JS = [("leaflet", "vendor/leaflet/leaflet.js"), ("jquery", "vendor/jquery/jquery.min.js")]
LEAFLET_CSS = [("leaflet_css", "vendor/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", "vendor/leaflet.markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [("markerclustercss", "vendor/leaflet.markercluster/MarkerCluster.css"),
               ("markerclusterdefaultcss", "vendor/leaflet.markercluster/MarkerCluster.Default.css")]


def _local_assets(element, js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
    """Point an element's script and style links at this app's static copies (instead of folium's CDNs)."""
    element.default_js = [(name, url_for("static", filename=path)) for name, path in js]
    element.default_css = [(name, url_for("static", filename=path)) for name, path in css]


#: Stored text on its way into folium's script, as character references: HTML's five (the names are
#: written as HTML by Leaflet), and ``{``, because branca compiles every macro folium renders as a Jinja
#: template of its own, so ``{{ … }}`` in a name would be run on the server.  static/map.js's escapeHtml
#: makes the same references (it matches area codes against this copy).
_INERT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "{": "&#123;"})
#: …and for text inside a JavaScript template literal (popups, tooltips), the three characters it gives
#: meaning to (`` ` ``, ``$``, ``\\``), so a name cannot break the page's script either.
_TEXT = str.maketrans({**{chr(k): v for k, v in _INERT.items()}, "\\": "&#92;", "`": "&#96;", "$": "&#36;"})


def _inert(value: object) -> str:
    """Text for folium's GeoJSON data (names shown as HTML, codes): inert in HTML and in branca's Jinja."""
    return str(value).translate(_INERT)


def _text(value: object) -> str:
    """Text for HTML that folium places inside a JavaScript template literal (popups, tooltips)."""
    return str(value).translate(_TEXT)


def _popup(properties: dict, lang: str) -> str:
    """The popup of a resource: name, kind, schedule in words, target, fee, access, contact."""
    def flag(value):
        return word("unknown", lang) if value is None else word("yes" if value else "no", lang)
    rows = [
        (word("kind", lang), properties["kind_label"]),
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
    body = "".join(f"<tr><th>{_text(k)}</th><td>{_text(v)}</td></tr>" for k, v in rows if v)
    return f'<div class="gw-popup"><h4>{_text(properties["name"])}</h4><table>{body}</table></div>'


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


def _shading(engine, areas, lang: str, zoom: int | None = None):
    """The small areas shaded as ``?shade=&scheme=&classes=`` ask (default 高齢化率 in quantiles), with its legend.

    None when there are no small areas, no population with ages, or ``?shade=none``.
    """
    small = areas[areas["unit"] == "small_area"]
    try:
        wanted = shading_request(request.args)
    except ValueError as error:
        abort(400, description=say("bad_shading", lang, detail=str(error)))
    if wanted is None or small.empty:
        return None
    try:
        population = read_population(engine, age_dataset(engine, request.args.get("dataset")))
    except PlanningInputError:
        return None
    classes = small_area_classes(small, population, *wanted)
    collection = area_collection(small, lang, zoom)
    for feature in collection["features"]:
        code = feature["properties"]["code"]
        value = classes.values[classes.codes.index(code)]
        shown = "–" if value is None else (f"{100 * value:.1f}%" if wanted[0] == "aging_rate" else f"{value:,.0f}")
        feature["properties"] = {"name": _inert(feature["properties"]["name"]), "value": shown,
                                 "colour": classes.colour_of(code), "code": _inert(code)}
    layer = folium.GeoJson(
        collection, name=legend_title(classes, lang),
        style_function=lambda feature: {"fillColor": feature["properties"]["colour"], "fillOpacity": 0.6,
                                        "color": "#777777", "weight": 0.5},
        tooltip=folium.GeoJsonTooltip(fields=["name", "value"], labels=False))
    return layer, legend_html(classes, lang)


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


def _add_areas(fmap: folium.Map, areas, lang: str, zoom: int | None) -> list[tuple[str, str]]:
    """Each area level as outlines, finest first; returns (JavaScript name, unit) of every layer drawn."""
    area_layers: list[tuple[str, str]] = []
    for unit in AREA_DRAW_ORDER:
        subset = areas[areas["unit"] == unit]
        if subset.empty:
            continue
        collection = area_collection(subset, lang, zoom)
        layer_name = collection["features"][0]["properties"]["unit_label"]
        for feature in collection["features"]:  # folium's tooltip writes names as HTML; branca reads Jinja
            feature["properties"] = {"name": _inert(feature["properties"]["name"]),
                                     "code": _inert(feature["properties"]["code"])}
        style = AREA_STYLES[unit]
        layer = folium.GeoJson(
            collection, name=layer_name,
            style_function=lambda _feature, style=style: dict(style),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
            show=unit != "small_area" or len(subset) <= SMALL_AREAS_SHOWN_UP_TO,
        ).add_to(fmap)
        area_layers.append((layer.get_name(), unit))
    return area_layers


def _add_resources(fmap: folium.Map, resources, lang: str, cluster_from: int) -> list[str]:
    """One layer per kind of place, its markers clustered from ``cluster_from`` on; returns the kinds drawn."""
    kinds_present = [term.id for term in RESOURCE_KINDS if term.id in set(resources["kind"])]
    for kind in kinds_present:
        group = folium.FeatureGroup(name=label(RESOURCE_KINDS, kind, lang))
        rows = resources[resources["kind"] == kind].to_dict("records")
        target = group
        if len(rows) >= cluster_from:
            icon = f"gwClusterIcon({json.dumps(RESOURCE_COLOURS[kind])})"  # static/map.js draws it
            target = folium.plugins.MarkerCluster(icon_create_function=icon, options={"maxClusterRadius": 50})
            _local_assets(target, CLUSTER_JS, CLUSTER_CSS)
            target.add_to(group)
        for row in rows:
            properties = resource_properties(row, lang)
            folium.CircleMarker(
                [row["geometry"].y, row["geometry"].x], radius=7, color="#222222", weight=1, fill=True,
                fill_color=RESOURCE_COLOURS[kind], fill_opacity=0.9,
                class_name=f"gw-resource gw-kind-{kind} gw-id-{row['id']}",
                popup=folium.Popup(_popup(properties, lang), max_width=320), tooltip=_text(row["name"]),
            ).add_to(target)
        group.add_to(fmap)
    return kinds_present


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


def _script_config(fmap: folium.Map, control: folium.LayerControl, area_layers: list[tuple[str, str]],
                   zoom: int | None, resources, lang: str) -> dict:
    """What static/map.js needs: folium's names for the map, the layer switcher and the area layers,
    the overlays it loads when switched on (with the planner), and where finer borders come from."""
    overlays = None
    if "planner" in current_app.blueprints and not resources.empty:
        overlays = [{"name": word("overlay_service_areas", lang), "url": url_for("planner.service_areas", minutes=15),
                     "style": {"color": "#1f78b4", "weight": 1, "fillColor": "#a6cee3", "fillOpacity": 0.3}},
                    {"name": word("overlay_gaps", lang), "url": url_for("planner.gaps", minutes=15),
                     "style": {"color": "#b22222", "weight": 1, "fillColor": "#e34a33", "fillOpacity": 0.4}}]
    areas = None
    if area_layers:
        areas = {"layers": [{"layer": name, "unit": unit} for name, unit in area_layers], "zoom": zoom,
                 "url": url_for("api.areas"), "max": MAX_ZOOM}
    return {"map": fmap.get_name(), "control": control.get_name(), "overlays": overlays, "areas": areas}


def _with_nonce(rendered: str) -> str:
    """folium's own inline ``<script>`` tags (the head's switches) with this response's CSP nonce.

    Only folium's head and body templates pass through here, which hold no stored text; the map's
    script, which does, is placed by the page template inside its own nonced tag.
    """
    return rendered.replace("<script>", f'<script nonce="{csp_nonce()}">')


def _folium_parts(figure: folium.Figure) -> dict[str, Markup]:
    """The head, body and script folium renders, for the page template to place."""
    for child in figure._children.values():  # what folium.Figure.render does before joining its own template
        child.render()
    return {"folium_head": Markup(_with_nonce(figure.header.render())),
            "folium_body": Markup(_with_nonce(figure.html.render())),
            "folium_script": Markup(figure.script.render())}


@blueprint.get("/")
def index():
    """The map of every stored layer: area levels as outlines, resources coloured by kind."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    engine = get_engine()
    areas = read_areas(engine)
    resources = read_resources(engine, include_staff_only=is_editor())  # staff-only places: signed-in editors only
    figure, fmap = _page_map(current_app.config["BASE_TILES"], lang)
    zoom = first_zoom(tuple(areas.total_bounds)) if not areas.empty else None
    area_layers = _add_areas(fmap, areas, lang, zoom)
    shading, shading_legend = _shading(engine, areas, lang, zoom), None
    if shading is not None:
        layer, shading_legend = shading
        layer.add_to(fmap)
        area_layers.append((layer.get_name(), "small_area"))
        figure.header.add_child(Element(CHOROPLETH_STYLE))
    kinds = _add_resources(fmap, resources, lang, current_app.config.get("MARKER_CLUSTER_FROM", CLUSTER_FROM))
    if not areas.empty or not resources.empty:
        minx, miny, maxx, maxy = (areas.total_bounds if not areas.empty else resources.total_bounds)
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    control = folium.LayerControl(collapsed=False).add_to(fmap)
    _OnWindow(control).add_to(fmap)
    return render_template(
        "map.html", lang=lang, word=lambda key: word(key, lang), views=_views(lang),
        shading_legend=Markup(shading_legend) if shading_legend is not None else "",
        kinds=[(kind, RESOURCE_COLOURS[kind], label(RESOURCE_KINDS, kind, lang)) for kind in kinds],
        empty=areas.empty and resources.empty, config=_script_config(fmap, control, area_layers, zoom, resources, lang),
        controls=Markup(map_controls(lang).render()),  # sign in/out; for editors, draggable markers and the edit form
        **_folium_parts(figure))
