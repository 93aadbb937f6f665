"""Service areas from reached streets, and gap pieces with their older residents: hand-worked cases."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo_welfare.analysis.coverage import distance_to_nearest, walk_from_resources
from geo_welfare.analysis.gaps import gap_areas
from geo_welfare.analysis.service_areas import combined_service_area, reached_streets, service_areas
from geo_welfare.analysis.spread import spread_population
from geo_welfare.network import snap_points
from helpers import X0, Y0, at, network_of

HALF_ROUND_CAP = 16 * 0.5 * 50 ** 2 * math.sin(math.pi / 16)  # half of GEOS's 32-gon of radius 50 m


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def test_the_walk_does_not_cross_the_river():
    # Two streets 100 m apart along a river, one bridge at x = 1000; a salon 10 m north of the north street.
    network = network_of([(0, 50), (1000, 50)], [(0, -50), (1000, -50)], [(1000, 50), (1000, -50)])
    salon = snap_points(network, at((100, 60)))
    # 500 m: 490 m left on the street, which ends 100 m west: 100 + 490 = 590 m of street reached.
    pieces = reached_streets(network, walk_from_resources(network, salon), 500.0, salon)
    assert shapely.union_all(pieces).length == pytest.approx(590.0)
    (area,) = service_areas(network, salon, 500.0)
    assert area.contains(shapely.Point(X0 + 550, Y0 + 60))
    assert not area.contains(shapely.Point(X0 + 100, Y0 - 50))  # 110 m away, over the water: a 1.9 km walk
    # 1,400 m: over the bridge (10 + 900 + 100 = 1010 on the south end) and 390 m back west on the south bank.
    pieces = reached_streets(network, walk_from_resources(network, salon), 1400.0, salon)
    assert shapely.union_all(pieces).length == pytest.approx(1000 + 100 + 390)
    assert combined_service_area(network, salon, 1400.0).equals(service_areas(network, salon, 1400.0)[0])


def test_a_place_mid_street_reaches_both_ways_without_a_node():
    network = network_of([(0, 0), (1000, 0)])
    resource = snap_points(network, at((500, 20)))
    (area,) = service_areas(network, resource, 220.0)
    # 200 m each way along the street (220 − 20 to reach it): a 400 m stadium of radius 50.
    assert area.area == pytest.approx(400 * 100 + 2 * HALF_ROUND_CAP)


def test_gap_pieces_ranked_with_the_residents_beyond_reach():
    # One 400 m street through districts A (x 0–200) and B (x 200–400); the salon 10 m off its west end.
    network = network_of([(0, 0), (400, 0)])
    districts = gpd.GeoDataFrame({"code": ["A", "B"], "name": ["A地区", "B地区"]},
                                 geometry=[box(0, -100, 200, 100), box(200, -100, 400, 100)], crs="EPSG:6677")
    counts = pd.DataFrame({"area_code": ["A", "B"], "total": [400, 100], "age_65_plus": [100, 40],
                           "age_75_plus": [60, 20]})
    points = spread_population(districts, counts, network, spacing=50.0)  # 4 points each, at 25 … 375 m
    salon = snap_points(network, at((0, 10)))
    walk = distance_to_nearest(network, salon, snap_points(network, np.column_stack([points.geometry.x,
                                                                                     points.geometry.y])))
    served = combined_service_area(network, salon, 210.0)
    # Reached: x 0–200 of the street (210 − 10), widened 50 m: a 200 × 100 m band filling A's middle and a
    # round end at x = 200, wholly in B.
    assert shapely.intersection(served, box(0, -100, 400, 100)).area == pytest.approx(200 * 100 + HALF_ROUND_CAP)
    gaps = gap_areas(districts, served, points, walk, 210.0, min_empty_m2=5000.0)
    # B holds the four points at 225–375 m (walks of 235–385 m > 210): all of B's 40 older residents.
    # The point at 225 m stands inside the round end (which reaches x = 250) yet is beyond reach: it is
    # counted in B's gap piece.  A keeps two empty strips north and south of the band, 200 × 50 m each.
    assert gaps["code"].tolist() == ["B", "A", "A"]
    assert gaps["rank"].tolist() == [1, 2, 3]
    assert gaps["age_65_plus"].tolist() == pytest.approx([40.0, 0.0, 0.0])
    assert gaps["age_75_plus"].tolist() == pytest.approx([20.0, 0.0, 0.0])
    assert gaps["area_m2"].tolist() == pytest.approx([40000 - HALF_ROUND_CAP, 10000, 10000])
    assert gaps.attrs["unplaced_65_plus"] == 0.0
    # A piece where nobody lives beyond reach is kept only from a size up (1 ha by default): at 2 ha, A's
    # 1 ha strips go and B stays.
    assert gap_areas(districts, served, points, walk, 210.0, min_empty_m2=20000.0)["code"].tolist() == ["B"]


def test_the_middle_of_a_reached_block_is_within_reach():
    # A 200 m square block ringed by streets, all reached: 50 m either side leaves a 100 × 100 m hole.
    network = network_of([(0, 0), (200, 0), (200, 200), (0, 200), (0, 0)])
    (area,) = service_areas(network, snap_points(network, at((0, -5))), 2000.0)
    middle = shapely.Point(X0 + 100, Y0 + 100)
    assert area.contains(middle) and area.geom_type == "Polygon" and len(area.interiors) == 0
    from geo_welfare.analysis.service_areas import without_block_holes
    ring = shapely.buffer(shapely.LineString([(X0, Y0), (X0 + 200, Y0), (X0 + 200, Y0 + 200), (X0, Y0 + 200),
                                              (X0, Y0)]), 50.0)
    assert len(ring.interiors) == 1 and shapely.Polygon(ring.interiors[0]).area == pytest.approx(100 * 100)
    assert len(without_block_holes(ring, block_m2=5000.0).interiors) == 1  # a hole above the size stays
