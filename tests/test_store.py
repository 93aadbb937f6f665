"""The store itself: schema at the Alembic head, QGIS-ready geometry columns, choosing the store."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from conftest import run_cli
from geo_welfare.errors import StoreError
from geo_welfare.store.engine import open_store
from geo_welfare.store.schema import current_revision, head_revision

GEOMETRY_TABLES = {("area_unit", "MULTIPOLYGON"), ("resource", "POINT"), ("candidate_site", "POINT")}


def test_schema_is_at_the_newest_revision(store):
    assert current_revision(store) == head_revision() == "0001"


def test_geometry_columns_are_registered_with_srid_6668_and_indexed(store):
    with store.connect() as connection:
        if store.dialect.name == "sqlite":
            rows = connection.execute(text(
                "SELECT f_table_name, geometry_type, srid, spatial_index_enabled FROM geometry_columns")).all()
            # SpatiaLite geometry type codes: 1 POINT, 6 MULTIPOLYGON.
            names = {1: "POINT", 6: "MULTIPOLYGON"}
            assert {(t, names[g]) for t, g, _, _ in rows} == GEOMETRY_TABLES
            assert {(srid, index) for _, _, srid, index in rows} == {(6668, 1)}
            assert connection.execute(text("SELECT CheckSpatialIndex()")).scalar() == 1
        else:
            rows = connection.execute(text("SELECT f_table_name, type, srid FROM geometry_columns")).all()
            assert {(t, g) for t, g, _ in rows} == GEOMETRY_TABLES
            assert {srid for _, _, srid in rows} == {6668}
            indexes = connection.execute(text(
                "SELECT tablename FROM pg_indexes WHERE indexdef ILIKE '%USING gist (geom)%'")).scalars().all()
            assert set(indexes) == {table for table, _ in GEOMETRY_TABLES}


def test_environment_variable_chooses_the_store(monkeypatch, tmp_path):
    target = tmp_path / "chosen.sqlite"
    monkeypatch.setenv("GEO_WELFARE_DATABASE_URL", f"sqlite:///{target}")
    from click.testing import CliRunner

    from geo_welfare.cli import main
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    assert target.exists()


def test_default_store_is_a_spatialite_file_in_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("GEO_WELFARE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    from click.testing import CliRunner

    from geo_welfare.cli import main
    result = CliRunner().invoke(main, ["--lang", "en", "init"])
    assert result.exit_code == 0
    assert (tmp_path / "geo_welfare.sqlite").exists()
    assert result.stderr.strip() == f"Store ready: sqlite:///{tmp_path / 'geo_welfare.sqlite'}"


@pytest.mark.postgis
def test_plain_postgresql_url_works(postgis_url):
    plain = make_url(postgis_url).set(drivername="postgresql").render_as_string(hide_password=False)
    result = run_cli(plain, "list", "areas", "--format", "csv")
    assert result.exit_code == 0, result.stderr


def test_missing_spatialite_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("SPATIALITE_LIBRARY_PATH", "/nonexistent/mod_spatialite")
    open_store.cache_clear()
    with pytest.raises(StoreError) as caught:
        open_store(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert "apt-get install libsqlite3-mod-spatialite" in caught.value.message("en")
    assert "apt-get install libsqlite3-mod-spatialite" in caught.value.message("ja")
    result = run_cli(f"sqlite:///{tmp_path / 'y.sqlite'}", "init")
    assert result.exit_code == 3
    assert result.stderr.startswith("Cannot load SpatiaLite.")


def test_unreachable_postgis_is_a_store_error(tmp_path):
    result = run_cli("postgresql+psycopg://nobody@127.0.0.1:1/none", "init")
    assert result.exit_code == 3
    assert result.stderr.startswith("Cannot open the store postgresql+psycopg://nobody@127.0.0.1:1/none")
