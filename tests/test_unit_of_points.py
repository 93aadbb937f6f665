"""The unit of each point is kept for the same points and units, and worked out afresh when either changes.

The planner's coverage table and its gaps ask the district of every resident, once per threshold;
the answer is kept by the points' geometry array and the units' codes and exact shapes.  A kept
answer must equal a fresh one, and moving a border (an edit or an import of the units) must give
the new answer, never the kept one.
"""

from __future__ import annotations

import gc

import geopandas as gpd
import pandas as pd
import shapely

from geo_welfare.analysis import spread
from geo_welfare.analysis.spread import unit_of_points

CRS = "EPSG:6680"


def _units(border: float) -> gpd.GeoDataFrame:
    """Two districts side by side, west (A) and east (B) of x = ``border``."""
    return gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[shapely.box(0, 0, border, 100),
                                                            shapely.box(border, 0, 200, 100)], crs=CRS)


def _points() -> gpd.GeoDataFrame:
    # x = 40 and 60 west of the middle, 150 east, 100 on the border (the first unit, A), 300 outside both.
    return gpd.GeoDataFrame({"total": [1.0] * 5}, geometry=shapely.points([(40, 50), (60, 50), (150, 50),
                                                                           (100, 50), (300, 50)]), crs=CRS)


def test_asking_again_gives_the_kept_answer_equal_to_a_fresh_one():
    points = _points()
    first = unit_of_points(points, _units(100.0))
    assert first.iloc[:4].tolist() == ["A", "A", "B", "A"] and pd.isna(first.iloc[4])
    assert id(points.geometry.values) in spread._KEPT_UNITS
    again = unit_of_points(points, _units(100.0))  # a new frame of the same units: the kept answer
    fresh = spread._unit_codes(points, _units(100.0), 1.0)
    assert again.iloc[:4].tolist() == first.iloc[:4].tolist() == fresh[:4].tolist()
    again.iloc[0] = "changed"  # the caller's copy: the kept answer is not touched
    assert unit_of_points(points, _units(100.0)).iloc[0] == "A"


def test_a_moved_border_or_other_codes_give_the_new_answer():
    points = _points()
    assert unit_of_points(points, _units(100.0)).iloc[1] == "A"
    assert unit_of_points(points, _units(50.0)).iloc[:4].tolist() == ["A", "B", "B", "B"]  # 60 and 100 now east
    renamed = _units(100.0).assign(code=["North", "South"])
    assert unit_of_points(points, renamed).iloc[0] == "North"
    assert unit_of_points(points, _units(100.0), tolerance=200.0).iloc[4] == "B"  # within 200 m of B


def test_answers_go_with_the_points_they_were_for():
    points = _points()
    unit_of_points(points, _units(100.0))
    other = gpd.GeoDataFrame({"total": [1.0] * 5}, geometry=shapely.points([(150, 50)] * 5), crs=CRS)
    assert unit_of_points(other, _units(100.0)).tolist() == ["B"] * 5  # other points: their own answer
    key = id(points.geometry.values)
    assert key in spread._KEPT_UNITS
    del points
    gc.collect()
    assert key not in spread._KEPT_UNITS  # the points are gone, and so is what was kept for them
