"""``import resources --geocode``: rows that have coordinates are checked against their own address.

Real data: Takamatsu's 地域包括支援センター list and the Geolonia 高松市 gazetteer.  The list's first row
(高松市桜町一丁目9-12) is shifted 0.05° north in a generated copy; the expected distance is worked out
here from the Geolonia file's own point for 桜町一丁目 with pyproj's geodesic, not by the geocoder.
"""

from __future__ import annotations

import csv
import json

from pyproj import Geod

from geo_welfare.store import open_store
from geo_welfare.store.read import read_resources
from helpers import run_cli

LIST = "takamatsu/takamatsu_regional_comprehensive_support_center.csv"
GAZETTEER = "takamatsu/geolonia_japanese_addresses_takamatsu.json"


def _sakura_machi(shared_data) -> tuple[float, float]:
    towns = json.loads((shared_data / GAZETTEER).read_text(encoding="utf-8"))
    town = next(entry for entry in towns if entry["town"] == "桜町一丁目")
    return town["lng"], town["lat"]


def _shifted_copy(shared_data, tmp_path):
    with open(shared_data / LIST, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["latitude"] = f"{float(rows[0]['latitude']) + 0.05:.8f}"
    path = tmp_path / "centres_shifted.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path, rows


def test_a_point_far_from_its_address_is_reported_and_kept(store_url, shared_data, tmp_path):
    assert run_cli(store_url, "import", "gazetteer", shared_data / GAZETTEER,
                   "--municipality", "香川県高松市").exit_code == 0
    path, rows = _shifted_copy(shared_data, tmp_path)
    lon, lat = _sakura_machi(shared_data)
    geod = Geod(ellps="GRS80")
    shifted = geod.inv(float(rows[0]["longitude"]), float(rows[0]["latitude"]), lon, lat)[2]
    with open(shared_data / LIST, encoding="utf-8-sig", newline="") as handle:
        original = next(csv.DictReader(handle))
    assert geod.inv(float(original["longitude"]), float(original["latitude"]), lon, lat)[2] < 500  # the real one

    result = run_cli(store_url, "import", "resources", path, "--kind", "support_centre", "--geocode")
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "m from where the address puts them" in line]
    assert any("row 2" in line and f"{round(shifted)} m" in line for line in warned), result.stderr  # line 2: row 1
    # The other six: 桜町一丁目-like 町丁目 addresses within 500 m, or 大字 (仏生山町甲 …) not checked at all.
    assert all("row 2" in line for line in warned)
    stored = read_resources(open_store(store_url))
    assert len(stored) == len(rows)  # a warning, not a refusal: every row kept as written
    first = stored.set_index("source_id").loc["1"]
    assert round(first.geometry.y, 8) == float(rows[0]["latitude"])
    # Without --geocode nothing is checked (and nothing warned).
    again = run_cli(store_url, "import", "resources", path, "--kind", "support_centre")
    assert "m from where the address puts them" not in again.stderr


def test_candidate_sites_with_only_an_address_are_placed_in_their_town(demo_spatialite_url, tmp_path):
    """A candidate list (空き家 …) often has an address and no point: it is placed at its 町丁目, never guessed."""
    import shapely

    from geo_welfare.store.read import read_areas, read_candidates
    url = demo_spatialite_url
    assert run_cli(url, "import", "gazetteer", "--small-areas").exit_code == 0  # the demo town's own 町丁目
    path = tmp_path / "vacant.csv"
    path.write_text("ID,名称,種別,住所,緯度,経度\n"
                    "V1,空き家A,空き家,架空市デモ町デモ台二丁目22番9号,,\n"
                    "V2,空き家B,空き家,架空市デモ町どこにもない町1番,,\n", encoding="utf-8")
    refused_run = run_cli(url, "import", "candidates", path)
    assert refused_run.exit_code == 1 and "row 3" in refused_run.stderr  # the unknown town: refused, named
    result = run_cli(url, "import", "candidates", path, "--skip-invalid", "--report", tmp_path / "report.csv")
    assert result.exit_code == 0, result.stderr
    stored = read_candidates(open_store(url))
    placed = stored[stored["source"] == "vacant"].set_index("source_id")
    assert list(placed.index) == ["V1"]
    town = read_areas(open_store(url), "small_area").set_index("name").loc["デモ台二丁目", "geometry"]
    assert town.contains(shapely.Point(placed.loc["V1"].geometry.x, placed.loc["V1"].geometry.y))
