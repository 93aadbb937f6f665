"""Stops and service areas in the store (issue 14): written per source in one transaction, replaced on re-import.

Runs on both backends.  The counts are worked by hand from the fixtures (tests/data/transit).
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo_welfare.layers.stops import read_stop_file
from geo_welfare.store.stops import read_service_areas, read_stops, write_service_areas, write_stops
from geo_welfare.store.write import WriteResult
from helpers import REPOSITORY

FIXTURES = REPOSITORY / "tests" / "data" / "transit"


def _write(engine, writer, frame, source):
    with engine.begin() as connection:  # one transaction, as the import holds it
        return writer(connection, frame, source)


def test_stops_round_trip_and_a_re_import_replaces_only_its_source(store):
    gtfs = read_stop_file(FIXTURES / "gtfs_jp_nerima").stops
    p11 = read_stop_file(FIXTURES / "P11-22_13_fixture.geojson").stops
    assert _write(store, write_stops, gtfs, "feed") == WriteResult(5, 0, 0)
    assert _write(store, write_stops, p11, "P11") == WriteResult(3, 0, 0)
    stored = read_stops(store)
    assert len(stored) == 8
    feed = stored[stored["source"] == "feed"].set_index("source_id")
    assert feed["departures_per_day"].to_dict() == {"S1_01": 3, "S1_02": 0, "S2": 3, "S3": 1, "S4": 0}
    assert set(feed["departures_date"]) == {"2026-12-02"}
    assert feed.loc["S3"].geometry.equals_exact(shapely.Point(139.67, 35.755), 1e-9)
    assert stored[stored["source"] == "P11"]["departures_per_day"].isna().all()
    # The same source again with two stops gone and one renamed: 3 kept (updated), 2 removed, none new.
    again = gtfs[gtfs["source_id"].isin(["S1_01", "S2", "S3"])].copy()
    again.loc[again["source_id"] == "S3", "name"] = "北町小学校前"
    assert _write(store, write_stops, again, "feed") == WriteResult(0, 3, 2)
    stored = read_stops(store)
    assert len(stored) == 6  # the P11 stops are untouched
    assert sorted(stored.loc[stored["source"] == "feed", "source_id"]) == ["S1_01", "S2", "S3"]
    assert stored.set_index("source_id").loc["S3", "name"] == "北町小学校前"
    assert list(read_stops(store, modes=["station"])["source_id"]) == []


def test_service_areas_are_replaced_as_a_whole(store):
    first = gpd.GeoDataFrame({"name": ["北町", "早宮"], "kind": ["デマンド交通", None]},
                             geometry=[shapely.MultiPolygon([shapely.box(139.660, 35.745, 139.665, 35.750)]),
                                       shapely.MultiPolygon([shapely.box(139.670, 35.745, 139.675, 35.750)])],
                             crs="EPSG:6668")
    assert _write(store, write_service_areas, first, "区の区域") == WriteResult(2, 0, 0)
    assert _write(store, write_service_areas, first.iloc[:1], "別の区域") == WriteResult(1, 0, 0)
    assert _write(store, write_service_areas, first.iloc[1:], "区の区域") == WriteResult(1, 0, 2)
    stored = read_service_areas(store)
    assert sorted(zip(stored["source"], stored["name"])) == [("別の区域", "北町"), ("区の区域", "早宮")]
    assert stored.set_index("name").loc["早宮"].geometry.equals_exact(first.geometry.iloc[1], 1e-9)


def test_a_failed_write_leaves_the_store_as_it_was(store):
    p11 = read_stop_file(FIXTURES / "P11-22_13_fixture.geojson").stops
    gtfs = read_stop_file(FIXTURES / "gtfs_jp_nerima").stops
    _write(store, write_stops, p11, "P11")
    broken = p11.copy()
    broken["mode"] = [None, "bus", "bus"]  # mode is NOT NULL: the database refuses the first row
    with pytest.raises(Exception):
        with store.begin() as connection:  # a good feed, then the broken file, in one import
            write_stops(connection, gtfs, "feed")
            write_stops(connection, broken, "P11")
    stored = read_stops(store)
    assert sorted(stored["name"]) == sorted(p11["name"]) and set(stored["source"]) == {"P11"}
