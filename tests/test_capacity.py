"""Capacity by two-step floating catchments: hand-worked ratios, a crowded salon, and equality with PySAL access."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from access import Access
from access import weights as access_weights
from pyproj import Transformer

from geo_welfare.analysis.capacity import (UnknownCapacityWarning, capacity_by_area, distance_bands, gaussian,
                                           two_step_fca)
from geo_welfare.analysis.coverage import coverage_by_area
from geo_welfare.analysis.reach import Reach, reach_table
from geo_welfare.analysis.spread import spread_population
from geo_welfare.network import build_network, read_walkable_lines, snap_points
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_population, read_resources
from helpers import DEMO_DATA as DEMO, X0, Y0, copy_spatialite_store


def reach_of(pairs, n_points, n_resources):
    """A Reach from (point, place, metres) rows written out by hand."""
    point, place, metres = (np.array(column) for column in zip(*pairs))
    return Reach(point.astype(np.int64), place.astype(np.int64), metres.astype(float), n_points, n_resources)


# Four points (older residents 100, 200, 300, 50) and two places, A (seats 20) and B (seats 10).
HAND = reach_of([(0, 0, 200.0), (0, 1, 1200.0),   # p0: A at 200 m; B at 1200 m, beyond 1000 m
                 (1, 0, 600.0), (1, 1, 400.0),    # p1: both
                 (2, 1, 1000.0),                  # p2: B at exactly 1000 m (counts: <= max)
                 (3, 0, 1500.0)], 4, 2)           # p3: A at 1500 m, beyond: nothing within reach
HAND_DEMAND = np.array([100.0, 200.0, 300.0, 50.0])
HAND_SUPPLY = np.array([20.0, 10.0])


def test_two_step_fca_by_hand():
    # Step 1: A is reached by p0 and p1: 20 / (100 + 200) = 1/15; B by p1 and p2: 10 / (200 + 300) = 1/50.
    # Step 2 (× 1000): p0 = 1000/15 = 66.67; p1 = 1000 (1/15 + 1/50) = 1000 · 13/150 = 86.67; p2 = 1000/50 = 20; p3 = 0.
    result = two_step_fca(HAND, HAND_DEMAND, HAND_SUPPLY, max_metres=1000.0)
    assert result == pytest.approx([1000 / 15, 1000 * 13 / 150, 20.0, 0.0])
    # Every seat is shared out: 100 · 66.67 + 200 · 86.67 + 300 · 20 = 30 000 = 1000 × (20 + 10).
    assert (result * HAND_DEMAND).sum() / 1000 == pytest.approx(30.0)
    # A shorter catchment (600 m) loses p2–B at 1000 m: B = 10 / 200 = 1/20; A unchanged.
    # p0 = 66.67, p1 = 1000 (1/15 + 1/20) = 116.67, p2 = 0.
    assert two_step_fca(HAND, HAND_DEMAND, HAND_SUPPLY, max_metres=600.0) == pytest.approx(
        [1000 / 15, 1000 * 7 / 60, 0.0, 0.0])


def test_enhanced_two_step_fca_by_hand():
    # Bands: up to 500 m weigh 1, over 500 up to 1000 m weigh 0.68 (upper bounds inclusive: p2–B at 1000 m is 0.68).
    # Step 1: A: 100 · 1 (200 m) + 200 · 0.68 (600 m) = 236, ratio 20/236;
    #         B: 200 · 1 (400 m) + 300 · 0.68 (1000 m) = 404, ratio 10/404.
    # Step 2 (× 1000): p0 = 1 · 20000/236 = 84.75; p1 = 0.68 · 20000/236 + 1 · 10000/404 = 57.63 + 24.75 = 82.38;
    #                  p2 = 0.68 · 10000/404 = 16.83; p3 = 0.
    expected = [20000 / 236, 0.68 * 20000 / 236 + 10000 / 404, 0.68 * 10000 / 404, 0.0]
    bands = [(0, 500, 1.0), (500, 1000, 0.68)]
    assert two_step_fca(HAND, HAND_DEMAND, HAND_SUPPLY, 1000.0, weights=bands) == pytest.approx(expected)
    as_function = distance_bands(bands)
    assert two_step_fca(HAND, HAND_DEMAND, HAND_SUPPLY, 1000.0, weights=as_function) == pytest.approx(expected)
    # The same weights still share out every seat: 100 · 84.75 + 200 · 82.38 + 300 · 16.83 = 30 000.
    result = two_step_fca(HAND, HAND_DEMAND, HAND_SUPPLY, 1000.0, weights=bands)
    assert (result * HAND_DEMAND).sum() / 1000 == pytest.approx(30.0)
    # Gaussian, σ = 500 m: weights e^(-d²/500000): 200 m → e^-0.08, 600 m → e^-0.72, 400 m → e^-0.32, 1000 m → e^-2.
    w02, w12, w11, w21 = np.exp([-0.08, -0.72, -0.32, -2.0])
    ratio_a, ratio_b = 20 / (100 * w02 + 200 * w12), 10 / (200 * w11 + 300 * w21)
    assert two_step_fca(HAND, HAND_DEMAND, HAND_SUPPLY, 1000.0, weights=gaussian(500.0)) == pytest.approx(
        [1000 * w02 * ratio_a, 1000 * (w12 * ratio_a + w11 * ratio_b), 1000 * w21 * ratio_b, 0.0])


def test_weights_match_access_definitions():
    metres = np.array([0.0, 250.0, 499.999, 500.0, 500.001, 999.0, 1000.0, 1400.0, 1500.0, 1500.5, 3000.0])
    ours = distance_bands([(0, 500, 1.0), (500, 1000, 0.68), (1000, 1500, 0.22)])(metres)
    theirs = access_weights.step_fn({500: 1.0, 1000: 0.68, 1500: 0.22})
    np.testing.assert_array_equal(ours, [theirs(m) for m in metres])
    np.testing.assert_allclose(gaussian(300.0)(metres), [access_weights.gaussian(300.0)(m) for m in metres], rtol=1e-15)
    for bad in ([(100, 500, 1.0)], [(0, 500, 1.0), (600, 1000, 0.5)], [(0, 500, -1.0)], []):
        with pytest.raises(ValueError):
            distance_bands(bad)


def test_a_crowded_salon_covers_everyone_but_offers_little_room():
    # Area CROWD: 900 older residents on three points 100, 300 and 500 m from one salon of 20 seats.
    # Area QUIET: 60 older residents on two points 200 and 400 m from another salon of 20 seats.
    points = gpd.GeoDataFrame({"area_code": ["CROWD"] * 3 + ["QUIET"] * 2,
                               "total": [600.0, 600, 600, 60, 60], "age_65_plus": [300.0, 300, 300, 30, 30],
                               "age_75_plus": [150.0, 150, 150, 15, 15]},
                              geometry=gpd.points_from_xy(X0 + np.arange(5) * 10.0, np.full(5, Y0)), crs="EPSG:6677")
    reach = reach_of([(0, 0, 100.0), (1, 0, 300.0), (2, 0, 500.0), (3, 1, 200.0), (4, 1, 400.0)], 5, 2)
    per_point = two_step_fca(reach, points["age_65_plus"].to_numpy(), np.array([20.0, 20.0]), max_metres=1000.0)
    # CROWD: 20 / 900 × 1000 = 22.2 seats per 1,000; QUIET: 20 / 60 × 1000 = 333.3.
    table = capacity_by_area(points, per_point).set_index("code")
    assert table.loc["CROWD", "per_1000"] == pytest.approx(20 / 900 * 1000)
    assert table.loc["QUIET", "per_1000"] == pytest.approx(20 / 60 * 1000)
    assert table.loc["CROWD", "supply"] == pytest.approx(20.0) and table.loc["QUIET", "supply"] == pytest.approx(20.0)
    assert table.loc["CROWD", "age_65_plus_in_reach"] == table.loc["CROWD", "age_65_plus"] == 900
    # Coverage sees no difference: every older resident of both areas is within 10 minutes (667 m).
    nearest = pd.Series(reach.metres).groupby(reach.point).min().to_numpy()
    coverage = coverage_by_area(points, nearest, minutes=10.0).set_index("code")
    assert coverage["share_65_plus_covered"].tolist() == [1.0, 1.0]
    # Any other unit is rolled up from the same points (one unit holding all five).
    town = gpd.GeoDataFrame({"code": ["TOWN"]}, geometry=[points.union_all().buffer(100)], crs="EPSG:6677")
    whole = capacity_by_area(points, per_point, units=town).set_index("code")
    assert whole.loc["TOWN", "per_1000"] == pytest.approx(40 / 960 * 1000)


def test_unknown_capacity_left_out_and_counted():
    supply = np.array([20.0, np.nan])
    with pytest.warns(UnknownCapacityWarning, match="1 of 2 places") as caught:
        result = two_step_fca(HAND, HAND_DEMAND, supply, max_metres=1000.0)
    assert caught[0].message.count == 1
    # B left out: A alone, 20 / 300 for p0 and p1; p2 (reached only B) has nothing.
    assert result == pytest.approx([1000 / 15, 1000 / 15, 0.0, 0.0])
    with pytest.warns(UnknownCapacityWarning):
        assert two_step_fca(HAND, HAND_DEMAND, [None, 10], 1000.0) == pytest.approx([0.0, 20.0, 20.0, 0.0])
    with pytest.raises(ValueError):
        two_step_fca(HAND, HAND_DEMAND[:3], HAND_SUPPLY, 1000.0)


@pytest.fixture(scope="module")
def demo_town(demo_spatialite_template, tmp_path_factory):
    """The demo town's resident points, salons and 通いの場 with their capacities, and the reach within 1500 m."""
    engine = open_store(copy_spatialite_store(demo_spatialite_template, tmp_path_factory.mktemp("capacity")))
    network = build_network(read_walkable_lines(DEMO / "streets.geojson"))
    counts = read_population(engine, "population_by_age").astype({"age_65_plus": float, "age_75_plus": float,
                                                                  "total": float})
    points = spread_population(read_areas(engine, "small_area"), counts, network)
    salons = read_resources(engine, kinds=["salon", "kayoi_no_ba"])
    to_metres = Transformer.from_crs(6668, network.crs, always_xy=True)
    salon_xy = np.column_stack(to_metres.transform(salons.geometry.x.to_numpy(), salons.geometry.y.to_numpy()))
    reach = reach_table(network, snap_points(network, salon_xy),
                        snap_points(network, np.column_stack([points.geometry.x, points.geometry.y])), cutoff=1500.0)
    return points, salons["capacity"].to_numpy(dtype=float, na_value=np.nan), reach


def access_values(points, capacity, reach, method, **options):
    """PySAL access on the same long cost table, per point (NaN where nothing is in reach, taken as 0), per person."""
    known = np.flatnonzero(np.isfinite(capacity))
    model = Access(demand_df=pd.DataFrame({"point": np.arange(len(points)), "older": points["age_65_plus"].to_numpy()}),
                   demand_index="point", demand_value="older",
                   supply_df=pd.DataFrame({"place": known, "seats": capacity[known]}),
                   supply_index="place", supply_value="seats",
                   cost_df=pd.DataFrame({"origin": reach.point, "dest": reach.resource, "metres": reach.metres}),
                   cost_origin="origin", cost_dest="dest", cost_name="metres")
    result = getattr(model, method)(name="fca", **options)["fca_seats"]
    return result.reindex(np.arange(len(points))).fillna(0.0).to_numpy()


def test_demo_town_equals_pysal_access(demo_town):
    points, capacity, reach = demo_town
    demand = points["age_65_plus"].to_numpy()
    assert 0 < np.isnan(capacity).sum() < len(capacity)  # some capacities are unknown, as in real lists
    bands = [(0, 500, 1.0), (500, 1000, 0.68), (1000, 1500, 0.22)]
    cases = [("two_stage_fca", 1000.0, None, None),
             ("enhanced_two_stage_fca", 1500.0, bands, access_weights.step_fn({500: 1.0, 1000: 0.68, 1500: 0.22})),
             ("two_stage_fca", 1200.0, gaussian(400.0), access_weights.gaussian(400.0))]
    for method, max_metres, ours_weights, their_weights in cases:
        with pytest.warns(UnknownCapacityWarning, match=f"{np.isnan(capacity).sum()} of {len(capacity)} places"):
            ours = two_step_fca(reach, demand, capacity, max_metres, weights=ours_weights)
        theirs = access_values(points, capacity, reach, method, max_cost=max_metres, weight_fn=their_weights)
        assert (theirs > 0).mean() > 0.8 and len(np.unique(np.round(theirs, 12))) > 100  # not a trivial comparison
        np.testing.assert_allclose(ours / 1000.0, theirs, rtol=1e-9, atol=0)
        # Every known seat with residents in reach is shared out to the residents.
        assert (ours * demand).sum() / 1000 == pytest.approx(
            np.nansum(capacity[np.unique(reach.resource[reach.metres <= max_metres])]))
    # Not vacuous: one salon's capacity changed by one seat no longer matches access on the original table.
    first = np.flatnonzero(np.isfinite(capacity))[0]
    changed = capacity.copy()
    changed[first] += 1
    with pytest.warns(UnknownCapacityWarning):
        perturbed = two_step_fca(reach, demand, changed, 1000.0)
    theirs = access_values(points, capacity, reach, "two_stage_fca", max_cost=1000.0)
    assert not np.allclose(perturbed / 1000.0, theirs, rtol=1e-9, atol=0)


def test_demo_town_by_small_area(demo_town):
    points, capacity, reach = demo_town
    with pytest.warns(UnknownCapacityWarning):
        per_point = two_step_fca(reach, points["age_65_plus"].to_numpy(), capacity, 1000.0)
    table = capacity_by_area(points, per_point).set_index("code")
    assert table["age_65_plus"].sum() == pytest.approx(points["age_65_plus"].sum())
    weighted = (per_point * points["age_65_plus"]).groupby(points["area_code"]).sum() / \
        points.groupby("area_code")["age_65_plus"].sum()
    np.testing.assert_allclose(table.loc[weighted.index, "per_1000"], weighted, rtol=1e-12)
    assert table["supply"].sum() == pytest.approx(np.nansum(capacity[np.unique(reach.resource[reach.metres <= 1000])]))
    assert (table["age_65_plus_in_reach"] <= table["age_65_plus"] + 1e-9).all()
