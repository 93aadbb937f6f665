"""What a schedule is once understood: recurrence rules shaped like Open Referral HSDS, and the closures.

A :class:`ScheduleRule` is one RFC 5545 recurrence (``FREQ``, ``INTERVAL``, ``BYDAY=2WE``, ``BYMONTH``)
with opening and closing times; a rule marked ``closed`` names days the place is shut (定休日 土日,
第2・第4土曜休館, 第5週は休み).  A :class:`ParsedSchedule` holds the rules of one place with its
closures, its conditions (雨天中止, 会場の都合により変更・中止あり: kept as notes, not as unknowns),
the original text and every fragment that was not understood.  Reading text into these is
:mod:`.parse`; questions about them are :mod:`.evaluate`; words for them :mod:`.describe`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: 年末年始 as public offices keep it: 29 December – 3 January, as ((month, day), (month, day)).
YEAR_END = ((12, 29), (1, 3))
ALL_MONTHS = tuple(range(1, 13))

#: What a rule does on a public holiday, beside the schedule-wide 祝日休み:
#: ``next_day`` 祝日の場合は翌日 (the session, or the closure, moves to the next day);
#: ``not_held`` the rule does not hold on holidays (an open rule: closed then; a closed rule:
#: 祝日の場合は開館); ``only`` it holds on holidays alone (the 祝日 column of the national layouts);
#: ``unknown`` the list does not say (an empty 祝日 column).
IF_HOLIDAY = ("next_day", "not_held", "only", "unknown")


@dataclass(frozen=True)
class ScheduleRule:
    """One recurrence: weekly, monthly or yearly, on some days, optionally between two times.

    ``byday`` holds RFC 5545 day codes, ``"1TH"`` for the first Thursday of the month; empty
    (with empty ``bymonthday``) means the days are not known.  No times means the hours are not
    known (a closed rule without times is closed all day).  ``bymonth`` empty means every month.
    """

    freq: str
    byday: tuple[str, ...]
    interval: int = 1
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    bymonthday: tuple[int, ...] = ()  # 毎月15日 → (15,)
    bymonth: tuple[int, ...] = ()  # 4月～9月 → (4, 5, 6, 7, 8, 9); 8月は休み → every month but 8
    if_holiday: str | None = None  # one of IF_HOLIDAY
    closed: bool = False

    @property
    def days_known(self) -> bool:
        """Whether the rule names the days it falls on (weekdays, days of the month, or months)."""
        return bool(self.byday or self.bymonthday or (self.freq == "YEARLY" and self.bymonth))

    def to_rrule(self) -> str:
        """The rule as RFC 5545 text, e.g. ``FREQ=MONTHLY;BYDAY=1TH,3TH;BYMONTH=4,5,6``."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.byday:
            parts.append("BYDAY=" + ",".join(self.byday))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.bymonthday)))
        if self.bymonth:
            parts.append("BYMONTH=" + ",".join(map(str, self.bymonth)))
        return ";".join(parts)

    def to_hsds(self) -> dict:
        """The rule as the fields of an HSDS ``schedule`` object (None where unknown)."""
        return {"freq": self.freq, "interval": self.interval, "byday": ",".join(self.byday) or None,
                "bymonthday": ",".join(map(str, self.bymonthday)) or None,
                "bymonth": ",".join(map(str, self.bymonth)) or None,
                "opens_at": _hhmm(self.opens_at), "closes_at": _hhmm(self.closes_at), "wkst": "MO"}

    def to_stored(self, notes: tuple[str, ...] = ()) -> dict:
        """The rule as a store row: the HSDS fields plus what HSDS has no field for (closed, holidays, notes)."""
        return {**self.to_hsds(), "if_holiday": self.if_holiday, "closed": self.closed,
                "notes": "；".join(notes) or None}

    def with_times(self, opens_at: datetime.time | None, closes_at: datetime.time | None) -> "ScheduleRule":
        """The same days with other hours (a time written after the days gives them their hours)."""
        return replace(self, opens_at=opens_at, closes_at=closes_at)


@dataclass(frozen=True)
class ParsedSchedule:
    """A schedule as understood: rules (open and closed), closures, conditions, and what was not understood."""

    text: str
    rules: tuple[ScheduleRule, ...] = ()
    closed_on_holidays: bool = False
    closed_year_end: bool = False  # 年末年始 (29 December – 3 January, the public-office custom)
    times_per_month: int | None = None
    unparsed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # conditions as written: 雨天中止, 会場の都合により変更・中止あり, 時間外利用可

    @property
    def open_rules(self) -> tuple[ScheduleRule, ...]:
        return tuple(rule for rule in self.rules if not rule.closed)

    @property
    def closed_rules(self) -> tuple[ScheduleRule, ...]:
        return tuple(rule for rule in self.rules if rule.closed)

    @property
    def complete(self) -> bool:
        """True when every fragment was understood and the open rules fix concrete dates."""
        rules = self.open_rules
        return bool(rules) and not self.unparsed and all(self.fixes_dates(rule) for rule in rules)

    def fixes_dates(self, rule: ScheduleRule) -> bool:
        """Whether the rule alone says which dates it falls on.

        Not when its days are unknown, when it repeats every other week or month (no anchor date
        says which), or when 月2回 goes with plain weekdays (which two Tuesdays?).
        """
        if rule.interval != 1 or not rule.days_known:
            return False
        return bool(rule.bymonthday) or rule.closed or self.times_per_month is None or \
            all(code[:-2] for code in rule.byday)

    def to_hsds(self) -> list[dict]:
        """One HSDS schedule dict per open rule, each with the original text as its description.

        Closed rules have no HSDS shape of their own: the description (the text) carries them.
        """
        notes = "；".join(self.notes) or None
        return [{**rule.to_hsds(), "description": self.text, "notes": notes} for rule in self.open_rules]

    def to_stored(self) -> list[dict]:
        """Every rule, open and closed, as the store's ``schedule`` rows (see :func:`.stored.from_stored`)."""
        return [rule.to_stored(self.notes) for rule in self.rules]


def _hhmm(value: datetime.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")
