"""The national service-information layouts: hours per day type (平日, 土曜, 日曜, 祝日) and 定休日.

The open data of the 介護サービス情報公表システム and the 障害福祉サービス等情報公表システム give
one hours cell per day type (``08:30～17:30``, ``24時間`` or empty), a 定休日 cell
(``土曜日、日曜日、祝日、12月29日～1月3日``, ``なし``) and a free note.  Each hours cell becomes one
weekly rule on its days; a closed day is closed even where an hours cell says otherwise; a cell
that is not plain hours is listed as unparsed, never guessed.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Callable

from geo_welfare.layers.schedules.closures import combine, merge
from geo_welfare.layers.schedules.grammar import CLOSED_DAYS_LABEL, DAY_TYPE_LABELS
from geo_welfare.layers.schedules.model import WEEKDAY_CODES, ParsedSchedule, ScheduleRule

Reader = Callable[..., ParsedSchedule]
_DAYS = {"weekday": WEEKDAY_CODES[:5], "saturday": ("SA",), "sunday": ("SU",), "holiday": WEEKDAY_CODES}


def _hours(read: Reader, cell: str) -> list[tuple[datetime.time | None, datetime.time | None]] | None:
    """The sessions of one hours cell, or None when the cell is more than hours (a person reads it)."""
    parsed = read(cell)
    rules = parsed.open_rules
    if parsed.unparsed or parsed.closed_rules or not rules or parsed.closed_on_holidays or parsed.closed_year_end \
            or any(rule.days_known or (rule.opens_at is None and rule.closes_at is None) for rule in rules):
        return None
    return [(rule.opens_at, rule.closes_at) for rule in rules]


# Long because the four day types, the 定休日 cell and the note each add their part to one schedule in turn.
def day_type_schedule(read: Reader, *, weekday: str | None, saturday: str | None, sunday: str | None,
                      holiday: str | None, closed_days: str | None, note: str | None) -> ParsedSchedule:
    """See :func:`geo_welfare.layers.schedules.parse.parse_day_type_hours`."""
    cells = {"weekday": weekday, "saturday": saturday, "sunday": sunday, "holiday": holiday}
    cells = {kind: (value or "").strip() for kind, value in cells.items()}
    rules: list[ScheduleRule] = []
    unparsed: list[str] = []
    for kind, cell in cells.items():
        if not cell:
            continue
        sessions = _hours(read, cell)
        if sessions is None:
            unparsed.append(cell)
            continue
        only = "only" if kind == "holiday" else None
        rules += [ScheduleRule("WEEKLY", _DAYS[kind], 1, opens, closes, if_holiday=only) for opens, closes in sessions]
    closing = read((closed_days or "").strip(), closing=True)
    noted = read((note or "").strip())
    if noted.open_rules:  # a note with days of its own (土曜日は午前中のみ): shown to a person, not merged
        unparsed.append(noted.text)
        noted = ParsedSchedule(noted.text)
    holidays_closed = closing.closed_on_holidays or noted.closed_on_holidays
    if cells["holiday"] or not holidays_closed:
        mark = "not_held" if cells["holiday"] else "unknown"  # an empty 祝日 cell: the list does not say
        rules = [rule if rule.if_holiday == "only" else replace(rule, if_holiday=mark) for rule in rules]
    text = " ".join(f"{DAY_TYPE_LABELS[kind]} {cell}" for kind, cell in cells.items() if cell)
    if note and note.strip():
        text = f"{text} {note.strip()}".strip()
    opened = ParsedSchedule(text, tuple(merge(rules) + list(noted.closed_rules)), noted.closed_on_holidays,
                            noted.closed_year_end, None, tuple(unparsed) + noted.unparsed, noted.notes)
    if not closing.text:
        return opened
    return combine(opened, closing, CLOSED_DAYS_LABEL)
