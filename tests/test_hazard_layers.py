"""Reading hazard zones (国土数値情報 A31 in every edition, A33) and GSI shelters: codes, classes, refusals.

The expected classes are the code lists' own bands (浸水深ランクコード, the 2012 lists, CodeOfPhenomenon,
CodeOfZone), written out here by hand; the GSI files' counts are counted a second way, from the raw JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from helpers import REPOSITORY

FIXTURES = REPOSITORY / "tests" / "data" / "hazards"
#: A square in the demo town's sea (lon/lat), and a second one beside it.
SQUARE = shapely.box(139.40, 35.20, 139.401, 35.201)
BESIDE = shapely.box(139.402, 35.20, 139.403, 35.201)


def _write(tmp_path: Path, name: str, rows: list[dict], geometries=None) -> Path:
    path = tmp_path / name
    geometries = geometries or [SQUARE] * len(rows)
    gpd.GeoDataFrame(rows, geometry=geometries, crs="EPSG:6668").to_file(path, driver="GeoJSON")
    return path


def _zones(path):
    from geo_welfare.layers.hazards import read_hazard_zones
    return read_hazard_zones(path)


def test_the_current_a31a_fixture_reads_as_three_depth_bands_of_the_maximum_scale():
    zones = _zones(FIXTURES / "generated_A31a_maximum_demo.geojson")
    assert zones.edition == "A31a" and zones.hazard == "flood" and zones.repaired == 0
    frame = zones.frame
    assert list(frame["zone_class"]) == ["0-0.5", "0.5-3", "3-5"]  # ranks 1, 2, 3 of 浸水深ランクコード
    assert list(frame["label"]) == ["0.0m以上0.5m未満", "0.5m以上3.0m未満", "3.0m以上5.0m未満"]
    assert set(frame["scenario"]) == {"maximum"} and set(frame["name"]) == {"デモ川（架空）"}
    assert set(frame.geometry.geom_type) == {"MultiPolygon"} and frame.crs.to_epsg() == 6668


@pytest.mark.parametrize("field, code, edition, scenario, zone_class", [
    ("A31a_105", 4, "A31a", "planned", "5-10"),  # 計画規模, current code list: 4 = 5.0–10.0 m
    ("A31a_205", "6", "A31a", "maximum", "20-"),  # 6 = 20.0 m or more, the open band; a text code too
    ("A31b_101", 2, "A31b", "planned", "0.5-3"),
    ("A31b_201", 5.0, "A31b", "maximum", "10-20"),  # a code written as a float is the same code
    ("A31_101", 1, "A31-v2-4", "planned", "0-0.5"),
    ("A31_201", 3, "A31-v2-4", "maximum", "3-5"),
    ("A31_001", 14, "A31-v1.1", "legacy", "2-5"),  # 2012, 5-step list: 14 = 2.0–5.0 m
    ("A31_001", 15, "A31-v1.1", "legacy", "5-"),
    ("A31_001", 24, "A31-v1.1", "legacy", "2-3"),  # 2012, 7-step list: 24 = 2.0–3.0 m
    ("A31_001", 27, "A31-v1.1", "legacy", "5-"),
])
def test_every_a31_edition_reads_its_own_code_list(tmp_path, field, code, edition, scenario, zone_class):
    zones = _zones(_write(tmp_path, "flood.geojson", [{field: code}]))
    assert (zones.edition, zones.frame["scenario"][0], zones.frame["zone_class"][0]) == (edition, scenario, zone_class)


def test_the_a33_fixture_reads_phenomenon_and_zone():
    frame = _zones(FIXTURES / "generated_A33_demo.geojson").frame
    assert list(zip(frame["zone_class"], frame["phenomenon"])) == [
        ("warning", "steep_slope"), ("special_warning", "steep_slope"), ("warning", "debris_flow")]
    assert list(frame["label"]) == ["土砂災害警戒区域（急傾斜地の崩壊）", "土砂災害特別警戒区域（急傾斜地の崩壊）",
                                    "土砂災害警戒区域（土石流）"]
    assert list(frame["name"]) == ["デモ台（架空）", "デモ台（架空）", "デモ沢（架空）"]


def test_a33_zones_before_designation_and_the_third_phenomenon(tmp_path):
    rows = [{"A33_001": 3, "A33_002": 3}, {"A33_001": "2", "A33_002": "4"}]
    frame = _zones(_write(tmp_path, "a33.geojson", rows)).frame
    assert list(zip(frame["zone_class"], frame["phenomenon"])) == [("warning_proposed", "landslide"),
                                                                  ("special_warning_proposed", "debris_flow")]
    assert frame["label"][0] == "土砂災害警戒区域（指定前）（地滑り）"


def test_unknown_codes_are_refused_row_by_row(tmp_path):
    from geo_welfare.core.errors import InputError
    rows = [{"A31a_205": 1}, {"A31a_205": 7}, {"A31a_205": None}, {"A31a_205": 21}]
    with pytest.raises(InputError) as refused:
        _zones(_write(tmp_path, "bad.geojson", rows))
    problems = refused.value.problems
    assert [(p.row, p.field, p.key, p.found) for p in problems] == [
        (2, "A31a_205", "hazard_code_unknown", "7"), (3, "A31a_205", "hazard_code_unknown", ""),
        (4, "A31a_205", "hazard_code_unknown", "21")]  # 21 is a 2012 code, not the current list's
    assert "1, 2, 3, 4, 5, 6" in problems[0].message("en")


def test_a33_lines_and_files_of_no_hazard_are_refused(tmp_path):
    from geo_welfare.core.errors import InputError
    line = shapely.LineString([(139.40, 35.20), (139.41, 35.21)])
    with pytest.raises(InputError) as refused:
        _zones(_write(tmp_path, "lines.geojson", [{"A33_001": 1, "A33_002": 1}], [line]))
    assert [(p.row, p.key, p.found) for p in refused.value.problems] == [(1, "geometry_wrong_type", "LineString")]
    with pytest.raises(InputError) as refused:
        _zones(_write(tmp_path, "other.geojson", [{"code": "A", "name": "x"}]))
    assert refused.value.problems[0].key == "hazard_file_not_recognised"
    assert "A31a_205" in refused.value.message("en") and "A33_001+A33_002" in refused.value.message("en")


def test_an_invalid_zone_is_mended_and_counted(tmp_path):
    bow_tie = shapely.Polygon([(139.40, 35.20), (139.41, 35.21), (139.41, 35.20), (139.40, 35.21)])
    zones = _zones(_write(tmp_path, "bow.geojson", [{"A33_001": 1, "A33_002": 2}], [bow_tie]))
    assert zones.repaired == 1 and zones.frame.geometry[0].is_valid
    # make_valid keeps both halves: two triangles of base 0.01° and height 0.005°, 0.000025 each
    assert zones.frame.geometry[0].area == pytest.approx(0.00005, rel=1e-6)


def _raw_properties(path: Path) -> list[dict]:
    return [feature["properties"] for feature in json.loads(path.read_text(encoding="utf-8"))["features"]]


def test_the_real_fujisawa_evacuation_sites_keep_each_hazard_flag(shared_data):
    from geo_welfare.layers.shelters import read_shelters
    path = shared_data / "fujisawa" / "gsi_emergency_evacuation_sites_142051.geojson"
    shelters = read_shelters(path).frame
    raw = _raw_properties(path)
    assert len(shelters) == len(raw) == 130 and set(shelters["kind"]) == {"emergency_site"}
    for column, hazard in (("洪水", "flood"), ("崖崩れ、土石流及び地滑り", "landslide"), ("内水氾濫", "inland_flood"),
                           ("津波", "tsunami")):
        flagged = [p["共通ID"] for p in raw if p[column] == "1"]
        assert sorted(shelters.loc[shelters["hazards"].str.split(",").map(lambda h: hazard in h), "source_id"]) \
            == sorted(flagged), column
    first = shelters.iloc[0]  # 聖園女学院: 洪水, 崖崩れ…, 地震, 内水氾濫, 火山現象 are "1" in the file
    assert (first["name"], first["hazards"]) == ("聖園女学院", "flood,landslide,earthquake,inland_flood,volcano")


def test_the_real_zushi_shelters_are_designated_or_welfare_shelters(shared_data):
    from geo_welfare.layers.shelters import read_shelters
    path = shared_data / "zushi" / "gsi_designated_shelters_142085.geojson"
    shelters = read_shelters(path).frame
    raw = _raw_properties(path)
    welfare = sorted(p["共通ID"] for p in raw if (p["受入対象者"] or "").strip())
    assert len(shelters) == 25 and sorted(shelters.loc[shelters["kind"] == "welfare_shelter", "source_id"]) == welfare
    assert len(welfare) == 8 and set(shelters["hazards"]) == {""}  # a 指定避難所 file names no hazard


def test_bad_shelter_rows_are_refused_together(tmp_path):
    from geo_welfare.core.errors import InputError
    from geo_welfare.layers.shelters import read_shelters
    base = {"NO": 1, "都道府県名及び市町村名": "架空県架空市", "住所": "架空町1", "洪水": "1", "地震": "", "津波": "",
            "高潮": "", "大規模な火事": ""}
    rows = [{**base, "共通ID": "E1", "施設・場所名": "一"}, {**base, "共通ID": "E1", "施設・場所名": "二"},
            {**base, "共通ID": "E3", "施設・場所名": "", "洪水": "○"}, {**base, "共通ID": None, "施設・場所名": "四"}]
    points = [shapely.Point(139.40 + i / 1000, 35.20) for i in range(4)]
    with pytest.raises(InputError) as refused:
        read_shelters(_write(tmp_path, "bad_gsi.geojson", rows, points))
    assert sorted((p.row, p.field, p.key) for p in refused.value.problems) == [
        (2, "共通ID", "shelter_id_repeated"), (3, "施設・場所名", "shelter_name_missing"),
        (3, "洪水", "shelter_flag_not_one_or_blank"), (4, "共通ID", "shelter_id_missing")]


def test_open_for_keeps_the_shelters_flagged_for_a_hazard():
    from geo_welfare.layers.shelters import open_for, read_shelters
    shelters = read_shelters(FIXTURES / "generated_gsi_emergency_evacuation_sites_demo.geojson").frame
    assert list(open_for(shelters, ["flood"])["name"]) == ["デモ台中学校（架空）", "デモ南小学校（架空）",
                                                         "デモ北公民館（架空）"]
    assert list(open_for(shelters, ["landslide"])["name"]) == ["デモ台中学校（架空）"]
    assert list(open_for(shelters, ["inland_flood"])["name"]) == ["デモ浜高台（架空）", "デモ北公民館（架空）"]


def test_a_shapefile_in_shift_jis_as_the_national_files_come(tmp_path):
    rows = [{"A33_001": 2, "A33_002": 2, "A33_005": "デモ沢", "A33_006": "架空市"}]
    path = tmp_path / "A33-24_99_demo.shp"
    gpd.GeoDataFrame(rows, geometry=[SQUARE], crs="EPSG:6668").to_file(path, encoding="cp932")
    path.with_suffix(".cpg").unlink(missing_ok=True)  # as the KSJ zips: no .cpg beside the .dbf
    frame = _zones(path).frame
    assert (frame["zone_class"][0], frame["phenomenon"][0], frame["name"][0]) == ("special_warning", "debris_flow",
                                                                                 "デモ沢")


def test_the_real_gsi_files_import_whole_and_again(shared_data, spatialite_url):
    from helpers import run_cli
    files = sorted((shared_data / "fujisawa").glob("gsi_*.geojson")) + sorted((shared_data / "zushi").glob("gsi_*"))
    first = run_cli(spatialite_url, "import", "hazards", *files)
    assert first.exit_code == 0, first.stderr
    for name, count in (("gsi_designated_shelters_142051.geojson", 81),
                        ("gsi_emergency_evacuation_sites_142051.geojson", 130),
                        ("gsi_designated_shelters_142085.geojson", 25),
                        ("gsi_emergency_evacuation_sites_142085.geojson", 83)):
        assert f"{name}: {count} shelters imported (replacing 0)" in first.stderr
    again = run_cli(spatialite_url, "import", "hazards", files[1])
    assert "130 shelters imported (replacing 130)" in again.stderr
    from geo_welfare.store import open_store
    from geo_welfare.store.hazards import read_shelters_stored
    stored = read_shelters_stored(open_store(spatialite_url))
    assert len(stored) == 81 + 130 + 25 + 83  # the second import replaced the 130, did not add to them
    assert stored.groupby("source").size().to_dict() == {
        "gsi_designated_shelters_142051.geojson": 81, "gsi_designated_shelters_142085.geojson": 25,
        "gsi_emergency_evacuation_sites_142051.geojson": 130, "gsi_emergency_evacuation_sites_142085.geojson": 83}
