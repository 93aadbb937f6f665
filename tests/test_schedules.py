"""Japanese schedule text → HSDS-shaped recurrence rules, open-at answers and descriptions.

Calendar facts used below, read off a printed calendar (and checked against holidays.Japan()):

    November 2026                 December 2026            January 2027
    Mo Tu We Th Fr Sa Su          Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su
                       1              1  2  3  4  5  6                  1  2  3
     2  3  4  5  6  7  8           7  8  9 10 11 12 13      4  5  6  7  8  9 10
     9 10 11 12 13 14 15          ...                      ...
    16 17 18 19 20 21 22          28 29 30 31
    23 24 25 26 27 28 29
    30

* Wednesdays of November 2026: 4, 11, 18, 25 → the 11th is the 2nd, the 18th the 3rd, the 25th the 4th.
* Thursdays: 5, 12, 19, 26 → the 5th and 19th are the 1st and 3rd.  Mondays: 2, 9, 16, 23, 30.
* Saturdays: 7, 14, 21, 28 → the 21st is the 3rd.  Sundays: 1, 8, 15, 22, 29 → the 29th is the last.
* Public holidays: 2026-11-03 (Tuesday, 文化の日) and 2026-11-23 (Monday, 勤労感謝の日).
* 2026-12-29 is a Tuesday inside 年末年始 (29 Dec – 3 Jan); 2027-01-04 is the Monday after it.
"""

import datetime

import pytest

from geo_welfare.layers.schedules import (WEEKDAY_CODES, ParsedSchedule, ScheduleRule, describe, from_stored, is_open,
                                          occurs_on_weekday, parse_day_type_hours, parse_schedule)

T = datetime.time
R = ScheduleRule
MO_FR = ("MO", "TU", "WE", "TH", "FR")


def at(day: str, clock: str = "10:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{clock}")


def rrules(text, **columns):
    return [rule.to_rrule() for rule in parse_schedule(text, **columns).rules]


def test_weekday_codes():
    assert WEEKDAY_CODES == ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# ----------------------------------------------------------------------------------------------
# Each form the brief names, as RRULE text.

@pytest.mark.parametrize(("text", "expected"), [
    ("毎週火曜", ["FREQ=WEEKLY;BYDAY=TU"]),
    ("毎週火曜日 13:30～15:30", ["FREQ=WEEKLY;BYDAY=TU"]),
    ("火", ["FREQ=WEEKLY;BYDAY=TU"]),  # the bare day letter
    ("第1・第3木曜日 10:00〜12:00", ["FREQ=MONTHLY;BYDAY=1TH,3TH"]),
    ("第２・第４水曜", ["FREQ=MONTHLY;BYDAY=2WE,4WE"]),
    ("第1、第3木曜", ["FREQ=MONTHLY;BYDAY=1TH,3TH"]),
    ("第1と第3木曜", ["FREQ=MONTHLY;BYDAY=1TH,3TH"]),
    ("第1木曜、第2火曜", ["FREQ=MONTHLY;BYDAY=1TH,2TU"]),
    ("毎月第3土曜日 午前10時～12時", ["FREQ=MONTHLY;BYDAY=3SA"]),
    ("月2回", []),
    ("月2回（第1・第3月曜）", ["FREQ=MONTHLY;BYDAY=1MO,3MO"]),
    ("隔週金曜", ["FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"]),
    ("隔月第2火曜", ["FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU"]),
    ("平日", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]),
    ("土日", ["FREQ=WEEKLY;BYDAY=SA,SU"]),
    ("月～金", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]),
    ("月〜金", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]),
    ("月~金", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]),
    ("月-金", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]),
    ("月曜日から金曜日", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]),
    ("月～土曜日", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA"]),
    ("月水金", ["FREQ=WEEKLY;BYDAY=MO,WE,FR"]),
    ("月・水・金", ["FREQ=WEEKLY;BYDAY=MO,WE,FR"]),
    ("月、水、金", ["FREQ=WEEKLY;BYDAY=MO,WE,FR"]),
    ("火と金", ["FREQ=WEEKLY;BYDAY=TU,FR"]),
    ("毎週火・木曜", ["FREQ=WEEKLY;BYDAY=TU,TH"]),
    ("月火水木金土日", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"]),
    ("毎日", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"]),
    ("最終日曜", ["FREQ=MONTHLY;BYDAY=-1SU"]),
    ("毎週月曜 10:00～12:00、第2土曜 13:00～15:00", ["FREQ=WEEKLY;BYDAY=MO", "FREQ=MONTHLY;BYDAY=2SA"]),
    ("10時～12時", ["FREQ=WEEKLY"]),  # hours, days unknown
    ("隔月開催", ["FREQ=MONTHLY;INTERVAL=2"]),  # how often, days unknown
    ("祝日休み", []),
    ("年末年始休み", []),
    ("不定期（要問合せ）", []),
])
def test_rrules(text, expected):
    assert rrules(text) == expected


@pytest.mark.parametrize(("text", "times"), [
    ("毎週火曜日 13:30～15:30", [(T(13, 30), T(15, 30))]),
    ("第1・第3木曜日 10:00〜12:00", [(T(10), T(12))]),
    ("毎月第3土曜日 午前10時～12時", [(T(10), T(12))]),  # 12時 stays noon: it does not take 午前
    ("毎週水曜 午後1時半～3時", [(T(13, 30), T(15))]),  # 3時 reads on from 午後1時半
    ("毎週水曜 午前10時～午後3時", [(T(10), T(15))]),
    ("毎週水曜 10時30分～11時45分", [(T(10, 30), T(11, 45))]),
    ("毎週金曜 １０：００－１１：３０", [(T(10), T(11, 30))]),  # full-width digits, colons and dash
    ("毎週金曜 13:00-15:00", [(T(13), T(15))]),
    ("毎週金曜 10時～12時", [(T(10), T(12))]),
    ("毎週水曜 午後2時から", [(T(14), None)]),
    ("毎週水曜 12時まで", [(None, T(12))]),
    ("10:00～12:00 毎週火曜", [(T(10), T(12))]),  # hours written before the day
    ("毎週月曜 10:00～12:00、第2土曜 13:00～15:00", [(T(10), T(12)), (T(13), T(15))]),
    ("月曜 10:00〜12:00、13:00〜15:00", [(T(10), T(12)), (T(13), T(15))]),  # two sessions, same day
])
def test_times(text, times):
    assert [(rule.opens_at, rule.closes_at) for rule in parse_schedule(text).rules] == times


# ----------------------------------------------------------------------------------------------
# Whole results, field by field.

@pytest.mark.parametrize(("text", "expected"), [
    ("毎週火曜", ParsedSchedule("毎週火曜", (R("WEEKLY", ("TU",)),))),
    ("第２・第４水曜", ParsedSchedule("第２・第４水曜", (R("MONTHLY", ("2WE", "4WE")),))),
    ("月2回", ParsedSchedule("月2回", (), times_per_month=2)),
    ("月２回", ParsedSchedule("月２回", (), times_per_month=2)),
    ("月2回（第1・第3月曜）", ParsedSchedule("月2回（第1・第3月曜）", (R("MONTHLY", ("1MO", "3MO")),), times_per_month=2)),
    ("月2回 10:00〜11:30", ParsedSchedule("月2回 10:00〜11:30", (R("MONTHLY", (), 1, T(10), T(11, 30)),),
                                          times_per_month=2)),
    ("月2回 火曜", ParsedSchedule("月2回 火曜", (R("WEEKLY", ("TU",)),), times_per_month=2)),
    ("隔週金曜", ParsedSchedule("隔週金曜", (R("WEEKLY", ("FR",), 2),))),
    ("隔月第2火曜", ParsedSchedule("隔月第2火曜", (R("MONTHLY", ("2TU",), 2),))),
    ("隔月開催", ParsedSchedule("隔月開催", (R("MONTHLY", (), 2),))),
    ("毎月開催", ParsedSchedule("毎月開催", (R("MONTHLY", ()),))),
    ("10時～12時", ParsedSchedule("10時～12時", (R("WEEKLY", (), 1, T(10), T(12)),))),
    ("13:00-15:00", ParsedSchedule("13:00-15:00", (R("WEEKLY", (), 1, T(13), T(15)),))),
    ("祝日休み", ParsedSchedule("祝日休み", (), closed_on_holidays=True)),
    ("祝日は休み", ParsedSchedule("祝日は休み", (), closed_on_holidays=True)),
    ("祝日を除く", ParsedSchedule("祝日を除く", (), closed_on_holidays=True)),
    ("年末年始休み", ParsedSchedule("年末年始休み", (), closed_year_end=True)),
    ("毎週木曜（祝日休み）", ParsedSchedule("毎週木曜（祝日休み）", (R("WEEKLY", ("TH",)),), closed_on_holidays=True)),
    ("毎週火曜、祝日休み", ParsedSchedule("毎週火曜、祝日休み", (R("WEEKLY", ("TU",)),), closed_on_holidays=True)),
    ("不定期", ParsedSchedule("不定期", (), unparsed=("不定期",))),
    ("要問合せ", ParsedSchedule("要問合せ", (), unparsed=("要問合せ",))),
    ("不定期（要問合せ）", ParsedSchedule("不定期（要問合せ）", (), unparsed=("不定期", "要問合せ"))),
])
def test_parsed(text, expected):
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(("text", "complete"), [
    ("毎週火曜", True),
    ("第1・第3木曜日 10:00〜12:00", True),
    ("月2回（第1・第3月曜）", True),  # the days fix both dates
    ("毎月15日", True),
    ("月2回", False),  # how often, not which days
    ("月2回 火曜", False),  # which two Tuesdays?
    ("隔週金曜", False),  # which weeks? no anchor date
    ("隔月第2火曜", False),
    ("10時～12時", False),  # days unknown
    ("祝日休み", False),  # no rules at all
    ("毎週火曜 不定期", False),  # a fragment not understood
])
def test_complete(text, complete):
    assert parse_schedule(text).complete is complete


def test_empty_input():
    assert parse_schedule(None) == ParsedSchedule("")
    assert parse_schedule("  ", days="", note=" ") == ParsedSchedule("")


# ----------------------------------------------------------------------------------------------
# The standard layout's columns: a real Takamatsu row (地域包括支援センター, 高松市).

TAKAMATSU_NOTE = "国民の祝日に関する法律に規定する休日及び年末年始（12月29日から翌年の1月3日）は終日利用不可。"


def takamatsu():
    return parse_schedule(None, days="月火水木金", start="08:30", end="17:00", note=TAKAMATSU_NOTE)


def test_takamatsu_row_is_understood_whole():
    assert takamatsu() == ParsedSchedule(
        "月火水木金 08:30〜17:00 " + TAKAMATSU_NOTE, (R("WEEKLY", MO_FR, 1, T(8, 30), T(17)),),
        closed_on_holidays=True, closed_year_end=True)
    assert takamatsu().complete
    assert [rule.to_rrule() for rule in takamatsu().rules] == ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]


@pytest.mark.parametrize(("moment", "expected"), [
    (at("2026-11-24", "10:00"), True),    # an ordinary Tuesday
    (at("2026-11-24", "08:30"), True),    # opens at 8:30 …
    (at("2026-11-24", "08:29"), False),
    (at("2026-11-24", "16:59"), True),
    (at("2026-11-24", "17:00"), False),   # … and is closed from 17:00
    (at("2026-11-23", "10:00"), False),   # 勤労感謝の日, a holiday Monday
    (at("2026-11-03", "10:00"), False),   # 文化の日, a holiday Tuesday
    (at("2026-11-28", "10:00"), False),   # Saturday
    (at("2026-11-29", "10:00"), False),   # Sunday
    (at("2026-12-28", "10:00"), True),    # Monday before 年末年始
    (at("2026-12-29", "10:00"), False),   # a Tuesday inside 年末年始
    (at("2027-01-04", "10:00"), True),    # the Monday after it
])
def test_takamatsu_row_open_at(moment, expected):
    assert is_open(takamatsu(), moment) is expected


def test_takamatsu_row_in_words_and_hsds():
    assert describe(takamatsu()) == "平日（月〜金） 8:30〜17:00、祝日休み、年末年始休み"
    assert describe(takamatsu(), "en") == \
        "Weekdays (Mon–Fri), 8:30–17:00; closed on public holidays; closed 29 Dec–3 Jan"
    assert takamatsu().to_hsds() == [{
        "freq": "WEEKLY", "interval": 1, "byday": "MO,TU,WE,TH,FR", "bymonthday": None, "bymonth": None,
        "opens_at": "08:30", "closes_at": "17:00", "wkst": "MO", "description": "月火水木金 08:30〜17:00 " + TAKAMATSU_NOTE,
        "notes": None}]


@pytest.mark.parametrize("note", [
    # Other Takamatsu files write the same closure in these ways.
    "国民の祝日に関する法律に規定する休日及び年末年始（１２月２９日から翌年の１月３日まで）は利用不可。",
    "祝日・年末年始（12/29～1/3）は利用不可",
])
def test_other_takamatsu_notes(note):
    parsed = parse_schedule(None, days="月火水木金", start="08:30", end="17:15", note=note)
    assert (parsed.closed_on_holidays, parsed.closed_year_end, parsed.unparsed) == (True, True, ())


def test_takamatsu_note_with_an_extra_remark():
    parsed = parse_schedule(None, days="月火水木金土日", start="09:00", end="17:00",
                            note="年末年始（12/29～1/3）は利用不可、時間外利用可")
    assert parsed == ParsedSchedule("月火水木金土日 09:00〜17:00 年末年始（12/29～1/3）は利用不可、時間外利用可",
                                    (R("WEEKLY", WEEKDAY_CODES, 1, T(9), T(17)),), closed_year_end=True,
                                    notes=("時間外利用可",))  # a note (it widens the hours), not a fragment unread


def test_a_year_end_period_other_than_29_december_to_3_january_is_shown_not_assumed():
    parsed = parse_schedule("年末年始（12月28日～1月4日）は休み")
    assert (parsed.closed_year_end, parsed.unparsed) == (True, ("12月28日～1月4日",))
    assert is_open(parsed, at("2026-12-29")) is False  # inside 29 Dec – 3 Jan either way
    assert is_open(parsed, at("2026-12-28")) is None   # no rules: no answer beyond the closure
    bare_dates = parse_schedule("12月28日～1月4日休み")
    assert bare_dates == ParsedSchedule("12月28日～1月4日休み", (), unparsed=("12月28日～1月4日休み",))


def test_columns_with_only_one_time():
    opening = parse_schedule(None, days="月～金", start="9:00")
    assert (opening.text, opening.rules) == ("月～金 9:00〜", (R("WEEKLY", MO_FR, 1, T(9), None),))
    closing = parse_schedule(None, days="月～金", end="17:00")
    assert (closing.text, closing.rules) == ("月～金 〜17:00", (R("WEEKLY", MO_FR, 1, None, T(17)),))
    assert is_open(closing, at("2026-11-24", "16:00")) is None   # opening time unknown
    assert is_open(closing, at("2026-11-24", "17:30")) is False  # after closing, surely closed


def test_text_and_columns_together():
    parsed = parse_schedule("毎週火曜", start="10:00", end="12:00", note="祝日休み")
    assert parsed == ParsedSchedule("毎週火曜 10:00〜12:00 祝日休み", (R("WEEKLY", ("TU",), 1, T(10), T(12)),),
                                    closed_on_holidays=True)


# ----------------------------------------------------------------------------------------------
# Closed days written beside the open ones.

@pytest.mark.parametrize(("text", "expected"), [
    ("月～金 8:30～17:15（土日祝日、年末年始を除く）",
     ParsedSchedule("月～金 8:30～17:15（土日祝日、年末年始を除く）", (R("WEEKLY", MO_FR, 1, T(8, 30), T(17, 15)),),
                    closed_on_holidays=True, closed_year_end=True)),
    ("毎日 10:00～16:00（月曜休館）",  # the closed Monday comes out of the rule
     ParsedSchedule("毎日 10:00～16:00（月曜休館）", (R("WEEKLY", ("TU", "WE", "TH", "FR", "SA", "SU"), 1, T(10), T(16)),))),
    ("毎週火曜、土日は休み", ParsedSchedule("毎週火曜、土日は休み", (R("WEEKLY", ("TU",)),))),
    ("毎週火曜 土日は休み", ParsedSchedule("毎週火曜 土日は休み", (R("WEEKLY", ("TU",)),))),
    ("第1・第3木曜、日曜休み", ParsedSchedule("第1・第3木曜、日曜休み", (R("MONTHLY", ("1TH", "3TH")),))),
    ("月火水木金 祝日・年末年始休み",
     ParsedSchedule("月火水木金 祝日・年末年始休み", (R("WEEKLY", MO_FR),), closed_on_holidays=True, closed_year_end=True)),
    # Closed days with no open days named: kept as closed rules (which days are open is not said).
    ("土日祝休み", ParsedSchedule("土日祝休み", (R("WEEKLY", ("SA", "SU"), closed=True),), closed_on_holidays=True)),
    ("月水金、祝日休み", ParsedSchedule("月水金、祝日休み", (), closed_on_holidays=True, unparsed=("月水金、祝日休み",))),
    ("第2・第4土曜休館", ParsedSchedule("第2・第4土曜休館", (R("MONTHLY", ("2SA", "4SA"), closed=True),))),
    ("祝日も開館、月曜休館", ParsedSchedule("祝日も開館、月曜休館", (R("WEEKLY", ("MO",), closed=True),))),
])
def test_closed_days(text, expected):
    assert parse_schedule(text) == expected


def test_closed_days_on_dates():
    salon = parse_schedule("毎週火曜 10:00〜12:00（祝日休み）")
    assert is_open(salon, at("2026-11-03")) is False  # 文化の日, a Tuesday
    assert is_open(salon, at("2026-11-10")) is True
    assert is_open(parse_schedule("毎週火曜（祝日休み）"), at("2026-11-10")) is None  # the day, but no hours
    centre = parse_schedule("月～金 8:30～17:15（土日祝日、年末年始を除く）")
    assert [is_open(centre, at(day)) for day in ("2026-11-23", "2026-11-24", "2026-11-28", "2026-12-29")] == \
        [False, True, False, False]
    museum = parse_schedule("毎日 10:00～16:00（月曜休館）")
    assert [is_open(museum, at(day, "11:00")) for day in ("2026-11-30", "2026-11-29")] == [False, True]


# ----------------------------------------------------------------------------------------------
# Nothing guessed: what is not understood is listed as written.

@pytest.mark.parametrize(("text", "rules", "unparsed"), [
    ("平日の日中", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"], ("日中",)),             # nor 日中
    ("毎週火曜 4月から", ["FREQ=WEEKLY;BYDAY=TU"], ("4月から",)),                # 4月 is not Monday
    ("最終日", [], ("最終日",)),                                              # the last day, not the last Sunday
    ("土曜日は施設の指定する日のみ", ["FREQ=WEEKLY;BYDAY=SA"], ("施設の指定する日のみ",)),
    ("毎週火曜　１時半～３時", ["FREQ=WEEKLY;BYDAY=TU"], ("１時半～３時",)),         # 1時半: afternoon or night?
    ("毎週火曜 10:00～3:00", ["FREQ=WEEKLY;BYDAY=TU"], ("10:00～3:00",)),         # closes before it opens
    ("毎週火曜 25:00～26:00", ["FREQ=WEEKLY;BYDAY=TU"], ("25:00～26:00",)),
])
def test_unparsed_verbatim(text, rules, unparsed):
    parsed = parse_schedule(text)
    assert ([rule.to_rrule() for rule in parsed.rules], parsed.unparsed) == (rules, unparsed)
    assert not parsed.complete


# ----------------------------------------------------------------------------------------------
# Open at a given moment.

@pytest.mark.parametrize(("text", "moment", "expected"), [
    ("第2・第4水曜 10:00〜12:00", at("2026-11-11", "10:30"), True),   # 2nd Wednesday
    ("第2・第4水曜 10:00〜12:00", at("2026-11-25", "11:59"), True),   # 4th Wednesday
    ("第2・第4水曜 10:00〜12:00", at("2026-11-18", "10:30"), False),  # 3rd Wednesday
    ("第2・第4水曜 10:00〜12:00", at("2026-11-04", "10:30"), False),  # 1st Wednesday
    ("第2・第4水曜 10:00〜12:00", at("2026-11-11", "12:00"), False),  # closing time
    ("第2・第4水曜 10:00〜12:00", at("2026-11-11", "09:59"), False),
    ("第1・第3木曜日", at("2026-11-05", "20:00"), None),  # no times: the day, not the hours (was True: a guess)
    ("第1・第3木曜日", at("2026-11-12"), False),
    ("第1・第3木曜日", at("2026-11-19"), None),
    ("第1・第3木曜日 10:00〜12:00", at("2026-11-19", "11:00"), True),
    ("第1・第3木曜日", at("2026-11-26"), False),
    ("毎月第3土曜日 午前10時～12時", at("2026-11-21", "11:00"), True),
    ("毎月第3土曜日 午前10時～12時", at("2026-11-14", "11:00"), False),
    ("最終日曜", at("2026-11-29"), None),
    ("最終日曜 13:00〜15:00", at("2026-11-29", "14:00"), True),
    ("最終日曜", at("2026-11-22"), False),
    ("月2回（第1・第3月曜） 10:00〜11:30", at("2026-11-02"), True),
    ("月2回（第1・第3月曜） 10:00〜11:30", at("2026-11-16"), True),
    ("月2回（第1・第3月曜）", at("2026-11-16"), None),
    ("月2回（第1・第3月曜）", at("2026-11-09"), False),
    ("毎週月曜 10:00～12:00、第2土曜 13:00～15:00", at("2026-11-09", "11:00"), True),
    ("毎週月曜 10:00～12:00、第2土曜 13:00～15:00", at("2026-11-09", "14:00"), False),
    ("毎週月曜 10:00～12:00、第2土曜 13:00～15:00", at("2026-11-14", "14:00"), True),
    ("毎週月曜 10:00～12:00、第2土曜 13:00～15:00", at("2026-11-21", "14:00"), False),
    ("月曜 10:00〜12:00、13:00〜15:00", at("2026-11-09", "12:30"), False),  # the lunch break
    ("月曜 10:00〜12:00、13:00〜15:00", at("2026-11-09", "13:30"), True),
    ("毎月15日 10:00〜12:00", at("2026-11-15", "11:00"), True),   # a Sunday, but the 15th
    ("毎月15日 10:00〜12:00", at("2026-11-22", "11:00"), False),
    ("毎週月曜（祝日休み）", at("2026-11-23"), False),              # 勤労感謝の日
    ("毎週月曜 9:00〜12:00", at("2026-11-23"), True),                 # holidays not mentioned: open
    # Undecidable: None, never a guess.
    ("月2回", at("2026-11-11"), None),
    ("月2回 火曜", at("2026-11-10"), None),                        # one of the two Tuesdays?
    ("月2回 火曜", at("2026-11-11"), False),                       # surely not a Wednesday
    ("隔週金曜", at("2026-11-27"), None),                          # a Friday: which week is unknown
    ("隔週金曜", at("2026-11-26"), False),                         # a Thursday: surely closed
    ("隔月第2火曜", at("2026-11-10"), None),                       # 2nd Tuesday: which months?
    ("隔月第2火曜", at("2026-11-17"), False),                      # 3rd Tuesday
    ("10時～12時", at("2026-11-24", "11:00"), None),               # hours known, days not
    ("10時～12時", at("2026-11-24", "13:00"), False),              # … but not at 13:00 on any day
    ("月2回 10:00〜11:30", at("2026-11-24", "12:00"), False),
    ("不定期（要問合せ）", at("2026-11-24"), None),
    ("毎週火曜（祝日の場合は翌日）", at("2026-11-11"), False),  # a Wednesday after a plain Tuesday (was None)
    ("毎週火曜　１時半～３時", at("2026-11-10", "14:00"), None),       # the hours were not understood
    ("祝日休み", at("2026-11-23"), False),                         # a closure alone still answers holidays
    ("祝日休み", at("2026-11-24"), None),
])
def test_is_open(text, moment, expected):
    assert is_open(parse_schedule(text), moment) is expected


@pytest.mark.parametrize(("text", "weekday", "expected"), [
    ("第2・第4水曜", 2, True),
    ("第2・第4水曜", 1, False),
    ("隔週金曜", 4, True),  # can fall on Fridays
    ("月～金", 5, False),
    ("毎日 10:00～16:00（月曜休館）", 0, False),
    ("毎日 10:00～16:00（月曜休館）", 6, True),
    ("月2回", 1, None),
    ("10時～12時", 1, None),
    ("毎月15日", 6, None),  # the 15th falls on every weekday in turn
    ("不定期（要問合せ）", 1, None),
    ("毎週火曜（祝日の場合は翌日）", 2, None),  # the Wednesday after a holiday
])
def test_occurs_on_weekday(text, weekday, expected):
    assert occurs_on_weekday(parse_schedule(text), weekday) is expected


# ----------------------------------------------------------------------------------------------
# Words for residents.

@pytest.mark.parametrize(("text", "ja", "en"), [
    ("第1・第3木曜日 10:00〜12:00", "毎月 第1・第3 木曜日 10:00〜12:00", "1st and 3rd Thursday of each month, 10:00–12:00"),
    ("毎週火曜", "毎週 火曜日", "Every Tuesday"),
    ("毎週火曜日 13:30～15:30", "毎週 火曜日 13:30〜15:30", "Every Tuesday, 13:30–15:30"),
    ("隔週金曜", "隔週 金曜日", "Every other week on Friday"),
    ("隔月第2火曜", "隔月 第2 火曜日", "Every other month on the 2nd Tuesday"),
    ("月水金", "毎週 月・水・金曜日", "Every Monday, Wednesday and Friday"),
    ("土日", "毎週 土・日曜日", "Every Saturday and Sunday"),
    ("平日", "平日（月〜金）", "Weekdays (Mon–Fri)"),
    ("毎日", "毎日", "Every day"),
    ("最終日曜", "毎月 最終 日曜日", "Last Sunday of each month"),
    ("第1木曜、第2火曜", "毎月 第1 木曜日・第2 火曜日", "1st Thursday and 2nd Tuesday of each month"),
    ("月2回", "月2回", "Twice a month"),
    ("月2回 10:00〜11:30", "月2回 10:00〜11:30", "Twice a month, 10:00–11:30"),
    ("月2回 火曜", "月2回 火曜日", "Twice a month on Tuesday"),
    ("月2回（第1・第3月曜）", "毎月 第1・第3 月曜日", "1st and 3rd Monday of each month"),
    ("隔月開催", "隔月", "Every other month"),
    ("10時～12時", "10:00〜12:00", "10:00–12:00"),
    ("毎週月曜 10:00～12:00、第2土曜 13:00～15:00", "毎週 月曜日 10:00〜12:00、毎月 第2 土曜日 13:00〜15:00",
     "Every Monday, 10:00–12:00; 2nd Saturday of each month, 13:00–15:00"),
    ("月曜 10:00〜12:00、13:00〜15:00", "毎週 月曜日 10:00〜12:00・13:00〜15:00",
     "Every Monday, 10:00–12:00 and 13:00–15:00"),
    ("毎週木曜（祝日休み）", "毎週 木曜日、祝日休み", "Every Thursday; closed on public holidays"),
    ("祝日休み", "祝日休み", "Closed on public holidays"),
    ("毎週火曜（祝日の場合は翌日）", "毎週 火曜日、祝日の場合は翌日",
     "Every Tuesday; moved to the next day after a public holiday"),
    ("不定期（要問合せ）", "不定期（要問合せ）", "不定期（要問合せ）"),  # nothing understood: the text itself
])
def test_describe(text, ja, en):
    parsed = parse_schedule(text)
    assert (describe(parsed), describe(parsed, "ja"), describe(parsed, "en")) == (ja, ja, en)


def test_describe_standard_columns():
    parsed = parse_schedule(None, days="月火水木金", start="08:30", end="17:00", note="祝日・年末年始休み")
    assert describe(parsed) == "平日（月〜金） 8:30〜17:00、祝日休み、年末年始休み"
    assert describe(parsed, "en") == "Weekdays (Mon–Fri), 8:30–17:00; closed on public holidays; closed 29 Dec–3 Jan"


# ----------------------------------------------------------------------------------------------
# HSDS and the store.

def test_rule_as_rrule_and_hsds():
    rule = R("WEEKLY", ("TU",), 2, T(13, 30), T(15))
    assert rule.to_rrule() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    assert rule.to_hsds() == {"freq": "WEEKLY", "interval": 2, "byday": "TU", "bymonthday": None, "bymonth": None,
                              "opens_at": "13:30", "closes_at": "15:00", "wkst": "MO"}
    assert R("MONTHLY", (), 2).to_hsds() == {"freq": "MONTHLY", "interval": 2, "byday": None, "bymonthday": None,
                                             "bymonth": None, "opens_at": None, "closes_at": None, "wkst": "MO"}


def test_schedule_as_hsds():
    assert parse_schedule("第1・第3木曜日 10:00〜12:00").to_hsds() == [{
        "freq": "MONTHLY", "interval": 1, "byday": "1TH,3TH", "bymonthday": None, "bymonth": None, "opens_at": "10:00",
        "closes_at": "12:00", "wkst": "MO", "description": "第1・第3木曜日 10:00〜12:00", "notes": None}]
    two = parse_schedule("毎週月曜 10:00～12:00、第2土曜 13:00～15:00").to_hsds()
    assert [(d["byday"], d["opens_at"], d["description"]) for d in two] == [
        ("MO", "10:00", "毎週月曜 10:00～12:00、第2土曜 13:00～15:00"),
        ("2SA", "13:00", "毎週月曜 10:00～12:00、第2土曜 13:00～15:00")]


@pytest.mark.parametrize("text", ["毎週月曜 10:00～12:00、第2土曜 13:00～15:00", "月2回 10:00〜11:30",
                                  "毎月1日・15日", "毎週火曜（祝日の場合は翌日）", "不定期（要問合せ）"])
def test_stored_rules_rebuild_the_same_schedule(text):
    parsed = parse_schedule(text)
    assert from_stored(parsed.to_stored(), text=parsed.text,
                       closed_on_holidays=parsed.closed_on_holidays, closed_year_end=parsed.closed_year_end,
                       times_per_month=parsed.times_per_month, unparsed="；".join(parsed.unparsed)) == parsed
    stored = takamatsu()
    assert from_stored(stored.to_stored(), text=stored.text, closed_on_holidays=True,
                       closed_year_end=True) == stored


# ----------------------------------------------------------------------------------------------
# Days of the month and odd/even months: once misread as Sunday/Monday.

@pytest.mark.parametrize(("text", "expected", "ja", "en"), [
    ("毎月15日 10:00〜12:00", ["FREQ=MONTHLY;BYMONTHDAY=15"], "毎月 15日 10:00〜12:00", "Monthly on the 15th, 10:00–12:00"),
    ("毎月1日・15日", ["FREQ=MONTHLY;BYMONTHDAY=1,15"], "毎月 1日・15日", "Monthly on the 1st and 15th"),
    ("奇数月の第2火曜", ["FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU"], "隔月 第2 火曜日", "Every other month on the 2nd Tuesday"),
])
def test_days_of_the_month_and_odd_months(text, expected, ja, en):
    parsed = parse_schedule(text)
    assert rrules(text) == expected
    assert parsed.unparsed == ()
    assert (describe(parsed), describe(parsed, "en")) == (ja, en)


def test_day_of_month_in_hsds():
    assert parse_schedule("毎月15日 10:00〜12:00").to_hsds()[0]["bymonthday"] == "15"


# ----------------------------------------------------------------------------------------------
# Schedules as real lists write them (issue 10): per-day hours, holidays, months, closed days, notes.
# Calendar: 2026-12-06 and 2026-11-29 are Sundays; 2026-08-04 and 2026-11-10 Tuesdays; 2026-11-23 a
# holiday Monday, 11-24 the Tuesday after it; 2026-04-05 / 04-19 the 1st / 3rd Sundays of April.

def test_a_sunday_note_changes_sunday_alone():
    parsed = parse_schedule(None, days="月火水木金土日", start="09:00", end="22:00", note="日曜日は17:00まで")
    assert parsed.rules == (R("WEEKLY", WEEKDAY_CODES[:6], 1, T(9), T(22)), R("WEEKLY", ("SU",), 1, T(9), T(17)))
    assert is_open(parsed, at("2026-12-06", "18:00")) is False  # was True: the wrong "open"
    assert is_open(parsed, at("2026-12-06", "16:59")) is True
    assert is_open(parsed, at("2026-12-05", "21:00")) is True


def test_the_session_moves_to_the_day_after_a_holiday():
    parsed = parse_schedule("毎週月曜日 10:00〜12:00（祝日の場合は翌日）")
    assert parsed.rules == (R("WEEKLY", ("MO",), 1, T(10), T(12), if_holiday="next_day"),)
    assert [is_open(parsed, at(day, "11:00")) for day in ("2026-11-23", "2026-11-24", "2026-11-17", "2026-11-30")] \
        == [False, True, False, True]
    assert (occurs_on_weekday(parsed, 0), occurs_on_weekday(parsed, 1), occurs_on_weekday(parsed, 2)) == \
        (True, None, False)


def test_months_out_and_seasons_are_rules_of_their_own():
    august = parse_schedule("毎週火・金曜日 10:00〜12:00（8月は休み）")
    assert [rule.to_rrule() for rule in august.rules] == ["FREQ=WEEKLY;BYDAY=TU,FR;BYMONTH=1,2,3,4,5,6,7,9,10,11,12"]
    assert (is_open(august, at("2026-08-04", "11:00")), is_open(august, at("2026-11-10", "11:00"))) == (False, True)
    seasons = parse_schedule("4月～9月 第1日曜日、10月～3月 第3日曜日")
    assert [rule.to_rrule() for rule in seasons.rules] == ["FREQ=MONTHLY;BYDAY=1SU;BYMONTH=4,5,6,7,8,9",
                                                           "FREQ=MONTHLY;BYDAY=3SU;BYMONTH=10,11,12,1,2,3"]
    assert is_open(seasons, at("2026-04-19")) is False  # the 3rd Sunday, but in summer: never merged
    assert seasons.to_hsds()[0]["bymonth"] == "4,5,6,7,8,9"


def test_fifth_week_closed_and_closed_rules():
    parsed = parse_schedule("毎週水曜 10:00〜11:30 第5週は休み")
    assert parsed.rules == (R("WEEKLY", ("WE",), 1, T(10), T(11, 30)), R("MONTHLY", ("5WE",), closed=True))
    assert (is_open(parsed, at("2026-12-30", "10:30")), is_open(parsed, at("2026-12-23", "10:30"))) == (False, True)
    assert [d["byday"] for d in parsed.to_hsds()] == ["WE"]  # HSDS carries open rules; the text the closure
    assert len(parsed.to_stored()) == 2 and parsed.to_stored()[1]["closed"] is True


def test_no_closed_days_and_closed_days_columns():
    assert parse_schedule("無休").rules == (R("WEEKLY", WEEKDAY_CODES),)
    column = parse_schedule("月～金 9:00～17:00", closed_days="土日祝、年末年始")
    assert column == ParsedSchedule("月～金 9:00～17:00 定休日：土日祝、年末年始", (R("WEEKLY", MO_FR, 1, T(9), T(17)),),
                                    closed_on_holidays=True, closed_year_end=True)
    alone = parse_schedule(None, closed_days="土曜日、日曜日、祝日")
    assert alone.rules == (R("WEEKLY", ("SA", "SU"), closed=True),)
    assert (is_open(alone, at("2026-11-28")), is_open(alone, at("2026-11-24"))) == (False, None)
    assert occurs_on_weekday(alone, 5) is False


def test_a_time_in_a_closed_days_column_is_a_problem_not_an_opening():
    parsed = parse_schedule(None, closed_days="土曜日 13:00～17:00")
    assert (parsed.open_rules, parsed.unparsed) == ((), ("13:00～17:00",))
    assert is_open(parsed, at("2026-11-28", "14:00")) is False  # closed: the column names Saturday closed


@pytest.mark.parametrize(("text", "notes"), [
    ("毎週月曜 10:00〜12:00 雨天中止", ("雨天中止",)),
    ("毎週月曜 10:00〜12:00（会場の都合により変更・中止あり）", ("会場の都合により変更・中止あり",)),
])
def test_conditions_are_notes_not_unknowns(text, notes):
    parsed = parse_schedule(text)
    assert (parsed.notes, parsed.unparsed) == (notes, ())
    assert is_open(parsed, at("2026-11-09", "11:00")) is True  # held unless called off
    assert is_open(parsed, at("2026-11-11", "11:00")) is False


@pytest.mark.parametrize(("text", "moment", "expected"), [
    # A fragment not understood never invents a day: Mondays only means closed on Wednesday …
    ("毎週月曜 10:00〜12:00 参加費100円", at("2026-11-11", "11:00"), False),
    # … but it may close the place or change its hours on the days it names.
    ("毎週月曜 10:00〜12:00 参加費100円", at("2026-11-09", "11:00"), None),
    ("毎週月曜 10:00〜12:00 参加費100円", at("2026-11-09", "13:00"), None),
    # A fragment that may name days (不定期, another week) leaves other days open.
    ("毎週月曜 10:00〜12:00 ほか不定期", at("2026-11-11", "11:00"), None),
    # 時間外利用可: outside the hours is not surely closed.
    ("毎日 9:00〜18:00 時間外利用可", at("2026-11-11", "19:00"), None),
    ("毎日 9:00〜18:00 時間外利用可", at("2026-11-11", "10:00"), True),
    # 午後 alone: opens at noon, closing not said.
    ("第1水曜日 午後", at("2026-11-04", "10:00"), False),
    ("第1水曜日 午後", at("2026-11-04", "13:00"), None),
    # 24時間: the whole day.
    ("毎日 24時間", at("2026-11-11", "03:00"), True),
])
def test_open_where_the_text_says_so_only(text, moment, expected):
    assert is_open(parse_schedule(text), moment) is expected


def test_day_type_columns_of_the_national_layouts():
    parsed = parse_day_type_hours(weekday="08:30～17:30", saturday="08:30～12:30", sunday=None, holiday=None,
                                  closed_days="日曜日、祝日、12月29日～1月3日", note=None)
    assert parsed.rules == (R("WEEKLY", MO_FR, 1, T(8, 30), T(17, 30)), R("WEEKLY", ("SA",), 1, T(8, 30), T(12, 30)))
    assert (parsed.closed_on_holidays, parsed.closed_year_end, parsed.unparsed) == (True, True, ())
    assert [is_open(parsed, at(day, "11:00")) for day in ("2026-11-28", "2026-11-29", "2026-11-23", "2026-12-29")] \
        == [True, False, False, False]
    # Hours on Saturday, but 定休日 names Saturday: closed wins.
    closed = parse_day_type_hours(weekday="9:00～18:00", saturday="9:00～18:00", sunday=None, holiday=None,
                                  closed_days="土曜日", note=None)
    assert is_open(closed, at("2026-11-28", "10:00")) is False
    # No 祝日 cell and holidays not closed: the list does not say.
    unsaid = parse_day_type_hours(weekday="9:00～18:00", saturday=None, sunday=None, holiday="", closed_days="なし",
                                  note=None)
    assert (is_open(unsaid, at("2026-11-23", "10:00")), is_open(unsaid, at("2026-11-24", "10:00"))) == (None, True)
    # 24時間 every day type, holidays included.
    always = parse_day_type_hours(weekday="24時間", saturday="24時間", sunday="24時間", holiday="24時間",
                                  closed_days="なし", note=None)
    assert all(is_open(always, at(day, "03:00")) for day in ("2026-11-23", "2026-11-24", "2026-11-29"))
    # A cell that is more than hours is shown, not guessed.
    odd = parse_day_type_hours(weekday="8:30～17:30（土曜は午前中）", saturday=None, sunday=None, holiday=None,
                               closed_days=None, note=None)
    assert (odd.open_rules, odd.unparsed) == ((), ("8:30～17:30（土曜は午前中）",))


@pytest.mark.parametrize(("text", "ja", "en"), [
    ("毎週月曜日（祝日の場合は翌日）", "毎週 月曜日、祝日の場合は翌日", "Every Monday; moved to the next day after a public holiday"),
    ("毎週火・金曜日（8月は休み）", "8月を除く 毎週 火・金曜日", "Except in months 8 every Tuesday and Friday"),
    ("土日祝休み", "毎週 土・日曜日休み、祝日休み", "Closed every Saturday and Sunday; closed on public holidays"),
    ("毎週月曜 10:00〜12:00 雨天中止", "毎週 月曜日 10:00〜12:00（雨天中止）", "Every Monday, 10:00–12:00 (雨天中止)"),
])
def test_describe_the_new_parts(text, ja, en):
    parsed = parse_schedule(text)
    assert (describe(parsed), describe(parsed, "en")) == (ja, en)
