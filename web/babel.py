"""Flask-Babel over the one word catalogue: templates' ``_()``/``gettext`` speak the request's language.

Flask-Babel normally reads compiled ``.mo`` files from a folder; here its domain hands out the
translations :mod:`geo_welfare.core.words` builds from the ``.po`` files, so the CLI, the print
maps and the web read the very same entries and there is nothing compiled to go stale.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import Babel, Domain, get_locale

from geo_welfare.core import words
from geo_welfare.web.i18n import page_language


class CatalogueDomain(Domain):
    """A Flask-Babel domain whose translations come from :func:`geo_welfare.core.words.translations`."""

    def __init__(self) -> None:
        super().__init__(domain=words.DOMAIN)

    def get_translations(self):
        return words.translations(str(get_locale() or words.SOURCE_LANGUAGE))


def request_language() -> str:
    """``?lang=`` when it names a language of the catalogue, else the app's configured language."""
    return page_language(request.args.get("lang"), current_app.config.get("LANGUAGE", words.SOURCE_LANGUAGE))


def init_babel(app: Flask) -> Babel:
    """Flask-Babel for ``app``, choosing each request's language and reading the catalogue."""
    babel = Babel(app, locale_selector=request_language, default_locale=words.SOURCE_LANGUAGE,
                  default_domain=words.DOMAIN)
    babel.domain_instance = CatalogueDomain()  # a cached_property of Babel: set once, read per request
    return babel
