"""担当の包括は？ on the coordinator page: ``POST /api/which``, the gazetteer in the address box, and the page in Chromium.

The demo town with its small areas imported as a gazetteer; expected 圏域 and centres are worked
out from ``data/demo/*.geojson`` with shapely and pyproj (geodesic), never from the product.
"""

from __future__ import annotations

import json

import pytest
import shapely
from pyproj import Geod

from geo_welfare.web import create_app
from helpers import DEMO_DATA, DEMO_STREETS, Watched, run_cli, serve

GEOD = Geod(ellps="GRS80")
ADDRESS = "架空市デモ町デモ台一丁目5番3号"  # fictional
TOWN = "デモ台一丁目"


def features(name: str) -> list[dict]:
    return json.loads((DEMO_DATA / name).read_text(encoding="utf-8"))["features"]


def town_point() -> shapely.Point:
    polygon = next(shapely.geometry.shape(f["geometry"]) for f in features("small_areas.geojson")
                   if f["properties"]["S_NAME"] == TOWN)
    return polygon.representative_point()


def covering(name: str, point: shapely.Point) -> str:
    (code,) = [f["properties"]["code"] for f in features(name) if shapely.geometry.shape(f["geometry"]).covers(point)]
    return code


def centres() -> dict[str, tuple[float, float]]:
    return {f["properties"]["name"]: tuple(f["geometry"]["coordinates"]) for f in features("support_centres.geojson")}


@pytest.fixture
def store(demo_store):
    result = run_cli(demo_store, "import", "gazetteer", "--small-areas")
    assert result.exit_code == 0, result.stderr
    return demo_store


@pytest.fixture
def post(store):
    client = create_app(store, tiles="none").test_client()
    token = client.get("/api/session").get_json()["csrf_token"]
    return lambda path, body: client.post(path, json=body, headers={"X-CSRFToken": token})


def test_which_from_an_address_and_from_a_point(post):
    point = town_point()
    by_address = post("/api/which", {"address": ADDRESS, "lang": "en"})
    assert by_address.status_code == 200 and by_address.headers["Cache-Control"] == "no-store"
    answer = by_address.get_json()
    assert answer["location"]["level"] == "chome" and answer["location"]["matched"] == "架空市デモ町" + TOWN
    assert (answer["location"]["lon"], answer["location"]["lat"]) == pytest.approx((point.x, point.y), abs=1e-6)
    assert answer["areas"]["daily_life_area"]["code"] == covering("daily_life_areas.geojson", point) == "DL01"
    assert answer["areas"]["elementary_district"]["code"] == covering("elementary_districts.geojson", point)
    assert answer["areas"]["junior_high_district"]["code"] == covering("junior_high_districts.geojson", point)
    nearest = min(centres(), key=lambda name: GEOD.inv(point.x, point.y, *centres()[name])[2])
    assert answer["centre"]["name"] == nearest and answer["centre"]["tie"] == "nearest"
    by_point = post("/api/which", {"lon": point.x, "lat": point.y, "lang": "en"}).get_json()
    assert by_point["location"] is None and by_point["areas"] == answer["areas"]
    assert by_point["centre"] == answer["centre"]


def test_which_uses_the_tie_and_refuses_a_municipality_match(store, post):
    far = "デモ南部地域包括支援センター"
    assert run_cli(store, "link", "centre", far, "DL01").exit_code == 0
    answer = post("/api/which", {"address": ADDRESS}).get_json()
    assert answer["centre"]["name"] == far and answer["centre"]["tie"] == "assigned"
    refused = post("/api/which", {"address": "架空市デモ町どこか99番", "lang": "en"})
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["field"] == "address" and "match level: municipality" in problem["error_en"]
    assert "どこか" not in json.dumps(problem, ensure_ascii=False)
    assert post("/api/which", {"lon": 200, "lat": 35.2}).status_code == 400
    assert post("/api/which", {"address": "x" * 500}).status_code == 400


def test_the_address_box_uses_the_gazetteer_with_its_level(post):
    answer = post("/api/geocode", {"q": "架空市デモ町デモ台1-5-3", "lang": "en"})
    assert answer.status_code == 200
    first = answer.get_json()["candidates"][0]
    point = town_point()
    assert first["source"] == "gazetteer" and first["level"] == "chome" and first["level_label"] == "chome"
    assert (first["lon"], first["lat"]) == pytest.approx((point.x, point.y), abs=1e-6)
    refused = post("/api/geocode", {"q": "架空市デモ町どこか99番", "lang": "en"})
    assert refused.status_code == 422 and "municipality" in refused.get_json()["error_en"]
    # The store's own names still answer (a small area by its name, a public place by its name).
    names = [c["label"] for c in post("/api/geocode", {"q": "デモ台"}).get_json()["candidates"]]
    assert "デモ台一丁目" in names


def test_a_staff_only_centre_is_never_shown(store, post):
    from sqlalchemy import update

    from geo_welfare.store import open_store
    from geo_welfare.store.models import Resource
    north = "デモ北部地域包括支援センター"
    with open_store(store).begin() as connection:
        connection.execute(update(Resource).where(Resource.name == north).values(visibility="staff"))
    answer = post("/api/which", {"address": ADDRESS}).get_json()
    assert answer["centre"]["name"] != north and north not in json.dumps(answer, ensure_ascii=False)


@pytest.fixture
def live_server(store):
    assert run_cli(store, "link", "centre", "デモ北部地域包括支援センター", "DL01").exit_code == 0
    yield from serve(create_app(store, tiles="none", network=DEMO_STREETS))


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_the_which_box_in_chromium(browser, live_server):
    watched = Watched(browser, live_server)
    page = watched.page
    page.goto(live_server + "/coordinator", wait_until="networkidle")
    assert page.locator("#which h2").inner_text() == "担当の包括は？"
    page.fill("#address", ADDRESS)
    page.click("#find")
    page.wait_for_selector("#which-answer .gw-which-centre")
    box = page.locator("#which-answer")
    assert page.locator(".gw-which-tie").get_attribute("data-tie") == "assigned"
    assert page.locator(".gw-which-tie").inner_text() == "担当の地域包括支援センター"
    assert page.locator("h3.gw-which-centre").inner_text() == "デモ北部地域包括支援センター"
    assert page.locator('dd[data-unit="daily_life_area"]').inner_text() == "北部圏域 (DL01)"
    assert "町丁目" in box.inner_text() and "000-0000-3001" in box.inner_text()
    # A click in the southern 圏域 (no tie there): the nearest centre, said to be only the nearest.
    south = centres()["デモ南部地域包括支援センター"]
    assert covering("daily_life_areas.geojson", shapely.Point(south)) == "DL02"
    page.evaluate(f"() => window.gwCoordinatorMap.setView([{south[1]}, {south[0]}], 17, {{animate: false}})")
    x, y = page.evaluate(f"""() => {{ const p = window.gwCoordinatorMap.latLngToContainerPoint([{south[1]}, {south[0]}]);
                                     return [Math.round(p.x), Math.round(p.y)]; }}""")
    box_of_map = page.locator("#map").bounding_box()
    page.mouse.click(box_of_map["x"] + x + 20, box_of_map["y"] + y + 20)
    page.wait_for_selector('.gw-which-tie[data-tie="nearest"]')
    assert page.locator('dd[data-unit="daily_life_area"]').inner_text() == "南部圏域 (DL02)"
    assert "担当とは限りません" in page.locator(".gw-which-tie").inner_text()
    # Text from the store is written as text, never as markup.
    assert page.locator("#which-answer script").count() == 0
    watched.check_offline()
