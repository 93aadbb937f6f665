"""Bad input in every format: exit code 1, a message naming file, row and field, and the store unchanged.

Each test runs on SpatiaLite and on PostGIS against a store seeded with a known import in every
table (resources + schedule, small areas, population, candidates); every table, system tables
included, is compared before and after.  Bad files are written here from small hand-made data.
"""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo_welfare.core import glossary
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_resources
from helpers import BOW_TIE, GOOD, HEADER, SQUARE, areas_frame, refused, run_cli, snapshot, write_csv

#: The kinds the glossary knows, as the refusal lists them (the glossary grows with the national layouts).
KINDS = ", ".join(glossary.RESOURCE_KIND_IDS)
DUPLICATE = ("the same place as row {first} (the same ID, or in a list without IDs the same name and address); "
             "keep one row, or pass --merge-duplicates to keep the first")
VECTOR_FORMATS = [(".geojson", "GeoJSON"), (".gpkg", "GPKG"), (".shp", "ESRI Shapefile")]
vector_formats = pytest.mark.parametrize(("suffix", "driver"), VECTOR_FORMATS, ids=["geojson", "gpkg", "shp"])


# --- CSV: encodings ------------------------------------------------------------------------------

def test_shift_jis_declared_as_utf8(seeded, tmp_path):
    path = write_csv(tmp_path, GOOD, encoding="cp932")
    message = refused(seeded, "import", "resources", path, "--encoding", "utf-8")
    assert message == ("bad.csv: cannot decode the file; save it as UTF-8 or Shift-JIS (CP932) or pass --encoding "
                       "(tried utf-8)")


def test_shift_jis_undeclared_is_recognised(store_url, tmp_path):
    """The control for the test above: the same CP932 bytes without --encoding import intact."""
    path = write_csv(tmp_path, GOOD, name="sjis.csv", encoding="cp932")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = run_cli(store_url, "import", "resources", path)
    assert result.exit_code == 0, result.stderr
    stored = read_resources(open_store(store_url))
    assert stored["name"].tolist() == ["ひまわりサロン"] and stored["address"].tolist() == ["架空町1-1"]


def test_euc_jp_is_neither_utf8_nor_cp932(seeded, tmp_path):
    path = write_csv(tmp_path, GOOD, name="euc.csv", encoding="euc_jp")
    raw = path.read_bytes()
    # The premise, checked: these EUC-JP bytes are invalid in both encodings the importer tries
    # (e.g. 住所 is BD BB BD EA: EA is a CP932 lead byte left without its trail byte).
    for encoding in ("utf-8", "cp932"):
        with pytest.raises(UnicodeDecodeError):
            raw.decode(encoding)
    message = refused(seeded, "import", "resources", path)
    assert message == ("euc.csv: cannot decode the file; save it as UTF-8 or Shift-JIS (CP932) or pass --encoding "
                       "(tried utf-8-sig, cp932)")
    # … and naming the encoding mends it.
    url, _ = seeded
    result = run_cli(url, "import", "resources", path, "--encoding", "euc_jp")
    assert result.exit_code == 0, result.stderr
    assert "ひまわりサロン" in set(read_resources(open_store(url))["name"])


def test_unknown_encoding_name(seeded, tmp_path):
    message = refused(seeded, "import", "resources", write_csv(tmp_path, GOOD), "--encoding", "klingon")
    assert message == ("bad.csv: cannot decode the file; save it as UTF-8 or Shift-JIS (CP932) or pass --encoding "
                       "(tried klingon)")


# --- CSV: columns and values ----------------------------------------------------------------------

def test_missing_coordinate_column(seeded, tmp_path):
    path = tmp_path / "nocoords.csv"
    path.write_text("ID,名称,住所\nS1,ひまわりサロン,架空町1-1\n", encoding="utf-8")
    message = refused(seeded, "import", "resources", path)
    assert message == ("nocoords.csv, field '緯度/latitude, 経度/longitude': missing coordinate column(s): "
                       "緯度/latitude, 経度/longitude (map them with --columns)")


def test_missing_name_column(seeded, tmp_path):
    path = tmp_path / "noname.csv"
    path.write_text("ID,住所,緯度,経度\nS1,架空町1-1,35.2,139.4\n", encoding="utf-8")
    message = refused(seeded, "import", "resources", path)
    assert message == "noname.csv, field '名称/name': no name column (map it with --columns name=COLUMN)"


def test_bad_values_name_their_rows_and_fields(seeded, tmp_path):
    body = (GOOD
            + "S2,さくらサロン,カラオケ,架空町2,35.2,139.4,毎週水曜,10:00,12:00,20,あり,公開,2026-10-01\n"
            + "S3,あおぞらサロン,サロン,架空町3,35.2,139.4,毎週水曜,10:00,12:00,二十人,たぶん,公開,2026/13/40\n"
            + "S1,ふれあいサロン,サロン,架空町4,35.2,139.4,毎週水曜,10:00,12:00,20,あり,公開,2026-10-01\n"
            + "S5,いきいきサロン,サロン,架空町5,北緯35度,139.4,毎週水曜,10:00,12:00,20,あり,ひみつ,2026-10-01\n")
    message = refused(seeded, "import", "resources", write_csv(tmp_path, body))
    # Rows are line numbers as a spreadsheet shows them: the header is line 1, S1 line 2.
    # 「二十人」 in 定員 is description, not a mistake: kept as text (a warning), never a refusal.
    assert message.splitlines() == [
        f"bad.csv, row 3, field '種別': unknown kind (known: {KINDS}) (found 'カラオケ')",
        "bad.csv, row 4, field 'バリアフリー': expected yes/no (あり/なし) (found 'たぶん')",
        "bad.csv, row 4, field '最終確認日': expected a date like 2026-11-25 (found '2026/13/40')",
        f"bad.csv, row 5, field 'ID': {DUPLICATE.format(first=2)} (found 'S1')",
        "bad.csv, row 6, field '緯度': expected decimal degrees (found '北緯35度')",
    ]  # every bad row at once; a row without a place is not judged further (its 公開 waits for the next run)
    body = body.replace("北緯35度", "35.2")
    message = refused(seeded, "import", "resources", write_csv(tmp_path, body))
    assert message.splitlines() == [
        f"bad.csv, row 3, field '種別': unknown kind (known: {KINDS}) (found 'カラオケ')",
        "bad.csv, row 4, field 'バリアフリー': expected yes/no (あり/なし) (found 'たぶん')",
        "bad.csv, row 4, field '最終確認日': expected a date like 2026-11-25 (found '2026/13/40')",
        f"bad.csv, row 5, field 'ID': {DUPLICATE.format(first=2)} (found 'S1')",
        "bad.csv, row 6, field '公開': expected 公開 (public) or 職員のみ (staff only) (found 'ひみつ')",
    ]


def test_messages_in_japanese(seeded, tmp_path):
    body = GOOD.replace("サロン,架空町", "カラオケ,架空町")
    message = refused(seeded, "import", "resources", write_csv(tmp_path, body), lang="ja")
    assert message.startswith("bad.csv, 2行目, 列「種別」: 不明な種別です（使える種別: サロン, 通いの場, 地域の縁側, "
                              "地域包括支援センター, 公民館・市民センター, 子ども食堂, ")
    assert message.endswith("その他）（値: 'カラオケ'）")


def test_unknown_kind_option(seeded, tmp_path):
    message = refused(seeded, "import", "resources", write_csv(tmp_path, GOOD), "--kind", "カラオケ")
    assert message == f"bad.csv, field '--kind': unknown kind (known: {KINDS}) (found 'カラオケ')"


def test_swapped_and_foreign_coordinates(seeded, tmp_path):
    body = (GOOD.replace("35.20,139.40", "139.40,35.20")
            + GOOD.replace("S1", "S2").replace("35.20,139.40", "51.5,-0.12"))
    message = refused(seeded, "import", "resources", write_csv(tmp_path, body))
    assert message.splitlines() == [
        "bad.csv, row 2, field 'geometry': coordinates outside Japan (latitude and longitude swapped?) "
        "(found '35.200000, 139.400000')",
        "bad.csv, row 3, field 'geometry': coordinates outside Japan (check the CRS) (found '-0.120000, 51.500000')",
    ]


@pytest.mark.parametrize("crs", ["EPSG:999999", "JGD2011 zone nine"])
def test_crs_that_pyproj_cannot_parse(seeded, tmp_path, crs):
    from pyproj import CRS
    from pyproj.exceptions import CRSError
    with pytest.raises(CRSError):
        CRS.from_user_input(crs)  # the premise
    message = refused(seeded, "import", "resources", write_csv(tmp_path, GOOD), "--crs", crs)
    assert message == f"bad.csv: unknown CRS: {crs}"
    path = tmp_path / "areas.geojson"
    areas_frame([SQUARE]).to_file(path, driver="GeoJSON")
    message = refused(seeded, "import", "areas", path, "--unit", "district", "--crs", crs)
    assert message == f"areas.geojson: unknown CRS: {crs}"


def test_unknown_column_in_map(seeded, tmp_path):
    message = refused(seeded, "import", "resources", write_csv(tmp_path, GOOD), "--columns", "name=施設名称")
    assert message == "bad.csv, field '施設名称': column named in --columns for 'name' is not in the file"


# --- several files: all or nothing ----------------------------------------------------------------

def test_second_resource_file_bad_means_nothing_from_the_first(seeded, tmp_path):
    first = write_csv(tmp_path, GOOD.replace("S1", "N1").replace("ひまわり", "新しい"), name="first.csv")
    second = write_csv(tmp_path, GOOD.replace("35.20", "abc"), name="second.csv")
    message = refused(seeded, "import", "resources", first, second)
    assert message == "second.csv, row 2, field '緯度': expected decimal degrees (found 'abc')"


def test_second_area_file_bad_means_nothing_from_the_first(seeded, tmp_path):
    first, second = tmp_path / "first.geojson", tmp_path / "second.geojson"
    areas_frame([SQUARE], names=("東町",)).to_file(first, driver="GeoJSON")
    gpd.GeoDataFrame({"code": ["B0"], "name": ["西町"]}, geometry=[BOW_TIE], crs="EPSG:6668").to_file(
        second, driver="GeoJSON")
    message = refused(seeded, "import", "areas", first, second, "--unit", "district")
    assert message == ("second.geojson, row 1, field 'geometry': invalid geometry (use --repair-geometry to mend it) "
                       "(found 'Self-intersection[139.405 35.205]')")


def test_second_population_file_bad_means_nothing_from_the_first(seeded, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("区,区分,人口,0～14歳\n東区,A町,30,2\n", encoding="utf-8")
    second.write_text("区,区分,人口,0～14歳\n東区,B町,30,3\n東区,B町,31,4\n", encoding="utf-8")
    message = refused(seeded, "import", "population", first, second)
    assert message == "second.csv, row 3, field '区分': the same area appears twice (found '東区/B町')"


# --- population -----------------------------------------------------------------------------------

def test_population_ward_total_row_disagreeing(seeded, tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("区,区分,人口,0～14歳\n東区,東区,61,5\n東区,A町,30,2\n東区,B町,30,3\n", encoding="utf-8")
    message = refused(seeded, "import", "population", path)
    # 30 + 30 = 60 ≠ 61 in the ward's own row (line 2); 0–14 (2 + 3 = 5) agrees and is not reported.
    assert message == "pop.csv, row 2, field 'total': total row does not equal the sum of its rows (found '61 ≠ 60')"


def test_population_city_total_row_disagreeing(seeded, tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("区,区分,人口,65歳以上\n全市,全市,100,31\n東区,A町,60,20\n西区,B町,40,10\n", encoding="utf-8")
    message = refused(seeded, "import", "population", path)
    # totals agree (60 + 40 = 100); 65+ does not (20 + 10 = 30 ≠ 31).
    assert message == ("pop.csv, row 2, field 'age_65_plus': total row does not equal the sum of its rows "
                       "(found '31 ≠ 30')")


def test_population_bad_counts(seeded, tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("KEY_CODE,地域名,総数,65歳以上\nS001,見本町一丁目,百,\nS002,見本町二丁目,40,-5\n"
                    "S003,見本町三丁目,10,12\nS004,見本町四丁目,10,2.5\n", encoding="utf-8")
    message = refused(seeded, "import", "population", path)
    assert message.splitlines() == [
        "pop.csv, row 2, field '総数': expected a whole number ≥ 0 (found '百')",
        "pop.csv, row 3, field '65歳以上': expected a whole number ≥ 0 (found '-5')",
        "pop.csv, row 4, field '65歳以上': age_65_plus exceeds total (found '12 > 10')",
        "pop.csv, row 5, field '65歳以上': expected a whole number ≥ 0 (found '2.5')",
    ]


def test_population_bad_total_reported_once(seeded, tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("KEY_CODE,地域名,総数,65歳以上\nS001,見本町一丁目,百,3\n", encoding="utf-8")
    message = refused(seeded, "import", "population", path)
    assert message.splitlines() == ["pop.csv, row 2, field '総数': expected a whole number ≥ 0 (found '百')"]


# --- vector formats: encodings --------------------------------------------------------------------

def test_geojson_in_shift_jis(seeded, tmp_path):
    """GeoJSON is UTF-8 by definition (RFC 7946); a CP932 one is refused, not stored garbled."""
    path = tmp_path / "sjis.geojson"
    frame = gpd.GeoDataFrame({"ID": ["S1"], "名称": ["ひまわりサロン"]}, geometry=[shapely.Point(139.4, 35.2)],
                             crs="EPSG:6668")
    path.write_bytes(frame.to_json(ensure_ascii=False).encode("cp932"))
    message = refused(seeded, "import", "resources", path)
    assert message == "sjis.geojson: cannot decode the attributes; pass --encoding (e.g. cp932)"


def test_shapefile_whose_cpg_names_the_wrong_encoding(seeded, tmp_path):
    path = tmp_path / "lie.shp"
    areas_frame([SQUARE], names=("北一条西",)).to_file(path, encoding="cp932")
    path.with_suffix(".cpg").write_text("UTF-8")  # the .dbf holds CP932 bytes
    assert "北一条西".encode("cp932") in path.with_suffix(".dbf").read_bytes()
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == "lie.shp: cannot decode the attributes; pass --encoding (e.g. cp932)"
    url, _ = seeded
    mended = run_cli(url, "import", "areas", path, "--unit", "district", "--encoding", "cp932")
    assert mended.exit_code == 0, mended.stderr
    assert read_areas(open_store(url), "district")["name"].tolist() == ["北一条西"]


def test_geopackage_read_with_a_wrong_declared_encoding(seeded, tmp_path):
    """GeoPackage text is UTF-8 by definition; declaring CP932 must not store mojibake."""
    path = tmp_path / "houses.gpkg"
    gpd.GeoDataFrame({"id": ["H1"], "name": ["老人いこいの家白梅荘"]}, geometry=[shapely.Point(134.04, 34.35)],
                     crs="EPSG:6668").to_file(path, driver="GPKG")
    with pytest.raises(UnicodeDecodeError):
        "老人いこいの家白梅荘".encode("utf-8").decode("cp932")  # the premise: these bytes are not CP932
    message = refused(seeded, "import", "resources", path, "--encoding", "cp932")
    assert message == "houses.gpkg: cannot decode the attributes; pass --encoding (e.g. cp932)"
    url, _ = seeded
    assert run_cli(url, "import", "resources", path).exit_code == 0  # undeclared, it imports intact
    assert "老人いこいの家白梅荘" in set(read_resources(open_store(url))["name"])


def test_cp932_shapefile_without_cpg_imports_intact(store_url, tmp_path):
    path = tmp_path / "sjis.shp"
    areas_frame([SQUARE, shapely.box(139.41, 35.20, 139.42, 35.21)], names=("北一条西", "東雁来二条")) \
        .to_crs(6677).to_file(path, encoding="cp932")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0  # no language driver id either: nothing in the file names its encoding
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    assert "東雁来二条".encode("cp932") in bytes(dbf)
    with pytest.raises(UnicodeDecodeError):
        bytes(dbf).decode("utf-8")
    result = run_cli(store_url, "import", "areas", path, "--unit", "district")
    assert result.exit_code == 0, result.stderr
    stored = read_areas(open_store(store_url), "district")
    assert stored["name"].tolist() == ["北一条西", "東雁来二条"]
    assert stored.geometry.iloc[0].bounds == pytest.approx((139.40, 35.20, 139.41, 35.21), abs=1e-9)


# --- vector formats: columns, geometry, values --------------------------------------------------

@vector_formats
def test_areas_missing_name_and_code_columns(seeded, tmp_path, suffix, driver):
    path = tmp_path / f"nameless{suffix}"
    gpd.GeoDataFrame({"value": [1]}, geometry=[SQUARE], crs="EPSG:6668").to_file(path, driver=driver)
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == (f"nameless{suffix}, field 'code/name': needs a code or a name column "
                       "(map it with --columns code=COLUMN)")


@vector_formats
def test_resources_missing_name_column(seeded, tmp_path, suffix, driver):
    path = tmp_path / f"noname{suffix}"
    gpd.GeoDataFrame({"ID": ["S1"]}, geometry=[shapely.Point(139.4, 35.2)], crs="EPSG:6668").to_file(
        path, driver=driver)
    message = refused(seeded, "import", "resources", path)
    assert message == f"noname{suffix}, field '名称/name': no name column (map it with --columns name=COLUMN)"


@vector_formats
def test_broken_geometry_is_refused_then_repaired_on_request(seeded, tmp_path, suffix, driver):
    path = tmp_path / f"areas{suffix}"
    areas_frame([SQUARE, BOW_TIE]).to_file(path, driver=driver)
    assert not BOW_TIE.is_valid
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == (f"areas{suffix}, row 2, field 'geometry': invalid geometry (use --repair-geometry to mend it) "
                       "(found 'Self-intersection[139.405 35.205]')")
    url, _ = seeded
    repaired = run_cli(url, "import", "areas", path, "--unit", "district", "--repair-geometry")
    assert repaired.exit_code == 0, repaired.stderr
    assert "Invalid geometries repaired: 1" in repaired.stderr
    stored = read_areas(open_store(url), "district").set_index("code")
    mended = stored.loc["A1", "geometry"]
    # The bow tie is two triangles meeting at its centre, each 0.01 × 0.005 / 2 deg²: together half the square.
    assert mended.is_valid and mended.geom_type == "MultiPolygon" and len(mended.geoms) == 2
    assert mended.area == pytest.approx(0.01 * 0.01 / 2, rel=1e-9)
    assert stored.loc["A0", "geometry"].area == pytest.approx(0.01 * 0.01, rel=1e-9)


@vector_formats
def test_out_of_japan_polygons(seeded, tmp_path, suffix, driver):
    path = tmp_path / f"london{suffix}"
    areas_frame([shapely.box(-0.13, 51.50, -0.12, 51.51)]).to_file(path, driver=driver)
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == (f"london{suffix}, row 1, field 'geometry': coordinates outside Japan (check the CRS) "
                       "(found '-0.130000, 51.500000')")


@vector_formats
def test_swapped_points(seeded, tmp_path, suffix, driver):
    path = tmp_path / f"swapped{suffix}"
    gpd.GeoDataFrame({"ID": ["S1", "S2"], "名称": ["ひまわり", "さくら"]},
                     geometry=[shapely.Point(139.4, 35.2), shapely.Point(35.21, 139.41)],
                     crs="EPSG:6668").to_file(path, driver=driver)
    message = refused(seeded, "import", "resources", path)
    assert message == (f"swapped{suffix}, row 2, field 'geometry': coordinates outside Japan "
                       "(latitude and longitude swapped?) (found '35.210000, 139.410000')")


@vector_formats
def test_bad_values_in_vector_files(seeded, tmp_path, suffix, driver):
    # Field names of at most 10 bytes in UTF-8, so that a Shapefile keeps them whole.
    frame = gpd.GeoDataFrame({
        "ID": ["S1", "S2", "S2"], "名称": ["ひまわり", "さくら", "あおぞら"], "種別": ["サロン", "カラオケ", "サロン"],
        "定員": ["20", "二十人", "5"], "相談": ["あり", "たぶん", "なし"],
        "確認日": ["2026-10-01", "2026/13/40", "2026-10-01"], "公開": ["公開", "公開", "ひみつ"],
    }, geometry=[shapely.Point(139.4, 35.2)] * 3, crs="EPSG:6668")
    path = tmp_path / f"bad{suffix}"
    frame.to_file(path, driver=driver)
    assert set(pyogrio.read_info(path)["fields"]) >= {"名称", "種別", "定員", "相談", "確認日", "公開"}
    message = refused(seeded, "import", "resources", path)
    assert message.splitlines() == [  # rows are feature numbers, from 1
        f"bad{suffix}, row 2, field '種別': unknown kind (known: {KINDS}) (found 'カラオケ')",
        f"bad{suffix}, row 2, field '相談': expected yes/no (あり/なし) (found 'たぶん')",
        f"bad{suffix}, row 2, field '確認日': expected a date like 2026-11-25 (found '2026/13/40')",
        f"bad{suffix}, row 3, field '公開': expected 公開 (public) or 職員のみ (staff only) (found 'ひみつ')",
        f"bad{suffix}, row 3, field 'ID': {DUPLICATE.format(first=2)} (found 'S2')",
    ]


def test_duplicated_code_with_different_names(seeded, tmp_path):
    path = tmp_path / "twice.geojson"
    gpd.GeoDataFrame({"code": ["A1", "A1"], "name": ["北町", "南町"]},
                     geometry=[SQUARE, shapely.box(139.41, 35.20, 139.42, 35.21)], crs="EPSG:6668").to_file(
        path, driver="GeoJSON")
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == "twice.geojson, row 2, field 'name': code A1 has different names (found '北町 / 南町')"


# --- CRS ------------------------------------------------------------------------------------------

def test_shapefile_without_prj(seeded, tmp_path):
    path = tmp_path / "noprj.shp"
    areas_frame([SQUARE]).to_crs(6677).to_file(path)  # JGD2011 plane rectangular IX, metres
    path.with_suffix(".prj").unlink()
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == "noprj.shp: unknown CRS (no .prj); name it with --crs, e.g. --crs EPSG:6668"
    url, _ = seeded
    named = run_cli(url, "import", "areas", path, "--unit", "district", "--crs", "EPSG:6677")
    assert named.exit_code == 0, named.stderr
    stored = read_areas(open_store(url), "district")
    assert stored.geometry.iloc[0].bounds == pytest.approx(SQUARE.bounds, abs=1e-7)  # back where it was drawn


def test_crs_that_contradicts_the_file(seeded, tmp_path):
    path = tmp_path / "zone9.gpkg"
    areas_frame([SQUARE]).to_crs(6677).to_file(path, driver="GPKG")
    message = refused(seeded, "import", "areas", path, "--unit", "district", "--crs", "EPSG:6680")
    assert message == "zone9.gpkg: the file declares EPSG:6677 but --crs says EPSG:6680"


def test_missing_file(seeded, tmp_path):
    message = refused(seeded, "import", "areas", tmp_path / "nowhere.geojson", "--unit", "district")
    assert message == "nowhere.geojson: file not found"


# --- bugs the acceptance helper found (were strict xfails; fixed) --------------------------------

def test_same_codes_from_another_source(seeded, tmp_path):
    url, _ = seeded
    first, renamed = tmp_path / "areas.geojson", tmp_path / "areas_2026.geojson"
    areas_frame([SQUARE, shapely.box(139.41, 35.20, 139.42, 35.21)]).to_file(first, driver="GeoJSON")
    renamed.write_bytes(first.read_bytes())
    assert run_cli(url, "import", "areas", first, "--unit", "district").exit_code == 0
    before = snapshot(url)
    result = run_cli(url, "import", "areas", renamed, "--unit", "district")
    assert "Unexpected error" not in result.stderr and "IntegrityError" not in result.stderr, result.stderr
    if result.exit_code == 1:  # refused: the store unchanged, the message names the file and the code
        assert snapshot(url) == before
        assert "areas_2026.geojson" in result.stderr and "A0" in result.stderr
    else:  # or imported as an update of the same units: still one row per code
        assert result.exit_code == 0
        stored = read_areas(open_store(url), "district")
        assert sorted(stored["code"]) == ["A0", "A1"]


@pytest.mark.parametrize("separator", ["\u2028", "\x0c"], ids=["U+2028", "form-feed"])
def test_unicode_line_separator_inside_a_cell(store_url, tmp_path, separator):
    import csv
    path = tmp_path / "names.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:  # as Python's csv module writes it
        writer = csv.writer(handle)
        writer.writerow(["ID", "名称", "緯度", "経度"])
        writer.writerow(["S1", f"ひまわり{separator}サロン", "35.2", "139.4"])
        writer.writerow(["S2", "さくらサロン", "35.21", "139.41"])
    with open(path, encoding="utf-8", newline="") as handle:  # the premise: a well-formed two-record CSV
        assert len(list(csv.reader(handle))) == 3
    result = run_cli(store_url, "import", "resources", path)
    assert result.exit_code == 0, result.stderr
    assert read_resources(open_store(store_url))["name"].tolist() == [f"ひまわり{separator}サロン", "さくらサロン"]


def test_the_snapshot_sees_any_write(seeded, tmp_path):
    """The unchanged-store check above is not vacuous: one changed value shows."""
    url, before = seeded
    changed = write_csv(tmp_path, GOOD.replace("20,あり", "21,あり"), name="seed_resources.csv")  # same source
    result = run_cli(url, "import", "resources", changed)
    assert result.exit_code == 0 and "0 added, 1 updated, 0 removed" in result.stderr
    after = snapshot(url)
    assert after != before
    changed = {table for table in before if before[table] != after[table]}
    # The resource row; its schedule rows are rewritten; SpatiaLite also stamps geometry_columns_time;
    # the import is recorded (import_run) with the place's change (resource_change).
    assert {"resource", "import_run", "resource_change"} <= changed
    assert changed <= {"resource", "schedule", "geometry_columns_time", "import_run", "resource_change"}


# --- the row policy (issue #10): each new case refused whole by default, skipped only on request ----------

@pytest.mark.parametrize(("case", "body", "reason"), [
    ("empty name", GOOD.replace("S1", "S2").replace("ひまわりサロン", ""), "field '名称': name is empty"),
    ("duplicate id", GOOD.replace("ひまわり", "さくら"), "field 'ID': the same place as row 2"),
    ("no position, no address", GOOD.replace("S1", "S2").replace("架空町1-1,35.20,139.40", ",,"),
     "field '緯度, 経度': no coordinates and no address"),
    ("half a position", GOOD.replace("S1", "S2").replace("35.20,139.40", ",139.40"),
     "field '緯度': expected decimal degrees"),
    ("infinite coordinates", GOOD.replace("S1", "S2").replace("35.20,139.40", "inf,139.40"),
     "field '緯度': expected decimal degrees"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 25 else None)
def test_each_new_case_changes_nothing_unless_skip_invalid(seeded, tmp_path, case, body, reason):
    good = GOOD.replace("S1", "N1").replace("ひまわり", "なでしこ")
    path = write_csv(tmp_path, good.replace("N1", "S1") + body + good, name="case.csv")  # rows 2 (ok), 3 (bad), 4 (ok)
    message = refused(seeded, "import", "resources", path)
    assert message.startswith(f"case.csv, row 3, {reason}"), message
    url, before = seeded
    report = tmp_path / "case_report.csv"
    result = run_cli(url, "import", "resources", path, "--skip-invalid", "--report", report)
    assert result.exit_code == 0, result.stderr
    assert "case.csv: 2 added, 0 updated, 0 removed, 1 skipped" in result.stderr
    stored = read_resources(open_store(url))
    assert sorted(stored.loc[stored["source"] == "case", "source_id"]) == ["N1", "S1"]
    assert snapshot(url) != before  # the control: skipping writes the good rows
    with open(report, encoding="utf-8-sig") as handle:
        lines = handle.read().splitlines()
    assert lines[0] == HEADER.strip() + ",行番号,理由" and len(lines) == 2
    assert lines[1].startswith(body.strip() + ",3,") and reason in lines[1]
