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
    "target_groups": ("対象者", "対象", "target"),
    "fee": ("参加費", "料金", "利用料金", "fee"),
    "capacity": ("定員", "capacity"),
    "barrier_free": ("バリアフリー", "バリアフリー情報", "barrierFree", "barrier_free"),
    "consultation": ("相談対応", "相談", "consultation"),
    "visibility": ("公開", "公開区分", "visibility"),
    "last_checked": ("最終確認日", "確認日", "更新日", "lastChecked", "last_checked"),
    "note": ("備考", "note"),
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
