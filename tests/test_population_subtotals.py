"""Sapporo's 住民基本台帳 households table (2021): its town subtotals are recognised, not stored twice.

The table follows a town's 丁目 with the town's subtotal under several names — 百合が原 after
百合が原１丁目 … １１丁目, 円山西町（丁目） and 宮の森（条丁目）, and 南　西 after every 南N条西M丁目 —
and closes each ward with 合計.  Read whole, it was refused: the subtotals were counted with their
丁目 and no ward's 合計 agreed.  Expected values are worked out here with the csv module: the detail
rows are the 丁目 and the areas without 丁目 that are no subtotal, and every ward's 合計 must equal
their sum (which the file's own figures confirm, ward by ward).
"""

from __future__ import annotations

import csv
import re

from geo_welfare.store import open_store
from geo_welfare.store.read import read_population
from helpers import run_cli

TABLE = "sapporo/sapporo_jou202104_households_sex_by_chome.csv"


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[2:]  # a title row, then the header
    fold = lambda text: re.sub(r"[\s\u3000]+", "", text)  # noqa: E731 - the table pads names with spaces
    return [(number, fold(r[0]), fold(r[1]), int(r[2]), int(r[3])) for number, r in enumerate(rows, start=3)]


def test_the_households_table_imports_with_its_subtotals_recognised(spatialite_url, shared_data):
    rows = _rows(shared_data / TABLE)
    by_line = {line: (ward, name, households, total) for line, ward, name, households, total in rows}
    # The subtotals, found by hand in the file (line: name), each the sum of the lines just above it:
    subtotals = {1814: ("百合が原", range(1803, 1814)), 882: ("円山西町（丁目）", range(872, 882)),
                 534: ("南西", range(72, 534))}
    for line, (name, details) in subtotals.items():
        assert by_line[line][1] == name
        for column in (2, 3):  # households and residents
            assert by_line[line][column] == sum(by_line[d][column] for d in details)
        assert by_line[line][0] == by_line[line - 1][0] == by_line[details[0]][0]  # the same ward
    result = run_cli(spatialite_url, "import", "population", shared_data / TABLE)
    assert result.exit_code == 0, result.stderr
    stored = read_population(open_store(spatialite_url), "sapporo_jou202104_households_sex_by_chome")
    names = set(stored["name"])
    assert not {"百合が原", "円山西町（丁目）", "宮の森（条丁目）", "南西", "北西", "大通東"} & names  # not stored twice
    assert {"百合が原１丁目", "宮ケ丘（番地）", "盤渓", "中島公園"} <= names  # the details (番地 areas included)
    wards = {ward: total for _, ward, name, _, total in rows if name == "合計"}
    assert len(wards) == 10
    stored_by_ward = stored.groupby("parent_name")["total"].sum().to_dict()
    assert stored_by_ward == wards  # every ward's 合計 equals its stored rows
    city = next(total for _, ward, name, _, total in rows if ward == "全区")
    assert int(stored["total"].sum()) == city == 1_960_829
