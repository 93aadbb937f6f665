"""The map page's areas by view and zoom, the answers kept per store revision, and a whole city's page size.

Expected areas are worked out by brute force: every stored shape tested against the box with shapely.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely

from geo_welfare.store import open_store
from geo_welfare.store.importing import import_areas, import_resources
from geo_welfare.store.read import read_areas
from geo_welfare.web import create_app
from geo_welfare.web import map as map_page
from helpers import Watched, copy_spatialite_store, serve



def _codes(answer) -> list[str]:
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return [feature["properties"]["code"] for feature in answer.get_json()["features"]]


def _meeting(frame, bbox) -> list[str]:
    """Brute force: the codes of the stored shapes that meet ``bbox``, in stored order."""
    box = shapely.box(*bbox)
    return [code for code, shape in zip(frame["code"], frame.geometry) if shape.intersects(box)]


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_the_areas_of_a_view_are_those_meeting_it(demo_store):
    client = create_app(demo_store, tiles="none").test_client()
    stored = read_areas(open_store(demo_store))
    small = stored[stored["unit"] == "small_area"]
    minx, miny, maxx, maxy = small.total_bounds
    width, height = maxx - minx, maxy - miny
    boxes = [(minx, miny, minx + width / 3, miny + height / 3), (minx + width / 2, miny + height / 4, maxx, maxy),
             (minx - 1, miny - 1, minx - 0.5, miny - 0.5)]  # the last one meets nothing
    for bbox in boxes:
        query = ",".join(f"{value:.6f}" for value in bbox)
        rounded = tuple(float(value) for value in query.split(","))
        for zoom in (12, 16):
            assert _codes(client.get(f"/api/areas?unit=small_area&zoom={zoom}&bbox={query}")) == _meeting(small, rounded)
        everything = _codes(client.get(f"/api/areas?bbox={query}"))
        assert sorted(everything) == sorted(_meeting(stored, rounded))
    assert _codes(client.get("/api/areas?unit=small_area")) == list(small["code"])
    near, far = (client.get("/api/areas?unit=small_area&zoom=%d" % zoom).get_json() for zoom in (16, 10))
    vertices = [sum(shapely.get_num_coordinates(shapely.from_geojson(json.dumps(f["geometry"])))
                    for f in answer["features"]) for answer in (near, far)]
    assert vertices[1] < vertices[0]  # simplified by zoom


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "139.5,35.1,139.4,35.2", "139.4,35.2,139.5,35.2",
                                  "139.4,95,139.5,96", "nan,35,139.5,35.2", "1e999,35,139.5,35.2", "1,2,3,4,5"])
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_a_bad_box_is_refused_naming_it(demo_store, bbox):
    answer = create_app(demo_store, tiles="none").test_client().get(f"/api/areas?bbox={bbox}")
    assert answer.status_code == 400 and answer.get_json()["field"] == "bbox"


def _place_file(folder: Path, name: str) -> Path:
    path = folder / "one_more.csv"
    path.write_text(f"ID,名称,種別,緯度,経度,公開\nX1,{name},サロン,35.2010,139.4010,公開\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_kept_answers_equal_fresh_ones_and_an_import_renews_them(demo_store, tmp_path):
    from geo_welfare.web import store as web_store
    client = create_app(demo_store, tiles="none").test_client()
    paths = ["/api/resources", "/api/resources?kind=salon&lang=en", "/api/areas?unit=small_area&zoom=14"]
    kept = {path: client.get(path).data for path in paths}
    assert all(client.get(path).data == kept[path] for path in paths)  # served again as kept
    web_store._stores.clear()  # nothing kept: built afresh
    assert all(client.get(path).data == kept[path] for path in paths)
    page = client.get("/").get_data(as_text=True)
    assert "あたらしいサロン" not in page
    import_resources(open_store(demo_store), [_place_file(tmp_path, "あたらしいサロン")], source="one_more")
    assert "あたらしいサロン" in client.get("/").get_data(as_text=True)
    assert "あたらしいサロン" in client.get("/api/resources").get_data(as_text=True)


# ---------------------------------------------------------------------------------------------
# In Chromium: a grid of 400 small areas, loaded by view only (nothing inlined), its layer switched
# on once the map is zoomed into one corner, then panned to the opposite corner.

GRID = 20
CELL = 0.002  # degrees, about 200 m


@pytest.fixture
def grid_server(store_url, tmp_path, monkeypatch):
    cells = [{"type": "Feature", "properties": {"code": f"G{i:02d}{j:02d}", "name": f"区画{i}-{j}"},
              "geometry": shapely.geometry.mapping(shapely.box(139.40 + i * CELL, 35.20 + j * CELL,
                                                               139.40 + (i + 1) * CELL, 35.20 + (j + 1) * CELL))}
             for i in range(GRID) for j in range(GRID)]
    path = tmp_path / "grid.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": cells}, ensure_ascii=False), encoding="utf-8")
    import_areas(open_store(store_url), [path], "small_area")
    monkeypatch.setattr(map_page, "SMALL_AREAS_SHOWN_UP_TO", 100)  # the 400 start switched off
    app = create_app(store_url, tiles="none")
    app.config["MAP_INLINE_AREAS_UP_TO"] = 0
    yield from serve(app)


DRAWN = """() => {
  const config = JSON.parse(document.getElementById('gw-map-config').textContent);
  const codes = [];
  window[config.map].eachLayer(l => { if (l instanceof L.Polygon && l.feature) codes.push(l.feature.properties.code); });
  return codes.sort();
}"""
SET_VIEW = """([lat, lon, zoom]) => {
  const config = JSON.parse(document.getElementById('gw-map-config').textContent);
  window[config.map].setView([lat, lon], zoom, {animate: false});
}"""


def _asked_boxes(requests: list[str]) -> list[tuple[int, tuple[float, ...]]]:
    """(zoom, bbox) of every /api/areas request the page made."""
    asked = []
    for url in requests:
        if "/api/areas" in url:
            query = parse_qs(urlsplit(url).query)
            asked.append((int(query["zoom"][0]), tuple(float(v) for v in query["bbox"][0].split(","))))
    return asked


@pytest.mark.browser
@pytest.mark.parametrize("store_url", ["spatialite"], indirect=True)
def test_panning_and_zooming_load_the_areas_of_the_new_view(browser, grid_server, store_url):
    watched = Watched(browser, grid_server)
    page = watched.page
    response = page.goto(grid_server + "/", wait_until="networkidle")
    html = response.text()
    assert '"coordinates"' not in html and "区画" not in html  # no area is inlined
    assert page.evaluate(DRAWN) == [] and _asked_boxes(watched.requests) == []  # switched off: nothing asked
    first = page.evaluate("JSON.parse(document.getElementById('gw-map-config').textContent).areas.zoom")
    assert first == 14  # the 4 km grid in a 1280 × 900 window
    page.evaluate(SET_VIEW, [35.20 + 3 * CELL, 139.40 + 3 * CELL, 17])  # the south-west corner, ~1.3 km across
    page.locator(".leaflet-control-layers-overlays label", has_text="町丁・字（小地域）").locator("input").check()
    page.wait_for_function("() => document.body.getAttribute('data-areas-fetched') === '1'")
    stored = read_areas(open_store(store_url))
    (zoom, box), = _asked_boxes(watched.requests)
    assert zoom == 15  # zoom 15's shapes (its half pixel is the ~2 m floor) serve every closer zoom
    south_west = _meeting(stored, box)
    assert page.evaluate(DRAWN) == sorted(south_west) and 0 < len(south_west) < GRID * GRID
    page.evaluate(SET_VIEW, [35.20 + (GRID - 2.5) * CELL, 139.40 + (GRID - 2.5) * CELL, 17])  # the north-east
    page.wait_for_function("() => document.body.getAttribute('data-areas-fetched') === '2'")
    (_, _), (zoom, box) = _asked_boxes(watched.requests)
    north_east = _meeting(stored, box)
    assert zoom == 15 and not set(north_east) & set(south_west)
    assert page.evaluate(DRAWN) == sorted(south_west + north_east)  # the new view's areas joined the first's
    size = page.viewport_size
    page.mouse.move(size["width"] / 2, size["height"] / 2)  # the view's centre: in the middle of cell (17, 17)
    page.locator(".leaflet-tooltip").last.wait_for()
    assert page.locator(".leaflet-tooltip").last.inner_text().strip() == f"区画{GRID - 3}-{GRID - 3}"
    watched.check_offline()
    page.close()


# ---------------------------------------------------------------------------------------------
# The whole city: Sapporo's 5,781 small areas and the 348 GSI evacuation sites as places.

#: The page without its places (template, folium's map, the layer switcher, the config block), at most.
PAGE_BASE_BYTES = 40_000
#: What one place adds to the page at most (folium's marker, tooltip and popup with its words).
BYTES_PER_PLACE = 2_000


@pytest.fixture(scope="module")
def sapporo_city(sapporo_city_template, tmp_path_factory):
    return copy_spatialite_store(sapporo_city_template, tmp_path_factory.mktemp("city"))


def test_the_whole_citys_page_carries_no_areas_and_is_small(sapporo_city):
    client = create_app(sapporo_city, tiles="none").test_client()
    page = client.get("/").data
    config = json.loads(re.search(rb'id="gw-map-config">(.*?)</script>', page, re.S).group(1))
    layers = config["areas"]["layers"]
    assert layers and {layer["unit"] for layer in layers} <= {"small_area", "elementary_district",
                                                               "junior_high_district"}
    assert all("data" not in layer for layer in layers)  # by view only
    assert b'"coordinates"' not in page
    assert len(page) <= PAGE_BASE_BYTES + BYTES_PER_PLACE * 348, len(page)  # 736,000 bytes; it was 5 MB
