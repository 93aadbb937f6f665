"""Editing resources one at a time (the web app's editors), each change with its history row.

A create, update, move or delete is one transaction: the resource row, its schedule rules and a
:class:`~geo_welfare.store.models.ResourceChange` row (who, when in UTC, ``{field: [old, new]}``)
are written together or not at all, so the history never disagrees with the store.  Fields are
validated by the importer's own rules (:mod:`geo_welfare.store.validation`); a refused edit
raises :class:`EditError` naming every bad field, and nothing is written.

Every resource has a version (``resource.version``: 1 when made, one more with every change, an
import's too).  A change names the version it was based on; a stale one raises
:class:`StaleVersion` (409) with, for each field sent, the value sent, the value stored and who
stored it when, and writes nothing.  A save writes only the fields it changes, with
``UPDATE … SET <those fields>, version = version + 1 WHERE id = :id AND version = :expected``,
and counts the rows: none means another save came first.  On PostgreSQL the row is also read
``FOR UPDATE``, so a second save waits for the first and then sees its version.  On SQLite the
conditional update is the guard: SQLite lets one writer at a time in, and the UPDATE's condition
is evaluated under that write lock, so of two saves of one version exactly one updates a row;
``FOR UPDATE`` does not exist there, and ``BEGIN IMMEDIATE`` (which would also serialise the
read before) would need the driver's transaction handling changed for every connection of the
store, for no gain: a read that is stale by the time of the UPDATE only makes the UPDATE miss.

The people who may edit, their passwords and their sessions are in :mod:`geo_welfare.store.users`.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass

from geoalchemy2.shape import from_shape
from sqlalchemy import Engine, delete, func, insert, select, update

from geo_welfare.core.config import STORAGE_SRID
from geo_welfare.core.errors import ConflictError, Problem
from geo_welfare.core.glossary import VISIBILITY_STAFF
from geo_welfare.core.values import plain
from geo_welfare.store.models import Resource, ResourceChange, Schedule
from geo_welfare.store.validation import (CAPACITY_DERIVED, COORDINATES, DERIVED_FIELDS, EDITABLE_FIELDS, WEB_SOURCE,
                                          EditError, NotFound, check_shape, point_of, validate_resource)

__all__ = ["COORDINATES", "EDITABLE_FIELDS", "WEB_SOURCE", "EditError", "NotFound", "Saved", "StaleVersion",
           "create_resource", "delete_resource", "move_resource", "resource_history", "resource_record",
           "resource_versions", "resource_with_version", "staff_only_ids", "update_resource", "validate_resource"]
ACTIONS = ("create", "update", "move", "delete")


def _now() -> datetime.datetime:
    """Now in UTC, without a zone (stored the same way on SQLite and PostgreSQL)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------------------------
# Reading one resource


def _read(connection, resource_id: int, *, lock: bool = False) -> dict | None:
    """The row with its version and ``lon``/``lat``; ``lock``: ``FOR UPDATE`` (PostgreSQL; SQLite ignores it)."""
    columns = [Resource.__table__.c[field] for field in ("id", "source", "source_id", "version", *EDITABLE_FIELDS,
                                                         "capacity_text")]
    statement = select(*columns, func.ST_X(Resource.geom).label("lon"), func.ST_Y(Resource.geom).label("lat")) \
        .where(Resource.id == resource_id)
    if lock:
        statement = statement.with_for_update()
    row = connection.execute(statement).mappings().first()
    return None if row is None else dict(row)


def _jsonable(value: object) -> object:
    value = plain(value)
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


def _record(row: dict) -> dict:
    """The resource as an editor sees it, with the capacity as its list wrote it (「20名程度」) beside the number.

    The form shows ``capacity_text`` when it gave the number, so that saving the place keeps the words.
    """
    record = {"id": row["id"], **{field: _jsonable(row[field]) for field in EDITABLE_FIELDS + COORDINATES}}
    record["capacity_text"] = row.get("capacity_text") if row["capacity"] is not None else None
    return record


def resource_with_version(engine: Engine, resource_id: int) -> tuple[dict, int]:
    """One resource as an editor sees it (see :func:`resource_record`) and its version, read together."""
    with engine.connect() as connection:
        row = _read(connection, resource_id)
    if row is None:
        raise NotFound(resource_id)
    return _record(row), row["version"]


def resource_record(engine: Engine, resource_id: int) -> dict:
    """One resource as an editor sees it: id, every editable field (JSON-ready) and ``lon``/``lat``."""
    return resource_with_version(engine, resource_id)[0]


def resource_versions(engine: Engine) -> dict[int, int]:
    """Every resource's version (an editor's map sends it with a drag)."""
    with engine.connect() as connection:
        return dict(connection.execute(select(Resource.id, Resource.version)).all())


def staff_only_ids(engine: Engine) -> list[int]:
    """Ids of the staff-only places (an editor's map marks them)."""
    with engine.connect() as connection:
        return list(connection.execute(select(Resource.id).where(Resource.visibility == VISIBILITY_STAFF)).scalars())


def _changes(old: dict, new: dict, fields: tuple[str, ...]) -> dict[str, list]:
    changes = {}
    for field in fields:
        before, after = _jsonable(old.get(field)), _jsonable(new.get(field))
        if before != after:
            changes[field] = [before, after]
    return changes


def _log(connection, resource_id: int, username: str, action: str, changes: dict) -> None:
    connection.execute(insert(ResourceChange).values(
        resource_id=resource_id, username=username, changed_at=_now(), action=action,
        changes=json.dumps(changes, ensure_ascii=False)))


def _write_schedules(connection, resource_id: int, rules: list[dict]) -> None:
    connection.execute(delete(Schedule).where(Schedule.resource_id == resource_id))
    if rules:
        connection.execute(insert(Schedule), [
            {"resource_id": resource_id, "freq": rule["freq"], "interval": rule.get("interval") or 1,
             "byday": rule.get("byday") or None, "bymonthday": rule.get("bymonthday") or None,
             "opens_at": rule.get("opens_at"), "closes_at": rule.get("closes_at"),
             "bymonth": rule.get("bymonth") or None, "if_holiday": rule.get("if_holiday") or None,
             "closed": bool(rule.get("closed")), "notes": rule.get("notes") or None} for rule in rules])


def _iso(moment: datetime.datetime) -> str:
    return moment.replace(tzinfo=datetime.UTC).isoformat()


# --------------------------------------------------------------------------------------------
# Versions: a save names the version it was based on, and a stale one is refused


class StaleVersion(ConflictError):
    """A save based on a version older than the one stored (409); nothing was written.

    ``conflicts`` has one entry for each field the editor sent: ``field``, ``yours`` (as sent),
    ``theirs`` (as stored now), and ``changed_by``/``changed_at`` (UTC, ISO) of the newest history
    row that changed it (``None`` when no edit did, e.g. the value came from an import).
    ``resource`` and ``version`` are the resource as stored now.
    """

    def __init__(self, expected: int, resource: dict, version: int, conflicts: list[dict]):
        super().__init__("edit_conflict", expected=expected, version=version)
        self.expected, self.resource, self.version, self.conflicts = expected, resource, version, conflicts


def _last_changes(connection, resource_id: int, fields: list[str]) -> dict[str, tuple[str, str]]:
    """Who last changed each of ``fields``, and when: from the newest history rows back."""
    rows = connection.execute(select(ResourceChange.username, ResourceChange.changed_at, ResourceChange.changes)
                              .where(ResourceChange.resource_id == resource_id)
                              .order_by(ResourceChange.changed_at.desc(), ResourceChange.id.desc()).limit(500))
    found: dict[str, tuple[str, str]] = {}
    for username, changed_at, changes in rows:
        for field in json.loads(changes):
            if field in fields and field not in found:
                found[field] = (username, _iso(changed_at))
        if len(found) == len(fields):
            break
    return found


def _stale(connection, stored: dict, expected: int, sent: dict) -> StaleVersion:
    fields = [field for field in EDITABLE_FIELDS + COORDINATES if field in sent]
    last = _last_changes(connection, stored["id"], fields)
    record = _record(stored)
    conflicts = [{"field": field, "yours": sent[field], "theirs": record[field],
                  "changed_by": last.get(field, (None, None))[0], "changed_at": last.get(field, (None, None))[1]}
                 for field in fields]
    return StaleVersion(expected, record, stored["version"], conflicts)


def _checked(connection, resource_id: int, expected: int | None, sent: dict) -> dict:
    """The stored row (locked on PostgreSQL), refused as :class:`StaleVersion` unless it is ``expected``."""
    row = _read(connection, resource_id, lock=True)
    if row is None:
        raise NotFound(resource_id)
    if expected is not None and row["version"] != expected:
        raise _stale(connection, row, expected, sent)
    return row


def _write(connection, resource_id: int, expected: int, columns: dict, sent: dict) -> int:
    """``UPDATE … SET columns, version = version + 1 WHERE id = … AND version = expected``; the new version.

    No row updated means another save came in between (SQLite: since :func:`_checked` read the row
    outside any lock): refused as stale, and the caller's transaction rolls back.
    """
    done = connection.execute(update(Resource).where(Resource.id == resource_id, Resource.version == expected)
                              .values(**columns, version=Resource.version + 1))
    if done.rowcount != 1:
        row = _read(connection, resource_id)
        if row is None:
            raise NotFound(resource_id)
        raise _stale(connection, row, expected, sent)
    return expected + 1


@dataclass(frozen=True)
class Saved:
    """What a save did: ``{field: [old, new]}`` (empty: nothing changed or written), the version and resource now."""

    changes: dict[str, list]
    version: int
    resource: dict


# --------------------------------------------------------------------------------------------
# Changing resources


def create_resource(engine: Engine, values: dict, username: str) -> int:
    """Add a resource (``values``: editable fields with ``lon``/``lat``), at version 1; returns its id."""
    record, rules, point = validate_resource(values)
    with engine.begin() as connection:
        resource_id = connection.execute(insert(Resource).values(
            source=WEB_SOURCE, source_id=f"web:{uuid.uuid4().hex}", **record, version=1,
            geom=from_shape(point, srid=STORAGE_SRID)).returning(Resource.id)).scalar_one()
        _write_schedules(connection, resource_id, rules)
        new = {**record, "lon": point.x, "lat": point.y}
        _log(connection, resource_id, username, "create",
             _changes({}, new, EDITABLE_FIELDS + COORDINATES))
    return resource_id


def update_resource(engine: Engine, resource_id: int, values: dict, username: str, *,
                    version: int | None = None) -> Saved:
    """Change the fields in ``values`` (``lon``/``lat`` too) of the resource at ``version``.

    The whole resource, stored values merged with the new ones, is validated again, so a change
    cannot leave it in a state an import would refuse; only the fields sent that changed are
    written, with the version raised by one and the history row, in one transaction.  A stale
    ``version`` raises :class:`StaleVersion`; ``None`` takes the version stored (for callers that
    showed no one an earlier read: scripts, tests; the web always names one).  No change writes
    nothing (the version stays).
    """
    problems: list[Problem] = []
    check_shape(values, EDITABLE_FIELDS + COORDINATES, problems)
    if problems:
        raise EditError(problems)
    with engine.begin() as connection:
        old = _checked(connection, resource_id, version, values)
        version = old["version"]
        stored = _record(old)
        record, rules, point = validate_resource({field: stored[field] for field in EDITABLE_FIELDS + COORDINATES}
                                                 | values)
        new = {**record, "lon": point.x, "lat": point.y}
        changes = _changes(old, new, tuple(field for field in EDITABLE_FIELDS + COORDINATES if field in values))
        if not changes:
            return Saved({}, version, _record(old))
        columns = {field: record[field] for field in changes if field in EDITABLE_FIELDS}
        if "schedule_text" in changes:
            columns.update({field: record[field] for field in DERIVED_FIELDS})
        if "capacity" in changes:
            columns.update({field: record[field] for field in CAPACITY_DERIVED})
        if set(changes) & set(COORDINATES):
            columns["geom"] = from_shape(point, srid=STORAGE_SRID)
        saved = _write(connection, resource_id, version, columns, values)
        if "schedule_text" in changes:
            _write_schedules(connection, resource_id, rules)
        _log(connection, resource_id, username, "move" if set(changes) <= set(COORDINATES) else "update", changes)
        return Saved(changes, saved, _record(_read(connection, resource_id)))


def move_resource(engine: Engine, resource_id: int, lon: object, lat: object, username: str, *,
                  version: int | None = None) -> Saved:
    """Put the resource at ``version`` at a new place (decimal degrees, JGD2011): a change of ``lon``/``lat``."""
    problems: list[Problem] = []
    point = point_of({"lon": lon, "lat": lat}, problems)
    if problems:
        raise EditError(problems)
    with engine.begin() as connection:
        old = _checked(connection, resource_id, version, {"lon": lon, "lat": lat})
        version = old["version"]
        changes = _changes(old, {"lon": point.x, "lat": point.y}, COORDINATES)
        if not changes:
            return Saved({}, version, _record(old))
        saved = _write(connection, resource_id, version, {"geom": from_shape(point, srid=STORAGE_SRID)},
                       {"lon": lon, "lat": lat})
        _log(connection, resource_id, username, "move", changes)
        return Saved(changes, saved, _record(_read(connection, resource_id)))


def delete_resource(engine: Engine, resource_id: int, username: str, *, version: int | None = None) -> None:
    """Remove the resource at ``version`` and its schedules; the history row keeps every value it had."""
    with engine.begin() as connection:
        old = _checked(connection, resource_id, version, {})
        version = old["version"]
        connection.execute(delete(Schedule).where(Schedule.resource_id == resource_id))
        done = connection.execute(delete(Resource).where(Resource.id == resource_id, Resource.version == version))
        if done.rowcount != 1:  # changed (or deleted) since it was read: the schedules come back on rollback
            row = _read(connection, resource_id)
            if row is None:
                raise NotFound(resource_id)
            raise _stale(connection, row, version, {})
        _log(connection, resource_id, username, "delete", _changes(old, {}, EDITABLE_FIELDS + COORDINATES))


def resource_history(engine: Engine, resource_id: int) -> list[dict]:
    """Every change to a resource, oldest first: action, username, changed_at (ISO, UTC), changes."""
    statement = (select(ResourceChange).where(ResourceChange.resource_id == resource_id)
                 .order_by(ResourceChange.changed_at, ResourceChange.id))
    with engine.connect() as connection:
        rows = connection.execute(statement).mappings().all()
    return [{"action": row["action"], "username": row["username"], "changed_at": _iso(row["changed_at"]),
             "changes": json.loads(row["changes"])} for row in rows]
