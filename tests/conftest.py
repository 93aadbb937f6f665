"""Shared fixtures: a fresh store on each backend, the demo town, the real open data in ../shared/data, Chromium.

PostGIS tests run against a real server (``GEO_WELFARE_TEST_POSTGIS_URL``, default the local
PostgreSQL on 127.0.0.1:5432).  Each test gets its own database cloned from a template that
has PostGIS and the migrated schema, so tests cannot see each other's rows.  With ``CI=true``
a missing server (or a missing Chromium) is a failure, never a skip.

The demo town is imported through the real importers once per session, into a SpatiaLite file
and into a PostGIS template database; a test that asks for it gets its own copy of the file or
its own database cloned from that template, so no test ever sees another's changes.

Plain builders (the command line, networks, the browser page, snapshots) are in ``helpers.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

# The web app's warm-up thread prepares the planner in the background; tests ask their questions in order and
# count what each opens, so it is off unless a test switches it on (tests/test_planner_warm_up.py).
os.environ.setdefault("GEO_WELFARE_WARM_UP", "false")

from helpers import (CHROMIUM, CHROMIUM_ARGS, DEMO_STREETS, IN_CI, POSTGIS_URL, SHARED_DATA, STORE_FILE, admin_engine,  # noqa: E402
                     build_sapporo_city_store, copy_spatialite_store, fresh_postgis_database, import_demo_town_into, postgis_database_url,
                     run_cli, seed_files, snapshot)

TEMPLATE = f"geo_welfare_template_{os.getpid()}"
DEMO_TEMPLATE = f"geo_welfare_demo_template_{os.getpid()}"
#: Every store fixture runs its test once per backend; the PostGIS run is marked (and must run when CI=true).
BACKENDS = ["spatialite", pytest.param("postgis", marks=pytest.mark.postgis)]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; its absence fails the test with a plain message (never a silent pass)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"The real open data is missing: expected {SHARED_DATA} (the shared/ folder beside the "
                    f"repository). Tests that read real data cannot run without it.")
    return SHARED_DATA


# ---------------------------------------------------------------------------------------------
# Empty stores.

@pytest.fixture(scope="session")
def postgis_template():
    """A template database with PostGIS and the newest schema, made once per test session."""
    from geo_welfare.store.engine import create_store_engine
    from geo_welfare.store.schema import upgrade

    admin = admin_engine()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{TEMPLATE}"'))
    except Exception as error:  # the server is not there
        message = f"PostGIS server not reachable at {POSTGIS_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    engine = create_store_engine(postgis_database_url(TEMPLATE))
    upgrade(engine)
    engine.dispose()
    yield TEMPLATE
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgis_url(postgis_template):
    """The URL of a fresh PostGIS store for one test (dropped afterwards)."""
    with fresh_postgis_database(postgis_template) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def module_store_url(request, tmp_path_factory):
    """A store shared by one test module, on each backend in turn (for imports too heavy to repeat)."""
    if request.param == "spatialite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / STORE_FILE}"
    else:
        with fresh_postgis_database(request.getfixturevalue("postgis_template")) as url:
            yield url


@pytest.fixture
def spatialite_url(tmp_path) -> str:
    """The URL of a fresh SpatiaLite store file for one test."""
    return f"sqlite:///{tmp_path / STORE_FILE}"


@pytest.fixture(params=BACKENDS)
def store_url(request) -> str:
    """A fresh store on each backend in turn: the same test runs on SpatiaLite and on PostGIS."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def store(store_url):
    """An opened (migrated) store engine on each backend."""
    from geo_welfare.store.engine import open_store
    return open_store(store_url)


# ---------------------------------------------------------------------------------------------
# The demo town: imported once per session, copied for each test (or module) that uses it.

@pytest.fixture(scope="session")
def demo_spatialite_template(tmp_path_factory) -> Path:
    """A SpatiaLite file holding the demo town, imported once per session; never opened by a test (copy it)."""
    path = tmp_path_factory.mktemp("demo_template") / STORE_FILE
    import_demo_town_into(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session", autouse=True)
def _scratch_working_folder(tmp_path_factory):
    """Every test runs in a scratch folder: what a command writes to the current folder (an import's report of
    refused rows, a map's default file name) lands there, never in the repository."""
    folder = tmp_path_factory.mktemp("working_folder")
    previous = os.getcwd()
    os.chdir(folder)
    yield folder
    os.chdir(previous)


@pytest.fixture(scope="session")
def sapporo_city_template(tmp_path_factory) -> Path:
    """Sapporo's whole city, imported once per session through the CLI; never opened by a test (copy it).

    The 10 wards' small areas, the age table, the elementary districts and the 348 GSI evacuation
    sites as salons, all from ../shared/data as a user imports them.
    """
    path = tmp_path_factory.mktemp("sapporo_city") / STORE_FILE
    build_sapporo_city_store(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def demo_postgis_template(postgis_template):
    """A PostGIS template database holding the demo town, imported once per session."""
    admin = admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DEMO_TEMPLATE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DEMO_TEMPLATE}" TEMPLATE "{postgis_template}"'))
    import_demo_town_into(postgis_database_url(DEMO_TEMPLATE))
    yield DEMO_TEMPLATE
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DEMO_TEMPLATE}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def children_town(request, tmp_path_factory):
    """The demo town with the generated children's places (tests/data/groups/children_places.csv), on each
    backend: a copy of the session's demo store per test module."""
    from helpers import REPOSITORY

    def with_children(url: str) -> str:
        result = run_cli(url, "import", "resources", REPOSITORY / "tests" / "data" / "groups" / "children_places.csv")
        assert result.exit_code == 0, result.output
        return url
    if request.param == "spatialite":
        yield with_children(copy_spatialite_store(request.getfixturevalue("demo_spatialite_template"),
                                                  tmp_path_factory.mktemp("children_town")))
    else:
        with fresh_postgis_database(request.getfixturevalue("demo_postgis_template")) as url:
            yield with_children(url)


@pytest.fixture
def demo_spatialite_url(demo_spatialite_template, tmp_path) -> str:
    """A SpatiaLite store of the demo town for one test alone (a copy of the session's file)."""
    return copy_spatialite_store(demo_spatialite_template, tmp_path / "demo")


@pytest.fixture
def demo_postgis_url(demo_postgis_template):
    """A PostGIS store of the demo town for one test alone (cloned from the session's template, dropped after)."""
    with fresh_postgis_database(demo_postgis_template) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def demo_store(request) -> str:
    """The URL of a demo-town store of the test's own, on each backend in turn (it may change it freely)."""
    return request.getfixturevalue(f"demo_{request.param}_url")


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request, tmp_path_factory):
    """A demo-town store shared by one module's tests, on each backend in turn: for tests that only read it."""
    if request.param == "spatialite":
        template = request.getfixturevalue("demo_spatialite_template")
        yield copy_spatialite_store(template, tmp_path_factory.mktemp("demo"))
    else:
        with fresh_postgis_database(request.getfixturevalue("demo_postgis_template")) as url:
            yield url


@pytest.fixture(scope="module")
def brute(demo):
    """Every resident point's walk to every public salon and 縁側, by the dense all-pairs walk (not the virtual source).

    Public places only: what the planner answers anonymous visitors, and the CLI without ``--include-staff``.
    """
    from geo_welfare.analysis.spread import spread_population
    from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
    from geo_welfare.store import open_store
    from geo_welfare.store.read import read_areas, read_population, read_resources

    engine = open_store(demo)
    network = build_network(read_walkable_lines(DEMO_STREETS))
    resources = read_resources(engine, kinds=["salon", "engawa"]).to_crs(network.crs)
    points = spread_population(read_areas(engine, "small_area"),
                               read_population(engine, "population_by_age").dropna(subset=["area_code"]), network)
    walks = walking_distances(network, snap_points(network, np.column_stack([resources.geometry.x, resources.geometry.y])),
                              snap_points(network, np.column_stack([points.geometry.x, points.geometry.y])))
    return resources, points, walks  # walks: places × points


# ---------------------------------------------------------------------------------------------
# Other shared data.

@pytest.fixture(scope="module")
def nerima(shared_data):
    """Real OpenStreetMap streets of 練馬区 (Tokyo): the walkable lines and their network."""
    from geo_welfare.network import build_network, read_walkable_lines
    lines = read_walkable_lines(shared_data / "tokyo" / "osm_nerima_tokyo.osm")
    return lines, build_network(lines)


@pytest.fixture
def seeded(store_url, tmp_path):
    """A store (each backend) holding a known import in every table, and its full contents."""
    for arguments in seed_files(tmp_path / "seed"):
        result = run_cli(store_url, *arguments)
        assert result.exit_code == 0, result.stderr
    before = snapshot(store_url)
    assert len(before["resource"]) == 1 and len(before["schedule"]) == 1
    assert len(before["area_unit"]) == 2 and len(before["population_count"]) == 2
    assert len(before["candidate_site"]) == 1
    return store_url, before


# ---------------------------------------------------------------------------------------------
# The browser.

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
