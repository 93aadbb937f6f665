"""Staff-only places never shape a public answer: the planner's API, its downloads, the map's overlays, the CLI.

The demo town is imported (two of its salons are staff only); its staff-only places are then
deleted, and new staff-only places are put in the middle of the public gaps.  Every anonymous
answer must be the same, byte for byte, in all three stores: a public gap polygon with a hole no
public walking area explains, or a figure that moves when a staff-only place does, would give the
place away.  A signed-in editor (the role that sees staff-only places on the map) gets answers that
count them; a viewer gets the public answers.  Every store test runs on SpatiaLite and on PostGIS.
"""

from __future__ import annotations

import io
import json
import re
import uuid

import pyogrio
import pytest
import shapely
from shapely.geometry import shape

from geo_welfare.store import open_store
from geo_welfare.store.editing import create_resource, delete_resource, staff_only_ids
from geo_welfare.store.users import add_user
from geo_welfare.web import create_app
from helpers import DEMO_STREETS as STREETS, run_cli

EDITOR, EDITOR_PASSWORD = "planner-editor", "editor-password-31"
VIEWER, VIEWER_PASSWORD = "planner-viewer", "viewer-password-32"
#: Every planner answer a visitor can ask for (JSON, CSV, GeoJSON; GeoPackages are compared as layers).
ANSWERS = (
    "/api/coverage?minutes=10&unit=elementary_district",
    "/api/coverage?minutes=10&unit=small_area&format=csv",
    "/api/gaps?minutes=10&unit=elementary_district",
    "/api/gaps?minutes=10&unit=elementary_district&format=geojson",
    "/api/gaps?minutes=10&unit=small_area&format=csv",
    "/api/gaps?minutes=10&unit=elementary_district&format=gpkg",
    "/api/service-areas?minutes=10",
    "/api/service-areas?minutes=10&format=geojson",
    "/api/service-areas?minutes=10&format=gpkg",
    "/api/plan?minutes=10&k=2",
)


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("GEO_WELFARE_SECRET_KEY", uuid.uuid4().hex)


def sign_in(client, username: str, password: str) -> None:
    """Sign in through the form, as a browser does (its CSRF token included)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                         "next": "/"})
    assert answer.status_code == 302, answer.get_data(as_text=True)


def overlay_urls(client) -> list[str]:
    """The URLs the map page's lazy overlays fetch (walking areas and gaps), read from its config block."""
    page = client.get("/").get_data(as_text=True)
    block = re.search(r'<script[^>]*id="gw-map-config"[^>]*>(.*?)</script>', page, re.S).group(1)
    overlays = json.loads(block)["overlays"]
    assert len(overlays) == 2
    return [overlay["url"] for overlay in overlays]


def comparable(answer) -> bytes:
    """The answer's bytes; a GeoPackage (whose file records when it was written) as its layer's GeoJSON."""
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    if answer.mimetype == "application/geopackage+sqlite3":
        return pyogrio.read_dataframe(io.BytesIO(answer.data)).to_json().encode()
    return answer.data


def answers(client, urls) -> dict[str, bytes]:
    return {url: comparable(client.get(url)) for url in urls}


def gap_points(client, count: int = 4) -> list[shapely.Point]:
    """A point inside each of the largest public gaps, and one a few metres inside the first gap's edge."""
    features = client.get("/api/gaps?minutes=10&unit=elementary_district").get_json()["features"]
    assert len(features) >= 2
    pieces = [shape(feature["geometry"]) for feature in features[:count]]
    points = [piece.representative_point() for piece in pieces]
    edge = pieces[0].boundary.interpolate(0.3, normalized=True)
    inward = shapely.Point(edge.x + (points[0].x - edge.x) * 0.02, edge.y + (points[0].y - edge.y) * 0.02)
    return points + [inward]


def add_staff_only_places(url: str, points) -> list[str]:
    names = []
    for number, point in enumerate(points, start=1):
        name = f"staff-only salon {number}"
        create_resource(open_store(url), {"name": name, "kind": "salon", "visibility": "staff",
                                          "schedule_text": "every Tuesday", "lon": point.x, "lat": point.y},
                        "setup")
        names.append(name)
    return names


@pytest.fixture
def town(demo_store):
    """The demo town with an editor and a viewer; the app walks the demo streets."""
    engine = open_store(demo_store)
    add_user(engine, EDITOR, EDITOR_PASSWORD, "editor")
    add_user(engine, VIEWER, VIEWER_PASSWORD, "viewer")
    return demo_store


@pytest.mark.filterwarnings("ignore:.*non conformant file extension:RuntimeWarning")  # a GeoPackage read from memory
def test_public_answers_are_the_same_with_and_without_staff_only_places(town):
    engine = open_store(town)
    anonymous = create_app(town, tiles="none", network=STREETS).test_client()
    urls = list(ANSWERS) + overlay_urls(anonymous)
    as_imported = answers(anonymous, urls)  # the demo's two staff-only salons are in the store
    assert len(staff_only_ids(engine)) == 2
    for identifier in staff_only_ids(engine):
        delete_resource(engine, identifier, "setup")
    without = answers(anonymous, urls)
    assert without == as_imported
    names = add_staff_only_places(town, gap_points(anonymous))
    assert len(staff_only_ids(engine)) == len(names)

    editor = create_app(town, tiles="none", network=STREETS).test_client()
    sign_in(editor, EDITOR, EDITOR_PASSWORD)
    staff_answers = answers(editor, urls)  # asked first: no cache may hand these to anyone else
    assert answers(anonymous, urls) == without
    viewer = create_app(town, tiles="none", network=STREETS).test_client()
    sign_in(viewer, VIEWER, VIEWER_PASSWORD)
    assert answers(viewer, urls) == without

    # The editor's answers count the staff-only places: more older residents within reach, fewer in gaps.
    def whole(data: bytes) -> float:
        return next(row for row in json.loads(data)["rows"] if row["code"] == "*")["age_65_plus_covered"]
    coverage, gaps, areas = ANSWERS[0], ANSWERS[2], ANSWERS[6]
    assert whole(staff_answers[coverage]) > whole(without[coverage])
    in_gaps = [sum(f["properties"]["age_65_plus"] for f in json.loads(data)["features"])
               for data in (staff_answers[gaps], without[gaps])]
    assert in_gaps[0] < in_gaps[1]
    served = {f["properties"]["name"] for f in json.loads(staff_answers[areas])["features"]}
    public = {f["properties"]["name"] for f in json.loads(without[areas])["features"]}
    assert set(names) <= served and public.isdisjoint(names) and public < served
    assert all(staff_answers[url] != without[url] for url in (coverage, gaps, areas))


def test_answers_that_differ_by_sign_in_are_never_stored_for_another(town):
    """A shared cache (a proxy, the browser of a shared office PC) must not hand an editor's answer on."""
    add_staff_only_places(town, [shapely.Point(139.405, 35.200)])
    editor = create_app(town, tiles="none", network=STREETS).test_client()
    sign_in(editor, EDITOR, EDITOR_PASSWORD)
    anonymous = create_app(town, tiles="none", network=STREETS).test_client()
    for url in ("/api/coverage?minutes=10", "/api/gaps?minutes=10", "/api/service-areas?minutes=10",
                "/api/coverage?minutes=10&format=csv"):
        staff = editor.get(url)
        assert "no-store" in staff.headers.get("Cache-Control", ""), url
        public = anonymous.get(url)
        assert "Cookie" in public.headers.get("Vary", ""), url
        assert "Cookie" in staff.headers.get("Vary", ""), url


# ---------------------------------------------------------------------------------------------
# The command line: a staff tool, but its files are handed on; staff-only places only on request.

def test_the_cli_counts_public_places_unless_asked_and_says_so(demo_store):
    engine = open_store(demo_store)
    command = ("coverage", "--network", STREETS, "--minutes", "10", "--unit", "elementary-district", "--format", "csv", "--raw")
    as_imported = run_cli(demo_store, *command)
    assert as_imported.exit_code == 0, as_imported.stderr
    assert "2 staff-only places are left out" in as_imported.stderr
    staff = run_cli(demo_store, *command, "--include-staff")
    assert staff.exit_code == 0, staff.stderr
    assert "2 staff-only places are counted" in staff.stderr
    for identifier in staff_only_ids(engine):
        delete_resource(engine, identifier, "setup")
    without = run_cli(demo_store, *command)
    assert without.stdout == as_imported.stdout
    assert "staff-only" not in without.stderr
    assert staff.stdout != without.stdout
