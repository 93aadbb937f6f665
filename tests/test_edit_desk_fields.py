"""Editing a place's consultation fields, outreach and capacity as its list wrote it (「約30名」), in the store and the page.

By hand: 「障がい、子育て」 names the glossary's disability and children fields (stored as ids in the glossary's
order); 「約30名」 is 30, approximate, and shown again as written; 「占い」 names no field and 「たぶん」 is neither
yes nor no, so both are refused (an import keeps such rows with a warning; a person typing is told at once).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from geo_welfare.store import open_store
from geo_welfare.store.editing import EditError, create_resource, resource_record, update_resource
from geo_welfare.store.models import Resource
from geo_welfare.store.users import add_user
from geo_welfare.web import create_app
from helpers import serve

EDITOR, PASSWORD = "suzuki", "correct horse battery 2"
PLACE = {"name": "相談室ひまわり", "kind": "consultation_office", "lon": 139.40, "lat": 35.20}


def _stored(engine, identifier: int) -> dict:
    fields = ("consultation_fields", "outreach", "capacity", "capacity_text", "capacity_approximate")
    with engine.connect() as connection:
        row = connection.execute(select(*(Resource.__table__.c[f] for f in fields))
                                 .where(Resource.id == identifier)).mappings().one()
    return dict(row)


def test_desk_fields_and_capacity_text_are_edited_as_an_import_reads_them(store_url):
    engine = open_store(store_url)
    identifier = create_resource(engine, {**PLACE, "consultation_fields": "障がい、子育て", "outreach": "あり",
                                          "capacity": "約30名"}, "t")
    assert _stored(engine, identifier) == {"consultation_fields": "disability,children", "outreach": True,
                                           "capacity": 30, "capacity_text": "約30名", "capacity_approximate": True}
    shown = resource_record(engine, identifier)
    assert (shown["capacity"], shown["capacity_text"]) == (30, "約30名")  # the form shows the words
    assert shown["consultation_fields"] == "disability,children"
    saved = update_resource(engine, identifier, {"capacity": "25", "consultation_fields": "children,elderly_care"}, "t")
    assert set(saved.changes) == {"capacity", "consultation_fields"}
    # a 相談支援事業所 takes 障がい whatever is typed (glossary KIND_CONSULTATION_FIELDS)
    assert _stored(engine, identifier) == {"consultation_fields": "elderly_care,disability,children", "outreach": True,
                                           "capacity": 25, "capacity_text": "25", "capacity_approximate": False}
    with pytest.raises(EditError) as refused:
        update_resource(engine, identifier, {"consultation_fields": "占い", "outreach": "たぶん", "capacity": "要相談"}, "t")
    assert [p.field for p in refused.value.problems] == ["capacity", "consultation_fields", "outreach"]
    assert "占い" in refused.value.message("ja") and "高齢・介護、障がい" in refused.value.message("ja")
    assert _stored(engine, identifier)["capacity"] == 25  # nothing written


@pytest.fixture
def editor_server(demo_store):
    add_user(open_store(demo_store), EDITOR, PASSWORD, "editor")
    yield from serve(create_app(demo_store, tiles="none"))


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_the_form_chooses_fields_from_the_list(browser, editor_server, demo_store):
    page = browser.new_page()
    page.goto(editor_server + "/login", wait_until="networkidle")
    page.fill("#username", EDITOR)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="networkidle"):
        page.click("button[type=submit]")
    engine = open_store(demo_store)
    with engine.connect() as connection:
        identifier = connection.execute(select(Resource.id).where(
            Resource.name == "デモ北部地域包括支援センター")).scalar_one()
    page.locator(f".gw-edit-marker.gw-id-{identifier}").click()
    page.locator(".leaflet-popup .gw-edit-button").click()
    fields = page.locator("#gw-field-consultation_fields")
    fields.wait_for()
    chosen = "el => Array.from(el.selectedOptions).map(o => o.textContent)"
    assert fields.evaluate(chosen) == ["高齢・介護", "権利擁護"]  # a 地域包括支援センター's, by law
    fields.select_option(["elderly_care", "disability", "advocacy"])
    page.locator("#gw-field-outreach").select_option("true")
    with page.expect_navigation(wait_until="networkidle"):
        page.click(".gw-editor .gw-save")
    assert _stored(engine, identifier)["consultation_fields"] == "elderly_care,disability,advocacy"
    assert _stored(engine, identifier)["outreach"] is True
    page.close()
