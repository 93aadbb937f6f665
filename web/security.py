"""Security headers on every response, and the per-response nonce of the pages' inline scripts.

Every answer of the app (pages, the API, static files, errors) carries:

- ``Content-Security-Policy``: everything from this app alone (``default-src 'self'``); scripts
  from this app's files or an inline ``<script>`` carrying this response's nonce (folium writes the
  map's code inline; templates write ``nonce="{{ csp_nonce() }}"``), never ``'unsafe-inline'``, so
  markup smuggled into a stored name cannot run even where an escape were missed; images from this
  app, ``data:`` URIs and the base tiles' server (the page's own choice, see :func:`use_tiles`);
  no plugins, no ``<base>`` elsewhere, no framing, forms posted here only.  Styles may be inline
  (folium and Leaflet position the map with ``style`` attributes).
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` and, for browsers that
  predate ``frame-ancestors``, ``X-Frame-Options: DENY``.

Pages that build their own HTML outside Jinja (the map's folium parts) take the nonce from
:func:`csp_nonce`.  Data a script needs travels in ``<script type="application/json">`` blocks,
which are not run and so need no nonce.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g

from geo_welfare.core import config as settings

#: What a tile server's origin may look like in the policy (scheme, host or ``*.`` wildcard, port).
_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:\d+)?$|^https?://\[[0-9A-Fa-f:.]+\](:\d+)?$")
_UNSET = object()

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def csp_nonce() -> str:
    """This response's script nonce (made on first use; a new one for every request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def tile_origin(url: str | None) -> str | None:
    """The origin a ``{z}/{x}/{y}`` tile URL template loads from, as a CSP source; None for this app's own.

    A ``{s}`` (or any other placeholder) in the host becomes the leftmost ``*.`` wildcard; an
    origin that cannot be written safely into the header is left out (its tiles are then refused).
    """
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.netloc:
        return None  # a path on this app: 'self'
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc.rsplit("@", 1)[-1])
    origin = f"{parts.scheme.lower()}://{host}"
    return origin if _ORIGIN.match(origin) else "'none'"


def use_tiles(tiles) -> None:
    """Let this response's page load images from ``tiles`` (a :class:`~geo_welfare.web.tiles.BaseTiles`) or none."""
    g.csp_tiles = tiles


def content_security_policy(nonce: str, tiles) -> str:
    """The policy text for a response whose inline scripts carry ``nonce`` and whose page draws ``tiles``."""
    images = ["'self'", "data:"]
    origin = tile_origin(tiles.url) if tiles is not None else None
    if origin and origin != "'none'":
        images.append(origin)
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {' '.join(images)}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


def _headers(response):
    tiles = g.get("csp_tiles", _UNSET)
    if tiles is _UNSET:
        tiles = current_app.config.get("BASE_TILES")
    response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce(), tiles)
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response


def register(app: Flask) -> None:
    """Headers on every response, ``csp_nonce()`` in templates, and the coordinator's tile setting resolved."""
    app.config.setdefault("COORDINATOR_TILES", settings.coordinator_tiles())  # an unknown value: ValueError now
    app.after_request(_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce})
