"""The address normaliser rule by rule, and the matcher on a hand-made gazetteer, each answer worked out by hand.

Every rule of :mod:`geo_welfare.layers.addresses.normalise` has its own cases: full/half width, 丁目 in
kanji or digits, ヶ/ケ/が/ガ, 之/の, 大字/字, omitted prefecture and city, 番地/番/号, buildings and
floors after the number, kanji numerals in names (Sapporo's 条), every dash.  The gazetteer below
is written out here, so each expected point is one of its lines.
"""

from __future__ import annotations

import pytest

from geo_welfare.layers.addresses import AddressMatch, GazetteerRecord, Geocoder, canonical, house_numbers
from geo_welfare.layers.addresses.normalise import kanji_number, municipality_aliases, split_prefecture


# --- the normaliser ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    # full / half width: digits, letters, kana
    ("桜山５丁目４－３３", "桜山5丁目4-33"),
    ("ｻｸﾗﾔﾏ5", "サクラヤマ5"),
    ("ＡＢＣビル", "ABCビル"),
    # 丁目 in kanji or digits; the four ways of 5-4-33
    ("5-4-33", "5-4-33"),
    ("5丁目4番33号", "5丁目4番33号"),
    ("五丁目４－３３", "5丁目4-33"),
    ("5の4の33", "5-4-33"),
    ("5之4ノ33", "5-4-33"),
    # kanji numerals in names (Sapporo's 条 and 丁目), and 十/百 read as numbers
    ("北十二条西十丁目", "北12条西10丁目"),
    ("南一条西十丁目", "南1条西10丁目"),
    ("二十四軒四条", "24軒4条"),
    # katakana look-alikes before 丁目 (Takamatsu's own list writes 番町ニ丁目)
    ("番町ニ丁目", "番町2丁目"),
    ("ニュータウン", "ニュータウン"),
    # ヶ/ケ/が/ガ next to a kanji; not inside a kana word
    ("旭ヶ丘", "旭ケ丘"), ("旭が丘", "旭ケ丘"), ("旭ガ丘", "旭ケ丘"), ("旭ケ丘", "旭ケ丘"), ("稲村ガ崎", "稲村ケ崎"),
    ("さがみ野", "さがみ野"),
    # 之/ノ/の in names
    ("宮之森", "宮の森"), ("宮ノ森", "宮の森"), ("花ノ宮町", "花の宮町"), ("ノース", "ノース"),
    # 大字/字 dropped
    ("大字鵠沼字東裏97-1", "鵠沼東裏97-1"),
    # spaces (half and full width) and brackets dropped
    ("札幌市　中央区 南1条", "札幌市中央区南1条"),
    ("宮ケ丘（番地）", "宮ケ丘"),
    # dashes: each one between digits becomes '-', the long-vowel mark only between digits
    ("1－2", "1-2"), ("1−2", "1-2"), ("1‐2", "1-2"), ("1―2", "1-2"), ("1ー2", "1-2"), ("1ｰ2", "1-2"), ("1–2", "1-2"),
    ("センター", "センター"),
    # building names and floors after the number stay (house_numbers reads past them)
    ("神田錦町１−１２−１アーク錦町ビルⅡ５階", "神田錦町1-12-1アーク錦町ビルII5階"),
    ("桜山5-4 3F", "桜山5-4 3F"),
    ("", ""),
])
def test_canonical(text, key):
    assert canonical(text) == key


@pytest.mark.parametrize("text, value", [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23),
                                          ("百五", 105), ("一〇一", 101), ("三千二百", 3200)])
def test_kanji_numbers(text, value):
    assert kanji_number(text) == value


@pytest.mark.parametrize("tail, numbers", [
    ("4-33", (4, 33)), ("-4-33", (4, 33)), ("4番33号", (4, 33)), ("4番地33", (4, 33)), ("4番地の33", (4, 33)),
    ("4番", (4,)), ("1986", (1986,)), ("1-12-1アーク錦町ビルII5階", (1, 12, 1)), ("14番2号1階", (14, 2)),
    ("5階", ()), ("", ()), ("ビル", ()), ("4 3F", (4,)),
])
def test_house_numbers(tail, numbers):
    assert house_numbers(tail) == numbers


def test_prefecture_and_municipality_spellings():
    assert split_prefecture("神奈川県逗子市桜山") == ("神奈川県", "逗子市桜山")
    assert split_prefecture("北海道札幌市") == ("北海道", "札幌市")
    assert split_prefecture("逗子市桜山") == (None, "逗子市桜山")
    assert municipality_aliases("札幌市中央区") == {"札幌市中央区", "中央区"}
    assert municipality_aliases("高座郡寒川町") == {"高座郡寒川町", "寒川町"}
    assert municipality_aliases("藤沢市") == {"藤沢市"}


# --- the matcher on a hand-made gazetteer --------------------------------------------------------

def record(gazetteer, prefecture, municipality, town, lon, lat, *, level="chome", koaza=None, block=None, code=None):
    return GazetteerRecord(gazetteer, f"{gazetteer}.csv", prefecture, code, municipality, town, koaza, block, level,
                           lon, lat)


GAZETTEER = [
    record("mlit_oaza", "神奈川県", "逗子市", "桜山五丁目", 139.5958, 35.2939),
    record("mlit_oaza", "神奈川県", "逗子市", "桜山", 139.6107, 35.2815, level="oaza"),
    record("mlit_block", "神奈川県", "逗子市", "桜山五丁目", 139.5961, 35.2941, block="4番", level="block"),
    record("mlit_oaza", "神奈川県", "逗子市", "本町一丁目", 139.5800, 35.2950),
    record("mlit_oaza", "神奈川県", "藤沢市", "本町一丁目", 139.4800, 35.3500),
    record("geolonia", "神奈川県", "藤沢市", "葛原", 139.4242, 35.4035, level="oaza", koaza="滝谷戸"),
    record("mlit_oaza", "北海道", "札幌市中央区", "南一条西十丁目", 141.342254, 43.057597),
    record("mlit_oaza", "北海道", "札幌市中央区", "旭ケ丘一丁目", 141.319722, 43.042230),
    record("mlit_oaza", "北海道", "札幌市中央区", "宮の森一条十六丁目", 141.294973, 43.046152),
    record("mlit_oaza", "北海道", "札幌市北区", "北十二条西十丁目", 141.338237, 43.074012),
    record("geolonia", "香川県", "高松市", "番町二丁目", 134.04208, 34.344084),
    record("geolonia", "香川県", "高松市", "花ノ宮町三丁目", 134.0436, 34.3230),
    record("mlit_block", "東京都", "千代田区", "神田錦町一丁目", 139.7661, 35.6931, block="12番", level="block"),
    record("mlit_oaza", "東京都", "千代田区", "五番町", 139.7329, 35.6892, level="oaza"),
    record("mlit_oaza", "北海道", "札幌市西区", "二十四軒四条五丁目", 141.3114, 43.0755),
]
SAKURAYAMA_BLOCK = (139.5961, 35.2941, "block", "mlit_block.csv", "神奈川県逗子市桜山五丁目4番")
SAKURAYAMA_5 = (139.5958, 35.2939, "chome", "mlit_oaza.csv", "神奈川県逗子市桜山五丁目")


@pytest.fixture(scope="module")
def geocoder() -> Geocoder:
    return Geocoder(GAZETTEER)


def answer(match: AddressMatch) -> tuple:
    return match.lon, match.lat, match.level, match.gazetteer, match.matched


@pytest.mark.parametrize("address", [
    "逗子市桜山5-4-33", "逗子市桜山5丁目4番33号", "逗子市桜山五丁目４－３３", "逗子市桜山5の4の33",
    "逗子市桜山5丁目4番地33", "神奈川県逗子市桜山五丁目4番33号", "逗子市桜山５丁目４番",
    # every dash
    "逗子市桜山5－4－33", "逗子市桜山5−4−33", "逗子市桜山5‐4‐33", "逗子市桜山5―4―33", "逗子市桜山5ー4ー33",
    # a building and a floor after the number
    "逗子市桜山5-4-33 桜山ハイツ2階", "逗子市桜山5-4 3F",
    # the city left out: 桜山五丁目 is in one municipality only
    "桜山五丁目4番33号",
])
def test_the_ways_to_write_one_block(geocoder, address):
    assert answer(geocoder.match(address)) == SAKURAYAMA_BLOCK


@pytest.mark.parametrize("address, expected", [
    # a block the gazetteer does not have: the 丁目's point
    ("逗子市桜山5-9-1", SAKURAYAMA_5),
    # 地番 after a 大字: 1234 is no 丁目, so the 大字
    ("逗子市桜山1234", (139.6107, 35.2815, "oaza", "mlit_oaza.csv", "神奈川県逗子市桜山")),
    # ヶ/ケ/が/ガ
    ("札幌市中央区旭ヶ丘1丁目", (141.319722, 43.042230, "chome", "mlit_oaza.csv", "北海道札幌市中央区旭ケ丘一丁目")),
    ("札幌市中央区旭が丘一丁目5-1", (141.319722, 43.042230, "chome", "mlit_oaza.csv", "北海道札幌市中央区旭ケ丘一丁目")),
    ("中央区旭ガ丘1-5-1", (141.319722, 43.042230, "chome", "mlit_oaza.csv", "北海道札幌市中央区旭ケ丘一丁目")),
    # 之/の, and Sapporo's 条 with the 丁目 left unwritten
    ("札幌市中央区宮之森1条16丁目", (141.294973, 43.046152, "chome", "mlit_oaza.csv",
                                   "北海道札幌市中央区宮の森一条十六丁目")),
    ("札幌市中央区宮ノ森1条16-5-1", (141.294973, 43.046152, "chome", "mlit_oaza.csv",
                                    "北海道札幌市中央区宮の森一条十六丁目")),
    ("高松市花の宮町三丁目4番28号", (134.0436, 34.3230, "chome", "geolonia.csv", "香川県高松市花ノ宮町三丁目")),
    # 大字/字 written or not, with the 小字
    ("藤沢市大字葛原字滝谷戸123", (139.4242, 35.4035, "oaza", "geolonia.csv", "神奈川県藤沢市葛原滝谷戸")),
    ("藤沢市葛原滝谷戸123", (139.4242, 35.4035, "oaza", "geolonia.csv", "神奈川県藤沢市葛原滝谷戸")),
    # the prefecture and the city left out (the ward kept), Sapporo's digits against its kanji names
    ("中央区南1条西10丁目", (141.342254, 43.057597, "chome", "mlit_oaza.csv", "北海道札幌市中央区南一条西十丁目")),
    ("北海道札幌市中央区南1条西10丁目", (141.342254, 43.057597, "chome", "mlit_oaza.csv",
                                      "北海道札幌市中央区南一条西十丁目")),
    ("札幌市北区北12条西10-1-1", (141.338237, 43.074012, "chome", "mlit_oaza.csv", "北海道札幌市北区北十二条西十丁目")),
    ("札幌市北区北十二条西十丁目", (141.338237, 43.074012, "chome", "mlit_oaza.csv", "北海道札幌市北区北十二条西十丁目")),
    # kanji numerals in names that are not 丁目, written in kanji or digits
    ("千代田区五番町12", (139.7329, 35.6892, "oaza", "mlit_oaza.csv", "東京都千代田区五番町")),
    ("千代田区5番町12-1", (139.7329, 35.6892, "oaza", "mlit_oaza.csv", "東京都千代田区五番町")),
    ("札幌市西区24軒4条5-1-1", (141.3114, 43.0755, "chome", "mlit_oaza.csv", "北海道札幌市西区二十四軒四条五丁目")),
    ("西区二十四軒四条五丁目", (141.3114, 43.0755, "chome", "mlit_oaza.csv", "北海道札幌市西区二十四軒四条五丁目")),
    # katakana ニ for 二 before 丁目, the city left out, and a floor
    ("番町ニ丁目14番2号 1階", (134.04208, 34.344084, "chome", "geolonia.csv", "香川県高松市番町二丁目")),
    # a building name with a roman numeral and a floor after the number; the town known from 街区 alone
    ("東京都千代田区神田錦町１−１２−１アーク錦町ビルⅡ５階", (139.7661, 35.6931, "block", "mlit_block.csv",
                                                    "東京都千代田区神田錦町一丁目12番")),
])
def test_spellings(geocoder, address, expected):
    assert answer(geocoder.match(address)) == expected


@pytest.mark.parametrize("address, level, matched, reason", [
    # a known municipality, an unknown town: no point, never the city's centre
    ("札幌市北区北十二条西", "municipality", "北海道札幌市北区", "geocode_reason_no_town"),
    ("逗子市どこでもない町1-1", "municipality", "神奈川県逗子市", "geocode_reason_no_town"),
    # nothing known
    ("大阪府大阪市北区梅田1-1", "none", None, "geocode_reason_no_municipality"),
    ("", "none", None, "geocode_reason_empty"),
    ("   ", "none", None, "geocode_reason_empty"),
    # 本町一丁目 is in 逗子市 and 藤沢市: without the city it cannot be told
    ("本町1-2", "none", None, "geocode_reason_ambiguous"),
    ("神奈川県本町1-2", "none", None, "geocode_reason_ambiguous"),
])
def test_not_placed_says_why_and_has_no_point(geocoder, address, level, matched, reason):
    assert geocoder.match(address) == AddressMatch(None, None, level, None, matched, reason)


def test_the_city_resolves_the_ambiguity(geocoder):
    assert answer(geocoder.match("藤沢市本町1-2")) == (139.48, 35.35, "chome", "mlit_oaza.csv", "神奈川県藤沢市本町一丁目")


def test_a_surveyed_point_wins_over_a_small_area_of_the_same_name():
    """The same 丁目 in 位置参照情報 and in the store's small areas (no prefecture, same code): one town, MLIT's point."""
    records = [record("mlit_oaza", "北海道", "札幌市清田区", "清田一条一丁目", 141.4357, 43.0038, code="01110"),
               record("small_area", None, "清田区", "清田一条１丁目", 141.4400, 43.0050, code="01110")]
    matcher = Geocoder(records)
    assert matcher.size == 1
    assert answer(matcher.match("清田区清田1条1丁目")) == (141.4357, 43.0038, "chome", "mlit_oaza.csv",
                                                       "北海道札幌市清田区清田一条一丁目")
