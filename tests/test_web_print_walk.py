"""The CSW's download with a walking area (``/district/<unit>/<code>/map.pdf?minutes=10``).

What the web draws is checked against the command's own page (``map district --service-minutes``,
the second method here), against the page drawn with staff-only places (which a public download
must not show), and for what a CSW can ask wrongly.
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
from helpers import DEMO_STREETS, flat, run, run_cli

NAME = "デモ本町小学校区"  # E02's name in data/demo/elementary_districts.geojson


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

