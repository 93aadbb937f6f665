"""The total rows of a population table: 全市, each ward's 合計 and the towns' subtotals, checked and set aside.

Municipal tables carry their own sums: a city total, a total per ward, and (Sapporo) a subtotal after
each town's 丁目.  Each is checked against the rows it sums — a table whose totals disagree with its
own rows is refused, because one of them is wrong — and none is stored beside its details, so no
resident is counted twice.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo_welfare.core import glossary
from geo_welfare.core.errors import InputError, Problem
from geo_welfare.io.readers import ROW
from geo_welfare.layers.columns import POPULATION_SUBTOTAL_MARKS

#: The counts a total row states and is checked on.
COUNT_FIELDS = ("total", "age_0_14", "age_15_64", "age_65_plus", "age_75_plus", "households")


def drop_total_rows(frame: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Remove 全市 and per-ward total rows after checking each against the sum of its details.

    Where some details are suppressed ('x'), the total can only be bounded: at least the sum of
    the known details, at most that plus the suppressed rows' total populations.
    """
    if frame["name"].isna().all():
        return frame, []
    parent_is_total = frame["parent_name"].isin(glossary.TOTAL_ROW_NAMES)
    has_parent = frame["parent_name"].notna() & ~parent_is_total
    named_total = frame["name"].isin(glossary.TOTAL_ROW_NAMES)
    is_city_total = parent_is_total | (~has_parent & named_total)
    is_group_total = has_parent & ((frame["name"] == frame["parent_name"]) | named_total)
    is_subtotal = _subtotal_rows(frame, ~is_city_total & ~is_group_total)
    details = frame.loc[~is_city_total & ~is_group_total & ~is_subtotal]
    problems: list[Problem] = []
    checked: list[str] = [str(name) for name in frame.loc[is_subtotal, "name"]]
    for index in frame.index[is_city_total | is_group_total]:
        row = frame.loc[index]
        scope = details if is_city_total[index] else details.loc[details["parent_name"] == row["parent_name"]]
        for name in COUNT_FIELDS:
            if row[name] is None or pd.isna(row[name]):
                continue
            known = scope[name].notna()
            summed = int(scope.loc[known, name].sum())
            hidden = int(scope.loc[~known, "total"].fillna(0).sum())
            stated = int(row[name])
            if not summed <= stated <= summed + hidden:
                expected = f"{summed}" if hidden == 0 else f"{summed}〜{summed + hidden}"
                problems.append(Problem(str(path), int(row[ROW]), name, "population_total_row_differs", {},
                                        f"{stated} ≠ {expected}"))
        checked.append(str(row["name"]))
    if problems:
        raise InputError(problems)
    return details, checked


def _subtotal_rows(frame: pd.DataFrame, candidates: pd.Series) -> pd.Series:
    """Rows that sum up the rows just above them, as Sapporo writes them.

    Sapporo's tables follow a town's 丁目 with the town's subtotal, under several names: 大通東 after
    大通東２丁目 … １２丁目, 円山西町（丁目） after 円山西町１丁目 …, and 南　西 (once padded spaces are
    folded, 南西) after every 南N条西M丁目.  A row is a subtotal when the rows right above it (same parent)
    each hold its name's characters in order (南…西 in 南１条西１丁目) and, counted upwards, some run of
    them adds up to its total exactly: the shortest such run.  A real area with a similar name stays,
    because its count is not the sum of its neighbours'.
    """
    result = pd.Series(False, index=frame.index)
    names, parents, totals = frame["name"].tolist(), frame["parent_name"].tolist(), frame["total"].tolist()
    for position, index in enumerate(frame.index):
        if not candidates[index] or not isinstance(names[position], str) or pd.isna(totals[position]):
            continue
        key, target = _subtotal_key(names[position]), int(totals[position])
        above, summed = position - 1, 0
        while (above >= 0 and parents[above] == parents[position] and isinstance(names[above], str)
               and len(names[above]) > len(key) and _in_order(key, names[above])):
            if not result[frame.index[above]]:  # a subtotal within the run is not counted twice
                summed += 0 if pd.isna(totals[above]) else int(totals[above])
            above -= 1
            if summed == target:
                result[index] = True
                break
    return result


def _subtotal_key(name: str) -> str:
    """A subtotal's name without the mark that says it is one (円山西町（丁目） → 円山西町)."""
    for mark in POPULATION_SUBTOTAL_MARKS:
        if name.endswith(mark):
            return name[: -len(mark)]
    return name


def _in_order(key: str, name: str) -> bool:
    """Whether ``name`` holds the characters of ``key`` in order, the first at its start (南西 in 南１条西１丁目)."""
    if not key or not name.startswith(key[0]):
        return False
    position = 0
    for character in key:
        position = name.find(character, position)
        if position < 0:
            return False
        position += 1
    return True
