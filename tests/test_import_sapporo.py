"""Sapporo's real open data through the CLI: e-Stat small areas, the age table, school districts.

Expected figures are worked out here from the files themselves with the json/csv modules (or
taken from ../shared/data/README.md, which counted them independently), never from the product.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from conftest import run_cli
from geo_welfare.store import open_store
from geo_welfare.store.models import AreaUnit, PopulationCount, PopulationDataset
from geo_welfare.store.read import aging_rate, read_population

WARDS = {  # file suffix → (ward, polygons per the shared README)
    "atsubetsu": ("厚別区", 207), "chuo": ("中央区", 990), "higashi": ("東区", 1086), "kita": ("北区", 968),
    "kiyota": ("清田区", 215), "minami": ("南区", 390), "nishi": ("西区", 583), "shiroishi": ("白石区", 458),
    "teine": ("手稲区", 367), "toyohira": ("豊平区", 532),
}
AGE_TABLE = "sapporo/sapporo_jounen202010_age5_by_chome.csv"
#: Distinct KEY_CODEs over the ten files: 205 + 987 + 1085 + 964 + 213 + 388 + 583 + 458 + 366 + 532.
UNIQUE_CODES = 5781


def ward_file(shared, suffix):
    return shared / "sapporo" / "smallarea" / f"estat_h27_smallarea_{suffix}.geojson"


def read_features(path):
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def age_rows(shared):
    with open(shared / AGE_TABLE, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sapporo(module_store_url, shared_data):
    """All ten wards and the age table, imported once per backend through the CLI."""
    files = [ward_file(shared_data, suffix) for suffix in WARDS]
    areas = run_cli(module_store_url, "import", "areas", *files, "--unit", "small-area")
    assert areas.exit_code == 0, areas.stderr
    population = run_cli(module_store_url, "import", "population", shared_data / AGE_TABLE)
    assert population.exit_code == 0, population.stderr
    return module_store_url, areas, population


def test_polygon_counts_and_dissolved_codes_per_ward(sapporo, shared_data):
    url, areas, _ = sapporo
    engine = open_store(url)
    with engine.connect() as connection:
        stored = dict(connection.execute(select(AreaUnit.source, func.count()).where(AreaUnit.unit == "small_area")
                                         .group_by(AreaUnit.source)).all())
    total_dissolved = total_codes = 0
    for suffix, (ward, polygons) in WARDS.items():
        features = read_features(ward_file(shared_data, suffix))
        assert len(features) == polygons, ward
        codes = Counter(f["properties"]["KEY_CODE"] for f in features)
        assert stored[f"estat_h27_smallarea_{suffix}"] == len(codes), ward
        total_dissolved += sum(1 for n in codes.values() if n > 1)
        total_codes += len(codes)
    assert sum(p for _, p in WARDS.values()) == 5796
    assert total_codes == UNIQUE_CODES
    assert f"Areas stored in several pieces, dissolved into one: {total_dissolved}" in areas.stderr
    # Codes in several pieces: 厚別 2, 中央 2 (円山西町, 宮の森), 東 1, 北 3 (新川, 篠路町拓北, 東茨戸),
    # 清田 2, 南 2, 手稲 1.
    assert total_dissolved == 13


def test_census_population_carried_by_the_boundaries(sapporo, shared_data):
    url, _, _ = sapporo
    engine = open_store(url)
    for suffix, (ward, _) in WARDS.items():
        expected = sum(f["properties"]["JINKO"] for f in read_features(ward_file(shared_data, suffix)))
        stored = read_population(engine, f"estat_h27_smallarea_{suffix}")["total"].sum()
        assert stored == expected, ward
    kiyota = read_population(engine, "estat_h27_smallarea_kiyota")
    assert kiyota["total"].sum() == 115_726  # the figure the shared README gives for 清田区


def test_dissolved_small_area_keeps_every_piece(sapporo, shared_data):
    """011101800 清田 comes in two pieces; the stored area is their union (the areas add up)."""
    import shapely
    from pyproj import Geod
    from shapely.geometry import shape

    url, _, _ = sapporo
    pieces = [shape(f["geometry"]) for f in read_features(ward_file(shared_data, "kiyota"))
              if f["properties"]["KEY_CODE"] == "011101800"]
    assert len(pieces) == 2
    with open_store(url).connect() as connection:
        wkb = connection.execute(select(func.ST_AsBinary(AreaUnit.geom)).where(AreaUnit.code == "011101800")).scalar()
    stored = shapely.from_wkb(bytes(wkb))
    geod = Geod(ellps="GRS80")
    expected = sum(abs(geod.geometry_area_perimeter(p)[0]) for p in pieces)
    assert abs(geod.geometry_area_perimeter(stored)[0]) == pytest.approx(expected, rel=1e-9)


def test_age_table_rows_totals_and_aging_rate(sapporo, shared_data):
    url, _, population = sapporo
    rows = age_rows(shared_data)
    details = [r for r in rows if r["区"] != "全市" and r["区"] != r["区分"]]
    assert len(rows) == 5458 and len(details) == 5447
    stored = read_population(open_store(url), "sapporo_jounen202010_age5_by_chome")
    assert len(stored) == 5447
    city = next(r for r in rows if r["区"] == "全市")
    assert round(int(city["老年人口"]) / int(city["人口"]) * 100, 2) == 27.56  # 540,613 / 1,961,682
    suppressed = [r for r in details if r["老年人口"].strip() == "x"]
    assert len(suppressed) == 158
    assert stored["age_65_plus"].isna().sum() == 158
    known = [r for r in details if r["老年人口"].strip() != "x"]
    old = sum(int(r["老年人口"].replace("-", "0")) for r in known)
    everyone = sum(int(r["人口"]) for r in known)
    assert (old, everyone) == (540_285, 1_960_725)
    assert aging_rate(stored) == pytest.approx(old / everyone, abs=1e-12)
    assert round(aging_rate(stored) * 100, 2) == 27.56
    assert stored["total"].sum() == int(city["人口"])
    assert "Rows joined to a small area:" in population.stderr


KANJI = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def kanji_to_int(text: str) -> int:
    """二十四 → 24 (the other direction from the importer, which writes 24 as 二十四)."""
    if "十" not in text:
        return KANJI[text]
    tens, _, ones = text.partition("十")
    return (KANJI[tens] if tens else 1) * 10 + (KANJI[ones] if ones else 0)


def census_key(name: str) -> str:
    """e-Stat spelling → arabic numerals everywhere (北十七条西 → 北17条西)."""
    text = unicodedata.normalize("NFKC", name).replace("(番地)", "").replace("ヶ", "ケ")
    return re.sub(r"([一二三四五六七八九十]+)条", lambda m: f"{kanji_to_int(m[1])}条", text)


def register_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).replace(" ", "").replace("(番地)", "").replace("ヶ", "ケ")


def test_which_age_rows_join_and_which_do_not(sapporo, shared_data):
    url, _, population = sapporo
    names = defaultdict(set)  # (ward, key) → codes
    for suffix, (ward, _) in WARDS.items():
        for feature in read_features(ward_file(shared_data, suffix)):
            names[(ward, census_key(feature["properties"]["S_NAME"]))].add(feature["properties"]["KEY_CODE"])
    expected_unmatched, joined_coarser = [], 0
    for row in (r for r in age_rows(shared_data) if r["区"] != "全市" and r["区"] != r["区分"]):
        key = register_key(row["区分"])
        codes = names.get((row["区"], key), set())
        if not codes and re.search(r"\d+丁目$", key):
            codes = names.get((row["区"], re.sub(r"\d+丁目$", "", key)), set())
            joined_coarser += len(codes) == 1
        if len(codes) != 1:
            expected_unmatched.append((row["区"], row["区分"]))
    assert expected_unmatched == [("中央区", "北３条東８丁目"), ("中央区", "北３条東９丁目")]
    assert joined_coarser == 34
    stored = read_population(open_store(url), "sapporo_jounen202010_age5_by_chome")
    assert stored["area_code"].notna().sum() == 5447 - 2
    assert "Rows joined to a small area: 5445 of 5447" in population.stderr
    assert "Rows that did not join to a small area: 2" in population.stderr
    for ward, name in expected_unmatched:
        assert f"{ward}/{name}" in population.stderr  # listed, not dropped
        assert stored.loc[stored["name"] == name, "area_code"].isna().all()


def test_reimport_updates_without_duplicates(sapporo, shared_data):
    url, _, _ = sapporo
    again = run_cli(url, "import", "areas", ward_file(shared_data, "kiyota"), "--unit", "small-area")
    assert again.exit_code == 0
    assert "estat_h27_smallarea_kiyota.geojson: 0 added, 213 updated, 0 removed" in again.stderr
    with open_store(url).connect() as connection:
        assert connection.execute(select(func.count()).select_from(AreaUnit)
                                  .where(AreaUnit.unit == "small_area")).scalar() == UNIQUE_CODES
        datasets = connection.execute(select(func.count()).select_from(PopulationDataset)).scalar()
        counts = connection.execute(select(func.count()).select_from(PopulationCount)).scalar()
    assert datasets == 11  # ten wards' census totals and the age table
    assert counts == UNIQUE_CODES + 5447


def test_school_districts(store_url, shared_data):
    school = shared_data / "sapporo" / "school"
    elementary = read_features(school / "papamama_Elementary.geojson")
    middle = read_features(school / "papamama_MiddleSchool.geojson")
    assert (len(elementary), len(middle)) == (202, 98)
    middle_keys = Counter((f["properties"]["A32_001"], f["properties"]["name"]) for f in middle)
    assert len(middle_keys) == 97  # one school's district comes in two polygons
    result = run_cli(store_url, "import", "areas", school / "papamama_Elementary.geojson", "--unit",
                     "elementary-district")
    assert result.exit_code == 0, result.stderr
    result = run_cli(store_url, "import", "areas", school / "papamama_MiddleSchool.geojson", "--unit",
                     "junior-high-district")
    assert result.exit_code == 0, result.stderr
    assert "Areas stored in several pieces, dissolved into one: 1" in result.stderr
    listing = json.loads(run_cli(store_url, "list", "areas", "--unit", "junior-high-district", "--format",
                                 "json").stdout)
    assert len(listing) == 97
    assert {row["code"] for row in listing} == {f"{code}:{name}" for code, name in middle_keys}
    twice = next(key for key, n in middle_keys.items() if n == 2)
    assert any(row["name"] == twice[1] for row in listing)
    elementary_listing = json.loads(run_cli(store_url, "list", "areas", "--unit", "elementary-district",
                                            "--format", "json").stdout)
    assert len(elementary_listing) == 202
