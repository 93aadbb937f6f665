"""The coordinator's printout for a client (``POST /coordinator/print``): conditions, origin, map, next dates.

Expected values are worked out by hand from data/demo/salons.csv and a calendar, for 'now' fixed at
Wednesday 2 December 2026, 09:00 (``COORDINATOR_NOW``): searching サロン held on Tuesdays at 10:30
leaves three public salons (the others are held on other days, at other hours, 不定期 or 月2回
without days; あじさいサロン is staff-only):

- つばきサロン 平日 10:00–11:30: Wednesday 2 and Thursday 3 December;
- ひだまりサロン 毎週火曜 10:00–11:30: Tuesdays 8 and 15 December;
- せせらぎサロン 隔月第2火曜 10:00–12:00: no date (every other month, and no anchor says which).
"""

from __future__ import annotations

import datetime
import logging
import re

import pytest

from geo_welfare.web import create_app
from helpers import ARTIFACTS, DEMO_STREETS as STREETS, Watched, flat, run, serve

NOW = datetime.datetime(2026, 12, 2, 9, 0)
HOME = (139.399133, 35.2081)  # on a street in デモ町一丁目
#: The three salons (names as in salons.csv) and their dates, worked out by hand (see the module's docstring).
EXPECTED = {
    "つばきサロン": ["12月2日（水）10:00〜11:30", "12月3日（木）10:00〜11:30"],
    "ひだまりサロン": ["12月8日（火）10:00〜11:30", "12月15日（火）10:00〜11:30"],
    "せせらぎサロン": [],
}
EVERY_OTHER_MONTH = "隔月の開催で、どの月に開くかを決める起点の日付が一覧にないため、次回の日付は示せません。"
STAFF_ONLY = ("あじさいサロン", "えがおサロン")


def _app(url: str):
    app = create_app(url, tiles="none", network=STREETS)
    app.config["COORDINATOR_NOW"] = NOW
    return app


@pytest.fixture
def client(demo):
    return _app(demo).test_client()


def _form(client, **fields):
    token = client.get("/api/session").get_json()["csrf_token"]
    data = {"csrf_token": token, "lon": str(HOME[0]), "lat": str(HOME[1]), "kind": ["salon"], "weekday": "1",
            "time": "10:30", "speed": "3", "k": "5", **fields}
    return client.post("/coordinator/print", data=data)


def _places(html: str) -> dict[str, str]:
    """Each listed place's name → the text of its entry (tags stripped)."""
    items = re.findall(r'<li class="gw-place"[^>]*>(.*?)</li>', html, flags=re.S)
    return {re.search(r"</span> (.*?) <span", item).group(1): re.sub(r"<[^>]+>", " ", item) for item in items}


def test_the_printout_lists_conditions_origin_and_next_dates(client):
    answer = _form(client)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    html = answer.get_data(as_text=True)
    text = flat(re.sub(r"<[^>]+>", " ", html))
    assert "出発地:指定した地点" in text  # a point on the map: never the coordinates
    assert str(HOME[0]) not in html and str(HOME[1]) not in html
    assert "地図で選んだ地点" not in text
    for heading, value in (("種別", "サロン"), ("曜日", "火曜日"), ("時刻", "10:30"), ("歩く速さ", "時速3km（ゆっくり）")):
        assert heading + value in text
    places = _places(html)
    assert set(places) == set(EXPECTED)
    for name, dates in EXPECTED.items():
        entry = flat(places[name])
        if dates:
            assert "次回" + dates[0] in entry and "その次" + dates[1] in entry, entry
        else:
            assert flat(EVERY_OTHER_MONTH) in entry and "月" not in entry.split("次回")[1].split("隔月")[0]
    assert not any(name in html for name in STAFF_ONLY)
    assert 'src="data:image/svg+xml;base64,' in html  # the map, drawn on the server


def test_the_typed_address_is_named_and_escaped(client):
    html = _form(client, address="<script>alert(1)</script>デモ町4丁目").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;デモ町4丁目" in html and "<script>alert" not in html


def test_in_english(client):
    html = _form(client, lang="en").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "the chosen point" in text and "Tue 8 December 10:00–11:30" in text and "Wed 2 December 10:00–11:30" in text
    assert "Held every other month, and the list gives no starting date" in text


def test_refusals_name_the_field_and_never_the_location(client):
    answer = _form(client, lon="200.5")
    assert answer.status_code == 400 and "200.5" not in answer.get_data(as_text=True)
    assert _form(client, kind=["unicorn"]).status_code == 400
    assert _form(client, address="あ" * 201).status_code == 400
    assert _form(client, barrier_free="maybe").status_code == 400
    assert client.get(f"/coordinator/print?lon={HOME[0]}&lat={HOME[1]}").status_code == 405  # never a GET
    token = client.get("/api/session").get_json()["csrf_token"]
    assert client.post("/coordinator/print", data={"lon": "139.4", "lat": "35.2"}).status_code == 400  # no CSRF token
    assert token


def test_the_location_reaches_no_log(client, caplog):
    caplog.set_level(logging.DEBUG)
    _form(client, address="デモ町一丁目3番21号")
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "139.399" not in logged and "35.208" not in logged and "デモ町一丁目" not in logged


# ---------------------------------------------------------------------------------------------
# In Chromium: fill the form, open the printout, print it to PDF and read it back.

@pytest.fixture
def live_server(demo):
    yield from serve(_app(demo))


@pytest.mark.browser
@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_the_printout_in_chromium_as_pdf(browser, live_server, tmp_path):
    watched = Watched(browser, live_server)
    page = watched.page
    page.goto(live_server + "/coordinator", wait_until="networkidle")
    for box in page.locator('input[name="kind"]').all():
        box.set_checked(box.get_attribute("value") == "salon")
    page.select_option("#weekday", "1")
    page.fill("#time", "10:30")
    page.select_option("#speed", "3")
    page.fill("#address", "デモ町4丁目")
    page.click("#find")
    page.wait_for_function("() => document.getElementById('origin').textContent.includes('デモ町四丁目')")
    page.wait_for_function("(n) => document.querySelectorAll('#results li').length === n", arg=len(EXPECTED))
    page.wait_for_selector("#print-map:not([disabled])")
    with page.expect_popup() as opened:
        page.click("#print-map")
    printout = opened.value
    printout.wait_for_load_state("load")
    assert printout.url == live_server + "/coordinator/print"  # the location and address went in the body
    pdf = tmp_path / "printout.pdf"
    printout.pdf(path=str(pdf), format="A4", print_background=True)
    text = flat(run("pdftotext", "-layout", pdf, "-"))
    assert "出発地:デモ町4丁目" in text  # the address as typed
    for words in ("種別サロン", "曜日火曜日", "時刻10:30", "歩く速さ時速3km（ゆっくり）"):
        assert words in text
    for name, dates in EXPECTED.items():
        assert name in text
        for date in dates:
            assert date in text
    assert "次回12月8日（火）10:00〜11:30" in text and "その次12月15日（火）10:00〜11:30" in text
    assert flat(EVERY_OTHER_MONTH) in text
    assert not any(name in text for name in STAFF_ONLY)
    info = run("pdfinfo", pdf)
    assert "(A4)" in info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    # Every word at least 12 pt: pdftotext's word boxes are about one em high.
    boxes = run("pdftotext", "-bbox", pdf, "-")
    heights = [float(y1) - float(y0) for y0, y1 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
    assert heights and min(heights) >= 11.9, min(heights)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "coordinator_printout.pdf").write_bytes(pdf.read_bytes())
    run("pdftoppm", "-png", "-r", "80", pdf, ARTIFACTS / "coordinator_printout")  # -1.png, -2.png…: looked at by eye
    assert pages == 1, pages  # three places and the map: one A4 sheet to hand over
    printout.close()
    assert watched.errors == []
    watched.check_offline()  # no outside server asked (the map is an image drawn here)
    assert not any("lat=" in url or "lon=" in url or "139.4" in url for url in watched.requests)
    page.close()


def test_the_consultation_field_searched_is_printed_and_applied(client):
    # Salons and support centres, any day, taking 権利擁護: a 地域包括支援センター takes it by law (glossary
    # KIND_CONSULTATION_FIELDS) and no demo salon names a field, so the three public centres alone are listed.
    centres = {"デモ北部地域包括支援センター", "デモ東部地域包括支援センター", "デモ南部地域包括支援センター"}
    html = _form(client, kind=["salon", "support_centre"], weekday="", time="", consults="advocacy").get_data(
        as_text=True)
    assert set(_places(html)) == centres
    assert "相談分野権利擁護" in flat(re.sub(r"<[^>]+>", " ", html))
    html = _form(client, kind=["salon", "support_centre"], weekday="", time="").get_data(as_text=True)
    assert "相談分野" not in html and len(_places(html)) == 5  # k = 5: the nearest, whatever they take
