"""Coordinator view (近くのサロンを探す): the nearest-places API, the address lookup, privacy, and the page.

Every expected value is computed here independently of the app: the demo town's places are read
from data/demo's CSV files, the street network is built again from streets.geojson and walked with
:func:`geo_welfare.network.walking_distances` (SciPy's Dijkstra, not the app's k-nearest search),
and schedules are parsed from the CSV text with :mod:`geo_welfare.layers.schedules`.
"""

from __future__ import annotations

import csv
import http.cookiejar
import json
import logging
import urllib.error
import urllib.request

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import inspect, select, table, text

from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
from geo_welfare.store import open_store
from geo_welfare.core import glossary
from geo_welfare.layers.schedules import occurs_on_weekday, parse_schedule
from geo_welfare.web import create_app
from geo_welfare.web.address_lookup import normalise_address
from helpers import ARTIFACTS, DEMO_DATA, DEMO_STREETS as STREETS, Watched, serve

#: On a street in デモ町一丁目 (the north-west of the town), 115 m in a straight line from ひまわりサロン.
HOME = (139.399133, 35.2081)
#: A street corner of デモ町四丁目 on the river's north bank, 174 m across the water from S15 せせらぎサロン.
ACROSS_THE_RIVER = (139.401741, 35.201345)
METRES_PER_MINUTE = 4000 / 60
PAGE_KINDS = ("salon", "kayoi_no_ba", "engawa")  # what the page searches unless told otherwise
SALON_KINDS = ["salon", "kayoi_no_ba"]


# ---------------------------------------------------------------------------------------------
# The independent reference: places from the CSV files, walks over a network built here.

def _rows(name: str, encoding: str) -> list[dict]:
    with open(DEMO_DATA / name, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


class Reference:
    """The demo town's places as written in its files, and walks to them over its streets."""

    def __init__(self):
        self.network = build_network(read_walkable_lines(STREETS))
        self.to_metres = Transformer.from_crs(6668, self.network.crs, always_xy=True)
        rows = _rows("salons.csv", "utf-8-sig") + _rows("engawa.csv", "cp932")
        self.staff_only = {row["名称"] for row in rows if row["公開"] == "職員のみ"}
        self.resources = [{
            "id": row["ID"], "name": row["名称"], "kind": glossary.resource_kind(row["種別"]),
            "schedule": parse_schedule(None, days=row["開催日"], start=row["開始時間"], end=row["終了時間"]),
            "xy": self.to_metres.transform(float(row["経度"]), float(row["緯度"])),
        } for row in rows if row["公開"] == "公開"]
        self.snapped = snap_points(self.network, np.array([place["xy"] for place in self.resources]))

    def walks(self, lonlat, kinds=PAGE_KINDS, weekday: int | None = None) -> list[tuple[str, float, float]]:
        """(name, walking metres, straight metres) to every fitting public place, nearest first."""
        xy = np.array([self.to_metres.transform(*lonlat)])
        metres = walking_distances(self.network, snap_points(self.network, xy), self.snapped)[0]
        answer = []
        for place, walk in zip(self.resources, metres):
            if place["kind"] not in kinds:
                continue
            if weekday is not None and occurs_on_weekday(place["schedule"], weekday) is not True:
                continue
            answer.append((place["name"], float(walk), float(np.hypot(*(np.array(place["xy"]) - xy[0])))))
        return sorted(answer, key=lambda entry: entry[1])

    def meets(self, weekday: int, kinds=SALON_KINDS) -> tuple[set[str], set[str]]:
        """Names of the places held on ``weekday`` (True), and of those whose schedule cannot say (None)."""
        held, unknown = set(), set()
        for place in self.resources:
            if place["kind"] in kinds:
                answer = occurs_on_weekday(place["schedule"], weekday)
                if answer is True:
                    held.add(place["name"])
                elif answer is None:
                    unknown.add(place["name"])
        return held, unknown


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


@pytest.fixture
def client(demo_store):
    return create_app(demo_store, tiles="none", network=STREETS).test_client()


def post(client, path: str, body) -> object:
    """A POST as the page sends it: JSON body and the session's CSRF token."""
    token = client.get("/api/session").get_json()["csrf_token"]
    return client.post(path, json=body, headers={"X-CSRFToken": token})


def nearest(client, **body) -> dict:
    answer = post(client, "/api/nearest", body)
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["Cache-Control"] == "no-store"
    return answer.get_json()


def _metric_length(coordinates, to_metres) -> float:
    xy = np.column_stack(to_metres.transform(*np.array(coordinates).T))
    return shapely.LineString(xy).length


# ---------------------------------------------------------------------------------------------
# The API.

def test_nearest_places_by_walking_minutes_equal_an_independent_walk(client, reference):
    answer = nearest(client, lon=HOME[0], lat=HOME[1], kinds=SALON_KINDS, k=20)
    assert answer["type"] == "FeatureCollection" and answer["method"] == "network" and answer["notice"] is None
    expected = reference.walks(HOME, SALON_KINDS)[:20]
    features = answer["features"]
    assert [f["properties"]["name"] for f in features] == [name for name, _, _ in expected]
    assert features[0]["properties"]["name"] == "ひまわりサロン"
    for rank, (feature, (name, metres, straight)) in enumerate(zip(features, expected), start=1):
        p = feature["properties"]
        assert p["rank"] == rank and p["method"] == "network"
        assert p["walking_m"] == pytest.approx(round(metres, 1), abs=0.051), name
        assert p["walking_min"] == round(metres / METRES_PER_MINUTE, 1), name
        assert p["straight_m"] == pytest.approx(straight, abs=0.051), name
        assert set(p) >= {"kind", "kind_label", "schedule", "phone", "address"}
        route = feature["geometry"]
        assert route["type"] == "LineString"
        assert _metric_length(route["coordinates"], reference.to_metres) == pytest.approx(metres, abs=0.2)
        assert route["coordinates"][0] == pytest.approx(list(HOME), abs=1e-6)
        assert route["coordinates"][-1] == pytest.approx(p["place"], abs=1e-6)
    first = features[0]["properties"]
    assert (first["kind_label"], first["schedule"], first["phone"], first["address"]) == (
        "サロン", "毎月 第1・第3 木曜日 13:30〜15:30", "000-0000-1001", "架空市デモ町デモ町一丁目3番21号")
    # Frail walkers: the same metres at 3 km/h.
    slow = nearest(client, lon=HOME[0], lat=HOME[1], kinds=SALON_KINDS, k=3, speed=3)
    assert [f["properties"]["walking_min"] for f in slow["features"]] == [
        round(metres / (3000 / 60), 1) for _, metres, _ in expected[:3]]
    english = nearest(client, lon=HOME[0], lat=HOME[1], kinds=SALON_KINDS, k=1, lang="en")
    assert english["features"][0]["properties"]["kind_label"] == "Salon"


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_weekday_filter_removes_exactly_the_places_not_held_that_day(client, reference):
    everything = [f["properties"]["name"] for f in
                  nearest(client, lon=HOME[0], lat=HOME[1], kinds=SALON_KINDS, k=20)["features"]]
    for weekday in range(7):
        held, unknown = reference.meets(weekday)
        assert len(held | unknown) <= 20  # so that k=20 shows every one
        names = [f["properties"]["name"] for f in
                 nearest(client, lon=HOME[0], lat=HOME[1], kinds=SALON_KINDS, k=20, weekday=weekday)["features"]]
        assert set(names) == held, weekday
        assert [name for name in everything if name in held] == [name for name in names if name in everything]
        with_unknown = nearest(client, lon=HOME[0], lat=HOME[1], kinds=SALON_KINDS, k=20, weekday=weekday,
                               include_unknown=True)["features"]
        assert {f["properties"]["name"] for f in with_unknown} == held | unknown
    # Thursday keeps ひまわりサロン (第1・第3木曜日); Friday removes it and さくらサロン (also Thursdays).
    friday = nearest(client, lon=HOME[0], lat=HOME[1], kinds=SALON_KINDS, k=5, weekday=4)["features"]
    assert [f["properties"]["name"] for f in friday] == [name for name, _, _ in
                                                         reference.walks(HOME, SALON_KINDS, weekday=4)[:5]]
    assert {"ひまわりサロン", "さくらサロン"}.isdisjoint(f["properties"]["name"] for f in friday)


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_time_and_other_conditions(client):
    def names(**needs):
        return [f["properties"]["name"] for f in
                nearest(client, lon=HOME[0], lat=HOME[1], k=20, kinds=SALON_KINDS, **needs)["features"]]
    # Friday at 10:00: あおぞら (隔週金曜 9:30–11:30), つばき (平日 10:00–11:30), やすらぎ (第2・第4金曜 9:30–11:30).
    assert set(names(weekday=4, time="10:00")) == {"あおぞらサロン", "つばきサロン", "やすらぎサロン"}
    assert "つばきサロン" not in names(weekday=4, time="11:30")  # closes at 11:30
    assert set(names(weekday=5)) == set()  # the only Saturday salon (S07) is staff only
    barrier_free = names(barrier_free=True)
    assert barrier_free and "ひまわりサロン" not in barrier_free and "さくらサロン" in barrier_free
    dementia = names(target="認知症")  # no public place is for dementia alone: those open to anyone remain
    assert "ひまわりサロン" in dementia and "すずらんサロン" not in dementia
    engawa = nearest(client, lon=HOME[0], lat=HOME[1], kinds=["engawa"], k=20)["features"]
    assert len(engawa) == 6 and {f["properties"]["kind"] for f in engawa} == {"engawa"}


def test_across_the_river_the_walk_is_far_longer_than_the_straight_line(client, reference):
    features = nearest(client, lon=ACROSS_THE_RIVER[0], lat=ACROSS_THE_RIVER[1], kinds=["salon"], k=20)["features"]
    seseragi = next(f["properties"] for f in features if f["properties"]["name"] == "せせらぎサロン")
    expected = next(entry for entry in reference.walks(ACROSS_THE_RIVER, ["salon"]) if entry[0] == "せせらぎサロン")
    assert seseragi["straight_m"] == pytest.approx(174, abs=1)
    assert seseragi["walking_m"] == pytest.approx(expected[1], abs=0.051)
    assert seseragi["walking_m"] > 10 * seseragi["straight_m"]  # round by the west bridge, 2.3 km
    assert features[0]["properties"]["name"] == "さくらサロン"  # nearer on foot although farther as the crow flies
    assert features[0]["properties"]["straight_m"] > seseragi["straight_m"]


def test_staff_only_places_never_appear(client, reference):
    assert reference.staff_only == {"えがおサロン", "あじさいサロン"}
    kinds = list(glossary.RESOURCE_KIND_IDS)
    for where in (HOME, (139.4076032, 35.2028558), (139.4108531, 35.1974385)):  # S07's and S19's own doors
        names = {f["properties"]["name"] for f in nearest(client, lon=where[0], lat=where[1], kinds=kinds,
                                                          k=20)["features"]}
        assert names and names.isdisjoint(reference.staff_only)
    assert post(client, "/api/geocode", {"q": "えがおサロン"}).status_code == 404


def _snapshot(url: str) -> dict[str, list]:
    """Every row of every table in the store (PostGIS's spatial_ref_sys aside, which nobody writes)."""
    engine = open_store(url)
    names = [name for name in inspect(engine).get_table_names() if name != "spatial_ref_sys"]
    with engine.connect() as connection:
        return {name: sorted(map(repr, connection.execute(select(text("*")).select_from(table(name))).all()))
                for name in names}


BAD_REQUESTS = [
    ({"lon": 139.4, "lat": 95}, "lat"),
    ({"lon": "abc", "lat": 35.2}, "lon"),
    ({"lon": 139.4}, "lat"),
    ({"lon": 2.35, "lat": 48.85}, "lon"),  # Paris
    ({"lon": float("nan"), "lat": 35.2}, "lon"),
    ({"lon": True, "lat": 35.2}, "lon"),
    ({"lon": 139.4, "lat": 35.2, "kinds": ["nosuch"]}, "kinds"),
    ({"lon": 139.4, "lat": 35.2, "k": 1000}, "k"),
    ({"lon": 139.4, "lat": 35.2, "k": 0}, "k"),
    ({"lon": 139.4, "lat": 35.2, "k": 2.5}, "k"),
    ({"lon": 139.4, "lat": 35.2, "weekday": 9}, "weekday"),
    ({"lon": 139.4, "lat": 35.2, "weekday": "friday"}, "weekday"),
    ({"lon": 139.4, "lat": 35.2, "time": "25:00"}, "time"),
    ({"lon": 139.4, "lat": 35.2, "time": "10時"}, "time"),
    ({"lon": 139.4, "lat": 35.2, "barrier_free": "yes"}, "barrier_free"),
    ({"lon": 139.4, "lat": 35.2, "speed": 40}, "speed"),
    ({"lon": 139.4, "lat": 35.2, "target": "x" * 51}, "target"),
    ([139.4, 35.2], "body"),
]


def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(client, demo_store):
    before = _snapshot(demo_store)
    for body, field in BAD_REQUESTS:
        answer = post(client, "/api/nearest", body)
        assert answer.status_code == 400, body
        error = answer.get_json()
        assert error["field"] == field, body
        assert error["error"].startswith(f"{field}: ") and error["error_en"].startswith(f"{field}: "), error
        assert answer.headers["Cache-Control"] == "no-store"
    nosuch = post(client, "/api/nearest", {"lon": 139.4, "lat": 35.2, "kinds": ["nosuch"]}).get_json()
    assert "nosuch" in nosuch["error"] and "salon" in nosuch["error_en"] and "不明な種別" in nosuch["error"]
    latitude = post(client, "/api/nearest", {"lon": 139.4, "lat": 95}).get_json()
    assert "緯度" in latitude["error"] and "latitude" in latitude["error_en"] and "95" not in latitude["error"]
    # The location goes in the body only: a query string is not read, and the page's POST needs its token.
    assert post(client, "/api/nearest?lon=139.4&lat=35.2", {}).get_json()["field"] == "lon"
    assert client.get("/api/nearest?lon=139.4&lat=35.2").status_code == 405
    unsigned = client.post("/api/nearest", json={"lon": HOME[0], "lat": HOME[1]})  # without the CSRF token
    assert unsigned.status_code == 400 and unsigned.headers["Cache-Control"] == "no-store"
    for query in ("", "町", None, "x" * 201):
        answer = post(client, "/api/geocode", {"q": query})
        assert answer.status_code == 400 and answer.get_json()["field"] == "q", query
    assert _snapshot(demo_store) == before


# ---------------------------------------------------------------------------------------------
# The address lookup.

def _small_area(name: str) -> shapely.Geometry:
    collection = json.loads((DEMO_DATA / "small_areas.geojson").read_text(encoding="utf-8"))
    return next(shapely.from_geojson(json.dumps(f["geometry"])) for f in collection["features"]
                if f["properties"]["S_NAME"] == name)


def test_normalised_spellings():
    for spelling in ("デモ町一丁目", "デモ町1丁目", "デモ町１丁目", "ﾃﾞﾓ町1丁目", "デモ町 一丁目", "デモ町　１丁目"):
        assert normalise_address(spelling) == "デモ町一丁目", spelling
    for spelling in ("デモ町1-3-21", "デモ町１－３－２１", "デモ町一丁目三番二十一号", "デモ町1丁目3番地21",
                     "デモ町一丁目3-21", "デモ町1丁目3番21号"):
        assert normalise_address(spelling) == "デモ町一丁目3番21号", spelling
    assert normalise_address("大字デモ沢23-12") == "大字デモ沢23番12号"
    assert normalise_address("デモ丘12丁目") == "デモ丘十二丁目"


def test_geocode_finds_small_areas_and_addresses(client):
    chome = _small_area("デモ町一丁目")
    for spelling in ("デモ町一丁目", "デモ町1丁目", "デモ町１丁目", "ﾃﾞﾓ町1丁目", "架空市デモ町デモ町一丁目5番9号"):
        answer = post(client, "/api/geocode", {"q": spelling})
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
        best = answer.get_json()["candidates"][0]
        assert (best["label"], best["source"]) == ("デモ町一丁目", "small_area"), spelling
        assert chome.contains(shapely.Point(best["lon"], best["lat"]))
    # A stored place's address finds the place itself.
    for spelling in ("デモ町1-3-21", "架空市デモ町デモ町一丁目3番21号", "デモ町一丁目三番二十一号"):
        best = post(client, "/api/geocode", {"q": spelling}).get_json()["candidates"][0]
        assert best["source"] == "resource" and "ひまわりサロン" in best["label"], spelling
        assert (best["lon"], best["lat"]) == pytest.approx((139.3999332, 35.2072935), abs=1e-7)
    # Part of a name: every 丁目 of デモ台, in code order.
    labels = [c["label"] for c in post(client, "/api/geocode", {"q": "デモ台"}).get_json()["candidates"]]
    assert labels[:4] == ["デモ台一丁目", "デモ台二丁目", "デモ台三丁目", "デモ台四丁目"]
    missing = post(client, "/api/geocode", {"q": "ほげほげ町99丁目"})
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"
    body = missing.get_json()
    assert body["candidates"] == [] and "見つかりませんでした" in body["error"] and "not found" in body["error_en"]


def test_without_a_network_the_distances_are_straight_lines_and_the_page_says_so(demo_store, reference):
    client = create_app(demo_store, tiles="none").test_client()
    answer = nearest(client, lon=HOME[0], lat=HOME[1], kinds=SALON_KINDS, k=3)
    assert answer["method"] == "straight_line" and "直線距離" in answer["notice"]
    expected = sorted(reference.walks(HOME, SALON_KINDS), key=lambda entry: entry[2])[:3]
    assert [f["properties"]["name"] for f in answer["features"]] == [name for name, _, _ in expected]
    for feature, (_, _, straight) in zip(answer["features"], expected):
        assert feature["properties"]["method"] == "straight_line"
        assert feature["properties"]["walking_m"] == feature["properties"]["straight_m"] == pytest.approx(straight,
                                                                                                          abs=0.051)
        assert len(feature["geometry"]["coordinates"]) == 2
    page = client.get("/coordinator").get_data(as_text=True)
    assert 'id="straight-line"' in page and "道路網が設定されていないため" in page
    english = client.get("/coordinator?lang=en").get_data(as_text=True)
    assert "<title>Find places near a client — geo-welfare</title>" in english and "straight lines" in english
    assert nearest(client, lon=HOME[0], lat=HOME[1], k=1, lang="en")["notice"].startswith("No street network")


# ---------------------------------------------------------------------------------------------
# Privacy: the location never reaches the server's log or the store.

#: A client's home written with more digits than any stored value has, so that it is recognisable.
PRIVATE_HOME = (139.3991337, 35.2080917)


def _fragments(lonlat) -> list[str]:
    lon, lat = lonlat
    return [f"{lon}", f"{lat}", f"{lon:.4f}", f"{lat:.4f}", f"{lon:.3f}", f"{lat:.3f}", "139.3991", "35.2080"]


def test_the_location_reaches_neither_the_log_nor_the_store(demo_store, caplog, capfd):
    app = create_app(demo_store, tiles="none", network=STREETS)
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    keep = Keep(logging.DEBUG)
    watched = [logging.getLogger("werkzeug"), app.logger, logging.getLogger("web"), logging.getLogger()]
    levels = [logger.level for logger in watched]
    for logger in watched:
        logger.addHandler(keep)
        logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    before = _snapshot(demo_store)
    try:
        for base in serve(app):
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            page = opener.open(base + "/coordinator").read().decode()
            token = page.split('name="csrf-token" content="')[1].split('"')[0]

            def send(path, body):
                request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                                 headers={"Content-Type": "application/json", "X-CSRFToken": token})
                try:
                    with opener.open(request) as answer:
                        return answer.status, answer.headers, json.loads(answer.read())
                except urllib.error.HTTPError as error:
                    return error.code, error.headers, json.loads(error.read())

            status, headers, answer = send("/api/nearest", {"lon": PRIVATE_HOME[0], "lat": PRIVATE_HOME[1],
                                                            "kinds": SALON_KINDS, "weekday": 3, "k": 5})
            assert status == 200 and headers["Cache-Control"] == "no-store"
            assert answer["features"][0]["properties"]["name"] == "ひまわりサロン"
            assert send("/api/nearest", {"lon": PRIVATE_HOME[0], "lat": 95.0})[0] == 400
            assert send("/api/nearest", {"lon": PRIVATE_HOME[0], "lat": PRIVATE_HOME[1], "k": 1000})[0] == 400
            status, headers, _ = send("/api/geocode", {"q": "デモ町一丁目3番21号"})
            assert status == 200 and headers["Cache-Control"] == "no-store"
    finally:
        for logger, level in zip(watched, levels):
            logger.removeHandler(keep)
            logger.setLevel(level)
    written = "\n".join(records + [record.getMessage() for record in caplog.records])
    output = capfd.readouterr()
    written += output.out + output.err
    assert "POST /api/nearest" in written  # the access log was captured (a request line, without the location)
    for fragment in _fragments(PRIVATE_HOME) + ["3番21号", "%E7%95%AA"]:
        assert fragment not in written, fragment
    after = _snapshot(demo_store)
    assert after == before
    dump = repr(after)
    for fragment in (f"{PRIVATE_HOME[0]}", f"{PRIVATE_HOME[1]}", f"{PRIVATE_HOME[0]:.5f}", f"{PRIVATE_HOME[1]:.5f}"):
        assert fragment not in dump, fragment  # (3 decimals do occur: the spatial index's bounds)


# ---------------------------------------------------------------------------------------------
# The page in headless Chromium.

@pytest.fixture
def live_server(demo_store):
    yield from serve(create_app(demo_store, tiles="none", network=STREETS))


def _list(page) -> list[tuple[str, str]]:
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('#results li')).map(
        li => [li.dataset.name, li.dataset.minutes])""")
    return [tuple(entry) for entry in rows]


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_the_coordinator_page_in_chromium(browser, live_server, reference):
    watched = Watched(browser, live_server)
    page = watched.page
    page.goto(live_server + "/coordinator", wait_until="networkidle")
    assert page.title() == "近くのサロンを探す — geo-welfare"
    assert page.locator("#straight-line").count() == 0  # the app has a street network
    # Click the client's home: the pixel where HOME is, and the exact point that pixel stands for.
    page.evaluate(f"() => window.gwCoordinatorMap.setView([{HOME[1]}, {HOME[0]}], 16, {{animate: false}})")
    x, y = page.evaluate(f"""() => {{ const p = window.gwCoordinatorMap.latLngToContainerPoint([{HOME[1]}, {HOME[0]}]);
                                     return [Math.round(p.x), Math.round(p.y)]; }}""")
    clicked = page.evaluate(f"() => {{ const l = window.gwCoordinatorMap.containerPointToLatLng([{x}, {y}]); "
                            "return [l.lng, l.lat]; }")
    assert clicked == pytest.approx(list(HOME), abs=3e-5)  # within a pixel (~2 m) at zoom 16
    page.locator("#map").click(position={"x": x, "y": y})
    page.wait_for_selector("#results li")
    expected = reference.walks(tuple(clicked))[:5]
    shown = _list(page)
    assert shown == [(name, f"{metres / METRES_PER_MINUTE:.1f}") for name, metres, _ in expected]
    assert shown[0][0] == "ひまわりサロン"
    first = page.locator("#results li").first.inner_text()
    assert f"徒歩 {expected[0][1] / METRES_PER_MINUTE:.1f} 分" in first and "000-0000-1001" in first
    assert "毎月 第1・第3 木曜日 13:30〜15:30" in first and "架空市デモ町デモ町一丁目3番21号" in first
    assert page.locator(".leaflet-overlay-pane svg path.gw-route").count() == 5  # one route per place
    assert page.locator("#origin").inner_text() == "出発地: 地図で選んだ地点"
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_coordinator.png"))

    # Friday: the Thursday salons drop out; the list is the five nearest held on Fridays.
    page.select_option("#weekday", "4")
    friday = [(name, f"{metres / METRES_PER_MINUTE:.1f}") for name, metres, _ in
              reference.walks(tuple(clicked), weekday=4)[:5]]
    page.wait_for_function("(names) => JSON.stringify(Array.from(document.querySelectorAll('#results li'))"
                           ".map(li => li.dataset.name)) === JSON.stringify(names)", arg=[n for n, _ in friday])
    assert _list(page) == friday
    assert {"ひまわりサロン", "さくらサロン"}.isdisjoint(name for name, _ in friday)
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "web_coordinator_friday.png"))
    page.select_option("#weekday", "")

    # An address that is not there says so; one that is gives its list.
    page.fill("#address", "ほげほげ町99丁目")
    page.click("#find")
    page.wait_for_selector("#address-message:not([hidden])")
    assert "住所が見つかりませんでした" in page.locator("#address-message").inner_text()
    page.fill("#address", "デモ町4丁目")
    page.click("#find")
    page.wait_for_function("() => document.getElementById('origin').textContent.includes('デモ町四丁目')")
    assert page.locator("#address-message").is_hidden()
    chome = _small_area("デモ町四丁目")
    point = page.evaluate("""() => { let p = null; window.gwCoordinatorMap.eachLayer(l => {
        if (l instanceof L.Marker && l.options.icon.options.className === 'gw-pin') p = l.getLatLng(); });
        return [p.lng, p.lat]; }""")
    assert chome.contains(shapely.Point(point))
    expected = [name for name, _, _ in reference.walks(tuple(point))[:5]]
    # The answer for the address replaces the list when it arrives (an earlier search may still be in flight).
    page.wait_for_function("(names) => JSON.stringify(Array.from(document.querySelectorAll('#results li'))"
                           ".map(li => li.dataset.name)) === JSON.stringify(names)", arg=expected)
    assert [name for name, _ in _list(page)] == expected
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "web_coordinator_address.png"))

    # 印刷 calls window.print(); the print stylesheet leaves the list alone on the page.
    page.evaluate("() => { window.gwPrinted = 0; window.print = () => { window.gwPrinted += 1; }; }")
    page.click("#print")
    assert page.evaluate("() => window.gwPrinted") == 1
    page.emulate_media(media="print")
    assert page.locator("#map").is_hidden() and page.locator("#needs-form").is_hidden()
    assert page.locator(".gw-print-head").is_visible() and page.locator("#results li").count() == 5
    page.screenshot(path=str(ARTIFACTS / "web_coordinator_print.png"), full_page=True)
    page.emulate_media(media="screen")
    # The nonsense address's 404 is the one failed load Chromium reports; nothing else may fail.
    assert watched.errors == ["Failed to load resource: the server responded with a status of 404 (NOT FOUND)"]
    watched.errors.clear()
    watched.check_offline()
    assert not any("lat=" in url or "lon=" in url for url in watched.requests)
    page.close()
