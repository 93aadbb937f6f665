"""The walking network as the planner map's base layer (issue 13, item 6): the streets in view, by view.

Second method: the street file itself, clipped to the same box with Shapely; the network's edges are
the file's lines noded at every crossing, so the two must hold the same length of street inside the box.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo_welfare.web import create_app
from helpers import DEMO_STREETS, Watched, serve

BOX = (139.395, 35.200, 139.405, 35.210)  # west, south, east, north: a square of the demo town's middle
PLANE = "EPSG:6677"  # the plane rectangular zone IX, metres (the demo town is near Tokyo)


def _length_in_box(lines: gpd.GeoSeries) -> float:
    return float(lines.to_crs(PLANE).intersection(gpd.GeoSeries([shapely.box(*BOX)], crs="EPSG:6668")
                                                  .to_crs(PLANE).iloc[0]).length.sum())


def test_the_streets_in_view_are_the_files_streets(demo):
    client = create_app(demo, tiles="none", network=DEMO_STREETS).test_client()
    answer = client.get("/api/streets?bbox=" + ",".join(map(str, BOX)))
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["too_many"] is False and len(body["features"]) > 20
    served = gpd.GeoSeries([shapely.geometry.shape(f["geometry"]) for f in body["features"]], crs="EPSG:6668")
    assert all(served.intersects(shapely.box(*BOX)))
    expected = _length_in_box(gpd.read_file(DEMO_STREETS).geometry.to_crs("EPSG:6668"))
    assert _length_in_box(served) == pytest.approx(expected, rel=1e-3)  # coordinates kept to ~0.1 m


def test_no_network_no_streets_and_a_bad_box_is_refused(demo):
    plain = create_app(demo, tiles="none").test_client()
    assert plain.get("/api/streets?bbox=" + ",".join(map(str, BOX))).get_json()["features"] == []
    client = create_app(demo, tiles="none", network=DEMO_STREETS).test_client()
    bad = client.get("/api/streets?bbox=1,2,3")
    assert bad.status_code == 400 and bad.get_json()["field"] == "bbox"


@pytest.mark.browser
@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_the_planner_map_has_streets_and_a_legend(browser, demo):
    for base in serve(create_app(demo, tiles="none", network=DEMO_STREETS)):
        watched = Watched(browser, base)
        page = watched.page
        page.goto(base + "/planner?lang=ja", wait_until="networkidle")
        page.wait_for_function("() => document.body.dataset.minutes")
        page.evaluate("() => window.gwPlannerMap.setView([35.205, 139.40], 15, {animate: false})")
        page.wait_for_function("() => Number(document.body.dataset.streets) > 0")
        assert page.locator(".leaflet-gwStreets-pane path").count() > 0
        legend = page.locator(".gw-legend").inner_text()
        for words in ("凡例", "徒歩圏外の地域", "徒歩圏", "道路", "新しい拠点"):
            assert words in legend
        # Places stay above the polygons: their pane is over the overlay pane.
        z = page.evaluate("() => [getComputedStyle(document.querySelector('.leaflet-gwPlaces-pane')).zIndex,"
                          " getComputedStyle(document.querySelector('.leaflet-overlay-pane')).zIndex]")
        assert int(z[0]) > int(z[1])
        watched.check_offline()
        page.close()
