"""The web's side of the one word catalogue (:mod:`geo_welfare.core.words`): a page's language and its words.

Pages, scripts and API answers take every word from the catalogue; this module only chooses the
request's language and shapes words the way the web hands them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from geo_welfare.core import words


def word(key: str, lang: str) -> str:
    """The catalogue word ``key`` in ``lang``, unformatted (as pages and scripts use it)."""
    return words.word(key, lang)


def say(key: str, lang: str, **values: object) -> str:
    """The catalogue's sentence ``key`` in ``lang`` with ``values`` filled in."""
    return words.t(key, lang, **values)


@dataclass(frozen=True, eq=False)
class Phrase:
    """A catalogue sentence with its own values, used as a value of another message.

    A refusal names the field, then what the field needs ("a number from 1 to 60"), then what
    was sent: the middle part is a sentence of its own, put into the outer message's language
    when that message is (``localized``, as :func:`geo_welfare.core.words.t` asks of values).
    """

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def localized(self, lang: str | None = None) -> str:
        return words.t(self.key, lang, **self.values)


def page_language(requested: str | None, default: str) -> str:
    """``?lang=`` if it names a language the page has, else the app's default: always ``ja`` or ``en``."""
    chosen = (requested or default or "ja").lower()
    return "en" if chosen.startswith("en") else "ja"
