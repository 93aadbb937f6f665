"""Editing in the web app: editors sign in and add, change, move and delete places; viewers only read.

Every store test runs on SpatiaLite and on PostGIS.  A small town is written here: two small
areas, two public salons and one staff-only salon, and two users (an editor and a viewer).
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import re
import stat
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, inspect, select, text
from werkzeug.security import check_password_hash

from geo_welfare.cli import main
from geo_welfare.store.importing import import_areas, import_resources
from geo_welfare.core.config import cache_directory
from geo_welfare.store import open_store
from geo_welfare.store.users import add_user
from geo_welfare.store.engine import create_store_engine
from geo_welfare.store.models import Resource, ResourceChange, Schedule, User
from geo_welfare.store.schema import alembic_config, current_revision, head_revision
from geo_welfare.web import create_app
from helpers import ARTIFACTS, Watched, fresh_postgis_database, serve

EDITOR, EDITOR_PASSWORD = "tanaka", "correct horse battery 1"
VIEWER, VIEWER_PASSWORD = "suzuki", "viewer-password-22"

SQUARE_1 = [[139.40, 35.20], [139.402, 35.20], [139.402, 35.202], [139.40, 35.202], [139.40, 35.20]]
SQUARE_2 = [[139.402, 35.20], [139.404, 35.20], [139.404, 35.202], [139.402, 35.202], [139.402, 35.20]]
RESOURCE_ROWS = [
    ["ID", "名称", "種別", "住所", "緯度", "経度", "開催日", "開始時間", "終了時間", "定員", "公開"],
    ["R1", "ひだまりサロン", "サロン", "テスト町一丁目1番1号", "35.2010", "139.4010", "毎週水曜日", "10:00", "12:00", "20",
     "公開"],
    ["R2", "みどりの縁側", "地域の縁側", "テスト町二丁目2番2号", "35.2015", "139.4030", "月水金", "10:00", "16:00", "",
     "公開"],
    ["R3", "ないしょサロン", "サロン", "テスト町二丁目3番3号", "35.2005", "139.4025", "毎週金曜日", "13:00", "15:00", "",
     "職員のみ"],
]
#: What an editor posts for a new place, and what the API then serves for it.
NEW_RESOURCE = {
    "name": "はなみずき通いの場", "kind": "通いの場", "address": "テスト町一丁目5番5号", "schedule_text": "第1・第3木曜日 14:00〜15:30",
    "target_groups": "65歳以上", "fee": "無料", "capacity": "15人", "barrier_free": True, "consultation": False,
    "phone": "000-0000-0005", "last_checked": "2026-11-01", "lon": 139.4012345, "lat": 35.2016789,
}
NEW_RESOURCE_STORED = {
    "kind": "kayoi_no_ba", "name": "はなみずき通いの場", "name_kana": None, "operator": None,
    "address": "テスト町一丁目5番5号", "phone": "000-0000-0005", "url": None, "target_groups": "65歳以上", "fee": "無料",
    "capacity": 15, "capacity_text": "15人", "barrier_free": True, "consultation": False, "consultation_fields": None,
    "outreach": None, "visibility": "public", "last_checked": "2026-11-01",
    "schedule_text": "第1・第3木曜日 14:00〜15:30", "note": None, "lon": 139.4012345, "lat": 35.2016789,
}
NEW_RESOURCE_SERVED = {
    "kind": "kayoi_no_ba", "kind_label": "通いの場", "name": "はなみずき通いの場", "address": "テスト町一丁目5番5号",
    "phone": "000-0000-0005", "schedule": "毎月 第1・第3 木曜日 14:00〜15:30", "target_groups": "65歳以上", "fee": "無料",
    "capacity": 15, "barrier_free": True, "consultation": False, "last_checked": "2026-11-01",
    "schedules": [{"freq": "MONTHLY", "interval": 1, "byday": "1TH,3TH", "bymonthday": None, "opens_at": "14:00",
                   "closes_at": "15:30"}],
}


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    """A fresh signing key per test (the key file beside the store is tested on its own)."""
    monkeypatch.setenv("GEO_WELFARE_SECRET_KEY", uuid.uuid4().hex)


def _polygon(code: str, name: str, ring: list) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def seed_town(url: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    small = folder / "small_areas.geojson"
    small.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _polygon("T001", "テスト町一丁目", SQUARE_1), _polygon("T002", "テスト町二丁目", SQUARE_2)]}, ensure_ascii=False),
        encoding="utf-8")
    resources = folder / "resources.csv"
    with open(resources, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(RESOURCE_ROWS)
    engine = open_store(url)
    import_areas(engine, [small], "small_area")
    import_resources(engine, [resources])


@pytest.fixture
def town(store_url, tmp_path):
    seed_town(store_url, tmp_path / "town")
    engine = open_store(store_url)
    add_user(engine, EDITOR, EDITOR_PASSWORD, "editor")
    add_user(engine, VIEWER, VIEWER_PASSWORD, "viewer")
    return store_url


def resource_id(url: str, name: str) -> int:
    with open_store(url).connect() as connection:
        return connection.execute(select(Resource.id).where(Resource.name == name)).scalar_one()


def snapshot(url: str) -> tuple:
    """Every row of the resource, schedule and history tables (geometry as text)."""
    engine = open_store(url)
    columns = [c for c in Resource.__table__.columns if c.name != "geom"]
    with engine.connect() as connection:
        resources = connection.execute(select(*columns, func.ST_AsText(Resource.geom)).order_by(Resource.id)).all()
        schedules = connection.execute(select(Schedule.__table__).order_by(Schedule.id)).all()
        history = connection.execute(select(ResourceChange.__table__).order_by(ResourceChange.id)).all()
    return [tuple(r) for r in resources], [tuple(r) for r in schedules], [tuple(r) for r in history]


def stored_point(url: str, identifier: int) -> tuple[float, float]:
    with open_store(url).connect() as connection:
        return tuple(connection.execute(select(func.ST_X(Resource.geom), func.ST_Y(Resource.geom))
                                        .where(Resource.id == identifier)).one())


def sign_in(client, username: str, password: str):
    """Sign in through the form as a browser would (the form's CSRF token included)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/"})


def csrf(client) -> str:
    return client.get("/api/session").get_json()["csrf_token"]


def fresh(client, identifier: int) -> dict:
    """``If-Match`` with the resource's version now: a change names the version it is based on."""
    return {"If-Match": client.get(f"/api/resources/{identifier}").headers["ETag"]}


def editor_client(url: str):
    client = create_app(url, tiles="none").test_client()
    assert sign_in(client, EDITOR, EDITOR_PASSWORD).status_code == 302
    return client, {"X-CSRFToken": csrf(client)}


def served(client) -> dict[str, dict]:
    return {f["properties"]["name"]: f for f in client.get("/api/resources").get_json()["features"]}


def shows(words: str, page: str) -> bool:
    return words in page or json.dumps(words)[1:-1] in page


# ---------------------------------------------------------------------------------------------
# The API


def test_an_editor_adds_changes_moves_and_deletes_a_place_with_its_history(town):
    client, headers = editor_client(town)
    started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)

    created = client.post("/api/resources", json=NEW_RESOURCE, headers=headers)
    assert created.status_code == 201, created.get_json()
    identifier = created.get_json()["id"]
    assert created.headers["Location"].endswith(f"/api/resources/{identifier}")
    assert created.get_json()["resource"] == {"id": identifier, **NEW_RESOURCE_STORED}
    feature = served(client)["はなみずき通いの場"]
    assert {key: feature["properties"][key] for key in NEW_RESOURCE_SERVED} == NEW_RESOURCE_SERVED
    assert feature["properties"]["id"] == identifier
    assert feature["geometry"] == {"type": "Point", "coordinates": [139.401235, 35.201679]}  # rounded to 6 decimals
    assert stored_point(town, identifier) == pytest.approx((139.4012345, 35.2016789), abs=1e-9)

    changed = client.patch(f"/api/resources/{identifier}", json={"capacity": 12, "fee": "100円", "note": "雨天中止"},
                           headers={**headers, **fresh(client, identifier)})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["changes"] == {"capacity": [15, 12], "fee": ["無料", "100円"], "note": [None, "雨天中止"]}
    assert served(client)["はなみずき通いの場"]["properties"]["capacity"] == 12
    schedule_change = client.patch(f"/api/resources/{identifier}", json={"schedule_text": "毎週火曜 10:00〜11:00"},
                                   headers={**headers, **fresh(client, identifier)})
    assert schedule_change.status_code == 200
    properties = served(client)["はなみずき通いの場"]["properties"]
    assert properties["schedule"] == "毎週 火曜日 10:00〜11:00"  # re-parsed as the importer parses it
    assert properties["schedules"] == [{"freq": "WEEKLY", "interval": 1, "byday": "TU", "bymonthday": None,
                                        "opens_at": "10:00", "closes_at": "11:00"}]

    lon, lat = 139.40311223344, 35.20099887766
    moved = client.post(f"/api/resources/{identifier}/move", json={"lon": lon, "lat": lat},
                        headers={**headers, **fresh(client, identifier)})
    assert moved.status_code == 200, moved.get_json()
    stored_lon, stored_lat = stored_point(town, identifier)
    assert abs(stored_lon - lon) < 1e-7 and abs(stored_lat - lat) < 1e-7
    assert client.get(f"/api/resources/{identifier}").get_json()["lon"] == pytest.approx(lon, abs=1e-7)

    deleted = client.delete(f"/api/resources/{identifier}", headers={**headers, **fresh(client, identifier)})
    assert deleted.status_code == 200
    assert "はなみずき通いの場" not in served(client)
    assert client.get(f"/api/resources/{identifier}").status_code == 404
    assert client.patch(f"/api/resources/{identifier}", json={"fee": "0"}, headers=headers).status_code == 404

    history = client.get(f"/api/resources/{identifier}/history").get_json()
    assert [(h["action"], h["username"]) for h in history] == [
        ("create", EDITOR), ("update", EDITOR), ("update", EDITOR), ("move", EDITOR), ("delete", EDITOR)]
    assert history[0]["changes"] == {field: [None, value] for field, value in NEW_RESOURCE_STORED.items()
                                     if value is not None and field != "capacity_text"}  # the text is not a field
    assert history[1]["changes"] == {"capacity": [15, 12], "fee": ["無料", "100円"], "note": [None, "雨天中止"]}
    assert history[2]["changes"] == {"schedule_text": ["第1・第3木曜日 14:00〜15:30", "毎週火曜 10:00〜11:00"]}
    assert history[3]["changes"] == {"lon": [pytest.approx(139.4012345, abs=1e-9), pytest.approx(lon, abs=1e-9)],
                                     "lat": [pytest.approx(35.2016789, abs=1e-9), pytest.approx(lat, abs=1e-9)]}
    assert history[4]["changes"]["name"] == ["はなみずき通いの場", None]
    assert history[4]["changes"]["capacity"] == [12, None]
    times = [datetime.datetime.fromisoformat(h["changed_at"]) for h in history]
    assert all(t.utcoffset() == datetime.timedelta(0) for t in times)  # UTC
    assert times == sorted(times) and started <= times[0] <= datetime.datetime.now(datetime.UTC)


def test_moving_an_imported_place_and_changing_nothing(town):
    client, headers = editor_client(town)
    identifier = resource_id(town, "ひだまりサロン")
    moved = client.post(f"/api/resources/{identifier}/move", json={"lon": "139.4011", "lat": 35.2012},
                        headers={**headers, **fresh(client, identifier)})
    assert moved.status_code == 200 and moved.get_json()["changes"]["lon"][0] == pytest.approx(139.401)
    before = snapshot(town)
    same = client.patch(f"/api/resources/{identifier}", json={"capacity": "20"},
                        headers={**headers, **fresh(client, identifier)})
    assert same.status_code == 200 and same.get_json()["changes"] == {}
    assert snapshot(town) == before  # no history row for no change
    assert [h["action"] for h in client.get(f"/api/resources/{identifier}/history").get_json()] == [
        "import", "move"]  # the import that created it, then the move


BAD_INPUT = [
    ({"kind": "bogus"}, "kind", "種別", "unknown kind"),
    ({"lat": 95}, "lat", "緯度", "outside Japan"),
    ({"lon": 139.40, "lat": "north"}, "lat", "緯度", "decimal degrees"),
    ({"capacity": "many"}, "capacity", "定員", "whole number"),
    ({"name": None}, "name", "名称", "name is empty"),
    ({"barrier_free": "maybe"}, "barrier_free", "バリアフリー", "yes/no"),
    ({"last_checked": "昨日"}, "last_checked", "最終確認日", "date"),
    ({"visibility": "secret"}, "visibility", "公開区分", "staff only"),
    ({"name": "x" * 301}, "name", "名称", "at most 300"),
    ({"colour": "red"}, "colour", "colour", "unknown field"),
]


@pytest.mark.parametrize("change, field, label_ja, reason_en", BAD_INPUT, ids=[b[1] + ":" + str(i)
                                                                                 for i, b in enumerate(BAD_INPUT)])
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(town, change, field, label_ja, reason_en):
    client, headers = editor_client(town)
    before = snapshot(town)
    new_resource = {key: value for key, value in {**NEW_RESOURCE, **change}.items() if value is not None}
    identifier = resource_id(town, "ひだまりサロン")
    for response in (client.post("/api/resources", json=new_resource, headers=headers),
                     client.patch(f"/api/resources/{identifier}", json=change,
                                  headers={**headers, **fresh(client, identifier)})):
        assert response.status_code == 400
        body = response.get_json()
        assert body["fields"] == [field]
        assert f"{label_ja}（{field}）" in body["error"] and f"({field})" in body["error_en"]
        assert reason_en in body["error_en"], body["error_en"]
    assert snapshot(town) == before


def test_a_bad_move_and_a_bad_body_are_refused(town):
    client, headers = editor_client(town)
    identifier = resource_id(town, "ひだまりサロン")
    before = snapshot(town)
    headers = {**headers, **fresh(client, identifier)}
    swapped = client.post(f"/api/resources/{identifier}/move", json={"lon": 35.2, "lat": 139.4}, headers=headers)
    assert swapped.status_code == 400 and swapped.get_json()["fields"] == ["lon, lat"]
    assert "入れ替わって" in swapped.get_json()["error"] and "swapped" in swapped.get_json()["error_en"]
    missing = client.post(f"/api/resources/{identifier}/move", json={"lon": 139.4}, headers=headers)
    assert missing.status_code == 400 and missing.get_json()["fields"] == ["lat"]
    assert client.post("/api/resources", data="[1, 2]", content_type="application/json",
                       headers=headers).status_code == 400
    assert client.post(f"/api/resources/{identifier}/move", json={"lon": 139.4, "lat": 35.2, "x": 1},
                       headers=headers).status_code == 400
    assert client.post("/api/resources/999999/move", json={"lon": 139.4, "lat": 35.2},
                       headers=headers).status_code == 404
    assert snapshot(town) == before


def test_viewers_and_anonymous_visitors_change_nothing(town):
    identifier = resource_id(town, "ひだまりサロン")
    before = snapshot(town)
    viewer = create_app(town, tiles="none").test_client()
    assert sign_in(viewer, VIEWER, VIEWER_PASSWORD).status_code == 302
    assert viewer.get("/api/session").get_json()["role"] == "viewer"
    anonymous = create_app(town, tiles="none").test_client()
    for client, status in ((viewer, 403), (anonymous, 401)):
        headers = {"X-CSRFToken": csrf(client)}  # a valid token: only the role stops them
        calls = [client.post("/api/resources", json=NEW_RESOURCE, headers=headers),
                 client.patch(f"/api/resources/{identifier}", json={"fee": "500円"}, headers=headers),
                 client.post(f"/api/resources/{identifier}/move", json={"lon": 139.403, "lat": 35.201},
                             headers=headers),
                 client.delete(f"/api/resources/{identifier}", headers=headers),
                 client.get(f"/api/resources/{identifier}/history"),
                 client.get(f"/api/resources/{identifier}")]
        assert [response.status_code for response in calls] == [status] * len(calls)
        assert calls[0].get_json()["error"] and calls[0].get_json()["error_en"]
    assert snapshot(town) == before
    page = viewer.get("/").get_data(as_text=True)
    assert "editing.js" not in page and "GW_EDITOR" not in page and shows("ログアウト", page)
    assert "editing.js" not in anonymous.get("/").get_data(as_text=True)


def test_every_change_needs_the_csrf_token(town):
    client, headers = editor_client(town)
    identifier = resource_id(town, "ひだまりサロン")
    before = snapshot(town)
    for bad in ({}, {"X-CSRFToken": "forged"}, {"X-CSRFToken": ""}):
        calls = [client.post("/api/resources", json=NEW_RESOURCE, headers=bad),
                 client.patch(f"/api/resources/{identifier}", json={"fee": "500円"}, headers=bad),
                 client.post(f"/api/resources/{identifier}/move", json={"lon": 139.403, "lat": 35.201}, headers=bad),
                 client.delete(f"/api/resources/{identifier}", headers=bad)]
        assert [response.status_code for response in calls] == [400] * 4
        assert "CSRF" in calls[0].get_json()["error"] and "CSRF" in calls[0].get_json()["error_en"]
    # Another session's token is no good either.
    _, other_headers = editor_client(town)
    assert client.post("/api/resources", json=NEW_RESOURCE, headers=other_headers).status_code == 400
    assert snapshot(town) == before
    # The forms too: signing in and out need the token.
    fresh = create_app(town, tiles="none").test_client()
    assert fresh.post("/login", data={"username": EDITOR, "password": EDITOR_PASSWORD}).status_code == 400
    assert fresh.get("/api/session").get_json()["username"] is None
    assert client.post("/logout").status_code == 400
    assert client.get("/api/session").get_json()["username"] == EDITOR
    assert client.post("/logout", data={"csrf_token": headers["X-CSRFToken"]}).status_code == 302
    assert client.get("/api/session").get_json()["username"] is None
    assert client.post("/api/resources", json=NEW_RESOURCE, headers=headers).status_code in (400, 401)


def test_passwords_are_stored_as_salted_hashes(town):
    with open_store(town).connect() as connection:
        rows = dict(connection.execute(select(User.username, User.password_hash)).all())
    for name, password in ((EDITOR, EDITOR_PASSWORD), (VIEWER, VIEWER_PASSWORD)):
        assert rows[name] != password and password not in rows[name]
        assert rows[name].split(":")[0] in ("scrypt", "pbkdf2")
        assert check_password_hash(rows[name], password) and not check_password_hash(rows[name], password + "x")
    client = create_app(town, tiles="none").test_client()
    wrong = sign_in(client, EDITOR, "wrong password!")
    assert wrong.status_code == 401 and "利用者名またはパスワードが違います" in wrong.get_data(as_text=True)
    assert sign_in(client, "nobody", EDITOR_PASSWORD).status_code == 401
    assert client.get("/api/session").get_json()["username"] is None


def test_sessions_expire_and_cookies_are_guarded(town):
    app = create_app(town, tiles="none")
    assert app.config["PERMANENT_SESSION_LIFETIME"] == datetime.timedelta(hours=8)
    app.config["PERMANENT_SESSION_LIFETIME"] = datetime.timedelta(seconds=1)
    client = app.test_client()
    response = sign_in(client, EDITOR, EDITOR_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert client.get("/api/session").get_json()["username"] == EDITOR
    value = client.get_cookie("geo_welfare_session").value
    time.sleep(2.2)
    assert client.get("/api/session").get_json() | {"csrf_token": None} == {
        "username": None, "role": None, "csrf_token": None}
    # Even a client that keeps sending the old cookie past its expiry is anonymous.
    replay = app.test_client()
    replay.set_cookie("geo_welfare_session", value)
    token = replay.get("/api/session").get_json()["csrf_token"]
    assert replay.post("/api/resources", json=NEW_RESOURCE, headers={"X-CSRFToken": token}).status_code in (400, 401)
    assert "はなみずき通いの場" not in served(replay)


def test_a_removed_user_is_signed_out_at_once(town):
    client, headers = editor_client(town)
    result = CliRunner().invoke(main, ["--database", town, "--lang", "en", "user", "remove", EDITOR])
    assert result.exit_code == 0, result.output
    assert client.post("/api/resources", json=NEW_RESOURCE, headers=headers).status_code == 401


def test_staff_only_places_are_for_editors_alone(town):
    anonymous = create_app(town, tiles="none").test_client()
    viewer = create_app(town, tiles="none").test_client()
    sign_in(viewer, VIEWER, VIEWER_PASSWORD)
    for client in (anonymous, viewer):
        assert set(served(client)) == {"ひだまりサロン", "みどりの縁側"}
        page = client.get("/").get_data(as_text=True)
        assert shows("ひだまりサロン", page) and not shows("ないしょサロン", page)
    editor, _ = editor_client(town)
    assert set(served(editor)) == {"ひだまりサロン", "みどりの縁側", "ないしょサロン"}
    page = editor.get("/").get_data(as_text=True)
    assert shows("ないしょサロン", page) and "editing.js" in page
    staff_id = resource_id(town, "ないしょサロン")
    assert editor.get(f"/api/resources/{staff_id}").get_json()["visibility"] == "staff"
    # Made public by an editor, it reaches everyone; made staff-only again, it leaves.
    headers = {"X-CSRFToken": csrf(editor)}
    assert editor.patch(f"/api/resources/{staff_id}", json={"visibility": "公開"},
                        headers={**headers, **fresh(editor, staff_id)}).status_code == 200
    assert "ないしょサロン" in served(anonymous)
    assert editor.patch(f"/api/resources/{staff_id}", json={"visibility": "staff"},
                        headers={**headers, **fresh(editor, staff_id)}).status_code == 200
    assert "ないしょサロン" not in served(anonymous) and "ないしょサロン" not in served(viewer)


def test_the_sign_in_page_in_both_languages(town):
    client = create_app(town, tiles="none").test_client()
    japanese = client.get("/login").get_data(as_text=True)
    for words in ("ログイン", "利用者名", "パスワード", "地図に戻る"):
        assert words in japanese
    english = client.get("/login?lang=en").get_data(as_text=True)
    for words in ("Sign in", "User name", "Password", "Back to the map"):
        assert words in english
    assert not re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", japanese)  # nothing from elsewhere
    # After signing in the user goes back to a page of this site, never to another host.
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": EDITOR, "password": EDITOR_PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_secret_key_is_random_and_kept_beside_the_store(spatialite_url, monkeypatch):
    monkeypatch.delenv("GEO_WELFARE_SECRET_KEY")
    first = create_app(spatialite_url, tiles="none").config["SECRET_KEY"]
    key_file = cache_directory(spatialite_url) / "secret_key"
    assert key_file.read_text() == first and len(first) >= 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert create_app(spatialite_url, tiles="none").config["SECRET_KEY"] == first  # sessions survive a restart
    monkeypatch.setenv("GEO_WELFARE_SECRET_KEY", "from-the-environment")
    assert create_app(spatialite_url, tiles="none").config["SECRET_KEY"] == "from-the-environment"


# ---------------------------------------------------------------------------------------------
# The command line


def test_user_commands(store_url):
    runner = CliRunner()

    def run(*arguments, input=None):
        return runner.invoke(main, ["--database", store_url, "--lang", "en", *arguments], input=input)

    added = run("user", "add", "sato", "--role", "editor", input="long-enough-pw\nlong-enough-pw\n")
    assert added.exit_code == 0, added.output
    assert "long-enough-pw" not in added.output  # never echoed
    assert run("user", "add", "kato", "--role", "viewer", input="long-enough-pw\nother-password\n").exit_code != 0
    short = run("user", "add", "kato", "--role", "viewer", input="short\nshort\n")
    assert short.exit_code == 1 and "at least 8" in short.output
    assert run("user", "add", "kato", "--role", "admin", input="x\n").exit_code == 2
    taken = run("user", "add", "sato", "--role", "viewer")
    assert taken.exit_code == 1 and "taken" in taken.output
    assert run("user", "add", "kato", "--role", "viewer", input="long-enough-pw\nlong-enough-pw\n").exit_code == 0
    listing = run("user", "list")
    assert [line.split("\t")[:2] for line in listing.stdout.splitlines()] == [["kato", "viewer"], ["sato", "editor"]]
    assert run("user", "remove", "kato").exit_code == 0
    assert run("user", "remove", "kato").exit_code == 1
    assert [line.split("\t")[0] for line in run("user", "list").stdout.splitlines()] == ["sato"]
    client = create_app(store_url, tiles="none").test_client()
    assert sign_in(client, "sato", "long-enough-pw").status_code == 302


# ---------------------------------------------------------------------------------------------
# The migration from 0001


@pytest.fixture(params=["spatialite", pytest.param("postgis", marks=pytest.mark.postgis)])
def empty_store_url(request, tmp_path):
    """An empty database (no schema at all) on each backend."""
    if request.param == "spatialite":
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    request.getfixturevalue("postgis_template")  # fails in CI (skips elsewhere) when the server is not there
    with fresh_postgis_database(None) as url:
        yield url


def test_upgrading_a_0001_store_keeps_its_rows(empty_store_url, tmp_path):
    from alembic import command

    engine = create_store_engine(empty_store_url)
    command.upgrade(alembic_config(engine), "0001")
    assert current_revision(engine) == "0001"
    assert "app_user" not in inspect(engine).get_table_names()
    with engine.begin() as connection:  # a store filled before users existed
        connection.execute(text(
            "INSERT INTO resource (source, source_id, kind, name, visibility, closed_on_holidays, closed_year_end, "
            "geom) VALUES ('old', 'A', 'salon', '古いサロン', 'public', false, false, "
            "ST_GeomFromText('POINT(139.401 35.201)', 6668))"))
    resource_rows = snapshot_engine(engine)
    command.upgrade(alembic_config(engine), "head")
    assert current_revision(engine) == head_revision() == "0013"
    assert snapshot_engine(engine) == resource_rows
    assert {"app_user", "resource_change"} <= set(inspect(engine).get_table_names())
    add_user(engine, "sato", "long-enough-pw", "editor")
    with engine.begin() as connection:
        connection.execute(insert(ResourceChange).values(resource_id=1, username="sato", action="update",
                                                         changed_at=datetime.datetime(2026, 1, 1), changes="{}"))
    command.downgrade(alembic_config(engine), "0001")  # and back, leaving the old rows alone
    assert "app_user" not in inspect(engine).get_table_names() and snapshot_engine(engine) == resource_rows
    engine.dispose()
    open_store.cache_clear()
    assert current_revision(open_store(empty_store_url)) == head_revision()  # opening the store upgrades it


def snapshot_engine(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT id, source, source_id, kind, name, visibility, ST_AsText(geom) FROM resource ORDER BY id"))]


# ---------------------------------------------------------------------------------------------
# Headless Chromium


@pytest.fixture
def town_server(town):
    yield from serve(create_app(town, tiles="none"))


def sign_in_with_the_form(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login", wait_until="networkidle")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation(wait_until="networkidle"):
        page.click("button[type=submit]")
    assert page.url.rstrip("/") == base


MARKER_AT = """id => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  let found = null;
  map.eachLayer(l => { if (l instanceof L.Marker && l.gwId === id) found = l.getLatLng(); });
  return found && [found.lng, found.lat];
}"""


@pytest.mark.browser
@pytest.mark.parametrize("store_url", ["spatialite"], indirect=True)
def test_an_editor_drags_a_marker_to_its_new_place(browser, town_server, town):
    watched = Watched(browser, town_server)
    page = watched.page
    sign_in_with_the_form(page, town_server, EDITOR, EDITOR_PASSWORD)
    identifier = resource_id(town, "ひだまりサロン")
    staff_id = resource_id(town, "ないしょサロン")
    assert page.locator(".leaflet-marker-draggable").count() == 3  # the staff-only salon too, for an editor
    assert page.locator(f".gw-edit-marker.gw-id-{staff_id}.gw-staff-only").count() == 1
    assert page.locator("path.gw-resource").count() == 0  # every circle became a draggable marker
    marker = page.locator(f".gw-edit-marker.gw-id-{identifier}")
    box = marker.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_response(lambda r: r.url.endswith(f"/api/resources/{identifier}/move")) as answer:
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 60, y + 40, steps=8)
        page.mouse.move(x + 120, y + 80, steps=8)
        page.mouse.up()
    assert answer.value.status == 200
    posted = answer.value.request.post_data_json
    assert answer.value.request.headers["x-csrftoken"]
    stored_lon, stored_lat = stored_point(town, identifier)
    assert abs(stored_lon - posted["lon"]) < 1e-7 and abs(stored_lat - posted["lat"]) < 1e-7
    assert stored_lon > 139.4010 and stored_lat < 35.2010  # dragged right and down: east and south
    history = create_app(town, tiles="none").test_client()
    sign_in(history, EDITOR, EDITOR_PASSWORD)
    changes = history.get(f"/api/resources/{identifier}/history").get_json()
    assert [(c["action"], c["username"]) for c in changes] == [("import", "resources.csv"), ("move", EDITOR)]
    assert changes[1]["changes"]["lon"][1] == pytest.approx(posted["lon"], abs=1e-9)

    page.reload(wait_until="networkidle")
    lon, lat = page.evaluate(MARKER_AT, identifier)
    assert abs(lon - posted["lon"]) < 1e-7 and abs(lat - posted["lat"]) < 1e-7
    after = page.locator(f".gw-edit-marker.gw-id-{identifier}").bounding_box()
    assert abs(after["x"] - (box["x"] + 120)) <= 3 and abs(after["y"] - (box["y"] + 80)) <= 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_editing_moved.png"))

    # The form: a bad capacity is refused in words, a good one saved.
    page.locator(f".gw-edit-marker.gw-id-{identifier}").click()
    page.locator(".leaflet-popup .gw-edit-button").click()
    page.locator(".gw-editor form").wait_for()
    assert page.locator("#gw-field-name").input_value() == "ひだまりサロン"
    page.locator(".gw-editor h5").wait_for()  # the history list
    assert "移動" in page.locator(".gw-history").inner_text() and EDITOR in page.locator(".gw-history").inner_text()
    page.fill("#gw-field-capacity", "たくさん")
    page.click(".gw-editor .gw-save")
    page.locator(".gw-editor .gw-error").filter(has_text="定員").wait_for()
    assert "gw-bad" in page.locator("#gw-field-capacity").get_attribute("class")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "web_editing_editor.png"))
    page.fill("#gw-field-capacity", "25")
    with page.expect_navigation(wait_until="networkidle"):
        page.click(".gw-editor .gw-save")
    with open_store(town).connect() as connection:
        assert connection.execute(select(Resource.capacity).where(Resource.id == identifier)).scalar_one() == 25
    assert [c["action"] for c in history.get(f"/api/resources/{identifier}/history").get_json()] == [
        "import", "move", "update"]
    refused = "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"
    assert watched.errors.count(refused) == 1  # the bad capacity, and nothing else went wrong
    watched.errors.remove(refused)
    watched.check_offline()
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("store_url", ["spatialite"], indirect=True)
def test_a_viewer_sees_no_editing_controls(browser, town_server, town):
    watched = Watched(browser, town_server)
    page = watched.page
    sign_in_with_the_form(page, town_server, VIEWER, VIEWER_PASSWORD)
    assert VIEWER in page.locator(".gw-user").inner_text() and "閲覧者" in page.locator(".gw-user").inner_text()
    assert page.locator("path.gw-resource").count() == 2  # the public places, as circles that do not move
    assert page.locator(".leaflet-marker-draggable, .gw-edit-marker, .gw-add, .gw-editor").count() == 0
    assert page.evaluate("typeof window.GW_EDITOR") == "undefined"
    page.locator("path.gw-resource").first.click(force=True)
    page.locator(".leaflet-popup-content").wait_for()
    assert page.locator(".leaflet-popup .gw-edit-button").count() == 0
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "web_editing_viewer.png"))
    with page.expect_navigation(wait_until="networkidle"):
        page.click(".gw-sign-out")
    assert page.locator(".gw-sign-in").count() == 1
    watched.check_offline()
    page.close()
