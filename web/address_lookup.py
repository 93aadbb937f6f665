"""A small address lookup over what the store already knows: small-area names and resource addresses.

Not a geocoder: a coordinator types 「デモ町1丁目」 or 「架空市デモ町デモ町一丁目3番21号」 and gets a point
to search from — the small area's representative point (always inside it), or the place itself
when the text is a stored resource's address or name.  Spellings are folded first, the way
:func:`geo_welfare.layers.population.normalise_area_name` folds small-area names (full-width → half-width,
spaces dropped, ヶ/ケ), and numbers are written one way: 丁目 with kanji numerals as e-Stat writes
them (1丁目 → 一丁目), 番・号 with digits as addresses usually are (三番二十一号 → 3番21号), and the
short forms 1-3-21 (→ 一丁目3番21号) and 23-12 (→ 23番12号).

When gazetteers are imported (``geo-welfare import gazetteer``), the text is also matched through
them (:func:`geo_welfare.store.gazetteer.geocoder`), offline: a 街区, 町丁目 or 大字 point comes first
among equals and says its level; a text matched only to its municipality, or to nothing, adds no
candidate (and when nothing else matches either, :func:`lookup` says why: :class:`AddressNotPlaced`).

Only public resources are searched (a staff-only place must not be found by its name), and the
text looked up is neither stored nor logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
from sqlalchemy import Engine

from geo_welfare.core.glossary import (ADDRESS_DASHES, BAN, BANCHI, CHOME, GO, KANJI_DIGITS, KANJI_HUNDRED, KANJI_TEN,
                                       KANJI_ZERO)
from geo_welfare.analysis.which import AddressNotPlaced
from geo_welfare.core.words import Word, t
from geo_welfare.layers.population import normalise_area_name
from geo_welfare.store.gazetteer import geocoder
from geo_welfare.store.read import read_areas, read_resources
from geo_welfare.web.problems import HIDDEN, BadField

#: At most this many candidates come back, best first.
MAX_CANDIDATES = 10
#: Shorter texts (after folding) match too much to be useful.
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200

SOURCE_SMALL_AREA = "small_area"
SOURCE_RESOURCE = "resource"
SOURCE_GAZETTEER = "gazetteer"

_KANJI_VALUES = {**{c: i for i, c in enumerate(KANJI_DIGITS)}, KANJI_ZERO: 0, KANJI_TEN: 10, KANJI_HUNDRED: 100}
_KANJI_NUMBER = f"[{KANJI_DIGITS}{KANJI_ZERO}{KANJI_TEN}{KANJI_HUNDRED}]+"


def kanji_number(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (as e-Stat writes 丁目); plain digits from 100 on."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    return ("" if tens == 0 else KANJI_TEN if tens == 1 else KANJI_DIGITS[tens] + KANJI_TEN) + \
        ("" if ones == 0 else KANJI_DIGITS[ones])


def arabic_number(text: str) -> int:
    """二十一 → 21, 十 → 10, 一〇五 → 105 (positional digits), 百二 → 102."""
    if not any(c in (KANJI_TEN, KANJI_HUNDRED) for c in text):
        return int("".join(str(_KANJI_VALUES[c]) for c in text))
    total, current = 0, 0
    for c in text:
        value = _KANJI_VALUES[c]
        if value in (10, 100):
            total += (current or 1) * value
            current = 0
        else:
            current = current * 10 + value
    return total + current


def normalise_address(text: str | None) -> str:
    """An address or place name in one canonical spelling (see the module's description)."""
    folded = normalise_area_name(text)
    if not folded:
        return ""
    folded = re.sub(rf"(?<=\d)[{ADDRESS_DASHES}](?=\d)", "-", folded)
    folded = re.sub(rf"({_KANJI_NUMBER})({BANCHI}|{BAN}|{GO})", lambda m: f"{arabic_number(m[1])}{m[2]}", folded)
    folded = re.sub(rf"(\d+){CHOME}", lambda m: kanji_number(int(m[1])) + CHOME, folded)
    folded = re.sub(rf"(?<=\d){BANCHI}(?=\d)", BAN, folded)
    folded = re.sub(rf"(?<=\d){BANCHI}$", BAN, folded)
    folded = re.sub(rf"(\d+{BAN}\d+)$", rf"\1{GO}", folded)  # 3番地21 → 3番21号
    # Short forms after a place name (never after 丁目, which already says what the numbers are).
    folded = re.sub(rf"(?<![\d{CHOME}-])(\d+)-(\d+)-(\d+)$",
                    lambda m: f"{kanji_number(int(m[1]))}{CHOME}{m[2]}{BAN}{m[3]}{GO}", folded)
    folded = re.sub(rf"(?<={CHOME})(\d+)-(\d+)$", lambda m: f"{m[1]}{BAN}{m[2]}{GO}", folded)
    folded = re.sub(rf"(?<![\d{CHOME}-])(\d+)-(\d+)$", lambda m: f"{m[1]}{BAN}{m[2]}{GO}", folded)
    return folded


@dataclass(frozen=True)
class Candidate:
    """A place the text may mean: what to show, where it is, and what it was found in."""

    label: str
    lon: float
    lat: float
    source: str  # SOURCE_SMALL_AREA or SOURCE_RESOURCE
    score: int  # lower is better; see :func:`lookup`
    order: int = 0  # the store's order (small areas by code), between equal scores
    level: str | None = None  # a gazetteer's match level (block, chome, oaza); None for the store's own names

    def as_dict(self, lang: str = "ja") -> dict:
        answer = {"label": self.label, "lon": round(self.lon, 7), "lat": round(self.lat, 7), "source": self.source}
        if self.level is not None:
            answer |= {"level": self.level, "level_label": t(f"geocode_level_{self.level}", lang)}
        return answer


class QueryError(BadField):
    """The text cannot be looked up (empty, too short or too long): 400 naming ``q``, never quoting the text."""

    def __init__(self) -> None:
        super().__init__("q", "coord_bad_query", HIDDEN, low=MIN_QUERY_LENGTH, high=MAX_QUERY_LENGTH)


def check_query(text: object) -> str:
    """The folded text, or :class:`QueryError` when it is no usable text."""
    if not isinstance(text, str) or len(text) > MAX_QUERY_LENGTH:
        raise QueryError()
    folded = normalise_address(text)
    if len(folded) < MIN_QUERY_LENGTH:
        raise QueryError()
    return folded


def lookup(engine: Engine, text: str, limit: int = MAX_CANDIDATES) -> list[Candidate]:
    """Candidates for ``text``, best first (empty when nothing matches).

    In order: (0) a resource whose address is the text (or ends with it, e.g. without the
    municipality); (1) a small area of that exact name; (2) small areas whose name the text
    contains (an address with 番地 → its 町丁), longer names first; (3) small areas whose name
    contains the text (デモ台 → デモ台一丁目 …); (4) resources whose name contains it; (5) resources
    whose address contains it.
    """
    query = check_query(text)
    found: list[Candidate] = []
    matcher = geocoder(engine)
    match = matcher.match(text) if matcher is not None else None
    if match is not None and match.placed:  # first among equals: the gazetteer's own point, with its level
        found.append(Candidate(match.matched or text, match.lon, match.lat, SOURCE_GAZETTEER, 1, -1, match.level))
    areas = read_areas(engine, SMALL_AREA_UNIT)
    if len(areas):
        points = areas.geometry.representative_point()
        for order, (name, point) in enumerate(zip(areas["name"], points)):
            if not isinstance(name, str) or not name:
                continue
            folded = normalise_address(name)
            if folded == query:
                score = 1
            elif folded in query:
                score = 2
            elif query in folded:
                score = 3
            else:
                continue
            found.append(Candidate(name, point.x, point.y, SOURCE_SMALL_AREA, score, order))
    resources: gpd.GeoDataFrame = read_resources(engine)  # public places only
    rows = zip(resources["name"], resources["address"], resources.geometry)
    for order, (name, address, point) in enumerate(rows):
        folded_address = normalise_address(address) if isinstance(address, str) else ""
        folded_name = normalise_address(name)
        if folded_address and (BAN in query or GO in query) and folded_address.endswith(query):
            found.append(Candidate(f"{address}（{name}）", point.x, point.y, SOURCE_RESOURCE, 0, order))
        elif query in folded_name:
            label = f"{name}（{address}）" if folded_address else name
            found.append(Candidate(label, point.x, point.y, SOURCE_RESOURCE, 4, order))
        elif folded_address and query in folded_address:
            found.append(Candidate(f"{address}（{name}）", point.x, point.y, SOURCE_RESOURCE, 5, order))
    found.sort(key=lambda c: (c.score, -len(c.label) if c.score == 2 else 0, c.order))
    unique: dict[str, Candidate] = {}
    points: set[tuple[float, float]] = set()
    for candidate in found:
        point = (round(candidate.lon, 7), round(candidate.lat, 7))
        if candidate.label not in unique and (candidate.source != SOURCE_SMALL_AREA or point not in points):
            unique[candidate.label] = candidate  # a small area at the gazetteer's very point says nothing new
            points.add(point)
    if not unique and match is not None and not match.placed and match.level == "municipality":
        raise AddressNotPlaced("which_address_not_placed", field="q", level=Word(f"geocode_level_{match.level}"),
                               reason=Word(match.reason or "geocode_reason_no_town"))
    return list(unique.values())[:limit]


SMALL_AREA_UNIT = "small_area"
