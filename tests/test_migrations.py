"""The migrations build exactly the tables the models declare, on both stores.

A store is only ever made by running the migrations (``open_store`` upgrades to head), while the
code reads and writes through the models: a column a model gained without a migration (or a length
that differs) would work in one place and fail in another.  Alembic's own comparison of a migrated
database with the models is the second method here; the SpatiaLite and PostGIS system tables and the
spatial indexes (made by GeoAlchemy2's own DDL, not by the models' index list) are left out of it.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from geo_welfare.store import open_store
from geo_welfare.store.models import Base
from geo_welfare.store.schema import current_revision, head_revision


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table":
        return name in Base.metadata.tables
    return not (type_ == "index" and name and "geom" in name)


def test_a_migrated_store_has_the_models_tables(store_url):
    engine = open_store(store_url)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _ours, "compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_head_read_from_the_files_is_alembics(tmp_path):
    # The head is read from the migration files as text, so that an up-to-date store opens without importing
    # Alembic: it must be the one Alembic's own script directory gives.
    import subprocess
    import sys

    from alembic.script import ScriptDirectory

    from geo_welfare.store.schema import MIGRATIONS_DIR
    assert head_revision() == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    script = ("import sys\nfrom geo_welfare.store import open_store\n"
              f"engine = open_store('sqlite:///{tmp_path / 'store.sqlite'}')\n"
              "print('alembic' in sys.modules)\n")
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    assert first.stdout.split()[-1] == "True" and again.stdout.split()[-1] == "False"  # migrated once, then not
