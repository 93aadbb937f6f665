"""Builders shared by the test modules (fixtures live in ``conftest.py``; no test module imports another).

Plain constants, functions and classes only: the paths of the repository's data, the PostGIS
server and how to clone a database on it, the command line as a user runs it, hand-made street
networks and a second method to walk them, the browser's watched page and a live server, print
maps read back as text, and the small files and store snapshots of the bad-input tests.

Product modules are imported inside the functions that use them, so that collecting the tests
(and importing this module from ``conftest.py``) never depends on more of the product than a test needs.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import threading
import uuid
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np
import shapely

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
DEMO_DATA = REPOSITORY / "data" / "demo"
#: The demo town's street network.
DEMO_STREETS = DEMO_DATA / "streets.geojson"
#: Screenshots and print maps the tests leave for a person to look at.
ARTIFACTS = REPOSITORY / "test-artifacts"
#: The demo town's generator: a script beside the product, never imported by it.
DEMO_GENERATOR = REPOSITORY / "scripts" / "demo_town.py"


@lru_cache(maxsize=1)
def demo_town_generator() -> ModuleType:
    """``scripts/demo_town.py`` loaded as a module (it is not part of the installed package)."""
    spec = importlib.util.spec_from_file_location("demo_town", DEMO_GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------
# The command line.

def run_cli(database_url: str, *arguments: str, lang: str = "en"):
    """Run ``geo-welfare --database URL --lang LANG ARGUMENTS…`` as a user would; returns click's Result."""
    from click.testing import CliRunner

    from geo_welfare.cli import main
    return CliRunner().invoke(main, ["--database", database_url, "--lang", lang, *map(str, arguments)],
                              catch_exceptions=False)


# ---------------------------------------------------------------------------------------------
# Stores: PostGIS databases cloned from a template, SpatiaLite files copied from one.

POSTGIS_URL = os.environ.get("GEO_WELFARE_TEST_POSTGIS_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: A SpatiaLite store's file name, and the folder beside it where built networks are cached.
STORE_FILE = "store.sqlite"
CACHE_FOLDER = "geo_welfare_cache"


def admin_engine():
    """An AUTOCOMMIT engine on the server's maintenance database (CREATE and DROP DATABASE)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    return create_engine(make_url(POSTGIS_URL), isolation_level="AUTOCOMMIT")


def postgis_database_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    from sqlalchemy.engine import make_url
    return make_url(POSTGIS_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_postgis_database(template: str | None):
    """A new PostGIS database cloned from ``template`` (None: an empty one); yields its URL and drops it afterwards."""
    from sqlalchemy import text
    name = f"geo_welfare_test_{uuid.uuid4().hex[:12]}"
    admin = admin_engine()
    with admin.connect() as connection:
        clause = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    try:
        yield postgis_database_url(name)
    finally:
        from geo_welfare.store.engine import open_store
        open_store.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def import_demo_town_into(url: str) -> None:
    """Bring the store at ``url`` to the newest schema and import the demo town through the real importers.

    A private engine, closed afterwards: the store is left with no open connection, so that it can
    serve as a template (PostGIS copies a database only when no one is connected to it).
    """
    from geo_welfare.store.demo import import_demo_town
    from geo_welfare.store.engine import create_store_engine
    from geo_welfare.store.schema import upgrade
    engine = create_store_engine(url)
    try:
        upgrade(engine)
        import_demo_town(engine)
    finally:
        engine.dispose()


def copy_spatialite_store(template: Path, folder: Path) -> str:
    """Copy the SpatiaLite store file ``template`` (and its network cache, if any) into ``folder``; its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, folder / STORE_FILE)
    cache = template.parent / CACHE_FOLDER
    if cache.is_dir():
        shutil.copytree(cache, folder / CACHE_FOLDER)
    return f"sqlite:///{folder / STORE_FILE}"


def build_sapporo_city_store(url: str) -> None:
    """Sapporo's whole city into the empty store at ``url``, through the CLI as a user imports it.

    The 10 wards' 5,781 small areas, the age table by 町丁目, the 202 elementary districts and the
    348 GSI evacuation sites as salons (stand-in places: the city publishes no salon list).
    """
    sapporo = SHARED_DATA / "sapporo"
    steps = [("init",),
             ("import", "areas", *sorted((sapporo / "smallarea").glob("*.geojson")), "--unit", "small-area"),
             ("import", "population", sapporo / "sapporo_jounen202010_age5_by_chome.csv"),
             ("import", "areas", sapporo / "school" / "papamama_Elementary.geojson", "--unit", "elementary-district"),
             ("import", "resources", sapporo / "gsi_emergency_evacuation_sites_011002.geojson", "--kind", "salon")]
    for step in steps:
        result = run_cli(url, *step)
        if result.exit_code != 0:
            raise RuntimeError(f"building the Sapporo store: {step[:2]} failed: {result.stderr}")


# ---------------------------------------------------------------------------------------------
# Hand-made street networks in metres, and networkx as a second way to walk them.

METRIC = "EPSG:6677"
X0, Y0 = -40000.0, -80000.0  # somewhere in zone IX (Sagami Bay), in metres


def network_of(*lines):
    """A network of straight streets, each a list of (x, y) corners in metres from (X0, Y0)."""
    import geopandas as gpd
    from shapely.geometry import LineString

    from geo_welfare.network import build_network
    frame = gpd.GeoDataFrame(geometry=[LineString([(X0 + x, Y0 + y) for x, y in line]) for line in lines], crs=METRIC)
    return build_network(frame, crs=METRIC)


def at(*points):
    """Points given in metres from (X0, Y0), as the array ``snap_points`` takes."""
    return np.array([(X0 + x, Y0 + y) for x, y in points])


def networkx_distances(network, origins_xy, destinations_xy):
    """A second method: split each edge at the snapped points and run networkx's Dijkstra."""
    import networkx as nx

    from geo_welfare.network import snap_points
    points = np.vstack([origins_xy, destinations_xy])
    snapped = snap_points(network, points)
    graph = nx.Graph()

    def connect(a, b, length):
        if not graph.has_edge(a, b) or graph[a][b]["length"] > length:
            graph.add_edge(a, b, length=length)

    by_edge: dict[int, list[tuple[float, int]]] = {}
    for index, (edge, along) in enumerate(zip(snapped.edge, snapped.along)):
        by_edge.setdefault(int(edge), []).append((float(along), index))
    for edge in range(network.edge_count):
        u, v, length = int(network.edge_u[edge]), int(network.edge_v[edge]), float(network.edge_length[edge])
        chain = [(0.0, ("node", u))] + [(a, ("on", i)) for a, i in sorted(by_edge.get(edge, []))] + \
                [(length, ("node", v))]
        for (a0, n0), (a1, n1) in zip(chain, chain[1:]):
            connect(n0, n1, a1 - a0)
    for index, offset in enumerate(snapped.offset):
        connect(("point", index), ("on", index), float(offset))
    result = np.full((len(origins_xy), len(destinations_xy)), np.inf)
    for i in range(len(origins_xy)):
        lengths = nx.single_source_dijkstra_path_length(graph, ("point", i), weight="length")
        for j in range(len(destinations_xy)):
            result[i, j] = lengths.get(("point", len(origins_xy) + j), np.inf)
    return result


# ---------------------------------------------------------------------------------------------
# The browser and a live server.

CHROMIUM = os.environ.get("GEO_WELFARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def serve(app):
    """Run ``app`` on a free 127.0.0.1 port in a thread; yields its base URL."""
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


class Watched:
    """A page with every request and script error it made recorded."""

    def __init__(self, browser, base: str):
        self.base = base
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def check_offline(self):
        assert self.errors == []
        assert self.requests and all(url.startswith(self.base + "/") for url in self.requests), \
            [url for url in self.requests if not url.startswith(self.base + "/")]


# ---------------------------------------------------------------------------------------------
# Print maps, read back as a person would.

def resources_by_district(districts_file: str = "elementary_districts.geojson"):
    """Every demo place with its district code and whether it is public, straight from the files."""
    import geopandas as gpd
    import pandas as pd
    salons = pd.read_csv(DEMO_DATA / "salons.csv", encoding="utf-8-sig")
    engawa = pd.read_csv(DEMO_DATA / "engawa.csv", encoding="cp932")
    table = pd.concat([salons, engawa])
    points = gpd.GeoDataFrame({"name": table["名称"], "public": table["公開"] == "公開"},
                              geometry=gpd.points_from_xy(table["経度"], table["緯度"]), crs="EPSG:6668")
    centres = gpd.read_file(DEMO_DATA / "support_centres.geojson").set_crs("EPSG:6668", allow_override=True)  # JGD2011
    points = pd.concat([points, gpd.GeoDataFrame({"name": centres["name"], "public": True},
                                                 geometry=centres.geometry, crs="EPSG:6668")], ignore_index=True)
    districts = gpd.read_file(DEMO_DATA / districts_file).set_crs("EPSG:6668", allow_override=True)
    joined = gpd.sjoin(points, districts[["code", "geometry"]], predicate="covered_by")
    return pd.DataFrame(joined[["name", "public", "code"]])


def run(*command) -> str:
    """A program's standard output (poppler's pdftotext, pdffonts, pdfinfo)."""
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """Text without white space: names may wrap in the list, and pdftotext spaces words its own way."""
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------------------------------------
# Bad input: a store seeded with a known import, a snapshot of every table, small hand-made files.

#: A resource list in the 自治体 layout with Japanese headers; every column the importer validates.
HEADER = "ID,名称,種別,住所,緯度,経度,開催日,開始時間,終了時間,定員,バリアフリー,公開,最終確認日\n"
GOOD = "S1,ひまわりサロン,サロン,架空町1-1,35.20,139.40,毎週火曜,10:00,12:00,20,あり,公開,2026-10-01\n"

#: SpatiaLite virtual tables that cannot be read with a plain SELECT (their contents are other tables').
_UNREADABLE = {"SpatialIndex", "KNN", "KNN2", "ElementaryGeometries"}

SQUARE = shapely.box(139.40, 35.20, 139.41, 35.21)
#: A self-intersecting "bow tie": the ring crosses itself at (139.405, 35.205).
BOW_TIE = shapely.Polygon([(139.40, 35.20), (139.41, 35.21), (139.41, 35.20), (139.40, 35.21)])


def snapshot(url: str) -> dict[str, list]:
    """Every row of every table in the store (system tables included), as sorted tuples.

    Geometries come back in each backend's own binary/hex form, so any change at all shows.
    """
    from sqlalchemy import inspect, text

    from geo_welfare.store import open_store
    engine = open_store(url)
    contents: dict[str, list] = {}
    with engine.connect() as connection:
        names = inspect(connection).get_table_names()
        for name in names:
            if name in _UNREADABLE:
                continue
            rows = connection.execute(text(f'SELECT * FROM "{name}"')).all()
            contents[name] = sorted((tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                                     for row in rows), key=repr)
    assert {"area_unit", "resource", "schedule", "population_dataset", "population_count", "candidate_site",
            "alembic_version"} <= set(contents)
    return contents


def write_csv(tmp_path: Path, body: str, name: str = "bad.csv", encoding: str = "utf-8",
              header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_bytes((header + body).encode(encoding))
    return path


def seed_files(directory: Path) -> list[tuple[str, ...]]:
    """Files for a store that has rows in every table; returns the CLI argument lists to import them."""
    import geopandas as gpd
    directory.mkdir(parents=True, exist_ok=True)
    write_csv(directory, GOOD, name="seed_resources.csv")
    small = gpd.GeoDataFrame({"code": ["S001", "S002"], "name": ["見本町一丁目", "見本町二丁目"]},
                             geometry=[shapely.box(139.50, 35.30, 139.51, 35.31),
                                       shapely.box(139.51, 35.30, 139.52, 35.31)],
                             crs="EPSG:6668")
    small.to_file(directory / "seed_small_areas.geojson", driver="GeoJSON")
    (directory / "seed_population.csv").write_text(
        "KEY_CODE,地域名,総数,0～14歳,15～64歳,65歳以上,75歳以上,世帯数\n"
        "S001,見本町一丁目,100,10,60,30,12,45\nS002,見本町二丁目,50,5,30,15,7,20\n", encoding="utf-8")
    (directory / "seed_candidates.csv").write_text("ID,名称,種別,住所,緯度,経度\nC1,見本集会所,集会所,見本町1,35.305,139.505\n",
                                                   encoding="utf-8")
    return [("import", "resources", str(directory / "seed_resources.csv")),
            ("import", "areas", str(directory / "seed_small_areas.geojson"), "--unit", "small-area"),
            ("import", "population", str(directory / "seed_population.csv")),
            ("import", "candidates", str(directory / "seed_candidates.csv"))]


ABORTED = {"en": "Import aborted; nothing in the store was changed.",
           "ja": "取り込みを中止しました。データは変更されていません。"}


def refused(seeded, *arguments, lang: str = "en") -> str:
    """Run an import that must be refused: exit code 1, the store unchanged; return the reason lines.

    ``seeded`` is the value of the ``seeded`` fixture (conftest.py): the store's URL and its snapshot.
    """
    url, before = seeded
    result = run_cli(url, *map(str, arguments), lang=lang)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert snapshot(url) == before
    lines = result.stderr.splitlines()
    assert ABORTED[lang] in lines, result.stderr  # after any progress lines comes the one-line reason
    return "\n".join(lines[lines.index(ABORTED[lang]) + 1:])


def areas_frame(geometries, names=("北町", "南町"), crs="EPSG:6668"):
    import geopandas as gpd
    return gpd.GeoDataFrame({"code": [f"A{i}" for i in range(len(geometries))], "name": list(names[:len(geometries)])},
                            geometry=list(geometries), crs=crs)


# ---------------------------------------------------------------------------------------------
# The schedule corpus (tests/data/schedule_corpus.yaml): real schedule strings with hand-worked readings.

SCHEDULE_CORPUS = REPOSITORY / "tests" / "data" / "schedule_corpus.yaml"


def schedule_corpus() -> dict:
    """The corpus as the file holds it: ``sources`` (id → URL) and ``entries`` (text or cells, columns or day
    types, and the readings worked out by hand)."""
    import yaml
    return yaml.safe_load(SCHEDULE_CORPUS.read_text(encoding="utf-8"))


def parse_corpus_entry(entry: dict):
    """An entry read as its list gives it: free text, the municipal layout's columns, a closed-days
    column, or the national systems' day-type columns."""
    from geo_welfare.layers.schedules import parse_day_type_hours, parse_schedule
    if "day_types" in entry:
        cells = {key: None for key in ("weekday", "saturday", "sunday", "holiday", "closed_days", "note")}
        return parse_day_type_hours(**{**cells, **entry["day_types"]})
    if "columns" in entry:
        return parse_schedule(None, **entry["columns"])
    if "closed_days" in entry:
        return parse_schedule(None, closed_days=entry["closed_days"])
    return parse_schedule(" ".join(entry["cells"]) if "cells" in entry else entry["text"])
