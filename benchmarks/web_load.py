"""The map page with every layer of one Sapporo ward, loaded in headless Chromium: ours against plain folium.

The ward is 中央区: its e-Stat small areas, the elementary and junior-high school districts that meet
it, the city's age table (so the page shades the small areas by 高齢化率), and real points inside it as resources (GSI designated evacuation sites and the city's nursery
facilities from ../shared/data; they stand in for welfare places, which Sapporo does not publish
here).  Both pages are served by the same app from the same store, with local assets and no tiles:

- ours: ``/`` as staff open it (display-simplified geometries, rounded coordinates);
- the peer: the same layers drawn by folium's defaults (``folium.GeoJson`` of the stored
  geometries, one ``CircleMarker`` per place), built from the store on each request like ours: what
  a quick Flask + folium map of these layers is.

Each load is a fresh browser context (no cache); the time is the navigation's ``loadEventEnd``
(HTML received, every script run, the map drawn), and for ours, which fetches the areas of the view
after that, the moment they are drawn.  Target from the issue: under 1.5 s.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
from pathlib import Path

import folium
import geopandas as gpd
import shapely
from werkzeug.serving import make_server

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "sapporo"
WARD_FILE = SHARED / "smallarea" / "estat_h27_smallarea_chuo.geojson"
CHROMIUM = "/usr/bin/chromium"
LOADS = 7


def ward_store(directory: Path) -> str:
    """A SpatiaLite store holding 中央区's layers, imported through the real importers."""
    from geo_welfare.store.importing import import_areas, import_population, import_resources
    from geo_welfare.store import open_store
    url = f"sqlite:///{directory / 'ward.sqlite'}"
    engine = open_store(url)
    import_areas(engine, [WARD_FILE], "small_area")
    import_population(engine, [SHARED / "sapporo_jounen202010_age5_by_chome.csv"])  # 高齢化率 shading
    ward = shapely.union_all(gpd.read_file(WARD_FILE).to_crs(6668).geometry.values).buffer(0)
    for name, unit in (("papamama_Elementary.geojson", "elementary_district"),
                       ("papamama_MiddleSchool.geojson", "junior_high_district")):
        frame = gpd.read_file(SHARED / "school" / name)
        path = directory / name
        frame[frame.to_crs(6668).intersects(ward)].to_file(path, driver="GeoJSON")
        import_areas(engine, [path], unit)
    for name in ("gsi_emergency_evacuation_sites_011002.geojson", "papamama_nurseryFacilities.geojson"):
        frame = gpd.read_file(SHARED / name)
        path = directory / name
        frame[frame.to_crs(6668).within(ward)].to_file(path, driver="GeoJSON")
        import_resources(engine, [path], kind="other")
    return url


def _peer_page(url: str) -> str:
    """The same layers as folium draws them by default (assets pointed at the app's local copies)."""
    from geo_welfare.store import open_store
    from geo_welfare.store.read import read_areas, read_resources
    engine = open_store(url)
    areas, resources = read_areas(engine), read_resources(engine)
    fmap = folium.Map(location=[43.05, 141.35], zoom_start=13, tiles=None)
    fmap.default_js = [("leaflet", "/static/vendor/leaflet/leaflet.js"), ("jquery", "/static/vendor/jquery/jquery.min.js")]
    fmap.default_css = [("leaflet_css", "/static/vendor/leaflet/leaflet.css")]
    for unit, subset in areas.groupby("unit"):
        folium.GeoJson(subset[["code", "name", "geometry"]].to_json(), name=unit,
                       tooltip=folium.GeoJsonTooltip(["name"])).add_to(fmap)
    for row in resources.itertuples():
        folium.CircleMarker([row.geometry.y, row.geometry.x], radius=6, tooltip=row.name,
                            popup=folium.Popup(row.name)).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap.get_root().render()


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _load_times(browser, url: str) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(LOADS):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        response = page.goto(url, wait_until="load")
        size = len(response.body())
        loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        if "/peer" not in url:  # ours draws the areas after "load", from /api/areas for the view: until drawn
            page.wait_for_function("() => document.body.getAttribute('data-areas-pending') === '0' && "
                                   "document.querySelectorAll('.leaflet-pane path').length > 900")
            loaded = max(loaded, page.evaluate("performance.now()"))
        times.append(loaded / 1000)
        assert page.locator(".leaflet-pane path").count() > 900  # the small areas are drawn
        context.close()
    return times, size


def run() -> dict:
    from playwright.sync_api import sync_playwright

    from geo_welfare.web import create_app
    with tempfile.TemporaryDirectory() as directory:
        url = ward_store(Path(directory))
        app = create_app(url, tiles="none")
        app.add_url_rule("/peer", "peer", lambda: _peer_page(url))  # built per request, as ours is
        server, base = _serve(app)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                     args=["--no-sandbox", "--disable-gpu"])
                _load_times(browser, base + "/")  # warm the server (store opened, network of modules imported)
                ours, ours_size = _load_times(browser, base + "/")
                theirs, theirs_size = _load_times(browser, base + "/peer")
                browser.close()
        finally:
            server.shutdown()
    return {"ours_s": statistics.median(ours), "peer_s": statistics.median(theirs), "ours_bytes": ours_size,
            "peer_bytes": theirs_size}


def main() -> dict:
    result = run()
    print("Sapporo 中央区, every layer (small areas, school districts, resources), headless Chromium, "
          f"median of {LOADS} cold loads:")
    print(f"  geo-welfare map page:   {result['ours_s']:6.3f} s  ({result['ours_bytes'] / 1e6:5.2f} MB)   "
          f"(target < 1.5 s: {'met' if result['ours_s'] < 1.5 else 'NOT met'})")
    print(f"  folium defaults:        {result['peer_s']:6.3f} s  ({result['peer_bytes'] / 1e6:5.2f} MB)")
    print(f"  ratio folium / ours:    {result['peer_s'] / result['ours_s']:6.2f}×")
    return result


if __name__ == "__main__":
    main()
