"""Matching a file's column names to a layer's fields, with the user's declared column map.

Municipal lists name the same field many ways (名称 / 施設名 / name); each layer declares the
names it recognises, in Japanese and in the English form of the 自治体標準オープンデータセット,
and ``--columns field=列名,…`` maps anything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.io.readers import find_column


def parse_column_map(text: str | None) -> dict[str, str]:
    """``"name=施設名称,lat=Y座標"`` → ``{"name": "施設名称", "lat": "Y座標"}``."""
    if not text:
        return {}
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"--columns expects field=column pairs, got {part!r}")
        field, column = (piece.strip() for piece in part.split("=", 1))
        mapping[field] = column
    return mapping


def resolve_columns(columns: Iterable[str], aliases: Mapping[str, tuple[str, ...]], overrides: Mapping[str, str],
                    path: Path) -> dict[str, str | None]:
    """For each field, the file's column that holds it (None when absent).

    A column named in ``overrides`` must exist: a typo in ``--columns`` is an error, not a silent miss.
    """
    present = list(columns)
    unknown_fields = sorted(set(overrides) - set(aliases))
    problems = [Problem(str(path), None, field, f"不明な項目名です（使える項目: {', '.join(aliases)}）",
                        f"unknown field in --columns (known: {', '.join(aliases)})") for field in unknown_fields]
    problems += [Problem(str(path), None, column, f"--columns で指定した列がファイルにありません（{field}）",
                         f"column named in --columns for {field!r} is not in the file")
                 for field, column in overrides.items() if field in aliases and column not in present]
    if problems:
        raise InputError(problems)
    return {field: overrides.get(field) or find_column(present, names) for field, names in aliases.items()}
