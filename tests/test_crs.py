"""Plane rectangular zones: the official assignment (平面直角座標系, 国土交通省告示第九号) for real places."""

import pytest
from pyproj import Geod, Transformer

from geo_welfare.core.crs import metric_crs, within_japan, zone_epsg, zone_for


@pytest.mark.parametrize(("place", "lon", "lat", "prefecture", "zone"), [
    ("札幌市", 141.3544, 43.0621, "01", 12),
    ("函館市", 140.7288, 41.7687, "01", 11),
    ("小樽市", 140.9947, 43.1907, "01", 11),
    ("釧路市", 144.3815, 42.9849, "01", 13),
    ("藤沢市", 139.4900, 35.3389, "14205", 9),
    ("高松市", 134.0434, 34.3401, "37201", 4),
    ("八丈町", 139.7966, 33.1125, "13", 9),
    ("小笠原村父島", 142.1918, 27.0944, "13", 14),
    ("那覇市", 127.6792, 26.2124, "47", 15),
    ("石垣市", 124.1557, 24.3406, "47", 16),
    ("鹿児島市", 130.5571, 31.5966, "46", 2),
    ("奄美市", 129.4936, 28.3772, "46", 1),
    ("長崎市", 129.8737, 32.7503, "42", 1),
])
def test_zone_from_prefecture_follows_the_official_table(place, lon, lat, prefecture, zone):
    assert zone_for(lon, lat, prefecture) == zone, place


@pytest.mark.parametrize(("lon", "lat", "zone"), [
    (141.3544, 43.0621, 12),  # 札幌: nearest origin would be XI; the Hokkaido rule applies first
    (139.4900, 35.3389, 9),   # 藤沢
    (134.0434, 34.3401, 4),   # 高松
])
def test_zone_without_prefecture_falls_back_sensibly(lon, lat, zone):
    assert zone_for(lon, lat) == zone


def test_zone_epsg_codes():
    assert zone_epsg(1) == 6669 and zone_epsg(9) == 6677 and zone_epsg(12) == 6680 and zone_epsg(19) == 6687
    with pytest.raises(ValueError):
        zone_epsg(20)


def test_unknown_prefecture_code_is_refused():
    with pytest.raises(ValueError, match="48"):
        zone_for(139.0, 35.0, "48")


def test_metric_distance_agrees_with_the_geodesic():
    """1 km-scale distances in the chosen zone equal the ellipsoidal distance to within 0.05 %."""
    crs = metric_crs(141.3544, 43.0621, "01")
    to_metres = Transformer.from_crs("EPSG:6668", crs, always_xy=True)
    a, b = (141.3544, 43.0621), (141.3650, 43.0690)
    (xa, ya), (xb, yb) = to_metres.transform(*a), to_metres.transform(*b)
    planar = ((xa - xb) ** 2 + (ya - yb) ** 2) ** 0.5
    _, _, geodesic = Geod(ellps="GRS80").inv(*a, *b)
    assert planar == pytest.approx(geodesic, rel=5e-4)
    assert 1100 < geodesic < 1200  # about 1.15 km apart


def test_within_japan():
    assert within_japan(139.7, 35.7)
    assert not within_japan(35.7, 139.7)  # swapped
    assert not within_japan(-0.1, 51.5)   # London
