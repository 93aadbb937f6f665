"""The words of the web page in Japanese (default) and English, in one small table.

Domain words (resource kinds, area units) come from :mod:`layers.glossary`; this table holds only
the page's own words.  Full message catalogues come later.
"""

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
    "unknown_kind": ("不明な種別です", "unknown kind"),
    "unknown_unit": ("不明な区域の単位です", "unknown area unit"),
    "allowed": ("使える値", "allowed"),
}


def word(key: str, lang: str) -> str:
    """The page word ``key`` in ``lang`` (``ja`` or ``en``)."""
    ja, en = WORDS[key]
    return en if lang == "en" else ja


def page_language(requested: str | None, default: str) -> str:
    """``?lang=`` if it names a language the page has, else the app's default: always ``ja`` or ``en``."""
    chosen = (requested or default or "ja").lower()
    return "en" if chosen.startswith("en") else "ja"
