"""CSW view: pick a district, the numbered places on the page equal the print file's, download it in Chromium."""

from __future__ import annotations

import re

import pytest

from geo_welfare.web import create_app
from helpers import ARTIFACTS, DEMO_STREETS, Watched, flat, resources_by_district, run, serve


@pytest.fixture(scope="module")
def client(demo):
    return create_app(demo, tiles="none").test_client()


def test_the_district_lists_its_public_places_numbered(client):
    answer = client.get("/api/district/elementary_district/E02").get_json()
    places = resources_by_district()
    e02 = places[places["code"] == "E02"]
    assert sorted(p["name"] for p in answer["places"]) == sorted(e02.loc[e02["public"], "name"])
    assert "えがおサロン" not in {p["name"] for p in answer["places"]}  # staff only
    assert [p["number"] for p in answer["places"]] == list(range(1, len(answer["places"]) + 1))
    assert answer["name"] == "デモ本町小学校区"


def test_unknown_district_or_unit_is_404(client):
    assert client.get("/api/district/elementary_district/E99").status_code == 404
    assert client.get("/api/district/nowhere/E01").status_code == 404


def client_district(page, base: str, code: str) -> dict:
    """The district the page draws, as its JSON API answers it."""
    return page.request.get(f"{base}/api/district/elementary_district/{code}").json()


@pytest.mark.browser
@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_pick_a_district_and_download_its_map_in_chromium(browser, demo, tmp_path):
    for base in serve(create_app(demo, tiles="none", network=DEMO_STREETS)):
        watched = Watched(browser, base)
        page = watched.page
        page.goto(base + "/csw", wait_until="networkidle")
        with page.expect_navigation():
            page.select_option("#code", "E05")
        assert page.locator("#district-name").inner_text() == "デモ南小学校区"
        listed = page.locator("#place-list li").all_inner_texts()
        numbers = [int(item.split()[0]) for item in listed]
        names = [re.sub(r"（.*", "", item.split(None, 1)[1]).strip() for item in listed]
        assert numbers == list(range(1, 13))
        assert page.locator(".gw-place-number").count() == 12  # one numbered marker per place
        # Each kind has the print map's shape and colour, and the legend names the kinds shown; streets under it.
        district = client_district(page, base, "E05")
        kinds = {place["kind_label"] for place in district["places"]}
        legend = page.locator(".gw-legend").inner_text()
        assert all(kind in legend for kind in kinds) and "地区の境界" in legend
        from geo_welfare.maps.style import RESOURCE_MARKERS
        shapes = {"o": "circle", "s": "square", "D": "diamond", "d": "diamond", "^": "up", "v": "down", "<": "left",
                  ">": "right", "p": "pentagon", "h": "hexagon", "H": "hexagon", "8": "octagon", "P": "plus",
                  "*": "star", "X": "cross"}  # matplotlib's marker → the page's shape (web/static/context.js)
        for place in district["places"]:
            assert RESOURCE_MARKERS[place["kind"]] == place["marker"]
        drawn = page.locator(".gw-shape-icon .gw-shape").evaluate_all("els => els.map(e => e.className)")
        assert sorted(name.split("gw-shape-")[-1] for name in drawn) == sorted(
            shapes.get(place["marker"], "?") for place in district["places"])
        page.wait_for_function("() => Number(document.body.dataset.streets) > 0")
        profile = page.request.get(base + page.locator("#profile-link").get_attribute("href"))
        assert profile.status == 200 and "デモ南小学校区" in profile.text()  # the district profile, one click away
        with page.expect_download() as download:
            page.click("#download-pdf")
        pdf = tmp_path / "e05.pdf"
        download.value.save_as(pdf)
        text = flat(run("pdftotext", "-enc", "UTF-8", pdf, "-"))
        assert "デモ南小学校区地域資源マップ" in text
        # The print file numbers its list the same way: on the page of the PDF, each place's name starts
        # on the line of its number badge, just right of it.
        words = [(float(x0), float(y0), float(x1), word) for x0, y0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            run("pdftotext", "-bbox", "-enc", "UTF-8", pdf, "-"))]
        for number, name in zip(numbers, names):
            first = name.split()[0]
            assert any(w == str(number) and any(v == first and abs(y - y2) < 3 and 0 < x2 - x1 < 15
                                                for x2, y2, _, v in words)
                       for _, y, x1, w in words), (number, name)
        # A walking area chosen on the page: the page comes back, and the download draws the walk over the streets.
        with page.expect_navigation():
            page.select_option("#minutes", "10")
        assert page.locator("#district-name").inner_text() == "デモ南小学校区"
        with page.expect_download() as download:
            page.click("#download-pdf")
        assert download.value.suggested_filename == "E05_デモ南小学校区_A4_10min.pdf"
        walked = tmp_path / "e05_10min.pdf"
        download.value.save_as(walked)
        assert "徒歩10分圏（道のり・時速4km）" in flat(run("pdftotext", "-enc", "UTF-8", walked, "-"))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web_csw.png"))
        watched.check_offline()
        page.close()
