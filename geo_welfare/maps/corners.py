"""Choosing the corner of the map frame where a block (legend, scale bar, north arrow) hides least.

A block costs what it covers: each symbol under it far more than any share of the district,
because a hidden symbol is a place a resident cannot find.  Everything is in page points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import shapely

from geo_welfare.maps.labels import Box, intersects

CORNERS = {"upper right": (1, 1), "upper left": (0, 1), "lower left": (0, 0), "lower right": (1, 0)}


@dataclass(frozen=True)
class Crowding:
    """What a block could hide: the symbols' centres and the district's outline (page points), and
    how far a symbol reaches around its centre."""

    anchors: np.ndarray
    outline: shapely.Geometry
    radius: float


def corner_box(corner: str, size: tuple[float, float], frame: Box, pad: float) -> Box:
    """The box of a block of ``size`` in ``corner`` of ``frame``, ``pad`` in from its edges."""
    right, top = CORNERS[corner]
    x0 = frame[2] - pad - size[0] if right else frame[0] + pad
    y0 = frame[3] - pad - size[1] if top else frame[1] + pad
    return (x0, y0, x0 + size[0], y0 + size[1])


def covered_symbols(box: Box, anchors: np.ndarray, radius: float) -> int:
    """How many symbols (centres within ``radius`` of the box) a block in ``box`` hides."""
    if not len(anchors):
        return 0
    return int(np.sum((anchors[:, 0] > box[0] - radius) & (anchors[:, 0] < box[2] + radius) &
                      (anchors[:, 1] > box[1] - radius) & (anchors[:, 1] < box[3] + radius)))


def district_overlap(box: Box, outline_display: shapely.Geometry) -> float:
    """How much of the district (square points) a block in ``box`` covers."""
    return float(outline_display.intersection(shapely.box(*box)).area)


def corner_cost(box: Box, anchors: np.ndarray, outline_display: shapely.Geometry, radius: float,
                frame_area: float = 0.0) -> float:
    """How much a block in ``box`` would hide: symbols first, then the district itself (as a share
    of the block, or of the whole frame when ``frame_area`` is given, so smaller blocks cost less)."""
    covered = 0
    if len(anchors):
        covered = int(np.sum((anchors[:, 0] > box[0] - radius) & (anchors[:, 0] < box[2] + radius) &
                             (anchors[:, 1] > box[1] - radius) & (anchors[:, 1] < box[3] + radius)))
    block = shapely.box(*box)
    return covered * 1000.0 + 100.0 * outline_display.intersection(block).area / max(frame_area or block.area, 1.0)


def best_corner(choices: Sequence[str], size: tuple[float, float], frame: Box, pad: float, crowding: Crowding,
                taken: Sequence[Box] = ()) -> tuple[str, Box]:
    """The corner of ``choices`` that hides least, one clear of ``taken`` first (ties: the earlier choice)."""
    scored = []
    for rank, corner in enumerate(choices):
        box = corner_box(corner, size, frame, pad)
        clash = any(intersects(box, other, pad) for other in taken)
        scored.append((clash, corner_cost(box, crowding.anchors, crowding.outline, crowding.radius), rank, corner, box))
    _, _, _, corner, box = min(scored)
    return corner, box
