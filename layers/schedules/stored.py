"""Schedules as the store keeps them: rule rows beside a resource's flags and text.

The store writes what :mod:`.parse` understood (``ParsedSchedule.to_stored``: every rule, open and
closed, with its months, what it does on holidays, and the schedule's notes) and the resource's
closures; maps, lists and the nearest-place search read it back here, so none of them needs the
store's modules to ask a schedule a question, and a schedule read back answers as the parsed one.
"""

from __future__ import annotations

import datetime

from geo_welfare.core.values import plain
from geo_welfare.layers.schedules.model import ParsedSchedule, ScheduleRule

#: Between the pieces of a stored list of texts (unparsed fragments, notes).
SEPARATOR = "；"


def _parse_clock(value: str | None) -> datetime.time | None:
    return None if not value else datetime.time(*map(int, value.split(":")[:2]))


def _numbers(value: str | None) -> tuple[int, ...]:
    return tuple(int(n) for n in (value or "").split(",") if n)


def _rule(row: dict) -> ScheduleRule:
    return ScheduleRule(row["freq"], tuple((row.get("byday") or "").split(",")) if row.get("byday") else (),
                        int(row.get("interval") or 1), _parse_clock(row.get("opens_at")),
                        _parse_clock(row.get("closes_at")), _numbers(row.get("bymonthday")),
                        _numbers(row.get("bymonth")), plain(row.get("if_holiday")) or None,
                        bool(plain(row.get("closed"))))


def _pieces(value: str | None) -> tuple[str, ...]:
    return tuple(piece for piece in (value or "").split(SEPARATOR) if piece)


def from_stored(rules: list[dict], *, text: str | None = None, closed_on_holidays: bool = False,
                closed_year_end: bool = False, times_per_month: int | None = None,
                unparsed: str | None = None) -> ParsedSchedule:
    """A schedule rebuilt from what the store keeps (rule rows and the flags).

    Notes are the schedule's, written on each of its rows; the first row that has them gives them.
    """
    notes = next((_pieces(plain(row.get("notes"))) for row in rules if plain(row.get("notes"))), ())
    return ParsedSchedule(text or "", tuple(_rule(row) for row in rules), bool(closed_on_holidays),
                          bool(closed_year_end), times_per_month, _pieces(unparsed), notes)


def schedule_of(resource: dict) -> ParsedSchedule:
    """The parsed schedule of one resource row as read by :func:`geo_welfare.store.read.read_resources`."""
    def value(key: str):
        return plain(resource.get(key))
    return from_stored(resource.get("schedules") or [], text=value("schedule_text"),
                       closed_on_holidays=bool(value("closed_on_holidays")),
                       closed_year_end=bool(value("closed_year_end")),
                       times_per_month=value("times_per_month"), unparsed=value("schedule_unparsed"))
