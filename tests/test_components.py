"""Network pieces and points snapped onto small islands: a hand-made network."""

from __future__ import annotations

from geo_welfare.network import snap_points
from geo_welfare.network.components import components, on_small_islands
from helpers import at, network_of


def test_pieces_and_points_on_small_islands():
    # The town: a 1,500 m street and a 1,000 m cross street (3 km of street with the far arm);
    # a 300 m path in a park that joins nothing; and a 2.5 km street on an island across the sea.
    network = network_of([(0, 0), (1500, 0)], [(700, -500), (700, 1500)],
                         [(200, 3000), (500, 3000)],
                         [(0, 9000), (2500, 9000)])
    table = components(network)
    assert table["metres"].round(6).tolist() == [3500.0, 2500.0, 300.0]
    assert table["nodes"].tolist() == [5, 2, 2]
    assert table["edges"].tolist() == [4, 1, 1]
    assert table["small"].tolist() == [False, False, True]
    points = snap_points(network, at((100, 10), (300, 2990), (1000, 9010), (700, 1400)))
    assert on_small_islands(network, points).tolist() == [False, True, False, False]
    assert on_small_islands(network, points, small_metres=3000.0).tolist() == [False, True, True, False]
