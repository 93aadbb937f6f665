"""Opening the store: SpatiaLite through a driver that can load extensions, or PostGIS.

Many Python builds (pyenv, some macOS installers) ship an ``sqlite3`` that cannot load
extensions, so SpatiaLite is loaded through ``pysqlite3`` whenever the standard module cannot;
a missing ``mod_spatialite`` becomes one message that names the package to install.

SQLite loads an extension with ``RTLD_GLOBAL``: once ``mod_spatialite`` is in, the system's GEOS and
PROJ (Debian's 3.11 and 9.1) come first for every native library loaded after it, and the GDAL that
pyogrio bundles, loaded later, binds to the system's GEOS instead of its own — a street file read
after a store was opened then fails ("WKB output dimension must be 2 or 3") or crashes the process
(double free).  So the bundled libraries are loaded before SpatiaLite ever is (:func:`_geo_libraries_first`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from geo_welfare.core.errors import StoreError
from geo_welfare.core.config import database_url, spatialite_library


def _sqlite_module() -> ModuleType:
    """The DB-API module to use for SpatiaLite: the standard one if it can load extensions."""
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        import pysqlite3.dbapi2 as pysqlite3  # type: ignore[import-not-found]
    except ImportError as error:
        raise StoreError("sqlite_cannot_load_extensions") from error
    return pysqlite3


def _geo_libraries_first() -> None:
    """Load pyogrio's GDAL, pyproj's PROJ and shapely's GEOS into the process before any SpatiaLite.

    Each binds to its own copy while the system's are not yet loaded (see the module's docstring);
    importing them is enough, and costs nothing later, since every command reads geometries anyway.
    """
    import pyogrio  # noqa: F401  (its extension links the bundled GDAL, and through it GEOS and PROJ)
    import pyproj  # noqa: F401
    import shapely  # noqa: F401


def _load_spatialite(dbapi_connection, _connection_record) -> None:
    """Load mod_spatialite on every new connection and switch on foreign keys."""
    _geo_libraries_first()
    dbapi_connection.enable_load_extension(True)
    try:
        dbapi_connection.load_extension(spatialite_library())
    except Exception as error:  # the driver raises its own OperationalError type
        raise StoreError("spatialite_missing") from error
    finally:
        dbapi_connection.enable_load_extension(False)
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


@contextmanager
def transaction(engine: Engine, connection: Connection | None = None) -> Iterator[Connection]:
    """A transaction of its own on ``engine``, or the caller's ``connection`` as it is.

    A folder import writes every layer in one transaction; each import it calls (and everything
    they read on the way, such as the gazetteers a list is placed by) works in it through this.
    """
    if connection is not None:
        yield connection
        return
    with engine.begin() as own:
        yield own


def create_store_engine(url: str | None = None) -> Engine:
    """An engine for the store at ``url`` (see :func:`geo_welfare.core.config.database_url`), schema untouched."""
    resolved = make_url(database_url(url))
    backend = resolved.get_backend_name()
    if backend == "sqlite":
        if resolved.database and resolved.database != ":memory:":
            Path(resolved.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(resolved, module=_sqlite_module())
        event.listen(engine, "connect", _load_spatialite)
        return engine
    if backend == "postgresql":
        if resolved.drivername == "postgresql":
            resolved = resolved.set(drivername="postgresql+psycopg")
        return create_engine(resolved, pool_pre_ping=True)
    raise StoreError("unsupported_database_use_sqlite_spatialite_or", backend=backend)


def open_store(url: str | None = None) -> Engine:
    """An engine for the store with its schema brought to the newest revision (created on first use).

    Engines are kept per resolved URL, so every caller in a process shares one connection pool.
    """
    return _open_resolved(database_url(url))


@lru_cache(maxsize=8)
def _open_resolved(url: str) -> Engine:
    from geo_welfare.store.schema import upgrade

    engine = create_store_engine(url)
    try:
        upgrade(engine)
    except StoreError:
        raise
    except Exception as error:
        if engine.dialect.name == "sqlite" and isinstance(error.__cause__, StoreError):
            raise error.__cause__ from error
        raise StoreError("cannot_open_the_store", value=engine.url.render_as_string(hide_password=True), error=error) from error
    return engine


open_store.cache_clear = _open_resolved.cache_clear  # type: ignore[attr-defined]
