"""Opening schedules written in Japanese, as recurrence rules shaped like Open Referral HSDS.

Real resource lists say when a place is open in free text (毎週火曜, 第1・第3木曜日 10:00〜12:00,
月2回, 隔月, 平日, 祝日休み) or across the columns of the 自治体標準オープンデータセット
(利用可能曜日 ``月火水木金``, 開始時間, 終了時間, 利用可能日時特記事項).  This package turns them into
RFC 5545 rule parts (``FREQ``, ``INTERVAL``, ``BYDAY=2WE``) with opening and closing times, keeps
the original text, and lists every fragment it did not understand instead of guessing, so that
"open on the 2nd Wednesday morning?" has an answer where the text gives one, and "unknown"
where it does not.

- :mod:`.model`: the rules and the parsed schedule;
- :mod:`.grammar` / :mod:`.parse`: the schedule grammar and its reader, text → rules (the readings worth
  knowing are listed in :mod:`.parse`); :func:`parse_day_type_hours` reads the national layouts' columns;
- :mod:`.evaluate`: open at a moment, held on a weekday, held at a time of day;
- :mod:`.describe`: rules → words for residents;
- :mod:`.upcoming`: the next dates a place meets, where the rules fix them;
- :mod:`.stored`: a schedule rebuilt from what the store keeps.
"""

from geo_welfare.layers.schedules.model import WEEKDAY_CODES, ParsedSchedule, ScheduleRule
from geo_welfare.layers.schedules.parse import parse_day_type_hours, parse_schedule
from geo_welfare.layers.schedules.evaluate import is_open, occurs_on_weekday, open_at_time
from geo_welfare.layers.schedules.stored import from_stored, schedule_of
from geo_welfare.layers.schedules.upcoming import Session, next_sessions, undated_reason
from geo_welfare.layers.schedules.describe import describe  # the function: it hides the module's name here

__all__ = ["WEEKDAY_CODES", "ScheduleRule", "ParsedSchedule", "parse_schedule", "parse_day_type_hours", "is_open", "occurs_on_weekday",
           "open_at_time", "from_stored", "schedule_of", "describe", "Session", "next_sessions", "undated_reason"]
