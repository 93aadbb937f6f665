"""What a cell of text may hold, read or written: one rule for every door.

Read (an import, a web edit): a text cell may not hold control characters that are no text (NUL
and the other C0 codes but the white space ones: tab, the line and page breaks, the separators
\\x1c–\\x1f; DEL) nor lone surrogates (a JSON ``"\\ud800"``): SQLite would store a NUL or a surrogate
and PostgreSQL refuses them, so both stores are held to the stricter rule; and it
may not be longer than its column (PostgreSQL refuses that too, SQLite would keep it).  The lengths
are the store's own (:func:`column_lengths` of a model's table), given by the caller: this module
knows no store.

Written (every CSV the program writes): a text cell that a spreadsheet would run as a formula
(``=HYPERLINK(…)``, ``+``, ``-``, ``@``, or a leading tab or carriage return) gets a ``'`` in front, as
OWASP's "CSV Injection" page advises, so Excel shows the text instead of running it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from geo_welfare.core.errors import Problem

#: Characters no stored text may hold: C0 controls that are not white space (tab, LF, VT, FF, CR and the
#: separators \x1c–\x1f are), DEL, lone UTF-16 surrogates.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff]")
#: How much of a refused text a message quotes.
SHOWN = 20
#: The largest count of people or households a cell may say (Japan has fewer than 130 million people);
#: more is a typing mistake, and would overflow the store's integer columns on PostgreSQL.
MAX_COUNT = 200_000_000
#: First characters that make a spreadsheet read a cell as a formula (OWASP: = + - @ tab CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def shown(value: str) -> str:
    """A refused text as a message may quote it: forbidden characters written ``<U+0000>``, long text cut."""
    visible = FORBIDDEN_CHARACTERS.sub(lambda match: f"<U+{ord(match[0]):04X}>", value)
    return visible if len(visible) <= SHOWN else f"{visible[:SHOWN]}… ({len(value)})"


def text_problem(value: object, length: int | None) -> tuple[str, dict[str, object]] | None:
    """Why ``value`` cannot be stored in a text column of ``length`` (None: no limit): a catalogue key and its values.

    None when it can (and for anything that is not text: other checks judge numbers and dates).
    """
    if not isinstance(value, str):
        return None
    forbidden = FORBIDDEN_CHARACTERS.search(value)
    if forbidden:
        return "text_control_character", {"code": f"U+{ord(forbidden[0]):04X}"}
    if length and len(value) > length:
        return "too_long_at_most_characters", {"length": length}
    return None


def text_problems(frame: pd.DataFrame, path: str | Path, fields: Iterable[str], lengths: Mapping[str, int] | None,
                  *, row_column: str, names: Mapping[str, str | None] | None = None) -> list[Problem]:
    """Every cell of ``fields`` in ``frame`` that :func:`text_problem` refuses, one problem each.

    ``row_column`` holds each row's number as the user sees it; ``names`` maps a field to the
    file's column named in the message (default: the field itself).
    """
    problems = []
    for field in fields:
        if field not in frame.columns:
            continue
        length = (lengths or {}).get(field)
        column = (names or {}).get(field) or field
        for row, value in zip(frame[row_column], frame[field]):
            refused = text_problem(value, length) or (url_problem(value) if field in URL_FIELDS else None)
            if refused is not None:
                key, values = refused
                problems.append(Problem(str(path), int(row), column, key, values, shown(value)))
    return problems


#: Fields holding a link, checked by :func:`url_problem` as well.
URL_FIELDS = frozenset({"url"})
#: The only schemes a stored link may have: a ``javascript:`` or ``data:`` link in a list or an edit would
#: run or show the sender's content when someone follows it.  A link without a scheme
#: (``www.city.example.lg.jp/…``), as lists often write it, is kept as text.
LINK_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")  # what browsers drop from a link before reading its scheme


def url_problem(value: object) -> tuple[str, dict[str, object]] | None:
    """Why ``value`` cannot be stored as a link: a scheme other than http(s), however it is disguised.

    Browsers drop tabs, newlines and leading spaces before they read a link's scheme, so
    ``" java\tscript:"`` counts as ``javascript:``; the check does the same.
    """
    if not isinstance(value, str):
        return None
    scheme = _SCHEME.match(_IGNORED_IN_URLS.sub("", value))
    if scheme and scheme[1].lower() not in LINK_SCHEMES:
        return "url_scheme_not_allowed", {"schemes": ", ".join(f"{name}://" for name in LINK_SCHEMES)}
    return None


def column_lengths(table) -> dict[str, int]:
    """Column name → the most characters it holds, for the text columns of a SQLAlchemy ``table`` that have a limit."""
    return {column.name: column.type.length for column in table.c if getattr(column.type, "length", None)}


def spreadsheet_cell(value: object) -> object:
    """``value`` as a CSV cell a spreadsheet shows as text: a leading ``= + - @`` tab or CR gets a ``'`` before it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_table(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell (and column name) passed through :func:`spreadsheet_cell`; numbers untouched."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
            safe[column] = safe[column].map(spreadsheet_cell)
    safe.columns = [spreadsheet_cell(str(column)) for column in safe.columns]
    return safe
