"""District maps fit for a meeting (issue #13 item 2): sizes a 座談会 can read, addresses, pages.

Sizes are read back from the PDF with poppler's ``pdftotext -bbox`` (a word's box is as tall as
its font's ascent to descent): a reference PDF drawn here at a known size with the same font gives
the box height of 1 pt, so a word's size is its height over that.  Names and addresses expected
are read from the demo's CSV files with pandas, not from the store.
"""

from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.figure import Figure

from geo_welfare.maps import district_content, load_store_layers, render_district_map
from geo_welfare.maps.background import read_background
from geo_welfare.maps.fonts import font, map_style
from geo_welfare.store import open_store
from helpers import ARTIFACTS, DEMO_DATA as DEMO, copy_spatialite_store, resources_by_district, run

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@pytest.fixture(scope="module")
def demo_url(demo_spatialite_template, tmp_path_factory) -> str:
    return copy_spatialite_store(demo_spatialite_template, tmp_path_factory.mktemp("meeting"))


@pytest.fixture(scope="module")
def layers(demo_url):
    return load_store_layers(open_store(demo_url), "elementary_district")


@pytest.fixture(scope="module")
def background():
    return read_background(streets=DEMO / "streets.geojson", water=DEMO / "water.geojson",
                           railway=DEMO / "railway.geojson")


@pytest.fixture(scope="module")
def points_per_height(tmp_path_factory) -> float:
    """Font size per point of word-box height, from a reference page drawn at 10 pt with the maps' font."""
    pdf = tmp_path_factory.mktemp("reference") / "reference.pdf"
    with map_style():
        figure = Figure(figsize=(4, 2), dpi=72)
        FigureCanvasPdf(figure)
        figure.text(0.1, 0.5, "ひまわりサロン", fontproperties=font(10.0))
        figure.savefig(pdf, format="pdf")
    (word,) = words(pdf)
    return 10.0 / (word[3] - word[1])


def words(pdf: Path, page: int | None = None) -> list[tuple[float, float, float, float, str]]:
    """Every word of the PDF (or of one page, from 1) with its box, as pdftotext -bbox gives it."""
    pages = run("pdftotext", "-bbox", pdf, "-").split("<page ")[1:]
    chosen = pages if page is None else [pages[page - 1]]
    return [(float(a), float(b), float(c), float(d), text.replace("&amp;", "&"))
            for one in chosen for a, b, c, d, text in WORD.findall(one)]


def page_count(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf)).group(1))


def demo_places() -> pd.DataFrame:
    """Name and address of every demo salon and 縁側, straight from the CSVs (one of them CP932)."""
    salons = pd.read_csv(DEMO / "salons.csv", encoding="utf-8-sig")
    engawa = pd.read_csv(DEMO / "engawa.csv", encoding="cp932")
    return pd.concat([salons, engawa])[["名称", "住所", "公開"]]


def look(pdf: Path, stem: str) -> list[Path]:
    """Every page as a PNG in test-artifacts/ (to be looked at), returned in page order."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / stem)], check=True)
    return sorted(ARTIFACTS.glob(f"{stem}-*.png"))


def test_e02_a4_names_at_10_pt_details_at_9_pt_with_addresses(layers, background, points_per_height, tmp_path):
    content = district_content(layers, "E02")
    page = render_district_map(content, background=background, day=datetime.date(2026, 5, 1))
    pdf = tmp_path / "E02.pdf"
    page.save(pdf)
    look(pdf, "meeting_E02_A4")
    places = demo_places()
    in_e02 = resources_by_district()
    public = in_e02[(in_e02["code"] == "E02") & in_e02["public"]]
    mine = places[places["名称"].isin(public["name"])]
    assert len(mine) == 6  # every public place of E02 is a salon or a 縁側 of the CSVs
    assert page_count(pdf) == 1
    # a name's words as pdftotext splits them at spaces (「地域の縁側 デモ本町のえんがわ」 is two)
    name_words = {part for name in mine["名称"] for part in name.split(" ")}
    list_sizes: dict[str, float] = {}
    for x0, y0, x1, y1, text in words(pdf):
        if text in name_words:
            list_sizes[text] = max(list_sizes.get(text, 0.0), (y1 - y0) * points_per_height)
    assert set(list_sizes) == name_words
    assert min(list_sizes.values()) >= 9.95
    flat = re.sub(r"\s+", "", run("pdftotext", pdf, "-"))
    for address in mine["住所"]:
        assert f"所在地：{address}" in flat, address
    detail = [(y1 - y0) * points_per_height for x0, y0, x1, y1, word in words(pdf)
              if word in {f"所在地：{address}" for address in mine["住所"]}]
    assert len(detail) == 6 and min(detail) >= 8.95


def test_a_long_list_continues_on_a_second_page_at_meeting_sizes(layers, background, points_per_height,
                                                                   tmp_path):
    """E05 (12 places) on an A4 landscape page, where the list beside the map has one column: it
    does not fit at 10 pt and goes on to page 2, which carries the title, the credits and the rest."""
    content = district_content(layers, "E05")
    page = render_district_map(content, background=background, orientation="landscape",
                               day=datetime.date(2026, 5, 1))
    pdf = tmp_path / "E05.pdf"
    page.save(pdf)
    shots = look(pdf, "meeting_E05_A4_landscape")
    pages = page_count(pdf)
    assert pages == 2 and len(shots) == 2 and not page.list_fits
    in_e05 = resources_by_district()
    public = set(in_e05.loc[(in_e05["code"] == "E05") & in_e05["public"], "name"])
    assert len(public) == 12
    public = {part for name in public for part in name.split(" ")}  # words as pdftotext splits them
    second = {word[4] for word in words(pdf, 2)}
    first = {word[4] for word in words(pdf, 1)}
    assert public & second, "some places are listed on page 2"
    assert "1/2ページ" in first and "2/2ページ" in second
    assert any(word.startswith("（つづき）") for word in second)
    assert "一覧は次のページに続きます" in first
    # every place in the list once across the pages (names on the map's labels are numbers only)
    listed = [word[4] for word in words(pdf) if word[4] in public]
    assert sorted(set(listed)) == sorted(public)
    heights = [(w[3] - w[1]) * points_per_height for w in words(pdf, 2) if w[4] in public]
    assert heights and min(heights) >= 9.95
    png = page.to_bytes("png", dpi=60)
    assert png.startswith(b"\x89PNG")  # PNG: the map's page only (a single-page format)


def test_file_names_say_district_paper_and_format(demo_url, tmp_path, monkeypatch):
    """The CLI's default name, the web's Content-Disposition and the CSW page's download names
    (the district's name read from the demo's GeoJSON)."""
    import geopandas as gpd
    from urllib.parse import quote

    from geo_welfare.web import create_app
    from helpers import run_cli

    districts = gpd.read_file(DEMO / "elementary_districts.geojson")
    name = districts.loc[districts["code"] == "E02", "name"].iloc[0]
    assert name == "デモ本町小学校区"
    monkeypatch.chdir(tmp_path)
    for paper, fmt in (("A4", "pdf"), ("A3", "pdf"), ("A4", "png")):
        result = run_cli(demo_url, "map", "district", "E02", "--paper", paper, "--format", fmt, lang="ja")
        assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"E02_{name}_A3.pdf", f"E02_{name}_A4.pdf", f"E02_{name}_A4.png"]
    assert page_count(tmp_path / f"E02_{name}_A3.pdf") == 1
    client = create_app(demo_url, tiles="none").test_client()
    for query, fmt, expected in (("", "pdf", f"E02_{name}_A4.pdf"), ("?paper=A3", "pdf", f"E02_{name}_A3.pdf"),
                                 ("", "png", f"E02_{name}_A4.png"), ("?large_print=1", "pdf", f"E02_{name}_A3_large.pdf")):
        response = client.get(f"/district/elementary_district/E02/map.{fmt}{query}")
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.endswith(f"filename*=UTF-8''{quote(expected)}"), disposition
        assert f'filename="E02_map_{expected.split("_", 2)[2]}"' in disposition  # the ASCII fallback: paper, format
    page = client.get("/csw?unit=elementary_district&code=E02").get_data(as_text=True)
    downloads = re.findall(r'<a id="(download-[\w-]+)" download="([^"]+)"', page)
    assert downloads == [("download-pdf", f"E02_{name}_A4.pdf"), ("download-pdf-a3", f"E02_{name}_A3.pdf"),
                         ("download-pdf-large", f"E02_{name}_A3_large.pdf"), ("download-png", f"E02_{name}_A4.png")]
    large = re.search(r'<a id="download-pdf-large" download="[^"]+" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    answer = client.get(large)
    assert answer.status_code == 200 and answer.data[:5] == b"%PDF-"
    assert quote(f"E02_{name}_A3_large.pdf") in answer.headers["Content-Disposition"]


def test_sources_are_named_by_the_files_the_user_imported(layers, background, tmp_path):
    """The credits name each layer's imported file (the demo store was filled from data/demo/*, as
    tests/helpers.import_demo_town_into imports it), not the store's internal source ids."""
    import dataclasses

    from geo_welfare.maps.sources import credits

    content = district_content(layers, "E02")
    line = next(line for line in credits(layers, background, "ja") if line.startswith("地区界"))
    assert line == ("地区界: elementary_districts.geojson 資源: salons.csv・engawa.csv・support_centres.geojson "
                    "人口: population_by_age.csv"), line
    pdf = tmp_path / "E02.pdf"
    render_district_map(content, background=background).save(pdf)
    assert "地区界:elementary_districts.geojson" in re.sub(r"\s+", "", run("pdftotext", pdf, "-"))
    # a file whose dataset is known is named by its title, with its licence
    known = dataclasses.replace(layers, source_files={**layers.source_files,
                                                      "elementary_districts": "papamama_Elementary.geojson"})
    line = next(line for line in credits(known, background, "ja") if line.startswith("地区界"))
    assert line.startswith("地区界: 札幌市 小学校区（Code for Sapporo papamama、国土数値情報 A27 より）"
                           "（papamama_Elementary.geojson、出典：国土数値情報（国土交通省）を加工）"), line


def test_no_data_areas_are_in_the_legend_with_their_pattern(layers, background):
    """A small area with no known 高齢化率 (one rate blanked here: a generated gap) is stippled on the
    map and the legend says what the stipple means, drawn in the same pattern; with every rate known
    there is no such entry."""
    import dataclasses

    content = district_content(layers, "E02")
    full = render_district_map(content, background=background)
    assert "高齢化率のデータなし" not in full.legend_labels
    assert content.small_areas["aging_rate"].notna().all() and len(content.small_areas) > 1
    small = content.small_areas.copy()
    small.iloc[0, small.columns.get_loc("aging_rate")] = float("nan")
    gap = render_district_map(dataclasses.replace(content, small_areas=small), background=background)
    assert "高齢化率のデータなし" in gap.legend_labels
    legend = gap.figure.axes[0].get_legend()
    (handle,) = [h for h, text in zip(legend.legend_handles, legend.get_texts())
                 if text.get_text() == "高齢化率のデータなし"]
    assert handle.get_hatch() == "..."


@pytest.mark.parametrize("paper, orientation", [("A4", "auto"), ("A4", "landscape"), ("A3", "auto")])
def test_the_legend_covers_nothing_of_the_district(layers, background, paper, orientation, tmp_path):
    """For every demo district, the legend's box meets the district's drawn outline nowhere (every
    demo district leaves a free corner); the box is where the PDF prints 「凡例」 (the box is read
    back, not only taken from the renderer)."""
    import shapely

    for code in layers.codes:
        page = render_district_map(district_content(layers, code), background=background, paper=paper,
                                   orientation=orientation)
        legend = shapely.box(*page.legend_box)
        assert page.district_outline.area > 0
        assert page.district_outline.intersection(legend).area < 1.0, (code, paper, orientation)
        frame = shapely.box(*page.map_box)
        assert frame.contains(legend), code
    pdf = tmp_path / "page.pdf"
    page.save(pdf)
    height = page.layout.points((0, 0, page.layout.width, page.layout.height))[3]
    (title,) = [w for w in words(pdf) if w[4] == "凡例"]
    x0, y0, x1, y1 = page.legend_box
    assert x0 <= title[0] and title[2] <= x1 and y0 <= height - title[3] and height - title[1] <= y1


def test_large_print_a3_is_everything_times_1_4(demo_url, points_per_height, tmp_path):
    """``--large-print``: an A3 page (pdfinfo: 842 × 1191 pt) whose list names are 1.4 × the
    A3 page's (A3 is √2 × A4: names at least 10 × 1.414 × 1.4 ≈ 19.8 pt), named ``…_A3_large.pdf``."""
    from helpers import run_cli

    out = tmp_path / "out"
    result = run_cli(demo_url, "map", "district", "--all", "--large-print", "-o", out, lang="ja")
    assert result.exit_code == 0, result.stderr
    pdf = out / "E02_デモ本町小学校区_A3_large.pdf"
    assert pdf.exists(), sorted(path.name for path in out.iterdir())
    assert re.search(r"Page size:\s+841\.\d+ x 1190\.\d+ pts", run("pdfinfo", pdf))
    shots = look(pdf, "meeting_E02_A3_large")
    names = {"あおぞらサロン", "ひまわりサロン", "かえでサロン"}
    heights = [(w[3] - w[1]) * points_per_height for w in words(pdf) if w[4] in names]
    assert len(heights) == 3 and min(heights) >= 10 * (297 / 210) * 1.4 - 0.05
    assert len(shots) == page_count(pdf)


def test_a_code_that_holds_the_name_does_not_say_it_twice():
    """Sapporo's district codes carry the school's name (papamama_Elementary.geojson: ``01101:資生館小学校``)."""
    from geo_welfare.maps.atlas import map_file_name, page_file_name
    from geo_welfare.web.printmap import ascii_file_name

    assert map_file_name("01101:資生館小学校", "資生館小学校", "A4", "pdf", 10) == "01101_資生館小学校_A4_10min.pdf"
    assert map_file_name("01101:資生館小学校", "資生館小学校区", "A3", "png") == "01101_資生館小学校区_A3.png"
    assert page_file_name("01101:資生館小学校", "資生館小学校_地区カルテ", "pdf") == "01101_資生館小学校_地区カルテ.pdf"
    assert map_file_name("E02", "デモ本町小学校区", "A4", "pdf") == "E02_デモ本町小学校区_A4.pdf"  # no name in the code
    assert map_file_name("E2", "E2駅前", "A4", "pdf") == "E2_E2駅前_A4.pdf"  # a code with no separator is kept whole
    fallback = ascii_file_name(map_file_name("01101:資生館小学校", "map", "A4", "pdf", 10, ("flood",)))
    assert fallback == "01101_map_A4_10min_flood.pdf"
