"""The Japanese of written addresses and of the gazetteer files, in one place.

Like the schedule grammar, this module's job is Japanese text: the characters people write in
addresses (numerals, dashes, the variants of ケ and の, 丁目/番地/号) and the column names of the
gazetteers as they are downloaded (MLIT 位置参照情報 and Geolonia japanese-addresses).  Every other
module of :mod:`geo_welfare.layers.addresses` takes its Japanese from here.
"""

from __future__ import annotations

#: Kanji numerals and their values (〇 and 零 as zero, 壱弐参 as old forms of 1 2 3).
KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "壱": 1, "二": 2, "弐": 2, "三": 3, "参": 3, "四": 4, "五": 5, "六": 6,
                "七": 7, "八": 8, "九": 9}
KANJI_UNITS = {"十": 10, "拾": 10, "百": 100, "千": 1000}
KANJI_NUMERAL_CHARS = "".join(KANJI_DIGITS) + "".join(KANJI_UNITS)

CHOME = "丁目"
BANCHI = "番地"
BAN = "番"
GO = "号"
NO = "の"
#: What follows a floor number (5階, 5F): not a house number.
FLOORS = ("階", "F")
#: A number followed by one of these is not a 丁目 left unwritten (1番地, 3号, 宮の森1条, 2線).
NOT_CHOME_AFTER = ("番", "号", "条", "線", "丁")
#: 大字 and 字 are written or left out at will ("大字鵠沼" / "鵠沼"; "字東裏" / "東裏").
OAZA_PREFIX = "大字"
AZA_PREFIX = "字"
#: Small ケ and its look-alikes, written at will between kanji (旭ケ丘, 旭ヶ丘, 旭が丘, 稲村ガ崎).
KE_VARIANTS = "ヶケがガヵ"
KE = "ケ"
#: の in names, written as 之 or ノ too (宮の森, 宮ノ森, 花ノ宮町).
NO_VARIANTS = "の之ノ"
#: Dashes that are never part of a word (the long-vowel mark ー is handled apart: it is one in カタカナ).
DASHES = "‐‑‒–—―−﹣－"
LONG_VOWEL = "ーｰ"
#: Katakana that lists write by mistake for a numeral before 丁目 (番町ニ丁目 is Takamatsu's own list).
KATAKANA_LOOKALIKES = {"ニ": "二", "ー": "一"}
#: A prefecture at the start of an address: 北海道, 東京都, 京都府, 大阪府 or any ○○県.
PREFECTURE_PATTERN = r"^(北海道|東京都|京都府|大阪府|[^\d県]{2,3}?県)"
#: A county (郡) before a town or village, which lists often leave out (高座郡寒川町 → 寒川町).
COUNTY = "郡"
#: A designated city's wards (札幌市中央区): lists may leave out the city.
CITY, WARD = "市", "区"

# --- the gazetteer files' columns --------------------------------------------------------------
#: MLIT 位置参照情報 大字・町丁目レベル (and the same names in the Sapporo copy).
MLIT_OAZA = {"prefecture_code": "都道府県コード", "prefecture": "都道府県名", "municipality_code": "市区町村コード",
             "municipality": "市区町村名", "town_code": "大字町丁目コード", "town": "大字町丁目名", "lat": "緯度",
             "lon": "経度", "kind": "大字・字・丁目区分コード"}
#: MLIT 位置参照情報 街区レベル: 大字・丁目名 as downloaded (大字・町丁目名 accepted too).
MLIT_BLOCK = {"prefecture": "都道府県名", "municipality": "市区町村名", "town": ("大字・丁目名", "大字・町丁目名"),
              "koaza": "小字・通称名", "block": "街区符号・地番", "lat": "緯度", "lon": "経度",
              "residence": "住居表示フラグ", "representative": "代表フラグ"}
#: The header of a 街区レベル file, in order (for the generated fixture and the format check).
MLIT_BLOCK_HEADER = ("都道府県名", "市区町村名", "大字・丁目名", "小字・通称名", "街区符号・地番", "座標系番号",
                     "Ｘ座標", "Ｙ座標", "緯度", "経度", "住居表示フラグ", "代表フラグ", "更新前履歴フラグ",
                     "更新後履歴フラグ")
#: What 街区レベル writes for a block with no 大字.
NO_OAZA = "（大字なし）"
