"""Schema migrations with Alembic, run from code so that the store is created on first use.

Every command opens the store, and almost always it is up to date: that is told from the store's
``alembic_version`` row and the ``revision`` lines of the migration files, read as text, so Alembic
itself (with Mako and its script machinery: about 0.1 s of every command) is imported only when a
migration is to run, or when the files' chain is not the one straight line this project keeps.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, inspect, text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r'^(revision|down_revision)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|None)\s*$', re.M)


def alembic_config(engine: Engine):
    """An Alembic configuration that runs on ``engine`` (no alembic.ini needed)."""
    from alembic.config import Config
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the store is at, or None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest revision this code knows: the one no other migration names as its ``down_revision``.

    Read from the files as text; Alembic's own answer when the chain branches or a file is not as expected.
    """
    revisions, parents = set(), set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = {name: first or second for name, first, second in _REVISION.findall(path.read_text(encoding="utf-8"))}
        if "revision" not in found or "down_revision" not in found:
            return _alembic_head()
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else _alembic_head()


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def upgrade(engine: Engine) -> None:
    """Bring the store to the newest revision; cheap (and without Alembic) when it is already there."""
    if current_revision(engine) == head_revision():
        return
    from alembic import command
    command.upgrade(alembic_config(engine), "head")
