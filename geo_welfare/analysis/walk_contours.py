"""The polygons of a walking grid: marching squares round its reached cells, and the small holes filled.

:class:`~geo_welfare.analysis.walk_grid.WalkGrid` draws its land with these two steps: contourpy
traces the edges half-way between cell centres, in cell numbers (whole and half numbers, so every
vertex and every hole's area is exact), and the rings become polygons in one call, the holes under a
block's size filled and the islands standing in them dropped.
"""

from __future__ import annotations

import contourpy
import numpy as np
import shapely


def contour_cells(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Marching squares round the True cells of ``cells`` padded by one empty cell, in the padded cell numbers.

    Edges run half-way between cell centres.  Returns the rings' points, where each ring starts and
    where each polygon's rings start (contourpy's ``ChunkCombinedOffsetOffset``), or None for no ring.
    """
    window = np.zeros((cells.shape[0] + 2, cells.shape[1] + 2))
    window[1:-1, 1:-1] = cells
    # Read-only broadcast views for the coordinates: no coordinate grids of the window's size.
    x = np.broadcast_to(np.arange(window.shape[1], dtype=np.float64), window.shape)
    y = np.broadcast_to(np.arange(window.shape[0], dtype=np.float64)[:, None], window.shape)
    # The generator's class itself: ``contour_generator`` copies the grid through a masked array
    # first, which cost more than the contouring for a place's small grid.
    generator = contourpy.SerialContourGenerator(
        x, y, window, None, corner_mask=False, line_type=contourpy.LineType.Separate,
        fill_type=contourpy.FillType.ChunkCombinedOffsetOffset, quad_as_tri=False,
        z_interp=contourpy.ZInterp.Linear)
    (points,), (ring_offsets,), (outer_offsets,) = generator.filled(0.5, 2.0)
    return None if points is None else (points, ring_offsets, outer_offsets)


def polygon_parts(cells: np.ndarray, points: np.ndarray, ring_offsets: np.ndarray, outer_offsets: np.ndarray,
                  min_hole: float) -> np.ndarray:
    """The separate polygons of marching squares' rings, the holes under ``min_hole`` filled.

    ``cells`` are the rings' points in the units the holes are measured and tested in (cell numbers:
    whole and half numbers, so a hole's area is exact and a 5 ha block is decided the same way
    wherever it lies), ``points`` the same points where the polygons are to stand.  The holes'
    areas come from the shoelace formula over all rings at once and the polygons are built in one
    call, so a city's thousands of block holes cost no Python loop.  Returns an array of Polygons.
    """
    ring_offsets, outer_offsets = ring_offsets.astype(np.int64), outer_offsets.astype(np.int64)
    x, y = cells[:, 0], cells[:, 1]
    cross = np.append(x[:-1] * y[1:] - x[1:] * y[:-1], 0.0)  # each point to the next (rings are closed)
    starts, ends = ring_offsets[:-1], ring_offsets[1:]
    # reduceat sums each ring's segments plus the one joining its last point to the next ring: take that off.
    areas = np.abs(np.add.reduceat(cross, starts) - cross[ends - 1]) / 2
    outer = np.zeros(len(starts), dtype=bool)
    outer[outer_offsets[:-1]] = True
    kept = outer | (areas >= min_hole)
    lengths = (ends - starts)[kept]
    coordinates = points[np.repeat(starts[kept] - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())]
    ring_owner = np.cumsum(outer)[kept] - 1  # the polygon each kept ring belongs to
    polygon_offsets = np.searchsorted(ring_owner, np.arange(len(outer_offsets)))
    polygons = shapely.from_ragged_array(
        shapely.GeometryType.POLYGON, coordinates,
        (np.concatenate([[0], np.cumsum(lengths)]), polygon_offsets))
    filled = ~kept
    if filled.any():  # land standing on an island in a filled hole is inside the land now: drop it
        hole_lengths = (ends - starts)[filled]
        hole_points = cells[np.repeat(starts[filled] - np.cumsum(hole_lengths) + hole_lengths, hole_lengths)
                            + np.arange(hole_lengths.sum())]
        ring_ends = np.concatenate([[0], np.cumsum(hole_lengths)])
        holes = shapely.from_ragged_array(shapely.GeometryType.POLYGON, hole_points,
                                          (ring_ends, np.arange(len(hole_lengths) + 1)))
        first_points = shapely.points(cells[starts[outer]])
        island, _ = shapely.STRtree(holes).query(first_points, predicate="within")
        polygons = np.delete(polygons, np.unique(island))
    # Where the land's edge passes a corner between two reached cells, a ring touches itself;
    # GEOS mends that without moving a vertex (the area is unchanged to 1e-6 m² on Sapporo).
    invalid = ~shapely.is_valid(polygons)
    if invalid.any():
        polygons = np.concatenate([polygons[~invalid], shapely.get_parts(shapely.buffer(polygons[invalid], 0))])
    return polygons
