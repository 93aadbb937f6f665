"""Shading small areas by 高齢化率 or by the number of older residents, in classes a planner chooses.

The classification is mapclassify's (quantiles, natural breaks = Fisher–Jenks, equal interval), so
the breaks are the ones PySAL users know.  Areas whose ages are unknown (no row, or suppressed) are
drawn grey and said so in the legend, never put into the lowest class.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_welfare.analysis.aging import aging_table
from geo_welfare.analysis.study import PlanningInputError, age_dataset
from geo_welfare.store.read import read_population
from geo_welfare.web.features import kept_areas
from geo_welfare.web.store import get_engine, per_revision

#: Scheme → mapclassify's class name.  The module is imported when a map is first shaded, not when the
#: app starts: its import compiles numba code (8 CPU seconds), which every gunicorn worker would pay on boot.
SCHEMES = {"quantiles": "Quantiles", "natural_breaks": "FisherJenks", "equal_interval": "EqualInterval"}
MEASURES = ("aging_rate", "age_65_plus", "age_75_plus")
#: ColorBrewer YlOrRd, light to dark, 3–7 classes.
PALETTES = {3: ["#ffeda0", "#feb24c", "#f03b20"], 4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
            5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
            6: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
            7: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"]}
UNKNOWN_COLOUR = "#bdbdbd"
#: Walking areas and the gaps between them, on every web map.  The gaps are purple with a dashed edge:
#: apart from the 高齢化率 ramp (YlOrRd) by hue, and from the walking areas' blue by the dashes too, so
#: a colour-blind reader (and a grey printout) still tells them apart.
SERVICE_AREA_STYLE = {"color": "#1f78b4", "weight": 1, "fillColor": "#a6cee3", "fillOpacity": 0.3}
GAP_STYLE = {"color": "#40004b", "weight": 1.5, "dashArray": "4 3", "fillColor": "#7b3294", "fillOpacity": 0.4}


@dataclass(frozen=True)
class Classes:
    """Upper bounds of each class, the class of each area (−1 unknown) and their colours."""

    measure: str
    scheme: str
    lower: float
    bins: list[float]
    codes: list[str]
    values: list[float | None]
    classes: list[int]
    colours: list[str]

    def colour_of(self, code: str) -> str:
        index = self.classes[self.codes.index(code)] if code in self.codes else -1
        return UNKNOWN_COLOUR if index < 0 else self.colours[index]


def classify(codes: list[str], values: np.ndarray, measure: str, scheme: str, k: int) -> Classes:
    """Classes of ``values`` (NaN = unknown) by ``scheme`` into ``k`` classes (fewer when values repeat)."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}")
    if k not in PALETTES:
        raise ValueError(f"classes must be from {min(PALETTES)} to {max(PALETTES)}")
    values = np.asarray(values, dtype=float)
    known = np.isfinite(values)
    classes = np.full(len(values), -1, dtype=int)
    bins: list[float] = []
    if known.sum() >= 2:
        k_used = min(k, len(np.unique(values[known])))
        import mapclassify
        classifier = getattr(mapclassify, SCHEMES[scheme])(values[known], k=k_used)
        bins = [float(b) for b in classifier.bins]
        classes[known] = classifier.yb
    elif known.any():
        bins, classes[known] = [float(values[known][0])], 0
    palette = PALETTES.get(len(bins)) or PALETTES[3][: len(bins)]
    lower = float(values[known].min()) if known.any() else float("nan")
    return Classes(measure, scheme, lower, bins, list(codes),
                   [None if not np.isfinite(v) else float(v) for v in values], classes.tolist(), list(palette))


def small_area_classes(small_areas: gpd.GeoDataFrame, population: pd.DataFrame, measure: str = "aging_rate",
                       scheme: str = "quantiles", k: int = 5) -> Classes:
    """Every stored small area classified by ``measure`` from the population joined to it."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}")
    table = aging_table(small_areas, population).set_index("code")
    codes = small_areas["code"].tolist()
    values = table[measure].reindex(codes).astype(float).to_numpy()
    if measure != "aging_rate":  # a count is unknown where the ages were suppressed, not 0
        known_rate = table["aging_rate"].reindex(codes).astype(float).to_numpy()
        values = np.where(np.isfinite(known_rate), values, np.nan)
    return classify(codes, values, measure, scheme, k)




def _word(key: str, lang: str) -> str:
    from geo_welfare.web.i18n import word
    return word(f"shade_{key}", lang)


def _format(value: float, measure: str) -> str:
    return f"{100 * value:.1f}%" if measure == "aging_rate" else f"{value:,.0f}"


def legend_title(classes: Classes, lang: str) -> str:
    """What is shaded, by which classification: 「高齢化率（分位数）」."""
    return f"{_word(classes.measure, lang)}（{_word(classes.scheme, lang)}）" if lang == "ja" else \
        f"{_word(classes.measure, lang)} ({_word(classes.scheme, lang)})"


def legend_html(classes: Classes, lang: str) -> str:
    """The classes with their ranges, and the form that changes measure, scheme and class count."""
    import html
    rows, lower = [], classes.lower
    for colour, upper in zip(classes.colours, classes.bins):
        rows.append(f'<li><span class="gw-box" style="background:{colour}"></span>'
                    f"{_format(lower, classes.measure)} – {_format(upper, classes.measure)}</li>")
        lower = upper
    if -1 in classes.classes:
        rows.append(f'<li><span class="gw-box" style="background:{UNKNOWN_COLOUR}"></span>'
                    f'{html.escape(_word("unknown", lang))}</li>')
    title = legend_title(classes, lang)

    def options(choices, chosen):
        return "".join(f'<option value="{c}"{" selected" if c == chosen else ""}>{html.escape(_word(c, lang))}</option>'
                       for c in choices)
    counts = "".join(f'<option value="{n}"{" selected" if n == len(classes.bins) else ""}>{n}</option>'
                     for n in PALETTES)
    form = (f'<form class="gw-shade-form" method="get"><input type="hidden" name="lang" value="{html.escape(lang)}">'
            f'<select name="shade" aria-label="{html.escape(_word("choropleth_measure", lang))}">'
            f'{options(MEASURES, classes.measure)}</select>'
            f'<select name="scheme" aria-label="{html.escape(_word("choropleth_scheme", lang))}">'
            f'{options(SCHEMES, classes.scheme)}</select>'
            f'<select name="classes" aria-label="{html.escape(_word("classes", lang))}">{counts}</select>'
            f'<button type="submit">{html.escape(_word("apply", lang))}</button></form>')
    return (f'<div class="gw-choropleth"><strong>{html.escape(title)}</strong><ul>{"".join(rows)}</ul>{form}</div>')


CHOROPLETH_STYLE = """<style>
.gw-choropleth { position: absolute; bottom: 64px; left: 10px; z-index: 1000; background: rgba(255,255,255,.92);
  padding: 8px 12px; border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 13px; }
.gw-choropleth ul { list-style: none; margin: 4px 0; padding: 0; }
.gw-box { display: inline-block; width: 14px; height: 12px; margin-right: 6px; border: 1px solid #555;
  vertical-align: middle; }
.gw-shade-form select { font-size: 12px; margin-right: 2px; }
</style>"""


def kept_classes(wanted: tuple[str, str, int], dataset: str | None) -> Classes | None:
    """The store's small areas classified as ``wanted`` asks, once per store revision; None without ages.

    None too when there are no small areas, or ``dataset`` names no stored population with ages.
    """
    engine = get_engine()

    def build() -> Classes | None:
        areas = kept_areas()
        small = areas[areas["unit"] == "small_area"]
        if small.empty:
            return None
        try:
            population = read_population(engine, age_dataset(engine, dataset))
        except PlanningInputError:
            return None
        return small_area_classes(small, population, *wanted)
    return per_revision(("shading", wanted, dataset), build)


def shown_values(classes: Classes) -> dict[str, dict]:
    """Each small area's value as the map's tooltip shows it, and its colour: {code: {"value", "colour"}}."""
    shown = {}
    for code, value, index in zip(classes.codes, classes.values, classes.classes):
        text = "–" if value is None else _format(value, classes.measure)
        shown[code] = {"value": text, "colour": UNKNOWN_COLOUR if index < 0 else classes.colours[index]}
    return shown


def shading_request(args, default_measure: str = "aging_rate") -> tuple[str, str, int] | None:
    """(measure, scheme, classes) from ``?shade=&scheme=&classes=``; None for ``?shade=none``; ValueError if bad."""
    measure = args.get("shade") or default_measure
    if measure == "none":
        return None
    scheme = args.get("scheme") or "quantiles"
    try:
        k = int(args.get("classes") or 5)
    except ValueError:
        raise ValueError("classes must be a whole number") from None
    if measure not in MEASURES or scheme not in SCHEMES or k not in PALETTES:
        raise ValueError(f"shade: {', '.join(MEASURES)}; scheme: {', '.join(SCHEMES)}; classes: 3–7")
    return measure, scheme, k


def kind_styles(lang: str) -> dict[str, dict[str, str]]:
    """Each resource kind's colour, marker shape (the print map's) and label, for a page's markers and legend."""
    from geo_welfare.core.glossary import RESOURCE_KINDS, label
    from geo_welfare.maps.style import RESOURCE_COLOURS, RESOURCE_MARKERS
    return {term.id: {"colour": RESOURCE_COLOURS[term.id], "marker": RESOURCE_MARKERS[term.id],
                      "label": label(RESOURCE_KINDS, term.id, lang)} for term in RESOURCE_KINDS}
