"""The offline map in real headless Chromium, and its GeoJSON API.

Two data sets: a hand-made one (written here, imported through ``geo_welfare.store.importing``) whose
every expected value is written out below, and the demo town in data/demo, counted from its files.
"""

from __future__ import annotations

import csv
import json
import re

import pytest
import shapely

from geo_welfare.store.importing import import_areas, import_resources
from geo_welfare.store import open_store
from geo_welfare.core.glossary import AREA_UNIT_IDS, RESOURCE_KIND_IDS
from geo_welfare.maps.style import RESOURCE_COLOURS
from geo_welfare.web import create_app
from geo_welfare.web.features import simplify_for_display
from geo_welfare.web.tiles import PRESETS
from helpers import ARTIFACTS, DEMO_DATA, Watched, serve

# ---------------------------------------------------------------------------------------------
# The hand-made data set: two small areas (テスト町一丁目/二丁目) side by side, one elementary
# district over both, and four resources, one of them staff only.  The trick salon's name holds
# what could break a page (HTML, a JavaScript template literal's ` ${ } and \).

SQUARE_1 = [[139.40, 35.20], [139.402, 35.20], [139.402, 35.202], [139.40, 35.202], [139.40, 35.20]]
SQUARE_2 = [[139.402, 35.20], [139.404, 35.20], [139.404, 35.202], [139.402, 35.202], [139.402, 35.20]]
TRICK_NAME = "<b>`${x}`</b> \\サロン&"
RESOURCE_HEADER = ["ID", "名称", "種別", "住所", "緯度", "経度", "開催日", "開始時間", "終了時間", "対象者", "参加費",
                   "バリアフリー", "相談対応", "電話番号", "公開", "最終確認日"]
RESOURCE_ROWS = [
    ["R1", "ひだまりサロン", "サロン", "テスト町一丁目1番1号", "35.2010004", "139.4010006", "毎週水曜日", "10:00",
     "12:00", "65歳以上の方", "100円", "あり", "あり", "000-0000-0001", "公開", "2025-04-01"],
    ["R2", "みどりの縁側", "地域の縁側", "テスト町二丁目2番2号", "35.2015", "139.403", "月水金", "10:00", "16:00",
     "どなたでも", "無料", "なし", "", "000-0000-0002", "公開", "2025-05-02"],
    ["R3", "ないしょサロン", "サロン", "テスト町二丁目3番3号", "35.2005", "139.4025", "毎週金曜日", "13:00", "15:00",
     "登録者", "無料", "なし", "なし", "000-0000-0003", "職員のみ", "2025-06-03"],
    ["R4", TRICK_NAME, "サロン", "テスト町一丁目4番4号", "35.20103", "139.40103", "", "", "", "", "", "", "", "",
     "公開", ""],
]
#: R1 as /api/resources?kind=salon serves it (Japanese).
HIDAMARI = {
    "kind": "salon", "kind_label": "サロン", "name": "ひだまりサロン", "address": "テスト町一丁目1番1号",
    "phone": "000-0000-0001", "schedule": "毎週 水曜日 10:00〜12:00", "target_groups": "65歳以上の方",
    "fee": "100円", "capacity": None, "barrier_free": True, "consultation": True, "last_checked": "2025-04-01",
}


def _polygon(code: str, name: str, rings: list) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [rings]}}


@pytest.fixture
def handmade_store(store_url, tmp_path):
    small = tmp_path / "small_areas.geojson"
    small.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _polygon("T001", "テスト町一丁目", SQUARE_1), _polygon("T002", "テスト町二丁目", SQUARE_2)]},
        ensure_ascii=False), encoding="utf-8")
    district = tmp_path / "elementary.geojson"
    outline = [[139.40, 35.20], [139.404, 35.20], [139.404, 35.202], [139.40, 35.202], [139.40, 35.20]]
    district.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _polygon("E01", "テスト小学校区", outline)]}, ensure_ascii=False), encoding="utf-8")
    resources = tmp_path / "resources.csv"
    with open(resources, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([RESOURCE_HEADER, *RESOURCE_ROWS])
    engine = open_store(store_url)
    import_areas(engine, [small], "small_area")
    import_areas(engine, [district], "elementary_district")
    import_resources(engine, [resources])
    return store_url


def _by_name(collection: dict) -> dict[str, dict]:
    return {feature["properties"]["name"]: feature for feature in collection["features"]}


def test_api_serves_the_public_resources_with_their_words(handmade_store):
    client = create_app(handmade_store, tiles="none").test_client()
    response = client.get("/api/resources")
    assert response.status_code == 200 and response.mimetype == "application/json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    features = _by_name(collection)
    assert set(features) == {"ひだまりサロン", "みどりの縁側", TRICK_NAME}  # ないしょサロン is staff only
    hidamari = features["ひだまりサロン"]
    assert {key: hidamari["properties"][key] for key in HIDAMARI} == HIDAMARI
    assert hidamari["properties"]["schedules"] == [{"freq": "WEEKLY", "interval": 1, "byday": "WE", "bymonthday": None,
                                                   "opens_at": "10:00", "closes_at": "12:00"}]
    assert hidamari["geometry"] == {"type": "Point", "coordinates": [139.401001, 35.201]}  # rounded to 6 decimals
    engawa = features["みどりの縁側"]["properties"]
    assert (engawa["kind_label"], engawa["schedule"], engawa["fee"], engawa["barrier_free"], engawa["consultation"]) \
        == ("地域の縁側", "毎週 月・水・金曜日 10:00〜16:00", "無料", False, None)
    trick = features[TRICK_NAME]["properties"]
    assert (trick["schedule"], trick["fee"], trick["last_checked"]) == (None, None, None)


def test_api_kind_filter_language_and_errors(handmade_store):
    client = create_app(handmade_store, tiles="none").test_client()
    assert set(_by_name(client.get("/api/resources?kind=salon").get_json())) == {"ひだまりサロン", TRICK_NAME}
    assert set(_by_name(client.get("/api/resources?kind=engawa").get_json())) == {"みどりの縁側"}
    assert len(client.get("/api/resources?kind=salon&kind=engawa").get_json()["features"]) == 3
    assert client.get("/api/resources?kind=kodomo_shokudo").get_json() == {"type": "FeatureCollection", "features": []}
    english = _by_name(client.get("/api/resources?kind=salon&lang=en").get_json())["ひだまりサロン"]["properties"]
    assert (english["kind_label"], english["schedule"]) == ("Salon", "Every Wednesday, 10:00–12:00")

    bad = client.get("/api/resources?kind=salon&kind=bogus")
    assert bad.status_code == 400
    body = bad.get_json()
    assert body["allowed"] == list(RESOURCE_KIND_IDS)
    assert "bogus" in body["error"] and "salon, kayoi_no_ba" in body["error"] and "bogus" in body["error_en"]
    bad_unit = client.get("/api/areas?unit=nowhere")
    assert bad_unit.status_code == 400
    assert bad_unit.get_json()["allowed"] == list(AREA_UNIT_IDS) and "nowhere" in bad_unit.get_json()["error"]


def test_api_areas_by_unit(handmade_store):
    client = create_app(handmade_store, tiles="none").test_client()
    small = client.get("/api/areas?unit=small_area").get_json()["features"]
    assert [(f["properties"]["code"], f["properties"]["name"], f["properties"]["unit_label"]) for f in small] == [
        ("T001", "テスト町一丁目", "町丁・字（小地域）"), ("T002", "テスト町二丁目", "町丁・字（小地域）")]
    assert shapely.equals(shapely.from_geojson(json.dumps(small[0]["geometry"])), shapely.Polygon(SQUARE_1))
    district = client.get("/api/areas?unit=elementary_district&lang=en").get_json()["features"]
    assert [(f["properties"]["name"], f["properties"]["unit_label"]) for f in district] == [
        ("テスト小学校区", "Elementary school district")]
    assert len(client.get("/api/areas").get_json()["features"]) == 3


def shows(words: str, page: str) -> bool:
    """``words`` are on the page, as HTML text or inside the page's script (where folium writes \\uXXXX)."""
    return words in page or json.dumps(words)[1:-1] in page


def test_the_page_in_japanese_and_english(handmade_store):
    client = create_app(handmade_store, tiles="none").test_client()
    page = client.get("/").get_data(as_text=True)
    assert "<title>geo-welfare 地域資源マップ</title>" in page
    assert shows("ひだまりサロン", page) and not shows("ないしょサロン", page)
    for words in ("小学校区", "町丁・字（小地域）", "サロン", "地域の縁側", "凡例", "開催日時", "毎週 水曜日 10:00〜12:00",
                  "テスト小学校区"):
        assert shows(words, page), words
    # Nothing the page loads comes from elsewhere: scripts and styles are this app's.
    assert not re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "/static/vendor/leaflet/leaflet.js" in page and "bootstrap" not in page.lower()
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "<title>geo-welfare community resource map</title>" in english
    for words in ("Elementary school district", "Legend", "Every Wednesday", "Salon"):
        assert shows(words, english), words
    assert not shows("凡例", english)
    assert shows("凡例", create_app(handmade_store, tiles="none", lang="en").test_client().get("/?lang=ja").get_data(
        as_text=True))


def test_an_empty_store_says_how_to_fill_it(spatialite_url):
    client = create_app(spatialite_url, tiles="none").test_client()
    page = client.get("/")
    assert page.status_code == 200 and shows("geo-welfare import", page.get_data(as_text=True))
    assert client.get("/api/resources").get_json() == {"type": "FeatureCollection", "features": []}


def test_base_tiles_setting(handmade_store, monkeypatch):
    gsi = create_app(handmade_store).test_client().get("/").get_data(as_text=True)  # the default
    assert PRESETS["gsi"].url in gsi and "maps.gsi.go.jp/development/ichiran.html" in gsi
    assert "tile.openstreetmap.org" in create_app(handmade_store, tiles="osm").test_client().get("/").get_data(
        as_text=True)
    monkeypatch.setenv("GEO_WELFARE_TILES", "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png")
    local = create_app(handmade_store).test_client().get("/").get_data(as_text=True)
    assert "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png" in local and "cyberjapandata" not in local
    monkeypatch.setenv("GEO_WELFARE_TILES", "none")
    assert "tileLayer" not in create_app(handmade_store).test_client().get("/").get_data(as_text=True)
    assert "cyberjapandata" in create_app(handmade_store, tiles="gsi").test_client().get("/").get_data(as_text=True)
    with pytest.raises(ValueError, match="gsi, osm, none"):
        create_app(handmade_store, tiles="satellite")


def test_display_simplification_keeps_shared_borders():
    # Two neighbours share a border that wiggles by ~1 m (0.00001°); simplified, it must still be one line.
    wiggle = [(139.40 + 0.00001 * (i % 2), 35.20 + 0.0001 * i) for i in range(21)]
    west = shapely.Polygon([(139.39, 35.20), *wiggle, (139.39, 35.202)])
    east = shapely.Polygon([(139.41, 35.20), (139.41, 35.202), *reversed(wiggle)])
    simplified = simplify_for_display([west, east])
    assert shapely.get_num_coordinates(simplified).sum() < shapely.get_num_coordinates([west, east]).sum() / 2
    assert shapely.coverage_is_valid(simplified)  # no gap, no overlap along the shared border
    assert shapely.area(shapely.intersection(simplified[0], simplified[1])) == 0
    assert abs(shapely.area(shapely.union_all(simplified)) - shapely.area(shapely.union(west, east))) < 1e-9
    # Overlapping polygons are not a coverage: each is simplified on its own and stays valid.
    overlapping = simplify_for_display([west, shapely.buffer(east, 0.001)])
    assert shapely.is_valid(overlapping).all()


# ---------------------------------------------------------------------------------------------
# The demo town as written in data/demo, counted by hand from the files: 30 salons (2 of them staff
# only), 6 縁側, 3 support centres; 42 small areas, 6 + 3 + 2 districts and 1 outline.
PUBLIC_RESOURCES = 30 - 2 + 6 + 3
AREA_POLYGONS = 42 + 6 + 3 + 2 + 1
PUBLIC_SALONS_KAYOI_ENGAWA = 30 - 2 + 6  # the planner's default kinds: salons and 通いの場 (less 2 staff-only), 縁側
SHADED_SMALL_AREAS = 42  # the 高齢化率 layer draws every small area again, filled


def test_api_over_the_demo_town(demo_store):
    client = create_app(demo_store, tiles="none").test_client()
    everything = client.get("/api/resources").get_json()
    assert len(everything["features"]) == PUBLIC_RESOURCES
    names = {f["properties"]["name"] for f in everything["features"]}
    assert "ひまわりサロン" in names
    engawa = client.get("/api/resources?kind=engawa").get_json()["features"]
    assert len(engawa) == 6 and all(f["properties"]["kind_label"] == "地域の縁側" for f in engawa)
    assert len(client.get("/api/areas?unit=small_area").get_json()["features"]) == 42
    assert len(client.get("/api/areas").get_json()["features"]) == AREA_POLYGONS


def staff_only_names() -> set[str]:
    """Names of the salons marked 職員のみ, read from the demo file itself."""
    with open(DEMO_DATA / "salons.csv", encoding="utf-8-sig", newline="") as handle:
        return {row["名称"] for row in csv.DictReader(handle) if row["公開"] == "職員のみ"}


def test_staff_only_places_never_reach_the_page_or_the_api(demo_store):
    client = create_app(demo_store, tiles="none").test_client()
    staff_only = staff_only_names()
    assert len(staff_only) == 2
    assert staff_only.isdisjoint(f["properties"]["name"] for f in client.get("/api/resources").get_json()["features"])
    page = client.get("/").get_data(as_text=True)
    assert shows("ひまわりサロン", page) and not any(shows(name, page) for name in staff_only)


# ---------------------------------------------------------------------------------------------
# Headless Chromium.

@pytest.fixture
def live_server(demo_store):
    yield from serve(create_app(demo_store, tiles="none"))


@pytest.fixture
def clustered_server(handmade_store):
    app = create_app(handmade_store, tiles="none")
    app.config["MARKER_CLUSTER_FROM"] = 2  # the two public salons, 4 m apart, become one cluster
    yield from serve(app)


COUNT_LAYERS = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  let markers = 0, polygons = 0, clusters = 0;
  map.eachLayer(layer => {
    if (L.MarkerCluster && layer instanceof L.MarkerCluster) clusters += 1;
    else if (layer instanceof L.CircleMarker) markers += 1;
    else if (layer instanceof L.Polygon) polygons += 1;
  });
  return {markers, polygons, clusters};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_the_map_renders_offline_in_chromium(browser, live_server):
    watched = Watched(browser, live_server)
    page = watched.page
    page.goto(live_server + "/", wait_until="networkidle")
    assert page.title() == "geo-welfare 地域資源マップ"
    assert page.locator(".leaflet-container .leaflet-map-pane").count() == 1
    counts = page.evaluate(COUNT_LAYERS)
    assert counts == {"markers": PUBLIC_RESOURCES, "polygons": AREA_POLYGONS + SHADED_SMALL_AREAS, "clusters": 0}
    shading = page.locator(".gw-choropleth").inner_text()
    assert "高齢化率（分位数）" in shading and page.locator(".gw-choropleth .gw-box").count() == 5
    # A town's borders come with the page (the offline copy draws them too): nothing was fetched for them.
    # (Areas fetched by view as the map moves: tests/test_map_by_view.py.)
    assert not any("/api/areas" in url for url in watched.requests)
    # The walking areas and the gaps are in the layer switcher, fetched only when switched on.
    for index, overlay in enumerate(("資源の徒歩圏（15分）", "徒歩圏外の地域（15分）")):
        page.locator(".leaflet-control-layers-overlays label", has_text=overlay).locator("input").check()
        page.wait_for_function(f"() => document.body.hasAttribute('data-overlay-{index}')")
    assert int(page.evaluate("document.body.getAttribute('data-overlay-0')")) == PUBLIC_SALONS_KAYOI_ENGAWA
    page.locator(".leaflet-control-layers-overlays label", has_text="徒歩圏外の地域（15分）").locator("input").uncheck()
    page.locator(".leaflet-control-layers-overlays label", has_text="資源の徒歩圏（15分）").locator("input").uncheck()
    assert page.locator("path.gw-resource").count() == PUBLIC_RESOURCES
    legend = page.locator(".gw-legend").inner_text()
    for kind_label in ("サロン", "通いの場", "地域の縁側", "地域包括支援センター"):
        assert kind_label in legend
    switcher = page.locator(".leaflet-control-layers")
    assert switcher.is_visible()
    for overlay in ("市区町村", "日常生活圏域", "中学校区", "小学校区", "町丁・字（小地域）", "サロン"):
        assert overlay in switcher.inner_text()
    page.locator("path.gw-kind-support_centre").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "地域包括支援センター" in text and "相談" in text and "連絡先" in text
    assert "平日（月〜金） 8:30〜17:15、祝日休み、年末年始休み" in text
    page.wait_for_timeout(500)  # let the popup finish fading in before the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_map.png"))
    watched.check_offline()
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("store_url", ["spatialite"], indirect=True)
def test_clusters_and_awkward_names_in_chromium(browser, clustered_server):
    watched = Watched(browser, clustered_server)
    page = watched.page
    page.goto(clustered_server + "/", wait_until="networkidle")
    assert page.evaluate(COUNT_LAYERS) == {"markers": 1, "polygons": 3, "clusters": 1}  # 縁側 alone, salons clustered
    cluster = page.locator(".gw-cluster")
    assert cluster.inner_text().strip() == "2"
    assert RESOURCE_COLOURS["salon"] in cluster.locator("div").get_attribute("style")  # in its kind's colour
    cluster.click()  # zooms in until the two salons stand apart (or spiderfies them)
    page.wait_for_function("() => document.querySelectorAll('path.gw-kind-salon').length === 2")
    page.wait_for_timeout(400)
    page.locator("path.gw-kind-salon").nth(0).hover(force=True)
    tooltip_names = {page.locator(".leaflet-tooltip").last.inner_text().strip()}
    page.locator("path.gw-kind-salon").nth(1).hover(force=True)
    tooltip_names.add(page.locator(".leaflet-tooltip").last.inner_text().strip())
    assert tooltip_names == {"ひだまりサロン", TRICK_NAME}
    page.evaluate("""() => {
      const map = Object.values(window).find(v => v instanceof L.Map);
      map.eachLayer(l => { if (l instanceof L.CircleMarker && l.options.className.includes('gw-kind-salon')
                               && l.getTooltip().getContent().textContent.includes('`')) l.openPopup(); });
    }""")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("h4").inner_text() == TRICK_NAME
    watched.check_offline()
    page.close()
