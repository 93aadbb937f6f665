"""The national layouts read without a column map: one place per office with its services, through the CLI.

The fixtures in ``tests/data/national`` are GENERATED (invented offices in 高松市), in the exact format
of the published files: WAM NET's 障害福祉サービス等情報公表システム open data (csvdownload0NN.csv:
the 29 columns in order, UTF-8 with BOM, every cell quoted, CRLF), the MHLW 介護サービス情報公表システム
open data (jigyosho_NNN.csv: 24 columns, UTF-8 with BOM), and the 自治体標準オープンデータセット
介護サービス事業所一覧 and 医療機関一覧 (the 推奨データセット columns, CP932 as municipalities publish
them).  Expected values are worked out by hand from the rows, read here with the csv module; the
rows without coordinates are placed by the real Geolonia gazetteer of 高松市 in ``../shared/data``.
"""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import pytest

from geo_welfare.core import glossary
from geo_welfare.layers.columns import CARE_SERVICE_LAYOUT, KAIGO_LAYOUT, MEDICAL_LAYOUT, WAM_LAYOUT
from geo_welfare.layers.schedules import is_open, schedule_of
from geo_welfare.maps.style import RESOURCE_COLOURS, RESOURCE_MARKERS
from geo_welfare.store import open_store
from geo_welfare.store.read import read_resources, read_services, service_schedule
from helpers import run_cli

DATA = Path(__file__).parent / "data" / "national"
WAM_CONSULTATION = DATA / "csvdownload052.csv"  # 計画相談支援
WAM_WORK = DATA / "csvdownload046.csv"  # 就労継続支援B型, with the bad cells
KAIGO_DAY = DATA / "jigyosho_150.csv"  # 通所介護
CARE_LIST = DATA / "372013_care_service.csv"
MEDICAL_LIST = DATA / "372013_medical_institution.csv"

#: 2026-12-06 is a Sunday; the 7th a Monday, the 5th a Saturday; 2026-11-23 (Monday) is 勤労感謝の日.
MONDAY, SATURDAY, SUNDAY = datetime.date(2026, 12, 7), datetime.date(2026, 12, 5), datetime.date(2026, 12, 6)
HOLIDAY, YEAR_END = datetime.date(2026, 11, 23), datetime.date(2026, 12, 29)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def rows(path: Path, encoding: str = "utf-8-sig") -> list[dict]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    with open(path, encoding=encoding, newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture
def gazetteer(store_url, shared_data, tmp_path):
    """The store with 高松市's Geolonia gazetteer, so rows with only an address are placed.

    Read in place through a link with a short name: ``resource.location_gazetteer`` keeps the
    gazetteer's file name in 32 characters, which the real file's name (42) exceeds on PostGIS.
    """
    path = shared_data / "takamatsu" / "geolonia_japanese_addresses_takamatsu.json"
    link = tmp_path / "takamatsu.json"
    link.symlink_to(path.resolve())
    result = run_cli(store_url, "import", "gazetteer", "--municipality", "香川県高松市", link)
    assert result.exit_code == 0, result.output
    return {(entry["town"], entry["koaza"]): (entry["lng"], entry["lat"])
            for entry in json.loads(path.read_text(encoding="utf-8"))}


def stored(store_url):
    engine = open_store(store_url)
    places = read_resources(engine, include_staff_only=True)
    services = read_services(engine)
    return {row["source_id"]: row for row in places.to_dict("records")}, services


def services_of(services, resource_id) -> list[dict]:
    return services[services["resource_id"] == resource_id].to_dict("records")


# --- the layouts as published --------------------------------------------------------------------

WAM_COLUMNS = ["都道府県コード又は市区町村コード", "NO（※システム内の固有の番号、連番）", "指定機関名", "法人の名称",
               "法人の名称_かな", "法人番号", "法人住所（市区町村）", "法人住所（番地以降）", "法人電話番号", "法人FAX番号",
               "法人URL", "サービス種別", "事業所の名称", "事業所の名称_かな", "事業所番号", "事業所住所（市区町村）",
               "事業所住所（番地以降）", "事業所電話番号", "事業所FAX番号", "事業所URL", "事業所緯度", "事業所経度",
               "利用可能な時間帯（平日）", "利用可能な時間帯（土曜）", "利用可能な時間帯（日曜）", "利用可能な時間帯（祝日）",
               "定休日", "利用可能曜日特記事項（留意事項）", "定員"]
KAIGO_COLUMNS = ["都道府県コード又は市町村コード", "No", "都道府県名", "市区町村名", "事業所名", "事業所名カナ", "サービスの種類",
                 "住所", "方書（ビル名等）", "緯度", "経度", "電話番号", "FAX番号", "法人番号", "法人の名称", "事業所番号",
                 "利用可能曜日", "利用可能曜日特記事項", "定員", "URL",
                 "高齢者の方と障害者の方が同時一体的に利用できるサービス", "介護保険の通常の指定基準を満たしている",
                 "障害福祉の通常の指定基準を満たしている", "備考"]


def accounted(layout) -> set[str]:
    return ({h for headers in layout.fields.values() for h in headers}
            | {h for part in layout.address for h in part} | set(layout.unused))


def test_fixtures_have_the_published_headers_and_every_column_is_accounted_for():
    assert header(WAM_CONSULTATION) == WAM_COLUMNS and header(WAM_WORK) == WAM_COLUMNS
    assert header(KAIGO_DAY) == KAIGO_COLUMNS
    assert WAM_CONSULTATION.read_bytes().startswith(b'\xef\xbb\xbf"')  # BOM, then every cell quoted
    assert b"\r\n" in WAM_CONSULTATION.read_bytes()
    assert set(WAM_COLUMNS) <= accounted(WAM_LAYOUT) and set(KAIGO_COLUMNS) <= accounted(KAIGO_LAYOUT)
    assert set(header(CARE_LIST, "cp932")) <= accounted(CARE_SERVICE_LAYOUT)
    assert set(header(MEDICAL_LIST, "cp932")) <= accounted(MEDICAL_LAYOUT)


def test_service_types_map_to_the_glossary_kinds():
    assert glossary.national_service("計画相談支援").kind == "consultation_office"
    assert glossary.national_service("地域密着型通所介護").kind == "day_care"
    assert glossary.national_service("介護予防訪問入浴介護").kind == "home_care"  # 介護予防 + the service
    assert glossary.national_service("通所介護（療養通所介護）").code == "155"
    assert glossary.national_service(None, system="shogai", code="046").name == "就労継続支援B型"
    assert glossary.national_service("障害児相談支援").target == glossary.DISABLED_CHILDREN
    assert glossary.national_service("福祉有償運送") is None
    kinds = {service.kind for service in glossary.NATIONAL_SERVICES}
    assert kinds <= set(glossary.RESOURCE_KIND_IDS)
    # the legend, the palette and the printed markers follow the glossary: one each per kind, none shared
    assert list(RESOURCE_COLOURS) == list(glossary.RESOURCE_KIND_IDS) == list(RESOURCE_MARKERS)
    assert len(set(RESOURCE_COLOURS.values())) == len(RESOURCE_COLOURS)


# --- WAM: offices, duplicate rows, offices sharing a number ----------------------------------------

def test_wam_offices_are_one_place_each_with_their_services(store_url, gazetteer):
    source = rows(WAM_CONSULTATION)
    assert [row["NO（※システム内の固有の番号、連番）"] for row in source] == ["2001", "2002", "2003", "2004", "2005"]
    # by hand: 2001 and 2002 are one office listed twice for 計画相談支援 (2002 without hours); 2004 and
    # 2005 share 事業所番号 3730100037 but are two offices (other name, other address); 2003 has no coordinates.
    result = run_cli(store_url, "import", "resources", WAM_CONSULTATION)
    assert result.exit_code == 0, result.output
    places, services = stored(store_url)
    assert sorted(places) == sorted(["3730100011", "3730100029", *[key for key in places if key.startswith(
        "3730100037:")]]) and len(places) == 4
    assert {row["kind"] for row in places.values()} == {"consultation_office"}
    office = places["3730100011"]
    first = source[0]
    assert office["name"] == first["事業所の名称"] == "相談支援センターばんちょう"
    assert office["address"] == first["事業所住所（市区町村）"] + first["事業所住所（番地以降）"] == "香川県高松市番町一丁目10番1号"
    assert (office["phone"], office["operator"], office["name_kana"]) == (
        "087-811-0001", "社会福祉法人かがわ福祉会", "そうだんしえんせんたーばんちょう")
    assert office["target_groups"] == "障害のある方"
    assert (office["geometry"].x, office["geometry"].y) == (134.0466, 34.3431)
    offered = services_of(services, office["id"])
    assert [(s["source_id"], s["service_type"], s["service_code"], s["kind"]) for s in offered] == [
        ("2001,2002", "計画相談支援", "52", "consultation_office")]
    shared = sorted((places[key]["name"], places[key]["address"]) for key in places if key.startswith("3730100037:"))
    assert shared == [("さくら相談支援事業所", "香川県高松市屋島西町1000番地"), ("みなと相談支援事業所", "香川県高松市サンポート1番1号")]
    # the row with only an address is placed at its 大字 (木太町) by the gazetteer
    placed = places["3730100029"]
    assert (placed["geometry"].x, placed["geometry"].y) == gazetteer[("木太町", "")]


def test_wam_hours_and_closed_days_answer_open_at_hand_checked_moments(store_url, gazetteer):
    assert run_cli(store_url, "import", "resources", WAM_CONSULTATION).exit_code == 0
    places, services = stored(store_url)
    # 2001: 平日 09:00～17:00, 土曜 09:00～12:00, 定休日 日曜日、祝日、12月29日～1月3日 (2002 adds nothing)
    office = schedule_of(places["3730100011"])
    expected = {at(MONDAY, 10): True, at(MONDAY, 8, 59): False, at(MONDAY, 17): False, at(SATURDAY, 11): True,
                at(SATURDAY, 13): False, at(SUNDAY, 10): False, at(HOLIDAY, 10): False, at(YEAR_END, 10): False}
    assert {moment: is_open(office, moment) for moment in expected} == expected
    service = services_of(services, places["3730100011"]["id"])[0]
    assert {moment: is_open(service_schedule(service), moment) for moment in expected} == expected
    # 2003: 平日 08:30～17:30, 定休日 土曜日、日曜日、祝日 — a closed-days column means closed
    quiet = schedule_of(places["3730100029"])
    assert [is_open(quiet, moment) for moment in (at(MONDAY, 8, 30), at(SATURDAY, 10), at(SUNDAY, 10),
                                                  at(HOLIDAY, 10))] == [True, False, False, False]


def test_reimporting_keeps_one_place_and_one_service_per_office(store_url, gazetteer):
    assert run_cli(store_url, "import", "resources", WAM_CONSULTATION).exit_code == 0
    again = run_cli(store_url, "import", "resources", WAM_CONSULTATION)
    assert again.exit_code == 0, again.output
    places, services = stored(store_url)
    assert len(places) == 4 and len(services) == 4
    assert sorted(services["source_id"]) == ["2001,2002", "2003", "2004", "2005"]


def test_service_files_imported_as_one_source_show_an_office_once_with_the_services_of_both(store_url, gazetteer):
    consultation = {row["NO（※システム内の固有の番号、連番）"]: row for row in rows(WAM_CONSULTATION)}
    work = {row["NO（※システム内の固有の番号、連番）"]: row for row in rows(WAM_WORK)}
    same = ("事業所番号", "事業所の名称", "事業所住所（市区町村）", "事業所住所（番地以降）")
    assert [consultation["2001"][k] for k in same] == [work["3004"][k] for k in same]  # one office, two files
    result = run_cli(store_url, "import", "resources", WAM_CONSULTATION, WAM_WORK, "--source", "wam-takamatsu")
    assert result.exit_code == 0, result.output
    places, services = stored(store_url)
    # 052 holds 4 offices, 046 holds 4 of which 3730100011 is one of 052's: 7 places
    assert len(places) == 7 and {row["source"] for row in places.values()} == {"wam-takamatsu"}
    office = places["3730100011"]
    offered = services_of(services, office["id"])
    assert [(s["source_id"], s["service_type"], s["kind"], s["capacity"]) for s in offered] == [
        ("2001,2002", "計画相談支援", "consultation_office", None), ("3004", "就労継続支援B型", "disability_service", 10)]
    assert office["kind"] == "consultation_office" and office["target_groups"] == "障害のある方"
    # 計画相談支援: 平日 09:00～17:00 土曜 09:00～12:00; 就労継続支援B型: 平日 10:00～15:00, closed on Saturdays
    assert [is_open(service_schedule(s), at(SATURDAY, 11)) for s in offered] == [True, False]
    assert [is_open(service_schedule(s), at(MONDAY, 16)) for s in offered] == [True, False]
    # the office: its services' hours differ, so it answers for none of them, never "open"
    assert [is_open(schedule_of(office), moment) for moment in (at(SATURDAY, 11), at(MONDAY, 16))] == [None, None]
    assert sum(len(services_of(services, row["id"])) for row in places.values()) == 8


# --- the standard 介護サービス事業所一覧: several services of one office in one file -----------------

def test_an_office_with_three_services_is_one_place_never_answered_open_where_a_service_is_not(store_url,
                                                                                           gazetteer):
    source = rows(CARE_LIST, "cp932")
    assert [row["実施サービス"] for row in source if row["事業所番号"] == "3770100011"] == ["通所介護", "訪問介護",
                                                                                     "居宅介護支援"]
    result = run_cli(store_url, "import", "resources", CARE_LIST)
    assert result.exit_code == 0, result.output
    places, services = stored(store_url)
    assert sorted(places) == ["3770100011", "3770100029"]
    office = places["3770100011"]
    assert office["kind"] == "day_care"  # the first of its services' kinds in the glossary's order
    assert office["address"] == "香川県高松市中央町5番31号中央ビル1階"  # 住所 + 方書
    assert office["url"] == "https://example.jp/chuo"
    offered = services_of(services, office["id"])
    assert [(s["source_id"], s["service_type"], s["kind"], s["capacity"]) for s in offered] == [
        ("1", "通所介護", "day_care", 30), ("2", "訪問介護", "home_care", None),
        ("3", "居宅介護支援", "care_management", None)]
    # 利用可能曜日 without hours: no service is open at a known time; 通所介護 (月火水木金土) is closed on Sunday
    day_service = service_schedule(offered[0])
    assert [is_open(day_service, moment) for moment in (at(MONDAY, 10), at(MONDAY, 3), at(SUNDAY, 10))] == [
        None, None, False]
    # the office: its services differ, so it answers nothing of its own — never "open"
    assert [is_open(schedule_of(office), moment) for moment in (at(MONDAY, 10), at(SUNDAY, 10))] == [None, None]
    placed = places["3770100029"]  # 栗林町一丁目2番3号, without coordinates: its 丁目
    assert (placed["geometry"].x, placed["geometry"].y) == gazetteer[("栗林町一丁目", "")]
    listing = run_cli(store_url, "list", "resources", "--format", "json", "--raw")
    assert listing.exit_code == 0, listing.output
    listed = {row["source_id"]: row for row in json.loads(listing.output)}
    assert listed["3770100011"]["services"] == "通所介護、訪問介護、居宅介護支援"
    assert listed["3770100029"]["services"] == "居宅介護支援"


# --- the MHLW 介護 open data and the standard 医療機関一覧 -------------------------------------------

def test_kaigo_open_data_days_without_hours_and_the_zero_placeholder(store_url, gazetteer):
    source = rows(KAIGO_DAY)
    assert [(row["緯度"], row["経度"]) for row in source] == [("34.3570", "134.0990"), ("0", "0")]
    result = run_cli(store_url, "import", "resources", KAIGO_DAY)
    assert result.exit_code == 0, result.output
    places, services = stored(store_url)
    assert {key: (row["kind"], row["capacity"]) for key, row in places.items()} == {
        "3770100037": ("day_care", 25), "3770100045": ("day_care", 18)}
    assert places["3770100045"]["address"] == "高松市国分寺町新居1200番地2階"  # 住所 + 方書（ビル名等）
    placed = places["3770100045"]  # 0, 0 is no position: placed by its 大字 国分寺町新居
    assert (placed["geometry"].x, placed["geometry"].y) == gazetteer[("国分寺町新居", "")]
    yashima = schedule_of(places["3770100037"])  # 平日,土曜日
    assert [is_open(yashima, moment) for moment in (at(MONDAY, 10), at(SATURDAY, 10), at(SUNDAY, 10))] == [
        None, None, False]
    assert glossary.HOURS_NOT_GIVEN in places["3770100037"]["schedule_unparsed"]


def test_medical_list_with_address_only_rows(store_url, gazetteer):
    result = run_cli(store_url, "import", "resources", MEDICAL_LIST)
    assert result.exit_code == 0, result.output
    places, _ = stored(store_url)
    assert {key: row["kind"] for key, row in places.items()} == {"1": "medical", "2": "medical"}
    clinic = schedule_of(places["1"])  # 月火水金 09:00〜18:00
    thursday = MONDAY + datetime.timedelta(days=3)
    assert [is_open(clinic, moment) for moment in (at(MONDAY, 10), at(thursday, 10), at(MONDAY, 18))] == [
        True, False, False]
    hospital = places["2"]
    assert (hospital["geometry"].x, hospital["geometry"].y) == gazetteer[("栗林町二丁目", "")]


# --- bad input ----------------------------------------------------------------------------------------

def test_bad_hours_and_closed_day_cells_are_kept_and_never_answer_open(store_url):
    source = {row["事業所番号"]: row for row in rows(WAM_WORK)}
    assert source["3730100045"]["利用可能な時間帯（平日）"] == "24時間"
    assert source["3730100052"]["定休日"] == "土曜日 13:00～16:00"  # a time in a closed-days cell
    result = run_cli(store_url, "import", "resources", WAM_WORK)
    assert result.exit_code == 0, result.output
    places, services = stored(store_url)
    assert len(places) == 4
    around_the_clock = schedule_of(places["3730100045"])
    assert [is_open(around_the_clock, moment) for moment in (at(MONDAY, 3), at(MONDAY, 23, 30))] == [True, True]
    service = services_of(services, places["3730100045"]["id"])[0]
    assert (service["capacity"], service["capacity_text"]) == (None, "約20名")  # kept as written
    second = places["3730100052"]
    assert second["schedule_text"] == "平日 09:00～16:00 土曜 09:00～16:00 定休日：土曜日 13:00～16:00"
    assert "13:00～16:00" in second["schedule_unparsed"]
    # 土曜日 is named closed: closed all Saturday, whatever the 土曜 hours say; the time is listed, not guessed
    assert [is_open(schedule_of(second), moment) for moment in (at(SATURDAY, 10), at(SATURDAY, 14))] == [
        False, False]


def test_an_unknown_service_type_refuses_the_list_naming_the_row(store_url, tmp_path):
    source = rows(WAM_CONSULTATION)
    source[0]["サービス種別"] = "福祉有償運送"
    path = tmp_path / "csvdownload099.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=WAM_COLUMNS, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(source[:1])
    result = run_cli(store_url, "import", "resources", path)
    assert result.exit_code == 1, result.output
    assert "row 2" in result.output and "福祉有償運送" in result.output
    places, services = stored(store_url)
    assert places == {} and services.empty


def test_the_map_popup_lists_an_offices_services(store_url, gazetteer):
    from geo_welfare.web import create_app
    assert run_cli(store_url, "import", "resources", CARE_LIST).exit_code == 0
    page = create_app(store_url, tiles="none").test_client().get("/").get_data(as_text=True)
    services = "通所介護、訪問介護、居宅介護支援"  # the office of rows 1-3, in the file's order
    assert services in page or json.dumps(services)[1:-1] in page
    for kind in ("day_care", "care_management"):  # one layer per kind, each in its glossary colour
        assert RESOURCE_COLOURS[kind] in page


def test_public_and_child_facility_lists_take_their_kinds_from_the_layout_or_the_glossary(store_url, tmp_path):
    """Built here with the 推奨データセット columns these layouts declare (not a published file's copy)."""
    public = ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ", "名称_通称", "POIコード",
              "住所", "方書", "緯度", "経度", "電話番号", "内線番号", "法人番号", "団体名", "利用可能曜日", "開始時間",
              "終了時間", "利用可能日時特記事項", "説明", "バリアフリー情報", "URL", "備考"]
    child = ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ", "種別", "住所", "方書",
             "緯度", "経度", "電話番号", "内線番号", "FAX番号", "法人番号", "団体名", "利用可能曜日", "開始時間", "終了時間",
             "利用可能日時特記事項", "対象年齢", "定員", "URL", "備考"]
    files = {"372013_public_facility.csv": (public, [
        ["372013", "1", "香川県", "高松市", "高松市中央公民館", "", "", "", "香川県高松市番町一丁目1番1号", "", "34.3425", "134.0464",
         "", "", "", "高松市", "月火水木金", "09:00", "21:00", "", "", "", "", ""],
        ["372013", "2", "香川県", "高松市", "高松市役所", "", "", "", "香川県高松市番町一丁目8番15号", "", "34.3404", "134.0434",
         "", "", "", "高松市", "", "", "", "", "", "", "", ""]]),
        "372013_child_care_facility.csv": (child, [
        ["372013", "1", "香川県", "高松市", "番町こども園", "", "認定こども園", "香川県高松市番町二丁目1番1号", "", "34.3441",
         "134.0421", "", "", "", "", "", "月火水木金土", "07:00", "19:00", "", "0歳～5歳", "120", "", ""]])}
    for name, (columns, body) in files.items():
        with open(tmp_path / name, "w", encoding="cp932", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(columns)
            writer.writerows(body)
        result = run_cli(store_url, "import", "resources", tmp_path / name)
        assert result.exit_code == 0, result.output
    places = read_resources(open_store(store_url), include_staff_only=True)
    kinds = dict(zip(places["name"], places["kind"]))
    assert kinds == {"高松市中央公民館": "community_centre", "高松市役所": "other", "番町こども園": "child_facility"}
    nursery = places[places["name"] == "番町こども園"].iloc[0]
    assert (nursery["target_groups"], nursery["capacity"]) == ("0歳～5歳", 120)
    assert is_open(schedule_of(nursery.to_dict()), at(SATURDAY, 18)) is True


def test_the_coordinators_answer_lists_an_offices_services(store_url, gazetteer):
    from geo_welfare.web import create_app
    assert run_cli(store_url, "import", "resources", CARE_LIST).exit_code == 0
    client = create_app(store_url, tiles="none").test_client()  # no streets: straight lines, which is enough here
    token = client.get("/api/session").get_json()["csrf_token"]
    # from beside the office of rows 1-3 (34.3362, 134.0480), asking for day services (its kind)
    answer = client.post("/api/nearest", json={"lon": 134.0481, "lat": 34.3363, "kinds": ["day_care"], "k": 3},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_json()
    found = [feature["properties"] for feature in answer.get_json()["features"]]
    assert [(p["name"], p["services"]) for p in found] == [("デイサービスセンター中央", "通所介護、訪問介護、居宅介護支援")]
