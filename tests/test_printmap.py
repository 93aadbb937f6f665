"""Print-ready district maps (地域資源マップ) of the demo town, read back as a person would.

The expected places of a district are computed here from the demo files themselves (the CSVs,
one of them CP932, and the GeoJSON) by point-in-polygon, not from the store; the PDF is read with
poppler's ``pdftotext``/``pdffonts``/``pdfinfo`` as any viewer would.
"""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS

from geo_welfare.maps import district_content, load_store_layers, render_district_map
from geo_welfare.maps.background import Background, read_background
from geo_welfare.maps.labels import intersects, resource_labels
from geo_welfare.maps.layout import choose_orientation, page_layout
from geo_welfare.store import open_store
from geo_welfare.web import create_app
from helpers import (ARTIFACTS, DEMO_DATA as DEMO, METRIC, X0, Y0, copy_spatialite_store, flat, network_of,
                     resources_by_district, run, run_cli)

EXTRAS = ("--network", DEMO / "streets.geojson", "--water", DEMO / "water.geojson", "--railway",
          DEMO / "railway.geojson")
#: pdfinfo's page sizes in points, rounded.
A4_PORTRAIT, A4_LANDSCAPE, A3_PORTRAIT, A3_LANDSCAPE = (595, 842), (842, 595), (842, 1191), (1191, 842)


def page_size(pdf: Path) -> tuple[int, int]:
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", run("pdfinfo", pdf))
    return round(float(match[1])), round(float(match[2]))


@pytest.fixture(scope="module")
def demo_url(demo_spatialite_template, tmp_path_factory) -> str:
    """The demo town on SpatiaLite, one copy for this module's tests (they only read it)."""
    return copy_spatialite_store(demo_spatialite_template, tmp_path_factory.mktemp("printmap"))


@pytest.fixture(scope="module")
def e02_pdf(demo_url, tmp_path_factory) -> Path:
    pdf = tmp_path_factory.mktemp("maps") / "E02.pdf"
    result = run_cli(demo_url, "map", "district", "E02", "-o", pdf, *EXTRAS, lang="ja")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == f"地図を書き出しました: {pdf}（6か所）"
    return pdf


@pytest.fixture(scope="module")
def e05_page(demo_url):
    """The busiest district (12 places by a river, a railway and four neighbours), drawn by the library."""
    layers = load_store_layers(open_store(demo_url), "elementary_district")
    background = read_background(streets=DEMO / "streets.geojson", water=DEMO / "water.geojson",
                                 railway=DEMO / "railway.geojson")
    return render_district_map(district_content(layers, "E05"), background=background, day=datetime.date(2026, 5, 1))


def test_pdf_has_the_title_legend_and_every_public_place_of_the_district(e02_pdf):
    resources = resources_by_district()
    mine = resources[resources["code"] == "E02"]
    public, staff = set(mine.loc[mine["public"], "name"]), set(mine.loc[~mine["public"], "name"])
    assert len(public) == 6 and staff == {"えがおサロン"}  # the demo's staff-only salon S07 lies in E02

    text = run("pdftotext", "-enc", "UTF-8", e02_pdf, "-")
    lines = [line.strip() for line in text.splitlines()]
    assert "デモ本町小学校区 地域資源マップ" in lines  # the title, exactly
    for entry in ("凡例", "サロン", "地域の縁側", "この地区の範囲", "となりの地区", "高齢化率（町丁・字）", "35%以上",
                  "川・水面", "道路", "鉄道"):
        assert entry in lines, entry
    for name in public:
        assert flat(name) in flat(text), name
    for name in staff:
        assert flat(name) not in flat(text), name
    assert "掲載している場所（6か所）" in lines
    assert "毎週月・水・金曜日10:00〜16:00" in flat(text)  # the 縁側's schedule in words
    assert "電話000-0000-2002" in flat(text)
    assert "デモ用の架空の町です（実在しません）" in flat(text) and "CC01.0" in flat(text)  # said to be synthetic

    fonts = run("pdffonts", e02_pdf).splitlines()[2:]
    assert fonts, "no fonts listed"
    for row in fonts:  # every font is the embedded Japanese font (no fallback, no system font)
        name, emb = row.split()[0], row.split()[-5]
        assert name.split("+")[-1] == "IPAexGothic" and emb == "yes", row
    assert page_size(e02_pdf) == A4_PORTRAIT  # E02 is taller than wide


def test_a_staff_copy_says_so(demo_url, tmp_path):
    pdf = tmp_path / "staff.pdf"
    assert run_cli(demo_url, "map", "district", "E02", "-o", pdf, "--include-staff", lang="ja").exit_code == 0
    text = flat(run("pdftotext", "-enc", "UTF-8", pdf, "-"))
    assert "えがおサロン" in text and "職員用" in text and "掲載している場所（7か所）" in text


def test_numbers_on_the_map_match_the_list(e05_page):
    resources = resources_by_district()
    public = resources[(resources["code"] == "E05") & resources["public"]]
    entries = e05_page.entries
    assert [entry.number for entry in entries] == list(range(1, len(public) + 1))
    assert sorted(entry.name for entry in entries) == sorted(public["name"])
    assert len(e05_page.placements) == len(entries)
    # Numbered by kind in the legend's order: salons first, the support centres last.
    assert [entry.kind for entry in entries][0] == "salon" and entries[-1].kind == "support_centre"


def test_labels_overlap_nothing(e05_page):
    boxes = [placement.box for placement in e05_page.placements]
    assert all(placement.clear for placement in e05_page.placements)
    for a, b in itertools.combinations(boxes, 2):
        assert not intersects(a, b), (a, b)
    frame = e05_page.map_box
    for box in boxes:
        assert not intersects(box, e05_page.legend_box)
        assert all(not intersects(box, other) for other in e05_page.furniture.values())
        assert frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
    legend = e05_page.legend_box
    assert frame[0] <= legend[0] and legend[2] <= frame[2] and frame[1] <= legend[1] and legend[3] <= frame[3]
    for label in ("凡例", "サロン", "通いの場", "地域の縁側", "地域包括支援センター"):
        assert label in e05_page.legend_labels or label == "凡例"


def test_label_placement_in_a_crowd():
    # Twelve symbols 6 pt apart in a row: no label fits beside each, yet none may overlap.
    anchors = [(100 + 6 * i, 100) for i in range(12)]
    obstacle = (80, 120, 200, 160)
    placements = resource_labels(anchors, [(12, 10)] * 12, bounds=(0, 0, 300, 300), obstacles=[obstacle])
    assert all(p.clear for p in placements) and any(p.leader for p in placements)
    for a, b in itertools.combinations([p.box for p in placements], 2):
        assert not intersects(a, b)
    assert not any(intersects(p.box, obstacle) for p in placements)


def test_png_artifact(demo_url):
    ARTIFACTS.mkdir(exist_ok=True)
    for code in ("E05", "E02"):
        png = ARTIFACTS / f"printmap_{code}.png"
        result = run_cli(demo_url, "map", "district", code, "--format", "png", "-o", png, "--dpi", "110", *EXTRAS,
                         lang="ja")
        assert result.exit_code == 0, result.stderr
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    english = ARTIFACTS / "printmap_DL02_en_A3.png"
    assert run_cli(demo_url, "map", "district", "DL02", "--unit", "daily-life-area", "--paper", "A3", "-o", english,
                   "--service-minutes", "10", "--dpi", "80", *EXTRAS, lang="en").exit_code == 0


def test_all_districts_one_file_each_and_page_sizes(demo_url, tmp_path):
    result = run_cli(demo_url, "map", "district", "--all", "-o", tmp_path / "a4", lang="ja")
    assert result.exit_code == 0, result.stderr
    codes = sorted(resources_by_district()["code"].unique())
    files = sorted((tmp_path / "a4").glob("*.pdf"))
    assert [f.name.split("_")[0] for f in files] == codes == ["E01", "E02", "E03", "E04", "E05", "E06"]
    assert "6地区の地図を書き出しました" in result.stderr
    for pdf in files:  # every elementary district of the demo is taller than wide
        assert page_size(pdf) == A4_PORTRAIT

    # Daily-life areas on A3, orientation by shape: each area's width and height in metres decide.
    result = run_cli(demo_url, "map", "district", "--all", "--unit", "daily-life-area", "--paper", "A3", "-o",
                     tmp_path / "a3", lang="en")
    assert result.exit_code == 0, result.stderr
    areas = gpd.read_file(DEMO / "daily_life_areas.geojson").to_crs(CRS.from_epsg(6677))
    for row in areas.itertuples():
        minx, miny, maxx, maxy = row.geometry.bounds
        expected = A3_LANDSCAPE if maxx - minx > maxy - miny else A3_PORTRAIT
        (pdf,) = (tmp_path / "a3").glob(f"{row.code}_*.pdf")
        assert page_size(pdf) == expected, row.code
    assert {page_size(pdf) for pdf in (tmp_path / "a3").glob("*.pdf")} == {A3_LANDSCAPE}  # both are wide

    forced = tmp_path / "forced.pdf"
    assert run_cli(demo_url, "map", "district", "E01", "--orientation", "landscape", "-o", forced).exit_code == 0
    assert page_size(forced) == A4_LANDSCAPE


def test_english_title_and_refusals(demo_url, tmp_path):
    pdf = tmp_path / "en.pdf"
    assert run_cli(demo_url, "map", "district", "E03", "-o", pdf, lang="en").exit_code == 0
    lines = [line.strip() for line in run("pdftotext", "-enc", "UTF-8", pdf, "-").splitlines()]
    assert "デモ北小学校区 community resource map" in lines and "Legend" in lines
    unknown = run_cli(demo_url, "map", "district", "E99")
    assert unknown.exit_code == 2 and "E99" in unknown.stderr and "E01 デモ台小学校区" in unknown.stderr
    assert run_cli(demo_url, "map", "district").exit_code == 2
    assert run_cli(demo_url, "map", "district", "E01", "--unit", "district").exit_code == 2  # no 地区 stored


def test_layout_rules():
    assert choose_orientation(1000, 800) == "landscape" and choose_orientation(800, 1000) == "portrait"
    assert choose_orientation(1000, 800, "portrait") == "portrait"
    a4, a3 = page_layout("A4", "portrait"), page_layout("A3", "landscape")
    assert (a4.width, a4.height) == (210, 297) and (a3.width, a3.height) == (420, 297)
    assert a3.scale == pytest.approx(297 / 210) and a3.list[0] > a3.map[2] and a4.list[3] < a4.map[1]


def test_html_export_opens_offline(demo_url, tmp_path):
    page_file = tmp_path / "map.html"
    result = run_cli(demo_url, "export", "resources", page_file, lang="ja")
    assert result.exit_code == 0, result.stderr
    page = page_file.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page)  # every script is inline …
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//", page)  # … and no style comes from elsewhere
    assert not re.search(r"""(?:src|href)=["']?/static/""", page)
    assert "Leaflet 1.9.4" in page and "L.circleMarker" in page  # Leaflet's own code, inlined
    assert "data:image/png;base64," in page  # Leaflet's CSS images as data URIs
    assert "\\u3072\\u307e\\u308f\\u308a" in page or "ひまわりサロン" in page  # a public salon …
    assert "えがおサロン" not in page and "\\u3048\\u304c\\u304a" not in page  # … never a staff-only one


def test_web_route_serves_pdf_and_png(demo_url):
    client = create_app(demo_url, tiles="none").test_client()
    pdf = client.get("/district/elementary_district/E02/map.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data[:5] == b"%PDF-"
    png = client.get("/district/elementary-district/E02/map.png?paper=A3")
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"
    assert client.get("/district/elementary_district/E99/map.pdf").status_code == 404
    assert client.get("/district/nowhere/E02/map.pdf").status_code == 404
    assert client.get("/district/elementary_district/E02/map.gif").status_code == 404


# --- a page's walking area from the places that can reach it; many pages at once ------------------

def _counting_walks(monkeypatch) -> list[int]:
    """Record how many places each walking area handed to the planner is computed from."""
    import geo_welfare.analysis.service_areas as planner  # the page imports it when it first draws an area
    counted: list[int] = []
    planner_land = planner.land_within

    def land_within(resources, *args, **kwargs):
        counted.append(len(resources))
        return planner_land(resources, *args, **kwargs)
    monkeypatch.setattr(planner, "land_within", land_within)
    return counted


@pytest.mark.parametrize("minutes, by_streets", [(3, True), (10, False)])
def test_a_pages_walking_area_is_the_whole_towns_inside_the_district(demo_url, monkeypatch, minutes, by_streets):
    # The uncropped answer (every place of the town walked from at once) is the peer: inside each
    # district the page's own area must be the same land to the square metre.
    from geo_welfare.maps.reach import walking_reach
    from geo_welfare.network.graph import build_network
    from geo_welfare.network.sources import read_walkable_lines
    layers = load_store_layers(open_store(demo_url), "elementary_district", shading="none")
    network = build_network(read_walkable_lines(DEMO / "streets.geojson")) if by_streets else None
    reach = walking_reach(layers.resources, minutes, network=network)
    whole = reach.area
    counted = _counting_walks(monkeypatch)
    for code in layers.codes:
        content = district_content(layers, code)
        mine = reach.area_near(content.bounds, content.crs).to_crs(content.crs).intersection(content.outline).iloc[0]
        theirs = whole.to_crs(content.crs).intersection(content.outline).iloc[0]
        assert theirs.area > 0 and shapely.equals(mine, theirs), code
        assert mine.symmetric_difference(theirs).area < 1e-6, code
    assert min(counted) < len(layers.resources)  # some pages walked from fewer places than the town has


def test_a_far_place_that_closes_a_block_reaching_into_the_page_is_walked_from():
    # Two parallel streets 110 m apart, joined only at their ends 2 km apart, every metre of them
    # within 300 m of a place: with every place, the narrow strip between the streets' 50 m bands
    # is a ringed block (2 km by 10–20 m on the 10 m grid: under 5 ha) and filled.  Only the places at the far ends close it, and a
    # crop to the places within walk + band of the page (x within ±600 m) leaves it open.
    from geo_welfare.analysis.service_areas import land_within
    from geo_welfare.maps.reach import walking_reach
    network = network_of([(-1000, 0), (1000, 0)], [(-1000, 110), (1000, 110)], [(-1000, 0), (-1000, 110)],
                         [(1000, 0), (1000, 110)])
    xs = (-1000, -500, 0, 500, 1000)
    places = gpd.GeoDataFrame(geometry=[shapely.Point(X0 + x, Y0 + y) for x in xs for y in (0, 110)], crs=METRIC)
    reach = walking_reach(places, 4.5, network=network)  # 300 m at 4 km/h
    page = shapely.box(X0 - 50, Y0 - 20, X0 + 50, Y0 + 130)  # every point within 50 m of a street but the strip's
    whole = reach.area.to_crs(METRIC).iloc[0].intersection(page)
    near = reach.area_near(page.bounds, CRS.from_user_input(METRIC)).to_crs(METRIC).iloc[0].intersection(page)
    naive = land_within(places[[abs(p.x - X0) < 600 for p in places.geometry]], 4.5, network=network)
    assert whole.area == pytest.approx(page.area)  # all of the page in reach, the strip filled
    assert naive.iloc[0].intersection(page).area < page.area - 500  # the strip left open
    assert shapely.equals(near, whole) and near.symmetric_difference(whole).area < 1e-6


def test_background_clipped_from_its_index_keeps_the_rows_of_a_full_scan():
    background = read_background(streets=DEMO / "streets.geojson", water=DEMO / "water.geojson")
    crs = CRS.from_epsg(6677)
    for layer in ("streets", "water"):
        frame = getattr(background, layer).to_crs(crs)
        minx, miny, maxx, maxy = frame.total_bounds
        for extent in ((minx, miny, (minx + maxx) / 2, (miny + maxy) / 2), (maxx - 400, maxy - 300, maxx, maxy)):
            view = shapely.box(*extent)
            scanned = frame[frame.intersects(view)]  # every row tested, as before the index
            clipped = background.clipped(layer, crs, extent)
            assert list(clipped.index) == list(scanned.index) and len(scanned) > 0
            assert all(shapely.equals(a, b) for a, b in zip(clipped.geometry, scanned.geometry.intersection(view)))
    assert Background().clipped("streets", crs, (0, 0, 1, 1)) is None


def test_pages_drawn_in_parallel_match_the_serial_page_and_a_failed_page_costs_no_other(demo_url, tmp_path,
                                                                                   monkeypatch):
    import geo_welfare.maps.atlas as atlas
    drawn = atlas._draw

    def draw(request, code, target):
        if code == "DL01":
            raise RuntimeError("broken on purpose")
        return drawn(request, code, target)
    monkeypatch.setattr(atlas, "_draw", draw)  # the forked workers inherit it
    result = run_cli(demo_url, "map", "district", "--all", "--unit", "daily-life-area", "--jobs", "2",
                     "--service-minutes", "5", "-o", tmp_path / "all", lang="ja")
    assert result.exit_code == 3, result.stderr
    files = sorted(path.name for path in (tmp_path / "all").iterdir())
    assert len(files) == 1 and files[0].startswith("DL02_")
    assert "地図を作成中" in result.stderr  # the progress bar
    assert re.search(r"DL01_\S+\.pdf: この地区の地図は書けませんでした（RuntimeError: broken on purpose）", result.stderr)
    assert "2地区のうち1地区の地図が書けませんでした" in result.stderr and "1地区の地図を書き出しました" in result.stderr

    single = tmp_path / "DL02.pdf"
    assert run_cli(demo_url, "map", "district", "DL02", "--unit", "daily-life-area", "--service-minutes", "5",
                   "-o", single, lang="ja").exit_code == 0
    texts = [run("pdftotext", "-enc", "UTF-8", pdf, "-") for pdf in (tmp_path / "all" / files[0], single)]
    assert texts[0] == texts[1] and "徒歩5分" in flat(texts[0])


def test_streets_from_the_cache_draw_the_page_the_file_draws(demo_url, tmp_path):
    """The print maps read the street lines through the network's cache: the same lines, the same page."""
    layers = load_store_layers(open_store(demo_url), "elementary_district")
    content = district_content(layers, "E05")
    files = {"streets": DEMO / "streets.geojson", "water": DEMO / "water.geojson", "railway": DEMO / "railway.geojson"}
    pages = []
    for cache in (None, tmp_path / "cache", tmp_path / "cache"):  # read, then read and cached, then cached
        background = read_background(**files, cache_directory=cache)
        page = render_district_map(content, background=background, day=datetime.date(2026, 5, 1))
        pages.append(page.to_bytes("png", dpi=100))
    assert len(list((tmp_path / "cache").glob("streets-streets-*.npz"))) == 1
    assert pages[0] == pages[1] == pages[2]


def test_a_map_without_a_walking_area_loads_no_walk(demo_url, tmp_path):
    """numba and the walking-area code are loaded by a page that draws a walking area, not by every page."""
    import subprocess
    import sys
    walk_modules = ("numba", "geo_welfare.analysis.service_areas", "geo_welfare.analysis.walk_grid")
    script = ("import sys; from geo_welfare.cli import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
              f"print([m for m in {walk_modules!r} if m in sys.modules])")
    base = [sys.executable, "-c", script, "--database", demo_url, "map", "district", "E02", "--network",
            str(DEMO / "streets.geojson")]
    plain = subprocess.run(base + ["-o", str(tmp_path / "plain.pdf")], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip() == "[]"
    walked = subprocess.run(base + ["-o", str(tmp_path / "walk.pdf"), "--service-minutes", "5"], capture_output=True,
                            text=True)
    assert walked.returncode == 0, walked.stderr
    assert walked.stdout.strip() == repr(list(walk_modules))
