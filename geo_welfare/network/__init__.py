"""The walking network: streets as a graph in metres, points snapped onto it, distances over it.

Built from OpenStreetMap files or a municipality's own road centre lines (``sources``), noded at
every crossing (``graph``), with points placed on the nearest street (``snap``) and exact
walking distances between them (``distance``).  Walking speeds and minutes live in ``distance``.
"""

from geo_welfare.network.distance import walking_distances, walking_minutes
from geo_welfare.network.graph import WalkingNetwork, build_network
from geo_welfare.network.snap import Snapped, snap_points
from geo_welfare.network.sources import read_walkable_lines

__all__ = ["WalkingNetwork", "build_network", "read_walkable_lines", "snap_points", "Snapped",
           "walking_distances", "walking_minutes"]
