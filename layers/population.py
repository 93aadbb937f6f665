"""Population by census small area (町丁・字): total, 0–14, 15–64, 65+, 75+ and households.

Recognises the layouts that municipalities and e-Stat publish:

- a code and the totals (``KEY_CODE, 総数, 0～14歳, 15～64歳, 65歳以上, 75歳以上, 世帯数``), including
  e-Stat's 小地域 census CSVs whose coded headers (``T000849001``) sit above a row of labels
  (``総数、年齢「不詳」含む``, ``総数（再掲）65歳以上`` …);
- 5-year age bands with Japanese headers (``0～ 4歳, 5～ 9, …, 100歳以上``, Sapporo's 住民基本台帳
  tables), optionally with the published 年少・生産年齢・老年人口 as a cross-check;
- the 自治体標準オープンデータセット 年齢別人口 layout (``man1..man18, woman1..woman18``, 5-year
  bands from 0–4 to 85+, e.g. Takamatsu).

Rows that are totals of other rows (全市, a ward's own row) are checked against the sum of their
detail rows and not stored, so no figure is counted twice.  Rows are joined to small areas by
code, or by name after normalising the ways names are written (full-width digits, 条 numerals,
（番地）); rows that do not join are kept and listed, never dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo_welfare.core import glossary
from geo_welfare.core.errors import InputError, Problem
from geo_welfare.layers.columns import (POPULATION_AGE_BAND, POPULATION_AREA_LABEL, POPULATION_COLUMNS,
                                        POPULATION_OPEN_AGE_BAND, POPULATION_TOTAL_LABEL,
                                        resolve_columns)
from geo_welfare.io.cells import MAX_COUNT, text_problems
from geo_welfare.io.readers import ROW, read_table
from geo_welfare.layers.population_totals import COUNT_FIELDS, drop_total_rows



@dataclass
class PopulationImport:
    """Validated population rows (details only) and what the import checked."""

    frame: pd.DataFrame  # row_key, code, parent_name, name + COUNT_FIELDS, _row
    source: str
    layout: str
    as_of: str | None = None
    totals_checked: list[str] = field(default_factory=list)


#: The frame's columns that keep a table's 5-year bands begin so: ``band:0:4:male``, ``band:100::`` (100+, both sexes).
BAND_PREFIX = "band:"


def band_column(start: int, end: int | None, sex: str | None) -> str:
    """The frame column of one band (``end`` None: the open top band; ``sex`` None: both sexes)."""
    return f"{BAND_PREFIX}{start}:{'' if end is None else end}:{sex or ''}"


def parse_band_column(column: str) -> tuple[int, int | None, str | None]:
    """(start, end, sex) of a :func:`band_column` name."""
    start, end, sex = column[len(BAND_PREFIX):].split(":")
    return int(start), int(end) if end else None, sex or None


def _header_key(name: str) -> str:
    """A header with widths and spaces folded: '0～ 4歳' → '0～4歳', '100歳  以上' → '100歳以上'."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).replace("~", "～")


def _age_bands(columns: list[str]) -> dict[str, tuple[int, int | None]]:
    """Columns that are age bands, with their (first age, last age or None for 'and over').

    Only a partition of all ages counts as a band layout (0–4, 5–9, …, 100+): a totals table
    whose headers happen to read 0～14歳, 65歳以上, 75歳以上 overlaps and is not one.
    """
    bands: dict[str, tuple[int, int | None]] = {}
    for column in columns:
        key = _header_key(column)
        if match := POPULATION_AGE_BAND.fullmatch(key):
            bands[column] = (int(match[1]), int(match[2]))
        elif match := POPULATION_OPEN_AGE_BAND.fullmatch(key):
            bands[column] = (int(match[1]), None)
    ordered = sorted(bands.values(), key=lambda band: band[0])
    partition = (len(ordered) >= 3 and ordered[0][0] == 0 and ordered[-1][1] is None
                 and all(a[1] is not None and a[1] + 1 == b[0] for a, b in zip(ordered, ordered[1:])))
    return bands if partition else {}


def _numbers(table: pd.DataFrame, column: str, path: Path, problems: list[Problem]) -> pd.Series:
    """A count column as nullable integers.

    '-' and blank mean 0 (the statistical tables' own convention); 'x' / '秘匿' mark a figure
    suppressed to protect privacy and become NA (unknown), never 0; anything else that is not
    a whole number ≥ 0 is an error.
    """
    text = table[column].astype(str).str.strip().str.replace(",", "", regex=False)
    suppressed = text.isin(glossary.SUPPRESSED_MARKS)
    text = text.where(~text.isin(glossary.ZERO_MARKS), "0").where(~suppressed, None)
    values = pd.to_numeric(text.map(lambda v: unicodedata.normalize("NFKC", v) if isinstance(v, str) else None),
                           errors="coerce")
    bad = (values.isna() & ~suppressed) | (values < 0) | (values.notna() & (values % 1 != 0))
    problems += [Problem(str(path), int(row), column, "population_count_not_whole_number", {}, found)
                 for row, found in zip(table.loc[bad, ROW], table.loc[bad, column])]
    huge = ~bad & (values > MAX_COUNT)  # 1e20 is whole, but no count (and no integer the store holds)
    problems += [Problem(str(path), int(row), column, "count_too_large", {"most": MAX_COUNT}, found)
                 for row, found in zip(table.loc[huge, ROW], table.loc[huge, column])]
    bad |= huge
    # A refused cell becomes unknown, not 0, so no later check reports a second, false error on it.
    return values.where(~bad).astype("Int64")


def read_population(path: str | Path, *, columns: dict[str, str] | None = None, source: str | None = None,
                    encoding: str | None = None, lengths: Mapping[str, int] | None = None) -> PopulationImport:
    """Read and validate a population table; raise :class:`InputError` listing every bad row.

    ``lengths`` (field → most characters: ``row_key``, ``parent_name``, ``name``, ``as_of``) refuses
    a code or name its column cannot hold; control characters are refused always.
    """
    path = Path(path)
    overrides = columns or {}
    known = {name for names in POPULATION_COLUMNS.values() for name in names} | {"man1", "woman1"}
    table = _use_label_row(read_table(path, encoding=encoding, header_names=known | set(overrides.values())))
    folded = {_header_key(c): c for c in table.columns}
    aliases = {f: tuple(folded.get(_header_key(n), n) for n in names) for f, names in POPULATION_COLUMNS.items()}
    mapping = resolve_columns(table.columns, aliases, overrides, path)
    problems: list[Problem] = []
    read = _layout_counts(table, mapping, path, problems)
    if mapping["households"]:
        read.counts["households"] = _numbers(table, mapping["households"], path, problems)
    _check_counts(read, table, mapping, path, problems)
    problems += _text_problems(table, mapping, path, lengths)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0)))
    frame, checked = _detail_rows(table, mapping, read.counts, path)
    frame = frame.assign(**{column: values.loc[frame.index] for column, values in read.bands.items()})
    as_of = table[mapping["as_of"]].iloc[0].strip() if mapping["as_of"] and len(table) else None
    return PopulationImport(frame.reset_index(drop=True), source or path.stem, read.layout, as_of, checked)


_TEXT_FIELDS = {"row_key": "code", "parent_name": "parent_name", "name": "name", "as_of": "as_of"}  # stored ← read


def _text_problems(table: pd.DataFrame, mapping: dict, path: Path, lengths: Mapping[str, int] | None) -> list[Problem]:
    """Codes and names no store can hold (control characters) or their columns cannot (``lengths``)."""
    present = {stored: mapping[field] for stored, field in _TEXT_FIELDS.items() if mapping.get(field)}
    cells = pd.DataFrame({ROW: table[ROW], **{stored: table[column].str.strip() for stored, column in present.items()}})
    return text_problems(cells, path, present, lengths, row_column=ROW, names=present)


@dataclass
class _LayoutCounts:
    """What one layout gave: its name, the counts read, and the total its age bands add up to (if it has bands)."""

    layout: str
    counts: dict[str, pd.Series]
    banded_total: pd.Series | None = None
    bands: dict[str, pd.Series] = field(default_factory=dict)  # band_column(…) → counts, kept for the pyramid


def _layout_counts(table: pd.DataFrame, mapping: dict, path: Path, problems: list[Problem]) -> _LayoutCounts:
    """The counts as the table's layout gives them: bands by sex, age bands, or the totals themselves."""
    sex_bands = [c for c in table.columns if re.fullmatch(r"(man|woman)\d+", c)]
    bands = _age_bands(list(table.columns))
    if sex_bands:
        return _standard_age_bands(table, mapping, sex_bands, path, problems)
    if bands:
        return _age_band_counts(table, mapping, bands, path, problems)
    return _totals(table, mapping, path, problems)


def _standard_age_bands(table: pd.DataFrame, mapping: dict, sex_bands: list[str], path: Path,
                        problems: list[Problem]) -> _LayoutCounts:
    """自治体標準オープンデータセット 年齢別人口: ``man1..man18, woman1..woman18``, 0–4 up to 85+."""
    band = {c: int(re.sub(r"\D", "", c)) for c in sex_bands}
    values = {c: _numbers(table, c, path, problems) for c in sex_bands}

    def band_sum(first: int, last: int) -> pd.Series:
        return sum(v for c, v in values.items() if first <= band[c] <= last)

    counts: dict[str, pd.Series] = {}
    counts["age_0_14"], counts["age_15_64"] = band_sum(1, 3), band_sum(4, 13)
    counts["age_65_plus"], counts["age_75_plus"] = band_sum(14, 18), band_sum(16, 18)
    counts["total"] = _numbers(table, mapping["total"], path, problems) if mapping["total"] else band_sum(1, 18)
    kept = {band_column(5 * (band[c] - 1), None if band[c] == 18 else 5 * band[c] - 1,
                        "male" if c.startswith("man") else "female"): v for c, v in values.items()}
    return _LayoutCounts("standard-age-bands", counts, band_sum(1, 18), kept)


def _age_band_counts(table: pd.DataFrame, mapping: dict, bands: dict[str, tuple[int, int | None]], path: Path,
                     problems: list[Problem]) -> _LayoutCounts:
    """5-year age bands with Japanese headers, the published 年少・生産年齢・老年人口 checked against them."""
    values = {c: _numbers(table, c, path, problems) for c in bands}

    def band_sum(first: int, last: int | None) -> pd.Series:
        return sum(v for c, v in values.items()
                   if bands[c][0] >= first and (last is None or (bands[c][1] is not None and bands[c][1] <= last)))

    counts: dict[str, pd.Series] = {}
    counts["age_0_14"], counts["age_15_64"] = band_sum(0, 14), band_sum(15, 64)
    counts["age_65_plus"], counts["age_75_plus"] = band_sum(65, None), band_sum(75, None)
    counts["total"] = _numbers(table, mapping["total"], path, problems) if mapping["total"] else band_sum(0, None)
    for published in ("age_0_14", "age_15_64", "age_65_plus"):
        column = mapping[published]
        if column and column not in bands:
            stated = _numbers(table, column, path, problems)
            differs = (stated != counts[published]).fillna(False).astype(bool)
            problems += [Problem(str(path), int(row), column, "population_age_group_differs_from_bands", {},
                                 f"{s} ≠ {c}")
                         for row, s, c in zip(table.loc[differs, ROW], stated[differs], counts[published][differs])]
    kept = {band_column(*bands[c], None): v for c, v in values.items()}
    return _LayoutCounts("age-bands", counts, band_sum(0, None), kept)


def _totals(table: pd.DataFrame, mapping: dict, path: Path, problems: list[Problem]) -> _LayoutCounts:
    """A code (or name) and the totals, as e-Stat's 小地域 tables and most municipalities publish them."""
    if mapping["total"] is None:
        raise InputError.single(path, "population_total_column_missing", field=POPULATION_TOTAL_LABEL)
    counts = {name: _numbers(table, mapping[name], path, problems)
              for name in ("total", "age_0_14", "age_15_64", "age_65_plus", "age_75_plus") if mapping[name]}
    return _LayoutCounts("totals", counts)


def _check_counts(read: _LayoutCounts, table: pd.DataFrame, mapping: dict, path: Path,
                  problems: list[Problem]) -> None:
    """The age bands add up to the stated total, the areas can be told apart, 75+ ≤ 65+ ≤ total."""
    counts = read.counts
    if read.banded_total is not None and mapping["total"]:
        differs = (read.banded_total != counts["total"]).fillna(False).astype(bool)
        problems += [Problem(str(path), int(row), mapping["total"], "population_total_differs_from_bands", {},
                             f"{t} ≠ {b}")
                     for row, t, b in zip(table.loc[differs, ROW], counts["total"][differs],
                                          read.banded_total[differs])]
    if mapping["code"] is None and mapping["name"] is None:
        problems.append(Problem(str(path), None, POPULATION_AREA_LABEL, "population_area_column_missing", {}))
    _check_order(counts, table, path, mapping, problems)


def _detail_rows(table: pd.DataFrame, mapping: dict, counts: dict[str, pd.Series], path: Path
                 ) -> tuple[pd.DataFrame, list[str]]:
    """One row per area, keyed by code (or parent/name), total rows checked and dropped; an area twice is refused."""
    frame = pd.DataFrame({
        ROW: table[ROW],
        "code": table[mapping["code"]].str.strip() if mapping["code"] else None,
        "parent_name": _fold_spaces(table[mapping["parent_name"]]) if mapping["parent_name"] else None,
        "name": _fold_spaces(table[mapping["name"]]) if mapping["name"] else None,
        **{name: counts.get(name) for name in COUNT_FIELDS},
    })
    frame, checked = drop_total_rows(frame, path)
    keys = frame["code"] if mapping["code"] else frame["parent_name"].fillna("") + "/" + frame["name"].fillna("")
    frame.insert(1, "row_key", keys.values)
    duplicated = frame["row_key"].duplicated()
    if duplicated.any():
        raise InputError([Problem(str(path), int(row), mapping["code"] or mapping["name"],
                                  "population_area_twice", {}, key)
                          for row, key in zip(frame.loc[duplicated, ROW], frame.loc[duplicated, "row_key"])])
    return frame, checked


def _use_label_row(table: pd.DataFrame) -> pd.DataFrame:
    """e-Stat 小地域 census CSVs put coded headers (T000849001 …) above a row of Japanese labels:
    name the columns by those labels and drop the label row."""
    coded = [c for c in table.columns if re.fullmatch(r"T\d{9}", c)]
    if not coded or not len(table) or str(table.iloc[0].get("KEY_CODE", "")).strip():
        return table
    labels = {column: str(table.iloc[0][column]).strip() or column for column in coded}
    return table.iloc[1:].rename(columns=labels).reset_index(drop=True)


def _fold_spaces(names: pd.Series) -> pd.Series:
    """Names without the spaces tables pad them with ('東　区' → '東区', '　合　計' → '合計')."""
    return names.astype(str).str.replace(r"[\s\u3000]+", "", regex=True)


def _check_order(counts: dict[str, pd.Series], table: pd.DataFrame, path: Path, mapping: dict, problems: list) -> None:
    """75+ cannot exceed 65+, and 65+ cannot exceed the total."""
    for smaller, larger in (("age_75_plus", "age_65_plus"), ("age_65_plus", "total")):
        if smaller in counts and larger in counts:
            wrong = (counts[smaller] > counts[larger]).fillna(False).astype(bool)
            problems += [Problem(str(path), int(row), mapping.get(smaller) or smaller,
                                 "population_count_exceeds", {"smaller": smaller, "larger": larger}, f"{a} > {b}")
                         for row, a, b in zip(table.loc[wrong, ROW], counts[smaller][wrong], counts[larger][wrong])]


def _kanji_number(number: int) -> str:
    """1 → 一, 10 → 十, 24 → 二十四 (the way 条 are written in 町丁 names)."""
    tens, ones = divmod(number, 10)
    digits, ten = glossary.KANJI_DIGITS, glossary.KANJI_TEN
    text = "" if tens == 0 else (ten if tens == 1 else digits[tens] + ten)
    return text + ("" if ones == 0 else digits[ones]) if number else digits[0]


def normalise_area_name(name: str | None) -> str:
    """A small-area name in one canonical spelling, so that two sources' names can be compared.

    Full-width digits become ASCII, numerals before 条 become kanji (北1条西 → 北一条西, as e-Stat
    writes them), ヶ/ケ/が variants fold, and the e-Stat suffix （番地） and spaces are removed.
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", str(name))
    text = re.sub(r"[\s\u3000]+", "", text)
    text = glossary.BANCHI_AREA_SUFFIX.sub("", text).translate(glossary.KANA_FOLDS)
    return glossary.JO_NUMBER.sub(lambda m: _kanji_number(int(m[1])), text)


@dataclass
class JoinResult:
    """Which population rows joined to which small area, and which did not (with the reason)."""

    area_codes: pd.Series  # aligned with the population frame; None where not joined
    unmatched: pd.DataFrame  # _row, parent_name, name, reason (a catalogue key: said in the reader's language)
    joined_without_chome: int = 0  # rows joined to the undivided area of the same name (see the join)

    @property
    def matched_count(self) -> int:
        return int(self.area_codes.notna().sum())




def join_to_small_areas(population: pd.DataFrame, small_areas: pd.DataFrame) -> JoinResult:
    """Match population rows to small areas: by code when the table has codes, else by name.

    ``small_areas`` has ``code, name, municipality_name``.  Name matching is within the same
    municipality (ward) when both sides name it, because 町丁 names repeat across wards.  A name
    that several small areas share is ambiguous and is reported, not guessed.
    """
    coarser = 0
    if population["code"].notna().any():
        known = set(small_areas["code"])
        codes = population["code"].astype(object).where(population["code"].isin(known), None)
        reasons = pd.Series("population_join_code_not_found", index=population.index)
    else:
        areas = small_areas.assign(key=small_areas["name"].map(normalise_area_name),
                                   parent=small_areas["municipality_name"].fillna(""))
        by_parent = areas.groupby(["parent", "key"])["code"].agg(lambda c: sorted(set(c)))
        by_name = areas.groupby("key")["code"].agg(lambda c: sorted(set(c)))
        use_parent = population["parent_name"].notna().any() and areas["parent"].ne("").any()
        matches: list[str | None] = []
        reasons_list: list[str] = []
        ambiguous = "population_join_name_ambiguous"
        not_found = "population_join_name_not_found"
        for parent, name in zip(population["parent_name"].fillna(""), population["name"]):
            key = normalise_area_name(name)
            lookup = (lambda k: by_parent.get((parent, k), [])) if use_parent else (lambda k: by_name.get(k, []))
            found = lookup(key)
            if not found and (without_chome := glossary.CHOME_NUMBER.sub("", key)) != key:
                # A 丁目 created after the boundaries were drawn lies inside the older, undivided area.
                found = lookup(without_chome)
                coarser += len(found) == 1
            matches.append(found[0] if len(found) == 1 else None)
            reasons_list.append(ambiguous if len(found) > 1 else not_found)
        codes = pd.Series(matches, index=population.index, dtype=object)
        reasons = pd.Series(reasons_list, index=population.index)
    missing = codes.isna()
    unmatched = population.loc[missing, [ROW, "row_key", "parent_name", "name"]].assign(reason=reasons[missing])
    return JoinResult(codes, unmatched.reset_index(drop=True), coarser)
