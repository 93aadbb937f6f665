"""The cells of a resource list that say a yes/no, a date or a capacity, read as lists write them.

A descriptive cell never refuses a list in an import: what says no single value is kept as text,
with a warning (:func:`capacity_cell` with ``strict`` False); only what cannot be a value at all
(``²`` in a capacity, a number past any count) is refused.  The web's form is ``strict``: a number or nothing.
"""

from __future__ import annotations

import datetime

from geo_welfare.core import glossary


def yes_no(value: str | None) -> bool | None | str:
    """True or False for the words of yes and no (あり/なし, ○/×, yes/no); None for a blank; "?" for other words."""
    if value is None:
        return None
    word = value.strip().lower()
    if word in glossary.YES_WORDS:
        return True
    if word in glossary.NO_WORDS:
        return False
    return "?"


def date_cell(value: str | None) -> datetime.date | None | str:
    """The date a cell says (2026-11-25, 2026/11/25, 2026年11月25日); None for a blank; "?" for no such date."""
    if value is None:
        return None
    match = glossary.DATE_PATTERN.fullmatch(value.strip())
    if not match:
        return "?"
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return "?"


#: The most people a place's capacity may say: more is a typing mistake (and would not fit the store's column).
MAX_CAPACITY = 1_000_000


def capacity_cell(value: str | None, strict: bool = True) -> tuple[int | None | str, bool]:
    """The number a capacity cell says and whether it is approximate.

    The number is "?" for no whole number, "+" past the most, and (``strict`` False: an import's
    descriptive cell) "text" for words that say no single number (「大会議室：120名、…各24名」, 「二十人」),
    which are kept as text.  Only ASCII and full-width digits count: a cell of other digit characters
    (``²``, ``①``) looks like a number and is none, so it is "?" either way.  ``strict`` (the web's form)
    refuses words that give no single number ("?"), where an import keeps them as text.
    """
    if value is None:
        return None, False
    text = value.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    digits = glossary.CAPACITY_NOISE.sub("", text)
    if digits and digits.isdigit() and not (digits.isascii() and digits.isdecimal()):
        return "?", False
    match = glossary.CAPACITY_PATTERN.fullmatch(text)  # 「約20名」「20名程度」: the form reads them as an import does
    if match is not None:
        digits = match["number"]
    elif not digits or not digits.isascii() or not digits.isdigit():
        return ("?" if strict else "text"), False
    if len(digits) > len(str(MAX_CAPACITY)) or int(digits) > MAX_CAPACITY:
        return "+", False
    return int(digits), bool(match is not None and (match["about"] or match["around"]))
