"""The main map's context in real Chromium: places on top of the walking areas and gaps, kinds told apart by
shape, a legend for the overlays, and popups that open clear of the title bar.

The demo town (data/demo): four kinds of public place; the expected shapes are the print map's marker codes
(maps/style.py) counted by hand as corners of the polygon each draws.
"""

from __future__ import annotations

import pytest

from geo_welfare.maps.style import RESOURCE_MARKERS
from geo_welfare.web import create_app
from helpers import ARTIFACTS, Watched, serve

#: Corners of each matplotlib marker code's polygon, counted from the drawings (0: a circle, drawn with arcs).
CORNERS = {"o": 0, "s": 4, "D": 4, "d": 4, "^": 3, "v": 3, "<": 3, ">": 3, "p": 5, "h": 6, "H": 6, "8": 8,
           "P": 12, "*": 10, "X": 12}
#: The legend's shape class for each code (static/shapes.css).
SHAPE_CLASS = {"o": "circle", "s": "square", "D": "diamond", "^": "up", "v": "down", "p": "pentagon", "h": "hexagon",
               "X": "cross", "P": "plus", "*": "star", "8": "octagon"}
OVERLAYS = ("資源の徒歩圏（15分）", "徒歩圏外の地域（15分）")

#: What lies on top at each place's centre: its own marker (or another place's), never a polygon.
TOP_AT_PLACES = """() => {
  const out = {place: 0, overlay: 0, area: 0, control: 0};
  document.querySelectorAll('path.gw-resource').forEach(path => {
    const box = path.getBoundingClientRect();
    const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    if (!top) return;
    if (top.closest('.leaflet-control, aside, header')) out.control += 1;
    else if (top.classList.contains('gw-resource')) out.place += 1;
    else if (top.closest('.leaflet-gwOverlays-pane, .leaflet-overlay-pane')) out.overlay += 1;
    else out.area += 1;
  });
  return out;
}"""


@pytest.fixture
def map_server(demo_store):
    yield from serve(create_app(demo_store, tiles="none"))


def _switch_on_overlays(page) -> None:
    for index, overlay in enumerate(OVERLAYS):
        page.locator(".leaflet-control-layers-overlays label", has_text=overlay).locator("input").check()
        page.wait_for_function(f"() => document.body.hasAttribute('data-overlay-{index}')")


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_places_stay_on_top_of_walking_areas_and_gaps(browser, map_server):
    watched = Watched(browser, map_server)
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(map_server + "/", wait_until="networkidle")
    legend_rows = page.locator("aside [data-overlay]")
    assert legend_rows.count() == 2 and all(legend_rows.nth(i).is_hidden() for i in range(2))  # shown with the layer
    _switch_on_overlays(page)
    assert [legend_rows.nth(i).inner_text().strip() for i in range(2)] == list(OVERLAYS)
    assert all(legend_rows.nth(i).is_visible() for i in range(2))
    top = page.evaluate(TOP_AT_PLACES)
    assert top["overlay"] == 0 and top["area"] == 0
    assert top["place"] + top["control"] == page.locator("path.gw-resource").count() and top["place"] >= 30
    page.locator(".leaflet-control-layers-overlays label", has_text=OVERLAYS[1]).locator("input").uncheck()
    assert legend_rows.nth(1).is_hidden() and legend_rows.nth(0).is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_map_overlays.png"))
    watched.check_offline()
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_kinds_differ_by_shape_on_the_map_and_in_the_legend(browser, map_server):
    page = browser.new_page()
    page.goto(map_server + "/", wait_until="networkidle")
    for kind in ("salon", "kayoi_no_ba", "engawa", "support_centre"):
        code = RESOURCE_MARKERS[kind]
        d = page.locator(f"path.gw-kind-{kind}").first.get_attribute("d")
        if CORNERS[code] == 0:
            assert "a" in d and "L" not in d, (kind, d)  # Leaflet's circle: two arcs
        else:
            assert d.count("L") + 1 == CORNERS[code] and d.endswith("z"), (kind, d)
        swatch = page.locator(f'aside li[data-kind="{kind}"] .gw-kind-swatch')
        assert f"gw-shape-{SHAPE_CLASS[code]}" in swatch.get_attribute("class")
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_a_popup_at_the_top_opens_below_the_title_bar(browser, map_server):
    page = browser.new_page(viewport={"width": 1024, "height": 700})
    page.goto(map_server + "/", wait_until="networkidle")
    # The northernmost place, moved to 8 px below the window's top, then opened.
    page.evaluate("""() => new Promise(done => {
      const map = Object.values(window).find(v => v instanceof L.Map);
      let top = null;
      map.eachLayer(l => { if (l instanceof L.CircleMarker && (l.options.className || '').includes('gw-resource')
                              && (!top || l.getLatLng().lat > top.getLatLng().lat)) top = l; });
      const y = map.latLngToContainerPoint(top.getLatLng()).y;
      map.once('moveend', () => { window.gwTop = top; done(); });
      map.panBy([0, y - 8], {animate: false});
    })""")
    page.evaluate("() => window.gwTop.openPopup()")
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    page.wait_for_timeout(600)  # the autopan's animation
    title = page.locator("header.gw-title").bounding_box()
    box = popup.bounding_box()
    assert box["y"] >= title["y"] + title["height"], (box, title)
    assert box["y"] + box["height"] <= 700
    page.close()
