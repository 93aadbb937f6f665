"""The Japanese font every map is drawn in: IPAexGothic, shipped by the ``matplotlib-fontja`` package.

A font from PyPI rather than the system means the same glyphs on every machine (no tofu on a
municipal PC or in CI) and a licence that allows embedding (IPA Font License).  PDFs embed it as
TrueType (Type 42) so the text stays text (searchable, copyable); SVGs carry the glyphs as paths
so the drawing looks the same where the font is not installed.  The package's own import changes
matplotlib's global settings, so only its font file is used here.
"""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties

FAMILY = "IPAexGothic"
#: Glyphs IPAexGothic lacks (rare symbols) fall back to matplotlib's own font instead of a box.
FALLBACK = "DejaVu Sans"

RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "path", "axes.unicode_minus": False,
      "font.family": [FAMILY, FALLBACK], "hatch.linewidth": 0.6}


@lru_cache(maxsize=1)
def font_path() -> Path:
    """The IPAexGothic file inside the installed ``matplotlib-fontja`` package (registered once)."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib-fontja is not installed (pip install matplotlib-fontja)")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / "ipaexg.ttf"
    font_manager.fontManager.addfont(str(path))
    return path


def font(size: float) -> FontProperties:
    """The map font at ``size`` points."""
    font_path()
    return FontProperties(family=[FAMILY, FALLBACK], size=size)


@contextmanager
def map_style():
    """matplotlib settings while a map is drawn and saved (font embedding, the font family)."""
    font_path()
    with matplotlib.rc_context(RC):
        yield
