"""Choosing a consultation field on the coordinator's page ticks the kinds of place that take it.

By hand: the demo town's three 地域包括支援センター take 高齢・介護 and 権利擁護 by law (glossary
KIND_CONSULTATION_FIELDS); no other demo place names a field.  So choosing 権利擁護 ticks 地域包括支援センター beside
the page's default kinds, and the search lists the three centres.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo_welfare.analysis.desks import kinds_by_field
from geo_welfare.web import create_app
from helpers import DEMO_STREETS as STREETS, serve

CENTRES = {"デモ北部地域包括支援センター", "デモ東部地域包括支援センター", "デモ南部地域包括支援センター"}


def test_kinds_by_field_in_the_glossarys_order():
    places = pd.DataFrame({"kind": ["salon", "consultation_office", "support_centre", "salon", "other"],
                           "consultation_fields": ["disability", "disability", "elderly_care,advocacy", None, ""]})
    assert kinds_by_field(places) == {"disability": ["salon", "consultation_office"],
                                      "elderly_care": ["support_centre"], "advocacy": ["support_centre"]}
    assert kinds_by_field(places.iloc[:0]) == {}


@pytest.fixture
def coordinator_server(demo_store):
    yield from serve(create_app(demo_store, tiles="none", network=STREETS))


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_choosing_a_field_ticks_its_kinds_and_finds_its_desks(browser, coordinator_server):
    page = browser.new_page()
    page.goto(coordinator_server + "/coordinator", wait_until="networkidle")
    centre_box = page.locator('input[name="kind"][value="support_centre"]')
    assert not centre_box.is_checked()
    page.locator("#k").select_option("3")
    page.locator("#map").click(position={"x": 200, "y": 200})  # an origin: the search runs from here on
    page.locator("#consults").select_option("advocacy")
    assert centre_box.is_checked()
    assert page.locator('input[name="kind"][value="salon"]').is_checked()  # the user's ticks stay
    page.wait_for_function("() => document.querySelectorAll('.gw-entry h3').length === 3")
    names = {text.split("地域包括支援センター")[0] + "地域包括支援センター"
             for text in page.locator(".gw-entry h3").all_inner_texts()}
    assert names == CENTRES
    page.close()
