"""Gazetteers read as downloaded: MLIT 位置参照情報 (大字・町丁目 and 街区, CSV or zip, CP932 or UTF-8),
Geolonia japanese-addresses JSON (one municipality a file), and the store's own small areas.

Each becomes a list of :class:`GazetteerRecord`: one named place with its representative point and
the level it answers at.  The files are read with the csv module rather than pandas: a whole
prefecture's 街区 file has about a million rows, and only ten of its fourteen columns matter.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.io.readers import CSV_ENCODINGS, decode_text
from geo_welfare.layers.addresses import grammar as g
from geo_welfare.layers.addresses.normalise import canonical, split_prefecture

#: Where a record came from (the stored ``gazetteer`` column).
MLIT_OAZA, MLIT_BLOCK, GEOLONIA, SMALL_AREA = "mlit_oaza", "mlit_block", "geolonia", "small_area"
#: The levels a record answers at, finest first.
LEVELS = ("block", "chome", "oaza")
_JAPAN_LON, _JAPAN_LAT = (122.0, 154.5), (20.0, 46.0)


@dataclass(frozen=True)
class GazetteerRecord:
    """One place of a gazetteer: its names, its representative point (JGD2011 lon/lat) and its level.

    ``block`` is the 街区符号・地番 as shown (12番, 1986番地) for 街区 records, else None; ``level`` is
    ``block``, ``chome`` (a 丁目) or ``oaza`` (大字, 町 or 字 without 丁目).
    """

    gazetteer: str
    source: str
    prefecture: str | None
    municipality_code: str | None
    municipality: str
    town: str
    koaza: str | None
    block: str | None
    level: str
    lon: float
    lat: float


def town_level(name: str) -> str:
    """``chome`` when a town name ends with 丁目, else ``oaza``."""
    return "chome" if canonical(name).endswith(g.CHOME) else "oaza"


def _point(row: dict, lon_key: str, lat_key: str) -> tuple[float, float] | None:
    try:
        lon, lat = float(row[lon_key]), float(row[lat_key])
    except (TypeError, ValueError, KeyError):
        return None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    if not (_JAPAN_LON[0] <= lon <= _JAPAN_LON[1] and _JAPAN_LAT[0] <= lat <= _JAPAN_LAT[1]):
        return None
    return lon, lat


def _csv_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of the CSV file, or of every CSV inside a zip (as MLIT's downloads come)."""
    if path.suffix.lower() != ".zip":
        yield path.name, decode_text(path)[0]
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise InputError.single(path, "gazetteer_bad_zip") from error
    with archive:
        members = [name for name in archive.namelist() if name.lower().endswith(".csv")]
        if not members:
            raise InputError.single(path, "gazetteer_zip_without_csv")
        for member in members:
            raw = archive.read(member)
            for encoding in CSV_ENCODINGS:
                try:
                    yield member, raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise InputError.single(f"{path.name}:{member}", "file_encoding_unknown",
                                        tried=", ".join(CSV_ENCODINGS))


def _column(header: list[str], names: str | tuple[str, ...]) -> str | None:
    for name in (names,) if isinstance(names, str) else names:
        if name in header:
            return name
    return None


def read_mlit(path: Path) -> list[GazetteerRecord]:
    """位置参照情報 of either level, told apart by the header (街区符号・地番 marks the 街区 level)."""
    records, problems = [], []
    for member, text in _csv_texts(path):
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        if g.MLIT_BLOCK["block"] in header:
            read = _block_rows
        elif g.MLIT_OAZA["town"] in header:
            read = _oaza_rows
        else:
            raise InputError.single(member, "gazetteer_format_unknown", columns=", ".join(header[:6]))
        records.extend(read(reader, header, path.name, member, problems))
    if problems:
        raise InputError(problems)
    return records


def _oaza_rows(reader, header, source, member, problems) -> Iterator[GazetteerRecord]:
    c = g.MLIT_OAZA
    for number, row in enumerate(reader, start=2):
        point = _point(row, c["lon"], c["lat"])
        if point is None:
            problems.append(Problem(member, number, c["lat"], "gazetteer_bad_point", found=row.get(c["lat"])))
            continue
        kind = (row.get(c["kind"]) or "").strip()
        town = (row.get(c["town"]) or "").strip()
        yield GazetteerRecord(MLIT_OAZA, source, (row.get(c["prefecture"]) or "").strip() or None,
                              (row.get(c["municipality_code"]) or "").strip()[:5] or None,
                              row[c["municipality"]].strip(), town, None, None,
                              "chome" if kind == "3" else "oaza" if kind else town_level(town), *point)


def _block_rows(reader, header, source, member, problems) -> Iterator[GazetteerRecord]:
    c = g.MLIT_BLOCK
    town_column = _column(header, c["town"])
    for number, row in enumerate(reader, start=2):
        if (row.get(c["representative"]) or "1").strip() == "0":
            continue  # a second point of the same block: the representative one is kept
        point = _point(row, c["lon"], c["lat"])
        if point is None:
            problems.append(Problem(member, number, c["lat"], "gazetteer_bad_point", found=row.get(c["lat"])))
            continue
        town = (row.get(town_column) or "").strip() if town_column else ""
        block = (row.get(c["block"]) or "").strip()
        suffix = g.BAN if (row.get(c["residence"]) or "").strip() == "1" else g.BANCHI
        yield GazetteerRecord(MLIT_BLOCK, source, row[c["prefecture"]].strip() or None, None,
                              row[c["municipality"]].strip(), "" if town == g.NO_OAZA else town,
                              (row.get(c["koaza"]) or "").strip() or None,
                              block + suffix if re.fullmatch(r"\d+", block) else block, "block", *point)


def split_municipality(name: str) -> tuple[str | None, str]:
    """``東京都千代田区`` → (東京都, 千代田区); ``藤沢市`` → (None, 藤沢市)."""
    text = re.sub(r"\s+", "", name)
    prefecture, rest = split_prefecture(text)
    return prefecture, rest


def read_geolonia(path: Path, municipality: str, municipality_code: str | None = None) -> list[GazetteerRecord]:
    """Geolonia ``api/ja/<都道府県>/<市区町村>.json``: ``[{town, koaza, lat, lng}]`` of ``municipality``.

    The records do not name their municipality (the file is one), so the caller says which;
    lat/lng may be strings (藤沢市's file) or numbers (逗子市's).
    """
    prefecture, name = split_municipality(municipality)
    try:
        data = json.loads(decode_text(path)[0])
    except json.JSONDecodeError as error:
        raise InputError.single(path, "gazetteer_bad_json", error=error.msg) from error
    if not isinstance(data, list) or not all(isinstance(item, dict) and "town" in item for item in data):
        raise InputError.single(path, "gazetteer_format_unknown", columns="town, koaza, lat, lng")
    records, problems = [], []
    for number, item in enumerate(data, start=1):
        point = _point(item, "lng", "lat")
        if point is None:
            problems.append(Problem(str(path), number, "lat", "gazetteer_bad_point", found=item.get("lat")))
            continue
        town, koaza = str(item["town"]).strip(), str(item.get("koaza") or "").strip() or None
        records.append(GazetteerRecord(GEOLONIA, path.name, prefecture, municipality_code, name, town, koaza, None,
                                       "oaza" if koaza else town_level(town), *point))
    if problems:
        raise InputError(problems)
    return records


def records_from_areas(rows: Iterable[tuple[str | None, str | None, str | None, float, float]], source: str
                       ) -> list[GazetteerRecord]:
    """Small areas as gazetteer records: (name, municipality name, municipality code, lon, lat) each.

    The point is a point on the polygon's surface (the caller's), never a centroid that may fall
    outside a crescent-shaped 町丁; ``（番地）`` and similar brackets stay in the shown name only.
    """
    records = []
    for name, municipality, code, lon, lat in rows:
        if not name or not municipality:
            continue
        records.append(GazetteerRecord(SMALL_AREA, source, None, (code or "")[:5] or None, municipality, name, None,
                                       None, town_level(name), lon, lat))
    return records


def read_gazetteer(path: Path, *, municipality: str | None = None, municipality_code: str | None = None
                   ) -> list[GazetteerRecord]:
    """The records of one gazetteer file: 位置参照情報 (.csv/.zip) or Geolonia (.json, with ``municipality``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        if not municipality:
            raise InputError.single(path, "gazetteer_needs_municipality")
        records = read_geolonia(path, municipality, municipality_code)
    elif suffix in (".csv", ".zip"):
        records = read_mlit(path)
    else:
        raise InputError.single(path, "gazetteer_format_unknown", columns=suffix or path.name)
    if not records:
        raise InputError.single(path, "file_empty")
    return records
