"""A district profile as HTML: the same sections and numbers as the PDF, for the web page and ``-o FILE.html``.

One Jinja template with autoescape on: every value (a place's name, an office's attribute, a
dataset's name) is escaped, so a name like ``<script>`` shows as text.  The chart is a PNG in a
``data:`` URL (the web's policy allows images from ``data:``) with the same numbers in a table
beside it; there is no script.  :func:`profile_body` is the page's content (the web puts it in its
own layout); :func:`profile_document` a whole page for a file.
"""

from __future__ import annotations

import base64
import datetime
import unicodedata

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup

from geo_welfare.core.words import t
from geo_welfare.reports import profile_tables as tables
from geo_welfare.reports.district_profile import DistrictProfile
from geo_welfare.reports.profile_chart import bands_png, chart_note

#: A column whose every cell is at most this wide (half-width characters; a kanji counts two: a phone number,
#: 「サロン」) is never wrapped; a wider one (a name, 「地域包括支援センター」) wraps, so the table fits a tablet.
SHORT_CELL = 16
#: Headers up to this many characters stay on one line.
HEADER_ON_ONE_LINE = 8
_ENVIRONMENT = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)

#: The tables' look, shared by the web page and the file.
STYLE = """
.gw-profile { max-width: 60rem; margin: 0 auto; padding: 0 1rem 2rem; font-size: 1rem; line-height: 1.5; color: #1a1a1a; }
.gw-profile h1 { font-size: 1.5rem; margin: 1rem 0 .25rem; }
.gw-profile h2 { font-size: 1.15rem; color: #1f3a5f; margin: 1.5rem 0 .5rem; }
.gw-profile table { border-collapse: collapse; margin: .25rem 0 .5rem; }
.gw-profile section { overflow-x: auto; }
.gw-profile th, .gw-profile td { border-bottom: 1px solid #9aa8b5; padding: .3rem .6rem; text-align: left; vertical-align: top; }
.gw-profile th { background: #e6ecf2; }
.gw-profile .num { text-align: right; font-variant-numeric: tabular-nums; }
.gw-profile .short { white-space: nowrap; }
.gw-profile td:not(.short):not(.num) { min-width: 7em; }
.gw-profile .note { font-size: .9rem; color: #333; }
.gw-profile .staff { color: #8b0000; font-weight: bold; }
.gw-profile img { max-width: 100%; height: auto; }
"""

_TABLE = _ENVIRONMENT.from_string("""<table{% if id %} id="{{ id }}"{% endif %}>
<thead><tr>{% for h in headers %}<th scope="col" class="{{ heads[loop.index0] }}">{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for c in row %}<td class="{{ classes[loop.index0] }}">{{ c }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>""")

_BODY = _ENVIRONMENT.from_string("""<article class="gw-profile" lang="{{ lang }}">
<{{ h1 }} id="profile-title">{{ heading }}</{{ h1 }}>
<p class="note">{% if staff %}<span class="staff">{{ staff }}</span>　{% endif %}{{ made }}　<span id="profile-group">{{ group }}</span>{% if pdf_url %}　<a id="profile-pdf" href="{{ pdf_url }}">{{ pdf_label }}</a>{% endif %}</p>
{% for section in sections %}
<section id="{{ section.id }}" tabindex="0" aria-labelledby="{{ section.id }}-heading"><{{ h2 }} id="{{ section.id }}-heading">{{ section.heading }}</{{ h2 }}>
{% if section.image %}<img src="{{ section.image }}" alt="{{ section.alt }}" width="572" height="264">{% endif %}
{% for table in section.tables %}{{ table }}{% endfor %}
{% for note in section.notes %}<p class="note">{{ note }}</p>{% endfor %}
</section>
{% endfor %}
</article>""")

_DOCUMENT = _ENVIRONMENT.from_string("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><style>{{ style }}</style></head>
<body>{{ body }}</body></html>
""")


def _width(text: str) -> int:
    """``text``'s width in half-width characters (a kanji or a full-width letter counts two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def table_html(frame: pd.DataFrame, id: str | None = None) -> Markup:
    """``frame`` (a people's table) as an HTML table: headers and cells escaped, numbers flush right."""
    numbers = [bool(len(frame)) and all(tables.is_number(v) or v == "" for v in frame[c]) for c in frame.columns]
    rows = [[tables.cell_text(v) for v in record] for record in frame.itertuples(index=False)]
    short = [all(_width(row[i]) <= SHORT_CELL for row in rows) for i in range(len(frame.columns))]
    classes = [" ".join(["num"] * n + ["short"] * s) for n, s in zip(numbers, short)]
    headers = [str(c) for c in frame.columns]
    # A header keeps on one line only when short: a long one wraps, so the table fits the page (the cells' own
    # "short" says their values fit; it is not the header's).
    heads = [" ".join(["num"] * n + ["short"] * (len(h) <= HEADER_ON_ONE_LINE)) for n, h in zip(numbers, headers)]
    return Markup(_TABLE.render(id=id, headers=headers, rows=rows, classes=classes, heads=heads))


def _section(id: str, heading: str, frames=(), notes=(), empty: str | None = None, **extra) -> dict:
    shown = [table_html(frame, f"{id}-table") for frame in frames if frame is not None and len(frame)]
    return {"id": id, "heading": heading, "tables": shown,
            "notes": list(notes) + ([empty] if empty and not shown else []), **extra}


# Long because it is the profile's reading order, one section after another, as the PDF has it.
def sections(profile: DistrictProfile, lang: str) -> list[dict]:
    """The profile's sections in the PDF's order: id, heading, tables, notes (and the chart)."""
    how = t("profile_shared_streets" if profile.method == "network" else "profile_shared_area", lang)
    minutes = f"{profile.minutes:g}"
    chart = "data:image/png;base64," + base64.b64encode(bands_png(profile, lang)).decode("ascii")
    has_places = len(profile.places) > 0
    return [
        _section("population", t("profile_section_population", lang), [tables.population_table(profile, lang)],
                 [t("profile_population_note", lang, dataset=profile.dataset, how=how)]),
        _section("bands", t("profile_section_bands", lang), [tables.bands_table(profile, lang)],
                 [chart_note(profile, lang)], image=chart, alt=t("profile_pyramid_alt", lang)),
        _section("changes", tables.changes_heading(profile, lang), [tables.changes_table(profile, lang)],
                 empty=t("profile_one_dataset", lang)),
        _section("kinds", t("profile_section_places", lang), [tables.kinds_table(profile, lang)] if has_places else [],
                 empty=t("profile_no_places", lang)),
        _section("coverage", t("profile_section_coverage", lang), [tables.coverage_table(profile, lang)],
                 [t("profile_method_note", lang, method=t(f"method_{profile.method}", lang)),
                  t("profile_coverage_note", lang)]),
        _section("gaps", t("profile_section_gaps", lang, minutes=minutes), [tables.gaps_table(profile, lang)],
                 empty=t("profile_no_gaps", lang)),
        _section("capacity", t("profile_section_capacity", lang, minutes=minutes),
                 [tables.capacity_table(profile, lang)],
                 [t("profile_capacity_unknown", lang, count=profile.places_without_capacity)]
                 if profile.places_without_capacity else []),
        _section("attributes", t("profile_section_attributes", lang), [tables.attributes_table(profile, lang)],
                 empty=t("profile_no_attributes", lang)),
        _section("places", t("profile_section_list", lang), [tables.places_table(profile, lang)] if has_places else [],
                 empty=t("profile_no_places", lang)),
    ]


def profile_body(profile: DistrictProfile, lang: str = "ja", *, pdf_url: str | None = None,
                 day: datetime.date | None = None, top: bool = True) -> Markup:
    """The profile's content as safe HTML (every value escaped), with a link to its PDF when given.

    ``top``: the profile's heading is the page's ``h1``; False inside a page that has its own.
    """
    return Markup(_BODY.render(h1="h1" if top else "h2", h2="h2" if top else "h3",
        lang=lang, heading=t("profile_heading", lang, name=profile.name, code=profile.code),
        staff=t("profile_staff_copy", lang) if profile.include_staff else None,
        made=t("profile_made_on", lang, date=(day or datetime.date.today()).isoformat()),
        group=t("planner_group_shown", lang, group=profile.group.label(lang)),
        pdf_url=pdf_url, pdf_label=t("download_pdf", lang), sections=sections(profile, lang)))


def profile_document(profile: DistrictProfile, lang: str = "ja", day: datetime.date | None = None) -> str:
    """A whole HTML page of the profile (for a file: no script, its style inline)."""
    return _DOCUMENT.render(lang=lang, title=f"{t('profile_title', lang)} {profile.name}", style=Markup(STYLE),
                            body=profile_body(profile, lang, day=day))
