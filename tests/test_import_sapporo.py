"""Sapporo's real open data through the CLI: e-Stat small areas, the age table, school districts, N03.

Expected figures are worked out here from the files themselves with the json/csv modules (or are
hand-derived constants, each with a comment saying how), never by calling the product's readers.
The heavy import (all ten wards + the age table) runs once per backend in a module-scoped store.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter, defaultdict

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape
from sqlalchemy import func, select

from geo_welfare.store import open_store
from geo_welfare.store.models import AreaUnit, PopulationCount, PopulationDataset
from geo_welfare.store.read import aging_rate, read_areas, read_population
from helpers import run_cli

WARDS = {  # file suffix → (ward as CITY_NAME spells it, polygons per the shared README)
    "atsubetsu": ("厚別区", 207), "chuo": ("中央区", 990), "higashi": ("東区", 1086), "kita": ("北区", 968),
    "kiyota": ("清田区", 215), "minami": ("南区", 390), "nishi": ("西区", 583), "shiroishi": ("白石区", 458),
    "teine": ("手稲区", 367), "toyohira": ("豊平区", 532),
}
#: Distinct KEY_CODEs per ward, counted with collections.Counter over each file's KEY_CODE.
UNIQUE_PER_WARD = {"atsubetsu": 205, "chuo": 987, "higashi": 1085, "kita": 964, "kiyota": 213, "minami": 388,
                   "nishi": 583, "shiroishi": 458, "teine": 366, "toyohira": 532}
UNIQUE_CODES = 5781  # the sum of the above
#: JINKO summed per file with the json module (the 2015 census population of each ward).
JINKO_PER_WARD = {"atsubetsu": 127_767, "chuo": 237_627, "higashi": 261_912, "kita": 285_321, "kiyota": 115_726,
                  "minami": 141_190, "nishi": 213_578, "shiroishi": 209_584, "teine": 140_999, "toyohira": 218_652}
AGE_TABLE = "sapporo/sapporo_jounen202010_age5_by_chome.csv"
AGE_DATASET = "sapporo_jounen202010_age5_by_chome"


def ward_file(shared, suffix):
    return shared / "sapporo" / "smallarea" / f"estat_h27_smallarea_{suffix}.geojson"


def read_features(path):
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def age_rows(shared):
    """The age table as dicts, each with its line number in the file (header = line 1)."""
    with open(shared / AGE_TABLE, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return [dict(row, _line=reader.line_num) for row in reader]


def is_total(row) -> bool:
    """全市 and each ward's own row (区分 = 区) sum up the other rows."""
    return row["区"] == "全市" or row["区"] == row["区分"]


@pytest.fixture(scope="module")
def sapporo(module_store_url, shared_data):
    """All ten wards and the age table, imported once per backend through the CLI."""
    files = [ward_file(shared_data, suffix) for suffix in WARDS]
    areas = run_cli(module_store_url, "import", "areas", *files, "--unit", "small-area")
    assert areas.exit_code == 0, areas.stderr
    population = run_cli(module_store_url, "import", "population", shared_data / AGE_TABLE)
    assert population.exit_code == 0, population.stderr
    return module_store_url, areas, population


# --- small areas ----------------------------------------------------------------------------------

def test_polygon_counts_and_dissolved_codes_per_ward(sapporo, shared_data):
    url, areas, _ = sapporo
    with open_store(url).connect() as connection:
        stored = dict(connection.execute(select(AreaUnit.source, func.count()).where(AreaUnit.unit == "small_area")
                                         .group_by(AreaUnit.source)).all())
        total = connection.execute(select(func.count()).select_from(AreaUnit)).scalar()
    dissolved = 0
    for suffix, (ward, polygons) in WARDS.items():
        features = read_features(ward_file(shared_data, suffix))
        assert len(features) == polygons, ward
        assert {f["properties"]["CITY_NAME"] for f in features} == {ward}
        codes = Counter(f["properties"]["KEY_CODE"] for f in features)
        assert len(codes) == UNIQUE_PER_WARD[suffix], ward
        assert stored[f"estat_h27_smallarea_{suffix}"] == len(codes), ward  # stored rows = unique codes
        dissolved += sum(1 for n in codes.values() if n > 1)
        assert f"estat_h27_smallarea_{suffix}.geojson: {len(codes)} added, 0 updated, 0 removed" in areas.stderr
    assert sum(p for _, p in WARDS.values()) == 5796
    assert total == UNIQUE_CODES == sum(UNIQUE_PER_WARD.values())
    # Codes in several pieces (by hand from the Counter): 厚別 2, 中央 2 (円山西町, 宮の森), 東 1 (東苗穂町),
    # 北 3 (新川, 篠路町拓北, 東茨戸), 清田 2 (清田, 真栄), 南 2 (南沢, 真駒内), 手稲 1 (手稲星置) = 13.
    assert dissolved == 13
    assert f"Areas stored in several pieces, dissolved into one: {dissolved}" in areas.stderr


def test_stored_attributes_follow_the_file(sapporo, shared_data):
    """Code, name, ward (CITY_NAME) and municipality code (PREF + CITY) of every small area."""
    url, _, _ = sapporo
    expected = {}
    for suffix in WARDS:
        for feature in read_features(ward_file(shared_data, suffix)):
            p = feature["properties"]
            expected[p["KEY_CODE"]] = (p["S_NAME"], p["CITY_NAME"], p["PREF"] + p["CITY"])
    stored = read_areas(open_store(url), "small_area")
    assert len(stored) == len(expected) == UNIQUE_CODES
    got = {row.code: (row.name, row.municipality_name, row.municipality_code) for row in stored.itertuples()}
    assert got == expected
    assert set(stored.geometry.geom_type) == {"MultiPolygon"} and stored.geometry.is_valid.all()
    assert stored.crs.to_epsg() == 6668


def test_dissolved_small_area_keeps_every_piece(sapporo, shared_data):
    """宮の森 (011011000, 中央区) comes in three pieces; the stored area is their union (the areas add up)."""
    url, _, _ = sapporo
    pieces = [shape(f["geometry"]) for f in read_features(ward_file(shared_data, "chuo"))
              if f["properties"]["KEY_CODE"] == "011011000"]
    assert len(pieces) == 3
    with open_store(url).connect() as connection:
        wkb = connection.execute(select(func.ST_AsBinary(AreaUnit.geom)).where(AreaUnit.code == "011011000")).scalar()
    stored = shapely.from_wkb(bytes(wkb))
    geod = Geod(ellps="GRS80")
    expected = sum(abs(geod.geometry_area_perimeter(p)[0]) for p in pieces)
    assert abs(geod.geometry_area_perimeter(stored)[0]) == pytest.approx(expected, rel=1e-9)
    assert stored.covers(shapely.union_all(pieces).buffer(-1e-9))


def test_census_population_carried_by_the_boundaries(sapporo, shared_data):
    url, _, _ = sapporo
    engine = open_store(url)
    for suffix, (ward, _) in WARDS.items():
        features = read_features(ward_file(shared_data, suffix))
        by_code = defaultdict(list)
        for f in features:
            by_code[f["properties"]["KEY_CODE"]].append(f["properties"]["JINKO"])
        # e-Stat puts a split area's population on one piece and 0 on the others, so summing the
        # pieces counts nobody twice.
        assert all(sorted(v)[:-1] == [0] * (len(v) - 1) for v in by_code.values()), ward
        assert sum(sum(v) for v in by_code.values()) == JINKO_PER_WARD[suffix], ward
        stored = read_population(engine, f"estat_h27_smallarea_{suffix}")
        assert len(stored) == UNIQUE_PER_WARD[suffix], ward
        assert int(stored["total"].sum()) == JINKO_PER_WARD[suffix], ward
        assert dict(zip(stored["row_key"], stored["total"].astype(int))) == {c: sum(v) for c, v in by_code.items()}
    assert JINKO_PER_WARD["kiyota"] == 115_726  # the figure the shared README gives for 清田区
    # Sapporo's 2015 census population is 1,952,356 (平成27年国勢調査 札幌市); the boundaries agree.
    assert sum(JINKO_PER_WARD.values()) == 1_952_356


# --- the age table -------------------------------------------------------------------------------

def test_age_table_rows_totals_and_aging_rate(sapporo, shared_data):
    url, _, population = sapporo
    rows = age_rows(shared_data)
    details = [r for r in rows if not is_total(r)]
    assert len(rows) == 5458 and len(details) == 5447  # 5,458 − 全市 − 10 ward rows
    assert sum(is_total(r) for r in rows) == 11
    stored = read_population(open_store(url), AGE_DATASET)
    assert len(stored) == 5447
    assert Counter(stored["parent_name"]) == Counter(r["区"] for r in details)
    assert int(stored["total"].sum()) == sum(int(r["人口"]) for r in details) == 1_961_682

    city = next(r for r in rows if r["区"] == "全市")
    assert (int(city["老年人口"]), int(city["人口"])) == (540_613, 1_961_682)
    assert round(540_613 / 1_961_682 * 100, 2) == 27.56  # the published city rate: 27.5586…%

    suppressed = [r for r in details if r["老年人口"].strip() == "x"]
    assert len(suppressed) == 158
    assert all(r[column].strip() == "x" for r in suppressed for column in r if column not in ("区", "区分", "人口", "_line"))
    assert stored["age_65_plus"].isna().sum() == 158
    assert stored["age_0_14"].isna().sum() == stored["age_15_64"].isna().sum() == 158
    assert sorted(stored.loc[stored["age_65_plus"].isna(), "name"]) == sorted(r["区分"] for r in suppressed)
    hidden_people = sum(int(r["人口"]) for r in suppressed)
    assert hidden_people == 957  # 1,961,682 − 1,960,725

    known = [r for r in details if r["老年人口"].strip() != "x"]
    old = sum(int(r["老年人口"].replace("-", "0")) for r in known)
    everyone = sum(int(r["人口"]) for r in known)
    assert (old, everyone) == (540_285, 1_960_725)  # so 328 people aged 65+ live in suppressed rows
    assert aging_rate(stored) == 540_285 / 1_960_725  # exactly, as a float
    assert f"{aging_rate(stored) * 100:.4f}" == "27.5554"  # by hand: 540,285 / 1,960,725 = 0.2755537…
    assert round(aging_rate(stored) * 100, 2) == 27.56
    assert int(stored["age_65_plus"].sum()) == old  # NULLs are not counted as 0 … nor as anything else

    # The published bands agree with the stored groups row by row (0–14, 15–64, 65+, 75+).
    def band(row, first, last):
        columns = [c for c in row if re.match(r"^(\d+)", c) and first <= int(re.match(r"^(\d+)", c)[1]) <= last]
        return sum(int(row[c].replace("-", "0")) for c in columns)
    key = {(r["区"], r["区分"]): r for r in known}
    for item in stored.dropna(subset=["age_65_plus"]).itertuples():
        source = key[(item.parent_name, item.name)]
        assert (item.age_0_14, item.age_15_64, item.age_65_plus, item.age_75_plus) == (
            band(source, 0, 14), band(source, 15, 64), band(source, 65, 100), band(source, 75, 100))


def test_population_listing_on_the_command_line(sapporo):
    url, _, _ = sapporo
    datasets = json.loads(run_cli(url, "list", "population", "--format", "json").stdout)
    assert {d["name"]: d["rows"] for d in datasets} == {
        AGE_DATASET: 5447, **{f"estat_h27_smallarea_{s}": n for s, n in UNIQUE_PER_WARD.items()}}
    listing = list(csv.DictReader(run_cli(url, "list", "population", "--dataset", AGE_DATASET, "--format",
                                          "csv", "--raw").stdout.lstrip("\ufeff").splitlines()))
    assert len(listing) == 5447
    assert sum(row["aging_rate"] == "" for row in listing) == 158  # unknown, not 0
    first = next(row for row in listing if row["name"] == "大通東２丁目")
    assert first["parent_name"] == "中央区"


KANJI = "〇一二三四五六七八九"


def kanji_numeral(number: int) -> str:
    """24 → 二十四, 10 → 十, 3 → 三 (written out here, not taken from the product)."""
    tens, ones = divmod(number, 10)
    return ("" if tens == 0 else "十" if tens == 1 else KANJI[tens] + "十") + ("" if ones == 0 else KANJI[ones])


def join_key(name: str) -> str:
    """NFKC (full-width digits → ASCII, （）→ ()), no spaces, no （番地）, arabic 条 numerals → kanji.

    Applied to both sides: the census mostly writes 北十七条西, but some areas (厚別東１条２丁目,
    厚別北３条５丁目, 南１０条西１丁目) are spelt with digits, as the resident register does.
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).removesuffix("(番地)")
    return re.sub(r"(\d+)条", lambda m: kanji_numeral(int(m[1])) + "条", text)


def test_which_age_rows_join_and_which_do_not(sapporo, shared_data):
    url, _, population = sapporo
    codes_by_name = defaultdict(set)  # (ward from CITY_NAME, key) → KEY_CODEs
    for suffix in WARDS:
        for feature in read_features(ward_file(shared_data, suffix)):
            p = feature["properties"]
            codes_by_name[(p["CITY_NAME"], join_key(p["S_NAME"]))].add(p["KEY_CODE"])
    expected_codes, unmatched, coarser = {}, [], 0
    for row in (r for r in age_rows(shared_data) if not is_total(r)):
        key = join_key(row["区分"])
        codes = codes_by_name.get((row["区"], key), set())
        if not codes and re.search(r"\d+丁目$", key):
            # A 丁目 the 2015 boundaries lack lies in the undivided area of the same name, if exactly one.
            codes = codes_by_name.get((row["区"], re.sub(r"\d+丁目$", "", key)), set())
            coarser += len(codes) == 1
        if len(codes) == 1:
            expected_codes[(row["区"], row["区分"])] = next(iter(codes))
        else:
            unmatched.append((row["_line"], row["区"], row["区分"], len(codes)))
    # Independently confirmed: the lead's 5,445 joined and 2 unjoined.
    assert len(expected_codes) == 5445
    assert unmatched == [(566, "中央区", "北３条東８丁目", 2),  # 01101780308 and 01101780309 share the name
                         (567, "中央区", "北３条東９丁目", 0)]  # no 北三条東９丁目 and no undivided 北三条東
    assert coarser == 34  # e.g. 北１７条西１５丁目 → 北十七条西, 西茨戸１条１丁目 → 西茨戸一条

    stored = read_population(open_store(url), AGE_DATASET)
    got = {(r.parent_name, r.name): r.area_code for r in stored.itertuples() if isinstance(r.area_code, str)}
    assert got == expected_codes
    assert "Rows joined to a small area: 5445 of 5447" in population.stderr
    assert "Rows that did not join to a small area: 2" in population.stderr
    listed = [line.strip() for line in population.stderr.splitlines() if line.startswith("  ")]
    assert listed == [  # listed with their line in the file and the reason, and kept (not dropped)
        "sapporo_jounen202010_age5_by_chome.csv:566 中央区/北３条東８丁目: "
        "several small areas have this name",
        "sapporo_jounen202010_age5_by_chome.csv:567 中央区/北３条東９丁目: "
        "no small area has this name",
    ]
    kept = stored.set_index("name").loc[["北３条東８丁目", "北３条東９丁目"]]
    assert kept["area_code"].isna().all()
    assert kept["total"].tolist() == [43, 6]  # from the file's 人口 column on lines 566 and 567


def test_reimport_updates_without_duplicates(sapporo, shared_data):
    url, _, _ = sapporo
    with open_store(url).connect() as connection:
        def counts():
            return (connection.execute(select(func.count()).select_from(AreaUnit)).scalar(),
                    connection.execute(select(func.count()).select_from(PopulationDataset)).scalar(),
                    connection.execute(select(func.count()).select_from(PopulationCount)).scalar())
        before = counts()
    assert before == (UNIQUE_CODES, 11, UNIQUE_CODES + 5447)  # ten wards' census totals + the age table
    again = run_cli(url, "import", "areas", ward_file(shared_data, "kiyota"), ward_file(shared_data, "chuo"),
                    "--unit", "small-area")
    assert again.exit_code == 0, again.stderr
    assert "estat_h27_smallarea_kiyota.geojson: 0 added, 213 updated, 0 removed" in again.stderr
    assert "estat_h27_smallarea_chuo.geojson: 0 added, 987 updated, 0 removed" in again.stderr
    table = run_cli(url, "import", "population", shared_data / AGE_TABLE)
    assert table.exit_code == 0, table.stderr
    assert "sapporo_jounen202010_age5_by_chome.csv: 0 added, 5447 updated, 0 removed" in table.stderr
    assert "Rows joined to a small area: 5445 of 5447" in table.stderr
    with open_store(url).connect() as connection:
        assert counts() == before
    assert int(read_population(open_store(url), "estat_h27_smallarea_kiyota")["total"].sum()) == 115_726


# --- school districts and municipal outlines (fresh store per backend) --------------------------

def test_school_districts(store_url, shared_data):
    school = shared_data / "sapporo" / "school"
    elementary = read_features(school / "papamama_Elementary.geojson")
    middle = read_features(school / "papamama_MiddleSchool.geojson")
    assert (len(elementary), len(middle)) == (202, 98)
    middle_keys = Counter((f["properties"]["A32_001"], f["properties"]["name"]) for f in middle)
    assert len(middle_keys) == 97
    (twice, n), = [(key, n) for key, n in middle_keys.items() if n > 1]
    assert (twice, n) == (("01103", "栄南中学校"), 2)
    pieces = [shape(f["geometry"]) for f in middle if f["properties"]["name"] == "栄南中学校"]
    assert pieces[0].disjoint(pieces[1])  # an exclave: one district in two separate polygons

    result = run_cli(store_url, "import", "areas", school / "papamama_Elementary.geojson", "--unit",
                     "elementary-district")
    assert result.exit_code == 0, result.stderr
    assert "papamama_Elementary.geojson: 202 added, 0 updated, 0 removed" in result.stderr
    result = run_cli(store_url, "import", "areas", school / "papamama_MiddleSchool.geojson", "--unit",
                     "junior-high-district")
    assert result.exit_code == 0, result.stderr
    assert "papamama_MiddleSchool.geojson: 97 added, 0 updated, 0 removed" in result.stderr
    assert "Areas stored in several pieces, dissolved into one: 1" in result.stderr

    # The files carry no district code: the school's name within its ward code identifies a district.
    listing = json.loads(run_cli(store_url, "list", "areas", "--unit", "junior-high-district", "--format",
                                 "json").stdout)
    assert len(listing) == 97
    assert {(row["code"], row["name"], row["municipality_code"]) for row in listing} == {
        (f"{code}:{name}", name, code) for code, name in middle_keys}
    elementary_listing = json.loads(run_cli(store_url, "list", "areas", "--unit", "elementary-district",
                                            "--format", "json").stdout)
    assert {(row["code"], row["name"]) for row in elementary_listing} == {
        (f"{f['properties']['A27_005']}:{f['properties']['name']}", f["properties"]["name"]) for f in elementary}
    stored = read_areas(open_store(store_url), "junior_high_district").set_index("code")
    sakaeminami = stored.loc["01103:栄南中学校", "geometry"]
    assert len(sakaeminami.geoms) == 2
    assert sakaeminami.area == pytest.approx(sum(p.area for p in pieces), rel=1e-9)

    again = run_cli(store_url, "import", "areas", school / "papamama_MiddleSchool.geojson", "--unit",
                    "junior-high-district")
    assert "papamama_MiddleSchool.geojson: 0 added, 97 updated, 0 removed" in again.stderr
    assert len(read_areas(open_store(store_url), "junior_high_district")) == 97


def test_hokkaido_municipal_outlines(store_url, shared_data):
    path = shared_data / "common" / "ksj_n03_2021_pref01_simplified1pct.geojson"
    features = read_features(path)
    assert len(features) == 194
    assert Counter(f["geometry"]["type"] for f in features) == {"Polygon": 185, "MultiPolygon": 9}
    expected = {f["properties"]["N03_007"]: f["properties"]["N03_004"] for f in features}
    assert len(expected) == 194  # one feature per code in this simplified file
    result = run_cli(store_url, "import", "areas", path, "--unit", "municipality")
    assert result.exit_code == 0, result.stderr
    assert "ksj_n03_2021_pref01_simplified1pct.geojson: 194 added, 0 updated, 0 removed" in result.stderr
    stored = read_areas(open_store(store_url), "municipality").set_index("code")
    assert dict(stored["name"]) == expected
    wards = {"01101": "中央区", "01102": "北区", "01103": "東区", "01104": "白石区", "01105": "豊平区",
             "01106": "南区", "01107": "西区", "01108": "厚別区", "01109": "手稲区", "01110": "清田区"}  # JIS X 0402
    assert {code: stored.loc[code, "name"] for code in wards} == wards
    chuo = shape(next(f["geometry"] for f in features if f["properties"]["N03_007"] == "01101"))
    assert stored.loc["01101", "geometry"].equals_exact(shapely.MultiPolygon([chuo]), tolerance=1e-7)
    again = run_cli(store_url, "import", "areas", path, "--unit", "municipality")
    assert "ksj_n03_2021_pref01_simplified1pct.geojson: 0 added, 194 updated, 0 removed" in again.stderr
    assert len(read_areas(open_store(store_url), "municipality")) == 194
