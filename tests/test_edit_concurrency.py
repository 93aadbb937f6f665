"""Two editors saving one place at the same moment, through the production server: no saved change is lost.

The README's production command, ``gunicorn -w 4 'geo_welfare.web:create_app()'`` with the store in
``GEO_WELFARE_DATABASE_URL``, runs on a free loopback port over a SpatiaLite file and over a real
PostGIS database.  Two editors (made with ``geo-welfare user add``, the password on stdin) sign in
and, round after round, read the place, wait for each other and save at the same instant with
the version they read: different fields (or a field and a move), then the same field.

Every answer is either 200 (the change is in the store afterwards, and in the history) or 409
(nothing written; the answer names the field with the value sent, the value stored and who
stored it), never a 200 whose change is gone.  The history, replayed from the place's creation,
ends exactly at what the store holds, and the version counts every change.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROUNDS = 20
WORKERS = 4
TIMEOUT = 30  # seconds, for any one request
EDITORS = {"tanaka": "tanaka-password-1", "suzuki": "suzuki-password-2"}
START = {"name": "同時編集サロン", "kind": "salon", "fee": "無料", "note": "はじめ", "lon": 139.401, "lat": 35.201}


class Editor:
    """One signed-in editor talking JSON to the server over loopback (urllib, its own cookie jar)."""

    def __init__(self, base: str, username: str, password: str):
        self.base, self.username = base, username
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self._open(urllib.request.Request(base + "/login"))[2]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token,
                                       "next": "/"}).encode()
        assert self._open(urllib.request.Request(base + "/login", data=form))[0] == 200  # the map, after the redirect
        self.csrf = self.call("GET", "/api/session")[1]["csrf_token"]
        assert self.call("GET", "/api/session")[1]["username"] == username

    def _open(self, request) -> tuple[int, dict, str]:
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def call(self, method: str, path: str, body: dict | None = None, version: int | None = None):
        """(status, JSON body, headers) of one API call; ``version`` goes in ``If-Match``."""
        headers = {"Accept": "application/json"}
        if method != "GET":
            headers["X-CSRFToken"] = self.csrf
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        status, answer_headers, text = self._open(urllib.request.Request(self.base + path, data=data,
                                                                         headers=headers, method=method))
        return status, json.loads(text) if text else {}, answer_headers


@pytest.fixture
def production_server(store_url, tmp_path):
    """The place and two editors in a fresh store (each backend), and gunicorn -w 4 over it; yields (base, id)."""
    from geo_welfare.store import open_store
    from geo_welfare.store.editing import create_resource

    command = Path(sys.executable).with_name("geo-welfare")
    for name, password in EDITORS.items():
        made = subprocess.run([str(command), "--database", store_url, "--lang", "en", "user", "add", name,
                               "--role", "editor"], input=f"{password}\n{password}\n", capture_output=True,
                              text=True, timeout=120)
        assert made.returncode == 0, made.stderr
    identifier = create_resource(open_store(store_url), START, "importer")
    environment = {**os.environ, "GEO_WELFARE_DATABASE_URL": store_url, "GEO_WELFARE_TILES": "none",
                   "GEO_WELFARE_SECRET_KEY": uuid.uuid4().hex}
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-w", str(WORKERS),
                               "-b", "127.0.0.1:0", "--timeout", str(TIMEOUT), "geo_welfare.web:create_app()"],
                              cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    try:
        yield _wait_until_listening(server), identifier
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_listening(server: subprocess.Popen) -> str:
    """The base URL from gunicorn's "Listening at" line, once every worker answers."""
    deadline, base = time.monotonic() + 90, None
    while base is None:
        line = server.stderr.readline()
        assert line or server.poll() is None, "gunicorn stopped before listening"
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
        base = found and found.group(1)
        assert time.monotonic() < deadline, "gunicorn did not listen within 90 s"
    threading.Thread(target=server.stderr.read, daemon=True).start()  # keep draining its log
    while True:
        try:
            urllib.request.urlopen(base + "/api/session", timeout=5).close()
            return base
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.2)


def _at_once(*saves):
    """Run the saves in threads released together; their (status, body) in order."""
    barrier, results = threading.Barrier(len(saves)), [None] * len(saves)

    def run(index, save):
        barrier.wait(timeout=TIMEOUT)
        results[index] = save()

    threads = [threading.Thread(target=run, args=(index, save)) for index, save in enumerate(saves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT)
    assert all(result is not None for result in results), "a save did not answer in time"
    return [result[:2] for result in results]


def _save(editor: Editor, identifier: int, change: dict, version: int):
    if set(change) == {"lon", "lat"}:
        return lambda: editor.call("POST", f"/api/resources/{identifier}/move", change, version)
    return lambda: editor.call("PATCH", f"/api/resources/{identifier}", change, version)


def _holds(stored: dict, change: dict) -> bool:
    return all(stored[field] == pytest.approx(value, abs=1e-9) if isinstance(value, float) else stored[field] == value
               for field, value in change.items())


def _check_refusal(body: dict, change: dict, stored: dict, version: int) -> None:
    """A 409 names every field sent: the editor's value, the stored one, and the version now stored."""
    assert body["status"] == 409 and body["error"] and body["error_en"], body
    assert body["version"] == version
    conflicts = {conflict["field"]: conflict for conflict in body["conflicts"]}
    assert set(conflicts) == set(change), body
    for field, value in change.items():
        assert conflicts[field]["yours"] == value and _holds({field: conflicts[field]["theirs"]}, {field: stored[field]})
        assert conflicts[field]["message"] and conflicts[field]["message_en"]


def _round(number: int, editors: list[Editor], identifier: int, same_field: bool) -> dict:
    """One round of two simultaneous saves; returns the figures (acknowledged, lost, refused, resent)."""
    first, second = editors
    status, record, headers = first.call("GET", f"/api/resources/{identifier}")
    assert status == 200
    version = record.get("version")  # checked with its ETag once the figures are in
    if same_field:
        changes = [{"note": f"{first.username} {number}"}, {"note": f"{second.username} {number}"}]
    elif number % 2:
        changes = [{"fee": f"{number}00円"}, {"lon": round(139.401 + number * 1e-5, 7), "lat": 35.201}]
    else:
        changes = [{"fee": f"{number}00円"}, {"note": f"{second.username} {number}"}]
    answers = _at_once(*(_save(editor, identifier, change, version) for editor, change in zip(editors, changes)))
    stored = first.call("GET", f"/api/resources/{identifier}")[1]
    figures = {"acknowledged": 0, "lost": 0, "refused": 0}
    for (status, body), change in zip(answers, changes):
        assert status in (200, 409), (status, body)
        if status == 200:
            figures["acknowledged"] += 1
            figures["lost"] += not _holds(stored, change)
        else:
            figures["refused"] += 1
            _check_refusal(body, change, stored, stored["version"])
            if same_field:  # the other editor stored the note: the answer says who
                assert body["conflicts"][0]["changed_by"] == stored["note"].split()[0], body
    if not same_field:  # the editor refused keeps theirs: sent again on the new version, it is saved
        for (status, body), change, editor in zip(answers, changes, editors):
            if status == 409:
                again = _save(editor, identifier, change, body["version"])()
                assert again[0] == 200 and again[2]["ETag"] == f'"{body["version"] + 1}"', again[:2]
                assert _holds(first.call("GET", f"/api/resources/{identifier}")[1], {**changes[0], **changes[1]})
    return figures


def _replay(history: list[dict]) -> dict:
    """The place as its history tells it: each change starting from the value the one before left."""
    assert history[0]["action"] == "create"
    state = {field: pair[1] for field, pair in history[0]["changes"].items()}
    for change in history[1:]:
        for field, (old, new) in change["changes"].items():
            assert _holds({field: state.get(field)}, {field: old}), (field, old, state.get(field), change)
            state[field] = new
    return state


def test_simultaneous_saves_lose_no_acknowledged_change(production_server):
    base, identifier = production_server
    editors = [Editor(base, name, password) for name, password in EDITORS.items()]
    totals = {kind: {"acknowledged": 0, "lost": 0, "refused": 0} for kind in ("different fields", "same field")}
    for number in range(2 * ROUNDS):
        kind = "same field" if number >= ROUNDS else "different fields"
        figures = _round(number, editors[::1 if number % 4 < 2 else -1], identifier, same_field=number >= ROUNDS)
        totals[kind] = {key: totals[kind][key] + figures[key] for key in figures}
    print(f"\n{base}: {totals}, {ROUNDS} rounds each")
    lost = sum(figures["lost"] for figures in totals.values())
    assert lost == 0, f"{lost} acknowledged edits lost in {2 * ROUNDS} rounds: {totals}"
    # Each round one save is stored and the other, whoever came second, is stale (409).
    assert all(figures["refused"] == ROUNDS for figures in totals.values()), totals

    status, stored, _ = editors[0].call("GET", f"/api/resources/{identifier}")
    history = editors[0].call("GET", f"/api/resources/{identifier}/history")[1]
    state = _replay(history)
    assert _holds(stored, {field: state.get(field) for field in ("fee", "note", "lon", "lat")}), (stored, state)
    assert len(history) == 1 + 2 * ROUNDS + ROUNDS  # created; two saves a round of different fields, one of the same
    assert stored["version"] == len(history)  # created as version 1, and one more for every change
    assert editors[1].call("GET", f"/api/resources/{identifier}")[2]["ETag"] == f'"{stored["version"]}"'
