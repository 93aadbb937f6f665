"""The one way a view reaches the store: :func:`get_engine` (as Flask's tutorial has ``get_db()``).

The app's store URL is resolved once, by :func:`geo_welfare.web.create_app`; every view asks
here rather than building an engine from the config itself, so a change to how the web opens
the store (a test's store, pooling) is made in one place.  :func:`geo_welfare.store.open_store`
keeps one engine per URL, so asking on every request costs nothing.  This module imports no
other part of the web app, so any of them may import it without a circle.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Engine

from geo_welfare.store import open_store


def get_engine() -> Engine:
    """The engine of the current app's store (migrated to the newest schema on first use)."""
    return open_store(current_app.config["DATABASE_URL"])
