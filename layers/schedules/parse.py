"""The schedule grammar: Japanese schedule text → :class:`~.model.ScheduleRule` and closures.

Real resource lists say when a place is open in free text (毎週火曜, 第1・第3木曜日 10:00〜12:00,
月2回, 隔月, 平日, 祝日休み) or across the columns of the 自治体標準オープンデータセット
(利用可能曜日 ``月火水木金``, 開始時間, 終了時間, 利用可能日時特記事項).  :func:`parse_schedule`
reads them in one left-to-right pass over tokens, keeps the original text, and lists every
fragment it did not understand instead of guessing.

Readings worth knowing (each is pinned by a test):

* A rule whose ``byday`` (and ``bymonthday``) is empty has *unknown days*: ``隔月開催`` or
  ``月2回 10:00〜11:30`` say how often or at what time, not on which days.  Such a rule never
  makes a date open, but its hours can make a time closed.
* A list of days and holidays ending in a closing word (``土日祝休み``, ``（土日祝日、年末年始を除く）``,
  ``月曜休館``) names closed days.  They are taken out of the rules; when there are no rules naming
  days to take them from, the fragment is listed as unparsed rather than turned into guessed
  opening days.  Right after 毎週/毎月/隔週…, ``、`` ends such a list: ``毎週火曜、祝日休み`` is open
  on Tuesdays.
* 年末年始 means 29 December – 3 January (the public-office custom).  A different period written
  beside it (``年末年始（12月28日～1月4日）``) is listed as unparsed, the closure itself is kept.
* A bare 日 or 月 is a weekday only where it cannot be part of another word: 祝日, 日中, 翌日, 4月,
  月末 and 最終日 are not Sunday or Monday.
* An hour from 1 to 5 without 午前/午後 (``1時半～3時``) is most likely afternoon; it is listed as
  unparsed rather than read as night.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field, replace

from geo_welfare.core.glossary import WEEKDAYS
from geo_welfare.layers.schedules.model import WEEKDAY_CODES, YEAR_END, ParsedSchedule, ScheduleRule

#: The weekdays as Japanese writes them (月曜 … 日曜), in the order of :data:`~.model.WEEKDAY_CODES`
#: (the glossary's weekday terms, Monday first).
DAY_LETTERS = "".join(day.ja for day in WEEKDAYS)


# ----------------------------------------------------------------------------------------------
# Patterns, applied to NFKC-normalised text (full-width digits, colons and brackets made ASCII).

_DASH = r"[~\-ー−―–—‐]"
_RANGE = rf"\s*(?:{_DASH}|から)\s*"
_SEP = r"\s*(?:[・,、と]|及び|および)\s*"
# A bare day letter (no 曜) starts a list of days only after a non-letter or 週, and never before a
# letter that makes it part of a word: 4月, 祝日, 指定する日, 日中 and 月末 name no weekday.
_NOT_BEFORE = r"[末初内額時程中付間以頃数常次例々替帰謝分]"
_DAY = rf"(?:[{DAY_LETTERS}]曜日?|[{DAY_LETTERS}](?!{_NOT_BEFORE}))"
_DAY_FIRST = rf"(?:[{DAY_LETTERS}]曜日?|(?:(?<=週)|(?<!\w))[{DAY_LETTERS}](?!{_NOT_BEFORE}))"
_DAYS = rf"{_DAY_FIRST}(?:(?:{_SEP})?{_DAY})*"
_NTH_DAY = rf"(?:[{DAY_LETTERS}]曜日?|[月火水木金土](?!{_NOT_BEFORE}))"  # 最終日 is the last day, not Sunday
_ORDINALS = rf"(?:第\s*\d(?:{_SEP}(?:第\s*)?\d)*|最終)\s*週?\s*の?\s*"
_NTH = rf"{_ORDINALS}{_NTH_DAY}(?:{_SEP}{_NTH_DAY})*"
_CLOCK = r"(?:(午前|午後)\s*)?(\d{1,2})(?:\s*:\s*(\d{2})|\s*時\s*(?:(\d{1,2})\s*分|(半))?)"

_HOLIDAY = r"(?:国民の祝日に関する法律に規定する休日|国民の祝日|振替休日|祝祭日|祝休日|祝日|祭日|休日|祝)"
_YEAR_END_WORD = r"年末年始(?:\s*\([^)]*\))?"
_CLOSED_ITEM = rf"(?:{_HOLIDAY}|{_YEAR_END_WORD}|{_DAY})"
_CLOSED_VERB = (r"\s*(?:は|を|も)?\s*(?:終日)?\s*"
                r"(?:お休み|休み|休館日?|休業日?|休所|休園|定休日?|閉館|閉所|利用不可|利用できません|除く|除き|休(?![日館業所園]))")


def _closed_list(first: str, separator: str) -> str:
    return rf"{first}(?:(?:{separator})?{_CLOSED_ITEM})*{_CLOSED_VERB}"


_LIST_SEP = r"\s*(?:[・,、と]|及び|および|や)\s*"
_TIGHT_SEP = r"\s*(?:[・と]|及び|および|や)\s*"  # no 、 : 毎週火曜、祝日休み is open on Tuesdays
_NTH_TIGHT = rf"{_ORDINALS}{_NTH_DAY}(?:{_TIGHT_SEP}{_NTH_DAY})*"

# Tried in this order at each position; the first that matches is the token there.
_TOKENS: list[tuple[str, re.Pattern]] = [(name, re.compile(pattern)) for name, pattern in [
    ("closed_nth", rf"{_NTH_TIGHT}{_CLOSED_VERB}"),
    ("closed_days", _closed_list(_DAY_FIRST, _LIST_SEP)),
    ("closed_days_tight", _closed_list(_DAY_FIRST, _TIGHT_SEP)),
    ("closed", _closed_list(rf"(?:{_HOLIDAY}|{_YEAR_END_WORD})", _LIST_SEP)),
    ("per_month", r"(?:毎月|月)\s*(\d+)\s*回"),
    ("frequency", r"毎週|隔週|毎月|隔月|奇数月|偶数月"),
    ("daily", r"毎日"),
    ("weekdays", r"平日"),
    ("monthday", rf"(?<!\d月)(?<![\d/])\d{{1,2}}\s*日(?![間目])(?:{_SEP}\d{{1,2}}\s*日(?![間目]))*"),
    ("nth", _NTH),
    ("day_range", rf"{_DAY_FIRST}{_RANGE}{_DAY}"),
    ("days", _DAYS),
    ("time_range", rf"{_CLOCK}{_RANGE}{_CLOCK}(?:\s*まで)?"),
    ("time_until", rf"(?:~|から)\s*{_CLOCK}(?:\s*まで)?|{_CLOCK}\s*まで"),
    ("time_from", rf"{_CLOCK}\s*(?:から|より|~)?"),
    ("punctuation", r"[、,。.;()「」\[\]【】※]+"),  # ends an unparsed fragment
    # Glue inside one fragment; ~ and - one at a time, so that 〜17:00 after a space is still a time.
    ("word", r"[\s・/:]+|[~\-]|曜日|曜|開催|実施|頃|ごろ|まで|及び|および|です|と|の|は|に|で"),
]]
_CLOSED_TIGHT = dict(_TOKENS)["closed_days_tight"]
_PERIOD = re.compile(rf"\s*(\d{{1,2}})(?:月|/)(\d{{1,2}})日?{_RANGE}(?:翌年の?)?(\d{{1,2}})(?:月|/)(\d{{1,2}})日?"
                     r"(?:\s*まで)?\s*")


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC, character by character, with where each normalised character came from.

    The map lets unparsed fragments be reported exactly as written, full-width digits and all.
    """
    characters: list[str] = []
    origin: list[int] = []
    for index, character in enumerate(text):
        for normal in unicodedata.normalize("NFKC", character).replace("〜", "~"):
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


def _times(kind: str, match: re.Match) -> tuple[datetime.time | None, datetime.time | None] | None:
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


def _day_codes(text: str) -> list[str]:
    """Weekday codes named in a day token ('火曜日' is Tuesday alone: its 日 is not Sunday)."""
    return [WEEKDAY_CODES[DAY_LETTERS.index(letter)] for letter in re.findall(rf"[{DAY_LETTERS}]",
                                                                               re.sub(r"曜日?", "", text))]


def _day_range(text: str) -> list[str]:
    first, last = (WEEKDAY_CODES.index(code) for code in _day_codes(text))
    return [WEEKDAY_CODES[(first + i) % 7] for i in range((last - first) % 7 + 1)]


# ----------------------------------------------------------------------------------------------
# Reading: one left-to-right pass over the tokens.  Day tokens open rules; a time token gives its
# times to every rule opened since the previous time token.

@dataclass
class _Piece:
    """A stretch of the normalised text and what it was: a token, glue, or not understood."""

    start: int
    end: int
    kind: str  # "token", "word" (glue such as の), "gap" (not understood)


@dataclass
class _Reader:
    text: str
    rules: list[ScheduleRule] = field(default_factory=list)
    pieces: list[_Piece] = field(default_factory=list)
    open_since: int = 0  # rules from this index on still wait for their times
    monthly: bool = False
    interval: int = 1
    pending: str | None = None  # "frequency" or "per_month" said how often, no day named yet
    leading: tuple[datetime.time | None, datetime.time | None] | None = None  # times written before any day
    closed_on_holidays: bool = False
    closed_year_end: bool = False
    times_per_month: int | None = None
    closed_days: list[tuple[set[str], _Piece]] = field(default_factory=list)
    loose_spans: list[tuple[int, int]] = field(default_factory=list)  # not understood, inside a token

    def read(self) -> None:
        position = 0
        while position < len(self.text):
            for kind, pattern in _TOKENS:
                if kind == ("closed_days" if self.pending else "closed_days_tight"):
                    continue
                match = pattern.match(self.text, position)
                if match and kind in ("days", "nth"):
                    match = pattern.match(self.text, position, self._before_closure(match))
                if match and match.end() > position:
                    self._take(kind, match)
                    position = match.end()
                    break
            else:
                self._piece(position, position + 1, "gap")
                position += 1
        self._finish()

    def _before_closure(self, match: re.Match) -> int:
        """Where a list of open days ends: before closed days that follow it (毎週火曜、土日は休み)."""
        for separator in re.finditer(_SEP, match.group(0)):
            if _CLOSED_TIGHT.match(self.text, match.start() + separator.end()):
                return match.start() + separator.start()
        return match.end()

    def _piece(self, start: int, end: int, kind: str) -> _Piece:
        if kind == "gap" and self.pieces and self.pieces[-1].kind == "gap" and self.pieces[-1].end == start:
            self.pieces[-1].end = end
            return self.pieces[-1]
        self.pieces.append(_Piece(start, end, kind))
        return self.pieces[-1]

    def _take(self, kind: str, match: re.Match) -> None:
        word = match.group(0)
        piece = self._piece(match.start(), match.end(), "word" if kind == "word" else "token")
        if kind == "closed_nth":
            piece.kind = "gap"  # 第2・第4土曜休館: closing on some Saturdays has no RRULE here; show it to a person
        elif kind in ("closed_days", "closed_days_tight", "closed"):
            self._closure(word, match.start(), piece)
        elif kind == "per_month":
            self.times_per_month, self.monthly, self.interval, self.pending = int(match.group(1)), True, 1, kind
        elif kind == "frequency":
            self.monthly = word.endswith("月")
            self.interval = 1 if word.startswith("毎") else 2  # 隔週, 隔月, 奇数月, 偶数月
            self.pending = kind
        elif kind in ("daily", "weekdays", "day_range", "days"):
            codes = {"daily": list(WEEKDAY_CODES), "weekdays": list(WEEKDAY_CODES[:5])}.get(kind) or \
                (_day_range(word) if kind == "day_range" else _day_codes(word))
            # 毎月火曜 is every Tuesday, so weekly; 隔月火曜 is Tuesdays of every other month.
            freq = "MONTHLY" if self.monthly and self.interval != 1 else "WEEKLY"
            self._open(ScheduleRule(freq, tuple(codes), self.interval))
        elif kind == "monthday":
            days = tuple(int(n) for n in re.findall(r"\d+", word))
            if all(1 <= n <= 31 for n in days):
                self._open(ScheduleRule("MONTHLY", (), self._monthly_interval(), bymonthday=days))
            else:
                piece.kind = "gap"
        elif kind == "nth":
            ordinal_text, day_text = re.match(r"(第[\d\s・,、と及びおよ第]*|最終)(.*)", word).groups()
            ordinals = [-1] if ordinal_text == "最終" else [int(n) for n in re.findall(r"\d", ordinal_text)]
            codes = tuple(f"{n}{code}" for code in _day_codes(day_text) for n in ordinals)
            self._open(ScheduleRule("MONTHLY", codes, self._monthly_interval()))
        elif kind.startswith("time_"):
            times = _times(kind, match)
            if times is None:
                piece.kind = "gap"
            else:
                self._give_times(*times)

    def _monthly_interval(self) -> int:
        return self.interval if self.monthly else 1

    def _open(self, rule: ScheduleRule) -> None:
        self.rules.append(rule)
        self.pending = None

    def _unknown_days(self) -> ScheduleRule:
        """A rule for 隔月 / 月2回 / bare hours: how often or when in the day, but not which days."""
        return ScheduleRule("MONTHLY" if self.monthly else "WEEKLY", (), self.interval)

    def _give_times(self, opens: datetime.time | None, closes: datetime.time | None) -> None:
        if self.pending and self.open_since == len(self.rules):
            self._open(self._unknown_days())
        elif not self.rules:
            if self.leading is None:  # 10:00〜12:00（毎週火曜）: the days may follow
                self.leading = (opens, closes)
                return
            self._open(self._unknown_days().with_times(*self.leading))  # two sessions and still no day
            self.leading, self.open_since = None, 1
        if self.open_since == len(self.rules):  # a second session on the same days: 月曜 10〜12時、13〜15時
            self.rules.append(self.rules[-1])
        for index in range(self.open_since, len(self.rules)):
            self.rules[index] = self.rules[index].with_times(opens, closes)
        self.open_since = len(self.rules)

    def _closure(self, word: str, start: int, piece: _Piece) -> None:
        if re.search(_HOLIDAY, word):
            self.closed_on_holidays = True
        period = re.search(r"年末年始\s*\(([^)]*)\)|年末年始", word)
        if period:
            self.closed_year_end = True
            written = period.group(1)
            found = _PERIOD.fullmatch(written) if written is not None else None
            if written is not None and (not found or tuple(map(int, found.groups())) != (*YEAR_END[0], *YEAR_END[1])):
                # Another period than 29 Dec – 3 Jan: keep the closure, show the dates to a person.
                self.loose_spans.append((start + period.start(1), start + period.end(1)))
        days_part = re.sub(rf"{_HOLIDAY}|{_YEAR_END_WORD}", "", re.sub(_CLOSED_VERB + "$", "", word))
        codes = set(_day_codes(days_part))
        if codes:
            self.closed_days.append((codes, piece))
            self.pending = None  # 毎週月曜休館: the 毎週 belonged to the closing day

    def _finish(self) -> None:
        if self.pending == "frequency":
            self._open(self._unknown_days())  # 隔月開催 — never dropped in silence
        if self.leading:
            if not self.rules:
                self._open(self._unknown_days())
            self.rules = [rule if rule.opens_at or rule.closes_at else rule.with_times(*self.leading)
                          for rule in self.rules]
        for codes, piece in self.closed_days:
            if self.rules and all(any(code[-2:] not in codes for code in rule.byday) for rule in self.rules):
                self.rules = [replace(rule, byday=tuple(c for c in rule.byday if c[-2:] not in codes))
                              for rule in self.rules]
            else:  # no named days to take them from (or nothing would be left): a person should read it
                piece.kind = "gap"

    def fragments(self) -> list[tuple[int, int]]:
        """Spans not understood: runs of gaps joined across glue (の, spaces), glue trimmed off the ends."""
        spans = list(self.loose_spans)
        run: list[_Piece] = []
        for piece in [*self.pieces, _Piece(len(self.text), len(self.text), "token")]:
            if piece.kind in ("gap", "word"):
                run.append(piece)
                continue
            gaps = [p for p in run if p.kind == "gap"]
            if gaps:
                spans.append((gaps[0].start, gaps[-1].end))
            run = []
        return sorted(spans)


def parse_schedule(text: str | None, *, days: str | None = None, start: str | None = None, end: str | None = None,
                   note: str | None = None) -> ParsedSchedule:
    """Parse a schedule given as free text and/or the standard layout's separate columns.

    The parts given are joined into the kept ``text`` (text, days, then ``start〜end``, then the
    note) and read as one, because the note often qualifies the days (祝日は休み).  Nothing is
    guessed: what no pattern explains is returned in ``unparsed`` verbatim.
    """
    pieces = [piece.strip() for piece in (text, days) if piece and piece.strip()]
    start, end = (start or "").strip(), (end or "").strip()
    if start or end:
        pieces.append(f"{start}〜{end}")  # 08:30〜 and 〜17:00 keep which end is known
    if note and note.strip():
        pieces.append(note.strip())
    original = " ".join(pieces)
    if not original:
        return ParsedSchedule("")
    normal, origin = _normalise(original)
    reader = _Reader(normal)
    reader.read()
    unparsed = tuple(original[origin[a]:origin[b - 1] + 1].strip() for a, b in reader.fragments())
    return ParsedSchedule(original, tuple(_merge(reader.rules)), reader.closed_on_holidays, reader.closed_year_end,
                          reader.times_per_month, tuple(piece for piece in unparsed if piece))


def _merge(rules: list[ScheduleRule]) -> list[ScheduleRule]:
    """Join rules that differ only in their weekdays (月・水・金 written as three tokens)."""
    merged: list[ScheduleRule] = []
    for rule in rules:
        for index, other in enumerate(merged):
            if rule.byday and other.byday and replace(other, byday=rule.byday) == rule:
                days = set(other.byday) | set(rule.byday)
                merged[index] = replace(other, byday=tuple(sorted(days, key=_day_order)))
                break
        else:
            if rule not in merged:
                merged.append(rule)
    return merged


def _day_order(code: str) -> tuple[int, int]:
    """1TH before 2TU (as written: 第1木曜、第2火曜), plain days Monday first, ``-1`` (last) at the end."""
    ordinal = int(code[:-2] or 0)
    return (99 if ordinal == -1 else ordinal), WEEKDAY_CODES.index(code[-2:])
