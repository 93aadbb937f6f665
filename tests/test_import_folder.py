"""``geo-welfare import folder``: real municipal folders identified, planned and imported in one transaction.

Expected figures are worked out here from the files with the csv and json modules (rows, distinct
codes, names), never from the product's readers.  Sapporo's folder is copied into ``tmp_path``
file by file (not its street network: a generated network file of its first features stands in,
in the same format); Takamatsu's real folder is imported as it is.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import unicodedata
import zipfile
from collections import Counter, defaultdict

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import func, select

from geo_welfare.store import open_store
from geo_welfare.store.models import AreaUnit, GazetteerEntry, ImportRun, PopulationCount, PopulationDataset, Resource
from geo_welfare.store.read import read_areas, read_population, read_resources
from helpers import run_cli

TAKAMATSU_LISTS = ("takamatsu_community_center.csv", "takamatsu_contact_center.csv",
                   "takamatsu_elderly_wedding_house.csv", "takamatsu_evacuation_space.csv",
                   "takamatsu_general_center.csv", "takamatsu_middle_school.csv",
                   "takamatsu_other_welfare_facilities.csv", "takamatsu_primary_school.csv",
                   "takamatsu_regional_comprehensive_support_center.csv", "takamatsu_welfare_hall.csv")
CHILDREN_CLUB = "takamatsu_children_club.csv"
TAKAMATSU_POPULATION = "takamatsu_population_0066_202602.csv"
GEOLONIA = "geolonia_japanese_addresses_takamatsu.json"
AGE_TABLE = "sapporo_jounen202010_age5_by_chome.csv"
HOUSEHOLDS = "sapporo_jou202104_households_sex_by_chome.csv"
NETWORK = "network/sapporo_authorized_road_network_2021-11_wgs84.geojson"
WARDS = {"chuo": "中央区", "kiyota": "清田区"}


def records(path):
    """A CSV's records with the row number the importer gives (header = 1, then one per record)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [dict(row, _row=number) for number, row in enumerate(csv.DictReader(handle), start=2)]


def features(path):
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def summary_lines(result):
    """The summary's lines on stdout (after its heading), stripped."""
    lines = result.stdout.splitlines()
    start = lines.index("Imported (one transaction):")
    return [line.strip() for line in lines[start + 1:]]


def counts(url):
    """Rows of every table an import writes, to show a refusal changed nothing."""
    with open_store(url).connect() as connection:
        return {model.__tablename__: connection.execute(select(func.count()).select_from(model)).scalar()
                for model in (AreaUnit, PopulationDataset, PopulationCount, Resource, GazetteerEntry, ImportRun)}


# --- Takamatsu: the real folder, as it is ----------------------------------------------------------

def test_takamatsu_folder_as_it_is(store_url, shared_data, tmp_path):
    folder = shared_data / "takamatsu"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*TAKAMATSU_LISTS, CHILDREN_CLUB, TAKAMATSU_POPULATION, GEOLONIA])
    club = records(folder / CHILDREN_CLUB)
    unplaced = [row for row in club if not row["latitude"].strip() and not row["longitude"].strip()]
    assert len(club) == 44 and [row["_row"] for row in unplaced] == [9, 37, 38, 39, 40, 41, 42, 43, 44, 45]
    population = records(folder / TAKAMATSU_POPULATION)
    assert {(row["prefName"], row["cityName"]) for row in population} == {("香川県", "高松市")}

    # Without the population table, nothing in the folder says which municipality Geolonia's JSON is: it
    # is left out, and the ten children's clubs that have only an address refuse the folder, each of those
    # rows named, nothing stored.
    bare = tmp_path / "takamatsu"
    shutil.copytree(folder, bare, ignore=shutil.ignore_patterns(TAKAMATSU_POPULATION))
    before = counts(store_url)
    refused = run_cli(store_url, "import", "folder", bare)
    assert refused.exit_code == 1, refused.stderr
    assert counts(store_url) == before == dict.fromkeys(before, 0)
    assert "1 files have problems (10 in all); no file was stored:" in refused.stderr
    assert f"{CHILDREN_CLUB} (list of places (municipal standard open-data layout)): 10" in refused.stderr
    assert "— 10 rows: 9, 37, 38, 39, 40, 41, 42, 43, 44, 45 (found: " in refused.stderr
    assert not any(name in refused.stderr for name in TAKAMATSU_LISTS)
    assert f"{GEOLONIA} — town representative points (Geolonia address data): not imported" in refused.stdout

    # As it is: the population table's rows name 香川県高松市 (said in the plan), so the gazetteer comes in
    # before the places, in the same transaction, and the clubs with only an address are placed by it.
    result = run_cli(store_url, "import", "folder", folder)
    assert result.exit_code == 0, result.stderr
    assert (f"The address files (Geolonia) are taken to be 香川県高松市's (from the rows of {TAKAMATSU_POPULATION}"
            in result.stdout)
    lists = {name: records(folder / name) for name in (*TAKAMATSU_LISTS, CHILDREN_CLUB)}
    towns = json.loads((folder / GEOLONIA).read_text(encoding="utf-8"))
    assert (len(population), len(towns)) == (235, 255)
    lines = summary_lines(result)
    assert lines[0] == (f"{TAKAMATSU_POPULATION} — population table: 235 added, 0 updated, 0 removed, "
                        f"235 warnings")  # no small areas in the store: every row kept, none joined
    assert lines[1] == f"{GEOLONIA} — town representative points (Geolonia address data): 255 added, 0 updated, " \
                       f"0 removed, 0 warnings"
    for name, line in zip(sorted(lists), lines[2:13]):
        assert line.startswith(f"{name} — list of places (municipal standard open-data layout): "
                               f"{len(lists[name])} added, 0 updated, 0 removed, ")
    places = sum(len(rows) for rows in lists.values())
    assert places == 364 + 44
    assert re.fullmatch(rf"Total: 13 files imported, 0 skipped; {235 + 255 + places} added, 0 updated, 0 removed, "
                        r"\d+ warnings", lines[13])
    assert "235 rows stored without joining: the store holds no small areas" in result.stderr

    # Kinds: every community centre's and support centre's name says its kind; the rest say none.
    assert all("コミュニティセンター" in row["name"] for row in lists["takamatsu_community_center.csv"])
    assert all("地域包括支援センター" in row["name"]
               for row in lists["takamatsu_regional_comprehensive_support_center.csv"])
    assert "takamatsu_community_center.csv — list of places (municipal standard open-data layout) → places " \
           "(kind: Community centre, from the names)" in result.stdout
    assert "takamatsu_welfare_hall.csv — list of places (municipal standard open-data layout) → places " \
           "(kind: Other, not recognised: the default)" in result.stdout
    stored = read_resources(open_store(store_url))
    assert Counter(stored["kind"]) == {"community_centre": 52, "support_centre": 7, "other": places - 59}
    assert Counter(stored["source"]) == {name.removesuffix(".csv"): len(rows) for name, rows in lists.items()}
    # Each club given only an address stands on the point of the longest town (+ 小字) its address begins with.
    points = {unicodedata.normalize("NFKC", town["town"] + town["koaza"]): (town["lng"], town["lat"])
              for town in towns}
    clubs = stored[stored["source"] == CHILDREN_CLUB.removesuffix(".csv")].set_index("name")
    for row in unplaced:
        address = unicodedata.normalize("NFKC", row["address"]).strip().removeprefix("高松市")
        town = max((name for name in points if address.startswith(name)), key=len)
        place = clubs.loc[row["name"], "geometry"]
        assert (place.x, place.y) == pytest.approx(points[town], abs=1e-9), row["name"]
    table = read_population(open_store(store_url), TAKAMATSU_POPULATION.removesuffix(".csv"))
    assert int(table["total"].sum()) == sum(int(row["totalPopulation"]) for row in population)
    with open_store(store_url).connect() as connection:
        assert connection.execute(select(func.count()).select_from(GazetteerEntry)
                                  .where(GazetteerEntry.source == GEOLONIA)).scalar() == 255

    # Again, the municipality named: the same rows, updated, none added or removed.
    again = run_cli(store_url, "import", "folder", folder, "--municipality", "香川県高松市")
    assert again.exit_code == 0, again.stderr
    assert re.fullmatch(rf"Total: 13 files imported, 0 skipped; 0 added, {235 + 255 + places} updated, 0 removed, "
                        r"\d+ warnings", summary_lines(again)[13])
    assert len(read_resources(open_store(store_url))) == places


def test_takamatsu_plan_in_japanese_by_default(spatialite_url, shared_data):
    result = run_cli(spatialite_url, "import", "folder", shared_data / "takamatsu", "--dry-run", lang="ja")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{shared_data / 'takamatsu'}: 13ファイル"
    assert lines[1] == (f"住所辞書（Geolonia）の市区町村は「香川県高松市」とします（{TAKAMATSU_POPULATION} の行から。"
                        "違うときは --municipality で指定）")
    assert lines[2] == f"  1. {TAKAMATSU_POPULATION} — 人口表 → 人口（小地域に結合）"
    assert lines[3] == f"  2. {GEOLONIA} — 町丁目の代表点（Geolonia 住所データ） → 住所の代表点"
    assert "  12. takamatsu_regional_comprehensive_support_center.csv — 施設一覧（自治体標準オープンデータセット） → " \
           "施設（種別: 地域包括支援センター、名称から）" in lines
    assert lines[-1] == "試行のみ: 何も取り込んでいません"
    assert counts(spatialite_url) == dict.fromkeys(counts(spatialite_url), 0)


# --- Sapporo: a copy of the folder's files, subfolders kept -----------------------------------------

def _sapporo_copy(shared_data, tmp_path, *names):
    source, folder = shared_data / "sapporo", tmp_path / "sapporo"
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, folder / name)
    return source, folder


def _generated_network(source, folder, count=20):
    """GENERATED: the street network's first ``count`` features, in the real file's exact format."""
    head = features(source / NETWORK)[:count]
    (folder / NETWORK).parent.mkdir(parents=True, exist_ok=True)
    (folder / NETWORK).write_text(json.dumps({"type": "FeatureCollection", "features": head}, ensure_ascii=False),
                                  encoding="utf-8")


KANJI = "〇一二三四五六七八九"


def _kanji(number: int) -> str:
    tens, ones = divmod(number, 10)
    return ("" if tens == 0 else "十" if tens == 1 else KANJI[tens] + "十") + ("" if ones == 0 else KANJI[ones])


def _join_key(name: str) -> str:
    """Both sides' spelling made one: NFKC, no spaces, no （番地）, 条 numbers in kanji (as e-Stat writes them)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).removesuffix("(番地)")
    return re.sub(r"(\d+)条", lambda m: _kanji(int(m[1])) + "条", text)


def _unjoined_age_rows(source, wards):
    """Lines of the age table's rows, in ``wards``, that name no single small area of the copied wards."""
    codes = defaultdict(set)
    for suffix in wards:
        for feature in features(source / "smallarea" / f"estat_h27_smallarea_{suffix}.geojson"):
            p = feature["properties"]
            codes[(p["CITY_NAME"], _join_key(p["S_NAME"]))].add(p["KEY_CODE"])
    unjoined = []
    for row in records(source / AGE_TABLE):
        if row["区"] not in wards.values() or row["区"] == row["区分"]:
            continue
        key = _join_key(row["区分"])
        found = codes.get((row["区"], key), set())
        if not found and re.search(r"\d+丁目$", key):  # a 丁目 newer than the boundaries: the undivided area
            found = codes.get((row["区"], re.sub(r"\d+丁目$", "", key)), set())
        if len(found) != 1:
            unjoined.append(row["_row"])
    return unjoined


SAPPORO_FILES = ("papamama_wards.geojson", "school/papamama_MiddleSchool.geojson",
                 "school/papamama_MiddleSchool_loc.geojson", "smallarea/estat_h27_smallarea_chuo.geojson",
                 "smallarea/estat_h27_smallarea_kiyota.geojson", AGE_TABLE, "mlit_isj_oaza_chome_sapporo.csv",
                 "gsi_emergency_evacuation_sites_011002.geojson", "papamama_nurseryFacilities.geojson")


def test_sapporo_folder_in_order_in_one_transaction(store_url, shared_data, tmp_path):
    source, folder = _sapporo_copy(shared_data, tmp_path, *SAPPORO_FILES)
    _generated_network(source, folder)
    (folder / "README.pdf").write_bytes(b"%PDF-1.4\n")  # GENERATED: a file no rule knows

    wards = features(source / "papamama_wards.geojson")
    middle = Counter((f["properties"]["A32_001"], f["properties"]["name"])
                     for f in features(source / "school/papamama_MiddleSchool.geojson"))
    small = {suffix: len({f["properties"]["KEY_CODE"] for f in features(
        source / "smallarea" / f"estat_h27_smallarea_{suffix}.geojson")}) for suffix in WARDS}
    age = records(source / AGE_TABLE)
    details = [row for row in age if row["区"] != "全市" and row["区"] != row["区分"]]
    unjoined = _unjoined_age_rows(source, WARDS)
    gazetteer = records(source / "mlit_isj_oaza_chome_sapporo.csv")
    sites = features(source / "gsi_emergency_evacuation_sites_011002.geojson")
    nurseries = features(source / "papamama_nurseryFacilities.geojson")
    twice = [name for name, n in Counter(f["properties"]["Name"] for f in nurseries).items() if n > 1]
    assert (len(wards), len(middle), small, len(details), unjoined) == (10, 97, {"chuo": 987, "kiyota": 213}, 5447,
                                                                        [566, 567])
    assert (len(gazetteer), len(sites), len(nurseries), len(twice)) == (5901, 348, 528, 3)

    result = run_cli(store_url, "import", "folder", folder, "--merge-duplicates")
    assert result.exit_code == 0, result.stderr
    assert summary_lines(result) == [
        "papamama_wards.geojson — municipality or ward outlines: 10 added, 0 updated, 0 removed, 0 warnings",
        "school/papamama_MiddleSchool.geojson — junior-high school districts: 97 added, 0 updated, 0 removed, "
        "0 warnings",
        "smallarea/estat_h27_smallarea_chuo.geojson — census small-area boundaries (e-Stat): 987 added, 0 updated, "
        "0 removed, 0 warnings",
        "smallarea/estat_h27_smallarea_kiyota.geojson — census small-area boundaries (e-Stat): 213 added, "
        "0 updated, 0 removed, 0 warnings",
        f"{AGE_TABLE} — population table: 5447 added, 0 updated, 0 removed, 2 warnings",
        "mlit_isj_oaza_chome_sapporo.csv — town representative points (MLIT address reference data): 5901 added, "
        "0 updated, 0 removed, 0 warnings",
        "gsi_emergency_evacuation_sites_011002.geojson — designated emergency evacuation sites (GSI): 348 added, "
        "0 updated, 0 removed, 0 warnings",
        summary_lines(result)[7],  # the nurseries: their warnings are the merged rows and unread cells
        "README.pdf — unknown file: skipped (this format (.pdf) is not imported)",
        f"{NETWORK} — street network: skipped (it is the walking network, used as geo-welfare coverage "
        f"--network {folder / NETWORK})",
        "school/papamama_MiddleSchool_loc.geojson — school locations (points): skipped (the districts come from "
        "the district files; to show the schools as places: geo-welfare import resources "
        f"{folder / 'school/papamama_MiddleSchool_loc.geojson'} --kind other --columns name=A32_003)",
        summary_lines(result)[11],
    ]
    assert summary_lines(result)[7].startswith("papamama_nurseryFacilities.geojson — list of places (points): "
                                               f"{528 - 3} added, 0 updated, 0 removed, ")
    assert re.fullmatch(rf"Total: 8 files imported, 3 skipped; {10 + 97 + 987 + 213 + 5447 + 5901 + 348 + 525} "
                        r"added, 0 updated, 0 removed, \d+ warnings", summary_lines(result)[11])

    engine = open_store(store_url)
    outlines = read_areas(engine, "municipality").set_index("code")
    assert sorted(outlines.index) == sorted(f["properties"]["name"] for f in wards)  # no code: the ward's name
    assert (outlines.geometry.geom_type == "MultiPolygon").all()
    chuo = next(f for f in wards if f["properties"]["name"] == "中央区")
    drawn = shapely.Polygon(chuo["geometry"]["coordinates"])  # the closed line's ring, by hand
    assert shapely.symmetric_difference(outlines.loc["中央区", "geometry"], drawn).area == pytest.approx(0, abs=1e-12)
    assert outlines.loc["中央区", "geometry"].area == pytest.approx(drawn.area, rel=1e-9)
    # Population joined to the small areas written earlier in the same transaction.
    table = read_population(engine, AGE_TABLE.removesuffix(".csv"))
    joined = table[table["area_code"].notna()]
    assert Counter(joined["parent_name"]) == {
        ward: sum(1 for row in details if row["区"] == ward) - sum(1 for row in details if row["区"] == ward
                                                                  and row["_row"] in unjoined)
        for ward in WARDS.values()}
    elsewhere = sum(1 for row in details if row["区"] not in WARDS.values())
    assert f"{elsewhere:,} rows name small areas of municipalities or wards not in the store" in result.stderr
    places = read_resources(engine)
    assert Counter(places["source"]) == {"gsi_emergency_evacuation_sites_011002": 348,
                                         "papamama_nurseryFacilities": 525}
    assert (places["kind"] == "other").all()


def test_refusal_lists_every_file_and_stores_nothing(store_url, shared_data, tmp_path):
    source, folder = _sapporo_copy(shared_data, tmp_path, "smallarea/estat_h27_smallarea_kiyota.geojson",
                                   "papamama_nurseryFacilities.geojson")
    # GENERATED: Takamatsu's support-centre list with two rows' latitudes made into words (a position must
    # be right or the row is refused), in the file's exact layout.
    rows = (shared_data / "takamatsu" / "takamatsu_regional_comprehensive_support_center.csv").read_text(
        encoding="utf-8-sig").splitlines()
    bad = [rows[0], rows[1].replace(",34.33040083,", ",北緯34度,"), rows[2]]
    bad += [re.sub(r"^(\d+),[0-9.]+,", r"\1,不明,", rows[3])] + rows[4:]
    (folder / "support.csv").write_text("\n".join(bad) + "\n", encoding="utf-8")
    community = shared_data / "takamatsu" / "takamatsu_community_center.csv"

    # A store that already holds something: the refused folder must leave it exactly as it was.
    seeded = tmp_path / "seed"
    seeded.mkdir()
    shutil.copyfile(community, seeded / community.name)
    first = run_cli(store_url, "import", "folder", seeded)
    assert first.exit_code == 0, first.stderr
    before = counts(store_url)
    assert before["resource"] == 52 and before["import_run"] == 1
    stored_before = read_resources(open_store(store_url)).drop(columns="geometry").to_dict("records")

    nurseries = features(source / "papamama_nurseryFacilities.geojson")
    seen, repeated = {}, []
    for number, feature in enumerate(nurseries, start=1):
        name = feature["properties"]["Name"]
        if name in seen:
            repeated.append(number)
        seen.setdefault(name, number)
    assert repeated == [305, 306, 483]

    result = run_cli(store_url, "import", "folder", folder)
    assert result.exit_code == 1, result.stderr
    assert counts(store_url) == before
    assert read_resources(open_store(store_url)).drop(columns="geometry").to_dict("records") == stored_before
    err = result.stderr
    assert "Import aborted; nothing in the store was changed." in err
    assert "2 files have problems (5 in all); no file was stored:" in err
    assert "papamama_nurseryFacilities.geojson (list of places (points)): 3" in err
    assert "support.csv (list of places (municipal standard open-data layout)): 2" in err
    assert re.search(r"latitude: expected decimal degrees — 2 rows: 2, 4 \(found: '北緯34度', '不明'\)", err)
    for row in repeated:
        assert re.search(rf"Name: .* — 1 rows: {row} ", err)
    assert "Fix the files, or leave them out with --skip FILE, and run again." in err
    assert "estat_h27_smallarea_kiyota" not in err  # the good file is not among the problems

    # Left out, the rest goes in whole.
    again = run_cli(store_url, "import", "folder", folder, "--skip", "support.csv", "--skip",
                    "papamama_nurseryFacilities.geojson")
    assert again.exit_code == 0, again.stderr
    assert counts(store_url)["area_unit"] == 213


def test_kind_and_unit_overrides_and_typos(spatialite_url, shared_data, tmp_path):
    folder = tmp_path / "town"
    folder.mkdir()
    shutil.copyfile(shared_data / "takamatsu" / "takamatsu_elderly_wedding_house.csv", folder / "houses.csv")
    # GENERATED: the Kiyota small areas with the e-Stat names taken off, in the same GeoJSON layout: polygons
    # whose level no column says.
    kiyota = features(shared_data / "sapporo/smallarea/estat_h27_smallarea_kiyota.geojson")
    plain = [{"type": "Feature", "properties": {"code": f["properties"]["KEY_CODE"], "name": f["properties"]["S_NAME"]},
              "geometry": f["geometry"]} for f in kiyota]
    (folder / "areas.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": plain},
                                                     ensure_ascii=False), encoding="utf-8")
    plan = run_cli(spatialite_url, "import", "folder", folder, "--dry-run")
    assert plan.exit_code == 0, plan.stderr
    assert "  -  areas.geojson — areas of an unknown level: not imported (which level of area is not known: name " \
           "it with --unit areas.geojson=UNIT)" in plan.stdout.splitlines()
    assert "houses.csv — list of places (municipal standard open-data layout) → places (kind: Other, not " \
           "recognised: the default)" in plan.stdout

    result = run_cli(spatialite_url, "import", "folder", folder, "--kind", "houses.csv=公民館",
                     "--unit", "areas.geojson=district")
    assert result.exit_code == 0, result.stderr
    assert "houses.csv — list of places (municipal standard open-data layout) → places (kind: Community centre, " \
           "given with --kind)" in result.stdout
    houses = records(folder / "houses.csv")
    assert summary_lines(result)[0] == f"areas.geojson — districts: " \
                                       f"{len({f['properties']['KEY_CODE'] for f in kiyota})} added, 0 updated, " \
                                       f"0 removed, 0 warnings"
    assert set(read_resources(open_store(spatialite_url))["kind"]) == {"community_centre"}
    assert len(read_resources(open_store(spatialite_url))) == len(houses) == 10
    assert len(read_areas(open_store(spatialite_url), "district")) == 213

    typo = run_cli(spatialite_url, "import", "folder", folder, "--kind", "house.csv=salon")
    assert typo.exit_code == 2 and "--kind: no file house.csv in the folder" in typo.stderr
    wrong = run_cli(spatialite_url, "import", "folder", folder, "--kind", "areas.geojson=salon")
    assert wrong.exit_code == 2 and "--kind: areas.geojson is not a list of places" in wrong.stderr
    malformed = run_cli(spatialite_url, "import", "folder", folder, "--skip", "houses.csv", "--unit", "areas")
    assert malformed.exit_code == 2 and "--unit expects FILE=VALUE (got areas)" in malformed.stderr
    missing = run_cli(spatialite_url, "import", "folder", tmp_path / "nowhere")
    assert missing.exit_code == 2 and "is not a folder" in missing.stderr


def test_estat_zip_with_a_shapefile(spatialite_url, shared_data, tmp_path):
    """GENERATED: an archive as e-Stat hands out 小地域 boundaries (h27ka*.shp in CP932, no .cpg), from Kiyota."""
    kiyota = shared_data / "sapporo/smallarea/estat_h27_smallarea_kiyota.geojson"
    work = tmp_path / "shp"
    work.mkdir()
    frame = gpd.read_file(kiyota)[["KEY_CODE", "PREF", "CITY", "S_AREA", "CITY_NAME", "S_NAME", "JINKO", "SETAI",
                                   "geometry"]]
    frame.to_file(work / "h27ka01110.shp", encoding="cp932")
    (work / "h27ka01110.cpg").unlink(missing_ok=True)
    folder = tmp_path / "estat"
    folder.mkdir()
    with zipfile.ZipFile(folder / "A002005212015DDSWC01110.zip", "w") as archive:
        for part in sorted(work.iterdir()):
            archive.write(part, part.name)
    expected = {f["properties"]["KEY_CODE"]: f["properties"]["S_NAME"] for f in features(kiyota)}
    assert len(expected) == 213

    result = run_cli(spatialite_url, "import", "folder", folder)
    assert result.exit_code == 0, result.stderr
    assert "  1. A002005212015DDSWC01110.zip/h27ka01110.shp — census small-area boundaries (e-Stat) → areas " \
           "(Census small area)" in result.stdout
    assert summary_lines(result)[0] == "A002005212015DDSWC01110.zip/h27ka01110.shp — census small-area boundaries " \
                                       "(e-Stat): 213 added, 0 updated, 0 removed, 0 warnings"
    assert len(summary_lines(result)) == 2  # the sidecars (.dbf, .shx, .prj) are part of the .shp, not listed
    stored = read_areas(open_store(spatialite_url), "small_area").set_index("code")
    assert dict(stored["name"]) == expected  # the names read right from CP932


def test_identification_reads_only_the_head_of_a_large_file(tmp_path, shared_data):
    """The network file cut after its first features (no closing brackets) is still a street network."""
    from geo_welfare.layers.identify import HEAD_BYTES, identify
    text = (shared_data / "sapporo" / NETWORK).read_text(encoding="utf-8")
    assert len(text.encode()) > HEAD_BYTES
    cut = tmp_path / "roads.geojson"
    cut.write_text(text[:HEAD_BYTES], encoding="utf-8")  # not valid JSON as a whole
    assert identify(cut).what == "street_network"
    assert identify(shared_data / "sapporo" / NETWORK).what == "street_network"


def _decoded_rows(path):
    """A CSV's records (UTF-8 or CP932, as the publishers write them) with the importer's row numbers."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp932")
    return [dict(row, _row=number) for number, row in enumerate(csv.DictReader(text.splitlines()), start=2)]


def test_national_layouts_and_a_gazetteer_in_one_folder(store_url, tmp_path):
    """The repository's generated fixtures of the national layouts (tests/data/national, each labelled there)."""
    from helpers import REPOSITORY
    data, folder = REPOSITORY / "tests" / "data", tmp_path / "offices"
    folder.mkdir()
    names = sorted(path.name for path in (data / "national").glob("*.csv"))
    for name in names:
        shutil.copyfile(data / "national" / name, folder / name)
    shutil.copyfile(data / "generated_mlit_isj_gaiku_13101.csv", folder / "generated_mlit_isj_gaiku_13101.csv")
    assert names == ["372013_care_service.csv", "372013_medical_institution.csv", "csvdownload046.csv",
                     "csvdownload052.csv", "jigyosho_150.csv"]

    plan = run_cli(store_url, "import", "folder", folder, "--dry-run")
    assert plan.exit_code == 0, plan.stderr
    per_row = "places (kind: per row, from each row's kind or service type)"
    assert plan.stdout.splitlines()[1:] == [
        "  1. generated_mlit_isj_gaiku_13101.csv — town representative points (MLIT address reference data) → "
        "address points",
        f"  2. 372013_care_service.csv — list of places (municipal standard open-data layout) → {per_row}",
        "  3. 372013_medical_institution.csv — list of places (municipal standard open-data layout) → places "
        "(kind: Medical institution, from the layout)",
        f"  4. csvdownload046.csv — list of service offices (national information systems) → {per_row}",
        f"  5. csvdownload052.csv — list of service offices (national information systems) → {per_row}",
        f"  6. jigyosho_150.csv — list of service offices (national information systems) → {per_row}",
        "Dry run: nothing was imported",
    ]

    # The gazetteer (千代田区's blocks) is written first in the transaction and consulted for the offices
    # given only an address: Takamatsu's addresses are not in it, so those rows, and only those, refuse.
    latitude = {"372013_care_service.csv": "緯度", "372013_medical_institution.csv": "緯度",
                "csvdownload046.csv": "事業所緯度", "csvdownload052.csv": "事業所緯度", "jigyosho_150.csv": "緯度"}
    unplaced = {name: [row["_row"] for row in _decoded_rows(folder / name)  # blank, or 0 as the 介護 lists write none
                       if not row[column].strip() or float(row[column]) == 0] for name, column in latitude.items()}
    unplaced = {name: rows for name, rows in unplaced.items() if rows}
    assert unplaced == {"372013_care_service.csv": [5], "372013_medical_institution.csv": [3],
                        "csvdownload052.csv": [4], "jigyosho_150.csv": [3]}
    result = run_cli(store_url, "import", "folder", folder)
    assert result.exit_code == 1, result.stderr
    assert counts(store_url) == dict.fromkeys(counts(store_url), 0)
    assert f"{len(unplaced)} files have problems ({len(unplaced)} in all); no file was stored:" in result.stderr
    found = re.findall(r"address: no coordinates, and the address was not found in the stored gazetteers: .* — "
                       r"1 rows: (\d+) ", result.stderr)
    assert [int(row) for row in found] == [rows[0] for rows in unplaced.values()]


def test_ksj_zip_with_the_same_layer_twice(spatialite_url, shared_data, tmp_path):
    """GENERATED: an archive as 国土数値情報 hands out N03 (the layer as GeoJSON and as a Shapefile), from Kagawa's."""
    source = shared_data / "common" / "ksj_n03_2021_pref37_simplified1pct.geojson"
    work = tmp_path / "ksj"
    work.mkdir()
    shutil.copyfile(source, work / "N03-21_37_210101.geojson")
    gpd.read_file(source).to_file(work / "N03-21_37_210101.shp", encoding="cp932")
    folder = tmp_path / "kagawa"
    folder.mkdir()
    with zipfile.ZipFile(folder / "N03-20210101_37_GML.zip", "w") as archive:
        for part in sorted(work.iterdir()):
            archive.write(part, f"N03-20210101_37_GML/{part.name}")
    expected = {f["properties"]["N03_007"]: f["properties"]["N03_004"] for f in features(source)}
    assert len(expected) == 17

    result = run_cli(spatialite_url, "import", "folder", folder)
    assert result.exit_code == 0, result.stderr
    inner = "N03-20210101_37_GML.zip/N03-20210101_37_GML/N03-21_37_210101"
    assert summary_lines(result) == [
        f"{inner}.geojson — municipality or ward outlines: 17 added, 0 updated, 0 removed, 0 warnings",
        f"{inner}.shp — municipality or ward outlines: skipped (the same data as {inner}.geojson)",
        "Total: 1 files imported, 1 skipped; 17 added, 0 updated, 0 removed, 0 warnings",
    ]
    assert dict(read_areas(open_store(spatialite_url), "municipality").set_index("code")["name"]) == expected


def test_sapporo_real_folder_plan(spatialite_url, shared_data):
    """The real Sapporo folder as it is, planned: every file named, in the import's order."""
    folder = shared_data / "sapporo"
    files = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    assert len(files) == 21
    result = run_cli(spatialite_url, "import", "folder", folder, "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{folder}: 21 files"
    planned = [re.match(r"  (\d+)\. (\S+) — ", line) for line in lines[1:19]]
    wards = sorted(name for name in files if name.startswith("smallarea/"))
    assert [match[2] for match in planned] == [
        "papamama_wards.geojson", "school/papamama_MiddleSchool.geojson", "school/papamama_Elementary.geojson",
        *wards, HOUSEHOLDS, AGE_TABLE, "mlit_isj_oaza_chome_sapporo.csv",
        "gsi_emergency_evacuation_sites_011002.geojson", "papamama_nurseryFacilities.geojson"]
    assert [int(match[1]) for match in planned] == list(range(1, 19))
    skipped = [re.match(r"  -  (\S+) — ([^:]+):", line).groups() for line in lines[19:22]]
    assert skipped == [(NETWORK, "street network"),
                       ("school/papamama_Elementary_loc.geojson", "school locations (points)"),
                       ("school/papamama_MiddleSchool_loc.geojson", "school locations (points)")]
    assert lines[22:] == ["Dry run: nothing was imported"]
    assert f"--network {folder / NETWORK})" in lines[19]


def test_skip_invalid_imports_a_lists_good_rows_and_reports_the_rest(store_url, shared_data, tmp_path, monkeypatch):
    # Takamatsu's 52 community centres, the third row's latitude typed as words: refused whole by default;
    # with --skip-invalid the other 51 are imported and the one row written to its report, in the current folder.
    source = shared_data / "takamatsu" / "takamatsu_community_center.csv"
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 53 and lines[3].split(",")[1].replace(".", "").isdigit()
    bad = lines[3].split(",")
    bad[1] = "北緯34度"
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / source.name).write_text("\n".join(lines[:3] + [",".join(bad)] + lines[4:]) + "\n", encoding="utf-8")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    refused = run_cli(store_url, "import", "folder", folder, lang="ja")
    assert refused.exit_code == 1 and counts(store_url)["resource"] == 0
    result = run_cli(store_url, "import", "folder", folder, "--skip-invalid", lang="ja")
    assert result.exit_code == 0, result.stderr
    assert counts(store_url)["resource"] == 51
    report = here / "takamatsu_community_center_report.csv"
    with open(report, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["name"], row["行番号"]) for row in rows] == [(bad[3], "4")]
    assert "取り込まなかった 1 行と理由" in result.output and str(report) in result.output
