"""Closed days against open rules: taken out of the rules that name them, else kept as closed rules.

Shared by the text reader (土日は休み written beside the days) and by the 定休日 columns read on
their own, so a closed day reads the same wherever a list writes it.
"""

from __future__ import annotations

from dataclasses import replace

from geo_welfare.layers.schedules.model import WEEKDAY_CODES, ParsedSchedule, ScheduleRule


def apply_closed_weekdays(rules: list[ScheduleRule], codes: set[str]) -> tuple[list[ScheduleRule], ScheduleRule | None]:
    """Closed weekdays out of the open rules when every open rule names weekdays and keeps some;
    otherwise the rules as they are and a closed rule for those weekdays (月2回 10:00, 土日休み)."""
    open_rules = [rule for rule in rules if not rule.closed]
    if open_rules and all(any(code[-2:] not in codes for code in rule.byday) for rule in open_rules):
        return [rule if rule.closed else replace(rule, byday=tuple(c for c in rule.byday if c[-2:] not in codes))
                for rule in rules], None
    return rules, ScheduleRule("WEEKLY", tuple(code for code in WEEKDAY_CODES if code in codes), closed=True)


def _plain_closed_weekdays(rule: ScheduleRule) -> bool:
    return (rule.freq == "WEEKLY" and rule.interval == 1 and not rule.bymonth and rule.if_holiday is None
            and rule.opens_at is None and rule.closes_at is None and all(not code[:-2] for code in rule.byday))


def combine(opened: ParsedSchedule, closing: ParsedSchedule, label: str) -> ParsedSchedule:
    """A schedule's open part with a 定休日 column read on its own (``label`` names it in the kept text)."""
    text = f"{opened.text} {label}：{closing.text}".strip()
    rules = list(opened.open_rules)
    closed = list(opened.closed_rules)
    for rule in closing.closed_rules:
        if _plain_closed_weekdays(rule):
            rules, extra = apply_closed_weekdays(rules, set(rule.byday))
            closed.extend([extra] if extra else [])
        else:
            closed.append(rule)
    return ParsedSchedule(text, tuple(merge(rules) + merge(closed)),
                          opened.closed_on_holidays or closing.closed_on_holidays,
                          opened.closed_year_end or closing.closed_year_end, opened.times_per_month,
                          opened.unparsed + closing.unparsed, opened.notes + closing.notes)


def merge(rules: list[ScheduleRule]) -> list[ScheduleRule]:
    """Join rules that differ only in their weekdays (月・水・金 written as three tokens)."""
    merged: list[ScheduleRule] = []
    for rule in rules:
        for index, other in enumerate(merged):
            if rule.byday and other.byday and replace(other, byday=rule.byday) == rule:
                days = set(other.byday) | set(rule.byday)
                merged[index] = replace(other, byday=tuple(sorted(days, key=day_order)))
                break
        else:
            if rule not in merged:
                merged.append(rule)
    return merged


def day_order(code: str) -> tuple[int, int]:
    """1TH before 2TU (as written: 第1木曜、第2火曜), plain days Monday first, ``-1`` (last) at the end."""
    ordinal = int(code[:-2] or 0)
    return (99 if ordinal == -1 else ordinal), WEEKDAY_CODES.index(code[-2:])


def later_days_override(rules: list[ScheduleRule]) -> list[ScheduleRule]:
    """月～土曜日 ～18:30 … 土曜日 7:30～18:30: hours written later for some of the days are theirs alone."""
    rules = list(rules)
    for index, later in enumerate(rules):
        if later.freq != "WEEKLY" or not later.byday or (later.opens_at is None and later.closes_at is None):
            continue
        for earlier_index in range(index):
            earlier = rules[earlier_index]
            if earlier.freq == "WEEKLY" and set(later.byday) < set(earlier.byday) and \
                    (earlier.opens_at or earlier.closes_at) and earlier.bymonth == later.bymonth:
                rules[earlier_index] = replace(earlier, byday=tuple(c for c in earlier.byday if c not in later.byday))
    return rules
