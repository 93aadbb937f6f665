"""An office of the national lists exported to HSDS as one service per service it offers, at one location.

By hand from tests/data/national/372013_care_service.csv (the 自治体標準 介護サービス事業所一覧 layout): office
3770100011 デイサービスセンター中央 lists 通所介護 (利用可能曜日 月火水木金土), 訪問介護 (月火水木金土日) and
居宅介護支援; the rows of 3770100029 (no coordinates) are left out of the copy imported here.
"""

from __future__ import annotations

import csv
import json

from helpers import REPOSITORY, run_cli

CARE_LIST = REPOSITORY / "tests" / "data" / "national" / "372013_care_service.csv"


def test_each_service_of_an_office_is_an_hsds_service_at_its_one_location(store_url, tmp_path):
    with open(CARE_LIST, encoding="cp932", newline="") as handle:
        rows = list(csv.DictReader(handle))
    office = [row for row in rows if row["事業所番号"] == "3770100011"]
    assert [row["実施サービス"] for row in office] == ["通所介護", "訪問介護", "居宅介護支援"]
    copy = tmp_path / "372013_care_service.csv"
    with open(copy, "w", encoding="cp932", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(office)
    assert run_cli(store_url, "import", "resources", copy).exit_code == 0
    assert run_cli(store_url, "export", "resources", tmp_path / "out.hsds.json").exit_code == 0
    services = json.loads((tmp_path / "out.hsds.json").read_text(encoding="utf-8"))
    assert [s["description"] for s in services] == ["通所介護", "訪問介護", "居宅介護支援"]
    assert {s["name"] for s in services} == {"デイサービスセンター中央"}
    assert len({s["id"] for s in services}) == 3  # three services …
    locations = {s["service_at_locations"][0]["location_id"] for s in services}
    assert len(locations) == 1  # … at one place
    days = [next((d["description"] for d in s["schedules"]), None) for s in services]
    assert "月火水木金土" in days[0] and "月火水木金土日" in days[1]
