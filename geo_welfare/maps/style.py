"""How each layer kind is drawn: colours of resource kinds and outlines of area levels.

Colours are from ColorBrewer's qualitative ``Set1``/``Dark2`` so that kinds stay apart for
readers with common colour-vision differences, and area levels are told apart by line weight
and dash, not only by colour, because district maps are often printed in greyscale.
"""

from __future__ import annotations

RESOURCE_COLOURS: dict[str, str] = {
    "salon": "#e41a1c",
    "kayoi_no_ba": "#ff7f00",
    "engawa": "#4daf4a",
    "support_centre": "#377eb8",
    "community_centre": "#984ea3",
    "kodomo_shokudo": "#a65628",
    "other": "#666666",
}

#: Area level → Leaflet path style (outline only, so the levels can be stacked).
AREA_STYLES: dict[str, dict[str, object]] = {
    "municipality": {"color": "#222222", "weight": 3, "fill": False},
    "daily_life_area": {"color": "#1b4f72", "weight": 3, "dashArray": "8 4", "fill": False},
    "district": {"color": "#5d4037", "weight": 2, "dashArray": "6 3", "fill": False},
    "junior_high_district": {"color": "#00695c", "weight": 2, "dashArray": "4 4", "fill": False},
    "elementary_district": {"color": "#2e7d32", "weight": 2, "fill": False},
    "small_area": {"color": "#9e9e9e", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.05},
}

#: Drawing order from the finest level up, so the coarse outlines stay on top.
AREA_DRAW_ORDER = ("small_area", "elementary_district", "junior_high_district", "district", "daily_life_area",
                   "municipality")

#: Resource kind → matplotlib marker on printed maps: a second cue besides colour, because district
#: maps are photocopied in black and white.
RESOURCE_MARKERS: dict[str, str] = {
    "salon": "o",
    "kayoi_no_ba": "s",
    "engawa": "D",
    "support_centre": "^",
    "community_centre": "p",
    "kodomo_shokudo": "v",
    "other": "X",
}

#: 高齢化率 classes on printed maps: (lower bound, fill), light to dark (ColorBrewer ``YlOrBr``),
#: pale enough for the symbols on top to stay readable.
AGING_CLASSES: tuple[tuple[float, str], ...] = (
    (0.0, "#ffffd4"), (0.20, "#fee391"), (0.25, "#fec44f"), (0.30, "#fe9929"), (0.35, "#ec7014"),
)
