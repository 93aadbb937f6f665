"""The web app: the map and a GeoJSON API over the same store the CLI uses.

``create_app()`` is the Flask application factory (production: ``gunicorn 'geo_welfare.web:create_app()'``).
The web layer is thin: it reads the store through :mod:`geo_welfare.store.read` and renders.
"""

from __future__ import annotations

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
    street_file = settings.network_file(network)
    app.config.update(
        DATABASE_URL=settings.database_url(database_url),
        BASE_TILES=base_tiles(tiles),
        LANGUAGE=settings.language(lang),
        NETWORK_FILE=str(street_file) if street_file else None,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    # Imported here, as flaskr does, so that importing the package does not import every view.
    from geo_welfare.web import (api, auth, babel, coordinator, coordinator_print, csw, editing, map as map_page, planner,
                                 printmap, profile,
                                 desks, limits, problems, security, streets)
    babel.init_babel(app)  # templates' gettext and the request's language, from the one catalogue
    problems.register(app)  # every GeoWelfareError a view raises → RFC 9457 problem details
    security.register(app)  # CSP with a per-response script nonce, nosniff, no referrer, no framing
    limits.register(app)  # MAX_CONTENT_LENGTH (413), JSON depth and numbers, no control characters: 400, never 500
    app.config.setdefault("MARKER_CLUSTER_FROM", map_page.CLUSTER_FROM)  # markers of one kind before clustering
    app.config.update(auth.session_settings(app.config["DATABASE_URL"]))  # secret key, 8-hour cookie sessions
    blueprints = (
        (map_page, None),  # /: every layer
        (api, "/api"),  # GeoJSON of resources and areas
        (auth, None),  # /login, /logout, /api/session; CSRF on every POST/PUT/PATCH/DELETE
        (editing, "/api"),  # editors' POST/PATCH/DELETE of resources
        (printmap, None),  # /district/<unit>/<code>/map.pdf|png
        (planner, None),  # /planner and its API
        (coordinator, None),  # /coordinator and its API
        (coordinator_print, None),  # POST /coordinator/print: the client's printout with a map
        (csw, None),  # /csw
        (streets, None),  # /api/streets: the walking network as a base layer, by view
        (profile, None),  # /profile/<unit>/<code> and .pdf: the district profile (地区カルテ)
        (desks, None),  # /desks and /desks.pdf: the consultation desk list by field (相談窓口一覧)
    )
    for module, prefix in blueprints:
        app.register_blueprint(module.blueprint, url_prefix=prefix)
    from geo_welfare.web import hazards as hazard_layers  # issue 14: /api/hazards and /api/shelters
    app.register_blueprint(hazard_layers.blueprint, url_prefix="/api")
    from geo_welfare.web import transit as transit_layers  # issue 14: /api/transit-stops and /api/transit-areas
    app.register_blueprint(transit_layers.blueprint, url_prefix="/api")
    from geo_welfare.web.network import start_warm_up
    start_warm_up(app)  # the network and the residents, prepared in the background before the first click
    return app
