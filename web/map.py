"""The map page: folium builds the Leaflet map, with every asset served by this app.

folium's default assets come from CDNs; they are replaced here by the copies vendored in
``web/static/vendor`` (Leaflet 1.9.4, Leaflet.markercluster 1.5.3, jQuery 3.7.1 — folium's popups
build their content with jQuery), because staff often work on networks that reach no CDN.
Bootstrap, awesome-markers and the icon fonts folium would also load are not used and not served.
Base tiles are optional (see :mod:`geo_welfare.web.tiles`).
"""

from __future__ import annotations

import html
import json
import math

import folium
import folium.plugins
from branca.element import Element
from flask import Blueprint, abort, current_app, request, url_for

from geo_welfare.store import open_store
from geo_welfare.analysis.study import PlanningInputError, age_dataset
from geo_welfare.store.read import read_areas, read_population, read_resources
from geo_welfare.core.glossary import RESOURCE_KINDS, label
from geo_welfare.maps.style import AREA_DRAW_ORDER, AREA_STYLES, RESOURCE_COLOURS
from geo_welfare.web.auth import is_editor
from geo_welfare.web.editing import map_controls
from geo_welfare.web.choropleth import CHOROPLETH_STYLE, legend_html, legend_title, shading_request, small_area_classes
from geo_welfare.web.features import area_collection, resource_properties
from geo_welfare.web.i18n import page_language, say, word

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


def _text(value: object) -> str:
    """Text for HTML that folium places inside a JavaScript template literal (popups, tooltips).

    Besides HTML escaping, the three characters a template literal gives meaning to (`` ` ``,
    ``$``, ``\\``) become character references, so a name cannot break the page's script.
    """
    escaped = html.escape(str(value))
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


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


def _legend(kinds: list[str], lang: str) -> Element:
    items = "".join(
        f'<li data-kind="{kind}"><span class="gw-swatch" style="background:{RESOURCE_COLOURS[kind]}"></span>'
        f"{html.escape(label(RESOURCE_KINDS, kind, lang))}</li>" for kind in kinds)
    return Element(f'<div class="gw-legend"><strong>{html.escape(word("legend", lang))}</strong><ul>{items}</ul></div>')


def _cluster_icon(colour: str) -> str:
    """A cluster drawn in its kind's colour with the count inside, so clusters keep the legend's meaning."""
    return f"""function (cluster) {{
  var count = cluster.getChildCount();
  var size = count < 10 ? 30 : count < 100 ? 36 : 42;
  return L.divIcon({{
    html: '<div style="background:{colour}"><span>' + count + '</span></div>',
    className: 'gw-cluster', iconSize: L.point(size, size)
  }});
}}"""


PAGE_STYLE = """<style>
html, body { font-family: "Noto Sans CJK JP", "IPAexGothic", "Hiragino Sans", "Meiryo", sans-serif; }
.leaflet-container.leaflet-container { background: #f4f1ea; }
.gw-legend { position: absolute; bottom: 28px; right: 10px; z-index: 1000; background: rgba(255,255,255,.92);
  padding: 8px 12px; border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 14px; }
.gw-legend ul { list-style: none; margin: 4px 0 0; padding: 0; }
.gw-legend li { margin: 2px 0; }
.gw-swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 6px;
  border: 1px solid #333; vertical-align: middle; }
.gw-popup h4 { margin: 0 0 4px; font-size: 15px; }
.gw-popup th { text-align: left; padding-right: 8px; white-space: nowrap; color: #555; font-weight: normal; }
.gw-title { position: absolute; top: 10px; left: 50px; z-index: 1000; background: rgba(255,255,255,.92);
  padding: 4px 10px; border-radius: 6px; font-size: 16px; font-weight: bold; }
.gw-views { display: inline; }
.gw-views a { font-size: 13px; font-weight: normal; margin-left: 10px; }
.gw-cluster div { width: 100%; height: 100%; border-radius: 50%; border: 2px solid #fff; opacity: .9;
  box-shadow: 0 0 0 1px #222; display: flex; align-items: center; justify-content: center; }
.gw-cluster span { color: #fff; font-weight: bold; font-size: 13px; text-shadow: 0 0 2px #000; }
</style>"""


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


REFINE_SCRIPT = """(function () {
  // Area borders were sent simplified for the first zoom; zooming in fetches them finer, once per zoom.
  var map = %(map)s, layers = %(layers)s, shown = %(zoom)d, url = %(url)s;
  var units = layers.map(function (l) { return l.unit; }).filter(function (u, i, a) { return a.indexOf(u) === i; });
  function refine() {
    var zoom = Math.min(Math.round(map.getZoom()), %(max)d);
    if (zoom <= shown) { return; }
    shown = zoom;
    units.forEach(function (unit) {
      fetch(url + "?unit=" + unit + "&zoom=" + zoom).then(function (r) { return r.json(); }).then(function (data) {
        if (zoom !== shown) { return; }
        var shapes = {};
        data.features.forEach(function (f) { shapes[f.properties.code] = f.geometry; });
        layers.forEach(function (l) {
          if (l.unit !== unit) { return; }
          l.layer.eachLayer(function (shape) {
            var g = shapes[shape.feature.properties.code];
            if (g) { shape.setLatLngs(L.GeoJSON.coordsToLatLngs(g.coordinates, g.type === "Polygon" ? 1 : 2)); }
          });
        });
        document.body.setAttribute("data-area-zoom", zoom);
      }).catch(function () { /* offline copy of the page: keep the first shapes */ });
    });
  }
  map.on("zoomend", refine);
})();"""


LAZY_OVERLAYS = """(function () {
  // Walking areas and the gaps between them: computed by the planner's API only when switched on.
  var map = %(map)s, control = %(control)s, overlays = %(overlays)s;
  overlays.forEach(function (o) {
    var layer = L.geoJSON(null, { style: o.style, onEachFeature: function (f, shape) {
      shape.bindTooltip(String(f.properties.name || "")); } });
    layer.gwLoaded = false;
    layer.on("add", function () {
      if (layer.gwLoaded) { return; }
      layer.gwLoaded = true;
      fetch(o.url).then(function (r) { return r.json(); }).then(function (data) {
        layer.addData(data);
        document.body.setAttribute("data-overlay-" + overlays.indexOf(o), data.features.length);
      }).catch(function () { layer.gwLoaded = false; });
    });
    control.addOverlay(layer, o.name);
  });
})();"""


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
        feature["properties"] = {"name": html.escape(str(feature["properties"]["name"])), "value": shown,
                                 "colour": classes.colour_of(code), "code": code}
    layer = folium.GeoJson(
        collection, name=legend_title(classes, lang),
        style_function=lambda feature: {"fillColor": feature["properties"]["colour"], "fillOpacity": 0.6,
                                        "color": "#777777", "weight": 0.5},
        tooltip=folium.GeoJsonTooltip(fields=["name", "value"], labels=False))
    return layer, legend_html(classes, lang)


@blueprint.get("/")
def index():
    """The map of every stored layer: area levels as outlines, resources coloured by kind."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    cluster_from = current_app.config.get("MARKER_CLUSTER_FROM", CLUSTER_FROM)
    engine = open_store(current_app.config["DATABASE_URL"])
    areas = read_areas(engine)
    resources = read_resources(engine, include_staff_only=is_editor())  # staff-only places: signed-in editors only
    tiles = current_app.config["BASE_TILES"]

    figure = folium.Figure(title=word("title", lang))
    fmap = folium.Map(location=[35.68, 139.76], zoom_start=14, tiles=None, control_scale=True,
                      maxZoom=MAX_ZOOM)
    _local_assets(fmap, LEAFLET_JS, LEAFLET_CSS)
    fmap.add_to(figure)
    figure.header.add_child(Element(PAGE_STYLE))
    figure.header.add_child(Element('<link rel="icon" href="data:,">'))  # no /favicon.ico request
    if tiles is not None:
        folium.TileLayer(tiles.url, attr=tiles.attribution, name=tiles.name, max_zoom=MAX_ZOOM).add_to(fmap)

    zoom = first_zoom(tuple(areas.total_bounds)) if not areas.empty else None
    area_layers: list[tuple[str, str]] = []  # (JavaScript name, unit) of every layer of area shapes
    for unit in AREA_DRAW_ORDER:
        subset = areas[areas["unit"] == unit]
        if subset.empty:
            continue
        collection = area_collection(subset, lang, zoom)
        layer_name = collection["features"][0]["properties"]["unit_label"]
        for feature in collection["features"]:  # folium's tooltip writes names as HTML
            feature["properties"] = {"name": html.escape(str(feature["properties"]["name"])),
                                     "code": feature["properties"]["code"]}
        style = AREA_STYLES[unit]
        layer = folium.GeoJson(
            collection, name=layer_name,
            style_function=lambda _feature, style=style: dict(style),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
            show=unit != "small_area" or len(subset) <= SMALL_AREAS_SHOWN_UP_TO,
        ).add_to(fmap)
        area_layers.append((layer.get_name(), unit))

    shading = _shading(engine, areas, lang, zoom)
    if shading is not None:
        layer, legend = shading
        layer.add_to(fmap)
        area_layers.append((layer.get_name(), "small_area"))
        figure.header.add_child(Element(CHOROPLETH_STYLE))
        figure.html.add_child(Element(legend))

    kinds_present = [term.id for term in RESOURCE_KINDS if term.id in set(resources["kind"])]
    for kind in kinds_present:
        group = folium.FeatureGroup(name=label(RESOURCE_KINDS, kind, lang))
        rows = resources[resources["kind"] == kind].to_dict("records")
        target = group
        if len(rows) >= cluster_from:
            target = folium.plugins.MarkerCluster(icon_create_function=_cluster_icon(RESOURCE_COLOURS[kind]),
                                                  options={"maxClusterRadius": 50})
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

    if kinds_present:
        figure.html.add_child(_legend(kinds_present, lang))
    views = " ".join(f'<a href="{url_for(endpoint, lang=lang)}">{html.escape(text)}</a>' for endpoint, text in (
        ("coordinator.page", word("view_coordinator", lang)), ("planner.page", word("view_planner", lang)),
        ("csw.page", word("view_csw", lang))) if endpoint.split(".")[0] in current_app.blueprints)
    figure.html.add_child(Element(f'<div class="gw-title">{html.escape(word("title", lang))}'
                                  f'<nav class="gw-views">{views}</nav></div>'))
    if not areas.empty or not resources.empty:
        minx, miny, maxx, maxy = (areas.total_bounds if not areas.empty else resources.total_bounds)
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    else:
        figure.html.add_child(Element(f'<div class="gw-legend">{html.escape(word("no_data", lang))}</div>'))
    control = folium.LayerControl(collapsed=False).add_to(fmap)
    if "planner" in current_app.blueprints and not resources.empty:
        overlays = [{"name": word("overlay_service_areas", lang), "url": url_for("planner.service_areas", minutes=15),
                     "style": {"color": "#1f78b4", "weight": 1, "fillColor": "#a6cee3", "fillOpacity": 0.3}},
                    {"name": word("overlay_gaps", lang), "url": url_for("planner.gaps", minutes=15),
                     "style": {"color": "#b22222", "weight": 1, "fillColor": "#e34a33", "fillOpacity": 0.4}}]
        script = LAZY_OVERLAYS % {"map": fmap.get_name(), "control": control.get_name(),
                                  "overlays": json.dumps(overlays, ensure_ascii=False)}
        figure.html.add_child(Element(f'<script>window.addEventListener("load", function () {{ {script} }});</script>'))
    if area_layers:
        layers = "[" + ", ".join(f'{{layer: {name}, unit: "{unit}"}}' for name, unit in area_layers) + "]"
        script = REFINE_SCRIPT % {"map": fmap.get_name(), "layers": layers, "zoom": zoom,
                                  "url": json.dumps(url_for("api.areas")), "max": MAX_ZOOM}
        # Run once the page's own script has made the map and its layers (it runs before "load").
        figure.html.add_child(Element(f'<script>window.addEventListener("load", function () {{ {script} }});</script>'))
    figure.html.add_child(map_controls(lang))  # sign in/out; for editors, draggable markers and the edit form
    return figure.render()
