"""Measuring and wrapping text in the map font, in page points, before anything is drawn.

The list, the credits and the number labels are laid out by these widths, so they must be what
the saved page shows: each character's advance is read from the font itself, not guessed.
"""

from __future__ import annotations

from functools import lru_cache

from matplotlib.textpath import TextToPath

from geo_welfare.core.glossary import NO_BREAK_BEFORE
from geo_welfare.maps.fonts import font

_measure = TextToPath()


@lru_cache(maxsize=4096)
def _advance(char: str) -> float:
    """Width of one character at 100 pt (cached: lists and credits measure thousands of characters)."""
    return _measure.get_text_width_height_descent(char, font(100.0), ismath=False)[0]


def text_width(text: str, size: float) -> float:
    """Width of ``text`` in the map font at ``size`` points, in points (the sum of its characters'
    advances, 2% over to cover kerning and rounding)."""
    return sum(_advance(char) for char in str(text)) * size / 100.0 * 1.02


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` points: at the last space where the line has one,
    else between any two characters (Japanese), never before closing punctuation."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for char in paragraph:
            if line and char not in NO_BREAK_BEFORE and text_width(line + char, size) > width:
                cut = line.rfind(" ")  # at a space where there is one (English words, 10:00〜16:00)
                if cut > 0:
                    lines.append(line[:cut])
                    line = line[cut + 1:] + char
                else:
                    lines.append(line)
                    line = "" if char == " " else char
            else:
                line += char
        lines.append(line)
    return lines
