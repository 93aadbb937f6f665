"""The import's row policy (issue #10, items 1–3): field by field, duplicates, partial imports, grouped messages.

Real files are read in place from ``../shared/data`` and their expected values worked out here
with the csv/json modules.  Small files written here are **generated**, each in the exact layout of
the real list it stands for (the Takamatsu 自治体標準オープンデータセット columns).  Every refusal is
checked against a snapshot of every table of a seeded store (``refused`` in helpers.py).
"""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import select

from geo_welfare.store import open_store
from geo_welfare.store.models import CandidateSite, Resource
from helpers import GOOD, HEADER, refused, run_cli, snapshot, write_csv

#: The columns of Takamatsu's 老人いこいの家 list (the layout with a ``capacity`` column).
TAKAMATSU_HEADER = ("#property,latitude,longitude,name,address,telephoneNumber,referenceObject,note,service,"
                    "availableDate,startTime,endTime,availableDateNote,capacity\n")
CHILDREN = "takamatsu/takamatsu_children_club.csv"
NURSERIES = "sapporo/papamama_nurseryFacilities.geojson"
GAZETTEER = "takamatsu/geolonia_japanese_addresses_takamatsu.json"
DUPLICATE = ("the same place as row {first} (the same ID, or in a list without IDs the same name and address); "
             "keep one row, or pass --merge-duplicates to keep the first")


def csv_rows(path):
    """A CSV's records as dicts, each with the record number the importer calls its row (header = 1)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [dict(row, _row=number) for number, row in enumerate(csv.DictReader(handle), start=2)]


def stored_resources(url, *columns, source=None):
    """``source_id`` → the ``columns`` of the stored places (of one ``source``, or of every source but the seed's)."""
    with open_store(url).connect() as connection:
        statement = select(Resource.source_id, *[getattr(Resource, c) for c in columns])
        statement = statement.where(Resource.source == source) if source else \
            statement.where(Resource.source != "seed_resources")
        return {row[0]: tuple(row[1:]) for row in connection.execute(statement)}


def without_coordinates(rows):
    return [row for row in rows if not row["latitude"].strip() and not row["longitude"].strip()]


# --- 1. field by field ---------------------------------------------------------------------------------

def test_capacity_is_description_kept_as_text_and_parsed_only_where_unambiguous(store_url, tmp_path):
    """Generated, in the 老人いこいの家 layout: a 定員 that says no single number never refuses the list."""
    rest = "高松市番町1-1,087-000-0000,,,,,,,,"  # address, phone, 7 empty cells up to availableDateNote
    cells = {"1": "20名", "2": "約20名", "3": "20名程度", "4": "大会議室：120名、第１会議室、第２会議室：各24名、研修室：24名",
             "5": "二十人", "6": "３０人", "7": ""}
    body = "".join(f'{key},34.34,134.04,いこいの家{key},{rest}"{cell}"\n' for key, cell in cells.items())
    path = write_csv(tmp_path, body, name="houses.csv", header=TAKAMATSU_HEADER)
    result = run_cli(store_url, "import", "resources", path)
    assert result.exit_code == 0, result.stderr
    assert "houses.csv: 7 added, 0 updated, 0 removed, 0 skipped, 2 warnings (resources)" in result.stderr
    assert stored_resources(store_url, "capacity", "capacity_approximate", "capacity_text") == {
        "1": (20, False, "20名"), "2": (20, True, "約20名"), "3": (20, True, "20名程度"),
        "4": (None, None, cells["4"]), "5": (None, None, "二十人"), "6": (30, False, "３０人"), "7": (None, None, None)}
    warned = [line.strip() for line in result.stderr.splitlines() if "kept as text" in line]
    assert warned == [f"houses.csv, row {row}, field 'capacity': capacity says no single number: kept as text (not "
                      f"counted in capacity figures) (found '{found}')"
                      for row, found in ((5, cells["4"][:20] + f"… ({len(cells['4'])})"), (6, "二十人"))]


def test_what_is_dangerous_is_still_refused(seeded, tmp_path):
    """Description is kept; a control character, an over-long text or a javascript: link is not."""
    body = (GOOD.replace("ひまわりサロン", "ひまわり\x07サロン") + GOOD.replace("S1", "S2").replace(",20,", ",二十人,")
            + GOOD.replace("S1", "S3").replace(",20,", "," + "定" * 501 + ","))
    message = refused(seeded, "import", "resources", write_csv(tmp_path, body))
    assert message.splitlines() == [
        "bad.csv, row 2, field '名称': holds a control character (U+0007) that cannot be stored; remove it "
        "(found 'ひまわり<U+0007>サロン')",
        "bad.csv, row 4, field '定員': too long (at most 500 characters) (found '" + "定" * 20 + "… (501)')"]


# --- 1. duplicates -------------------------------------------------------------------------------------

def test_duplicate_ids_name_both_rows_and_merge_on_request(seeded, tmp_path):
    body = (GOOD + GOOD  # line 3 repeats line 2 exactly
            + GOOD.replace("S1", "S2").replace("ひまわり", "さくら")
            + GOOD.replace("S1", "S2").replace("ひまわり", "さくら").replace(",20,", ",30,"))  # line 5 differs
    path = write_csv(tmp_path, body, name="twice.csv")
    message = refused(seeded, "import", "resources", path)
    assert message.splitlines() == [f"twice.csv, row 3, field 'ID': {DUPLICATE.format(first=2)} (found 'S1')",
                                    f"twice.csv, row 5, field 'ID': {DUPLICATE.format(first=4)} (found 'S2')"]
    url, _ = seeded
    merged = run_cli(url, "import", "resources", path, "--merge-duplicates")
    assert merged.exit_code == 0, merged.stderr
    assert "twice.csv: 2 added, 0 updated, 0 removed, 0 skipped, 1 warnings (resources)" in merged.stderr
    assert ("twice.csv, row 5: merged into row 4 as the same place, keeping row 4's values (this row differed in: "
            "定員)") in merged.stderr
    stored = {key: value for key, value in stored_resources(url, "name", "capacity").items() if key in ("S1", "S2")}
    assert stored == {"S1": ("ひまわりサロン", 20), "S2": ("さくらサロン", 20)}


def test_same_name_and_address_in_a_list_without_ids(seeded, tmp_path):
    header = HEADER.replace("ID,", "", 1)
    good = GOOD.replace("S1,", "", 1)
    path = write_csv(tmp_path, good + good.replace("35.20", "35.21") + good.replace("架空町1-1", "架空町1-2"),
                     name="noid.csv", header=header)
    message = refused(seeded, "import", "resources", path)
    assert message == f"noid.csv, row 3, field '名称/住所': {DUPLICATE.format(first=2)} (found 'ひまわりサロン / 架空町1-1')"


def test_sapporo_nurseries_with_the_same_name_twice(seeded, shared_data):
    """Once exit 4 and an IntegrityError: now the finding with both rows, nothing stored; merged on request."""
    features = json.loads((shared_data / NURSERIES).read_text(encoding="utf-8"))["features"]
    first_of, pairs = {}, []
    for number, feature in enumerate(features, start=1):
        name = feature["properties"]["Name"]  # the file has Add1/Add2 but no column named as an address
        if name in first_of:
            pairs.append((first_of[name], number, name))
        first_of.setdefault(name, number)
    assert [(a, b) for a, b, _ in pairs] == [(257, 305), (259, 306), (137, 483)]  # sorted below by the later row
    message = refused(seeded, "import", "candidates", shared_data / NURSERIES)
    assert message.splitlines() == [f"{NURSERIES.split('/')[1]}, row {b}, field 'Name': {DUPLICATE.format(first=a)} "
                                    f"(found '{name}')" for a, b, name in sorted(pairs, key=lambda p: p[1])]
    url, _ = seeded
    merged = run_cli(url, "import", "candidates", shared_data / NURSERIES, "--merge-duplicates")
    assert merged.exit_code == 0, merged.stderr
    # Of the three pairs, only 菊水いちい's two rows stand at the very same point: it collapses without a word.
    moved = [(a, b) for a, b, _ in pairs if features[a - 1]["geometry"] != features[b - 1]["geometry"]]
    assert moved == [(257, 305), (259, 306)]
    assert (f"{NURSERIES.split('/')[1]}: {len(features) - 3} added, 0 updated, 0 removed, 0 skipped, "
            f"{len(moved)} warnings (candidates)") in merged.stderr
    for a, b in moved:
        assert f"row {b}: merged into row {a} as the same place, keeping row {a}'s values (this row differed in: " \
               "geometry)" in merged.stderr
    with open_store(url).connect() as connection:
        names = connection.execute(select(CandidateSite.name).where(
            CandidateSite.source == "papamama_nurseryFacilities")).scalars().all()
    assert sorted(names) == sorted(first_of)


# --- 2. partial imports and the report -----------------------------------------------------------------

def test_skip_invalid_imports_the_good_rows_and_the_report_reimports_after_fixing(seeded, tmp_path):
    body = (GOOD + GOOD.replace("S1", "S2").replace("サロン,架空町", "カラオケ,架空町")
            + GOOD.replace("S1", "S3").replace("35.20", "北緯35度") + GOOD.replace("S1", "S4").replace("ひまわりサロン", "")
            + GOOD.replace("S1", "S5").replace("ひまわり", "こすもす"))
    path = write_csv(tmp_path, body, name="mixed.csv")
    refused(seeded, "import", "resources", path)  # all or nothing by default
    url, before = seeded
    report = tmp_path / "out" / "mixed_report.csv"
    result = run_cli(url, "import", "resources", path, "--skip-invalid", "--report", report)
    assert result.exit_code == 0, result.stderr
    assert "mixed.csv: 2 added, 0 updated, 0 removed, 3 skipped, 0 warnings (resources)" in result.stderr
    assert f"The 3 refused rows and their reasons are in {report}" in result.stderr
    assert set(stored_resources(url, "name", source="mixed")) == {"S1", "S5"}
    raw = report.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    with open(report, encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == HEADER.strip().split(",") + ["行番号", "理由"]
    assert [row[-2] for row in written[1:]] == ["3", "4", "5"]
    assert [row[:-2] for row in written[1:]] == [line.split(",") for line in body.strip().split("\n")[1:4]]
    assert [row[-1].split(":")[0] for row in written[1:]] == ["field '種別'", "field '緯度'", "field '名称'"]
    # The user fixes the three rows in the report and imports it again: all three are stored.
    fixed = [written[0]] + [row for row in written[1:]]
    fixed[1][2], fixed[2][4], fixed[3][1] = "サロン", "35.20", "なでしこサロン"
    with open(report, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(fixed)
    again = run_cli(url, "import", "resources", report)
    assert again.exit_code == 0, again.stderr
    assert "mixed_report.csv: 3 added, 0 updated, 0 removed, 0 skipped, 0 warnings (resources)" in again.stderr
    assert stored_resources(url, "name", "kind", source="mixed_report") == {
        "S2": ("ひまわりサロン", "salon"), "S3": ("ひまわりサロン", "salon"), "S4": ("なでしこサロン", "salon")}
    assert stored_resources(url, "name", source="mixed") == {"S1": ("ひまわりサロン",), "S5": ("こすもすサロン",)}


def test_the_default_report_is_written_in_the_current_folder_never_beside_the_input(seeded, tmp_path,
                                                                                    monkeypatch):
    inputs, work = tmp_path / "inputs", tmp_path / "work"
    inputs.mkdir(), work.mkdir()
    path = write_csv(inputs, GOOD + GOOD.replace("S1", "S2").replace("35.20", "x"), name="list.csv")
    monkeypatch.chdir(work)
    url, _ = seeded
    result = run_cli(url, "import", "resources", path, "--skip-invalid", lang="ja")
    assert result.exit_code == 0, result.stderr
    assert "list.csv: 追加 1件、更新 0件、削除 0件、除外 1行、注意 0件（resources）" in result.stderr
    assert sorted(p.name for p in work.iterdir()) == ["list_report.csv"]
    assert sorted(p.name for p in inputs.iterdir()) == ["list.csv"]
    assert str(work / "list_report.csv") in result.stderr


# --- 2. rows without coordinates, placed by their address ----------------------------------------------

def test_children_clubs_without_coordinates_refused_whole_then_skipped(seeded, shared_data, tmp_path):
    source = csv_rows(shared_data / CHILDREN)
    missing = without_coordinates(source)
    assert (len(source), len(missing)) == (44, 10)  # by the csv module: 10 rows have both cells blank
    report = tmp_path / "clubs_report.csv"
    message = refused(seeded, "import", "resources", shared_data / CHILDREN, "--report", report)
    rows = ", ".join(str(row["_row"]) for row in missing[:5])
    assert message.splitlines() == [
        f"takamatsu_children_club.csv, 10 rows ({rows}, …), field 'address': no coordinates, and no gazetteer is "
        "stored to place the address by: give the latitude and longitude, or import a gazetteer (位置参照情報 or "
        "similar) first", f"Every row and its reasons: {report}"]
    url, _ = seeded
    result = run_cli(url, "import", "resources", shared_data / CHILDREN, "--skip-invalid", "--report", report)
    assert result.exit_code == 0, result.stderr
    assert "takamatsu_children_club.csv: 34 added, 0 updated, 0 removed, 10 skipped" in result.stderr
    assert set(stored_resources(url, "name", source="takamatsu_children_club")) == {
        row["#property"] for row in source if row not in missing}
    with open(report, encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [(int(r["行番号"]), r["name"], r["address"]) for r in written] == [
        (row["_row"], row["name"], row["address"]) for row in missing]


def test_children_clubs_placed_by_the_gazetteer(store_url, shared_data):
    gazetteer = json.loads((shared_data / GAZETTEER).read_text(encoding="utf-8"))
    run = run_cli(store_url, "import", "gazetteer", shared_data / GAZETTEER, "--municipality", "香川県高松市")
    assert run.exit_code == 0, run.stderr
    result = run_cli(store_url, "import", "resources", shared_data / CHILDREN)
    assert result.exit_code == 0, result.stderr
    assert "Rows without coordinates placed by their address: 10" in result.stderr
    source = csv_rows(shared_data / CHILDREN)
    stored = stored_resources(store_url, "address", "location_level", "location_gazetteer")
    with open_store(store_url).connect() as connection:
        from sqlalchemy import func
        points = dict((key, (x, y)) for key, x, y in connection.execute(
            select(Resource.source_id, func.ST_X(Resource.geom), func.ST_Y(Resource.geom))))
    for row in source:
        key = row["#property"]
        if row not in without_coordinates(source):
            assert stored[key][1:] == (None, None)  # the list's own point
            assert points[key] == pytest.approx((float(row["longitude"]), float(row["latitude"])), abs=1e-9)
            continue
        # The longest gazetteer town (町 and 小字: 仏生山町 + 甲) the address (after 高松市) begins with, as Geolonia has it.
        address = row["address"].replace("高松市", "").strip()
        towns = [t for t in gazetteer if address.startswith(t["town"] + t["koaza"])]
        town = max(towns, key=lambda t: len(t["town"] + t["koaza"]))
        assert stored[key][2] == GAZETTEER.split("/")[1]
        assert stored[key][1] == ("chome" if town["town"].endswith("丁目") else "oaza")
        assert points[key] == pytest.approx((town["lng"], town["lat"]), abs=1e-9)


def test_an_address_known_only_to_its_municipality_stays_refused(seeded, shared_data, tmp_path):
    url, _ = seeded
    assert run_cli(url, "import", "gazetteer", shared_data / GAZETTEER, "--municipality", "香川県高松市").exit_code == 0
    before = snapshot(url)
    path = write_csv(tmp_path, "1,,,どこにもない集会所,香川県高松市存在しない町9-9,,,,,,,,,\n", name="nowhere.csv",
                     header=TAKAMATSU_HEADER)
    result = run_cli(url, "import", "resources", path)
    assert result.exit_code == 1 and snapshot(url) == before
    assert ("nowhere.csv, row 2, field 'address': no coordinates, and the address was found only to its "
            "municipality (a place is never put at a city's centre): give the latitude and longitude, or the address "
            "with its town (found '香川県高松市存在しない町9-9')") in result.stderr


# --- 3. one line for many problems of a kind -----------------------------------------------------------

def test_many_problems_of_one_kind_are_one_line_with_the_report(seeded, tmp_path):
    body = GOOD.replace("サロン,架空町", "カラオケ,架空町") + "".join(
        GOOD.replace("S1", f"S{n}").replace("35.20", "abc") for n in range(2, 602))
    report = tmp_path / "many_report.csv"
    message = refused(seeded, "import", "resources", write_csv(tmp_path, body, name="many.csv"), "--report", report)
    assert message.splitlines()[1:] == [
        "many.csv, 600 rows (3, 4, 5, 6, 7, …), field '緯度': expected decimal degrees", f"Every row and its reasons: "
        f"{report}"]
    assert message.splitlines()[0].startswith("many.csv, row 2, field '種別': unknown kind")
    with open(report, encoding="utf-8-sig", newline="") as handle:
        assert [int(row["行番号"]) for row in csv.DictReader(handle)] == list(range(2, 603))


# --- no exit 4, whatever the file ----------------------------------------------------------------------

BROKEN = {  # generated broken files: name → bytes
    "empty.csv": b"", "header_only.csv": "ID,名称,種別,住所,緯度,経度\n".encode(),
    "junk.csv": bytes(range(256)) * 8, "junk.geojson": bytes(range(256)) * 8,
    "utf16.csv": "ID,名称,緯度,経度\nS1,あ,35.2,139.4\n".encode("utf-16"),
    "euc.csv": "ID,名称,住所,緯度,経度\nS1,ひまわり,架空町,35.2,139.4\n".encode("euc_jp"),
    "twice_header.csv": "ID,名称,名称,緯度,経度\nS1,あ,い,35.2,139.4\n".encode(),
    "nan.csv": "ID,名称,緯度,経度\nS1,あ,nan,139.4\nS2,い,inf,-inf\nS3,う,35.2,1e400\nS4,え,NaN,NaN\n".encode(),
    "twice_id.csv": "ID,名称,緯度,経度\nS1,あ,35.2,139.4\nS1,い,35.3,139.4\n".encode(),
    "blank_name.csv": "ID,名称,緯度,経度\nS1,,35.2,139.4\n".encode(),
    "no_position.csv": "ID,名称,住所,緯度,経度\nS1,あ,,,\n".encode(),
    "quote.csv": '"ID,名称\n"S1,あ'.encode(),
    "null_geometry.geojson": json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "あ"}, "geometry": None}]}).encode(),
    "text_coordinates.geojson": json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "あ"}, "geometry": {"type": "Point", "coordinates": ["x", 35]}}]}
    ).encode(),
    "no_features.geojson": b'{"type":"FeatureCollection","features":[]}',
    "truncated.geojson": b'{"type":"FeatureCollection","features":[{"type":"Feature",',
}
LAYERS = [("resources",), ("candidates",), ("population",), ("areas", "--unit", "district")]


def test_no_broken_file_ends_in_exit_4_and_none_changes_the_store(seeded, tmp_path):
    url, before = seeded
    outcomes = {}
    for name, content in BROKEN.items():
        (tmp_path / name).write_bytes(content)
        for layer in LAYERS:
            report = ("--report", tmp_path / "report.csv") if layer[0] != "areas" else ()
            result = run_cli(url, "import", layer[0], tmp_path / name, *layer[1:], *report)
            outcomes[(name, layer[0])] = (result.exit_code, "Unexpected error" in result.stderr)
    assert {key: value for key, value in outcomes.items() if value != (1, False)} == {}
    assert snapshot(url) == before
