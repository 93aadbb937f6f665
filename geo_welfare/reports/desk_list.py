"""The consultation desk list (相談窓口一覧) as tables and as HTML, for ``report desks`` and the web's ``/desks``.

One table per field, the columns a 広報 page prints: name, address, phone, hours in words and a mark
for desks that visit homes (アウトリーチ).  The HTML is autoescaped (a place named ``<script>`` shows as
text) and has no script; :mod:`geo_welfare.reports.desk_list_pdf` draws the same tables on A4.
"""

from __future__ import annotations

import datetime

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup

from geo_welfare.analysis.desks import Desk, DeskList
from geo_welfare.core import glossary
from geo_welfare.core.words import t
from geo_welfare.reports.profile_html import STYLE, table_html

#: The columns of a field's table, as catalogue keys.
COLUMNS = ("desks_column_name", "desks_column_address", "desks_column_phone", "desks_column_hours",
           "desks_column_outreach")


def desk_table(desks: tuple[Desk, ...], lang: str) -> pd.DataFrame:
    """One field's desks as the printed table (words, never None: a blank cell is "")."""
    mark = t("desks_outreach_mark", lang)
    rows = [(desk.name, desk.address or "", desk.phone or "", desk.hours, mark if desk.outreach else "")
            for desk in desks]
    return pd.DataFrame(rows, columns=[t(key, lang) for key in COLUMNS])


def heading(desks: DeskList, lang: str) -> str:
    """The list's title: the district (with its code) or the municipality."""
    if desks.code is None:
        return t("desks_heading", lang, name=desks.name or t("desks_whole_municipality", lang))
    return t("desks_heading_district", lang, name=desks.name, code=desks.code)


def notes(desks: DeskList, lang: str, day: datetime.date | None = None) -> list[str]:
    """The line under the title: a staff copy's warning, the date, how many desks."""
    found = [t("profile_made_on", lang, date=(day or datetime.date.today()).isoformat()),
             t("desks_count", lang, count=desks.desk_count)]
    return ([t("profile_staff_copy", lang)] if desks.include_staff else []) + found


def sections(desks: DeskList, lang: str) -> list[tuple[str, str, pd.DataFrame]]:
    """(field id, field label, table) of every field that has desks, in the glossary's order."""
    return [(field, glossary.label(glossary.CONSULTATION_FIELDS, field, lang), desk_table(found, lang))
            for field, found in desks.groups]


_ENVIRONMENT = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_BODY = _ENVIRONMENT.from_string("""<article class="gw-profile gw-desks" lang="{{ lang }}">
<{{ h1 }} id="desks-title">{{ heading }}</{{ h1 }}>
<p class="note">{% for note in notes %}<span{% if loop.first and staff %} class="staff"{% endif %}>{{ note }}</span>
{%- if not loop.last %}　{% endif %}{% endfor %}
{%- if pdf_url %}　<a id="desks-pdf" href="{{ pdf_url }}">{{ pdf_label }}</a>{% endif %}</p>
{% for id, label, table in sections %}
<section id="desks-{{ id }}"><{{ h2 }}>{{ label }}</{{ h2 }}>{{ table }}</section>
{% else %}
<p id="desks-none">{{ none }}</p>
{% endfor %}
{% if sections %}<p class="note" id="desks-outreach-note">{{ outreach_note }}</p>{% endif %}
</article>""")
_DOCUMENT = _ENVIRONMENT.from_string("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><style>{{ style }}</style></head>
<body>{{ body }}</body></html>
""")


def desk_body(desks: DeskList, lang: str = "ja", *, pdf_url: str | None = None, day: datetime.date | None = None,
              top: bool = True) -> Markup:
    """The list as safe HTML; ``top``: its title is the page's ``h1`` (False inside a page with its own)."""
    return Markup(_BODY.render(
        lang=lang, h1="h1" if top else "h2", h2="h2" if top else "h3", heading=heading(desks, lang),
        notes=notes(desks, lang, day), staff=desks.include_staff, pdf_url=pdf_url, pdf_label=t("download_pdf", lang),
        sections=[(field, label, table_html(table)) for field, label, table in sections(desks, lang)],
        none=t("desks_none", lang), outreach_note=t("desks_outreach_note", lang)))


def desk_document(desks: DeskList, lang: str = "ja", day: datetime.date | None = None) -> str:
    """A whole HTML page of the list (for a file: no script, its style inline)."""
    return _DOCUMENT.render(lang=lang, title=heading(desks, lang), style=Markup(STYLE),
                            body=desk_body(desks, lang, day=day))
