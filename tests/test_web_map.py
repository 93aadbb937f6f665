"""The offline map in real headless Chromium, and its GeoJSON API, over the demo town."""

from __future__ import annotations

import csv
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from geo_welfare.demo import import_demo_town
from geo_welfare.store import open_store
from web import create_app

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
DEMO_DATA = Path(__file__).resolve().parents[1] / "data" / "demo"
CHROMIUM = os.environ.get("GEO_WELFARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

# The demo town as written in data/demo, counted by hand from the files: 30 salons (2 of them staff
# only), 6 縁側, 3 support centres; 42 small areas, 6 + 3 + 2 districts and 1 outline.
PUBLIC_RESOURCES = 30 - 2 + 6 + 3
AREA_POLYGONS = 42 + 6 + 3 + 2 + 1


@pytest.fixture
def demo_store(store_url):
    import_demo_town(open_store(store_url))
    return store_url


def test_api_resources_and_kinds(demo_store):
    client = create_app(demo_store, tiles="none").test_client()
    everything = client.get("/api/resources").get_json()
    assert len(everything["features"]) == PUBLIC_RESOURCES
    names = {f["properties"]["name"] for f in everything["features"]}
    assert "ひまわりサロン" in names
    engawa = client.get("/api/resources?kind=engawa").get_json()["features"]
    assert len(engawa) == 6 and all(f["properties"]["kind_label"] == "地域の縁側" for f in engawa)
    bad = client.get("/api/resources?kind=bogus")
    assert bad.status_code == 400 and bad.get_json()["allowed"][0] == "salon"
    assert client.get("/api/areas?unit=nowhere").status_code == 400
    assert len(client.get("/api/areas?unit=small_area").get_json()["features"]) == 42


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
    assert all(name not in page for name in staff_only)


@pytest.fixture
def live_server(demo_store):
    app = create_app(demo_store, tiles="none")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


COUNT_LAYERS = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  let markers = 0, polygons = 0;
  map.eachLayer(layer => {
    if (layer instanceof L.CircleMarker) markers += 1;
    else if (layer instanceof L.Polygon) polygons += 1;
  });
  return {markers, polygons};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("store_url", ["spatialite"], indirect=True)
def test_the_map_renders_offline_in_chromium(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + "/", wait_until="networkidle")
    assert page.title() == "geo-welfare 地域資源マップ"
    counts = page.evaluate(COUNT_LAYERS)
    assert counts == {"markers": PUBLIC_RESOURCES, "polygons": AREA_POLYGONS}
    legend = page.locator(".gw-legend").inner_text()
    for kind_label in ("サロン", "通いの場", "地域の縁側", "地域包括支援センター"):
        assert kind_label in legend
    assert page.locator(".leaflet-control-layers").is_visible()
    page.locator("path.gw-kind-support_centre").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "地域包括支援センター" in popup.inner_text()
    assert "平日（月〜金） 8:30〜17:15、祝日休み、年末年始休み" in popup.inner_text()
    page.wait_for_timeout(500)  # let the popup finish fading in before the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_map.png"))
    assert errors == []
    assert requests and all(url.startswith(live_server) for url in requests), \
        [url for url in requests if not url.startswith(live_server)]
    page.close()
