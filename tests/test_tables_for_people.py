"""Result tables as people read them (issue 13, item 1): headers in their language, whole people that add up,
percentages with one decimal, a labelled row for residents outside every unit, a BOM on every CSV, and .xlsx.

The expected values are worked out by hand (the small tables) or from the same command's ``--raw`` machine
form (the demo town), never from the formatting code itself.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from helpers import DEMO_STREETS, run_cli

BOM = "\ufeff"


def test_largest_remainder_by_hand():
    from geo_welfare.reports.tables import largest_remainder
    # Six halves: plain rounding gives 0 or 6 (banker's or half-up), never the total 3; ties go to earlier rows.
    assert largest_remainder(np.array([0.5] * 6), 3).tolist() == [1, 1, 1, 0, 0, 0]
    # Floors 1 + 2 + 3 = 6; the one unit missing goes to the largest fraction (0.7).
    assert largest_remainder(np.array([1.2, 2.7, 3.1]), 7).tolist() == [1, 3, 3]
    assert largest_remainder(np.array([4.0, 5.0]), 9).tolist() == [4, 5]


def _coverage_table() -> pd.DataFrame:
    """A coverage table in the machine form, small enough to work out by hand."""
    return pd.DataFrame({
        "code": ["E01", "E02", None, "*"], "name": ["東", "西", None, "（全体）"], "minutes": [10.0] * 4,
        "total": [100.45, 200.35, 1.2, 302.0], "age_65_plus": [40.3, 50.5, 1.2, 92.0],
        "age_65_plus_covered": [10.25, 20.5, 0.0, 30.75],
        "share_65_plus_covered": [10.25 / 40.3, 20.5 / 50.5, 0.0, 30.75 / 92.0], "method": ["network"] * 4})


def test_a_coverage_table_for_people_adds_up_and_reads_in_japanese():
    from geo_welfare.reports.tables import for_people
    table = for_people(_coverage_table(), "ja")
    assert list(table.columns) == ["コード", "名称", "徒歩（分）", "人口", "65歳以上", "徒歩圏内の65歳以上",
                                   "65歳以上のカバー率（%）", "距離の測り方"]
    # 人口: floors 100 + 200 + 1 = 301, total 302: the missing one goes to the largest fraction (.45 of row 1).
    # Plain rounding would print 100, 200, 1 under a total of 302.
    assert table["人口"].tolist() == [101, 200, 1, 302]
    # 40.3 + 50.5 + 1.2 = 92: floors 91, the one more to the .5 of row 2.
    assert table["65歳以上"].tolist() == [40, 51, 1, 92]
    # 10.25 + 20.5 + 0 = 30.75 → 31: floors 10 + 20 = 30, one more to the larger fraction (.5 of row 2).
    assert table["徒歩圏内の65歳以上"].tolist() == [10, 21, 0, 31]
    # Shares ×100, one decimal: 10.25/40.3 = 25.43…%, 20.5/50.5 = 40.59…%, 30.75/92 = 33.42…%.
    assert table["65歳以上のカバー率（%）"].tolist() == [25.4, 40.6, 0.0, 33.4]
    # The residents outside every unit are named, not an empty row; the whole-area row keeps its name.
    assert table["名称"].tolist() == ["東", "西", "どの区域にも入らない住民", "（全体）"]
    assert table["コード"].tolist() == ["E01", "E02", "", "*"]
    assert set(table["距離の測り方"]) == {"道路に沿った距離"}
    assert table["徒歩（分）"].tolist() == [10] * 4


def test_the_same_table_in_english():
    from geo_welfare.reports.tables import for_people
    table = for_people(_coverage_table(), "en")
    assert list(table.columns)[:5] == ["Code", "Name", "Walk (min)", "Population", "Aged 65+"]
    assert table["Name"].tolist()[2] == "Residents outside every unit"
    assert set(table["Distance measured"]) == {"Along the streets"}


def _csv(text: str) -> list[dict[str, str]]:
    assert text.startswith(BOM), text[:20]
    return list(csv.DictReader(io.StringIO(text[len(BOM):])))


def test_coverage_on_the_demo_town_adds_up_to_the_raw_totals(demo_spatialite_url, tmp_path):
    arguments = ("coverage", "--network", DEMO_STREETS, "--minutes", "10", "--minutes", "15",
                 "--unit", "elementary-district", "--format", "csv")
    raw = _csv(run_cli(demo_spatialite_url, *arguments, "--raw").stdout)
    people = _csv(run_cli(demo_spatialite_url, *arguments, lang="ja").stdout)
    assert len(raw) == len(people) == 2 * (6 + 1)  # 6 districts and the total row, per walking time
    for minutes in ("10", "15"):
        rows = [row for row in people if row["徒歩（分）"] == minutes]
        machine = [row for row in raw if float(row["minutes"]) == float(minutes)]
        total, details = rows[-1], rows[:-1]
        assert total["コード"] == "*" and total["名称"] == "（全体）"
        for header, column in (("人口", "total"), ("65歳以上", "age_65_plus"),
                               ("徒歩圏内の65歳以上", "age_65_plus_covered"), ("徒歩圏内の75歳以上", "age_75_plus_covered")):
            assert int(total[header]) == round(float(machine[-1][column]))  # the total, rounded once
            assert sum(int(row[header]) for row in details) == int(total[header])  # … and its rows add up to it
            for row, exact in zip(details, machine[:-1]):  # each row is its value's floor or ceiling
                assert abs(int(row[header]) - float(exact[column])) < 1
        for row, exact in zip(rows, machine):
            assert float(row["65歳以上のカバー率（%）"]) == round(float(exact["share_65_plus_covered"]) * 100, 1)
    # The machine form is what it was: English names, values not rounded.
    assert list(raw[0])[:4] == ["code", "name", "minutes", "total"]
    assert any("." in row["total"] for row in raw)


def test_every_csv_the_cli_prints_starts_with_a_bom_and_xlsx_opens(demo_spatialite_url, tmp_path):
    listing = run_cli(demo_spatialite_url, "list", "resources", "--format", "csv", lang="ja")
    assert listing.exit_code == 0, listing.stderr
    rows = _csv(listing.stdout)
    assert {"名称", "種別", "住所", "緯度", "経度", "開催日時"} <= set(rows[0])
    raw = _csv(run_cli(demo_spatialite_url, "list", "resources", "--format", "csv", "--raw").stdout)
    assert [row["名称"] for row in rows] == [row["name"] for row in raw]
    assert {row["公開区分"] for row in rows} <= {"公開", "職員のみ"}
    # The listing for people is a list the importer reads back (its headers are the importer's own words).
    path = tmp_path / "list.csv"
    path.write_text(listing.stdout, encoding="utf-8")
    again = run_cli(demo_spatialite_url, "import", "resources", path, "--source", "relisted", lang="ja")
    assert again.exit_code == 0, again.stderr
    from geo_welfare.store import open_store
    from geo_welfare.store.read import read_resources
    stored = read_resources(open_store(demo_spatialite_url), include_staff_only=True)
    relisted = stored[stored["source"] == "relisted"]
    assert sorted(relisted["name"]) == sorted(row["名称"] for row in rows)
    original = stored[stored["source"] != "relisted"].set_index("name")
    for _, item in relisted.iterrows():  # the same place, where it was
        assert (round(item.geometry.x, 7), round(item.geometry.y, 7)) == (
            round(original.loc[item["name"]].geometry.x, 7), round(original.loc[item["name"]].geometry.y, 7))
        assert item["kind"] == original.loc[item["name"]]["kind"]
    workbook_path = tmp_path / "coverage.xlsx"
    result = run_cli(demo_spatialite_url, "coverage", "--network", DEMO_STREETS, "--minutes", "10",
                     "--unit", "elementary-district", "--output", workbook_path, lang="ja")
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(workbook_path).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    printed = _csv(run_cli(demo_spatialite_url, "coverage", "--network", DEMO_STREETS, "--minutes", "10",
                           "--unit", "elementary-district", "--format", "csv", lang="ja").stdout)
    assert values[0] == list(printed[0])
    assert [str(value) for value in values[-1][:4]] == [printed[-1][key] for key in list(printed[-1])[:4]]
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize("lang, header", [("ja", "順位"), ("en", "Rank")])
def test_nearest_speaks_one_language(demo_spatialite_url, lang, header):
    result = run_cli(demo_spatialite_url, "nearest", "139.41", "35.205", "--network", DEMO_STREETS, "-k", "3", lang=lang)
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0].split()
    assert first[0] == header
    assert "NaN" not in result.stdout and "kind_label" not in result.stdout
