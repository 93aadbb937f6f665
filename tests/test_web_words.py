"""The web's words live in one catalogue, in Japanese and English; pages and scripts take them from there."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from geo_welfare.web.i18n import WORDS, word

WEB = Path(__file__).resolve().parents[1] / "web"
KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_every_word_in_both_languages_once():
    tree = ast.parse((WEB / "i18n.py").read_text(encoding="utf-8"))
    table = next(node.value for node in ast.walk(tree)
                 if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "WORDS")
    keys = [key.value for key in table.keys]
    assert [key for key, count in Counter(keys).items() if count > 1] == []  # a repeated key would hide one
    for key, (ja, en) in WORDS.items():
        assert ja.strip() and en.strip(), key
    assert word("map_link", "ja") == "地図" and word("map_link", "en") == "Map"


@pytest.mark.parametrize("script", sorted(p.name for p in (WEB / "static").glob("*.js")))
def test_scripts_hold_no_japanese_of_their_own(script):
    text = (WEB / "static" / script).read_text(encoding="utf-8")
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)  # comments may explain in any language
    assert not KANA_KANJI.search(code), KANA_KANJI.search(code)


@pytest.mark.parametrize("template", sorted(p.name for p in (WEB / "templates").glob("*.html")))
def test_templates_take_their_words_from_the_catalogue(template):
    text = (WEB / "templates" / template).read_text(encoding="utf-8")
    outside = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", text, flags=re.S)
    outside = outside.replace("日本語", "")  # the language switch names itself in its own language
    assert not KANA_KANJI.search(outside), KANA_KANJI.search(outside)
