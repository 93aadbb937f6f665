"""The web app: the map and a GeoJSON API over the same store the CLI uses.

``create_app()`` is the Flask application factory (production: ``gunicorn 'web:create_app()'``).
The web layer is thin: it reads the store through :mod:`geo_welfare.store.read` and renders.
"""

from __future__ import annotations

from flask import Flask

from geo_welfare import settings
from web.tiles import base_tiles


def create_app(database_url: str | None = None, *, tiles: str | None = None, lang: str | None = None) -> Flask:
    """A configured app; the store URL, base tiles and language resolve like the CLI's settings."""
    app = Flask(__name__)
    app.config.update(
        DATABASE_URL=settings.database_url(database_url),
        BASE_TILES=base_tiles(tiles),
        LANGUAGE=settings.language(lang),
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    from web import api, mapview
    app.register_blueprint(mapview.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api")
    return app
