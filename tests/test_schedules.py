"""Japanese schedule text → HSDS-shaped recurrence rules.

Calendar facts used below, checked by hand against a 2026 calendar:
2026-11-01 is a Sunday, so November's Wednesdays are the 4th, 11th, 18th and 25th (the 11th is the
2nd Wednesday, the 25th the 4th) and its Thursdays the 5th, 12th, 19th and 26th (the 5th and 19th are
the 1st and 3rd).  2026-11-23 (Monday) is 勤労感謝の日, a public holiday; 2026-11-24 is a Tuesday.
2026-11-29 is the last Sunday of November.
"""

import datetime

import pytest

from layers.schedules import describe, is_open, occurs_on_weekday, parse_schedule

T = datetime.time


def rrules(text, **columns):
    return [rule.to_rrule() for rule in parse_schedule(text, **columns).rules]


@pytest.mark.parametrize(("text", "expected"), [
    ("毎週火曜", ["FREQ=WEEKLY;BYDAY=TU"]),
    ("毎週火曜日 13:30～15:30", ["FREQ=WEEKLY;BYDAY=TU"]),
    ("第1・第3木曜日 10:00〜12:00", ["FREQ=MONTHLY;BYDAY=1TH,3TH"]),
    ("第２・第４水曜", ["FREQ=MONTHLY;BYDAY=2WE,4WE"]),
    ("毎月第3土曜日 午前10時～12時", ["FREQ=MONTHLY;BYDAY=3SA"]),
    ("月2回（第1・第3月曜）", ["FREQ=MONTHLY;BYDAY=1MO,3MO"]),
    ("隔週金曜", ["FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"]),
    ("隔月第2火曜", ["FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU"]),
    ("平日", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]),
    ("土日", ["FREQ=WEEKLY;BYDAY=SA,SU"]),
    ("月～金", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]),
    ("月水金", ["FREQ=WEEKLY;BYDAY=MO,WE,FR"]),
    ("毎日", ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"]),
    ("最終日曜", ["FREQ=MONTHLY;BYDAY=-1SU"]),
    ("毎週月曜 10:00～12:00、第2土曜 13:00～15:00", ["FREQ=WEEKLY;BYDAY=MO", "FREQ=MONTHLY;BYDAY=2SA"]),
    ("月2回", []),
    ("不定期（要問合せ）", []),
])
def test_rules(text, expected):
    assert rrules(text) == expected


@pytest.mark.parametrize(("text", "opens", "closes"), [
    ("毎週火曜日 13:30～15:30", T(13, 30), T(15, 30)),
    ("第1・第3木曜日 10:00〜12:00", T(10, 0), T(12, 0)),
    ("毎月第3土曜日 午前10時～12時", T(10, 0), T(12, 0)),
    ("毎週水曜 午後1時半～3時", T(13, 30), T(15, 0)),
    ("毎週水曜 午後2時から", T(14, 0), None),
    ("毎週金曜 １０：００－１１：３０", T(10, 0), T(11, 30)),
])
def test_times(text, opens, closes):
    (rule,) = parse_schedule(text).rules
    assert (rule.opens_at, rule.closes_at) == (opens, closes)


def test_two_clauses_keep_their_own_times():
    first, second = parse_schedule("毎週月曜 10:00～12:00、第2土曜 13:00～15:00").rules
    assert (first.opens_at, first.closes_at, second.opens_at, second.closes_at) == (T(10), T(12), T(13), T(15))


def test_unparsed_fragments_are_listed_verbatim_not_guessed():
    parsed = parse_schedule("不定期（要問合せ）")
    assert parsed.unparsed == ("不定期", "要問合せ")
    assert parsed.rules == () and not parsed.complete
    assert parse_schedule("10時～12時").unparsed == ("10時～12時",)  # hours without a day fix no date


def test_times_per_month_without_days():
    parsed = parse_schedule("月2回")
    assert (parsed.times_per_month, parsed.rules, parsed.unparsed, parsed.complete) == (2, (), (), False)
    assert is_open(parsed, datetime.datetime(2026, 11, 11, 10)) is None


def test_hsds_shape():
    parsed = parse_schedule("第1・第3木曜日 10:00〜12:00")
    assert parsed.to_hsds() == [{"freq": "MONTHLY", "interval": 1, "byday": "1TH,3TH", "bymonthday": None,
                                 "opens_at": "10:00",
                                 "closes_at": "12:00", "wkst": "MO", "description": "第1・第3木曜日 10:00〜12:00"}]
    assert parsed.complete


TAKAMATSU_NOTE = "国民の祝日に関する法律に規定する休日及び年末年始（12月29日から翌年の1月3日）は終日利用不可。"


def test_standard_layout_columns_of_a_real_takamatsu_row():
    parsed = parse_schedule(None, days="月火水木金", start="08:30", end="17:00", note=TAKAMATSU_NOTE)
    assert [r.to_rrule() for r in parsed.rules] == ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]
    assert (parsed.rules[0].opens_at, parsed.rules[0].closes_at) == (T(8, 30), T(17, 0))
    assert parsed.closed_on_holidays and parsed.closed_year_end and parsed.unparsed == ()
    assert parsed.text == "月火水木金 08:30〜17:00 " + TAKAMATSU_NOTE
    assert is_open(parsed, datetime.datetime(2026, 11, 23, 10)) is False  # 勤労感謝の日
    assert is_open(parsed, datetime.datetime(2026, 11, 24, 10)) is True
    assert is_open(parsed, datetime.datetime(2026, 11, 24, 17, 0)) is False  # closes at 17:00
    assert is_open(parsed, datetime.datetime(2026, 11, 24, 8, 29)) is False
    assert is_open(parsed, datetime.datetime(2026, 12, 29, 10)) is False  # a Tuesday in 年末年始
    assert is_open(parsed, datetime.datetime(2026, 11, 28, 10)) is False  # Saturday


def test_open_on_the_second_wednesday_morning():
    parsed = parse_schedule("第2・第4水曜 10:00〜12:00")
    assert is_open(parsed, datetime.datetime(2026, 11, 11, 10, 30)) is True   # 2nd Wednesday
    assert is_open(parsed, datetime.datetime(2026, 11, 25, 11, 59)) is True   # 4th Wednesday
    assert is_open(parsed, datetime.datetime(2026, 11, 18, 10, 30)) is False  # 3rd Wednesday
    assert is_open(parsed, datetime.datetime(2026, 11, 11, 13, 0)) is False   # afternoon


def test_nth_and_last_weekdays():
    first_third = parse_schedule("第1・第3木曜日")
    assert [is_open(first_third, datetime.datetime(2026, 11, d, 10)) for d in (5, 12, 19, 26)] == \
        [True, False, True, False]
    last_sunday = parse_schedule("最終日曜")
    assert is_open(last_sunday, datetime.datetime(2026, 11, 29, 10)) is True
    assert is_open(last_sunday, datetime.datetime(2026, 11, 22, 10)) is False


def test_every_other_week_needs_an_anchor_date():
    parsed = parse_schedule("隔週金曜")
    assert is_open(parsed, datetime.datetime(2026, 11, 27, 10)) is None  # a Friday: which week is unknown
    assert is_open(parsed, datetime.datetime(2026, 11, 26, 10)) is False  # a Thursday: surely closed
    assert not parsed.complete


def test_occurs_on_weekday():
    assert occurs_on_weekday(parse_schedule("第2・第4水曜"), 2) is True
    assert occurs_on_weekday(parse_schedule("第2・第4水曜"), 1) is False
    assert occurs_on_weekday(parse_schedule("月2回"), 1) is None


@pytest.mark.parametrize(("text", "ja", "en"), [
    ("第1・第3木曜日 10:00〜12:00", "毎月 第1・第3 木曜日 10:00〜12:00",
     "1st and 3rd Thursday of each month, 10:00–12:00"),
    ("毎週火曜", "毎週 火曜日", "Every Tuesday"),
    ("隔週金曜", "隔週 金曜日", "Every other week on Friday"),
    ("隔月第2火曜", "隔月 第2 火曜日", "Every other month on the 2nd Tuesday"),
    ("月水金", "毎週 月・水・金曜日", "Every Monday, Wednesday and Friday"),
    ("月2回", "月2回", "twice a month"),
    ("不定期（要問合せ）", "不定期（要問合せ）", "不定期（要問合せ）"),
])
def test_describe(text, ja, en):
    parsed = parse_schedule(text)
    assert describe(parsed, "ja") == ja
    assert describe(parsed, "en") == en


def test_describe_standard_columns():
    parsed = parse_schedule(None, days="月火水木金", start="08:30", end="17:00", note="祝日・年末年始休み")
    assert describe(parsed) == "平日（月〜金） 8:30〜17:00、祝日休み、年末年始休み"
    assert describe(parsed, "en") == "Weekdays (Mon–Fri), 8:30–17:00; closed on public holidays; closed 29 Dec–3 Jan"


# Two forms found by the demo-town helper that were misread: the 日 of 15日 as Sunday, the 月 of 奇数月 as Monday.
@pytest.mark.parametrize(("text", "expected", "ja", "en"), [
    ("毎月15日 10:00〜12:00", ["FREQ=MONTHLY;BYMONTHDAY=15"], "毎月 15日 10:00〜12:00",
     "Monthly on the 15th, 10:00–12:00"),
    ("毎月1日・15日", ["FREQ=MONTHLY;BYMONTHDAY=1,15"], "毎月 1日・15日", "Monthly on the 1st and 15th"),
    ("奇数月の第2火曜", ["FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU"], "隔月 第2 火曜日", "Every other month on the 2nd Tuesday"),
])
def test_days_of_the_month_and_odd_months(text, expected, ja, en):
    parsed = parse_schedule(text)
    assert rrules(text) == expected
    assert parsed.unparsed == ()
    assert (describe(parsed), describe(parsed, "en")) == (ja, en)


def test_day_of_month_answers():
    parsed = parse_schedule("毎月15日 10:00〜12:00")
    assert is_open(parsed, datetime.datetime(2026, 11, 15, 11)) is True   # a Sunday, but the 15th
    assert is_open(parsed, datetime.datetime(2026, 11, 22, 11)) is False  # another Sunday
    assert occurs_on_weekday(parsed, 6) is None  # the 15th falls on every weekday in turn
    assert parsed.to_hsds()[0]["bymonthday"] == "15"
