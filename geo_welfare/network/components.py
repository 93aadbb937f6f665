"""Connected pieces of the street network, and which points were snapped onto a small island.

A network read from a file is rarely one piece: a footpath in a park whose join the map misses, a
private estate road, an extract cut at its edge.  A salon snapped onto such an island can be
reached from nowhere, and would silently vanish from every walking answer.  This module names the
pieces and the points on small ones so the user can fix the data (or move the point) instead.
Real islands with streets of their own (高松's 男木島, 女木島) are large enough not to count as small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import Snapped

#: A piece with less street than this (metres, all its edges together) is a small island.
SMALL_ISLAND_METRES = 2000.0


def components(network: WalkingNetwork, small_metres: float = SMALL_ISLAND_METRES) -> pd.DataFrame:
    """The connected pieces of the network, so that islands a point could be stranded on can be named.

    Parameters
    ----------
    network : WalkingNetwork
        The streets.
    small_metres : float, default 2000
        A piece with less street than this (metres, all its edges together) is small.

    Returns
    -------
    pandas.DataFrame
        One row per piece, largest (most nodes) first, with columns ``component`` (the label of
        :attr:`WalkingNetwork.component_labels`), ``nodes``, ``edges``, ``metres`` (street
        length) and ``small`` (bool).
    """
    labels = network.component_labels
    count = labels.max() + 1 if len(labels) else 0
    edge_component = labels[network.edge_u]
    metres = np.bincount(edge_component, weights=network.edge_length, minlength=count)
    return pd.DataFrame({"component": np.arange(count), "nodes": np.bincount(labels, minlength=count),
                         "edges": np.bincount(edge_component, minlength=count), "metres": metres,
                         "small": metres < small_metres})


def on_small_islands(network: WalkingNetwork, snapped: Snapped, small_metres: float = SMALL_ISLAND_METRES
                     ) -> np.ndarray:
    """For each snapped point, whether its street belongs to a small island.

    Such a point can be reached from almost nowhere and would silently drop out of every walking
    answer; listing them lets the user fix the data or move the point.

    Parameters
    ----------
    network : WalkingNetwork
        The streets the points were snapped to.
    snapped : Snapped
        The points (from :func:`~geo_welfare.network.snap.snap_points`).
    small_metres : float, default 2000
        Street length (metres) below which a piece counts as small, as in :func:`components`.

    Returns
    -------
    numpy.ndarray
        Boolean, shape (n_points,).
    """
    small = components(network, small_metres)["small"].to_numpy()
    return small[network.component_labels[network.edge_u[snapped.edge]]]
