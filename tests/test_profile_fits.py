"""The district profile page on a tablet and an office screen: every table fits its section, no sideways scroll.

The demo town's 地区カルテ of デモ台小学校区 (E01): its widest table is the coverage at 10/15/20 minutes, seven
columns whose headers (「65歳以上のカバー率（%）」) are longer than their numbers.
"""

from __future__ import annotations

import pytest

from geo_welfare.web import create_app
from helpers import ARTIFACTS, serve

#: Each table's right edge against its section's, in CSS pixels.
EDGES = """() => [...document.querySelectorAll('section table')].map(t =>
  [t.id, Math.round(t.getBoundingClientRect().right), Math.round(t.closest('section').getBoundingClientRect().right)])"""


@pytest.fixture
def profile_server(demo_store):
    yield from serve(create_app(demo_store, tiles="none"))


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
@pytest.mark.parametrize("width", [1024, 768])
def test_every_profile_table_fits_its_section(browser, profile_server, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(profile_server + "/profile/elementary_district/E01", wait_until="networkidle")
    edges = page.evaluate(EDGES)
    assert "coverage-table" in [table for table, _, _ in edges]
    assert [(table, right, section) for table, right, section in edges if right > section] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    long_header = page.locator("#coverage-table th", has_text="65歳以上のカバー率").first
    assert long_header.evaluate("h => getComputedStyle(h).whiteSpace") == "normal"  # it wraps; short ones do not
    assert page.locator("#coverage-table th", has_text="65歳以上").first.evaluate(
        "h => getComputedStyle(h).whiteSpace") == "nowrap"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"profile_{width}.png"), full_page=True)
    page.close()
