"""Shared fixtures: a fresh store on each backend, and the real open data in ../shared/data.

PostGIS tests run against a real server (``GEO_WELFARE_TEST_POSTGIS_URL``, default the local
PostgreSQL on 127.0.0.1:5432).  Each test gets its own database cloned from a template that
has PostGIS and the migrated schema, so tests cannot see each other's rows.  With ``CI=true``
a missing server is a failure, never a skip.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
DEMO_DATA = REPOSITORY / "data" / "demo"
POSTGIS_URL = os.environ.get("GEO_WELFARE_TEST_POSTGIS_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEMPLATE = f"geo_welfare_template_{os.getpid()}"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; its absence fails the test with a plain message (never a silent pass)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"The real open data is missing: expected {SHARED_DATA} (the shared/ folder beside the "
                    f"repository). Tests that read real data cannot run without it.")
    return SHARED_DATA


def _admin_engine():
    return create_engine(make_url(POSTGIS_URL), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgis_template():
    """A template database with PostGIS and the newest schema, made once per test session."""
    from geo_welfare.store.engine import create_store_engine
    from geo_welfare.store.schema import upgrade

    admin = _admin_engine()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{TEMPLATE}"'))
    except Exception as error:  # the server is not there
        message = f"PostGIS server not reachable at {POSTGIS_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    engine = create_store_engine(make_url(POSTGIS_URL).set(database=TEMPLATE).render_as_string(hide_password=False))
    upgrade(engine)
    engine.dispose()
    yield TEMPLATE
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def fresh_postgis_database(template: str | None):
    """A new PostGIS database cloned from ``template`` (None: an empty one); yields its URL and drops it afterwards."""
    name = f"geo_welfare_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        clause = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    try:
        yield make_url(POSTGIS_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        from geo_welfare.store.engine import open_store
        open_store.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgis_url(postgis_template):
    """The URL of a fresh PostGIS store for one test (dropped afterwards)."""
    with fresh_postgis_database(postgis_template) as url:
        yield url


@pytest.fixture(scope="module", params=["spatialite", pytest.param("postgis", marks=pytest.mark.postgis)])
def module_store_url(request, tmp_path_factory):
    """A store shared by one test module, on each backend in turn (for imports too heavy to repeat)."""
    if request.param == "spatialite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.sqlite'}"
    else:
        with fresh_postgis_database(request.getfixturevalue("postgis_template")) as url:
            yield url


@pytest.fixture
def spatialite_url(tmp_path) -> str:
    """The URL of a fresh SpatiaLite store file for one test."""
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture(params=["spatialite", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request) -> str:
    """A fresh store on each backend in turn: the same test runs on SpatiaLite and on PostGIS."""
    return request.getfixturevalue(f"{request.param}_url")


def run_cli(database_url: str, *arguments: str, lang: str = "en"):
    """Run ``geo-welfare --database URL --lang LANG ARGUMENTS…`` as a user would; returns click's Result."""
    from click.testing import CliRunner

    from geo_welfare.cli import main
    return CliRunner().invoke(main, ["--database", database_url, "--lang", lang, *map(str, arguments)],
                              catch_exceptions=False)


@pytest.fixture
def store(store_url):
    """An opened (migrated) store engine on each backend."""
    from geo_welfare.store.engine import open_store
    return open_store(store_url)


CHROMIUM = os.environ.get("GEO_WELFARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium through Playwright, one per test session (every browser test shares it)."""
    import shutil
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
