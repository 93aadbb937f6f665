"""Pages and scripts take their words from the one catalogue (``tests/test_words.py`` checks the catalogue itself)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


WEB = Path(__file__).resolve().parents[1] / "web"
KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


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
