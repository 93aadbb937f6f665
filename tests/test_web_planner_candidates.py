"""A planner page that stands alone (issue 13, item 5): candidates from a grid, from stored places of a kind or
clicked on the map, errors beside the button that say the fix, a warning when no place of the chosen kinds
exists, and the chosen sites downloadable with their addresses.

Each chosen site is checked against a second method: every candidate's gain tried one by one over the dense
all-pairs walk of conftest's ``brute`` (the same residents, the public salons and 縁側 already there).
"""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import text

from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_resources
from geo_welfare.web import create_app
from helpers import ARTIFACTS, DEMO_STREETS as STREETS, Watched, serve

KINDS = "kind=salon&kind=engawa"
TEN_MINUTES = 10 * 1000 / 15  # metres at 4 km/h


@pytest.fixture(scope="module")
def client(demo):
    return create_app(demo, tiles="none", network=STREETS).test_client()


def best_single(brute, candidates_lonlat: np.ndarray) -> tuple[int, float]:
    """The candidate (index) that adds the most 65+ within 10 minutes to the existing places, and its gain."""
    _, points, walks = brute
    network = build_network(read_walkable_lines(STREETS))
    sites = gpd.GeoSeries(gpd.points_from_xy(candidates_lonlat[:, 0], candidates_lonlat[:, 1]), crs="EPSG:6668")
    xy = shapely.get_coordinates(sites.to_crs(network.crs).values)
    reach = walking_distances(network, snap_points(network, xy),
                              snap_points(network, np.column_stack([points.geometry.x, points.geometry.y]))) <= TEN_MINUTES
    covered = (walks <= TEN_MINUTES).any(axis=0)
    weights = points["age_65_plus"].to_numpy()
    gains = [(weights * (~covered & reach[i])).sum() for i in range(len(candidates_lonlat))]
    return int(np.argmax(gains)), float(max(gains))


def _small_area_holding(demo, lon: float, lat: float) -> str:
    areas = read_areas(open_store(demo), "small_area")
    inside = areas[areas.contains(shapely.Point(lon, lat))]
    assert len(inside) == 1
    return str(inside.iloc[0]["name"])


def test_stored_places_of_a_kind_as_candidates(client, demo, brute):
    centres = read_resources(open_store(demo), kinds=["support_centre"])
    assert len(centres) >= 2
    answer = client.get(f"/api/plan?minutes=10&{KINDS}&k=1&candidates=kind&candidate_kind=support_centre")
    assert answer.status_code == 200, answer.get_json()
    site = answer.get_json()["sites"]["features"][0]["properties"]
    best, gain = best_single(brute, np.column_stack([centres.geometry.x, centres.geometry.y]))
    assert site["name"] == centres.iloc[best]["name"]
    assert site["address"] == centres.iloc[best]["address"]  # its own address
    assert site["added_65_plus"] == pytest.approx(gain, abs=1e-6)


def test_a_grid_and_its_addresses(client, demo, brute):
    answer = client.get(f"/api/plan?minutes=10&{KINDS}&k=1&candidates=grid&spacing=500").get_json()
    site = answer["sites"]["features"][0]
    lon, lat = site["geometry"]["coordinates"]
    assert site["properties"]["name"].startswith("格子点 ")
    assert site["properties"]["address"] == _small_area_holding(demo, lon, lat) + "付近"
    assert answer["candidates"] > 1
    english = client.get(f"/api/plan?minutes=10&{KINDS}&k=1&candidates=grid&spacing=500&lang=en").get_json()
    assert english["sites"]["features"][0]["properties"]["address"].startswith("near ")


def test_points_placed_on_the_map(client, demo, brute):
    points = np.array([[139.395, 35.214], [139.405, 35.206]])
    query = ";".join(f"{lon},{lat}" for lon, lat in points)
    answer = client.get(f"/api/plan?minutes=10&{KINDS}&k=1&candidates=points&points={query}")
    assert answer.status_code == 200, answer.get_json()
    site = answer.get_json()["sites"]["features"][0]["properties"]
    best, gain = best_single(brute, points)
    assert site["name"] == f"地図上の候補 {best + 1}"
    assert site["added_65_plus"] == pytest.approx(gain, abs=1e-6)


@pytest.mark.parametrize("points", ["", "139.4", "139.4,35.2;abc,1", "200,35", ";".join(["139.4,35.2"] * 201)])
def test_bad_points_are_refused_naming_the_field(client, points):
    answer = client.get(f"/api/plan?minutes=10&{KINDS}&k=1&candidates=points&points={points}")
    assert answer.status_code == 400
    assert answer.get_json()["field"] == "points"


def test_no_candidates_stored_says_the_fix(demo_spatialite_url):
    engine = open_store(demo_spatialite_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM candidate_site"))
    client = create_app(demo_spatialite_url, tiles="none", network=STREETS).test_client()
    answer = client.get(f"/api/plan?minutes=10&{KINDS}&k=1")
    assert answer.status_code == 409
    body = answer.get_json()
    assert "格子" in body["error"] and "import candidates" in body["error"]  # what to do, not only what is wrong
    grid = client.get(f"/api/plan?minutes=10&{KINDS}&k=1&candidates=grid&spacing=1000")
    assert grid.status_code == 200  # … and the fix works


def test_no_place_of_the_kinds_is_reported(client, demo):
    assert len(read_resources(open_store(demo), kinds=["kodomo_shokudo"])) == 0
    answer = client.get("/api/coverage?minutes=10&kind=kodomo_shokudo&unit=elementary_district").get_json()
    assert answer["places"] == 0
    assert client.get(f"/api/coverage?minutes=10&{KINDS}&unit=elementary_district").get_json()["places"] > 0


def test_the_chosen_sites_download_with_addresses(client, demo):
    query = f"/api/plan?minutes=10&{KINDS}&k=2"
    shown = client.get(query).get_json()["sites"]["features"]
    csv = client.get(query + "&format=csv")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    table = pd.read_csv(io.BytesIO(csv.data), encoding="utf-8-sig")
    assert table["名称"].tolist() == [f["properties"]["name"] for f in shown]
    assert table["住所"].tolist() == [f["properties"]["address"] for f in shown]
    assert {"経度", "緯度"} <= set(table.columns)
    geojson = client.get(query + "&format=geojson")
    assert geojson.headers["Content-Disposition"].endswith(".geojson")
    assert [f["properties"]["name"] for f in geojson.get_json()["features"]] == table["名称"].tolist()


@pytest.mark.browser
@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_planning_from_clicks_and_a_grid_in_chromium(browser, demo, brute):
    for base in serve(create_app(demo, tiles="none", network=STREETS)):
        watched = Watched(browser, base)
        page = watched.page
        page.goto(base + "/planner?lang=ja", wait_until="networkidle")
        page.wait_for_function("() => document.body.dataset.minutes")
        # Two points clicked on the map, then one new base chosen among them.
        page.check("input[name=candidates][value=points]")
        assert page.locator("#points-hint").is_visible()
        box = page.locator("#map").bounding_box()
        for dx, dy in ((0.3, 0.4), (0.6, 0.5)):
            page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        assert "2" in page.locator("#points-text").inner_text()
        page.fill("#k", "1")
        page.click("#plan")
        page.wait_for_selector("#plan-sites li")
        assert page.locator("#plan-sites li .gw-site-name").inner_text().startswith("地図上の候補 ")
        assert page.locator("#plan-downloads").is_visible()
        # A grid: no file needed.
        page.check("input[name=candidates][value=grid]")
        page.select_option("#spacing", "250")
        page.click("#plan")
        page.wait_for_function("() => (document.querySelector('#plan-sites li .gw-site-name') || {}).textContent"
                               " && document.querySelector('#plan-sites li .gw-site-name').textContent.startsWith('格子点')")
        assert page.locator("#plan-sites li .gw-site-address").inner_text().endswith("付近")
        # An error appears beside the button, with its fix: no point placed.
        page.check("input[name=candidates][value=points]")
        page.click("#points-clear")
        page.click("#plan")
        page.wait_for_selector("#plan-error:not([hidden])")
        assert "地図をクリック" in page.locator("#plan-error").inner_text()
        watched.errors[:] = [error for error in watched.errors if "status of 400" not in error]  # that refusal
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web_planner_candidates.png"))
        watched.check_offline()
        page.close()
