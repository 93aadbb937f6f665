"""Every word the program says, from one gettext catalogue: CLI, web, print maps and errors.

The catalogue is ``geo_welfare/locale/<lang>/LC_MESSAGES/geo_welfare.po``, one file per language,
so a translator works in the tools made for it (Poedit, Weblate, Babel) and adding a language for
foreign residents is adding one file.  A ``msgid`` is a stable key that code uses (``"imported"``),
not an English sentence, because Japanese is the source language here and English is one of the
translations; values are filled in with :meth:`str.format` (``{file}``, ``{count:,}``).

The ``.po`` files are the only source: they are read with Babel when first needed and turned into
:class:`babel.support.Translations` in memory (the web's Flask-Babel uses the same objects), so
there is no compiled ``.mo`` that could fall out of date.  A key missing from a language falls
back to Japanese and then to the key itself; ``tests/test_words.py`` fails on either.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from geo_welfare.core.config import LOCALE_DIRECTORY, available_languages, language

#: The catalogue's gettext domain (its folder is the settings' :data:`~geo_welfare.core.config.LOCALE_DIRECTORY`).
DOMAIN = "geo_welfare"
#: The language every other falls back to (the users are Japanese staff).
SOURCE_LANGUAGE = "ja"


def catalogue_file(lang: str) -> Path:
    """The ``.po`` file of ``lang``."""
    return LOCALE_DIRECTORY / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> tuple[str, ...]:
    """The languages the catalogue has, the source language first."""
    return available_languages()


@lru_cache(maxsize=8)
def translations(lang: str) -> Translations:
    """The gettext translations of ``lang`` (falling back to the source language), read once."""
    with open(catalogue_file(lang), "rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    found = Translations(compiled, domain=DOMAIN)
    if lang != SOURCE_LANGUAGE:
        found.add_fallback(translations(SOURCE_LANGUAGE))
    return found


@lru_cache(maxsize=8)
def entries(lang: str) -> dict[str, str]:
    """Every key of ``lang``'s own file with its text (no fallback): for checks and for the web's scripts."""
    with open(catalogue_file(lang), "rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    return {message.id: message.string for message in catalog if message.id and isinstance(message.id, str)}


def word(key: str, lang: str | None = None) -> str:
    """The catalogue's text for ``key`` in ``lang`` (``None``: the configured language), unformatted."""
    return translations(language(lang)).gettext(key)


@dataclass(frozen=True)
class Word:
    """A catalogue word used as a value of another message, put into that message's language.

    An error is raised before anyone knows who will read it (the CLI in Japanese, the web in
    either language), so a value that is itself a word travels as its key.
    """

    key: str


    def localized(self, lang: str | None = None) -> str:
        return word(self.key, lang)


def t(key: str, /, lang: str | None = None, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in.

    A value with a ``localized(lang)`` method (a :class:`Word`, a glossary term) is put into the
    message's language first.
    """
    lang = language(lang)
    filled = {name: value.localized(lang) if hasattr(value, "localized") else value for name, value in values.items()}
    return word(key, lang).format(**filled)


def both(key: str, /, **values: object) -> dict[str, str]:
    """``key`` in Japanese and English, for answers that carry both (API error bodies)."""
    return {"ja": t(key, "ja", **values), "en": t(key, "en", **values)}
