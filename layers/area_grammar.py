"""The Japanese of area tables as municipalities write them (町丁目 lists cut at 番 and 号), in one place.

A 日常生活圏域 or 通学区域 table names its members as 「桜山3・4・5丁目（5丁目35〜37番と葉桜団地を除く）」
or 「新宿4丁目2番29〜59号と6〜16番（6番38〜42号を除く）」: lists and ranges of 丁目, ranges of 番,
ranges of 号 inside one 番, parts joined by と, and exceptions in brackets ending in を除く.  Like the
address grammar, this module holds the characters and words; :mod:`geo_welfare.layers.area_tables`
holds the reading.  Text reaches these patterns after NFKC and the address normaliser's
``canonical`` (so full-width digits are ASCII, kanji numerals are digits and dashes are ``-``).
"""

from __future__ import annotations

CHOME = "丁目"
BAN = "番"
BANCHI = "番地"
GO = "号"
#: Between the two ends of a range: 〜 (wave dash), ~ (NFKC of the full-width tilde), - (every dash after canonical).
RANGE = "〜~\\-"
#: Between the items of a list of 丁目 (3・4・5丁目).
LIST = "・,、"
#: Between the parts of one member (35〜37番と葉桜団地; 2番29〜59号と6〜16番).
AND = ("及び", "および", "と", "、", ",")
#: Between the names a finding lists (areas, 番).
JOIN = "、"
#: An exception: （…を除く）, after NFKC the brackets are ASCII.
EXCEPT_OPEN, EXCEPT_CLOSE = "(", ")"
EXCEPT_WORDS = ("を除く", "除く")
#: A named place that is not a 町丁目 (a housing estate, an apartment block): warned about, never guessed.
PLACE_SUFFIXES = ("団地", "住宅", "ハイツ", "マンション", "荘", "コーポ", "ニュータウン")

# --- the table's columns ---------------------------------------------------------------------
#: Column aliases of an area table: the area (code and/or name), the member (name and/or code), the municipality.
COLUMNS = {
    "area_code": ("area_code", "圏域コード", "区域コード", "地区コード", "校区コード", "学区コード", "コード"),
    "area_name": ("area_name", "圏域名", "圏域", "区域名", "区域", "地区名", "地区", "校区", "学区", "名称"),
    "member": ("member", "町丁目", "町丁目名", "町名", "町丁", "構成町丁目"),
    "member_code": ("member_code", "町丁目コード", "町丁コード", "KEY_CODE"),
    "municipality": ("municipality", "市区町村", "市区町村名", "市町村"),
}
