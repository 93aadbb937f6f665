"""Words for residents: a parsed schedule in the reader's language, as a list or a map prints it.

Rules first, then closures, then anything not understood in brackets; when nothing was understood
the original text is the best description there is.  Every word and every way of putting words
together (毎週 {days} / every {days}, 第1・第3 / 1st and 3rd) is a catalogue fragment, so a new
language is a translation, not new code: the code only decides which fragment a rule calls for.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from babel import Locale

from geo_welfare.core.words import t, word
from geo_welfare.layers.schedules.model import WEEKDAY_CODES, ParsedSchedule, ScheduleRule

#: The catalogue key naming each weekday in a list of days.
_WEEKDAY_KEYS = {"MO": "schedule_weekday_mo", "TU": "schedule_weekday_tu", "WE": "schedule_weekday_we",
                 "TH": "schedule_weekday_th", "FR": "schedule_weekday_fr", "SA": "schedule_weekday_sa",
                 "SU": "schedule_weekday_su"}
#: How often a rule repeats, by (FREQ, INTERVAL); other intervals say their number.
_EVERY_KEYS = {("WEEKLY", 1): "schedule_every_week", ("WEEKLY", 2): "schedule_every_other_week",
               ("MONTHLY", 1): "schedule_every_month", ("MONTHLY", 2): "schedule_every_other_month"}
#: 月1回 and 月2回 have words of their own in English (once, twice).
_TIMES_A_MONTH_KEYS = {1: "schedule_once_a_month", 2: "schedule_twice_a_month"}
#: Ordinals by their CLDR ordinal category (1st, 2nd, 3rd, 4th in English; 第1 … in Japanese).
_ORDINAL_KEYS = {"one": "schedule_ordinal_one", "two": "schedule_ordinal_two", "few": "schedule_ordinal_few",
                 "other": "schedule_ordinal_other"}
_DAY_OF_MONTH_KEYS = {"one": "schedule_day_of_month_one", "two": "schedule_day_of_month_two",
                      "few": "schedule_day_of_month_few", "other": "schedule_day_of_month_other"}


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def _ordinal_category(n: int, lang: str) -> str:
    """The CLDR ordinal category of ``n`` in ``lang`` (English: 1 → one, 2 → two, 3 → few, 11 → other)."""
    return _locale(lang).ordinal_form(n)


def _ordinal(n: int, lang: str) -> str:
    """The nth weekday of a month: 第1 / 1st; ``-1`` is the last (最終 / last)."""
    if n == -1:
        return word("schedule_ordinal_last", lang)
    return t(_ORDINAL_KEYS.get(_ordinal_category(n, lang), "schedule_ordinal_other"), lang, n=n)


def _day_of_month(n: int, lang: str) -> str:
    """A day of the month: 15日 / 15th."""
    return t(_DAY_OF_MONTH_KEYS.get(_ordinal_category(n, lang), "schedule_day_of_month_other"), lang, n=n)


def _listed(items: list[str], lang: str) -> str:
    """Items as a list reads: 月・水・金 / Monday, Wednesday and Friday."""
    if len(items) == 1:
        return items[0]
    return word("schedule_list_separator", lang).join(items[:-1]) + word("schedule_list_last_separator", lang) \
        + items[-1]


def _weekdays(codes: list[str], lang: str) -> str:
    """Weekdays named once each: 月・水曜日 / Monday and Wednesday."""
    return t("schedule_weekdays_named", lang, days=_listed([word(_WEEKDAY_KEYS[code], lang) for code in codes], lang))


def _nth_weekday(ordinals: list[int], codes: list[str], lang: str) -> str:
    """Weekdays of some weeks of the month: 第1・第3 木曜日 / 1st and 3rd Thursday (plain weekdays without ordinals)."""
    days = _weekdays(codes, lang)
    if not ordinals:
        return days
    return t("schedule_nth_weekday", lang, nth=_listed([_ordinal(n, lang) for n in ordinals], lang), day=days)


def _times_a_month(count: int, lang: str) -> str:
    """月2回 / twice a month."""
    return t(_TIMES_A_MONTH_KEYS.get(count, "schedule_times_a_month"), lang, count=count)


def _every(rule: ScheduleRule, lang: str) -> str:
    """How often the rule repeats: 毎週, 隔月, 3週ごと / every week, every other month, every 3 weeks."""
    key = _EVERY_KEYS.get((rule.freq, rule.interval))
    if key:
        return word(key, lang)
    return t("schedule_every_n_weeks" if rule.freq == "WEEKLY" else "schedule_every_n_months", lang,
             count=rule.interval)


def _day_groups(rule: ScheduleRule) -> list[tuple[str, list[int]]]:
    """Weekdays in order of mention, each with its ordinals (empty for every such weekday)."""
    groups: dict[str, list[int]] = {}
    for code in rule.byday:
        groups.setdefault(code[-2:], [])
        if code[:-2]:
            groups[code[-2:]].append(int(code[:-2]))
    return [(day, sorted(ordinals, key=lambda n: (n == -1, n))) for day, ordinals in groups.items()]


def _rule_words(rule: ScheduleRule, per_month: int | None, lang: str) -> str:
    """The days of one rule: 毎週 火曜日, 毎月 第1・第3 木曜日, 月2回 / every Tuesday, … ("" for bare hours)."""
    groups = _day_groups(rule)
    plain = all(not ordinals for _, ordinals in groups)
    days = [day for day, _ in groups]
    every_week = (rule.freq, rule.interval) == ("WEEKLY", 1)
    if every_week and per_month is None and plain and len(days) == 7:
        return word("schedule_every_day", lang)
    if every_week and per_month is None and days == list(WEEKDAY_CODES[:5]):
        return word("schedule_weekdays_mon_fri", lang)
    if per_month and rule.interval == 1 and not rule.bymonthday and plain:
        times = _times_a_month(per_month, lang)
        return t("schedule_times_a_month_on_days", lang, times=times, days=_weekdays(days, lang)) if groups else times
    if rule.bymonthday:
        return t("schedule_every_on_monthdays", lang, every=_every(rule, lang),
                 days=_listed([_day_of_month(n, lang) for n in rule.bymonthday], lang))
    if not groups:  # bare hours: 毎週 would claim more than the text says
        return "" if every_week and (rule.opens_at or rule.closes_at) else _every(rule, lang)
    if plain:
        return t("schedule_weekly_on_days" if every_week else "schedule_every_on_days", lang,
                 every=_every(rule, lang), days=_weekdays(days, lang))
    if len({tuple(ordinals) for _, ordinals in groups}) == 1:  # 第1・第3 木曜日
        nth = _nth_weekday(groups[0][1], days, lang)
    else:  # 第1 木曜日・第2 火曜日
        nth = _listed([_nth_weekday(ordinals, [day], lang) for day, ordinals in groups], lang)
    return t("schedule_monthly_on_nth_weekdays" if (rule.freq, rule.interval) == ("MONTHLY", 1)
             else "schedule_every_on_nth_weekdays", lang, every=_every(rule, lang), days=nth)


def _clock_text(value: datetime.time | None) -> str:
    return "" if value is None else f"{value.hour}:{value.minute:02d}"


def _hours(rule: ScheduleRule, lang: str) -> str:
    if rule.opens_at is None and rule.closes_at is None:
        return ""
    return t("schedule_hours", lang, opens=_clock_text(rule.opens_at), closes=_clock_text(rule.closes_at))


def _months(rule: ScheduleRule, lang: str) -> str:
    """4・5・6月 / in months 4, 5 and 6; most months as the few left out: 8月を除く / except in months 8."""
    left_out = [month for month in range(1, 13) if month not in rule.bymonth]
    if len(left_out) < len(rule.bymonth) and not rule.closed:
        return t("schedule_except_months", lang, months=_listed([str(month) for month in left_out], lang))
    return t("schedule_in_months", lang, months=_listed([str(month) for month in rule.bymonth], lang))


def _qualified(rule: ScheduleRule, per_month: int | None, lang: str) -> str:
    """A rule's days with its months (4月～9月) and, for a holidays-only rule, that it holds on holidays."""
    if rule.if_holiday == "only":
        return word("schedule_on_holidays_only", lang)
    if rule.freq == "YEARLY":
        return _months(rule, lang)
    days = _rule_words(rule, per_month, lang)
    return f"{_months(rule, lang)} {days}".strip() if rule.bymonth else days


#: What the open rules do on public holidays, in words (祝日の場合は翌日 …).
_IF_HOLIDAY_KEYS = {"next_day": "schedule_moved_after_holidays", "not_held": "schedule_not_on_holidays",
                    "unknown": "schedule_holidays_not_said"}


def _sessions(schedule: ParsedSchedule, lang: str) -> list[str]:
    """Each open rule's days with their hours; rules on the same days are one phrase with two sessions."""
    sessions: dict[str, list[str]] = {}  # 月曜 10〜12時、13〜15時: one day phrase, two sessions
    for rule in schedule.open_rules:
        sessions.setdefault(_qualified(rule, schedule.times_per_month, lang), []).append(_hours(rule, lang))
    parts = []
    for days, hours in sessions.items():
        hours_text = word("schedule_hours_separator", lang).join(filter(None, hours))
        parts.append(t("schedule_days_at_hours", lang, days=days, hours=hours_text) if days and hours_text
                     else days or hours_text)
    for outcome in dict.fromkeys(rule.if_holiday for rule in schedule.open_rules if rule.if_holiday in _IF_HOLIDAY_KEYS):
        parts.append(word(_IF_HOLIDAY_KEYS[outcome], lang))
    for rule in schedule.closed_rules:
        days = _qualified(rule, None, lang)
        parts.append(t("schedule_closed_on_days", lang, days=days))
        if rule.if_holiday == "not_held":
            parts.append(word("schedule_closure_open_on_holidays", lang))
        elif rule.if_holiday == "next_day":
            parts.append(word("schedule_moved_after_holidays", lang))
    return parts


def describe(schedule: ParsedSchedule, lang: str = "ja") -> str:
    """The schedule in words a resident reads, in Japanese (``"ja"``) or English (``"en"``).

    Rules first, then closures, then anything not understood in brackets; when nothing was
    understood the original text is the best description there is.
    """
    parts = _sessions(schedule, lang)
    if schedule.times_per_month and not schedule.open_rules:  # with rules, the rules say 月2回 where it matters
        parts.insert(0, _times_a_month(schedule.times_per_month, lang))
    if schedule.closed_on_holidays:
        parts.append(word("schedule_closed_on_holidays", lang))
    if schedule.closed_year_end:
        parts.append(word("schedule_closed_year_end", lang))
    if not parts:
        return schedule.text
    text = word("schedule_parts_separator", lang).join(parts)
    if schedule.unparsed:
        text = t("schedule_with_unparsed", lang, schedule=text,
                 unparsed=word("schedule_unparsed_separator", lang).join(schedule.unparsed))
    if schedule.notes:  # 雨天中止: as the list wrote it
        text = t("schedule_with_notes", lang, schedule=text,
                 notes=word("schedule_unparsed_separator", lang).join(schedule.notes))
    return text[0].upper() + text[1:]  # a sentence begins with a capital where the script has them
