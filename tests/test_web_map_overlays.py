"""The main map's stored overlays in real Chromium: hazard zones by class, shelters, stops and transport areas.

The demo town with the generated hazard fixtures (tests/data/hazards, A31a ranks 1–3 and A33 classes
(急傾斜地 警戒), (急傾斜地 特別警戒), (土石流 警戒)), the 5 generated GSI emergency sites, the real Nerima OSM
stations (far from the town: the layer is there, off the first view) and one community-transport area
written here.  Expected colours by hand from 国土交通省's 水害ハザードマップ作成の手引き: rank 1 (0–0.5 m)
#f7f5a9, rank 2 (0.5–3 m) #ffd8c0, rank 3 (3–5 m) #ffb7b7; 警戒区域 #ffe600, 特別警戒区域 #e60012.
"""

from __future__ import annotations

import json

import pytest

from geo_welfare.web import create_app
from helpers import ARTIFACTS, REPOSITORY, Watched, run_cli, serve

HAZARDS = REPOSITORY / "tests" / "data" / "hazards"
NERIMA = REPOSITORY.parent / "shared" / "data" / "tokyo" / "osm_nerima_tokyo.osm"
FLOOD, LANDSLIDE = "洪水（想定最大規模）", "土砂災害"
SHELTERS, STOPS, AREAS = "指定緊急避難場所・指定避難所", "駅・バス停", "乗合タクシー・コミュニティバスなどの運行区域"
RANK_COLOURS = {"#f7f5a9", "#ffd8c0", "#ffb7b7"}
AREA = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"名称": "デモ町のりあいタクシー"},
        "geometry": {"type": "Polygon", "coordinates": [[[139.39, 35.20], [139.40, 35.20], [139.40, 35.21],
                                                         [139.39, 35.21], [139.39, 35.20]]]}}]}


@pytest.fixture
def overlay_server(demo_store, tmp_path):
    files = [HAZARDS / name for name in ("generated_A31a_maximum_demo.geojson", "generated_A33_demo.geojson",
                                         "generated_gsi_emergency_evacuation_sites_demo.geojson")]
    assert run_cli(demo_store, "import", "hazards", *files).exit_code == 0
    assert run_cli(demo_store, "import", "stops", NERIMA).exit_code == 0
    area = tmp_path / "service_area.geojson"  # written here: one rectangle over the town's west
    area.write_text(json.dumps(AREA, ensure_ascii=False), encoding="utf-8")
    result = run_cli(demo_store, "import", "service-areas", area, "--kind", "乗合タクシー")
    assert result.exit_code == 0, result.stderr
    yield from serve(create_app(demo_store, tiles="none"))


def _switch(page, name: str) -> None:
    page.locator(".leaflet-control-layers-overlays label", has_text=name).locator("input").check()


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_hazard_zones_shelters_and_transit_on_the_map(browser, overlay_server):
    watched = Watched(browser, overlay_server)
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(overlay_server + "/", wait_until="networkidle")
    switcher = page.locator(".leaflet-control-layers-overlays").inner_text()
    for name in (FLOOD, LANDSLIDE, SHELTERS, STOPS, AREAS):
        assert name in switcher
    names = [page.locator(".leaflet-control-layers-overlays label").nth(i).inner_text().strip()
             for i in range(page.locator(".leaflet-control-layers-overlays label").count())]
    flood_index = [n for n in names if n in (FLOOD, LANDSLIDE, SHELTERS, STOPS, AREAS)].index(FLOOD)
    assert flood_index == 0
    legend = page.locator("aside li[data-overlay]")
    assert all(legend.nth(i).is_hidden() for i in range(legend.count()))
    for name in (FLOOD, LANDSLIDE, SHELTERS, AREAS):
        _switch(page, name)
    page.wait_for_function("() => ['2', '3', '4', '6'].every(i => document.body.hasAttribute('data-overlay-' + i))")
    fills = page.evaluate("""() => [...document.querySelectorAll('.leaflet-gwOverlays-pane path')]
                                    .map(p => p.getAttribute('fill'))""")
    assert RANK_COLOURS <= set(fills) and {"#ffe600", "#e60012", "#00a040", "#a6dba0"} <= set(fills)
    shown = page.evaluate("() => [...document.querySelectorAll('aside li[data-overlay]')].filter(li => !li.hidden)"
                          ".map(li => li.textContent.trim())")
    assert shown[:3] == ["浸水深 0.0m以上0.5m未満", "浸水深 0.5m以上3.0m未満", "浸水深 3.0m以上5.0m未満"]  # the depth bands, shallow first
    assert len([row for row in shown if "土砂災害" in row]) == 3 and SHELTERS in shown and AREAS in shown
    places = page.evaluate("""() => [...document.querySelectorAll('path.gw-resource')].filter(p => {
        const b = p.getBoundingClientRect(), top = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
        return top && top.closest('.leaflet-gwOverlays-pane'); }).length""")
    assert places == 0  # no zone covers a place's marker
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_map_hazards.png"))
    watched.check_offline()
    page.close()


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_the_stop_and_area_layers_in_words(overlay_server):
    import urllib.request
    with urllib.request.urlopen(overlay_server + "/api/transit-stops?lang=ja") as answer:
        stops = json.load(answer)["features"]
    stations = [f for f in stops if f["properties"]["mode"] == "station"]
    assert len(stations) == 7  # the extract's seven railway stations (shared/data/README.md)
    assert all(f["properties"]["colour"] == "#1a1a1a" and f["properties"]["label"] == "駅" for f in stations)
    with urllib.request.urlopen(overlay_server + "/api/transit-areas") as answer:
        areas = json.load(answer)["features"]
    assert [(f["properties"]["name"], f["properties"]["kind"]) for f in areas] == [("デモ町のりあいタクシー", "乗合タクシー")]
