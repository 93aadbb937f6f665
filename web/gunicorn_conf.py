"""gunicorn settings for the production command, sized for the machine it runs on.

``gunicorn -c python:geo_welfare.web.gunicorn_conf 'geo_welfare.web:create_app()'`` (any setting can
still be given on the command line, e.g. ``-b 0.0.0.0:8000``; the app's own settings come from the
environment as for ``geo-welfare serve``).

Why these numbers:

- **Processes = cores + 1, threads = 8 each (``gthread``).**  A request's work is Python (the GIL),
  so only processes use more than one core; one more than the cores keeps them busy while one
  waits on the store.  Threads let each process hold many keep-alive clients and overlap the
  store's and the network's waits; answers kept per store revision
  (:func:`geo_welfare.web.store.per_revision`) make most requests a few milliseconds, so 8 threads
  per process hold 50 clients without a queue at the socket.  More processes would not add cores,
  only memory (each holds the street network and the kept answers).
- **The app is loaded once, before the workers are forked (``preload_app``)**, and warmed there:
  the street network, the map page, the places and the areas are built in the master, so every
  worker starts with them in memory it shares with the others (copy-on-write) instead of each
  building them again under the first visitors.  The app's warm-up thread is waited for, and the
  master's store connections are closed, before the fork (neither a thread's held lock nor a
  connection must cross into another process).
"""

from __future__ import annotations

import os

#: Where it listens by default: this machine only (put a reverse proxy in front for others).
bind = "127.0.0.1:8000"
workers = (os.cpu_count() or 1) + 1
worker_class = "gthread"
threads = 8
preload_app = True
#: Seconds a kept-alive connection waits for its next request (browsers reuse theirs within a page).
keepalive = 5
#: A planner's first question of a whole city takes seconds; nothing should take two minutes.
timeout = 120
graceful_timeout = 30

#: What the master asks before forking (anonymous visitor's answers; what editors see is built on demand).
WARM_PATHS = ("/", "/api/resources", "/api/session")


def warm(app) -> None:
    """Build what every worker needs in the master: the network and the anonymous map page's answers.

    The page's area layers are simplified for every zoom from the first to the finest distinct one
    (a second or two each for a city's small areas), so that no visitor waits for one.

    Parameters
    ----------
    app : flask.Flask
        The app ``create_app()`` made (gunicorn's preloaded application).
    """
    import json
    import re

    from geo_welfare.web.coordinator import warm_nearest
    from geo_welfare.web.network import app_network
    from geo_welfare.web.store import get_engine
    with app.app_context():
        app_network()
        warm_nearest()  # the places snapped and the searches compiled, for the coordinator's /api/nearest
        client = app.test_client()
        for path in WARM_PATHS:
            client.get(path)
        page = client.get("/").get_data(as_text=True)
        block = re.search(r'<script type="application/json" id="gw-map-config">(.*?)</script>', page, re.S)
        areas = json.loads(block[1])["areas"] if block else None
        if areas and areas["zoom"] is not None:
            for zoom in range(areas["zoom"], areas["finest"] + 1):
                for layer in areas["layers"]:
                    client.get(f"{layer['url']}&zoom={zoom}&bbox=-180,-90,180,90")
        # The app's own warm-up thread (the residents, the street cells) ends here too: a thread does not
        # cross a fork, and a lock it held then (the residents being spread) would stay held in every
        # worker, whose first planner question would wait on it for good; its connections must close too.
        warming = app.extensions.get("geo_welfare_warm_up")
        if warming is not None:
            warming.join()
        get_engine().dispose()  # no store connection crosses the fork


def when_ready(server) -> None:
    """gunicorn's hook in the master, after the app is loaded and before the workers are forked."""
    warm(server.app.wsgi())
