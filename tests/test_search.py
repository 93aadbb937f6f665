"""Nearest-k search that stops early: hand-worked answers, and the full walk / networkx as second methods."""

from __future__ import annotations

import numpy as np
import pytest

from geo_welfare.network import snap_points, walking_distances
from geo_welfare.network.search import ResourceSearch
from helpers import at, network_of, networkx_distances


@pytest.fixture(scope="module")
def river():
    # Two streets 100 m apart along a river, one bridge at x = 1000, and places on both banks.
    network = network_of([(0, 50), (1000, 50)], [(0, -50), (1000, -50)], [(1000, 50), (1000, -50)])
    resources = snap_points(network, at((100, -60), (700, 55), (950, -50), (150, 50)))
    return network, ResourceSearch(network, resources)


def test_nearest_across_the_river(river):
    network, search = river
    client = snap_points(network, at((120, 60)))
    # Client 10 m north of the north street at x = 120.
    #   place 3 (150, 50): 10 + 30 + 0 = 40        place 1 (700, 55): 10 + 580 + 5 = 595
    #   place 2 (950, -50): 10 + 880 + 100 + 50 = 1040
    #   place 0 (100, -60), 120 m away across the water: 10 + 880 + 100 + 900 + 10 = 1900
    resources, metres = search.nearest(client, k=4)
    assert resources.tolist() == [3, 1, 2, 0]
    np.testing.assert_allclose(metres, [40, 595, 1040, 1900], atol=1e-6)
    resources, metres = search.nearest(client, k=2)
    assert resources.tolist() == [3, 1]


def test_cutoff_and_eligible_places(river):
    network, search = river
    client = snap_points(network, at((120, 60)))
    resources, metres = search.nearest(client, k=4, cutoff=1000.0)
    assert resources.tolist() == [3, 1]
    only_far = np.array([True, False, True, False])
    resources, metres = search.nearest(client, k=1, eligible=only_far)
    assert resources.tolist() == [2] and metres[0] == pytest.approx(1040.0)
    resources, _ = search.nearest(client, k=3, cutoff=100.0, eligible=only_far)
    assert resources.tolist() == []
    with pytest.raises(ValueError):
        search.nearest(client, k=0)


def test_a_place_on_the_clients_own_street_is_walked_to_directly():
    # One 1 km street; both the client and the place near its middle: the walk does not go via an end.
    network = network_of([(0, 0), (1000, 0)])
    search = ResourceSearch(network, snap_points(network, at((480, 5), (10, 0))))
    resources, metres = search.nearest(snap_points(network, at((520, -5))), k=2)
    assert resources.tolist() == [0, 1]
    np.testing.assert_allclose(metres, [5 + 40 + 5, 5 + 510], atol=1e-6)


def test_equals_the_full_walk_and_networkx_on_real_streets(nerima):
    _, network = nerima
    rng = np.random.default_rng(11)
    low, high = network.node_xy.min(axis=0), network.node_xy.max(axis=0)
    resources_xy = rng.uniform(low, high, (60, 2))
    search = ResourceSearch(network, snap_points(network, resources_xy))
    clients = rng.uniform(low, high, (25, 2))
    theirs_all = networkx_distances(network, clients, resources_xy)
    for i, client_xy in enumerate(clients):
        eligible = rng.random(60) < 0.6
        client = snap_points(network, client_xy[None])
        resources, metres = search.nearest(client, k=5, eligible=eligible)
        full = walking_distances(network, client, snap_points(network, resources_xy))[0]
        theirs = np.where(eligible, theirs_all[i], np.inf)
        expected = np.sort(theirs)[:5]
        expected = expected[np.isfinite(expected)]
        assert len(metres) == len(expected) > 0
        assert np.abs(metres - expected).max() < 0.01  # to the centimetre against networkx
        np.testing.assert_allclose(full[resources], metres, atol=1e-6)
        assert eligible[resources].all()
