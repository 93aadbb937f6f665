"""The command line as scripts and people use it: help, init, listings, exports, exit codes."""

from __future__ import annotations

import csv
import io
import json
import re

import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from geo_welfare.cli import main
from geo_welfare.store import open_store
from helpers import DEMO_DATA, run_cli, snapshot

COMMANDS = [[], ["init"], ["import"], ["import", "resources"], ["import", "areas"], ["import", "population"],
            ["import", "candidates"], ["list"], ["export"], ["serve"], ["demo"], ["nearest"], ["coverage"],
            ["map", "district"], ["user", "add"]]


def has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)  # kana or kanji


def entries(page: str, heading: str) -> list[str]:
    """The option rows of a help page (a row's help may run over several lines)."""
    options = page.split(f"\n{heading}:\n")[1].split("\n\n")[0]
    return [entry for entry in re.split(r"\n  (?=-)", options) if entry.strip().startswith("-")]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_help_is_japanese_by_default(command, monkeypatch):
    monkeypatch.delenv("GEO_WELFARE_LANG", raising=False)
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("使い方: ")
    description = result.stdout.split("\n\n")[1]
    assert has_japanese(description) and " / " not in description
    for entry in entries(result.stdout, "オプション"):
        assert has_japanese(entry.split(None, 1)[1]), entry


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_help_is_english_with_lang_en(command, monkeypatch):
    monkeypatch.delenv("GEO_WELFARE_LANG", raising=False)
    result = CliRunner().invoke(main, ["--lang", "en", *command, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    description = result.stdout.split("\n\n")[1]
    assert not has_japanese(description) and any("a" <= ch <= "z" for ch in description)
    for entry in entries(result.stdout, "Options"):
        help_text = re.sub(r"\[[^\]]*\|[^\]]*\]", "", entry.split(None, 1)[1])  # the accepted values may be Japanese
        help_text = help_text.split("e.g.")[0]  # and so may an example of a Japanese file's words
        assert not has_japanese(help_text) and any("a" <= ch <= "z" for ch in help_text), entry


def test_the_environment_chooses_the_help_language_too(monkeypatch):
    monkeypatch.setenv("GEO_WELFARE_LANG", "en")
    assert CliRunner().invoke(main, ["import", "resources", "--help"]).stdout.startswith("Usage: ")


def test_init_creates_the_store(tmp_path):
    path = tmp_path / "sub" / "new.sqlite"
    result = run_cli(f"sqlite:///{path}", "init")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == f"Store ready: sqlite:///{path}"
    assert path.exists()
    assert {"area_unit", "resource", "schedule", "population_dataset", "population_count", "candidate_site"} <= set(
        inspect(open_store(f"sqlite:///{path}")).get_table_names())
    japanese = run_cli(f"sqlite:///{path}", "init", lang="ja")  # again: harmless, and in Japanese
    assert japanese.exit_code == 0
    assert japanese.stderr.strip() == f"データベースを準備しました: sqlite:///{path}"


def test_bad_options_are_exit_code_2(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    for arguments in (["import", "areas", "x.geojson", "--unit", "county"],  # not a unit
                      ["import", "areas", "x.geojson"],  # --unit missing
                      ["list", "things"], ["list", "areas", "--format", "xml"], ["import", "resources"],
                      ["frobnicate"]):
        result = run_cli(url, *arguments)
        assert result.exit_code == 2, (arguments, result.stderr)
        assert result.stderr.startswith("Usage: ") and "Error:" in result.stderr
    assert not (tmp_path / "s.sqlite").exists()  # refused before the store is opened
    result = run_cli(url, "import", "resources", "a.csv", "--columns", "name")  # not field=column
    assert result.exit_code == 2
    assert "Error: Invalid value for --columns: --columns expects field=column pairs, got 'name'" in result.stderr


# --- a hand-made list with staff-only places ----------------------------------------------------

RESOURCES = (
    "ID,名称,種別,住所,緯度,経度,開催日,開始時間,終了時間,定員,バリアフリー,公開,最終確認日\n"
    "S1,ひまわりサロン,サロン,架空町一丁目1-1,35.20,139.40,毎週火曜,10:00,12:00,20,あり,公開,2026-10-01\n"
    "S2,さくら体操教室,通いの場,架空町二丁目2-2,35.21,139.41,毎週木曜,13:30,15:00,15,なし,公開,2026-09-15\n"
    "S3,見守りの会（職員用）,サロン,架空町三丁目3-3,35.22,139.42,毎週金曜,10:00,11:00,,なし,職員のみ,2026-11-01\n"
    "S4,夜間相談窓口,地域包括支援センター,架空町四丁目4-4,35.23,139.43,平日,17:00,20:00,,あり,職員のみ,2026-11-02\n"
)
PUBLIC = {"ひまわりサロン", "さくら体操教室"}
STAFF = {"見守りの会（職員用）", "夜間相談窓口"}


@pytest.fixture
def listed(store_url, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(RESOURCES, encoding="utf-8")
    result = run_cli(store_url, "import", "resources", path)
    assert result.exit_code == 0, result.stderr
    return store_url


def read_names(path):
    if path.suffix == ".csv":
        return [row["name"] for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))]
    return pyogrio.read_dataframe(path)["name"].tolist()


def test_list_formats(listed):
    records = json.loads(run_cli(listed, "list", "resources", "--format", "json").stdout)
    assert {r["name"] for r in records} == PUBLIC
    assert {(r["lon"], r["lat"]) for r in records} == {(139.40, 35.20), (139.41, 35.21)}
    everyone = json.loads(run_cli(listed, "list", "resources", "--format", "json", "--include-staff").stdout)
    assert {r["name"] for r in everyone} == PUBLIC | STAFF
    table = list(csv.DictReader(io.StringIO(run_cli(listed, "list", "resources", "--format", "csv", "--raw").stdout)))
    assert sorted(r["name"] for r in table) == sorted(PUBLIC)
    salons = json.loads(run_cli(listed, "list", "resources", "--kind", "サロン", "--format", "json").stdout)
    assert [r["name"] for r in salons] == ["ひまわりサロン"]
    areas = run_cli(listed, "list", "areas", "--format", "json")
    assert areas.exit_code == 0 and json.loads(areas.stdout) == []
    plain = run_cli(listed, "list", "resources")
    assert plain.exit_code == 0 and all(name in plain.stdout for name in PUBLIC)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".csv"])
def test_export_formats_and_staff_only(listed, tmp_path, suffix):
    public, everything = tmp_path / f"public{suffix}", tmp_path / "all" / f"all{suffix}"
    result = run_cli(listed, "export", "resources", public)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == f"Wrote {public} (2 features)"
    assert run_cli(listed, "export", "resources", everything, "--include-staff").exit_code == 0
    assert sorted(read_names(public)) == sorted(PUBLIC)  # staff-only places left out …
    assert sorted(read_names(everything)) == sorted(PUBLIC | STAFF)  # … unless asked for
    if suffix == ".csv":
        raw = public.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel shows the kanji
        header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert {"name", "kind", "address", "lon", "lat", "visibility"} <= set(header)
    else:
        frame = gpd.read_file(public)
        assert frame.crs.to_epsg() == 6668 and set(frame.geometry.geom_type) == {"Point"}
        assert sorted(zip(frame.geometry.x.round(7), frame.geometry.y.round(7))) == [(139.40, 35.20),
                                                                                    (139.41, 35.21)]
    if suffix == ".shp":
        assert public.with_suffix(".cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
        # Japanese names survive a round trip, also for a reader that trusts only the .cpg …
        assert sorted(pyogrio.read_dataframe(public, encoding="utf-8")["address"]) == ["架空町一丁目1-1",
                                                                                        "架空町二丁目2-2"]
        # … and the field names are whole (≤ 10 characters chosen, not truncated by GDAL).
        assert {"name", "kind", "address", "schedule", "checked"} <= set(pyogrio.read_info(public)["fields"])


def test_export_again_replaces_the_file(listed, tmp_path):
    path = tmp_path / "r.geojson"
    assert run_cli(listed, "export", "resources", path, "--include-staff").exit_code == 0
    assert run_cli(listed, "export", "resources", path).exit_code == 0
    assert sorted(read_names(path)) == sorted(PUBLIC)


def test_unknown_export_format_is_a_usage_error(listed, tmp_path):
    assert run_cli(listed, "export", "resources", tmp_path / "r.xlsx").exit_code == 2
    assert run_cli(listed, "export", "areas", tmp_path / "a.hsds.json").exit_code == 2
    assert not list(tmp_path.glob("r.*")) and not list(tmp_path.glob("a.*"))


# --- the demo town ---------------------------------------------------------------------------------

@pytest.fixture
def demo_cli(spatialite_url):
    """A store the ``demo`` command itself filled."""
    result = run_cli(spatialite_url, "demo", "--no-serve")
    assert result.exit_code == 0, result.stderr
    return spatialite_url


@pytest.fixture
def demo_store(demo_spatialite_url):
    """The demo town on SpatiaLite, a copy of the session's import (the same importers the command runs)."""
    return demo_spatialite_url


def demo_rows(name):
    raw = (DEMO_DATA / name).read_bytes()
    for encoding in ("utf-8-sig", "cp932"):  # engawa.csv is deliberately CP932
        try:
            return list(csv.DictReader(io.StringIO(raw.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise AssertionError(name)


def test_demo_imports_every_file(demo_cli):
    listing = json.loads(run_cli(demo_cli, "list", "areas", "--format", "json").stdout)
    expected_areas = {unit: len(gpd.read_file(DEMO_DATA / name)) for name, unit in (
        ("municipality.geojson", "municipality"), ("daily_life_areas.geojson", "daily_life_area"),
        ("junior_high_districts.geojson", "junior_high_district"),
        ("elementary_districts.geojson", "elementary_district"), ("small_areas.geojson", "small_area"))}
    assert {unit: sum(r["unit"] == unit for r in listing) for unit in expected_areas} == expected_areas
    assert len(listing) == sum(expected_areas.values())
    salons, engawa = demo_rows("salons.csv"), demo_rows("engawa.csv")
    centres = len(gpd.read_file(DEMO_DATA / "support_centres.geojson"))
    resources = json.loads(run_cli(demo_cli, "list", "resources", "--format", "json", "--include-staff").stdout)
    assert len(resources) == len(salons) + len(engawa) + centres
    staff = sum(r["公開"] == "職員のみ" for r in salons + engawa)
    public = json.loads(run_cli(demo_cli, "list", "resources", "--format", "json").stdout)
    assert len(resources) - len(public) == staff > 0
    candidates = list(csv.DictReader(io.StringIO(run_cli(demo_cli, "list", "candidates", "--format", "csv", "--raw").stdout)))
    assert len(candidates) == len(gpd.read_file(DEMO_DATA / "candidate_sites.geojson"))


def test_demo_hsds_export(demo_store, tmp_path):
    salons = demo_rows("salons.csv")
    result = run_cli(demo_store, "export", "resources", tmp_path / "r.hsds.json")
    assert result.exit_code == 0, result.stderr
    services = json.loads((tmp_path / "r.hsds.json").read_text(encoding="utf-8"))
    public = json.loads(run_cli(demo_store, "list", "resources", "--format", "json").stdout)
    assert len(services) == len(public)
    first_salon = next(s for s in services if s["name"] == salons[0]["名称"])
    assert salons[0]["開催日"] == "第1・第3木曜日"
    assert first_salon["schedules"][0]["byday"] == "1TH,3TH"
    assert (first_salon["schedules"][0]["opens_at"], first_salon["schedules"][0]["closes_at"]) == (
        salons[0]["開始時間"], salons[0]["終了時間"])
    location = first_salon["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (float(salons[0]["緯度"]), float(salons[0]["経度"]))


def test_nearest_answers_without_touching_the_store(demo_store):
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


def test_a_source_name_cannot_be_shared_by_several_files(spatialite_url):
    result = run_cli(spatialite_url, "import", "resources", DEMO_DATA / "salons.csv", DEMO_DATA / "engawa.csv",
                     "--source", "lists")
    assert result.exit_code == 2
    assert "--source needs a single file" in result.stderr


# --- bugs the acceptance helper found (were strict xfails; fixed) --------------------------------

def test_list_population_unknown_dataset(listed):
    result = run_cli(listed, "list", "population", "--dataset", "nosuch", "--format", "csv", "--raw")
    assert "Unexpected error" not in result.stderr, result.stderr
    assert (result.exit_code == 2 and "nosuch" in result.stderr) or (result.exit_code == 0 and
                                                                     result.stdout.count("\n") <= 1)


def test_empty_store_lists_and_exports_the_same_columns(store_url, tmp_path):
    assert run_cli(store_url, "export", "resources", tmp_path / "empty.csv").exit_code == 0
    assert run_cli(store_url, "export", "resources", tmp_path / "empty.gpkg").exit_code == 0
    listing = run_cli(store_url, "list", "areas", "--format", "csv", "--raw").stdout
    header = next(csv.reader(io.StringIO((tmp_path / "empty.csv").read_text(encoding="utf-8-sig"))))
    assert "wkb" not in header
    assert "wkb" not in pyogrio.read_info(tmp_path / "empty.gpkg")["fields"]
    assert "wkb" not in listing.splitlines()[0].split(",")
