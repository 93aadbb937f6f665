"""`serve` and `demo` options: base tiles for closed networks, and the street file the web's analyses use."""

from __future__ import annotations

from geo_welfare.web import create_app
from geo_welfare.web.network import app_network
from helpers import DEMO_STREETS as STREETS, run_cli


def test_unknown_tiles_are_a_usage_error(spatialite_url):
    result = run_cli(spatialite_url, "serve", "--tiles", "nosuch")
    assert result.exit_code == 2
    assert "--tiles" in result.stderr and "gsi" in result.stderr


def test_the_app_loads_its_network_once(spatialite_url, monkeypatch):
    monkeypatch.delenv("GEO_WELFARE_NETWORK", raising=False)
    app = create_app(spatialite_url, tiles="none", network=STREETS)
    with app.app_context():
        first = app_network()
        assert (first.node_count, first.edge_count) == (438, 798)
        assert app_network() is first
    with create_app(spatialite_url, tiles="none").app_context():
        assert app_network() is None  # straight lines, said by every analysis answer
    monkeypatch.setenv("GEO_WELFARE_NETWORK", str(STREETS))
    with create_app(spatialite_url, tiles="none").app_context():
        assert app_network().node_count == 438
