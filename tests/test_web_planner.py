"""Planner view: the API and the page in Chromium, checked against brute force on the demo town."""

from __future__ import annotations

import io
from itertools import combinations

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
from geo_welfare.store import open_store
from geo_welfare.store.read import read_candidates
from geo_welfare.web import create_app
from helpers import ARTIFACTS, DEMO_STREETS as STREETS, Watched, serve

KINDS = "kind=salon&kind=engawa"  # what conftest's brute force counts
TEN_MINUTES = 10 * 1000 / 15  # metres at 4 km/h


@pytest.fixture(scope="module")
def client(demo):
    return create_app(demo, tiles="none", network=STREETS).test_client()


@pytest.fixture(scope="module")
def best_pair(demo, brute):
    """The two candidates that add the most 65+ within 10 minutes, found by trying every pair."""
    resources, points, walks = brute
    network = build_network(read_walkable_lines(STREETS))
    candidates = read_candidates(open_store(demo)).to_crs(network.crs)
    reaches = walking_distances(network, snap_points(network, np.column_stack([candidates.geometry.x,
                                                                                candidates.geometry.y])),
                                snap_points(network, np.column_stack([points.geometry.x, points.geometry.y]))) \
        <= TEN_MINUTES
    weights = points["age_65_plus"].to_numpy()
    covered = (walks <= TEN_MINUTES).any(axis=0)
    gains = {pair: weights[~covered & reaches[list(pair)].any(axis=0)].sum()
             for pair in combinations(range(len(candidates)), 2)}
    pair = max(gains, key=gains.get)
    return sorted(candidates["name"].iloc[list(pair)]), gains[pair], weights[covered].sum() / weights.sum()


def test_coverage_and_gaps_equal_brute_force(client, brute):
    _, points, walks = brute
    nearest = walks.min(axis=0)
    answer = client.get(f"/api/coverage?minutes=10&{KINDS}&unit=elementary_district").get_json()
    whole = next(row for row in answer["rows"] if row["code"] == "*")
    covered = points["age_65_plus"][nearest <= TEN_MINUTES].sum()
    assert answer["method"] == "network"
    assert whole["age_65_plus_covered"] == pytest.approx(covered, abs=1e-4)
    assert len(answer["rows"]) == 7  # six elementary districts and the whole town
    gaps = client.get(f"/api/gaps?minutes=10&{KINDS}&unit=elementary_district").get_json()
    beyond = points["age_65_plus"][nearest > TEN_MINUTES].sum()
    assert sum(f["properties"]["age_65_plus"] for f in gaps["features"]) == pytest.approx(beyond, abs=0.1 * len(
        gaps["features"]))  # each piece's figure is rounded to 0.1 for display
    ranks = [f["properties"]["rank"] for f in gaps["features"]]
    assert ranks == list(range(1, len(ranks) + 1))
    # The page's table: whole people per row (floor or ceiling of the value) that add up to the total row.
    rows = [row for row in answer["rows"] if row["code"] != "*"]
    assert sum(row["whole"]["age_65_plus_covered"] for row in rows) == round(covered)
    assert all(abs(row["whole"]["age_65_plus_covered"] - row["age_65_plus_covered"]) < 1 for row in rows)
    assert [row["label"] for row in rows] == [row["name"] for row in rows]


def test_plan_equals_the_best_pair(client, best_pair):
    names, gain, share_before = best_pair
    answer = client.get(f"/api/plan?minutes=10&{KINDS}&k=2").get_json()
    exact = next(row for row in answer["summary"] if row["model"] == "maximal_covering")
    assert sorted(f["properties"]["name"] for f in answer["sites"]["features"]) == names
    assert exact["gain_65_plus"] == pytest.approx(gain, abs=1e-3)
    assert exact["share_before"] == pytest.approx(share_before, abs=1e-4)
    assert exact["optimal"] is True
    greedy = next(row for row in answer["summary"] if row["model"] == "greedy_covering")
    assert greedy["gain_65_plus"] <= exact["gain_65_plus"] + 1e-9


def test_downloads_open_as_files(client):
    csv = client.get(f"/api/coverage?minutes=10&{KINDS}&format=csv")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode("utf-8"))  # Excel reads UTF-8 with a BOM
    table = pd.read_csv(io.BytesIO(csv.data), encoding="utf-8-sig", dtype={"コード": str})
    assert "デモ台小学校区" in set(table["名称"]) and "attachment" in csv.headers["Content-Disposition"]
    # For people: whole people adding up to the total row; the machine form with raw=1.
    details, total = table[table["コード"] != "*"], table[table["コード"] == "*"].iloc[0]
    assert int(details["徒歩圏内の65歳以上"].sum()) == int(total["徒歩圏内の65歳以上"])
    raw = pd.read_csv(io.BytesIO(client.get(f"/api/coverage?minutes=10&{KINDS}&format=csv&raw=1").data),
                      encoding="utf-8-sig", dtype={"code": str})
    assert int(total["徒歩圏内の65歳以上"]) == round(float(raw.loc[raw["code"] == "*", "age_65_plus_covered"].iloc[0]))
    english = pd.read_csv(io.BytesIO(client.get(f"/api/coverage?minutes=10&{KINDS}&format=csv&lang=en").data),
                          encoding="utf-8-sig", dtype={"Code": str})
    assert list(english.columns[:3]) == ["Code", "Name", "Walk (min)"]
    workbook = client.get(f"/api/coverage?minutes=10&{KINDS}&format=xlsx")
    assert workbook.status_code == 200 and workbook.headers["Content-Disposition"].endswith(".xlsx")
    sheet = pd.read_excel(io.BytesIO(workbook.data), dtype={"コード": str})
    assert sheet["徒歩圏内の65歳以上"].tolist() == table["徒歩圏内の65歳以上"].tolist()
    gpkg = client.get(f"/api/gaps?minutes=10&{KINDS}&format=gpkg")
    count = len(client.get(f"/api/gaps?minutes=10&{KINDS}").get_json()["features"])
    frame = pyogrio.read_dataframe(io.BytesIO(gpkg.data))
    assert len(frame) == count and "age_65_plus" in frame.columns


@pytest.mark.parametrize("query, field", [
    ("minutes=0", "minutes"), ("minutes=abc", "minutes"), ("kind=nosuch", "kind"), ("unit=nowhere", "unit"),
    ("k=1000", "k"), ("k=0", "k"), ("target=150", "target")])
def test_bad_parameters_are_400_naming_the_field(client, query, field):
    path = "/api/plan" if field in ("k", "target") else "/api/coverage"
    answer = client.get(f"{path}?{query}")
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["field"] == field and body["error_en"].startswith(f"{field}: ")


@pytest.mark.browser
@pytest.mark.parametrize("demo", ["spatialite"], indirect=True)
def test_the_planner_page_in_chromium(browser, demo, brute, best_pair):
    _, points, walks = brute
    covered = points["age_65_plus"][walks.min(axis=0) <= TEN_MINUTES].sum() / points["age_65_plus"].sum()
    names, _, _ = best_pair
    for base in serve(create_app(demo, tiles="none", network=STREETS)):
        watched = Watched(browser, base)
        page = watched.page
        page.goto(base + "/planner", wait_until="networkidle")
        page.select_option("#minutes", "10")
        for kind in ("kayoi_no_ba", "support_centre"):
            page.uncheck(f"input[name=kind][value={kind}]")
        for kind in ("salon", "engawa"):
            page.check(f"input[name=kind][value={kind}]")
        page.click("#run")
        page.wait_for_function("() => document.body.dataset.minutes === '10'")
        total = page.locator("#coverage-table tr.gw-total td").nth(3).inner_text()
        assert total == f"{100 * covered:.1f}%"
        gap_count = len(page.request.get(base + f"/api/gaps?minutes=10&{KINDS}&unit=elementary_district").json()[
            "features"])
        assert page.evaluate("document.body.getAttribute('data-gaps')") == str(gap_count)
        assert page.locator(".leaflet-overlay-pane path").count() >= gap_count
        public = len(page.request.get(base + f"/api/resources?{KINDS}").json()["features"])
        assert page.evaluate("document.body.getAttribute('data-service-areas')") == str(public)
        # Sort by share, lowest first (a second click): the gap district デモ台 comes first.
        page.click("#coverage-table th[data-key=share_65_plus_covered]")
        page.click("#coverage-table th[data-key=share_65_plus_covered]")
        assert page.locator("#coverage-table tbody tr").first.locator("td").first.inner_text() == "デモ台小学校区"
        page.fill("#k", "2")
        page.click("#plan")
        page.wait_for_function("() => document.querySelectorAll('#plan-sites li').length === 2")
        listed = page.locator("#plan-sites li .gw-site-name").all_inner_texts()
        assert sorted(listed) == names
        addresses = page.locator("#plan-sites li .gw-site-address").all_inner_texts()
        stored = read_candidates(open_store(demo)).set_index("name")["address"]
        assert sorted(addresses) == sorted(stored[name] for name in names)  # each site's own address
        assert page.locator(".gw-site-label").count() == 2
        assert page.locator("#plan-summary tr[data-model=maximal_covering]").count() == 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web_planner.png"))
        watched.check_offline()
        page.close()


def test_service_areas_one_per_public_place(client, demo):
    from geo_welfare.store.read import read_resources
    answer = client.get(f"/api/service-areas?minutes=10&{KINDS}").get_json()
    public = read_resources(open_store(demo), kinds=["salon", "engawa"])  # public only
    assert sorted(f["properties"]["name"] for f in answer["features"]) == sorted(public["name"])
    assert {f["properties"]["method"] for f in answer["features"]} == {"network"}
    assert client.get("/api/service-areas?minutes=99").status_code == 400


@pytest.mark.parametrize("path", ["/api/gaps?minutes=0", "/api/gaps?unit=x", "/api/gaps?kind=x",
                                  "/api/service-areas?kind=x", "/api/areas?zoom=99", "/api/areas?zoom=abc",
                                  "/api/areas?unit=x", "/?shade=income", "/?classes=12"])
def test_every_read_endpoint_refuses_bad_parameters(client, path):
    assert client.get(path).status_code == 400


def test_areas_at_a_zoom_are_coarser_far_out(client):
    def vertices(zoom):
        answer = client.get(f"/api/areas?unit=small_area&zoom={zoom}").get_json()
        from shapely.geometry import shape
        return sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in answer["features"])
    assert vertices(10) < vertices(18)  # half a pixel at zoom 10 is ~0.0007°, at 18 the ~2 m floor
