"""Questions a schedule answers: open at a moment, held on a weekday, held at a time of day.

Every answer is True, False or None: True/False where the rules decide it, None where they cannot
(days or hours unknown, text not understood).  Each question asks every rule the same two things,
does it fall on the day and is the time within its hours, and joins the answers the same way: one
rule that says yes is enough; no is the answer only when every rule says no and nothing was left
unread.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Iterable

import holidays

from geo_welfare.layers.schedules.model import WEEKDAY_CODES, YEAR_END, ParsedSchedule, ScheduleRule

Answer = bool | None


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year)


def _in_year_end(day: datetime.date) -> bool:
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


def _falls_on(schedule: ParsedSchedule, rule: ScheduleRule, day: datetime.date) -> Answer:
    """Whether the rule's days include ``day``; None when the text does not fix it."""
    if not rule.days_known:
        return None
    if rule.bymonthday:
        hit = day.day in rule.bymonthday
    else:
        hit = any(_nth_matches(code, day) if code[:-2] else WEEKDAY_CODES[day.weekday()] == code
                  for code in rule.byday)
    return None if hit and not schedule.fixes_dates(rule) else hit


def _on_weekday(rule: ScheduleRule, weekday: int) -> Answer:
    """Whether the rule can fall on ``weekday`` (0 = Monday), whichever week of the month.

    True when it names that weekday (第1月曜 counts for Monday); None when its days are unknown or
    are days of the month (the 15th falls on every weekday in turn); False otherwise.
    """
    if any(code[-2:] == WEEKDAY_CODES[weekday] for code in rule.byday):
        return True
    return None if rule.bymonthday or not rule.byday else False


def _in_hours(schedule: ParsedSchedule, rule: ScheduleRule, moment: datetime.time) -> Answer:
    """Whether ``moment`` is within the rule's hours (opens ≤ t < closes); None when not known."""
    if rule.opens_at is not None and moment < rule.opens_at:
        return False
    if rule.closes_at is not None and rule.closes_at != datetime.time(0, 0) and moment >= rule.closes_at:
        return False
    if rule.opens_at is None and rule.closes_at is None:
        return None if schedule.unparsed else True  # the whole day, unless the unparsed text says the hours
    return True if rule.opens_at is not None and rule.closes_at is not None else None


def _both(on_day: Answer, in_hours: Answer) -> Answer:
    """One rule's answer: no when either part says no, yes when both say yes, else unknown."""
    return False if False in (on_day, in_hours) else (True if on_day and in_hours else None)


def _any_rule(schedule: ParsedSchedule, answers: Iterable[Answer]) -> Answer:
    """The schedule's answer from its rules' answers: yes when one says yes; no only when all say no
    and no text was left unread."""
    answers = set(answers)
    if True in answers:
        return True
    return None if None in answers or schedule.unparsed else False


def is_open(schedule: ParsedSchedule, at: datetime.datetime) -> Answer:
    """Open at ``at``?  True/False where the rules decide it, None where they cannot."""
    day = at.date()
    if schedule.closed_on_holidays and day in _holidays(day.year):
        return False
    if schedule.closed_year_end and _in_year_end(day):
        return False
    if not schedule.rules:
        return None
    return _any_rule(schedule, (_both(_falls_on(schedule, rule, day), _in_hours(schedule, rule, at.time()))
                                for rule in schedule.rules))


def occurs_on_weekday(schedule: ParsedSchedule, weekday: int) -> Answer:
    """Can the place be open on this weekday (0 = Monday)?  None when the schedule does not say."""
    if not schedule.rules:
        return None
    return _any_rule(schedule, (_on_weekday(rule, weekday) for rule in schedule.rules))


def open_at_time(schedule: ParsedSchedule, at: datetime.time, weekday: int | None = None) -> Answer:
    """Whether the place is held at time of day ``at`` (on ``weekday`` when given, else on some day).

    True when a rule's hours contain ``at`` (opens ≤ at < closes) on a day it can fall on; False
    when every rule says no; None when the schedule cannot say (unknown days or hours, text not
    understood).  Without a date, 第1月曜 and 隔週 count as held on Monday: the coordinator checks
    the week in the list's schedule words.
    """
    if not schedule.rules:
        return None
    return _any_rule(schedule, (
        _both(_on_weekday(rule, weekday) if weekday is not None else (True if rule.days_known else None),
              _in_hours(schedule, rule, at))
        for rule in schedule.rules))
