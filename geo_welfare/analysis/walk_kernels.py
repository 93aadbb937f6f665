"""The compiled loops under the walking areas: one place's reached street points, and a grid stamped from samples.

They do what :mod:`geo_welfare.analysis.walk_grid` does with NumPy, cell for cell the same (tests/
test_walk_areas_fast.py), in one pass each: for a city's 348 places the NumPy steps between the
operations cost more than the work.  They release the GIL (``nogil``), so the planner's gaps and
walking areas can be drawn by two requests at once.
"""

from __future__ import annotations

import numpy as np

from geo_welfare.analysis.walk_grid import (BLOCK_M2, BUFFER_METRES, CELL_METRES, WalkGrid, disc_offsets,
                                            grid_of_samples)
from geo_welfare.network.compiled import njit as _compiled

njit = _compiled(nogil=True)  # every loop here: cached on disk where numba may, the GIL released


@njit
def _grid_frame(xy, cell, margin):  # pragma: no cover - compiled
    """The box of ``xy``; the grid's corner and size, as ``walk_grid.grid_of_samples`` sets them."""
    xmin, ymin, xmax, ymax = xy[0, 0], xy[0, 1], xy[0, 0], xy[0, 1]
    for i in range(len(xy)):
        xmin, xmax = min(xmin, xy[i, 0]), max(xmax, xy[i, 0])
        ymin, ymax = min(ymin, xy[i, 1]), max(ymax, xy[i, 1])
    x0 = np.floor((xmin - margin) / cell) * cell
    y0 = np.floor((ymin - margin) / cell) * cell
    columns = int(np.ceil((xmax + margin - x0) / cell))
    rows = int(np.ceil((ymax + margin - y0) / cell))
    return xmin, ymin, xmax, ymax, x0, y0, rows, columns


@njit
def _mark_reached(xy, walk, x0, y0, cell, columns, nearest, street):  # pragma: no cover - compiled
    """Each cell's shortest whole-metre walk (rounded up, at most UNREACHED) among the reached points in it."""
    for i in range(len(xy)):
        index = np.int64((xy[i, 1] - y0) // cell) * columns + np.int64((xy[i, 0] - x0) // cell)
        metres = np.ceil(walk[i])
        whole = np.uint16(65535) if metres >= 65535 else np.uint16(metres)
        if whole < nearest[index]:
            nearest[index] = whole
        street[index] = True


@njit
def _mark_street(x, y, x0, y0, cell, rows, columns, street):  # pragma: no cover - compiled
    """A street point (reached or not) in the grid makes its cell a street cell; one outside is ignored."""
    column, line = (x - x0) // cell, (y - y0) // cell
    if column >= 0 and column < columns and line >= 0 and line < rows:
        street[np.int64(line) * columns + np.int64(column)] = True


@njit
def _stamped(nearest, street, rows, columns, offset_rows, offset_columns, offset_distances
             ):  # pragma: no cover - compiled
    """Every cell within the disc of a street cell takes the walk of its nearest street cell (shortest among equals)."""
    spread = np.full((rows, columns), 65535, dtype=np.uint16)
    nearest_distance = np.full((rows, columns), np.iinfo(np.int64).max, dtype=np.int64)
    for index in range(rows * columns):
        if not street[index]:
            continue
        base_row, base_column, here = index // columns, index % columns, nearest[index]
        for k in range(len(offset_rows)):
            row, column = base_row + offset_rows[k], base_column + offset_columns[k]
            if row < 0 or column < 0 or row >= rows or column >= columns:
                continue
            distance = offset_distances[k]
            if distance < nearest_distance[row, column] or (
                    distance == nearest_distance[row, column] and here < spread[row, column]):
                nearest_distance[row, column] = distance
                spread[row, column] = here
    return spread


@njit
def place_grid(xy, walk, tiles_xy, tile_ptr, origin_x, origin_y, tile_metres, tiles_x, tiles_y, cell, margin,
                offset_rows, offset_columns, offset_distances):  # pragma: no cover - compiled
    """The walk grid of one place's reached street points ``xy`` (walks ``walk``) among the streets around.

    The steps of :func:`~geo_welfare.analysis.walk_grid.grid_of_samples` with the streets of
    :meth:`_EdgeIndex.streets_around` (the box of ``xy`` widened by ``margin``): the grid's corner and
    size, each cell's shortest whole-metre walk among the points in it (an unreached street's point
    counts as :data:`~geo_welfare.analysis.walk_grid.UNREACHED`), then every cell within the disc of a
    street cell takes the walk of its nearest street cell (the shortest walk among equally near ones).
    Returns (grid, x0, y0).
    """
    xmin, ymin, xmax, ymax, x0, y0, rows, columns = _grid_frame(xy, cell, margin)
    nearest = np.full(rows * columns, 65535, dtype=np.uint16)
    street = np.zeros(rows * columns, dtype=np.bool_)
    _mark_reached(xy, walk, x0, y0, cell, columns, nearest, street)
    # The streets around: the tiles' rows over the widened box, each point in the box (as streets_around).
    bx0, by0, bx1, by1 = xmin - margin, ymin - margin, xmax + margin, ymax + margin
    tx0 = max(np.int64(np.floor((bx0 - origin_x) / tile_metres)), 0)
    tx1 = min(np.int64(np.floor((bx1 - origin_x) / tile_metres)), tiles_x - 1)
    ty0 = max(np.int64(np.floor((by0 - origin_y) / tile_metres)), 0)
    ty1 = min(np.int64(np.floor((by1 - origin_y) / tile_metres)), tiles_y - 1)
    if tx0 <= tx1:
        for row in range(ty0, ty1 + 1):
            for k in range(tile_ptr[row * tiles_x + tx0], tile_ptr[row * tiles_x + tx1 + 1]):
                x, y = tiles_xy[k, 0], tiles_xy[k, 1]
                if x >= bx0 and x <= bx1 and y >= by0 and y <= by1:
                    _mark_street(x, y, x0, y0, cell, rows, columns, street)
    return _stamped(nearest, street, rows, columns, offset_rows, offset_columns, offset_distances), x0, y0


@njit
def _samples_grid(xy, walk, others, cell, margin, offset_rows, offset_columns, offset_distances
                  ):  # pragma: no cover - compiled
    """:func:`~geo_welfare.analysis.walk_grid.grid_of_samples` with ``other_streets``, compiled: (grid, x0, y0)."""
    _, _, _, _, x0, y0, rows, columns = _grid_frame(xy, cell, margin)
    nearest = np.full(rows * columns, 65535, dtype=np.uint16)
    street = np.zeros(rows * columns, dtype=np.bool_)
    _mark_reached(xy, walk, x0, y0, cell, columns, nearest, street)
    for k in range(len(others)):
        _mark_street(others[k, 0], others[k, 1], x0, y0, cell, rows, columns, street)
    return _stamped(nearest, street, rows, columns, offset_rows, offset_columns, offset_distances), x0, y0


def compiled_grid_of_samples(xy: np.ndarray, walk: np.ndarray, other_streets: np.ndarray | None = None,
                             cell: float = CELL_METRES, buffer_metres: float = BUFFER_METRES,
                             block_m2: float = BLOCK_M2) -> WalkGrid:
    """:func:`~geo_welfare.analysis.walk_grid.grid_of_samples`, the same grid cell for cell, in one compiled pass.

    For a city (1.3 million reached street points, 7.5 million cells) NumPy's ``minimum.at`` and the
    full-size arrays between the steps cost more than the stamping (0.43 s of CPU for Sapporo).
    """
    if len(walk) == 0:
        return grid_of_samples(xy, walk, other_streets, cell, buffer_metres, block_m2)
    offset_row, offset_column = disc_offsets(buffer_metres / cell - 0.5)
    others = np.empty((0, 2)) if other_streets is None else np.ascontiguousarray(other_streets, dtype=np.float64)
    spread, x0, y0 = _samples_grid(np.ascontiguousarray(xy, dtype=np.float64),
                                   np.ascontiguousarray(walk, dtype=np.float64), others, float(cell),
                                   float(buffer_metres + 2 * cell), offset_row, offset_column,
                                   offset_row ** 2 + offset_column ** 2)
    return WalkGrid(float(x0), float(y0), cell, spread, block_m2)


@njit
def reached_points(nodes, node_walks, node_ptr, node_edges, point_ptr, edge_u, edge_v, edge_length, points_along,
                    points_xy, own_edge, own_offset, own_along, limit, node_walk, edge_seen
                    ):  # pragma: no cover - compiled
    """The street points within ``limit`` of one place, and the walk to each, from its bounded search.

    The points of every edge meeting a reached node (and of the place's own edge), edge by edge in
    increasing order, each walked from the nearer end of its edge or, on the place's own street,
    straight along it.  ``node_walk`` (all inf) and ``edge_seen`` (all False) are scratch rows of the
    network, left as they were found.
    """
    for j in range(len(nodes)):
        node_walk[nodes[j]] = node_walks[j]
    found = np.empty(16, dtype=np.int64)
    count = 0
    for j in range(len(nodes) + 1):
        start, end = (node_ptr[nodes[j]], node_ptr[nodes[j] + 1]) if j < len(nodes) else (0, 1)
        for k in range(start, end):
            edge = node_edges[k] if j < len(nodes) else own_edge
            if edge_seen[edge]:
                continue
            edge_seen[edge] = True
            if count == len(found):
                found = np.concatenate((found, np.empty(count, dtype=np.int64)))
            found[count] = edge
            count += 1
    edges = np.sort(found[:count])
    total = 0
    for edge in edges:
        edge_seen[edge] = False
        total += point_ptr[edge + 1] - point_ptr[edge]
    xy = np.empty((total, 2))
    walk = np.empty(total)
    kept = 0
    for edge in edges:
        at_u, at_v, length = node_walk[edge_u[edge]], node_walk[edge_v[edge]], edge_length[edge]
        for point in range(point_ptr[edge], point_ptr[edge + 1]):
            along = points_along[point]
            here = min(at_u + along, at_v + length - along)
            if edge == own_edge:
                here = min(here, own_offset + abs(along - own_along))
            if here <= limit:
                xy[kept, 0], xy[kept, 1] = points_xy[point, 0], points_xy[point, 1]
                walk[kept] = here
                kept += 1
    for j in range(len(nodes)):
        node_walk[nodes[j]] = np.inf
    return xy[:kept], walk[:kept]
