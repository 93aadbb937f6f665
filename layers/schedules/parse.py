"""The schedule reader: Japanese schedule text → :class:`~.model.ScheduleRule` and closures.

Real resource lists say when a place is open in free text (毎週火曜, 第1・第3木曜日 10:00〜12:00,
月2回, 隔月, 平日, 祝日休み) or across the columns of the 自治体標準オープンデータセット
(利用可能曜日 ``月火水木金``, 開始時間, 終了時間, 利用可能日時特記事項) and of the national
service-information systems (利用可能な時間帯（平日）…, 定休日).  :func:`parse_schedule` reads them
in one left-to-right pass over the tokens of :mod:`.grammar`, keeps the original text, and lists
every fragment it did not understand instead of guessing.

Readings worth knowing (each is pinned by a test or by the corpus, ``tests/data/schedule_corpus.yaml``):

* A rule whose ``byday`` (and ``bymonthday``) is empty has *unknown days*: ``隔月開催`` or
  ``月2回 10:00〜11:30`` say how often or at what time, not on which days.
* Closed days (``土日祝休み``, ``第2・第4土曜休館``, a 定休日 column) are taken out of the open rules
  where those name the days, else kept as *closed rules*.  ``月水金、祝日休み`` (open or closed on
  Monday?) is listed as unparsed.  Right after 毎週/毎月/隔週…, ``、`` ends such a list.
* ``日曜日は17:00まで`` changes the hours of Sunday alone; ``祝日の場合は翌日`` moves the session;
  ``8月は休み`` takes August out of the rules' months; ``4月～9月 第1日曜日、10月～3月 第3日曜日``
  is two seasonal rules, never 1st and 3rd Sunday all year; ``第5週は休み`` closes 5th weekdays.
* 雨天中止 and 会場の都合により変更・中止あり are *notes*, not unknowns.
* 年末年始 is 29 December – 3 January (another period beside it is unparsed); a bare 日 or 月 is a
  weekday only where it cannot be part of a word (祝日, 日中, 4月); 1時半～3時 is not read as night.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace

from geo_welfare.layers.schedules import grammar as g
from geo_welfare.layers.schedules.grammar import Times, day_codes, normalise, times_of
from geo_welfare.layers.schedules.closures import apply_closed_weekdays, combine, later_days_override, merge
from geo_welfare.layers.schedules.model import ALL_MONTHS, WEEKDAY_CODES, YEAR_END, ParsedSchedule, ScheduleRule

@dataclass
class _Piece:
    """A stretch of the normalised text and what it was: a token, glue, or not understood."""

    start: int
    end: int
    kind: str  # "token", "word" (glue such as の), "gap" (not understood)


@dataclass
class _Reader:
    """One left-to-right pass: day tokens open rules; a time token gives its times to the rules opened since."""

    text: str
    closing: bool = False  # a 定休日 column: every day named is a closed day, every time a problem
    rules: list[ScheduleRule] = field(default_factory=list)
    pieces: list[_Piece] = field(default_factory=list)
    open_since: int = 0  # rules from this index on still wait for their times
    monthly: bool = False
    interval: int = 1
    pending: str | None = None  # "frequency" or "per_month" said how often, no day named yet
    leading: Times | None = None  # times written before any day
    season: tuple[int, ...] = ()  # 4月～9月: the months of the rules that follow
    closed_on_holidays: bool = False
    closed_year_end: bool = False
    times_per_month: int | None = None
    closed_days: list[tuple[set[str], _Piece]] = field(default_factory=list)
    closed: list[ScheduleRule] = field(default_factory=list)
    overrides: list[tuple[list[str], str, Times]] = field(default_factory=list)
    closed_weeks: list[tuple[int, _Piece]] = field(default_factory=list)
    closed_months: list[tuple[set[int], _Piece]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shift_since: int = 0  # rules from this index on take the next 祝日の場合は翌日
    closed_since: int = 0  # closed rules from this index on take the next その日が祝日の場合は開館
    last_closed: bool = False  # the last day token named closed days (毎週月曜休館（祝日の場合は翌日）)
    loose_spans: list[tuple[int, int]] = field(default_factory=list)  # not understood, inside a token

    def read(self) -> None:
        position = 0
        while position < len(self.text):
            for kind, pattern in g.TOKENS:
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
        for separator in re.finditer(g.SEP, match.group(0)):
            if g.CLOSED_TIGHT.match(self.text, match.start() + separator.end()):
                return match.start() + separator.start()
        return match.end()

    def _piece(self, start: int, end: int, kind: str) -> _Piece:
        if kind == "gap" and self.pieces and self.pieces[-1].kind == "gap" and self.pieces[-1].end == start:
            self.pieces[-1].end = end
            return self.pieces[-1]
        self.pieces.append(_Piece(start, end, kind))
        return self.pieces[-1]

    # Long because it is the one table from token kind to what the token does; each branch is one line or two.
    def _take(self, kind: str, match: re.Match) -> None:
        word = match.group(0)
        piece = self._piece(match.start(), match.end(), "word" if kind == "word" else "token")
        if kind == "holiday_rule":
            self._holiday_rule(match.group(1), piece)
        elif kind == "no_closure":
            if not self.closing:
                self._open(ScheduleRule("WEEKLY", WEEKDAY_CODES))
        elif kind == "open_ended":
            piece.kind = "gap"  # 不定期, 要問合せ: never part of a note, so they leave the days open
        elif kind == "holiday_open":
            pass  # 祝日も開館: holidays are as any day unless a closure says otherwise
        elif kind in ("condition", "duration", "per_year"):
            self.notes.append(word.strip(" 、,"))
        elif kind == "closed_week":
            self.closed_weeks.append((int(match.group(1)), piece))
        elif kind == "closed_months":
            self.closed_months.append(({int(n) for n in re.findall(r"(\d+)\s*月", word)}, piece))
        elif kind == "months":
            self.season = g.month_span(int(match.group(1)), int(match.group(2)))
        elif kind == "closed_nth":
            self._close(ScheduleRule("MONTHLY", self._nth_codes(re.sub(g.CLOSED_VERB + "$", "", word))))
        elif kind in ("closed_days", "closed_days_tight", "closed"):
            self._closure(word, match.start(), piece)
        elif kind == "period":
            self._period(match, piece)
        elif kind in ("holiday_word", "year_end_word", "none_word"):
            self._closing_word(kind, match, piece)
        elif kind == "per_month":
            self.times_per_month, self.monthly, self.interval, self.pending = int(match.group(1)), True, 1, kind
        elif kind == "times_count":
            if self.monthly and self.rules:
                self.times_per_month = int(match.group(1))
            else:
                piece.kind = "gap"
        elif kind == "frequency":
            self.monthly = word.endswith("月")
            self.interval = 1 if word.startswith("毎") else 2  # 隔週, 隔月, 奇数月, 偶数月
            self.pending = kind
        elif kind in ("daily", "weekdays", "day_range", "days"):
            codes = {"daily": list(WEEKDAY_CODES), "weekdays": list(WEEKDAY_CODES[:5])}.get(kind) or \
                (g.day_range(word) if kind == "day_range" else day_codes(word))
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
            self._open(ScheduleRule("MONTHLY", self._nth_codes(word), self._monthly_interval()))
        elif kind == "override":
            self.overrides.append((day_codes(match.group(1)), "", (None, None)))
        elif kind in ("time_range", "time_until", "time_from", "all_day", "half_day"):
            self._time(kind, match, piece)

    def _nth_codes(self, word: str) -> tuple[str, ...]:
        ordinal_text, day_text = re.match(r"(第[\d\s・,、と及びおよ第]*|最終)(.*)", word).groups()
        ordinals = [-1] if ordinal_text == "最終" else [int(n) for n in re.findall(r"\d", ordinal_text)]
        return tuple(f"{n}{code}" for code in day_codes(day_text) for n in ordinals)

    def _time(self, kind: str, match: re.Match, piece: _Piece) -> None:
        if kind == "all_day":
            times: Times | None = (datetime.time(0), datetime.time(0))
        elif kind == "half_day":  # 午前: closes by noon; 午後: opens from noon
            times = (None, datetime.time(12)) if match.group(1) == "午前" else (datetime.time(12), None)
        else:
            times = times_of(kind, match)
        if times is None or self.closing:
            piece.kind = "gap"  # an impossible time, or a time in a closed-days column: a person reads it
        elif self.overrides and self.overrides[-1][1] == "":
            codes, _, _ = self.overrides.pop()
            self.overrides.append((codes, kind, times))
        else:
            self._give_times(*times)

    def _monthly_interval(self) -> int:
        return self.interval if self.monthly else 1

    def _open(self, rule: ScheduleRule) -> None:
        if self.closing:
            self._close(rule)
            return
        self.rules.append(replace(rule, bymonth=self.season) if self.season else rule)
        self.pending, self.last_closed = None, False

    def _close(self, rule: ScheduleRule) -> None:
        self.closed.append(replace(rule, closed=True))
        self.pending, self.last_closed = None, True

    def _holiday_rule(self, outcome: str, piece: _Piece) -> None:
        """祝日の場合は翌日 / 祝日の場合は開館 / 祝日の場合は休み, said of the days named just before."""
        if outcome in ("休み", "お休み", "休館", "中止"):
            self.closed_on_holidays = True
        elif self.last_closed and self.closed:  # 休館日が祝日の場合は翌日 / その日が祝日の場合は開館
            mark = "next_day" if outcome.startswith("翌") else "not_held"
            self.closed[self.closed_since:] = [replace(rule, if_holiday=mark) for rule in self.closed[self.closed_since:]]
            self.closed_since = len(self.closed)
        elif outcome.startswith("翌") and len(self.rules) > self.shift_since:
            self.rules[self.shift_since:] = [replace(rule, if_holiday="next_day")
                                             for rule in self.rules[self.shift_since:]]
            self.shift_since = len(self.rules)
        else:
            piece.kind = "gap"  # 前日, or 開催 with nothing closed before it: a person reads it

    def _unknown_days(self) -> ScheduleRule:
        """A rule for 隔月 / 月2回 / bare hours: how often or when in the day, but not which days."""
        return ScheduleRule("MONTHLY" if self.monthly else "WEEKLY", (), self.interval, bymonth=self.season)

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
        if re.search(g.HOLIDAY, word):
            self.closed_on_holidays = True
        self._year_end(word, start)
        days_part = re.sub(rf"{g.HOLIDAY}|{g.YEAR_END_WORD}", "", re.sub(g.CLOSED_VERB + "$", "", word))
        codes = set(day_codes(days_part))
        if codes:
            if not self.closing and re.search(r"[、,]", word) and not self.rules:
                piece.kind = "gap"  # 月水金、祝日休み: open or closed on Monday?  A person reads it.
            else:
                self.closed_days.append((codes, piece))
            self.pending, self.last_closed = None, True  # 毎週月曜休館: the 毎週 belonged to the closing day

    def _year_end(self, word: str, start: int) -> None:
        """年末年始 is 29 Dec – 3 Jan; another period written beside it is kept as a closure and shown to a person."""
        period = re.search(r"年末年始\s*\(([^)]*)\)|年末年始", word)
        if not period:
            return
        self.closed_year_end = True
        written = period.group(1)
        found = g.PERIOD_PATTERN.fullmatch(written) if written is not None else None
        if written is not None and (not found or tuple(map(int, found.groups())) != (*YEAR_END[0], *YEAR_END[1])):
            self.loose_spans.append((start + period.start(1), start + period.end(1)))

    def _period(self, match: re.Match, piece: _Piece) -> None:
        written = tuple(int(n) for n in match.groups()[:4])
        said_closed = self.closing or re.search(g.CLOSED_VERB + "$", match.group(0))
        if said_closed and written == (*YEAR_END[0], *YEAR_END[1]):
            self.closed_year_end = True
        else:
            piece.kind = "gap"

    def _closing_word(self, kind: str, match: re.Match, piece: _Piece) -> None:
        """祝日, 年末年始 and なし alone: closures in a 定休日 column, not understood in free text."""
        if not self.closing:
            piece.kind = "gap"
        elif kind == "holiday_word":
            self.closed_on_holidays = True
        elif kind == "year_end_word":
            self._year_end(match.group(0), match.start())

    def _finish(self) -> None:
        if self.pending == "frequency":
            self._open(self._unknown_days())  # 隔月開催 — never dropped in silence
        if self.leading:
            if not self.rules:
                self._open(self._unknown_days())
            self.rules = [rule if rule.opens_at or rule.closes_at else rule.with_times(*self.leading)
                          for rule in self.rules]
        self._apply_overrides()
        self.rules = later_days_override(self.rules)
        for codes, piece in self.closed_days:
            if self.closing:
                self.closed.append(ScheduleRule("WEEKLY", tuple(c for c in WEEKDAY_CODES if c in codes), closed=True))
                continue
            rules, closed = apply_closed_weekdays(self.rules, codes)
            self.rules = rules
            if closed is not None and piece.kind != "gap":
                self.closed.append(closed)
        self._apply_weeks_and_months()
        self.rules = merge(self.rules) + merge(self.closed)

    def _apply_overrides(self) -> None:
        """日曜日は17:00まで: the named days keep their rule's other time and take this one."""
        for codes, kind, (opens, closes) in self.overrides:
            if not kind:
                continue
            changed, rules = False, []
            for rule in self.rules:
                named = [code for code in rule.byday if code in codes]
                if not named or rule.closed:
                    rules.append(rule)
                    continue
                changed = True
                rest = tuple(code for code in rule.byday if code not in codes)
                if rest:
                    rules.append(replace(rule, byday=rest))
                new = (opens if opens is not None else rule.opens_at, closes if closes is not None else rule.closes_at)
                rules.append(replace(rule, byday=tuple(named)).with_times(*new))
            self.rules = rules if changed else [*rules, ScheduleRule("WEEKLY", tuple(codes), 1, opens, closes)]

    def _apply_weeks_and_months(self) -> None:
        """第5週は休み closes the 5th of each weekday the rules name; 8月は休み takes August out of them."""
        plain = sorted({code for rule in self.rules if rule.freq == "WEEKLY" for code in rule.byday},
                       key=WEEKDAY_CODES.index)
        for week, piece in self.closed_weeks:
            if plain:
                self.closed.append(ScheduleRule("MONTHLY", tuple(f"{week}{code}" for code in plain), closed=True))
            else:
                piece.kind = "gap"  # the 5th week of which weekday?
        for months, piece in self.closed_months:
            dated = [rule for rule in self.rules if rule.days_known]
            if dated and dated == self.rules:
                self.rules = [replace(rule, bymonth=tuple(m for m in (rule.bymonth or ALL_MONTHS) if m not in months))
                              for rule in self.rules]
            else:
                self.closed.append(ScheduleRule("YEARLY", (), bymonth=tuple(sorted(months)), closed=True))

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


def _read(original: str, *, closing: bool = False) -> ParsedSchedule:
    """One text read whole: rules, closures, notes and the fragments not understood (as written)."""
    if not original:
        return ParsedSchedule("")
    normal, origin = normalise(original)
    reader = _Reader(normal, closing=closing)
    reader.read()
    unparsed = tuple(original[origin[a]:origin[b - 1] + 1].strip() for a, b in reader.fragments())
    return ParsedSchedule(original, tuple(reader.rules), reader.closed_on_holidays, reader.closed_year_end,
                          reader.times_per_month, tuple(piece for piece in unparsed if piece), tuple(reader.notes))


def parse_schedule(text: str | None, *, days: str | None = None, start: str | None = None, end: str | None = None,
                   note: str | None = None, closed_days: str | None = None) -> ParsedSchedule:
    """Parse a schedule given as free text and/or the standard layout's separate columns.

    The parts given are joined into the kept ``text`` (text, days, then ``start〜end``, then the
    note) and read as one, because the note often qualifies the days (祝日は休み).  ``closed_days``
    (a 定休日 column: 土日祝、年末年始) is read on its own, every day it names being closed, and
    joined to the text after 定休日.  Nothing is guessed: what no pattern explains is returned in
    ``unparsed`` verbatim.
    """
    pieces = [piece.strip() for piece in (text, days) if piece and piece.strip()]
    start, end = (start or "").strip(), (end or "").strip()
    if start or end:
        pieces.append(f"{start}〜{end}")  # 08:30〜 and 〜17:00 keep which end is known
    if note and note.strip():
        pieces.append(note.strip())
    opened = _read(" ".join(pieces))
    if not closed_days or not closed_days.strip():
        return opened
    return combine(opened, _read(closed_days.strip(), closing=True), g.CLOSED_DAYS_LABEL)


def parse_day_type_hours(*, weekday: str | None, saturday: str | None, sunday: str | None, holiday: str | None,
                         closed_days: str | None, note: str | None) -> ParsedSchedule:
    """A schedule from the day-type columns of the national service-information open data.

    利用可能な時間帯（平日）/（土曜）/（日曜）/（祝日） hold hours (``08:30～17:30``, ``24時間``) or
    nothing; 定休日 (``土曜日、日曜日、祝日、12月29日～1月3日``, ``なし``) names closed days, which are
    closed, never open (a time written there is listed as unparsed); 利用可能曜日特記事項 is read
    as a note.  An empty 祝日 cell with holidays not closed leaves holidays unknown.
    """
    from geo_welfare.layers.schedules.day_types import day_type_schedule
    return day_type_schedule(_read, weekday=weekday, saturday=saturday, sunday=sunday, holiday=holiday,
                             closed_days=closed_days, note=note)
