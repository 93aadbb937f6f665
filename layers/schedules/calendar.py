"""The calendar under every schedule question: public holidays, 年末年始, and the days a rule falls on.

"Open at this moment?" (:mod:`.evaluate`) and "when does it meet next?" (:mod:`.upcoming`) must read a
rule's days the same way, or a printout would give a date the map answers "closed" for; both ask here.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

from geo_welfare.layers.schedules.model import WEEKDAY_CODES, YEAR_END, ScheduleRule

Answer = bool | None


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year)


def is_holiday(day: datetime.date) -> bool:
    """Whether ``day`` is a public holiday in Japan (the ``holidays`` package: 振替休日 and 国民の休日 included)."""
    return day in _holidays(day.year)


def in_year_end(day: datetime.date) -> bool:
    """Whether ``day`` falls in 年末年始 (29 December – 3 January)."""
    (first_month, first_day), (last_month, last_day) = YEAR_END
    return (day.month == first_month and day.day >= first_day) or (day.month == last_month and day.day <= last_day)


def _nth_matches(code: str, day: datetime.date) -> bool:
    """``2WE`` is the 2nd Wednesday of the month, ``-1SU`` the last Sunday."""
    ordinal, weekday = int(code[:-2]), code[-2:]
    if WEEKDAY_CODES[day.weekday()] != weekday:
        return False
    if ordinal == -1:
        return (day + datetime.timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 + 1 == ordinal


def written_on(rule: ScheduleRule, day: datetime.date) -> bool:
    """Whether the rule's days, as written, include ``day`` (holidays aside)."""
    if rule.bymonth and day.month not in rule.bymonth:
        return False
    if rule.bymonthday:
        return day.day in rule.bymonthday
    if rule.byday:
        return any(_nth_matches(code, day) if code[:-2] else WEEKDAY_CODES[day.weekday()] == code
                   for code in rule.byday)
    return rule.freq == "YEARLY" and bool(rule.bymonth)  # 8月は休み: the whole month


def held_on(rule: ScheduleRule, day: datetime.date) -> Answer:
    """The rule's days with what it does on public holidays (moved, not held, only then, not said)."""
    hit, holiday = written_on(rule, day), is_holiday(day)
    if rule.if_holiday == "only":
        return hit and holiday
    if rule.if_holiday == "not_held" and holiday:
        return False
    if rule.if_holiday == "unknown" and holiday:
        return None if hit else False
    if rule.if_holiday == "next_day":
        before = day - datetime.timedelta(days=1)
        moved_here = is_holiday(before) and written_on(rule, before)
        if holiday:
            return None if moved_here and not hit else False  # moved again past a second holiday?
        return hit or moved_here
    return hit
