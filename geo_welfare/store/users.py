"""The people who may sign in to the web app, their passwords, and their signed-in sessions.

A user is a name, a role (``editor`` changes resources, ``viewer`` reads) and a salted scrypt hash
of the password (werkzeug), never the password.  A password must have at least
:data:`MIN_PASSWORD_LENGTH` characters, must not be one character repeated, must not be the user
name, and must not be one of the common passwords that attackers try first (OWASP ASVS 2.1): the
list ships with the package (``geo_welfare/data/common-passwords.txt.gz``; its source and licence
are in ``data/README.md``), so nothing is looked up over the network.

A web session is a random token in the browser's signed cookie and a row of
:class:`~geo_welfare.store.models.WebSession` keyed by the token's SHA-256, so a copy of the
table gives no one a session.  A request is signed in only while its row exists and has not
expired; signing out deletes the row, and a new password or the user's removal deletes every row
of that user, in the same transaction as the change.  Signing in sweeps the expired rows away.
"""

from __future__ import annotations

import datetime
import functools
import gzip
import hashlib
import re
import secrets
from importlib import resources

from sqlalchemy import Engine, delete, insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from geo_welfare.core.errors import Problem
from geo_welfare.store.editing import EditError, NotFound
from geo_welfare.store.models import User, WebSession

ROLES = ("editor", "viewer")
MIN_PASSWORD_LENGTH = 8
#: The common-password list (one lower-case password a line, gzip), package data of ``geo_welfare.data``.
COMMON_PASSWORDS_FILE = "common-passwords.txt.gz"

_USERNAME = re.compile(r"[^\s]{1,64}")
_SOURCE = "user"  # the "file" a refusal's problems name


def _problem(field: str, key: str, found: object = None, **values: object) -> Problem:
    return Problem(_SOURCE, None, field, key, values, None if found is None else str(found))


def _now() -> datetime.datetime:
    """Now in UTC, without a zone (stored the same way on SQLite and PostgreSQL)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------------------------
# Passwords


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common passwords (lower case) that no user may choose."""
    packed = resources.files("geo_welfare.data").joinpath(COMMON_PASSWORDS_FILE).read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(packed).decode("utf-8").splitlines() if line.strip())


def password_problems(password: str, username: str) -> list[Problem]:
    """What is wrong with ``password`` for ``username`` (nothing: an empty list); the password is never echoed."""
    password = password or ""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_problem("password", "a_password_needs_at_least_characters", length=MIN_PASSWORD_LENGTH))
    if password and len(set(password)) == 1:
        problems.append(_problem("password", "a_password_must_not_repeat_one_character"))
    if password and password.casefold() == (username or "").casefold():
        problems.append(_problem("password", "a_password_must_not_be_the_user_name"))
    if password.lower() in common_passwords():
        problems.append(_problem("password", "a_password_is_too_common"))
    return problems


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when a name is unknown, so that a wrong name takes as long as a wrong password."""
    return generate_password_hash("geo-welfare: no such user")


# --------------------------------------------------------------------------------------------
# Users


def add_user(engine: Engine, username: str, password: str, role: str) -> None:
    """Add a person who may sign in; ``role`` is ``editor`` or ``viewer``; a weak password is refused."""
    problems = []
    if not _USERNAME.fullmatch(username or ""):
        problems.append(_problem("username", "a_user_name_needs_1_64", username))
    if role not in ROLES:
        problems.append(_problem("role", "role_must_be_editor_or_viewer", role))
    problems += password_problems(password, username)
    if not problems and find_user(engine, username) is not None:
        problems.append(_problem("username", "this_user_name_is_taken", username))
    if problems:
        raise EditError(problems)
    with engine.begin() as connection:
        connection.execute(delete(WebSession).where(WebSession.username == username))  # none may be left over
        connection.execute(insert(User).values(username=username, password_hash=generate_password_hash(password),
                                               role=role, created_at=_now()))


def set_password(engine: Engine, username: str, password: str) -> None:
    """Give a user a new password (held to the same rules) and end every session they have."""
    problems = password_problems(password, username)
    if problems:
        raise EditError(problems)
    with engine.begin() as connection:
        changed = connection.execute(update(User).where(User.username == username)
                                     .values(password_hash=generate_password_hash(password)))
        if changed.rowcount == 0:
            raise NotFound(username)
        connection.execute(delete(WebSession).where(WebSession.username == username))


def remove_user(engine: Engine, username: str) -> None:
    """Remove a person and end their sessions (their changes stay in the history under their name)."""
    with engine.begin() as connection:
        if connection.execute(delete(User).where(User.username == username)).rowcount == 0:
            raise NotFound(username)
        connection.execute(delete(WebSession).where(WebSession.username == username))


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


# --------------------------------------------------------------------------------------------
# Web sessions


def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(engine: Engine, username: str, lifetime: datetime.timedelta) -> str:
    """A new session for ``username`` lasting ``lifetime``; returns the token for the cookie (kept only hashed)."""
    token, now = secrets.token_urlsafe(32), _now()
    with engine.begin() as connection:
        connection.execute(delete(WebSession).where(WebSession.expires_at <= now))
        connection.execute(insert(WebSession).values(id=_session_id(token), username=username, created_at=now,
                                                     expires_at=now + lifetime))
    return token


def session_user(engine: Engine, token: str) -> dict | None:
    """The user (name and role) whose unexpired session ``token`` is, else None."""
    if not isinstance(token, str) or not token:
        return None
    statement = (select(User.username, User.role).join(WebSession, WebSession.username == User.username)
                 .where(WebSession.id == _session_id(token), WebSession.expires_at > _now()))
    with engine.connect() as connection:
        row = connection.execute(statement).mappings().first()
    return None if row is None else dict(row)


def end_session(engine: Engine, token: str) -> None:
    """Sign out: the session of ``token`` is no more (nothing happens if it had already ended)."""
    if isinstance(token, str) and token:
        with engine.begin() as connection:
            connection.execute(delete(WebSession).where(WebSession.id == _session_id(token)))
