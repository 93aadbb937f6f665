"""The Japanese domain words, once: resource kinds and area units with their English identifiers.

Code uses the English identifiers (``salon``, ``elementary_district``); files, the CLI and the
map use the labels.  Recognising a kind from a file means looking its word up here.
"""

from __future__ import annotations

import re
import unicodedata
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
    # The kinds the national service-information systems and the standard open-data lists hold
    # (:data:`NATIONAL_SERVICES` maps their service types here): few, and each one a coordinator refers to.
    Term("day_care", "通所介護", "Day service (care)", ("通所介護", "デイサービス", "通所リハビリテーション")),
    Term("care_facility", "介護施設（入所・短期入所）", "Residential and short-stay care",
         ("介護老人福祉施設", "特別養護老人ホーム", "介護老人保健施設", "介護医療院", "グループホーム", "短期入所",
          "ショートステイ", "有料老人ホーム")),
    Term("home_care", "訪問介護", "Home-visit care", ("訪問介護", "ヘルパーステーション", "訪問看護")),
    Term("care_management", "居宅介護支援", "Care-management office", ("居宅介護支援", "ケアプランセンター")),
    Term("consultation_office", "相談支援事業所", "Disability consultation office",
         ("相談支援事業所", "計画相談支援", "障害児相談支援", "地域相談支援")),
    Term("disability_service", "障害福祉サービス", "Disability welfare service",
         ("障害福祉サービス", "就労継続支援", "就労移行支援", "生活介護", "共同生活援助", "放課後等デイサービス",
          "児童発達支援")),
    Term("child_facility", "子育て施設", "Childcare and family facility",
         ("子育て支援センター", "児童館", "保育所", "保育園", "幼稚園", "こども園", "放課後児童クラブ", "児童クラブ")),
    Term("medical", "医療機関", "Medical institution", ("病院", "診療所", "クリニック", "医院")),
    Term("other", "その他", "Other", ()),
)

#: The kinds the coordinator's and planner's searches tick before the user changes them: the gathering places.
DEFAULT_KIND_IDS: tuple[str, ...] = ("salon", "kayoi_no_ba", "engawa")
#: The kind of place the planner first offers as sites for a new base (its halls stand where people meet).
DEFAULT_CANDIDATE_KIND = "community_centre"

AREA_UNITS: tuple[Term, ...] = (
    Term("municipality", "市区町村", "Municipality", ("市町村", "区", "行政区")),
    Term("daily_life_area", "日常生活圏域", "Daily-life area", ("圏域",)),
    Term("district", "地区", "District"),
    Term("junior_high_district", "中学校区", "Junior-high school district", ("中学校区域", "中学校通学区域")),
    Term("elementary_district", "小学校区", "Elementary school district", ("小学校区域", "小学校通学区域")),
    Term("welfare_commissioner_area", "民生委員担当区域", "Welfare commissioner's area", ("民生委員区域", "民生委員")),
    Term("small_area", "町丁・字（小地域）", "Census small area", ("小地域", "町丁・字", "町丁目")),
)

class KindChoices:
    """The resource kinds as a reader of the message writes them: labels in Japanese, identifiers in English."""

    def localized(self, lang: str | None = None) -> str:
        return ", ".join(term.id if lang == "en" else term.ja for term in RESOURCE_KINDS)


KIND_CHOICES = KindChoices()

#: CLI spellings of the area units (``--unit small-area``) → identifiers.
AREA_UNIT_OPTIONS: dict[str, str] = {term.id.replace("_", "-"): term.id for term in AREA_UNITS}


def area_unit_spellings(identifier: str) -> tuple[str, ...]:
    """Every way a user may name an area unit: its id, its CLI name, and its labels (小学校区, Elementary …)."""
    term = next(term for term in AREA_UNITS if term.id == identifier)
    return tuple(dict.fromkeys((term.id, term.id.replace("_", "-"), term.ja, term.en, term.en.lower(), *term.aliases)))

RESOURCE_KIND_IDS: tuple[str, ...] = tuple(term.id for term in RESOURCE_KINDS)
AREA_UNIT_IDS: tuple[str, ...] = tuple(term.id for term in AREA_UNITS)

#: The hazards whose zones a store may hold (国土数値情報 A31 洪水 and A33 土砂災害), in the order pages draw them.
HAZARD_IDS: tuple[str, ...] = ("flood", "landslide")

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
#: A capacity cell that says one number, as lists write it (20名, 約20名, 20名程度, 50人ぐらい), perhaps followed by a
#: remark in brackets that holds no number (「70人（長期休暇中のみの利用を含む）」); ``about``/``around`` mark it approximate.
CAPACITY_PATTERN = re.compile(r"(?P<about>約|およそ|概ね|おおむね)?\s*(?P<number>[0-9]+)\s*(?:人|名|席)?\s*"
                              r"(?P<around>程度|前後|くらい|ぐらい|位)?\s*(?:[（(][^0-9（）()]*[）)])?")
#: The two columns a report of refused rows adds to the file's own (:mod:`geo_welfare.io.writers`).
REPORT_ROW_COLUMN, REPORT_REASON_COLUMN = "行番号", "理由"
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


# --- the national service-information systems: service types → kinds and whom they serve --------

#: Whom a national system's service is for, as ``target_groups`` says it.
ELDERLY, DEMENTIA, DISABLED, DISABLED_CHILDREN = "高齢者", "認知症の方", "障害のある方", "障害のある子ども"


@dataclass(frozen=True)
class ServiceType:
    """A service type of the 介護サービス情報公表システム (``kaigo``) or the 障害福祉サービス等情報公表
    システム (``shogai``): its code (the number in the open-data file's name: ``jigyosho_150.csv``,
    ``csvdownload022.csv``), its name as the サービス種別 cell writes it, the kind of place an office
    offering it is, and whom it serves."""

    system: str
    code: str | None
    name: str
    kind: str
    target: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The consultation fields (:data:`CONSULTATION_FIELDS`) an office offering this service takes."""
        return SERVICE_CONSULTATION_FIELDS.get(self.name, ())


def _services(system: str, kind: str, target: str, *pairs: tuple[str | None, str]) -> tuple[ServiceType, ...]:
    return tuple(ServiceType(system, code, name, kind, target) for code, name in pairs)


#: Every service type of the two systems' open data (介護: the MHLW page's 54 files by code; 障害: WAM
#: NET's ``sfkopendata`` files by number).  Kinds are few on purpose: a coordinator asks for "a day
#: service" or "a consultation office", not for 地域密着型通所介護 as such; the type itself stays on the
#: office's service row.
NATIONAL_SERVICES: tuple[ServiceType, ...] = (
    *_services("kaigo", "home_care", ELDERLY, ("110", "訪問介護"), ("120", "訪問入浴介護"), ("130", "訪問看護"),
               ("140", "訪問リハビリテーション"), ("710", "夜間対応型訪問介護"),
               ("760", "定期巡回・随時対応型訪問介護看護")),
    *_services("kaigo", "day_care", ELDERLY, ("150", "通所介護"), ("155", "療養通所介護"),
               ("160", "通所リハビリテーション"), ("730", "小規模多機能型居宅介護"),
               ("770", "看護小規模多機能型居宅介護"), ("780", "地域密着型通所介護")),
    *_services("kaigo", "day_care", DEMENTIA, ("720", "認知症対応型通所介護")),
    *_services("kaigo", "care_facility", DEMENTIA, ("320", "認知症対応型共同生活介護")),
    *_services("kaigo", "care_facility", ELDERLY, ("210", "短期入所生活介護"),
               ("220", "短期入所療養介護（介護老人保健施設）"), ("230", "短期入所療養介護（療養病床を有する病院等）"),
               ("551", "短期入所療養介護（介護医療院）"),
               ("331", "特定施設入居者生活介護（有料老人ホーム）"), ("332", "特定施設入居者生活介護（軽費老人ホーム）"),
               ("334", "特定施設入居者生活介護（サービス付き高齢者向け住宅）"),
               ("335", "特定施設入居者生活介護（有料老人ホーム・外部サービス利用型）"),
               ("336", "特定施設入居者生活介護（軽費老人ホーム・外部サービス利用型）"),
               ("337", "特定施設入居者生活介護（サービス付き高齢者向け住宅・外部サービス利用型）"),
               ("361", "地域密着型特定施設入居者生活介護（有料老人ホーム）"),
               ("362", "地域密着型特定施設入居者生活介護（軽費老人ホーム）"),
               ("364", "地域密着型特定施設入居者生活介護（サービス付き高齢者向け住宅）"),
               ("510", "介護老人福祉施設"), ("520", "介護老人保健施設"), ("530", "介護療養型医療施設"),
               ("540", "地域密着型介護老人福祉施設入所者生活介護"), ("550", "介護医療院")),
    *_services("kaigo", "care_management", ELDERLY, ("430", "居宅介護支援")),
    *_services("kaigo", "support_centre", ELDERLY, (None, "介護予防支援")),
    *_services("kaigo", "other", ELDERLY, ("170", "福祉用具貸与"), ("410", "特定福祉用具販売")),
    *_services("shogai", "consultation_office", DISABLED, ("52", "計画相談支援"),
               ("53", "地域相談支援（地域移行支援）"), ("54", "地域相談支援（地域定着支援）")),
    *_services("shogai", "consultation_office", DISABLED_CHILDREN, ("70", "障害児相談支援")),
    *_services("shogai", "disability_service", DISABLED, ("11", "居宅介護"), ("12", "重度訪問介護"),
               ("13", "行動援護"), ("14", "重度障害者等包括支援"), ("15", "同行援護"), ("21", "療養介護"),
               ("22", "生活介護"), ("24", "短期入所"), ("32", "施設入所支援"), ("33", "共同生活援助"),
               ("41", "自立訓練（機能訓練）"), ("42", "自立訓練（生活訓練）"), ("45", "就労継続支援A型"),
               ("46", "就労継続支援B型"), ("60", "就労移行支援"), ("61", "自立生活援助"), ("62", "就労定着支援")),
    *_services("shogai", "disability_service", DISABLED_CHILDREN, ("63", "児童発達支援"),
               ("64", "医療型児童発達支援"), ("65", "放課後等デイサービス"), ("66", "居宅訪問型児童発達支援"),
               ("67", "保育所等訪問支援"), ("68", "福祉型障害児入所施設"), ("69", "医療型障害児入所施設")),
)

#: The prefix of a 介護予防 service (介護予防通所リハビリテーション): the same kind as the service it prefixes.
PREVENTIVE_PREFIX = "介護予防"
#: What the 介護 open data's 利用可能曜日 leaves unsaid (it names days, never hours): kept as not understood,
#: so an office is never answered open at 3 a.m. on a day it works.
HOURS_NOT_GIVEN = "時間の記載なし"


def _folded(text: str) -> str:
    """A service name compared without widths, spaces or bracket styles (（）/()), as the files vary them."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


_BY_NAME = {_folded(service.name): service for service in NATIONAL_SERVICES}
_BY_CODE = {(service.system, service.code): service for service in NATIONAL_SERVICES if service.code}


def national_service(name: str | None, *, system: str | None = None, code: str | None = None) -> ServiceType | None:
    """The service type a サービス種別 cell names (``"地域密着型通所介護"``), else the one of the file's code.

    A 介護予防 name (介護予防訪問入浴介護) is the service it prefixes; a name in brackets after the
    type (通所介護（療養通所介護）) is tried whole, then as the bracketed name.  None means unknown:
    the importer keeps the words and reports the row instead of guessing.
    """
    if name:
        folded = _folded(name)
        candidates = [folded, folded.removeprefix(PREVENTIVE_PREFIX)]
        inner = re.fullmatch(r".+\((.+)\)", folded)
        if inner:
            candidates.append(inner.group(1))
        for candidate in candidates:
            if candidate in _BY_NAME:
                return _BY_NAME[candidate]
    if system and code:
        return _BY_CODE.get((system, code.lstrip("0") if system == "shogai" else code))
    return None


# --- consultation desks (相談窓口): the fields a place takes consultations on ------------------------
# The fields the municipal plans list desks by (藤沢型地域包括ケア: 「子ども、障がい者、高齢者、生活困窮者など
# 誰もが」; 逗子市・鎌倉市の地域福祉計画: 相談窓口 by field, as 広報 lists them).  A list's 相談分野 cell names
# them in its own words (「高齢者、障がい者、生活困窮」): the aliases, matched whole after NFKC folding.

CONSULTATION_FIELDS: tuple[Term, ...] = (
    Term("elderly_care", "高齢・介護", "Older people and care",
         ("高齢", "高齢者", "介護", "高齢者福祉", "介護保険", "認知症", "高齢者・介護", "高齢介護")),
    Term("disability", "障がい", "Disability",
         ("障害", "障がい者", "障害者", "障碍", "障害福祉", "障がい福祉", "障害児", "障がい児", "発達障害", "発達障がい",
          "精神保健")),
    Term("children", "子ども・子育て", "Children and child-rearing",
         ("子ども", "子育て", "こども", "子供", "児童", "子育て支援", "子ども・子育て支援", "妊娠・出産", "ひとり親")),
    Term("hardship", "生活困窮", "Financial hardship",
         ("生活困窮者", "生活困窮者自立支援", "生活保護", "生活相談", "くらし", "暮らし", "就労")),
    Term("hikikomori", "ひきこもり", "Social withdrawal (hikikomori)", ("引きこもり", "ひきこもり支援", "不登校")),
    Term("advocacy", "権利擁護", "Rights advocacy",
         ("成年後見", "成年後見制度", "虐待", "虐待防止", "権利擁護・成年後見", "日常生活自立支援")),
    Term("housing", "住まい", "Housing", ("住宅", "住まい探し", "居住支援", "住居")),
    Term("foreign_residents", "外国籍住民", "Foreign residents",
         ("外国人", "外国籍", "外国人住民", "多文化共生", "外国籍市民")),
    Term("health", "健康・医療", "Health and medical care", ("健康", "医療", "保健", "こころの健康", "在宅医療")),
    Term("general", "総合相談", "Any concern (general desk)",
         ("総合", "福祉全般", "何でも", "なんでも", "よろず", "福祉総合相談")),
)
CONSULTATION_FIELD_IDS: tuple[str, ...] = tuple(term.id for term in CONSULTATION_FIELDS)
#: What separates the fields of one 相談分野 cell: 、，,/／ ; and spaces (「高齢者、障がい者／生活困窮」).
FIELD_SEPARATORS = re.compile(r"[、，,;；/／|｜\s]+")
#: How the store keeps a place's fields: their ids joined by this, in the order of :data:`CONSULTATION_FIELDS`.
FIELD_JOINER = ","

#: The national service types that are consultation desks, and the fields they take (居宅介護支援: the
#: care manager's office; 介護予防支援: the 地域包括支援センター's own service; the 相談支援 of WAM NET).
SERVICE_CONSULTATION_FIELDS: dict[str, tuple[str, ...]] = {
    "居宅介護支援": ("elderly_care",),
    "介護予防支援": ("elderly_care", "advocacy"),
    "計画相談支援": ("disability",),
    "地域相談支援（地域移行支援）": ("disability",),
    "地域相談支援（地域定着支援）": ("disability",),
    "障害児相談支援": ("disability", "children"),
}
#: The kinds whose places take these fields whatever their list says: a 地域包括支援センター is the 高齢・介護 and
#: 権利擁護 desk by law (介護保険法 第115条の46), a 相談支援事業所 the 障がい one.
KIND_CONSULTATION_FIELDS: dict[str, tuple[str, ...]] = {
    "support_centre": ("elderly_care", "advocacy"),
    "consultation_office": ("disability",),
    "care_management": ("elderly_care",),
}

#: What a 相談分野 word may end with and still name its field (「障害者相談」, 「子育ての」); 「高齢・障がい」 is split on
#: the middle dot only where the whole names no field (「子ども・子育て」 is one).
FIELD_WORD_SUFFIXES, FIELD_MIDDLE_DOT = ("相談", "の"), "・"


# --- whom an analysis counts: the target groups (geo_welfare.core.target_groups) ------------------

#: The words a user may type for each target group (``--group 子ども``), beside its identifier and labels.
TARGET_GROUP_WORDS: dict[str, tuple[str, ...]] = {
    "older": ("高齢者", "高齢", "65歳以上", "65+", "75歳以上", "シニア"),
    "children": ("子ども", "こども", "子供", "児童", "0～14歳", "0〜14歳", "0-14", "年少人口"),
    "all": ("全年齢", "すべて", "全員", "総人口", "人口", "全体", "全世代", "everyone"),
}
#: Words in a place's ``target_groups`` cell that say it is for children (a 子育てひろば listed as その他).
CHILDREN_TARGET_WORDS: tuple[str, ...] = ("子ども", "こども", "子供", "児童", "子育て", "親子", "乳幼児", "小学生",
                                          "中学生", "未就学")
