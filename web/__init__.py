"""The web app: the map and a GeoJSON API over the same store the CLI uses.

``create_app()`` is the Flask application factory (production: ``gunicorn 'geo_welfare.web:create_app()'``).
The web layer is thin: it reads the store through :mod:`geo_welfare.store.read` and renders.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from geo_welfare.core import config as settings
from geo_welfare.web.tiles import base_tiles


def create_app(database_url: str | None = None, *, tiles: str | None = None, lang: str | None = None,
               network: str | Path | None = None) -> Flask:
    """A configured app; the store URL, base tiles and language resolve like the CLI's settings.

    ``database_url``: argument, else ``GEO_WELFARE_DATABASE_URL``, else ``./geo_welfare.sqlite``.
    ``tiles``: ``gsi`` (default), ``osm``, ``none`` or a ``{z}/{x}/{y}`` URL template, else
    ``GEO_WELFARE_TILES``; an unknown value raises ValueError here, before anything is served.
    ``lang``: ``ja`` (default) or ``en``, else ``GEO_WELFARE_LANG``; a request's ``?lang=`` wins.
    ``network``: the street file for walking distances, else ``GEO_WELFARE_NETWORK``; without one
    the analyses use straight lines and say so.
    """
    app = Flask(__name__)
    app.config.update(
        DATABASE_URL=settings.database_url(database_url),
        BASE_TILES=base_tiles(tiles),
        LANGUAGE=settings.language(lang),
        NETWORK_FILE=str(network or os.environ.get(settings.NETWORK_ENV) or "") or None,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    from geo_welfare.web import api, map as map_page
    app.config.setdefault("MARKER_CLUSTER_FROM", map_page.CLUSTER_FROM)  # markers of one kind before clustering
    app.register_blueprint(map_page.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api")
    from geo_welfare.web import auth, editing
    app.config.update(auth.session_settings(app.config["DATABASE_URL"]))  # secret key, 8-hour cookie sessions
    app.register_blueprint(auth.blueprint)  # /login, /logout, /api/session; CSRF on every POST/PUT/PATCH/DELETE
    app.register_blueprint(editing.blueprint, url_prefix="/api")  # editors' POST/PATCH/DELETE of resources
    app.register_blueprint(__import__("geo_welfare.web.printmap", fromlist=["blueprint"]).blueprint)  # /district/…/map.pdf
    from geo_welfare.web import csw, planner
    app.register_blueprint(planner.blueprint)
    app.register_blueprint(__import__("geo_welfare.web.coordinator", fromlist=["blueprint"]).blueprint)  # /coordinator
    app.register_blueprint(csw.blueprint)
    return app
