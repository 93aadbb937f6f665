"""A bad file or a re-import never silently wipes a list or undoes the web's edits; every import is in the history.

The demo town's 30 salons are imported from ``salons.csv`` through the command line, as a person
does.  A truncated file (header only, or a few rows) would remove most of them: refused, exit 1,
nothing changed, unless ``--allow-removals``.  A place edited on the web since the last import
(made staff-only, moved, deleted) that the file would change or bring back: refused naming it,
unless ``--overwrite-edits``.  Every import that goes through is an ``import_run`` row, and each
place it changed a ``resource_change`` row (action ``import``, by the file), so a place's history
on the web shows its imports too.  Every test runs on SpatiaLite and on PostGIS.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from geo_welfare.store import open_store
from geo_welfare.store.editing import delete_resource, move_resource, resource_history, update_resource
from geo_welfare.store.users import add_user
from geo_welfare.store.models import ImportRun, Resource, ResourceChange
from geo_welfare.web import create_app
from helpers import ABORTED, DEMO_DATA, run_cli, snapshot

SALONS = (DEMO_DATA / "salons.csv").read_text(encoding="utf-8-sig")
HEADER, *LINES = SALONS.splitlines()
EDITOR, EDITOR_PASSWORD = "import-editor", "editor-password-41"


def salon_names() -> dict[str, str]:
    """ID → name of every salon in the demo file."""
    return {row["ID"]: row["名称"] for row in csv.DictReader(io.StringIO(SALONS))}


def write_salons(folder, lines) -> str:
    """``salons.csv`` (the source ``salons``) holding the header and ``lines``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "salons.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return str(path)


def stored(url: str) -> dict[str, dict]:
    """source_id → the salon as stored (id, name, visibility, lon, lat)."""
    statement = select(Resource.source_id, Resource.id, Resource.name, Resource.visibility,
                       func.ST_X(Resource.geom).label("lon"), func.ST_Y(Resource.geom).label("lat")) \
        .where(Resource.source == "salons")
    with open_store(url).connect() as connection:
        return {row.source_id: dict(row._mapping) for row in connection.execute(statement)}


def runs(url: str) -> list[dict]:
    with open_store(url).connect() as connection:
        rows = connection.execute(select(ImportRun.__table__).order_by(ImportRun.id)).mappings().all()
        return [{**{key: row[key] for key in ("layer", "source", "file_name", "file_sha256", "created", "updated",
                                              "removed")},
                 "options": json.loads(row["options"]) if row["options"] else None} for row in rows]


def import_changes(url: str) -> list[dict]:
    with open_store(url).connect() as connection:
        rows = connection.execute(select(ResourceChange.__table__).where(ResourceChange.action == "import")
                                  .order_by(ResourceChange.id)).mappings().all()
        return [{"resource_id": row["resource_id"], "username": row["username"], "changes": json.loads(row["changes"])}
                for row in rows]


def refused(url: str, *arguments) -> str:
    """Run an import that must be refused: exit 1, every table as it was; returns what it said."""
    before = snapshot(url)
    result = run_cli(url, *arguments)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert snapshot(url) == before
    assert ABORTED["en"] in result.stderr.splitlines(), result.stderr
    return result.stderr


@pytest.fixture
def salons(store_url, tmp_path):
    """A store holding the 30 demo salons, imported once from ``salons.csv``; returns (url, file)."""
    path = write_salons(tmp_path / "list", LINES)
    result = run_cli(store_url, "import", "resources", path)
    assert result.exit_code == 0, result.stderr
    assert len(stored(store_url)) == len(LINES) == 30
    return store_url, path


# ---------------------------------------------------------------------------------------------
# Removals

def test_a_header_only_file_is_refused_and_the_salons_stay(salons, tmp_path):
    url, _ = salons
    truncated = write_salons(tmp_path / "truncated", [])
    said = refused(url, "import", "resources", truncated)
    assert "would remove 30 of the 30 places" in said and "--allow-removals" in said
    names = salon_names()
    assert names["S01"] in said and names["S05"] in said and names["S06"] not in said and "and 25 more" in said
    assert len(stored(url)) == 30


def test_a_file_cut_short_is_refused_but_a_few_removals_are_not(salons, tmp_path):
    url, _ = salons
    said = refused(url, "import", "resources", write_salons(tmp_path / "short", LINES[:10]))
    assert "would remove 20 of the 30 places" in said
    few = run_cli(url, "import", "resources", write_salons(tmp_path / "few", LINES[:-6]))  # 6 of 30: 20 %, not more
    assert few.exit_code == 0, few.stderr
    assert "0 added, 24 updated, 6 removed" in few.stderr
    assert len(stored(url)) == 24


def test_allow_removals_removes_them_and_the_history_says_so(salons, tmp_path):
    url, first = salons
    before = stored(url)
    truncated = write_salons(tmp_path / "truncated", [])
    result = run_cli(url, "import", "resources", truncated, "--allow-removals")
    assert result.exit_code == 0, result.stderr
    assert "0 added, 0 updated, 30 removed" in result.stderr
    assert stored(url) == {}
    recorded = [run for run in runs(url) if run["layer"] == "resources"]
    assert [(r["source"], r["file_name"], r["created"], r["updated"], r["removed"]) for r in recorded] == [
        ("salons", "salons.csv", 30, 0, 0), ("salons", "salons.csv", 0, 0, 30)]
    assert recorded[1]["options"] == {"allow_removals": True, "overwrite_edits": False}
    assert recorded[0]["file_sha256"] != recorded[1]["file_sha256"] and len(recorded[0]["file_sha256"]) == 64
    removed = [change for change in import_changes(url) if change["changes"].get("source_id", [None, 0])[1] is None]
    assert sorted(change["resource_id"] for change in removed) == sorted(row["id"] for row in before.values())
    s01 = before["S01"]
    history = resource_history(open_store(url), s01["id"])
    assert [(h["action"], h["username"]) for h in history] == [("import", "salons.csv"), ("import", "salons.csv")]
    assert history[0]["changes"]["name"] == [None, s01["name"]]
    assert history[1]["changes"]["name"] == [s01["name"], None]


# ---------------------------------------------------------------------------------------------
# Edits made on the web

def _edit(url: str, identifier: int, edit: str) -> None:
    engine = open_store(url)
    if edit == "staff_only":
        update_resource(engine, identifier, {"visibility": "staff"}, EDITOR)
    elif edit == "moved":
        move_resource(engine, identifier, 139.4101, 35.2001, EDITOR)
    else:
        delete_resource(engine, identifier, EDITOR)


@pytest.mark.parametrize("edit", ["staff_only", "moved", "deleted"])
def test_a_web_edit_stops_a_reimport_until_overwrite_edits(salons, edit):
    url, path = salons
    place = stored(url)["S04"]
    _edit(url, place["id"], edit)
    said = refused(url, "import", "resources", path)
    assert place["name"] in said and "--overwrite-edits" in said
    assert ("deleted on the web" in said) == (edit == "deleted")
    assert salon_names()["S05"] not in said  # only the edited place is at stake

    result = run_cli(url, "import", "resources", path, "--overwrite-edits")
    assert result.exit_code == 0, result.stderr
    back = stored(url)["S04"]
    assert (back["visibility"], back["name"]) == ("public", place["name"])
    assert (back["lon"], back["lat"]) == pytest.approx((place["lon"], place["lat"]), abs=1e-9)
    assert runs(url)[-1]["options"] == {"allow_removals": False, "overwrite_edits": True}
    history = resource_history(open_store(url), back["id"])
    if edit == "deleted":  # brought back as a new row, whose history begins with the import
        assert back["id"] != place["id"]
        assert [h["action"] for h in history] == ["import"]
        assert history[0]["changes"]["source_id"] == [None, "S04"]
        assert [h["action"] for h in resource_history(open_store(url), place["id"])] == ["import", "delete"]
    else:
        assert [(h["action"], h["username"]) for h in history] == [
            ("import", "salons.csv"), ("update" if edit == "staff_only" else "move", EDITOR), ("import", "salons.csv")]
        web, undone = history[1]["changes"], history[2]["changes"]
        assert {field: [new, old] for field, (old, new) in web.items()} == undone
    # The overwrite was the last import: the same file again needs no flag and changes nothing.
    again = run_cli(url, "import", "resources", path)
    assert again.exit_code == 0, again.stderr
    assert len(resource_history(open_store(url), back["id"])) == len(history)


def test_several_edits_are_listed_together_by_name(salons):
    url, path = salons
    places = stored(url)
    names = salon_names()
    engine = open_store(url)
    update_resource(engine, places["S01"]["id"], {"visibility": "staff"}, EDITOR)
    move_resource(engine, places["S02"]["id"], 139.4101, 35.2001, EDITOR)
    delete_resource(engine, places["S03"]["id"], EDITOR)
    said = refused(url, "import", "resources", path)
    assert "changed on the web since the last import, which this import would change (2)" in said
    assert f"{names['S01']} (visibility)" in said and f"{names['S02']} (lon, lat)" in said
    assert "deleted on the web since the last import, which this import would bring back (1)" in said
    assert names["S03"] in said


def test_an_edit_the_file_agrees_with_is_no_conflict(salons, tmp_path):
    url, _ = salons
    place = stored(url)["S04"]
    update_resource(open_store(url), place["id"], {"visibility": "staff"}, EDITOR)
    agreeing = [line.replace(",公開,", ",職員のみ,") if line.startswith("S04,") else line for line in LINES]
    result = run_cli(url, "import", "resources", write_salons(tmp_path / "agreeing", agreeing))
    assert result.exit_code == 0, result.stderr
    assert [h["action"] for h in resource_history(open_store(url), place["id"])] == ["import", "update"]


def test_a_changed_file_is_recorded_field_by_field(salons, tmp_path):
    url, _ = salons
    place = stored(url)["S10"]
    renamed = [line.replace(place["name"], "renamed salon", 1) if line.startswith("S10,") else line for line in LINES]
    result = run_cli(url, "import", "resources", write_salons(tmp_path / "renamed", renamed))
    assert result.exit_code == 0, result.stderr
    history = resource_history(open_store(url), place["id"])
    assert history[-1]["action"] == "import" and history[-1]["changes"] == {"name": [place["name"], "renamed salon"]}
    unchanged = stored(url)["S11"]
    assert len(resource_history(open_store(url), unchanged["id"])) == 1  # only its first import
    assert runs(url)[-1]["updated"] == 30 and len(import_changes(url)) == 31


def test_the_history_page_shows_the_imports(salons, monkeypatch):
    url, path = salons
    monkeypatch.setenv("GEO_WELFARE_SECRET_KEY", uuid.uuid4().hex)
    add_user(open_store(url), EDITOR, EDITOR_PASSWORD, "editor")
    place = stored(url)["S04"]
    update_resource(open_store(url), place["id"], {"visibility": "staff"}, EDITOR)
    assert run_cli(url, "import", "resources", path, "--overwrite-edits").exit_code == 0
    client = create_app(url, tiles="none").test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": EDITOR, "password": EDITOR_PASSWORD, "csrf_token": token,
                                       "next": "/"}).status_code == 302
    history = client.get(f"/api/resources/{place['id']}/history").get_json()
    assert [(h["action"], h["username"]) for h in history] == [
        ("import", "salons.csv"), ("update", EDITOR), ("import", "salons.csv")]
    assert history[2]["changes"] == {"visibility": ["staff", "public"]}
