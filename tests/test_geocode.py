"""Gazetteers imported from the real files, addresses matched against them, the truth check, and the commands.

Real files: Sapporo's 位置参照情報 大字・町丁目 (5,901 rows) and the Geolonia files of 藤沢市, 逗子市,
鎌倉市 and 高松市, read in place; the 街区 level is the generated fixture
``tests/data/generated_mlit_isj_gaiku_13101.csv`` (see the note beside it).  Expected points are read
from the files here with the csv and json modules, never from the product.

The truth check strips the coordinates of lists that carry both an address and a real position
(Sapporo's 202 + 97 schools, its 348 GSI evacuation sites, Takamatsu's lists, the GSI shelters of
藤沢市 and 逗子市), matches the addresses, and holds the share at each level and the distance to
the real point (GRS80 geodesic with pyproj, a second method beside the product's own) to the figures
measured on 2026-12-02: counts exactly, median and 95th percentile to the metre above the measure.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod
from sqlalchemy import func, select

from helpers import REPOSITORY, run_cli

BLOCKS = REPOSITORY / "tests" / "data" / "generated_mlit_isj_gaiku_13101.csv"
GEOLONIA = {"fujisawa": "神奈川県藤沢市", "zushi": "神奈川県逗子市", "kamakura": "神奈川県鎌倉市",
            "takamatsu": "香川県高松市"}


def geolonia_file(shared_data: Path, city: str) -> Path:
    return shared_data / city / f"geolonia_japanese_addresses_{city}.json"


def import_all(url: str, shared_data: Path) -> None:
    """Every real gazetteer and the 街区 fixture, as a user imports them."""
    result = run_cli(url, "import", "gazetteer", shared_data / "sapporo" / "mlit_isj_oaza_chome_sapporo.csv", BLOCKS)
    assert result.exit_code == 0, result.stderr
    for city, name in GEOLONIA.items():
        result = run_cli(url, "import", "gazetteer", geolonia_file(shared_data, city), "--municipality", name)
        assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def stored(module_store_url, shared_data):
    """A store (each backend) holding every gazetteer, and its geocoder."""
    from geo_welfare.store import open_store
    from geo_welfare.store.gazetteer import geocoder
    import_all(module_store_url, shared_data)
    return module_store_url, geocoder(open_store(module_store_url))


def stored_counts(url: str) -> dict[str, int]:
    from geo_welfare.store import open_store
    from geo_welfare.store.models import GazetteerEntry
    with open_store(url).connect() as connection:
        statement = select(GazetteerEntry.source, func.count()).group_by(GazetteerEntry.source)
        return dict(connection.execute(statement).all())


def mlit_rows(path: Path, encoding: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding))))


# --- import ------------------------------------------------------------------------------------

def test_every_row_of_every_file_is_stored(stored, shared_data):
    url, _ = stored
    expected = {"mlit_isj_oaza_chome_sapporo.csv": len(mlit_rows(shared_data / "sapporo" /
                                                               "mlit_isj_oaza_chome_sapporo.csv", "utf-8-sig")),
                # the 街区 file's second points of a block (代表フラグ 0) are left out
                BLOCKS.name: sum(row["代表フラグ"] != "0" for row in mlit_rows(BLOCKS, "cp932"))}
    for city in GEOLONIA:
        path = geolonia_file(shared_data, city)
        expected[path.name] = len(json.loads(path.read_text(encoding="utf-8")))
    assert expected == {"mlit_isj_oaza_chome_sapporo.csv": 5901, BLOCKS.name: 10,
                        "geolonia_japanese_addresses_fujisawa.json": 211, "geolonia_japanese_addresses_zushi.json": 53,
                        "geolonia_japanese_addresses_kamakura.json": 153,
                        "geolonia_japanese_addresses_takamatsu.json": 255}
    assert stored_counts(url) == expected
    from geo_welfare.store import open_store
    from geo_welfare.store.models import ImportRun
    with open_store(url).connect() as connection:
        runs = connection.execute(select(ImportRun.layer, ImportRun.file_name, ImportRun.created, ImportRun.options)
                                  .where(ImportRun.layer == "gazetteer").order_by(ImportRun.id)).all()
    assert [(file, created) for _, file, created, _ in runs] == list(expected.items())
    assert json.loads(runs[-1].options) == {"municipality": "香川県高松市"}


def point_of(rows: list[dict], **where: str) -> tuple[float, float]:
    found = [row for row in rows if all(row[key] == value for key, value in where.items())]
    assert len(found) == 1
    return float(found[0]["経度"] if "経度" in found[0] else found[0]["lng"]), float(found[0].get("緯度") or found[0]["lat"])


def block_point(town: str, block: str) -> tuple[float, float]:
    """The representative point of a block of the fixture, read with the csv module."""
    return point_of([row for row in mlit_rows(BLOCKS, "cp932") if row["代表フラグ"] == "1"],
                    **{"大字・丁目名": town, "街区符号・地番": block})


def test_matches_give_the_gazetteers_own_points(stored, shared_data):
    _, geocoder = stored
    sapporo = mlit_rows(shared_data / "sapporo" / "mlit_isj_oaza_chome_sapporo.csv", "utf-8-sig")
    kamakura = json.loads(geolonia_file(shared_data, "kamakura").read_text(encoding="utf-8"))
    fujisawa = json.loads(geolonia_file(shared_data, "fujisawa").read_text(encoding="utf-8"))
    cases = {
        "札幌市中央区南1条西10丁目": ("chome", "mlit_isj_oaza_chome_sapporo.csv", "北海道札幌市中央区南一条西十丁目",
                                     point_of(sapporo, 市区町村名="札幌市中央区", 大字町丁目名="南一条西十丁目")),
        "北区北十二条西10丁目2-1": ("chome", "mlit_isj_oaza_chome_sapporo.csv", "北海道札幌市北区北十二条西十丁目",
                                    point_of(sapporo, 市区町村名="札幌市北区", 大字町丁目名="北十二条西十丁目")),
        "札幌市中央区旭ヶ丘2-1": ("chome", "mlit_isj_oaza_chome_sapporo.csv", "北海道札幌市中央区旭ケ丘二丁目",
                                  point_of(sapporo, 市区町村名="札幌市中央区", 大字町丁目名="旭ケ丘二丁目")),
        "鎌倉市稲村ヶ崎1-2-3": ("chome", "geolonia_japanese_addresses_kamakura.json", "神奈川県鎌倉市稲村ガ崎一丁目",
                               point_of(kamakura, town="稲村ガ崎一丁目", koaza="")),
        "藤沢市大字葛原字滝谷戸1000": ("oaza", "geolonia_japanese_addresses_fujisawa.json", "神奈川県藤沢市葛原滝谷戸",
                                       point_of(fujisawa, town="葛原", koaza="滝谷戸")),
        "東京都千代田区神田錦町１−１２−１アーク錦町ビルⅡ５階": (
            "block", BLOCKS.name, "東京都千代田区神田錦町一丁目12番",
            block_point("神田錦町一丁目", "12")),
        "千代田区神田錦町三丁目1番5号": ("block", BLOCKS.name, "東京都千代田区神田錦町三丁目1番",
                                      block_point("神田錦町三丁目", "1")),
        "千代田区五番町12-1": ("block", BLOCKS.name, "東京都千代田区五番町12番",
                               block_point("五番町", "12")),
        "千代田区千代田1-1": ("block", BLOCKS.name, "東京都千代田区千代田1番地",
                              block_point("千代田", "1")),
    }
    for address, (level, gazetteer, matched, (lon, lat)) in cases.items():
        match = geocoder.match(address)
        assert (match.level, match.gazetteer, match.matched, match.lon, match.lat, match.reason) == (
            level, gazetteer, matched, lon, lat, None), address


def test_a_town_known_only_from_its_blocks_is_at_their_mean(stored):
    """神田錦町二丁目 has no 大字・町丁目 point: a block it lacks gets the mean of its two blocks (1番, 2番)."""
    match = stored[1].match("千代田区神田錦町2-9-1")
    blocks = [row for row in mlit_rows(BLOCKS, "cp932") if row["大字・丁目名"] == "神田錦町二丁目"]
    assert len(blocks) == 2 and match.level == "chome" and match.matched == "東京都千代田区神田錦町二丁目"
    assert match.lon == pytest.approx(sum(float(row["経度"]) for row in blocks) / 2, abs=1e-12)
    assert match.lat == pytest.approx(sum(float(row["緯度"]) for row in blocks) / 2, abs=1e-12)


def test_a_zip_is_read_as_downloaded_and_a_reimport_replaces(store_url, tmp_path):
    archive = tmp_path / "13000-21.0a.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(BLOCKS, "13_2022.csv")
    for _ in range(2):
        result = run_cli(store_url, "import", "gazetteer", archive)
        assert result.exit_code == 0, result.stderr
        assert "10" in result.stderr
    assert stored_counts(store_url) == {archive.name: 10}
    from geo_welfare.store import open_store
    from geo_welfare.store.gazetteer import geocoder
    engine = open_store(store_url)
    first = geocoder(engine)
    assert geocoder(engine) is first  # kept while the entries are the same
    moved = tmp_path / "moved.zip"  # the same file name and rows, one block moved: a new geocoder sees it
    with zipfile.ZipFile(moved, "w") as bundle:
        bundle.writestr("13_2022.csv", BLOCKS.read_bytes().replace(b"139.766100", b"139.766200"))
    archive.unlink()
    moved.rename(archive)
    assert run_cli(store_url, "import", "gazetteer", archive).exit_code == 0
    assert geocoder(engine) is not first
    assert geocoder(engine).match("千代田区神田錦町1-12").lon == 139.7662


def test_refusals_name_the_file_and_write_nothing(store_url, shared_data, tmp_path):
    zushi = geolonia_file(shared_data, "zushi")
    result = run_cli(store_url, "import", "gazetteer", zushi)
    assert result.exit_code == 1 and "--municipality" in result.stderr and zushi.name in result.stderr
    result = run_cli(store_url, "import", "gazetteer", zushi, "--municipality", "99999")
    assert result.exit_code == 2 and "99999" in result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BLOCKS.read_bytes().replace("35.692800".encode(), b"north"))
    result = run_cli(store_url, "import", "gazetteer", BLOCKS, bad)
    assert result.exit_code == 1 and "bad.csv" in result.stderr and "row 2" in result.stderr
    result = run_cli(store_url, "import", "gazetteer")
    assert result.exit_code == 2
    result = run_cli(store_url, "import", "gazetteer", BLOCKS, "--municipality", "千代田区")  # it would be ignored
    assert result.exit_code == 2 and "--municipality" in result.stderr and BLOCKS.name in result.stderr
    assert stored_counts(store_url) == {}


def test_a_code_names_the_municipality_from_the_stored_areas(store_url, shared_data):
    from geo_welfare.store import open_store
    from geo_welfare.store.gazetteer import geocoder
    assert geocoder(open_store(store_url)) is None
    outlines = shared_data / "common" / "ksj_n03_2021_pref14_simplified1pct.geojson"
    assert run_cli(store_url, "import", "areas", outlines, "--unit", "municipality").exit_code == 0
    result = run_cli(store_url, "import", "gazetteer", geolonia_file(shared_data, "zushi"), "--municipality", "14208")
    assert result.exit_code == 0, result.stderr
    match = geocoder(open_store(store_url)).match("逗子市桜山5-4-33")
    zushi = json.loads(geolonia_file(shared_data, "zushi").read_text(encoding="utf-8"))
    assert (match.level, match.matched, (match.lon, match.lat)) == ("chome", "逗子市桜山五丁目",
                                                                   point_of(zushi, town="桜山五丁目"))


def test_the_stored_small_areas_are_a_gazetteer(store_url, shared_data):
    from geo_welfare.store import open_store
    from geo_welfare.store.gazetteer import geocoder
    kiyota = shared_data / "sapporo" / "smallarea" / "estat_h27_smallarea_kiyota.geojson"
    assert run_cli(store_url, "import", "gazetteer", "--small-areas").exit_code == 3  # none stored yet
    assert run_cli(store_url, "import", "areas", kiyota, "--unit", "small-area").exit_code == 0
    result = run_cli(store_url, "import", "gazetteer", "--small-areas")
    assert result.exit_code == 0, result.stderr
    match = geocoder(open_store(store_url)).match("札幌市清田区清田1条2丁目3-4")
    features = [f for f in json.loads(kiyota.read_text(encoding="utf-8"))["features"]
                if f["properties"]["S_NAME"] == "清田一条２丁目"]
    assert len(features) == 1
    assert (match.level, match.gazetteer, match.matched) == ("chome", "small_area", "清田区清田一条２丁目")
    assert shapely.geometry.shape(features[0]["geometry"]).contains(shapely.Point(match.lon, match.lat))


# --- the truth check ---------------------------------------------------------------------------

def truth_lists(shared_data: Path) -> dict[str, list[tuple[str, float, float]]]:
    """(address, lon, lat) of every real list that carries both."""
    def features(relative: str, field: str):
        data = json.loads((shared_data / relative).read_text(encoding="utf-8"))["features"]
        return [(f["properties"][field], *f["geometry"]["coordinates"]) for f in data]
    takamatsu = []
    for path in sorted((shared_data / "takamatsu").glob("takamatsu_*.csv")):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            if row.get("address", "").strip() and row.get("latitude", "").strip() and row.get("longitude", "").strip():
                takamatsu.append((row["address"], float(row["longitude"]), float(row["latitude"])))
    return {
        "sapporo_schools": features("sapporo/school/papamama_Elementary_loc.geojson", "A27_008")
        + features("sapporo/school/papamama_MiddleSchool_loc.geojson", "address"),
        "sapporo_gsi": features("sapporo/gsi_emergency_evacuation_sites_011002.geojson", "住所"),
        "takamatsu": takamatsu,
        "kanagawa_gsi": [row for city, code in (("fujisawa", "142051"), ("zushi", "142085"))
                         for kind in ("designated_shelters", "emergency_evacuation_sites")
                         for row in features(f"{city}/gsi_{kind}_{code}.geojson", "住所")],
    }


#: Measured 2026-12-02: rows, count at each level, median and 95th-percentile distance (m) of the placed rows.
TRUTH = {
    "sapporo_schools": (299, {"chome": 272, "oaza": 27}, 75.2, 400.2),
    "sapporo_gsi": (348, {"chome": 298, "oaza": 44, "municipality": 6}, 79.0, 913.6),
    "takamatsu": (397, {"chome": 56, "oaza": 341}, 570.7, 1822.7),
    "kanagawa_gsi": (319, {"chome": 217, "oaza": 102}, 215.0, 1165.8),
}


@pytest.mark.parametrize("name", list(TRUTH))
def test_truth_check(stored, shared_data, name):
    _, geocoder = stored
    rows = truth_lists(shared_data)[name]
    matches = [geocoder.match(address) for address, _, _ in rows]
    rows_expected, levels, median, p95 = TRUTH[name]
    assert len(rows) == rows_expected
    assert dict(Counter(m.level for m in matches)) == levels
    assert all((m.lon is None) == (m.level in ("municipality", "none")) for m in matches)
    assert all(m.reason for m in matches if not m.placed)
    placed = [(m, lon, lat) for m, (_, lon, lat) in zip(matches, rows) if m.placed]
    _, _, distances = Geod(ellps="GRS80").inv([m.lon for m, _, _ in placed], [m.lat for m, _, _ in placed],
                                              [lon for _, lon, _ in placed], [lat for _, _, lat in placed])
    assert np.median(distances) == pytest.approx(median, abs=0.1)
    assert np.percentile(distances, 95) == pytest.approx(p95, abs=0.1)


# --- geo-welfare geocode -------------------------------------------------------------------------

def test_geocode_adds_the_columns_to_any_csv(stored, tmp_path):
    url, _ = stored
    rows = [("1", "北区北十二条西10丁目", "A"), ("2", "札幌市北区北十二条西", "B"), ("3", "大阪府大阪市北区梅田1-1", "C"),
            ("4", "千代田区神田錦町1-12-1", "D")]
    source = tmp_path / "list.csv"
    source.write_bytes(("番号,住所,名称\r\n" + "".join(",".join(row) + "\r\n" for row in rows)).encode("cp932"))
    output = tmp_path / "out.csv"
    result = run_cli(url, "geocode", source, "-o", output, lang="ja")
    assert result.exit_code == 0, result.stderr
    assert output.read_bytes().startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert table[0] == ["番号", "住所", "名称", "緯度", "経度", "一致レベル", "一致した住所", "住所辞書",
                        "位置を付けなかった理由"]
    assert [row[:3] for row in table[1:]] == [list(row) for row in rows]
    assert [row[5] for row in table[1:]] == ["町丁目", "市区町村", "一致なし", "街区"]
    assert [row[6] for row in table[1:]] == ["北海道札幌市北区北十二条西十丁目", "北海道札幌市北区", "",
                                             "東京都千代田区神田錦町一丁目12番"]
    assert table[2][3:5] == ["", ""] and table[3][3:5] == ["", ""]  # never the city's centre
    assert table[2][8] and table[3][8] and not table[1][8]
    assert (float(table[4][3]), float(table[4][4])) == block_point("神田錦町一丁目", "12")[::-1]
    printed = run_cli(url, "geocode", source)
    assert printed.exit_code == 0
    assert next(csv.reader(io.StringIO(printed.stdout)))[3:6] == ["latitude", "longitude", "match level"]
    assert "chome 1" in printed.stderr and "none 1" in printed.stderr


def test_a_lists_own_coordinates_are_kept_beside_the_new_ones(stored, tmp_path):
    source = tmp_path / "with_position.csv"
    source.write_text("address,latitude,longitude\n札幌市中央区南1条西10丁目,43.1,141.2\n", encoding="utf-8")
    result = run_cli(stored[0], "geocode", source)
    assert result.exit_code == 0, result.stderr
    header, row = list(csv.reader(io.StringIO(result.stdout)))
    assert header[:5] == ["address", "latitude", "longitude", "latitude (from address)", "longitude (from address)"]
    assert row[1:3] == ["43.1", "141.2"] and row[3:5] == ["43.057597", "141.342254"]


def test_geocode_refusals(store_url, tmp_path):
    source = tmp_path / "list.csv"
    source.write_text("名称,所在地\nA,逗子市桜山5-4-33\n", encoding="utf-8")
    result = run_cli(store_url, "geocode", source)
    assert result.exit_code == 3 and "import gazetteer" in result.stderr
    assert run_cli(store_url, "import", "gazetteer", BLOCKS).exit_code == 0
    result = run_cli(store_url, "geocode", source, "--column", "住所")
    assert result.exit_code == 1 and "list.csv" in result.stderr
    assert run_cli(store_url, "geocode", tmp_path / "missing.csv").exit_code == 1


def test_a_long_list_is_answered_whole_and_alike(stored, shared_data, tmp_path):
    """10,000 rows (abr-geocoder #161 failed after ~1,600 of such a batch): every row out, in order, each
    answered as the same address is answered alone."""
    url, geocoder = stored
    addresses = [address for rows in truth_lists(shared_data).values() for address, _, _ in rows]
    addresses = (addresses * (10_000 // len(addresses) + 1))[:10_000]
    source = tmp_path / "long.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "address"])
        writer.writerows(enumerate(addresses))
    output = tmp_path / "long_out.csv"
    result = run_cli(url, "geocode", source, "-o", output)
    assert result.exit_code == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert [row["address"] for row in table] == addresses
    alone = {address: geocoder.match(address) for address in set(addresses)}
    assert [row["matched address"] for row in table] == [alone[a].matched or "" for a in addresses]


def test_nothing_reaches_the_network(spatialite_url, shared_data, tmp_path, monkeypatch):
    """Import and geocode with every socket refused: offline on a closed network, no silent web fallback."""
    import socket

    def refuse(*_args, **_kwargs):
        raise AssertionError("the network was used")
    for name in ("socket", "create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, refuse)
    result = run_cli(spatialite_url, "import", "gazetteer", geolonia_file(shared_data, "zushi"),
                     "--municipality", "神奈川県逗子市")
    assert result.exit_code == 0, result.stderr
    source = tmp_path / "list.csv"
    source.write_text("住所\n逗子市桜山5-4-33\n逗子市存在しない町1\n", encoding="utf-8")
    result = run_cli(spatialite_url, "geocode", source)
    assert result.exit_code == 0, result.stderr
    assert [row[3] for row in csv.reader(io.StringIO(result.stdout))][1:] == ["chome", "municipality"]
