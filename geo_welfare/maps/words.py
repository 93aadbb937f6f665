"""How the print map writes what is not a catalogue sentence: dates.

Every word the page prints is a catalogue key (:mod:`geo_welfare.core.words`, used with ``t``
directly); domain words (resource kinds, area units) come from :mod:`geo_welfare.core.glossary`.
"""

from __future__ import annotations

import datetime

from babel.dates import format_date

from geo_welfare.core.config import language
from geo_welfare.core.words import word


def date_text(day: datetime.date, lang: str | None = "ja") -> str:
    """A date as residents write it (2026年5月1日 / 1 May 2026): the catalogue's CLDR pattern ``date_long``."""
    lang = language(lang)
    return format_date(day, format=word("date_long", lang), locale=lang)
