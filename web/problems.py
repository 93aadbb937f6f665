"""Every refusal the web gives, in one shape: RFC 9457 problem details from a :class:`GeoWelfareError`.

Views raise the library's errors (or :class:`BadField` for a request field or query parameter
that cannot be used) and never build an error body themselves; this one handler answers them all::

    {"type": "urn:geo-welfare:problem:bad_number", "title": "Bad Request", "status": 400,
     "detail": "<the message in the page's language>", "field": "minutes",
     "error": "<Japanese>", "error_en": "<English>"}

``error``/``error_en`` (both languages, whatever the request's) are extension members that the
pages' scripts show; ``field`` names the parameter or field at fault when there is one; an
error's :attr:`~geo_welfare.core.errors.GeoWelfareError.extra` adds what a script reads besides
(``allowed``, ``candidates``, an edit's ``fields`` and ``problems``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.http import HTTP_STATUS_CODES

from geo_welfare.core.errors import GeoWelfareError, InputError, UsageError
from geo_welfare.core.words import t
from geo_welfare.web.i18n import Phrase, page_language

MEDIA_TYPE = "application/problem+json"
#: ``found`` of a :class:`BadField` that must not be echoed (a location, a typed address).
HIDDEN = object()


class BadField(UsageError):
    """A request field or query parameter that cannot be used (400): "field: what it needs (what was sent)".

    ``key`` with ``values`` says what the field needs; ``found`` is echoed unless it is
    :data:`HIDDEN`, as a client's location and a typed address must be (an answer can end up in
    a log); ``allowed`` names the choices when there are few.  ``key`` stays the error's key, so
    the answer's ``type`` says which problem it is.
    """

    #: The catalogue sentence that frames the problem (``{field}``, ``{problem}``, ``{found}``, ``{allowed}``).
    frame: ClassVar[str] = "field_refused"

    def __init__(self, field: str, key: str, found: object = HIDDEN, *, allowed: Sequence[str] = (),
                 **values: object):
        super().__init__(key, field=field, **values)
        self.found, self.allowed = found, tuple(allowed)

    def message(self, lang: str | None = None) -> str:
        allowed = Phrase("allowed_values", {"choices": ", ".join(self.allowed)}) if self.allowed else ""
        return t(self.frame, lang, field=self.field, problem=super().message(lang), found=self._found(),
                 allowed=allowed)

    def _found(self) -> object:
        return "" if self.found is HIDDEN else Phrase("found_value", {"value": repr(self.found)})


class NotAllowed(BadField):
    """A query value outside its choices (400): "problem: value (allowed: …)", the choices also as ``allowed``."""

    frame = "value_not_allowed"

    def _found(self) -> object:
        return "" if self.found is HIDDEN else str(self.found)

    @property
    def extra(self) -> Mapping[str, object]:
        return {"allowed": list(self.allowed)}


def problem(error: GeoWelfareError, *, status: int | None = None, **extra: object) -> Response:
    """The problem-details answer for ``error`` (``status`` overrides the error's own)."""
    code = status or error.http_status
    lang = page_language(request.args.get("lang"), current_app.config.get("LANGUAGE", "ja"))
    body: dict[str, object] = {
        "type": f"urn:geo-welfare:problem:{error.key}",
        "title": HTTP_STATUS_CODES.get(code, "Error"),
        "status": code,
        "detail": error.message(lang),
        "error": error.message("ja"),
        "error_en": error.message("en"),
    }
    if error.field:
        body["field"] = error.field
    if isinstance(error, InputError):
        body["problems"] = [{"field": p.field, "row": p.row, "message": p.expected("ja"),
                             "message_en": p.expected("en"), "found": p.found} for p in error.problems]
    body.update(extra)
    response = jsonify(body)
    response.status_code = code
    response.mimetype = MEDIA_TYPE
    return response


def register(app: Flask) -> None:
    """Answer every :class:`GeoWelfareError` a view raises with :func:`problem`, its ``extra`` members added."""
    app.register_error_handler(GeoWelfareError, lambda error: problem(error, **error.extra))
