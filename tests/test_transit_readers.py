"""Reading stops and stations (issue 14): GTFS-JP departures by hand, P11, N02, OSM, and bad input.

The GTFS-JP fixture (tests/data/transit/gtfs_jp_nerima, see its README) was worked by hand:

- services: WD Monday–Friday and SA Saturday, 2026-12-01 … 2027-03-31; WD removed on Tue 2026-12-01,
  EX added on Thu 2026-12-03 only.  The weekday sets of services are {WD} on most weekdays, {} on 12-01
  and {WD, EX} on 12-03, so the typical weekday is the first day of {WD}: Wed 2026-12-02.
- trips of WD: T1 S1_01→S2→S3, T2 S1_01→S2→S3 (after midnight, 24:10), T3 S3→S2→S1_02 (sequence
  10, 20, 30), T6 S1_01→S2 (pickup_type 1: no boarding)→S3.  A trip's last stop is no departure:
  S1_01 = T1 + T2 + T6 = 3, S1_02 = 0 (only T3's last stop), S2 = T1 + T2 + T3 = 3 (T6 does not
  pick up there), S3 = T3 = 1, S4 = 0 (no trip calls).
- Sat 2026-12-05 (SA: T4 S1_01→S3): S1_01 = 1, the rest 0.  Thu 2026-12-03 adds T5 S1_01→S2: S1_01 = 4.
- The 停留所 S1 (location_type 1) is no boarding point and is left out: 5 stops.
"""

from __future__ import annotations

import datetime
import json
import shutil
import zipfile

import pytest
import shapely

from geo_welfare.core.errors import InputError
from geo_welfare.layers.stops import read_stop_file
from geo_welfare.layers.stops_areas import read_service_areas
from geo_welfare.layers.stops_gtfs import route_mode
from helpers import REPOSITORY

FIXTURES = REPOSITORY / "tests" / "data" / "transit"
FEED = FIXTURES / "gtfs_jp_nerima"


def _departures(path, day=None):
    read = read_stop_file(path, day=day)
    return read, dict(zip(read.stops["source_id"], read.stops["departures_per_day"]))


def test_gtfs_departures_on_the_typical_weekday_are_the_hand_counts():
    read, departures = _departures(FEED)
    assert read.layout == "gtfs"
    assert read.day == datetime.date(2026, 12, 2)
    assert departures == {"S1_01": 3, "S1_02": 0, "S2": 3, "S3": 1, "S4": 0}
    assert set(read.stops["mode"]) == {"bus"}
    assert set(read.stops["departures_date"]) == {"2026-12-02"}
    assert read.stops.set_index("source_id").loc["S2", "name"] == "氷川台二丁目"
    assert read.stops.set_index("source_id").loc["S1_01", "_row"] == 3  # line 3 of stops.txt
    assert read.stops.crs.to_epsg() == 6668


@pytest.mark.parametrize("day, expected", [
    ("2026-12-01", {"S1_01": 0, "S1_02": 0, "S2": 0, "S3": 0, "S4": 0}),   # WD removed that day
    ("2026-12-03", {"S1_01": 4, "S1_02": 0, "S2": 3, "S3": 1, "S4": 0}),   # EX added
    ("2026-12-05", {"S1_01": 1, "S1_02": 0, "S2": 0, "S3": 0, "S4": 0}),   # Saturday: SA only
    ("2027-04-01", {"S1_01": 0, "S1_02": 0, "S2": 0, "S3": 0, "S4": 0}),   # after the calendar ends
])
def test_gtfs_departures_on_a_chosen_day(day, expected):
    read, departures = _departures(FEED, datetime.date.fromisoformat(day))
    assert departures == expected
    assert read.day == datetime.date.fromisoformat(day)


def test_a_zipped_feed_reads_as_its_folder(tmp_path):
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in FEED.iterdir():
            handle.write(path, f"gtfs/{path.name}")  # a feed inside a folder of the archive, as some publishers do
    zipped, folder = read_stop_file(archive), read_stop_file(FEED)
    assert zipped.day == folder.day
    assert zipped.stops.drop(columns="geometry").equals(folder.stops.drop(columns="geometry"))


def test_route_types_give_the_mode(tmp_path):
    assert [route_mode(code) for code in ("0", "1", "2", "3", "7", "12", "109", "700", "900", "x")] == [
        "tram", "station", "station", "bus", "other", "station", "station", "bus", "tram", "other"]
    feed = tmp_path / "rail"
    shutil.copytree(FEED, feed)
    lines = (feed / "routes.txt").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",3,", ",2,")  # R2 (T4 S1_01→S3, T6 S1_01→S2→S3) becomes a railway
    (feed / "routes.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    modes = dict(zip(*[read_stop_file(feed).stops[c] for c in ("source_id", "mode")]))
    # Stops R2 calls at are stations (a station first); S1_02 only R1 (bus); S4 no trip (bus).
    assert modes == {"S1_01": "station", "S1_02": "bus", "S2": "station", "S3": "station", "S4": "bus"}


def test_p11_stops():
    read = read_stop_file(FIXTURES / "P11-22_13_fixture.geojson")
    assert read.layout == "p11" and read.day is None
    stops = read.stops
    assert list(stops["name"]) == ["平和台駅", "北町一丁目", "練馬区役所"]
    assert list(stops["operator"]) == ["国際興業", "国際興業", "練馬区"]
    assert set(stops["mode"]) == {"bus"} and stops["departures_per_day"].isna().all()
    assert [(round(g.x, 6), round(g.y, 6)) for g in stops.geometry] == [
        (139.66, 35.75), (139.665, 35.753), (139.67, 35.746)]


def test_n02_stations_stand_half_way_along_their_line():
    stations = read_stop_file(FIXTURES / "N02-23_Station_fixture.geojson").stops
    assert list(stations["name"]) == ["平和台", "氷川台", "早稲田"]
    assert list(stations["mode"]) == ["station", "station", "tram"]  # 早稲田 is 軌道 (21): 都電荒川線
    assert list(stations["source_id"]) == ["004711", "004712", "009001"]
    # 平和台: (139.6500 → 139.6510 → 139.6540, 35.7580): 0.004° long, half-way is 139.6520 (on the second part,
    # not a vertex and not the middle vertex 139.6510).
    heiwadai = stations.geometry.iloc[0]
    assert heiwadai.x == pytest.approx(139.6520, abs=1e-9) and heiwadai.y == pytest.approx(35.7580, abs=1e-9)
    assert stations.geometry.iloc[1].x == pytest.approx(139.6650, abs=1e-9)
    assert stations.geometry.iloc[1].y == pytest.approx(35.7498, abs=1e-9)


def test_osm_stations_of_nerima(shared_data):
    read = read_stop_file(shared_data / "tokyo" / "osm_nerima_tokyo.osm")
    stops = read.stops
    assert read.layout == "osm"
    assert len(stops) == 7 and set(stops["mode"]) == {"station"}  # the extract has 7 railway=station, no bus stops
    assert {"平和台", "小竹向原", "練馬", "新桜台", "地下鉄赤塚", "地下鉄成増"} <= set(stops["name"])  # name:ja
    assert stops.set_index("name").loc["平和台", "source_id"] == "node/262487181"


def _geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_a_file_of_no_known_layout_is_refused(tmp_path):
    path = _geojson(tmp_path / "places.geojson", [{"type": "Feature", "properties": {"名称": "公民館"},
                                                     "geometry": {"type": "Point", "coordinates": [139.66, 35.75]}}])
    with pytest.raises(InputError) as caught:
        read_stop_file(path)
    [problem] = caught.value.problems
    assert problem.key == "transit_layout_unknown" and problem.file == str(path)
    assert "P11" in problem.message("ja") and "GTFS" in problem.message("en")


def test_p11_rows_without_a_position_are_named(tmp_path):
    features = json.loads((FIXTURES / "P11-22_13_fixture.geojson").read_text(encoding="utf-8"))["features"]
    features[1]["geometry"] = None
    path = _geojson(tmp_path / "P11-22_13.geojson", features)
    with pytest.raises(InputError) as caught:
        read_stop_file(path)
    assert [(p.row, p.field, p.key) for p in caught.value.problems] == [(2, "geometry", "geometry_missing")]


def test_gtfs_missing_files_and_columns_are_named_together(tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(FEED, feed)
    (feed / "stop_times.txt").unlink()
    text = (feed / "stops.txt").read_text(encoding="utf-8").replace("stop_lat", "latitude")
    (feed / "stops.txt").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_stop_file(feed)
    found = {(p.file, p.field, p.key) for p in caught.value.problems}
    assert found == {("feed:stop_times.txt", None, "gtfs_file_missing"),
                     ("feed:stops.txt", "stop_lat", "required_column_missing")}


def test_gtfs_stops_without_coordinates_are_grouped(tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(FEED, feed)
    lines = (feed / "stops.txt").read_text(encoding="utf-8").splitlines()
    for number in range(2, 6):  # S1_01, S1_02, S2, S3 (lines 3–6) lose their latitude; S1 (line 2) is a 停留所
        cells = lines[number].split(",")
        cells[4] = ""
        lines[number] = ",".join(cells)
    (feed / "stops.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_stop_file(feed)
    assert [(p.row, p.field, p.key) for p in caught.value.problems] == [
        (row, "stop_lat", "gtfs_coordinate_missing") for row in (3, 4, 5, 6)]
    message = caught.value.message("ja")
    assert message.count("\n") == 0 and "4" in message and "stop_lat" in message  # one line for the four rows


def test_service_areas_read_names_and_kinds(tmp_path):
    features = [{"type": "Feature", "properties": {"名称": "北町デマンド区域", "種別": "デマンド交通"},
                 "geometry": shapely.geometry.mapping(shapely.box(139.660, 35.745, 139.665, 35.750))},
                {"type": "Feature", "properties": {"名称": "早宮乗合タクシー", "種別": None},
                 "geometry": shapely.geometry.mapping(shapely.box(139.670, 35.745, 139.675, 35.750))}]
    areas = read_service_areas(_geojson(tmp_path / "areas.geojson", features), kind="乗合タクシー")
    assert list(areas["name"]) == ["北町デマンド区域", "早宮乗合タクシー"]
    assert list(areas["kind"]) == ["デマンド交通", "乗合タクシー"]  # a blank kind takes --kind
    assert set(areas.geometry.geom_type) == {"MultiPolygon"}
    with pytest.raises(InputError) as caught:
        read_service_areas(_geojson(tmp_path / "points.geojson", [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [139.66, 35.75]}}]))
    assert [(p.row, p.key) for p in caught.value.problems] == [(1, "geometry_wrong_type")]


def test_a_trip_by_headway_counts_every_run(tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(FEED, feed)
    # T1 (WD: S1_01 → S2 → S3) every 20 minutes from 07:00 until before 08:00 (3 runs: 07:00, 07:20, 07:40)
    # and every 30 minutes from 23:30 until 24:40 (⌈70 / 30⌉ = 3 runs): 6 runs instead of 1.
    (feed / "frequencies.txt").write_text("trip_id,start_time,end_time,headway_secs,exact_times\n"
                                          "T1,07:00:00,08:00:00,1200,0\nT1,23:30:00,24:40:00,1800,1\n",
                                          encoding="utf-8")
    _, departures = _departures(feed)
    # S1_01 = T1 × 6 + T2 + T6 = 8; S2 = T1 × 6 + T2 + T3 = 8; S3 unchanged (T1 ends there).
    assert departures == {"S1_01": 8, "S1_02": 0, "S2": 8, "S3": 1, "S4": 0}
