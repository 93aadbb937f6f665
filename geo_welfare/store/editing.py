"""Editing resources one at a time (the web app's editors), each change with its history row.

A create, update, move or delete is one transaction: the resource row, its schedule rules and a
:class:`~geo_welfare.store.models.ResourceChange` row (who, when in UTC, ``{field: [old, new]}``)
are written together or not at all.  Fields are validated by the importer's own rules
(:mod:`geo_welfare.layers.resources`: kinds from the glossary, yes/no words, whole-number capacity, dates,
公開/職員のみ, schedules re-parsed with :mod:`geo_welfare.layers.schedules`; coordinates inside Japan as
:func:`geo_welfare.io.readers.check_geometries` checks them), so a place typed in by hand is held to the
same standard as one read from a municipality's list.  A refused edit raises :class:`EditError`
naming every bad field, and nothing is written.

The people who may edit are kept here too (:func:`add_user`, :func:`authenticate` …): a salted
scrypt hash of each password (werkzeug), never the password.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import re
import uuid

import geopandas as gpd
import shapely
from geoalchemy2.shape import from_shape
from sqlalchemy import Engine, delete, func, insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core.words import Word, t
from geo_welfare.core.config import JAPAN_BOUNDS, STORAGE_CRS, STORAGE_SRID
from geo_welfare.store.models import Resource, ResourceChange, Schedule, User
from geo_welfare.core.values import plain
from geo_welfare.core.glossary import VISIBILITY_STAFF
from geo_welfare.io.readers import ROW, check_geometries
from geo_welfare.layers.resources import validate_resources

#: The fields an editor sets, named as the store names them.  The schedule is typed as text
#: (毎週火曜 10:00〜12:00) and parsed into rules on every save, as the importer does.
EDITABLE_FIELDS: tuple[str, ...] = (
    "kind", "name", "name_kana", "operator", "address", "phone", "url", "target_groups", "fee", "capacity",
    "barrier_free", "consultation", "visibility", "last_checked", "schedule_text", "note")
COORDINATES: tuple[str, ...] = ("lon", "lat")
#: Source of the places created in the web app (imports never touch it).
WEB_SOURCE = "web"
ACTIONS = ("create", "update", "move", "delete")
ROLES = ("editor", "viewer")
MIN_PASSWORD_LENGTH = 8

#: Importer field → the field name used here (see ``geo_welfare.layers.columns.RESOURCE_COLUMNS``).
_IMPORTER_MAPPING: dict[str, str | None] = {
    **{field: field for field in EDITABLE_FIELDS if field != "schedule_text"},
    "schedule": "schedule_text", "source_id": None, "days": None, "start": None, "end": None, "days_note": None,
    "lat": "lat", "lon": "lon",
}
_DERIVED_FIELDS = ("closed_on_holidays", "closed_year_end", "times_per_month", "schedule_unparsed")
_SOURCE = "web"  # the "file" the validator's problems name


class EditError(InputError):
    """An edit was refused; ``problems`` name each field, what it needs and what was given."""

    def message(self, lang: str | None = None, limit: int = 20) -> str:
        lines = []
        for problem in self.problems[:limit]:
            expected = problem.expected(lang)
            text = f"{problem.field}: {expected}" if problem.field else expected
            if problem.found is not None:
                text += t("problem_found", lang, found=repr(problem.found))
            lines.append(text)
        return "\n".join(lines)

    @property
    def fields(self) -> list[str]:
        """The fields at fault, in order, each once."""
        return list(dict.fromkeys(p.field for p in self.problems if p.field))


class NotFound(LookupError):
    """No resource (or user) with that id (or name)."""


def _problem(field: str | None, key: str, found: object = None, **values: object) -> Problem:
    return Problem(_SOURCE, None, field, key, values, None if found is None else str(found))


def _now() -> datetime.datetime:
    """Now in UTC, without a zone (stored the same way on SQLite and PostgreSQL)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------------------------
# Validation


def _coordinate(values: dict, field: str, problems: list[Problem]) -> float | None:
    value = values.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(_problem(field, "is_required", what=Word(f"coordinate_{field}")))
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        problems.append(_problem(field, "expected_decimal_degrees", value))
        return None
    return number


def _point(values: dict, problems: list[Problem]) -> shapely.Point | None:
    """The point of ``values['lon']``/``['lat']``, refused as the importer refuses it (outside Japan …)."""
    lon, lat = _coordinate(values, "lon", problems), _coordinate(values, "lat", problems)
    if lon is None or lat is None:
        return None
    frame = gpd.GeoDataFrame({ROW: [1]}, geometry=[shapely.Point(lon, lat)], crs=STORAGE_CRS)
    try:
        check_geometries(frame, _SOURCE, allowed_types={"Point"})
    except InputError as error:
        min_lon, min_lat, max_lon, max_lat = JAPAN_BOUNDS
        outside = [name for name, value, low, high in (("lon", lon, min_lon, max_lon), ("lat", lat, min_lat, max_lat))
                   if not low <= value <= high]
        for problem in error.problems:
            problems.append(_problem(", ".join(outside) or "lon, lat", problem.key, f"lon {lon}, lat {lat}",
                                     **problem.values))
        return None
    return shapely.Point(lon, lat)


def _check_shape(values: dict, allowed: tuple[str, ...], problems: list[Problem]) -> None:
    """Unknown fields and values that are neither text, number, yes/no nor empty."""
    for field, value in values.items():
        if field not in allowed:
            problems.append(_problem(field, "unknown_field_known", value=', '.join(allowed)))
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            problems.append(_problem(field, "expected_text_a_number_or_true",
                                     json.dumps(value, ensure_ascii=False)))


def _check_lengths(record: dict, problems: list[Problem]) -> None:
    """Text longer than its column holds (PostgreSQL would refuse it, SQLite would not)."""
    columns = Resource.__table__.c
    for field in EDITABLE_FIELDS:
        value, length = record.get(field), getattr(columns[field].type, "length", None)
        if isinstance(value, str) and length and len(value) > length:
            problems.append(_problem(field, "too_long_at_most_characters", f"{value[:20]}… ({len(value)})",
                                     length=length))


def validate_resource(values: dict) -> tuple[dict, list[dict], shapely.Point]:
    """A complete resource (every editable field and ``lon``/``lat``) checked by the importer's rules.

    Returns the row to store, its schedule rules (HSDS-shaped) and its point; raises
    :class:`EditError` listing every bad field.  Values may be text, numbers or true/false as
    JSON gives them; missing fields are empty, and an empty kind is ``other`` as in an import.
    """
    problems: list[Problem] = []
    _check_shape(values, EDITABLE_FIELDS + COORDINATES, problems)
    cells = {field: values.get(field) for field in EDITABLE_FIELDS}
    cells = {field: value if isinstance(value, (str, int, float, bool)) else None  # the rest refused above
             for field, value in cells.items()}
    point = _point(values, problems)
    frame = gpd.GeoDataFrame({ROW: [1], **{field: [value] for field, value in cells.items()}},
                             geometry=[point or shapely.Point(139.7, 35.7)], crs=STORAGE_CRS)
    record: dict = {}
    rules: list[dict] = []
    try:
        validated = validate_resources(frame, _SOURCE, _IMPORTER_MAPPING, "other", WEB_SOURCE)
        row = validated.frame.to_dict("records")[0]
        rules = row.pop("schedule_rules") or []
        record = {field: plain(row[field]) for field in EDITABLE_FIELDS + _DERIVED_FIELDS}
    except InputError as error:
        problems.extend(_problem(p.field, p.key, p.found, **p.values) for p in error.problems)
    _check_lengths(record, problems)
    if problems:
        raise EditError(problems)
    return record, rules, point


# --------------------------------------------------------------------------------------------
# Reading one resource


def _read(connection, resource_id: int, *, lock: bool = False) -> dict | None:
    columns = [Resource.__table__.c[field] for field in ("id", "source", "source_id", *EDITABLE_FIELDS)]
    statement = select(*columns, func.ST_X(Resource.geom).label("lon"), func.ST_Y(Resource.geom).label("lat")) \
        .where(Resource.id == resource_id)
    if lock:
        statement = statement.with_for_update()
    row = connection.execute(statement).mappings().first()
    return None if row is None else dict(row)


def _jsonable(value: object) -> object:
    value = plain(value)
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


def resource_record(engine: Engine, resource_id: int) -> dict:
    """One resource as an editor sees it: id, every editable field (JSON-ready) and ``lon``/``lat``."""
    with engine.connect() as connection:
        row = _read(connection, resource_id)
    if row is None:
        raise NotFound(resource_id)
    return {"id": row["id"], **{field: _jsonable(row[field]) for field in EDITABLE_FIELDS + COORDINATES}}


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
             "opens_at": rule.get("opens_at"), "closes_at": rule.get("closes_at")} for rule in rules])


# --------------------------------------------------------------------------------------------
# Changing resources


def create_resource(engine: Engine, values: dict, username: str) -> int:
    """Add a resource (``values``: editable fields with ``lon``/``lat``); returns its id."""
    record, rules, point = validate_resource(values)
    with engine.begin() as connection:
        resource_id = connection.execute(insert(Resource).values(
            source=WEB_SOURCE, source_id=f"web:{uuid.uuid4().hex}", **record,
            geom=from_shape(point, srid=STORAGE_SRID)).returning(Resource.id)).scalar_one()
        _write_schedules(connection, resource_id, rules)
        new = {**record, "lon": point.x, "lat": point.y}
        _log(connection, resource_id, username, "create",
             _changes({}, new, EDITABLE_FIELDS + COORDINATES))
    return resource_id


def update_resource(engine: Engine, resource_id: int, values: dict, username: str) -> dict[str, list]:
    """Change some fields of a resource (``lon``/``lat`` too); returns ``{field: [old, new]}``.

    The whole resource, old values merged with the new ones, is validated again, so a change
    cannot leave it in a state an import would refuse.  No change writes no history row.
    """
    with engine.begin() as connection:
        old = _read(connection, resource_id, lock=True)
        if old is None:
            raise NotFound(resource_id)
        merged = {field: _jsonable(old[field]) for field in EDITABLE_FIELDS + COORDINATES}
        problems: list[Problem] = []
        _check_shape(values, EDITABLE_FIELDS + COORDINATES, problems)
        if problems:
            raise EditError(problems)
        merged.update(values)
        record, rules, point = validate_resource(merged)
        new = {**record, "lon": point.x, "lat": point.y}
        changes = _changes(old, new, EDITABLE_FIELDS + COORDINATES)
        if not changes:
            return {}
        connection.execute(update(Resource).where(Resource.id == resource_id).values(
            **record, geom=from_shape(point, srid=STORAGE_SRID)))
        if "schedule_text" in changes:
            _write_schedules(connection, resource_id, rules)
        moved = set(changes) <= set(COORDINATES)
        _log(connection, resource_id, username, "move" if moved else "update", changes)
    return changes


def move_resource(engine: Engine, resource_id: int, lon: object, lat: object, username: str) -> dict[str, list]:
    """Put a resource at a new place (decimal degrees, JGD2011); returns ``{"lon": [old, new], "lat": …}``."""
    problems: list[Problem] = []
    point = _point({"lon": lon, "lat": lat}, problems)
    if problems:
        raise EditError(problems)
    with engine.begin() as connection:
        old = _read(connection, resource_id, lock=True)
        if old is None:
            raise NotFound(resource_id)
        changes = _changes(old, {"lon": point.x, "lat": point.y}, COORDINATES)
        if changes:
            connection.execute(update(Resource).where(Resource.id == resource_id)
                               .values(geom=from_shape(point, srid=STORAGE_SRID)))
            _log(connection, resource_id, username, "move", changes)
    return changes


def delete_resource(engine: Engine, resource_id: int, username: str) -> None:
    """Remove a resource and its schedules; the history row keeps every value it had."""
    with engine.begin() as connection:
        old = _read(connection, resource_id, lock=True)
        if old is None:
            raise NotFound(resource_id)
        connection.execute(delete(Schedule).where(Schedule.resource_id == resource_id))
        connection.execute(delete(Resource).where(Resource.id == resource_id))
        _log(connection, resource_id, username, "delete", _changes(old, {}, EDITABLE_FIELDS + COORDINATES))


def resource_history(engine: Engine, resource_id: int) -> list[dict]:
    """Every change to a resource, oldest first: action, username, changed_at (ISO, UTC), changes."""
    statement = (select(ResourceChange).where(ResourceChange.resource_id == resource_id)
                 .order_by(ResourceChange.changed_at, ResourceChange.id))
    with engine.connect() as connection:
        rows = connection.execute(statement).mappings().all()
    return [{"action": row["action"], "username": row["username"],
             "changed_at": row["changed_at"].replace(tzinfo=datetime.UTC).isoformat(),
             "changes": json.loads(row["changes"])} for row in rows]


# --------------------------------------------------------------------------------------------
# Editors and viewers

_USERNAME = re.compile(r"[^\s]{1,64}")


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when a name is unknown, so that a wrong name takes as long as a wrong password."""
    return generate_password_hash("geo-welfare: no such user")


def add_user(engine: Engine, username: str, password: str, role: str) -> None:
    """Add a person who may sign in; ``role`` is ``editor`` or ``viewer``."""
    problems = []
    if not _USERNAME.fullmatch(username or ""):
        problems.append(_problem("username", "a_user_name_needs_1_64", username))
    if role not in ROLES:
        problems.append(_problem("role", "role_must_be_editor_or_viewer", role))
    if len(password or "") < MIN_PASSWORD_LENGTH:
        problems.append(_problem("password", "a_password_needs_at_least_characters", length=MIN_PASSWORD_LENGTH))
    if not problems and find_user(engine, username) is not None:
        problems.append(_problem("username", "this_user_name_is_taken", username))
    if problems:
        raise EditError(problems)
    with engine.begin() as connection:
        connection.execute(insert(User).values(username=username, password_hash=generate_password_hash(password),
                                               role=role, created_at=_now()))


def remove_user(engine: Engine, username: str) -> None:
    """Remove a person (their changes stay in the history under their name)."""
    with engine.begin() as connection:
        if connection.execute(delete(User).where(User.username == username)).rowcount == 0:
            raise NotFound(username)


def list_users(engine: Engine) -> list[dict]:
    """Every user: username, role, created_at (UTC), ordered by name."""
    with engine.connect() as connection:
        rows = connection.execute(select(User.username, User.role, User.created_at).order_by(User.username))
        return [dict(row) for row in rows.mappings()]


def find_user(engine: Engine, username: str) -> dict | None:
    """A user's name and role, or None."""
    with engine.connect() as connection:
        row = connection.execute(select(User.username, User.role).where(User.username == username)).mappings().first()
    return None if row is None else dict(row)


def authenticate(engine: Engine, username: str, password: str) -> dict | None:
    """The user (name and role) if the password is theirs, else None."""
    with engine.connect() as connection:
        row = connection.execute(select(User.username, User.role, User.password_hash)
                                 .where(User.username == username)).mappings().first()
    if row is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(row["password_hash"], password or ""):
        return None
    return {"username": row["username"], "role": row["role"]}
