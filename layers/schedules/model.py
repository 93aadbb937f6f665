"""What a schedule is once understood: recurrence rules shaped like Open Referral HSDS, and the closures.

A :class:`ScheduleRule` is one RFC 5545 recurrence (``FREQ``, ``INTERVAL``, ``BYDAY=2WE``) with
opening and closing times; a :class:`ParsedSchedule` holds the rules of one place with its
closures, the original text and every fragment that was not understood.  Reading text into
these is :mod:`.parse`; questions about them are :mod:`.evaluate`; words for them :mod:`.describe`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: 年末年始 as public offices keep it: 29 December – 3 January, as ((month, day), (month, day)).
YEAR_END = ((12, 29), (1, 3))


@dataclass(frozen=True)
class ScheduleRule:
    """One recurrence: weekly or monthly, on some days, optionally between two times.

    ``byday`` holds RFC 5545 day codes, ``"1TH"`` for the first Thursday of the month; empty
    (with empty ``bymonthday``) means the days are not known.  No times means the whole day.
    """

    freq: str
    byday: tuple[str, ...]
    interval: int = 1
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    bymonthday: tuple[int, ...] = ()  # 毎月15日 → (15,)

    @property
    def days_known(self) -> bool:
        """Whether the rule names the days it falls on (weekdays or days of the month)."""
        return bool(self.byday or self.bymonthday)

    def to_rrule(self) -> str:
        """The rule as RFC 5545 text, e.g. ``FREQ=MONTHLY;BYDAY=1TH,3TH``."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.byday:
            parts.append("BYDAY=" + ",".join(self.byday))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.bymonthday)))
        return ";".join(parts)

    def to_hsds(self) -> dict:
        """The rule as the fields of an HSDS ``schedule`` object (None where unknown)."""
        return {"freq": self.freq, "interval": self.interval, "byday": ",".join(self.byday) or None,
                "bymonthday": ",".join(map(str, self.bymonthday)) or None,
                "opens_at": _hhmm(self.opens_at), "closes_at": _hhmm(self.closes_at), "wkst": "MO"}

    def with_times(self, opens_at: datetime.time | None, closes_at: datetime.time | None) -> "ScheduleRule":
        """The same days with other hours (a time written after the days gives them their hours)."""
        return replace(self, opens_at=opens_at, closes_at=closes_at)


@dataclass(frozen=True)
class ParsedSchedule:
    """A schedule as understood: rules, closures, and what was not understood (verbatim)."""

    text: str
    rules: tuple[ScheduleRule, ...] = ()
    closed_on_holidays: bool = False
    closed_year_end: bool = False  # 年末年始 (29 December – 3 January, the public-office custom)
    times_per_month: int | None = None
    unparsed: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every fragment was understood and the rules fix concrete dates."""
        return bool(self.rules) and not self.unparsed and all(self.fixes_dates(rule) for rule in self.rules)

    def fixes_dates(self, rule: ScheduleRule) -> bool:
        """Whether the rule alone says which dates it falls on.

        Not when its days are unknown, when it repeats every other week or month (no anchor date
        says which), or when 月2回 goes with plain weekdays (which two Tuesdays?).
        """
        if rule.interval != 1 or not rule.days_known:
            return False
        return bool(rule.bymonthday) or self.times_per_month is None or all(code[:-2] for code in rule.byday)

    def to_hsds(self) -> list[dict]:
        """One HSDS schedule dict per rule, each carrying the original text as its description."""
        return [{**rule.to_hsds(), "description": self.text} for rule in self.rules]


def _hhmm(value: datetime.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")
