"""The app's street network, loaded once per process (built networks are also cached on disk).

A request must not rebuild a city's network: the first request that needs walking distances
loads it through :func:`geo_welfare.network.cache.load_network` (the CLI's way too, which reuses
the on-disk cache beside the store), and later requests reuse it from memory.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from flask import current_app

from geo_welfare.core import config as settings
from geo_welfare.network.cache import load_network
from geo_welfare.network.graph import WalkingNetwork

_lock = threading.Lock()


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
