"""Cell values as plain Python: the one place where a frame's several 'missing' markers become None.

pandas and numpy say "no value" as None, NaN, NA or NaT and hand numbers back as numpy scalars;
database drivers, JSON and HSDS want None and plain ints/floats.
"""

from __future__ import annotations

import pandas as pd


def plain(value: object) -> object:
    """None for a missing value, a Python scalar for a numpy one, anything else unchanged."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # lists, dicts, geometries: not scalars
        return value
    return value.item() if hasattr(value, "item") else value
