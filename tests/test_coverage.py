"""Coverage of older residents: hand-worked shares, and the demo town against brute force."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo_welfare.analysis.coverage import coverage_by_area, distance_to_nearest
from geo_welfare.analysis.spread import spread_population
from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_population, read_resources
from helpers import DEMO_DATA as DEMO, X0, Y0, network_of


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def test_population_spread_along_streets_and_half_covered():
    # One 400 m street through two small areas of 200 m each; a salon at the west end.
    network = network_of([(0, 0), (400, 0)])
    areas = gpd.GeoDataFrame({"code": ["W", "E"]}, geometry=[box(0, -50, 200, 50), box(200, -50, 400, 50)],
                             crs="EPSG:6677")
    counts = pd.DataFrame({"area_code": ["W", "E"], "total": [400, 100], "age_65_plus": [100, 40],
                           "age_75_plus": [60, 20]})
    points = spread_population(areas, counts, network, spacing=50.0)
    # 200 m per area in 50 m steps: 4 points each, at 25, 75, 125, 175 m (and 225 … 375 m).
    assert sorted(np.round(points.geometry.x - X0, 6)) == [25, 75, 125, 175, 225, 275, 325, 375]
    assert points.groupby("area_code")["age_65_plus"].sum().to_dict() == {"E": 40.0, "W": 100.0}
    salon = snap_points(network, np.array([[X0, Y0 + 10]]))
    walk = distance_to_nearest(network, salon, snap_points(network, np.column_stack([points.geometry.x,
                                                                                     points.geometry.y])))
    np.testing.assert_allclose(walk, np.round(points.geometry.x - X0, 6) + 10)  # 10 m from the salon to the street
    # 3 minutes at 4 km/h = 200 m: points at 25–175 m (walks of 35–185 m) are covered; the east half is not.
    table = coverage_by_area(points, walk, minutes=3.0).set_index("code")
    assert table.loc["W", "age_65_plus_covered"] == pytest.approx(100.0)
    assert table.loc["E", "age_65_plus_covered"] == pytest.approx(0.0)
    # 5 minutes = 333.3 m: walks of 35 … 335 m; only the point at 325 m (walk 335) is out: E keeps 2 of 4.
    table = coverage_by_area(points, walk, minutes=5.0).set_index("code")
    assert table.loc["E", "share_65_plus_covered"] == pytest.approx(0.75 - 0.25)
    # A unit that cuts across both areas is summed from the same points.
    middle = gpd.GeoDataFrame({"code": ["M"]}, geometry=[box(100, -50, 300, 50)], crs="EPSG:6677")
    across = coverage_by_area(points, walk, minutes=3.0, units=middle).set_index("code", drop=False)
    assert across.loc["M", "age_65_plus"] == pytest.approx(100 / 2 + 40 / 2)
    assert across.loc["M", "age_65_plus_covered"] == pytest.approx(100 / 2)


def test_area_without_streets_keeps_its_people_at_a_point():
    network = network_of([(0, 0), (100, 0)])
    areas = gpd.GeoDataFrame({"code": ["A", "FIELD"]}, geometry=[box(0, -50, 100, 50), box(0, 500, 100, 600)],
                             crs="EPSG:6677")
    counts = pd.DataFrame({"area_code": ["A", "FIELD"], "total": [10, 5], "age_65_plus": [4, 3],
                           "age_75_plus": [1, 2]})
    points = spread_population(areas, counts, network)
    field = points[points["area_code"] == "FIELD"]
    assert len(field) == 1 and field["age_65_plus"].iloc[0] == 3.0


def test_demo_town_coverage_equals_brute_force(demo_spatialite_url):
    engine = open_store(demo_spatialite_url)
    network = build_network(read_walkable_lines(DEMO / "streets.geojson"))
    small = read_areas(engine, "small_area")
    counts = read_population(engine, "population_by_age").astype({"age_65_plus": float, "age_75_plus": float,
                                                                  "total": float})
    points = spread_population(small, counts, network)
    assert points["age_65_plus"].sum() == pytest.approx(counts["age_65_plus"].sum())
    salons = read_resources(engine, kinds=["salon", "kayoi_no_ba"])
    to_metres = Transformer.from_crs(6668, network.crs, always_xy=True)
    salon_xy = np.column_stack(to_metres.transform(salons.geometry.x.to_numpy(), salons.geometry.y.to_numpy()))
    point_xy = np.column_stack([points.geometry.x, points.geometry.y])
    fast = distance_to_nearest(network, snap_points(network, salon_xy), snap_points(network, point_xy))
    brute = walking_distances(network, snap_points(network, salon_xy), snap_points(network, point_xy)).min(axis=0)
    assert np.abs(fast - brute).max() < 1e-6
    table = coverage_by_area(points, fast, minutes=10.0)
    brute_covered = points["age_65_plus"].where(brute / (4000 / 60) <= 10.0, 0).groupby(points["area_code"]).sum()
    np.testing.assert_allclose(table.set_index("code")["age_65_plus_covered"].loc[brute_covered.index], brute_covered)
    # The north-western hills are the gap the demo was built with: its oldest block is not fully covered.
    hills = table.set_index("code").loc["14999006001"]
    assert hills["share_65_plus_covered"] < 0.5


def test_street_points_know_where_they_stand_on_the_network():
    """The spread points' own edge and position equal a nearest-edge snap (offset 0), with no search."""
    from geo_welfare.analysis.spread import resident_positions
    network = build_network(read_walkable_lines(DEMO / "streets.geojson"))
    areas = gpd.read_file(DEMO / "small_areas.geojson")
    areas = areas.rename(columns={"KEY_CODE": "code"})  # the demo's e-Stat-shaped file, read directly
    counts = pd.DataFrame({"area_code": areas["code"], "total": 100, "age_65_plus": 30, "age_75_plus": 10})
    points = spread_population(areas, counts, network)
    assert (points["edge"] >= 0).all()  # every demo area has streets
    own = resident_positions(points, network)
    searched = snap_points(network, np.column_stack([points.geometry.x, points.geometry.y]))
    np.testing.assert_allclose(searched.offset, 0.0, atol=1e-6)
    same = own.edge == searched.edge
    assert same.mean() > 0.999  # a point exactly at a shared node may be found on a neighbouring edge
    np.testing.assert_allclose(own.along[same], searched.along[same], atol=1e-6)
    # Each area's people are all placed, once.
    np.testing.assert_allclose(points.groupby("area_code")["age_65_plus"].sum().to_numpy(), 30.0)
