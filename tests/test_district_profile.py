"""The district profile (地区カルテ): figures read back from the PDF (pdftotext) and the HTML, against sums done here.

Expected values come from the demo town's files and the store's rows by a second method: shapely
intersections in zone IX (EPSG:6677) for the districts' shares of small areas, the csv module for
the population, brute-force distances for coverage and 2SFCA.  Head-counts shared by area are
fractional; the profile prints whole people, so a printed band is the floor or the ceiling of its
exact value and the bands add up to the printed total (the rounded exact total).
"""

from __future__ import annotations

import csv
import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from helpers import ARTIFACTS, DEMO_DATA, DEMO_STREETS, flat, resources_by_district, run, run_cli

ZONE = Transformer.from_crs("EPSG:6668", "EPSG:6677", always_xy=True)
LIMIT_15 = 4000 / 60 * 15  # metres walked in 15 minutes at 4 km/h


def metric(geometry):
    return shapely.transform(geometry, lambda xy: np.column_stack(ZONE.transform(xy[:, 0], xy[:, 1])))


def features(name: str) -> list[dict]:
    return json.loads((DEMO_DATA / name).read_text(encoding="utf-8"))["features"]


def population() -> dict[str, dict[str, int]]:
    """The demo population by small area, read with the csv module."""
    with open(DEMO_DATA / "population_by_age.csv", encoding="utf-8-sig", newline="") as file:
        return {row["KEY_CODE"]: {"total": int(row["総数"]), "age_0_14": int(row["0～14歳"]),
                                  "age_15_64": int(row["15～64歳"]), "age_65_plus": int(row["65歳以上"]),
                                  "age_75_plus": int(row["75歳以上"]), "households": int(row["世帯数"])}
                for row in csv.DictReader(file)}


def small_areas() -> dict[str, shapely.Geometry]:
    return {f["properties"]["KEY_CODE"]: metric(shape(f["geometry"])) for f in features("small_areas.geojson")}


def district(file: str, code: str):
    found = [f for f in features(file) if f["properties"]["code"] == code][0]
    return found["properties"]["name"], metric(shape(found["geometry"]))


def shared(outline, counts=None) -> dict[str, float]:
    """The district's counts: each small area's counts times the share of its surface inside the district."""
    counts = counts or population()
    result = dict.fromkeys(["total", "age_0_14", "age_15_64", "age_65_plus", "age_75_plus", "households"], 0.0)
    for code, polygon in small_areas().items():
        share = polygon.intersection(outline).area / polygon.area
        for key in result:
            result[key] += share * counts[code][key]
    return result


def whole(text: str) -> int:
    return int(text.replace(",", ""))


def pdf_text(path) -> str:
    return run("pdftotext", "-layout", path, "-")


def drawn_text(path) -> str:
    """The PDF's text in the order it was drawn (a name wrapped in its cell stays together), without spaces."""
    return flat(run("pdftotext", "-raw", path, "-"))


def row_numbers(text: str, label: str) -> list[str]:
    """The numbers after ``label`` at the start of a line of the PDF's text."""
    for line in text.splitlines():
        match = re.match(r"\s*" + re.escape(label) + r"\s+([\d,.\s]+)$", line)
        if match:
            return match.group(1).split()
    raise AssertionError(f"no line for {label!r} in:\n{text}")


class Tables(HTMLParser):
    """The HTML page's tables by id: rows of cell texts (headers included)."""

    def __init__(self, page: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current = self.cell = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.current = self.tables.setdefault(dict(attrs).get("id", ""), [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.current[-1].append(self.cell)
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def check_bands(printed: list[int], printed_total: int, expected: dict[str, float]) -> None:
    exact = [expected["age_0_14"], expected["age_15_64"], expected["age_65_plus"] - expected["age_75_plus"],
             expected["age_75_plus"]]
    assert printed_total == round(expected["total"])
    assert sum(printed) == printed_total
    for value, want in zip(printed, exact):
        assert value in (math.floor(want), math.ceil(want)), (printed, exact)


@pytest.fixture
def written(demo, tmp_path):
    """E03's profile as PDF and HTML, in Japanese (the demo town, straight lines)."""
    pdf, page = tmp_path / "E03.pdf", tmp_path / "E03.html"
    for target in (pdf, page):
        result = run_cli(demo, "report", "district", "E03", "-o", target, lang="ja")
        assert result.exit_code == 0, result.output
    return pdf_text(pdf), page.read_text(encoding="utf-8")


def test_population_bands_and_municipality_in_pdf_and_html(written):
    text, page = written
    name, outline = district("elementary_districts.geojson", "E03")
    expected = shared(outline)
    numbers = row_numbers(text, name)  # 人口, 世帯数, 65歳以上, 75歳以上, 高齢化率, 75歳以上の割合
    for printed, key in zip(numbers[:4], ("total", "households", "age_65_plus", "age_75_plus")):
        assert whole(printed) in (math.floor(expected[key]), math.ceil(expected[key]))
    assert float(numbers[4]) == round(100 * expected["age_65_plus"] / expected["total"], 1)
    assert float(numbers[5]) == round(100 * expected["age_75_plus"] / expected["total"], 1)
    town = {key: sum(row[key] for row in population().values()) for key in ("total", "households", "age_65_plus",
                                                                           "age_75_plus")}
    assert row_numbers(text, "架空市デモ町") == [f"{town['total']:,}", f"{town['households']:,}",
                                           f"{town['age_65_plus']:,}", f"{town['age_75_plus']:,}",
                                           f"{100 * town['age_65_plus'] / town['total']:.1f}",
                                           f"{100 * town['age_75_plus'] / town['total']:.1f}"]
    bands = [whole(row_numbers(text, label)[0]) for label in ("0〜14歳", "15〜64歳", "65〜74歳")]
    bands.append(whole(row_numbers(text, "75歳以上")[0]))
    check_bands(bands, whole(row_numbers(text, "計")[0]), expected)
    html = Tables(page).tables
    assert [whole(row[1]) for row in html["bands-table"][1:-1]] == bands
    assert html["population-table"][1][0] == name
    assert html["population-table"][1][1:] == numbers
    assert "<script" not in page


def test_nested_unit_sums_exactly(demo, tmp_path):
    """Small areas nest in the daily-life areas: the profile's figures are the plain sums of their rows."""
    name, outline = district("daily_life_areas.geojson", "DL01")
    inside = [code for code, polygon in small_areas().items() if outline.contains(polygon.representative_point())]
    rows = [population()[code] for code in inside]
    target = tmp_path / "DL01.pdf"
    assert run_cli(demo, "report", "district", "DL01", "--unit", "日常生活圏域", "-o", target, lang="ja").exit_code == 0
    text = pdf_text(target)
    total = sum(r["total"] for r in rows)
    assert row_numbers(text, name)[:4] == [f"{sum(r[k] for r in rows):,}" for k in
                                           ("total", "households", "age_65_plus", "age_75_plus")]
    assert whole(row_numbers(text, "0〜14歳")[0]) == sum(r["age_0_14"] for r in rows)
    assert whole(row_numbers(text, "65〜74歳")[0]) == sum(r["age_65_plus"] - r["age_75_plus"] for r in rows)
    assert whole(row_numbers(text, "計")[0]) == total


def test_along_the_streets_the_population_is_the_coverage_population(demo, tmp_path):
    """With streets the district's residents are the coverage's: shared along streets both ways, one figure."""
    target = tmp_path / "E01.html"
    result = run_cli(demo, "report", "district", "E01", "--network", DEMO_STREETS, "-o", target, lang="ja")
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    tables = Tables(page).tables
    assert tables["population-table"][1][3] == tables["coverage-table"][1][1]
    assert "道路の長さで" in page and "道路に沿った距離" in page
    minutes = [row[0] for row in tables["coverage-table"][1:]]
    covered = [whole(row[2]) for row in tables["coverage-table"][1:]]
    assert minutes == ["10", "15", "20"] and covered == sorted(covered)


def test_pyramid_bars_are_the_bands(demo):
    from matplotlib.figure import Figure

    from geo_welfare.reports.district_profile import district_profile, gather
    from geo_welfare.reports.profile_chart import draw_bands
    from geo_welfare.store import open_store
    engine = open_store(demo)
    profile = district_profile(engine, gather(engine, "elementary_district", None), "E01")
    bars = draw_bands(Figure().add_subplot(), profile, "ja")
    widths = [int(bar.get_width()) for bar in bars]
    expected = shared(district("elementary_districts.geojson", "E01")[1])
    check_bands(widths, round(expected["total"]), expected)


def demo_places() -> list[tuple[str, float, float, int | None, bool]]:
    """(kind, x, y, capacity, public) of every demo place, from the files."""
    places = []
    for file, encoding in (("salons.csv", "utf-8-sig"), ("engawa.csv", "cp932")):
        with open(DEMO_DATA / file, encoding=encoding, newline="") as handle:
            for row in csv.DictReader(handle):
                x, y = ZONE.transform(float(row["経度"]), float(row["緯度"]))
                places.append((row["種別"], x, y, int(row["定員"]) if row["定員"].isdigit() else None,
                               row["公開"] == "公開"))
    for feature in features("support_centres.geojson"):
        x, y = ZONE.transform(*feature["geometry"]["coordinates"][:2])
        places.append((feature["properties"]["kind"], x, y, None, True))
    return places


def test_coverage_and_capacity_by_a_second_method(written):
    """Without streets every small area's residents stand at one point: coverage and 2SFCA by brute force."""
    text, _ = written
    _, outline = district("elementary_districts.geojson", "E03")
    counts = population()
    areas = small_areas()
    points = {code: polygon.representative_point() for code, polygon in areas.items()}
    public = [p for p in demo_places() if p[4]]
    xy = np.array([[p[1], p[2]] for p in public])
    nearest = {code: np.hypot(*(xy - [pt.x, pt.y]).T).min() for code, pt in points.items()}
    mine = [code for code, pt in points.items() if outline.covers(pt)]
    older = sum(counts[c]["age_65_plus"] for c in mine)
    for minutes in (10, 15, 20):
        covered = sum(counts[c]["age_65_plus"] for c in mine if nearest[c] <= 4000 / 60 * minutes)
        assert row_numbers(text, str(minutes))[:3] == [f"{older:,}", f"{covered:,}", f"{100 * covered / older:.1f}"]
    # 2SFCA: each place's capacity over the 65+ within reach; each resident sums the ratios in reach.
    reach = {code: [j for j, p in enumerate(public) if math.hypot(p[1] - pt.x, p[2] - pt.y) <= LIMIT_15]
             for code, pt in points.items()}
    demand = [sum(counts[c]["age_65_plus"] for c in areas if j in reach[c]) for j in range(len(public))]
    ratio = [p[3] / demand[j] if p[3] is not None and demand[j] else 0.0 for j, p in enumerate(public)]
    per_1000 = sum(counts[c]["age_65_plus"] * 1000 * sum(ratio[j] for j in reach[c]) for c in mine) / older
    capacity_line = [line for line in text.splitlines() if re.match(r"\s*15\s", line)][-1].split()
    assert float(capacity_line[-1]) == round(per_1000, 1)


def test_staff_only_places_never_on_the_public_page(demo, tmp_path):
    from geo_welfare.web import create_app
    places = resources_by_district()
    staff = places[~places["public"]]
    assert len(staff)
    code = staff["code"].iloc[0]
    hidden = list(staff.loc[staff["code"] == code, "name"])
    shown = list(places.loc[places["public"] & (places["code"] == code), "name"])
    client = create_app(demo, tiles="none").test_client()
    page = client.get(f"/profile/elementary_district/{code}").get_data(as_text=True)
    pdf = tmp_path / "web.pdf"
    pdf.write_bytes(client.get(f"/profile/elementary-district/{code}.pdf").data)
    text = drawn_text(pdf)
    for name in hidden:
        assert name not in page and flat(name) not in text
    for name in shown:
        assert name in page and flat(name) in text
    kinds = Tables(page).tables["kinds-table"]
    assert sum(whole(row[1]) for row in kinds[1:]) == len(shown)
    staff_copy = tmp_path / "staff.pdf"
    result = run_cli(demo, "report", "district", code, "--include-staff", "-o", staff_copy, lang="ja")
    staff_text = drawn_text(staff_copy)
    assert result.exit_code == 0 and "職員用" in staff_text and all(flat(name) in staff_text for name in hidden)


def test_attributes_imported_and_shown_escaped(demo_spatialite_url, tmp_path):
    table = tmp_path / "地区の情報.csv"
    table.write_text("地区コード,地区名,CSW配置,協議体,モデル地区\r\nE02,デモ本町小学校区,2名,<script>alert(1)</script>,あり\r\n"
                     "E05,デモ南小学校区,1名,南地区協議体,$\\alpha$ {{7*7}}\r\n", encoding="utf-8-sig")
    result = run_cli(demo_spatialite_url, "import", "district-attributes", table, "--unit", "小学校区", lang="ja")
    assert result.exit_code == 0, result.output
    assert "6" in result.output
    target = tmp_path / "E02.html"
    assert run_cli(demo_spatialite_url, "report", "district", "E02", "-o", target, lang="ja").exit_code == 0
    page = target.read_text(encoding="utf-8")
    rows = Tables(page).tables["attributes-table"]
    assert rows == [["項目", "内容", "出典"], ["CSW配置", "2名", table.name],
                    ["協議体", "<script>alert(1)</script>", table.name], ["モデル地区", "あり", table.name]]
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    pdf = tmp_path / "E05.pdf"
    assert run_cli(demo_spatialite_url, "report", "district", "E05", "-o", pdf, lang="ja").exit_code == 0
    drawn = drawn_text(pdf)
    assert f"CSW配置1名{table.name}" in drawn and f"協議体南地区協議体{table.name}" in drawn
    assert flat("モデル地区$\\alpha${{7*7}}") in drawn  # as written: no mathtext, no template


def test_attribute_file_with_an_unknown_code_is_refused(demo_spatialite_url, tmp_path):
    table = tmp_path / "attributes.csv"
    table.write_text("code,CSW配置\nE01,1\nE77,2\n", encoding="utf-8")
    result = run_cli(demo_spatialite_url, "import", "district-attributes", table, "--unit", "elementary-district")
    assert result.exit_code == 1
    assert "attributes.csv" in result.output and "row 3" in result.output and "code" in result.output
    assert "E77" in result.output and "Traceback" not in result.output
    page = tmp_path / "E01.html"
    assert run_cli(demo_spatialite_url, "report", "district", "E01", "-o", page).exit_code == 0
    assert "attributes-table" not in page.read_text(encoding="utf-8")  # nothing was written


def test_unknown_district_is_refused_clearly(demo, tmp_path):
    from geo_welfare.web import create_app
    result = run_cli(demo, "report", "district", "E99", "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2 and "E99" in result.output and "E01" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.pdf").exists()
    bad = run_cli(demo, "report", "district", "E01", "-o", tmp_path / "x.docx")
    assert bad.exit_code == 2 and ".docx" in bad.output
    answer = create_app(demo, tiles="none").test_client().get("/profile/elementary_district/E99")
    assert answer.status_code == 404 and "E99" in answer.get_json()["detail"]


def test_two_datasets_give_the_changes(demo_spatialite_url, tmp_path):
    """A second snapshot (generated: the demo file with 65+ and totals raised by 7 in each small area)."""
    source = (DEMO_DATA / "population_by_age.csv").read_text(encoding="utf-8-sig").splitlines()
    header, rows = source[0], [line.split(",") for line in source[1:]]
    later = [header] + [",".join([r[0], r[1], str(int(r[2]) + 7), *r[3:5], str(int(r[5]) + 7), *r[6:]])
                        for r in rows]
    file = tmp_path / "population_2026.csv"
    file.write_text("\r\n".join(later) + "\r\n", encoding="utf-8-sig")
    assert run_cli(demo_spatialite_url, "import", "population", file, "--dataset", "zz_2026").exit_code == 0
    name, outline = district("daily_life_areas.geojson", "DL02")
    inside = [c for c, p in small_areas().items() if outline.contains(p.representative_point())]
    before = population()
    target = tmp_path / "DL02.html"
    result = run_cli(demo_spatialite_url, "report", "district", "DL02", "--unit", "daily-life-area", "-o", target,
                     lang="ja")
    assert result.exit_code == 0, result.output
    rows = Tables(target.read_text(encoding="utf-8")).tables["changes-table"]
    old = sum(before[c]["total"] for c in inside)
    old_65 = sum(before[c]["age_65_plus"] for c in inside)
    assert rows[1][:4] == ["population_by_age", f"{old:,}", f"{sum(before[c]['households'] for c in inside):,}",
                           f"{old_65:,}"]
    assert rows[2][0] == "zz_2026" and whole(rows[2][1]) == old + 7 * len(inside)
    assert rows[3][0] == "増減" and rows[3][1] == f"{7 * len(inside):,}" and rows[3][3] == f"{7 * len(inside):,}"
    rate = lambda o, t: round(100 * o / t, 1)  # noqa: E731
    assert float(rows[3][5]) == round(rate(old_65 + 7 * len(inside), old + 7 * len(inside)) - rate(old_65, old), 1)


def test_every_district_to_a_folder(demo, tmp_path):
    result = run_cli(demo, "report", "district", "--all", "--format", "html", "-o", tmp_path / "out", lang="ja")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert [n[:3] for n in names] == ["E01", "E02", "E03", "E04", "E05", "E06"]
    assert all(n.endswith("_地区カルテ.html") for n in names)


def test_english_profile_and_pages_for_a_person(demo, tmp_path):
    """The English PDF has no Japanese words of its own; every page is rendered for a person to look at."""
    target = tmp_path / "E03_en.pdf"
    assert run_cli(demo, "report", "district", "E03", "-o", target, lang="en").exit_code == 0
    text = pdf_text(target)
    assert "Population and households" in text and "人口" not in text.replace("人口:", "")
    fonts = run("pdffonts", target)
    assert "IPAexGothic" in fonts and "Type 3" not in fonts
    ARTIFACTS.mkdir(exist_ok=True)
    ja = tmp_path / "E03_ja.pdf"
    assert run_cli(demo, "report", "district", "E03", "-o", ja, lang="ja").exit_code == 0
    for pdf in (ja, target):
        run("pdftoppm", "-r", "70", "-png", pdf, ARTIFACTS / f"district_profile_{pdf.stem}")
    assert list(ARTIFACTS.glob("district_profile_E03_ja-*.png"))


def test_profile_page_in_the_browser(demo, browser):
    from geo_welfare.web import create_app
    from helpers import Watched, serve
    for base in serve(create_app(demo, tiles="none")):
        watched = Watched(browser, base)
        watched.page.goto(f"{base}/profile/elementary_district/E03")
        assert watched.page.locator("#profile-title").inner_text() == "デモ北小学校区（E03）地区カルテ"
        assert watched.page.locator("#places-table tbody tr").count() == 6
        ARTIFACTS.mkdir(exist_ok=True)
        watched.page.screenshot(path=str(ARTIFACTS / "district_profile_page.png"), full_page=True)
        watched.page.set_viewport_size({"width": 390, "height": 844})
        watched.page.screenshot(path=str(ARTIFACTS / "district_profile_page_phone.png"), full_page=True)
        watched.check_offline()
        watched.page.close()
