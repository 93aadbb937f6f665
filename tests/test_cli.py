"""The command line as scripts and people use it: help, listings, exports, exit codes."""

from __future__ import annotations

import csv
import io
import json

import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner

from conftest import DEMO_DATA, run_cli
from geo_welfare.cli import main

COMMANDS = [[], ["init"], ["import"], ["import", "resources"], ["import", "areas"], ["import", "population"],
            ["import", "candidates"], ["list"], ["export"], ["serve"], ["demo"], ["nearest"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_help_is_in_japanese_and_english(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    first = result.stdout.split("\n\n")[1] if command else result.stdout
    assert " / " in first
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in first)  # kana or kanji
    assert any("a" <= ch <= "z" for ch in first)


def test_bad_option_is_exit_code_2(tmp_path):
    result = run_cli(f"sqlite:///{tmp_path / 's.sqlite'}", "import", "areas", "x.geojson", "--unit", "county")
    assert result.exit_code == 2


@pytest.fixture
def demo_store(spatialite_url):
    result = run_cli(spatialite_url, "demo", "--no-serve")
    assert result.exit_code == 0, result.stderr
    return spatialite_url


def test_demo_imports_every_file(demo_store):
    listing = json.loads(run_cli(demo_store, "list", "areas", "--format", "json").stdout)
    assert sorted({row["unit"] for row in listing}) == ["daily_life_area", "elementary_district",
                                                        "junior_high_district", "municipality", "small_area"]
    assert len(listing) == 1 + 2 + 3 + 6 + 42
    resources = json.loads(run_cli(demo_store, "list", "resources", "--format", "json", "--include-staff").stdout)
    assert len(resources) == 30 + 6 + 3
    candidates = list(csv.DictReader(io.StringIO(run_cli(demo_store, "list", "candidates", "--format", "csv").stdout)))
    assert len(candidates) == 12


def test_exports(demo_store, tmp_path):
    with open(DEMO_DATA / "salons.csv", encoding="utf-8-sig", newline="") as handle:
        salons = list(csv.DictReader(handle))
    public = 30 - sum(r["公開"] == "職員のみ" for r in salons) + 6 + 3
    for name in ("r.gpkg", "r.geojson", "r.shp", "r.csv", "r.hsds.json"):
        result = run_cli(demo_store, "export", "resources", tmp_path / name)
        assert result.exit_code == 0, result.stderr
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == public and {"name", "kind", "lon", "lat"} <= rows[0].keys()
    assert (tmp_path / "r.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    shapefile = pyogrio.read_dataframe(tmp_path / "r.shp")
    assert sorted(shapefile["name"]) == sorted(r["name"] for r in rows)
    assert len(gpd.read_file(tmp_path / "r.gpkg")) == public == len(gpd.read_file(tmp_path / "r.geojson"))
    services = json.loads((tmp_path / "r.hsds.json").read_text(encoding="utf-8"))
    assert len(services) == public
    first_salon = next(s for s in services if s["name"] == salons[0]["名称"])
    assert first_salon["schedules"][0]["byday"] == "1TH,3TH"  # salons.csv S01: 第1・第3木曜日 13:30–15:30
    assert (first_salon["schedules"][0]["opens_at"], first_salon["schedules"][0]["closes_at"]) == ("13:30", "15:30")
    location = first_salon["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (float(salons[0]["緯度"]), float(salons[0]["経度"]))


def test_staff_only_only_with_the_flag(demo_store, tmp_path):
    run_cli(demo_store, "export", "resources", tmp_path / "public.csv")
    run_cli(demo_store, "export", "resources", tmp_path / "all.csv", "--include-staff")
    count = lambda p: len(list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8-sig")))))  # noqa: E731
    assert count(tmp_path / "all.csv") - count(tmp_path / "public.csv") == 2


def test_unknown_export_format_is_a_usage_error(demo_store, tmp_path):
    assert run_cli(demo_store, "export", "resources", tmp_path / "r.xlsx").exit_code == 2
    assert run_cli(demo_store, "export", "areas", tmp_path / "a.hsds.json").exit_code == 2


def test_nearest_answers_without_touching_the_store(demo_store):
    from test_bad_input import snapshot
    before = snapshot(demo_store)
    result = run_cli(demo_store, "nearest", "139.395", "35.198", "--network", DEMO_DATA / "streets.geojson",
                     "-k", "3", "--kind", "サロン", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["rank"] for row in rows] == [1, 2, 3]
    assert {row["kind"] for row in rows} == {"salon"} and {row["method"] for row in rows} == {"network"}
    assert [row["walking_m"] for row in rows] == sorted(row["walking_m"] for row in rows)
    assert all(row["walking_m"] >= row["straight_m"] for row in rows)
    assert snapshot(demo_store) == before
    assert "139.395" not in result.stderr and "35.198" not in result.stderr


def test_nearest_refuses_a_point_outside_japan(demo_store):
    assert run_cli(demo_store, "nearest", "2.35", "48.85").exit_code == 2


def test_a_source_name_cannot_be_shared_by_several_files(spatialite_url, tmp_path):
    result = run_cli(spatialite_url, "import", "resources", DEMO_DATA / "salons.csv", DEMO_DATA / "engawa.csv",
                     "--source", "lists")
    assert result.exit_code == 2
    assert "--source needs a single file" in result.stderr
