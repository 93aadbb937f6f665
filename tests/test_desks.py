"""Consultation desks (相談窓口) by field: the glossary's words, the import, the list, ``nearest --consults``.

The demo town's places get fields from ``tests/data/generated_desks_demo.csv`` (GENERATED: six desks in
the 自治体標準 layout with 相談分野 and アウトリーチ columns, see its ``.md``) and from their kind by law (the
three 地域包括支援センター are 高齢・介護 and 権利擁護 desks); the national lists from their service types
(``tests/data/national/csvdownload052.csv``: WAM NET's 計画相談支援 → 障がい).  Every expected value below
is read off the CSV by hand; the districts of the desks are those of the demo salons whose points they
share (D01 = S01, D02 = D05 = S02, D06 = S03 in E02; D03 = S04 in E03; D04 = S25 in E05).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from geo_welfare.analysis.desks import desk_list
from geo_welfare.core import consultation_fields as consultation, glossary
from geo_welfare.store import open_store
from geo_welfare.store.read import read_resources
from helpers import ARTIFACTS, run, run_cli

DATA = Path(__file__).parent / "data"
DESKS_CSV = DATA / "generated_desks_demo.csv"
WAM_CONSULTATION = DATA / "national" / "csvdownload052.csv"  # 計画相談支援, five rows, four offices
KAIGO_DAY = DATA / "national" / "jigyosho_150.csv"  # 通所介護: no consultation desk

D01, D02, D03 = "デモ町くらしの相談窓口", "デモ町障がい者相談支援センター", "デモ町子育て支援センター"
D04, D05, D06 = "デモ町権利擁護センター", "デモ町ひきこもり支援拠点", "デモ町多文化共生ラウンジ"
NORTH, EAST, SOUTH = "デモ北部地域包括支援センター", "デモ東部地域包括支援センター", "デモ南部地域包括支援センター"


def names(groups) -> list[tuple[str, list[str]]]:
    return [(field, [desk.name for desk in desks]) for field, desks in groups]


@pytest.fixture(scope="module")
def desks(demo):
    """The demo town with the generated desk list imported; the import's output (it has two warnings)."""
    result = run_cli(demo, "import", "resources", DESKS_CSV, "--source", "generated_desks", lang="ja")
    assert result.exit_code == 0, result.output
    return demo, result.output


def test_the_fixture_is_what_the_tests_say():
    with open(DESKS_CSV, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["ID"], r["相談分野"], r["アウトリーチ"], r["公開"]) for r in rows] == [
        ("D01", "生活困窮、ひきこもり、住まい", "あり", "公開"), ("D02", "障がい者・障がい児／ひきこもり", "○", "公開"),
        ("D03", "子ども・子育て、外国籍住民", "なし", "公開"), ("D04", "成年後見、高齢者、ペット", "要相談", "公開"),
        ("D05", "ひきこもり", "あり", "職員のみ"), ("D06", "外国人住民", "", "公開")]


def test_a_cell_of_fields_in_a_list_s_own_words():
    assert consultation.consultation_fields("高齢者、障がい者、生活困窮") == (("elderly_care", "disability", "hardship"), ())
    # 「子ども・子育て」 is one field; 「高齢・障がい」 two; the order is the glossary's, not the cell's
    assert consultation.consultation_fields("子ども・子育て") == (("children",), ())
    assert consultation.consultation_fields("障害・高齢") == (("elderly_care", "disability"), ())
    assert consultation.consultation_fields("ひきこもり相談 ／ ペット、ペット") == (("hikikomori",), ("ペット",))
    assert consultation.consultation_fields(None) == ((), ())
    assert [consultation.consultation_field(w) for w in ("障がい", "disability", "外国人", "住まい", "犬")] == [
        "disability", "disability", "foreign_residents", "housing", None]


def test_national_service_types_map_onto_fields():
    assert glossary.national_service("計画相談支援").fields == ("disability",)
    assert glossary.national_service("障害児相談支援").fields == ("disability", "children")
    assert glossary.national_service("介護予防支援").fields == ("elderly_care", "advocacy")  # the centre's own
    assert glossary.national_service("居宅介護支援").fields == ("elderly_care",)
    assert glossary.national_service("通所介護").fields == ()  # a day service is no desk
    assert {f for s in glossary.NATIONAL_SERVICES for f in s.fields} <= set(glossary.CONSULTATION_FIELD_IDS)


def test_unknown_words_are_warnings_never_a_refusal(desks):
    _, output = desks
    # 6 rows, all kept; row 5 of the file (D04) names ペット and says 要相談 for outreach
    assert "追加 6件" in output and "除外 0行" in output and "注意 2件" in output
    assert "5行目, 列「相談分野」" in output and "'ペット'" in output
    assert "5行目, 列「アウトリーチ」" in output and "'要相談'" in output


def test_stored_fields_and_outreach(desks):
    url, _ = desks
    places = read_resources(open_store(url), include_staff_only=True)
    got = {row["name"]: (row["consultation_fields"], row["outreach"]) for row in places.to_dict("records")
           if row["source"] in ("generated_desks",) or row["kind"] == "support_centre"}
    assert got == {
        D01: ("hardship,hikikomori,housing", True),
        D02: ("disability,hikikomori", True),  # 相談支援事業所 is 障がい by its kind too
        D03: ("children,foreign_residents", False),
        D04: ("elderly_care,advocacy", None),  # ペット left out, 要相談 is no yes or no
        D05: ("hikikomori", True),
        D06: ("foreign_residents", None),
        NORTH: ("elderly_care,advocacy", None), EAST: ("elderly_care,advocacy", None),
        SOUTH: ("elderly_care,advocacy", None),
    }
    salons = places[places["kind"] == "salon"]
    assert len(salons) and salons["consultation_fields"].isna().all()


def test_desk_list_of_a_district_grouped_by_field(desks):
    url, _ = desks
    engine = open_store(url)
    listed = desk_list(engine, "elementary_district", "E02")
    assert (listed.name, listed.code, listed.desk_count) == ("デモ本町小学校区", "E02", 3)
    # by kana reading: デモチョウク(ラシ) < デモチョウシ(ョウガイ); D05 is staff-only and left out
    assert names(listed.groups) == [("disability", [D02]), ("hardship", [D01]), ("hikikomori", [D01, D02]),
                                    ("housing", [D01]), ("foreign_residents", [D06])]
    hours = {desk.name: (desk.hours, desk.phone, desk.outreach) for _, found in listed.groups for desk in found}
    assert hours == {D01: ("平日（月〜金） 8:30〜17:15", "000-0000-4001", True),
                     D02: ("平日（月〜金） 9:00〜17:00", "000-0000-4002", True),
                     D06: ("毎週 土曜日 10:00〜12:00", "000-0000-4006", None)}
    staff = desk_list(engine, "elementary_district", "E02", include_staff=True)
    assert names(staff.groups)[2] == ("hikikomori", [D01, D02, D05])  # ク < シ < ヒ


def test_desk_list_of_the_whole_municipality(desks):
    url, _ = desks
    listed = desk_list(open_store(url), fields=None)
    assert listed.name == "架空市デモ町" and listed.code is None and listed.desk_count == 8
    # the centres have no kana in their file, so their names sort them: 北 (U+5317) < 南 (U+5357) < 東 (U+6771),
    # all after デモチョウ… (katakana before kanji)
    centres = [D04, NORTH, SOUTH, EAST]
    assert names(listed.groups) == [
        ("elderly_care", centres), ("disability", [D02]), ("children", [D03]), ("hardship", [D01]),
        ("hikikomori", [D01, D02]), ("advocacy", centres), ("housing", [D01]), ("foreign_residents", [D03, D06])]
    assert names(desk_list(open_store(url), fields=("foreign_residents", "children")).groups) == [
        ("children", [D03]), ("foreign_residents", [D03, D06])]


def test_nearest_consults(desks):
    url, _ = desks
    # D02 and the staff-only D05 share a point; only D02 takes 障がい and ひきこもり, D05 is never public
    result = run_cli(url, "nearest", "139.40", "35.205", "--consults", "障がい", "--consults", "ひきこもり",
                     "--format", "json", "-k", "5")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [row["name"] for row in answer] == [D02]
    by_id = json.loads(run_cli(url, "nearest", "139.40", "35.205", "--consults", "hikikomori", "--format", "json",
                               "-k", "5").stdout)
    assert sorted(row["name"] for row in by_id) == sorted([D01, D02])
    refused = run_cli(url, "nearest", "139.40", "35.205", "--consults", "ペット", lang="ja")
    assert refused.exit_code == 2 and "ペット: 不明な相談分野です" in refused.output


def test_report_desks_pdf_and_html(desks, tmp_path):
    url, _ = desks
    pdf = tmp_path / "E02.pdf"
    result = run_cli(url, "report", "desks", "E02", "-o", pdf, lang="ja")
    assert result.exit_code == 0, result.output
    text = run("pdftotext", "-layout", pdf, "-")
    flat = "".join(text.split())
    assert "デモ本町小学校区（E02）相談窓口一覧" in flat
    headings = [line.strip() for line in text.splitlines() if line.strip() in
                [term.ja for term in glossary.CONSULTATION_FIELDS]]
    assert headings == ["障がい", "生活困窮", "ひきこもり", "住まい", "外国籍住民"]
    assert "000-0000-4006" in text and "訪問" in text and D05 not in flat and "職員用" not in flat
    assert "IPAexGothic" in run("pdffonts", pdf)
    staff = tmp_path / "E02_staff.pdf"
    assert run_cli(url, "report", "desks", "E02", "--include-staff", "-o", staff, lang="ja").exit_code == 0
    assert D05 in "".join(run("pdftotext", staff, "-").split()) and "職員用" in run("pdftotext", staff, "-")
    whole = tmp_path / "all.pdf"
    assert run_cli(url, "report", "desks", "-o", whole, lang="ja").exit_code == 0
    ARTIFACTS.mkdir(exist_ok=True)
    run("pdftoppm", "-r", "70", "-png", whole, ARTIFACTS / "desk_list_all_ja")  # looked at by eye
    assert list(ARTIFACTS.glob("desk_list_all_ja-*.png"))
    page = tmp_path / "E02.html"
    assert run_cli(url, "report", "desks", "E02", "--consults", "外国籍住民", "-o", page, lang="en").exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert 'id="desks-foreign_residents"' in html and 'id="desks-disability"' not in html and D06 in html
    assert "Consultation desks: デモ本町小学校区 (E02)" in html


def test_report_desks_refusals(desks, tmp_path):
    url, _ = desks
    unknown = run_cli(url, "report", "desks", "E99", "-o", tmp_path / "x.pdf", lang="ja")
    assert unknown.exit_code == 2 and "E99" in unknown.output and "E01, E02" in unknown.output
    suffix = run_cli(url, "report", "desks", "E02", "-o", tmp_path / "x.docx", lang="ja")
    assert suffix.exit_code == 2 and ".docx" in suffix.output
    assert not list(tmp_path.iterdir())


@pytest.fixture
def gazetteer(store_url, shared_data, tmp_path):
    """高松市's Geolonia gazetteer, so the WAM row with only an address (2003) is placed (a short link name)."""
    link = tmp_path / "takamatsu.json"
    link.symlink_to((shared_data / "takamatsu" / "geolonia_japanese_addresses_takamatsu.json").resolve())
    result = run_cli(store_url, "import", "gazetteer", "--municipality", "香川県高松市", link)
    assert result.exit_code == 0, result.output


def test_national_lists_map_their_service_types(store_url, gazetteer):
    with open(WAM_CONSULTATION, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["サービス種別"] for row in rows} == {"計画相談支援"}
    # by hand: five rows, four offices (2001 and 2002 are one), every one a 障がい desk; no 相談分野 column
    for path in (WAM_CONSULTATION, KAIGO_DAY):
        result = run_cli(store_url, "import", "resources", path)
        assert result.exit_code == 0, result.output
    engine = open_store(store_url)
    places = read_resources(engine, include_staff_only=True)
    fields = {row["name"]: row["consultation_fields"] for row in places.to_dict("records")}
    day_services = {"デイサービスやしま", "デイサービスこくぶんじ"} & set(fields)
    assert day_services and all(fields[name] is None for name in day_services)
    # sorted by the file's kana (事業所の名称_かな): さくら < そうだんしえんせんたー < ひだまり < みなと
    assert names(desk_list(engine).groups) == [("disability", [
        "さくら相談支援事業所", "相談支援センターばんちょう", "ひだまり相談室", "みなと相談支援事業所"])]


def test_desks_page_and_pdf_on_the_web(desks):
    from geo_welfare.web import create_app
    url, _ = desks
    client = create_app(url, tiles="none").test_client()
    page = client.get("/desks?code=E02&field=ひきこもり&lang=ja")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # only the ひきこもり table; D05 (staff-only, ひきこもり, in E02) is never served, not even to be chosen
    assert 'id="desks-hikikomori"' in html and 'id="desks-disability"' not in html
    assert D01 in html and D02 in html and D05 not in html
    assert '<option value="E02" selected>' in html and '<option value="hikikomori" selected>' in html
    assert 'href="/desks.pdf?unit=elementary_district&amp;code=E02&amp;field=hikikomori&amp;lang=ja"' in html
    pdf = client.get("/desks.pdf?code=E02&field=hikikomori")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    everywhere = client.get("/desks").get_data(as_text=True)
    assert D04 in everywhere and D05 not in everywhere and NORTH in everywhere
    assert client.get("/desks?field=ペット").status_code == 400
    assert client.get("/desks?code=E99").status_code == 404


def test_coordinator_field_selector(desks):
    from geo_welfare.web import create_app
    url, _ = desks
    client = create_app(url, tiles="none").test_client()
    page = client.get("/coordinator?lang=ja").get_data(as_text=True)
    assert '<select name="consults" id="consults" data-kinds=' in page and '<option value="hikikomori">ひきこもり</option>' in page
    token = client.get("/api/session").get_json()["csrf_token"]

    def asked(consults):
        answer = client.post("/api/nearest", json={"lon": 139.40, "lat": 35.205, "k": 10, "kinds": [],
                                                   "consults": consults}, headers={"X-CSRFToken": token})
        return answer.status_code, answer.get_json()

    status, found = asked(["hikikomori"])
    # D01 (S01's point) and D02 (S02's); D05 at D02's point is staff-only and never answered
    assert status == 200 and sorted(f["properties"]["name"] for f in found["features"]) == sorted([D01, D02])
    status, found = asked(["障がい", "ひきこもり"])
    assert status == 200 and [f["properties"]["name"] for f in found["features"]] == [D02]
    status, problem = asked(["ペット"])
    assert status == 400 and "ペット" in str(problem)
