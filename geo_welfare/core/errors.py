"""Errors that a user can act on.

An import error always names the file, the row and the field, says what was expected and what
was found, in Japanese and English, because the person reading it is fixing a spreadsheet,
not a program.  Errors are collected over the whole file before anything is written, so one
run shows every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the 1-based data row as a person counts it in a spreadsheet (the header is not
    counted); ``None`` means the problem concerns the whole file (encoding, CRS, a missing column).
    """

    file: str
    row: int | None
    field: str | None
    expected_ja: str
    expected_en: str
    found: str | None = None

    def message(self, lang: str = "ja") -> str:
        """One line that locates the problem and says what to change."""
        where = [Path(self.file).name]
        if self.row is not None:
            where.append(f"{self.row}行目" if lang == "ja" else f"row {self.row}")
        if self.field:
            where.append(f"列「{self.field}」" if lang == "ja" else f"field '{self.field}'")
        expected = self.expected_ja if lang == "ja" else self.expected_en
        text = ", ".join(where) + ": " + expected
        if self.found is not None:
            text += f"（値: {self.found!r}）" if lang == "ja" else f" (found {self.found!r})"
        return text


class GeoWelfareError(Exception):
    """Base of every error the CLI turns into a one-line message and a non-zero exit code."""

    def message(self, lang: str = "ja") -> str:
        return str(self)


class InputError(GeoWelfareError):
    """An input file cannot be imported; nothing was written."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = list(problems)
        super().__init__(self.message("en"))

    @classmethod
    def single(cls, file: str | Path, expected_ja: str, expected_en: str, *, row: int | None = None,
               field: str | None = None, found: str | None = None) -> "InputError":
        return cls([Problem(str(file), row, field, expected_ja, expected_en, found)])

    def message(self, lang: str = "ja", limit: int = 20) -> str:
        lines = [p.message(lang) for p in self.problems[:limit]]
        more = len(self.problems) - limit
        if more > 0:
            lines.append(f"… ほか{more}件" if lang == "ja" else f"… and {more} more")
        return "\n".join(lines)


class StoreError(GeoWelfareError):
    """The store cannot be opened or used (missing SpatiaLite, unreachable PostGIS …)."""

    def __init__(self, message_ja: str, message_en: str):
        self.message_ja = message_ja
        self.message_en = message_en
        super().__init__(message_en)

    def message(self, lang: str = "ja") -> str:
        return self.message_ja if lang == "ja" else self.message_en
