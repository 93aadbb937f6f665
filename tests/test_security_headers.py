"""Security headers on every response, and the coordinator's page asking no outside tile server about a client.

Every GET route of the app (read from ``app.url_map``, so a new route is checked without editing
this file) is called with parameters that answer 200, as a signed-in editor (who may call every
one of them); each answer must carry the Content-Security-Policy, ``nosniff``, ``no-referrer`` and
``DENY``, the policy must allow scripts only from the app and the response's nonce, and every page's
inline ``<script>`` must carry that nonce, with no event-handler attributes or ``javascript:`` links.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from geo_welfare.store import open_store
from geo_welfare.store.read import read_resources
from geo_welfare.store.users import add_user
from geo_welfare.web import create_app
from geo_welfare.web.security import tile_origin
from helpers import Watched, serve

EDITOR, PASSWORD = "headers-editor", "correct horse battery 7"
GSI = "https://cyberjapandata.gsi.go.jp"
#: A public place of the demo town, and a point beside it (a client's home, as the page sends it).
HOME = (139.399133, 35.2081)
#: Parameters each GET route needs to answer 200 (path parameters and query string).
ROUTE_VALUES = {
    "static": ({"filename": "map.js"}, ""),
    "printmap.district_map": ({"unit": "elementary_district", "code": "E02", "fmt": "pdf"}, ""),
    "csw.district": ({"unit": "elementary_district", "code": "E02"}, ""),
    "profile.profile_page": ({"unit": "elementary_district", "code": "E02"}, ""),
    "profile.profile_pdf_view": ({"unit": "elementary_district", "code": "E02"}, ""),
    "api.areas": ({}, "?unit=small_area"),
    "desks.desks_page": ({}, "?code=E02"),
}
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: [sources]}."""
    text = response.headers.get("Content-Security-Policy")
    assert text, f"{response.request.path}: no Content-Security-Policy"
    directives = [part.split() for part in text.split(";") if part.strip()]
    return {parts[0]: parts[1:] for parts in directives}


def check_headers(response, images: set[str]) -> dict[str, list[str]]:
    """The four headers are there and the policy is the app's; returns the policy."""
    path = response.request.path
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    csp = policy(response)
    scripts = csp["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, path
    assert scripts[0] == "'self'" and len(scripts) == 2 and re.fullmatch(r"'nonce-[A-Za-z0-9_-]{16,}'", scripts[1])
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert set(csp["img-src"]) == images, path
    assert all(source in ("'self'", "'unsafe-inline'") for source in csp.get("style-src", [])), path
    return csp


class Scripts(HTMLParser):
    """Every ``<script>`` of a page with its attributes; event-handler attributes and ``javascript:`` URLs."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]
        self.urls += [value for name, value in attrs if name in ("href", "src", "action", "formaction")
                      and value and value.strip().lower().startswith("javascript:")]


def check_page(response, csp: dict[str, list[str]]) -> None:
    """Inline scripts carry the response's nonce; no inline handlers; data blocks are JSON, not code."""
    nonce = csp["script-src"][1][len("'nonce-"):-1]
    parser = Scripts()
    parser.feed(response.get_data(as_text=True))
    path = response.request.path
    assert parser.handlers == [] and parser.urls == [], path
    for script in parser.scripts:
        if "src" in script:
            assert script["src"].startswith("/static/"), (path, script)  # the app's own files only
        elif script.get("type") != "application/json":
            assert script.get("nonce") == nonce, (path, script)


@pytest.fixture(scope="module")
def signed_in(demo):
    """A client of the demo town signed in as an editor, and the id of a public place."""
    engine = open_store(demo)
    add_user(engine, EDITOR, PASSWORD, "editor")
    client = create_app(demo, tiles="gsi").test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": EDITOR, "password": PASSWORD, "csrf_token": token,
                                       "next": "/"}).status_code == 302
    return client, int(read_resources(engine)["id"].iloc[0])


@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_every_get_route_answers_with_the_security_headers(signed_in):
    client, resource = signed_in
    app = client.application
    values = dict(ROUTE_VALUES, **{endpoint: ({"resource_id": resource}, "") for endpoint in
                                   ("editing.one", "editing.history")})
    checked, nonces = [], set()
    with app.test_request_context():
        from flask import url_for
        urls = []
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods:
                arguments, query = values.get(rule.endpoint, ({}, ""))
                urls.append((rule.endpoint, url_for(rule.endpoint, **arguments) + query))
    for endpoint, url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        images = {"'self'", "data:"} if endpoint == "coordinator.page" else {"'self'", "data:", GSI}
        csp = check_headers(response, images)
        nonces.add(csp["script-src"][1])
        if response.mimetype == "text/html":
            check_page(response, csp)
        checked.append(endpoint)
    assert {"map.index", "planner.page", "coordinator.page", "csw.page", "auth.login", "static", "api.resources",
            "printmap.district_map", "editing.history"} <= set(checked)
    assert len(nonces) == len(checked)  # a new nonce for every response


@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_errors_refusals_and_changes_carry_the_headers_too(demo):
    client = create_app(demo, tiles="none").test_client()
    answers = [client.get("/no/such/page"), client.get("/api/resources?kind=nosuch"),
               client.post("/api/resources", json={}),  # no CSRF token: refused
               client.get("/api/resources/1"),  # an editor's route, anonymously: 401
               client.post("/api/nearest", json={"lon": HOME[0], "lat": HOME[1]}),
               client.get("/static/no-such-file.js")]
    assert [answer.status_code for answer in answers] == [404, 400, 400, 401, 400, 404]
    for answer in answers:
        check_headers(answer, {"'self'", "data:"})  # no tiles: images from the app alone


def test_tile_origins_in_the_policy():
    assert tile_origin("https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png") == GSI
    assert tile_origin("https://{s}.tile.example.org:8443/{z}/{x}/{y}.png") == "https://*.tile.example.org:8443"
    assert tile_origin("/tiles/{z}/{x}/{y}.png") is None  # the app's own: 'self'
    assert tile_origin("https://a.example;script-src *'/{z}/{x}/{y}.png") == "'none'"  # never written as given


def test_the_policy_names_the_configured_tile_server(spatialite_url, monkeypatch):
    monkeypatch.delenv("GEO_WELFARE_COORDINATOR_TILES", raising=False)
    for tiles, images in (("osm", {"'self'", "data:", "https://tile.openstreetmap.org"}),
                          ("http://10.0.0.5:8080/{z}/{x}/{y}.png", {"'self'", "data:", "http://10.0.0.5:8080"}),
                          ("none", {"'self'", "data:"})):
        app = create_app(spatialite_url, tiles=tiles)
        check_headers(app.test_client().get("/"), images)
        check_headers(app.test_client().get("/coordinator"), images if tiles != "osm" else {"'self'", "data:"})


# ---------------------------------------------------------------------------------------------
# The coordinator's page and the tile servers.

def coordinator_config(client) -> dict:
    import json
    page = client.get("/coordinator").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="gw-coordinator-config">(.*?)</script>', page, re.S)
    return json.loads(block.group(1))


def test_the_coordinator_draws_outside_tiles_only_when_the_operator_allows(spatialite_url, monkeypatch):
    monkeypatch.delenv("GEO_WELFARE_COORDINATOR_TILES", raising=False)
    assert coordinator_config(create_app(spatialite_url).test_client())["tiles"] is None  # gsi, the default
    assert coordinator_config(create_app(spatialite_url, tiles="osm").test_client())["tiles"] is None
    local = "http://127.0.0.1:8081/{z}/{x}/{y}.png"
    assert coordinator_config(create_app(spatialite_url, tiles=local).test_client())["tiles"]["url"] == local
    assert coordinator_config(create_app(spatialite_url, tiles="/tiles/{z}/{x}/{y}.png").test_client())["tiles"]
    outside = "https://tiles.example.org/{z}/{x}/{y}.png"  # a host name says nothing for certain: outside
    assert coordinator_config(create_app(spatialite_url, tiles=outside).test_client())["tiles"] is None
    monkeypatch.setenv("GEO_WELFARE_COORDINATOR_TILES", "allow")
    allowed = create_app(spatialite_url).test_client()
    assert coordinator_config(allowed)["tiles"]["url"].startswith(GSI + "/")
    check_headers(allowed.get("/coordinator"), {"'self'", "data:", GSI})
    monkeypatch.setenv("GEO_WELFARE_COORDINATOR_TILES", "alow")
    with pytest.raises(ValueError, match="local or allow"):
        create_app(spatialite_url)


#: A 1×1 transparent PNG, for tile requests the test answers itself (the test machine may have no internet).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


def search_from_home(browser, app) -> Watched:
    """Open the coordinator's page, click the client's home at street zoom, wait for the list."""
    for base in serve(app):
        watched = Watched(browser, base)
        page = watched.page
        page.route(lambda url: not url.startswith(base + "/"),
                   lambda route: route.fulfill(status=200, content_type="image/png", body=PNG))
        page.goto(base + "/coordinator", wait_until="networkidle")
        page.evaluate(f"() => window.gwCoordinatorMap.setView([{HOME[1]}, {HOME[0]}], 17, {{animate: false}})")
        page.locator("#map").click(position={"x": 300, "y": 300})
        page.wait_for_selector("#results li")
        page.wait_for_load_state("networkidle")
        page.close()
        return watched


@pytest.mark.browser
@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_the_coordinator_page_asks_no_outside_server_about_the_client_unless_allowed(browser, demo, monkeypatch):
    monkeypatch.delenv("GEO_WELFARE_COORDINATOR_TILES", raising=False)
    watched = search_from_home(browser, create_app(demo))  # the default tiles: 地理院タイル
    assert watched.errors == []
    watched.check_offline()  # every request went to 127.0.0.1
    assert any(url.endswith("/api/nearest") for url in watched.requests)

    monkeypatch.setenv("GEO_WELFARE_COORDINATOR_TILES", "allow")
    allowed = search_from_home(browser, create_app(demo))
    assert allowed.errors == []
    tiles = [url for url in allowed.requests if url.startswith(GSI + "/xyz/pale/17/")]
    assert tiles, allowed.requests  # the operator chose so: the tiles around the home are asked for
