"""Area tables: areas (日常生活圏域, 地区, 学区 …) written as lists of 町丁目, read into members.

Most municipalities publish their 日常生活圏域 and 通学区域 as tables, not polygons: one row per
member 町丁目, named or coded, sometimes cut at 番 (「桜山5丁目（35〜37番と葉桜団地を除く）」,
「新宿4丁目2番29〜59号と6〜16番（6番38〜42号を除く）」).  This module reads such a table and parses
each member into a :class:`Member`: the town, its 丁目, the 番 ranges it keeps (none = all), the
番 (or 号 within a 番) it leaves out, and named places that are not 町丁目 (a 団地), which are kept
so the import can say what it could not draw instead of dropping them.  Town names are brought to
the offline geocoder's key (:func:`~geo_welfare.layers.addresses.normalise.canonical`), so
「桜山五丁目」 in the gazetteer and 「桜山5丁目」 in the table are the same member.

Nothing here knows about polygons: :mod:`geo_welfare.layers.area_members` matches members to the
known 町丁目 and decides who owns each 番; the store dissolves the polygons.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.io.readers import decode_text
from geo_welfare.layers import area_grammar as g
from geo_welfare.layers.addresses.normalise import canonical


@dataclass(frozen=True)
class Blocks:
    """A range of 番 (``first``–``last``), or of 号 within one 番 when ``houses`` is set (2番29〜59号)."""

    first: int
    last: int
    houses: tuple[int, int] | None = None

    def numbers(self) -> range:
        """The 番 the range names."""
        return range(self.first, self.last + 1)


@dataclass(frozen=True)
class Cut:
    """A part left out of a member: some 番 of one 丁目 (``chome`` None: of the member's only 丁目)."""

    chome: int | None
    blocks: Blocks


@dataclass(frozen=True)
class Member:
    """One member of an area, as parsed: ``town`` (canonical, without 丁目) and what of it the area holds.

    ``chome`` () means the town as named with every 丁目 it has (沼間 → 沼間1〜6丁目); ``blocks`` ()
    means every 番.  ``places`` are named places the member adds (葉桜団地), ``excluded_places`` the
    ones it leaves out; neither is a 町丁目, so neither can be drawn from small areas.
    """

    town: str
    chome: tuple[int, ...] = ()
    blocks: tuple[Blocks, ...] = ()
    exceptions: tuple[Cut, ...] = ()
    places: tuple[str, ...] = ()
    excluded_places: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableRow:
    """A row of an area table: the area it belongs to, and its member (by name, by code, or both)."""

    row: int
    area_code: str
    area_name: str | None
    member: Member | None
    member_code: str | None
    municipality: str | None
    text: str | None
    member_field: str | None = None


_R = f"[{g.RANGE}]"
_NUMBERS = rf"\d+(?:(?:{_R}|[{g.LIST}])\d+)*"
_CHOME = re.compile(rf"^(?P<town>.+?)(?P<chome>{_NUMBERS}){g.CHOME}(?P<rest>.*)$")
_BLOCKS_START = re.compile(rf"^(?P<town>.*?\D)(?P<rest>\d+(?:{_R}\d+)?{g.BAN}.*)$")
_BLOCK = re.compile(rf"^(?:(?P<chome>\d+){g.CHOME})?(?P<first>\d+)(?:{_R}(?P<last>\d+))?(?:{g.BANCHI}|{g.BAN})"
                    rf"(?:(?P<h1>\d+)(?:{_R}(?P<h2>\d+))?{g.GO})?$")
_EXCEPT = re.compile(rf"\{g.EXCEPT_OPEN}([^()]*?)(?:{'|'.join(g.EXCEPT_WORDS)})\{g.EXCEPT_CLOSE}")
_AND = re.compile("|".join(map(re.escape, g.AND)))


class MemberError(ValueError):
    """A member text the grammar cannot read; ``key`` is the catalogue key, ``found`` the part."""

    def __init__(self, key: str, found: str):
        super().__init__(found)
        self.key, self.found = key, found


def numbers(text: str) -> tuple[int, ...]:
    """``3・4・5`` → (3, 4, 5); ``6〜9`` → (6, 7, 8, 9); ``1・3〜5`` → (1, 3, 4, 5)."""
    values: list[int] = []
    for item in re.split(f"[{g.LIST}]", text):
        ends = [int(part) for part in re.split(_R, item)]
        if len(ends) == 2 and ends[0] <= ends[1]:
            values.extend(range(ends[0], ends[1] + 1))
        elif len(ends) == 1:
            values.append(ends[0])
        else:
            raise MemberError("area_member_bad_range", text)
    return tuple(values)


def _is_place(text: str) -> bool:
    return text.endswith(g.PLACE_SUFFIXES) and not re.search(r"\d", text)


def _part(text: str) -> Cut | str:
    """A 番 range (with its 丁目 and 号 where written), or a named place."""
    found = _BLOCK.match(text)
    if found:
        first = int(found["first"])
        last = int(found["last"] or first)
        houses = (int(found["h1"]), int(found["h2"] or found["h1"])) if found["h1"] else None
        if last < first or (houses and (houses[1] < houses[0] or last != first)):
            raise MemberError("area_member_bad_range", text)
        return Cut(int(found["chome"]) if found["chome"] else None, Blocks(first, last, houses))
    if _is_place(text):
        return text
    raise MemberError("area_member_unreadable", text)


def _parts(text: str) -> tuple[list[Cut], list[str]]:
    cuts, places = [], []
    for piece in filter(None, _AND.split(text)):
        part = _part(piece)
        (places if isinstance(part, str) else cuts).append(part)
    return cuts, places


def parse_member(text: str) -> Member:
    """One member as a municipality writes it (see the module); :class:`MemberError` when unreadable."""
    value = unicodedata.normalize("NFKC", text).strip()
    excluded = [found.group(1) for found in _EXCEPT.finditer(value)]
    value = canonical(_EXCEPT.sub("", value))
    if not value or g.EXCEPT_OPEN in value or g.EXCEPT_CLOSE in value:
        raise MemberError("area_member_unreadable", text)
    if _is_place(value):
        return Member("", places=(value,))
    town, chome, rest = value, (), ""
    found = _CHOME.match(value) or _BLOCKS_START.match(value)
    if found:
        town, rest = found["town"], found["rest"]
        chome = numbers(found["chome"]) if "chome" in found.groupdict() else ()
    cuts, places = _parts(rest)
    if any(cut.chome is not None for cut in cuts):
        raise MemberError("area_member_unreadable", rest)
    exceptions, excluded_places = [], []
    for text_part in excluded:
        more, named = _parts(canonical(text_part))
        exceptions += more
        excluded_places += named
    for cut in exceptions:
        if (cut.chome is None and len(chome) > 1) or (cut.chome is not None and cut.chome not in chome):
            raise MemberError("area_member_exception_which_chome", text)
    if cuts and len(chome) > 1:
        raise MemberError("area_member_exception_which_chome", text)
    return Member(town, tuple(chome), tuple(cut.blocks for cut in cuts), tuple(exceptions), tuple(places),
                  tuple(excluded_places))


def _column(header: list[str], field: str) -> str | None:
    return next((name for name in g.COLUMNS[field] if name in header), None)


def read_table(path: str | Path, *, encoding: str | None = None) -> list[TableRow]:
    """Every row of an area table, parsed; :class:`InputError` naming file, row and field of every bad one."""
    path = Path(path)
    text, _ = decode_text(path, encoding)
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    columns = {field: _column(header, field) for field in g.COLUMNS}
    if not (columns["area_code"] or columns["area_name"]) or not (columns["member"] or columns["member_code"]):
        raise InputError.single(path, "area_table_columns_missing", field=", ".join(header[:6]) or None,
                                area=" / ".join(g.COLUMNS["area_code"][:3] + g.COLUMNS["area_name"][1:3]),
                                member=" / ".join(g.COLUMNS["member"][:3] + g.COLUMNS["member_code"][:2]))
    rows, problems = [], []
    for number, record in enumerate(reader, start=2):
        value = {field: (record.get(column) or "").strip() or None if column else None
                 for field, column in columns.items()}
        if not any(value.values()):
            continue
        area = value["area_code"] or value["area_name"]
        if area is None:
            problems.append(Problem(str(path), number, columns["area_code"] or columns["area_name"],
                                    "area_table_area_empty"))
            continue
        if value["member"] is None and value["member_code"] is None:
            problems.append(Problem(str(path), number, columns["member"] or columns["member_code"],
                                    "area_table_member_empty"))
            continue
        member = None
        if value["member"] is not None:
            try:
                member = parse_member(value["member"])
            except MemberError as error:
                problems.append(Problem(str(path), number, columns["member"], error.key, {}, value["member"]))
                continue
        rows.append(TableRow(number, area, value["area_name"], member, value["member_code"], value["municipality"],
                             value["member"], columns["member"] if member is not None else columns["member_code"]))
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError.single(path, "file_empty")
    return rows
