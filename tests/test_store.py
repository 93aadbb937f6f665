"""The store itself: schema at the Alembic head, QGIS-ready geometry columns, choosing the store."""

from __future__ import annotations

import pyogrio
import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from geo_welfare.cli import main
from geo_welfare.core.errors import StoreError
from geo_welfare.store.engine import open_store
from geo_welfare.store.schema import current_revision, head_revision
from helpers import run_cli, seed_files

GEOMETRY_TABLES = {("area_unit", "MULTIPOLYGON"), ("resource", "POINT"), ("candidate_site", "POINT"),
                   ("hazard_zone", "MULTIPOLYGON"), ("shelter", "POINT"), ("transit_stop", "POINT"),
                   ("transit_service_area", "MULTIPOLYGON")}
TABLES = {"alembic_version", "area_unit", "resource", "schedule", "population_dataset", "population_count",
          "candidate_site"}


def seed(url, tmp_path):
    for arguments in seed_files(tmp_path / "seed"):
        assert run_cli(url, *arguments).exit_code == 0


def test_schema_is_at_the_newest_revision(store):
    assert current_revision(store) == head_revision()
    with store.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
    assert TABLES <= set(inspect(store).get_table_names())
    open_store.cache_clear()
    assert current_revision(open_store(store.url.render_as_string(hide_password=False))) == head_revision()  # idempotent


def test_geometry_columns_are_registered_with_srid_6668_and_indexed(store_url, tmp_path):
    seed(store_url, tmp_path)  # rows in every geometry table, so the indexes have something to hold
    store = open_store(store_url)
    with store.connect() as connection:
        if store.dialect.name == "sqlite":
            assert connection.execute(text("SELECT CheckSpatialMetaData()")).scalar() == 3  # current layout
            rows = connection.execute(text(
                "SELECT f_table_name, f_geometry_column, geometry_type, coord_dimension, srid, spatial_index_enabled "
                "FROM geometry_columns")).all()
            names = {1: "POINT", 6: "MULTIPOLYGON"}  # SpatiaLite's geometry type codes
            assert {(t, names[g]) for t, _, g, _, _, _ in rows} == GEOMETRY_TABLES
            assert {(column, dimension, srid, index) for _, column, _, dimension, srid, index in rows} == {
                ("geom", 2, 6668, 1)}
            for table, _ in GEOMETRY_TABLES:  # the R*Tree agrees with the table (checked by SpatiaLite)
                assert connection.execute(text(f"SELECT CheckSpatialIndex('{table}', 'geom')")).scalar() == 1
            srids = connection.execute(text("SELECT DISTINCT ST_SRID(geom) FROM area_unit")).scalars().all()
        else:
            rows = connection.execute(text(
                "SELECT f_table_name, f_geometry_column, type, coord_dimension, srid FROM geometry_columns")).all()
            assert {(t, g) for t, _, g, _, _ in rows} == GEOMETRY_TABLES
            assert {(column, dimension, srid) for _, column, _, dimension, srid in rows} == {("geom", 2, 6668)}
            indexes = connection.execute(text(
                "SELECT tablename FROM pg_indexes WHERE indexdef ILIKE '%USING gist (geom)%'")).scalars().all()
            assert set(indexes) == {table for table, _ in GEOMETRY_TABLES}
            srids = connection.execute(text("SELECT DISTINCT ST_SRID(geom) FROM area_unit")).scalars().all()
    assert srids == [6668]
    if store.dialect.name == "sqlite":
        # What QGIS sees: GDAL opens the file as its geometry layers in EPSG:6668, Japanese text intact.
        path = make_url(store_url).database
        assert {(name, kind) for name, kind in pyogrio.list_layers(path)} == {
            ("area_unit", "MultiPolygon"), ("resource", "Point"), ("candidate_site", "Point"),
            ("hazard_zone", "MultiPolygon"), ("shelter", "Point"), ("transit_stop", "Point"),
            ("transit_service_area", "MultiPolygon")}
        frame = pyogrio.read_dataframe(path, layer="area_unit")
        assert frame.crs.to_epsg() == 6668 and sorted(frame["name"]) == ["見本町一丁目", "見本町二丁目"]


def test_environment_variable_chooses_the_store(monkeypatch, tmp_path):
    target = tmp_path / "chosen.sqlite"
    monkeypatch.setenv("GEO_WELFARE_DATABASE_URL", f"sqlite:///{target}")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--lang", "en", "init"])
    assert result.exit_code == 0, result.stderr
    assert target.exists() and not (tmp_path / "geo_welfare.sqlite").exists()
    assert result.stderr.strip() == f"Store ready: sqlite:///{target}"
    # --database wins over the environment.
    explicit = tmp_path / "explicit.sqlite"
    assert CliRunner().invoke(main, ["--database", f"sqlite:///{explicit}", "init"]).exit_code == 0
    assert explicit.exists()


def test_default_store_is_a_spatialite_file_in_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("GEO_WELFARE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--lang", "en", "init"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "geo_welfare.sqlite").exists()
    assert result.stderr.strip() == f"Store ready: sqlite:///{tmp_path / 'geo_welfare.sqlite'}"
    assert (tmp_path / "geo_welfare.sqlite").read_bytes()[:16] == b"SQLite format 3\x00"
    engine = open_store(f"sqlite:///{tmp_path / 'geo_welfare.sqlite'}")
    assert TABLES <= set(inspect(engine).get_table_names())


@pytest.mark.postgis
def test_plain_postgresql_url_works(postgis_url, tmp_path):
    plain = make_url(postgis_url).set(drivername="postgresql").render_as_string(hide_password=False)
    assert plain.startswith("postgresql://")
    seed(plain, tmp_path)
    listing = run_cli(plain, "list", "areas", "--format", "csv", "--raw")
    assert listing.exit_code == 0, listing.stderr
    assert len(listing.stdout.strip().splitlines()) == 1 + 2
    # … and it is the same database the postgresql+psycopg:// URL names.
    assert len(run_cli(postgis_url, "list", "areas", "--format", "csv", "--raw").stdout.strip().splitlines()) == 3


def test_missing_spatialite_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("SPATIALITE_LIBRARY_PATH", "/nonexistent/mod_spatialite")
    open_store.cache_clear()
    with pytest.raises(StoreError) as caught:
        open_store(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert "libsqlite3-mod-spatialite" in caught.value.message("en")
    assert "apt-get install libsqlite3-mod-spatialite" in caught.value.message("en")
    assert "apt-get install libsqlite3-mod-spatialite" in caught.value.message("ja")
    result = run_cli(f"sqlite:///{tmp_path / 'y.sqlite'}", "init")
    assert result.exit_code == 3
    assert result.stderr.startswith("Cannot load SpatiaLite.")
    assert "Unexpected error" not in result.stderr
    open_store.cache_clear()


def test_unreachable_postgis_is_a_store_error():
    result = run_cli("postgresql+psycopg://nobody@127.0.0.1:1/none", "init")
    assert result.exit_code == 3
    assert result.stderr.startswith("Cannot open the store postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_unsupported_database_is_a_store_error(tmp_path):
    result = run_cli("mysql://nobody@127.0.0.1/none", "init")
    assert result.exit_code == 3
    assert result.stderr.strip() == "Unsupported database 'mysql': use sqlite (SpatiaLite) or postgresql (PostGIS)"
