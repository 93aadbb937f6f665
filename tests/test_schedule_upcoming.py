"""The next dates a place meets (:func:`geo_welfare.layers.schedules.next_sessions`).

Expected dates are read off the calendar by hand (2026-12-01 is a Tuesday; 2026-12-08 the 2nd
Tuesday; 2027-01-01 元日, 01-11 成人の日 (2nd Monday), 2026-11-03 文化の日 and 11-23 勤労感謝の日;
2027-02-11 建国記念の日 is a Thursday), never from the code.  The corpus check asks every session
the function gives of :func:`is_open`, the module it must agree with.
"""

from __future__ import annotations

import datetime

import pytest

from geo_welfare.layers.schedules import is_open, next_sessions, parse_schedule, undated_reason
from geo_welfare.layers.schedules.grammar import WIDENS_HOURS
from helpers import parse_corpus_entry, schedule_corpus

CORPUS = schedule_corpus()
NOW = datetime.datetime(2026, 12, 2, 9, 0)  # Wednesday 2 December 2026, 09:00 JST
D, T = datetime.date, datetime.time




@pytest.mark.parametrize(("text", "after", "expected"), [
    ("毎週水曜日 13:00~16:00", NOW, [(D(2026, 12, 2), T(13), T(16)), (D(2026, 12, 9), T(13), T(16))]),
    # Begun already at 14:00 on the Wednesday: the next is a week later.
    ("毎週水曜日 13:00~16:00", datetime.datetime(2026, 12, 2, 14, 0),
     [(D(2026, 12, 9), T(13), T(16)), (D(2026, 12, 16), T(13), T(16))]),
    ("第2火曜日 10:00~", NOW, [(D(2026, 12, 8), T(10), None), (D(2027, 1, 12), T(10), None)]),
    ("第2・第4金曜日 9:30~11:30", NOW, [(D(2026, 12, 11), T(9, 30), T(11, 30)), (D(2026, 12, 25), T(9, 30), T(11, 30))]),
    # 祝日の場合翌日: 2027-09-20 (3rd Monday, 敬老の日) moves to Tuesday 09-21; then 1st Monday 10-04.
    ("第1・3月曜(祝日の場合翌日開催)13時30分~15時30分", datetime.datetime(2027, 9, 10),
     [(D(2027, 9, 21), T(13, 30), T(15, 30)), (D(2027, 10, 4), T(13, 30), T(15, 30))]),
    # 2026-09-21 (3rd Monday, 敬老の日) would move to 09-22, itself a holiday (国民の休日): the list does
    # not say where it goes, so no date; next the 1st and 3rd Mondays of October (10-05, 10-19).
    ("第1・3月曜(祝日の場合翌日開催)13時30分~15時30分", datetime.datetime(2026, 9, 10),
     [(D(2026, 10, 5), T(13, 30), T(15, 30)), (D(2026, 10, 19), T(13, 30), T(15, 30))]),
    # 年末年始 (29 Dec – 3 Jan) and 祝日休み: Fridays 25 Dec, then 8 Jan (1 Jan is both).
    ("毎週金曜日 10:00~12:00 祝日・年末年始は休み", datetime.datetime(2026, 12, 24),
     [(D(2026, 12, 25), T(10), T(12)), (D(2027, 1, 8), T(10), T(12))]),
    ("毎月10日 10:00~12:00", NOW, [(D(2026, 12, 10), T(10), T(12)), (D(2027, 1, 10), T(10), T(12))]),
    ("第3日曜日", NOW, [(D(2026, 12, 20), None, None), (D(2027, 1, 17), None, None)]),
])
def test_next_sessions_read_off_the_calendar(text, after, expected):
    assert next_sessions(parse_schedule(text), after, count=2) == expected


def test_a_closed_month_and_a_closed_week_are_skipped():
    schedule = parse_schedule("毎週火曜日 10:00~12:00 8月は休み")
    assert [s.day for s in next_sessions(schedule, datetime.datetime(2027, 7, 25), 2)] == [D(2027, 7, 27), D(2027, 9, 7)]
    schedule = parse_schedule("第一火曜日を除く火曜日の午後2時より")
    assert [s.day for s in next_sessions(schedule, datetime.datetime(2026, 12, 30), 2)] == [D(2027, 1, 12), D(2027, 1, 19)]


@pytest.mark.parametrize(("text", "reason"), [
    ("隔月 第2 火曜日", "upcoming_every_other_month"),
    ("隔週 水曜日 10:00~12:00", "upcoming_every_other_week"),
    ("月2回 火曜日 10:00~12:00", "upcoming_times_per_month"),
    ("10時から15時まで", "upcoming_days_unknown"),
    ("不定期", "upcoming_unparsed"),
])
def test_no_date_where_the_rules_do_not_fix_one(text, reason):
    schedule = parse_schedule(text)
    assert next_sessions(schedule, NOW, count=3) == []
    assert undated_reason(schedule) == reason


def test_every_session_is_open_at_its_start_and_not_a_minute_before():
    checked = dated = 0
    for entry in CORPUS["entries"]:
        schedule = parse_corpus_entry(entry)
        for after in (NOW, datetime.datetime(2026, 8, 1), datetime.datetime(2026, 4, 28, 12, 0)):
            sessions = next_sessions(schedule, after, count=4)
            dated += bool(sessions)
            for session in sessions:
                assert session.day >= after.date()
                if session.opens is None:  # no opening hour: held that day, so never "closed" within its hours
                    probe = datetime.datetime.combine(session.day, session.closes or T(12))
                    probe -= datetime.timedelta(minutes=1 if session.closes else 0)
                    assert is_open(schedule, probe) is not False, entry
                    continue
                start = datetime.datetime.combine(session.day, session.opens)
                assert start >= after
                before = start - datetime.timedelta(minutes=1)
                ended_then = [s for s in sessions if s.day == session.day and s.closes == session.opens]
                if session.closes is not None:
                    assert is_open(schedule, start) is True, (entry["text"] if "text" in entry else entry, session)
                else:
                    assert is_open(schedule, start) is not False, entry
                if not ended_then:  # closed a minute before; "may be" where a note widens the hours (時間外利用可)
                    widened = any(WIDENS_HOURS.search(note) for note in schedule.notes)
                    assert is_open(schedule, before) is (None if widened else False), (entry, session)
                checked += 1
    assert dated > 60 and checked > 300  # most of the corpus fixes dates; the check is not empty
