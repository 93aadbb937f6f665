"""Small pure functions of the layers: name normalisation, column maps, kind words, population layouts."""

import pandas as pd
import pytest

from geo_welfare.core.errors import InputError
from geo_welfare.core import glossary
from geo_welfare.layers.columns import parse_column_map
from geo_welfare.layers.population import join_to_small_areas, normalise_area_name, read_population


@pytest.mark.parametrize(("written", "canonical"), [
    ("北１条西２丁目", "北一条西2丁目"),
    ("宮の森一条１丁目", "宮の森一条1丁目"),
    ("南２２条西１１丁目", "南二十二条西11丁目"),
    ("北１０条東", "北十条東"),
    ("宮ケ丘（番地）", "宮ケ丘"),
    ("宮ヶ丘", "宮ケ丘"),
    ("東　区", "東区"),
])
def test_normalise_area_name(written, canonical):
    assert normalise_area_name(written) == canonical


def test_parse_column_map():
    assert parse_column_map("name=施設名称, lat=Y座標") == {"name": "施設名称", "lat": "Y座標"}
    assert parse_column_map(None) == {}
    with pytest.raises(ValueError):
        parse_column_map("name")


@pytest.mark.parametrize(("word", "kind"), [
    ("サロン", "salon"), ("salon", "salon"), ("Salon", "salon"), ("ふれあい・いきいきサロン", "salon"),
    ("地域の縁側", "engawa"), ("通いの場", "kayoi_no_ba"), ("地域包括支援センター", "support_centre"),
    ("高松市日新コミュニティセンター", "community_centre"), ("こども食堂", "kodomo_shokudo"),
    ("老人いこいの家", None), ("", None), (None, None),
])
def test_resource_kind_words(word, kind):
    assert glossary.resource_kind(word) == kind


def _write(tmp_path, text, name="pop.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_population_bands_with_suppressed_cells_and_subtotals(tmp_path):
    # Hand-made Sapporo-style table: a ward, two 丁目 with a 町 subtotal after them, a suppressed row.
    path = _write(tmp_path, "\ufeff区,区分,人口,0～ 4歳,5～ 9,10～14,15～64,65～74,75歳以上\n"
                            "全市,全市,63,3,3,3,31,13,10\n"
                            "東区,東区,63,3,3,3,31,13,10\n"
                            "東区,北１条東１丁目,30,1,2,3,14,6,4\n"
                            "東区,北１条東２丁目,30,2,1,-,17,4,6\n"
                            "東区,北１条東,60,3,3,3,31,10,10\n"
                            "東区,北２条東１丁目,3,x,x,x,x,x,x\n")
    result = read_population(path)
    frame = result.frame
    assert result.layout == "age-bands"
    assert list(frame["name"]) == ["北１条東１丁目", "北１条東２丁目", "北２条東１丁目"]
    assert list(frame["age_0_14"].astype("Float64").fillna(-1)) == [6, 3, -1]
    assert list(frame["age_65_plus"].astype("Float64").fillna(-1)) == [10, 10, -1]
    assert list(frame["age_75_plus"].astype("Float64").fillna(-1)) == [4, 6, -1]
    assert frame["total"].tolist() == [30, 30, 3]
    assert sorted(result.totals_checked) == ["全市", "北１条東", "東区"]


def test_population_total_row_that_disagrees_is_refused(tmp_path):
    path = _write(tmp_path, "区,区分,人口,0～14歳\n東区,東区,61,5\n東区,A町,30,2\n東区,B町,30,3\n")
    with pytest.raises(InputError) as caught:
        read_population(path)
    message = caught.value.message("en")
    assert message == "pop.csv, row 2, field 'total': total row does not equal the sum of its rows (found '61 ≠ 60')"


def test_join_by_name_within_the_ward_and_to_the_undivided_area():
    population = pd.DataFrame({"_row": [2, 3, 4, 5], "row_key": list("abcd"), "code": None,
                               "parent_name": ["東区", "東区", "北区", "東区"],
                               "name": ["北１条東１丁目", "東雁来２条１丁目", "北１条東１丁目", "新町"]})
    areas = pd.DataFrame({"code": ["1", "2", "3"], "name": ["北一条東１丁目", "東雁来二条", "北一条東１丁目"],
                          "municipality_name": ["東区", "東区", "中央区"]})
    joined = join_to_small_areas(population, areas)
    assert joined.area_codes.tolist() == ["1", "2", None, None]
    assert joined.joined_without_chome == 1
    assert joined.unmatched["name"].tolist() == ["北１条東１丁目", "新町"]


def test_estat_census_csv_with_a_label_row(tmp_path):
    # Hand-made in the shape of an e-Stat 小地域 census table (Shift-JIS, coded headers above a label
    # row, 'X' for suppressed cells, '-' for zero); the figures are invented for the test.
    text = ("KEY_CODE,HYOSYO,CITYNAME,NAME,HTKSYORI,HTKSAKI,GASSAN,T000849001,T000849019,T000849020,"
            "T000849021,T000849022\n"
            ",,,,,,,総数、年齢「不詳」含む,総数（再掲）15歳未満,総数（再掲）15～64歳,総数（再掲）65歳以上,"
            "総数（再掲）75歳以上\n"
            "011101800,2,清田区,清田,0,,,16,2,10,4,1\n"
            "011101900,2,清田区,真栄,0,,,1481,200,900,381,-\n"
            "011102000,2,清田区,北野,1,011101900,,X,X,X,X,X\n")
    path = _write(tmp_path, text, name="estat.csv", encoding="cp932")
    result = read_population(path)
    frame = result.frame
    assert result.layout == "totals"
    assert frame["row_key"].tolist() == ["011101800", "011101900", "011102000"]
    assert frame["total"].astype("Float64").fillna(-1).tolist() == [16, 1481, -1]
    assert frame["age_65_plus"].astype("Float64").fillna(-1).tolist() == [4, 381, -1]
    assert frame["age_75_plus"].astype("Float64").fillna(-1).tolist() == [1, 0, -1]
    areas = pd.DataFrame({"code": ["011101800", "011101900"], "name": ["清田", "真栄"],
                          "municipality_name": ["清田区", "清田区"]})
    joined = join_to_small_areas(frame, areas)
    assert joined.area_codes.tolist() == ["011101800", "011101900", None]
