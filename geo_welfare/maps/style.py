"""How each layer kind is drawn: colours of resource kinds and outlines of area levels.

Colours are from ColorBrewer's qualitative ``Set1``/``Dark2`` so that kinds stay apart for
readers with common colour-vision differences, and area levels are told apart by line weight
and dash, not only by colour, because district maps are often printed in greyscale.
"""

from __future__ import annotations

from geo_welfare.core.glossary import RESOURCE_KIND_IDS

#: One colour per resource kind, in the glossary's order (ColorBrewer ``Set1`` then ``Dark2``), grey for ``other``:
#: a kind the glossary gains gets the next colour, so the map's legend and layers follow the glossary.
KIND_PALETTE = ("#e41a1c", "#ff7f00", "#4daf4a", "#377eb8", "#984ea3", "#a65628", "#1b9e77", "#d95f02", "#7570b3",
                "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#f781bf")
OTHER_COLOUR = "#666666"
RESOURCE_COLOURS: dict[str, str] = {
    kind: OTHER_COLOUR if kind == "other" else KIND_PALETTE[index % len(KIND_PALETTE)]
    for index, kind in enumerate(RESOURCE_KIND_IDS)}

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

#: One marker per resource kind, in the glossary's order (``X`` for ``other``), as the colours above.
KIND_MARKERS = ("o", "s", "D", "^", "p", "v", "h", "<", ">", "P", "*", "d", "8", "H")
#: Resource kind → matplotlib marker on printed maps: a second cue besides colour, because district
#: maps are photocopied in black and white.
RESOURCE_MARKERS: dict[str, str] = {
    kind: "X" if kind == "other" else KIND_MARKERS[index % len(KIND_MARKERS)]
    for index, kind in enumerate(RESOURCE_KIND_IDS)}

#: 高齢化率 classes on printed maps: (lower bound, fill), light to dark (ColorBrewer ``YlOrBr``),
#: pale enough for the symbols on top to stay readable.
AGING_CLASSES: tuple[tuple[float, str], ...] = (
    (0.0, "#ffffd4"), (0.20, "#fee391"), (0.25, "#fec44f"), (0.30, "#fe9929"), (0.35, "#ec7014"),
)
