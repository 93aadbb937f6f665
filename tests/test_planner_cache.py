"""The planner's kept answers: the same bytes as a fresh answer, dropped by an import or an edit, never crossing audiences.

A kept answer is checked against the answer of a new app (whose cache is empty) on the same store,
byte for byte; after a change to the store the next answer must be the new app's again, and show
the change (a salon put in the largest gap covers more older residents).  An editor's answer counts
staff-only places and must never reach an anonymous visitor, even when the editor asked first.
The page is checked in Chromium: the coverage table is shown while the gaps are still being worked
out, with the stage said in words, and the gaps follow.
"""

from __future__ import annotations

import json
import re
import threading
import uuid

import pytest
import shapely
from shapely.geometry import shape

from geo_welfare.store import open_store
from geo_welfare.store.editing import create_resource
from geo_welfare.store.read import store_revision
from geo_welfare.store.users import add_user
from geo_welfare.web import create_app
from geo_welfare.web.results_cache import Answer, Kept, PlannerCache
from helpers import DEMO_STREETS as STREETS, HEADER, Watched, run_cli, serve

EDITOR, EDITOR_PASSWORD = "cache-editor", "editor-password-47"
QUESTIONS = ("/api/coverage?minutes=10&unit=elementary_district&kind=salon&kind=engawa",
             "/api/coverage?minutes=10&unit=small_area&kind=salon&format=csv",
             "/api/gaps?minutes=10&unit=elementary_district&kind=salon",
             "/api/service-areas?minutes=5&kind=salon")  # 5 minutes: a walking area per place, soon drawn
COVERAGE, GAPS = QUESTIONS[0], QUESTIONS[2]


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("GEO_WELFARE_SECRET_KEY", uuid.uuid4().hex)


def new_client(url: str):
    """A client of a new app: its cache is empty, so its answers are worked out afresh."""
    return create_app(url, tiles="none", network=STREETS).test_client()


def covered(data: bytes) -> float:
    return next(row for row in json.loads(data)["rows"] if row["code"] == "*")["age_65_plus_covered"]


def largest_gap_point(client) -> shapely.Point:
    features = client.get(GAPS).get_json()["features"]
    return shape(features[0]["geometry"]).representative_point()  # rank 1: the most older residents


def sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": EDITOR, "password": EDITOR_PASSWORD, "csrf_token": token,
                                         "next": "/"})
    assert answer.status_code == 302


@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)  # the keeping is the same on either store
def test_a_kept_answer_is_the_fresh_answer_byte_for_byte(demo, monkeypatch):
    import geo_welfare.web.planner as planner
    opened = []
    monkeypatch.setattr(planner, "open_study", lambda *a, **k: opened.append(k) or open_study(*a, **k))
    from geo_welfare.analysis.study import open_study
    client = new_client(demo)
    first = {url: client.get(url) for url in QUESTIONS}
    again = {url: client.get(url) for url in QUESTIONS}
    fresh_client = new_client(demo)  # nothing kept yet: each question is worked out afresh
    fresh = {url: fresh_client.get(url) for url in QUESTIONS}
    for url in QUESTIONS:
        assert first[url].status_code == 200, url
        assert again[url].data == first[url].data == fresh[url].data, url
        assert again[url].mimetype == first[url].mimetype
        assert again[url].headers.get("Content-Disposition") == first[url].headers.get("Content-Disposition")
    # One study per set of kinds in the first app (the fresh apps open their own): kept across requests.
    assert sorted(tuple(k["kinds"]) for k in opened[:2]) == [("engawa", "salon"), ("salon",)]
    assert len(opened) == 4  # and once for each in the fresh app


@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_kinds_in_another_order_are_the_same_question(demo):
    client = new_client(demo)
    one = client.get("/api/coverage?minutes=10&kind=salon&kind=engawa")
    other = client.get("/api/coverage?minutes=10&kind=engawa&kind=salon")
    assert one.data == other.data
    assert len(client.application.extensions["geo_welfare_planner_cache"].answers) == 1


def test_an_import_changes_the_revision_and_the_next_answer(demo_store, tmp_path):
    engine = open_store(demo_store)
    client = new_client(demo_store)
    before = client.get(COVERAGE).data
    revision = store_revision(engine)
    assert client.get(COVERAGE).data == before and store_revision(engine) == revision  # reading changes nothing
    point = largest_gap_point(client)
    path = tmp_path / "new_salon.csv"
    path.write_text(HEADER + f"N1,新しいサロン,サロン,架空町9-9,{point.y:.7f},{point.x:.7f},毎週水曜,10:00,12:00,"
                             "20,あり,公開,2026-11-01\n", encoding="utf-8")
    result = run_cli(demo_store, "import", "resources", str(path))
    assert result.exit_code == 0, result.stderr
    assert store_revision(engine) != revision
    after = client.get(COVERAGE).data
    assert after == new_client(demo_store).get(COVERAGE).data
    assert covered(after) > covered(before)
    gaps = client.get(GAPS).get_json()["features"]
    assert not any(shape(f["geometry"]).contains(point) for f in gaps)  # the salon's own spot is no gap now


def test_a_web_edit_changes_the_next_answer(demo_store):
    engine = open_store(demo_store)
    add_user(engine, EDITOR, EDITOR_PASSWORD, "editor")
    anonymous = new_client(demo_store)
    before = anonymous.get(COVERAGE).data
    editor = new_client(demo_store)
    sign_in(editor)
    token = editor.get("/api/session").get_json()["csrf_token"]
    salons = editor.get("/api/resources?kind=salon").get_json()["features"]
    public = next(f for f in salons if f["properties"].get("visibility", "public") == "public")
    identifier = public["properties"]["id"]
    revision = store_revision(engine)
    tag = editor.get(f"/api/resources/{identifier}").headers["ETag"]
    deleted = editor.delete(f"/api/resources/{identifier}", headers={"X-CSRFToken": token, "If-Match": tag})
    assert deleted.status_code in (200, 204), deleted.get_data(as_text=True)
    assert store_revision(engine) != revision
    after = anonymous.get(COVERAGE).data
    assert after == new_client(demo_store).get(COVERAGE).data
    assert covered(after) < covered(before)


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_an_editors_kept_answer_never_reaches_the_public(demo_store):
    engine = open_store(demo_store)
    add_user(engine, EDITOR, EDITOR_PASSWORD, "editor")
    app = create_app(demo_store, tiles="none", network=STREETS)
    anonymous, editor = app.test_client(), app.test_client()
    questions = (COVERAGE, GAPS, QUESTIONS[3])

    def public_answers() -> dict[str, bytes]:
        fresh = new_client(demo_store)
        return {url: fresh.get(url).data for url in questions}
    public_before = public_answers()
    point = largest_gap_point(anonymous)
    create_resource(engine, {"name": "staff-only salon", "kind": "salon", "visibility": "staff",
                             "schedule_text": "every Tuesday", "lon": point.x, "lat": point.y}, "setup")
    public = public_answers()
    assert public == public_before  # a staff-only place shapes no public answer
    sign_in(editor)
    staff = {url: editor.get(url).data for url in questions}  # asked first, and kept
    assert {url: anonymous.get(url).data for url in questions} == public
    assert all(staff[url] != public[url] for url in questions)
    assert {url: editor.get(url).data for url in questions} == staff  # the editor's own, kept apart


def test_the_revision_changes_with_every_kind_of_change(demo_store, tmp_path):
    from geo_welfare.store.editing import delete_resource, move_resource, update_resource
    engine = open_store(demo_store)
    seen = [store_revision(engine)]

    def changed() -> bool:
        seen.append(store_revision(engine))
        return seen[-1] not in seen[:-1]
    identifier = create_resource(engine, {"name": "a salon", "kind": "salon", "lon": 139.405, "lat": 35.205}, "t")
    assert changed()
    update_resource(engine, identifier, {"name": "a renamed salon"}, "t")
    assert changed()
    move_resource(engine, identifier, 139.406, 35.206, "t")
    assert changed()
    delete_resource(engine, identifier, "t")
    assert changed()
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"id": "C9", "name": "集会所"},
        "geometry": {"type": "Point", "coordinates": [139.405, 35.205]}}]}), encoding="utf-8")
    assert run_cli(demo_store, "import", "candidates", str(path)).exit_code == 0
    assert changed()
    assert not changed() and seen[-1] == seen[-2]  # nothing changed, nor does the revision


def test_kept_values_are_bounded_made_once_and_errors_are_not_kept():
    kept = Kept(10, len)
    for key in "abc":
        kept.get_or_make(key, lambda key=key: key * 4)  # 4 units each: the oldest goes
    assert kept.get("a") is None and kept.get("b") == "bbbb" and kept.get("c") == "cccc"
    kept.get_or_make("big", lambda: "x" * 11)
    assert kept.get("big") is None and len(kept) == 2  # larger than the whole cache: answered, not kept
    with pytest.raises(ValueError):
        kept.get_or_make("bad", lambda: (_ for _ in ()).throw(ValueError("no")))
    assert kept.get_or_make("bad", lambda: "ok") == "ok"
    made, gate = [], threading.Event()

    def slow() -> str:
        made.append(1)
        gate.wait(5)
        return "once"
    threads = [threading.Thread(target=kept.get_or_make, args=("slow", slow)) for _ in range(4)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert made == [1] and kept.get("slow") == "once"


def test_a_changed_revision_drops_what_was_kept_for_the_older_one(demo_store):
    engine = open_store(demo_store)
    cache = PlannerCache(1 << 20)
    url, revision = cache.revision(engine)
    cache.answer((url, revision, "q"), lambda: Answer(b"old", "text/plain"))
    assert len(cache.answers) == 1
    create_resource(engine, {"name": "a salon", "kind": "salon", "lon": 139.405, "lat": 35.205}, "t")
    assert cache.revision(engine)[1] != revision
    assert len(cache.answers) == 0


@pytest.mark.browser
@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_the_page_shows_coverage_first_then_the_stage_and_the_gaps(browser, demo):
    for base in serve(create_app(demo, tiles="none", network=STREETS)):
        watched = Watched(browser, base)
        page = watched.page
        page.goto(base + "/planner", wait_until="networkidle")
        held = []
        page.route("**/api/gaps?*", lambda route: held.append(route))  # the gaps wait until released below
        page.click("#run")  # the question the page asked on opening: its answers are kept, but for the held gaps
        page.wait_for_function("() => document.body.dataset.coverageMinutes === '15'")
        page.wait_for_function("() => document.body.dataset.stage === '2'")  # coverage and walking areas
        assert page.locator("#coverage-table tr.gw-total").count() == 1
        stage = page.locator("#stage").inner_text()
        assert stage.startswith("徒歩圏外の地域と資源の徒歩圏を計算中…") and "(2/3)" in stage
        assert page.locator("#progress").get_attribute("aria-live") == "polite"
        assert page.locator("#progress-bar").get_attribute("aria-valuenow") == "2"
        assert page.evaluate("document.body.getAttribute('data-gaps')") in (None, "")  # not yet
        assert len(held) == 1
        held[0].continue_()
        page.unroute("**/api/gaps?*")
        page.wait_for_function("() => document.body.dataset.minutes === '15'")
        count = len(page.request.get(base + "/api/gaps?minutes=15&kind=salon&kind=kayoi_no_ba&kind=engawa"
                                     "&unit=elementary_district").json()["features"])
        assert page.evaluate("document.body.getAttribute('data-gaps')") == str(count)
        assert page.locator("#stage").inner_text() == "計算が終わりました (3/3)"
        watched.check_offline()
        page.close()


@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_the_page_offers_every_ward_and_area_and_each_is_its_own_question(demo):
    from geo_welfare.store.read import within_choices
    choices = within_choices(open_store(demo))
    client = new_client(demo)
    page = client.get("/planner").get_data(as_text=True)
    offered = re.findall(r'<option value="([^"]*)">', page[page.index('id="within"'):page.index("</select>",
                                                                                                 page.index('id="within"'))])
    assert offered == [""] + [str(code) for code in choices["code"]]  # "" is the whole store
    area = str(choices.loc[choices["unit"] == "daily_life_area", "code"].iloc[0])
    whole = client.get(COVERAGE).data
    within = client.get(COVERAGE + f"&within={area}").data
    assert within != whole
    assert within == new_client(demo).get(COVERAGE + f"&within={area}").data
    assert client.get(COVERAGE).data == whole


def test_rows_written_behind_the_products_back_change_the_revision(demo_store):
    # A script that adds a 5-year band or a district's attribute (both shown by the 地区カルテ) changes what a
    # kept profile would say: the revision must change too.
    from sqlalchemy import insert, select
    from geo_welfare.store.models import DistrictAttribute, PopulationBand, PopulationCount
    engine = open_store(demo_store)
    before = store_revision(engine)
    with engine.begin() as connection:
        count_id = connection.execute(select(PopulationCount.id).limit(1)).scalar_one()
        connection.execute(insert(PopulationBand).values(count_id=count_id, band_start=0, band_end=4, count=3))
    banded = store_revision(engine)
    assert banded != before
    with engine.begin() as connection:
        connection.execute(insert(DistrictAttribute).values(unit="elementary_district", code="E01", key="CSW配置",
                                                            value="あり", source="script"))
    assert store_revision(engine) not in (before, banded)
