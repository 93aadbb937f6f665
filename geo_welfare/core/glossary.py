"""The Japanese domain words, once: resource kinds and area units with their English identifiers.

Code uses the English identifiers (``salon``, ``elementary_district``); files, the CLI and the
map use the labels.  Recognising a kind from a file means looking its word up here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One domain term: the identifier used in code and storage, and its labels."""

    id: str
    ja: str
    en: str
    aliases: tuple[str, ...] = ()

    def localized(self, lang: str | None = None) -> str:
        """The label in ``lang`` (so a term can be a value of a catalogue message)."""
        return self.en if lang == "en" else self.ja


RESOURCE_KINDS: tuple[Term, ...] = (
    Term("salon", "サロン", "Salon", ("ふれあい・いきいきサロン", "いきいきサロン", "ふれあいサロン", "サロン")),
    Term("kayoi_no_ba", "通いの場", "Community exercise group", ("通いの場", "百歳体操", "体操教室")),
    Term("engawa", "地域の縁側", "Engawa drop-in place", ("縁側", "地域の縁側")),
    Term("support_centre", "地域包括支援センター", "Community comprehensive support centre",
         ("地域包括支援センター", "包括支援センター", "地域包括")),
    Term("community_centre", "公民館・市民センター", "Community centre",
         ("公民館", "市民センター", "コミュニティセンター", "地区センター", "集会所", "交流センター")),
    Term("kodomo_shokudo", "子ども食堂", "Children's cafeteria", ("子ども食堂", "こども食堂")),
    Term("other", "その他", "Other", ()),
)

AREA_UNITS: tuple[Term, ...] = (
    Term("municipality", "市区町村", "Municipality"),
    Term("daily_life_area", "日常生活圏域", "Daily-life area"),
    Term("district", "地区", "District"),
    Term("junior_high_district", "中学校区", "Junior-high school district"),
    Term("elementary_district", "小学校区", "Elementary school district"),
    Term("small_area", "町丁・字（小地域）", "Census small area"),
)

class KindChoices:
    """The resource kinds as a reader of the message writes them: labels in Japanese, identifiers in English."""

    def localized(self, lang: str | None = None) -> str:
        return ", ".join(term.id if lang == "en" else term.ja for term in RESOURCE_KINDS)


KIND_CHOICES = KindChoices()

#: CLI spellings of the area units (``--unit small-area``) → identifiers.
AREA_UNIT_OPTIONS: dict[str, str] = {term.id.replace("_", "-"): term.id for term in AREA_UNITS}

RESOURCE_KIND_IDS: tuple[str, ...] = tuple(term.id for term in RESOURCE_KINDS)
AREA_UNIT_IDS: tuple[str, ...] = tuple(term.id for term in AREA_UNITS)

VISIBILITY_PUBLIC = "public"
VISIBILITY_STAFF = "staff"


def resource_kind(word: str | None) -> str | None:
    """The resource kind a file's word names (``"サロン"``, ``"salon"``, ``"地域の縁側"``), or None.

    Exact identifiers and labels win; otherwise an alias contained in the word decides
    (``"高松市日新コミュニティセンター"`` → ``community_centre``).  None means unknown, which the
    importer reports instead of guessing.
    """
    if word is None:
        return None
    text = str(word).strip()
    if not text:
        return None
    for term in RESOURCE_KINDS:
        if text in (term.id, term.ja, term.en) or text.lower() == term.en.lower():
            return term.id
    for term in RESOURCE_KINDS:
        if any(alias == text for alias in term.aliases):
            return term.id
    for term in RESOURCE_KINDS:
        if any(alias in text for alias in term.aliases):
            return term.id
    return None


def label(terms: tuple[Term, ...], identifier: str, lang: str = "ja") -> str:
    """The label of ``identifier`` among ``terms`` in the chosen language."""
    for term in terms:
        if term.id == identifier:
            return term.ja if lang == "ja" else term.en
    raise KeyError(identifier)


# --- weekdays: what ``geo-welfare nearest --weekday`` accepts -----------------------------------

#: The weekdays, Monday first as Python numbers them (``date.weekday()``): an English
#: abbreviation as identifier and the one-character Japanese name staff type.
WEEKDAYS: tuple[Term, ...] = (
    Term("mon", "月", "Monday"),
    Term("tue", "火", "Tuesday"),
    Term("wed", "水", "Wednesday"),
    Term("thu", "木", "Thursday"),
    Term("fri", "金", "Friday"),
    Term("sat", "土", "Saturday"),
    Term("sun", "日", "Sunday"),
)

#: Every weekday name the CLI accepts (identifiers, then Japanese names) → the weekday number.
WEEKDAY_NAMES: dict[str, int] = {**{term.id: number for number, term in enumerate(WEEKDAYS)},
                                 **{term.ja: number for number, term in enumerate(WEEKDAYS)}}


# --- the web and the print maps: whom a place is for, addresses, credits, typography ------------

#: What a place's ``target_groups`` usually says, offered as suggestions where a coordinator
#: names whom a client needs a place for.  Matched against the stored text, so Japanese in
#: every language of the page.
TARGET_GROUPS: tuple[str, ...] = ("高齢者", "65歳以上", "認知症", "どなたでも")

#: Kanji numerals as e-Stat writes 丁目 (一, 十二, 二十), the digits by value; 零 is another zero.
KANJI_DIGITS = "〇一二三四五六七八九"
KANJI_ZERO, KANJI_TEN, KANJI_HUNDRED = "零", "十", "百"
#: Every character written between the numbers of 1-3-21: hyphens, dashes, minus, the long-vowel
#: mark ー and its half-width form, which people type for a hyphen.
ADDRESS_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70-"
#: The parts of a Japanese address's number: 丁目 (block of a town, in kanji numerals as e-Stat
#: writes them), 番地 or 番 (lot) and 号 (building), as in 一丁目3番21号.
CHOME, BANCHI, BAN, GO = "丁目", "番地", "番", "号"

#: Attribute columns of a background file that may hold its own credit line (出典: source).
CREDIT_COLUMNS: tuple[str, ...] = ("source", "出典", "attribution")

#: Characters a printed line may not start with (行頭禁則, the line-breaking rule of Japanese
#: typography): closing punctuation, the middle dot, the long-vowel mark and the wave dash.
NO_BREAK_BEFORE: frozenset[str] = frozenset("、。，．）」』・ー〜:：,.)")


# --- resource lists: the words a cell may hold ---------------------------------------------------

#: Cells that say yes or no (バリアフリー, 相談対応), compared lower-cased.
YES_WORDS: frozenset[str] = frozenset({"あり", "有", "有り", "○", "〇", "可", "はい", "yes", "y", "true", "1", "対応",
                                       "対応可"})
NO_WORDS: frozenset[str] = frozenset({"なし", "無", "無し", "×", "不可", "いいえ", "no", "n", "false", "0", "非対応"})
#: Cells of the 公開 column, compared lower-cased: shown to everyone (a blank cell too), or to staff only.
PUBLIC_WORDS: frozenset[str] = frozenset({"公開", "public", "一般公開", "1", "true", "yes", ""})
STAFF_WORDS: frozenset[str] = frozenset({"職員のみ", "非公開", "staff", "staff-only", "内部", "0", "false", "no"})
#: A date as lists write it: 2026-11-25, 2026/11/25, 2026.11.25 or 2026年11月25日.
DATE_PATTERN = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
#: What surrounds the number in a capacity cell (20人, 約30名, 15名程度), dropped before reading it.
CAPACITY_NOISE = re.compile(r"[人名程度約\s]")
#: Words in a target-group cell that mean the place welcomes anyone.
ANYONE_WORDS: tuple[str, ...] = ("どなたでも", "誰でも", "だれでも", "どなたも", "anyone")


# --- statistical tables: total rows and the marks in count cells ---------------------------------

#: Names that mark a row as a total of other rows (within a ward, or of the whole city).
TOTAL_ROW_NAMES: frozenset[str] = frozenset({"全市", "全区", "合計", "総数", "計", "市計", "全体", "総計"})
#: A count suppressed to protect privacy (秘匿): unknown, never 0.
SUPPRESSED_MARKS: frozenset[str] = frozenset({"x", "X", "ｘ", "Ｘ", "*", "＊", "秘匿", "χ"})
#: A count of nothing, as statistical tables write it: a dash, or a blank cell.
ZERO_MARKS: frozenset[str] = frozenset({"-", "－", "―", "‐", ""})


# --- small-area names (町丁・字): the spellings that differ between sources -----------------------
# Applied to NFKC-normalised names (full-width digits and brackets made ASCII).

#: e-Stat's suffix for an area of lots rather than blocks: 大通西（番地）.
BANCHI_AREA_SUFFIX = re.compile(r"\(番地\)$")
#: Small ヶ/ヵ and full-size ケ/カ are one spelling in place names (霞ヶ関 = 霞ケ関).
KANA_FOLDS = str.maketrans({"ヶ": "ケ", "ヵ": "カ"})
#: The number of a 条 (Sapporo's bands of blocks), which e-Stat writes in kanji: 北1条西 = 北一条西.
JO_NUMBER = re.compile(r"(\d+)(?=条)")
#: A 丁目 number ending a name (北十七条西15丁目): a 丁目 newer than the boundaries lies in the undivided area.
CHOME_NUMBER = re.compile(r"\d+丁目$")
