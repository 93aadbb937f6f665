"""Versions of resources: every read carries one (ETag), every change names the one it was based on.

Through Flask's test client, on SpatiaLite and on PostGIS: a change without a version is 428, a
version that is not a whole number 400, a stale one 409 with the value sent, the value stored and
who stored it when (in Japanese and English), nothing written; a change on the version stored
writes its fields and raises the version by one, and so does an import that changes the row.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import event, func, select, text

from geo_welfare.store import open_store
from geo_welfare.store.editing import StaleVersion, create_resource, update_resource
from geo_welfare.store.engine import create_store_engine
from geo_welfare.store.importing import import_resources
from geo_welfare.store.models import Resource, ResourceChange, Schedule
from geo_welfare.store.users import add_user
from geo_welfare.web import create_app
from helpers import ARTIFACTS, Watched, serve

EDITORS = {"tanaka": "tanaka-password-1", "suzuki": "suzuki-password-2"}
PLACE = {"name": "版のサロン", "kind": "salon", "fee": "無料", "note": "はじめ", "schedule_text": "毎週水曜 10:00〜12:00",
         "lon": 139.401, "lat": 35.201}


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("GEO_WELFARE_SECRET_KEY", uuid.uuid4().hex)


@pytest.fixture
def place(store_url):
    """A store (each backend) with one place, made at version 1, and two editors; yields (url, id)."""
    engine = open_store(store_url)
    for name, password in EDITORS.items():
        add_user(engine, name, password, "editor")
    return store_url, create_resource(engine, PLACE, "importer")


def signed_in(url: str, username: str):
    """A test client signed in through the form; returns (client, headers with the CSRF token)."""
    client = create_app(url, tiles="none").test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": username, "password": EDITORS[username], "csrf_token": token,
                                       "next": "/"}).status_code == 302
    return client, {"X-CSRFToken": client.get("/api/session").get_json()["csrf_token"]}


def stored(url: str, identifier: int) -> tuple:
    """The resource row (geometry as text), its schedules and its history rows."""
    columns = [c for c in Resource.__table__.columns if c.name != "geom"]
    with open_store(url).connect() as connection:
        row = connection.execute(select(*columns, func.ST_AsText(Resource.geom)).where(Resource.id == identifier)).all()
        schedules = connection.execute(select(Schedule.__table__).where(Schedule.resource_id == identifier)).all()
        history = connection.execute(select(ResourceChange.__table__)
                                     .where(ResourceChange.resource_id == identifier)).all()
    return [tuple(r) for r in row], [tuple(r) for r in schedules], [tuple(r) for r in history]


def if_match(version: int) -> dict:
    return {"If-Match": f'"{version}"'}


def test_every_read_of_a_resource_carries_its_version(place):
    url, identifier = place
    client, headers = signed_in(url, "tanaka")
    one = client.get(f"/api/resources/{identifier}")
    assert one.headers["ETag"] == '"1"' and one.get_json()["version"] == 1
    created = client.post("/api/resources", json={**PLACE, "name": "新しい場所"}, headers=headers)
    assert created.status_code == 201 and created.headers["ETag"] == '"1"' and created.get_json()["version"] == 1
    changed = client.patch(f"/api/resources/{identifier}", json={"fee": "100円"}, headers={**headers, **if_match(1)})
    assert changed.status_code == 200, changed.get_json()
    assert changed.headers["ETag"] == '"2"' and changed.get_json()["version"] == 2
    assert changed.get_json()["resource"]["fee"] == "100円" and changed.get_json()["changes"] == {"fee": ["無料", "100円"]}
    moved = client.post(f"/api/resources/{identifier}/move", json={"lon": 139.402, "lat": 35.202, "version": 2},
                        headers=headers)  # the form's way: the version in the body
    assert moved.status_code == 200 and moved.headers["ETag"] == '"3"' and moved.get_json()["version"] == 3
    assert client.get(f"/api/resources/{identifier}").headers["ETag"] == '"3"'
    nothing = client.patch(f"/api/resources/{identifier}", json={"fee": "100円", "version": "3"}, headers=headers)
    assert nothing.status_code == 200 and nothing.get_json()["changes"] == {} and nothing.headers["ETag"] == '"3"'


def test_a_change_naming_no_version_is_428_and_a_bad_one_400(place):
    url, identifier = place
    client, headers = signed_in(url, "tanaka")
    before = stored(url, identifier)
    for response in (client.patch(f"/api/resources/{identifier}", json={"fee": "100円"}, headers=headers),
                     client.post(f"/api/resources/{identifier}/move", json={"lon": 139.402, "lat": 35.2},
                                 headers=headers),
                     client.delete(f"/api/resources/{identifier}", headers=headers)):
        body = response.get_json()
        assert response.status_code == 428 and response.mimetype == "application/problem+json", body
        assert body["type"] == "urn:geo-welfare:problem:edit_version_required" and body["status"] == 428
        assert "If-Match" in body["error"] and "If-Match" in body["error_en"]
        assert "version" not in body  # nothing a careless client could resend blindly
    assert client.patch("/api/resources/999999", json={"fee": "0"}, headers=headers).status_code == 404
    for bad in ({"If-Match": "*"}, {"If-Match": 'W/"1"'}, {"If-Match": "1"}, {"If-Match": '"1", "2"'}):
        response = client.patch(f"/api/resources/{identifier}", json={"fee": "100円"}, headers={**headers, **bad})
        assert response.status_code == 400 and response.get_json()["field"] == "If-Match", bad
        assert "If-Match" in response.get_json()["error_en"]
    for version in ("one", 1.5, True, [1], -1):
        response = client.patch(f"/api/resources/{identifier}", json={"fee": "100円", "version": version},
                                headers=headers)
        assert response.status_code == 400 and response.get_json()["field"] == "version", version
    disagreeing = client.patch(f"/api/resources/{identifier}", json={"fee": "100円", "version": 2},
                               headers={**headers, **if_match(1)})
    assert disagreeing.status_code == 400
    assert stored(url, identifier) == before


def test_saves_of_different_fields_on_fresh_versions_both_stay(place):
    url, identifier = place
    (first, first_headers), (second, second_headers) = signed_in(url, "tanaka"), signed_in(url, "suzuki")
    assert first.patch(f"/api/resources/{identifier}", json={"fee": "100円"},
                       headers={**first_headers, **if_match(1)}).status_code == 200
    fresh = second.get(f"/api/resources/{identifier}").headers["ETag"]
    assert fresh == '"2"'
    answer = second.patch(f"/api/resources/{identifier}", json={"note": "雨天中止"},
                          headers={**second_headers, "If-Match": fresh})
    assert answer.status_code == 200 and answer.get_json()["version"] == 3
    record = first.get(f"/api/resources/{identifier}").get_json()
    assert (record["fee"], record["note"], record["version"]) == ("100円", "雨天中止", 3)
    history = first.get(f"/api/resources/{identifier}/history").get_json()
    assert [(h["username"], h["changes"]) for h in history[1:]] == [
        ("tanaka", {"fee": ["無料", "100円"]}), ("suzuki", {"note": ["はじめ", "雨天中止"]})]


def test_a_stale_save_is_409_with_both_values_and_writes_nothing(place):
    url, identifier = place
    (first, first_headers), (second, second_headers) = signed_in(url, "tanaka"), signed_in(url, "suzuki")
    assert second.patch(f"/api/resources/{identifier}", json={"fee": "300円"},
                        headers={**second_headers, **if_match(1)}).status_code == 200
    before = stored(url, identifier)
    stale = first.patch(f"/api/resources/{identifier}", json={"fee": "500円", "note": "わたしのメモ", "version": 1},
                        headers=first_headers)
    body = stale.get_json()
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json", body
    assert body["type"] == "urn:geo-welfare:problem:edit_conflict" and body["status"] == 409
    assert body["version"] == 2 and body["resource"]["fee"] == "300円" and body["resource"]["id"] == identifier
    conflicts = {conflict["field"]: conflict for conflict in body["conflicts"]}
    assert set(conflicts) == {"fee", "note"}
    fee = conflicts["fee"]
    assert (fee["yours"], fee["theirs"], fee["changed_by"]) == ("500円", "300円", "suzuki")
    assert fee["changed_at"].endswith("+00:00") and fee["label"] == "参加費" and fee["label_en"] == "Fee"
    assert "500円" in fee["message"] and "300円" in fee["message"] and "suzuki" in fee["message"]
    assert "500円" in fee["message_en"] and "300円" in fee["message_en"] and "suzuki" in fee["message_en"]
    note = conflicts["note"]  # sent, and never changed by an edit since the place was made
    assert (note["yours"], note["theirs"], note["changed_by"]) == ("わたしのメモ", "はじめ", "importer")
    assert "版 1" in body["error"] and "500円" in body["error"] and "300円" in body["error"]
    assert "version 1" in body["error_en"] and "suzuki" in body["error_en"]
    assert stored(url, identifier) == before  # nothing written, no history row
    kept = first.patch(f"/api/resources/{identifier}", json={"fee": "500円", "version": body["version"]},
                       headers=first_headers)  # "keep mine": sent again on the version now stored
    assert kept.status_code == 200 and kept.get_json()["version"] == 3
    assert kept.get_json()["changes"] == {"fee": ["300円", "500円"]}


def test_a_stale_move_or_delete_is_409_and_the_place_stays(place):
    url, identifier = place
    (first, first_headers), (second, second_headers) = signed_in(url, "tanaka"), signed_in(url, "suzuki")
    assert second.post(f"/api/resources/{identifier}/move", json={"lon": 139.403, "lat": 35.203},
                       headers={**second_headers, **if_match(1)}).status_code == 200
    before = stored(url, identifier)
    moved = first.post(f"/api/resources/{identifier}/move", json={"lon": 139.404, "lat": 35.204},
                       headers={**first_headers, **if_match(1)})
    assert moved.status_code == 409
    conflicts = {c["field"]: c for c in moved.get_json()["conflicts"]}
    assert conflicts["lon"]["yours"] == 139.404 and conflicts["lon"]["theirs"] == pytest.approx(139.403, abs=1e-9)
    assert conflicts["lat"]["changed_by"] == "suzuki"
    deleted = first.delete(f"/api/resources/{identifier}", headers={**first_headers, **if_match(1)})
    assert deleted.status_code == 409 and deleted.get_json()["conflicts"] == []
    assert deleted.get_json()["error_en"].startswith("Someone changed this place")
    assert stored(url, identifier) == before and before[1]  # the row, its schedules and its history as they were
    assert first.delete(f"/api/resources/{identifier}", headers={**first_headers, **if_match(2)}).status_code == 200
    assert first.get(f"/api/resources/{identifier}").status_code == 404


def test_an_import_that_changes_a_place_raises_its_version(store_url, tmp_path):
    engine = open_store(store_url)
    add_user(engine, "tanaka", EDITORS["tanaka"], "editor")
    table = tmp_path / "salons.csv"
    rows = "ID,名称,種別,住所,緯度,経度,公開\nR1,{name},サロン,テスト町一丁目1番1号,35.2010,139.4010,公開\n"
    table.write_text(rows.format(name="ひだまりサロン"), encoding="utf-8")
    import_resources(engine, [table])
    with engine.connect() as connection:
        identifier = connection.execute(select(Resource.id).where(Resource.source_id == "R1")).scalar_one()
    client, headers = signed_in(store_url, "tanaka")
    assert client.get(f"/api/resources/{identifier}").headers["ETag"] == '"1"'
    import_resources(engine, [table])  # the same file again: the place is as it was
    assert client.get(f"/api/resources/{identifier}").headers["ETag"] == '"1"'
    table.write_text(rows.format(name="ひだまりサロン（新）"), encoding="utf-8")
    import_resources(engine, [table])
    assert client.get(f"/api/resources/{identifier}").headers["ETag"] == '"2"'
    stale = client.patch(f"/api/resources/{identifier}", json={"name": "わたしの名前"}, headers={**headers, **if_match(1)})
    assert stale.status_code == 409 and stale.get_json()["conflicts"][0]["theirs"] == "ひだまりサロン（新）"


def test_on_sqlite_the_conditional_update_catches_a_save_between_read_and_write(spatialite_url):
    """SQLite has no FOR UPDATE: another save may land after the row is read; the UPDATE's condition refuses it."""
    engine = open_store(spatialite_url)
    identifier = create_resource(engine, PLACE, "importer")
    other = create_store_engine(spatialite_url)
    landed = []

    def another_save_first(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE RESOURCE") and not landed:
            landed.append(True)
            with other.begin() as elsewhere:
                elsewhere.execute(text("UPDATE resource SET fee = '300円', version = version + 1 WHERE id = :id"),
                                  {"id": identifier})

    event.listen(engine, "before_cursor_execute", another_save_first)
    try:
        with pytest.raises(StaleVersion) as refused:
            update_resource(engine, identifier, {"fee": "500円"}, "tanaka", version=1)
    finally:
        event.remove(engine, "before_cursor_execute", another_save_first)
        other.dispose()
    assert landed and refused.value.version == 2
    assert refused.value.conflicts[0] | {"changed_at": None} == {
        "field": "fee", "yours": "500円", "theirs": "300円", "changed_by": "importer", "changed_at": None}
    with engine.connect() as connection:
        assert connection.execute(select(Resource.fee, Resource.version).where(Resource.id == identifier)).one() \
            == ("300円", 2)
        assert connection.execute(select(func.count()).select_from(ResourceChange)
                                  .where(ResourceChange.resource_id == identifier)).scalar_one() == 1  # the create


# ---------------------------------------------------------------------------------------------
# Headless Chromium: the form shows both values and the editor chooses


@pytest.fixture
def place_server(place):
    url, _ = place
    yield from serve(create_app(url, tiles="none"))


def open_the_form(page, identifier: int) -> None:
    page.locator(f".gw-edit-marker.gw-id-{identifier}").click()
    page.locator(".leaflet-popup .gw-edit-button").click()
    page.locator(".gw-editor form").wait_for()
    page.locator(".gw-editor h5").wait_for()  # the history list: the form is filled


def record_of(url: str, identifier: int) -> dict:
    with open_store(url).connect() as connection:
        row = connection.execute(select(Resource.name, Resource.fee, Resource.capacity, Resource.note, Resource.version)
                                 .where(Resource.id == identifier)).mappings().one()
    return dict(row)


@pytest.mark.browser
@pytest.mark.parametrize("store_url", ["spatialite"], indirect=True)
def test_the_form_shows_both_values_of_a_stale_save_and_saves_the_one_chosen(browser, place_server, place):
    url, identifier = place
    other, other_headers = signed_in(url, "suzuki")
    watched = Watched(browser, place_server)
    page = watched.page
    page.goto(place_server + "/login", wait_until="networkidle")
    page.fill("#username", "tanaka")
    page.fill("#password", EDITORS["tanaka"])
    with page.expect_navigation(wait_until="networkidle"):
        page.click("button[type=submit]")

    # Keep mine: A opens the form, B saves fee and note, A saves fee and capacity.
    open_the_form(page, identifier)
    assert other.patch(f"/api/resources/{identifier}", json={"fee": "300円", "note": "Bのメモ"},
                       headers={**other_headers, **if_match(1)}).status_code == 200
    page.fill("#gw-field-fee", "500円")
    page.fill("#gw-field-capacity", "30")
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        page.click(".gw-editor .gw-save")
    assert answer.value.status == 409
    conflict = page.locator('.gw-conflict[data-field="fee"]')
    conflict.wait_for()
    shown = conflict.inner_text()
    assert "500円" in shown and "300円" in shown and "suzuki" in shown and "あなたの値" in shown, shown
    assert page.locator(".gw-conflict").count() == 1  # capacity: B did not change it, so nothing to choose
    assert "gw-conflicted" in page.locator("#gw-field-fee").get_attribute("class")
    assert "ほかの人が先に保存しました" in page.locator(".gw-editor .gw-error").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_editing_conflict.png"))
    with page.expect_navigation(wait_until="networkidle"):
        with page.expect_response(lambda r: r.request.method == "PATCH") as again:
            conflict.locator(".gw-keep-mine").click()
    assert again.value.status == 200 and again.value.request.post_data_json == {
        "fee": "500円", "capacity": "30", "version": 2}
    assert record_of(url, identifier) == {"name": PLACE["name"], "fee": "500円", "capacity": 30, "note": "Bのメモ",
                                          "version": 3}  # B's note kept, A's fee and capacity saved

    # Take theirs: B renames the place while A's form is open with another name.
    open_the_form(page, identifier)
    assert other.patch(f"/api/resources/{identifier}", json={"name": "Bの名前"},
                       headers={**other_headers, **if_match(3)}).status_code == 200
    page.fill("#gw-field-name", "Aの名前")
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        page.click(".gw-editor .gw-save")
    assert answer.value.status == 409
    page.locator('.gw-conflict[data-field="name"]').wait_for()
    with page.expect_navigation(wait_until="networkidle"):
        with page.expect_response(lambda r: r.request.method == "PATCH") as again:
            page.click('.gw-conflict[data-field="name"] .gw-take-theirs')
    assert again.value.status == 200 and again.value.request.post_data_json == {"version": 4}
    assert record_of(url, identifier)["name"] == "Bの名前" and record_of(url, identifier)["version"] == 4

    # A drag on the version the page was drawn from, after B changed another field: sent again at once.
    assert other.patch(f"/api/resources/{identifier}", json={"note": "Bの二つめのメモ"},
                       headers={**other_headers, **if_match(4)}).status_code == 200
    moves = []
    page.on("response", lambda r: moves.append(r.status) if r.url.endswith("/move") else None)
    box = page.locator(f".gw-edit-marker.gw-id-{identifier}").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_response(lambda r: r.url.endswith("/move") and r.status == 200):
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 40, y + 30, steps=8)
        page.mouse.up()
    assert moves == [409, 200]
    assert record_of(url, identifier)["note"] == "Bの二つめのメモ" and record_of(url, identifier)["version"] == 6
    history = other.get(f"/api/resources/{identifier}/history").get_json()
    assert [(h["username"], h["action"]) for h in history] == [
        ("importer", "create"), ("suzuki", "update"), ("tanaka", "update"), ("suzuki", "update"),
        ("suzuki", "update"), ("tanaka", "move")]
    refused = "Failed to load resource: the server responded with a status of 409 (CONFLICT)"
    assert watched.errors.count(refused) == 3  # the two stale saves and the stale drag, nothing else
    watched.errors[:] = [error for error in watched.errors if error != refused]
    watched.check_offline()
    page.close()
