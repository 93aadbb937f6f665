"""The sparse reach table: hand-worked pairs across a river, and equality with the dense walk on the demo town."""

from __future__ import annotations

import numpy as np
import pytest

from geo_welfare.analysis.reach import reach_table
from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
from helpers import DEMO_STREETS, at, network_of


def test_river_detour_and_cutoff():
    # Two streets 100 m apart along a river, one bridge at x = 1000 (as in test_network).
    network = network_of([(0, 50), (1000, 50)], [(0, -50), (1000, -50)], [(1000, 50), (1000, -50)])
    resources = snap_points(network, at((100, 60), (900, -55)))
    points = snap_points(network, at((100, -60), (300, 52)))
    # point 0 → place 0: 10 + 900 + 100 + 900 + 10 = 1920 (over the bridge); → place 1: 10 + 800 + 5 = 815.
    # point 1 → place 0: 2 + 200 + 10 = 212;  → place 1: 2 + 700 + 100 + 100 + 5 = 907.
    table = reach_table(network, resources, points, cutoff=1000.0)
    assert list(zip(table.point, table.resource)) == [(0, 1), (1, 0), (1, 1)]
    np.testing.assert_allclose(table.metres, [815.0, 212.0, 907.0], atol=1e-6)
    assert list(zip(table.within(900.0).point, table.within(900.0).resource)) == [(0, 1), (1, 0)]
    np.testing.assert_allclose(table.dense(), [[np.inf, 815.0], [212.0, 907.0]], atol=1e-6)


def test_a_place_on_the_same_street_and_at_a_corner():
    network = network_of([(0, 0), (200, 0)], [(100, -100), (100, 100)])
    resources = snap_points(network, at((100, 0), (20, 3)))  # a place exactly on the corner: a walk of 0 to it
    points = snap_points(network, at((100, 0), (60, -4)))
    table = reach_table(network, resources, points, cutoff=500.0)
    np.testing.assert_allclose(table.dense(), [[0.0, 83.0], [44.0, 47.0]], atol=1e-6)


def test_equals_the_dense_walk_on_the_demo_town():
    network = build_network(read_walkable_lines(DEMO_STREETS))
    rng = np.random.default_rng(7)
    low, high = network.node_xy.min(axis=0), network.node_xy.max(axis=0)
    resources = snap_points(network, rng.uniform(low, high, (150, 2)))
    points = snap_points(network, rng.uniform(low, high, (400, 2)))
    expected = walking_distances(network, resources, points, cutoff=800.0).T
    table = reach_table(network, resources, points, cutoff=800.0)
    assert len(table) == np.isfinite(expected).sum() > 1000
    np.testing.assert_allclose(table.dense(), expected, atol=1e-6)


def test_the_table_knows_its_cutoff_and_capacity_refuses_a_longer_walk():
    from geo_welfare.analysis.capacity import two_step_fca
    network = network_of([(0, 0), (1000, 0)])
    table = reach_table(network, snap_points(network, at((0, 0))), snap_points(network, at((500, 0))), 600.0)
    assert table.cutoff == 600.0 and table.within(550.0).cutoff == 550.0
    assert two_step_fca(table, np.array([10.0]), np.array([5.0]), 600.0).tolist() == [500.0]  # 5 seats / 10 × 1000
    with pytest.raises(ValueError, match="cut at 600 m"):
        two_step_fca(table, np.array([10.0]), np.array([5.0]), 900.0)
