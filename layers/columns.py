"""Matching a file's column names to a layer's fields, with the user's declared column map.

Municipal lists name the same field many ways (名称 / 施設名 / name); each layout's names are
declared here, one table per layer, in Japanese and in the English form of the
自治体標準オープンデータセット, and ``--columns field=列名,…`` maps anything else.  The layers
keep the logic that recognises a layout; this module holds its vocabulary, so the words a file
may use are in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.io.readers import find_column

#: Area units (:mod:`geo_welfare.layers.areas`): e-Stat 小地域 boundaries (KEY_CODE, S_NAME, CITY_NAME,
#: JINKO, SETAI), 国土数値情報 N03 outlines and A27/A32 school districts, and plain code/name layers.
AREA_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "KEY_CODE", "N03_007", "コード", "地区コード", "圏域コード", "学区コード"),
    "name": ("name", "名称", "S_NAME", "地区名", "圏域名", "学区名", "学校名", "A27_007", "N03_004"),
    "name_kana": ("name_kana", "名称_カナ", "名称カナ", "かな"),
    "parent_code": ("parent_code", "上位コード", "親コード"),
    "municipality_code": ("municipality_code", "市区町村コード", "A27_005", "A32_001", "N03_007"),
    "municipality_name": ("municipality_name", "市区町村名", "CITY_NAME", "N03_004"),
    "population": ("JINKO", "人口", "総人口"),
    "households": ("SETAI", "世帯数"),
}

#: Population tables (:mod:`geo_welfare.layers.population`): municipal totals, e-Stat 小地域 census
#: labels (総数、年齢「不詳」含む, 総数（再掲）65歳以上) and the standard 年齢別人口 layout's English names.
POPULATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("KEY_CODE", "code", "地域コード", "町丁コード", "小地域コード"),
    "parent_name": ("区", "区別", "区名", "cityName", "市区町村名"),
    "name": ("区分", "町条丁目", "町丁目", "町丁目名", "地域名", "regionName", "S_NAME", "name"),
    "total": ("総数", "人口", "総人口", "人口総数", "総数、年齢「不詳」含む", "totalPopulation", "JINKO"),
    "age_0_14": ("0～14歳", "年少人口", "15歳未満", "総数（再掲）15歳未満", "age_0_14"),
    "age_15_64": ("15～64歳", "生産年齢人口", "総数（再掲）15～64歳", "age_15_64"),
    "age_65_plus": ("65歳以上", "老年人口", "総数（再掲）65歳以上", "age_65_plus"),
    "age_75_plus": ("75歳以上", "総数（再掲）75歳以上", "age_75_plus"),
    "households": ("世帯数", "世帯総数", "一般世帯数", "numberOfHouseholds", "SETAI", "households"),
    "as_of": ("surveyDate", "調査日", "時点"),
}
#: Headers of 5-year age bands once widths and spaces are folded: 0～4歳, 5～9, … and the last, 100歳以上.
POPULATION_AGE_BAND = re.compile(r"(\d+)～(\d+)歳?")
POPULATION_OPEN_AGE_BAND = re.compile(r"(\d+)歳以上")
#: What a subtotal row's name may end with to say so (Sapporo: 円山西町（丁目） sums 円山西町１丁目 … １０丁目,
#: 宮の森（条丁目） every 宮の森N条M丁目).
POPULATION_SUBTOTAL_MARKS = ("（条丁目）", "（丁目）", "(条丁目)", "(丁目)")
#: How a message names the columns a population table lacks: its usual header, then the field.
POPULATION_TOTAL_LABEL = "総数/total"
POPULATION_AREA_LABEL = "KEY_CODE/区分"

#: Resource lists (:mod:`geo_welfare.layers.resources`): Japanese headers first, then the standard's English form.
RESOURCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "source_id": ("ID", "id", "#property", "NO", "No", "番号", "共通ID"),
    "name": ("名称", "施設名", "施設名称", "施設・場所名", "団体名", "name", "Name"),
    "name_kana": ("名称_カナ", "名称カナ", "名称（カナ）", "name_kana", "nameKana"),
    "kind": ("種別", "種類", "区分", "kind", "category"),
    "operator": ("運営主体", "運営者", "実施主体", "主催者", "設置者", "operator"),
    "address": ("住所", "所在地", "所在地_連結表記", "address"),
    "lat": ("緯度", "latitude", "lat", "Latitude", "LAT", "y_lat"),
    "lon": ("経度", "longitude", "lon", "lng", "Longitude", "LON", "x_lon"),
    "phone": ("電話番号", "連絡先", "telephoneNumber", "phone", "TEL", "tel"),
    "url": ("URL", "url", "ホームページ", "referenceObject"),
    "schedule": ("開催日時", "開催日程", "schedule"),
    "days": ("利用可能曜日", "開催日", "開催曜日", "曜日", "availableDate"),
    "start": ("開始時間", "開始時刻", "startTime"),
    "end": ("終了時間", "終了時刻", "endTime"),
    "days_note": ("利用可能日時特記事項", "availableDateNote"),
    "closed_days": ("定休日", "休館日", "休業日", "休所日", "休み", "closedDays", "closed_days"),  # every day named is closed
    "target_groups": ("対象者", "対象", "target"),
    "fee": ("参加費", "料金", "利用料金", "fee"),
    "capacity": ("定員", "capacity"),
    "barrier_free": ("バリアフリー", "バリアフリー情報", "barrierFree", "barrier_free"),
    "consultation": ("相談対応", "相談", "consultation"),
    "consultation_fields": ("相談分野", "相談内容", "相談の分野", "相談対象", "consultationFields", "consultation_fields"),
    "outreach": ("アウトリーチ", "訪問", "訪問相談", "訪問対応", "outreach"),
    "visibility": ("公開", "公開区分", "visibility"),
    "last_checked": ("最終確認日", "確認日", "更新日", "lastChecked", "last_checked"),
    "note": ("備考", "note"),
    "service_area": ("担当圏域", "担当日常生活圏域", "担当の日常生活圏域", "service_area"),  # a centre's 圏域 (link centres)
}
#: How a message names the name column a resource or candidate list lacks.
RESOURCE_NAME_LABEL = "名称/name"


def parse_column_map(text: str | None) -> dict[str, str]:
    """``"name=施設名称,lat=Y座標"`` → ``{"name": "施設名称", "lat": "Y座標"}``."""
    if not text:
        return {}
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"--columns expects field=column pairs, got {part!r}")
        field, column = (piece.strip() for piece in part.split("=", 1))
        mapping[field] = column
    return mapping


def resolve_columns(columns: Iterable[str], aliases: Mapping[str, tuple[str, ...]], overrides: Mapping[str, str],
                    path: Path) -> dict[str, str | None]:
    """For each field, the file's column that holds it (None when absent).

    A column named in ``overrides`` must exist: a typo in ``--columns`` is an error, not a silent miss.
    """
    present = list(columns)
    unknown_fields = sorted(set(overrides) - set(aliases))
    problems = [Problem(str(path), None, field, "columns_field_unknown", {"fields": ", ".join(aliases)})
                for field in unknown_fields]
    problems += [Problem(str(path), None, column, "columns_column_not_in_file", {"field": field})
                 for field, column in overrides.items() if field in aliases and column not in present]
    if problems:
        raise InputError(problems)
    return {field: overrides.get(field) or find_column(present, names) for field, names in aliases.items()}


# --- layouts recognised without a column map (:mod:`geo_welfare.layers.national`) ----------------

@dataclass(frozen=True)
class NationalLayout:
    """A published layout read without ``--columns``: how to recognise it and where each field is.

    ``signature``: headers that, all present, identify the layout.  ``fields``: field → the headers
    that may hold it (the first present wins); besides the resource fields, ``record_id`` (a row's own
    number), ``office_number`` (事業所番号: rows of one office share it), ``service_type`` and the hours
    per day type.  ``address``: the parts of the address, each a choice of headers, joined in order.
    ``unused``: the layout's other columns, named so the whole layout is accounted for.
    ``grouped``: rows are (office, service) pairs, shown as one place per office with its services.
    ``kind``: the kind every row is, when the layout itself says it.  ``system``: whose service codes
    (:data:`geo_welfare.core.glossary.NATIONAL_SERVICES`) the rows use, and ``file_code`` the pattern
    of the code in the file's name.
    """

    id: str
    signature: tuple[str, ...]
    fields: Mapping[str, tuple[str, ...]]
    address: tuple[tuple[str, ...], ...]
    unused: tuple[str, ...] = ()
    grouped: bool = False
    kind: str | None = None
    system: str | None = None
    file_code: re.Pattern | None = None


#: 障害福祉サービス等情報公表システム (WAM NET ``sfkopendata``, one file per service: csvdownload0NN.csv,
#: UTF-8 with BOM, every cell quoted).  The 29 columns in the published order.
WAM_LAYOUT = NationalLayout(
    "wam", ("NO（※システム内の固有の番号、連番）", "事業所番号", "サービス種別", "事業所の名称"),
    {"municipality_code": ("都道府県コード又は市区町村コード",), "record_id": ("NO（※システム内の固有の番号、連番）",),
     "operator": ("法人の名称",), "service_type": ("サービス種別",), "name": ("事業所の名称",),
     "name_kana": ("事業所の名称_かな",), "office_number": ("事業所番号",), "phone": ("事業所電話番号",),
     "fax": ("事業所FAX番号",), "url": ("事業所URL",), "lat": ("事業所緯度",), "lon": ("事業所経度",),
     "weekday_hours": ("利用可能な時間帯（平日）",), "saturday_hours": ("利用可能な時間帯（土曜）",),
     "sunday_hours": ("利用可能な時間帯（日曜）",), "holiday_hours": ("利用可能な時間帯（祝日）",),
     "closed_days": ("定休日",), "days_note": ("利用可能曜日特記事項（留意事項）",), "capacity": ("定員",)},
    (("事業所住所（市区町村）",), ("事業所住所（番地以降）",)),
    unused=("指定機関名", "法人の名称_かな", "法人番号", "法人住所（市区町村）", "法人住所（番地以降）", "法人電話番号",
            "法人FAX番号", "法人URL"),
    grouped=True, system="shogai", file_code=re.compile(r"csvdownload(\d{3})"))

#: 介護サービス情報公表システム (MHLW 「介護サービス情報公表システム」のオープンデータ, one file per service
#: code: jigyosho_NNN.csv).  24 columns; days only (利用可能曜日 「平日,土曜日,日曜日,祝日」), no hours.
KAIGO_LAYOUT = NationalLayout(
    "kaigo", ("事業所番号", "サービスの種類", "事業所名", "方書（ビル名等）"),
    {"municipality_code": ("都道府県コード又は市町村コード", "都道府県コード又は市区町村コード"), "record_id": ("No", "NO"),
     "name": ("事業所名",), "name_kana": ("事業所名カナ",), "service_type": ("サービスの種類",), "lat": ("緯度",),
     "lon": ("経度",), "phone": ("電話番号",), "fax": ("FAX番号",), "operator": ("法人の名称",),
     "office_number": ("事業所番号",), "days": ("利用可能曜日",), "days_note": ("利用可能曜日特記事項",),
     "capacity": ("定員",), "url": ("URL",), "note": ("備考",)},
    (("住所",), ("方書（ビル名等）",)),
    unused=("都道府県名", "市区町村名", "法人番号", "高齢者の方と障害者の方が同時一体的に利用できるサービス",
            "介護保険の通常の指定基準を満たしている", "障害福祉の通常の指定基準を満たしている"),
    grouped=True, system="kaigo", file_code=re.compile(r"jigyosho_(\d{3})"))

#: Columns every 自治体標準オープンデータセット list begins with (the 推奨データセット names, then 正式版's).
_STANDARD_HEAD = {"municipality_code": ("都道府県コード又は市区町村コード", "全国地方公共団体コード"),
                  "record_id": ("ID", "NO", "No")}
_STANDARD_ADDRESS = (("所在地_連結表記", "住所"), ("建物名等(方書)", "建物名等（方書）", "方書"))
_STANDARD_UNUSED = ("都道府県名", "市区町村名", "地方公共団体名", "所在地_全国地方公共団体コード", "町字ID",
                    "所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下", "内線番号", "法人番号",
                    "名称_英字", "名称_英語", "画像", "画像_ライセンス")

#: 自治体標準オープンデータセット 介護サービス事業所一覧: one row per (事業所, 実施サービス).
CARE_SERVICE_LAYOUT = NationalLayout(
    "care_service", ("介護サービス事業所名称",),
    {**_STANDARD_HEAD, "name": ("介護サービス事業所名称",), "name_kana": ("介護サービス事業所名称_カナ",),
     "service_type": ("実施サービス", "介護サービスの種類", "サービスの種類"), "lat": ("緯度",), "lon": ("経度",),
     "phone": ("電話番号",), "fax": ("FAX番号",), "operator": ("法人の名称",), "office_number": ("事業所番号",),
     "days": ("利用可能曜日",), "start": ("開始時間",), "end": ("終了時間",),
     "days_note": ("利用可能日時特記事項", "利用可能曜日特記事項"), "capacity": ("定員",), "url": ("URL",),
     "note": ("備考",)},
    _STANDARD_ADDRESS, unused=_STANDARD_UNUSED, grouped=True, system="kaigo")

#: 自治体標準オープンデータセット 医療機関一覧: 緯度・経度 optional (many lists give only the address).
MEDICAL_LAYOUT = NationalLayout(
    "medical_institution", ("医療機関の種類",),
    {**_STANDARD_HEAD, "name": ("名称",), "name_kana": ("名称_カナ",), "lat": ("緯度",), "lon": ("経度",),
     "phone": ("電話番号",), "operator": ("法人の名称", "開設者氏名"), "days": ("診療曜日",),
     "start": ("診療開始時間",), "end": ("診療終了時間",), "days_note": ("診療日時特記事項",), "url": ("URL",),
     "note": ("備考",)},
    _STANDARD_ADDRESS,
    unused=(*_STANDARD_UNUSED, "医療機関の種類", "FAX番号", "医療機関コード", "時間外における対応", "診療科目", "病床数"),
    kind="medical")

#: 自治体標準オープンデータセット 子育て施設一覧: its child-care columns tell it from the 公共施設一覧.
CHILD_FACILITY_LAYOUT = NationalLayout(
    "child_facility", ("名称", "対象年齢"),
    {**_STANDARD_HEAD, "name": ("名称",), "name_kana": ("名称_カナ",), "lat": ("緯度",),
     "lon": ("経度",), "phone": ("電話番号",), "operator": ("団体名", "法人の名称"), "days": ("利用可能曜日",),
     "start": ("開始時間",), "end": ("終了時間",), "days_note": ("利用可能日時特記事項",),
     "target_groups": ("対象年齢",), "capacity": ("定員",), "url": ("URL",), "note": ("説明", "備考")},
    _STANDARD_ADDRESS, unused=(*_STANDARD_UNUSED, "種別", "FAX番号", "延長保育", "一時預かり", "障害児保育", "病児保育"),
    kind="child_facility")

#: 自治体標準オープンデータセット 公共施設一覧: kinds from the row's own words (種別, or its name) through the glossary.
PUBLIC_FACILITY_LAYOUT = NationalLayout(
    "public_facility", ("名称", "POIコード"),
    {**_STANDARD_HEAD, "name": ("名称",), "name_kana": ("名称_カナ",), "kind": ("種別",), "lat": ("緯度",),
     "lon": ("経度",), "phone": ("電話番号",), "operator": ("団体名",), "days": ("利用可能曜日",),
     "start": ("開始時間",), "end": ("終了時間",), "days_note": ("利用可能日時特記事項",), "url": ("URL",),
     "note": ("説明", "備考")},
    _STANDARD_ADDRESS, unused=(*_STANDARD_UNUSED, "名称_通称", "POIコード", "バリアフリー情報"))

#: Tried in this order: the first whose signature the header holds is the file's layout.
NATIONAL_LAYOUTS: tuple[NationalLayout, ...] = (WAM_LAYOUT, KAIGO_LAYOUT, CARE_SERVICE_LAYOUT, MEDICAL_LAYOUT,
                                                CHILD_FACILITY_LAYOUT, PUBLIC_FACILITY_LAYOUT)


# --- what a file of a folder is (:mod:`geo_welfare.layers.identify`, ``import folder``) ----------

#: MLIT 位置参照情報: 大字・町丁目 level and 街区 level (街区符号・地番).
GAZETTEER_HEADERS: tuple[frozenset[str], ...] = (frozenset({"大字町丁目コード", "大字町丁目名", "緯度", "経度"}),
                                                 frozenset({"街区符号・地番", "緯度", "経度"}))
#: GSI 指定緊急避難場所 / 指定避難所 (the shelter API's properties); the hazard flags mark the 避難場所.
GSI_HEADERS = frozenset({"共通ID", "施設・場所名"})
GSI_HAZARD_HEADERS = frozenset({"洪水", "地震", "津波", "高潮", "大規模な火事"})
#: The school's name in 国土数値情報 school points (A27 小学校区 and A32 中学校区 releases, P29 学校).
SCHOOL_NAME_HEADERS = ("A27_007", "A27_004", "A32_003", "A32_004", "P29_004", "name", "名称")
#: Street networks: OSM-derived (highway), road centre lines (seg_id, 路線), or a file name saying so.
NETWORK_HEADERS = frozenset({"highway", "seg_id", "路線番号", "路線名", "link_id", "road_id", "u", "v", "osmid"})
NETWORK_FILE_NAME = re.compile(r"network|road|street|道路|路線|ネットワーク", re.IGNORECASE)
#: Outlines drawn as lines: a name, and the municipality's columns (Sapporo's ward file: CITY1, TOWN1).
OUTLINE_NAME_HEADERS = ("name", "名称")
#: Polygons whose level their columns say: 日常生活圏域 and 地区.
DAILY_LIFE_AREA_HEADERS = ("圏域コード", "圏域名")
DISTRICT_HEADERS = ("地区コード", "地区名")

#: An office's table of district attributes (CSW配置, 協議体 …): the district's code and name columns;
#: every other column is an attribute (:mod:`geo_welfare.store.district_attributes`).
DISTRICT_ATTRIBUTE_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "district_code", "地区コード", "学区コード", "区域コード", "圏域コード", "コード"),
    "name": ("name", "district_name", "地区名", "学区名", "区域名", "圏域名", "名称"),
}


#: A table's prefecture and municipality columns (the 自治体標準 population layouts: prefName, cityName): what a
#: folder import reads to name the municipality of a Geolonia address file that does not say its own.
MUNICIPALITY_NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "prefecture": ("prefName", "都道府県名"), "municipality": ("cityName", "市区町村名"),
}


# --- hazards and shelters (geo_welfare.layers.shelters): the GSI files' own columns -------------

#: GSI 指定緊急避難場所・指定避難所 (the shelter API's properties, as the files write them).
GSI_SHELTER_COLUMNS: dict[str, str] = {
    "source_id": "共通ID", "number": "NO", "municipality": "都道府県名及び市町村名", "name": "施設・場所名",
    "address": "住所", "accepts": "受入対象者",
}
#: The hazard flags of a 指定緊急避難場所 ("1" open for that hazard, "" not) → the hazard ids they set.
GSI_HAZARD_FLAGS: dict[str, str] = {
    "洪水": "flood", "崖崩れ、土石流及び地滑り": "landslide", "高潮": "storm_surge", "地震": "earthquake",
    "津波": "tsunami", "大規模な火事": "large_fire", "内水氾濫": "inland_flood", "火山現象": "volcano",
}


# --- public transport (geo_welfare.layers.stops_areas): community-transport service areas ----------

#: The name and the kind (乗合タクシー, コミュニティバス, デマンド交通 …) of a community-transport service area.
TRANSIT_AREA_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "区域名", "運行区域"), "kind": ("kind", "種別", "運行形態", "交通種別"),
}
