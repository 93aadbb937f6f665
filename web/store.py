"""The one way a view reaches the store: :func:`get_engine` (as Flask's tutorial has ``get_db()``), and what
is kept of it between requests: :func:`per_revision`.

The app's store URL is resolved once, by :func:`geo_welfare.web.create_app`; every view asks
here rather than building an engine from the config itself, so a change to how the web opens
the store (a test's store, pooling) is made in one place.  :func:`geo_welfare.store.open_store`
keeps one engine per URL (and with it SQLAlchemy's pool of connections, shared by a worker's
threads), so asking on every request costs nothing.  This module imports no other part of the
web app, so any of them may import it without a circle.

Many visitors ask the same things of a store that rarely changes (the places, the areas, the
map page): :func:`per_revision` keeps each answer, once built, for as long as the store's
contents are those it was built from (:func:`geo_welfare.store.read.store_revision`, read once
per request, before any data), and builds it once however many threads ask for it at once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, g
from sqlalchemy import Engine

from geo_welfare.store import open_store
from geo_welfare.store.read import store_revision

T = TypeVar("T")

#: Answers kept per store (each a page, a layer's shapes or a JSON body): the oldest go first.
KEPT_PER_STORE = 256


def get_engine() -> Engine:
    """The engine of the current app's store (migrated to the newest schema on first use)."""
    return open_store(current_app.config["DATABASE_URL"])


def _file_stamp(engine: Engine) -> tuple | None:
    """A SpatiaLite store's file times and sizes (and its write-ahead log's): they change with every commit.

    None for PostGIS (no file to look at) or a store in memory.
    """
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        return None
    stamp = []
    for path in (database, database + "-wal"):
        try:
            found = os.stat(path)
        except OSError:
            stamp.append(None)
            continue
        stamp.append((found.st_mtime_ns, found.st_size, found.st_ino))
    return tuple(stamp)


_stamps: dict[str, tuple[tuple, str]] = {}


def revision() -> str:
    """The store's revision as this request found it (asked once per request, before its data).

    :func:`~geo_welfare.store.read.store_revision` is one query of the counts of every table an analysis reads (~10 ms on a city's
    SpatiaLite file); a file that no commit has touched since (same times and sizes, looked at first)
    keeps the revision found last, so that most requests ask nothing of the store at all.
    """
    if "store_revision" not in g:
        engine = get_engine()
        url, stamp = current_app.config["DATABASE_URL"], _file_stamp(engine)
        last = _stamps.get(url)
        if stamp is not None and last is not None and last[0] == stamp:
            g.store_revision = last[1]
        else:
            g.store_revision = store_revision(engine)
            if stamp is not None:
                _stamps[url] = (stamp, g.store_revision)
    return g.store_revision


class _Kept:
    """One store's answers, all of one revision, and a lock per answer being built."""

    def __init__(self, revision: str):
        self.revision = revision
        self.answers: OrderedDict[Hashable, object] = OrderedDict()
        self.building: dict[Hashable, threading.Lock] = {}


_stores: dict[str, _Kept] = {}
_lock = threading.Lock()


def per_revision(key: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s answer for ``key``, kept while the store holds what it was built from.

    The revision is read before ``build`` reads anything, so an answer is only ever kept under a
    revision as old as its data or older, never under a newer one that would outlive a change.
    Threads asking for the same missing answer wait for the one building it; when the store has
    changed, every answer of the older revision is dropped.  ``key`` must name everything the
    answer depends on besides the store (language, signed-in role, parameters).

    Parameters
    ----------
    key : hashable
        What is asked, e.g. ``("resources", kinds, include_staff_only, lang)``.
    build : callable
        Makes the answer from the store; called at most once per key and revision in a process.

    Returns
    -------
    object
        The kept (or newly built) answer; shared between requests, so never changed by a caller.
    """
    url, now = current_app.config["DATABASE_URL"], revision()
    with _lock:
        kept = _stores.get(url)
        if kept is None or kept.revision != now:
            kept = _stores[url] = _Kept(now)
        if key in kept.answers:
            kept.answers.move_to_end(key)
            return kept.answers[key]  # type: ignore[return-value]
        building = kept.building.setdefault(key, threading.Lock())
    with building:
        with _lock:
            if key in kept.answers:
                return kept.answers[key]  # type: ignore[return-value]
        answer = build()
        with _lock:
            kept.answers[key] = answer
            kept.building.pop(key, None)
            while len(kept.answers) > KEPT_PER_STORE:
                kept.answers.popitem(last=False)
    return answer
