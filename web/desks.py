"""The consultation desk list (相談窓口一覧) on the web: ``/desks`` as a page, ``/desks.pdf`` as the A4 PDF.

``?code=E02`` (of ``?unit=``, 小学校区 by default) lists one district, no code the whole municipality;
``?field=障がい`` (repeatable; Japanese or id) keeps some fields.  The same list as ``geo-welfare report
desks`` (:mod:`geo_welfare.reports.desk_list`), public places only and for anyone: a staff-only
desk is never served here.  A unit, district or field there is none of is a 404 or 400 problem.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from geo_welfare.analysis.desks import desk_list
from geo_welfare.core import consultation_fields as consultation, glossary
from geo_welfare.core.errors import NotFoundError, UsageError
from geo_welfare.reports.desk_list import desk_body
from geo_welfare.reports.desk_list_pdf import desk_list_pdf
from geo_welfare.reports.profile_html import STYLE
from geo_welfare.store.read import read_areas
from geo_welfare.web.i18n import page_language, word
from geo_welfare.web.store import get_engine

blueprint = Blueprint("desks", __name__)
DEFAULT_UNIT = "elementary_district"


def _asked():
    """The request's language, unit, district code (None: everywhere) and fields, each checked."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    unit = request.args.get("unit") or DEFAULT_UNIT
    unit = glossary.AREA_UNIT_OPTIONS.get(unit, unit)
    if unit not in glossary.AREA_UNIT_IDS:
        raise NotFoundError("unknown_unit_named", field="unit", unit=unit)
    fields = []
    for text in request.args.getlist("field"):
        if text:
            field = consultation.consultation_field(text)
            if field is None:
                raise UsageError("cli_unknown_consultation_field", field="field", found=text,
                                 fields="、".join(term.ja for term in glossary.CONSULTATION_FIELDS))
            fields.append(field)
    return lang, unit, request.args.get("code") or None, tuple(fields)


def _query(unit: str, code: str | None, fields: tuple[str, ...], lang: str) -> str:
    pairs = [("unit", unit)] + ([("code", code)] if code else []) + [("field", f) for f in fields] + [("lang", lang)]
    return "?" + urlencode(pairs)


@blueprint.get("/desks.pdf")
def desks_pdf():
    """The list's A4 PDF."""
    lang, unit, code, fields = _asked()
    desks = desk_list(get_engine(), unit, code, fields=fields or None, lang=lang)
    response = Response(desk_list_pdf(desks, lang), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (f"inline; filename=\"desks.pdf\"; "
                                               f"filename*=UTF-8''{quote(code or 'all')}_desks.pdf")
    return response


@blueprint.get("/desks")
def desks_page():
    """The list as a page: a district and field chooser (a plain GET form), the list, a link to its PDF."""
    lang, unit, code, fields = _asked()
    engine = get_engine()
    desks = desk_list(engine, unit, code, fields=fields or None, lang=lang)
    areas = read_areas(engine, unit)
    districts = [(str(c), str(n) if isinstance(n, str) else str(c)) for c, n in zip(areas["code"], areas["name"])]
    pdf = url_for("desks.desks_pdf") + _query(unit, code, fields, lang)
    other = "en" if lang == "ja" else "ja"
    return render_template(
        "desks.html", lang=lang, word=lambda key: word(key, lang), style=Markup(STYLE), unit=unit, code=code,
        districts=districts, fields=[(term.id, term.localized(lang)) for term in glossary.CONSULTATION_FIELDS],
        chosen=fields, switch=_query(unit, code, fields, other),
        body=desk_body(desks, lang, pdf_url=pdf, top=False))
