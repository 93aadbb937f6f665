"""What a request may be, refused as problem details (400, 413), never a 500 and never a traceback.

- **Size**: a body larger than ``MAX_CONTENT_LENGTH`` (``GEO_WELFARE_MAX_REQUEST_BYTES``, 2 MB by
  default) is answered 413 before it is read (Werkzeug counts the bytes; a ``Content-Length`` that
  says more is refused at once).
- **JSON**: a body is parsed by :class:`LimitedRequest`: nested deeper than :data:`MAX_JSON_DEPTH`
  (the pages send flat objects with lists of words), or holding a lone surrogate (``"\\ud800"``, no
  character at all), it is refused.  A whole number of more than :data:`MAX_NUMBER_LENGTH` digits
  is read as the infinity it is near (``NaN`` and ``Infinity`` are read as they are), so the field's
  own range check refuses it naming the field, and nothing converts 5,000 digits.
- **Numbers in text** (a query parameter, ``"k": "5"``): :func:`parse_number` reads at most
  :data:`MAX_NUMBER_LENGTH` characters; a view says what the field needs when it gives None.
- **Text**: a query parameter or form field holding a control character (NUL …,
  :data:`geo_welfare.io.cells.FORBIDDEN_CHARACTERS`) is refused naming it: PostgreSQL refuses a NUL
  (a 500 once), and no page sends any.
"""

from __future__ import annotations

import json
import math
import re

from flask import Flask, Request, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from geo_welfare.core import config as settings
from geo_welfare.core.errors import EXIT_USAGE, GeoWelfareError
from geo_welfare.io.cells import FORBIDDEN_CHARACTERS, shown
from geo_welfare.web.problems import BadField, NotAllowed, problem

#: Deepest JSON nesting a request may send: ``{"kinds": ["salon"]}`` is 2.
MAX_JSON_DEPTH = 4
#: Longest number a request may write (digits, sign, point and exponent): 32 characters hold any coordinate.
MAX_NUMBER_LENGTH = 32
#: Walking minutes a page may ask for (the planner's and the print map's).
MINUTES_RANGE = (1.0, 60.0)
_SURROGATE = re.compile("[\ud800-\udfff]")
_WHOLE = re.compile(r"[+-]?[0-9]+")


class TooLarge(GeoWelfareError):
    """A request body over the size limit (413), said with the limit."""

    exit_code = EXIT_USAGE
    http_status = 413


def _whole_number(text: str) -> int | float:
    """A JSON whole number; past :data:`MAX_NUMBER_LENGTH` characters the (signed) infinity it is near."""
    return int(text) if len(text) <= MAX_NUMBER_LENGTH else float(text)


def _check_shape(value: object) -> None:
    """Refuse nesting deeper than :data:`MAX_JSON_DEPTH` and text that is no Unicode (lone surrogates)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise BadField("body", "json_too_deep", depth=MAX_JSON_DEPTH)
            children = list(item.items()) if isinstance(item, dict) else [(None, child) for child in item]
            pending.extend((child, depth + 1) for _, child in children)
            pending.extend((key, depth) for key, _ in children if key is not None)
        elif isinstance(item, str) and _SURROGATE.search(item):
            raise BadField("body", "json_expected")


class _RequestJSON:
    """The ``json`` a :class:`LimitedRequest` parses its body with (Flask's provider writes answers)."""

    @staticmethod
    def loads(data: str | bytes, **kwargs: object) -> object:
        try:
            value = json.loads(data, parse_int=_whole_number, **kwargs)
        except RecursionError:  # deeper than Python's own limit: refused as any over-deep body
            raise BadField("body", "json_too_deep", depth=MAX_JSON_DEPTH) from None
        _check_shape(value)
        return value

    @staticmethod
    def dumps(value: object, **kwargs: object) -> str:
        return current_app.json.dumps(value, **kwargs)


class LimitedRequest(Request):
    """Flask's request, its JSON body parsed within the limits above (a :class:`BadField` when not)."""

    @property
    def json_module(self):  # Flask sets the app's provider on every request; the body is parsed here regardless
        return _RequestJSON

    @json_module.setter
    def json_module(self, _provider: object) -> None:
        pass


def parse_number(text: object, *, integer: bool = False) -> int | float | None:
    """``text`` as a finite number (a whole one when ``integer``), or None: too long, not a number, NaN or infinite."""
    text = text.strip() if isinstance(text, str) else ""
    if not text or len(text) > MAX_NUMBER_LENGTH:
        return None
    if integer:
        return int(text) if _WHOLE.fullmatch(text) else None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def number_parameter(name: str, default: float | None, low: float, high: float, integer: bool = False) -> float | None:
    """The query parameter ``name`` as a number from ``low`` to ``high`` (``default`` when absent or empty).

    Anything else is refused naming the parameter and the range, so a typo reads as one (a number
    of more than 32 characters, NaN and infinity too: :func:`parse_number`).
    """
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = parse_number(raw, integer=integer)
    if value is None or not low <= value <= high:
        raise BadField(name, "bad_number", echoed(raw), low=f"{low:g}", high=f"{high:g}")
    return value


def bbox_parameter() -> tuple[float, float, float, float] | None:
    """``?bbox=west,south,east,north`` (degrees, lon/lat), or None for everything; anything else is a 400."""
    text = request.args.get("bbox")
    if text in (None, ""):
        return None
    parts = [parse_number(part) for part in text.split(",")] if text.count(",") == 3 else []
    if len(parts) == 4 and all(p is not None and math.isfinite(p) for p in parts):
        west, south, east, north = (float(p) for p in parts)
        if -180 <= west < east <= 180 and -90 <= south < north <= 90:
            return west, south, east, north
    raise NotAllowed("bbox", "bad_bbox", echoed(text))


def echoed(text: object) -> object:
    """A refused value as an answer may repeat it: long text cut, control characters written ``<U+0000>``."""
    return shown(text) if isinstance(text, str) else text


def _refuse_control_characters() -> None:
    """Before every view: no query parameter or form field holds a control character."""
    fields = list(request.args.items(multi=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += list(request.form.items(multi=True))
    for name, value in fields:
        found = FORBIDDEN_CHARACTERS.search(name + value)
        if found:
            raise BadField(echoed(name), "text_control_character", code=f"U+{ord(found[0]):04X}")


def register(app: Flask) -> None:
    """The size limit, the JSON limits and the text check on every request; 413 as problem details."""
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes()  # Flask's default is None: no limit
    app.request_class = LimitedRequest
    app.before_request(_refuse_control_characters)
    app.register_error_handler(RequestEntityTooLarge, lambda _error: problem(
        TooLarge("request_too_large", limit=current_app.config["MAX_CONTENT_LENGTH"])))


def in_view(frame):
    """The rows of a lon/lat ``frame`` meeting ``?bbox=`` (:func:`bbox_parameter`), or all of them without one:
    how every map layer served by view (stops, zones, shelters) is cut."""
    import shapely
    bbox = bbox_parameter()
    if bbox is None or not len(frame):
        return frame
    return frame[shapely.intersects(shapely.box(*bbox), frame.geometry.values)]
