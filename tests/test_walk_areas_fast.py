"""The compiled paths of the walking areas and of point-in-polygon give exactly the answers of brute force.

Each place's grid and the combined grid (:func:`~geo_welfare.analysis.street_cells.grid_of_points`,
which reads the cells each home walks out to from :mod:`geo_welfare.analysis.street_cells`) are
checked cell for cell against an oracle written here from the rule alone: every cell of the grid's
frame takes the walk of its nearest street cells of the whole network (cell centres within the
disc of 4.5 cells, found with SciPy's k-d tree), the shortest walk among equally near ones, where a
street cell's walk is the shortest whole-metre walk (rounded up) of the reached street points in it;
the reached points themselves come from the NumPy walk of each place's bounded search.  On the demo
town's streets and on a hand-made grid of streets with places at corners, mid-street and off the
streets.  ``first_polygon_holding`` (points sorted by x instead of a tree of points) is checked
against the brute force of testing every point against every polygon with GEOS, first holder wins,
with points on shared borders and on box edges.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

from geo_welfare.analysis.spread import first_polygon_holding
from geo_welfare.analysis.walk_areas import resource_grids
from geo_welfare.analysis.walk_grid import BUFFER_METRES, CELL_METRES, UNREACHED
from geo_welfare.network import build_network, read_walkable_lines, snap_points
from geo_welfare.network.bounded import BoundedWalks
from helpers import DEMO_STREETS, X0, Y0, at, network_of

#: Cell centres within this many cells of a cell are in its disc (the buffer less half a cell).
DISC_CELLS = BUFFER_METRES / CELL_METRES - 0.5


def _reached(network, node_walk, limit, resource=None):
    """Coordinates of the street points within ``limit`` and the walk to each, the NumPy way."""
    points = network.street_points
    edge, along = points.edge, points.along
    walk = np.minimum(node_walk[network.edge_u[edge]] + along,
                      node_walk[network.edge_v[edge]] + network.edge_length[edge] - along)
    if resource is not None:
        for edge_of, along_of, offset in zip(*resource):
            own = edge == edge_of
            walk[own] = np.minimum(walk[own], offset + np.abs(along[own] - along_of))
    kept = walk <= limit
    return points.xy[kept], walk[kept]


_TREES: dict = {}  # the street cells of each network the tests use, and a k-d tree over them


def _oracle(network, grid, reached_xy, reached_walk):
    """The grid's frame filled by the rule (see the module's docstring), by brute force."""
    cell = CELL_METRES
    if id(network) not in _TREES:
        street = np.floor(network.street_points.xy / cell).astype(np.int64)  # (column, row) of every street point
        cells = np.unique(street, axis=0)
        _TREES[id(network)] = (network, cells, {tuple(c): i for i, c in enumerate(cells)}, cKDTree(cells.astype(float)))
    _, cells, lookup, tree = _TREES[id(network)]
    walk = np.full(len(cells), int(UNREACHED))
    reached = np.floor(reached_xy / cell).astype(np.int64)
    for key, metres in zip(map(tuple, reached), np.minimum(np.ceil(reached_walk), UNREACHED).astype(int)):
        walk[lookup[key]] = min(walk[lookup[key]], metres)
    rows, columns = grid.walk.shape
    column0, row0 = round(grid.x0 / cell), round(grid.y0 / cell)
    row, column = np.mgrid[0:rows, 0:columns]
    centres = np.column_stack([column0 + column.ravel(), row0 + row.ravel()]).astype(float)
    # The 12 nearest street cells in the disc: a ring of equally near cells holds at most 8.
    distance, index = tree.query(centres, k=12, distance_upper_bound=DISC_CELLS + 1e-9)
    found = np.isfinite(distance)
    nearest = found & (distance <= distance.min(axis=1, keepdims=True) + 1e-9)
    walks = np.where(nearest, walk[np.minimum(index, len(cells) - 1)], int(UNREACHED))
    expected = np.where(found.any(axis=1), walks.min(axis=1), int(UNREACHED))
    return expected.reshape(rows, columns)


def _check_frame(grid, reached_xy):
    """The frame starts where walk_grid's does and holds the reached points' box widened by 70 m."""
    margin = BUFFER_METRES + 2 * CELL_METRES
    (xmin, ymin), (xmax, ymax) = reached_xy.min(axis=0), reached_xy.max(axis=0)
    assert grid.x0 == np.floor((xmin - margin) / CELL_METRES) * CELL_METRES
    assert grid.y0 == np.floor((ymin - margin) / CELL_METRES) * CELL_METRES
    rows, columns = grid.walk.shape
    assert grid.x0 + columns * CELL_METRES >= xmax + margin and grid.y0 + rows * CELL_METRES >= ymax + margin


def _same_as_oracle(network, resources, limit, grids):
    """Each place's grid against the oracle fed with the NumPy walk of its own bounded search."""
    walks = BoundedWalks(network)
    assert len(grids) == len(resources)
    for i, grid in enumerate(grids):
        nodes, node_walks = walks.from_resource(resources, i, limit)
        node_walk = np.full(network.node_count, np.inf)
        node_walk[nodes] = node_walks
        xy, walk = _reached(network, node_walk, limit,
                            ([resources.edge[i]], [resources.along[i]], [resources.offset[i]]))
        if len(walk) == 0:
            assert grid.walk.shape == (1, 1) and grid.walk[0, 0] == UNREACHED
            continue
        _check_frame(grid, xy)
        assert np.array_equal(grid.walk, _oracle(network, grid, xy, walk))


def test_each_place_grid_on_the_demo_streets_is_the_oracles_cell_for_cell():
    network = build_network(read_walkable_lines(DEMO_STREETS))
    xy = network.node_xy[::7] + np.array([3.0, -4.0])  # a few metres off the corners: snapped mid-street
    resources = snap_points(network, xy)
    for limit in (333.3, 1000.0):
        _same_as_oracle(network, resources, limit, resource_grids(network, resources, limit))


def test_places_at_a_corner_mid_street_and_off_the_streets_are_the_oracles_grid():
    network = network_of([(0, 0), (1500, 0)], [(0, 300), (1500, 300)], [(500, 0), (500, 300)],
                         [(1200, 0), (1200, 300)], [(2000, 2000), (2100, 2000)])  # and a street nobody reaches
    resources = snap_points(network, at((500, 0), (100, 10), (1300, 290), (800, 600)))
    grids = resource_grids(network, resources, 600.0)
    _same_as_oracle(network, resources, 600.0, grids)
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
    _same_as_oracle(network, resources, 0.0, [grid])


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
    _same_as_oracle(network, resources, 600.0, first)
    # Another study holding two of the places, in another order: the same grid objects, nothing built.
    subset = Snapped(resources.edge[[2, 0]], resources.along[[2, 0]], resources.offset[[2, 0]])
    again = kept_resource_grids(network, subset, 400.0)  # a shorter walk: answered by the 600 m grids
    assert again[0] is first[2] and again[1] is first[0]
    # A longer walk than any kept grid: built afresh for it, the grid of resource_grids for 900 m.
    longer = kept_resource_grids(network, subset, 900.0)
    assert longer[0] is not first[2]
    _same_as_oracle(network, subset, 900.0, longer)
    assert kept_resource_grids(network, subset, 900.0)[0] is longer[0]


def test_the_combined_grid_is_the_oracles_cell_for_cell():
    from geo_welfare.analysis.coverage import walk_from_resources
    from geo_welfare.analysis.walk_areas import combined_grid
    network = build_network(read_walkable_lines(DEMO_STREETS))
    resources = snap_points(network, network.node_xy[::11] + np.array([-2.0, 6.0]))
    hand = network_of([(0, 0), (1500, 0)], [(0, 300), (1500, 300)], [(500, 0), (500, 300)], [(3000, 0), (3100, 0)])
    places = snap_points(hand, at((100, 10), (1300, 290)))
    for net, where, limit in ((network, resources, 250.0), (network, resources, 1333.3), (hand, places, 600.0)):
        xy, walk = _reached(net, walk_from_resources(net, where), limit, (where.edge, where.along, where.offset))
        grid = combined_grid(net, where, limit)
        _check_frame(grid, xy)
        assert np.array_equal(grid.walk, _oracle(net, grid, xy, walk))


def test_tiles_filled_one_by_one_or_all_at_once_give_the_same_cells(monkeypatch):
    from geo_welfare.analysis import street_cells as module
    xy = build_network(read_walkable_lines(DEMO_STREETS)).street_points.xy
    whole = module.build_street_cells(xy)
    whole.fill(0, 10 ** 6, 0, 10 ** 6)
    monkeypatch.setattr(module, "TILE_CELLS", 16)  # tiles far smaller than the town: many borders
    tiled = module.build_street_cells(xy)
    rows, columns = tiled.ring.shape
    for row in range(0, rows, 37):  # pieces of the frame in an odd order, some tiles asked twice
        tiled.fill(row, row + 40, columns // 2, columns)
    tiled.fill(0, rows, 0, columns // 2 + 5)
    assert tiled._filled.all() and tiled._filled.size > 100
    assert np.array_equal(whole.ring, tiled.ring) and np.array_equal(whole.mask, tiled.mask)
    assert (whole.ring > 0).sum() > 0.2 * whole.ring.size  # most of the town is near a street
