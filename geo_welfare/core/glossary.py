"""The Japanese domain words, once: resource kinds and area units with their English identifiers.

Code uses the English identifiers (``salon``, ``elementary_district``); files, the CLI and the
map use the labels.  Recognising a kind from a file means looking its word up here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One domain term: the identifier used in code and storage, and its labels."""

    id: str
    ja: str
    en: str
    aliases: tuple[str, ...] = ()


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
