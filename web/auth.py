"""Signing in: sessions that expire, CSRF tokens, and who may do what.

Editors change resources; viewers only read (and see what anonymous visitors see).  The session
is Flask's signed cookie (HttpOnly, SameSite=Lax), ended ``PERMANENT_SESSION_LIFETIME`` (8 hours
by default) after signing in; the user's role is read from the store on every request, so
``geo-welfare user remove`` takes effect at once.  Every POST/PUT/PATCH/DELETE must carry the
session's CSRF token, as the form field ``csrf_token`` or the header ``X-CSRFToken`` (JSON calls).
The signing key comes from ``GEO_WELFARE_SECRET_KEY``, else a random key kept in a file in the
store's cache directory (created on first use, readable by its owner only).
"""

from __future__ import annotations

import datetime
import functools
import hmac
import os
import secrets
import time
from pathlib import Path

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for

from geo_welfare.core import config as settings
from geo_welfare.core.errors import GeoWelfareError, UsageError
from geo_welfare.web.store import get_engine
from geo_welfare.store.editing import authenticate, find_user
from geo_welfare.web.i18n import page_language, word

blueprint = Blueprint("auth", __name__)

SECRET_KEY_FILE = "secret_key"
SESSION_LIFETIME = datetime.timedelta(hours=8)
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def secret_key(database_url: str) -> str:
    """``GEO_WELFARE_SECRET_KEY``, else the random key stored beside the store (made on first use)."""
    from_env = settings.secret_key()
    if from_env:
        return from_env
    path = settings.cache_directory(database_url) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return _read_key(path)


def _read_key(path: Path) -> str:
    for _ in range(50):  # another process may be writing it this instant
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"empty secret key file {path}")


def session_settings(database_url: str) -> dict:
    """Flask settings for signed, expiring, script-proof session cookies."""
    return {"SECRET_KEY": secret_key(database_url), "PERMANENT_SESSION_LIFETIME": SESSION_LIFETIME,
            "SESSION_COOKIE_NAME": "geo_welfare_session", "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax"}


class SignInRequired(GeoWelfareError):
    """An anonymous request for what needs a signed-in user: HTTP 401."""

    http_status = 401


class NotPermitted(GeoWelfareError):
    """A signed-in user whose role does not allow the request (a viewer changing a place): HTTP 403."""

    http_status = 403


def _language() -> str:
    return page_language(request.args.get("lang"), current_app.config["LANGUAGE"])


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def current_user() -> dict | None:
    """The signed-in user (``username``, ``role``) or None."""
    return g.get("user")


def is_editor() -> bool:
    """Whether the request comes from a signed-in editor (who may also see staff-only places)."""
    user = current_user()
    return user is not None and user["role"] == "editor"


@blueprint.before_app_request
def _load_user_and_check_csrf():
    g.user = None
    if request.endpoint == "static":
        return None
    name = session.get("username")
    if name is not None:
        lifetime = current_app.permanent_session_lifetime.total_seconds()
        user = find_user(get_engine(), name) if time.time() - session.get("since", 0) <= lifetime else None
        if user is None:  # expired, or removed since signing in
            for key in ("username", "role", "since"):
                session.pop(key, None)
        else:
            g.user = user
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
        expected = session.get(CSRF_FIELD) or ""
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            raise UsageError("csrf_failed")
    return None


def _turn_away(status: int):
    """401: a page sends the visitor to sign in, the API refuses; 403: refused (answered by :mod:`.problems`)."""
    if status == 401 and not request.path.startswith("/api/"):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if status == 401:
        raise SignInRequired("sign_in_required")
    raise NotPermitted("editors_only")


def login_required(view):
    """Refuse anonymous requests: 401 for the API, the sign-in page for pages."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return _turn_away(401)
        return view(*args, **kwargs)
    return wrapped


def editor_required(view):
    """Only editors: anonymous → 401, a viewer → 403."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return _turn_away(401)
        if not is_editor():
            return _turn_away(403)
        return view(*args, **kwargs)
    return wrapped


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("map.index")


def _login_page(error: str | None = None, username: str = "", status: int = 200):
    lang = _language()
    body = render_template("login.html", lang=lang, w=lambda key: word(key, lang), error=error,
                           username=username, csrf_token=csrf_token(), next=_safe_next(request.values.get("next")))
    return body, status


@blueprint.get("/login")
def login():
    """The sign-in form."""
    return _login_page()


@blueprint.post("/login")
def login_post():
    """Check the name and password; on success start a fresh session and go back where the user was."""
    username = (request.form.get("username") or "").strip()
    user = authenticate(get_engine(), username, request.form.get("password") or "")
    if user is None:
        return _login_page(word("login_failed", _language()), username, 401)
    destination = _safe_next(request.form.get("next"))
    session.clear()  # a new session (and CSRF token) on signing in: nothing carried over from before
    session.permanent = True
    session.update(username=user["username"], role=user["role"], since=time.time())
    csrf_token()
    return redirect(destination)


@blueprint.post("/logout")
def logout():
    """End the session."""
    session.clear()
    return redirect(url_for("map.index", lang=request.args.get("lang")))


@blueprint.get("/api/session")
def session_info():
    """Who is signed in, and the CSRF token a script sends back in ``X-CSRFToken``."""
    user = current_user()
    return jsonify({"username": user and user["username"], "role": user and user["role"],
                    "csrf_token": csrf_token()})
