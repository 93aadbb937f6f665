"""Nearest places for a client: walking order, minutes, routes, filters, and the straight-line fallback."""

from __future__ import annotations

import csv
import datetime
import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import LineString

from geo_welfare.analysis.nearest import METHOD_NETWORK, METHOD_STRAIGHT, Needs, nearest_resources
from geo_welfare.store.importing import import_resources
from geo_welfare.network import build_network, read_walkable_lines
from geo_welfare.store import open_store
from geo_welfare.store.read import read_resources
from helpers import DEMO_DATA as DEMO, X0, Y0, network_of, networkx_distances

TO_LONLAT = Transformer.from_crs(6677, 6668, always_xy=True)
TO_METRES = Transformer.from_crs(6668, 6677, always_xy=True)


def lonlat(x, y):
    return TO_LONLAT.transform(X0 + x, Y0 + y)


@pytest.fixture
def river_town(spatialite_url, tmp_path):
    """Two salons: one 120 m away across a river (bridge 900 m east), one 400 m along the same bank."""
    network = network_of([(0, 50), (1000, 50)], [(0, -50), (1000, -50)], [(1000, 50), (1000, -50)])
    (a_lon, a_lat), (b_lon, b_lat) = lonlat(100, -60), lonlat(500, 55)
    path = tmp_path / "salons.csv"
    path.write_text("ID,名称,種別,緯度,経度,開催日,開始時間,終了時間,電話番号\n"
                    f"A,対岸サロン,サロン,{a_lat},{a_lon},毎週火曜,10:00,12:00,0466-00-0001\n"
                    f"B,川沿いサロン,サロン,{b_lat},{b_lon},毎週水曜,13:00,15:00,0466-00-0002\n", encoding="utf-8")
    engine = open_store(spatialite_url)
    import_resources(engine, [path])
    return network, read_resources(engine)


def test_walking_order_minutes_and_straight_line(river_town):
    network, resources = river_town
    result = nearest_resources(resources, lonlat(100, 60), network=network, k=5)
    assert result["name"].tolist() == ["川沿いサロン", "対岸サロン"]
    assert result["walking_m"].tolist() == [415.0, 1920.0]  # 10 + 400 + 5; 10 + 900 + 100 + 900 + 10
    assert result["walking_min"].tolist() == [6.2, 28.8]  # at 4 km/h = 66.67 m a minute
    assert result["straight_m"].tolist() == [round(float(np.hypot(400, 5)), 1), 120.0]
    assert set(result["method"]) == {METHOD_NETWORK}
    assert result["schedule"].tolist() == ["毎週 水曜日 13:00〜15:00", "毎週 火曜日 10:00〜12:00"]
    frail = nearest_resources(resources, lonlat(100, 60), network=network, speed_kmh=3.0)
    assert frail["walking_min"].tolist() == [8.3, 38.4]


def test_route_crosses_the_bridge_and_is_as_long_as_the_walk(river_town):
    network, resources = river_town
    result = nearest_resources(resources, lonlat(100, 60), network=network)
    route = result.set_index("name").geometry["対岸サロン"]
    metric = LineString(np.column_stack(TO_METRES.transform(*np.array(route.coords).T)))
    assert metric.length == pytest.approx(1920.0, abs=0.01)
    bridge = LineString([(X0 + 1000, Y0 + 50), (X0 + 1000, Y0 - 50)])
    assert metric.intersection(bridge.buffer(0.01)).length == pytest.approx(100.0, abs=0.05)


def test_without_a_network_the_straight_line_is_used_and_said(river_town):
    _, resources = river_town
    result = nearest_resources(resources, lonlat(100, 60), network=None)
    assert result["name"].tolist() == ["対岸サロン", "川沿いサロン"]
    assert result["walking_m"].tolist() == [120.0, round(float(np.hypot(400, 5)), 1)]
    assert set(result["method"]) == {METHOD_STRAIGHT}


def test_filters_open_at_and_weekday(river_town):
    network, resources = river_town
    tuesday_morning = Needs(open_at=datetime.datetime(2026, 11, 24, 10, 30))
    assert nearest_resources(resources, lonlat(100, 60), network=network, needs=tuesday_morning)["name"].tolist() \
        == ["対岸サロン"]
    assert nearest_resources(resources, lonlat(100, 60), network=network, needs=Needs(weekday=2))["name"].tolist() \
        == ["川沿いサロン"]
    assert nearest_resources(resources, lonlat(100, 60), network=network, needs=Needs(kinds=("engawa",))).empty


# Which demo schedules fall on Wednesday 11 November 2026 (the 2nd Wednesday), worked out by hand
# from the texts used in data/demo: 第2・第4水曜, 毎週水曜, 平日, 月水金 and 月火水木金 do.
OPEN_ON_2026_11_11 = {"第2・第4水曜", "毎週水曜", "平日", "月水金", "月火水木金"}


def demo_rows():
    with open(DEMO / "salons.csv", encoding="utf-8-sig", newline="") as handle:
        salons = list(csv.DictReader(handle))
    engawa = list(csv.DictReader((DEMO / "engawa.csv").read_bytes().decode("cp932").splitlines()))
    return [r for r in salons + engawa if r["公開"] == "公開"]


def test_demo_town_open_on_the_second_wednesday_at_half_past_ten(demo_spatialite_url):
    engine = open_store(demo_spatialite_url)
    resources = read_resources(engine)
    network = build_network(read_walkable_lines(DEMO / "streets.geojson"))
    expected_names = {r["名称"] for r in demo_rows()
                      if r["開催日"] in OPEN_ON_2026_11_11 and r["開始時間"] <= "10:30" < r["終了時間"]}
    expected_names |= {"デモ南部地域包括支援センター", "デモ東部地域包括支援センター", "デモ北部地域包括支援センター"}
    needs = Needs(open_at=datetime.datetime(2026, 11, 11, 10, 30))
    client = TO_LONLAT.transform(*network.node_xy[200])
    result = nearest_resources(resources, client, network=network, needs=needs, k=100)
    assert set(result["name"]) == expected_names
    # The order agrees with networkx's Dijkstra on the same streets.
    chosen = resources.set_index("name").loc[result["name"]]
    resource_xy = np.column_stack(TO_METRES.transform(chosen.geometry.x.to_numpy(), chosen.geometry.y.to_numpy()))
    reference = networkx_distances(network, np.array([network.node_xy[200]]), resource_xy)[0]
    np.testing.assert_allclose(result["walking_m"], np.round(reference, 1), atol=0.051)
    assert list(result["walking_m"]) == sorted(result["walking_m"])


def test_k_must_be_positive(river_town):
    network, resources = river_town
    with pytest.raises(ValueError):
        nearest_resources(resources, lonlat(0, 0), network=network, k=0)
