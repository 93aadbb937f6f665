"""The printed page's own colours: its ink, and how the background layers under the symbols look.

The kinds' colours and markers and the 高齢化率 classes are in :mod:`geo_welfare.maps.style`; these
are the greys and blues that stay quiet beneath them, so the resources read first.
"""

from __future__ import annotations

#: Text, outlines, symbol edges, the scale bar and the north arrow.
INK = "#222222"
NEIGHBOUR_FILL, NEIGHBOUR_EDGE = "#e4e4e4", "#a0a0a0"
STREET, MAJOR_STREET = "#b5b5b5", "#8c8c8c"
WATER_FILL, WATER_EDGE = "#c6e2f5", "#7fb3d5"
#: The walking reach's hatching and outline.
REACH = "#1b7837"
