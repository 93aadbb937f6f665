"""Matching an address against the imported gazetteers, in memory, offline: a point and how good it is.

:class:`Geocoder` indexes :class:`~geo_welfare.layers.addresses.gazetteer.GazetteerRecord` s by
municipality and by the canonical key of each town (:func:`~geo_welfare.layers.addresses.normalise.canonical`),
so one address costs one normalisation and a few dictionary look-ups (tens of thousands a second).

An address is read left to right: the prefecture (may be left out), the municipality (may be left
out; 札幌市中央区 may be written 中央区), the longest town name that the gazetteer knows — where
``5-4-33`` after a name stands for 5丁目 when that 丁目 exists — then the first house number, looked
up among the town's 街区 when a 街区 gazetteer was imported.  Every answer carries its level:

- ``block`` (街区), ``chome`` (町丁目), ``oaza`` (大字・町・字): a point, the gazetteer it came from and
  the name matched, as the gazetteer writes it;
- ``municipality`` (only the municipality is known) and ``none``: no point at all, and a reason (a
  catalogue key).  A municipality's centre is never given as a place: a coordinator would walk to it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from geo_welfare.layers.addresses import grammar as g
from geo_welfare.layers.addresses.gazetteer import GEOLONIA, MLIT_BLOCK, MLIT_OAZA, SMALL_AREA, GazetteerRecord
from geo_welfare.layers.addresses.normalise import canonical, house_numbers, municipality_aliases, split_prefecture

#: Every level an answer can have, finest first (its words: the catalogue keys ``geocode_level_<level>``).
MATCH_LEVELS = ("block", "chome", "oaza", "municipality", "none")
#: Which gazetteer wins when several name the same town: the surveyed points first.
_RANK = {MLIT_OAZA: 0, GEOLONIA: 1, SMALL_AREA: 2, MLIT_BLOCK: 3}
_DIGITS = re.compile(r"\d+")
REASON_EMPTY = "geocode_reason_empty"
REASON_NO_MUNICIPALITY = "geocode_reason_no_municipality"
REASON_NO_TOWN = "geocode_reason_no_town"
REASON_AMBIGUOUS = "geocode_reason_ambiguous"


@dataclass(frozen=True)
class AddressMatch:
    """The answer for one address: a point (or none), its level, where it came from and why not placed."""

    lon: float | None
    lat: float | None
    level: str
    gazetteer: str | None = None
    matched: str | None = None
    reason: str | None = None

    @property
    def placed(self) -> bool:
        """True when the answer has a point (街区, 町丁目 or 大字 level)."""
        return self.lon is not None


@dataclass
class _Town:
    name: str
    level: str
    source: str
    lon: float | None = None
    lat: float | None = None
    rank: int = 99
    blocks: dict[int, tuple[float, float, str, str]] = field(default_factory=dict)


@dataclass
class _Municipality:
    prefecture: str | None
    name: str
    code: str | None
    towns: dict[str, _Town] = field(default_factory=dict)
    longest: int = 0

    @property
    def label(self) -> str:
        return (self.prefecture or "") + self.name


def _longest_prefix(towns: dict, longest: int, text: str) -> int:
    """The length of the longest town key ``text`` starts with (0 for none)."""
    for length in range(min(len(text), longest), 0, -1):
        if text[:length] in towns:
            return length
    return 0


def _find_town(towns: dict, longest: int, rest: str) -> tuple[int, str] | None:
    """(characters consumed, town key) of the longest town ``rest`` starts with, 丁目 written or implied.

    A number after a name stands for its 丁目 when that 丁目 exists and no 番, 号 or 条 follows it:
    桜山5-4-33 is 桜山5丁目 4-33, 本通18南 is 本通18丁目南 (白石区), 南郷通10-南 is 南郷通10丁目南.
    """
    length = _longest_prefix(towns, longest, rest)
    best = (length, rest[:length]) if length else None
    for count, number in enumerate(_DIGITS.finditer(rest)):
        start, end = number.span()
        if count > 2:
            break
        if start == 0 or rest[end:end + 1] in g.NOT_CHOME_AFTER:
            continue
        variants = [(rest[:end] + g.CHOME + rest[end:], 0)]
        if rest[end:end + 1] == "-":
            variants.append((rest[:end] + g.CHOME + rest[end + 1:], 1))
        for text, skipped in variants:
            length = _longest_prefix(towns, longest, text)
            consumed = length - len(g.CHOME) + (skipped if length > end + len(g.CHOME) else 0)
            if length > end and (best is None or consumed > best[0]):
                best = (consumed, text[:length])
    return best


class Geocoder:
    """An in-memory index of gazetteer records answering :meth:`match`; pure (no store, no network)."""

    def __init__(self, records: Iterable[GazetteerRecord]):
        self._municipalities: list[_Municipality] = []
        self._by_code: dict[str, _Municipality] = {}
        self._by_name: dict[tuple[str | None, str], _Municipality] = {}
        pending = []
        for record in records:
            if record.prefecture is None and not (record.municipality_code in self._by_code):
                pending.append(record)  # placed once every named municipality is known
                continue
            self._add(self._municipality(record), record)
        for record in pending:
            self._add(self._municipality(record), record)
        self._finish()

    def _municipality(self, record: GazetteerRecord) -> _Municipality:
        code = record.municipality_code
        if code and code in self._by_code:
            return self._by_code[code]
        key = (record.prefecture, canonical(record.municipality))
        found = self._by_name.get(key)
        if found is None and record.prefecture is None:  # a small area's 中央区 → the one 札幌市中央区
            alias = canonical(record.municipality)
            named = [m for m in self._municipalities if alias in municipality_aliases(m.name)]
            found = named[0] if len(named) == 1 else None
        if found is None:
            found = _Municipality(record.prefecture, record.municipality, code)
            self._municipalities.append(found)
            self._by_name[key] = found
        if code and found.code in (None, code):
            found.code = code
            self._by_code[code] = found
        return found

    @staticmethod
    def _add(municipality: _Municipality, record: GazetteerRecord) -> None:
        name = record.town + (record.koaza or "")
        key = canonical(name)
        town = municipality.towns.get(key)
        if town is None:
            town = municipality.towns[key] = _Town(name, "oaza" if record.level == "block" and record.koaza else
                                                   ("chome" if key.endswith(g.CHOME) else "oaza"), record.source)
        if record.block is not None:
            number = _DIGITS.match(canonical(record.block))
            if number and int(number.group()) not in town.blocks:
                town.blocks[int(number.group())] = (record.lon, record.lat, record.source, record.block)
            return
        rank = _RANK.get(record.gazetteer, 9)
        if rank < town.rank:
            town.name, town.level, town.source, town.lon, town.lat, town.rank = (
                name, record.level, record.source, record.lon, record.lat, rank)

    def _finish(self) -> None:
        """Towns known only from 街区 get the mean of their blocks; the alias and town indexes are built."""
        self._aliases: dict[str, list[_Municipality]] = defaultdict(list)
        self._everywhere: dict[str, list[_Municipality]] = defaultdict(list)
        for municipality in self._municipalities:
            for alias in municipality_aliases(municipality.name):
                self._aliases[alias].append(municipality)
            for key, town in list(municipality.towns.items()):
                if town.lon is None and town.blocks:
                    points = list(town.blocks.values())
                    town.lon = sum(p[0] for p in points) / len(points)
                    town.lat = sum(p[1] for p in points) / len(points)
                    town.source = points[0][2]
                if town.lon is None:  # only blocks without a number (a 街区符号 such as 渡辺): nothing to match
                    del municipality.towns[key]
                    continue
                self._everywhere[key].append(municipality)
            municipality.longest = max(map(len, municipality.towns), default=0)
        self._alias_lengths = sorted({len(alias) for alias in self._aliases}, reverse=True)
        self._longest = max(map(len, self._everywhere), default=0)

    @property
    def size(self) -> int:
        """How many towns the index knows (every municipality's, with or without 街区)."""
        return sum(len(m.towns) for m in self._municipalities)

    def match(self, address: str) -> AddressMatch:
        """The best point for ``address`` and how good it is (see the module's levels)."""
        key = canonical(address)
        if not key:
            return AddressMatch(None, None, "none", reason=REASON_EMPTY)
        prefecture, rest = split_prefecture(key)
        candidates = self._municipalities_at(prefecture, rest)
        city = rest.find(g.CITY)
        if not candidates and 0 < city < 5:  # 札幌市清田区 where the gazetteer names only the ward (small areas)
            candidates = self._municipalities_at(prefecture, rest[city + 1:])
        if not candidates:
            return self._without_municipality(prefecture, rest)
        found = [(town, m, after) for m, after in candidates
                 if (town := _find_town(m.towns, m.longest, after)) is not None]
        if not found:
            if len({id(m) for m, _ in candidates}) == 1:
                return AddressMatch(None, None, "municipality", matched=candidates[0][0].label, reason=REASON_NO_TOWN)
            return AddressMatch(None, None, "none", reason=REASON_AMBIGUOUS)
        best = max(consumed for (consumed, _), _, _ in found)
        top = [(town_key, m, after[consumed:]) for (consumed, town_key), m, after in found if consumed == best]
        if len({id(m) for _, m, _ in top}) > 1:
            return AddressMatch(None, None, "none", reason=REASON_AMBIGUOUS)
        town_key, municipality, tail = top[0]
        return self._answer(municipality, town_key, tail)

    def _municipalities_at(self, prefecture: str | None, rest: str) -> list[tuple[_Municipality, str]]:
        """Every municipality whose name (or alias) ``rest`` starts with, and what follows it."""
        return [(m, rest[length:]) for length in self._alias_lengths for m in self._aliases.get(rest[:length], ())
                if prefecture is None or m.prefecture in (None, prefecture)]

    def _without_municipality(self, prefecture: str | None, rest: str) -> AddressMatch:
        """The municipality was left out: the town must be known in exactly one municipality."""
        town = _find_town(self._everywhere, self._longest, rest)
        if town is None:
            return AddressMatch(None, None, "none", reason=REASON_NO_MUNICIPALITY)
        consumed, town_key = town
        places = [m for m in self._everywhere[town_key] if prefecture is None or m.prefecture in (None, prefecture)]
        if len(places) != 1:
            return AddressMatch(None, None, "none", reason=REASON_AMBIGUOUS if places else REASON_NO_MUNICIPALITY)
        return self._answer(places[0], town_key, rest[consumed:])

    @staticmethod
    def _answer(municipality: _Municipality, town_key: str, tail: str) -> AddressMatch:
        town = municipality.towns[town_key]
        numbers = house_numbers(tail.lstrip("-"))
        if numbers and numbers[0] in town.blocks:
            lon, lat, source, block = town.blocks[numbers[0]]
            return AddressMatch(lon, lat, "block", source, municipality.label + town.name + block)
        return AddressMatch(town.lon, town.lat, town.level, town.source, municipality.label + town.name)
