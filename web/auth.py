"""Signing in: sessions that end on the server, sign-in limits, CSRF tokens, and who may do what.

Editors change resources; viewers only read (and see what anonymous visitors see).  The cookie is
Flask's signed session (HttpOnly, SameSite=Lax, and ``Secure`` when ``GEO_WELFARE_SECURE_COOKIES``
says the app is served over https) holding a random session token and the CSRF token.  The token
names a row of ``web_session`` (:mod:`geo_welfare.store.users`, kept by the token's hash) that
expires ``PERMANENT_SESSION_LIFETIME`` (8 hours by default) after signing in; every request looks
it up, with the user's role, so signing out, ``geo-welfare user password`` and ``user remove``
end a session at once and a cookie copied before is worth nothing after.  Every
POST/PUT/PATCH/DELETE must carry the session's CSRF token, as the form field ``csrf_token`` or the
header ``X-CSRFToken`` (JSON calls).  The signing key comes from ``GEO_WELFARE_SECRET_KEY``, else a
random key kept in a file in the store's cache directory (created on first use, owner-only).

Failed sign-ins are limited (Flask-Limiter, moving windows): :data:`PER_USER_LIMIT` for one user
name from any client, :data:`PER_CLIENT_LIMIT` for one client address whatever the names, counted
in ``GEO_WELFARE_RATELIMIT_STORAGE`` (``memory://`` for one process; a storage the workers share,
such as Redis, for several).  Past a limit ``POST /login`` answers 429 with ``Retry-After`` as
problem details, even to the right password, and logs the refusal with the user name and the
client address, never the password.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import logging
import os
import secrets
import time
from pathlib import Path

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from geo_welfare.core import config as settings
from geo_welfare.core.errors import GeoWelfareError, UsageError
from geo_welfare.web.store import get_engine
from geo_welfare.store.users import authenticate, end_session, session_user, start_session
from geo_welfare.web.i18n import page_language, word
from geo_welfare.web.problems import problem

blueprint = Blueprint("auth", __name__)

SECRET_KEY_FILE = "secret_key"
SESSION_LIFETIME = datetime.timedelta(hours=8)
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The session's key for the random token whose hash names its ``web_session`` row.
TOKEN = "token"
#: Failed sign-ins allowed for one user name (from any client), and for one client (any names).
PER_USER_LIMIT = "5 per minute; 30 per hour"
PER_CLIENT_LIMIT = "20 per minute; 100 per hour"
_LIMITER, _SIGN_IN = "geo_welfare_limiter", "geo_welfare_sign_in"  # this app's keys in ``app.extensions``

log = logging.getLogger(__name__)


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
    """Flask settings for signed, expiring, script-proof session cookies (``Secure`` if the setting asks)."""
    return {"SECRET_KEY": secret_key(database_url), "PERMANENT_SESSION_LIFETIME": SESSION_LIFETIME,
            "SESSION_COOKIE_NAME": "geo_welfare_session", "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax", "SESSION_COOKIE_SECURE": settings.secure_cookies()}


class SignInRequired(GeoWelfareError):
    """An anonymous request for what needs a signed-in user: HTTP 401."""

    http_status = 401


class NotPermitted(GeoWelfareError):
    """A signed-in user whose role does not allow the request (a viewer changing a place): HTTP 403."""

    http_status = 403


class TooManySignIns(GeoWelfareError):
    """Too many failed sign-ins for this user name or from this client: HTTP 429, with ``Retry-After``."""

    http_status = 429


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
    token = session.get(TOKEN)
    if token is not None:
        g.user = session_user(get_engine(), token)
        if g.user is None:  # expired, signed out, a new password, or the user removed
            session.pop(TOKEN, None)
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
    """Sign in, within this app's sign-in limits (:func:`set_up_limits`)."""
    return current_app.extensions[_SIGN_IN]()


def _typed_name() -> str:
    return (request.form.get("username") or "").strip()


def _sign_in():
    """Check the name and password; on success start a fresh session and go back where the user was."""
    username, engine = _typed_name(), get_engine()
    user = authenticate(engine, username, request.form.get("password") or "")
    if user is None:
        log.info("sign-in failed: user %r from %s", username[:64], request.remote_addr)
        return _login_page(word("login_failed", _language()), username, 401)
    destination = _safe_next(request.form.get("next"))
    session.clear()  # a new session (and CSRF token) on signing in: nothing carried over from before
    session.permanent = True
    session[TOKEN] = start_session(engine, user["username"], current_app.permanent_session_lifetime)
    csrf_token()
    return redirect(destination)


@blueprint.post("/logout")
def logout():
    """End the session, on the server too: its cookie is worth nothing afterwards."""
    token = session.get(TOKEN)
    if token is not None:
        end_session(get_engine(), token)
    session.clear()
    return redirect(url_for("map.index", lang=request.args.get("lang")))


@blueprint.get("/api/session")
def session_info():
    """Who is signed in, and the CSRF token a script sends back in ``X-CSRFToken``."""
    user = current_user()
    return jsonify({"username": user and user["username"], "role": user and user["role"],
                    "csrf_token": csrf_token()})


# --------------------------------------------------------------------------------------------
# Sign-in limits


def _user_key() -> str:
    return "user:" + _typed_name()[:64]


def _client_key() -> str:
    return "client:" + get_remote_address()


def _failed(response) -> bool:
    """Only failed sign-ins count (an office behind one address signing in at nine is not an attack)."""
    return response.status_code == 401


def _too_many_sign_ins(error: RateLimitExceeded):
    """429 as problem details, with ``Retry-After``; logged with the name and address, never the password."""
    window = current_app.extensions[_LIMITER].current_limit
    seconds = max(1, int((window.reset_at if window else time.time() + 60) - time.time()))
    which = "user name" if error.limit.key_func is _user_key else "client"
    log.warning("sign-in refused: too many failed sign-ins (%s per %s): user %r from %s; retry in %d s",
                error.limit.limit, which, _typed_name()[:64], request.remote_addr, seconds)
    response = problem(TooManySignIns("too_many_sign_ins", seconds=seconds))
    response.headers["Retry-After"] = str(seconds)
    return response


def set_up_limits(app: Flask) -> None:
    """This app's limiter (its storage from the settings) and its rate-limited sign-in view.

    One limiter per app, so that apps made in one process (tests, several stores) count apart;
    the keys carry a digest of the store's URL, so stores sharing one Redis count apart too.  If
    the storage cannot be reached, each worker counts in memory until it can (and logs so).
    """
    prefix = "geo-welfare-" + hashlib.sha256(app.config["DATABASE_URL"].encode("utf-8")).hexdigest()[:16]
    limiter = Limiter(_client_key, app=app, storage_uri=settings.ratelimit_storage(), strategy="moving-window",
                      key_prefix=prefix, headers_enabled=False, in_memory_fallback_enabled=True, swallow_errors=True)
    per_user = limiter.limit(PER_USER_LIMIT, key_func=_user_key, deduct_when=_failed)
    per_client = limiter.limit(PER_CLIENT_LIMIT, key_func=_client_key, deduct_when=_failed)
    app.extensions[_LIMITER] = limiter
    app.extensions[_SIGN_IN] = per_client(per_user(_sign_in))
    app.register_error_handler(RateLimitExceeded, _too_many_sign_ins)


@blueprint.record_once
def _limit_sign_ins(state) -> None:
    set_up_limits(state.app)
