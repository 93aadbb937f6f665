"""The walking-area grid against hand-worked cases and against the exact GEOS drawing of the same land."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from geo_welfare.analysis.coverage import walk_from_resources
from geo_welfare.analysis.service_areas import combined_service_area
from geo_welfare.analysis.walk_areas import combined_grid, resource_lands
from geo_welfare.analysis.walk_grid import CELL_METRES, disc_offsets, walk_grid
from geo_welfare.network import snap_points
from helpers import X0, Y0, at, network_of


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def test_the_disc_holds_the_cells_whose_centre_is_within_the_buffer():
    rows, columns = disc_offsets(4.5)
    # Lattice points with dx² + dy² ≤ 20.25, by rows dy = 0, ±1, …: 9 + 2·(9 + 9 + 7 + 5) = 69.
    assert len(rows) == 69
    assert sorted(zip(rows.tolist(), columns.tolist()))[:3] == [(-4, -2), (-4, -1), (-4, 0)]


def test_a_street_walked_from_its_middle_is_the_band_of_the_buffer_to_half_a_cell():
    network = network_of([(0, 0), (1000, 0)])
    resource = snap_points(network, at((500, 20)))
    land = combined_grid(network, resource, 220.0).land(220.0)
    # 200 m each way (220 − 20 to reach the street), 50 m either side: a home faces its nearest point of
    # the street, and beyond x = 300 or 700 that point is more than 220 m away, so the band ends flat
    # there (the GEOS drawing's round ends hold homes 20–50 m beyond the reach).
    exact = box(300, -50, 700, 50)
    # The grid places every edge within half a cell of the exact one (cells are 10 m; the street runs
    # along a cell border here, the worst case), so the areas differ by at most the perimeter × 5 m.
    assert shapely.symmetric_difference(land, exact).area <= exact.length * CELL_METRES / 2 + 1e-6
    # Edges half a cell off at worst; a corner, chamfered by marching squares, one cell by half a cell off.
    assert shapely.hausdorff_distance(land.exterior, exact.exterior) <= CELL_METRES * math.sqrt(1.25) + 1e-6
    assert not land.contains(shapely.Point(X0 + 290, Y0 + 10))  # its street point is 230 m away
    assert land.contains(shapely.Point(X0 + 310, Y0 + 40))


def test_the_land_does_not_cross_the_river_nor_reach_the_houses_of_an_unreached_street():
    # Two streets 60 m apart along a river, joined only at x = 1000; a salon on the north street.
    network = network_of([(0, 30), (1000, 30)], [(0, -30), (1000, -30)], [(1000, 30), (1000, -30)])
    salon = snap_points(network, at((100, 30)))
    land = combined_grid(network, salon, 500.0).land(500.0)
    assert land.contains(shapely.Point(X0 + 300, Y0 + 20))  # beside the reached street
    # 5 m south of the middle line: 35 m from the reached street (inside its 50 m buffer, as GEOS draws
    # it) but nearer the south street, which is reached only after 1,900 m.  Its houses face south.
    assert combined_service_area(network, salon, 500.0).contains(shapely.Point(X0 + 300, Y0 - 5))
    assert not land.contains(shapely.Point(X0 + 300, Y0 - 5))


def test_the_middle_of_a_reached_block_is_in_reach_and_a_park_is_not():
    small = network_of([(0, 0), (200, 0), (200, 200), (0, 200), (0, 0)])
    land = combined_grid(small, snap_points(small, at((0, -5))), 2000.0).land(2000.0)
    assert land.contains(shapely.Point(X0 + 100, Y0 + 100)) and len(land.interiors) == 0
    # A 500 m square: its middle is a 400 × 400 m hole (160,000 m² > 50,000 m²), which stays a hole.
    large = network_of([(0, 0), (500, 0), (500, 500), (0, 500), (0, 0)])
    land = combined_grid(large, snap_points(large, at((0, -5))), 4000.0).land(4000.0)
    assert len(land.interiors) == 1 and not land.contains(shapely.Point(X0 + 250, Y0 + 250))
    # Each side within half a cell: at most (400 + 2 · 5)² = 168,100 m² (streets on cell borders, the worst case).
    assert 400 * 400 <= shapely.Polygon(land.interiors[0]).area <= (400 + CELL_METRES) ** 2


def test_one_grid_answers_every_shorter_limit_as_its_own_grid_would():
    network = network_of([(0, 0), (2000, 0)], [(1000, -800), (1000, 800)])
    resources = snap_points(network, at((300, 10), (1000, 500)))
    node_walk = walk_from_resources(network, resources)
    long = walk_grid(network, node_walk, 1000.0, resources)
    for limit in (300.0, 650.0, 1000.0):
        own = walk_grid(network, node_walk, limit, resources)
        assert shapely.symmetric_difference(long.land(limit), own.land(limit)).area < 1e-6


def test_each_place_alone_is_drawn_as_the_whole_grid_draws_that_place():
    network = network_of([(0, 0), (1500, 0)], [(0, 300), (1500, 300)], [(500, 0), (500, 300)],
                         [(1200, 0), (1200, 300)])
    resources = snap_points(network, at((100, 10), (1300, 290)))
    lands = resource_lands(network, resources, [600.0])[600.0]
    for i, own in enumerate(lands):
        one = snap_points(network, at(((100, 10), (1300, 290))[i]))
        alone = combined_grid(network, one, 600.0).land(600.0)  # a second path: the all-places search
        assert own.area > 0 and shapely.symmetric_difference(own, alone).area < 1e-6


def test_gap_cut_district_by_district_equals_the_difference_with_the_whole_land():
    network = network_of([(0, 0), (3000, 0)], [(0, 400), (3000, 400)], [(1500, 0), (1500, 400)])
    resources = snap_points(network, at((200, 10)))
    grid = combined_grid(network, resources, 1200.0)
    districts = np.array([box(0, -200, 1000, 600), box(1000, -200, 2000, 600), box(2000, -200, 3000, 600)])
    pieces = grid.outside(districts, 1200.0)
    whole = shapely.difference(districts, grid.land(1200.0))
    assert shapely.area(shapely.symmetric_difference(pieces, whole)).max() < 1e-6
    assert pieces[2].area == pytest.approx(districts[2].area)  # 1,800 m on the street: out of reach
