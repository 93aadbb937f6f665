"""``geo-welfare which`` and ``link centre``, and ``nearest --address``: on the demo town and on real Takamatsu data.

Expected answers are worked out from the files here: which 圏域 / school-district polygon of
``data/demo/*.geojson`` covers the point (shapely), which centre of ``support_centres.geojson`` or of
Takamatsu's list is nearest (GRS80 geodesic with pyproj), the gazetteer's point read with json.
The demo town's addresses are fictional: its gazetteer is built from the store's small areas
(``import gazetteer --small-areas``), which places an address at 町丁目 (or 大字) level.
"""

from __future__ import annotations

import csv
import json

import pytest
import shapely
from pyproj import Geod

from geo_welfare.layers.schedules import describe, parse_schedule
from helpers import DEMO_DATA, DEMO_STREETS, SHARED_DATA, run_cli

GEOD = Geod(ellps="GRS80")
ADDRESS = "架空市デモ町デモ台一丁目5番3号"  # fictional, as every demo address
TOWN = "デモ台一丁目"


def features(name: str) -> list[dict]:
    return json.loads((DEMO_DATA / name).read_text(encoding="utf-8"))["features"]


def covering(name: str, point: shapely.Point) -> str | None:
    """The code of the polygon of ``name`` that covers ``point``, by shapely over the file."""
    codes = [f["properties"]["code"] for f in features(name) if shapely.geometry.shape(f["geometry"]).covers(point)]
    assert len(codes) <= 1
    return codes[0] if codes else None


def nearest_by_geodesic(points: dict[str, tuple[float, float]], lon: float, lat: float) -> str:
    return min(points, key=lambda name: GEOD.inv(lon, lat, *points[name])[2])


def centres() -> dict[str, tuple[float, float]]:
    return {f["properties"]["name"]: tuple(f["geometry"]["coordinates"]) for f in features("support_centres.geojson")}


def town_point() -> shapely.Point:
    """The point the small-area gazetteer gives デモ台一丁目: a point on its polygon's surface, as stored."""
    polygon = next(shapely.geometry.shape(f["geometry"]) for f in features("small_areas.geojson")
                   if f["properties"]["S_NAME"] == TOWN)
    return polygon.representative_point()


@pytest.fixture
def demo_gazetteer(demo_store):
    result = run_cli(demo_store, "import", "gazetteer", "--small-areas")
    assert result.exit_code == 0, result.stderr
    return demo_store, result


def test_the_small_areas_give_a_town_level_gazetteer(demo_gazetteer):
    _, result = demo_gazetteer
    names = [f["properties"]["S_NAME"] for f in features("small_areas.geojson")]
    chome = sum(name.endswith("丁目") for name in names)
    assert (chome, len(names) - chome) == (40, 2)
    assert f"small_area: 42 gazetteer entries stored (chome {chome}, oaza {len(names) - chome})" in result.stderr


def lines(result) -> list[str]:
    return result.stdout.splitlines()


def test_an_address_without_a_tie_names_the_nearest_centre_as_such(demo_gazetteer):
    url, _ = demo_gazetteer
    point = town_point()
    result = run_cli(url, "which", ADDRESS, "--format", "json")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["location"]["level"] == "chome" and answer["location"]["matched"] == "架空市デモ町" + TOWN
    expected = {"daily_life_area": covering("daily_life_areas.geojson", point),
                "elementary_district": covering("elementary_districts.geojson", point),
                "junior_high_district": covering("junior_high_districts.geojson", point)}
    assert expected == {"daily_life_area": "DL01", "elementary_district": "E01", "junior_high_district": "J01"}
    assert {unit: area["code"] for unit, area in answer["areas"].items() if area} == expected
    assert answer["areas"]["district"] is None  # the demo town keeps no 地区
    nearest = nearest_by_geodesic(centres(), point.x, point.y)
    assert answer["centre"]["name"] == nearest == "デモ北部地域包括支援センター"
    assert answer["centre"]["tie"] == "nearest" and answer["centre"]["method"] == "straight_line"
    assert answer["centre"]["walking_m"] == pytest.approx(GEOD.inv(point.x, point.y, *centres()[nearest])[2], abs=2)
    text = run_cli(url, "which", ADDRESS)
    assert text.exit_code == 0
    assert "Nearest centre (not necessarily the responsible one): デモ北部地域包括支援センター" in text.stdout
    assert "responsible: " not in text.stdout
    assert "  Hours: " + describe(parse_schedule("月火水木金 08:30〜17:15 祝日・年末年始休み"), "en") in lines(text)
    assert "  Phone: 000-0000-3001" in lines(text)


def test_a_tie_wins_over_the_nearest_centre(demo_gazetteer):
    url, _ = demo_gazetteer
    point = town_point()
    far = "デモ南部地域包括支援センター"  # in the southern 圏域, across the river: never the nearest here
    assert nearest_by_geodesic(centres(), point.x, point.y) != far
    assert covering("daily_life_areas.geojson", shapely.Point(centres()[far])) == "DL02"
    result = run_cli(url, "link", "centre", far, "北部圏域")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(run_cli(url, "which", f"{point.x}", f"{point.y}", "--format", "json",
                                "--network", DEMO_STREETS).stdout)
    assert answer["centre"]["name"] == far and answer["centre"]["tie"] == "assigned"
    assert answer["centre"]["method"] == "network"
    assert answer["centre"]["walking_m"] > answer["centre"]["straight_m"] > 0  # over the streets, via a bridge
    text = run_cli(url, "which", f"{point.x}", f"{point.y}")
    assert f"Support centre responsible: {far}" in lines(text)
    # A point in the southern 圏域, which has no tie: the nearest again, said so.
    south = shapely.Point(centres()[far])
    other = json.loads(run_cli(url, "which", f"{south.x}", f"{south.y}", "--format", "json").stdout)
    assert other["areas"]["daily_life_area"]["code"] == "DL02" and other["centre"]["tie"] == "nearest"
    # Relinking the area replaces its tie; a place that is no centre, or an unknown area, is refused.
    assert run_cli(url, "link", "centre", "デモ北部地域包括支援センター", "DL01").exit_code == 0
    again = json.loads(run_cli(url, "which", f"{point.x}", f"{point.y}", "--format", "json").stdout)
    assert again["centre"]["name"] == "デモ北部地域包括支援センター" and again["centre"]["tie"] == "assigned"
    salon = run_cli(url, "link", "centre", "1", "DL01")
    assert salon.exit_code == 2 and "is not a support centre" in salon.stderr
    assert run_cli(url, "link", "centre", far, "DL09").exit_code == 3


def test_an_address_placed_only_at_its_municipality_is_refused(demo_gazetteer):
    url, _ = demo_gazetteer
    result = run_cli(url, "which", "架空市デモ町どこか99番")
    assert result.exit_code == 1 and result.stdout == ""
    assert "match level: municipality" in result.stderr and "only the municipality is known" in result.stderr
    assert "どこか" not in result.stderr and "99" not in result.stderr
    assert run_cli(url, "which", "139.4").exit_code == 1  # one number is an address, and matches nothing
    bad = run_cli(url, "which", "139.4", "99")
    assert bad.exit_code == 2 and "99" not in bad.stderr
    nearest = run_cli(url, "nearest", "--address", "架空市デモ町どこか99番")
    assert nearest.exit_code == 1 and "どこか" not in nearest.stderr


def test_no_gazetteer_is_said(demo_store):
    result = run_cli(demo_store, "which", ADDRESS)
    assert result.exit_code == 3 and "gazetteer" in result.stderr.lower()


def test_stderr_and_the_store_keep_no_location(demo_gazetteer):
    from helpers import snapshot
    url, _ = demo_gazetteer
    point = town_point()
    before = snapshot(url)
    outputs = [run_cli(url, "which", ADDRESS, "--network", DEMO_STREETS, lang=lang) for lang in ("en", "ja")]
    outputs.append(run_cli(url, "which", f"{point.x:.6f}", f"{point.y:.6f}", "--network", DEMO_STREETS))
    outputs.append(run_cli(url, "nearest", "--address", ADDRESS, "--network", DEMO_STREETS))
    for result in outputs:
        assert result.exit_code == 0, result.stderr
        for fragment in (ADDRESS, TOWN, "デモ台", f"{point.x:.4f}", f"{point.y:.4f}", "139.38", "35.21"):
            assert fragment not in result.stderr, fragment
    assert snapshot(url) == before


def test_nearest_from_an_address_is_nearest_from_its_point(demo_gazetteer):
    url, _ = demo_gazetteer
    point = town_point()
    by_address = run_cli(url, "nearest", "--address", ADDRESS, "--format", "json", "-k", "3")
    assert by_address.exit_code == 0, by_address.stderr
    assert "The location was placed from the address (match level: chome)" in by_address.stderr
    by_point = run_cli(url, "nearest", f"{point.x}", f"{point.y}", "--format", "json", "-k", "3")
    assert json.loads(by_address.stdout) == json.loads(by_point.stdout)
    assert run_cli(url, "nearest", "139.4", "35.2", "--address", ADDRESS).exit_code == 2
    assert run_cli(url, "nearest").exit_code == 2


# --- real data: Takamatsu's 7 centres and the Geolonia gazetteer of 高松市 ------------------------

TAKAMATSU = SHARED_DATA / "takamatsu"


@pytest.fixture(scope="module")
def takamatsu(module_store_url):
    steps = [("import", "resources", TAKAMATSU / "takamatsu_regional_comprehensive_support_center.csv",
              "--kind", "support_centre"),
             ("import", "gazetteer", TAKAMATSU / "geolonia_japanese_addresses_takamatsu.json",
              "--municipality", "香川県高松市")]
    for step in steps:
        result = run_cli(module_store_url, *step)
        assert result.exit_code == 0, result.stderr
    return module_store_url


def test_a_real_address_in_takamatsu(takamatsu):
    with open(TAKAMATSU / "takamatsu_regional_comprehensive_support_center.csv", encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    points = {row["name"]: (float(row["longitude"]), float(row["latitude"])) for row in rows}
    towns = json.loads((TAKAMATSU / "geolonia_japanese_addresses_takamatsu.json").read_text(encoding="utf-8"))
    town = next(record for record in towns if record["town"] == "桜町一丁目")
    lon, lat = float(town["lng"]), float(town["lat"])
    expected = nearest_by_geodesic(points, lon, lat)
    assert expected == "地域包括支援センター（高松市保健センター１階）"
    result = run_cli(takamatsu, "which", "香川県高松市桜町1丁目9番12号", "--format", "json")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["location"]["level"] == "chome" and answer["location"]["gazetteer"] == \
        "geolonia_japanese_addresses_takamatsu.json"
    assert answer["areas"] == {"daily_life_area": None, "elementary_district": None, "junior_high_district": None,
                               "district": None}  # Takamatsu publishes no 圏域 polygons
    centre = answer["centre"]
    assert centre["name"] == expected and centre["tie"] == "nearest"
    assert centre["phone"] == "087-839-2811" and centre["address"] == "高松市桜町一丁目9-12"
    assert centre["walking_m"] == pytest.approx(GEOD.inv(lon, lat, *points[expected])[2], abs=3)
    assert "08:30" in centre["hours"] or "8:30" in centre["hours"]
    refused = run_cli(takamatsu, "which", "香川県高松市")
    assert refused.exit_code == 1 and "municipality" in refused.stderr


def test_a_lists_column_ties_the_centres(demo_gazetteer, tmp_path):
    """A 担当圏域 column beside the names of the imported list (generated here: the demo's centres, by name)."""
    from helpers import snapshot
    url, _ = demo_gazetteer
    far = "デモ南部地域包括支援センター"
    table = tmp_path / "support_centres.csv"  # the stem names the imported list (support_centres.geojson)
    table.write_text(f"名称,担当圏域\r\n{far},北部圏域\r\nデモ東部地域包括支援センター,\r\n", encoding="utf-8-sig")
    result = run_cli(url, "link", "centres", table)
    assert result.exit_code == 0, result.stderr
    assert "support_centres.csv: 1 centres tied" in result.stderr
    answer = json.loads(run_cli(url, "which", ADDRESS, "--format", "json").stdout)
    assert answer["centre"]["name"] == far and answer["centre"]["tie"] == "assigned"
    # A row naming an area or a place that is not stored: refused, naming the row, and nothing is tied.
    bad = tmp_path / "support_centres_bad" / "support_centres.csv"
    bad.parent.mkdir()
    bad.write_text(f"名称,担当圏域\r\nデモ北部地域包括支援センター,DL01\r\n{far},東部圏域\r\nどこかのセンター,DL02\r\n",
                   encoding="utf-8-sig")
    before = snapshot(url)
    refused = run_cli(url, "link", "centres", bad)
    assert refused.exit_code == 1
    assert "row 3" in refused.stderr and "東部圏域" in refused.stderr and "row 4" in refused.stderr
    assert snapshot(url) == before
    assert json.loads(run_cli(url, "which", ADDRESS, "--format", "json").stdout)["centre"]["name"] == far


def test_the_district_and_its_csw_where_stored(demo_gazetteer, tmp_path):
    """地区 polygons (the demo's elementary districts, imported again as 地区) and an office's table naming CSWs."""
    from geo_welfare.store import open_store
    from geo_welfare.store.district_attributes import import_district_attributes
    url, _ = demo_gazetteer
    point = town_point()
    result = run_cli(url, "import", "areas", DEMO_DATA / "elementary_districts.geojson", "--unit", "district")
    assert result.exit_code == 0, result.stderr
    code = covering("elementary_districts.geojson", point)
    table = tmp_path / "district_office.csv"  # generated: fictional names, as the demo's
    table.write_text(f"地区コード,担当CSW,協議体\r\n{code},架空 太郎（000-0000-9001）,あり\r\nE02,架空 花子,なし\r\n",
                     encoding="utf-8-sig")
    import_district_attributes(open_store(url), table, "district")
    answer = json.loads(run_cli(url, "which", ADDRESS, "--format", "json").stdout)
    assert answer["areas"]["district"]["code"] == code == "E01"
    assert answer["csw"] == [{"key": "担当CSW", "value": "架空 太郎（000-0000-9001）"}]  # 協議体 is no CSW
    text = run_cli(url, "which", ADDRESS).stdout.splitlines()
    assert "District: デモ台小学校区 (E01)" in text and "  担当CSW: 架空 太郎（000-0000-9001）" in text
