"""Takamatsu's welfare points (自治体標準オープンデータセット layout) and population, through the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import run_cli
from geo_welfare.store import open_store
from geo_welfare.store.read import aging_rate, read_population, read_resources


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def takamatsu(shared_data):
    return shared_data / "takamatsu"


def test_support_centres_with_schedules(store_url, takamatsu):
    path = takamatsu / "takamatsu_regional_comprehensive_support_center.csv"
    source = rows(path)
    result = run_cli(store_url, "import", "resources", path, "--kind", "support_centre")
    assert result.exit_code == 0, result.stderr
    assert "7 added, 0 updated, 0 removed" in result.stderr
    stored = read_resources(open_store(store_url)).set_index("source_id")
    assert len(stored) == len(source) == 7
    first = stored.loc["1"]
    assert first["name"] == "地域包括支援センター（高松市保健センター１階）" == source[0]["name"]
    assert first["phone"] == "087-839-2811"
    assert (round(first.geometry.x, 8), round(first.geometry.y, 8)) == (134.05183528, 34.33040083)
    assert (stored["kind"] == "support_centre").all()
    assert first["schedules"] == [{"freq": "WEEKLY", "interval": 1, "byday": "MO,TU,WE,TH,FR", "bymonthday": None,
                                   "opens_at": "08:30", "closes_at": "17:00"}]
    assert bool(first["closed_on_holidays"]) and bool(first["closed_year_end"])
    assert pd_is_missing(first["schedule_unparsed"])


def pd_is_missing(value) -> bool:
    import pandas as pd
    return value is None or pd.isna(value)


def test_kinds_default_and_listing_as_csv(store_url, takamatsu):
    for name, kind in (("takamatsu_community_center.csv", "community_centre"),
                       ("takamatsu_elderly_wedding_house.csv", None)):
        arguments = ["import", "resources", takamatsu / name] + (["--kind", kind] if kind else [])
        result = run_cli(store_url, *arguments)
        assert result.exit_code == 0, result.stderr
    listing = run_cli(store_url, "list", "resources", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(listing.stdout)))
    community = len(rows(takamatsu / "takamatsu_community_center.csv"))
    houses = len(rows(takamatsu / "takamatsu_elderly_wedding_house.csv"))
    assert (community, houses) == (52, 10)
    assert len(table) == community + houses
    assert sum(r["kind"] == "community_centre" for r in table) == 52
    assert sum(r["kind"] == "other" for r in table) == 10  # no --kind, no kind column: other
    assert table[0].keys() >= {"name", "kind", "address", "lon", "lat", "schedule_text"}


def test_population_by_age_band(store_url, takamatsu):
    path = takamatsu / "takamatsu_population_0066_202602.csv"
    source = rows(path)
    total = sum(int(r["totalPopulation"]) for r in source)
    old = sum(int(r[f"{sex}{band}"]) for r in source for sex in ("man", "woman") for band in range(14, 19))
    banded = sum(int(r[f"{sex}{band}"]) for r in source for sex in ("man", "woman") for band in range(1, 19))
    assert banded == total
    assert round(old / total * 100, 1) == 28.9
    result = run_cli(store_url, "import", "population", path)
    assert result.exit_code == 0, result.stderr
    stored = read_population(open_store(store_url), "takamatsu_population_0066_202602")
    assert len(stored) == 235
    assert stored["total"].sum() == total and stored["age_65_plus"].sum() == old
    assert aging_rate(stored) == pytest.approx(old / total, abs=1e-12)
    # No small areas are stored for Takamatsu: every row is kept and listed as not joined.
    assert "Rows joined to a small area: 0 of 235" in result.stderr
    assert "Rows that did not join to a small area: 235" in result.stderr
    assert stored["area_code"].isna().all()
    datasets = json.loads(run_cli(store_url, "list", "population", "--format", "json").stdout)
    assert datasets == [{"name": "takamatsu_population_0066_202602", "source_file": path.name,
                         "as_of": "2026-02-01", "rows": 235}]
