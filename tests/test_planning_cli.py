"""The planner's commands on the demo town, each checked against a second, brute-force computation."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_population, read_resources
from helpers import DEMO_STREETS as STREETS, run_cli

# The fixtures ``demo`` (the demo town, shared by this module, on each backend) and ``brute`` (every
# resident point's walk to every salon and 縁側 by the dense all-pairs walk) are in conftest.py.


def table_of(result) -> pd.DataFrame:
    assert result.exit_code == 0, result.stderr
    return pd.read_csv(io.StringIO(result.stdout), dtype={"code": str})


def test_coverage_of_the_whole_town_equals_brute_force(demo, brute):
    _, points, walks = brute
    result = run_cli(demo, "coverage", "--network", STREETS, "--kind", "salon", "--kind", "engawa",
                     "--minutes", "10", "--minutes", "15", "--unit", "elementary-district", "--format", "csv", "--raw")
    table = table_of(result)
    assert "Street network: 438 nodes, 798 edges" in result.stderr
    assert set(table["method"]) == {"network"}
    nearest = walks.min(axis=0)
    for minutes in (10, 15):
        whole = table[(table["code"] == "*") & (table["minutes"] == minutes)].iloc[0]
        covered = points["age_65_plus"][nearest <= minutes * 1000 / 15].sum()  # 4 km/h: 1,000 m per 15 min
        assert whole["age_65_plus_covered"] == pytest.approx(covered, rel=1e-9)
        assert whole["age_65_plus"] == pytest.approx(points["age_65_plus"].sum(), rel=1e-9)
        districts = table[(table["code"] != "*") & (table["minutes"] == minutes)]
        assert len(districts) == 6
        assert districts["age_65_plus_covered"].sum() == pytest.approx(covered, rel=1e-9)


def test_gaps_hold_everyone_beyond_reach(demo, brute, tmp_path):
    _, points, walks = brute
    output = tmp_path / "gaps.geojson"
    result = run_cli(demo, "gaps", "--network", STREETS, "--kind", "salon", "--kind", "engawa", "--minutes", "10",
                     "--output", output)
    assert result.exit_code == 0, result.stderr
    gaps = gpd.read_file(output)
    beyond = points["age_65_plus"][walks.min(axis=0) > 10 * 1000 / 15].sum()
    assert beyond > 500  # the demo town's gap (デモ台) is real
    assert gaps["age_65_plus"].sum() == pytest.approx(beyond, rel=1e-9)
    assert gaps["rank"].tolist() == list(range(1, len(gaps) + 1))
    assert gaps["age_65_plus"].is_monotonic_decreasing
    assert gaps.crs.to_epsg() in (4326, 6668)
    # The largest gap lies in the district the demo town was built with a gap in (デモ台一丁目).
    small_areas = read_areas(open_store(demo), "small_area")
    gap_area = small_areas[small_areas["code"] == "14999006001"].to_crs(gaps.crs)
    assert gaps.geometry.iloc[0].intersects(gap_area.geometry.iloc[0])


def test_service_areas_one_per_place_around_it(demo, tmp_path):
    output = tmp_path / "engawa.geojson"
    result = run_cli(demo, "service-areas", "--network", STREETS, "--kind", "engawa", "--minutes", "10",
                     "--output", output)
    assert result.exit_code == 0, result.stderr
    areas = gpd.read_file(output)
    engawa = read_resources(open_store(demo), kinds=["engawa"], include_staff_only=True)
    assert sorted(areas["name"]) == sorted(engawa["name"])
    for name, point in zip(engawa["name"], engawa.geometry):
        assert areas.loc[areas["name"] == name].geometry.iloc[0].contains(point)
    # Smaller than the 667 m circle (10 minutes at 4 km/h) plus the 50 m either side of the streets.
    metric = areas.to_crs(6677)
    assert (metric.area < np.pi * (10 * 1000 / 15 + 50) ** 2).all()


def test_capacity_shares_out_every_seat_within_reach(demo, brute):
    resources, points, walks = brute
    result = run_cli(demo, "capacity", "--network", STREETS, "--kind", "salon", "--kind", "engawa",
                     "--minutes", "15", "--unit", "elementary-district", "--format", "csv", "--raw")
    table = table_of(result)
    seats = pd.to_numeric(resources["capacity"], errors="coerce")
    reached = (walks <= 1000.0).any(axis=1)  # a place with older residents within 15 minutes
    assert table["supply"].sum() == pytest.approx(seats[reached].sum(), rel=1e-9)
    assert f"{int(seats.isna().sum())} of {len(resources)} places have no known capacity" in result.stderr


def test_without_a_network_every_row_says_straight_line(demo):
    result = run_cli(demo, "coverage", "--minutes", "15", "--unit", "daily-life-area", "--format", "csv", "--raw")
    table = table_of(result)
    assert "distances are straight lines" in result.stderr
    assert set(table["method"]) == {"straight_line"}


def test_aging_by_daily_life_area(demo):
    table = table_of(run_cli(demo, "aging", "--unit", "daily-life-area", "--format", "csv", "--raw")).set_index("code")
    population = read_population(open_store(demo), "population_by_age")
    assert table["total"].sum() == pytest.approx(population["total"].sum())
    assert table["age_65_plus"].sum() == pytest.approx(population["age_65_plus"].sum())


def test_network_check_names_a_place_on_a_small_island(demo, tmp_path):
    from pyproj import Transformer
    network = build_network(read_walkable_lines(STREETS))
    salons = read_resources(open_store(demo), kinds=["salon"]).to_crs(network.crs)
    xy = np.column_stack([salons.geometry.x, salons.geometry.y])
    offsets = snap_points(network, xy).offset
    far = int(np.argmax(offsets))  # the salon farthest from its street: room for a path that touches nothing
    assert offsets[far] > 6
    x, y = xy[far]
    half = offsets[far] / 3  # a path 1 m from the salon, ending well short of any street
    to_lonlat = Transformer.from_crs(network.crs, "EPSG:6668", always_xy=True)
    island = [list(to_lonlat.transform(x + dx, y + 1.0)) for dx in (-half, half)]
    streets = json.loads(STREETS.read_text(encoding="utf-8"))
    streets["features"].append({"type": "Feature", "properties": {"highway": "footway"},
                                "geometry": {"type": "LineString", "coordinates": island}})
    path = tmp_path / "streets_with_island.geojson"
    path.write_text(json.dumps(streets), encoding="utf-8")
    result = run_cli(demo, "network", "check", path)
    assert result.exit_code == 0, result.stderr
    assert "Network pieces: 2 (1 small islands)" in result.stderr
    assert "resources: 1 of 39 points snap to a small island" in result.stderr
    assert salons["name"].iloc[far] in result.stderr


def test_plan_equals_the_best_pair_found_by_trying_every_pair(demo, brute, tmp_path):
    from itertools import combinations

    from geo_welfare.store.read import read_candidates
    resources, points, walks = brute
    engine = open_store(demo)
    network = build_network(read_walkable_lines(STREETS))
    candidates = read_candidates(engine).to_crs(network.crs)
    to_candidates = walking_distances(network, snap_points(network, np.column_stack([candidates.geometry.x,
                                                                                      candidates.geometry.y])),
                                      snap_points(network, np.column_stack([points.geometry.x, points.geometry.y])))
    limit = 10 * 1000 / 15
    weights = points["age_65_plus"].to_numpy()
    covered = (walks <= limit).any(axis=0)
    reaches = to_candidates <= limit

    def gain(pair):
        return weights[~covered & reaches[list(pair)].any(axis=0)].sum()

    best = max(combinations(range(len(candidates)), 2), key=gain)
    output = tmp_path / "sites.geojson"
    result = run_cli(demo, "plan", "--network", STREETS, "--kind", "salon", "--kind", "engawa", "--minutes", "10",
                     "--k", "2", "--output", output)
    assert result.exit_code == 0, result.stderr
    sites = gpd.read_file(output)
    assert sorted(sites["name"]) == sorted(candidates["name"].iloc[list(best)])
    assert sites["added_65_plus"].sum() == pytest.approx(gain(best), rel=1e-9)
    before, after = weights[covered].sum() / weights.sum(), (weights[covered].sum() + gain(best)) / weights.sum()
    assert f"exact (maximal covering, MCLP): 2 sites bring 65+ coverage from {before:.1%} to {after:.1%}" \
        in result.stderr
    assert "greedy (for comparison): 2 sites" in result.stderr
