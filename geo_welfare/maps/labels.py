"""Placing the number labels of the symbols so that none overlaps another, the legend or the frame.

A label sits next to its symbol when there is room; otherwise it moves outwards in rings, tried
in every direction, and is drawn with a short leader line back to its symbol.  Crowded symbols are
placed first, while there is still room around them.  A candidate is taken only when its box is
inside the map frame and clear of every label already placed and every obstacle (legend, scale
bar, north arrow, names); the first pass also keeps labels off other symbols, the second allows
that when nothing else is free.  Everything is in page points, so the result can be checked
without drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

Box = tuple[float, float, float, float]

#: Directions tried on each ring (degrees, 0 = right), the usual cartographic preference first:
#: upper right, right, lower right, above, below, upper left, left, lower left.
DIRECTIONS = (45, 0, -45, 90, -90, 135, 180, -135)
#: Extra directions on the outer rings, between the eight above.
BETWEEN = (22.5, -22.5, 67.5, -67.5, 112.5, -112.5, 157.5, -157.5)
#: How far out labels may move, in rings of one label height each.
RINGS = 14


@dataclass(frozen=True)
class Placement:
    """Where one label went: its box, its symbol's centre, and whether a leader line is drawn."""

    box: Box
    anchor: tuple[float, float]
    leader: bool
    clear: bool = True  # False: no free place was found and the label overlaps something


def intersects(a: Box, b: Box, gap: float = 0.0) -> bool:
    """True when the boxes overlap or come closer than ``gap``."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _hits(box: Box, boxes: np.ndarray, gap: float) -> bool:
    if not len(boxes):
        return False
    return bool(np.any((box[0] < boxes[:, 2] + gap) & (boxes[:, 0] < box[2] + gap) &
                       (box[1] < boxes[:, 3] + gap) & (boxes[:, 1] < box[3] + gap)))


def _inside(box: Box, bounds: Box) -> bool:
    return box[0] >= bounds[0] and box[1] >= bounds[1] and box[2] <= bounds[2] and box[3] <= bounds[3]


def candidates(anchor: tuple[float, float], size: tuple[float, float], radius: float, step: float,
               rings: int = RINGS):
    """Label boxes around ``anchor``, nearest first: (box, ring) pairs."""
    x, y = anchor
    w, h = size
    for ring in range(rings):
        reach = radius + ring * step
        for angle in DIRECTIONS + (BETWEEN if ring else ()):
            c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            cx = x + c * reach + (w / 2) * (1 if c > 1e-9 else -1 if c < -1e-9 else 0)
            cy = y + s * reach + (h / 2) * (1 if s > 1e-9 else -1 if s < -1e-9 else 0)
            yield (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), ring


def _crowding(anchors: np.ndarray, distance: float) -> np.ndarray:
    if not len(anchors):
        return np.zeros(0, dtype=int)
    d = np.hypot(anchors[:, None, 0] - anchors[None, :, 0], anchors[:, None, 1] - anchors[None, :, 1])
    return (d < distance).sum(axis=1) - 1


def resource_labels(anchors: Sequence[tuple[float, float]], sizes: Sequence[tuple[float, float]], *,
                 bounds: Box, obstacles: Sequence[Box] = (), symbol_radius: float = 4.0,
                 gap: float = 1.0) -> list[Placement]:
    """A placement for each label (in the order given).

    ``anchors`` are symbol centres and ``sizes`` label (width, height), in page points; ``bounds``
    is the map frame; ``obstacles`` are boxes no label may touch.  Labels keep ``gap`` points from
    each other and from obstacles.
    """
    points = np.asarray(anchors, dtype=float).reshape(-1, 2)
    symbols = np.column_stack([points - symbol_radius, points + symbol_radius]) if len(points) else np.zeros((0, 4))
    fixed = np.asarray(list(obstacles), dtype=float).reshape(-1, 4)
    placed = np.zeros((0, 4))
    result: dict[int, Placement] = {}
    step = max((h for _, h in sizes), default=8.0) * 0.9
    crowding = _crowding(points, 4 * step)
    order = sorted(range(len(points)), key=lambda i: (-crowding[i], i))
    for index in order:
        anchor = (float(points[index, 0]), float(points[index, 1]))
        others = np.delete(symbols, index, axis=0)
        chosen = None
        for avoid_symbols in (True, False):
            for box, ring in candidates(anchor, sizes[index], symbol_radius + gap, step):
                if not _inside(box, bounds) or _hits(box, placed, gap) or _hits(box, fixed, gap):
                    continue
                if avoid_symbols and _hits(box, others, 0.0):
                    continue
                chosen = Placement(box, anchor, leader=ring > 0)
                break
            if chosen:
                break
        if chosen is None:  # nowhere free: keep it beside its symbol, flagged
            box = next(candidates(anchor, sizes[index], symbol_radius + gap, step))[0]
            chosen = Placement(box, anchor, leader=False, clear=False)
        result[index] = chosen
        placed = np.vstack([placed, chosen.box])
    return [result[i] for i in range(len(points))]
