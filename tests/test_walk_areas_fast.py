"""The compiled paths of the walking areas and of point-in-polygon give exactly the answers of the NumPy/GEOS ones.

``_EdgeIndex.place_grid`` (one compiled pass per place) is checked cell for cell against
``grid_of_samples`` fed with ``streets_around`` (the NumPy path it replaced), on the demo town's
streets and on a hand-made grid of streets with places at corners, mid-street and off the streets.
``first_polygon_holding`` (points sorted by x instead of a tree of points) is checked against the
brute force of testing every point against every polygon with GEOS, first holder wins, with points
on shared borders and on box edges.
"""

from __future__ import annotations

import numpy as np
import shapely

from geo_welfare.analysis.spread import first_polygon_holding
from geo_welfare.analysis.walk_areas import _EdgeIndex, resource_grids
from geo_welfare.analysis.walk_grid import BUFFER_METRES, CELL_METRES, grid_of_samples
from geo_welfare.network import build_network, read_walkable_lines, snap_points
from geo_welfare.network.bounded import BoundedWalks
from helpers import DEMO_STREETS, X0, Y0, at, network_of


def _numpy_grids(network, resources, limit):
    """Each place's grid the NumPy way: the reached street points, then grid_of_samples with the streets around."""
    index, walks, points = _EdgeIndex(network), BoundedWalks(network), network.street_points
    grids = []
    for i in range(len(resources)):
        nodes, node_walks = walks.from_resource(resources, i, limit)
        node_walk = np.full(network.node_count, np.inf)
        node_walk[nodes] = node_walks
        edge, along = points.edge, points.along
        walk = np.minimum(node_walk[network.edge_u[edge]] + along,
                          node_walk[network.edge_v[edge]] + network.edge_length[edge] - along)
        own = edge == resources.edge[i]
        walk[own] = np.minimum(walk[own], resources.offset[i] + np.abs(along[own] - resources.along[i]))
        kept = walk <= limit
        reached = points.xy[kept]
        around = index.streets_around(reached, BUFFER_METRES + 2 * CELL_METRES) if len(reached) else None
        grids.append(grid_of_samples(reached, walk[kept], around))
    return grids


def _same(ours, reference):
    assert len(ours) == len(reference)
    for one, other in zip(ours, reference):
        assert (one.x0, one.y0, one.cell) == (other.x0, other.y0, other.cell)
        assert np.array_equal(one.walk, other.walk)


def test_each_place_grid_on_the_demo_streets_is_the_numpy_grid_cell_for_cell():
    network = build_network(read_walkable_lines(DEMO_STREETS))
    xy = network.node_xy[::7] + np.array([3.0, -4.0])  # a few metres off the corners: snapped mid-street
    resources = snap_points(network, xy)
    for limit in (333.3, 1000.0):
        _same(resource_grids(network, resources, limit), _numpy_grids(network, resources, limit))


def test_places_at_a_corner_mid_street_and_off_the_streets_are_the_numpy_grid():
    network = network_of([(0, 0), (1500, 0)], [(0, 300), (1500, 300)], [(500, 0), (500, 300)],
                         [(1200, 0), (1200, 300)], [(2000, 2000), (2100, 2000)])  # and a street nobody reaches
    resources = snap_points(network, at((500, 0), (100, 10), (1300, 290), (800, 600)))
    grids = resource_grids(network, resources, 600.0)
    _same(grids, _numpy_grids(network, resources, 600.0))
    # By hand: the corner place's own cell walks 0 m; 600 m along the bottom street from it is the limit.
    corner = grids[0]
    row, column = int((Y0 + 0 - corner.y0) // CELL_METRES), int((X0 + 500 - corner.x0) // CELL_METRES)
    assert corner.walk[row, column] == 0
    assert corner.walk[row, int((X0 + 1105 - corner.x0) // CELL_METRES)] <= 600
    assert corner.walk.shape[1] * CELL_METRES <= 1500 + 2 * (BUFFER_METRES + 3 * CELL_METRES)


def test_a_place_reaching_nothing_has_an_empty_grid():
    network = network_of([(0, 0), (100, 0)])
    resources = snap_points(network, at((50, 0)))
    grid = resource_grids(network, resources, 0.0)[0]
    _same([grid], _numpy_grids(network, resources, 0.0))


def test_the_first_polygon_holding_each_point_is_the_brute_force_answer():
    rng = np.random.default_rng(12)
    squares = [shapely.box(x, y, x + 10, y + 10) for x in range(0, 40, 10) for y in range(0, 30, 10)]
    ring = shapely.Polygon([(0, 0), (40, 0), (40, 30), (0, 30)], [[(5, 5), (35, 5), (35, 25), (5, 25)]])
    polygons = np.array([*squares, ring, None, shapely.Polygon()], dtype=object)
    xy = np.vstack([rng.uniform(-5, 45, size=(3000, 2)),
                    [(10, 10), (10, 5), (0, 0), (40, 30), (20, 30.0), (45, 15), (5, 5)],  # corners, borders
                    np.round(rng.uniform(-1, 41, size=(500, 2)))])  # whole numbers: many on the lines
    expected = np.full(len(xy), -1)
    for index in reversed(range(len(polygons))):  # the lowest index wins: assigned last
        polygon = polygons[index]
        if polygon is None or polygon.is_empty:
            continue
        expected[shapely.intersects(polygon, shapely.points(xy))] = index
    holder = first_polygon_holding(xy, polygons)
    assert np.array_equal(holder, expected)
    assert holder[len(xy) - 507 + 5] == -1 and holder[len(xy) - 507] == 0  # (45, 15) outside; (10, 10) in square 0


def test_the_network_keeps_each_places_grid_by_where_it_stands():
    from geo_welfare.analysis.walk_areas import kept_resource_grids
    from geo_welfare.network.snap import Snapped
    network = network_of([(0, 0), (1500, 0)], [(0, 300), (1500, 300)], [(500, 0), (500, 300)],
                         [(1200, 0), (1200, 300)])
    resources = snap_points(network, at((100, 10), (1300, 290), (700, 300)))
    first = kept_resource_grids(network, resources, 600.0)
    _same(first, _numpy_grids(network, resources, 600.0))
    # Another study holding two of the places, in another order: the same grid objects, nothing built.
    subset = Snapped(resources.edge[[2, 0]], resources.along[[2, 0]], resources.offset[[2, 0]])
    again = kept_resource_grids(network, subset, 400.0)  # a shorter walk: answered by the 600 m grids
    assert again[0] is first[2] and again[1] is first[0]
    # A longer walk than any kept grid: built afresh for it, the grid of resource_grids for 900 m.
    longer = kept_resource_grids(network, subset, 900.0)
    assert longer[0] is not first[2]
    _same(longer, _numpy_grids(network, subset, 900.0))
    assert kept_resource_grids(network, subset, 900.0)[0] is longer[0]


def test_the_combined_grid_is_walk_grids_cell_for_cell():
    from geo_welfare.analysis.coverage import walk_from_resources
    from geo_welfare.analysis.walk_areas import combined_grid
    from geo_welfare.analysis.walk_grid import walk_grid
    network = build_network(read_walkable_lines(DEMO_STREETS))
    resources = snap_points(network, network.node_xy[::11] + np.array([-2.0, 6.0]))
    for limit in (250.0, 1333.3):
        reference = walk_grid(network, walk_from_resources(network, resources), limit, resources)
        _same([combined_grid(network, resources, limit)], [reference])
    hand = network_of([(0, 0), (1500, 0)], [(0, 300), (1500, 300)], [(500, 0), (500, 300)], [(3000, 0), (3100, 0)])
    places = snap_points(hand, at((100, 10), (1300, 290)))
    _same([combined_grid(hand, places, 600.0)], [walk_grid(hand, walk_from_resources(hand, places), 600.0, places)])
