"""Errors that a user can act on, in one shape.

Every error is a key of the word catalogue (:mod:`geo_welfare.core.words`) with the values that
fill it in, so the CLI prints it in the user's language and the web answers it in either; a
subclass only chooses what the error means to a program: the CLI's exit code and the web's HTTP
status.  The CLI turns any of them into a message and an exit code (:mod:`geo_welfare.cli.base`),
the web into an RFC 9457 problem-details answer (:mod:`geo_welfare.web.problems`).

An import error always names the file, the row and the field, says what was expected and what
was found, because the person reading it is fixing a spreadsheet, not a program.  Problems are
collected over the whole file before anything is written, so one run shows every problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import ClassVar

from geo_welfare.core.words import t

#: Exit codes scripts can trust (see the README): 1 input refused, 2 wrong command line, 3 store unusable.
EXIT_INPUT, EXIT_USAGE, EXIT_STORE, EXIT_INTERNAL = 1, 2, 3, 4



@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is, and the catalogue ``key`` that says what to change.

    ``row`` is the row as a person finds it (the line number in a CSV, the feature number
    elsewhere); ``None`` means the problem concerns the whole file (encoding, CRS, a missing
    column).  ``found`` is the offending value as it stands in the file.
    """

    file: str
    row: int | None
    field: str | None
    key: str
    values: Mapping[str, object] = dataclass_field(default_factory=dict)
    found: object | None = None

    def expected(self, lang: str | None = None) -> str:
        """What the row should hold, in ``lang``."""
        return t(self.key, lang, **self.values)

    def message(self, lang: str | None = None) -> str:
        """One line that locates the problem and says what to change."""
        where = [Path(self.file).name]
        if self.row is not None:
            where.append(t("problem_row", lang, row=self.row))
        if self.field:
            where.append(t("problem_field", lang, field=self.field))
        text = ", ".join(where) + ": " + self.expected(lang)
        if self.found is not None:
            text += t("problem_found", lang, found=repr(self.found))
        return text


#: Problems of one kind (one file, field and key) up to this many are listed one line each; more become one line.
GROUP_AT = 4
#: How many row numbers a grouped line shows (the report file lists them all).
GROUP_SHOWN_ROWS = 5


def grouped_lines(problems: Sequence[Problem], lang: str | None = None) -> list[str]:
    """The problems as lines a person reads: a kind seen in more than a few rows is one line with the count.

    A kind is the file, the field and the catalogue key; up to :data:`GROUP_AT` - 1 of one kind are
    listed each on its own line as before, more become one line saying how many rows, the first
    :data:`GROUP_SHOWN_ROWS` of them, and what to change.  Lines keep the order of the first row of
    each (the problems come sorted by row), so a file refused for 4,575 rows of one kind says so once.
    """
    def kind_of(problem: Problem) -> tuple:
        return problem.file, problem.field, problem.key, repr(sorted(problem.values.items(), key=repr))

    kinds: dict[tuple, list[Problem]] = {}
    for problem in problems:
        kinds.setdefault(kind_of(problem), []).append(problem)
    lines, done = [], set()
    for problem in problems:
        kind = kind_of(problem)
        members = kinds[kind]
        if len(members) < GROUP_AT:
            lines.append(problem.message(lang))
        elif kind not in done:
            done.add(kind)
            lines.append(_group_message(members, lang))
    return lines


def _group_message(members: Sequence[Problem], lang: str | None) -> str:
    """One line for many problems of one kind: where, how many rows (the first few), what to change."""
    first = members[0]
    rows = [str(p.row) for p in members if p.row is not None]
    shown = ", ".join(rows[:GROUP_SHOWN_ROWS]) + (", …" if len(rows) > GROUP_SHOWN_ROWS else "")
    where = [Path(first.file).name, t("problem_group_rows", lang, count=len(members), rows=shown)]
    if first.field:
        where.append(t("problem_field", lang, field=first.field))
    return ", ".join(where) + ": " + first.expected(lang)


class GeoWelfareError(Exception):
    """Base of every error a user can act on: a catalogue key, its values, and the field it concerns.

    Subclasses set only :attr:`exit_code` (CLI) and :attr:`http_status` (web).
    """

    exit_code: ClassVar[int] = EXIT_INPUT
    http_status: ClassVar[int] = 400

    def __init__(self, key: str, /, *, field: str | None = None, **values: object):
        self.key = key
        self.values = values
        self.field = field
        super().__init__(key)

    def message(self, lang: str | None = None) -> str:
        """The error in ``lang`` (``None``: the configured language)."""
        return t(self.key, lang, **self.values)

    @property
    def extra(self) -> Mapping[str, object]:
        """Members the web's problem-details answer adds beside the words (none here).

        A subclass gives what a page's script reads besides the message (``allowed`` choices,
        ``candidates``), so no view builds an error body of its own.
        """
        return {}

    def __str__(self) -> str:
        return self.message("en")


class InputError(GeoWelfareError):
    """An input file cannot be imported; nothing was written.  Carries every :class:`Problem` found."""

    exit_code = EXIT_INPUT
    http_status = 400

    def __init__(self, problems: Sequence[Problem]):
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = list(problems)
        #: The report file that lists every problem (written by the importer), named when the message is shortened.
        self.report: Path | None = None
        super().__init__("nothing_written", field=self.problems[0].field)

    @classmethod
    def single(cls, file: str | Path, key: str, *, row: int | None = None, field: str | None = None,
               found: object | None = None, **values: object) -> "InputError":
        """An error of one problem (the whole file, or one row)."""
        return cls([Problem(str(file), row, field, key, values, found)])

    def message(self, lang: str | None = None, limit: int = 20) -> str:
        """Every problem, those of one kind grouped (:func:`grouped_lines`), at most ``limit`` lines."""
        lines = grouped_lines(self.problems, lang)
        more = len(lines) - limit
        if more > 0:
            lines = lines[:limit] + [t("problems_more", lang, count=more)]
        if self.report is not None and (more > 0 or len(lines) < len(self.problems)):
            lines.append(t("problems_full_list_in", lang, path=str(self.report)))
        return "\n".join(lines)


class UsageError(GeoWelfareError):
    """A request or command line that asks for something impossible (a value out of range)."""

    exit_code = EXIT_USAGE
    http_status = 400


class NotFoundError(GeoWelfareError, LookupError):
    """The thing asked for is not in the store (a district code, a resource id, a user)."""

    exit_code = EXIT_STORE
    http_status = 404


class ConflictError(GeoWelfareError):
    """The store lacks what the request needs, or holds something that contradicts it."""

    exit_code = EXIT_STORE
    http_status = 409


class UnprocessableError(GeoWelfareError, ValueError):
    """The request is well formed but cannot be met (a coverage target out of reach)."""

    exit_code = EXIT_STORE
    http_status = 422


class StoreError(GeoWelfareError):
    """The store cannot be opened or used (missing SpatiaLite, unreachable PostGIS …)."""

    exit_code = EXIT_STORE
    http_status = 503
