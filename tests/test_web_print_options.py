"""The CSW's download with a walking area or hazard zones (``/district/<unit>/<code>/map.pdf?minutes=10``,
``?hazards=flood``), and the CSW page's pickers for them.

What the web draws is checked against the command's own page (``map district --service-minutes`` and
``--hazards``, the second method here), against the page drawn with staff-only places (which a public
download must not show), and for what a CSW can ask wrongly.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from geo_welfare.maps import district_content, load_store_layers, render_district_map
from geo_welfare.maps.background import read_background
from geo_welfare.maps.reach import walking_reach
from geo_welfare.network.cache import cached_network
from geo_welfare.store import open_store
from geo_welfare.web import create_app
from helpers import DEMO_STREETS, REPOSITORY, flat, run, run_cli

NAME = "デモ本町小学校区"  # E02's name in data/demo/elementary_districts.geojson
SOUTH = "デモ南小学校区"  # E05's
#: The generated hazard fixtures (labelled so; A31a / A33 / GSI layouts), as tests/test_printmap_hazards.py imports them.
HAZARD_FILES = [REPOSITORY / "tests" / "data" / "hazards" / name for name in (
    "generated_A31a_maximum_demo.geojson", "generated_A33_demo.geojson",
    "generated_gsi_emergency_evacuation_sites_demo.geojson")]


@pytest.fixture(scope="module")
def walked(demo):
    """The app with the demo's streets (no warm-up thread: the first request loads them)."""
    return create_app(demo, tiles="none", network=DEMO_STREETS).test_client()


def _text(pdf_bytes: bytes, tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(pdf_bytes)
    return flat(run("pdftotext", "-enc", "UTF-8", path, "-"))


def test_the_download_draws_the_walk_the_command_draws(demo, walked, tmp_path):
    """Same page as ``map district E02 --network streets --service-minutes 10`` (text and pixels)."""
    answer = walked.get("/district/elementary_district/E02/map.png?minutes=10")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Content-Disposition"].endswith(quote(f"E02_{NAME}_A4_10min.png"))
    result = run_cli(demo, "map", "district", "E02", "--network", str(DEMO_STREETS), "--service-minutes", "10",
                     "--dpi", "150", "-o", str(tmp_path / "cli.png"), lang="ja")
    assert result.exit_code == 0, result.stderr
    assert answer.data == (tmp_path / "cli.png").read_bytes()  # PNG_DPI = 150: the command's page, byte for byte
    pdf = walked.get("/district/elementary_district/E02/map.pdf?minutes=10")
    assert "徒歩10分圏（道のり・時速4km）" in _text(pdf.data, tmp_path, "web.pdf")
    assert "徒歩10分圏" not in _text(walked.get("/district/elementary_district/E02/map.pdf").data, tmp_path, "n.pdf")


def test_without_streets_the_walk_is_a_circle_and_the_legend_says_so(demo, tmp_path):
    client = create_app(demo, tiles="none").test_client()
    answer = client.get("/district/elementary_district/E02/map.pdf?minutes=10")
    assert answer.status_code == 200
    # 10 minutes at 4 km/h: 10 / 60 h × 4,000 m/h = 666.7 m
    assert "徒歩10分圏（直線667mの目安）" in _text(answer.data, tmp_path, "line.pdf")


def test_the_public_download_walks_from_public_places_only(demo, walked, tmp_path):
    """えがおサロン (E02) is staff-only: its walk must not widen the area a public handout shows."""
    engine = open_store(demo)
    network, _ = cached_network(DEMO_STREETS, tmp_path)
    background = read_background(streets=DEMO_STREETS)
    pages = {}
    for staff in (False, True):
        layers = load_store_layers(engine, "elementary_district", include_staff=staff, district="E02")
        assert ("えがおサロン" in set(layers.resources["name"])) == staff
        reach = walking_reach(layers.resources, 5, network=network)  # at 10 minutes the others cover its land
        content = district_content(load_store_layers(engine, "elementary_district", district="E02"), "E02")
        pages[staff] = render_district_map(content, background=background, reach=reach).to_bytes("png", dpi=150)
    assert pages[False] != pages[True], "the staff-only salon adds land to E02's 5-minute walk"
    assert walked.get("/district/elementary_district/E02/map.png?minutes=5").data == pages[False]


@pytest.mark.parametrize("minutes", ["0", "61", "abc", "nan", "1" * 40])
def test_minutes_outside_the_range_are_refused_naming_the_field(walked, minutes):
    answer = walked.get(f"/district/elementary_district/E02/map.pdf?minutes={minutes}")
    assert answer.status_code == 400
    problem = answer.get_json()
    assert problem["field"] == "minutes" and "1" in problem["detail"] and "60" in problem["detail"], problem


def test_the_csw_page_offers_the_walk_and_its_links_ask_for_it(walked):
    page = walked.get("/csw?unit=elementary_district&code=E02&minutes=10").get_data(as_text=True)
    assert re.search(r'<option value="10" selected>徒歩10分圏</option>', page)
    links = dict(re.findall(r'<a id="(download-[\w-]+)" download="[^"]+" href="([^"]+)"', page))
    assert len(links) == 4 and all("minutes=10" in href for href in links.values()), links
    names = re.findall(r'<a id="download-[\w-]+" download="([^"]+)"', page)
    assert names == [f"E02_{NAME}_A4_10min.pdf", f"E02_{NAME}_A3_10min.pdf", f"E02_{NAME}_A3_large_10min.pdf",
                     f"E02_{NAME}_A4_10min.png"]
    answer = walked.get(links["download-pdf-a3"].replace("&amp;", "&"))
    assert answer.status_code == 200 and quote(names[1]) in answer.headers["Content-Disposition"]
    for unknown in ("7", "abc", ""):  # not one of the choices: no walk drawn, as before
        page = walked.get(f"/csw?unit=elementary_district&code=E02&minutes={unknown}").get_data(as_text=True)
        assert "minutes=" not in "".join(re.findall(r'href="(/district/[^"]+)"', page))
        assert re.search(r'<option value="" selected>描かない</option>', page)
    english = walked.get("/csw?unit=elementary_district&code=E02&minutes=15&lang=en").get_data(as_text=True)
    assert '<option value="15" selected>15-minute walk</option>' in english
    assert "Walking area on the downloaded maps" in english



@pytest.fixture
def hazard_store(demo_store):
    assert run_cli(demo_store, "import", "hazards", *HAZARD_FILES).exit_code == 0
    return demo_store


def test_the_download_draws_the_zones_the_command_draws(hazard_store, tmp_path):
    """E05 meets the flood fixture's ranks 1–3 (tests/test_printmap_hazards.py works them out)."""
    client = create_app(hazard_store, tiles="none").test_client()
    answer = client.get("/district/elementary_district/E05/map.png?hazards=flood")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Content-Disposition"].endswith(quote(f"E05_{SOUTH}_A4_flood.png"))
    result = run_cli(hazard_store, "map", "district", "E05", "--hazards", "flood", "--dpi", "150",
                     "-o", str(tmp_path / "cli.png"), lang="ja")
    assert result.exit_code == 0, result.stderr
    assert answer.data == (tmp_path / "cli.png").read_bytes()
    both = client.get("/district/elementary_district/E05/map.pdf?hazards=landslide&hazards=flood&minutes=5")
    assert both.headers["Content-Disposition"].endswith(quote(f"E05_{SOUTH}_A4_5min_flood_landslide.pdf"))
    text = _text(both.data, tmp_path, "both.pdf")
    assert "洪水（想定最大規模）" in text and "0.5m以上3.0m未満" in text and "徒歩5分圏" in text


def test_hazards_there_are_none_of_or_none_stored_are_refused(hazard_store, demo):
    client = create_app(hazard_store, tiles="none").test_client()
    answer = client.get("/district/elementary_district/E05/map.pdf?hazards=flood&hazards=tsunami")
    assert answer.status_code == 400
    assert answer.get_json()["field"] == "hazards" and "tsunami" in answer.get_json()["detail"]
    bare = create_app(demo, tiles="none").test_client().get("/district/elementary_district/E05/map.pdf?hazards=flood")
    assert bare.status_code == 409 and "import hazards" in bare.get_json()["detail"]


def test_the_csw_page_offers_the_stored_hazards_and_its_links_ask_for_them(hazard_store, walked):
    client = create_app(hazard_store, tiles="none").test_client()
    page = client.get("/csw?unit=elementary_district&code=E05&hazards=flood&minutes=10").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" name="hazards" value="(\w+)" (checked)?>', page)
    assert boxes == [("flood", "checked"), ("landslide", "")]
    links = re.findall(r'<a id="download-[\w-]+" download="([^"]+)" href="([^"]+)"', page)
    assert [name for name, _ in links] == [f"E05_{SOUTH}_A4_10min_flood.pdf", f"E05_{SOUTH}_A3_10min_flood.pdf",
                                           f"E05_{SOUTH}_A3_large_10min_flood.pdf", f"E05_{SOUTH}_A4_10min_flood.png"]
    assert all("hazards=flood" in href and "landslide" not in href for _, href in links)
    answer = client.get(links[0][1].replace("&amp;", "&"))
    assert answer.status_code == 200 and quote(links[0][0]) in answer.headers["Content-Disposition"]
    # the demo store holds no zones: nothing to offer, and an asked hazard is not carried into the links
    plain = walked.get("/csw?unit=elementary_district&code=E05&hazards=flood").get_data(as_text=True)
    assert 'name="hazards"' not in plain and "hazards=" not in plain


@pytest.mark.browser
@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_ticking_a_hazard_in_chromium_puts_its_zones_on_the_download(browser, hazard_store, tmp_path):
    from helpers import Watched, serve
    for base in serve(create_app(hazard_store, tiles="none")):
        watched = Watched(browser, base)
        page = watched.page
        page.goto(base + "/csw?unit=elementary_district&code=E05", wait_until="networkidle")
        with page.expect_navigation():
            page.check('input[name="hazards"][value="flood"]')
        assert page.is_checked('input[name="hazards"][value="flood"]')
        assert not page.is_checked('input[name="hazards"][value="landslide"]')
        with page.expect_download() as download:
            page.click("#download-pdf")
        assert download.value.suggested_filename == f"E05_{SOUTH}_A4_flood.pdf"
        saved = tmp_path / "flood.pdf"
        download.value.save_as(saved)
        assert "洪水（想定最大規模）" in flat(run("pdftotext", "-enc", "UTF-8", saved, "-"))
        watched.check_offline()
        page.close()
