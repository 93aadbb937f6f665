"""The history of imports, and the two things a re-import of a resource list must not do silently.

Every import that goes through is an :class:`~geo_welfare.store.models.ImportRun` row (the layer,
the source, the file's name and SHA-256, when, how many rows it added, updated and removed, and
what the user allowed), and every place of a resource list it created, changed or removed is a
:class:`~geo_welfare.store.models.ResourceChange` row with the action ``import`` by the file's
name, ``{field: [old, new]}`` as the web's edits are, so a place's history shows its imports
beside its edits.  A created place's row carries its ``source`` and ``source_id`` too: that is how
a place deleted on the web is recognised when a file brings it back.

Before a resource list is written (:func:`resource_problems`), the import is refused (exit 1,
nothing written) when it would

* remove more than :data:`REMOVAL_LIMIT_PERCENT` % of the places its source has (a truncated or
  header-only file), unless the user allows removals;
* touch a place edited on the web since the source's last import: change or remove a place changed
  there, or bring back one deleted there, unless the user allows overwriting the web's edits.

Without a recorded import of the source (a store filled before imports were recorded), every web
edit counts as one since the last import.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, insert, select

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core.words import t
from geo_welfare.store.models import ImportRun, Resource, ResourceChange
from geo_welfare.store.write import ResourcePlan, WriteResult

#: The action of the history rows an import writes.
IMPORT_ACTION = "import"
#: An import may remove up to this share of a source's places (percent) without ``allow_removals``.
REMOVAL_LIMIT_PERCENT = 20
#: Places named in a refusal before the rest are counted.
NAMES_SHOWN = 5
_USERNAME_LENGTH = ResourceChange.__table__.c["username"].type.length
_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


class ImportRefused(InputError):
    """A re-import that would wipe much of a list or undo the web's edits; nothing was written (exit 1)."""


@dataclass(frozen=True)
class Names:
    """The places at stake, the first few by name and the rest counted, in the message's language."""

    names: tuple[str, ...]

    def localized(self, lang: str | None = None) -> str:
        shown = t("names_separator", lang).join(self.names[:NAMES_SHOWN])
        more = len(self.names) - NAMES_SHOWN
        return t("names_and_more", lang, names=shown, count=more) if more > 0 else shown


def now() -> datetime.datetime:
    """Now in UTC without a zone, as the web's history rows are stamped."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def file_sha256(path: Path) -> str:
    """SHA-256 of the file (a Shapefile with its sidecars, a folder with every file in it)."""
    if path.is_dir():
        parts = sorted(p for p in path.rglob("*") if p.is_file())
    elif path.suffix.lower() == ".shp":
        parts = [path.with_suffix(suffix) for suffix in _SIDECARS if path.with_suffix(suffix).is_file()]
    else:
        parts = [path]
    digest = hashlib.sha256()
    for part in parts:
        with open(part, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def record_run(connection: Connection, path: Path, layer: str, source: str, result: WriteResult,
               when: datetime.datetime, options: dict | None = None) -> None:
    """One :class:`ImportRun` row: which file, when, what it changed, what the user allowed."""
    connection.execute(insert(ImportRun).values(
        layer=layer, source=source, file_name=path.name[:500], file_sha256=file_sha256(path), imported_at=when,
        created=result.created, updated=result.updated, removed=result.removed,
        options=None if options is None else json.dumps(options)))


def _last_import(connection: Connection, source: str) -> datetime.datetime | None:
    return connection.execute(select(func.max(ImportRun.imported_at))
                              .where(ImportRun.layer == "resources", ImportRun.source == source)).scalar()


def _imported_as(connection: Connection, resource_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Resource id → (source, source_id) as the import that created it recorded them."""
    found: dict[int, tuple[str, str]] = {}
    statement = select(ResourceChange.resource_id, ResourceChange.changes).where(
        ResourceChange.action == IMPORT_ACTION, ResourceChange.resource_id.in_(list(resource_ids)))
    for resource_id, text in connection.execute(statement):
        changes = json.loads(text)
        source, source_id = changes.get("source", [None, None])[1], changes.get("source_id", [None, None])[1]
        if source is not None and source_id is not None:
            found[resource_id] = (source, source_id)
    return found


def web_edits(connection: Connection, plan: ResourcePlan) -> tuple[dict[str, list[str]], set[str]]:
    """The places of ``plan``'s source edited on the web since its last import.

    Returns the changed ones (``source_id`` → the fields changed there, in order) and the
    ``source_id`` of the deleted ones.
    """
    statement = select(ResourceChange.resource_id, ResourceChange.action, ResourceChange.changes).where(
        ResourceChange.action != IMPORT_ACTION).order_by(ResourceChange.id)
    since = _last_import(connection, plan.source)
    if since is not None:
        statement = statement.where(ResourceChange.changed_at > since)
    by_id = {place["id"]: source_id for source_id, place in plan.stored.items()}
    changed: dict[str, dict[str, None]] = {}
    deleted_ids = []
    for resource_id, action, text in connection.execute(statement):
        if resource_id in by_id and action != "delete":
            changed.setdefault(by_id[resource_id], {}).update(dict.fromkeys(json.loads(text)))
        elif resource_id not in by_id and action == "delete":
            deleted_ids.append(resource_id)
    origins = _imported_as(connection, deleted_ids) if deleted_ids else {}
    deleted = {source_id for source, source_id in origins.values() if source == plan.source}
    return {source_id: list(fields) for source_id, fields in changed.items()}, deleted


def resource_problems(path: Path, plan: ResourcePlan, edits: tuple[dict[str, list[str]], set[str]], *,
                      allow_removals: bool, overwrite_edits: bool) -> list[Problem]:
    """Why the import of ``plan`` must stop (nothing: an empty list), one problem per group of places."""
    changed_on_web, deleted_on_web = edits
    problems = []

    def problem(key: str, names: list[str], **values: object) -> None:
        problems.append(Problem(str(path), None, None, key, {"source": plan.source, "count": len(names),
                                                             "names": Names(tuple(names)), **values}))

    total = len(plan.stored)
    if not allow_removals and len(plan.removed) * 100 > REMOVAL_LIMIT_PERCENT * total:
        problem("import_removes_too_many", [plan.stored[s]["name"] for s in plan.removed], total=total,
                limit=REMOVAL_LIMIT_PERCENT)
    if overwrite_edits:
        return problems
    touched = [source_id for source_id in plan.stored if source_id in changed_on_web
               and (source_id in plan.changed or source_id not in plan.incoming)]
    if touched:
        problem("import_overwrites_web_edits",
                [f"{plan.stored[s]['name']} ({', '.join(changed_on_web[s])})" for s in touched])
    restored = [source_id for source_id in plan.created if source_id in deleted_on_web]
    if restored:
        problem("import_restores_web_deletions", [plan.incoming[s]["name"] for s in restored])
    return problems


def record_resource_changes(connection: Connection, plan: ResourcePlan, file_name: str,
                            when: datetime.datetime) -> None:
    """A history row for each place the import created, changed or removed, by the file."""
    ids = dict(connection.execute(select(Resource.source_id, Resource.id).where(Resource.source == plan.source)).all())
    origin = {"source": plan.source}
    rows = []
    for source_id in plan.created:
        values = {"source_id": source_id, **origin, **plan.incoming[source_id]}
        rows.append((ids[source_id], {field: [None, value] for field, value in values.items() if value is not None}))
    for source_id, changes in plan.changed.items():
        rows.append((plan.stored[source_id]["id"], changes))
    for source_id in plan.removed:
        place = plan.stored[source_id]
        values = {"source_id": source_id, **origin, **{f: v for f, v in place.items() if f != "id"}}
        rows.append((place["id"], {field: [value, None] for field, value in values.items() if value is not None}))
    if rows:
        connection.execute(insert(ResourceChange), [
            {"resource_id": resource_id, "username": file_name[:_USERNAME_LENGTH], "changed_at": when,
             "action": IMPORT_ACTION, "changes": json.dumps(changes, ensure_ascii=False)}
            for resource_id, changes in rows])
