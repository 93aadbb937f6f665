"""The map page: folium builds the Leaflet map, with every asset served by this app.

folium's default assets come from CDNs; they are replaced here by the copies vendored in
``web/static/vendor`` (Leaflet 1.9.4, Leaflet.markercluster 1.5.3, jQuery 3.7.1), because staff often work
on networks that reach no CDN.  Base tiles are optional (see :mod:`web.tiles`).
"""

from __future__ import annotations

import html

import folium
import folium.plugins
from branca.element import Element
from flask import Blueprint, current_app, request, url_for

from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_resources
from layers.glossary import RESOURCE_KINDS, label
from layers.style import AREA_DRAW_ORDER, AREA_STYLES, RESOURCE_COLOURS
from web.features import area_collection, resource_properties
from web.i18n import word

blueprint = Blueprint("map", __name__)

#: Cluster a kind's markers only when there are this many: a town's 30 salons read better unclustered.
CLUSTER_FROM = 150


def _local_assets(element, js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
    """Point an element's script and style links at this app's static copies."""
    element.default_js = [(name, url_for("static", filename=path)) for name, path in js]
    element.default_css = [(name, url_for("static", filename=path)) for name, path in css]


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
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows if v)
    return f'<div class="gw-popup"><h4>{html.escape(properties["name"])}</h4><table>{body}</table></div>'


def _legend(kinds: list[str], lang: str) -> Element:
    items = "".join(
        f'<li><span class="gw-swatch" style="background:{RESOURCE_COLOURS[kind]}"></span>'
        f"{html.escape(label(RESOURCE_KINDS, kind, lang))}</li>" for kind in kinds)
    return Element(f'<div class="gw-legend"><strong>{html.escape(word("legend", lang))}</strong><ul>{items}</ul></div>')


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
</style>"""


@blueprint.get("/")
def index():
    """The map of every stored layer: area levels as outlines, resources coloured by kind."""
    lang = request.args.get("lang", current_app.config["LANGUAGE"])
    lang = "en" if lang == "en" else "ja"
    engine = open_store(current_app.config["DATABASE_URL"])
    areas = read_areas(engine)
    resources = read_resources(engine)
    tiles = current_app.config["BASE_TILES"]

    figure = folium.Figure()
    fmap = folium.Map(location=[35.68, 139.76], zoom_start=14, tiles=None, control_scale=True, prefer_canvas=False)
    # folium's popups build their HTML with jQuery, so it is served too; Bootstrap and the icon fonts are not used.
    _local_assets(fmap, [("leaflet", "vendor/leaflet/leaflet.js"), ("jquery", "vendor/jquery/jquery.min.js")],
                  [("leaflet_css", "vendor/leaflet/leaflet.css")])
    fmap.add_to(figure)
    figure.header.add_child(Element(f"<title>{html.escape(word('title', lang))}</title>"))
    figure.header.add_child(Element(PAGE_STYLE))
    figure.header.add_child(Element('<link rel="icon" href="data:,">'))
    if tiles is not None:
        folium.TileLayer(tiles.url, attr=tiles.attribution, name="base", max_zoom=18).add_to(fmap)

    for unit in AREA_DRAW_ORDER:
        subset = areas[areas["unit"] == unit]
        if subset.empty:
            continue
        collection = area_collection(subset, lang)
        style = AREA_STYLES[unit]
        layer = folium.GeoJson(
            collection, name=collection["features"][0]["properties"]["unit_label"],
            style_function=lambda _feature, style=style: dict(style),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
            show=unit != "small_area" or len(subset) <= 2000)
        layer.add_to(fmap)

    kinds_present = [term.id for term in RESOURCE_KINDS if term.id in set(resources["kind"])]
    for kind in kinds_present:
        group = folium.FeatureGroup(name=label(RESOURCE_KINDS, kind, lang))
        rows = resources[resources["kind"] == kind].to_dict("records")
        target = group
        if len(rows) >= CLUSTER_FROM:
            target = folium.plugins.MarkerCluster()
            _local_assets(target, [("markerclusterjs", "vendor/leaflet.markercluster/leaflet.markercluster.js")],
                          [("markerclustercss", "vendor/leaflet.markercluster/MarkerCluster.css"),
                           ("markerclusterdefaultcss", "vendor/leaflet.markercluster/MarkerCluster.Default.css")])
            target.add_to(group)
        for row in rows:
            properties = resource_properties(row, lang)
            folium.CircleMarker(
                [row["geometry"].y, row["geometry"].x], radius=7, color="#222222", weight=1, fill=True,
                fill_color=RESOURCE_COLOURS[kind], fill_opacity=0.9, class_name=f"gw-resource gw-kind-{kind}",
                popup=folium.Popup(_popup(properties, lang), max_width=320), tooltip=html.escape(row["name"]),
            ).add_to(target)
        group.add_to(fmap)

    if kinds_present:
        figure.html.add_child(_legend(kinds_present, lang))
    figure.html.add_child(Element(f'<div class="gw-title">{html.escape(word("title", lang))}</div>'))
    if not areas.empty or not resources.empty:
        minx, miny, maxx, maxy = (areas.total_bounds if not areas.empty else resources.total_bounds)
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    else:
        figure.html.add_child(Element(f'<div class="gw-legend">{html.escape(word("no_data", lang))}</div>'))
    folium.LayerControl(collapsed=False).add_to(fmap)
    return figure.render()
