"""Shading small areas by 高齢化率 or counts: breaks worked out by hand, and the demo town's rates from its file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_population
from geo_welfare.web.choropleth import UNKNOWN_COLOUR, classify, legend_html, shading_request, small_area_classes
from helpers import DEMO_DATA as DEMO


def test_breaks_by_hand():
    values = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, np.nan])
    codes = [f"A{i}" for i in range(len(values))]
    # Quantiles (linear interpolation): the 20th percentile of 0.1 … 1.0 sits 1.8 steps in: 0.28, then 0.46 …
    quantiles = classify(codes, values, "aging_rate", "quantiles", 5)
    assert quantiles.bins == pytest.approx([0.28, 0.46, 0.64, 0.82, 1.0])
    assert quantiles.classes == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, -1]  # the unknown area is not in class 0
    assert quantiles.colour_of("A10") == UNKNOWN_COLOUR
    # Equal interval: (1.0 − 0.1) / 5 = 0.18 wide.
    assert classify(codes, values, "aging_rate", "equal_interval", 3).bins == pytest.approx([0.4, 0.7, 1.0])
    # Natural breaks find the three clusters.
    clusters = np.array([1, 1, 2, 50, 51, 52, 100, 101, 99], dtype=float)
    breaks = classify([str(i) for i in range(9)], clusters, "age_65_plus", "natural_breaks", 3)
    assert breaks.bins == [2.0, 52.0, 101.0] and breaks.classes == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    # Fewer distinct values than classes: as many classes as values.
    assert len(classify(["a", "b", "c"], np.array([0.2, 0.2, 0.3]), "aging_rate", "quantiles", 5).bins) == 2


def test_requests_are_checked():
    assert shading_request({}) == ("aging_rate", "quantiles", 5)
    assert shading_request({"shade": "none"}) is None
    assert shading_request({"shade": "age_75_plus", "scheme": "natural_breaks", "classes": "4"}) == \
        ("age_75_plus", "natural_breaks", 4)
    for bad in ({"shade": "income"}, {"scheme": "jenks"}, {"classes": "9"}, {"classes": "x"}):
        with pytest.raises(ValueError):
            shading_request(bad)


def test_demo_town_rates_from_the_file(demo_spatialite_url):
    engine = open_store(demo_spatialite_url)
    table = pd.read_csv(DEMO / "population_by_age.csv", dtype=str)
    classes = small_area_classes(read_areas(engine, "small_area"), read_population(engine, "population_by_age"))
    code_column = next(c for c in table.columns if "コード" in c or c.upper() in ("KEY_CODE", "CODE"))
    assert len(classes.codes) == 42 and -1 not in classes.classes
    expected = classes.values  # each area's 65+ / total straight from the file's columns, recomputed here
    total_column = next(c for c in table.columns if c in ("総数", "総人口", "total"))
    elderly_column = next(c for c in table.columns if "65" in c)
    by_code = table.set_index(code_column)
    for code, value in zip(classes.codes, expected):
        row = by_code.loc[code]
        assert value == pytest.approx(float(row[elderly_column]) / float(row[total_column]))
    html = legend_html(classes, "ja")
    assert "高齢化率（分位数）" in html and html.count('class="gw-box"') == 5
