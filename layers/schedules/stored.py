"""Schedules as the store keeps them: HSDS-shaped rule dicts beside a resource's flags and text.

The store writes what :mod:`.parse` understood (``ScheduleRule.to_hsds`` and the closures); maps,
lists and the nearest-place search read it back here, so none of them needs the store's modules
to ask a schedule a question.
"""

from __future__ import annotations

import datetime

from geo_welfare.core.values import plain
from geo_welfare.layers.schedules.model import ParsedSchedule, ScheduleRule


def _parse_clock(value: str | None) -> datetime.time | None:
    return None if not value else datetime.time(*map(int, value.split(":")[:2]))


def from_stored(rules: list[dict], *, text: str | None = None, closed_on_holidays: bool = False,
                closed_year_end: bool = False, times_per_month: int | None = None,
                unparsed: str | None = None) -> ParsedSchedule:
    """A schedule rebuilt from what the store keeps (HSDS-shaped rule dicts and the flags)."""
    return ParsedSchedule(
        text or "",
        tuple(ScheduleRule(rule["freq"], tuple((rule.get("byday") or "").split(",")) if rule.get("byday") else (),
                           int(rule.get("interval") or 1), _parse_clock(rule.get("opens_at")),
                           _parse_clock(rule.get("closes_at")),
                           tuple(int(n) for n in (rule.get("bymonthday") or "").split(",") if n))
              for rule in rules),
        bool(closed_on_holidays), bool(closed_year_end), times_per_month,
        tuple(piece for piece in (unparsed or "").split("；") if piece))


def schedule_of(resource: dict) -> ParsedSchedule:
    """The parsed schedule of one resource row as read by :func:`geo_welfare.store.read.read_resources`."""
    def value(key: str):
        return plain(resource.get(key))
    return from_stored(resource.get("schedules") or [], text=value("schedule_text"),
                       closed_on_holidays=bool(value("closed_on_holidays")),
                       closed_year_end=bool(value("closed_year_end")),
                       times_per_month=value("times_per_month"), unparsed=value("schedule_unparsed"))
