"""The next dates a place meets, from its rules: 「次回 12月8日（火）10:00〜」 on a client's printout.

A date is given only where the rules fix it: a rule whose days are unknown, that repeats every
other week or month (隔月 has no anchor date saying which months), or 月2回 on plain weekdays
(which two Tuesdays?) gives none, and :func:`undated_reason` says why, so the printout can say so
instead of inventing a date.  A fragment not understood may close the place, so it gives no date
either.  Holidays move or cancel a session as the rule says (祝日の場合は翌日, 祝日を除く); a day
the list does not say for (an empty 祝日 column) gives no date.  Closures win: 年末年始, 祝日休み,
8月は休み, 第2土曜休館; a closure that may fall on the day (隔週休み) gives no date that day.

The days come from the rules' calendar here; each one is then asked of
:func:`~geo_welfare.layers.schedules.evaluate.is_open` at its start (or on the day, without hours),
and dropped unless that agrees, so the two can never contradict each other.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from geo_welfare.layers.schedules.calendar import held_on, in_year_end, is_holiday
from geo_welfare.layers.schedules.evaluate import is_open
from geo_welfare.layers.schedules.model import ParsedSchedule, ScheduleRule

#: How far ahead to look (days): 8月のみ or 年1回 rules meet within a year.
HORIZON_DAYS = 400
_ONE_MINUTE = datetime.timedelta(minutes=1)
_NOON = datetime.time(12, 0)


class Session(NamedTuple):
    """One meeting: the day and its hours (None where the list does not give them)."""

    day: datetime.date
    opens: datetime.time | None
    closes: datetime.time | None


def _overlaps(closed: ScheduleRule, opens: datetime.time | None, closes: datetime.time | None) -> bool:
    """Whether a closed rule's hours (all day without them) may cover the session's."""
    if closed.opens_at is None and closed.closes_at is None:
        return True
    if opens is None or closes is None:
        return True
    starts = closed.opens_at or datetime.time.min
    ends = closed.closes_at or datetime.time.max
    return starts < closes and opens < ends


def _shut(schedule: ParsedSchedule, day: datetime.date, opens, closes) -> bool:
    """Whether a closure shuts the session, or may (a closed rule without fixed days)."""
    if (schedule.closed_on_holidays and is_holiday(day)) or (schedule.closed_year_end and in_year_end(day)):
        return True
    for closed in schedule.closed_rules:
        if not closed.days_known:
            may = not (closed.bymonth and day.month not in closed.bymonth)
        else:
            may = held_on(closed, day) is not False  # None: the list does not say; both close the day
        if may and _overlaps(closed, opens, closes):
            return True
    return False


def _agrees(schedule: ParsedSchedule, session: Session) -> bool:
    """:func:`is_open` says yes at the session's start (or not no on its day, where hours are not known)."""
    if session.opens is not None and session.closes is not None:
        return is_open(schedule, datetime.datetime.combine(session.day, session.opens)) is True
    probe = session.opens or (session.closes and (datetime.datetime.combine(session.day, session.closes)
                                                  - _ONE_MINUTE).time()) or _NOON
    return is_open(schedule, datetime.datetime.combine(session.day, probe)) is not False


def _begun(session: Session, after: datetime.datetime) -> bool:
    """Whether a session of ``after``'s own day has begun (or, with a closing hour only, ended) by then."""
    if session.opens is not None:
        return datetime.datetime.combine(session.day, session.opens) < after
    return session.closes is not None and datetime.datetime.combine(session.day, session.closes) <= after


def dated_rules(schedule: ParsedSchedule) -> tuple[ScheduleRule, ...]:
    """The open rules that fix their dates (none when a fragment was not understood)."""
    if schedule.unparsed:
        return ()
    return tuple(rule for rule in schedule.open_rules if schedule.fixes_dates(rule))


def undated_reason(schedule: ParsedSchedule) -> str | None:
    """Why some open rule gives no date: a catalogue key (``upcoming_…``), or None when every rule fixes its dates."""
    if schedule.unparsed:
        return "upcoming_unparsed"
    if not schedule.open_rules:
        return "upcoming_no_rules"
    for rule in schedule.open_rules:
        if not rule.days_known:
            return "upcoming_days_unknown"
        if rule.interval != 1:
            return "upcoming_every_other_month" if rule.freq == "MONTHLY" else "upcoming_every_other_week"
        if not schedule.fixes_dates(rule):
            return "upcoming_times_per_month"
    return None


def next_sessions(schedule: ParsedSchedule, after: datetime.datetime, count: int = 2, *,
                  horizon_days: int = HORIZON_DAYS) -> list[Session]:
    """The next ``count`` sessions starting at or after ``after`` (a naive JST moment), soonest first.

    Empty when no rule fixes its dates (see :func:`undated_reason`) or none falls within
    ``horizon_days``.  A session without hours counts from its day; one already begun today does not.
    """
    rules = dated_rules(schedule)
    if not rules or count < 1:
        return []
    found: list[Session] = []
    start = after.date()
    for offset in range(horizon_days + 1):
        day = start + datetime.timedelta(days=offset)
        today = set()
        for rule in rules:
            session = Session(day, rule.opens_at, rule.closes_at)
            if session in today or held_on(rule, day) is not True or _shut(schedule, day, rule.opens_at, rule.closes_at):
                continue
            if offset == 0 and _begun(session, after):
                continue
            if _agrees(schedule, session):
                today.add(session)
        found += sorted(today, key=lambda s: s.opens or datetime.time.min)
        if len(found) >= count:
            return found[:count]
    return found
