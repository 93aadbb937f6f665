"""The schedule grammar's words and patterns: what each token of Japanese schedule text looks like.

Applied to NFKC-normalised text (:func:`normalise`: full-width digits, colons and brackets made
ASCII, 第一 → 第1, 正午 → 12時).  The reader (:mod:`.parse`) tries :data:`TOKENS` in order at each
position; the first that matches is the token there.  Kept apart from the reader so the readings
are listed in one place, each with its example, with the clock rules (:func:`times_of`: 午後 adds
twelve hours, the second time of a range inherits 午前/午後, 1時〜5時 alone is not read as night).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from geo_welfare.core.glossary import WEEKDAYS
from geo_welfare.layers.schedules.model import WEEKDAY_CODES

#: The weekdays as Japanese writes them (月曜 … 日曜), Monday first (the glossary's weekday terms).
DAY_LETTERS = "".join(day.ja for day in WEEKDAYS)
#: 第一・第三 are 第1・第3.
KANJI_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "ニ": "2"}  # ニ: katakana, a common slip

DASH = r"[~\-ー−―–—‐]"
RANGE = rf"\s*(?:{DASH}|から)\s*"
SEP = r"\s*(?:[・,、と]|及び|および)\s*"
# A bare day letter (no 曜) starts a list of days only after a non-letter or 週, and never before a
# letter that makes it part of a word: 4月, 祝日, 指定する日, 日中 and 月末 name no weekday.
_NOT_BEFORE = r"[末初内額時程中付間以頃数常次例々替帰謝分]"
DAY = rf"(?:[{DAY_LETTERS}]曜日?|[{DAY_LETTERS}](?!{_NOT_BEFORE}))"
DAY_FIRST = rf"(?:[{DAY_LETTERS}]曜日?|(?:(?<=週)|(?<!\w))[{DAY_LETTERS}](?!{_NOT_BEFORE}))"
DAYS = rf"{DAY_FIRST}(?:(?:{SEP})?{DAY})*"
_NTH_DAY = rf"(?:[{DAY_LETTERS}]曜日?|[月火水木金土](?!{_NOT_BEFORE}))"  # 最終日 is the last day, not Sunday
ORDINALS = rf"(?:第\s*\d(?:{SEP}(?:第\s*)?\d)*|最終)\s*週?\s*の?\s*"
NTH = rf"{ORDINALS}{_NTH_DAY}(?:{SEP}{_NTH_DAY})*"
CLOCK = r"(?:(午前|午後)\s*)?(\d{1,2})(?:\s*:\s*(\d{2})|\s*時(?!間)\s*(?:(\d{1,2})\s*分|(半))?)"
TIME_RANGE = rf"{CLOCK}{RANGE}{CLOCK}(?:\s*まで)?"
TIME_UNTIL = rf"(?:~|から)\s*{CLOCK}(?:\s*まで)?|{CLOCK}\s*まで"
TIME_FROM = rf"{CLOCK}\s*(?:から|より|~)?"

HOLIDAY = r"(?:国民の祝日に関する法律に規定する休日|国民の祝日|振替休日|祝祭日|祝休日|祝日|祭日|休日|祝)"
YEAR_END_WORD = r"年末年始(?:\s*\([^)]*\))?"
_CLOSED_ITEM = rf"(?:{HOLIDAY}|{YEAR_END_WORD}|{DAY})"
CLOSED_VERB = (r"\s*(?:の場合)?\s*(?:は|を|も)?\s*(?:終日)?\s*"
               r"(?:お休み|休み|休館日?|休業日?|休所|休園|定休日?|閉館|閉所|利用不可|利用できません|除く|除き|休(?![日館業所園]))")
PERIOD = (rf"(\d{{1,2}})(?:月|/)(\d{{1,2}})日?{RANGE}(?:翌年の?)?(\d{{1,2}})(?:月|/)(\d{{1,2}})日?"
          r"(?:\s*まで)?")
#: 祝日の場合は翌日 / 祝日の場合翌日開催 / その日が祝日の場合は開館 / 祝日と重なる場合は休み.
HOLIDAY_RULE = (rf"(?:その日が|休館日が|当日が)?{HOLIDAY}(?:(?:に当たる時|にあたる場合|と重なる場合|の場合|のとき)\s*は?\s*、?\s*)?"
                r"(?:その)?(翌日|翌平日|翌営業日|前日|開館|開所|開催|休み|お休み|休館|中止)"
                r"(?:開催|に開催|に振替|に変更|となります|休館|します)?")
#: Conditions, kept as notes: they cancel or move a session now and then, they do not make the days unknown.
CONDITION = (r"(?:雨天|荒天|悪天候|雨)(?:時|の場合|の日)?\s*は?\s*(?:中止|休み)(?:となります|します)?"
             # the words before 変更・中止 never swallow days, times or words that leave the days open (不定期)
             r"|(?:(?![月火水木金土日]曜|\d|不定|随時|未定|予定|相談|問|指定|第)[^。()\n]){0,30}?"
             r"(?:変更|中止)(?:\s*[・や]\s*(?:変更|中止))?"
             r"(?:あり|有り?|になる場合があります|となる場合があります|する場合があります|の場合があります"
             r"|することがあります|の場合あり)"
             r"|時間外(?:の)?利用(?:可能|可)|延長(?:保育)?(?:あり|有り?)|休み(?:あり|有り?)|変動(?:あり|有り?)")
#: Words in an unparsed fragment that may name other days than the rules do (不定期: any day).
LEAVES_DAYS_OPEN = re.compile(rf"[{DAY_LETTERS}]曜|\d\s*日|第\s*\d|毎日|平日|週末|土日|不定期|随時|問[い]?合|相談|指定|未定|予定|別途")
#: Words in a note that may widen the hours (時間外利用可): a time outside them is not surely closed.
WIDENS_HOURS = re.compile(r"時間外|延長")


def closed_list(first: str, separator: str) -> str:
    return rf"{first}(?:(?:{separator})?{_CLOSED_ITEM})*{CLOSED_VERB}"


LIST_SEP = r"\s*(?:[・,、と]|及び|および|や)\s*"
TIGHT_SEP = r"\s*(?:[・と]|及び|および|や)\s*"  # no 、 : 毎週火曜、祝日休み is open on Tuesdays
NTH_TIGHT = rf"{ORDINALS}{_NTH_DAY}(?:{TIGHT_SEP}{_NTH_DAY})*"
MONTH = r"(\d{1,2})\s*月"

# Tried in this order at each position; the first that matches is the token there.
TOKENS: list[tuple[str, re.Pattern]] = [(name, re.compile(pattern)) for name, pattern in [
    ("holiday_rule", rf"\(?\s*{HOLIDAY_RULE}\s*\)?"),
    ("holiday_open", rf"{HOLIDAY}\s*(?:を含む|も営業|も開館|も開所|も開催|も利用可能?)"),  # as on any day: nothing to change
    ("per_year", r"年\s*\d+\s*回"),  # 第2水曜日、年12回開催: a note beside the days
    ("no_closure", r"年中無休|無休|定休日なし|休館日なし|休業日なし"),
    ("closed_week", rf"第\s*(\d)\s*週(?:目)?\s*(?:は|も)?\s*(?:お休み|休み|休館|休)"),
    ("closed_months", rf"{MONTH}(?:{SEP}{MONTH})*\s*(?:は|も)?\s*(?:お休み|休み|休館|休会|休止|なし)"),
    ("months", rf"(\d{{1,2}})\s*月?{RANGE}(\d{{1,2}})\s*月\s*(?:は|の間|まで)?"),
    ("closed_nth", rf"{NTH_TIGHT}{CLOSED_VERB}"),
    ("closed_days", closed_list(DAY_FIRST, LIST_SEP)),
    ("closed_days_tight", closed_list(DAY_FIRST, TIGHT_SEP)),
    ("closed", closed_list(rf"(?:{HOLIDAY}|{YEAR_END_WORD})", LIST_SEP)),
    ("period", rf"{PERIOD}(?:{CLOSED_VERB})?"),
    ("per_month", r"(?:毎月|月)\s*(\d+)\s*回"),
    ("times_count", r"の\s*(\d+)\s*回(?:開催)?"),  # 毎月第2土曜日、第4日曜日の2回開催
    ("frequency", r"毎週|隔週|毎月|隔月|奇数月|偶数月"),
    ("daily", r"毎日"),
    ("weekdays", r"平日"),
    ("duration", r"(?<!\d)(?!24)\d+\s*時間(?:半)?\s*(?:程度|くらい|ぐらい)?"),  # (1時間程度): a note, not a closing time
    ("monthday", rf"(?<!\d月)(?<![\d/])\d{{1,2}}\s*日(?![間目])(?:{SEP}\d{{1,2}}\s*日(?![間目]))*"),
    ("override", rf"({DAYS})\s*(?:は|のみ|だけ)\s*(?={TIME_RANGE}|{TIME_UNTIL}|{CLOCK}\s*(?:から|より|~))"),
    ("nth", NTH),
    ("day_range", rf"{DAY_FIRST}{RANGE}{DAY}"),
    ("days", DAYS),
    ("all_day", r"24\s*時間(?:営業|対応|利用可能?)?"),
    ("time_range", TIME_RANGE),
    ("time_until", TIME_UNTIL),
    ("time_from", TIME_FROM),
    ("half_day", r"(午前|午後)(?:中)?(?:のみ)?(?!\s*\d)"),
    ("holiday_word", HOLIDAY),  # alone: a closed day in a 定休日 column, not understood in free text
    ("year_end_word", YEAR_END_WORD),
    ("none_word", r"なし|無し|特になし"),
    ("open_ended", r"不定期?|随時|未定|要相談|応相談|要予約|要?問い?合わ?せ"),  # whole words, shown to a person
    ("condition", CONDITION),
    ("punctuation", r"[、,。.;()「」\[\]【】※]+"),  # ends an unparsed fragment
    # Glue inside one fragment; ~ and - one at a time, so that 〜17:00 after a space is still a time.
    ("word", r"[\s・/:]+|[~\-]|(?:受付|開館|営業|利用|開所|開設|開催|活動|実施)(?:日時|時間)|開催日時?|日時|時間"
             r"|放課後|曜日|曜|開催|実施|頃|ごろ|まで|の間|及び|および|です|と|の|は|に|で|原則|程度"),
]]
CLOSED_TIGHT = dict(TOKENS)["closed_days_tight"]
PERIOD_PATTERN = re.compile(rf"\s*{PERIOD}\s*")
#: How the kept text names a 定休日 column and the national layouts' day-type columns.
CLOSED_DAYS_LABEL = "定休日"
DAY_TYPE_LABELS = {"weekday": "平日", "saturday": "土曜", "sunday": "日曜", "holiday": "祝日"}


def day_codes(text: str) -> list[str]:
    """Weekday codes named in a day token ('火曜日' is Tuesday alone: its 日 is not Sunday)."""
    return [WEEKDAY_CODES[DAY_LETTERS.index(letter)] for letter in re.findall(rf"[{DAY_LETTERS}]",
                                                                               re.sub(r"曜日?", "", text))]


def day_range(text: str) -> list[str]:
    first, last = (WEEKDAY_CODES.index(code) for code in day_codes(text))
    return [WEEKDAY_CODES[(first + i) % 7] for i in range((last - first) % 7 + 1)]


def month_span(first: int, last: int) -> tuple[int, ...]:
    """4月～9月 → 4…9; 10月～3月 → 10, 11, 12, 1, 2, 3 (as written, across the new year)."""
    return tuple((first - 1 + i) % 12 + 1 for i in range((last - first) % 12 + 1))


# Clock times: 午後 adds twelve hours, the second time of a range inherits 午前/午後, 1時〜5時 alone is not night.

Times = tuple[datetime.time | None, datetime.time | None]


def normalise(text: str) -> tuple[str, list[int]]:
    """NFKC, character by character, with where each normalised character came from (第一 → 第1)."""
    characters: list[str] = []
    origin: list[int] = []
    for index, character in enumerate(text):
        written = unicodedata.normalize("NFKC", character).replace("〜", "~").replace("～", "~")
        if text.startswith("正午", index):  # noon, read as 12時 (正 → 12, 午 → 時)
            written = "12"
        elif index and text.startswith("正午", index - 1):
            written = "時"
        for normal in written:
            if normal in KANJI_DIGITS and characters and (characters[-1] == "第" or (
                    characters[-1] in "・、," and len(characters) > 1 and characters[-2].isdigit())):
                normal = KANJI_DIGITS[normal]
            characters.append(normal)
            origin.append(index)
    return "".join(characters), origin


def _clock(meridiem: str | None, hour: str, minute: str | None, minute_ja: str | None, half: str | None
           ) -> datetime.time | None:
    value, minutes = int(hour), int(minute or minute_ja or (30 if half else 0))
    if meridiem == "午後" and value < 12:
        value += 12
    if value > 24 or minutes > 59 or (value == 24 and minutes):
        return None
    return datetime.time(0, 0) if value == 24 else datetime.time(value, minutes)


def _plausible(meridiem: str | None, hour: str) -> bool:
    """1時〜5時 without 午前/午後 is almost surely afternoon in these lists: do not read it as night."""
    return meridiem is not None or not 1 <= int(hour) <= 5


def times_of(kind: str, match: re.Match) -> Times | None:
    """Opening and closing time of a time token; None when a time is impossible or ambiguous."""
    groups = match.groups()
    if kind == "time_range":
        first, second = groups[:5], groups[5:]
        if not _plausible(first[0], first[1]):
            return None
        # 午前10時～12時 / 午後1時半～3時: the second time inherits 午前/午後 when it reads on from the first.
        inherit = first[0] if first[0] and int(second[1]) < 12 and int(second[1]) >= int(first[1]) else None
        opens, closes = _clock(*first), _clock(second[0] or inherit, *second[1:])
        if opens is None or closes is None or (closes <= opens and closes != datetime.time(0, 0)):
            return None  # 10:00〜3:00 is a misprint or afternoon, not a night session
        return opens, closes
    clock = next(groups[i:i + 5] for i in range(0, len(groups), 5) if groups[i + 1] is not None)
    if not _plausible(clock[0], clock[1]):
        return None
    value = _clock(*clock)
    if value is None:
        return None
    return (value, None) if kind == "time_from" else (None, value)
