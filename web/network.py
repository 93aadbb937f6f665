"""The app's street network, loaded once per process (built networks are also cached on disk), and warmed up at start.

A request must not rebuild a city's network: the first request that needs walking distances
loads it through :func:`geo_welfare.network.cache.load_network` (the CLI's way too, which reuses
the on-disk cache beside the store), and later requests reuse it from memory.

A whole city's first 計算する used to pay for everything that does not depend on the question:
loading the network, building its derived structures (the edge tree, the street points, the
index of the walking areas), loading the compiled loops, spreading 1.9 million residents along the
streets and placing them on it (together several seconds), and the walking grid of each place,
which depends on where the place stands, not on the question.  :func:`start_warm_up` does that in a
background thread as the app starts (the places' grids for the page's default kinds), so the first
question pays for what depends on its choice of places: the walk to the nearest one, the land they
reach together and the gaps.  A request arriving meanwhile waits for the residents rather than
spreading them twice (the network behind one lock, the residents behind the planner cache's).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

import numpy as np
from flask import Flask, current_app

from geo_welfare.core import config as settings
from geo_welfare.network.cache import load_network
from geo_welfare.network.graph import WalkingNetwork

_lock = threading.Lock()
_log = logging.getLogger(__name__)
#: ``GEO_WELFARE_WARM_UP=0`` leaves everything to the first request (as before the warm-up).
WARM_UP_VARIABLE = settings.WARM_UP.environment


@lru_cache(maxsize=4)
def _load(path: str, database_url: str) -> WalkingNetwork:
    network, _ = load_network(path, settings.cache_directory(database_url))
    network.adjacency  # built now, not in the first query
    return network


def app_network() -> WalkingNetwork | None:
    """The configured network, or None (straight lines) when the app has no street file."""
    path = current_app.config.get("NETWORK_FILE")
    if not path:
        return None
    with _lock:
        return _load(str(path), current_app.config["DATABASE_URL"])


def _prepare_network(network: WalkingNetwork) -> None:
    """Build what every walking answer derives from the streets alone, and load the compiled loops."""
    from geo_welfare.analysis.street_cells import street_cells
    from geo_welfare.analysis.walk_areas import combined_grid, resource_grids
    from geo_welfare.network.snap import edge_tree, snap_points
    edge_tree(network)
    network.street_points  # noqa: B018 - a cached property: built now
    # One place's small walking areas, alone and as "all places": builds the walking areas' edge index and
    # the cells each home walks out to (kept by the network: 0.3 s for Sapporo), and loads the searches'
    # and the grids' machine code from numba's cache.
    one = snap_points(network, np.asarray(network.node_xy[:1], dtype=float))
    resource_grids(network, one, 100.0)
    combined_grid(network, one, 100.0).land(50.0)
    street_cells(network).fill_all()


def _prepare_residents(app: Flask) -> None:
    """The residents of the store's current revision, spread and placed, and the page's places' own grids.

    The residents are kept under the key the planner's studies look them up by (the store's URL and
    revision, the network, the default dataset, the whole store), for the public and for editors
    alike.  The public places of the page's default kinds get their own walking grids, kept by the
    network per place (:func:`~geo_welfare.analysis.walk_areas.kept_resource_grids`), for 20 minutes.
    """
    from geo_welfare.analysis.study import GRID_METRES_AT_LEAST, open_study
    from geo_welfare.analysis.walk_areas import kept_resource_grids
    from geo_welfare.web import planner
    with app.test_request_context("/planner"):  # anonymous, no parameters: the page's first question
        if planner._cache().residents.limit == 0:
            return  # nothing is kept (GEO_WELFARE_RESULTS_CACHE_MB=0): every request spreads its own
        asked = planner._asked()
        key, opened = asked.key, []

        def make():
            opened.append(open_study(asked.engine, asked.network, kinds=list(asked.kinds), dataset=asked.dataset,
                                     within=asked.within))
            return opened[-1]
        planner._cache().prepare_residents(key[:3] + key[5:], make)
        if opened and len(opened[0].resources):
            kept_resource_grids(asked.network, opened[0].snapped(opened[0].resources), GRID_METRES_AT_LEAST)


def _prepare_nearest(app: Flask) -> None:
    """The public places snapped to the streets, kept for the store's revision, and one search asked from a door."""
    from geo_welfare.web.coordinator import warm_nearest
    with app.test_request_context("/coordinator"):
        warm_nearest()


def warm_up(app: Flask) -> None:
    """Load the app's network and prepare what every planner question shares (see the module's docstring).

    Errors are logged, never raised: the first request then does the same work and reports any problem.
    """
    try:
        with app.app_context():
            network = app_network()
            if network is None:
                return
        _prepare_nearest(app)  # the coordinator's first search: places snapped, searches compiled (~0.4 s)
        _prepare_residents(app)  # the largest part, and the planner's first request waits for it
        _prepare_network(network)
    except Exception:  # noqa: BLE001 - a warm-up must never stop the server; the request reports it
        _log.warning("warm-up of the planner failed; the first request will do the work", exc_info=True)


def start_warm_up(app: Flask) -> threading.Thread | None:
    """Start :func:`warm_up` in a daemon thread when the app has a street file (and it is not switched off).

    The thread is kept in ``app.extensions["geo_welfare_warm_up"]`` (``join()`` it to wait).
    """
    if not app.config.get("NETWORK_FILE") or not settings.warm_up():
        return None
    thread = threading.Thread(target=warm_up, args=(app,), name="geo-welfare-warm-up", daemon=True)
    app.extensions["geo_welfare_warm_up"] = thread
    thread.start()
    return thread
