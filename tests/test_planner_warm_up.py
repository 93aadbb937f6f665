"""The server's warm-up: residents prepared at start are those a fresh study spreads, kept per store revision.

After :func:`geo_welfare.web.network.warm_up` the first planner answers are byte for byte a fresh
app's (one without a warm-up), and they spread no resident and draw no salon's own grid (both are
made to fail after the warm-up); an import changes the store's revision, and the prepared
residents of the old revision are dropped with its answers.  The background thread is started at app
start unless ``GEO_WELFARE_WARM_UP=false`` (the tests' default, set in conftest), and not when nothing is kept.
"""

from __future__ import annotations

import uuid

import pytest

import geo_welfare.analysis.study as study_module
import geo_welfare.analysis.walk_areas as walk_areas
from geo_welfare.web import create_app
from geo_welfare.web.network import WARM_UP_VARIABLE, app_network, start_warm_up, warm_up
from helpers import DEMO_STREETS as STREETS, HEADER, run_cli

COVERAGE = "/api/coverage?minutes=10&unit=elementary_district&kind=salon&kind=engawa"
GAPS = "/api/gaps?minutes=10&unit=elementary_district&kind=salon"
AREAS = "/api/service-areas?minutes=5&kind=salon"  # places of a default kind: their grids prepared


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("GEO_WELFARE_SECRET_KEY", uuid.uuid4().hex)


def cache_of(app):
    return app.extensions["geo_welfare_planner_cache"]


@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_after_the_warm_up_the_first_answers_are_a_fresh_apps_and_spread_nobody(demo, monkeypatch):
    fresh = create_app(demo, tiles="none", network=STREETS).test_client()
    expected = {url: fresh.get(url).data for url in (COVERAGE, GAPS, AREAS)}
    app = create_app(demo, tiles="none", network=STREETS)
    with app.app_context():  # one network per process: forget the places' grids the fresh app drew
        app_network()._derived.pop("walk_areas.place_grids", None)
    warm_up(app)
    assert len(cache_of(app).residents) == 1

    def refused(*_args, **_kwargs):
        raise AssertionError("worked out again after the warm-up")
    monkeypatch.setattr(study_module, "spread_population", refused)
    monkeypatch.setattr(walk_areas, "resource_grids", refused)  # the salons' own grids were drawn too
    client = app.test_client()
    for url, data in expected.items():
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.data == data, url


def test_an_import_drops_the_prepared_residents_of_the_old_revision(demo_store, tmp_path):
    app = create_app(demo_store, tiles="none", network=STREETS)
    warm_up(app)
    cache = cache_of(app)
    (key,) = [key for key in cache.residents._items]
    path = tmp_path / "new_salon.csv"
    path.write_text(HEADER + "N1,新しいサロン,サロン,架空町9-9,35.0000000,139.0000000,毎週水曜,10:00,12:00,"
                             "20,あり,公開,2026-11-01\n", encoding="utf-8")
    assert run_cli(demo_store, "import", "resources", str(path)).exit_code == 0
    answer = app.test_client().get(COVERAGE)
    assert answer.status_code == 200
    assert answer.data == create_app(demo_store, tiles="none", network=STREETS).test_client().get(COVERAGE).data
    assert key not in cache.residents._items and len(cache.residents) == 0


@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_the_thread_starts_only_when_asked_under_pytest_and_keeps_nothing_without_a_cache(demo, monkeypatch):
    assert start_warm_up(create_app(demo, tiles="none", network=STREETS)) is None  # GEO_WELFARE_WARM_UP=false (conftest)
    assert create_app(demo, tiles="none").extensions.get("geo_welfare_warm_up") is None  # no streets: nothing
    monkeypatch.setenv(WARM_UP_VARIABLE, "1")
    app = create_app(demo, tiles="none", network=STREETS)
    thread = app.extensions["geo_welfare_warm_up"]
    thread.join(timeout=300)
    assert not thread.is_alive() and len(cache_of(app).residents) == 1
    monkeypatch.setenv("GEO_WELFARE_RESULTS_CACHE_MB", "0")
    app = create_app(demo, tiles="none", network=STREETS)
    app.extensions["geo_welfare_warm_up"].join(timeout=300)
    assert len(cache_of(app).residents) == 0  # nothing is kept, so nothing is prepared


@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_after_the_warm_up_the_first_nearest_search_snaps_no_place(demo, monkeypatch):
    import geo_welfare.web.coordinator as coordinator
    body = {"lon": 139.399133, "lat": 35.2081, "k": 3, "kinds": ["salon"]}  # a point on a street in デモ町一丁目

    def ask(client):
        token = client.get("/api/session").get_json()["csrf_token"]
        answer = client.post("/api/nearest", json=body, headers={"X-CSRFToken": token})
        assert answer.status_code == 200
        return answer.get_json()
    expected = ask(create_app(demo, tiles="none", network=STREETS).test_client())
    app = create_app(demo, tiles="none", network=STREETS)
    warm_up(app)

    def refused(*_args, **_kwargs):
        raise AssertionError("the places were read and snapped again after the warm-up")
    monkeypatch.setattr(coordinator, "prepare_places", refused)
    assert ask(app.test_client()) == expected and len(expected["features"]) == 3


@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_the_production_master_waits_for_the_warm_up_before_it_forks(demo):
    """gunicorn forks its workers after ``warm``: the app's warm-up thread must have ended by then, since a
    thread does not cross a fork and a lock it held (residents being spread) would stay held in each worker."""
    import sys
    import threading
    import time

    from geo_welfare.web import gunicorn_conf
    app = create_app(demo, tiles="none")
    master = threading.get_ident()

    def still_warming() -> None:  # ends once the master waits for it (Thread.join), or after a minute
        until = time.monotonic() + 60
        while time.monotonic() < until:
            frame = sys._current_frames().get(master)
            if frame is not None and frame.f_code.co_filename == threading.__file__ and \
                    frame.f_code.co_name in ("join", "_wait_for_tstate_lock"):
                return
            time.sleep(0.01)
    warming = threading.Thread(target=still_warming, daemon=True)
    app.extensions["geo_welfare_warm_up"] = warming
    warming.start()
    gunicorn_conf.warm(app)
    assert not warming.is_alive()
