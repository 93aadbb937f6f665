"""A list's closed-days column (定休日, 休館日) closes those days, whatever the opening days say.

The municipal layout writes 利用可能曜日 「月火水木金土日」 and keeps the closures in a column of their
own; a list read without it answers "open" on the closed day: the wrong answer a coordinator must
never get.  Expected answers by hand: 2026-12-07 is a Monday, 2026-12-08 a Tuesday, 2026-12-06 a Sunday.
"""

from __future__ import annotations

import datetime

from geo_welfare.store import open_store
from geo_welfare.store.read import open_at, read_resources
from helpers import run_cli

HEADER = "ID,名称,住所,緯度,経度,利用可能曜日,開始時間,終了時間,定休日\n"


def test_a_closed_days_column_closes_its_days(store_url, tmp_path):
    path = tmp_path / "centres.csv"
    path.write_text(HEADER + "1,月曜休みの館,架空市1-1,35.20,139.40,月火水木金土日,09:00,17:00,月曜日\n"
                             "2,日曜と祝日休みの館,架空市1-2,35.21,139.41,月火水木金土日,09:00,17:00,日曜日、祝日\n",
                    encoding="utf-8")
    result = run_cli(store_url, "import", "resources", path, "--kind", "community_centre")
    assert result.exit_code == 0, result.stderr
    stored = read_resources(open_store(store_url)).set_index("source_id")
    moments = {"monday": datetime.datetime(2026, 12, 7, 10, 0), "tuesday": datetime.datetime(2026, 12, 8, 10, 0),
               "sunday": datetime.datetime(2026, 12, 6, 10, 0),
               "holiday": datetime.datetime(2026, 11, 23, 10, 0)}  # 勤労感謝の日, a Monday
    answers = {key: {moment_name: open_at(stored.loc[[key]], moment).iloc[0] for moment_name, moment in moments.items()}
               for key in ("1", "2")}
    assert {name: bool(value) for name, value in answers["1"].items()} == {
        "monday": False, "tuesday": True, "sunday": True, "holiday": False}
    assert {name: bool(value) for name, value in answers["2"].items()} == {
        "monday": True, "tuesday": True, "sunday": False, "holiday": False}
    assert "月曜日" in stored.loc["1", "schedule_text"]  # the closed days are kept with the text as written
