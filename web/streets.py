"""The streets of the walking network as a base layer, for maps that have no tiles (closed networks).

A planner or CSW on a municipal network often has no base tiles: without streets, a gap polygon
floats on an empty background and no one can say which block it is.  The app's own walking
network is the streets the analyses walk, so it is the honest base layer: served by view
(``?bbox=``), and only from a zoom where streets can be told apart, so a city's 80,000 edges never
travel at once.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import shapely
from flask import Blueprint, Response

from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.web.limits import bbox_parameter
from geo_welfare.web.network import app_network

blueprint = Blueprint("streets", __name__)

#: The most street pieces one answer carries: more means the view is too wide to read streets in.
MAX_STREETS = 20_000
#: Coordinates to 6 decimals (~0.1 m): enough for a base layer, a third less to send.
DECIMALS = 6


class _StreetIndex:
    """The network's edges in lon/lat with a tree over them, built once per network."""

    def __init__(self, network: WalkingNetwork) -> None:
        lines = gpd.GeoSeries(network.edge_geometry, crs=network.crs).to_crs(STORAGE_CRS)
        self.lines = shapely.set_precision(lines.values, 10 ** -DECIMALS)
        self.tree = shapely.STRtree(self.lines)

    def within(self, box: tuple[float, float, float, float]) -> np.ndarray:
        """The edges meeting ``box`` (west, south, east, north), in edge order."""
        return np.sort(self.tree.query(shapely.box(*box), predicate="intersects"))


@blueprint.get("/api/streets")
def streets() -> Response:
    """The walking network's streets in ``bbox`` as GeoJSON lines; an empty collection without a network.

    A view holding more than :data:`MAX_STREETS` pieces answers none and says ``too_many`` (the
    page asks again when zoomed in), rather than sending a whole city to draw a grey blur.
    """
    network = app_network()
    box = bbox_parameter()
    features: list[dict] = []
    too_many = False
    if network is not None and box is not None:
        index = network.derived("web.streets", _StreetIndex)
        chosen = index.within(box)
        too_many = len(chosen) > MAX_STREETS
        if not too_many:
            features = [{"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(line))}
                        for line in index.lines[chosen]]
    body = {"type": "FeatureCollection", "features": features, "too_many": too_many}
    return Response(json.dumps(body, separators=(",", ":")), mimetype="application/geo+json")
