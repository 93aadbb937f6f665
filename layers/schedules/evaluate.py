"""Questions a schedule answers: open at a moment, held on a weekday, held at a time of day.

Every answer is True, False or None: True/False where the rules decide it, None where they cannot.
The readings, each pinned by a test:

* Closures first: 祝日休み, 年末年始 and a closed rule falling on the day make it closed, whatever
  the open rules say (a closed-days column means closed, never open).
* Then the open rules: one that falls on the day with the time inside its hours is a yes; a rule
  without hours says the day, not the time (None, never a guessed whole day).
* A fragment not understood may close the place or change its hours, so it turns a yes into None
  and a "closed at this hour" into None; it does not invent a day: a place whose rules name only
  Mondays is closed on a Wednesday unless the fragment itself may name days (不定期, 第2水曜…).
* A note that widens the hours (時間外利用可) turns "closed at this hour" into None; a condition
  (雨天中止, 変更・中止あり) changes nothing: the session is held unless it is called off.
"""

from __future__ import annotations

import datetime

from geo_welfare.layers.schedules.calendar import held_on, in_year_end, is_holiday
from geo_welfare.layers.schedules.grammar import LEAVES_DAYS_OPEN, WIDENS_HOURS
from geo_welfare.layers.schedules.model import WEEKDAY_CODES, ParsedSchedule, ScheduleRule

Answer = bool | None
_MIDNIGHT = datetime.time(0, 0)


def _falls_on(schedule: ParsedSchedule, rule: ScheduleRule, day: datetime.date) -> Answer:
    """Whether the rule holds on ``day``; None when the text does not fix it."""
    if not rule.days_known:
        return False if rule.bymonth and day.month not in rule.bymonth else None
    hit = held_on(rule, day)
    return None if hit and not schedule.fixes_dates(rule) else hit


def _in_hours(rule: ScheduleRule, moment: datetime.time) -> Answer:
    """Whether ``moment`` is within an open rule's hours (opens ≤ t < closes); None when not known."""
    if rule.opens_at is not None and moment < rule.opens_at:
        return False
    if rule.closes_at is not None and rule.closes_at != _MIDNIGHT and moment >= rule.closes_at:
        return False
    return None if rule.opens_at is None or rule.closes_at is None else True


def _in_closed_hours(rule: ScheduleRule, moment: datetime.time) -> bool:
    """A closed rule without times closes the whole day."""
    return _in_hours(rule, moment) is not False


def _both(on_day: Answer, in_hours: Answer) -> Answer:
    """One rule's answer: no when either part says no, yes when both say yes, else unknown."""
    return False if False in (on_day, in_hours) else (True if on_day and in_hours else None)


def _days_open(schedule: ParsedSchedule) -> bool:
    """Whether a fragment not understood may name other days than the rules (不定期, 第2水曜)."""
    return any(LEAVES_DAYS_OPEN.search(fragment) for fragment in schedule.unparsed)


def _closed_now(schedule: ParsedSchedule, at: datetime.datetime) -> Answer:
    """False when a closure says closed, None when one may (隔週休み), True when none does."""
    day = at.date()
    if (schedule.closed_on_holidays and is_holiday(day)) or (schedule.closed_year_end and in_year_end(day)):
        return False
    answer: Answer = True
    for rule in schedule.closed_rules:
        falls = _falls_on(schedule, rule, day)
        if falls is not False and _in_closed_hours(rule, at.time()):
            if falls:
                return False
            answer = None
    return answer


def is_open(schedule: ParsedSchedule, at: datetime.datetime) -> Answer:
    """Open at ``at``?  True/False where the rules decide it, None where they cannot."""
    closures = _closed_now(schedule, at)
    if closures is False:
        return False
    if not schedule.open_rules:
        return None
    parts = [(_falls_on(schedule, rule, at.date()), _in_hours(rule, at.time())) for rule in schedule.open_rules]
    answers = {_both(on_day, in_hours) for on_day, in_hours in parts}
    if True in answers:
        return True if closures and not schedule.unparsed else None
    if None in answers:
        return None
    if all(on_day is False for on_day, _ in parts):  # closed that day: only a fragment naming days could say else
        return None if _days_open(schedule) else False
    widened = any(WIDENS_HOURS.search(note) for note in schedule.notes)
    return None if schedule.unparsed or widened else False  # closed at that hour, unless the hours may differ


def _on_weekday(rule: ScheduleRule, weekday: int) -> Answer:
    """Whether the rule can fall on ``weekday`` (0 = Monday), whichever week of the month.

    True when it names that weekday (第1月曜 counts for Monday); None when its days are unknown or
    are days of the month (the 15th falls on every weekday in turn) or when a holiday may move it
    there (祝日の場合は翌日); False otherwise.
    """
    if rule.if_holiday == "only":
        return None  # a holiday falls on any weekday
    if any(code[-2:] == WEEKDAY_CODES[weekday] for code in rule.byday):
        return True
    if rule.if_holiday == "next_day" and any(code[-2:] == WEEKDAY_CODES[(weekday - 1) % 7] for code in rule.byday):
        return None
    return None if rule.bymonthday or not rule.byday else False


def _closed_weekday(schedule: ParsedSchedule, weekday: int) -> bool:
    """Whether a closed rule shuts every such weekday all day (定休日 月曜)."""
    return any(rule.freq == "WEEKLY" and rule.interval == 1 and not rule.bymonth and rule.if_holiday is None
               and rule.opens_at is None and rule.closes_at is None and WEEKDAY_CODES[weekday] in rule.byday
               for rule in schedule.closed_rules)


def _any_rule(schedule: ParsedSchedule, answers: list[Answer]) -> Answer:
    """Yes when one rule says yes; no when all say no and no fragment not understood may name days."""
    if True in answers:
        return True
    return None if None in answers or _days_open(schedule) else False


def occurs_on_weekday(schedule: ParsedSchedule, weekday: int) -> Answer:
    """Can the place be open on this weekday (0 = Monday)?  None when the schedule does not say."""
    if not schedule.open_rules:
        return False if _closed_weekday(schedule, weekday) else None
    if _closed_weekday(schedule, weekday):
        return False
    return _any_rule(schedule, [_on_weekday(rule, weekday) for rule in schedule.open_rules])


def open_at_time(schedule: ParsedSchedule, at: datetime.time, weekday: int | None = None) -> Answer:
    """Whether the place is held at time of day ``at`` (on ``weekday`` when given, else on some day).

    True when a rule's hours contain ``at`` (opens ≤ at < closes) on a day it can fall on; False
    when every rule says no; None when the schedule cannot say (unknown days or hours, text not
    understood).  Without a date, 第1月曜 and 隔週 count as held on Monday: the coordinator checks
    the week in the list's schedule words.
    """
    if not schedule.open_rules or (weekday is not None and _closed_weekday(schedule, weekday)):
        return False if schedule.open_rules else None
    answers = [_both(_on_weekday(rule, weekday) if weekday is not None else (True if rule.days_known else None),
                     _in_hours(rule, at)) for rule in schedule.open_rules]
    if True in answers:
        return True
    return None if None in answers or schedule.unparsed else False
