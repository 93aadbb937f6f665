"""Pages for a tablet at a 地区福祉窓口 and for every resident (issue 13, item 8).

axe-core (through axe-playwright-python, which carries its own copy of axe: nothing is fetched) checks
every page in real Chromium at a desktop window and at a tablet held upright; no violation of any
impact is left (WCAG 2.1 A and AA rules, contrast included).  On a tablet the panel stacks above the
map (nothing scrolls sideways), and with a touch screen every button and list is at least 44 px high.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from geo_welfare.web import create_app
from helpers import ARTIFACTS, DEMO_STREETS, serve

PAGES = ("/", "/planner", "/csw?unit=elementary_district&code=E01", "/coordinator", "/login",
         "/profile/elementary_district/E01")
WINDOWS = {"desktop": {"width": 1280, "height": 900}, "tablet": {"width": 768, "height": 1024}}


def _violations(page) -> list[tuple[str, str, list]]:
    found = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3]) for v in found]


@pytest.mark.browser
@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_no_page_breaks_an_accessibility_rule(browser, demo):
    for base in serve(create_app(demo, tiles="none", network=DEMO_STREETS)):
        found = {}
        for window, size in WINDOWS.items():
            for path in PAGES:
                page = browser.new_page(viewport=size)
                page.goto(base + path + ("&" if "?" in path else "?") + "lang=ja", wait_until="networkidle")
                page.wait_for_timeout(500)  # the maps' layers are drawn after the page's own requests
                violations = _violations(page)
                if violations:
                    found[(window, path)] = violations
                assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"), (
                    window, path)  # nothing wider than the screen
                page.close()
        assert found == {}


@pytest.mark.browser
@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_a_touch_tablet_gets_the_panel_above_the_map_and_large_controls(browser, demo):
    for base in serve(create_app(demo, tiles="none", network=DEMO_STREETS)):
        context = browser.new_context(viewport=WINDOWS["tablet"], has_touch=True, is_mobile=True)
        for path in ("/planner", "/coordinator"):
            page = context.new_page()
            page.goto(base + path + "?lang=ja", wait_until="networkidle")
            side, map_box = (page.locator(selector).bounding_box() for selector in (".gw-side", "#map"))
            assert side["width"] >= WINDOWS["tablet"]["width"] - 20  # the panel takes the width …
            assert map_box["y"] >= side["y"] + side["height"] - 1  # … and the map comes below it
            heights = page.evaluate("""() => [...document.querySelectorAll('.gw-side button, .gw-side select')]
                .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height)""")
            assert heights and min(heights) >= 44, (path, heights)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"tablet{path.replace('/', '_')}.png"), full_page=True)
            page.close()
        context.close()
