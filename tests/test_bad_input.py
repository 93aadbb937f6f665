"""Bad input in every format: a clear error naming file, row and field, exit code 1, store unchanged."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import func, select

from conftest import run_cli
from geo_welfare.store import open_store
from geo_welfare.store.models import Base

HEADER = "ID,名称,種別,住所,緯度,経度,開催日,開始時間,終了時間,定員,バリアフリー,公開,最終確認日\n"
GOOD = "S1,ひまわりサロン,サロン,架空町1-1,35.20,139.40,毎週火曜,10:00,12:00,20,あり,公開,2026-10-01\n"


def snapshot(url: str) -> dict[str, list]:
    """Every row of every table, geometries as WKB, so any change at all shows."""
    engine = open_store(url)
    contents = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [func.ST_AsBinary(c).label(c.name) if c.name == "geom" else c for c in table.columns]
            contents[table.name] = [tuple(bytes(v) if isinstance(v, (bytes, memoryview)) else v for v in row)
                                    for row in connection.execute(select(*columns).order_by(table.c.id))]
    return contents


@pytest.fixture
def seeded(store_url, tmp_path):
    """A store holding one good import, and its full contents."""
    good = tmp_path / "seed.csv"
    good.write_text(HEADER + GOOD, encoding="utf-8")
    assert run_cli(store_url, "import", "resources", good).exit_code == 0
    return store_url, snapshot(store_url)


def refused(seeded, *arguments, lang: str = "en") -> str:
    """Run an import that must be refused; check exit code 1 and an unchanged store; return stderr."""
    url, before = seeded
    result = run_cli(url, *map(str, arguments), lang=lang)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert snapshot(url) == before
    lines = result.stderr.splitlines()
    aborted = ("Import aborted; nothing in the store was changed." if lang == "en"
               else "取り込みを中止しました。データは変更されていません。")
    assert aborted in lines, result.stderr  # after any progress lines, the one-line reason
    return "\n".join(lines[lines.index(aborted) + 1:])


def csv_file(tmp_path, body: str, name: str = "bad.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


# --- CSV -------------------------------------------------------------------------------------

def test_shift_jis_declared_as_utf8(seeded, tmp_path):
    path = csv_file(tmp_path, GOOD, encoding="cp932")
    message = refused(seeded, "import", "resources", path, "--encoding", "utf-8")
    assert message == ("bad.csv: cannot decode the file; save it as UTF-8 or Shift-JIS (CP932) or pass --encoding "
                       "(tried utf-8)")


def test_neither_utf8_nor_cp932(seeded, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(HEADER.encode("utf-8") + b"S1,\x81\x20\xff,x\n")
    message = refused(seeded, "import", "resources", path)
    assert message == ("broken.csv: cannot decode the file; save it as UTF-8 or Shift-JIS (CP932) or pass "
                       "--encoding (tried utf-8-sig, cp932)")


def test_missing_coordinate_column(seeded, tmp_path):
    path = tmp_path / "nocoords.csv"
    path.write_text("ID,名称,住所\nS1,ひまわりサロン,架空町1-1\n", encoding="utf-8")
    message = refused(seeded, "import", "resources", path)
    assert message == ("nocoords.csv, field '緯度/latitude, 経度/longitude': missing coordinate column(s): "
                       "緯度/latitude, 経度/longitude (map them with --columns)")


def test_bad_values_name_their_rows_and_fields(seeded, tmp_path):
    body = (GOOD
            + "S2,さくらサロン,カラオケ,架空町2,35.2,139.4,毎週水曜,10:00,12:00,20,あり,公開,2026-10-01\n"
            + "S3,あおぞらサロン,サロン,架空町3,35.2,139.4,毎週水曜,10:00,12:00,二十人,たぶん,公開,2026/13/40\n"
            + "S1,ふれあいサロン,サロン,架空町4,35.2,139.4,毎週水曜,10:00,12:00,20,あり,公開,2026-10-01\n"
            + "S5,いきいきサロン,サロン,架空町5,北緯35度,139.4,毎週水曜,10:00,12:00,20,あり,ひみつ,2026-10-01\n")
    message = refused(seeded, "import", "resources", csv_file(tmp_path, body))
    assert message.splitlines() == [
        "bad.csv, row 6, field '緯度': expected decimal degrees (found '北緯35度')",
    ]  # coordinates are checked first: a row without a place cannot be judged further
    body = body.replace("北緯35度", "35.2")
    message = refused(seeded, "import", "resources", csv_file(tmp_path, body))
    assert message.splitlines() == [
        "bad.csv, row 3, field '種別': unknown kind (known: salon, kayoi_no_ba, engawa, support_centre, "
        "community_centre, kodomo_shokudo, other) (found 'カラオケ')",
        "bad.csv, row 4, field 'バリアフリー': expected yes/no (あり/なし) (found 'たぶん')",
        "bad.csv, row 4, field '定員': capacity must be a whole number (found '二十人')",
        "bad.csv, row 4, field '最終確認日': expected a date like 2026-11-25 (found '2026/13/40')",
        "bad.csv, row 5, field 'ID': duplicate id (the same place twice, or the id column is not unique) "
        "(found 'S1')",
        "bad.csv, row 6, field '公開': expected 公開 (public) or 職員のみ (staff only) (found 'ひみつ')",
    ]


def test_messages_in_japanese(seeded, tmp_path):
    body = GOOD.replace("サロン,架空町", "カラオケ,架空町")
    message = refused(seeded, "import", "resources", csv_file(tmp_path, body), lang="ja")
    assert message == ("bad.csv, 2行目, 列「種別」: 不明な種別です（使える種別: サロン, 通いの場, 地域の縁側, "
                       "地域包括支援センター, 公民館・市民センター, 子ども食堂, その他）（値: 'カラオケ'）")


def test_swapped_and_foreign_coordinates(seeded, tmp_path):
    body = GOOD.replace("35.20,139.40", "139.40,35.20") + GOOD.replace("S1", "S2").replace("35.20,139.40", "51.5,-0.12")
    message = refused(seeded, "import", "resources", csv_file(tmp_path, body))
    assert message.splitlines() == [
        "bad.csv, row 2, field 'geometry': coordinates outside Japan (latitude and longitude swapped?) "
        "(found '35.200000, 139.400000')",
        "bad.csv, row 3, field 'geometry': coordinates outside Japan (check the CRS) (found '-0.120000, 51.500000')",
    ]


def test_unknown_crs_names(seeded, tmp_path):
    message = refused(seeded, "import", "resources", csv_file(tmp_path, GOOD), "--crs", "EPSG:999999")
    assert message == "bad.csv: unknown CRS: EPSG:999999"


def test_unknown_column_in_map(seeded, tmp_path):
    message = refused(seeded, "import", "resources", csv_file(tmp_path, GOOD), "--columns", "name=施設名称")
    assert message == "bad.csv, field '施設名称': column named in --columns for 'name' is not in the file"


def test_second_file_bad_means_nothing_from_the_first(seeded, tmp_path):
    first = csv_file(tmp_path, GOOD.replace("S1", "N1").replace("ひまわり", "新しい"), name="first.csv")
    second = csv_file(tmp_path, GOOD.replace("35.20", "abc"), name="second.csv")
    message = refused(seeded, "import", "resources", first, second)
    assert message == "second.csv, row 2, field '緯度': expected decimal degrees (found 'abc')"


def test_population_total_row_disagreeing(seeded, tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("区,区分,人口,0～14歳\n東区,東区,61,5\n東区,A町,30,2\n東区,B町,30,3\n", encoding="utf-8")
    message = refused(seeded, "import", "population", path)
    assert message == "pop.csv, row 2, field 'total': total row does not equal the sum of its rows (found '61 ≠ 60')"


# --- GeoJSON, GeoPackage, Shapefile ------------------------------------------------------------

BOW_TIE = shapely.Polygon([(139.40, 35.20), (139.41, 35.21), (139.41, 35.20), (139.40, 35.21)])
SQUARE = shapely.box(139.40, 35.20, 139.41, 35.21)


def areas_frame(geometries, names=("北町", "南町")):
    return gpd.GeoDataFrame({"code": [f"A{i}" for i in range(len(geometries))], "name": list(names[:len(geometries)])},
                            geometry=list(geometries), crs="EPSG:6668")


@pytest.mark.parametrize(("suffix", "driver"), [(".geojson", "GeoJSON"), (".gpkg", "GPKG"),
                                                 (".shp", "ESRI Shapefile")])
def test_broken_geometry_is_refused_then_repaired_on_request(seeded, tmp_path, suffix, driver):
    path = tmp_path / f"areas{suffix}"
    areas_frame([SQUARE, BOW_TIE]).to_file(path, driver=driver)
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == (f"areas{suffix}, row 2, field 'geometry': invalid geometry (use --repair-geometry to mend it) "
                       "(found 'Self-intersection[139.405 35.205]')")
    url, _ = seeded
    repaired = run_cli(url, "import", "areas", path, "--unit", "district", "--repair-geometry")
    assert repaired.exit_code == 0, repaired.stderr
    assert "Invalid geometries repaired: 1" in repaired.stderr


@pytest.mark.parametrize(("suffix", "driver"), [(".geojson", "GeoJSON"), (".gpkg", "GPKG"),
                                                 (".shp", "ESRI Shapefile")])
def test_missing_name_and_code_columns(seeded, tmp_path, suffix, driver):
    path = tmp_path / f"nameless{suffix}"
    gpd.GeoDataFrame({"value": [1]}, geometry=[SQUARE], crs="EPSG:6668").to_file(path, driver=driver)
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == (f"nameless{suffix}, field 'code/name': needs a code or a name column "
                       "(map it with --columns code=COLUMN)")


@pytest.mark.parametrize(("suffix", "driver"), [(".geojson", "GeoJSON"), (".gpkg", "GPKG"),
                                                 (".shp", "ESRI Shapefile")])
def test_out_of_japan_polygons(seeded, tmp_path, suffix, driver):
    path = tmp_path / f"london{suffix}"
    areas_frame([shapely.box(-0.13, 51.50, -0.12, 51.51)]).to_file(path, driver=driver)
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == (f"london{suffix}, row 1, field 'geometry': coordinates outside Japan (check the CRS) "
                       "(found '-0.130000, 51.500000')")


def test_shapefile_without_prj(seeded, tmp_path):
    path = tmp_path / "noprj.shp"
    areas_frame([SQUARE]).to_crs(6677).to_file(path)
    path.with_suffix(".prj").unlink()
    message = refused(seeded, "import", "areas", path, "--unit", "district")
    assert message == "noprj.shp: unknown CRS (no .prj); name it with --crs, e.g. --crs EPSG:6668"
    url, _ = seeded
    assert run_cli(url, "import", "areas", path, "--unit", "district", "--crs", "EPSG:6677").exit_code == 0


def test_crs_that_contradicts_the_file(seeded, tmp_path):
    path = tmp_path / "zone9.gpkg"
    areas_frame([SQUARE]).to_crs(6677).to_file(path, driver="GPKG")
    message = refused(seeded, "import", "areas", path, "--unit", "district", "--crs", "EPSG:6680")
    assert message == ("zone9.gpkg: the file declares EPSG:6677 but --crs says EPSG:6680")


def test_missing_file(seeded, tmp_path):
    message = refused(seeded, "import", "areas", tmp_path / "nowhere.geojson", "--unit", "district")
    assert message == "nowhere.geojson: file not found"


def test_cp932_shapefile_without_cpg_imports_intact(store_url, tmp_path):
    path = tmp_path / "sjis.shp"
    areas_frame([SQUARE, shapely.box(139.41, 35.20, 139.42, 35.21)], names=("北一条西", "東雁来二条")) \
        .to_crs(6677).to_file(path, encoding="cp932")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0  # no language driver id either: nothing in the file names its encoding
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    with pytest.raises(UnicodeDecodeError):
        bytes(dbf).decode("utf-8")
    result = run_cli(store_url, "import", "areas", path, "--unit", "district")
    assert result.exit_code == 0, result.stderr
    from geo_welfare.store.read import read_areas
    stored = read_areas(open_store(store_url), "district")
    assert stored["name"].tolist() == ["北一条西", "東雁来二条"]
    assert stored.geometry.iloc[0].bounds == pytest.approx((139.40, 35.20, 139.41, 35.21), abs=1e-9)
