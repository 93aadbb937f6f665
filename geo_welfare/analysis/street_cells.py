"""Which street each 10 m cell walks out to: the network's nearest street cells, found once.

A home walks out to its nearest street (:func:`~geo_welfare.analysis.walk_grid.grid_of_samples`):
a cell takes the walk of the nearest cell holding a street point within the buffer's disc, the
shortest walk among equally near ones.  *Which* cells are nearest depends on the streets alone,
not on the places, so it is found once per network and every walking grid after it (the city's,
each place's, for every limit) is a lookup: a cell reads the walk of its nearest street cells
instead of every street cell stamping its 81-cell disc again (for Sapporo's 348 places 1.3 s of
CPU became 0.1 s; ``benchmarks/polygons.py``).

The answer is kept in two bytes a cell over the network's whole frame: the *ring* of the nearest
street cells (the cells of the disc at one squared distance, in increasing order, at most 8 of
them) and a bit for each cell of that ring that holds a street.  Sapporo's 13 million cells take
26 MB, filled tile by tile as grids need them: a print page over one district fills a few tiles,
a city's planner all of them (0.2 s), once per network.  A grid built this way equals ``grid_of_samples`` fed with every street point of the
network (``tests/test_street_cells.py`` checks it against a k-d tree's brute force): near the
edge of a grid a street just outside it still counts, as it does for the homes there.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from geo_welfare.analysis.walk_grid import (BLOCK_M2, BUFFER_METRES, CELL_METRES, UNREACHED, WalkGrid,
                                            disc_offsets)
from geo_welfare.network.compiled import njit as _compiled
from geo_welfare.network.graph import WalkingNetwork

njit = _compiled(nogil=True)

#: Side of the tiles the frame is filled by, in cells (2.56 km): a page's question fills the few it
#: needs (a district page: some 10 ms), a city's question all of them (Sapporo: about 0.2 s), once.
TILE_CELLS = 256


@dataclass(frozen=True)
class StreetCells:
    """The nearest street cells of every cell of a network's frame (see the module's docstring).

    The frame is filled tile by tile, when a grid first needs a tile (:meth:`fill`); the arrays
    start as zeros, which the operating system gives without touching memory.

    Attributes
    ----------
    x0, y0 : float
        South-west corner of the frame, metres, multiples of ``cell`` (as every walking grid's).
    cell : float
        Side of a cell, metres.
    ring : numpy.ndarray
        uint8 (rows, columns): 1 + the ring of the nearest street cells, 0 where none is within the
        disc (or the tile is not filled yet).
    mask : numpy.ndarray
        uint8 (rows, columns): bit ``b`` set when the ring's ``b``-th cell holds a street.
    ring_rows, ring_columns : numpy.ndarray
        int64 (rings, 8): the row and column offset of each ring's cells from the cell itself.
    point_row, point_column : numpy.ndarray
        int64: the frame's row and column of each of the network's street points.
    """

    x0: float
    y0: float
    cell: float
    ring: np.ndarray
    mask: np.ndarray
    ring_rows: np.ndarray
    ring_columns: np.ndarray
    point_row: np.ndarray
    point_column: np.ndarray
    _street_cells: np.ndarray = field(repr=False)  # flat indices of the cells holding a street, by tile
    _tile_ptr: np.ndarray = field(repr=False)  # where each tile's street cells begin in _street_cells
    _filled: np.ndarray = field(repr=False)  # bool per tile
    _disc: tuple = field(repr=False)  # (rows, columns, ring, bit of the owner) of each disc offset
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fill_all(self) -> None:
        """Fill every tile now (a server's warm-up: its first city-wide question then only reads)."""
        rows, columns = self.ring.shape
        self.fill(0, rows - 1, 0, columns - 1)

    def fill(self, row0: int, row1: int, column0: int, column1: int) -> None:
        """Fill the tiles holding rows ``row0``–``row1`` and columns ``column0``–``column1`` (inclusive), once."""
        tiles_y, tiles_x = self._filled.shape
        ty = np.arange(max(row0, 0) // TILE_CELLS, min(row1 // TILE_CELLS, tiles_y - 1) + 1)
        tx = np.arange(max(column0, 0) // TILE_CELLS, min(column1 // TILE_CELLS, tiles_x - 1) + 1)
        with self._lock:  # two requests of one server may ask for the same tiles
            wanted = (ty[:, None] * tiles_x + tx[None, :]).ravel()
            wanted = wanted[~self._filled.ravel()[wanted]]
            if len(wanted):
                _fill_tiles(wanted, self._street_cells, self._tile_ptr, tiles_x, TILE_CELLS, *self._disc,
                            self.ring, self.mask)
                self._filled.ravel()[wanted] = True


def _rings(radius_cells: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The disc's offsets grouped by squared distance: (ring of each offset, bit of it, ring rows, ring columns)."""
    rows, columns = disc_offsets(radius_cells)
    squared = rows ** 2 + columns ** 2
    order = np.lexsort((columns, rows, squared))
    rows, columns, squared = rows[order], columns[order], squared[order]
    levels, ring = np.unique(squared, return_inverse=True)
    bit = np.arange(len(rows)) - np.searchsorted(ring, ring)
    if bit.max() >= 8:
        raise ValueError(f"a ring of the {radius_cells}-cell disc holds more than 8 cells")
    ring_rows = np.zeros((len(levels), 8), dtype=np.int64)
    ring_columns = np.zeros((len(levels), 8), dtype=np.int64)
    ring_rows[ring, bit], ring_columns[ring, bit] = rows, columns
    return ring.astype(np.int64), bit.astype(np.int64), ring_rows, ring_columns


def street_cells(network: WalkingNetwork, cell: float = CELL_METRES,
                 buffer_metres: float = BUFFER_METRES) -> StreetCells:
    """The network's :class:`StreetCells`, made once per network (for the default cell and buffer)."""
    if (cell, buffer_metres) == (CELL_METRES, BUFFER_METRES):
        return network.derived("street_cells", lambda net: build_street_cells(net.street_points.xy))
    return build_street_cells(network.street_points.xy, cell, buffer_metres)


def build_street_cells(xy: np.ndarray, cell: float = CELL_METRES, buffer_metres: float = BUFFER_METRES
                       ) -> StreetCells:
    """:class:`StreetCells` of the street points ``xy`` (shape (n, 2), metres), no tile filled yet.

    The frame is the box of the points widened as a walking grid's is (buffer and two cells), so
    every grid of these streets lies inside it.  The disc is half a cell short of the buffer, as
    :func:`~geo_welfare.analysis.walk_grid.grid_of_samples`'s.
    """
    ring_of, bit_of, ring_rows, ring_columns = _rings(buffer_metres / cell - 0.5)
    if len(xy) == 0:
        xy = np.zeros((1, 2))  # a frame of a few cells with one street point nobody reaches
    margin = buffer_metres + 2 * cell
    x0 = float(np.floor((xy[:, 0].min() - margin) / cell) * cell)
    y0 = float(np.floor((xy[:, 1].min() - margin) / cell) * cell)
    columns = int(np.ceil((xy[:, 0].max() + margin - x0) / cell))
    rows = int(np.ceil((xy[:, 1].max() + margin - y0) / cell))
    point_row = ((xy[:, 1] - y0) // cell).astype(np.int64)
    point_column = ((xy[:, 0] - x0) // cell).astype(np.int64)
    street = np.zeros(rows * columns, dtype=bool)  # a flag per cell: np.unique of the indices is 50 times slower
    street[point_row * columns + point_column] = True
    occupied = np.flatnonzero(street)
    tiles_y, tiles_x = -(-rows // TILE_CELLS), -(-columns // TILE_CELLS)
    tile = (occupied // columns // TILE_CELLS) * tiles_x + occupied % columns // TILE_CELLS
    order = np.argsort(tile, kind="stable")
    tile_ptr = np.searchsorted(tile[order], np.arange(tiles_y * tiles_x + 1))
    # The owner of a cell at offset (dr, dc) from a street cell is at (-dr, -dc) from it: the same ring.
    disc_rows, disc_columns = ring_rows[ring_of, bit_of], ring_columns[ring_of, bit_of]
    ring_size = np.bincount(ring_of)
    negated = np.array([np.flatnonzero((ring_rows[r] == -dr) & (ring_columns[r] == -dc)
                                       & (np.arange(8) < ring_size[r]))[0]
                        for r, dr, dc in zip(ring_of, disc_rows, disc_columns)], dtype=np.int64)
    return StreetCells(x0, y0, cell, np.zeros((rows, columns), dtype=np.uint8),
                       np.zeros((rows, columns), dtype=np.uint8), ring_rows, ring_columns, point_row, point_column,
                       occupied[order], tile_ptr, np.zeros((tiles_y, tiles_x), dtype=bool),
                       (disc_rows, disc_columns, ring_of, negated))


@njit
def _fill_tiles(tiles, street_cells, tile_ptr, tiles_x, tile_cells, disc_rows, disc_columns, ring_of, bit_of_owner,
                ring, mask):  # pragma: no cover - compiled
    """Each cell of ``tiles``: 1 + its nearest ring holding a street cell, and which of that ring's cells do.

    A tile's cells are reached from the street cells of the tile and of its eight neighbours (the
    disc is far smaller than a tile); only the cells inside the tile are written.
    """
    rows, columns = ring.shape
    tiles_y = (rows + tile_cells - 1) // tile_cells
    reach = np.abs(disc_rows).max()  # the disc's radius in whole cells, far less than a tile
    for tile in tiles:
        ty, tx = tile // tiles_x, tile % tiles_x
        top, left = ty * tile_cells, tx * tile_cells
        bottom, right = min(top + tile_cells, rows), min(left + tile_cells, columns)
        for ny in range(max(ty - 1, 0), min(ty + 2, tiles_y)):
            for nx in range(max(tx - 1, 0), min(tx + 2, tiles_x)):
                neighbour = ny * tiles_x + nx
                for k in range(tile_ptr[neighbour], tile_ptr[neighbour + 1]):
                    street_row, street_column = street_cells[k] // columns, street_cells[k] % columns
                    if street_row < top - reach or street_row >= bottom + reach or street_column < left - reach \
                            or street_column >= right + reach:
                        continue
                    for d in range(len(disc_rows)):
                        row, column = street_row + disc_rows[d], street_column + disc_columns[d]
                        if row < top or column < left or row >= bottom or column >= right:
                            continue
                        level = np.uint8(ring_of[d] + 1)
                        bit = np.uint8(1 << bit_of_owner[d])
                        if ring[row, column] == 0 or level < ring[row, column]:
                            ring[row, column], mask[row, column] = level, bit
                        elif level == ring[row, column]:
                            mask[row, column] |= bit


def grid_of_points(cells: StreetCells, points: np.ndarray, walk: np.ndarray,
                   block_m2: float = BLOCK_M2) -> WalkGrid:
    """The walking grid of the reached street points ``points`` (indices into the network's street points).

    ``walk`` is the walk to each, metres.  The grid's frame is the one
    :func:`~geo_welfare.analysis.walk_grid.grid_of_samples` gives the same points (their box
    widened by the buffer and two cells); each cell takes the shortest whole-metre walk (rounded up)
    of its nearest street cells of the whole network, :data:`~geo_welfare.analysis.walk_grid.UNREACHED`
    where those are not reached or none is within the disc.
    """
    if len(points) == 0:
        return WalkGrid(0.0, 0.0, cells.cell, np.full((1, 1), UNREACHED, dtype=np.uint16), block_m2)
    points = np.ascontiguousarray(points, dtype=np.int64)
    rows, columns = cells.point_row[points], cells.point_column[points]
    margin = int(round(BUFFER_METRES / cells.cell)) + 2
    row0, row1 = max(int(rows.min()) - margin, 0), min(int(rows.max()) + margin, cells.ring.shape[0] - 1)
    column0, column1 = max(int(columns.min()) - margin, 0), min(int(columns.max()) + margin, cells.ring.shape[1] - 1)
    cells.fill(row0, row1, column0, column1)
    spread = _gathered(rows - row0, columns - column0, np.ascontiguousarray(walk, dtype=np.float64),
                       cells.ring[row0:row1 + 1, column0:column1 + 1], cells.mask[row0:row1 + 1, column0:column1 + 1],
                       cells.ring_rows, cells.ring_columns)
    return WalkGrid(cells.x0 + cells.cell * column0, cells.y0 + cells.cell * row0, cells.cell, spread, block_m2)


@njit
def _gathered(rows_of, columns_of, walk, ring, mask, ring_rows, ring_columns):  # pragma: no cover - compiled
    """The grid over ``ring``'s window: each reached cell's shortest walk, then each cell's nearest street cells' walk.

    ``rows_of`` and ``columns_of`` are the reached points' cells in the window.
    """
    rows, columns = ring.shape
    nearest = np.full((rows, columns), 65535, dtype=np.uint16)
    for i in range(len(walk)):
        metres = np.ceil(walk[i])
        whole = np.uint16(65535) if metres >= 65535 else np.uint16(metres)
        if whole < nearest[rows_of[i], columns_of[i]]:
            nearest[rows_of[i], columns_of[i]] = whole
    spread = np.full((rows, columns), 65535, dtype=np.uint16)
    for row in range(rows):
        for column in range(columns):
            level = np.int64(ring[row, column]) - 1
            if level < 0:
                continue
            bits, best = mask[row, column], np.uint16(65535)
            for bit in range(8):
                if bits & (1 << bit):
                    r, c = row + ring_rows[level, bit], column + ring_columns[level, bit]
                    if r >= 0 and c >= 0 and r < rows and c < columns and nearest[r, c] < best:
                        best = nearest[r, c]
            spread[row, column] = best
    return spread
