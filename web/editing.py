"""Editing resources from the web: a JSON API for editors and the map's editing controls.

Routes (under ``/api``; every change needs an editor's session and the ``X-CSRFToken`` header):

- ``POST /api/resources`` — add a resource (JSON: fields and ``lon``/``lat``) → 201
- ``GET /api/resources/<id>`` — one resource's editable fields (staff-only ones too)
- ``PATCH /api/resources/<id>`` — change some fields
- ``POST /api/resources/<id>/move`` — ``{"lon": …, "lat": …}``
- ``DELETE /api/resources/<id>``
- ``GET /api/resources/<id>/history`` — who changed what, and when (UTC)

Every answer that shows a resource carries its version, as ``ETag: "<version>"`` and as the
member ``version``.  PATCH, move and DELETE must name the version they were based on, in
``If-Match: "<version>"`` or as ``version`` in the JSON body (the form's way): none is 428, one
that is not a whole number 400, and a stale one 409 (nothing written) with ``version`` and
``resource`` as stored now and ``conflicts``: for each field sent, ``yours`` (as sent),
``theirs`` (as stored), who stored it and when (``changed_by``, ``changed_at``, from the
history), the field's label and a line in both languages.  A save on the version stored writes
the fields it changes and raises the version by one (:mod:`geo_welfare.store.editing`).

Fields are validated by the importer's rules (:mod:`geo_welfare.store.validation`); a refused edit is
a 400 naming every bad field by its form label and its key in Japanese (``error``) and English
(``error_en``), with ``fields`` and ``problems`` for the form to mark, nothing written.
On the map, an editor's markers can be dragged (each drop is a move) and open a form.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Callable, Mapping

from branca.element import Element
from flask import Blueprint, jsonify, request, url_for

from geo_welfare.core.config import language
from geo_welfare.core.errors import ConflictError, GeoWelfareError, InputError, NotFoundError, Problem, UsageError
from geo_welfare.core.glossary import CONSULTATION_FIELDS, RESOURCE_KINDS, label
from geo_welfare.core.words import t
from geo_welfare.store.editing import (COORDINATES, EDITABLE_FIELDS, EditError, NotFound, StaleVersion,
                                       create_resource, delete_resource, move_resource, resource_history,
                                       resource_versions, resource_with_version, staff_only_ids, update_resource)
from geo_welfare.web.auth import csrf_token, current_user, editor_required, is_editor
from geo_welfare.web.i18n import Phrase, word
from geo_welfare.web.problems import BadField
from geo_welfare.web.store import get_engine

blueprint = Blueprint("editing", __name__)

#: Each field and the page word that names it.
FIELD_WORDS: dict[str, str] = {
    "name": "name", "kind": "kind", "address": "address", "schedule_text": "schedule", "target_groups": "target",
    "fee": "fee", "capacity": "capacity", "barrier_free": "barrier_free", "consultation": "consultation",
    "phone": "phone", "visibility": "visibility", "last_checked": "last_checked", "operator": "operator",
    "name_kana": "name_kana", "url": "url", "note": "note", "lon": "lon", "lat": "lat",
    "consultation_fields": "coord_consults", "outreach": "outreach",
}
assert set(FIELD_WORDS) == set(EDITABLE_FIELDS + COORDINATES)


def _field_label(field: str, lang: str) -> str:
    """The form's label of ``field`` (``"lon, lat"``: both labels), as the person at the form reads it."""
    names = [word(FIELD_WORDS[name], lang) if name in FIELD_WORDS else name for name in field.split(", ")]
    return word("names_separator", lang).join(names)


class FormRefused(InputError):
    """An edit refused (400, nothing written), each field named by its form label and its key.

    The store's :class:`~geo_welfare.store.editing.EditError` names fields by key; the person at
    the form reads labels, so each line of ``error``/``error_en`` and of ``problems`` says both,
    and ``fields`` lists the keys for the form to mark.
    """

    def __init__(self, error: EditError):
        super().__init__(error.problems)
        self.fields = error.fields

    @staticmethod
    def line(problem: Problem, lang: str) -> str:
        """One refused field: its label, its key, what it needs."""
        return t("edit_field_problem", lang, label=_field_label(problem.field or "", lang),
                 field=problem.field, expected=problem.expected(lang))

    def message(self, lang: str | None = None, limit: int | None = None) -> str:
        lang = language(lang)
        return "\n".join(self.line(problem, lang) for problem in self.problems[:limit])

    @property
    def extra(self) -> Mapping[str, object]:
        return {"fields": self.fields,
                "problems": [{"field": p.field, "message": self.line(p, "ja"), "message_en": self.line(p, "en"),
                              "found": p.found} for p in self.problems]}


class VersionRequired(GeoWelfareError):
    """A change that names no version (neither ``If-Match`` nor ``version``): 428 Precondition Required."""

    http_status = 428


def _shown(value: object) -> str:
    return "—" if value is None or value == "" else str(value)


class EditConflict(ConflictError):
    """A stale save (409, nothing written): for each field sent, the editor's value, the stored one, who and when.

    The store's :class:`~geo_welfare.store.editing.StaleVersion` names fields by key; the person
    at the form reads labels, so each line says both, in Japanese and English as every refusal.
    """

    def __init__(self, stale: StaleVersion):
        super().__init__(stale.key, **stale.values)
        self.stale = stale

    @staticmethod
    def line(conflict: dict, lang: str) -> str:
        """One field at stake: its label and key, the value sent, the value stored, who stored it when."""
        at = (conflict["changed_at"] or "")[:16].replace("T", " ") + " UTC"
        who = Phrase("edit_conflict_by", {"name": conflict["changed_by"], "at": at}) if conflict["changed_by"] else ""
        return t("edit_conflict_field", lang, label=_field_label(conflict["field"], lang), field=conflict["field"],
                 yours=_shown(conflict["yours"]), theirs=_shown(conflict["theirs"]), who=who)

    def message(self, lang: str | None = None) -> str:
        lang = language(lang)
        lines = [t(self.key, lang, **self.values)] + [self.line(c, lang) for c in self.stale.conflicts]
        return "\n".join(lines)

    @property
    def extra(self) -> Mapping[str, object]:
        return {"version": self.stale.version, "resource": self.stale.resource,
                "conflicts": [{**conflict, "label": _field_label(conflict["field"], "ja"),
                               "label_en": _field_label(conflict["field"], "en"),
                               "message": self.line(conflict, "ja"), "message_en": self.line(conflict, "en")}
                              for conflict in self.stale.conflicts]}


def _store_refusals(view: Callable) -> Callable:
    """The store's refusals raised as the web's errors, for the one handler (:mod:`geo_welfare.web.problems`)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except EditError as error:
            raise FormRefused(error) from error
        except StaleVersion as error:
            raise EditConflict(error) from error
        except NotFound:
            raise NotFoundError("not_found") from None
    return wrapped


def _body() -> dict:
    """The request's JSON object; anything else is refused (400)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise UsageError("json_expected")
    return body


_ENTITY_TAG = re.compile(r'\s*"(\d{1,18})"\s*')


def _expected_version(resource_id: int, body: dict | None) -> int:
    """The version a change was based on: ``If-Match: "<n>"``, else ``version`` in the body (taken out of it).

    Neither is 428 (after a 404 for a resource that is not there); a tag or value that is not one
    whole number, or the two disagreeing, is 400.
    """
    header = request.headers.get("If-Match")
    sent = body.pop("version", None) if body is not None else None
    if header is None and sent is None:
        resource_with_version(get_engine(), resource_id)  # no such resource: 404, there is nothing to base on
        raise VersionRequired("edit_version_required")
    versions = set()
    if header is not None:
        tag = _ENTITY_TAG.fullmatch(header)
        if tag is None:
            raise BadField("If-Match", "edit_version_expected", header)
        versions.add(int(tag.group(1)))
    if sent is not None:
        if isinstance(sent, bool) or not isinstance(sent, (int, str)) or not str(sent).isdigit():
            raise BadField("version", "edit_version_expected", sent)
        versions.add(int(sent))
    if len(versions) != 1:
        raise BadField("version", "edit_version_expected", f"If-Match {header}, version {sent}")
    return versions.pop()


def _answer(body: dict, version: int, status: int = 200):
    """``body`` with ``version`` as a member and as the ``ETag``."""
    response = jsonify({**body, "version": version})
    response.status_code = status
    response.set_etag(str(version))
    return response


def _username() -> str:
    return current_user()["username"]


@blueprint.post("/resources")
@editor_required
@_store_refusals
def create():
    """Add a resource; 201 with its stored fields and its version (1)."""
    body = _body()
    resource_id = create_resource(get_engine(), body, _username())
    record, version = resource_with_version(get_engine(), resource_id)
    response = _answer({"id": resource_id, "resource": record}, version, 201)
    response.headers["Location"] = url_for("editing.one", resource_id=resource_id)
    return response


@blueprint.get("/resources/<int:resource_id>")
@editor_required
@_store_refusals
def one(resource_id: int):
    """One resource's editable fields and coordinates, and its version."""
    record, version = resource_with_version(get_engine(), resource_id)
    return _answer(record, version)


@blueprint.patch("/resources/<int:resource_id>")
@editor_required
@_store_refusals
def patch(resource_id: int):
    """Change the fields given (the others stay); 200 with the resource, ``{field: [old, new]}`` and the version."""
    body = _body()
    version = _expected_version(resource_id, body)
    saved = update_resource(get_engine(), resource_id, body, _username(), version=version)
    return _answer({"resource": saved.resource, "changes": saved.changes}, saved.version)


@blueprint.post("/resources/<int:resource_id>/move")
@editor_required
@_store_refusals
def move(resource_id: int):
    """Put the resource at ``lon``/``lat`` (decimal degrees)."""
    body = _body()
    if any(key not in COORDINATES + ("version",) for key in body):
        raise UsageError("json_expected")
    version = _expected_version(resource_id, body)
    saved = move_resource(get_engine(), resource_id, body.get("lon"), body.get("lat"), _username(), version=version)
    return _answer({"resource": saved.resource, "changes": saved.changes}, saved.version)


@blueprint.delete("/resources/<int:resource_id>")
@editor_required
@_store_refusals
def remove(resource_id: int):
    """Delete the resource (its history stays)."""
    body = request.get_json(silent=True)
    version = _expected_version(resource_id, body if isinstance(body, dict) else None)
    delete_resource(get_engine(), resource_id, _username(), version=version)
    return jsonify({"deleted": resource_id})


@blueprint.get("/resources/<int:resource_id>/history")
@editor_required
@_store_refusals
def history(resource_id: int):
    """Every change, oldest first (also after the resource was deleted)."""
    changes = resource_history(get_engine(), resource_id)
    if not changes:
        resource_with_version(get_engine(), resource_id)  # 404 when there is no such resource either
    return jsonify(changes)


# --------------------------------------------------------------------------------------------
# The map's controls

#: How the form asks for each field: text, a choice, a date, a number or several lines.
FORM_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "text"), ("kind", "kind"), ("address", "text"), ("schedule_text", "text"), ("target_groups", "text"),
    ("fee", "text"), ("capacity", "text"), ("barrier_free", "flag"), ("consultation", "flag"),
    ("consultation_fields", "fields"), ("outreach", "flag"),
    ("phone", "text"), ("visibility", "visibility"), ("last_checked", "date"), ("operator", "text"),
    ("name_kana", "text"), ("url", "text"), ("note", "textarea"),
)
SCRIPT_WORDS = ("edit", "save", "delete", "cancel", "add_resource", "history", "confirm_delete", "move_failed",
                "saved", "unknown", "yes", "no", "public", "staff_only", "action_create", "action_update",
                "action_move", "action_delete", "new_resource", "drag_hint", "conflict_hint", "conflict_yours",
                "conflict_theirs", "conflict_saved_by", "keep_mine", "take_theirs", "move_conflict")


def _editor_config(lang: str) -> dict:
    return {
        "lang": lang, "csrf": csrf_token(), "api": url_for("editing.create").rstrip("/"),
        "fields": [{"name": name, "type": kind, "label": word(FIELD_WORDS[name], lang)} for name, kind in FORM_FIELDS],
        "kinds": [[term.id, label(RESOURCE_KINDS, term.id, lang)] for term in RESOURCE_KINDS],
        "consult_fields": [[term.id, term.localized(lang)] for term in CONSULTATION_FIELDS],
        "words": {key: word(key, lang) for key in SCRIPT_WORDS},
        "staff_only_ids": staff_only_ids(get_engine()),
        "versions": resource_versions(get_engine()),  # what a drag is based on
    }


def map_controls(lang: str) -> Element:
    """What the map page adds for the person looking at it: sign in/out, and for editors the editing script."""
    user = current_user()
    token = html.escape(csrf_token())
    if user is None:
        link = url_for("auth.login", lang=request.args.get("lang"), next=request.full_path.rstrip("?"))
        box = f'<a class="gw-sign-in" href="{html.escape(link)}">{html.escape(word("sign_in", lang))}</a>'
    else:
        role = word("role_editor" if is_editor() else "role_viewer", lang)
        who = t("user_with_role", lang, name=user["username"], role=role)
        box = (f'<span class="gw-user-name">{html.escape(who)}</span>'
               f'<form method="post" action="{html.escape(url_for("auth.logout", lang=request.args.get("lang")))}">'
               f'<input type="hidden" name="csrf_token" value="{token}">'
               f'<button type="submit" class="gw-sign-out">{html.escape(word("sign_out", lang))}</button></form>')
    parts = [CONTROLS_STYLE, f'<div class="gw-user">{box}</div>']
    if is_editor():
        config = json.dumps(_editor_config(lang), ensure_ascii=False).replace("<", "\\u003c")
        parts.append(f'<script type="application/json" id="gw-editor-config">{config}</script>')  # data, not code
        parts.append(f'<script src="{url_for("static", filename="editing.js")}"></script>')
    controls = Element("{{ this.markup }}")  # the markup as a value: as a template, branca would run a name's {{ }}
    controls.markup = "".join(parts)
    return controls


CONTROLS_STYLE = """<style>
.gw-user { position: absolute; top: 46px; left: 50px; z-index: 1000; background: rgba(255,255,255,.92);
  padding: 4px 10px; border-radius: 6px; font-size: 14px; display: flex; gap: 8px; align-items: center; }
.gw-user form { margin: 0; display: inline; }
.gw-user button { font-size: 13px; }
.gw-edit-marker span { display: block; width: 14px; height: 14px; border-radius: 50%; border: 2px solid #222;
  box-shadow: 0 0 0 2px #fff; cursor: move; }
.gw-edit-marker.gw-staff-only span { border-style: dashed; opacity: .7; }
.gw-editor { position: absolute; top: 84px; left: 50px; z-index: 1001; background: #fff; width: 340px;
  max-height: calc(100% - 110px); overflow-y: auto; padding: 10px 14px; border-radius: 6px;
  box-shadow: 0 1px 6px rgba(0,0,0,.4); font-size: 14px; }
.gw-editor label { display: block; margin-top: 6px; color: #444; font-size: 13px; }
.gw-editor input, .gw-editor select, .gw-editor textarea { width: 100%; box-sizing: border-box; font-size: 14px; }
.gw-editor .gw-buttons { margin-top: 10px; display: flex; gap: 6px; }
.gw-editor .gw-error { color: #b00020; white-space: pre-line; }
.gw-editor .gw-bad { outline: 2px solid #b00020; }
.gw-editor ol { padding-left: 18px; font-size: 12px; color: #333; }
.gw-editor .gw-conflicted { outline: 2px solid #b26a00; }
.gw-editor .gw-conflict { margin: 4px 0 2px; padding: 4px 6px; background: #fff4e0; border-left: 3px solid #b26a00;
  font-size: 13px; }
.gw-editor .gw-conflict button { margin: 4px 6px 0 0; font-size: 12px; }
</style>"""
