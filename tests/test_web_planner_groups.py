"""The planner for a target group (issue 14 item 4): the API's children's figures against brute force, and the page.

The demo town has no children's place; this module's store adds the generated ones of
``tests/data/groups/children_places.csv`` (a 子ども食堂 in デモ台, a 児童館 in デモ西, an その他 place for 親子 and
one for どなたでも).  The page's 子ども ticks the children's kinds (子ども食堂, 子育て施設): the first two places.
"""

from __future__ import annotations

import numpy as np
import pytest

from geo_welfare.analysis.spread import spread_population
from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_population, read_resources
from geo_welfare.web import create_app
from helpers import ARTIFACTS, DEMO_STREETS as STREETS, REPOSITORY, Watched, run_cli, serve

HERE = REPOSITORY / "tests" / "data" / "groups"
TEN_MINUTES = 10 * 1000 / 15  # metres at 4 km/h
CHILD_KINDS = "kind=kodomo_shokudo&kind=child_facility"


@pytest.fixture(scope="module")
def town(children_town):
    """The demo town and the generated children's places, on each backend (this module's own copy)."""
    return children_town


@pytest.fixture(scope="module")
def children(town):
    """Each spread resident's 0–14 and whether a 子ども食堂 or 子育て施設 is within 10 minutes (dense all-pairs walk)."""
    engine = open_store(town)
    network = build_network(read_walkable_lines(STREETS))
    places = read_resources(engine, kinds=["kodomo_shokudo", "child_facility"]).to_crs(network.crs)
    assert sorted(places["name"]) == ["デモ台こども食堂", "デモ西児童館"]
    points = spread_population(read_areas(engine, "small_area"),
                               read_population(engine, "population_by_age").dropna(subset=["area_code"]), network,
                               columns=("total", "age_0_14"))
    walks = walking_distances(network, snap_points(network, np.column_stack([places.geometry.x, places.geometry.y])),
                              snap_points(network, np.column_stack([points.geometry.x, points.geometry.y])))
    return points["age_0_14"].to_numpy(), walks.min(axis=0) <= TEN_MINUTES


@pytest.fixture(scope="module")
def client(town):
    return create_app(town, tiles="none", network=STREETS).test_client()


def test_coverage_of_children_equals_brute_force(client, children):
    people, near = children
    answer = client.get(f"/api/coverage?minutes=10&{CHILD_KINDS}&unit=elementary_district&group=子ども").get_json()
    assert answer["group"] == "children" and answer["group_label"] == "子ども（0～14歳）"
    whole = next(row for row in answer["rows"] if row["code"] == "*")
    assert whole["age_0_14_covered"] == pytest.approx(people[near].sum(), abs=1e-4)
    assert whole["share_0_14_covered"] == pytest.approx(people[near].sum() / people.sum(), abs=1e-4)
    assert "age_65_plus_covered" not in whole
    assert whole["whole"]["age_0_14"] == round(people.sum())  # 4,200 children in the demo town


def test_gaps_and_plan_of_children(client, children):
    people, near = children
    gaps = client.get(f"/api/gaps?minutes=10&{CHILD_KINDS}&unit=elementary_district&group=children").get_json()
    assert sum(f["properties"]["age_0_14"] for f in gaps["features"]) == pytest.approx(
        people[~near].sum(), abs=0.1 * len(gaps["features"]) + 1e-6)  # pieces rounded to 0.1; none unplaced here
    plan = client.get(f"/api/plan?minutes=10&{CHILD_KINDS}&group=children&k=1").get_json()
    assert plan["group"] == "children"
    assert plan["summary"][0]["total_0_14"] == pytest.approx(people.sum(), abs=1e-3)
    assert plan["summary"][0]["share_before"] == pytest.approx(people[near].sum() / people.sum(), abs=1e-4)
    assert plan["sites"]["features"][0]["properties"]["added_0_14"] == pytest.approx(plan["summary"][0]["gain_0_14"],
                                                                                     abs=1e-3)


def test_without_kinds_a_group_counts_its_own_places(client, children):
    people, near = children
    answer = client.get("/api/coverage?minutes=10&unit=elementary_district&group=children").get_json()
    assert answer["places"] == 2  # the 子ども食堂 and the 児童館, not the salons the older residents start with
    whole = next(row for row in answer["rows"] if row["code"] == "*")
    assert whole["age_0_14_covered"] == pytest.approx(people[near].sum(), abs=1e-4)


def test_a_bad_group_is_400_naming_the_field(client):
    answer = client.get("/api/coverage?group=teens&lang=en")
    assert answer.status_code == 400
    assert answer.get_json()["field"] == "group"


def test_choosing_children_on_the_page(browser, town, children):
    people, near = children
    for base in serve(create_app(town, tiles="none", network=STREETS)):
        watched = Watched(browser, base)
        page = watched.page
        page.goto(base + "/planner", wait_until="networkidle")
        page.select_option("#minutes", "10")
        page.select_option("#group", "children")
        ticked = page.locator("input[name=kind]:checked").evaluate_all("nodes => nodes.map(n => n.value)")
        assert sorted(ticked) == ["child_facility", "kodomo_shokudo"]  # the group ticks the kinds that serve it
        page.click("#run")
        page.wait_for_function("() => document.body.dataset.minutes === '10' && document.body.dataset.group === 'children'")
        headers = page.locator("#coverage-table th:not([hidden])").all_inner_texts()
        assert headers[1:] == ["0～14歳", "徒歩圏内の0～14歳", "0～14歳のカバー率（%）"]
        total = page.locator("#coverage-table tr.gw-total td")
        assert total.count() == 4
        assert total.nth(1).inner_text() == f"{round(people.sum()):,}"
        assert total.nth(3).inner_text() == f"{100 * people[near].sum() / people.sum():.1f}%"
        assert page.locator("#group-shown").inner_text() == "対象：子ども（0～14歳）"
        assert page.locator("#coverage-heading").inner_text() == "子ども（0～14歳）の徒歩圏カバー率"
        page.fill("#k", "1")
        page.click("#plan")
        page.wait_for_function("() => document.querySelectorAll('#plan-sites li').length === 1")
        assert page.locator("#plan-summary tr[data-group=children]").count() == 2  # the exact model and greedy
        assert page.locator("#plan-group-shown").inner_text() == "対象：子ども（0～14歳）"
        assert page.locator("#plan-added-header").inner_text() == "増える子ども（0～14歳）"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web_planner_children.png"))
        watched.check_offline()
        page.close()


def test_the_profile_page_for_children(client, children):
    page = client.get("/profile/elementary_district/E01?group=子ども")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "徒歩圏内の0～14歳" in text and "徒歩圏内の65歳以上" not in text
    assert "group=" in text.split('id="profile-pdf"')[1].split(">")[0]  # the PDF link keeps the group
    assert "徒歩圏内の65歳以上" in client.get("/profile/elementary_district/E01").get_data(as_text=True)
    assert client.get("/profile/elementary_district/E01?group=teens").status_code == 400


def test_a_dataset_without_children_is_409_naming_it(demo_spatialite_url):
    imported = run_cli(demo_spatialite_url, "import", "population", HERE / "population_without_children.csv",
                       "--dataset", "totals_2025")
    assert imported.exit_code == 0, imported.output
    client = create_app(demo_spatialite_url, tiles="none").test_client()
    answer = client.get("/api/coverage?group=children&kind=salon&dataset=totals_2025&lang=en")
    assert answer.status_code == 409
    body = answer.get_json()
    assert "'totals_2025' has no age_0_14 (Aged 0–14) counts" in body["error_en"]
    assert "totals_2025" in body["error"] and "age_0_14" in body["error"]
