"""Opening schedules written in Japanese, as recurrence rules shaped like Open Referral HSDS.

Real resource lists say when a place is open in free text (毎週火曜, 第1・第3木曜日 10:00〜12:00,
月2回, 隔月, 平日, 祝日休み) or across the columns of the 自治体標準オープンデータセット
(利用可能曜日 ``月火水木金``, 開始時間, 終了時間, 利用可能日時特記事項).  This module turns them into
RFC 5545 rule parts (``FREQ``, ``INTERVAL``, ``BYDAY=2WE``) with opening and closing times, keeps
the original text, and lists every fragment it did not understand instead of guessing, so that
"open on the 2nd Wednesday morning?" has an answer where the text gives one, and "unknown"
where it does not.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import holidays

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_LETTERS = "月火水木金土日"
_JA_DAY = dict(zip(WEEKDAY_CODES, _DAY_LETTERS))
_EN_DAY = dict(zip(WEEKDAY_CODES, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")))
_EN_ORDINAL = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}


@dataclass(frozen=True)
class ScheduleRule:
    """One recurrence: weekly or monthly, on some days, optionally between two times."""

    freq: str
    byday: tuple[str, ...]
    interval: int = 1
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    bymonthday: tuple[int, ...] = ()  # 毎月15日 → (15,)

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
        """The rule as the fields of an HSDS ``schedule`` object."""
        return {"freq": self.freq, "interval": self.interval, "byday": ",".join(self.byday) or None,
                "bymonthday": ",".join(map(str, self.bymonthday)) or None,
                "opens_at": _hhmm(self.opens_at), "closes_at": _hhmm(self.closes_at), "wkst": "MO"}

    def with_times(self, opens_at: datetime.time | None, closes_at: datetime.time | None) -> "ScheduleRule":
        return ScheduleRule(self.freq, self.byday, self.interval, opens_at, closes_at, self.bymonthday)


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
        return bool(self.rules) and not self.unparsed and all(rule.interval == 1 for rule in self.rules)

    def to_hsds(self) -> list[dict]:
        """One HSDS schedule dict per rule, each carrying the original text as its description."""
        return [{**rule.to_hsds(), "description": self.text} for rule in self.rules]


def _hhmm(value: datetime.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


# ----------------------------------------------------------------------------------------------
# Parsing: the text is read left to right by one tokenising expression; day tokens open rules,
# a time range closes every rule opened since the previous time range.

_TIME = r"(?:(午前|午後)\s*)?(\d{1,2})(?:\s*:\s*(\d{2})|\s*時\s*(?:(\d{1,2})\s*分|(半))?)"
_TOKEN = re.compile("|".join([
    r"(?P<holiday>(?:国民の)?(?:祝日|祝祭日|休日|祭日)[^。]*?(?:休み|休館|休業|お休み|休(?!日)|除く|除き|利用不可|閉館))",
    r"(?P<yearend>年末年始[^。、]*?(?:休み|休館|休業|休(?!日)|除く|除き|利用不可|閉館))",
    r"(?P<per_month>月\s*(?P<per_month_n>\d+)\s*回)",
    r"(?P<every_other_week>隔週)",
    r"(?P<every_other_month>隔月|奇数月|偶数月)",
    r"(?P<every_week>毎週)",
    r"(?P<every_month>毎月)",
    r"(?P<daily>毎日)",
    r"(?P<weekdays>平日)",
    r"(?P<monthday>\d{1,2}\s*日(?:\s*[・,、と]\s*\d{1,2}\s*日)*)",
    r"(?P<nth>(?:第\s*\d(?:\s*[・,、と及]\s*(?:第\s*)?\d)*|最終)\s*週?\s*の?\s*"
    r"[月火水木金土日](?:曜日|曜)?(?:\s*[・,、と]\s*[月火水木金土日](?:曜日|曜)?)*)",
    r"(?P<day_range>[月火水木金土日](?:曜日|曜)?\s*(?:[~〜\-－ー]|から)\s*[月火水木金土日](?:曜日|曜)?)",
    r"(?P<days>[月火水木金土日](?:曜日|曜)?(?:\s*[・,、と]?\s*[月火水木金土日](?:曜日|曜)?)*)",
    rf"(?P<time_range>{_TIME}\s*(?:[~〜\-－ー]|から)\s*{_TIME.replace('(午前|午後)', '(午前|午後)')}(?:\s*まで)?)",
    rf"(?P<time_from>{_TIME}\s*(?:から|より|~|〜)?)",
    r"(?P<noise>[\s、,，。．.・;；/／()（）「」\[\]【】:：~〜\-－]+|曜日|曜|開催|実施|頃|ごろ|まで|及び|および|と|の)",
]))


def _normalise(text: str) -> str:
    """Full-width digits and colons to ASCII; the several wave dashes to one."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("〜", "~").replace("～", "~").replace("ｰ", "-")


def _time(meridiem: str | None, hour: str, minute: str | None, minute_ja: str | None, half: str | None
          ) -> datetime.time | None:
    value = int(hour)
    if meridiem == "午後" and value < 12:
        value += 12
    minutes = int(minute or minute_ja or (30 if half else 0))
    if value > 24 or minutes > 59:
        return None
    return datetime.time(0, 0) if value == 24 else datetime.time(value, minutes)


def _time_range(match: re.Match) -> tuple[datetime.time | None, datetime.time | None]:
    inner = re.fullmatch(rf"\s*{_TIME}\s*(?:[~\-－ー]|から)\s*{_TIME}(?:\s*まで)?\s*", match.group("time_range"))
    assert inner is not None
    first = _time(*inner.group(1, 2, 3, 4, 5))
    meridiem = inner.group(6) or (inner.group(1) if inner.group(1) and int(inner.group(7)) < 12
                                  and int(inner.group(7)) >= int(inner.group(2)) else None)
    second = _time(meridiem, *inner.group(7, 8, 9, 10))
    return first, second


def _day_codes(text: str) -> list[str]:
    """Weekday codes named in a day token ('火曜日' is Tuesday alone: its 日 is not Sunday)."""
    letters = re.findall(r"[月火水木金土日]", re.sub(r"曜日|曜", "", text))
    return [WEEKDAY_CODES[_DAY_LETTERS.index(letter)] for letter in letters]


def parse_schedule(text: str | None, *, days: str | None = None, start: str | None = None, end: str | None = None,
                   note: str | None = None) -> ParsedSchedule:
    """Parse a schedule given as free text and/or the standard layout's separate columns.

    The parts given are joined into the kept ``text`` (days, then ``start〜end``, then the
    note) and read as one.  Nothing is guessed: what no pattern explains is returned in
    ``unparsed`` verbatim.
    """
    pieces = [piece.strip() for piece in (text, days) if piece and piece.strip()]
    if start or end:
        pieces.append(f"{(start or '').strip()}〜{(end or '').strip()}".strip("〜"))
    if note and note.strip():
        pieces.append(note.strip())
    original = " ".join(pieces)
    if not original:
        return ParsedSchedule("")
    normal = _normalise(original)

    rules: list[ScheduleRule] = []
    open_since = 0  # rules from this index on still wait for a time range
    interval, monthly = 1, False
    closed_holidays = closed_year_end = False
    per_month: int | None = None
    leading_times: tuple[datetime.time | None, datetime.time | None] | None = None
    leading_text = ""
    unparsed: list[str] = []
    position = 0

    def add(rule: ScheduleRule) -> None:
        rules.append(rule)

    for match in _TOKEN.finditer(normal):
        if match.start() > position:
            unparsed.append(normal[position:match.start()])
        position = match.end()
        kind = next(name for name in ("holiday", "yearend", "per_month", "every_other_week", "every_other_month",
                                      "every_week", "every_month", "daily", "weekdays", "monthday", "nth", "day_range", "days",
                                      "time_range", "time_from", "noise") if match.group(name) is not None)
        if kind == "holiday":
            closed_holidays = True
            closed_year_end = closed_year_end or "年末年始" in match.group(0)
        elif kind == "yearend":
            closed_year_end = True
        elif kind == "per_month":
            per_month = int(match.group("per_month_n"))
        elif kind == "every_other_week":
            interval, monthly = 2, False
        elif kind == "every_other_month":
            interval, monthly = 2, True
        elif kind == "every_week":
            interval, monthly = 1, False
        elif kind == "every_month":
            monthly = True
        elif kind in ("daily", "weekdays", "day_range", "days"):
            if kind == "daily":
                codes = list(WEEKDAY_CODES)
            elif kind == "weekdays":
                codes = list(WEEKDAY_CODES[:5])
            elif kind == "day_range":
                first, last = _day_codes(match.group(0))
                a, b = WEEKDAY_CODES.index(first), WEEKDAY_CODES.index(last)
                codes = [WEEKDAY_CODES[(a + i) % 7] for i in range((b - a) % 7 + 1)]
            else:
                codes = _day_codes(match.group(0))
            if monthly and interval == 1 and kind == "days":
                # 毎月火曜 (every Tuesday of every month) is weekly; only 隔月 without 第n is undecidable.
                add(ScheduleRule("WEEKLY", tuple(codes)))
            elif monthly:
                add(ScheduleRule("MONTHLY", tuple(codes), interval))
            else:
                add(ScheduleRule("WEEKLY", tuple(codes), interval))
        elif kind == "monthday":
            days_of_month = tuple(int(n) for n in re.findall(r"\d{1,2}", match.group(0)))
            if all(1 <= n <= 31 for n in days_of_month):
                add(ScheduleRule("MONTHLY", (), interval if monthly else 1, bymonthday=days_of_month))
            else:
                unparsed.append(match.group(0))
        elif kind == "nth":
            ordinal_text, day_text = re.match(r"((?:第\s*\d(?:\s*[・,、と及]\s*(?:第\s*)?\d)*|最終))(.*)",
                                              match.group(0)).groups()
            ordinals = [-1] if ordinal_text == "最終" else [int(n) for n in re.findall(r"\d", ordinal_text)]
            codes = _day_codes(day_text)
            add(ScheduleRule("MONTHLY", tuple(f"{n}{code}" for code in codes for n in ordinals),
                             interval if monthly else 1))
        elif kind in ("time_range", "time_from"):
            if kind == "time_range":
                opens, closes = _time_range(match)
            else:
                inner = re.match(_TIME, match.group("time_from").strip())
                opens, closes = _time(*inner.group(1, 2, 3, 4, 5)), None
            if opens is None and closes is None:
                unparsed.append(match.group(0))
                continue
            if not rules:
                # Times before any day: they belong to the days that follow.
                leading_times, leading_text = (opens, closes), match.group(0).strip()
            elif open_since == len(rules):
                # A second session on the same days (月曜 10:00〜12:00、13:00〜15:00).
                add(rules[-1].with_times(opens, closes))
            for index in range(open_since, len(rules)):
                rules[index] = rules[index].with_times(opens, closes)
            open_since = len(rules)
    if position < len(normal):
        unparsed.append(normal[position:])
    if leading_times and rules:
        rules = [rule if rule.opens_at else rule.with_times(*leading_times) for rule in rules]
    elif leading_times:
        # Hours with no day fix no date: list them for a person rather than drop them.
        unparsed.append(leading_text)
    if len(normal) == len(original):  # NFKC kept the length: report fragments as the user wrote them
        unparsed = [original[normal.index(u):normal.index(u) + len(u)] if u in normal else u for u in unparsed]
    fragments = tuple(piece for piece in (re.sub(r"^[\s、,。・()（）]+|[\s、,。・()（）]+$", "", u) for u in unparsed)
                      if piece)
    return ParsedSchedule(original, tuple(_merge(rules)), closed_holidays, closed_year_end, per_month, fragments)


def _merge(rules: list[ScheduleRule]) -> list[ScheduleRule]:
    """Join rules that differ only in their days (月・水・金 written as three tokens)."""
    merged: list[ScheduleRule] = []
    for rule in rules:
        for index, other in enumerate(merged):
            if (other.freq, other.interval, other.opens_at, other.closes_at, other.bymonthday) == \
                    (rule.freq, rule.interval, rule.opens_at, rule.closes_at, rule.bymonthday):
                merged[index] = ScheduleRule(other.freq, other.byday + tuple(d for d in rule.byday if d not in other.byday),
                                             other.interval, other.opens_at, other.closes_at, other.bymonthday)
                break
        else:
            merged.append(rule)
    return merged


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


# ----------------------------------------------------------------------------------------------
# Questions the store answers.

@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year)


def _year_end(day: datetime.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def _nth_matches(code: str, day: datetime.date) -> bool:
    ordinal, weekday = int(code[:-2]), code[-2:]
    if WEEKDAY_CODES[day.weekday()] != weekday:
        return False
    if ordinal == -1:
        return (day + datetime.timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 + 1 == ordinal


def _rule_on_date(rule: ScheduleRule, day: datetime.date) -> bool | None:
    """Whether the rule's days include ``day``; None when the interval needs an anchor date."""
    if rule.bymonthday:
        hit = day.day in rule.bymonthday
    elif rule.freq == "WEEKLY":
        hit = WEEKDAY_CODES[day.weekday()] in rule.byday
    else:
        hit = any(_nth_matches(code, day) if code[:-2] else WEEKDAY_CODES[day.weekday()] == code
                  for code in rule.byday)
    if hit and rule.interval != 1:
        return None
    return hit


def is_open(schedule: ParsedSchedule, at: datetime.datetime) -> bool | None:
    """Open at ``at``?  True/False where the rules decide it, None where they cannot."""
    day = at.date()
    if schedule.closed_on_holidays and day in _holidays(day.year):
        return False
    if schedule.closed_year_end and _year_end(day):
        return False
    if not schedule.rules:
        return None
    undecided = False
    for rule in schedule.rules:
        on_day = _rule_on_date(rule, day)
        if on_day is False:
            continue
        if rule.opens_at is not None and rule.closes_at is not None:
            closes = rule.closes_at if rule.closes_at != datetime.time(0, 0) else datetime.time.max
            in_hours = rule.opens_at <= at.time() < closes
        elif rule.opens_at is not None:
            in_hours = None if at.time() >= rule.opens_at else False
        else:
            in_hours = True
        if on_day is True and in_hours is True:
            return True
        if in_hours is not False:
            undecided = True
    return None if undecided or schedule.unparsed else False


def occurs_on_weekday(schedule: ParsedSchedule, weekday: int) -> bool | None:
    """Can the place be open on this weekday (0 = Monday)?  None when the schedule does not say."""
    if not schedule.rules:
        return None
    code = WEEKDAY_CODES[weekday]
    if any(day[-2:] == code for rule in schedule.rules for day in rule.byday):
        return True
    if any(rule.bymonthday for rule in schedule.rules):
        return None  # the 15th falls on every weekday in turn
    return None if schedule.unparsed else False


# ----------------------------------------------------------------------------------------------
# Words for residents.

def _clock(value: datetime.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def _describe_rule(rule: ScheduleRule, lang: str) -> str:
    if rule.bymonthday:
        every = ("毎月 " if rule.interval == 1 else "隔月 ") if lang == "ja" else \
            ("Monthly on the " if rule.interval == 1 else "Every other month on the ")
        text = every + ("・".join(f"{n}日" for n in rule.bymonthday) if lang == "ja"
                        else " and ".join(_EN_ORDINAL.get(n, f"{n}th") for n in rule.bymonthday))
        if rule.opens_at:
            text += (" " if lang == "ja" else ", ") + _clock(rule.opens_at) + ("〜" if lang == "ja" else "–") + \
                (_clock(rule.closes_at) if rule.closes_at else "")
        return text
    days = [d[-2:] for d in rule.byday]
    ordinals = sorted({int(d[:-2]) for d in rule.byday if d[:-2]}, key=lambda n: (n == -1, n))
    unique_days = list(dict.fromkeys(days))
    if lang == "ja":
        if rule.freq == "WEEKLY" and set(unique_days) == set(WEEKDAY_CODES) and rule.interval == 1:
            text = "毎日"
        elif rule.freq == "WEEKLY" and unique_days == list(WEEKDAY_CODES[:5]) and rule.interval == 1:
            text = "平日（月〜金）"
        else:
            names = "・".join(_JA_DAY[d] for d in unique_days) + "曜日"
            if rule.freq == "WEEKLY":
                text = ("毎週 " if rule.interval == 1 else "隔週 ") + names
            else:
                nth = "・".join("最終" if n == -1 else f"第{n}" for n in ordinals)
                text = ("毎月 " if rule.interval == 1 else "隔月 ") + (f"{nth} " if nth else "") + names
        if rule.opens_at:
            text += f" {_clock(rule.opens_at)}〜" + (_clock(rule.closes_at) if rule.closes_at else "")
        return text
    names = " and ".join(_EN_DAY[d] for d in unique_days) if len(unique_days) < 3 else \
        ", ".join(_EN_DAY[d] for d in unique_days[:-1]) + " and " + _EN_DAY[unique_days[-1]]
    if rule.freq == "WEEKLY" and set(unique_days) == set(WEEKDAY_CODES) and rule.interval == 1:
        text = "Every day"
    elif rule.freq == "WEEKLY" and unique_days == list(WEEKDAY_CODES[:5]) and rule.interval == 1:
        text = "Weekdays (Mon–Fri)"
    elif rule.freq == "WEEKLY":
        text = ("Every " if rule.interval == 1 else "Every other week on ") + names
    else:
        nth = " and ".join(_EN_ORDINAL.get(n, f"{n}th") for n in ordinals)
        if rule.interval == 1:
            text = f"{nth} {names} of each month" if nth else f"{names} of each month"
        else:
            text = f"Every other month on the {nth} {names}" if nth else f"Every other month on {names}"
    if rule.opens_at:
        text += f", {_clock(rule.opens_at)}–" + (_clock(rule.closes_at) if rule.closes_at else "")
    return text


def describe(schedule: ParsedSchedule, lang: str = "ja") -> str:
    """The schedule in words a resident reads, in Japanese or English."""
    parts = [_describe_rule(rule, lang) for rule in schedule.rules]
    if schedule.times_per_month and lang == "ja":
        parts.insert(0, f"月{schedule.times_per_month}回")
    elif schedule.times_per_month:
        parts.insert(0, "twice a month" if schedule.times_per_month == 2 else f"{schedule.times_per_month} times a month")
    if not parts:
        return schedule.text
    closures = []
    if schedule.closed_on_holidays:
        closures.append("祝日休み" if lang == "ja" else "closed on public holidays")
    if schedule.closed_year_end:
        closures.append("年末年始休み" if lang == "ja" else "closed 29 Dec–3 Jan")
    text = ("、" if lang == "ja" else "; ").join(parts + closures)
    if schedule.unparsed:
        text += f"（{'、'.join(schedule.unparsed)}）" if lang == "ja" else f" ({', '.join(schedule.unparsed)})"
    return text
