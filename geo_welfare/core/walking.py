"""Walking minutes and metres, converted in one place, at the one walking speed the settings allow.

Every door speaks minutes (``--minutes 15``, the planner's slider, the print map's legend) while
the network and the circles work in metres; converting here, once, keeps a 15-minute walk the
same length in a table, on a map and in a web answer.  The default speed and its allowed range
are the settings table's (:data:`geo_welfare.core.config.WALKING_SPEED`).
"""

from __future__ import annotations

import numpy as np

from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH, WALKING_SPEED_RANGE

__all__ = ["DEFAULT_WALKING_SPEED_KMH", "WALKING_SPEED_RANGE", "is_walking_speed", "walk_metres", "walk_minutes"]


def is_walking_speed(speed_kmh: float) -> bool:
    """Whether ``speed_kmh`` lies in the allowed range (both ends included), for the doors' checks."""
    return WALKING_SPEED_RANGE[0] <= speed_kmh <= WALKING_SPEED_RANGE[1]


def walk_metres(minutes: float | np.ndarray, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> float | np.ndarray:
    """The walk (metres) that takes ``minutes`` at ``speed_kmh`` km/h."""
    return minutes * speed_kmh * 1000.0 / 60.0


def walk_minutes(metres: float | np.ndarray, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> float | np.ndarray:
    """Minutes to walk ``metres`` at ``speed_kmh`` km/h; a speed of zero or less is a ValueError."""
    if speed_kmh <= 0:
        raise ValueError("walking speed must be positive")
    return np.asarray(metres) / (speed_kmh * 1000.0 / 60.0)
