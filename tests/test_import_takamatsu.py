"""Takamatsu's welfare points (自治体標準オープンデータセット layout) and population, through the CLI.

Expected values are read from the CSV files with the csv module in the tests themselves.
"""

from __future__ import annotations

import csv
import datetime
import io
import json

import pandas as pd
import pytest

from geo_welfare.store import open_store
from geo_welfare.store.read import aging_rate, open_at, read_population, read_resources
from helpers import run_cli

SUPPORT = "takamatsu_regional_comprehensive_support_center.csv"
COMMUNITY = "takamatsu_community_center.csv"
HOUSES = "takamatsu_elderly_wedding_house.csv"  # 老人いこいの家 (the publisher's own English name)
POPULATION = "takamatsu_population_0066_202602.csv"


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return [dict(row, _line=reader.line_num) for row in reader]


@pytest.fixture
def takamatsu(shared_data):
    return shared_data / "takamatsu"


def test_support_centres_with_schedules(store_url, takamatsu):
    path = takamatsu / SUPPORT
    source = rows(path)
    assert len(source) == 7
    result = run_cli(store_url, "import", "resources", path, "--kind", "support_centre")
    assert result.exit_code == 0, result.stderr
    assert f"{SUPPORT}: 7 added, 0 updated, 0 removed, 0 skipped, 0 warnings (resources)" in result.stderr
    assert "could not be parsed" not in result.stderr
    stored = read_resources(open_store(store_url)).set_index("source_id")
    assert sorted(stored.index) == sorted(r["#property"] for r in source)  # ids 1, 2, 4–8 (no 3)
    for row in source:
        item = stored.loc[row["#property"]]
        assert (item["name"], item["address"], item["phone"], item["url"]) == (
            row["name"], row["address"], row["telephoneNumber"], row["referenceObject"])
        assert (item.geometry.x, item.geometry.y) == (float(row["longitude"]), float(row["latitude"]))
    first = stored.loc["1"]
    assert first["name"] == "地域包括支援センター（高松市保健センター１階）"
    assert first["phone"] == "087-839-2811"
    assert (first.geometry.x, first.geometry.y) == (134.05183528, 34.33040083)  # row 1, exactly as written
    assert (stored["kind"] == "support_centre").all()

    # 月火水木金 08:30–17:00, closed on public holidays and 12/29–1/3: parsed into one weekly rule.
    assert first["schedules"] == [{"freq": "WEEKLY", "interval": 1, "byday": "MO,TU,WE,TH,FR", "bymonthday": None,
                                   "opens_at": "08:30", "closes_at": "17:00"}]
    assert bool(first["closed_on_holidays"]) and bool(first["closed_year_end"])
    assert first["schedule_unparsed"] is None or pd.isna(first["schedule_unparsed"])
    assert all(item == first["schedules"] for item in stored["schedules"])
    # … and the rules answer "open at?" (calendar checked by hand: 2026-11-25 is a Wednesday,
    # 2026-11-23 勤労感謝の日 a Monday holiday, 2026-11-28 a Saturday, 2026-12-29 a Tuesday in 年末年始).
    one = stored.loc[["1"]]
    expected = {datetime.datetime(2026, 11, 25, 10, 0): True, datetime.datetime(2026, 11, 25, 8, 0): False,
                datetime.datetime(2026, 11, 25, 17, 30): False, datetime.datetime(2026, 11, 23, 10, 0): False,
                datetime.datetime(2026, 11, 28, 10, 0): False, datetime.datetime(2026, 12, 29, 10, 0): False,
                datetime.datetime(2027, 1, 4, 10, 0): True}
    assert {moment: bool(open_at(one, moment).iloc[0]) for moment in expected} == expected

    again = run_cli(store_url, "import", "resources", path, "--kind", "support_centre")
    assert f"{SUPPORT}: 0 added, 7 updated, 0 removed, 0 skipped, 0 warnings (resources)" in again.stderr
    assert len(read_resources(open_store(store_url))) == 7


def test_kinds_default_and_listing_as_csv(store_url, takamatsu):
    community, houses = rows(takamatsu / COMMUNITY), rows(takamatsu / HOUSES)
    assert (len(community), len(houses)) == (52, 10)
    for name, kind in ((COMMUNITY, "community_centre"), (HOUSES, None)):
        arguments = ["import", "resources", takamatsu / name] + (["--kind", kind] if kind else [])
        result = run_cli(store_url, *arguments)
        assert result.exit_code == 0, result.stderr
    listing = run_cli(store_url, "list", "resources", "--format", "csv", "--raw")
    assert listing.exit_code == 0
    parsed = list(csv.reader(io.StringIO(listing.stdout)))
    header, body = parsed[0], parsed[1:]
    assert {"name", "kind", "address", "lon", "lat", "schedule_text"} <= set(header)
    assert len(body) == 52 + 10  # one row per item
    table = [dict(zip(header, row)) for row in body]
    assert sorted((r["kind"], r["name"]) for r in table) == sorted(
        [("community_centre", r["name"]) for r in community] + [("other", r["name"]) for r in houses])
    # No --kind and no kind column: other — even though 老人いこいの家 names contain no kind word.
    by_name = {r["name"]: r for r in table}
    first = community[0]
    assert (float(by_name[first["name"]]["lat"]), float(by_name[first["name"]]["lon"])) == (
        round(float(first["latitude"]), 7), round(float(first["longitude"]), 7))
    # Row 10 of the houses list has no days or times: kept, with no schedule.
    last = by_name[houses[-1]["name"]]
    assert last["schedule_text"] == ""
    listed = json.loads(run_cli(store_url, "list", "resources", "--kind", "other", "--format", "json").stdout)
    assert sorted(r["name"] for r in listed) == sorted(r["name"] for r in houses)


def test_population_by_age_band(store_url, takamatsu, tmp_path):
    path = takamatsu / POPULATION
    source = rows(path)
    assert len(source) == 235
    total = sum(int(r["totalPopulation"]) for r in source)
    old = sum(int(r[f"{sex}{band}"]) for r in source for sex in ("man", "woman") for band in range(14, 19))
    banded = sum(int(r[f"{sex}{band}"]) for r in source for sex in ("man", "woman") for band in range(1, 19))
    assert (total, old, banded) == (418_129, 120_999, 418_129)
    assert round(old / total * 100, 1) == 28.9  # 28.938…%: bands 14–18 are 65–69 … 85+
    report_folder = tmp_path
    result = run_cli(store_url, "import", "population", path, "--report", tmp_path / "population_report.csv")
    assert result.exit_code == 0, result.stderr
    assert f"{POPULATION}: 235 added, 0 updated, 0 removed, 0 skipped, 0 warnings (population)" in result.stderr
    stored = read_population(open_store(store_url), "takamatsu_population_0066_202602")
    assert len(stored) == 235
    assert int(stored["total"].sum()) == total and int(stored["age_65_plus"].sum()) == old
    assert aging_rate(stored) == old / total
    by_name = stored.set_index("name")
    for row in source:  # row by row, not only the sums
        item = by_name.loc[row["regionName"]]
        assert item["total"] == int(row["totalPopulation"])
        assert item["age_65_plus"] == sum(int(row[f"{s}{b}"]) for s in ("man", "woman") for b in range(14, 19))
        assert item["age_0_14"] == sum(int(row[f"{s}{b}"]) for s in ("man", "woman") for b in range(1, 4))
        assert item["households"] == int(row["numberOfHouseholds"])
        assert item["parent_name"] == "高松市"
    # No small areas are stored for Takamatsu: every row is kept, and listed as not joined.
    assert "Rows joined to a small area: 0 of 235" in result.stderr
    assert "Rows that did not join to a small area: 235" in result.stderr
    assert stored["area_code"].isna().all()
    # … in one line, not 235: the count, the first five rows, and every row in the report file.
    listed = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    first = ", ".join(f"{r['_line']} 高松市/{r['regionName']}" for r in source[:5])
    assert listed == [f"{POPULATION}, 235 rows ({first}, …): "
                      "no small area has this name"]
    report = report_folder / "population_report.csv"
    assert f"Every row and its reasons: {report}" in result.stderr
    with open(report, encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [(int(r["行番号"]), r["name"]) for r in written] == [(r["_line"], r["regionName"]) for r in source]
    datasets = json.loads(run_cli(store_url, "list", "population", "--format", "json").stdout)
    assert datasets == [{"name": "takamatsu_population_0066_202602", "source_file": path.name,
                         "as_of": "2026-02-01", "rows": 235}]
