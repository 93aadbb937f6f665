"""Target groups (issue 14 item 4): children 0–14 and all ages beside the older residents, by hand and by brute force.

The demo town has no children's place, so a module store adds four (``tests/data/groups/children_places.csv``,
generated: a 子ども食堂, a 児童館, an その他 place for 親子, and an その他 place for どなたでも that must not count).
Brute force: every spread resident's walk to every place by the dense all-pairs walk (``walking_distances``),
not the virtual-source search the analyses use.
"""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo_welfare.analysis import planning
from geo_welfare.analysis.coverage import coverage_by_area, distance_to_nearest
from geo_welfare.analysis.spread import spread_population, unit_of_points
from geo_welfare.analysis.study import open_study
from geo_welfare.core.target_groups import (CHILDREN, EVERYONE, OLDER, MissingCounts, UnknownTargetGroup, serves,
                                            target_group)
from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_candidates, read_population
from helpers import DEMO_STREETS, REPOSITORY, X0, Y0, network_of, run_cli

HERE = REPOSITORY / "tests" / "data" / "groups"
TEN_MINUTES = 10 * 1000 / 15  # metres at 4 km/h
CHILDREN_PLACES = {"デモ台こども食堂", "デモ西児童館", "浜のおやこひろば"}  # not 浜のつどい (どなたでも)


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


# --- by hand ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def street():
    """One 400 m street through two small areas of 200 m each, a place 10 m off its west end."""
    network = network_of([(0, 0), (400, 0)])
    areas = gpd.GeoDataFrame({"code": ["W", "E"]}, geometry=[box(0, -50, 200, 50), box(200, -50, 400, 50)],
                             crs="EPSG:6677")
    counts = pd.DataFrame({"area_code": ["W", "E"], "total": [400, 100], "age_0_14": [80, 20],
                           "age_65_plus": [100, 40], "age_75_plus": [60, 20]})
    points = spread_population(areas, counts, network, spacing=50.0,
                               columns=("total", "age_0_14", "age_65_plus", "age_75_plus"))
    place = snap_points(network, np.array([[X0, Y0 + 10]]))
    walk = distance_to_nearest(network, place, snap_points(network, np.column_stack([points.geometry.x,
                                                                                     points.geometry.y])))
    return points, walk


def test_children_and_everyone_covered_by_hand(street):
    points, walk = street
    # Points at 25, 75, …, 375 m; walks 35 … 385 m.  3 minutes = 200 m: W's four points, none of E's.
    children = coverage_by_area(points, walk, 3.0, group=CHILDREN).set_index("code")
    assert list(children.columns) == ["total", "age_0_14", "age_0_14_covered", "share_0_14_covered"]
    assert children.loc["W", "age_0_14_covered"] == pytest.approx(80.0)
    assert children.loc["W", "share_0_14_covered"] == pytest.approx(1.0)
    assert children.loc["E", "age_0_14_covered"] == pytest.approx(0.0)
    # 5 minutes = 333.3 m: E's points at 225 and 275 m (walks 235, 285) are in, 325 m (walk 335) and 375 m out.
    everyone = coverage_by_area(points, walk, 5.0, group=EVERYONE).set_index("code")
    assert list(everyone.columns) == ["total", "total_covered", "share_total_covered"]
    assert everyone.loc["E", "total_covered"] == pytest.approx(100 * 2 / 4)
    assert everyone.loc["E", "share_total_covered"] == pytest.approx(0.5)
    assert coverage_by_area(points, walk, 5.0, group=CHILDREN).set_index("code").loc["E", "age_0_14_covered"] == \
        pytest.approx(20 * 2 / 4)


def test_the_older_group_is_the_old_table(street):
    points, walk = street
    table = coverage_by_area(points, walk, 3.0)
    assert list(table.columns) == ["code", "total", "age_65_plus", "age_75_plus", "age_65_plus_covered",
                                   "age_75_plus_covered", "share_65_plus_covered", "share_75_plus_covered"]
    pd.testing.assert_frame_equal(table, coverage_by_area(points, walk, 3.0, group=OLDER))
    assert table.set_index("code").loc["W", "age_75_plus_covered"] == pytest.approx(60.0)


@pytest.mark.parametrize("word, group", [("子ども", "children"), ("児童", "children"), ("こども", "children"),
                                         ("children", "children"), ("Children (0–14)", "children"),
                                         ("高齢者", "older"), ("65歳以上", "older"), (None, "older"), ("", "older"),
                                         ("全年齢", "all"), ("all", "all"), ("ALL", "all")])
def test_groups_by_every_spelling(word, group):
    assert target_group(word).id == group


def test_an_unknown_group_lists_the_groups():
    with pytest.raises(UnknownTargetGroup) as raised:
        target_group("teens")
    assert raised.value.message("en") == "There is no target group 'teens'. Choose one of older, children, all."


def test_places_for_children_by_kind_or_by_whom_they_are_for():
    places = pd.DataFrame({"kind": ["kodomo_shokudo", "child_facility", "other", "other", "salon", "other"],
                           "target_groups": [None, "0～18歳", "未就学児と親子", "どなたでも", "子どもと高齢者", None]})
    # A salon for 子どもと高齢者 names children; どなたでも does not make every place a children's place.
    assert serves(places, CHILDREN).tolist() == [True, True, True, False, True, False]
    assert serves(places, OLDER).tolist() == [False, False, False, False, True, False]


# --- the demo town with children's places ---------------------------------------------------------

@pytest.fixture(scope="module")
def town(children_town):
    """The demo town and the four generated places, on each backend (this module's own copy)."""
    return children_town


@pytest.fixture(scope="module")
def network():
    return build_network(read_walkable_lines(DEMO_STREETS))


@pytest.fixture(scope="module")
def by_hand(town, network):
    """Children's places, residents with 0–14, every resident's walk to every children's place (places × points)."""
    engine = open_store(town)
    study = open_study(engine, network, group="children")
    points = spread_population(read_areas(engine, "small_area"),
                               read_population(engine, "population_by_age").dropna(subset=["area_code"]), network,
                               columns=("total", "age_0_14", "age_65_plus", "age_75_plus"))
    places = study.resources.to_crs(network.crs)
    walks = walking_distances(network, snap_points(network, np.column_stack([places.geometry.x, places.geometry.y])),
                              snap_points(network, np.column_stack([points.geometry.x, points.geometry.y])))
    return study, points, walks


def test_the_childrens_places_are_chosen(by_hand):
    study, _, _ = by_hand
    assert set(study.resources["name"]) == CHILDREN_PLACES
    assert "age_0_14" in study.residents and study.residents["age_0_14"].sum() == pytest.approx(4200.0)


def test_children_covered_equal_brute_force(town, by_hand):
    study, points, walks = by_hand
    near = walks.min(axis=0) <= TEN_MINUTES
    table = planning.coverage(open_store(town), study, [10.0], "elementary_district", group="子ども")
    assert [c for c in table.columns if "0_14" in c] == ["age_0_14", "age_0_14_covered", "share_0_14_covered"]
    whole = table.set_index("code").loc["*"]
    assert whole["age_0_14_covered"] == pytest.approx(points["age_0_14"][near].sum(), abs=1e-6)
    assert whole["share_0_14_covered"] == pytest.approx(points["age_0_14"][near].sum() / points["age_0_14"].sum())
    districts = unit_of_points(points, read_areas(open_store(town), "elementary_district"))
    brute = points["age_0_14"].where(near, 0.0).groupby(districts).sum()
    rows = table[table["code"] != "*"].set_index("code")["age_0_14_covered"]
    for code, value in brute.items():
        assert rows[code] == pytest.approx(value, abs=1e-6)


def test_childrens_gaps_hold_the_children_beyond_reach(town, by_hand):
    study, points, walks = by_hand
    beyond = points["age_0_14"][walks.min(axis=0) > TEN_MINUTES].sum()
    gaps = planning.gaps(open_store(town), study, 10.0, "elementary_district", group=CHILDREN)
    assert list(gaps.columns[:5]) == ["rank", "code", "name", "total", "age_0_14"] and "age_65_plus" not in gaps
    assert gaps["age_0_14"].sum() + gaps.attrs["unplaced_0_14"] == pytest.approx(beyond, abs=1e-6)
    assert gaps["age_0_14"].is_monotonic_decreasing and gaps["age_0_14"].iloc[0] > 0


def test_one_new_base_for_children_is_the_best_by_brute_force(town, network, by_hand):
    study, points, walks = by_hand
    candidates = read_candidates(open_store(town))
    metric = candidates.to_crs(network.crs)
    reach = walking_distances(network, snap_points(network, np.column_stack([metric.geometry.x, metric.geometry.y])),
                              snap_points(network, np.column_stack([points.geometry.x, points.geometry.y]))) \
        <= TEN_MINUTES
    uncovered = walks.min(axis=0) > TEN_MINUTES
    gains = [points["age_0_14"][uncovered & reach[i]].sum() for i in range(len(candidates))]
    result = planning.plan(study, candidates, 10.0, k=1, group="children")
    assert {"added_0_14", "unique_0_14", "covered_after_0_14"} <= set(result.sites.columns)
    assert result.sites["added_0_14"].iloc[0] == pytest.approx(max(gains), abs=1e-6)
    chosen = candidates["name"].tolist().index(result.sites["name"].iloc[0])
    assert gains[chosen] == pytest.approx(max(gains), abs=1e-6)  # the best site (another of equal gain would do)
    exact = result.summary.iloc[0]
    assert exact["gain_0_14"] == pytest.approx(max(gains), abs=1e-6)
    assert exact["total_0_14"] == pytest.approx(points["age_0_14"].sum(), abs=1e-6)


def _csv(result) -> pd.DataFrame:
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout), dtype={"code": str})


def test_the_cli_counts_children_in_japanese_words(town, by_hand):
    _, points, walks = by_hand
    near = walks.min(axis=0) <= TEN_MINUTES
    table = _csv(run_cli(town, "coverage", "--network", DEMO_STREETS, "--group", "子ども", "--minutes", "10",
                         "--unit", "小学校区", "--format", "csv", "--raw"))
    whole = table.set_index("code").loc["*"]
    assert whole["age_0_14_covered"] == pytest.approx(points["age_0_14"][near].sum(), abs=1e-4)
    people = run_cli(town, "coverage", "--network", DEMO_STREETS, "--group", "children", "--minutes", "10",
                     "--unit", "小学校区", "--format", "csv", lang="ja")
    header = people.stdout.splitlines()[0]
    assert "徒歩圏内の0～14歳" in header and "0～14歳のカバー率（%）" in header and "65歳以上" not in header


def test_the_cli_default_is_the_older_residents_as_before(town):
    arguments = ("coverage", "--network", DEMO_STREETS, "--kind", "salon", "--minutes", "10", "--format", "csv",
                 "--raw")
    before = run_cli(town, *arguments)
    assert before.exit_code == 0, before.output
    assert run_cli(town, *arguments, "--group", "高齢者").stdout == before.stdout
    header = before.stdout.splitlines()[0].lstrip("\ufeff")  # the CSV's byte-order mark, for Excel
    assert header == ("code,name,minutes,total,age_65_plus,age_75_plus,age_65_plus_covered,"
                      "age_75_plus_covered,share_65_plus_covered,share_75_plus_covered,method")


def test_the_cli_plans_for_everyone(town, network, by_hand):
    _, points, _ = by_hand
    result = run_cli(town, "plan", "--network", DEMO_STREETS, "--group", "全年齢", "--kind", "salon", "--minutes", "10",
                     "--k", "1", lang="ja")
    assert result.exit_code == 0, result.output
    assert "全年齢の徒歩圏カバー" in result.output and "この拠点で増える人口" in result.stdout


def test_a_dataset_without_children_is_refused_naming_it(demo_spatialite_url):
    imported = run_cli(demo_spatialite_url, "import", "population", HERE / "population_without_children.csv",
                       "--dataset", "totals_2025")
    assert imported.exit_code == 0, imported.output
    refused = run_cli(demo_spatialite_url, "coverage", "--group", "children", "--kind", "salon",
                      "--dataset", "totals_2025")
    assert refused.exit_code == 3, refused.output
    assert ("The population dataset 'totals_2025' has no age_0_14 (Aged 0–14) counts, so Children (0–14) cannot "
            "be counted.") in refused.output
    assert "Traceback" not in refused.output
    # The same dataset still answers for the older residents and for everyone.
    assert run_cli(demo_spatialite_url, "coverage", "--group", "all", "--kind", "salon",
                   "--dataset", "totals_2025").exit_code == 0


def test_require_counts_accepts_suppressed_rows_but_not_an_empty_column():
    from geo_welfare.core.target_groups import require_counts
    some = pd.DataFrame({"total": [10, 5], "age_0_14": pd.array([None, 2], dtype="Int64")})
    require_counts(some, CHILDREN, "d")  # one suppressed row: its children count as unknown, the rest count
    none = some.assign(age_0_14=pd.array([None, None], dtype="Int64"))
    with pytest.raises(MissingCounts):
        require_counts(none, CHILDREN, "d")
    with pytest.raises(MissingCounts):
        require_counts(some.drop(columns="age_0_14"), CHILDREN, "d")


def _table(page: str, id: str) -> pd.DataFrame:
    """The HTML table ``id`` of ``page`` as text cells (stdlib parser: the profile's own markup, no lxml)."""
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.rows, self.cell = False, [], None

        def handle_starttag(self, tag, attrs):
            if tag == "table" and dict(attrs).get("id") == id:
                self.inside = True
            elif self.inside and tag == "tr":
                self.rows.append([])
            elif self.inside and tag in ("td", "th"):
                self.cell = ""

        def handle_endtag(self, tag):
            if tag == "table":
                self.inside = False
            elif self.inside and tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(self.cell.strip())
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    parser = Cells()
    parser.feed(page)
    return pd.DataFrame(parser.rows[1:], columns=parser.rows[0])


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_the_district_profile_of_the_children(town, by_hand, tmp_path):
    _, points, walks = by_hand
    target = tmp_path / "E01.html"
    result = run_cli(town, "report", "district", "E01", "--group", "子ども", "--network", DEMO_STREETS,
                     "--format", "html", "-o", target, lang="ja")
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    coverage = _table(page, "coverage-table")
    assert list(coverage.columns) == ["徒歩（分）", "0～14歳", "徒歩圏内の0～14歳", "0～14歳のカバー率（%）"]
    districts = unit_of_points(points, read_areas(open_store(town), "elementary_district"))
    mine = (districts == "E01").to_numpy()
    for minutes, row in zip((10, 15, 20), coverage.itertuples(index=False)):
        covered = points["age_0_14"][mine & (walks.min(axis=0) <= minutes * 1000 / 15)].sum()
        assert _number(row[0]) == minutes
        assert _number(row[2]) == round(covered)  # one district per row group: plain rounding, no remainders to share
        assert _number(row[3]) == pytest.approx(round(100 * covered / points["age_0_14"][mine].sum(), 1))
    population = _table(page, "population-table")
    assert "0～14歳" in population.columns and "0～14歳の割合（%）" in population.columns
    assert "0～14歳1,000人あたりか所数" in page
    assert '<span id="profile-group">対象：子ども（0～14歳）</span>' in page  # the heading says whom it counts


def test_the_older_profile_is_unchanged(town, tmp_path):
    target = tmp_path / "E01.html"
    result = run_cli(town, "report", "district", "E01", "--network", DEMO_STREETS, "--format", "html", "-o", target,
                     lang="ja")
    assert result.exit_code == 0, result.output
    assert '<span id="profile-group">対象：高齢者（65歳以上・75歳以上）</span>' in target.read_text(encoding="utf-8")
    coverage = _table(target.read_text(encoding="utf-8"), "coverage-table")
    assert list(coverage.columns) == ["徒歩（分）", "65歳以上", "徒歩圏内の65歳以上", "65歳以上のカバー率（%）", "75歳以上",
                                      "徒歩圏内の75歳以上", "75歳以上のカバー率（%）"]


def test_the_profile_pdf_says_whom_it_counts(town, tmp_path):
    from helpers import flat, run
    target = tmp_path / "E01.pdf"
    result = run_cli(town, "report", "district", "E01", "--group", "子ども", "--network", DEMO_STREETS,
                     "--format", "pdf", "-o", target, lang="ja")
    assert result.exit_code == 0, result.output
    assert "対象：子ども（0～14歳）" in flat(run("pdftotext", "-raw", target, "-"))
