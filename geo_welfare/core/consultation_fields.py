"""Consultation fields (相談分野) read from a list's words and kept in the store.

The words themselves are the glossary's (:data:`geo_welfare.core.glossary.CONSULTATION_FIELDS`); this
module only reads a cell of them (split, folded, looked up) and writes the store's form: the field
ids joined by commas in the glossary's order, so two lists that name the same fields store the same text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from geo_welfare.core.glossary import (CONSULTATION_FIELD_IDS, CONSULTATION_FIELDS, FIELD_JOINER, FIELD_MIDDLE_DOT,
                                       FIELD_SEPARATORS, FIELD_WORD_SUFFIXES)


def _folded(text: str) -> str:
    """A word compared without widths or spaces, as lists vary them (ＤＶ, 障がい 者)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).lower()


_BY_WORD = {_folded(word): term.id
            for term in CONSULTATION_FIELDS for word in (term.id, term.ja, term.en, *term.aliases)}


def consultation_field(word: str | None) -> str | None:
    """The field a word names (an id, a label or an alias: 「障がい者」 → ``disability``), or None."""
    if word is None:
        return None
    folded = _folded(str(word))
    if folded in _BY_WORD:
        return _BY_WORD[folded]
    for suffix in FIELD_WORD_SUFFIXES:  # 「障害者相談」, 「子育ての」
        if folded.endswith(suffix) and folded.removesuffix(suffix) in _BY_WORD:
            return _BY_WORD[folded.removesuffix(suffix)]
    return None


def consultation_fields(cell: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields a 相談分野 cell names, in the glossary's order, and the words in it that name none."""
    if cell is None:
        return (), ()
    words = []
    for word in FIELD_SEPARATORS.split(unicodedata.normalize("NFKC", str(cell)).strip()):
        whole = consultation_field(word) is not None or FIELD_MIDDLE_DOT not in word
        words += [word] if whole else [part for part in word.split(FIELD_MIDDLE_DOT) if part]
    words = [word for word in words if word]
    found = {consultation_field(word) for word in words}
    unknown = tuple(dict.fromkeys(word for word in words if consultation_field(word) is None))
    return tuple(field for field in CONSULTATION_FIELD_IDS if field in found), unknown


def joined_fields(*groups: Iterable[str] | None) -> str | None:
    """Fields of several sources (a list's cell, a kind, services) as the store keeps them; None for none."""
    found = {field for group in groups for field in (group or ())}
    return FIELD_JOINER.join(field for field in CONSULTATION_FIELD_IDS if field in found) or None


def stored_fields(value: object) -> tuple[str, ...]:
    """The field ids of a stored ``consultation_fields`` value (None, NaN or "" is none)."""
    return tuple(part for part in value.split(FIELD_JOINER) if part) if isinstance(value, str) else ()
