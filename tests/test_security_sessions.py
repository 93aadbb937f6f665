"""Sessions that end, sign-ins that are throttled, passwords that are not common.

* A session is a random token in the (signed) cookie and a row in ``web_session`` (kept by the
  token's SHA-256): logging out, a new password (``geo-welfare user password``) and removing the
  user delete the rows, so a cookie captured before is worth nothing after (on both stores).
* ``POST /login`` answers 429 with ``Retry-After`` (problem details) after too many failed
  sign-ins for one user name, or from one client; with a Redis storage the count is shared by
  the workers of one server (gunicorn ``-w 2``, loopback only, every loop bounded).
* A password must be 8 characters or more, not one repeated character, not the user name, and
  not in the list of common passwords shipped with the package.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import hashlib
import http.cookiejar
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from geo_welfare.cli import main
from geo_welfare.store import open_store
from geo_welfare.store.editing import EditError
from geo_welfare.store.importing import import_resources
from geo_welfare.store.models import Resource, User, WebSession
from geo_welfare.store.users import add_user
from geo_welfare.web import create_app
from helpers import IN_CI

EDITOR, PASSWORD = "tanaka", "kawa-no-nagare-27"
NEW_PASSWORD = "yama-no-sakura-31"
COOKIE = "geo_welfare_session"
REDIS_URL = "redis://127.0.0.1:6379/0"
#: The limits the app promises (``geo_welfare.web.auth``): failed sign-ins per user name and per client, a minute.
PER_USER, PER_CLIENT = 5, 20
RESOURCES_CSV = "ID,名称,種別,住所,緯度,経度,公開\nR1,ひだまりサロン,サロン,テスト町一丁目1番1号,35.2010,139.4010,公開\n"
NEW_PLACE = {"name": "よそものサロン", "kind": "サロン", "lon": 139.4012, "lat": 35.2012}


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    """A fresh signing key per test, and no storage or cookie setting from the machine's environment."""
    monkeypatch.setenv("GEO_WELFARE_SECRET_KEY", uuid.uuid4().hex)
    monkeypatch.delenv("GEO_WELFARE_RATELIMIT_STORAGE", raising=False)
    monkeypatch.delenv("GEO_WELFARE_SECURE_COOKIES", raising=False)


@pytest.fixture
def office(store_url, tmp_path):
    """A store (each backend) with one place and one editor."""
    places = tmp_path / "resources.csv"
    places.write_text(RESOURCES_CSV, encoding="utf-8")
    engine = open_store(store_url)
    import_resources(engine, [places])
    add_user(engine, EDITOR, PASSWORD, "editor")
    return store_url


def cli(url: str, *arguments: str, input: str | None = None):
    return CliRunner().invoke(main, ["--database", url, "--lang", "en", *arguments], input=input)


def login_form_token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, username: str, password: str):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": login_form_token(client), "next": "/"})


def places(url: str) -> list[tuple]:
    with open_store(url).connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(Resource.id, Resource.name, Resource.fee, func.ST_AsText(Resource.geom)).order_by(Resource.id))]


def session_rows(url: str) -> list[tuple]:
    with open_store(url).connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(WebSession.id, WebSession.username, WebSession.created_at, WebSession.expires_at))]


def replay_edits(app, cookie: str, token: str) -> list[int]:
    """A client that only has the captured cookie (and the CSRF token it carries) tries every kind of edit."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    headers = {"X-CSRFToken": token}
    identifier = places_ids(app.config["DATABASE_URL"])[0]
    calls = [thief.post("/api/resources", json=NEW_PLACE, headers=headers),
             thief.patch(f"/api/resources/{identifier}", json={"fee": "1000円"}, headers=headers),
             thief.post(f"/api/resources/{identifier}/move", json={"lon": 139.403, "lat": 35.201}, headers=headers),
             thief.delete(f"/api/resources/{identifier}", headers=headers)]
    assert thief.get("/api/session").get_json()["username"] is None
    return [response.status_code for response in calls]


def places_ids(url: str) -> list[int]:
    return [row[0] for row in places(url)]


def signed_in_editor(url: str):
    """An app, a signed-in editor's client on it, the editor's cookie value and CSRF token."""
    app = create_app(url, tiles="none")
    client = app.test_client()
    assert sign_in(client, EDITOR, PASSWORD).status_code == 302
    assert client.get("/api/session").get_json()["username"] == EDITOR
    return app, client, client.get_cookie(COOKIE).value, client.get("/api/session").get_json()["csrf_token"]


# ---------------------------------------------------------------------------------------------
# Sessions end on the server


def test_a_cookie_captured_before_logout_is_refused_after_it(office):
    app, client, cookie, token = signed_in_editor(office)
    before = places(office)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert replay_edits(app, cookie, token) == [401] * 4
    assert places(office) == before
    assert session_rows(office) == []


@pytest.mark.parametrize("change", ["password", "remove"])
def test_a_new_password_or_removal_ends_every_session_of_the_user(office, change):
    app, _, cookie, token = signed_in_editor(office)
    _, _, other_cookie, other_token = signed_in_editor(office)  # a second browser of the same person
    assert len(session_rows(office)) == 2
    before = places(office)
    if change == "password":
        result = cli(office, "user", "password", EDITOR, input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
        assert result.exit_code == 0, result.output
        assert NEW_PASSWORD not in result.output
    else:
        assert cli(office, "user", "remove", EDITOR).exit_code == 0
        # Someone else given the same name later does not inherit the old cookies.
        add_user(open_store(office), EDITOR, NEW_PASSWORD, "editor")
    assert session_rows(office) == []
    assert replay_edits(app, cookie, token) == [401] * 4
    assert replay_edits(app, other_cookie, other_token) == [401] * 4
    assert places(office) == before
    fresh = app.test_client()
    assert sign_in(fresh, EDITOR, PASSWORD).status_code == 401  # the old password is no good any more
    assert sign_in(fresh, EDITOR, NEW_PASSWORD).status_code == 302


def test_the_table_keeps_the_token_hash_and_expired_rows_are_cleaned_up(office):
    app = create_app(office, tiles="none")
    app.config["PERMANENT_SESSION_LIFETIME"] = datetime.timedelta(seconds=1)
    client = app.test_client()
    assert sign_in(client, EDITOR, PASSWORD).status_code == 302
    [(identifier, username, created, expires)] = session_rows(office)
    assert username == EDITOR and re.fullmatch(r"[0-9a-f]{64}", identifier)
    assert 0 < (expires - created).total_seconds() <= 1.5
    cookie = client.get_cookie(COOKIE).value
    assert identifier not in cookie  # the cookie holds the token, the table only its hash
    token = app.session_interface.get_signing_serializer(app).loads(cookie)["token"]
    assert hashlib.sha256(token.encode()).hexdigest() == identifier
    time.sleep(1.5)
    assert client.get("/api/session").get_json()["username"] is None
    other = app.test_client()
    assert sign_in(other, EDITOR, PASSWORD).status_code == 302  # signing in sweeps the expired rows
    assert [row[0] for row in session_rows(office)] != [identifier] and len(session_rows(office)) == 1


def test_cookies_are_secure_only_when_the_setting_says_so(office, monkeypatch):
    plain = create_app(office, tiles="none").test_client()
    assert "Secure" not in sign_in(plain, EDITOR, PASSWORD).headers["Set-Cookie"]
    monkeypatch.setenv("GEO_WELFARE_SECURE_COOKIES", "true")
    secure = create_app(office, tiles="none").test_client()
    cookie = sign_in(secure, EDITOR, PASSWORD).headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    monkeypatch.setenv("GEO_WELFARE_SECURE_COOKIES", "yes please")
    with pytest.raises(ValueError, match="GEO_WELFARE_SECURE_COOKIES"):
        create_app(office, tiles="none")


# ---------------------------------------------------------------------------------------------
# Sign-in limits


@pytest.fixture
def one_office(spatialite_url, tmp_path):
    """The office on SpatiaLite only (the limits do not depend on the store)."""
    places_file = tmp_path / "resources.csv"
    places_file.write_text(RESOURCES_CSV, encoding="utf-8")
    engine = open_store(spatialite_url)
    import_resources(engine, [places_file])
    add_user(engine, EDITOR, PASSWORD, "editor")
    return spatialite_url


def client_at(app, address: str):
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "urn:geo-welfare:problem:too_many_sign_ins" and body["status"] == 429
    assert body["error"] and body["error_en"] and "password" not in body
    assert 0 < int(response.headers["Retry-After"]) <= 3600


def test_one_user_name_from_one_client_is_throttled(one_office, caplog):
    app = create_app(one_office, tiles="none")
    client = client_at(app, "127.0.0.21")
    caplog.set_level(logging.INFO, logger="geo_welfare.web.auth")
    statuses = [sign_in(client, EDITOR, f"wrong-guess-{n}").status_code for n in range(PER_USER)]
    assert statuses == [401] * PER_USER
    for n in range(3):
        assert_throttled(sign_in(client, EDITOR, f"wrong-guess-x{n}"))
    assert_throttled(sign_in(client, EDITOR, PASSWORD))  # even the right password waits
    # The user name is held from every client; another name from this client is not (yet).
    elsewhere = client_at(app, "127.0.0.22")
    assert_throttled(sign_in(elsewhere, EDITOR, PASSWORD))
    assert sign_in(client, "someone-else", "wrong-guess-y").status_code == 401
    refusals = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert refusals and all(EDITOR in line and "127.0.0.2" in line for line in refusals)
    assert not any("wrong-guess" in record.getMessage() or PASSWORD in record.getMessage()
                   for record in caplog.records)


def test_many_user_names_from_one_client_are_throttled(one_office):
    app = create_app(one_office, tiles="none")
    client = client_at(app, "127.0.0.31")
    statuses = [sign_in(client, f"guess{n}", "wrong-guess").status_code for n in range(PER_CLIENT)]
    assert statuses == [401] * PER_CLIENT
    assert_throttled(sign_in(client, "guess-last", "wrong-guess"))
    assert_throttled(sign_in(client, EDITOR, PASSWORD))
    other = client_at(app, "127.0.0.32")
    assert sign_in(other, EDITOR, PASSWORD).status_code == 302  # other clients are not held


def test_a_good_sign_in_does_not_count(one_office):
    client = create_app(one_office, tiles="none").test_client()
    for _ in range(PER_USER + 2):
        assert sign_in(client, EDITOR, PASSWORD).status_code == 302


# ---------------------------------------------------------------------------------------------
# The limit across two gunicorn workers sharing Redis


@pytest.fixture
def redis_url() -> str:
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis not reachable at {REDIS_URL} ({error}); scripts/setup.sh --test installs and starts it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def two_workers(one_office, redis_url, tmp_path, monkeypatch):
    """``gunicorn -w 2`` on a free loopback port over the office's store, limits in Redis; yields (base, log)."""
    port, log = _free_port(), tmp_path / "access.log"
    environment = {"GEO_WELFARE_DATABASE_URL": one_office, "GEO_WELFARE_RATELIMIT_STORAGE": redis_url,
                   "GEO_WELFARE_TILES": "none"}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-w", "2", "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s", "geo_welfare.web:create_app()"],
        cwd=tmp_path, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/login", timeout=5).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer within 60 s")
        yield base, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Browser:
    """A cookie-keeping HTTP client over urllib that does not follow redirects."""

    def __init__(self, base: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()

    def _opener(self):
        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), Stay)

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self._opener().open(self.base + path, data=body, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def sign_in(self, username: str, password: str) -> tuple[int, dict]:
        _, _, page = self.request("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, headers, _ = self.request("/login", {"username": username, "password": password,
                                                     "csrf_token": token, "next": "/"})
        return status, headers


def _workers(log: Path, status: str) -> set[str]:
    return {line.split()[0] for line in log.read_text().splitlines() if line.split()[1:] == [status]}


def test_the_limit_holds_across_two_workers_sharing_redis(two_workers):
    base, log = two_workers
    statuses = [Browser(base).sign_in(EDITOR, f"wrong-guess-{n}")[0] for n in range(PER_USER)]
    assert statuses == [401] * PER_USER
    # Concurrent tries land on both workers; every one is held, whichever worker took it.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for round_ in range(6):
            answers = list(pool.map(lambda n: Browser(base).sign_in(EDITOR, f"wrong-{round_}-{n}"), range(4)))
            assert [status for status, _ in answers] == [429] * 4
            assert all(int(headers["Retry-After"]) > 0 for _, headers in answers)
            time.sleep(0.3)  # gunicorn writes its access log after the answer
            if len(_workers(log, "429")) == 2:
                break
    assert len(_workers(log, "429")) == 2, log.read_text()
    assert len(_workers(log, "401")) >= 1 and log.read_text().split().count("401") == PER_USER
    assert Browser(base).sign_in(EDITOR, PASSWORD)[0] == 429


# ---------------------------------------------------------------------------------------------
# Passwords


@pytest.mark.parametrize("password, rule", [("password", "common"), ("12345678", "common"),
                                            ("aaaaaaaa", "one character"), ("WATANABE", "user name"),
                                            ("short", "at least 8")])
def test_weak_passwords_are_refused_by_add_user(spatialite_url, password, rule):
    engine = open_store(spatialite_url)
    with pytest.raises(EditError) as refused:
        add_user(engine, "watanabe", password, "editor")
    assert rule in refused.value.message("en")
    assert refused.value.fields == ["password"]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(User)).scalar_one() == 0
    add_user(engine, "watanabe", PASSWORD, "editor")  # a good one is taken


@pytest.mark.parametrize("password, rule", [("password", "common"), ("12345678", "common"),
                                            ("aaaaaaaa", "one character"), ("sato1234", "user name")])
def test_weak_passwords_are_refused_by_the_command_line(spatialite_url, password, rule):
    refused = cli(spatialite_url, "user", "add", "sato1234", "--role", "editor", input=f"{password}\n{password}\n")
    assert refused.exit_code == 1 and rule in refused.output, refused.output
    assert cli(spatialite_url, "user", "list").stdout.strip() == ""
    added = cli(spatialite_url, "user", "add", "sato1234", "--role", "editor", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    changed = cli(spatialite_url, "user", "password", "sato1234", input=f"{password}\n{password}\n")
    assert changed.exit_code == 1 and rule in changed.output, changed.output
    client = create_app(spatialite_url, tiles="none").test_client()
    assert sign_in(client, "sato1234", PASSWORD).status_code == 302  # unchanged


def test_the_password_command(spatialite_url):
    assert cli(spatialite_url, "user", "add", "sato", "--role", "viewer",
               input=f"{PASSWORD}\n{PASSWORD}\n").exit_code == 0
    mismatch = cli(spatialite_url, "user", "password", "sato", input=f"{NEW_PASSWORD}\nsomething-else-9\n")
    assert mismatch.exit_code != 0
    missing = cli(spatialite_url, "user", "password", "nobody", input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert missing.exit_code == 1 and "No such user: nobody" in missing.output
    changed = cli(spatialite_url, "user", "password", "sato", input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert changed.exit_code == 0 and "sato" in changed.output and NEW_PASSWORD not in changed.output
    client = create_app(spatialite_url, tiles="none").test_client()
    assert sign_in(client, "sato", PASSWORD).status_code == 401
    assert sign_in(client, "sato", NEW_PASSWORD).status_code == 302
    assert "password" in cli(spatialite_url, "user", "--help").output


def test_the_common_password_list_ships_with_the_package():
    from geo_welfare.store.users import common_passwords
    listed = common_passwords()
    assert len(listed) > 15000 and {"password", "12345678", "qwertyui"} <= listed
    assert PASSWORD not in listed and NEW_PASSWORD not in listed
