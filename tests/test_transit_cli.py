"""The transit commands as a user runs them (issue 14): import stops and service areas, then transit-gaps.

On the real Nerima streets (../shared/data/tokyo/osm_nerima_tokyo.osm) with two invented small areas
over the extract; the command's figures are checked against the analysis asked directly of the same
store (the analysis itself is checked by hand and by brute force in tests/test_transit_gaps.py).
"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from geo_welfare.analysis.study import open_study
from geo_welfare.analysis.transit_gaps import TransitDefinition, transit_gaps
from geo_welfare.network import build_network, read_walkable_lines
from geo_welfare.store import open_store
from geo_welfare.store.stops import read_service_areas, read_stops
from helpers import REPOSITORY, run_cli, snapshot

FIXTURES = REPOSITORY / "tests" / "data" / "transit"


@pytest.fixture
def nerima_store(spatialite_url, tmp_path, shared_data):
    """A store with two small areas over the Nerima extract, their population, its stations and a feed."""
    areas = gpd.GeoDataFrame({"code": ["N1", "N2"], "name": ["練馬西", "練馬東"]},
                             geometry=[shapely.box(139.6577, 35.7403, 139.6690, 35.7584),
                                       shapely.box(139.6690, 35.7403, 139.6802, 35.7584)], crs="EPSG:6668")
    areas.to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    (tmp_path / "population.csv").write_text("KEY_CODE,地域名,総数,65歳以上,75歳以上\nN1,練馬西,9000,2300,1200\n"
                                             "N2,練馬東,8000,2000,1000\n", encoding="utf-8")
    osm = shared_data / "tokyo" / "osm_nerima_tokyo.osm"
    for arguments in (("import", "areas", tmp_path / "areas.geojson", "--unit", "small-area"),
                      ("import", "population", tmp_path / "population.csv"),
                      ("import", "stops", osm, FIXTURES / "gtfs_jp_nerima")):
        result = run_cli(spatialite_url, *arguments)
        assert result.exit_code == 0, result.stderr
    return spatialite_url, osm


def test_import_stops_says_what_it_read(nerima_store):
    url, osm = nerima_store
    result = run_cli(url, "import", "stops", FIXTURES / "gtfs_jp_nerima", lang="ja")
    assert result.exit_code == 0, result.stderr
    assert "gtfs_jp_nerima: 駅・停留所 5件（駅 0、バス停 5、その他 0）、追加 0件、更新 5件、削除 0件" in result.stderr
    assert "運行本数は 2026-12-02（水曜日）の1日分です" in result.stderr
    stops = read_stops(open_store(url))
    assert sorted(stops["source"].unique()) == ["gtfs_jp_nerima", "osm_nerima_tokyo.osm"]
    assert len(stops) == 12


def test_transit_gaps_prints_its_definition_and_the_analysis_figures(nerima_store, tmp_path):
    url, osm = nerima_store
    areas = gpd.GeoDataFrame({"名称": ["北町デマンド区域"], "種別": ["デマンド交通"]},
                             geometry=[shapely.box(139.670, 35.752, 139.676, 35.757)], crs="EPSG:6668")
    areas.to_file(tmp_path / "demand.geojson", driver="GeoJSON")
    assert run_cli(url, "import", "service-areas", tmp_path / "demand.geojson").exit_code == 0
    result = run_cli(url, "transit-gaps", "--network", osm, "--min-departures", "2", "--format", "json", lang="ja")
    assert result.exit_code == 0, result.stderr
    assert "定義: バス停・停留所まで徒歩5分（333m）、駅まで徒歩10分（667m）を超える場所を交通空白地とします" in result.stderr
    assert "1日の運行本数が2本未満の停留所は数えません" in result.stderr
    assert "全国共通の基準はありません" in result.stderr
    # 7 stations; of the 5 feed stops S1_02, S3 and S4 have fewer than 2 departures (0, 1, 0): 2 counted.
    assert "駅 7件、停留所 2件（駅・停留所のうち本数不明 7件）、本数不足で除外 3件、運行区域 1件" in result.stderr
    rows = {row["code"]: row for row in json.loads(result.stdout)}
    engine = open_store(url)
    network = build_network(read_walkable_lines(osm))
    direct = transit_gaps(engine, open_study(engine, network), read_stops(engine), read_service_areas(engine),
                          TransitDefinition(5, 10, 4.0, 2)).table.set_index("code")
    for code in ("N1", "N2", "*"):
        assert rows[code]["age_65_plus_no_transit"] == pytest.approx(direct.loc[code, "age_65_plus_no_transit"])
    assert rows["*"]["age_65_plus"] == pytest.approx(4300)
    assert 0 < rows["*"]["age_65_plus_no_transit"] < 4300
    # --output writes the gap polygons as a layer (and still prints the table), a .csv the table.
    layer = run_cli(url, "transit-gaps", "--network", osm, "--output", tmp_path / "gaps.gpkg")
    assert layer.exit_code == 0, layer.stderr
    pieces = gpd.read_file(tmp_path / "gaps.gpkg")
    assert set(pieces["code"]) <= {"N1", "N2"} and pieces.crs.to_epsg() == 6668
    table = run_cli(url, "transit-gaps", "--network", osm, "--output", tmp_path / "gaps.csv", lang="ja")
    assert table.exit_code == 0
    assert "交通空白地の65歳以上" in (tmp_path / "gaps.csv").read_text(encoding="utf-8-sig").splitlines()[0]


def test_bad_stop_files_are_refused_and_nothing_is_written(nerima_store, tmp_path):
    url, _ = nerima_store
    before = snapshot(url)
    places = tmp_path / "places.geojson"
    places.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "名称": "公民館"}, "geometry": {"type": "Point", "coordinates": [139.66, 35.75]}}]}), encoding="utf-8")
    result = run_cli(url, "import", "stops", FIXTURES / "P11-22_13_fixture.geojson", places, lang="ja")
    assert result.exit_code == 1
    assert "取り込みを中止しました。データは変更されていません。" in result.stderr
    assert "places.geojson: 駅・バス停のファイルとして読めません" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(url) == before  # the good P11 file before it was not written either


def test_transit_gaps_without_stops_says_how_to_import_them(spatialite_url):
    result = run_cli(spatialite_url, "transit-gaps", lang="ja")
    assert result.exit_code == 2
    assert "geo-welfare import stops" in result.stderr


def test_one_district_and_another_unit_give_the_whole_stores_figures(nerima_store, tmp_path):
    url, osm = nerima_store
    whole = run_cli(url, "transit-gaps", "--network", osm, "--format", "json")
    assert whole.exit_code == 0, whole.stderr
    whole_rows = {row["code"]: row for row in json.loads(whole.stdout)}
    # --within N1: the study keeps N1's residents and the stops within its margin (stations across the border too).
    within = run_cli(url, "transit-gaps", "--network", osm, "--within", "N1", "--format", "json")
    assert within.exit_code == 0, within.stderr
    within_rows = {row["code"]: row for row in json.loads(within.stdout)}
    assert set(within_rows) == {"N1", "*"}
    assert within_rows["N1"]["age_65_plus_no_transit"] == pytest.approx(whole_rows["N1"]["age_65_plus_no_transit"])
    # The same two polygons imported as districts: summed by district, the same people.
    result = run_cli(url, "import", "areas", _areas(tmp_path), "--unit", "district")
    assert result.exit_code == 0, result.stderr
    by_district = run_cli(url, "transit-gaps", "--network", osm, "--unit", "district", "--format", "json")
    assert by_district.exit_code == 0, by_district.stderr
    district_rows = {row["code"]: row for row in json.loads(by_district.stdout)}
    for code in ("N1", "N2", "*"):
        assert district_rows[code]["age_65_plus_no_transit"] == pytest.approx(
            whole_rows[code]["age_65_plus_no_transit"], abs=1e-6)


def _areas(folder):
    path = folder / "districts.geojson"
    gpd.GeoDataFrame({"code": ["N1", "N2"], "name": ["練馬西地区", "練馬東地区"]},
                     geometry=[shapely.box(139.6577, 35.7403, 139.6690, 35.7584),
                               shapely.box(139.6690, 35.7403, 139.6802, 35.7584)], crs="EPSG:6668").to_file(path)
    return path


def test_two_files_of_one_name_are_refused_before_anything_is_read(nerima_store, tmp_path):
    url, _ = nerima_store
    before = snapshot(url)
    copy = tmp_path / "copy" / "gtfs_jp_nerima"
    import shutil
    shutil.copytree(FIXTURES / "gtfs_jp_nerima", copy)
    result = run_cli(url, "import", "stops", FIXTURES / "gtfs_jp_nerima", copy, lang="ja")
    assert result.exit_code == 2
    assert "同じ識別名「gtfs_jp_nerima」" in result.stderr
    assert snapshot(url) == before
