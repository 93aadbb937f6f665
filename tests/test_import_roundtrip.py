"""A hand-made resource list through import → store → read, on SpatiaLite and on PostGIS."""

import datetime

import pytest
from sqlalchemy import func, select

from geo_welfare.store.importing import import_resources
from geo_welfare.store.models import Resource, Schedule
from geo_welfare.store.read import open_at, read_resources

HEADER = "ID,名称,種別,住所,緯度,経度,開催日,開始時間,終了時間,対象者,参加費,定員,バリアフリー,相談対応,公開,最終確認日\n"
ROWS = [
    "S1,ひまわりサロン,サロン,架空町1-1,35.20,139.40,第2・第4水曜,10:00,12:00,高齢者,100円,20,あり,なし,公開,2026-10-01",
    "S2,体操の会,通いの場,架空町2-2,35.21,139.41,毎週火曜,13:30,15:00,どなたでも,無料,,なし,,公開,2026-09-15",
    "E1,みんなの縁側,地域の縁側,架空町3-3,35.22,139.42,平日,10:00,16:00,どなたでも,無料,15,あり,あり,職員のみ,2026-11-01",
    "X1,語らいの場,サロン,架空町4-4,35.23,139.43,不定期（要問合せ）,,,高齢者,,,,,公開,",
]


def write_list(tmp_path, rows, name="salons.csv", encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding=encoding)
    return path


def test_import_and_read_back(store, tmp_path):
    (report,) = import_resources(store, [write_list(tmp_path, ROWS)])
    assert (report.result.created, report.result.updated, report.result.removed) == (4, 0, 0)
    assert report.notes["unparsed_schedules"] == [(5, "語らいの場", "不定期；要問合せ")]

    public = read_resources(store)
    assert public["name"].tolist() == ["ひまわりサロン", "体操の会", "語らいの場"]  # staff-only E1 hidden
    everything = read_resources(store, include_staff_only=True)
    row = everything.set_index("source_id").loc["S1"]
    assert (row["kind"], row["capacity"], row["barrier_free"], row["consultation"], row["fee"]) == \
        ("salon", 20, True, False, "100円")
    assert row["last_checked"] == datetime.date(2026, 10, 1)
    assert (round(row.geometry.x, 7), round(row.geometry.y, 7)) == (139.4, 35.2)
    assert row["schedules"] == [{"freq": "MONTHLY", "interval": 1, "byday": "2WE,4WE", "bymonthday": None,
                                 "opens_at": "10:00", "closes_at": "12:00"}]
    assert everything.set_index("source_id").loc["E1", "kind"] == "engawa"


def test_the_store_answers_open_on_the_second_wednesday_morning(store, tmp_path):
    import_resources(store, [write_list(tmp_path, ROWS)])
    resources = read_resources(store, include_staff_only=True).set_index("source_id")
    # 2026-11-11 is the 2nd Wednesday of November 2026 (1 November is a Sunday).
    answers = open_at(resources, datetime.datetime(2026, 11, 11, 10, 30))
    assert answers.to_dict() == {"S1": True, "S2": False, "E1": True, "X1": None}
    # 2026-11-23 (Mon) is 勤労感謝の日 — E1 has no holiday closure, so it is open on a weekday holiday.
    assert open_at(resources, datetime.datetime(2026, 11, 24, 14)).to_dict() == \
        {"S1": False, "S2": True, "E1": True, "X1": None}


def test_reimport_updates_instead_of_duplicating(store, tmp_path):
    import_resources(store, [write_list(tmp_path, ROWS)])
    changed = [ROWS[0].replace("ひまわりサロン", "ひまわりサロン（移転）"), ROWS[1], ROWS[2]]  # X1 gone
    (report,) = import_resources(store, [write_list(tmp_path, changed)], allow_removals=True)  # 1 of 4: over 20 %
    assert (report.result.created, report.result.updated, report.result.removed) == (0, 3, 1)
    with store.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Resource)).scalar() == 3
        assert connection.execute(select(func.count()).select_from(Schedule)).scalar() == 3
        assert connection.execute(select(Resource.name).where(Resource.source_id == "S1")).scalar() == \
            "ひまわりサロン（移転）"


def test_cp932_list_imports_with_japanese_intact(store, tmp_path):
    path = write_list(tmp_path, ROWS[:1], name="sjis.csv", encoding="cp932")
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")
    import_resources(store, [path])
    assert read_resources(store)["name"].tolist() == ["ひまわりサロン"]


def test_tokyo_datum_coordinates_are_transformed(store, tmp_path):
    """Old lists in the Tokyo datum (EPSG:4301) land where JGD2011 says.

    Second method: the published approximate Tokyo → WGS84 formulae (国土地理院 / 飛田幹男),
    lat_w = lat − 0.00010695·lat + 0.000017464·lon + 0.0046017,
    lon_w = lon − 0.000046038·lat − 0.000083043·lon + 0.010040, good to a few metres.
    """
    lat, lon = 35.68, 139.77
    path = tmp_path / "tokyo_datum.csv"
    path.write_text(HEADER + f"T1,旧測地系の施設,サロン,架空町,{lat},{lon},毎週火曜,,,,,,,,公開,\n", encoding="utf-8")
    import_resources(store, [path], crs="EPSG:4301")
    point = read_resources(store).geometry.iloc[0]
    expected_lat = lat - 0.00010695 * lat + 0.000017464 * lon + 0.0046017
    expected_lon = lon - 0.000046038 * lat - 0.000083043 * lon + 0.010040
    assert point.y == pytest.approx(expected_lat, abs=5e-5)  # about 5 m
    assert point.x == pytest.approx(expected_lon, abs=5e-5)
    assert abs(point.y - lat) > 0.003  # it really moved (about 360 m north-west)
