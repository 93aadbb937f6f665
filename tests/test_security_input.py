"""Bad input that got through or crashed: each is refused with a message (400/413, exit 1), never stored, never a 5xx.

The web's answers are RFC 9457 problem details naming the field; the command line's refusals name
the file (and row), exit 1 and leave every table as it was.  Every store test runs on SpatiaLite
and on PostGIS, whose refusals (a NUL byte, text longer than its column) once differed from
SQLite's silence.  The 300,000-row list is **generated** here (no real list is that long), and
written through the store's own writer inside one transaction on each backend.
"""

from __future__ import annotations

import csv
import io
import json
import re

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from sqlalchemy import func, select, update

from geo_welfare.core.glossary import RESOURCE_KIND_IDS  # the kinds the message lists, in the glossary's order
from geo_welfare.io.cells import spreadsheet_cell
from geo_welfare.store import open_store
from geo_welfare.store.models import AreaUnit, Resource, Schedule
from geo_welfare.web import create_app
from helpers import BOW_TIE, GOOD, HEADER, SQUARE, refused, run_cli, snapshot, write_csv

PROBLEM = "application/problem+json"
#: A place in the demo town (Sagami Bay), for requests that must otherwise be good.
HOME = {"lon": 139.405, "lat": 35.205}
EDITOR, EDITOR_PASSWORD = "input-editor", "input-editor-pass-47"


def posted(client, path: str, body, *, raw: bool = False):
    """POST ``body`` (an object, or JSON text as sent when ``raw``) with the session's CSRF token."""
    token = client.get("/api/session").get_json()["csrf_token"]
    return client.post(path, data=body if raw else json.dumps(body), content_type="application/json",
                       headers={"X-CSRFToken": token})


def refusal(answer, status: int = 400) -> dict:
    """The problem-details body of a refusal (never an HTML error page), checked for its status."""
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == PROBLEM
    return answer.get_json()


# --- the web: JSON, numbers, size, control characters ----------------------------------------------

def test_deep_json_and_long_numbers_are_400_problems_naming_the_field(demo):
    client = create_app(demo, tiles="none").test_client()
    deep = ["[" * 100_000 + "]" * 100_000, '{"a":' * 5000 + "1" + "}" * 5000,
            json.dumps({**HOME, "kinds": [[[["salon"]]]]})]  # past Python's own limit, and just past ours
    for body in deep:
        problem = refusal(posted(client, "/api/nearest", body, raw=True))
        assert problem["type"] == "urn:geo-welfare:problem:json_too_deep" and problem["field"] == "body"
    numbers = [({**HOME, "k": "5" * 5000}, "k"), (json.dumps(HOME)[:-1] + ', "k": ' + "5" * 5000 + "}", "k"),
               ({**HOME, "k": "²"}, "k"), ({**HOME, "speed": "5" * 5000}, "speed"),
               ({**HOME, "weekday": "9" * 5000}, "weekday"), ({**HOME, "target": "x" * 5000}, "target")]
    for body, field in numbers:
        problem = refusal(posted(client, "/api/nearest", body, raw=isinstance(body, str)))
        assert problem["field"] == field and len(problem["error_en"]) < 300  # 5,000 digits are not echoed
    problem = refusal(posted(client, "/api/nearest", json.dumps(HOME)[:-1] + ', "target": "\\ud800"}', raw=True))
    assert problem["field"] == "body"  # a lone surrogate is no text (and could not be written back)
    for query, field in (("k=" + "5" * 5000, "k"), ("minutes=" + "5" * 5000, "minutes"),
                         ("target=" + "9" * 5000, "target")):
        problem = refusal(client.get(f"/api/plan?{query}"))
        assert problem["field"] == field and len(problem["error_en"]) < 300
    assert refusal(client.get("/api/areas?zoom=" + "5" * 5000))["field"] == "zoom"
    good = posted(client, "/api/nearest", {**HOME, "k": "3", "speed": "3.5"})
    assert good.status_code == 200 and len(good.get_json()["features"]) == 3


def test_a_body_over_the_size_limit_is_a_413_problem(demo, monkeypatch):
    client = create_app(demo, tiles="none").test_client()
    problem = refusal(posted(client, "/api/nearest", b" " * (50 * 1024 * 1024), raw=True), 413)
    assert problem["type"] == "urn:geo-welfare:problem:request_too_large" and "2097152" in problem["error_en"]
    monkeypatch.setenv("GEO_WELFARE_MAX_REQUEST_BYTES", "4096")  # the setting, from the one table
    small = create_app(demo, tiles="none").test_client()
    refusal(posted(small, "/api/nearest", {**HOME, "target": "x" * 5000}), 413)
    assert posted(small, "/api/nearest", HOME).status_code == 200
    monkeypatch.setenv("GEO_WELFARE_MAX_REQUEST_BYTES", "2MB")
    with pytest.raises(ValueError, match="GEO_WELFARE_MAX_REQUEST_BYTES"):
        create_app(demo, tiles="none")


def test_control_characters_in_a_query_or_a_form_are_refused_not_sent_to_the_store(demo):
    client = create_app(demo, tiles="none").test_client()
    problem = refusal(client.get("/api/plan?dataset=%00"))  # PostgreSQL refused the NUL with a 500
    assert problem["field"] == "dataset" and "U+0000" in problem["error_en"]
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": "a\x00b", "password": "whatever-it-is", "csrf_token": token})
    assert refusal(answer)["field"] == "username"


# --- CSV cells a spreadsheet would run --------------------------------------------------------------

FORMULAS = {"=HYPERLINK(\"http://evil.example/\",\"click\")", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3"}


def cells(text: str) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row}


def test_every_csv_the_program_writes_neutralises_formula_cells(demo_store, tmp_path):
    engine = open_store(demo_store)
    with engine.begin() as connection:
        ids = connection.execute(select(Resource.id).where(Resource.kind == "salon", Resource.visibility == "public")
                                 .order_by(Resource.id)).scalars().all()
        for identifier, formula in zip(ids, sorted(FORMULAS)):
            connection.execute(update(Resource).where(Resource.id == identifier).values(name=formula, operator=formula))
        connection.execute(update(AreaUnit).where(AreaUnit.unit == "elementary_district", AreaUnit.code == "E01")
                           .values(name="=HYPERLINK(\"http://evil.example/\",\"click\")"))
    safe = {"'" + formula for formula in FORMULAS}
    exported = tmp_path / "resources.csv"
    assert run_cli(demo_store, "export", "resources", exported).exit_code == 0
    listed = run_cli(demo_store, "list", "resources", "--format", "csv", "--raw")
    nearest = run_cli(demo_store, "nearest", "139.405", "35.205", "-k", "100", "--kind", "salon", "--format", "csv", "--raw")
    client = create_app(demo_store, tiles="none").test_client()
    coverage = client.get("/api/coverage?minutes=10&unit=elementary_district&format=csv")
    gaps = client.get("/api/gaps?minutes=5&unit=elementary_district&format=csv")
    for text, expected in ((exported.read_text(encoding="utf-8-sig"), safe), (listed.stdout, safe),
                           (nearest.stdout, safe), (coverage.get_data(as_text=True), {"'=HYPERLINK(\"http://evil"
                                                                                      ".example/\",\"click\")"}),
                           (gaps.get_data(as_text=True), set())):
        found = cells(text)
        assert expected <= found and not found & FORMULAS, text[:500]
        assert not [cell for cell in found if cell[:1] in ("=", "+", "@")]
    numbers = cells(exported.read_text(encoding="utf-8-sig"))
    assert any(re.fullmatch(r"139\.\d+", cell) for cell in numbers)  # numbers stay numbers


def test_the_csv_cell_rule_is_owasps():
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert spreadsheet_cell(text) == "'" + text
    for value in ("ひまわりサロン", "1-2-3 デモ町", "'=already", "", None, -1, 2.5):
        assert spreadsheet_cell(value) == value


# --- imports: empty files, folders, text the stores cannot hold --------------------------------------

def test_an_empty_file_or_a_folder_is_refused_naming_it_and_nothing_changes(seeded, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bom_only.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    (tmp_path / "empty.geojson").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.csv").mkdir()
    empty, folder = "the file is empty", "is a folder, not a file: name the file to import"
    for layer, name, extra, reason in (
            ("resources", "empty.csv", (), empty), ("candidates", "empty.csv", (), empty),
            ("population", "empty.csv", (), empty), ("resources", "bom_only.csv", (), empty),
            ("resources", "empty.geojson", (), empty), ("areas", "empty.geojson", ("--unit", "small-area"), empty),
            ("resources", "folder", (), folder), ("resources", "folder.csv", (), folder),
            ("population", "folder", (), folder), ("areas", "folder", ("--unit", "small-area"), folder)):
        assert refused(seeded, "import", layer, tmp_path / name, *extra) == f"{name}: {reason}"


def test_text_no_store_can_hold_is_refused_the_same_on_both_stores(seeded, tmp_path):
    nul = write_csv(tmp_path, GOOD.replace("ひまわりサロン", "ひまわり\x00サロン"), name="nul.csv")
    assert refused(seeded, "import", "resources", nul) == (
        "nul.csv, row 2, field '名称': holds a control character (U+0000) that cannot be stored; remove it "
        "(found 'ひまわり<U+0000>サロン')")
    long = write_csv(tmp_path, GOOD.replace("ひまわりサロン", "あ" * 1000), name="long.csv")
    assert refused(seeded, "import", "resources", long) == (
        "long.csv, row 2, field '名称': too long (at most 300 characters) (found '" + "あ" * 20 + "… (1000)')")
    (tmp_path / "candidates.csv").write_text("ID,名称,住所,緯度,経度\nC1,集会所,架空町\x011,35.2,139.4\n"
                                             f"C2,{'い' * 301},架空町2,35.2,139.4\n", encoding="utf-8")
    assert refused(seeded, "import", "candidates", tmp_path / "candidates.csv").splitlines() == [
        "candidates.csv, row 2, field '住所': holds a control character (U+0001) that cannot be stored; remove it "
        "(found '架空町<U+0001>1')",
        "candidates.csv, row 3, field '名称': too long (at most 300 characters) (found '" + "い" * 20 + "… (301)')"]
    gpd.GeoDataFrame({"code": ["A1", "A2"], "name": ["北町", "う" * 201]}, geometry=[SQUARE, SQUARE.buffer(0.001)],
                     crs="EPSG:6668").to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    assert refused(seeded, "import", "areas", tmp_path / "areas.geojson", "--unit", "small-area") == (
        "areas.geojson, row 2, field 'name': too long (at most 200 characters) (found '" + "う" * 20 + "… (201)')")
    (tmp_path / "population.csv").write_text("KEY_CODE,地域名,総数\nS001,見本町\x1b一丁目,100\n", encoding="utf-8")
    assert refused(seeded, "import", "population", tmp_path / "population.csv") == (
        "population.csv, row 2, field '地域名': holds a control character (U+001B) that cannot be stored; "
        "remove it (found '見本町<U+001B>一丁目')")


def test_the_web_edit_path_refuses_the_same_text(seeded):
    from geo_welfare.store.users import add_user
    url, _ = seeded
    add_user(open_store(url), EDITOR, EDITOR_PASSWORD, "editor")
    client = create_app(url, tiles="none").test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": EDITOR, "password": EDITOR_PASSWORD, "csrf_token": token,
                                       "next": "/"}).status_code == 302
    before = snapshot(url)  # signed in (the session is a row too)
    place = {"name": "はなみずき通いの場", "kind": "通いの場", **HOME}
    for change, field, reason in (({"name": "はなみ\x00ずき"}, "name", "control character (U+0000)"),
                                  ({"name": "x" * 1000}, "name", "at most 300"),
                                  ({"note": "メモ\x07"}, "note", "control character (U+0007)"),
                                  ({"address": "架" * 501}, "address", "at most 500"),
                                  ({"capacity": "9" * 5000}, "capacity", "up to 1000000"),
                                  ({"capacity": 10 ** 30}, "capacity", "up to 1000000"),
                                  ({"capacity": "²"}, "capacity", "whole number")):
        problem = refusal(posted(client, "/api/resources", {**place, **change}))
        assert problem["fields"] == [field] and reason in problem["error_en"], problem["error_en"]
    body = json.dumps(place)[:-1] + ', "note": "\\udc00"}'
    assert refusal(posted(client, "/api/resources", body, raw=True))["field"] == "body"
    assert snapshot(url) == before
    assert posted(client, "/api/resources", place).status_code == 201  # the control: the good place is stored


def test_numbers_no_store_column_holds_are_refused_on_both_stores(seeded, tmp_path):
    (tmp_path / "capacity.csv").write_text("ID,名称,緯度,経度,定員\nA,あ,35.2,139.4,99999999999\nB,い,35.2,139.4,²\n",
                                           encoding="utf-8")  # PostgreSQL: integer out of range; ²: int() fails
    assert refused(seeded, "import", "resources", tmp_path / "capacity.csv").splitlines() == [
        "capacity.csv, row 2, field '定員': capacity must be a whole number up to 1000000 (found '99999999999')",
        "capacity.csv, row 3, field '定員': capacity must be a whole number (found '²')"]
    (tmp_path / "population.csv").write_text("KEY_CODE,地域名,総数\nS001,見本町一丁目,1e20\nS002,見本町二丁目,3000000000\n",
                                             encoding="utf-8")
    assert refused(seeded, "import", "population", tmp_path / "population.csv").splitlines() == [
        f"population.csv, row {row}, field '総数': at most 200000000: a larger number is no count of people or "
        f"households (found '{found}')" for row, found in ((2, "1e20"), (3, "3000000000"))]
    gpd.GeoDataFrame({"KEY_CODE": ["K1"], "S_NAME": ["北町"], "JINKO": ["99999999999"]}, geometry=[SQUARE],
                     crs="EPSG:6668").to_file(tmp_path / "census.geojson", driver="GeoJSON")
    assert refused(seeded, "import", "areas", tmp_path / "census.geojson", "--unit", "small-area") == (
        "census.geojson, row 1, field 'JINKO': at most 200000000: a larger number is no count of people or "
        "households (found '99999999999')")


# --- imports: a CRS that contradicts the coordinates --------------------------------------------------

#: Places on the Noto peninsula and in Toyama (zone VII), as a file made in zone VII holds them.
NOTO = [shapely.Point(136.90, 37.39), shapely.Point(137.21, 36.70), shapely.Point(136.76, 37.05)]


def noto_file(tmp_path, name: str, coordinates: str, declared: str | None) -> str:
    """The three places as a vector file: ``coordinates`` in that CRS, ``declared`` as the file's own."""
    points = gpd.GeoSeries(NOTO, crs="EPSG:6668").to_crs(coordinates)
    frame = gpd.GeoDataFrame({"ID": ["N1", "N2", "N3"], "名称": ["輪島サロン", "富山サロン", "七尾サロン"]},
                             geometry=list(points.values), crs=None)
    path = tmp_path / name
    pyogrio.write_dataframe(frame.set_crs(declared, allow_override=True) if declared else frame, path)
    return str(path)


def test_coordinates_that_contradict_the_declared_crs_are_refused_naming_the_crs_they_fit(seeded, tmp_path):
    wrong = noto_file(tmp_path, "zone7_as_zone6.gpkg", "EPSG:6675", "EPSG:6674")
    # The premise: read as zone VI the places land about 100 km west of where they are, still in Japan.
    moved = gpd.read_file(wrong).to_crs(6668).to_crs(6675).distance(gpd.GeoSeries(NOTO, crs=6668).to_crs(6675))
    assert (moved > 100_000).all()
    message = refused(seeded, "import", "resources", wrong)
    assert message.startswith("zone7_as_zone6.gpkg, field 'CRS': EPSG:6674 (JGD2011 / Japan Plane Rectangular "
                              "CS VI) puts these coordinates outside the area it is for")
    assert "while EPSG:6675 (JGD2011 / Japan Plane Rectangular CS VII)" in message  # the neighbour zone first
    assert "confirm it with --crs EPSG:6674" in message
    shp = noto_file(tmp_path, "zone7_as_zone6.shp", "EPSG:6675", "EPSG:6674")
    assert "EPSG:6675" in refused(seeded, "import", "resources", shp)
    degrees = noto_file(tmp_path, "degrees_as_zone7.gpkg", "EPSG:6668", "EPSG:6675")
    assert "the coordinates are degrees of longitude and latitude, but EPSG:6675" in \
        refused(seeded, "import", "resources", degrees)
    metres = noto_file(tmp_path, "metres_as_degrees.shp", "EPSG:6675", "EPSG:4326")
    message = refused(seeded, "import", "resources", metres)
    assert "are not degrees" in message and "EPSG:6675 (JGD2011 / Japan Plane Rectangular CS VII)" in message
    table = write_csv(tmp_path, GOOD, name="degrees.csv")
    assert "EPSG:6668" in refused(seeded, "import", "resources", table, "--crs", "EPSG:6675")
    url, _ = seeded  # the controls: the right CRS imports the places where they are, and --crs confirms
    right = noto_file(tmp_path, "zone7.gpkg", "EPSG:6675", "EPSG:6675")
    assert run_cli(url, "import", "resources", right).exit_code == 0
    with open_store(url).connect() as connection:
        stored = connection.execute(select(func.ST_X(Resource.geom), func.ST_Y(Resource.geom))
                                    .where(Resource.source == "zone7").order_by(Resource.source_id)).all()
    assert np.allclose(stored, [(p.x, p.y) for p in NOTO], atol=1e-7)
    assert run_cli(url, "import", "resources", wrong, "--crs", "EPSG:6674").exit_code == 0


# --- imports: every bad row at once ---------------------------------------------------------------------

def test_every_bad_row_of_every_stage_is_reported(seeded, tmp_path):
    rest = "毎週火曜,10:00,12:00,20,あり,公開,2026-10-01\n"
    body = (f"S1,あ,サロン,架空町1,35.20,東経,{rest}S2,い,サロン,架空町2,北緯,139.40,{rest}"
            f"S3,う,カラオケ,架空町3,35.20,139.40,{rest}S4,え,サロン,架空町4,95.0,139.40,{rest}")
    assert refused(seeded, "import", "resources", write_csv(tmp_path, body, name="stages.csv")).splitlines() == [
        "stages.csv, row 2, field '経度': expected decimal degrees (found '東経')",
        "stages.csv, row 3, field '緯度': expected decimal degrees (found '北緯')",
        f"stages.csv, row 4, field '種別': unknown kind (known: {', '.join(RESOURCE_KIND_IDS)}) (found 'カラオケ')",
        "stages.csv, row 5, field 'geometry': coordinates outside Japan (check the CRS) (found '139.400000, "
        "95.000000')"]
    cells_body = f"S1,あ,サロン,架空町1,35.2,139.4,{rest}S2,い,サロン,架空町2,1丁目,35.2,139.4,{rest}" \
                 f"S3,う,サロン,架空町3,35.2,139.4,{rest}S4,え,サロン,架空町4,2丁目,35.2,139.4,{rest}"
    too_many = "more cells than the header's 13 columns (a comma inside a cell needs the cell in double quotes)"
    assert refused(seeded, "import", "resources", write_csv(tmp_path, cells_body, name="commas.csv")).splitlines() \
        == [f"commas.csv, row 3: {too_many} (found 14)", f"commas.csv, row 5: {too_many} (found 14)"]
    (tmp_path / "population.csv").write_text("KEY_CODE,地域名,総数\nS001,見本町一丁目,100,5\nS002,二丁目,50,7\n",
                                             encoding="utf-8")  # once an unexpected error (exit 4)
    assert refused(seeded, "import", "population", tmp_path / "population.csv").splitlines() == [
        f"population.csv, row {row}: more cells than the header's 3 columns (a comma inside a cell needs the "
        "cell in double quotes) (found 4)" for row in (2, 3)]
    (tmp_path / "candidates.csv").write_text("ID,名称,緯度,経度\nC1,集会所,35.2,東経\nC2,,35.2,139.4\n", encoding="utf-8")
    assert [line.split(":")[0] for line in
            refused(seeded, "import", "candidates", tmp_path / "candidates.csv").splitlines()] == [
        "candidates.csv, row 2, field '経度'", "candidates.csv, row 3, field '名称'"]
    gpd.GeoDataFrame({"code": ["A1", None], "name": ["北町", "南町"]}, geometry=[BOW_TIE, SQUARE],
                     crs="EPSG:6668").to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    assert [line.split(":")[0] for line in refused(seeded, "import", "areas", tmp_path / "areas.geojson",
                                                   "--unit", "small-area").splitlines()] == [
        "areas.geojson, row 1, field 'geometry'", "areas.geojson, row 2, field 'code'"]


# --- a list longer than any statement may bind ----------------------------------------------------------

GENERATED_ROWS = 300_000


def generated_resources(count: int) -> gpd.GeoDataFrame:
    """A **generated** resource list of ``count`` places on a grid in the demo town's sea, as a reader returns one."""
    from geo_welfare.store.write import RESOURCE_FIELDS
    index = np.arange(count)
    frame = gpd.GeoDataFrame({"source_id": [f"G{i}" for i in index], **{field: None for field in RESOURCE_FIELDS}},
                             geometry=gpd.points_from_xy(139.3 + (index // 1000) * 1e-4, 35.1 + (index % 1000) * 1e-4),
                             crs="EPSG:6668")
    frame["kind"], frame["visibility"] = "salon", "public"
    frame["name"] = [f"生成サロン{i}" for i in index]
    frame["closed_on_holidays"] = frame["closed_year_end"] = False
    weekly = [{"freq": "WEEKLY", "byday": "TU", "opens_at": "10:00", "closes_at": "12:00"}]
    frame["schedule_rules"] = [weekly if i % 3 == 0 else [] for i in index]
    return frame


def test_a_generated_300000_row_list_is_written_in_batches_inside_one_transaction(store):
    from geo_welfare.store.write import MAX_PARAMETERS, _chunks, write_resources
    rows = [dict.fromkeys(range(25), 0)] * 5000  # a batch never binds more values than any store takes
    assert all(len(chunk) * 25 <= MAX_PARAMETERS for chunk in _chunks(rows)) and sum(map(len, _chunks(rows))) == 5000
    frame = generated_resources(GENERATED_ROWS)
    with store.begin() as connection:  # the one transaction an import holds
        result = write_resources(connection, frame, "generated")
    assert (result.created, result.updated, result.removed) == (GENERATED_ROWS, 0, 0)
    with store.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Resource)
                                  .where(Resource.source == "generated")).scalar() == GENERATED_ROWS
        assert connection.execute(select(func.count()).select_from(Schedule)).scalar() == GENERATED_ROWS // 3


def test_a_link_with_a_scheme_other_than_http_is_refused_in_a_list_and_in_an_edit(seeded, tmp_path):
    url, _ = seeded
    header = HEADER.rstrip("\n") + ",URL\n"
    rows = "".join(GOOD.replace("S1,", f"S{n},").replace("ひまわりサロン", f"サロン{n}").rstrip("\n") + f",\"{link}\"\n"
                   for n, link in enumerate(["https://www.city.example.lg.jp/salon", "www.example.jp/a",
                                             "javascript:alert(1)", " JaVa\tScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD4"], 1))
    path = write_csv(tmp_path, rows, name="links.csv", header=header)
    before = snapshot(url)
    allowed = "a link must start with http://, https:// (or have no scheme, like www.…)"
    assert refused(seeded, "import", "resources", path).splitlines() == [
        f"links.csv, row 4, field 'URL': {allowed} (found 'javascript:alert(1)')",
        f"links.csv, row 5, field 'URL': {allowed} (found 'JaVa\\tScRiPt:alert(1)')",
        f"links.csv, row 6, field 'URL': {allowed} (found 'data:text/html;base6… (33)')"]
    assert snapshot(url) == before
    from geo_welfare.store.users import add_user
    add_user(open_store(url), EDITOR, EDITOR_PASSWORD, "editor")
    client = create_app(url, tiles="none").test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": EDITOR, "password": EDITOR_PASSWORD, "csrf_token": token, "next": "/"})
    place = {"name": "はなみずき通いの場", "kind": "通いの場", **HOME}
    for link in ("javascript:alert(document.cookie)", "\njavascript:alert(1)", "vbscript:x", "file:///etc/passwd"):
        problem = refusal(posted(client, "/api/resources", {**place, "url": link}))
        assert problem["fields"] == ["url"] and allowed in problem["error_en"], problem["error_en"]
    assert posted(client, "/api/resources", {**place, "url": "http://example.jp/"}).status_code == 201
