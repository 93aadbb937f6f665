"""The district profile (地区カルテ) on the web: ``/profile/<unit>/<code>`` as a page, ``….pdf`` as the PDF.

The same figures and words as ``geo-welfare report district`` (:mod:`geo_welfare.reports`), public
places only, for anyone: a page that counted a staff-only place would give away where it is (a
count by kind, a covered share that moves with it), so no staff copy is ever served here.  The
analyses of a unit are asked once per store revision and kept, so the next district is quick.
"""

from __future__ import annotations

from collections import OrderedDict
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from geo_welfare.core.errors import NotFoundError
from geo_welfare.core.glossary import AREA_UNIT_IDS, AREA_UNIT_OPTIONS
from geo_welfare.reports.district_profile import ProfileInputs, district_profile, gather
from geo_welfare.reports.profile_html import STYLE, profile_body
from geo_welfare.reports.profile_pdf import profile_pdf
from geo_welfare.store.read import store_revision
from geo_welfare.web.i18n import page_language, word
from geo_welfare.web.network import app_network
from geo_welfare.web.store import get_engine

blueprint = Blueprint("profile", __name__)

#: Units' gathered analyses kept (store URL, revision, unit, network, language → inputs), newest last.
_KEPT: OrderedDict[tuple, ProfileInputs] = OrderedDict()
KEEP = 4


def _inputs(unit: str, lang: str) -> ProfileInputs:
    """The public analyses of ``unit``, asked once per store revision and street network (and ``?group=``)."""
    engine = get_engine()
    network = app_network()
    group = _group()
    key = (current_app.config["DATABASE_URL"], store_revision(engine), unit, id(network), lang, group.id)
    if key not in _KEPT:
        _KEPT[key] = gather(engine, unit, network, include_staff=False, lang=lang, group=group)
        while len(_KEPT) > KEEP:
            _KEPT.popitem(last=False)
    _KEPT.move_to_end(key)
    return _KEPT[key]


def _group():
    """``?group=children`` (or 子ども, all …): whom the profile's coverage and gaps count; absent: the older residents."""
    from geo_welfare.core.target_groups import TARGET_GROUP_IDS, UnknownTargetGroup, target_group
    from geo_welfare.web.limits import echoed
    from geo_welfare.web.problems import BadField
    try:
        return target_group(request.args.get("group"))
    except UnknownTargetGroup:
        raise BadField("group", "bad_choice", echoed(request.args.get("group") or ""),
                       choices=", ".join(TARGET_GROUP_IDS)) from None


def _profile(unit: str, code: str, lang: str):
    unit_id = AREA_UNIT_OPTIONS.get(unit, unit)
    if unit_id not in AREA_UNIT_IDS:
        raise NotFoundError("unknown_unit_named", field="unit", unit=unit)
    return unit_id, district_profile(get_engine(), _inputs(unit_id, lang), code)


@blueprint.get("/profile/<unit>/<code>.pdf")
def profile_pdf_view(unit: str, code: str):
    """The profile's A4 PDF (404 for a unit or district there is none of)."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    _, profile = _profile(unit, code, lang)
    response = Response(profile_pdf(profile, lang), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (f"inline; filename=\"profile.pdf\"; "
                                               f"filename*=UTF-8''{quote(code)}_profile.pdf")
    return response


@blueprint.get("/profile/<unit>/<code>")
def profile_page(unit: str, code: str):
    """The profile as a page, with a link to its PDF."""
    lang = page_language(request.args.get("lang"), current_app.config["LANGUAGE"])
    unit_id, profile = _profile(unit, code, lang)
    pdf = url_for("profile.profile_pdf_view", unit=unit, code=code, lang=lang,
                  **({"group": request.args["group"]} if request.args.get("group") else {}))
    return render_template("profile.html", lang=lang, word=lambda key: word(key, lang), name=profile.name, style=Markup(STYLE),
                           body=profile_body(profile, lang, pdf_url=pdf, top=False))
