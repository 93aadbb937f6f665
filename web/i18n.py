"""The words of the web page in Japanese (default) and English, in one table."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "title": ("geo-welfare 地域資源マップ", "geo-welfare community resource map"),
    "legend": ("凡例", "Legend"),
    "kind": ("種別", "Kind"),
    "schedule": ("開催日時", "Schedule"),
    "target": ("対象", "For"),
    "fee": ("参加費", "Fee"),
    "capacity": ("定員", "Capacity"),
    "barrier_free": ("バリアフリー", "Barrier-free"),
    "consultation": ("相談", "Consultation"),
    "phone": ("連絡先", "Contact"),
    "address": ("住所", "Address"),
    "last_checked": ("最終確認日", "Last checked"),
    "yes": ("あり", "yes"),
    "no": ("なし", "no"),
    "unknown": ("不明", "unknown"),
    "people": ("人", " people"),
    "no_data": ("データがありません。`geo-welfare import` で取り込んでください。",
                "No data yet: import some with `geo-welfare import`."),
}


def word(key: str, lang: str) -> str:
    ja, en = WORDS[key]
    return en if lang == "en" else ja
