"""Addresses as lists write them, brought to one matching key; the house numbers after the town.

Why not a library: the well-kept ones do not run offline on the gazetteers a user imports.
jageocoder reads only its own prebuilt dictionary (a download of several GB made by
jageocoder-converter, which itself downloads 位置参照情報 from the web), not these files; the Python
port of Geolonia's normalize-japanese-addresses (normalize-japanese-addresses on PyPI) asks
Geolonia's web API for the town list of every city, and the JavaScript original ignores its local
option and calls its CDN (normalize-japanese-addresses #265); japanese-address-parser(-py) fetches
the same API over HTTP.  On a closed municipal network each would fail or, worse, leak addresses.
So the rules are written here, each tested case by case (tests/test_addresses.py).

:func:`canonical` is applied to both sides, the gazetteer's names and the address, so a rule only
has to make the two agree, never to restore the official spelling (the name shown is always the
gazetteer's own):

- NFKC (full-width digits and letters to ASCII, half-width kana to full), no spaces (one is kept
  between two digits, so 5-4 3F is not 5-43), no brackets;
- every kanji numeral to digits, in names as well as 丁目 (北十二条西 → 北12条西, 五丁目 → 5丁目):
  Sapporo's 位置参照情報 writes 北十二条西十丁目 where its lists write 北12条西10丁目, and a name such
  as 二十四軒 becomes 24軒 on both sides alike;
- ニ or ー before 丁目 as the numeral they stand for (番町ニ丁目 in Takamatsu's own list);
- every dash (－ − ‐ ― …) to ``-``, and the long-vowel mark ー too when it stands between digits;
- ヶ/ケ/が/ガ/ヵ next to a kanji to ケ, and 之/ノ next to a kanji to の;
- 大字 and 字 dropped; の between digits (5の4の33) to ``-``.

:func:`house_numbers` reads what follows the town: 4-33, 4番33号, 4番地33, 4番地の33, then stops, so
a building and floor after the number (アーク錦町ビルII5階) are left aside.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from geo_welfare.layers.addresses import grammar as g

_KANJI = r"\u3400-\u9fff\uf900-\ufaff々"
_SPACE = re.compile(r"\s+")
_SPACE_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s+(?=\d)")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|「[^「」]*」|【[^【】]*】")
_LOOKALIKE = re.compile(rf"[{''.join(g.KATAKANA_LOOKALIKES)}](?={g.CHOME})")
_NUMERAL = re.compile(f"[{g.KANJI_NUMERAL_CHARS}]+")
_DASH = re.compile(f"[{g.DASHES}]")
_LONG_VOWEL_DASH = re.compile(rf"(?<=\d)[{g.LONG_VOWEL}](?=\d)")
_KE = re.compile(rf"(?<=[{_KANJI}])[{g.KE_VARIANTS}]|[{g.KE_VARIANTS}](?=[{_KANJI}])")
_NO_BETWEEN_DIGITS = re.compile(rf"(?<=\d)[{g.NO_VARIANTS}](?=\d)")
_NO = re.compile(rf"(?<=[{_KANJI}])[{g.NO_VARIANTS[1:]}]|[{g.NO_VARIANTS[1:]}](?=[{_KANJI}])")
_AZA = re.compile(f"{g.OAZA_PREFIX}|{g.AZA_PREFIX}")
_PREFECTURE = re.compile(g.PREFECTURE_PATTERN)
_HOUSE = re.compile(rf"-?(\d+)(?:(?:{g.BANCHI}{g.NO}?|{g.BAN}{g.NO}?|-)(\d+)"
                    rf"(?:(?:-|{g.NO})(\d+))?)?")


def kanji_number(text: str) -> int:
    """The value of a run of kanji numerals: 十二 → 12, 二十三 → 23, 百五 → 105, 一〇一 → 101 (read digit by digit)."""
    if not any(ch in g.KANJI_UNITS for ch in text):
        return int("".join(str(g.KANJI_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in g.KANJI_UNITS:
            total += (1 if digit is None else digit) * g.KANJI_UNITS[ch]
            digit = None
        else:
            digit = (digit or 0) * 10 + g.KANJI_DIGITS[ch]
    return total + (digit or 0)


@lru_cache(maxsize=65536)
def canonical(text: str) -> str:
    """The matching key of an address or of a gazetteer name (see the module's rules); '' for nothing."""
    if not text:
        return ""
    value = unicodedata.normalize("NFKC", str(text)).strip()
    value = _SPACE.sub("", _SPACE_BETWEEN_DIGITS.sub("\0", value)).replace("\0", " ")
    value = _BRACKETS.sub("", value)
    value = _LOOKALIKE.sub(lambda m: g.KATAKANA_LOOKALIKES[m.group()], value)
    value = _NUMERAL.sub(lambda m: str(kanji_number(m.group())), value)
    value = _DASH.sub("-", value)
    value = _LONG_VOWEL_DASH.sub("-", value)
    value = _NO_BETWEEN_DIGITS.sub("-", value)
    value = _KE.sub(g.KE, value)
    value = _NO.sub(g.NO, value)
    return _AZA.sub("", value)


def split_prefecture(key: str) -> tuple[str | None, str]:
    """The prefecture a canonical address starts with (None when left out), and the rest."""
    found = _PREFECTURE.match(key)
    if not found:
        return None, key
    return found.group(1), key[found.end():]


def house_numbers(tail: str) -> tuple[int, ...]:
    """The numbers after the town (番/番地, 号, or dashes), at most three; () when none follows.

    ``tail`` is canonical text that follows a matched town: 4-33 → (4, 33); 4番33号 → (4, 33);
    4番地の33 → (4, 33); 1-12-1アーク錦町ビルII5階 → (1, 12, 1); 5階 alone is not a house number.
    """
    found = _HOUSE.match(tail)
    if not found:
        return ()
    numbers = tuple(int(part) for part in found.groups() if part is not None)
    if len(numbers) == 1 and tail[found.end():].startswith(g.FLOORS):
        return ()
    return numbers


def municipality_aliases(name: str) -> set[str]:
    """The ways a list writes a municipality: 札幌市中央区 or 中央区; 高座郡寒川町 or 寒川町 (canonical keys)."""
    key = canonical(name)
    aliases = {key}
    if g.COUNTY in key[:-1]:
        aliases.add(key.split(g.COUNTY, 1)[1])
    city = key.find(g.CITY)
    if 0 < city < len(key) - 2 and key.endswith(g.WARD):
        aliases.add(key[city + 1:])
    return {alias for alias in aliases if alias}
