"""Resources (points): サロン, 通いの場, 地域の縁側, 地域包括支援センター, 公民館, 子ども食堂 …

Reads the resource lists municipalities publish (CSV in the 自治体標準オープンデータセット
layout with Japanese or English headers, GeoJSON, Shapefile, GeoPackage, and the welfare
places of an OpenStreetMap file) into one validated
frame with the fields of :class:`geo_welfare.store.models.Resource`, schedules parsed into
HSDS-shaped rules (the original text is kept, and what could not be parsed is listed).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core import glossary
from geo_welfare.layers.columns import resolve_columns
from geo_welfare.io.osm import is_osm_file, read_osm_resources
from geo_welfare.io.readers import (LATITUDE_NAMES, LONGITUDE_NAMES, ROW, check_geometries, is_vector_file,
                            points_from_table, read_table, read_vector, to_storage_crs)
from geo_welfare.layers.schedules import parse_schedule

#: Field → column names recognised without a map (Japanese, then the standard's English form).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": ("ID", "id", "#property", "NO", "No", "番号", "共通ID"),
    "name": ("名称", "施設名", "施設名称", "施設・場所名", "団体名", "name", "Name"),
    "name_kana": ("名称_カナ", "名称カナ", "名称（カナ）", "name_kana", "nameKana"),
    "kind": ("種別", "種類", "区分", "kind", "category"),
    "operator": ("運営主体", "運営者", "実施主体", "主催者", "設置者", "operator"),
    "address": ("住所", "所在地", "所在地_連結表記", "address"),
    "lat": LATITUDE_NAMES,
    "lon": LONGITUDE_NAMES,
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

TRUE_WORDS = {"あり", "有", "有り", "○", "〇", "可", "はい", "yes", "y", "true", "1", "対応", "対応可"}
FALSE_WORDS = {"なし", "無", "無し", "×", "不可", "いいえ", "no", "n", "false", "0", "非対応"}
PUBLIC_WORDS = {"公開", "public", "一般公開", "1", "true", "yes", ""}
STAFF_WORDS = {"職員のみ", "非公開", "staff", "staff-only", "内部", "0", "false", "no"}


@dataclass
class ResourceImport:
    """A validated resource list, ready for the store, and what the user should know about it."""

    frame: gpd.GeoDataFrame
    source: str
    unparsed_schedules: list[tuple[int, str, str]] = field(default_factory=list)  # (row, name, text)
    id_column: str | None = None


def _text(value: object) -> str | None:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return text or None


def _boolean(value: str | None) -> bool | None | str:
    if value is None:
        return None
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return "?"


def _date(value: str | None) -> datetime.date | None | str:
    if value is None:
        return None
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", value.strip())
    if not match:
        return "?"
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return "?"


def _capacity(value: str | None) -> int | None | str:
    if value is None:
        return None
    digits = re.sub(r"[人名程度約\s]", "", value.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    return int(digits) if digits.isdigit() else "?"


def _stable_id(name: str, address: str | None) -> str:
    """An id for lists that carry none: the name and address, hashed (stable while they are)."""
    return "h:" + hashlib.sha1(f"{name}|{address or ''}".encode()).hexdigest()[:16]


def read_resources(path: str | Path, *, kind: str | None = None, columns: dict[str, str] | None = None,
                   source: str | None = None, encoding: str | None = None, crs: str | None = None,
                   layer: str | None = None) -> ResourceImport:
    """Read and validate a resource list; raise :class:`InputError` listing every bad row.

    ``kind`` (an identifier or a label such as ``サロン``) applies to rows whose file says no
    kind; rows without either are ``other``.  A kind word the glossary does not know is an error.
    """
    path = Path(path)
    default_kind = "other"
    if kind is not None:
        resolved = glossary.resource_kind(kind)
        if resolved is None:
            raise InputError.single(path, f"不明な種別です（使える種別: {', '.join(glossary.RESOURCE_KIND_IDS)}）",
                                    f"unknown kind (known: {', '.join(glossary.RESOURCE_KIND_IDS)})",
                                    field="--kind", found=kind)
        default_kind = resolved
    overrides = columns or {}
    if is_osm_file(path):
        frame = read_osm_resources(path)
        mapping = resolve_columns(frame.columns, COLUMN_ALIASES, overrides, path)
    elif is_vector_file(path):
        frame = read_vector(path, layer=layer, encoding=encoding, crs=crs)
        mapping = resolve_columns(frame.columns, COLUMN_ALIASES, overrides, path)
    else:
        known_names = {name for names in COLUMN_ALIASES.values() for name in names} | set(overrides.values())
        table = read_table(path, encoding=encoding, header_names=known_names)
        mapping = resolve_columns(table.columns, COLUMN_ALIASES, overrides, path)
        frame = points_from_table(table, path, lat_column=mapping["lat"], lon_column=mapping["lon"], crs=crs)
    if mapping["name"] is None:
        raise InputError.single(path, "名称の列がありません（--columns name=列名 で指定できます）",
                                "no name column (map it with --columns name=COLUMN)", field="名称/name")
    frame = to_storage_crs(frame, path)
    frame, _ = check_geometries(frame, path, allowed_types={"Point"})
    return _validate(frame, path, mapping, default_kind, source or path.stem)


def _validate(frame: gpd.GeoDataFrame, path: Path, mapping: dict[str, str | None], default_kind: str,
              source: str) -> ResourceImport:
    problems: list[Problem] = []
    records: list[dict] = []
    unparsed: list[tuple[int, str, str]] = []

    def cell(row: pd.Series, name: str) -> str | None:
        column = mapping.get(name)
        return _text(row[column]) if column else None

    def bad(row_number: int, name: str, ja: str, en: str, found: str | None) -> None:
        problems.append(Problem(str(path), row_number, mapping.get(name) or name, ja, en, found))

    for _, row in frame.iterrows():
        number = int(row[ROW])
        name = cell(row, "name")
        if name is None:
            bad(number, "name", "名称が空です", "name is empty", None)
            continue
        kind_word = cell(row, "kind")
        kind = glossary.resource_kind(kind_word) if kind_word else default_kind
        if kind is None:
            bad(number, "kind", f"不明な種別です（使える種別: {', '.join(t.ja for t in glossary.RESOURCE_KINDS)}）",
                f"unknown kind (known: {', '.join(glossary.RESOURCE_KIND_IDS)})", kind_word)
        values: dict[str, object] = {}
        for flag in ("barrier_free", "consultation"):
            parsed = _boolean(cell(row, flag))
            if parsed == "?":
                bad(number, flag, "「あり」か「なし」が必要です", "expected yes/no (あり/なし)", cell(row, flag))
            values[flag] = None if parsed == "?" else parsed
        capacity = _capacity(cell(row, "capacity"))
        if capacity == "?":
            bad(number, "capacity", "定員は整数が必要です", "capacity must be a whole number", cell(row, "capacity"))
        checked = _date(cell(row, "last_checked"))
        if checked == "?":
            bad(number, "last_checked", "日付は 2026-11-25 の形式が必要です", "expected a date like 2026-11-25",
                cell(row, "last_checked"))
        visibility_word = (cell(row, "visibility") or "").lower()
        if visibility_word in PUBLIC_WORDS:
            visibility = glossary.VISIBILITY_PUBLIC
        elif visibility_word in STAFF_WORDS:
            visibility = glossary.VISIBILITY_STAFF
        else:
            visibility = None
            bad(number, "visibility", "「公開」か「職員のみ」が必要です", "expected 公開 (public) or 職員のみ (staff only)",
                cell(row, "visibility"))
        schedule = parse_schedule(cell(row, "schedule"), days=cell(row, "days"), start=cell(row, "start"),
                                  end=cell(row, "end"), note=cell(row, "days_note"))
        if schedule.unparsed:
            unparsed.append((number, name, "；".join(schedule.unparsed)))
        source_id = cell(row, "source_id") or _stable_id(name, cell(row, "address"))
        records.append({
            ROW: number, "source": source, "source_id": source_id, "kind": kind, "name": name,
            "name_kana": cell(row, "name_kana"), "operator": cell(row, "operator"), "address": cell(row, "address"),
            "phone": cell(row, "phone"), "url": cell(row, "url"), "target_groups": cell(row, "target_groups"),
            "fee": cell(row, "fee"), "capacity": None if capacity == "?" else capacity,
            "visibility": visibility, "last_checked": None if checked == "?" else checked,
            "schedule_text": schedule.text or None, "closed_on_holidays": schedule.closed_on_holidays,
            "closed_year_end": schedule.closed_year_end,
            "times_per_month": schedule.times_per_month,
            "schedule_unparsed": "；".join(schedule.unparsed) or None,
            "schedule_rules": [rule.to_hsds() for rule in schedule.rules],
            "note": cell(row, "note"), "geometry": row.geometry, **values,
        })
    duplicated = pd.Series([r["source_id"] for r in records]).duplicated(keep="first")
    for record, is_duplicate in zip(records, duplicated):
        if is_duplicate:
            problems.append(Problem(str(path), record[ROW], mapping.get("source_id") or "ID",
                                    "ID が重複しています（同じ施設が2回あるか、ID 列が一意ではありません）",
                                    "duplicate id (the same place twice, or the id column is not unique)",
                                    record["source_id"]))
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0)))
    result = gpd.GeoDataFrame(records, geometry="geometry", crs=frame.crs) if records else \
        gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=frame.crs)
    return ResourceImport(result, source, unparsed, mapping.get("source_id"))


@dataclass
class CandidateImport:
    """Validated candidate sites for new community bases."""

    frame: gpd.GeoDataFrame
    source: str


def read_candidates(path: str | Path, *, columns: dict[str, str] | None = None, source: str | None = None,
                    encoding: str | None = None, crs: str | None = None) -> CandidateImport:
    """Candidate sites (公民館, 集会所, 空き家 …): name, kind word, address and a point.

    Their kind stays the file's own word: a vacant house is no resource kind, only a place.
    """
    path = Path(path)
    aliases = {key: COLUMN_ALIASES[key] for key in ("source_id", "name", "kind", "address", "lat", "lon")}
    if is_vector_file(path):
        frame = read_vector(path, encoding=encoding, crs=crs)
        mapping = resolve_columns(frame.columns, aliases, columns or {}, path)
    else:
        table = read_table(path, encoding=encoding, header_names={n for names in aliases.values() for n in names})
        mapping = resolve_columns(table.columns, aliases, columns or {}, path)
        frame = points_from_table(table, path, lat_column=mapping["lat"], lon_column=mapping["lon"], crs=crs)
    if mapping["name"] is None:
        raise InputError.single(path, "名称の列がありません", "no name column", field="名称/name")
    frame = to_storage_crs(frame, path)
    frame, _ = check_geometries(frame, path, allowed_types={"Point"})
    names = frame[mapping["name"]].map(_text)
    problems = [Problem(str(path), int(row), mapping["name"], "名称が空です", "name is empty")
                for row in frame.loc[names.isna(), ROW]]
    if problems:
        raise InputError(problems)
    addresses = frame[mapping["address"]].map(_text) if mapping["address"] else pd.Series(None, index=frame.index)
    ids = frame[mapping["source_id"]].map(_text) if mapping["source_id"] else \
        pd.Series([_stable_id(n, a) for n, a in zip(names, addresses)], index=frame.index)
    result = gpd.GeoDataFrame({
        ROW: frame[ROW], "source": source or path.stem, "source_id": ids, "name": names,
        "kind": frame[mapping["kind"]].map(_text) if mapping["kind"] else None, "address": addresses,
    }, geometry=frame.geometry.values, crs=frame.crs)
    return CandidateImport(result, source or path.stem)
