"""``import hazards`` and ``hazard`` as a user runs them, and the map's ``/api/hazards`` layer, on both stores.

Imports are all or nothing (a bad row in any file leaves every table as it was), a file imported again
replaces what it brought, and the ``hazard`` table reads in the user's language with the definition first.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from helpers import DEMO_STREETS, REPOSITORY, refused, run_cli, snapshot

FIXTURES = REPOSITORY / "tests" / "data" / "hazards"
ZONES = [FIXTURES / "generated_A31a_maximum_demo.geojson", FIXTURES / "generated_A33_demo.geojson"]
SITES = FIXTURES / "generated_gsi_emergency_evacuation_sites_demo.geojson"


def _count(url: str, table: str) -> int:
    return len(snapshot(url)[table])


def test_import_reports_each_file_and_a_second_import_replaces_the_first(demo_store):
    first = run_cli(demo_store, "import", "hazards", *ZONES, SITES)
    assert first.exit_code == 0, first.stderr
    assert "generated_A31a_maximum_demo.geojson: 3 hazard zones imported (A31a; replacing 0)" in first.stderr
    assert "generated_A33_demo.geojson: 3 hazard zones imported (A33; replacing 0)" in first.stderr
    assert "generated_gsi_emergency_evacuation_sites_demo.geojson: 5 shelters imported (replacing 0)" in first.stderr
    again = run_cli(demo_store, "import", "hazards", ZONES[1], SITES)
    assert again.exit_code == 0, again.stderr
    assert "3 hazard zones imported (A33; replacing 3)" in again.stderr and "(replacing 5)" in again.stderr
    assert (_count(demo_store, "hazard_zone"), _count(demo_store, "shelter")) == (6, 5)  # 3 + 3, not 9; 5, not 10
    runs = [row for row in snapshot(demo_store)["import_run"] if row[1] in ("hazard_zones", "shelters")]
    a31a, a33 = ZONES[0].name, ZONES[1].name
    assert sorted((row[1], row[2], row[6], row[8]) for row in runs) == [  # layer, source, created, removed
        ("hazard_zones", a31a, 3, 0), ("hazard_zones", a33, 3, 0), ("hazard_zones", a33, 3, 3),
        ("shelters", SITES.name, 5, 0), ("shelters", SITES.name, 5, 5)]


def test_a_bad_row_in_any_file_writes_nothing(seeded, tmp_path):
    bad = tmp_path / "bad_A33.geojson"
    gpd.GeoDataFrame([{"A33_001": 1, "A33_002": 1}, {"A33_001": 4, "A33_002": 1}],
                     geometry=[shapely.box(139.40, 35.20, 139.41, 35.21)] * 2, crs="EPSG:6668").to_file(bad)
    reason = refused(seeded, "import", "hazards", ZONES[0], SITES, bad)  # the good files first: none is kept
    assert reason == "bad_A33.geojson, row 2, field 'A33_001': not a code of its code list (codes: 1, 2, 3) (found '4')"
    assert refused(seeded, "import", "hazards", bad, lang="ja") == \
        "bad_A33.geojson, 2行目, 列「A33_001」: コード表にない値です（使えるコード: 1, 2, 3）（値: '4'）"


def test_a_file_that_is_neither_zones_nor_shelters_is_refused(seeded):
    reason = refused(seeded, "import", "hazards", REPOSITORY / "data" / "demo" / "salons.csv")
    assert reason.startswith("salons.csv: neither an A31") and "A31a_205" in reason


def test_the_hazard_command_needs_zones(demo_store):
    result = run_cli(demo_store, "hazard")
    assert result.exit_code == 3 and "no hazard zones are stored" in result.stderr


def test_the_hazard_table_in_japanese_and_for_one_hazard(demo_store, tmp_path):
    assert run_cli(demo_store, "import", "hazards", *ZONES, SITES).exit_code == 0
    result = run_cli(demo_store, "hazard", "--network", DEMO_STREETS, "--hazard", "landslide", lang="ja")
    assert result.exit_code == 0, result.stderr
    assert "数え方: 区域内の65歳以上・75歳以上の住民" in result.stderr and "徒歩10分（時速4km）" in result.stderr
    assert "土砂災害に開設される避難場所: 1 か所" in result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header[:4] == ["災害", "区域", "コード", "名称"] and "うち圏外65歳以上" in header
    assert "洪水" not in result.stdout and "土砂災害特別警戒区域（急傾斜地の崩壊）" in result.stdout
    output = tmp_path / "hazard.csv"
    written = run_cli(demo_store, "hazard", "--network", DEMO_STREETS, "--output", output, lang="ja")
    assert written.exit_code == 0, written.stderr
    table = pd.read_csv(output, encoding="utf-8-sig", dtype={"コード": str})
    whole = table[table["コード"] == "*"]
    assert len(whole) == 6 and (whole["うち圏外65歳以上"] <= whole["65歳以上"]).all()  # 3 depth bands, 3 zones
    assert set(whole["災害"]) == {"洪水（想定最大規模）", "土砂災害"}


def test_the_raw_table_keeps_the_machine_words(demo_store):
    assert run_cli(demo_store, "import", "hazards", ZONES[1]).exit_code == 0
    result = run_cli(demo_store, "hazard", "--raw", "--format", "json")  # straight lines, no shelters at all
    assert result.exit_code == 0, result.stderr
    assert "no evacuation site open for it is stored" in result.stderr
    table = pd.DataFrame(json.loads(result.stdout))
    assert set(table["method"]) == {"straight_line"}
    assert (table["age_65_plus_beyond"] == table["age_65_plus"]).all()
    # without streets each small area is one point: the steep slope's zone holds one (its 217 residents 65+)
    assert table.loc[table["phenomenon"] == "steep_slope", "age_65_plus"].gt(0).all()
    assert list(table.columns[:6]) == ["hazard", "hazard_label", "scenario", "zone_class", "phenomenon", "zone_label"]


def test_the_map_layer_serves_the_zones_and_shelters(demo_store):
    from geo_welfare.web import create_app
    assert run_cli(demo_store, "import", "hazards", *ZONES, SITES).exit_code == 0
    client = create_app(demo_store, tiles="none").test_client()
    zones = client.get("/api/hazards?hazard=landslide&lang=en").get_json()
    assert [f["properties"]["label"] for f in zones["features"]] == [
        "Sediment disaster warning zone (steep slope failure)", "Sediment disaster special warning zone (steep slope "
        "failure)", "Sediment disaster warning zone (debris flow)"]
    assert {f["geometry"]["type"] for f in zones["features"]} == {"MultiPolygon"}
    every = client.get("/api/hazards").get_json()
    assert len(every["features"]) == 6 and every["features"][0]["properties"]["hazard_label"] == "洪水（想定最大規模）"
    sites = client.get("/api/shelters").get_json()["features"]
    assert sites[0]["properties"]["hazards"] == ["flood", "landslide", "earthquake"] and len(sites) == 5
    south = client.get("/api/hazards?bbox=139.35,35.15,139.45,35.19").get_json()["features"]  # below 35.19: floods
    assert {f["properties"]["hazard"] for f in south} == {"flood"} and len(south) == 3
    wrong = client.get("/api/hazards?hazard=tsunami")
    assert wrong.status_code == 400 and wrong.get_json()["allowed"] == ["flood", "landslide"]


def test_many_bad_rows_of_one_kind_are_one_line(seeded, tmp_path):
    bad = tmp_path / "many_A31a.geojson"
    gpd.GeoDataFrame([{"A31a_205": 9}] * 6, geometry=[shapely.box(139.40, 35.20, 139.41, 35.21)] * 6,
                     crs="EPSG:6668").to_file(bad)
    assert refused(seeded, "import", "hazards", bad) == (
        "many_A31a.geojson, 6 rows (1, 2, 3, 4, 5, …), field 'A31a_205': not a code of its code list "
        "(codes: 1, 2, 3, 4, 5, 6)")


def test_within_one_district_keeps_its_rows_only(demo_store):
    assert run_cli(demo_store, "import", "hazards", *ZONES, SITES).exit_code == 0
    result = run_cli(demo_store, "hazard", "--network", DEMO_STREETS, "--within", "E01", "--raw", "--format", "json")
    assert result.exit_code == 0, result.stderr
    table = pd.DataFrame(json.loads(result.stdout))
    assert set(table["code"]) == {"E01", "*"} and set(table["hazard"]) == {"landslide"}  # the floods lie south
    detail, whole = table[table["code"] == "E01"], table[table["code"] == "*"]
    assert detail["age_65_plus"].tolist() == whole["age_65_plus"].tolist()


def test_a_gis_file_holds_each_rows_zones_within_its_district(demo_store, tmp_path):
    from geo_welfare.store import open_store
    from geo_welfare.store.read import read_areas
    assert run_cli(demo_store, "import", "hazards", *ZONES, SITES).exit_code == 0
    output = tmp_path / "hazard.gpkg"
    result = run_cli(demo_store, "hazard", "--network", DEMO_STREETS, "--output", output)
    assert result.exit_code == 0, result.stderr
    layer = gpd.read_file(output)
    district = read_areas(open_store(demo_store), "elementary_district").set_index("code").geometry["E01"]
    zones = gpd.read_file(ZONES[1]).set_crs("EPSG:6668", allow_override=True)
    yellow = zones[(zones["A33_001"] == 1) & (zones["A33_002"] == 1)].geometry.iloc[0]
    row = layer[(layer["zone_class"] == "warning") & (layer["phenomenon"] == "steep_slope") & (layer["code"] == "E01")]
    assert len(row) == 1 and row.geometry.iloc[0].area == pytest.approx(yellow.intersection(district).area, rel=1e-6)
    whole = layer[(layer["zone_class"] == "0-0.5") & (layer["code"] == "*")]
    band = gpd.read_file(ZONES[0]).geometry.iloc[0]  # rank 1 of the A31a fixture
    assert whole.geometry.iloc[0].area == pytest.approx(band.area, rel=1e-6)
