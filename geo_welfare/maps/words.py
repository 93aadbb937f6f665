"""The words printed on a district map, in Japanese (default) and English, in one table.

Domain words (resource kinds, area units) come from :mod:`geo_welfare.core.glossary`; these are the page's own.
"""

from __future__ import annotations

import datetime

WORDS: dict[str, tuple[str, str]] = {
    "map_title": ("{name} 地域資源マップ", "{name} community resource map"),
    "legend": ("凡例", "Legend"),
    "district": ("この地区の範囲", "This district"),
    "neighbours": ("となりの地区", "Neighbouring districts"),
    "streets": ("道路", "Streets"),
    "water": ("川・水面", "River / water"),
    "railway": ("鉄道", "Railway"),
    "aging": ("高齢化率（町丁・字）", "Share aged 65+ (small areas)"),
    "aging_unknown": ("不明", "unknown"),
    "reach_network": ("徒歩{minutes}分圏（道のり・時速{speed:g}km）",
                      "Within {minutes} min walk (by street, {speed:g} km/h)"),
    "reach_straight": ("徒歩{minutes}分圏（直線{metres:,.0f}m の目安）",
                       "Within {minutes} min walk (straight line, {metres:,.0f} m)"),
    "list_heading": ("掲載している場所（{count}か所）", "Places on this map ({count})"),
    "list_empty": ("この地区に登録された場所はありません", "No places are registered in this district"),
    "phone": ("電話 {phone}", "Tel. {phone}"),
    "no_schedule": ("開催日時は問い合わせください", "Ask for dates and times"),
    "made_on": ("作成日 {date}", "Made on {date}"),
    "scale": ("縮尺 約1:{ratio:,}", "Scale about 1:{ratio:,}"),
    "north": ("北", "N"),
    "sources": ("出典・ライセンス", "Sources and licences"),
    "staff_copy": ("職員用（非公開の場所を含む・配布しないでください）",
                   "STAFF COPY: includes non-public places; do not hand out"),
    "demo_note": ("デモ用の架空の町です（実在しません）", "Fictional demo town (not a real place)"),
}

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def word(key: str, lang: str = "ja", **values: object) -> str:
    """The map word ``key`` in ``lang`` (``ja`` or ``en``) with ``values`` filled in."""
    ja, en = WORDS[key]
    return (en if lang == "en" else ja).format(**values)


def date_text(day: datetime.date, lang: str = "ja") -> str:
    """A date as residents write it: 2026年5月1日 / 1 May 2026."""
    if lang == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"

#: Messages of ``geo-welfare map`` (stderr), beside the map words above.
MESSAGES: dict[str, tuple[str, str]] = {
    "drawing": ("地図を作成中", "Drawing maps"),
    "map_written": ("地図を書き出しました: {file}（{count}か所）", "Wrote {file} ({count} places)"),
    "maps_written": ("{count}地区の地図を書き出しました: {dir}", "Wrote the maps of {count} districts to {dir}"),
    "label_crowded": ("{file}: 番号 {numbers} は重ならない置き場所が見つかりませんでした（用紙を A3 にしてください）",
                      "{file}: no free place for numbers {numbers} (try --paper A3)"),
    "list_overflow": ("{file}: 一覧が用紙に収まりません（用紙を A3 にしてください）",
                      "{file}: the list does not fit the page (try --paper A3)"),
}


def message(key: str, lang: str = "ja", **values: object) -> str:
    """The ``geo-welfare map`` message ``key`` in ``lang``."""
    ja, en = MESSAGES[key]
    return (en if lang == "en" else ja).format(**values)
