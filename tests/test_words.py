"""The one word catalogue: every key in every language, the keys code uses all there, and no words elsewhere."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from geo_welfare.core import words
from geo_welfare.core.errors import InputError, Problem

REPOSITORY = Path(__file__).resolve().parents[1]
KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
#: Calls whose first literal argument is a catalogue key.
KEY_CALLS = {"t", "say", "word", "both", "message", "_say", "w"}


def _catalogue(lang: str):
    with open(words.catalogue_file(lang), "rb") as handle:
        return read_po(handle, locale=lang)


def test_both_languages_have_every_key_and_no_blank():
    assert words.languages() == ("ja", "en")
    keys = {lang: set(words.entries(lang)) for lang in words.languages()}
    assert keys["ja"] == keys["en"]
    for lang in words.languages():
        assert [key for key, text in words.entries(lang).items() if not text.strip()] == [], lang
    assert words.t("map_link", "ja") == "地図" and words.t("map_link", "en") == "Map"


def test_placeholders_agree_between_languages():
    """A message's ``{name}`` values are the same in every language (a translation cannot drop one)."""
    def names(text: str) -> set[str]:
        return {name.split(":")[0].split("!")[0] for name in re.findall(r"(?<!\{)\{([^{}]*)\}", text)}
    ja, en = words.entries("ja"), words.entries("en")
    differing = {key: (names(ja[key]), names(en[key])) for key in ja if names(ja[key]) != names(en[key])}
    assert differing == {}


def _literal_keys() -> dict[str, list[str]]:
    """Every string literal passed as the first argument of a word call in the product, with where."""
    found: dict[str, list[str]] = {}
    for folder in ("geo_welfare", "layers", "web"):
        for path in (REPOSITORY / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                first = node.args[0]
                if (name in KEY_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str)
                        and first.value not in words.languages()):
                    found.setdefault(first.value, []).append(f"{path.relative_to(REPOSITORY)}:{node.lineno}")
    return found


def test_every_key_code_names_is_in_the_catalogue():
    known = set(words.entries("ja"))
    missing = {key: resources for key, resources in _literal_keys().items() if key not in known}
    assert missing == {}


def test_a_missing_key_shows_as_itself_not_as_a_crash():
    assert words.t("no_such_key_anywhere", "en") == "no_such_key_anywhere"


def test_words_inside_messages_follow_the_message_language():
    error = InputError([Problem("x.csv", 3, "経度", "is_required", {"what": words.Word("coordinate_lon")})])
    assert error.message("ja") == "x.csv, 3行目, 列「経度」: 経度が必要です"
    assert error.message("en") == "x.csv, row 3, field '経度': longitude is required"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_po_files_are_well_formed_and_sorted(lang):
    catalog = _catalogue(lang)
    assert catalog.locale.language == lang
    ids = [message.id for message in catalog if message.id]
    assert ids == sorted(ids) and len(ids) == len(set(ids))


def test_every_setting_is_explained_in_the_catalogue():
    from geo_welfare.core.config import SETTINGS, WALKING_SPEED
    assert [setting.help for setting in SETTINGS if setting.help not in words.entries("ja")] == []
    low, high = WALKING_SPEED.range
    assert words.t(WALKING_SPEED.help, "en", low=low, high=high, default=WALKING_SPEED.default) \
        == "Walking speed (km/h, 0.5–8, default 4; frail residents: 3)"
